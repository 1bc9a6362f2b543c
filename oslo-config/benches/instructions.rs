//! Instruction-count workloads for `scripts/bench-instructions.sh`: run
//! with `--list` for their names, or with one name to run it once under
//! callgrind. The inputs are generated (the config benchmark's 300
//! options, `pycompat/benches/inputs.rs`'s opt-data and config file), so
//! a fresh clone has them without Python.

use std::hint::black_box;
use std::process::ExitCode;

use oslo_config::{CallArgs, ConfigOpts};

#[path = "../examples/bench_service.rs"]
#[allow(dead_code)]
mod service;

#[path = "../../pycompat/benches/inputs.rs"]
mod inputs;

const WORKLOADS: &[&str] = &[
    "register_parse_resolve_300",
    "resolve_300_memo_cleared_x10",
    "optdata_load_300_options_x5",
];

fn build(path: &str) -> Result<ConfigOpts, String> {
    let mut conf = ConfigOpts::new();
    for i in 0..300 {
        conf.register_opt(service::bench_opt(i), Some(&format!("group{}", i % 10)))
            .map_err(|e| e.to_string())?;
    }
    conf.call(
        CallArgs::new(["--config-file", path])
            .prog("bench")
            .no_default_files(),
    )
    .map_err(|e| e.to_string())?;
    Ok(conf)
}

/// The 300 (group, option) names, made once, as `benches/resolve.rs`
/// and the Python harness read them.
fn names() -> Vec<(String, String)> {
    (0..300)
        .map(|i| (format!("group{}", i % 10), format!("opt{i}")))
        .collect()
}

fn read_all(conf: &ConfigOpts, names: &[(String, String)]) -> Result<usize, String> {
    let mut read = 0;
    for (group, name) in names {
        let v = conf.get_in(Some(group), name).map_err(|e| e.to_string())?;
        if !v.is_none() {
            read += 1;
        }
    }
    Ok(read)
}

/// The config benchmark's file (`benches/resolve.rs`), in a fresh
/// directory.
fn conf_file() -> Result<(tempfile::TempDir, String), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("bench.conf");
    let mut text = String::new();
    for g in 0..10 {
        text.push_str(&format!("[group{g}]\n"));
        for i in (g..300).step_by(10) {
            let v = match i % 6 {
                0 => format!("v{i}"),
                1 => format!("{}", i * 7),
                2 => "true".to_owned(),
                3 => "1.25".to_owned(),
                4 => "x, y,z".to_owned(),
                _ => "9000".to_owned(),
            };
            text.push_str(&format!("opt{i} = {v}\n"));
        }
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let path = path.to_str().ok_or("path is not UTF-8")?.to_owned();
    Ok((dir, path))
}

fn run(workload: &str) -> Result<(), String> {
    match workload {
        "register_parse_resolve_300" => {
            let (_keep, path) = conf_file()?;
            let conf = build(&path)?;
            if read_all(&conf, &names())? != 300 {
                return Err("not 300 values".to_owned());
            }
            black_box(conf);
        }
        "resolve_300_memo_cleared_x10" => {
            let (_keep, path) = conf_file()?;
            let conf = build(&path)?;
            let names = names();
            for _ in 0..10 {
                conf.clear_cache();
                black_box(read_all(black_box(&conf), &names)?);
            }
        }
        // What `oslo-config dump` does before registering (generating
        // the input costs about 65 M instructions).
        "optdata_load_300_options_x5" => {
            let text = inputs::optdata_yaml();
            for _ in 0..5 {
                let doc = pycompat::yaml::safe_load(black_box(text.as_bytes()))
                    .map_err(|e| e.to_string())?;
                let groups =
                    oslo_config::optdata::from_value_lenient(&doc).map_err(|e| e.to_string())?;
                black_box(groups);
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
