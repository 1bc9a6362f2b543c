//! The Python reference (the real oslo.* libraries in the workspace's
//! `.venv`, made by `scripts/setup-reference.sh`) and oracle scripts that
//! compare it with our binaries.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `tests/conformance/{package}/`: the folder of the suites that judge
/// that package against its reference, with their oracle scripts and cases.
pub fn conformance(package: &str) -> PathBuf {
    workspace().join("tests/conformance").join(package)
}

/// The shared corpus of real rootwrap filter files
/// (`../shared/corpus/rootwrap` beside the workspace), if present.
pub fn rootwrap_corpus() -> Option<PathBuf> {
    let dir = workspace().join("../shared/corpus/rootwrap");
    dir.is_dir().then_some(dir)
}

/// The Python the rootwrap suites compare with: oslo.rootwrap importable on
/// CPython 3.11 (the version whose `re`, `os.path` and `shlex` they
/// reproduce), or `None` with a SKIPPED line.
pub fn rootwrap_reference_python(test: &str) -> Option<PathBuf> {
    reference_python_exact("oslo_rootwrap", (3, 11), test)
}

/// A Python that can `import {module}`: `$OSLO_RS_REFERENCE_PYTHON` if set,
/// else the workspace's `.venv/bin/python`; `None`, with a loud `SKIPPED`
/// line naming `test`, if that one cannot.
pub fn reference_python(module: &str, test: &str) -> Option<PathBuf> {
    find(&format!("import {module}"), module, test)
}

/// [`reference_python`] that must also be CPython `major.minor` (suites
/// whose oracle is that version's own standard library, e.g. `re`).
pub fn reference_python_exact(module: &str, version: (u32, u32), test: &str) -> Option<PathBuf> {
    let (major, minor) = version;
    find(
        &format!(
            "import sys, {module}; \
             assert sys.implementation.name == 'cpython' and sys.version_info[:2] == ({major}, {minor})"
        ),
        &format!("{module} on CPython {major}.{minor}"),
        test,
    )
}

fn find(check: &str, what: &str, test: &str) -> Option<PathBuf> {
    let python = std::env::var_os("OSLO_RS_REFERENCE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-c", check])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        eprintln!(
            "SKIPPED: {test}: no Python with {what} at {} \
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

/// Runs `python script` once for a whole batch: writes `cases` to its
/// stdin, one line each, and returns its stdout lines, demanding that it
/// exits 0 and answers every case with exactly one line.
pub fn oracle_lines(python: &Path, script: &Path, cases: &[String]) -> Vec<String> {
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} {}: {e}", python.display(), script.display()));
    let mut input = String::new();
    for case in cases {
        input.push_str(case);
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    // Written from a thread: the oracle answers while it reads.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "the oracle {} failed: {}",
        script.display(),
        out.status
    );
    let answers: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        answers.len(),
        cases.len(),
        "the oracle {} answers every case",
        script.display()
    );
    answers
}
