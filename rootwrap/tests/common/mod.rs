//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The shared corpus of real filter files, if present.
pub fn corpus() -> Option<PathBuf> {
    let dir = workspace().join("../shared/corpus/rootwrap");
    dir.is_dir().then_some(dir)
}

/// A Python interpreter with oslo.rootwrap importable: `$OSLO_RS_REFERENCE_PYTHON`,
/// else `<workspace>/.venv/bin/python`. `None` (and a loud message) if none.
pub fn reference_python(test: &str) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("OSLO_RS_REFERENCE_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::iter::once(workspace().join(".venv/bin/python")))
        .collect();
    for python in candidates {
        let ok = Command::new(&python)
            .args([
                "-c",
                "import sys, oslo_rootwrap; assert sys.version_info[:2] == (3, 11)",
            ])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    eprintln!(
        "SKIPPED: {test}: no Python reference (run scripts/setup-reference.sh or set OSLO_RS_REFERENCE_PYTHON)"
    );
    None
}
