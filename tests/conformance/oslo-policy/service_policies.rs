//! The real OpenStack service policies (keystone, nova, neutron, cinder,
//! glance; made by `scripts/gen-service-policies.sh` into
//! `target/service-policies/`, or the directory `$OSLO_RS_SERVICE_POLICIES`
//! names) against the reference:
//!
//! * `oslopolicy-sample-generator --defaults NS-defaults.json` (also with
//!   `--exclude-deprecated`, and all five at once) and
//!   `oslopolicy-policy-generator --defaults ...` byte-identical with what
//!   the reference's tools print for `--namespace NS`;
//! * every rule of the combined policy decided by `oslo-policy eval
//!   --defaults` and by the reference Enforcer with the same registered
//!   defaults, for realistic credentials and targets, in four scenarios
//!   (`oracle/service_policies.py`);
//! * `oslopolicy-checker --policy NS-policy.json --access TOKEN` against
//!   the reference's checker.
//!
//! Skips loudly without the generated files or the reference.
//!
//! Keystone registers operations whose `method` is a list (`["HEAD",
//! "GET"]`): the reference prints its `str()`, and so must we.

#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const SERVICES: [&str; 5] = ["keystone", "nova", "neutron", "cinder", "glance"];

fn run_tool(bin: &str, args: &[&Path], extra: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new(bin);
    for a in args {
        cmd.arg("--defaults").arg(a);
    }
    let out = cmd.args(extra).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first line where two texts differ, for a failure message.
fn first_difference(reference: &str, ours: &str) -> String {
    for (i, (a, b)) in reference.lines().zip(ours.lines()).enumerate() {
        if a != b {
            return format!("line {}:\n  reference: {a:?}\n  ours:      {b:?}", i + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} bytes)",
        reference.len(),
        ours.len()
    )
}

/// One generator output to compare.
struct GeneratorCheck<'a> {
    what: String,
    bin: &'a str,
    /// Defaults files (names in the service policies directory).
    files: Vec<String>,
    extra: Vec<&'a str>,
    /// The reference's output (a file name there).
    reference: String,
}

