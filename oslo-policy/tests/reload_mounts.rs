//! A filesystem mounted over the policy's directory is a change the next
//! `enforce` sees, as a `stat` of the policy file would (inotify does not
//! report mounts: the enforcer polls the mount table, which reports a
//! change once). Also when the first call after the mount takes the
//! shared path of a quiet check and the scan comes after it.
//!
//! Mounting needs root and a mount namespace of its own: the test runs
//! itself again under `unshare -m` (the mount stays in that namespace)
//! and skips, saying why, where it cannot.

#![cfg(test)]

use std::path::Path;
use std::process::Command;

use oslo_policy::Value;
use oslo_policy::enforcer::{Config, Enforcer};

/// Set in the run inside the namespace: the directory to work in.
const INSIDE: &str = "OSLO_RS_TEST_MOUNT_DIR";

fn wants(e: &Enforcer, role: &str) -> bool {
    let mut creds = Value::Dict(vec![(
        Value::str("roles"),
        Value::List(vec![Value::str(role)]),
    )]);
    e.enforce("a", &Value::Dict(Vec::new()), &mut creds)
        .unwrap()
}

/// In the namespace: load, let the watch arm, mount a tmpfs over the
/// policy's directory, write a new policy there, decide.
fn inside(dir: &Path) {
    let policy_dir = dir.join("policy");
    std::fs::create_dir_all(&policy_dir).unwrap();
    std::fs::write(policy_dir.join("policy.yaml"), "a: role:one\n").unwrap();
    let e = Enforcer::new(Config {
        policy_file: policy_dir.join("policy.yaml"),
        policy_dirs: Vec::new(),
        ..Config::default()
    });
    assert!(wants(&e, "one"));
    assert!(wants(&e, "one"), "the second call arms the watch");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "tmpfs"])
        .arg(&policy_dir)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount -t tmpfs failed");
    std::fs::write(policy_dir.join("policy.yaml"), "a: role:two\n").unwrap();
    assert!(wants(&e, "two"), "the first call after the mount");
    assert!(wants(&e, "two"), "and the next");
    assert!(!wants(&e, "one"));
}

#[test]
fn a_mount_over_the_policy_directory_is_seen_by_the_next_call() {
    if let Some(dir) = std::env::var_os(INSIDE) {
        inside(Path::new(&dir));
        return;
    }
    if !cfg!(target_os = "linux") {
        eprintln!("SKIPPED: reload_mounts: Linux only");
        return;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if !root {
        eprintln!("SKIPPED: reload_mounts: mounting needs root");
        return;
    }
    let can = Command::new("unshare")
        .args(["-m", "--propagation", "private", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !can {
        eprintln!("SKIPPED: reload_mounts: `unshare -m` is refused here (no mount namespace)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_mount_over_the_policy_directory_is_seen_by_the_next_call",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(INSIDE, dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "inside the mount namespace:\n{stdout}\n{stderr}"
    );
}
