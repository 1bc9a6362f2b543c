//! Every tool fails loudly on an input it cannot read: a missing file, a
//! directory where a file is expected, a config file that does not exist.
//! One line on standard error naming the option and the path, non-zero
//! exit. Where a tool mirrors a Python tool that reads such a file (the
//! checker, convert, upgrade: all raise, exit 1), the exit status is
//! the Python tool's; where the Python tool carries on without the file
//! (policy-generator and list-redundant without a policy file), ours keeps
//! its output and status and adds a warning on standard error.
#![cfg(test)]

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(bin: &str, dir: &Path, args: &[&str]) -> Run {
    let exe = match bin {
        "oslo-policy" => env!("CARGO_BIN_EXE_oslo-policy"),
        "oslopolicy-checker" => env!("CARGO_BIN_EXE_oslopolicy-checker"),
        "oslopolicy-sample-generator" => env!("CARGO_BIN_EXE_oslopolicy-sample-generator"),
        "oslopolicy-policy-generator" => env!("CARGO_BIN_EXE_oslopolicy-policy-generator"),
        "oslopolicy-list-redundant" => env!("CARGO_BIN_EXE_oslopolicy-list-redundant"),
        "oslopolicy-validator" => env!("CARGO_BIN_EXE_oslopolicy-validator"),
        "oslopolicy-convert-json-to-yaml" => env!("CARGO_BIN_EXE_oslopolicy-convert-json-to-yaml"),
        "oslopolicy-policy-upgrade" => env!("CARGO_BIN_EXE_oslopolicy-policy-upgrade"),
        other => panic!("unknown tool {other}"),
    };
    let out = Command::new(exe)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("policy.json"), r#"{"a": "role:a", "x:y": "@"}"#).unwrap();
    std::fs::write(
        p.join("defaults.json"),
        r#"[{"name": "a", "check_str": "role:a"}]"#,
    )
    .unwrap();
    std::fs::write(
        p.join("access.json"),
        r#"{"token": {"roles": [{"name": "a"}], "user": {"id": "u"}}}"#,
    )
    .unwrap();
    std::fs::write(p.join("cases.jsonl"), "{\"name\": \"a\"}\n").unwrap();
    std::fs::create_dir(p.join("adir")).unwrap();
    dir
}

/// Non-zero exit, nothing on stdout, and one stderr line naming `path`.
fn loud(tool: &str, args: &[&str], path: &str, code: i32) {
    let dir = fixture();
    let r = run(tool, dir.path(), args);
    assert_eq!(r.code, code, "{tool} {args:?}: exit status\n{}", r.stderr);
    assert!(
        r.stdout.trim().is_empty() || tool == "oslopolicy-convert-json-to-yaml",
        "{tool} {args:?}: printed a result: {}",
        r.stdout
    );
    let lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| !l.starts_with("WARNING:oslo_policy"))
        .collect();
    assert_eq!(lines.len(), 1, "{tool} {args:?}: {}", r.stderr);
    assert!(lines[0].contains(path), "{tool} {args:?}: {}", r.stderr);
    assert!(
        !lines[0].contains(": :") && !lines[0].ends_with(": "),
        "{tool} {args:?}: an empty field: {}",
        r.stderr
    );
}

#[test]
fn oslo_policy_refuses_missing_and_unreadable_inputs() {
    // explain used to answer "denied" for a missing policy.
    loud(
        "oslo-policy",
        &["explain", "--policy", "missing.yaml", "--rule", "a"],
        "--policy missing.yaml",
        2,
    );
    loud(
        "oslo-policy",
        &["explain", "--policy", "adir", "--rule", "a"],
        "adir",
        2,
    );
    // eval used to decide everything "false" for a missing policy.
    loud(
        "oslo-policy",
        &["eval", "--policy", "missing.yaml", "--cases", "cases.jsonl"],
        "--policy missing.yaml",
        2,
    );
    loud(
        "oslo-policy",
        &[
            "eval",
            "--policy",
            "policy.json",
            "--cases",
            "missing.jsonl",
        ],
        "--cases missing.jsonl",
        2,
    );
    loud(
        "oslo-policy",
        &["eval", "--policy", "policy.json", "--cases", "adir"],
        "--cases adir",
        2,
    );
    loud(
        "oslo-policy",
        &[
            "eval",
            "--policy",
            "policy.json",
            "--cases",
            "cases.jsonl",
            "--defaults",
            "missing.json",
        ],
        "--defaults missing.json",
        2,
    );
    loud(
        "oslo-policy",
        &[
            "eval",
            "--policy",
            "policy.json",
            "--cases",
            "cases.jsonl",
            "--policy-dir",
            "nodir",
        ],
        "--policy-dir nodir",
        2,
    );
    loud("oslo-policy", &["lint", "missing.yaml"], "missing.yaml", 2);
    loud("oslo-policy", &["lint", "adir"], "adir", 2);
}

