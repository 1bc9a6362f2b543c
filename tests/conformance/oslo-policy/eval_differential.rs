//! Differential conformance test of the `oslo-policy eval` contract against
//! the real oslo.policy 6.0.1:
//!
//! ```text
//! oslo-policy eval --policy FILE --cases CASES.jsonl
//! ```
//!
//! loads FILE like `Enforcer(conf, policy_file=FILE, default_rule='default')`
//! (`policy_dirs=[]`, no registered defaults) and prints, per JSON line
//! `{"name", "target", "creds"}`, `true`/`false` (what `enforce()` returns)
//! or `error: ...` (the reference raises). A file the reference cannot load:
//! non-zero exit, one line on stderr, nothing on stdout.
//!
//! Both sides get the same files. The reference is `oracle/
//! policy_oracle.py`, one Python process for every policy. Cases:
//!
//! * hand-written edge cases, `cases/` (see its README), covering
//!   the rule language (`oslo_policy/_parser.py`), the checks
//!   (`_checks.py`) and the enforcer's loading (`policy.py`);
//! * byte-level files built here (BOM, CRLF, NUL, invalid UTF-8, UTF-16,
//!   raw control characters, very deep chains);
//! * a seeded random generator (`OSLO_RS_TEST_SEED` overrides the seed;
//!   `POLICY_DIFF_POLICIES` the number of random policies).
//!
//! Needs the reference (`OSLO_RS_REFERENCE_PYTHON` or `<workspace>/.venv`,
//! see `scripts/setup-reference.sh`); skips loudly without it.

#![cfg(test)]

mod common;

use common::Rng;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

const OURS: &str = env!("CARGO_BIN_EXE_oslo-policy");
const DEFAULT_SEED: u64 = 0x0510_2026;
const DEFAULT_RANDOM_POLICIES: usize = 320;
const CASES_PER_RANDOM_POLICY: usize = 12;
const SHOWN_MISMATCHES: usize = 30;

// ---------------------------------------------------------------- reference

/// `tests/conformance/oslo-policy/`: this suite's cases and oracle.
fn suite_dir() -> PathBuf {
    oslo_test_support::conformance("oslo-policy")
}

// ------------------------------------------------------------------ corpus

/// One policy file and the case lines decided against it.
struct Policy {
    /// Where it comes from (a file of `cases/`, a generator seed...).
    label: String,
    /// The file name extension (`yaml` or `json`).
    ext: String,
    bytes: Vec<u8>,
    /// ASCII JSON lines `{"name", "target", "creds"}`.
    cases: Vec<String>,
    random: bool,
}

/// JSON text of `v`, ASCII only (the contract's case lines are ASCII).
/// Numbers keep their literal text (`arbitrary_precision`).
fn ascii_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => json_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                ascii_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_str(k, out);
                out.push_str(": ");
                ascii_json(item, out);
            }
            out.push('}');
        }
    }
}

/// A JSON (and YAML double-quoted) string literal, ASCII only.
fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

fn case_line(name: &str, target: &Value, creds: &Value) -> String {
    let mut out = String::from("{\"name\": ");
    json_str(name, &mut out);
    out.push_str(", \"target\": ");
    ascii_json(target, &mut out);
    out.push_str(", \"creds\": ");
    ascii_json(creds, &mut out);
    out.push('}');
    out
}

