//! Registered defaults, scope checks, deprecated rules (renamed and
//! changed, with `enforce_new_defaults` on and off) and `policy_dirs`
//! overlays, decided by the real `oslo_policy.policy.Enforcer` and by
//! `oslo-policy eval --defaults ... --policy-dir ...`
//! (`tests/oracle/enforcer_scenarios.py`): every case must agree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn reference_python() -> Option<PathBuf> {
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
            "SKIPPED: enforcer_scenarios: no Python with oslo.policy at {} \
             (run scripts/setup-reference.sh or set OSLO_RS_REFERENCE_PYTHON)",
            python.display()
        );
        None
    }
}

#[test]
fn enforcer_scenarios_agree_with_oslo_policy() {
    let Some(python) = reference_python() else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/enforcer_scenarios.py");
    let out = Command::new(python)
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_oslo-policy"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "scenarios disagree:\n{stdout}");
    assert!(stdout.contains(", 0 mismatches"), "{stdout}");
}
