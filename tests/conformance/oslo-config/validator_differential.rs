//! Differential test of `oslo-config-validator` against the reference
//! tool: thousands of generated scenarios (option data from the reference
//! generator and synthetic, YAML and JSON, some malformed; input files with
//! known, unknown, deprecated and repeated options, reopened and
//! differently-cased sections, parse errors; every flag in several
//! spellings, usage errors, help and version; config files and dirs,
//! default config files in $HOME, environment variables, `$` templates).
//! Our binary runs each scenario here; `oracle/validator_oracle.py` runs
//! the reference on it and compares stdout, stderr and exit status.
#![cfg(test)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use oslo_config::validator;
use oslo_test_support::{Rng, oracle_agrees, reference_python};
use pycompat::value::Value;
use serde_json::json;

const SCENARIOS: usize = 2500;
/// Scenarios also run through the real reference script (slow: a Python
/// start-up each) to check the oracle's in-process runs.
const SUBPROCESS: usize = 30;
/// Scenarios also run through our binary (the rest call the library).
const BINARY: usize = 150;

const GROUPS: &[&str] = &[
    "DEFAULT",
    "database",
    "api",
    "keystone_authtoken",
    "oslo_policy",
    "Upper",
    "other",
];
const SECTIONS: &[&str] = &[
    "DEFAULT",
    "database",
    "Database",
    "api",
    "keystone_authtoken",
    "oslo_policy",
    "Upper",
    "upper",
    "unknown",
    "default",
    "other",
];
const NAMES: &[&str] = &[
    "debug",
    "verbose",
    "log-file",
    "log_file",
    "my_url",
    "connection",
    "host",
    "password",
    "pool_size",
    "enabled",
    "items",
    "ratio",
    "empty_str",
    "none_opt",
    "mode",
    "enforce_new_defaults",
    "policy_file",
];
const OLD_NAMES: &[&str] = &["old_debug", "old-mode", "verbose", "legacy"];
const VALUES: &[&str] = &[
    "true",
    "True",
    "false",
    "x",
    "",
    "a, b",
    "a",
    "b",
    "5",
    "0",
    "1.5",
    "['a', 'b']",
    "None",
    "policy.yaml",
    "\"quoted\"",
];

fn s(v: &str) -> Value {
    Value::str(v)
}

fn dict(items: Vec<(&str, Value)>) -> Value {
    Value::Dict(items.into_iter().map(|(k, v)| (s(k), v)).collect())
}

fn default_value(rng: &mut Rng) -> Value {
    match rng.below(16) {
        0 => s("x"),
        1 => s(""),
        2 => s("True"),
        3 => Value::Bool(true),
        4 => Value::Bool(false),
        5 => Value::Int("0".into()),
        6 => Value::Int("5".into()),
        7 => Value::Float(1.5),
        8 => Value::List(vec![s("a"), s("b")]),
        9 => Value::List(vec![]),
        10 => Value::List(vec![Value::Int("1".into()), s("a")]),
        11 => Value::None,
        12 => dict(vec![("k", s("v"))]),
        13 if rng.pct(30) => Value::List(vec![Value::List(vec![s("a")])]),
        _ => s(rng.pick(VALUES)),
    }
}

