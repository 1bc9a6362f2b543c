//! `oslo-policy diff` judged by the reference (`oracle/diff_oracle.py`):
//! every witness it reports is replayed through two real oslo.policy
//! Enforcers, which must decide as reported, and every rule it reports
//! unchanged is probed with random requests, on which they must agree.
//!
//! * the five real service policies, defaults with and without
//!   `enforce_new_defaults`;
//! * random policy pairs, which also check that `diff P P` is empty and
//!   that `diff` is antisymmetric (without the reference too);
//! * a hand-checked summary of two well-known rules (nova
//!   `os_compute_api:servers:create`, keystone `identity:get_user`).

#![cfg(test)]

mod common;

use std::path::Path;
use std::process::Command;

use oslo_test_support::Rng;
use serde_json::{Value as Json, json};

const OURS: &str = env!("CARGO_BIN_EXE_oslo-policy");
const SERVICES: [&str; 5] = ["keystone", "nova", "neutron", "cinder", "glance"];

/// Runs `oslo-policy diff ARGS`: exit status and stdout.
fn diff(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::new(OURS).arg("diff").args(args).output().unwrap();
    assert!(
        out.status.code() != Some(2),
        "diff {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn diff_json(args: &[&std::ffi::OsStr]) -> (i32, Json) {
    let mut all: Vec<&std::ffi::OsStr> = vec!["--format".as_ref(), "json".as_ref()];
    all.extend_from_slice(args);
    let (code, out) = diff(&all);
    (code, serde_json::from_str(&out).unwrap())
}

fn names(report: &Json, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

/// One side of a job for the oracle.
fn side(policy: &Path, defaults: Option<&Path>, new_defaults: bool) -> Json {
    json!({"policy": policy, "defaults": defaults, "new_defaults": new_defaults})
}

fn run_oracle(test: &str, dir: &Path, jobs: Vec<Json>) {
    let Some(python) = common::reference_python(test) else {
        return;
    };
    let file = dir.join("jobs.json");
    let seed = oslo_test_support::seed(7);
    std::fs::write(&file, json!({"seed": seed, "jobs": jobs}).to_string()).unwrap();
    oslo_test_support::oracle_agrees(
        test,
        &python,
        &common::oracle("diff_oracle.py"),
        &[file.as_os_str()],
        ", 0 mismatches",
    );
}

#[test]
fn flipping_enforce_new_defaults_on_real_services() {
    let Some(dir) = common::service_dir("analysis_diff services") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let none = tmp.path().join("no-policy-file.yaml");
    let mut jobs = Vec::new();
    for svc in SERVICES {
        let defaults = dir.join(format!("{svc}-defaults.json"));
        let (code, report) = diff_json(&[
            "--defaults".as_ref(),
            defaults.as_os_str(),
            "--old-no-enforce-new-defaults".as_ref(),
            none.as_os_str(),
            none.as_os_str(),
        ]);
        let changed = names(&report, "changed");
        eprintln!(
            "{svc}: {} rules, {} changed, {} undecided",
            report["compared"],
            changed.len(),
            names(&report, "undecided").len()
        );
        assert_eq!(code, 1, "{svc}: the flip changes something");
        assert!(!changed.is_empty());
        assert!(names(&report, "undecided").is_empty(), "{svc}: {report}");
        // Turning enforce_new_defaults on only takes away.
        for rule in report["changed"].as_array().unwrap() {
            assert!(rule["gained"].is_null(), "{svc}: {rule}");
        }
        jobs.push(json!({
            "label": svc,
            "old": side(&none, Some(&defaults), false),
            "new": side(&none, Some(&defaults), true),
            "report": report,
            "probes": 12,
        }));
    }
    run_oracle("analysis_diff services", tmp.path(), jobs);
}

/// The text `diff` prints for one rule: its `CHANGED` line and the
/// indented lines under it.
fn block(text: &str, rule: &str) -> String {
    let head = format!("CHANGED {rule}");
    let mut lines = text.lines().skip_while(|l| *l != head);
    let mut out = String::new();
    if let Some(first) = lines.next() {
        out.push_str(first);
        out.push('\n');
    }
    for l in lines.take_while(|l| l.starts_with("  ")) {
        out.push_str(l);
        out.push('\n');
    }
    assert!(!out.is_empty(), "{rule} not in\n{text}");
    out
}

/// Checked by hand against the services' source (see the expected files).
#[test]
fn well_known_rules_summary() {
    let Some(dir) = common::service_dir("analysis_diff well-known rules") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let none = tmp.path().join("no-policy-file.yaml");
    let expected_dir = oslo_test_support::conformance("oslo-policy").join("cases/diff");
    for (svc, rule, file) in [
        (
            "nova",
            "os_compute_api:servers:create",
            "nova-servers-create.txt",
        ),
        ("keystone", "identity:get_user", "keystone-get-user.txt"),
    ] {
        let defaults = dir.join(format!("{svc}-defaults.json"));
        let (_, text) = diff(&[
            "--defaults".as_ref(),
            defaults.as_os_str(),
            "--old-no-enforce-new-defaults".as_ref(),
            none.as_os_str(),
            none.as_os_str(),
        ]);
        let got = block(&text, rule);
        let want = std::fs::read_to_string(expected_dir.join(file)).unwrap();
        let want = want
            .split_once("\n\n")
            .map_or(want.as_str(), |(_, body)| body);
        assert_eq!(got, want, "{svc} {rule}\n{got}");
    }
}

// ------------------------------------------------------------ random pairs

const ATOMS: [&str; 14] = [
    "role:admin",
    "role:Admin",
    "role:member",
    "role:reader",
    "project_id:%(project_id)s",
    "user_id:%(user_id)s",
    "project_id:p1",
    "is_admin:True",
    "system_scope:all",
    "domain_id:%(domain_id)s",
    "True:%(enabled)s",
    "@",
    "!",
    "system:all",
];

fn expr(rng: &mut Rng, rule: usize, depth: u32) -> String {
    let leaf = depth == 0 || rng.below(3) == 0;
    if leaf {
        if rule > 0 && rng.below(4) == 0 {
            return format!("rule:r{}", rng.below(rule));
        }
        return rng.pick(&ATOMS).to_string();
    }
    match rng.below(3) {
        0 => format!("not {}", expr(rng, rule, depth - 1)),
        1 => format!(
            "({} and {})",
            expr(rng, rule, depth - 1),
            expr(rng, rule, depth - 1)
        ),
        _ => format!(
            "({} or {})",
            expr(rng, rule, depth - 1),
            expr(rng, rule, depth - 1)
        ),
    }
}

fn policy_text(rules: &[String]) -> String {
    let mut out = String::from("default: \"role:admin\"\n");
    for (i, r) in rules.iter().enumerate() {
        out.push_str(&format!("r{i}: \"{r}\"\n"));
    }
    out
}

#[test]
fn random_pairs_are_symmetric_and_confirmed() {
    let mut rng = Rng(oslo_test_support::seed(0x0d1f_f2026));
    let tmp = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    let mut changes = 0;
    for pair in 0..24 {
        let a: Vec<String> = (0..8).map(|i| expr(&mut rng, i, 3)).collect();
        let b: Vec<String> = a
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if rng.below(2) == 0 {
                    r.clone()
                } else {
                    expr(&mut rng, i, 3)
                }
            })
            .collect();
        let pa = tmp.path().join(format!("a{pair}.yaml"));
        let pb = tmp.path().join(format!("b{pair}.yaml"));
        std::fs::write(&pa, policy_text(&a)).unwrap();
        std::fs::write(&pb, policy_text(&b)).unwrap();

        let (code, same) = diff_json(&[pa.as_os_str(), pa.as_os_str()]);
        assert_eq!(code, 0, "diff P P: {same}");
        assert!(names(&same, "changed").is_empty() && names(&same, "undecided").is_empty());

        let (ab_code, ab) = diff_json(&[pa.as_os_str(), pb.as_os_str()]);
        let (ba_code, ba) = diff_json(&[pb.as_os_str(), pa.as_os_str()]);
        assert_eq!(ab_code, ba_code, "pair {pair}");
        assert_eq!(names(&ab, "changed"), names(&ba, "changed"), "pair {pair}");
        assert_eq!(names(&ab, "undecided"), names(&ba, "undecided"));
        for (x, y) in ab["changed"]
            .as_array()
            .unwrap()
            .iter()
            .zip(ba["changed"].as_array().unwrap())
        {
            assert_eq!(x["gained"].is_null(), y["lost"].is_null(), "{x} / {y}");
            assert_eq!(x["lost"].is_null(), y["gained"].is_null(), "{x} / {y}");
        }
        changes += names(&ab, "changed").len();
        for (label, report, old, new) in [("ab", ab, &pa, &pb), ("ba", ba, &pb, &pa)] {
            jobs.push(json!({
                "label": format!("pair {pair} {label}"),
                "old": side(old, None, true),
                "new": side(new, None, true),
                "report": report,
                "probes": 40,
            }));
        }
    }
    assert!(changes > 24, "the pairs differ: {changes} changes");
    run_oracle("analysis_diff random pairs", tmp.path(), jobs);
}
