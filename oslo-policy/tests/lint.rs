//! `oslo-policy lint`: every finding of a file in one run, in operator
//! words, each with its file, line and column; and no false near-miss on
//! the real services' policies.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn lint(dir: &Path, file: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oslo-policy"))
        .args(["lint", file])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The lint used to stop at `"a": yes` with `rule 'a': 'bool' object is not
/// iterable` and never get to `"b": no` (which allows everyone).
#[test]
fn every_finding_in_one_run_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.yaml"),
        r#""a": yes
"b": no
"c": "role:x"
"d": "project-id:%(project_id)s and rule:missing or rol:admin"
"c": "roles:admin or Role:x"
"e": "rule:f"
"f": "not rule:e"
"g": "1abc:x or admin"
"h": [["not role:a", "a,b:x"]]
"#,
    )
    .unwrap();
    let (code, out, err) = lint(dir.path(), "p.yaml");
    assert_eq!(code, 1, "{err}");
    let want = [
        "p.yaml:1:6: a: YAML read the value as True (bool), which is not a rule",
        "p.yaml:2:6: b: YAML read the value as False (bool): the rule allows everyone",
        "p.yaml:3:1: c: duplicate key: defined again at line 5, column 1, which silently wins",
        "p.yaml:4:7: d: \"project-id\" looks like a misspelling of the credentials key \"project_id\"",
        "p.yaml:4:37: d: rule:missing refers to an undefined rule: always false",
        "p.yaml:4:53: d: \"rol\" is not the check kind \"role\"",
        "p.yaml:5:7: c: roles:NAME compares each of the credentials' roles with NAME exactly",
        "p.yaml:5:22: c: \"Role\" is not the check kind \"role\"",
        "p.yaml:6:1: e: cyclic reference e -> f -> e: evaluating it raises an error",
        "p.yaml:8:7: g: the check kind \"1abc\" is not a valid Python expression (invalid decimal literal)",
        "p.yaml:8:17: g: \"admin\" is not a check: expected KIND:MATCH, @ or !",
    ];
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), want.len(), "{out}");
    for (line, want) in lines.iter().zip(want) {
        assert!(line.starts_with(want), "got  {line}\nwant {want}...");
    }
}

/// A file oslo.policy cannot read is one finding at the YAML error's
/// position; a document that is not a mapping too.
#[test]
fn unreadable_documents_are_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tab.json"), "{\n\t\"a\": \"@\"}\n").unwrap();
    std::fs::write(dir.path().join("list.yaml"), "- a\n").unwrap();
    let (code, out, _) = lint(dir.path(), "tab.json");
    assert_eq!(code, 1);
    assert!(
        out.starts_with("tab.json:2:1: oslo.policy cannot read this file: "),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let (code, out, _) = lint(dir.path(), "list.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "list.yaml:1:1: the document is a list, not a mapping of rule names to rules: \
         oslo.policy refuses to load the file\n"
    );
}

fn service_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OSLO_RS_SERVICE_POLICIES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/service-policies")
        });
    if dir.join("counts.txt").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: lint on service policies: none in {} \
             (run scripts/gen-service-policies.sh or set OSLO_RS_SERVICE_POLICIES)",
            dir.display()
        );
        None
    }
}

/// The checks the services really write (`field:`, `token.domain.id:`,
/// `'public':`, `service_roles:`...) are not near-misses.
#[test]
fn no_near_miss_on_service_policies() {
    let Some(dir) = service_dir() else { return };
    for ns in [
        "keystone", "nova", "neutron", "cinder", "glance", "combined",
    ] {
        for ext in ["yaml", "json"] {
            let file = dir.join(format!("{ns}-policy.{ext}"));
            let bytes = std::fs::read(&file).unwrap();
            for f in oslo_policy::lint::lint_source(&bytes) {
                assert!(
                    !f.message.contains("misspelling") && !f.message.contains("not the check kind"),
                    "{}:{f}",
                    file.display()
                );
            }
        }
    }
}
