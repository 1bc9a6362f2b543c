//! The speed benchmarks' inputs, generated deterministically (no file of
//! the repository, no network): `pycompat/benches/{yaml,instructions}.rs`,
//! `oslo-config/benches/instructions.rs` and `scripts/bench-config.sh`
//! (through `pycompat/examples/bench_inputs.rs`) all read these.
//!
//! * [`optdata_yaml`] — opt-data as `oslo-config-generator --format yaml`
//!   writes it (`yaml.safe_dump(..., default_flow_style=False)` of
//!   `_generate_machine_readable_data`), for the 300 options in 10 groups
//!   of the config benchmark (`scripts/bench/config_service.py`), each
//!   with generated help text (plain, single-quoted multi-line and, now and
//!   then, double-quoted with escapes, as the dumper picks), choices,
//!   deprecated names and the other entry keys; about 150 KB;
//! * [`dump_conf`] — a config file setting those 300 options (some by a
//!   deprecated name), about 7 KB;
//! * [`policy_yaml`] — an operator's `policy.yaml`: the sample generator's
//!   commented-out defaults with their descriptions, a quarter of the rules
//!   overridden (quoted as the generator writes them, or plain);
//! * [`block_scalars_yaml`] — a rule catalogue with `|` and `>` block
//!   scalars (descriptions, notes) and nested block collections.
#![allow(dead_code)]

use pycompat::value::Value;

/// Options of the config benchmark.
pub const OPTIONS: usize = 300;
/// Groups they are spread over (`group{i % GROUPS}`).
pub const GROUPS: usize = 10;

/// xorshift64: reproducible text without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % (n.max(1) as u64)).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len());
        items.get(i).copied().unwrap_or("")
    }
}

const WORDS: &[&str] = &[
    "the",
    "service",
    "uses",
    "this",
    "option",
    "to",
    "decide",
    "how",
    "many",
    "workers",
    "are",
    "started",
    "when",
    "a",
    "request",
    "arrives",
    "and",
    "which",
    "endpoint",
    "is",
    "advertised",
    "to",
    "clients",
    "of",
    "the",
    "API",
    "value",
    "in",
    "seconds",
    "before",
    "connection",
    "times",
    "out",
    "retry",
    "backend",
    "driver",
    "`keystone-manage`",
    "``True``",
    "cache",
    "token",
    "expiration",
    "may",
    "adversely",
    "impact",
    "performance",
    "if",
    "set",
    "too",
    "high",
    "deployments",
    "should",
    "only",
    "need",
    "it",
    "for",
    "e.g.",
    "(see",
    "below)",
    "NOTE",
    "http://server:5000/v3",
    "%(project_id)s",
    "``None``",
    "it's",
    "\"shared",
    "secret\"",
    "hosts,",
    "ports;",
    "recommended.",
    "disabled.",
];