#[test]
fn generators_match_the_reference_namespace_output() {
    let Some(dir) = common::service_dir("service_policies generators") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let sample = env!("CARGO_BIN_EXE_oslopolicy-sample-generator");
    let policy = env!("CARGO_BIN_EXE_oslopolicy-policy-generator");
    let no_file = tmp.path().join("no-policy-file.yaml");
    let no_file_args = ["--policy", no_file.to_str().unwrap()];
    let mut checks: Vec<GeneratorCheck> = Vec::new();
    for ns in SERVICES {
        let files = vec![format!("{ns}-defaults.json")];
        checks.push(GeneratorCheck {
            what: format!("{ns} sample"),
            bin: sample,
            files: files.clone(),
            extra: vec![],
            reference: format!("{ns}-sample.yaml"),
        });
        checks.push(GeneratorCheck {
            what: format!("{ns} sample --exclude-deprecated"),
            bin: sample,
            files: files.clone(),
            extra: vec!["--exclude-deprecated"],
            reference: format!("{ns}-sample-exclude-deprecated.yaml"),
        });
        checks.push(GeneratorCheck {
            what: format!("{ns} policy"),
            bin: policy,
            files,
            extra: no_file_args.to_vec(),
            reference: format!("{ns}-policy.yaml"),
        });
    }
    checks.push(GeneratorCheck {
        what: "all five sample".to_owned(),
        bin: sample,
        files: SERVICES
            .iter()
            .map(|ns| format!("{ns}-defaults.json"))
            .collect(),
        extra: vec![],
        reference: "combined-sample.yaml".to_owned(),
    });
    checks.push(GeneratorCheck {
        what: "combined policy".to_owned(),
        bin: policy,
        files: vec!["combined-defaults.json".to_owned()],
        extra: no_file_args.to_vec(),
        reference: "combined-policy.yaml".to_owned(),
    });
    let mut failures = Vec::new();
    for GeneratorCheck {
        what,
        bin,
        files,
        extra,
        reference,
    } in &checks
    {
        let reference = std::fs::read_to_string(dir.join(reference)).unwrap();
        let real: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
        let real: Vec<&Path> = real.iter().map(PathBuf::as_path).collect();
        let (ok, out, err) = run_tool(bin, &real, extra);
        if !ok {
            failures.push(format!("{what}: ours failed: {}", err.trim()));
        } else if out != reference {
            failures.push(format!("{what}: {}", first_difference(&reference, &out)));
        }
    }
    eprintln!(
        "service policies, generators: {} of {} outputs byte-identical",
        checks.len() - failures.len(),
        checks.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn enforce_decisions_match_the_reference() {
    let Some(dir) = common::service_dir("service_policies enforce") else {
        return;
    };
    let defaults = dir.join("combined-defaults.json");
    common::oracle_agrees_with(
        "service_policies enforce",
        "service_policies.py",
        &[dir.as_os_str(), defaults.as_os_str()],
        ", 0 mismatches",
    );
}

/// Keystone token responses: project-scoped member, system-scoped admin,
/// domain-scoped reader.
const TOKENS: [(&str, &str); 3] = [
    (
        "project_member",
        r#"{"token": {"methods": ["password"], "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}], "project": {"id": "p1", "name": "demo", "domain": {"id": "default"}}, "user": {"id": "u1", "name": "alice", "domain": {"id": "default"}}, "is_domain": false}}"#,
    ),
    (
        "system_admin",
        r#"{"token": {"methods": ["password"], "roles": [{"id": "r3", "name": "admin"}, {"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}], "system": {"all": true}, "user": {"id": "u2", "name": "root", "domain": {"id": "default"}}}}"#,
    ),
    (
        "domain_reader",
        r#"{"token": {"methods": ["password"], "roles": [{"id": "r2", "name": "reader"}], "domain": {"id": "d1", "name": "dom"}, "user": {"id": "u4", "name": "dora", "domain": {"id": "d1"}}}}"#,
    ),
];

#[test]
fn checker_matches_the_reference_on_service_policies() {
    let Some(dir) = common::service_dir("service_policies checker") else {
        return;
    };
    let Some(python) = common::reference_python("service_policies checker") else {
        return;
    };
    let reference = python.parent().unwrap().join("oslopolicy-checker");
    let tmp = tempfile::tempdir().unwrap();
    let mut lines = 0;
    for (who, token) in TOKENS {
        let access = tmp.path().join(format!("{who}.json"));
        std::fs::write(&access, token).unwrap();
        for name in SERVICES.iter().copied().chain(["combined"]) {
            let policy = dir.join(format!("{name}-policy.json"));
            let args = [
                "--policy".as_ref(),
                policy.as_os_str(),
                "--access".as_ref(),
                access.as_os_str(),
            ];
            let theirs = Command::new(&reference).args(args).output().unwrap();
            let ours = Command::new(env!("CARGO_BIN_EXE_oslopolicy-checker"))
                .args(args)
                .output()
                .unwrap();
            let (t, o) = (
                String::from_utf8_lossy(&theirs.stdout),
                String::from_utf8_lossy(&ours.stdout),
            );
            assert!(
                theirs.status.success(),
                "{}",
                String::from_utf8_lossy(&theirs.stderr)
            );
            assert_eq!(
                ours.status.code(),
                theirs.status.code(),
                "{name} as {who}: exit status"
            );
            assert!(t == o, "{name} as {who}: {}", first_difference(&t, &o));
            lines += t.lines().count();
        }
    }
    eprintln!("service policies, checker: {lines} lines identical (6 policies, 3 tokens)");
    assert!(lines > 3000, "too few rules checked: {lines}");
}
