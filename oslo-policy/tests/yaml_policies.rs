//! YAML policy files — YAML 1.1 scalars (`yes`, `off`, `017`, `1e3`,
//! dates, sexagesimal), falsy values that allow everyone, truthy values that
//! break the file, JSON read as YAML (tabs refused, trailing commas
//! accepted), anchors, merges, block scalars, tags, BOM/CRLF, several
//! documents, bad UTF-8 — loaded by the real oslo.policy and by
//! `oslo-policy eval` (`tests/oracle/yaml_policies.py`): same load failures,
//! same decisions.

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
            "SKIPPED: yaml_policies: no Python with oslo.policy at {} \
             (run scripts/setup-reference.sh or set OSLO_RS_REFERENCE_PYTHON)",
            python.display()
        );
        None
    }
}

#[test]
fn yaml_policies_agree_with_oslo_policy() {
    let Some(python) = reference_python() else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/yaml_policies.py");
    let out = Command::new(python)
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_oslo-policy"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "YAML policies disagree:\n{stdout}");
    assert!(stdout.contains(", 0 disagreements"), "{stdout}");
}
