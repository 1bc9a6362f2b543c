//! oslo.rootwrap 7.10.0's own functional tests (`test_functional.py`,
//! `test_functional_eventlet.py`) against our `oslo-rootwrap` and
//! `oslo-rootwrap-daemon`, through oracle/run_reference_functional.py:
//! their test code as released, only the two launch commands swapped for
//! ours, every assertion kept (see the runner's docstring for the one
//! addition under eventlet, which the Python daemon needs as well).
//!
//! Needs the reference venv with fixtures, testtools and eventlet
//! (scripts/setup-reference.sh); without them each test prints
//! `SKIPPED: ...` and passes. About 20 s (plain) and 40 s (eventlet), most
//! of it the suites' own sleeps (`test_daemon_timeout` waits 15 s).

#![cfg(test)]

use std::process::Command;

const CLI: &str = env!("CARGO_BIN_EXE_oslo-rootwrap");
const DAEMON: &str = env!("CARGO_BIN_EXE_oslo-rootwrap-daemon");
/// The runner's "requirement missing" status.
const SKIP: i32 = 77;

fn run_suite(test: &str, suite: &str) {
    let Some(python) = oslo_test_support::rootwrap_reference_python(test) else {
        return;
    };
    let runner =
        oslo_test_support::conformance("oslo-rootwrap").join("oracle/run_reference_functional.py");
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::new(&python)
        .arg(&runner)
        .arg(suite)
        .args(["--cli", CLI, "--daemon", DAEMON])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("TEST_EVENTLET")
        .current_dir(cwd.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines_with = |prefix: &str| -> Vec<&str> {
        stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .collect::<Vec<_>>()
    };
    if out.status.code() == Some(SKIP) {
        let why = lines_with("SKIPPED: ").join("; ");
        eprintln!("SKIPPED: {test}: {}", why.trim_start_matches("SKIPPED: "));
        return;
    }
    if !out.status.success() {
        let mut failed = lines_with("FAILED TEST ").join("\n");
        if failed.is_empty() {
            // A hung test (the runner's watchdog) or a harness error.
            failed = stdout
                .lines()
                .rev()
                .find(|l| l.ends_with("... ") || l.starts_with("HARNESS ERROR"))
                .map_or_else(
                    || format!("(no test named; status {:?})", out.status),
                    |l| format!("HUNG or aborted: {l}"),
                );
        }
        panic!(
            "{test}: oslo.rootwrap {suite} functional tests failed against our binaries:\n\
             {failed}\n\n--- runner output ---\n{stdout}\n--- runner stderr ---\n{stderr}"
        );
    }
    // Passed: prove the launch commands really were ours.
    let replaced = lines_with("== launch commands replaced:").join("");
    assert!(
        !replaced.is_empty() && !replaced.ends_with("daemon 0"),
        "the daemon command was never replaced:\n{stdout}"
    );
    if suite == "plain" {
        assert!(
            !replaced.contains("cli 0,"),
            "the CLI command was never replaced:\n{stdout}"
        );
    }
    eprintln!("{test}: {replaced}");
    for l in lines_with("RESULT ") {
        eprintln!("{test}: {l}");
    }
    for l in stdout.lines().filter(|l| l.contains("skip (")) {
        eprintln!("{test}: {}", l.trim());
    }
}

/// `test_functional.py`: RootwrapTest runs our CLI, RootwrapDaemonTest
/// spawns our daemon from the real `oslo_rootwrap.client.Client`.
#[test]
fn reference_functional_tests_pass_against_our_binaries() {
    run_suite(
        "reference_functional_tests_pass_against_our_binaries",
        "plain",
    );
}

/// `test_functional_eventlet.py`: the same client under
/// `eventlet.monkey_patch()`, whose green pipe reads the daemon's
/// announcement with one `read()` (issue 13).
#[test]
fn reference_functional_eventlet_tests_pass_against_our_binaries() {
    run_suite(
        "reference_functional_eventlet_tests_pass_against_our_binaries",
        "eventlet",
    );
}