/// A help text of one to four sentences; some with a `Possible values:`
/// list (line breaks: the dumper writes them single-quoted), some with
/// `: ` (quoted) and, rarely, a non-ASCII word (double-quoted, escaped).
fn help(rng: &mut Rng, i: usize) -> String {
    let mut out = String::new();
    for s in 0..1 + rng.below(2) {
        if s > 0 {
            out.push(' ');
        }
        let n = 3 + rng.below(5);
        for w in 0..n {
            if w > 0 {
                out.push(' ');
            }
            let word = rng.pick(WORDS);
            if w == 0 {
                let mut chars = word.chars();
                if let Some(c) = chars.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(word);
            }
        }
        out.push('.');
    }
    match i % 20 {
        3 => out.push_str(" WARNING: Setting it to a large value may hurt."),
        7 => {
            out.push_str("\n\nPossible values:\n\n* ``direct`` - connect directly\n");
            out.push_str("* ``proxy`` - go through the proxy\n\nRelated options:\n\n* workers");
        }
        _ => {}
    }
    if i % 47 == 5 {
        out.push_str(" Café naïve façade.");
    }
    out
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn dict(items: Vec<(&str, Value)>) -> Value {
    Value::Dict(items.into_iter().map(|(k, v)| (s(k), v)).collect())
}

/// Option `i`'s type name, default, min and max (as `_build_entry`
/// records them for the config benchmark's option `i`).
fn kind(i: usize) -> (&'static str, Value, Value, Value) {
    match i % 6 {
        0 => (
            "string value",
            s(&format!("value{i}")),
            Value::None,
            Value::None,
        ),
        1 => (
            "integer value",
            Value::Int(i.to_string()),
            if i % 4 == 1 {
                Value::Int("0".into())
            } else {
                Value::None
            },
            Value::None,
        ),
        2 => (
            "boolean value",
            Value::Bool(false),
            Value::None,
            Value::None,
        ),
        3 => (
            "floating point value",
            Value::Float(0.5),
            Value::None,
            Value::None,
        ),
        4 => (
            "list value",
            Value::List(vec![s("a"), s("b")]),
            Value::None,
            Value::None,
        ),
        _ => (
            "port value",
            Value::Int("8000".into()),
            Value::Int("0".into()),
            Value::Int("65535".into()),
        ),
    }
}

/// Whether option `i` has a deprecated name (`old_opt{i}`, same group).
pub fn has_deprecated_name(i: usize) -> bool {
    i % 7 == 0
}

/// The opt-data document (a `dict` as `_generate_machine_readable_data`
/// returns it).
pub fn optdata() -> Value {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut groups: Vec<(Value, Value)> = Vec::new();
    let mut deprecated: Vec<(Value, Value)> = Vec::new();
    for g in 0..GROUPS {
        let group = format!("group{g}");
        let mut opts = Vec::new();
        let mut names = Vec::new();
        let mut old = Vec::new();
        for i in (g..OPTIONS).step_by(GROUPS) {
            let name = format!("opt{i}");
            let (type_name, default, min, max) = kind(i);
            let choices = if i % 12 == 0 {
                Value::List(vec![
                    Value::List(vec![s(&format!("v{i}")), s("The value the file sets.")]),
                    Value::List(vec![s(&format!("value{i}")), Value::None]),
                ])
            } else {
                Value::List(Vec::new())
            };
            let deprecated_opts = if has_deprecated_name(i) {
                old.push(dict(vec![
                    ("name", s(&format!("old_opt{i}"))),
                    ("replacement_group", s(&group)),
                    ("replacement_name", s(&name)),
                ]));
                Value::List(vec![dict(vec![
                    ("group", s(&group)),
                    ("name", s(&format!("old_opt{i}"))),
                ])])
            } else {
                Value::List(Vec::new())
            };
            let removal = i % 25 == 0;
            opts.push(dict(vec![
                ("advanced", Value::Bool(i % 9 == 0)),
                ("choices", choices),
                ("default", default),
                ("deprecated_for_removal", Value::Bool(removal)),
                ("deprecated_opts", deprecated_opts),
                (
                    "deprecated_reason",
                    if removal {
                        s("This option has had no effect since the 2023.1 release.")
                    } else {
                        Value::None
                    },
                ),
                (
                    "deprecated_since",
                    if removal { s("2023.1") } else { Value::None },
                ),
                ("dest", s(&name)),
                ("help", s(&help(&mut rng, i))),
                ("max", max),
                ("metavar", Value::None),
                ("min", min),
                ("mutable", Value::Bool(i % 4 == 0)),
                ("name", s(&name)),
                ("namespace", s("bench")),
                ("positional", Value::Bool(false)),
                ("required", Value::Bool(false)),
                ("sample_default", Value::None),
                ("secret", Value::Bool(i % 30 == 0)),
                ("short", Value::None),
                ("type", s(type_name)),
            ]));
            names.push(s(&name));
        }
        if !old.is_empty() {
            deprecated.push((s(&group), Value::List(old)));
        }
        groups.push((
            s(&group),
            dict(vec![
                ("driver_option", s("")),
                ("driver_opts", Value::Dict(Vec::new())),
                ("dynamic_group_owner", s("")),
                ("help", s("")),
                ("opts", Value::List(opts)),
                ("standard_opts", Value::List(names)),
            ]),
        ));
    }
    dict(vec![
        ("deprecated_options", Value::Dict(deprecated)),
        (
            "generator_options",
            dict(vec![
                ("config_dir", Value::List(Vec::new())),
                ("config_file", Value::List(Vec::new())),
                ("config_source", Value::List(Vec::new())),
                ("format_", s("yaml")),
                ("minimal", Value::Bool(false)),
                ("namespace", Value::List(vec![s("bench")])),
                ("output_file", Value::None),
                ("shell_completion", Value::None),
                ("summarize", Value::Bool(false)),
                ("wrap_width", Value::Int("70".into())),
            ]),
        ),
        ("options", Value::Dict(groups)),
    ])
}

/// [`optdata`] as the generator writes it.
pub fn optdata_yaml() -> String {
    pycompat::yamlemit::safe_dump(&optdata()).unwrap_or_default()
}

/// The value the config file gives option `i` (as the config
/// benchmark's file does).
fn conf_value(i: usize) -> String {
    match i % 6 {
        0 => format!("v{i}"),
        1 => format!("{}", i * 7),
        2 => "true".to_owned(),
        3 => "1.25".to_owned(),
        4 => "x, y,z".to_owned(),
        _ => "9000".to_owned(),
    }
}

/// A config file setting every option of [`optdata`], the ones with a
/// deprecated name by that name, with the comments an operator keeps.
pub fn dump_conf() -> String {
    let mut text = String::from("# Generated for the oslo-config benchmark.\n\n");
    for g in 0..GROUPS {
        text.push_str(&format!("[group{g}]\n\n"));
        for i in (g..OPTIONS).step_by(GROUPS) {
            if i % 5 == 0 {
                text.push_str(&format!("# Set by the operator ({}).\n", kind(i).0));
            }
            let name = if has_deprecated_name(i) {
                format!("old_opt{i}")
            } else {
                format!("opt{i}")
            };
            text.push_str(&format!("{name} = {}\n", conf_value(i)));
        }
        text.push('\n');
    }
    text
}

const APIS: &[&str] = &[
    "servers",
    "flavors",
    "images",
    "volumes",
    "snapshots",
    "networks",
    "ports",
    "routers",
    "users",
    "projects",
    "domains",
    "roles",
    "aggregates",
    "hypervisors",
    "keypairs",
];
const ACTIONS: &[&str] = &["index", "show", "create", "update", "delete", "detail"];
const RULES: &[&str] = &[
    "rule:project_reader_or_admin",
    "rule:project_member_or_admin",
    "rule:context_is_admin",
    "role:admin or (role:reader and project_id:%(project_id)s)",
    "rule:admin_api or user_id:%(user_id)s",
    "@",
    "!",
];

/// An operator's `policy.yaml`: the sample generator's commented-out
/// defaults (about 500 rules, descriptions, operations, deprecation
/// notes), every fourth rule overridden below its commented default,
/// quoted as the generator writes rules or plain.
pub fn policy_yaml() -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::new();
    let mut n = 0;
    for api in APIS {
        for action in ACTIONS {
            for variant in 0..6 {
                n += 1;
                let name = format!("os_compute_api:{api}:{action}:v{variant}");
                let default = rng.pick(RULES);
                out.push_str(&format!(
                    "# {} {api} ({action}).\n",
                    rng.pick(&["Show", "List", "Create", "Update", "Delete"])
                ));
                out.push_str(&format!(
                    "# {}  /{api}/{{{api}_id}}\n",
                    rng.pick(&["GET", "POST", "PUT", "DELETE"])
                ));
                out.push_str("# Intended scope(s): project\n");
                if n % 5 == 0 {
                    out.push_str(&format!(
                        "# DEPRECATED\n# \"{name}\":\"rule:admin_api\" has been deprecated since 21.0.0 in\n# favor of \"{name}\":\"{default}\".\n"
                    ));
                }
                out.push_str(&format!("#\"{name}\": \"{default}\"\n"));
                if n % 4 == 0 {
                    let rule = rng.pick(RULES);
                    if n % 8 == 0 {
                        out.push_str(&format!("\"{name}\": \"{rule} or role:operator\"\n"));
                    } else if rule.starts_with(['@', '!']) {
                        out.push_str(&format!("{name}: '{rule}'\n"));
                    } else {
                        out.push_str(&format!("{name}: {rule} or role:operator\n"));
                    }
                }
                out.push('\n');
            }
        }
    }
    out
}