/// Rule names a hand-written file defines, found textually: `key:` at the
/// start of a line (YAML) and every `"key":` (JSON). Extra names are
/// harmless: they are just more cases.
fn names_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let key: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !key.is_empty() && line[key.len()..].starts_with(':') {
            names.push(key);
        }
    }
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('"') else { break };
        let key = &after[..end];
        let tail = after[end + 1..].trim_start_matches([' ', '\t']);
        if tail.starts_with(':') && !key.contains('\\') {
            names.push(key.to_owned());
            rest = tail;
        } else {
            rest = &after[end + 1..];
        }
    }
    for always in ["default", "nope", ""] {
        names.push(always.to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

fn matrix(names: &[String], targets: &[Value], creds: &[Value]) -> Vec<String> {
    let mut cases = Vec::new();
    for name in names {
        for target in targets {
            for c in creds {
                cases.push(case_line(name, target, c));
            }
        }
    }
    cases
}

struct Common {
    creds: Vec<Value>,
    targets: Vec<Value>,
}

impl Common {
    /// The first few creds and targets: for the many small files.
    fn small_creds(&self) -> &[Value] {
        &self.creds[..self.creds.len().min(12)]
    }
    fn small_targets(&self) -> &[Value] {
        &self.targets[..self.targets.len().min(2)]
    }
}

fn array(v: Option<&Value>) -> Option<Vec<Value>> {
    v.and_then(Value::as_array).cloned()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `cases/*.{yaml,json}` (+ `NAME.cases.json`) and `*.bundle`.
fn hand_written() -> Vec<Policy> {
    let dir = suite_dir().join("cases");
    let common_json = read_json(&dir.join("common.json"));
    let common = Common {
        creds: array(common_json.get("creds")).unwrap(),
        targets: array(common_json.get("targets")).unwrap(),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut policies = Vec::new();
    for path in files {
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        if file_name == "common.json" || file_name.ends_with(".cases.json") {
            continue;
        }
        if let Some(stem) = file_name.strip_suffix(".bundle") {
            policies.extend(bundle(stem, &std::fs::read(&path).unwrap(), &common));
            continue;
        }
        let Some((stem, ext)) = file_name.rsplit_once('.') else {
            continue;
        };
        if ext != "yaml" && ext != "json" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let spec_path = dir.join(format!("{stem}.cases.json"));
        let spec = if spec_path.exists() {
            read_json(&spec_path)
        } else {
            Value::Object(Map::new())
        };
        let mut names = names_in(&String::from_utf8_lossy(&bytes));
        if spec.get("only_names").and_then(Value::as_bool) == Some(true) {
            names.clear();
        }
        for extra in array(spec.get("names")).unwrap_or_default() {
            names.push(extra.as_str().unwrap().to_owned());
        }
        let also_common = spec.get("common").and_then(Value::as_bool) == Some(true);
        let pick = |key: &str, fallback: &[Value]| -> Vec<Value> {
            match array(spec.get(key)) {
                Some(mut own) => {
                    if also_common {
                        own.extend(fallback.iter().cloned());
                    }
                    own
                }
                None => fallback.to_vec(),
            }
        };
        let targets = pick("targets", &common.targets);
        let creds = pick("creds", &common.creds);
        let mut cases = matrix(&names, &targets, &creds);
        for case in array(spec.get("cases")).unwrap_or_default() {
            let name = case.get("name").and_then(Value::as_str).unwrap();
            let empty = Value::Object(Map::new());
            cases.push(case_line(
                name,
                case.get("target").unwrap_or(&empty),
                case.get("creds").unwrap_or(&empty),
            ));
        }
        policies.push(Policy {
            label: format!("cases/{file_name}"),
            ext: ext.to_owned(),
            bytes,
            cases,
            random: false,
        });
    }
    policies
}

/// A `*.bundle`: `### EXT [NAME ...]` lines start files.
fn bundle(stem: &str, bytes: &[u8], common: &Common) -> Vec<Policy> {
    let mut policies = Vec::new();
    let mut current: Option<(String, Vec<String>, Vec<u8>, usize)> = None;
    let mut flush = |cur: Option<(String, Vec<String>, Vec<u8>, usize)>| {
        if let Some((ext, extra, body, line)) = cur {
            let mut names = names_in(&String::from_utf8_lossy(&body));
            names.extend(extra);
            policies.push(Policy {
                label: format!("cases/{stem}.bundle:{line}"),
                ext,
                cases: matrix(&names, common.small_targets(), common.small_creds()),
                bytes: body,
                random: false,
            });
        }
    };
    for (n, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        if let Some(header) = line.strip_prefix(b"### ") {
            flush(current.take());
            let header = String::from_utf8_lossy(header);
            let mut words = header.split_whitespace().map(str::to_owned);
            let ext = words.next().unwrap_or_else(|| "yaml".to_owned());
            current = Some((ext, words.collect(), Vec::new(), n + 1));
        } else if let Some((_, _, body, _)) = current.as_mut() {
            body.extend_from_slice(line);
        }
    }
    flush(current.take());
    policies
}

/// Files whose bytes matter: encodings, line ends, control characters,
/// depth far from and far beyond the reference's recursion limit.
fn byte_level(common: &Common) -> Vec<Policy> {
    let mut raw: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "bom",
            "yaml",
            b"\xef\xbb\xbfa: \"@\"\nb: role:admin\n".to_vec(),
        ),
        (
            "bom-json",
            "json",
            b"\xef\xbb\xbf{\"a\": \"@\", \"b\": \"role:admin\"}".to_vec(),
        ),
        (
            "crlf",
            "yaml",
            b"a: \"@\"\r\nb: role:admin\r\nc: \"not role:admin\"\r\n".to_vec(),
        ),
        ("cr-only", "yaml", b"a: \"@\"\rb: \"role:admin\"\r".to_vec()),
        ("nul", "yaml", b"a: \"@\"\n\0\n".to_vec()),
        ("nul-in-string", "yaml", b"a: \"@\0\"\n".to_vec()),
        ("invalid-utf8-value", "yaml", b"a: \"role:\xff\"\n".to_vec()),
        (
            "invalid-utf8-comment",
            "yaml",
            b"# caf\xe9\na: \"@\"\n".to_vec(),
        ),
        ("empty", "yaml", Vec::new()),
        ("empty-json", "json", Vec::new()),
        ("newline-only", "yaml", b"\n".to_vec()),
        (
            "raw-x1c-quoted",
            "yaml",
            b"a: \"role:admin\x1cor role:member\"\n".to_vec(),
        ),
        (
            "raw-x1c-json",
            "json",
            b"{\"a\": \"role:admin\x1cor role:member\"}".to_vec(),
        ),
        (
            "raw-tab-quoted",
            "yaml",
            b"a: \"role:admin\tor\trole:member\"\n".to_vec(),
        ),
        ("raw-x7f", "yaml", b"a: \"role:admin\x7f\"\n".to_vec()),
        (
            "surrogate-escape",
            "json",
            br#"{"a": "role:\ud83d\ude00", "b": "role:\ud83d"}"#.to_vec(),
        ),
    ];
    for (label, text) in [
        (
            "raw-u3000-plain",
            "a: role:admin\u{3000}or\u{3000}role:member\n",
        ),
        (
            "raw-nel-plain",
            "a: role:admin\u{85}or role:member\nb: \"@\"\n",
        ),
        (
            "raw-ls-plain",
            "a: role:admin\u{2028}or role:member\nb: \"@\"\n",
        ),
        ("raw-nbsp-plain", "a: role:admin\u{a0}or\u{a0}role:member\n"),
        ("raw-u3000-key", "a\u{3000}: \"@\"\nb: \"rule:a\u{3000}\"\n"),
        ("raw-emoji", "a: role:\u{1f600}\nb: \"role:\u{1f600}\"\n"),
        ("raw-ufeff-inside", "a: role:ad\u{feff}min\n"),
    ] {
        raw.push((label, "yaml", text.as_bytes().to_vec()));
    }
    for (label, le) in [("utf16le", true), ("utf16be", false)] {
        let text = "a: \"@\"\nb: \"role:admin\"\n";
        let mut bytes = if le {
            vec![0xff, 0xfe]
        } else {
            vec![0xfe, 0xff]
        };
        for unit in text.encode_utf16() {
            let pair = if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        raw.push((label, "yaml", bytes));
    }
    // Chains: 30 hops are fine; 600 hops exceed the recursion limit when
    // evaluated (from ~330); 3000 hops already break the reference's load
    // (check_rules() recurses, from ~990). Thresholds are left alone.
    for hops in [30usize, 600, 3000] {
        let mut text = String::new();
        for i in 0..hops {
            let _ = writeln!(text, "c{i}: \"rule:c{}\"", i + 1);
        }
        let _ = writeln!(
            text,
            "c{hops}: \"role:admin\"\na: \"rule:c0\"\nb: \"@ or rule:c0\""
        );
        let label = match hops {
            30 => "chain-30",
            600 => "chain-600",
            _ => "chain-3000",
        };
        raw.push((label, "yaml", text.into_bytes()));
    }
    for (label, depth) in [("not-20", 20usize), ("not-21", 21), ("not-2000", 2000)] {
        let text = format!("a: \"{}role:admin\"\nb: \"@\"\n", "not ".repeat(depth));
        raw.push((label, "yaml", text.into_bytes()));
    }
    for (label, depth) in [("parens-40", 40usize), ("parens-3000", 3000)] {
        let text = format!(
            "a: \"{}role:admin{}\"\nb: \"{}@ or role:admin{}\"\n",
            "(".repeat(depth),
            ")".repeat(depth),
            "( ".repeat(depth),
            " )".repeat(depth)
        );
        raw.push((label, "yaml", text.into_bytes()));
    }
    {
        let ors: Vec<String> = (0..300).map(|i| format!("role:r{i}")).collect();
        let text = format!(
            "a: \"{} or role:admin\"\nb: \"{}\"\n",
            ors.join(" or "),
            ors.join(" and ")
        );
        raw.push(("wide-300", "yaml", text.into_bytes()));
    }
    raw.into_iter()
        .map(|(label, ext, bytes)| {
            let mut names = names_in(&String::from_utf8_lossy(&bytes));
            names.truncate(4);
            for n in ["a", "b", "c", "default", "nope", "a\u{3000}"] {
                names.push(n.to_owned());
            }
            Policy {
                label: format!("bytes/{label}"),
                ext: ext.to_owned(),
                cases: matrix(&names, common.small_targets(), common.small_creds()),
                bytes,
                random: false,
            }
        })
        .collect()
}

// --------------------------------------------------------------- generator

const RULE_NAMES: &[&str] = &["default", "r0", "r1", "r2", "r3", "r4", "a:b", "x"];
const REF_ONLY_NAMES: &[&str] = &["missing", "", "DEFAULT"];
const RULE_ROLES: &[&str] = &[
    "admin",
    "Admin",
    "member",
    "MEMBER",
    "reader",
    "ΟΔΟΣ",
    "İ",
    "ß",
    "a",
    "k",
    "\u{212a}",
    "%(r)s",
    "%(missing)s",
];
const KINDS: &[&str] = &[
    "project_id",
    "user_id",
    "is_admin",
    "system",
    "system_scope",
    "a.b",
    "a.b.c",
    "roles",
    "n",
    "flag",
    "l",
    "d",
    "ROLE",
    "x.y",
    "Role",
];
const MATCHES: &[&str] = &[
    "%(project_id)s",
    "%(project_id)s",
    "%(user_id)s",
    "%(id)s",
    "p1",
    "p2",
    "u1",
    "True",
    "true",
    "False",
    "None",
    "1",
    "5",
    "5.0",
    "1e+16",
    "%(n)d",
    "%(n)s",
    "%(n)r",
    "%(missing)s",
    "x",
    "y",
    "a",
    "all",
    "%(flag)s",
    "['a']",
    "{}",
    "admin",
    "%%",
    "%(r)s",
];
const LITERAL_ATOMS: &[&str] = &[
    "True:%(flag)s",
    "5:5",
    "5:%(n)s",
    "0x10:16",
    "'x':x",
    "None:None",
    "1e3:1000.0",
    "b'x':b'x'",
    "[]:[]",
    "...:Ellipsis",
    "False:%(flag)s",
];
const SYNTAX_ERROR_ATOMS: &[&str] = &["1abc:x", "01:x", "class:x", ":x", "a..b:x", "50%:x"];
const RAISING_MATCHES: &[&str] = &["k:50%", "n:%(r)d", "k:%s%s"];
const NON_CHECK_ATOMS: &[&str] = &["admin", "True", "@admin", "'@'", "\"x\""];
const SEPARATORS: &[&str] = &[
    "  ", "\t", "\n", "\u{3000}", "\u{1c}", "\u{1d}", "\u{1e}", "\u{1f}", "\u{a0}", "\u{85}",
    "\u{2003}", "\u{2028}", "\u{200b}", "",
];

fn atom(rng: &mut Rng, names: &[&str]) -> String {
    let roll = rng.below(100);
    match roll {
        0..=5 => rng.pick(&["@", "!"]).to_owned(),
        6..=32 => format!("role:{}", rng.pick(RULE_ROLES)),
        33..=46 => {
            let name = if rng.pct(75) {
                rng.pick(names)
            } else {
                rng.pick(REF_ONLY_NAMES)
            };
            format!("rule:{name}")
        }
        47..=84 => format!("{}:{}", rng.pick(KINDS), rng.pick(MATCHES)),
        85..=91 => rng.pick(LITERAL_ATOMS).to_owned(),
        92..=94 => rng.pick(SYNTAX_ERROR_ATOMS).to_owned(),
        95..=96 => rng.pick(RAISING_MATCHES).to_owned(),
        _ => rng.pick(NON_CHECK_ATOMS).to_owned(),
    }
}

fn operator(rng: &mut Rng, op: &str) -> String {
    if rng.pct(75) {
        return op.to_owned();
    }
    op.chars()
        .map(|c| {
            if rng.pct(50) {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

#[derive(Clone)]
enum Tok {
    Atom(String),
    Op(String),
    Open,
    Close,
}

fn expr(rng: &mut Rng, names: &[&str], depth: usize, out: &mut Vec<Tok>) {
    let roll = rng.below(100);
    if depth == 0 || roll < 40 {
        out.push(Tok::Atom(atom(rng, names)));
    } else if roll < 80 {
        expr(rng, names, depth - 1, out);
        let op = if rng.pct(50) { "and" } else { "or" };
        out.push(Tok::Op(operator(rng, op)));
        expr(rng, names, depth - 1, out);
    } else if roll < 90 {
        out.push(Tok::Op(operator(rng, "not")));
        expr(rng, names, depth - 1, out);
    } else {
        out.push(Tok::Open);
        expr(rng, names, depth - 1, out);
        out.push(Tok::Close);
    }
}

fn separator(rng: &mut Rng) -> &'static str {
    if rng.pct(85) {
        " "
    } else {
        rng.pick(SEPARATORS)
    }
}

fn rule_string(rng: &mut Rng, names: &[&str]) -> String {
    let mut toks = Vec::new();
    expr(rng, names, 3, &mut toks);
    // Now and then break the syntax: the whole rule is then "!".
    if rng.pct(4) && !toks.is_empty() {
        let i = rng.below(toks.len());
        match rng.below(3) {
            0 => {
                toks.remove(i);
            }
            1 => {
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            _ => toks.insert(i, if rng.pct(50) { Tok::Open } else { Tok::Close }),
        }
    }
    let mut s = String::new();
    if rng.pct(5) {
        s.push_str(separator(rng));
    }
    let mut prev: Option<&Tok> = None;
    for tok in &toks {
        if let Some(p) = prev {
            let glued = matches!(p, Tok::Open) || matches!(tok, Tok::Close);
            if glued && rng.pct(70) {
                // "(role:a", "role:a)": the tokenizer peels these.
            } else {
                s.push_str(separator(rng));
            }
        }
        match tok {
            Tok::Atom(a) | Tok::Op(a) => s.push_str(a),
            Tok::Open => s.push('('),
            Tok::Close => s.push(')'),
        }
        prev = Some(tok);
    }
    if rng.pct(5) {
        s.push_str(separator(rng));
    }
    s
}

/// A YAML scalar that is safe to write plain (only for YAML files).
fn plain_ok(s: &str) -> bool {
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '(');
    first_ok
        && s.contains(':')
        && !s.ends_with(':')
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _:%()'.@!+[]{}-".contains(c) && c != '\n')
        && !s.contains(['[', ']', '{', '}'])
}

enum RuleValue {
    Text(String),
    /// Legacy list of lists of atoms (strings).
    Lists(Vec<Vec<String>>),
    /// A non-string scalar written as is (`false`, `null`, `0`, ...).
    Raw(&'static str),
}

fn rule_value(rng: &mut Rng, names: &[&str]) -> RuleValue {
    let roll = rng.below(100);
    if roll < 88 {
        RuleValue::Text(rule_string(rng, names))
    } else if roll < 95 {
        let outer = rng.below(3) + 1;
        RuleValue::Lists(
            (0..outer)
                .map(|_| (0..rng.below(3)).map(|_| atom(rng, names)).collect())
                .collect(),
        )
    } else if roll < 97 {
        RuleValue::Text(String::new())
    } else {
        // Mostly falsy (allow); `true`/`5` make the whole file fail to load.
        RuleValue::Raw(rng.pick(&["false", "null", "[]", "0", "{}", "true", "5"]))
    }
}

fn policy_text(rng: &mut Rng, rules: &[(&str, RuleValue)], yaml: bool) -> String {
    let mut out = String::new();
    if !yaml {
        out.push('{');
    }
    for (i, (name, value)) in rules.iter().enumerate() {
        if yaml {
            if name.chars().all(|c| c.is_ascii_alphanumeric()) && rng.pct(70) {
                out.push_str(name);
            } else {
                json_str(name, &mut out);
            }
            out.push_str(": ");
        } else {
            if i > 0 {
                out.push_str(",\n ");
            }
            json_str(name, &mut out);
            out.push_str(": ");
        }
        match value {
            RuleValue::Text(s) if yaml && plain_ok(s) && rng.pct(50) => out.push_str(s),
            RuleValue::Text(s) => json_str(s, &mut out),
            RuleValue::Raw(r) => out.push_str(r),
            RuleValue::Lists(lists) => {
                out.push('[');
                for (j, inner) in lists.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    if inner.len() == 1 && rng.pct(30) {
                        json_str(&inner[0], &mut out);
                        continue;
                    }
                    out.push('[');
                    for (k, a) in inner.iter().enumerate() {
                        if k > 0 {
                            out.push_str(", ");
                        }
                        json_str(a, &mut out);
                    }
                    out.push(']');
                }
                out.push(']');
            }
        }
        if yaml {
            out.push('\n');
        }
    }
    if !yaml {
        out.push_str("}\n");
    }
    out
}

fn num(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn random_creds(rng: &mut Rng) -> Value {
    let mut m = Map::new();
    let roll = rng.below(100);
    let roles = if roll < 80 {
        let pool = [
            "admin", "Admin", "ADMIN", "member", "reader", "οδος", "i̇", "ss", "a", "b", "k", "K",
        ];
        Some(Value::Array(
            (0..rng.below(4)).map(|_| s(rng.pick(&pool))).collect(),
        ))
    } else if roll < 83 {
        Some(s(rng.pick(&["Admin", "member", ""])))
    } else if roll < 85 {
        Some(obj(vec![("admin", num("1"))]))
    } else if roll < 87 {
        Some(Value::Null)
    } else if roll < 89 {
        Some(Value::Array(vec![s("admin"), num("1")]))
    } else {
        None
    };
    if let Some(r) = roles {
        m.insert("roles".into(), r);
    }
    let mut maybe = |m: &mut Map<String, Value>, key: &str, percent: u64, vals: Vec<Value>| {
        if rng.pct(percent) {
            let v = vals[rng.below(vals.len())].clone();
            m.insert(key.to_owned(), v);
        }
    };
    maybe(&mut m, "project_id", 65, vec![s("p1"), s("p2")]);
    maybe(&mut m, "user_id", 50, vec![s("u1"), s("u2")]);
    maybe(
        &mut m,
        "is_admin",
        30,
        vec![
            Value::Bool(true),
            Value::Bool(false),
            num("1"),
            s("True"),
            s("true"),
        ],
    );
    maybe(
        &mut m,
        "system_scope",
        15,
        vec![s("all"), s(""), Value::Null, Value::Bool(true)],
    );
    maybe(&mut m, "system", 5, vec![s("all"), s("x")]);
    maybe(
        &mut m,
        "a",
        30,
        vec![
            obj(vec![("b", s("x"))]),
            obj(vec![("b", obj(vec![("c", s("x"))]))]),
            Value::Array(vec![obj(vec![("b", s("y"))]), obj(vec![("b", s("x"))])]),
            s("str"),
            obj(vec![("b", Value::Array(vec![s("x"), s("y")]))]),
            Value::Array(vec![
                obj(vec![("b", obj(vec![("c", s("y"))]))]),
                obj(vec![("b", obj(vec![("c", s("x"))]))]),
            ]),
            Value::Null,
        ],
    );
    maybe(
        &mut m,
        "n",
        35,
        vec![
            num("5"),
            num("5.0"),
            num("1e16"),
            num("123456789012345678901234567890"),
            num("-0.0"),
            s("5"),
            num("1"),
        ],
    );
    maybe(
        &mut m,
        "flag",
        30,
        vec![Value::Bool(true), Value::Bool(false), s("True")],
    );
    maybe(
        &mut m,
        "l",
        10,
        vec![
            Value::Array(vec![s("a"), s("b")]),
            Value::Array(vec![Value::Array(vec![s("a")])]),
        ],
    );
    maybe(
        &mut m,
        "d",
        5,
        vec![Value::Object(Map::new()), obj(vec![("k", Value::Null)])],
    );
    maybe(&mut m, "x", 10, vec![obj(vec![("y", s("x"))]), s("x")]);
    maybe(&mut m, "ROLE", 5, vec![s("admin")]);
    if rng.pct(50) {
        // Key order matters (list fan-out, dict repr): shuffle a little.
        let mut entries: Vec<(String, Value)> = m.into_iter().collect();
        if entries.len() > 1 {
            let i = rng.below(entries.len());
            let j = rng.below(entries.len());
            entries.swap(i, j);
        }
        return Value::Object(entries.into_iter().collect());
    }
    Value::Object(m)
}

fn random_target(rng: &mut Rng) -> Value {
    let mut m = Map::new();
    let mut maybe = |m: &mut Map<String, Value>, key: &str, percent: u64, vals: Vec<Value>| {
        if rng.pct(percent) {
            let v = vals[rng.below(vals.len())].clone();
            m.insert(key.to_owned(), v);
        }
    };
    maybe(&mut m, "project_id", 75, vec![s("p1"), s("p2")]);
    maybe(&mut m, "user_id", 50, vec![s("u1"), s("u2")]);
    maybe(&mut m, "id", 40, vec![s("p1"), s("u1"), s("x")]);
    maybe(
        &mut m,
        "n",
        60,
        vec![num("5"), s("x"), num("42"), num("5.0"), num("1e16")],
    );
    maybe(
        &mut m,
        "r",
        50,
        vec![s("Admin"), s("member"), s("b"), s("ΟΔΟΣ"), num("7")],
    );
    maybe(
        &mut m,
        "flag",
        50,
        vec![Value::Bool(true), s("True"), Value::Bool(false)],
    );
    maybe(&mut m, "k", 30, vec![s("v"), num("5")]);
    Value::Object(m)
}

fn random_policies(seed: u64, count: usize) -> Vec<Policy> {
    let mut rng = Rng(seed);
    let mut policies = Vec::new();
    for index in 0..count {
        let mut names: Vec<&str> = Vec::new();
        if rng.pct(70) {
            names.push("default");
        }
        let wanted = 3 + rng.below(5);
        while names.len() < wanted {
            let n = rng.pick(RULE_NAMES);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let rules: Vec<(&str, RuleValue)> = names
            .iter()
            .map(|n| (*n, rule_value(&mut rng, RULE_NAMES)))
            .collect();
        let yaml = rng.pct(50);
        let text = policy_text(&mut rng, &rules, yaml);
        let mut cases = Vec::new();
        for _ in 0..CASES_PER_RANDOM_POLICY {
            let name = if rng.pct(85) {
                rng.pick(&names)
            } else {
                rng.pick(&["nope", "missing", "default", ""])
            };
            let target = random_target(&mut rng);
            let creds = random_creds(&mut rng);
            cases.push(case_line(name, &target, &creds));
        }
        policies.push(Policy {
            label: format!("random seed={seed:#x} #{index}"),
            ext: if yaml { "yaml" } else { "json" }.to_owned(),
            bytes: text.into_bytes(),
            cases,
            random: true,
        });
    }
    policies
}

// ------------------------------------------------------------------ runner

/// What one side said about one policy.
enum Outcome {
    /// The file did not load (non-zero exit, one stderr line, no stdout).
    Load(String),
    Answers(Vec<String>),
    /// Anything else: a contract violation.
    Broken(String),
}

fn run_ours(policy: &Path, cases: &Path, n_cases: usize) -> Outcome {
    let out = Command::new(OURS)
        .arg("eval")
        .arg("--policy")
        .arg(policy)
        .arg("--cases")
        .arg(cases)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        if stdout.is_empty() && stderr.lines().count() == 1 {
            return Outcome::Load(stderr.trim_end().to_owned());
        }
        return Outcome::Broken(format!(
            "exit {:?}, {} stdout lines, stderr {:?}",
            out.status.code(),
            stdout.lines().count(),
            truncate(&stderr, 300)
        ));
    }
    let lines: Vec<String> = stdout.lines().map(str::to_owned).collect();
    if lines.len() != n_cases {
        return Outcome::Broken(format!(
            "exit 0 with {} lines for {n_cases} cases; stderr {:?}",
            lines.len(),
            truncate(&stderr, 300)
        ));
    }
    Outcome::Answers(lines)
}

fn run_oracle(python: &Path, requests: &Path, expected: usize) -> Vec<Outcome> {
    let oracle = common::oracle("policy_oracle.py");
    let out = Command::new(python)
        .arg(&oracle)
        .stdin(std::fs::File::open(requests).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "policy_oracle.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Outcome> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            if let Some(e) = v.get("load_error") {
                Outcome::Load(e.as_str().unwrap_or_default().to_owned())
            } else {
                let list = v.get("answers").and_then(Value::as_array).unwrap();
                Outcome::Answers(
                    list.iter()
                        .map(|a| a.as_str().unwrap().to_owned())
                        .collect(),
                )
            }
        })
        .collect();
    assert_eq!(answers.len(), expected, "oracle answered too few policies");
    answers
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}... ({} chars)", s.chars().count())
    }
}

/// `true`, `false`, `error` or `invalid` (not an allowed answer).
fn class(answer: &str) -> &'static str {
    match answer {
        "true" => "true",
        "false" => "false",
        a if a.starts_with("error:") => "error",
        _ => "invalid",
    }
}

/// `class()`, or what happened to the whole file.
fn kind(answer: &str) -> &'static str {
    if answer.starts_with("load error") {
        "load-error"
    } else if answer.starts_with("loaded") {
        "loaded"
    } else if answer.starts_with("contract violation") {
        "contract-violation"
    } else {
        class(answer)
    }
}

struct Mismatch {
    label: String,
    policy: String,
    case: String,
    reference: String,
    ours: String,
}

#[derive(Default)]
struct Tally {
    cases: usize,
    agree: usize,
    by_ref: BTreeMap<&'static str, usize>,
    load_errors: usize,
}

/// The rule name of a case line (for grouping).
fn case_name(case: &str) -> String {
    serde_json::from_str::<Value>(case)
        .ok()
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| case.to_owned())
}

