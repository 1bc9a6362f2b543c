//! A relative `policy_file` is found in the working directory of each
//! call, as a `stat` of it would: changing directory is a change the next
//! `enforce` sees, whatever stands in for the per-call `stat`.
//!
//! One test in this binary: it changes the process's working directory.

#![cfg(test)]

use std::path::Path;
use std::time::{Duration, SystemTime};

use oslo_policy::Value;
use oslo_policy::enforcer::{Config, Enforcer};

fn write_at(path: &Path, text: &str, secs: u64) {
    std::fs::write(path, text).unwrap();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(secs))
        .unwrap();
}

fn wants(e: &Enforcer, role: &str) -> bool {
    let creds = Value::Dict(vec![(
        Value::str("roles"),
        Value::List(vec![Value::str(role)]),
    )]);
    e.enforce("a", &Value::Dict(Vec::new()), &mut creds.clone())
        .unwrap()
}

#[test]
fn a_relative_policy_file_follows_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    write_at(&a.join("policy.yaml"), "a: role:in_a", 10);
    write_at(&b.join("policy.yaml"), "a: role:in_b", 20);
    let before = std::env::current_dir().unwrap();
    std::env::set_current_dir(&a).unwrap();
    let e = Enforcer::new(Config {
        policy_file: "policy.yaml".into(),
        policy_dirs: vec!["policy.d".into()],
        ..Config::default()
    });
    assert!(wants(&e, "in_a"));
    assert!(wants(&e, "in_a"));
    assert!(wants(&e, "in_a"));
    std::env::set_current_dir(&b).unwrap();
    let in_b = wants(&e, "in_b");
    std::env::set_current_dir(&a).unwrap();
    let back = wants(&e, "in_a");
    // A policy.d appearing in the working directory.
    std::fs::create_dir(a.join("policy.d")).unwrap();
    write_at(&a.join("policy.d/1.yaml"), "a: role:in_a_d", 30);
    let with_dir = wants(&e, "in_a_d");
    std::env::set_current_dir(before).unwrap();
    assert!(in_b, "the directory changed");
    assert!(back, "and changed back");
    assert!(with_dir, "policy.d created in it");
}
