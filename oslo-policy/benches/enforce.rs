//! Cost of loading a policy and of `enforce`, on a nova-like policy.
//!
//! `cargo bench -p oslo-policy --bench enforce` (quick: append
//! `-- --warm-up-time 1 --measurement-time 3`). `scripts/bench-policy.sh`
//! runs the same workload through the Python reference and prints ratios.
//!
//! The policy (`bench_policy()`, also written out by the script) has the
//! shapes of nova's and keystone's defaults: base rules (`context_is_admin`,
//! `admin_or_owner`, member/reader rules with `%(project_id)s`), and 1,000
//! API rules that refer to them, so loading it parses ~1,000 rules.
//!
//! Benchmarks:
//! * `load/1000_rules`: text → rules (JSON document, parse every rule);
//! * `enforce/role_admin`: `role:admin` for an admin;
//! * `enforce/nova_start_owner`: `rule:admin_or_owner` style chain, owner;
//! * `enforce/nova_start_denied`: the same, another project (all checks run);
//! * `enforce/missing_rule`: a name not in the file (default rule).
//!
//! When the real service policies exist (`scripts/gen-service-policies.sh`
//! writes them into `target/service-policies/`; `$OSLO_RS_SERVICE_POLICIES`
//! names another directory), the `service` group measures the combined
//! keystone+nova+neutron+cinder+glance policy (1,012 rules):
//! * `service/load_combined`: a new enforcer, the combined defaults
//!   registered (already built, as a service's are when it starts: cloned
//!   in the loop) and the effective policy file (`combined-policy.yaml`,
//!   every rule) read, parsed and merged with them: `load_rules`;
//! * `service/load_combined_defaults_only`: the same without a policy file;
//! * `service/load_combined_from_defaults_file`: `load_combined` plus
//!   reading the defaults file (509 KB of JSON with the descriptions) and
//!   building the defaults, as the `--defaults` tools do;
//! * `service/parse_defaults_file`: that reading alone;
//! * `service/enforce_*`: `Enforcer::enforce` (scope check, the file's
//!   modification time checked as the reference does on every call) of
//!   nova's `os_compute_api:servers:show`/`create` and keystone's
//!   `identity:get_user` with request-context credentials;
//! * `service/rules_*`: the loaded rules' `enforce_ref` (no scope check and
//!   no file check: the evaluation alone).
//!
//! The cases are written to `$OSLO_RS_BENCH_SERVICE_CASES_OUT` (JSON) for
//! `scripts/bench/policy.py`, which times the same with oslo.policy.

use std::hint::black_box;

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use oslo_policy::Value;
use oslo_policy::enforcer::{Config, Enforcer};
use oslo_policy::rules::Rules;

/// The benchmark policy as JSON text.
pub fn bench_policy() -> String {
    let mut rules: Vec<(String, String)> = vec![
        ("context_is_admin".into(), "role:admin".into()),
        (
            "admin_or_owner".into(),
            "is_admin:True or project_id:%(project_id)s".into(),
        ),
        ("admin_api".into(), "is_admin:True".into()),
        (
            "project_member_api".into(),
            "role:member and project_id:%(project_id)s".into(),
        ),
        (
            "project_reader_api".into(),
            "role:reader and project_id:%(project_id)s".into(),
        ),
        (
            "project_member_or_admin".into(),
            "rule:project_member_api or rule:context_is_admin".into(),
        ),
        (
            "project_reader_or_admin".into(),
            "rule:project_reader_api or rule:context_is_admin".into(),
        ),
        ("default".into(), "rule:admin_or_owner".into()),
    ];
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

fn bench(c: &mut Criterion) {
    let text = bench_policy();
    if let Ok(path) = std::env::var("OSLO_RS_BENCH_POLICY_OUT") {
        let _ = std::fs::write(path, &text);
    }
    let rules = match Rules::load(text.as_bytes(), "bench.json", Some("default")) {
        Ok(r) => r,
        Err(e) => panic!("bench policy: {e}"),
    };
    let target = Value::Dict(vec![(Value::str("project_id"), Value::str("p1"))]);
    let mut g = c.benchmark_group("load");
    g.bench_function("1000_rules", |b| {
        b.iter(|| black_box(Rules::load(text.as_bytes(), "bench.json", Some("default"))))
    });
    g.finish();
    let mut g = c.benchmark_group("enforce");
    let admin = creds(&["admin"], "p9");
    let member = creds(&["member"], "p1");
    let other = creds(&["member"], "p2");
    let cases: [(&str, &str, &Value); 4] = [
        ("role_admin", "context_is_admin", &admin),
        (
            "nova_start_owner",
            "os_compute_api:servers:action0",
            &member,
        ),
        (
            "nova_start_denied",
            "os_compute_api:servers:action3",
            &other,
        ),
        ("missing_rule", "no:such:rule", &member),
    ];
    for (label, name, who) in cases {
        g.bench_function(label, |b| {
            b.iter(|| black_box(rules.enforce_ref(name, &target, who)))
        });
    }
    g.finish();
}

/// The generated service policies, if any.
fn service_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OSLO_RS_SERVICE_POLICIES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/service-policies")
        });
    if dir.join("combined-defaults.json").is_file() && dir.join("combined-policy.yaml").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "service benchmarks skipped: no combined policy in {} (run scripts/gen-service-policies.sh)",
            dir.display()
        );
        None
    }
}