#[test]
fn python_tools_fail_where_the_python_tools_raise() {
    let checker = |extra: &[&str], path: &str| {
        let mut args = vec!["--policy", "policy.json", "--access", "access.json"];
        args.extend_from_slice(extra);
        loud("oslopolicy-checker", &args, path, 1);
    };
    checker(&["--target", "missing.json"], "missing.json");
    checker(&["--config-file", "missing.conf"], "missing.conf");
    checker(&["--config-dir", "nodir"], "nodir");
    checker(&["--enforcer_config", "missing.conf"], "missing.conf");
    loud(
        "oslopolicy-checker",
        &["--policy", "missing.json", "--access", "access.json"],
        "missing.json",
        1,
    );
    loud(
        "oslopolicy-checker",
        &["--policy", "policy.json", "--access", "missing.json"],
        "missing.json",
        1,
    );
    loud(
        "oslopolicy-sample-generator",
        &[
            "--defaults",
            "defaults.json",
            "--config-file",
            "missing.conf",
        ],
        "missing.conf",
        1,
    );
    loud(
        "oslopolicy-sample-generator",
        &["--defaults", "missing.json"],
        "missing.json",
        1,
    );
    // The output file is named when it cannot be written.
    loud(
        "oslopolicy-sample-generator",
        &["--defaults", "defaults.json", "--output-file", "nodir/out"],
        "nodir/out",
        1,
    );
    for tool in [
        "oslopolicy-convert-json-to-yaml",
        "oslopolicy-policy-upgrade",
    ] {
        let flag = if tool == "oslopolicy-policy-upgrade" {
            "--policy"
        } else {
            "--policy-file"
        };
        loud(
            tool,
            &["--defaults", "defaults.json", flag, "missing.json"],
            "missing.json",
            1,
        );
        loud(
            tool,
            &[
                "--defaults",
                "defaults.json",
                flag,
                "policy.json",
                "--config-file",
                "missing.conf",
            ],
            "missing.conf",
            1,
        );
    }
    for tool in [
        "oslopolicy-policy-generator",
        "oslopolicy-list-redundant",
        "oslopolicy-validator",
    ] {
        loud(
            tool,
            &["--defaults", "missing.json", "--policy", "policy.json"],
            "missing.json",
            1,
        );
        loud(
            tool,
            &["--defaults", "defaults.json", "--policy", "adir"],
            "adir",
            1,
        );
    }
}

/// The Python policy-generator and list-redundant carry on without a
/// policy file (the enforcer skips it) and exit 0: ours print the same,
/// exit 0, and say on standard error what was missing.
#[test]
fn generators_warn_about_a_missing_policy() {
    let dir = fixture();
    for (tool, stdout) in [
        ("oslopolicy-policy-generator", "\"a\": \"role:a\"\n"),
        ("oslopolicy-list-redundant", ""),
    ] {
        let r = run(
            tool,
            dir.path(),
            &[
                "--defaults",
                "defaults.json",
                "--policy",
                "missing.yaml",
                "--policy-dir",
                "nodir",
            ],
        );
        assert_eq!(r.code, 0, "{tool}: {}", r.stderr);
        assert_eq!(r.stdout, stdout, "{tool}");
        assert!(
            r.stderr.contains("missing.yaml does not exist") && r.stderr.contains("nodir"),
            "{tool}: {}",
            r.stderr
        );
    }
}

/// An enforcer reads `policy_dirs` without a main file (deployments with
/// `policy.d` only): `eval` does too when directories are given, and says
/// on stderr that the policy file is missing.
#[test]
fn eval_reads_policy_dirs_without_a_policy_file() {
    let dir = fixture();
    std::fs::write(dir.path().join("adir/10.yaml"), "a: '@'\n").unwrap();
    let r = run(
        "oslo-policy",
        dir.path(),
        &[
            "eval",
            "--policy",
            "missing.yaml",
            "--policy-dir",
            "adir",
            "--cases",
            "cases.jsonl",
        ],
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\n"), "{}", r.stderr);
    assert!(
        r.stderr.contains("missing.yaml does not exist"),
        "{}",
        r.stderr
    );
}

/// The message for a policy the reference's `check_rules` cannot walk
/// names the file and the rule (it used to read
/// `cannot load chain.yaml: : rule 'r0': ...`).
#[test]
fn too_deep_policy_names_its_file() {
    let dir = fixture();
    let mut text = String::new();
    for i in 0..1200 {
        text.push_str(&format!("\"r{i}\": \"rule:r{}\"\n", i + 1));
    }
    std::fs::write(dir.path().join("chain.yaml"), text).unwrap();
    let r = run(
        "oslo-policy",
        dir.path(),
        &["eval", "--policy", "chain.yaml", "--cases", "cases.jsonl"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("oslo-policy: chain.yaml: rule 'r0': "),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(": :"), "{}", r.stderr);
}
