//! `oslopolicy-sample-generator --defaults FILE` against the text the real
//! oslo.policy generator writes for the same defaults (descriptions with
//! wrapping, hyphens, literal blocks and blank lines; operations; scopes;
//! renamed, changed and removed rules), with and without
//! `--exclude-deprecated`: byte-identical.

#![cfg(test)]

mod common;

use std::process::Command;

const DEFAULTS: &str = r#"[
 {"name": "admin_required", "check_str": "role:admin or is_admin:1"},
 {"name": "os_compute_api:servers:index", "check_str": "rule:project_reader_api",
  "description": "List all servers. This is a fairly long description that will certainly need to be wrapped at seventy columns by textwrap, including project-scoped and well-known hyphenated words like read-only.",
  "operations": [{"path": "/servers", "method": "GET"}, {"path": "/servers/detail", "method": "GET"}],
  "scope_types": ["project"]},
 {"name": "identity:get_user", "check_str": "(role:reader and system_scope:all) or (role:reader and token.domain.id:%(target.user.domain_id)s)",
  "description": "Show user details.\n\nSecond paragraph after a blank line,\nsplit over lines.\n\n    literal block\n      kept as is\n\nEnd.",
  "operations": [{"path": "/v3/users/{user_id}", "method": "GET"}, {"path": "/v3/users/{user_id}", "method": "HEAD"}],
  "scope_types": ["system", "domain", "project"]},
 {"name": "renamed:new", "check_str": "role:member",
  "description": "A rule that replaced an older name.",
  "deprecated_rule": {"name": "renamed:old", "check_str": "rule:admin_or_owner",
                      "deprecated_reason": "The old name did not follow the naming convention and is being replaced by a name that does; the check string is also stricter now.",
                      "deprecated_since": "W"}},
 {"name": "changed", "check_str": "role:new",
  "deprecated_rule": {"name": "changed", "check_str": "role:old", "deprecated_reason": "Stricter.", "deprecated_since": "X"}},
 {"name": "going:away", "check_str": "@", "description": "Soon gone.",
  "deprecated_for_removal": true, "deprecated_reason": "Nobody uses it; a-very-long-hyphenated-word-that-needs-breaking-because-it-is-longer-than-seventy-characters-wide.",
  "deprecated_since": "Y"},
 {"name": "unicode", "check_str": "role:\u00e9", "description": "Caf\u00e9 r\u00e9sum\u00e9 na\u00efve \u2014 em dash -- and double--dash words x"},
 {"name": "literal_first", "check_str": "!", "description": "Text right before\n  an indented line without a blank"},
 {"name": "no_scopes", "check_str": "role:x", "description": "An empty scope list is printed.", "scope_types": []}
]"#;

#[test]
fn sample_text_is_byte_identical() {
    let Some(python) = common::reference_python("sample_generator") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let defaults = dir.path().join("defaults.json");
    std::fs::write(&defaults, DEFAULTS).unwrap();
    let script = common::oracle("sample_generator.py");
    for extra in [&[][..], &["--exclude-deprecated"][..]] {
        let theirs = Command::new(&python)
            .arg(&script)
            .arg(&defaults)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            theirs.status.success(),
            "{}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        let ours = Command::new(env!("CARGO_BIN_EXE_oslopolicy-sample-generator"))
            .arg("--defaults")
            .arg(&defaults)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            ours.status.success(),
            "{}",
            String::from_utf8_lossy(&ours.stderr)
        );
        let (t, o) = (
            String::from_utf8_lossy(&theirs.stdout),
            String::from_utf8_lossy(&ours.stdout),
        );
        if t != o {
            for (i, (a, b)) in t.lines().zip(o.lines()).enumerate() {
                if a != b {
                    panic!(
                        "{extra:?}: line {}:\n reference: {a:?}\n ours:      {b:?}",
                        i + 1
                    );
                }
            }
            panic!(
                "{extra:?}: lengths differ ({} vs {} bytes)",
                t.len(),
                o.len()
            );
        }
    }
}
