//! `examples/service.rs` for real: started with a config file, edited,
//! sent SIGHUP; the mutable option changes, the immutable one does not.
#![cfg(test)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sighup_reloads_mutable_options() {
    // `cargo test` builds the examples next to the test binaries.
    let exe = std::env::current_exe().unwrap();
    let service = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|d| d.join("examples/service"))
        .unwrap();
    if !service.exists() {
        eprintln!("SKIPPED: sighup: {} was not built", service.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("demo.conf");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/etc/demo.conf");
    std::fs::copy(&src, &conf).unwrap();
    let mut child = Command::new(&service)
        .arg("--config-file")
        .arg(&conf)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    let mut wait_for = |needle: &str, seen: &mut Vec<String>| {
        while Instant::now() < deadline {
            let line = lines.next().unwrap().unwrap();
            seen.push(line.clone());
            if line.contains(needle) {
                return;
            }
        }
        panic!("no {needle:?} in {seen:#?}");
    };
    wait_for("waiting for SIGHUP", &mut seen);
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(
        &conf,
        text.replace("workers = 2", "workers = 5")
            .replace("bind_port = 8080", "bind_port = 9090"),
    )
    .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    wait_for("changed DEFAULT.workers: '2' -> '5'", &mut seen);
    wait_for("DEFAULT.bind_port = 8080", &mut seen);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!seen.iter().any(|l| l.contains("9090")), "{seen:#?}");
}
