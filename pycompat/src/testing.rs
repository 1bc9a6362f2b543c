//! Helpers for the crates' differential tests (cargo feature `testing`):
//! finding the Python reference, running oracle scripts, seeded
//! randomness. Not for production code: these panic on failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::should_implement_trait
)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python that can `import {module}`: `$OSLO_RS_REFERENCE_PYTHON`, else
/// the workspace's `.venv/bin/python`; `None`, with a loud `SKIPPED` line
/// naming `test`, if neither works.
pub fn reference_python(module: &str, test: &str) -> Option<PathBuf> {
    let python = std::env::var_os("OSLO_RS_REFERENCE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        eprintln!(
            "SKIPPED: {test}: no Python with {module} at {} \
             (run scripts/setup-reference.sh or set OSLO_RS_REFERENCE_PYTHON)",
            python.display()
        );
        None
    }
}

/// Runs `python script args...`, echoes its output, and demands that it
/// exits 0 and prints `agreed` (an oracle script's "0 mismatches" line).
pub fn oracle_agrees(test: &str, python: &Path, script: &Path, args: &[&OsStr], agreed: &str) {
    let out = Command::new(python)
        .arg(script)
        .args(args)
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

/// SplitMix64: small, seedable, good enough for generating test inputs.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn pct(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}
