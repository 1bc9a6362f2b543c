//! `oslopolicy-checker` against the reference's tool of the same name:
//! same arguments, byte-identical stdout and the same exit status.
//!
//! Needs the reference (`scripts/setup-reference.sh`); skips loudly
//! without it.

#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const OURS: &str = env!("CARGO_BIN_EXE_oslopolicy-checker");

fn reference_checker() -> Option<PathBuf> {
    let python = common::reference_python("checker_differential")?;
    Some(python.parent()?.join("oslopolicy-checker"))
}

const ACCESS_PROJECT: &str = r#"{"token": {"methods": ["password"], "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "Reader"}], "project": {"id": "p1", "name": "demo", "domain": {"id": "default"}}, "user": {"id": "u1", "name": "alice", "domain": {"id": "default"}}, "is_domain": false, "expires_at": "2030-01-01T00:00:00Z"}}"#;
const ACCESS_SYSTEM: &str = r#"{"token": {"roles": [{"id": "r3", "name": "admin"}], "system": {"all": true}, "user": {"id": "u2", "name": "root", "domain": {"id": "default"}}}}"#;
const TARGET: &str =
    r#"{"project_id": "p1", "target": {"user": {"id": "u1"}, "tags": ["a", "b"]}, "n": 5}"#;

/// Policies (JSON, so that they read the same under any YAML loader).
const POLICIES: &[&str] = &[
    r#"{"default": "role:admin", "a:owner": "project_id:%(project_id)s", "a:admin": "role:admin",
        "b:member": "role:MEMBER", "c:err": "user.x:1", "d:tu": "user_id:%(target.user.id)s",
        "e:syn": "1abc:x", "z": "@", "f:isadmin": "is_admin:True", "g:def": "rule:nope",
        "h:fmt": "a:%(n)d%(project_id)d", "i:sys": "system_scope:all", "j:not": "not role:reader",
        "k:bad": "@ @", "l:empty": "", "m:list": [["role:member", "role:reader"]], "n:false": false,
        "o:lit": "'Member':%(n)s", "p:deep": "user.domain.id:default", "q:roles": "roles:member",
        "r:tags": "target.tags:a", "s:y": "%(n)y:x", "t:cycle": "rule:t:cycle"}"#,
    r#"{"x:only": "role:member and project_id:%(project_id)s or rule:y:other", "y:other": "!"}"#,
    r#"{}"#,
    // External checks: the checker's enforcer has no configuration, so
    // they raise (nothing is sent).
    r#"{"h:http": "http://127.0.0.1:1/x", "h:https": "role:x or https://127.0.0.1:1/%(project_id)s"}"#,
];

fn run(bin: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(bin).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn checker_output_is_byte_identical() {
    let Some(reference) = reference_checker() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let project = write("project.json", ACCESS_PROJECT);
    let system = write("system.json", ACCESS_SYSTEM);
    let target = write("target.json", TARGET);
    let mut compared = 0;
    for (i, policy) in POLICIES.iter().enumerate() {
        let policy = write(&format!("policy{i}.json"), policy);
        for access in [&project, &system] {
            let base = vec!["--policy", policy.as_str(), "--access", access.as_str()];
            let variants: Vec<Vec<&str>> = vec![
                vec![],
                vec!["--target", target.as_str()],
                vec!["--is_admin"],
                vec!["--is_admin", "--nois_admin"],
                vec!["--rule", "a:owner"],
                vec!["--rule", "g:def"],
                vec!["--rule=b:member"],
            ];
            for extra in variants {
                let mut args = base.clone();
                args.extend(extra.iter().copied());
                let theirs = run(&reference, &args);
                let ours = run(Path::new(OURS), &args);
                assert_eq!(ours, theirs, "oslopolicy-checker {args:?}");
                compared += 1;
            }
        }
    }
    eprintln!("checker_differential: {compared} invocations byte-identical");
}
