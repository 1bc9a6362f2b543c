//! Differential test of `oslo_config::ini` against the reference's
//! `cfg.ConfigParser`: thousands of generated config texts, parsed by both,
//! compared section by section (name, header line, keys, values) or error
//! by error (line number, reason, line text, message).
#![cfg(test)]

use std::ffi::OsStr;
use std::io::Write;

use oslo_config::ini;
use oslo_test_support::{Rng, oracle_agrees, reference_python};
use serde_json::json;

const CASES: usize = 6000;

/// Pieces a line is built from.
const NAMES: &[&str] = &[
    "DEFAULT",
    "default",
    "database",
    "Database",
    " x ",
    "a b",
    "]",
    "[a",
    "é",
    "k=v",
    "#",
    "\u{a0}",
    "x\u{2028}y",
    "'q'",
    "a\tb",
];
const KEYS: &[&str] = &[
    "a",
    "foo_bar",
    "foo-bar",
    "Key",
    " k",
    "k ",
    "\u{3000}k",
    "é",
    "x y",
    "a'b",
    "\u{85}",
    "",
    " ",
    "#k",
    ";k",
    "[k",
    "k]",
    "\\",
    "\u{200b}",
];
const VALUES: &[&str] = &[
    "",
    "v",
    " v ",
    "\"x\"",
    "'x'",
    "\"",
    "'",
    "\"x'",
    "''",
    "\"\"",
    " \"a b\" ",
    "'\"'",
    "a = b",
    "a: b",
    "x # c",
    "1,2",
    "\\$x",
    "\u{a0}v\u{a0}",
    "\u{7f}",
    "\x0b",
    "x\x0cy",
    "\u{ffff}",
    "\u{1f600}",
    "\"\u{e9}\"",
    "\t",
    "it's",
    "a\"b'c",
    "\u{2029}",
    "\u{1c}z",
    "=",
    ":",
];
const SEPS: &[&str] = &["=", ":", " = ", " : ", "= ", " :", "\t=\t", "=:", ":="];
const TRAIL: &[&str] = &[
    "", "", "", " ", "\t", "\x0c", "\u{3000}", "\u{85}", "\x1f", " \t ",
];
const INDENT: &[&str] = &[" ", "\t", "  ", " \t", "\t\u{a0}"];
const ENDS: &[&str] = &["\n", "\n", "\n", "\n", "\r\n", "\r"];

fn line(rng: &mut Rng, header_first: bool) -> String {
    let kind = if header_first { 0 } else { rng.below(20) };
    let mut s = match kind {
        0..=2 => format!("[{}]", rng.pick(NAMES)),
        3..=10 => format!("{}{}{}", rng.pick(KEYS), rng.pick(SEPS), rng.pick(VALUES)),
        11..=12 => format!("{}{}", rng.pick(INDENT), rng.pick(VALUES)),
        13 => format!("{}# {}", rng.pick(INDENT), rng.pick(VALUES)),
        14 => format!("{} {}", rng.pick(&["#", ";", "#", ";;"]), rng.pick(VALUES)),
        15 => String::new(),
        16 => rng
            .pick(&[
                "[]",
                "[",
                "[a",
                "[ ]",
                "[[]]",
                "novalue",
                "\u{feff}[DEFAULT]",
                "x y z",
                "[a]]",
                "[a] ",
                "\u{a0}[s]",
                "\x0bk=v",
                " [s]",
            ])
            .to_owned(),
        17 => format!("{}{}{}", rng.pick(KEYS), rng.pick(SEPS), rng.pick(KEYS)),
        18 => format!(
            "{}{}{}{}",
            rng.pick(KEYS),
            rng.pick(SEPS),
            rng.pick(VALUES),
            rng.pick(VALUES)
        ),
        _ => format!("k{}{}", rng.below(4), rng.pick(&["=v", " = \"w\"", ":x"])),
    };
    s.push_str(rng.pick(TRAIL));
    s
}

fn text(rng: &mut Rng) -> String {
    let n = rng.below(14);
    let header_first = rng.pct(85);
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&line(rng, header_first && i == 0));
        if i + 1 < n || rng.pct(70) {
            out.push_str(rng.pick(ENDS));
        }
    }
    out
}

fn ours(text: &str) -> serde_json::Value {
    match ini::parse(text) {
        Ok(doc) => json!({
            "ok": doc
                .sections
                .iter()
                .map(|s| json!([
                    s.name,
                    s.lineno,
                    s.items.iter().map(|a| json!([a.key, a.value])).collect::<Vec<_>>()
                ]))
                .collect::<Vec<_>>()
        }),
        Err(e) => json!({"err": [e.lineno, e.reason, e.line, e.message("F")]}),
    }
}

#[test]
fn ini_matches_reference() {
    let Some(python) = reference_python("oslo_config", "ini_matches_reference") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("ini_cases.jsonl");
    let mut file = std::fs::File::create(&cases).unwrap();
    let mut rng = Rng(0x1a1_5eed);
    let (mut oks, mut errs) = (0, 0);
    let mut reasons = std::collections::BTreeMap::new();
    for _ in 0..CASES {
        let t = text(&mut rng);
        let result = ours(&t);
        if result.get("ok").is_some() {
            oks += 1;
        } else {
            errs += 1;
            *reasons
                .entry(result["err"][1].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
        writeln!(file, "{}", json!({"text": t, "ours": result})).unwrap();
    }
    drop(file);
    eprintln!("ini differential: {CASES} cases ({oks} parse, {errs} errors: {reasons:?})");
    assert_eq!(reasons.len(), 6, "every error kind generated: {reasons:?}");
    assert!(oks > CASES / 5 && errs > CASES / 5, "{oks} / {errs}");
    let script = oslo_test_support::conformance("oslo-config").join("oracle/ini_oracle.py");
    oracle_agrees(
        "ini_matches_reference",
        &python,
        &script,
        &[OsStr::new(&cases)],
        &format!("{CASES} cases, 0 mismatches"),
    );
}
