//! Helpers shared by oslo-policy's differential tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// A Python with oslo.policy importable, or `None` with a SKIPPED line.
pub fn reference_python(test: &str) -> Option<PathBuf> {
    oslo_test_support::reference_python("oslo_policy", test)
}

/// A script of `tests/conformance/oslo-policy/oracle/`.
pub fn oracle(name: &str) -> PathBuf {
    oslo_test_support::conformance("oslo-policy")
        .join("oracle")
        .join(name)
}

/// Runs an oracle script that compares the reference with
/// `oslo-policy eval` itself (`script OUR_BINARY`) and demands that it
/// succeeds and reports `agreed` (e.g. ", 0 mismatches").
pub fn oracle_agrees(test: &str, script: &str, agreed: &str) {
    oracle_agrees_with(test, script, &[], agreed);
}

/// [`oracle_agrees`] with more arguments after the binary.
pub fn oracle_agrees_with(test: &str, script: &str, args: &[&std::ffi::OsStr], agreed: &str) {
    let Some(python) = reference_python(test) else {
        return;
    };
    let mut all: Vec<&std::ffi::OsStr> = vec![env!("CARGO_BIN_EXE_oslo-policy").as_ref()];
    all.extend_from_slice(args);
    oslo_test_support::oracle_agrees(test, &python, &oracle(script), &all, agreed);
}

/// The real service policies made by `scripts/gen-service-policies.sh`
/// (`target/service-policies/`, or the directory
/// `$OSLO_RS_SERVICE_POLICIES` names), or `None` with a SKIPPED line.
pub fn service_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("OSLO_RS_SERVICE_POLICIES")
        .map(PathBuf::from)
        .unwrap_or_else(|| oslo_test_support::workspace().join("target/service-policies"));
    if dir.join("counts.txt").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {test}: no service policies in {} \
             (run scripts/gen-service-policies.sh or set OSLO_RS_SERVICE_POLICIES)",
            dir.display()
        );
        None
    }
}

#[allow(unused_imports)]
pub use oslo_test_support::Rng;