/// Synthetic option data shaped like the generator's, sometimes broken.
fn opt_data(rng: &mut Rng) -> Value {
    let mut groups = Vec::new();
    for &g in GROUPS {
        if !rng.pct(55) {
            continue;
        }
        let mut opts = Vec::new();
        for _ in 0..rng.below(6) {
            let name = rng.pick(NAMES);
            let mut entry = vec![("name", s(name))];
            if rng.pct(90) {
                entry.push(("dest", s(&name.replace('-', "_"))));
            }
            entry.push(("default", default_value(rng)));
            entry.push(("help", s("Some help.")));
            entry.push(("type", s("string value")));
            if rng.pct(2) {
                let drop = rng_key(rng);
                entry.retain(|(k, _)| *k != drop);
            }
            opts.push(if rng.pct(1) { s(name) } else { dict(entry) });
        }
        let mut group = vec![
            ("help", s("")),
            ("opts", Value::List(opts)),
            ("standard_opts", Value::List(vec![])),
        ];
        if rng.pct(2) {
            group.retain(|(k, _)| *k != "opts");
        }
        groups.push((g, dict(group)));
    }
    let mut deprecated = Vec::new();
    for &g in GROUPS {
        if rng.pct(25) {
            let mut entries = Vec::new();
            for _ in 0..1 + rng.below(2) {
                let name = rng.pick(OLD_NAMES);
                let mut e = vec![
                    ("name", s(name)),
                    ("replacement_group", s(g)),
                    ("replacement_name", s("debug")),
                ];
                if rng.pct(20) {
                    e.push(("dest", s(&name.replace('-', "_"))));
                }
                entries.push(dict(e));
            }
            deprecated.push((g, Value::List(entries)));
        }
    }
    let mut top = vec![
        ("deprecated_options", dict(deprecated)),
        (
            "generator_options",
            dict(vec![("wrap_width", Value::Int("70".into()))]),
        ),
        ("options", dict(groups)),
    ];
    match rng.below(60) {
        0 => top.retain(|(k, _)| *k != "deprecated_options"),
        1 => top.retain(|(k, _)| *k != "options"),
        2 => top[0].1 = Value::None,
        3 => top[2].1 = Value::List(vec![s("DEFAULT")]),
        4 => top[0].1 = s("DEFAULT database"),
        5 => return Value::None,
        6 => return Value::List(vec![]),
        _ => {}
    }
    dict(top)
}

fn rng_key(rng: &mut Rng) -> &'static str {
    rng.pick(&["name", "default", "dest"])
}

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => serde_json::from_str(i).unwrap(),
        Value::Float(f) => json!(f),
        Value::Str(s) => json!(s),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Dict(items) => serde_json::Value::Object(
            items
                .iter()
                .map(|(k, v)| (k.py_str(), to_json(v)))
                .collect(),
        ),
        Value::Other { str, .. } => json!(str),
    }
}

fn input_file(rng: &mut Rng, ref_data: bool) -> String {
    let mut out = String::new();
    if rng.pct(3) {
        return rng
            .pick(&[
                "  indented\n",
                "[bad\n",
                "a = 1\n",
                "[DEFAULT]\nnovalue\n",
                "[]\n",
            ])
            .to_owned();
    }
    let names: &[&str] = if ref_data {
        &[
            "config-file",
            "config_file",
            "config_dir",
            "config_source",
            "enforce_scope",
            "enforce_new_defaults",
            "policy_file",
            "policy_default_rule",
            "policy_dirs",
            "remote_timeout",
            "unknown",
        ]
    } else {
        NAMES
    };
    for _ in 0..rng.below(5) {
        let section = if ref_data && rng.pct(60) {
            rng.pick(&["DEFAULT", "oslo_policy", "Oslo_Policy"])
        } else {
            rng.pick(SECTIONS)
        };
        out.push_str(&format!("[{section}]\n"));
        for _ in 0..rng.below(5) {
            let key = match rng.below(10) {
                0 | 9 => rng.pick(OLD_NAMES).to_owned(),
                1 => "unknown_key".to_owned(),
                2 => rng.pick(names).replace('-', "_"),
                _ => rng.pick(names).to_owned(),
            };
            out.push_str(&format!("{key} = {}\n", rng.pick(VALUES)));
            if rng.pct(20) {
                out.push_str(&format!("{key} = {}\n", rng.pick(VALUES)));
            }
        }
        if rng.pct(20) {
            out.push('\n');
        }
    }
    out
}

