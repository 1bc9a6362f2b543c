//! `oslopolicy-policy-generator` and `oslopolicy-list-redundant` against the
//! real tools' output for the same Enforcer (defaults, a policy file with
//! overrides, redundant copies and a list rule, a policy directory):
//! byte-identical.

#![cfg(test)]

mod common;

use std::process::Command;

const DEFAULTS: &str = r#"[
 {"name": "context_is_admin", "check_str": "role:admin"},
 {"name": "admin_or_owner", "check_str": "is_admin:True or project_id:%(project_id)s"},
 {"name": "servers:start", "check_str": "rule:admin_or_owner", "description": "Start",
  "operations": [{"path": "/servers/{id}/action", "method": "POST"}], "scope_types": ["project"]},
 {"name": "servers:stop", "check_str": "rule:admin_or_owner"},
 {"name": "trivial", "check_str": ""},
 {"name": "renamed", "check_str": "role:new",
  "deprecated_rule": {"name": "old_name", "check_str": "role:old", "deprecated_reason": "r", "deprecated_since": "W"}}
]"#;

const POLICY: &str = r#"{
 "servers:start": "rule:admin_or_owner",
 "servers:stop": "role:admin",
 "context_is_admin": "role:admin",
 "trivial": "@",
 "custom": [["role:a", "role:b"], "role:c"],
 "old_name": "role:legacy"
}"#;

#[test]
fn tools_output_is_byte_identical() {
    let Some(python) = common::reference_python("enforcer_tools") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let defaults = dir.path().join("defaults.json");
    let policy = dir.path().join("policy.json");
    let pdir = dir.path().join("policy.d");
    std::fs::write(&defaults, DEFAULTS).unwrap();
    std::fs::write(&policy, POLICY).unwrap();
    std::fs::create_dir(&pdir).unwrap();
    std::fs::write(
        pdir.join("50-extra.json"),
        r#"{"servers:stop": "rule:admin_or_owner", "extra": "!"}"#,
    )
    .unwrap();
    let script = common::oracle("enforcer_tools.py");
    for (tool, ours) in [
        (
            "policy-generator",
            env!("CARGO_BIN_EXE_oslopolicy-policy-generator"),
        ),
        (
            "list-redundant",
            env!("CARGO_BIN_EXE_oslopolicy-list-redundant"),
        ),
    ] {
        let theirs = Command::new(&python)
            .arg(&script)
            .args([tool])
            .arg(&defaults)
            .arg(&policy)
            .arg(&pdir)
            .output()
            .unwrap();
        assert!(
            theirs.status.success(),
            "{}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        let mine = Command::new(ours)
            .arg("--defaults")
            .arg(&defaults)
            .arg("--policy")
            .arg(&policy)
            .arg("--policy-dir")
            .arg(&pdir)
            .output()
            .unwrap();
        assert!(
            mine.status.success(),
            "{}",
            String::from_utf8_lossy(&mine.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&mine.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "{tool}"
        );
        assert!(!mine.stdout.is_empty(), "{tool} printed nothing");
    }
}

#[test]
fn validator_output_and_status_match() {
    let Some(python) = common::reference_python("enforcer_tools") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let defaults = dir.path().join("defaults.json");
    std::fs::write(&defaults, DEFAULTS).unwrap();
    let script = common::oracle("enforcer_tools.py");
    let policies = [
        r#"{"servers:start": "rule:admin_or_owner", "context_is_admin": "role:admin"}"#,
        r#"{"servers:start": "rule:admin_or_owner", "bad": "role:a or admin", "worse": "@ @",
            "ref": "rule:missing", "cyc1": "rule:cyc2", "cyc2": "rule:cyc1",
            "notcheck": "not rule:nothere", "bang": "!", "trivial": "role:x"}"#,
        "servers:start: [[\"role:a\", \"b\"]]\ncontext_is_admin: no\n",
    ];
    for (i, text) in policies.iter().enumerate() {
        let policy = dir.path().join(format!("policy{i}.yaml"));
        std::fs::write(&policy, text).unwrap();
        let theirs = Command::new(&python)
            .arg(&script)
            .arg("validator")
            .arg(&defaults)
            .arg(&policy)
            .output()
            .unwrap();
        assert!(
            theirs.status.success(),
            "{}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        let mine = Command::new(env!("CARGO_BIN_EXE_oslopolicy-validator"))
            .arg("--defaults")
            .arg(&defaults)
            .arg("--policy")
            .arg(&policy)
            .output()
            .unwrap();
        let ours = format!(
            "{}rc={}\n",
            String::from_utf8_lossy(&mine.stdout),
            mine.status.code().unwrap_or(-1)
        );
        assert_eq!(
            ours,
            String::from_utf8_lossy(&theirs.stdout),
            "policy {i}: {text}"
        );
    }
    // A missing policy file.
    let missing = dir.path().join("absent.yaml");
    let mine = Command::new(env!("CARGO_BIN_EXE_oslopolicy-validator"))
        .arg("--defaults")
        .arg(&defaults)
        .arg("--policy")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(mine.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&mine.stdout),
        format!(
            "Configured policy file \"{}\" not found\n",
            missing.display()
        )
    );
}
