//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

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

/// A Python with oslo.rootwrap importable, CPython 3.11 (the version whose
/// `re`, `os.path` and `shlex` the suites compare with), or `None` with a
/// SKIPPED line.
pub fn reference_python(test: &str) -> Option<PathBuf> {
    oslo_test_support::reference_python_exact("oslo_rootwrap", (3, 11), test)
}
