//! `oslopolicy-convert-json-to-yaml`, `oslopolicy-policy-upgrade` and the
//! `safe_dump` writer behind the latter against the real tools and PyYAML
//! (`oracle/convert_upgrade.py`, one Python process per test):
//!
//! * `safe_dump_matches_pyyaml`: hand-written edge cases and thousands of
//!   generated strings (quotes, indicators, spaces, breaks, control and
//!   non-ASCII characters, YAML 1.1 look-alikes, long text to fold) as keys
//!   and values of nested dicts and lists: byte-identical text;
//! * `convert_matches_reference`, `upgrade_matches_reference`: hand-written
//!   and generated defaults files and policy files (rules equal to their
//!   default or not, deprecated names, rules without a default, list rules
//!   and other non-string values, unicode, long descriptions, documents
//!   that are not objects, JSON/YAML errors), to stdout and to
//!   `--output-file`: same exit status, byte-identical output.
//!
//! `OSLO_RS_TEST_SEED` changes the generator's seed.

#![cfg(test)]

mod common;

use common::Rng;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use oslo_policy::Value;
use serde_json::{Value as Json, json};

const DEFAULT_SEED: u64 = 0x0c0f_f1e5;

fn seed() -> u64 {
    oslo_test_support::seed(DEFAULT_SEED)
}

// ------------------------------------------------------------------ oracle

struct Oracle {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    fn start(test: &str) -> Option<Oracle> {
        let python = common::reference_python(test)?;
        let mut child = Command::new(python)
            .arg(common::oracle("convert_upgrade.py"))
            .env("PYTHONUTF8", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Some(Oracle {
            _child: child,
            stdin,
            stdout,
        })
    }

    fn ask(&mut self, case: &Json) -> Json {
        writeln!(self.stdin, "{case}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("oracle answered {line:?}: {e}"))
    }

    /// The reference tool's exit status and stdout.
    fn tool(&mut self, tool: &str, args: &[String]) -> (i64, Vec<u8>) {
        let a = self.ask(&json!({"tool": tool, "args": args}));
        let hex = a["stdout"].as_str().unwrap();
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        (a["rc"].as_i64().unwrap(), bytes)
    }
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::None => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => serde_json::from_str(i).unwrap(),
        Value::Float(f) => json!(f),
        Value::Str(s) => json!(s),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Dict(items) => Json::Object(
            items
                .iter()
                .map(|(k, v)| (k.py_str(), to_json(v)))
                .collect(),
        ),
        Value::Other { .. } => unreachable!(),
    }
}

// ------------------------------------------------------------- generators

const PIECES: &[&str] = &[
    "a",
    "b",
    "role",
    "admin",
    "x",
    "Z",
    "0",
    "1",
    "9",
    " ",
    " ",
    "  ",
    ":",
    ": ",
    "#",
    " #",
    "-",
    "- ",
    "?",
    "? ",
    ",",
    "[",
    "]",
    "{",
    "}",
    "&",
    "*",
    "!",
    "|",
    ">",
    "'",
    "\"",
    "%",
    "@",
    "`",
    "\n",
    "\n\n",
    "\t",
    "\\",
    ".",
    "~",
    "_",
    "=",
    "<<",
    "é",
    "\u{2028}",
    "\u{85}",
    "\u{a0}",
    "\u{feff}",
    "😀",
    "\0",
    "\u{7f}",
    "\r",
    "\u{1b}",
    "---",
    "...",
    "%(project_id)s",
    "yes",
    "No",
    "null",
    "~",
    "0x1F",
    "0o7",
    "017",
    "1_000",
    "1:30",
    "1.5",
    ".5",
    "1e3",
    "-.inf",
    ".NaN",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "true",
    "off",
    "=",
    "€",
    "\u{3000}",
];

const WHOLE: &[&str] = &[
    "",
    " ",
    "yes",
    "Yes",
    "NO",
    "on",
    "Off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "NULL",
    "~",
    "-",
    "--",
    "---",
    "...",
    "<<",
    "=",
    "!",
    "&",
    "*",
    "0",
    "-0",
    "+1",
    "01",
    "08",
    "0b101",
    "0x_1f",
    "1_0",
    "1:2:3",
    "1:60",
    "1.",
    "1.0",
    ".5",
    "1e5",
    "1.0e5",
    "1.0e+5",
    "-.inf",
    ".nan",
    "+.INF",
    "190:20:30.15",
    "2002-12-14",
    "2002-1-1 1:2:3",
    "2002-12-14 21:59:43.10 -5",
    "role:admin",
    "rule:admin_or_owner",
    "a: b",
    "a:b",
    "a #b",
    "a#b",
    "#a",
    "@x",
    "%x",
    "`x",
    "- x",
    "-x",
    "? x",
    "?x",
    ":x",
    ": x",
    "x:",
    "[a]",
    "{a}",
    "a,b",
    "'a'",
    "\"a\"",
    "it's",
    " lead",
    "trail ",
    "a\nb",
    "a \nb",
    "a\n b",
    "\na",
    "a\n",
    "\u{feff}",
    "caf\u{e9}",
    "tab\there",
    "\u{2028}",
    "x\u{85}y",
];

fn random_string(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=2 => rng.pick(WHOLE).to_owned(),
        3 => {
            // Long text with spaces, to fold.
            let n = 10 + rng.below(40);
            let mut s = String::new();
            for i in 0..n {
                if i > 0 {
                    s.push_str(if rng.pct(10) { "  " } else { " " });
                }
                s.push_str(rng.pick(&[
                    "word",
                    "role:admin",
                    "x",
                    "é",
                    "'q'",
                    "a\"b",
                    "\\",
                    "longerwordhere",
                    "\n",
                    "-",
                    "#",
                ]));
            }
            s
        }
        4 => "w".repeat(60 + rng.below(100)),
        _ => {
            let n = 1 + rng.below(8);
            (0..n).map(|_| rng.pick(PIECES)).collect()
        }
    }
}

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::None,
        1 => Value::Bool(rng.pct(50)),
        2 => Value::Int(
            rng.pick(&["0", "1", "-7", "123456789012345678901234567890"])
                .to_owned(),
        ),
        3 => Value::Float(*rng.pick(&[&0.5, &1e16, &-2.5e-7, &1e300, &0.1, &100.0, &-0.0])),
        _ => Value::Str(random_string(rng)),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    if depth >= 3 || rng.pct(70) {
        return random_scalar(rng);
    }
    let n = rng.below(4);
    if rng.pct(50) {
        Value::List((0..n).map(|_| random_value(rng, depth + 1)).collect())
    } else {
        random_dict(rng, n, depth + 1)
    }
}

