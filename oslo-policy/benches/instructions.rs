//! Instruction-count workloads for `scripts/bench-instructions.sh`: run
//! with `--list` for their names, or with one name to run it once under
//! callgrind. The policy (the nova-like 1,000-rule policy of
//! `benches/enforce.rs`) and the case lines (shaped like
//! `scripts/bench/policy_eval_cases.py`'s: a service's request-context
//! credentials and an API call's target, ~600 bytes) are generated here, so
//! a fresh clone has them all, without Python.

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;

use oslo_policy::Value;
use oslo_policy::enforcer::{Config, Enforcer};
use oslo_policy::rules::Rules;

const WORKLOADS: &[&str] = &[
    "load_1000_rules",
    "enforcer_load_1000_rules",
    "enforce_1000_owner",
    "enforce_1000_denied",
    "enforce_1000_role_admin",
    "parse_1000_case_lines",
    "eval_1000_case_lines",
];

/// The nova-like policy of `benches/enforce.rs`, as JSON text.
fn policy() -> String {
    let mut rules: Vec<(String, String)> = [
        ("context_is_admin", "role:admin"),
        (
            "admin_or_owner",
            "is_admin:True or project_id:%(project_id)s",
        ),
        ("admin_api", "is_admin:True"),
        (
            "project_member_api",
            "role:member and project_id:%(project_id)s",
        ),
        (
            "project_reader_api",
            "role:reader and project_id:%(project_id)s",
        ),
        (
            "project_member_or_admin",
            "rule:project_member_api or rule:context_is_admin",
        ),
        (
            "project_reader_or_admin",
            "rule:project_reader_api or rule:context_is_admin",
        ),
        ("default", "rule:admin_or_owner"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for i in 0..1000 {
        let check = match i % 4 {
            0 => "rule:project_member_or_admin",
            1 => "rule:project_reader_or_admin",
            2 => "rule:admin_api",
            _ => "(role:member or role:reader) and project_id:%(project_id)s and not role:blocked",
        };
        rules.push((
            format!("os_compute_api:servers:action{i}"),
            check.to_owned(),
        ));
    }
    let body: Vec<String> = rules
        .iter()
        .map(|(k, v)| format!("    {k:?}: {v:?}"))
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

/// `n` case lines over the policy's rules, round-robin, with a member's or
/// an admin's credentials in turn.
fn case_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let name = format!("os_compute_api:servers:action{}", i % 1003);
            let (roles, project) = if i % 3 == 0 {
                (r#"["admin", "member", "reader"]"#, "p1")
            } else {
                (r#"["member", "reader"]"#, if i % 2 == 0 { "p1" } else { "p2" })
            };
            format!(
                r#"{{"name": "{name}", "target": {{"project_id": "p1", "user_id": "u1"}}, "creds": {{"user_id": "u1", "user_domain_id": "default", "system_scope": null, "domain_id": null, "project_id": "{project}", "project_domain_id": "default", "roles": {roles}, "is_admin_project": true, "service_user_id": null, "service_user_domain_id": null, "service_project_id": null, "service_project_domain_id": null, "service_roles": [], "token": {{"user": {{"id": "u1", "domain": {{"id": "default"}}}}, "project": {{"id": "{project}", "domain": {{"id": "default"}}}}}}}}}}"#
            )
        })
        .collect()
}

/// An enforcer over the policy written to a fresh directory, loaded.
fn enforcer(dir: &Path) -> Result<Enforcer, String> {
    let path = dir.join("policy.json");
    std::fs::write(&path, policy()).map_err(|e| e.to_string())?;
    let e = Enforcer::new(Config {
        policy_file: path,
        default_rule: "default".to_owned(),
        ..Config::default()
    });
    e.load_rules().map_err(|e| e.to_string())?;
    Ok(e)
}

fn creds(roles: &[&str], project: &str) -> Value {
    Value::Dict(vec![
        (
            Value::str("roles"),
            Value::List(roles.iter().map(|r| Value::str(*r)).collect()),
        ),
        (Value::str("project_id"), Value::str(project)),
        (Value::str("user_id"), Value::str("u1")),
        (Value::str("is_admin"), Value::Bool(false)),
    ])
}

/// What `oslo-policy eval` does with one line: parse it into values (with
/// the strings, lists and dicts of the last case), find name, target and
/// creds, enforce, hand the values back.
fn eval_line(
    e: &Enforcer,
    reader: &mut oslo_policy::json::Reader,
    line: &str,
) -> Result<bool, String> {
    let Value::Dict(mut items) = reader.read(line).map_err(|e| e.to_string())? else {
        return Err("not a dict".to_owned());
    };
    let (mut name, mut target, mut creds) = (None, None, None);
    for (key, value) in &mut items {
        match key {
            Value::Str(k) if k == "name" => name = Some(value),
            Value::Str(k) if k == "target" => target = Some(value),
            Value::Str(k) if k == "creds" => creds = Some(value),
            _ => {}
        }
    }
    let (Some(Value::Str(name)), Some(target), Some(creds)) = (name, target, creds) else {
        return Err("no name, target or creds".to_owned());
    };
    let decision = e.enforce(name, target, creds).map_err(|e| e.to_string());
    reader.recycle(Value::Dict(items));
    decision
}

fn run(workload: &str) -> Result<(), String> {
    let target = Value::Dict(vec![(Value::str("project_id"), Value::str("p1"))]);
    match workload {
        "load_1000_rules" => {
            let text = policy();
            let rules = Rules::load(text.as_bytes(), "bench.json", Some("default"))
                .map_err(|e| e.to_string())?;
            black_box(rules);
        }
        "enforcer_load_1000_rules" => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            black_box(enforcer(dir.path())?);
        }
        "enforce_1000_owner" | "enforce_1000_denied" | "enforce_1000_role_admin" => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let e = enforcer(dir.path())?;
            let (name, who) = match workload {
                "enforce_1000_owner" => {
                    ("os_compute_api:servers:action0", creds(&["member"], "p1"))
                }
                "enforce_1000_denied" => {
                    ("os_compute_api:servers:action3", creds(&["member"], "p2"))
                }
                _ => ("context_is_admin", creds(&["admin"], "p9")),
            };
            let want = workload != "enforce_1000_denied";
            for _ in 0..1000 {
                let mut c = who.clone();
                let got = e.enforce(black_box(name), &target, &mut c);
                if got.as_ref().ok() != Some(&want) {
                    return Err(format!("{name}: {got:?}"));
                }
            }
        }
        "parse_1000_case_lines" => {
            for line in case_lines(1000) {
                black_box(oslo_policy::json::from_str(&line).map_err(|e| e.to_string())?);
            }
        }
        "eval_1000_case_lines" => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let e = enforcer(dir.path())?;
            let mut allowed = 0;
            let mut reader = oslo_policy::json::Reader::default();
            for line in case_lines(1000) {
                allowed += usize::from(eval_line(&e, &mut reader, &line)?);
            }
            black_box(allowed);
        }
        other => return Err(format!("unknown workload {other:?}")),
    }
    Ok(())
}

#[path = "../../scripts/bench/instructions_main.rs"]
mod instructions_main;

fn main() -> ExitCode {
    instructions_main::main(WORKLOADS, run)
}
