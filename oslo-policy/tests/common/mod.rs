//! Helpers shared by oslo-policy's differential tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

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
    oracle_agrees_with(test, script, &[], agreed);
}

/// [`oracle_agrees`] with more arguments after the binary.
pub fn oracle_agrees_with(test: &str, script: &str, args: &[&std::ffi::OsStr], agreed: &str) {
    let Some(python) = reference_python(test) else {
        return;
    };
    let out = Command::new(python)
        .arg(oracle(script))
        .arg(env!("CARGO_BIN_EXE_oslo-policy"))
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