/// A dict of `n` random items (a later duplicate key replaces the value,
/// as in a Python dict).
fn random_dict(rng: &mut Rng, n: usize, depth: usize) -> Value {
    let mut items = Vec::new();
    for _ in 0..n {
        let (k, v) = (Value::Str(random_string(rng)), random_value(rng, depth));
        Value::dict_insert(&mut items, k, v);
    }
    Value::Dict(items)
}

// ----------------------------------------------------------- safe_dump

fn dump_cases(rng: &mut Rng) -> Vec<Value> {
    let mut cases: Vec<Value> = Vec::new();
    for s in WHOLE.iter().chain(PIECES) {
        cases.push(Value::Dict(vec![(Value::str(*s), Value::str(*s))]));
        cases.push(Value::Dict(vec![(
            Value::str("k"),
            Value::List(vec![
                Value::str(*s),
                Value::str(format!("{} {s} end", "x".repeat(75))),
            ]),
        )]));
    }
    for n in [117, 118, 119, 120, 121, 122, 123, 124, 126, 127, 128, 129] {
        cases.push(Value::Dict(vec![(
            Value::str("k".repeat(n)),
            Value::str("v"),
        )]));
        cases.push(Value::Dict(vec![(
            Value::str("é".repeat(n / 8)),
            Value::str("v"),
        )]));
    }
    for width in 70..95 {
        let line = format!("{} tail words here", "y".repeat(width));
        cases.push(Value::Dict(vec![(
            Value::str("k"),
            Value::str(line.clone()),
        )]));
        cases.push(Value::Dict(vec![(
            Value::str("k"),
            Value::str(format!("'{line}'")),
        )]));
        cases.push(Value::Dict(vec![(
            Value::str("k"),
            Value::str(format!("é {line} é")),
        )]));
        cases.push(Value::Dict(vec![(
            Value::str("k"),
            Value::str(format!("{line}\n{line}")),
        )]));
    }
    cases.push(Value::Dict(vec![]));
    cases.push(Value::Dict(vec![
        (Value::str("e"), Value::Dict(vec![])),
        (Value::str("l"), Value::List(vec![])),
    ]));
    for _ in 0..2500 {
        let n = 1 + rng.below(5);
        cases.push(random_dict(rng, n, 0));
    }
    cases
}