/// The policy text to show: all of it when short, else the lines that
/// define `name` (hand-written files are long).
fn policy_excerpt(text: &str, name: &str) -> String {
    if text.chars().count() <= 600 {
        return text.to_owned();
    }
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.strip_prefix(name)
                .or_else(|| l.strip_prefix(&format!("\"{name}\"")))
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .collect();
    if lines.is_empty() {
        truncate(text, 600)
    } else {
        format!("[excerpt] {}", lines.join("\n"))
    }
}

/// A table of mismatch groups (policy, rule, reference class -> ours)
/// and the first mismatches, one per group first.
fn report_mismatches(mismatches: &[Mismatch]) {
    if mismatches.is_empty() {
        return;
    }
    let mut groups: BTreeMap<(String, String, String, String), Vec<usize>> = BTreeMap::new();
    for (i, m) in mismatches.iter().enumerate() {
        let key = (
            m.label.clone(),
            case_name(&m.case),
            kind(&m.reference).to_owned(),
            kind(&m.ours).to_owned(),
        );
        groups.entry(key).or_default().push(i);
    }
    eprintln!(
        "{} mismatches in {} groups (policy / rule: reference -> ours):",
        mismatches.len(),
        groups.len()
    );
    for ((label, name, r, o), idx) in &groups {
        eprintln!("  {label} / {name:?}: {r} -> {o} ({}x)", idx.len());
    }
    let mut shown: Vec<usize> = groups.values().filter_map(|v| v.first().copied()).collect();
    shown.truncate(SHOWN_MISMATCHES);
    for i in 0..mismatches.len() {
        if shown.len() >= SHOWN_MISMATCHES {
            break;
        }
        if !shown.contains(&i) {
            shown.push(i);
        }
    }
    shown.sort_unstable();
    for i in shown {
        let m = &mismatches[i];
        eprintln!(
            "--- MISMATCH {}\n  policy: {}\n  case:   {}\n  reference: {}\n  ours:      {}",
            m.label,
            policy_excerpt(&m.policy, &case_name(&m.case)).replace('\n', "\n          "),
            truncate(&m.case, 600),
            m.reference,
            m.ours
        );
    }
    if mismatches.len() > SHOWN_MISMATCHES {
        eprintln!(
            "... {} mismatches not shown",
            mismatches.len() - SHOWN_MISMATCHES
        );
    }
}

