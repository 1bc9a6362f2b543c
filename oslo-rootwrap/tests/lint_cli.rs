//! The command line of `oslo-rootwrap lint` and `--dry-run` (issue 14):
//! usage and error messages, `--format json`, `--verbose`, exit status.
#![cfg(test)]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_oslo-rootwrap");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(oslo_test_support::workspace())
        .output()
        .expect("run oslo-rootwrap")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A configuration of one filter file with `filters` in a fresh directory.
fn config(dir: &Path, filters: &str) -> String {
    let d = dir.join("rootwrap.d");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("t.filters"), filters).unwrap();
    let conf = dir.join("rootwrap.conf");
    std::fs::write(
        &conf,
        format!(
            "[DEFAULT]\nfilters_path={}\nexec_dirs=/bin,/usr/bin\n",
            d.display()
        ),
    )
    .unwrap();
    conf.display().to_string()
}

#[test]
fn lint_usage_names_the_subcommand() {
    let out = run(&["lint"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("Usage: oslo-rootwrap lint "), "{err}");
    assert!(!err.contains("Usage: lint"), "{err}");
}

#[test]
fn dry_run_without_separator_says_where_the_command_goes() {
    let out = run(&["--dry-run", "filters/example/rootwrap.conf", "ip", "a"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("put the command after `--`: oslo-rootwrap --dry-run filters/example/rootwrap.conf -- ip a"),
        "{err}"
    );
    // With the separator it is decided; unknown options stay clap's errors.
    let ok = run(&[
        "--dry-run",
        "--json",
        "filters/example/rootwrap.conf",
        "--",
        "ip",
        "a",
    ]);
    assert!(text(&ok.stdout).starts_with("{\"allowed\""), "{ok:?}");
    let bogus = run(&["--dry-run", "--bogus", "x"]);
    assert!(text(&bogus.stderr).contains("unexpected argument '--bogus'"));
}

#[test]
fn unknown_classes_name_file_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let conf = config(dir.path(), "[Filters]\nmystery: NoSuchFilter, ls, root\n");
    let out = run(&["lint", &conf]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("t.filters: mystery (NoSuchFilter): info: unknown filter class"),
        "{stdout}"
    );
    assert!(!stdout.contains("-: -:"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "info only: {stdout}");
}

#[test]
fn json_and_verbose_and_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let conf = config(
        dir.path(),
        "[Filters]\nip: CommandFilter, ip, root\nm1: CommandFilter, /nonexistent/a, root\nm2: CommandFilter, /nonexistent/b, root\n",
    );
    let out = run(&["lint", "--format", "json", &conf]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let ip = findings.iter().find(|f| f["filter"] == "ip").unwrap();
    assert_eq!(ip["severity"], "root");
    assert_eq!(ip["class"], "CommandFilter");
    assert!(
        ip["file"]
            .as_str()
            .unwrap()
            .ends_with("rootwrap.d/t.filters")
    );
    assert_eq!(
        ip["witness"],
        serde_json::json!(["ip", "netns", "exec", "x", "/tmp/x/payload"])
    );
    assert_eq!(doc["counts"]["root"], 1);
    assert_eq!(doc["exit_status"], 1);
    // Missing executables: one line per file, or one per filter.
    let short = text(&run(&["lint", &conf]).stdout);
    assert_eq!(
        short.matches("not found in exec_dirs").count(),
        1,
        "{short}"
    );
    let long = text(&run(&["lint", "--verbose", &conf]).stdout);
    assert_eq!(long.matches("not found in exec_dirs").count(), 2, "{long}");
    // A configuration that cannot be read as one.
    let bad = run(&["lint", "/nonexistent/rootwrap.conf"]);
    assert_eq!(bad.status.code(), Some(97));
}