#[test]
fn safe_dump_matches_pyyaml() {
    let Some(mut oracle) = Oracle::start("convert_upgrade::safe_dump_matches_pyyaml") else {
        return;
    };
    let mut rng = Rng(seed());
    let cases = dump_cases(&mut rng);
    let mut bad = Vec::new();
    for v in &cases {
        let theirs = oracle.ask(&json!({"dump": to_json(v)}));
        let ours = pycompat::yamlemit::safe_dump(v).unwrap();
        if theirs["out"].as_str() != Some(ours.as_str()) {
            bad.push(format!(
                "{v:?}\n  reference: {:?}\n  ours:      {ours:?}",
                theirs["out"]
            ));
        }
    }
    eprintln!(
        "safe_dump: {} documents, {} mismatches",
        cases.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(10)].join("\n"));
}

// ------------------------------------------------------------ the tools

const NAMES: &[&str] = &[
    "context_is_admin",
    "admin_or_owner",
    "os_compute_api:servers:start",
    "os_compute_api:servers:stop",
    "identity:get_user",
    "old:name",
    "older:name",
    "renamed",
    "a",
    "b b",
    "q\"uote",
    "caf\u{e9}",
    "yes",
    "1",
    "default",
    "x:y:z",
    "dep:gone",
    "multi\nline",
];

const CHECKS: &[&str] = &[
    "role:admin",
    "",
    "@",
    "!",
    "rule:admin_or_owner",
    "role:admin or role:member",
    "role:admin  or  role:member",
    "(role:admin or role:member)",
    "not role:x",
    "is_admin:True or project_id:%(project_id)s",
    "role:a and (role:b or role:c)",
    "bogus",
    "role:\u{e9}",
    "yes",
    "a: b",
    "#x",
    " role:lead",
    "role:trail ",
    "role:x\nor role:y",
    "role:reader and system_scope:all or role:reader and project_id:%(project_id)s or role:a_really_long_role_name_to_fold",
];

const DESCRIPTIONS: &[&str] = &[
    "Start a server.",
    "List all servers. This is a fairly long description that will certainly need to be wrapped at seventy columns by textwrap, including read-only words.",
    "Show user details.\n\nSecond paragraph after a blank line,\nsplit over lines.\n\n    literal block\n      kept as is\n\nEnd.",
    "Caf\u{e9} r\u{e9}sum\u{e9} \u{2014} em dash",
    "Text right before\n  an indented line without a blank",
    "",
];

fn random_default(rng: &mut Rng, name: &str) -> Json {
    let mut d = json!({"name": name, "check_str": rng.pick(CHECKS)});
    if rng.pct(60) {
        d["description"] = json!(rng.pick(DESCRIPTIONS));
    }
    if rng.pct(40) {
        if d["description"].as_str().is_none_or(str::is_empty) {
            d["description"] = json!("Documented.");
        }
        let n = 1 + rng.below(2);
        d["operations"] = Json::Array(
            (0..n)
                .map(|i| json!({"path": format!("/v{i}/{name}"), "method": rng.pick(&["GET", "POST", ""])}))
                .collect(),
        );
    }
    if rng.pct(30) {
        let all = ["system", "domain", "project"];
        // k = 0: an empty list, kept (and printed) by the reference.
        let k = rng.below(4);
        d["scope_types"] = json!(all[..k]);
    }
    if rng.pct(35) {
        let old = if rng.pct(25) { name } else { rng.pick(NAMES) };
        let mut dep = json!({"name": old, "check_str": rng.pick(CHECKS)});
        if rng.pct(60) {
            dep["deprecated_reason"] = json!("It changed.");
            dep["deprecated_since"] = json!("W");
        }
        d["deprecated_rule"] = dep;
    } else if rng.pct(10) {
        d["deprecated_for_removal"] = json!(true);
        d["deprecated_reason"] = json!("Gone.");
        d["deprecated_since"] = json!("X");
    }
    d
}

fn random_defaults(rng: &mut Rng) -> Json {
    let n = rng.below(8);
    Json::Array(
        (0..n)
            .map(|_| {
                let name = rng.pick(NAMES);
                random_default(rng, name)
            })
            .collect(),
    )
}

