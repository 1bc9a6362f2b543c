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

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use oslo_policy::rules::Rules;
use oslo_policy::value::Value;

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

criterion_group!(benches, bench);
criterion_main!(benches);