/// A rule catalogue of block collections and `|`/`>` block scalars.
pub fn block_scalars_yaml() -> String {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut out = String::from("# Rule catalogue.\nrules:\n");
    for api in APIS {
        for action in ACTIONS {
            out.push_str(&format!(
                "- name: {api}:{action}\n  check_str: '{}'\n",
                rng.pick(RULES)
            ));
            out.push_str("  description: |\n");
            for _ in 0..2 + rng.below(4) {
                let words: Vec<&str> = (0..5 + rng.below(8)).map(|_| rng.pick(WORDS)).collect();
                out.push_str(&format!("    {}\n", words.join(" ")));
            }
            if rng.below(3) == 0 {
                out.push_str("\n      indented: kept as it is\n");
            }
            out.push_str(&format!("  operations:\n  - method: GET\n    path: /v2.1/{api}/{{id}}\n  - method: POST\n    path: /v2.1/{api}/{{id}}/action ({action})\n"));
            out.push_str(&format!("  notes: >{}\n", rng.pick(&["", "-", "+"])));
            for _ in 0..1 + rng.below(3) {
                let words: Vec<&str> = (0..6 + rng.below(10)).map(|_| rng.pick(WORDS)).collect();
                out.push_str(&format!("    {}\n", words.join(" ")));
            }
            out.push_str(&format!(
                "  scope_types: [{}]\n",
                rng.pick(&["project", "system", "project, system"])
            ));
        }
    }
    out
}