#[test]
fn eval_agrees_with_reference() {
    let Some(python) = common::reference_python("eval_differential") else {
        return;
    };
    let seed = oslo_test_support::seed(DEFAULT_SEED);
    let random_count = std::env::var("POLICY_DIFF_POLICIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RANDOM_POLICIES);

    let dir = suite_dir().join("cases");
    let common_json = read_json(&dir.join("common.json"));
    let common = Common {
        creds: array(common_json.get("creds")).unwrap(),
        targets: array(common_json.get("targets")).unwrap(),
    };
    let mut policies = hand_written();
    policies.extend(byte_level(&common));
    policies.extend(random_policies(seed, random_count));

    // Same files for both sides.
    let tmp = tempfile::tempdir().unwrap();
    if std::env::var_os("POLICY_DIFF_KEEP").is_some() {
        eprintln!(
            "eval_differential: keeping the files in {}",
            tmp.path().display()
        );
    }
    let mut requests: Vec<String> = Vec::new();
    let mut paths = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        let policy_path = tmp.path().join(format!("p{i}.{}", p.ext));
        let cases_path = tmp.path().join(format!("p{i}.cases.jsonl"));
        std::fs::write(&policy_path, &p.bytes).unwrap();
        let mut cases = p.cases.join("\n");
        cases.push('\n');
        std::fs::write(&cases_path, cases).unwrap();
        let mut req = Map::new();
        req.insert(
            "policy_path".into(),
            Value::String(policy_path.display().to_string()),
        );
        req.insert(
            "cases_path".into(),
            Value::String(cases_path.display().to_string()),
        );
        requests.push(format!("{}\n", Value::Object(req)));
        paths.push((policy_path, cases_path));
    }
    // Several reference processes (Python is the slow side).
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(1, 4);
    let per_oracle = requests.len().div_ceil(workers).max(1);
    let request_files: Vec<(PathBuf, usize)> = requests
        .chunks(per_oracle)
        .enumerate()
        .map(|(i, chunk)| {
            let path = tmp.path().join(format!("requests{i}.jsonl"));
            std::fs::write(&path, chunk.concat()).unwrap();
            (path, chunk.len())
        })
        .collect();

    eprintln!(
        "eval_differential: {} policies, {} cases ({} random)",
        policies.len(),
        policies.iter().map(|p| p.cases.len()).sum::<usize>(),
        policies
            .iter()
            .filter(|p| p.random)
            .map(|p| p.cases.len())
            .sum::<usize>()
    );
    let started = std::time::Instant::now();
    let (reference, ours) = std::thread::scope(|scope| {
        let oracles: Vec<_> = request_files
            .iter()
            .map(|(path, n)| {
                let python = &python;
                scope.spawn(move || run_oracle(python, path, *n))
            })
            .collect();
        let chunk = policies.len().div_ceil(workers);
        let workers: Vec<_> = policies
            .chunks(chunk)
            .zip(paths.chunks(chunk))
            .map(|(ps, pp)| {
                scope.spawn(move || {
                    ps.iter()
                        .zip(pp)
                        .map(|(p, (policy, cases))| run_ours(policy, cases, p.cases.len()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let ours: Vec<Outcome> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        eprintln!("eval_differential: ours took {:.1?}", started.elapsed());
        let reference: Vec<Outcome> = oracles
            .into_iter()
            .flat_map(|o| o.join().unwrap())
            .collect();
        eprintln!(
            "eval_differential: reference took {:.1?}",
            started.elapsed()
        );
        (reference, ours)
    });

    let mut hand = Tally::default();
    let mut random = Tally::default();
    let mut mismatches: Vec<Mismatch> = Vec::new();
    for ((p, r), o) in policies.iter().zip(&reference).zip(&ours) {
        let tally = if p.random { &mut random } else { &mut hand };
        let text = String::from_utf8_lossy(&p.bytes).into_owned();
        let mut mismatch = |case: &str, reference: String, ours: String| {
            mismatches.push(Mismatch {
                label: p.label.clone(),
                policy: text.clone(),
                case: case.to_owned(),
                reference,
                ours,
            });
        };
        match (r, o) {
            (Outcome::Load(_), Outcome::Load(_)) => {
                tally.load_errors += 1;
                tally.cases += 1;
                tally.agree += 1;
            }
            (Outcome::Answers(ra), Outcome::Answers(oa)) => {
                for ((case, ra), oa) in p.cases.iter().zip(ra).zip(oa) {
                    tally.cases += 1;
                    let rc = class(ra);
                    *tally.by_ref.entry(rc).or_default() += 1;
                    if rc == class(oa) && rc != "invalid" {
                        tally.agree += 1;
                    } else {
                        mismatch(case, ra.clone(), oa.clone());
                    }
                }
            }
            (r, o) => {
                tally.cases += 1;
                let show = |x: &Outcome| match x {
                    Outcome::Load(e) => format!("load error: {e}"),
                    Outcome::Answers(a) => format!("loaded ({} answers)", a.len()),
                    Outcome::Broken(b) => format!("contract violation: {b}"),
                };
                mismatch("(the file itself)", show(r), show(o));
            }
        }
    }

    let total_cases = hand.cases + random.cases;
    let total_agree = hand.agree + random.agree;
    eprintln!(
        "eval_differential: {} policies ({} hand-written/byte-level, {} random, seed {seed:#x}), \
         {total_cases} decisions, {total_agree} agree, {} mismatches, {:.1?}",
        policies.len(),
        policies.iter().filter(|p| !p.random).count(),
        random_count,
        mismatches.len(),
        started.elapsed()
    );
    for (what, t) in [("hand-written", &hand), ("random", &random)] {
        eprintln!(
            "  {what}: {} decisions ({} policy load errors), {} agree; reference answers {:?}",
            t.cases, t.load_errors, t.agree, t.by_ref
        );
    }
    report_mismatches(&mismatches);

    // The random corpus must exercise all three outcomes.
    let decided: usize = random.by_ref.values().sum();
    for outcome in ["true", "false", "error"] {
        let n = random.by_ref.get(outcome).copied().unwrap_or(0);
        assert!(
            n * 20 > decided,
            "random corpus: only {n} of {decided} reference answers are {outcome} (need > 5%)"
        );
    }
    if std::env::var_os("POLICY_DIFF_KEEP").is_some() {
        let _ = tmp.keep();
    }
    assert!(
        mismatches.is_empty(),
        "{} of {total_cases} decisions differ from the reference",
        mismatches.len()
    );
}