/// The combined defaults file's text, with operation values that are not
/// strings (keystone's `"method": ["HEAD", "GET"]`, which our defaults
/// reader refuses) replaced by their Python `str()`; decisions do not
/// depend on operations.
fn service_defaults(dir: &Path) -> Result<Vec<u8>, String> {
    let text =
        std::fs::read_to_string(dir.join("combined-defaults.json")).map_err(|e| e.to_string())?;
    let mut doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    for entry in doc.as_array_mut().into_iter().flatten() {
        let ops = entry.get_mut("operations").and_then(|o| o.as_array_mut());
        for op in ops.into_iter().flatten() {
            for (_, v) in op.as_object_mut().into_iter().flatten() {
                if !v.is_string() {
                    *v = serde_json::Value::String(Value::from_json(v).py_str());
                }
            }
        }
    }
    serde_json::to_vec(&doc).map_err(|e| e.to_string())
}

/// The defaults a defaults file's text describes.
fn parse_defaults(defaults: &[u8]) -> Result<Vec<oslo_policy::defaults::RuleDefault>, String> {
    let doc = oslo_policy::rules::read_document(defaults).map_err(|e| e.to_string())?;
    oslo_policy::defaults::from_document(&doc).map_err(|e| e.to_string())
}

/// An enforcer with `defaults` registered and `policy_file` loaded.
fn service_enforcer(
    defaults: Vec<oslo_policy::defaults::RuleDefault>,
    policy_file: &Path,
) -> Result<Enforcer, String> {
    let mut e = Enforcer::new(Config {
        policy_file: policy_file.to_path_buf(),
        policy_dirs: Vec::new(),
        ..Config::default()
    });
    e.register_defaults(defaults).map_err(|e| e.to_string())?;
    e.load_rules().map_err(|e| e.to_string())?;
    Ok(e)
}

/// Request-context credentials (`RequestContext.to_policy_values()`).
fn context_creds(user: &str, project: &str, roles: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "user_id": user, "user_domain_id": "default", "system_scope": null,
        "domain_id": null, "project_id": project, "project_domain_id": "default",
        "roles": roles, "is_admin_project": true, "service_user_id": null,
        "service_user_domain_id": null, "service_project_id": null,
        "service_project_domain_id": null, "service_roles": [],
    })
}

/// (label, rule, target, creds) of the service enforce benchmarks.
fn service_cases() -> Vec<(
    &'static str,
    &'static str,
    serde_json::Value,
    serde_json::Value,
)> {
    let server = serde_json::json!({"project_id": "p1", "user_id": "u1"});
    let user = serde_json::json!({"target.user.id": "u1", "target.user.domain_id": "default"});
    let other_user = serde_json::json!({"target.user.id": "u9", "target.user.domain_id": "d9"});
    let admin = context_creds("u0", "p0", &["admin", "member", "reader"]);
    let member = context_creds("u1", "p1", &["member", "reader"]);
    let other = context_creds("u2", "p2", &["member", "reader"]);
    vec![
        ("role_admin", "context_is_admin", server.clone(), admin),
        (
            "nova_servers_show",
            "os_compute_api:servers:show",
            server.clone(),
            member.clone(),
        ),
        (
            "nova_servers_create",
            "os_compute_api:servers:create",
            server.clone(),
            member.clone(),
        ),
        (
            "nova_servers_show_denied",
            "os_compute_api:servers:show",
            server,
            other,
        ),
        (
            "keystone_get_user_self",
            "identity:get_user",
            user,
            member.clone(),
        ),
        (
            "keystone_get_user_denied",
            "identity:get_user",
            other_user,
            member,
        ),
    ]
}

fn bench_services(c: &mut Criterion) {
    let Some(dir) = service_dir() else {
        return;
    };
    let defaults = match service_defaults(&dir) {
        Ok(d) => d,
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    let policy_file = dir.join("combined-policy.yaml");
    let no_file = dir.join("no-such-policy-file.yaml");
    let cases = service_cases();
    if let Ok(path) = std::env::var("OSLO_RS_BENCH_SERVICE_CASES_OUT") {
        let json = serde_json::json!({
            "dir": dir,
            "cases": cases.iter().map(|(label, name, target, creds)| {
                (label.to_string(), serde_json::json!({"name": name, "target": target, "creds": creds}))
            }).collect::<serde_json::Map<_, _>>(),
        });
        let _ = std::fs::write(path, json.to_string());
    }
    let registered = match parse_defaults(&defaults) {
        Ok(d) => d,
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    let enforcer = match service_enforcer(registered.clone(), &policy_file) {
        Ok(e) => e,
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    let rules = match enforcer.load_rules() {
        Ok(r) => r,
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    let mut g = c.benchmark_group("service");
    g.bench_function("load_combined", |b| {
        b.iter(|| black_box(service_enforcer(registered.clone(), &policy_file)))
    });
    g.bench_function("load_combined_defaults_only", |b| {
        b.iter(|| black_box(service_enforcer(registered.clone(), &no_file)))
    });
    g.bench_function("load_combined_from_defaults_file", |b| {
        b.iter(|| {
            black_box(parse_defaults(&defaults).and_then(|d| service_enforcer(d, &policy_file)))
        })
    });
    g.bench_function("parse_defaults_file", |b| {
        b.iter(|| black_box(parse_defaults(&defaults)))
    });
    for (label, name, target, creds) in &cases {
        let target = Value::from_json(target);
        let mut creds = Value::from_json(creds);
        match enforcer.enforce(name, &target, &mut creds) {
            Ok(_) => {}
            Err(e) => panic!("{name}: {e}"),
        }
        g.bench_function(format!("enforce_{label}"), |b| {
            b.iter(|| black_box(enforcer.enforce(name, &target, &mut creds)))
        });
        if matches!(
            *label,
            "role_admin" | "nova_servers_show" | "keystone_get_user_self"
        ) {
            g.bench_function(format!("rules_{label}"), |b| {
                b.iter(|| black_box(rules.enforce_ref(name, &target, &creds)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench, bench_services);
criterion_main!(benches);
