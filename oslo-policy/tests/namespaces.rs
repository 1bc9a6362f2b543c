//! `--namespace` for services linking the crate: every tool entry point in
//! `oslo_policy::tools`, given a registry with a namespace, writes exactly
//! what the installed binary writes for the same defaults passed as
//! `--defaults FILE` (which the differential tests compare with the
//! reference); unknown namespaces fail with one clear line.
#![cfg(test)]

use std::path::Path;
use std::process::{Command, ExitCode};

use oslo_policy::cli::NamespaceRegistry;
use oslo_policy::defaults::from_document;
use oslo_policy::rules::read_document;

const DEFAULTS: &str = r#"[
 {"name": "admin", "check_str": "role:admin"},
 {"name": "svc:get", "check_str": "role:reader or rule:admin",
  "description": "Get a thing.", "operations": [{"path": "/things/{id}", "method": "GET"}],
  "scope_types": ["project"]},
 {"name": "svc:new", "check_str": "role:member",
  "deprecated_rule": {"name": "svc:old", "check_str": "role:admin",
                      "deprecated_reason": "Renamed.", "deprecated_since": "X"}}
]"#;

const POLICY_JSON: &str = r#"{"svc:get": "role:reader or rule:admin", "svc:old": "role:x", "admin": "role:boss", "extra": "@"}"#;

type Entry = fn(Vec<String>, &NamespaceRegistry) -> ExitCode;

fn entry_points() -> Vec<(&'static str, &'static str, Entry, Vec<&'static str>)> {
    vec![
        (
            "oslopolicy-sample-generator",
            env!("CARGO_BIN_EXE_oslopolicy-sample-generator"),
            |a, n| oslo_policy::tools::sample_generator::main(a, n),
            vec![],
        ),
        (
            "oslopolicy-policy-generator",
            env!("CARGO_BIN_EXE_oslopolicy-policy-generator"),
            |a, n| oslo_policy::tools::policy_generator::main(a, n),
            vec!["--policy", "POLICY"],
        ),
        (
            "oslopolicy-list-redundant",
            env!("CARGO_BIN_EXE_oslopolicy-list-redundant"),
            |a, n| oslo_policy::tools::list_redundant::main(a, n),
            vec!["--policy", "POLICY"],
        ),
        (
            "oslopolicy-validator",
            env!("CARGO_BIN_EXE_oslopolicy-validator"),
            |a, n| oslo_policy::tools::validator::main(a, n),
            vec!["--policy", "POLICY"],
        ),
        (
            "oslopolicy-convert-json-to-yaml",
            env!("CARGO_BIN_EXE_oslopolicy-convert-json-to-yaml"),
            |a, n| oslo_policy::tools::convert_json_to_yaml::main(a, n),
            vec!["--policy-file", "POLICY"],
        ),
        (
            "oslopolicy-policy-upgrade",
            env!("CARGO_BIN_EXE_oslopolicy-policy-upgrade"),
            |a, n| oslo_policy::tools::policy_upgrade::main(a, n),
            vec!["--policy", "POLICY"],
        ),
    ]
}

/// The command line; `out` is `--output-file` for the tools that have it
/// (list-redundant and the validator print to stdout only).
fn args(dir: &Path, extra: &[&str], how: &[&str], out: Option<&Path>) -> Vec<String> {
    let policy = dir.join("policy.json").display().to_string();
    let mut v: Vec<String> = how.iter().map(|s| (*s).to_owned()).collect();
    v.extend(extra.iter().map(|a| {
        if *a == "POLICY" {
            policy.clone()
        } else {
            (*a).to_owned()
        }
    }));
    if let Some(out) = out {
        v.push("--output-file".to_owned());
        v.push(out.display().to_string());
    }
    v
}

#[test]
fn namespaces_give_what_defaults_files_give() {
    let dir = tempfile::tempdir().unwrap();
    // One namespace either way, so both sort the same.
    let defaults = dir.path().join("svc");
    std::fs::write(&defaults, DEFAULTS).unwrap();
    std::fs::write(dir.path().join("policy.json"), POLICY_JSON).unwrap();
    let rules = from_document(&read_document(DEFAULTS.as_bytes()).unwrap()).unwrap();
    let mut registry = NamespaceRegistry::new();
    registry.register(&defaults.display().to_string(), rules);

    for (name, bin, entry, extra) in entry_points() {
        let takes_output = !matches!(name, "oslopolicy-list-redundant" | "oslopolicy-validator");
        let ours = dir.path().join(format!("{name}.namespace"));
        let theirs = dir.path().join(format!("{name}.defaults"));
        let ns = defaults.display().to_string();
        let by_namespace = args(
            dir.path(),
            &extra,
            &["--namespace", &ns],
            takes_output.then_some(ours.as_path()),
        );
        let by_file = args(
            dir.path(),
            &extra,
            &["--defaults", &ns],
            takes_output.then_some(theirs.as_path()),
        );
        let out = Command::new(bin).args(&by_file).output().unwrap();
        let mut argv = vec![name.to_owned()];
        argv.extend(by_namespace);
        let code = entry(argv, &registry);
        if takes_output {
            assert!(out.status.success(), "{name}: {out:?}");
            assert_eq!(code, ExitCode::SUCCESS, "{name}");
            let a = std::fs::read_to_string(&ours).unwrap();
            let b = std::fs::read_to_string(&theirs).unwrap();
            assert!(!b.is_empty(), "{name}");
            assert_eq!(a, b, "{name}");
        } else {
            // These print to stdout: the exit statuses agree here, and
            // their enforcer is the same as with --defaults (next test).
            assert_eq!(
                code,
                ExitCode::from(u8::try_from(out.status.code().unwrap()).unwrap()),
                "{name}"
            );
        }
    }
}

#[test]
fn enforcer_args_register_the_namespace() {
    let rules = from_document(&read_document(DEFAULTS.as_bytes()).unwrap()).unwrap();
    let mut registry = NamespaceRegistry::new();
    registry.register("svc", rules);
    let args = oslo_policy::cli::EnforcerInputs {
        namespace: Some("svc".to_owned()),
        defaults: vec![],
        policy: "/nonexistent/policy.yaml".into(),
        policy_dirs: vec![],
    };
    let e = args.enforcer(&registry).unwrap();
    let names: Vec<&str> = e
        .registered_rules()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["admin", "svc:get", "svc:new"]);
}

#[test]
fn unknown_namespaces_fail_with_one_line() {
    for (name, bin, _, extra) in entry_points() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.json"), POLICY_JSON).unwrap();
        let out = Command::new(bin)
            .args(args(dir.path(), &extra, &["--namespace", "nova"], None))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.contains("--namespace nova: no namespaces are built into this tool"),
            "{name}: {stderr}"
        );
    }
    let registry = NamespaceRegistry::new();
    assert!(registry.resolve(&["x".to_owned()], &[]).is_err());
}