struct Scenario {
    dir: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    unsupported: bool,
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn scenario(rng: &mut Rng, root: &Path, n: usize, ref_yaml: Option<&str>) -> Scenario {
    let dir = root.join(format!("s{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut env: Vec<(String, String)> = Vec::new();
    let mut unsupported = false;

    // Option data.
    let use_ref = ref_yaml.is_some() && rng.pct(6);
    let data_name = if use_ref {
        write(&dir, "opts.yaml", ref_yaml.unwrap());
        "opts.yaml"
    } else if rng.pct(50) {
        let data = opt_data(rng);
        let text = pycompat::yamlemit::safe_dump(&data).unwrap();
        write(&dir, "opts.yaml", &text);
        "opts.yaml"
    } else {
        let data = opt_data(rng);
        write(&dir, "opts.json", &to_json(&data).to_string());
        "opts.json"
    };
    if rng.pct(2) {
        write(&dir, "bad.yaml", "options: [a\n");
    }
    let input = input_file(rng, use_ref);
    write(&dir, "in.conf", &input);
    if rng.pct(2) {
        // Not UTF-8: the decoder's error, positions within 8 KiB chunks.
        let mut bytes = b"[DEFAULT]\n#".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', rng.below(20_000)));
        bytes.extend_from_slice(rng.pick(&[&b"\xff"[..], b"\xe2\x82", b"\xc3", b"\xed\xa0\x80"]));
        bytes.extend_from_slice(b"\n");
        std::fs::write(dir.join("in.conf"), bytes).unwrap();
    }

    let mut args: Vec<Vec<String>> = Vec::new();
    let v = |x: &[&str]| x.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let input_name = match rng.below(40) {
        0 => "missing.conf",
        1 => ".",
        2 => "opts.yaml",
        _ => "in.conf",
    };
    let opt_name = match rng.below(50) {
        0 => "missing.yaml",
        1 => "bad.yaml",
        _ => data_name,
    };
    if rng.pct(2) {
        write(&dir, "bad.yaml", "options: [a\n");
    }
    let mut input_via_file = false;
    let mut opt_via_file = false;

    // Config files, dirs, defaults in $HOME.
    if rng.pct(12) {
        let mut conf = String::from("[DEFAULT]\n");
        if rng.pct(50) {
            conf.push_str(&format!("input_file = {input_name}\n"));
            input_via_file = true;
        }
        if rng.pct(50) {
            conf.push_str(&format!("opt_data = {opt_name}\n"));
            opt_via_file = true;
        }
        for (k, vals) in [
            ("check_defaults", &["true", "yes", "0", "maybe"][..]),
            ("fatal_warnings", &["true", "off"][..]),
            (
                "exclude_group",
                &["DEFAULT", "database", "keystone_authtoken"][..],
            ),
            ("output_file", &["x"][..]),
        ] {
            if rng.pct(30) {
                conf.push_str(&format!("{k} = {}\n", rng.pick(vals)));
            }
        }
        if rng.pct(5) {
            conf.push_str("broken line\n");
        }
        if rng.pct(5) {
            conf.push_str("config_source = extra\n");
            if rng.pct(50) {
                conf.push_str("[extra]\ndriver = nope\n");
            }
        }
        match rng.below(6) {
            0 => {
                std::fs::create_dir_all(dir.join("conf.d")).unwrap();
                write(&dir.join("conf.d"), "10-a.conf", &conf);
                write(
                    &dir.join("conf.d"),
                    ".hidden.conf",
                    "[DEFAULT]\ninput_file = nope\n",
                );
                write(&dir.join("conf.d"), "x.txt", "garbage");
                args.push(v(&["--config-dir", "conf.d"]));
            }
            1 => {
                write(&dir, "oslo-config-validator.conf", &conf);
            }
            2 => args.push(v(&[
                "--config-file",
                "missing1.conf",
                "--config-file=missing2.conf",
            ])),
            3 => args.push(v(&["--config-dir", "nodir"])),
            _ => {
                write(&dir, "gen.conf", &conf);
                args.push(v(&["--config-file", "gen.conf"]));
            }
        }
    }
    if rng.pct(15) {
        let (k, vals): (&str, &[&str]) = match rng.below(5) {
            0 => ("OS_DEFAULT__CHECK_DEFAULTS", &["true", "maybe", "1"]),
            1 => ("OS_DEFAULT__EXCLUDE_GROUP", &["DEFAULT", "x", ""]),
            2 => ("OS_DEFAULT__FATAL_WARNINGS", &["yes", "nah"]),
            3 => (
                "OS_DEFAULT__INPUT_FILE",
                &["in.conf", "missing.conf", "$opt_data"],
            ),
            _ => ("OS_DEFAULT__EXCLUDE_OPTIONS", &["debug,.*", "", "("]),
        };
        env.push((k.to_owned(), rng.pick(vals).to_owned()));
    }

    if !input_via_file || rng.pct(30) {
        let path = if rng.pct(3) {
            rng.pick(&[
                "$opt_data",
                "$nope",
                "in$$.conf",
                "${a.b}",
                "$input_file",
                "in\\$x",
            ])
        } else {
            input_name
        };
        args.push(match rng.below(5) {
            0 => vec![format!("--input-file={path}")],
            1 => v(&["--input", path]),
            2 => vec![format!("--in={path}")],
            _ => v(&["--input-file", path]),
        });
    }
    if (!opt_via_file || rng.pct(20)) && !rng.pct(3) {
        args.push(match rng.below(4) {
            0 => vec![format!("--opt-data={opt_name}")],
            1 => v(&["--opt", opt_name]),
            _ => v(&["--opt-data", opt_name]),
        });
    }
    for (flag, pct) in [
        ("--check-defaults", 45),
        ("--nocheck-defaults", 5),
        ("--fatal-warnings", 30),
        ("--nofatal-warnings", 5),
        ("--check", 3),
        ("--fatal", 3),
    ] {
        if rng.pct(pct) {
            args.push(v(&[flag]));
        }
    }
    for _ in 0..rng.below(3) {
        if rng.pct(40) {
            args.push(v(&["--exclude-group", rng.pick(SECTIONS)]));
        }
    }
    if rng.pct(12) {
        let pats = rng.pick(&[
            "debug,.*_size",
            "host",
            "",
            ".*",
            "(",
            "[a-",
            "deb(ug|x)?,  mode ,",
            "log.file",
        ]);
        args.push(if rng.pct(50) {
            vec![format!("--exclude-options={pats}")]
        } else {
            v(&["--exclude-options", pats])
        });
    }
    // Usage errors, help, version, odd spellings.
    if rng.pct(8) {
        let odd: &[&[&str]] = &[
            &["--bogus"],
            &["--c"],
            &["--no"],
            &["-hx"],
            &["-h=x"],
            &["--check-defaults=1"],
            &["--help=x"],
            &["positional"],
            &["--"],
            &["-x", "y"],
            &["-5"],
            &["--exclude-group"],
            &["--input-file", "-h"],
            &["--opt-data", "--check-defaults"],
            &["-h"],
            &["--he"],
            &["--version"],
            &["--shell_completion", "fish"],
            &["--shell_completion=bash"],
            &["--=x"],
            &["--exclude-group=--"],
        ];
        let pick = odd[rng.below(odd.len())];
        let at = rng.below(args.len() + 1);
        args.insert(at, v(pick));
        if (pick.contains(&"-h") || pick.contains(&"--he")) && rng.pct(50) {
            env.push((
                "COLUMNS".to_owned(),
                rng.pick(&["50", "120", "30", "0", "x"]).to_owned(),
            ));
        }
    }
    if rng.pct(1) {
        args.push(v(&["--namespace", "oslo.log"]));
        unsupported = true;
    }
    // Shuffle the argument groups.
    for i in (1..args.len()).rev() {
        let j = rng.below(i + 1);
        args.swap(i, j);
    }
    if rng.pct(1) {
        args.clear();
    }
    let args: Vec<String> = args.into_iter().flatten().collect();
    env.push(("HOME".to_owned(), dir.to_string_lossy().into_owned()));
    Scenario {
        dir,
        args,
        env,
        unsupported,
    }
}

#[test]
fn validator_matches_reference() {
    let Some(python) = reference_python("oslo_config", "validator_matches_reference") else {
        return;
    };
    let tool = python.parent().unwrap().join("oslo-config-validator");
    let root = tempfile::tempdir().unwrap();
    // Option data as the reference generator writes it.
    let ref_yaml_path = root.path().join("ref.yaml");
    let generated = Command::new(&python)
        .args([
            "-c",
            "import sys; from oslo_config import generator; sys.exit(generator.main())",
            "--namespace",
            "oslo.policy",
            "--namespace",
            "oslo.config",
            "--format",
            "yaml",
            "--output-file",
        ])
        .arg(&ref_yaml_path)
        .output()
        .unwrap();
    let ref_yaml = std::fs::read_to_string(&ref_yaml_path).ok();
    assert!(
        generated.status.success() && ref_yaml.is_some(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let bin = env!("CARGO_BIN_EXE_oslo-config-validator");
    let manifest = root.path().join("scenarios.jsonl");
    let mut file = std::fs::File::create(&manifest).unwrap();
    let mut rng = Rng(0x0051_0c0f_1a11);
    let (mut compared, mut unsupported, mut cfg_logged) = (0, 0, 0);
    let mut codes = [0usize; 3];
    let started = std::time::Instant::now();
    for n in 0..SCENARIOS {
        let sc = scenario(&mut rng, root.path(), n, ref_yaml.as_deref());
        // The command as a library call (fast); the first scenarios also
        // through the binary, which must print exactly the same.
        std::env::set_current_dir(&sc.dir).unwrap();
        let env: std::collections::HashMap<String, String> = sc.env.iter().cloned().collect();
        let out = validator::run("oslo-config-validator", &sc.args, &env);
        if n < BINARY {
            let bin_out = Command::new(bin)
                .args(&sc.args)
                .current_dir(&sc.dir)
                .env_clear()
                .envs(sc.env.iter().cloned())
                .output()
                .unwrap();
            let via_bin = validator::Outcome {
                stdout: String::from_utf8(bin_out.stdout).unwrap(),
                stderr: String::from_utf8(bin_out.stderr).unwrap(),
                code: bin_out.status.code().unwrap(),
            };
            assert_eq!(via_bin, out, "binary vs library: {:?}", sc.args);
        }
        let (code, stderr) = (out.code, out.stderr.clone());
        if sc.unsupported {
            // Refused (or an earlier error or help, as the reference would).
            assert!(
                code != 0 || !out.stdout.is_empty(),
                "{:?}: {stderr}",
                sc.args
            );
            unsupported += 1;
            continue;
        }
        codes[usize::try_from(code).unwrap().min(2)] += 1;
        // What ConfigOpts itself logs (a config_source it cannot load).
        cfg_logged += usize::from(stderr.contains("ERROR:oslo_config.cfg:"));
        compared += 1;
        let env: serde_json::Map<String, serde_json::Value> =
            sc.env.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let line = json!({
            "dir": sc.dir,
            "args": sc.args,
            "env": env,
            "ours": {
                "stdout": out.stdout,
                "stderr": stderr,
                "code": code,
            },
        });
        writeln!(file, "{line}").unwrap();
    }
    drop(file);
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    eprintln!(
        "validator differential: {compared} scenarios compared (exit 0: {}, 1: {}, 2: {}), \
         {unsupported} --namespace scenarios checked for the refusal; ours ran in {:?}",
        codes[0],
        codes[1],
        codes[2],
        started.elapsed()
    );
    assert!(codes.iter().all(|&c| c > SCENARIOS / 40), "{codes:?}");
    assert!(
        cfg_logged > 0,
        "no scenario printed a log record of ConfigOpts"
    );
    let script = oslo_test_support::conformance("oslo-config").join("oracle/validator_oracle.py");
    let subprocess = SUBPROCESS.to_string();
    oracle_agrees(
        "validator_matches_reference",
        &python,
        &script,
        &[
            OsStr::new(&manifest),
            tool.as_os_str(),
            OsStr::new(&subprocess),
        ],
        &format!("{compared} scenarios"),
    );
}