/// A JSON string, with the characters the YAML loader treats specially
/// (NEL, LS, PS, BOM, DEL) escaped.
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20
                || matches!(
                    c,
                    '\u{7f}' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
                ) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => json_str(s),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(json_text).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(items) => format!(
            "{{{}}}",
            items
                .iter()
                .map(|(k, v)| format!("{}: {}", json_str(k), json_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn random_rule_value(rng: &mut Rng, defaults: &Json, name: &str) -> Json {
    let default_check = defaults
        .as_array()
        .and_then(|a| a.iter().find(|d| d["name"] == name))
        .map(|d| d["check_str"].clone());
    match rng.below(20) {
        0..=6 => default_check.unwrap_or_else(|| json!(rng.pick(CHECKS))),
        7..=12 => json!(rng.pick(CHECKS)),
        13 => json!(random_string(rng)),
        14 => json!([["role:a", "role:b"], "role:c"]),
        15 => json!(*rng.pick(&[
            &json!([]),
            &json!(true),
            &json!(false),
            &json!(null),
            &json!(0),
            &json!(1.5),
            &json!({}),
            &json!(["!"])
        ])),
        16 => json!({"role:a": 1}),
        17 => json!(7),
        18 => serde_json::from_str("1e400").unwrap_or(json!(1)),
        _ => json!([[]]),
    }
}

fn random_policy_object(rng: &mut Rng, defaults: &[Json]) -> Json {
    let mut names: Vec<String> = NAMES.iter().map(|s| (*s).to_owned()).collect();
    for d in defaults
        .iter()
        .flat_map(|d| d.as_array().cloned().unwrap_or_default())
    {
        if let Some(old) = d["deprecated_rule"]["name"].as_str() {
            names.push(old.to_owned());
        }
    }
    let n = rng.below(10);
    let all = Json::Array(
        defaults
            .iter()
            .flat_map(|d| d.as_array().cloned().unwrap_or_default())
            .collect(),
    );
    let mut obj = serde_json::Map::new();
    for _ in 0..n {
        let name = names[rng.below(names.len())].clone();
        let v = random_rule_value(rng, &all, &name);
        obj.insert(name, v);
    }
    Json::Object(obj)
}

const BAD_DOCUMENTS: &[&str] = &[
    "",
    "{}",
    "[]",
    "[\"a\"]",
    "[\"zzz\"]",
    "\"\"",
    "\"abc\"",
    "\"context_is_admin\"",
    "5",
    "0",
    "null",
    "true",
    "false",
    "{",
    "{\"a\": }",
    "\u{feff}{}",
    "{\"a\": \"x\", \"a\": \"y\"}",
    "{\"a\": \"x\"} trailing",
    "  {\"a\": \"role:x\"}\n\n",
    "{\"a\": \"\\u00e9\"}",
    "{\"admin_or_owner\": \"\\/slash\"}",
    "{\"zz\": NaN, \"yy\": [Infinity, -Infinity, \"NaN\"]}",
    "{\"a\": -Infinity}",
    "{\"z\": NaNx}",
    "[1, 2]",
    "{\"renamed\": [[\"role:a\"], [\"role:b\", 3]]}",
];

fn tool_cases(rng: &mut Rng, count: usize, tool: &str) -> Vec<(String, Vec<Json>, Vec<u8>)> {
    let mut out: Vec<(String, Vec<Json>, Vec<u8>)> = Vec::new();
    let fixed = json!([
        {"name": "context_is_admin", "check_str": "role:admin"},
        {"name": "admin_or_owner", "check_str": "is_admin:True or project_id:%(project_id)s",
         "description": "Admin or owner.", "operations": [{"path": "/x", "method": "GET"}],
         "scope_types": ["project", "system"]},
        {"name": "renamed", "check_str": "role:new", "description": "Renamed rule, with a description long enough to wrap at seventy columns for sure.",
         "deprecated_rule": {"name": "old:name", "check_str": "role:old", "deprecated_reason": "r", "deprecated_since": "W"}},
        {"name": "a", "check_str": "", "deprecated_for_removal": true, "deprecated_reason": "Gone", "deprecated_since": "X"}
    ]);
    for doc in BAD_DOCUMENTS {
        out.push((
            format!("fixed {doc:?}"),
            vec![fixed.clone()],
            doc.as_bytes().to_vec(),
        ));
    }
    out.push((
        "not UTF-8".into(),
        vec![fixed.clone()],
        b"{\"a\": \"\xff\"}".to_vec(),
    ));
    out.push((
        "no defaults".into(),
        vec![json!([])],
        b"{\"a\": \"role:x\"}".to_vec(),
    ));
    out.push((
        "two defaults claim one old name".into(),
        vec![json!([
            {"name": "n1", "check_str": "@", "deprecated_rule": {"name": "old", "check_str": "@"}},
            {"name": "n2", "check_str": "@", "deprecated_rule": {"name": "old", "check_str": "@"}}
        ])],
        b"{\"old\": \"role:x\"}".to_vec(),
    ));
    out.push((
        "chained renames and an existing new name".into(),
        vec![json!([
            {"name": "x", "check_str": "@", "deprecated_rule": {"name": "y", "check_str": "@"}},
            {"name": "y", "check_str": "@", "deprecated_rule": {"name": "z", "check_str": "@"}},
            {"name": "same", "check_str": "role:n", "deprecated_rule": {"name": "same", "check_str": "role:o"}}
        ])],
        b"{\"z\": \"role:z\", \"y\": \"role:y\", \"x\": \"role:x\", \"same\": \"role:s\"}".to_vec(),
    ));
    out.push((
        "empty name without description".into(),
        vec![json!([{"name": "", "check_str": "@"}])],
        b"{\"\": \"@\"}".to_vec(),
    ));
    if tool == "upgrade" {
        for text in [
            "old:name: role:x\n1: a\nb: c\n",
            "true: x\n2: y\n1.5: z\nold:name: q\n",
            "~: a\nb: c\n",
            "old:name: [role:a, role:b]\nrenamed: {x: 1}\n",
            "old:name: |\n  multi\n  line\n",
            "k: \"\\uD800 lone\"\n",
            "k: .inf\nj: -.INF\nl: .nan\nm: 0o17\nn: 0x1F\no: 1_000\n",
            "'': x\n? [a]\n: b\n",
            "a: &x [1, 2]\nb: x\n",
            "# only a comment\n",
            "a: 2001-01-01\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43\nd: [2002-02-02]\n",
            "2002-01-01: x\nold:name: 2001-12-14 21:59:43.5Z\n",
            "--- \n...\n",
            "a: b\n---\nc: d\n",
            "old:name: 'it''s'\n\"caf\\xE9\": \"\\U0001F600\"\n",
        ] {
            out.push((
                format!("yaml {text:?}"),
                vec![fixed.clone()],
                text.as_bytes().to_vec(),
            ));
        }
    }
    for i in 0..count {
        let nd = 1 + rng.below(3);
        let defaults: Vec<Json> = (0..nd).map(|_| random_defaults(rng)).collect();
        let policy = if tool == "upgrade" && rng.pct(60) {
            let n = rng.below(8);
            let mut obj: Vec<(Value, Value)> = Vec::new();
            let mut names: Vec<String> = NAMES.iter().map(|s| (*s).to_owned()).collect();
            for d in defaults
                .iter()
                .flat_map(|d| d.as_array().cloned().unwrap_or_default())
            {
                if let Some(old) = d["deprecated_rule"]["name"].as_str() {
                    names.push(old.to_owned());
                    names.push(old.to_owned());
                }
            }
            for _ in 0..n {
                let k = if rng.pct(70) {
                    names[rng.below(names.len())].clone()
                } else {
                    random_string(rng)
                };
                obj.push((Value::Str(k), random_value(rng, 0)));
            }
            json_text(&to_json(&Value::Dict(obj))).into_bytes()
        } else if rng.pct(5) {
            rng.pick(BAD_DOCUMENTS).as_bytes().to_vec()
        } else {
            json_text(&random_policy_object(rng, &defaults)).into_bytes()
        };
        out.push((format!("random #{i}"), defaults, policy));
    }
    out
}

fn run_ours(binary: &str, args: &[String]) -> (i64, Vec<u8>, String) {
    let out = Command::new(binary).args(args).output().unwrap();
    (
        i64::from(out.status.code().unwrap_or(-1)),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn compare_tool(test: &str, tool: &str, binary: &str, count: usize) {
    let Some(mut oracle) = Oracle::start(test) else {
        return;
    };
    let mut rng = Rng(seed() ^ tool.len() as u64);
    let dir = tempfile::tempdir().unwrap();
    let policy_flag = if tool == "convert" {
        "--policy-file"
    } else {
        "--policy"
    };
    let cases = tool_cases(&mut rng, count, tool);
    let mut bad = Vec::new();
    let mut failures = 0;
    for (i, (label, defaults, policy)) in cases.iter().enumerate() {
        let case_dir = dir.path().join(format!("c{i}"));
        std::fs::create_dir(&case_dir).unwrap();
        let mut theirs_args = Vec::new();
        let mut ours_args = Vec::new();
        for (j, d) in defaults.iter().enumerate() {
            let p = case_dir.join(format!("defaults{j}.json"));
            std::fs::write(&p, json_text(d)).unwrap();
            let p = p.display().to_string();
            theirs_args.extend(["--namespace".to_owned(), p.clone()]);
            ours_args.extend(["--defaults".to_owned(), p]);
        }
        let policy_path = case_dir.join("policy.json");
        std::fs::write(&policy_path, policy).unwrap();
        for args in [&mut theirs_args, &mut ours_args] {
            args.push(policy_flag.to_owned());
            args.push(policy_path.display().to_string());
        }
        let output_file = i % 4 == 3;
        let (their_out, our_out) = (case_dir.join("theirs.yaml"), case_dir.join("ours.yaml"));
        if output_file {
            theirs_args.extend(["--output-file".to_owned(), their_out.display().to_string()]);
            ours_args.extend(["--output-file".to_owned(), our_out.display().to_string()]);
        }
        let (rc_t, out_t) = oracle.tool(tool, &theirs_args);
        let (rc_o, out_o, err_o) = run_ours(binary, &ours_args);
        let file_t = std::fs::read(&their_out).ok();
        let file_o = std::fs::read(&our_out).ok();
        if rc_t != 0 {
            failures += 1;
        }
        if rc_t != rc_o || out_t != out_o || file_t != file_o {
            bad.push(format!(
                "{label}: policy {:?}\n  defaults {}\n  reference rc={rc_t} {:?} file={:?}\n  ours      rc={rc_o} {:?} file={:?}\n  our stderr: {err_o}",
                String::from_utf8_lossy(policy),
                defaults.iter().map(json_text).collect::<Vec<_>>().join(" + "),
                String::from_utf8_lossy(&out_t),
                file_t.as_deref().map(String::from_utf8_lossy),
                String::from_utf8_lossy(&out_o),
                file_o.as_deref().map(String::from_utf8_lossy),
            ));
        }
    }
    eprintln!(
        "{tool}: {} cases ({failures} where the reference fails), {} agree, {} mismatches",
        cases.len(),
        cases.len() - bad.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(8)].join("\n"));
}

#[test]
fn convert_matches_reference() {
    compare_tool(
        "convert_upgrade::convert_matches_reference",
        "convert",
        env!("CARGO_BIN_EXE_oslopolicy-convert-json-to-yaml"),
        400,
    );
}

#[test]
fn upgrade_matches_reference() {
    compare_tool(
        "convert_upgrade::upgrade_matches_reference",
        "upgrade",
        env!("CARGO_BIN_EXE_oslopolicy-policy-upgrade"),
        400,
    );
}

/// What the Python tools cannot do here: `--namespace` is refused with one
/// line, and a missing file or no defaults is exit status 1.
#[test]
fn command_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let defaults = dir.path().join("d.json");
    std::fs::write(&defaults, "[]").unwrap();
    let missing = dir.path().join("absent.json");
    for (bin, flag) in [
        (
            env!("CARGO_BIN_EXE_oslopolicy-convert-json-to-yaml"),
            "--policy-file",
        ),
        (env!("CARGO_BIN_EXE_oslopolicy-policy-upgrade"), "--policy"),
    ] {
        let run = |args: &[&Path]| Command::new(bin).args(args).output().unwrap();
        let ns = run(&[
            Path::new("--namespace"),
            Path::new("nova"),
            Path::new(flag),
            &defaults,
        ]);
        assert_eq!(ns.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&ns.stderr).contains("--defaults FILE"));
        let none = run(&[Path::new(flag), &defaults]);
        assert_eq!(none.status.code(), Some(1));
        let absent = run(&[
            Path::new("--defaults"),
            &defaults,
            Path::new(flag),
            &missing,
        ]);
        assert_eq!(absent.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&absent.stderr);
        assert!(stderr.contains("absent.json"), "{stderr}");
        assert!(absent.stdout.is_empty());
    }
}
