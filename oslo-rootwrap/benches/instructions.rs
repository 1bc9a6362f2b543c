//! Instruction-count workloads for `scripts/bench-instructions.sh`: run
//! with `--list` for their names, or with one name to run it once under
//! callgrind. Inputs are the repository's own example filters and
//! filter files generated here, so a fresh clone has them all.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use oslo_rootwrap::daemon::json::{self, PyStr, Value};
use oslo_rootwrap::decision;
use oslo_rootwrap::filters::MatchEnv;
use oslo_rootwrap::trust::Trust;
use oslo_rootwrap::wrapper::{self, FilterSet};

const WORKLOADS: &[&str] = &[
    "load_example_filters",
    "load_600_generated_filters",
    "decide_1000_allowed",
    "decide_1000_unauthorized",
    "decode_1000_requests",
    "encode_1000_replies",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example() -> FilterSet {
    let dir = repo().join("filters/example/rootwrap.d");
    wrapper::load_filters(&[dir.into_os_string().into_encoded_bytes()], Trust::Assume)
        .unwrap_or_default()
}

/// 24 files of 25 filters each, of every common class, in a fresh
/// directory (the same text every run).
fn generated() -> Option<(tempfile::TempDir, Vec<u8>)> {
    let dir = tempfile::tempdir().ok()?;
    for f in 0..24 {
        let mut text = String::from("# generated\n[Filters]\n");
        for i in 0..25 {
            let n = f * 25 + i;
            text.push_str(&match i % 5 {
                0 => format!("cmd{n}: CommandFilter, tool{n}, root\n"),
                1 => format!("re{n}: RegExpFilter, tool{n}, root, tool{n}, -[a-z]+, /var/lib/x{n}/[0-9a-f-]+\n"),
                2 => format!("path{n}: PathFilter, /bin/chown, root, nova, /var/lib/nova/x{n}\n"),
                3 => format!("kill{n}: KillFilter, root, /usr/sbin/tool{n}, -9, -HUP\n"),
                _ => format!("env{n}: EnvFilter, env, root, LANG=, TZ=, tool{n}\n"),
            });
        }
        std::fs::write(dir.path().join(format!("f{f:02}.filters")), text).ok()?;
    }
    let path = dir.path().as_os_str().as_encoded_bytes().to_vec();
    Some((dir, path))
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn run(workload: &str) -> Result<(), String> {
    let env = MatchEnv {
        path: Some(b"/usr/bin:/bin".to_vec()),
    };
    let exec_dirs = [
        b"/sbin".to_vec(),
        b"/usr/sbin".to_vec(),
        b"/bin".to_vec(),
        b"/usr/bin".to_vec(),
    ];
    match workload {
        "load_example_filters" => {
            black_box(example());
        }
        "load_600_generated_filters" => {
            let (_keep, dir) = generated().ok_or("cannot generate filter files")?;
            let set = wrapper::load_filters(&[dir], Trust::Assume).map_err(|e| e.to_string())?;
            if set.filters.len() != 601 {
                return Err(format!("{} filters", set.filters.len()));
            }
            black_box(set);
        }
        "decide_1000_allowed" | "decide_1000_unauthorized" => {
            let set = example();
            let words: &[&str] = if workload == "decide_1000_allowed" {
                &["ip", "addr", "show"]
            } else {
                &["definitely-not-allowed", "--flag"]
            };
            for _ in 0..1000 {
                let mut args = argv(words);
                black_box(decision::decide_with(
                    &set.filters,
                    &mut args,
                    &exec_dirs,
                    &env,
                ));
            }
        }
        "decode_1000_requests" => {
            let request = br#"["7f00000040", "run_one_command", [["ip", "netns", "exec", "qrouter-1234", "ip", "-o", "link", "show", "\udcff"], null], {}]"#;
            for _ in 0..1000 {
                black_box(
                    json::decode_bounded(black_box(request), 1 << 20).map_err(|e| e.to_string())?,
                );
            }
        }
        "encode_1000_replies" => {
            let out = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n".repeat(20);
            let reply = Value::List(vec![
                Value::str("#RETURN"),
                Value::List(vec![
                    Value::Int(0),
                    Value::Str(PyStr::from_bytes(out.into_bytes())),
                    Value::str(""),
                ]),
            ]);
            for _ in 0..1000 {
                let mut sink = Vec::new();
                json::write_message(&mut sink, black_box(&reply)).map_err(|e| e.to_string())?;
                black_box(sink);
            }
        }
        other => return Err(format!("unknown workload {other:?}")),
    }
    Ok(())
}

#[path = "../../scripts/bench/instructions_main.rs"]
mod instructions_main;

fn main() -> ExitCode {
    instructions_main::main(WORKLOADS, run)
}
