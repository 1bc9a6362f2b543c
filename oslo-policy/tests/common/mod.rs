//! Helpers shared by oslo-policy's differential tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python with oslo.policy importable: `$OSLO_RS_REFERENCE_PYTHON`, else
/// `<workspace>/.venv/bin/python`; `None` (with a loud SKIPPED line) if
/// neither works.
pub fn reference_python(test: &str) -> Option<PathBuf> {
    let python = std::env::var_os("OSLO_RS_REFERENCE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", "import oslo_policy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        eprintln!(
            "SKIPPED: {test}: no Python with oslo.policy at {} \
             (run scripts/setup-reference.sh or set OSLO_RS_REFERENCE_PYTHON)",
            python.display()
        );
        None
    }
}

/// A script of `tests/oracle/`.
pub fn oracle(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracle")
        .join(name)
}

/// Runs an oracle script that compares the reference with
/// `oslo-policy eval` itself (`script OUR_BINARY`) and demands that it
/// succeeds and reports `agreed` (e.g. ", 0 mismatches").
pub fn oracle_agrees(test: &str, script: &str, agreed: &str) {
    let Some(python) = reference_python(test) else {
        return;
    };
    let out = Command::new(python)
        .arg(oracle(script))
        .arg(env!("CARGO_BIN_EXE_oslo-policy"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "{test}: the implementations disagree:\n{stdout}"
    );
    assert!(stdout.contains(agreed), "{stdout}");
}
