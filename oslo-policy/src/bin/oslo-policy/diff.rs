//! `oslo-policy diff`: the report of `oslo_policy::analysis::diff`, as
//! text or JSON.

use std::fmt::Write as _;

use oslo_policy::Value;
use oslo_policy::analysis::{Atom, Change, DiffReport, Outcome, Request, Term};
use serde_json::{Value as Json, json};

/// How many terms of a condition the text shows.
const SHOWN_TERMS: usize = 8;

pub(crate) fn text(report: &DiffReport) -> String {
    let mut out = String::new();
    let mut changed = 0;
    let mut undecided = 0;
    let mut moved = 0;
    for rule in &report.rules {
        let from = rule
            .moved_from
            .as_ref()
            .map(|f| format!(" (renamed from {f})"))
            .unwrap_or_default();
        match &rule.outcome {
            Outcome::Changed { gained, lost } => {
                changed += 1;
                let _ = writeln!(out, "CHANGED {}{from}", rule.name);
                if let Some(c) = gained {
                    change_text(&mut out, "now allowed, was denied", c);
                }
                if let Some(c) = lost {
                    change_text(&mut out, "now denied, was allowed", c);
                }
                if !rule.personas.is_empty() {
                    let names: Vec<&str> = rule.personas.iter().map(|(p, _)| p.as_str()).collect();
                    let _ = writeln!(out, "  personas affected: {}", names.join(", "));
                }
            }
            Outcome::Undecided(why) => {
                undecided += 1;
                let _ = writeln!(out, "UNDECIDED {}{from}: {why}", rule.name);
            }
            Outcome::Moved => {
                moved += 1;
                let _ = writeln!(out, "MOVED {}{from}: decides as before", rule.name);
            }
            _ => {}
        }
    }
    let _ = write!(
        out,
        "{} rules compared: {changed} changed, {undecided} undecided, {moved} moved, {} the same",
        report.compared,
        report.compared - changed - undecided - moved
    );
    if !report.same_text.is_empty() {
        let _ = write!(
            out,
            " ({} of them by their text, not analysed)",
            report.same_text.len()
        );
    }
    out.push('\n');
    out
}

fn change_text(out: &mut String, heading: &str, change: &Change) {
    let _ = writeln!(out, "  {heading}, when any of:");
    for term in change.condition.iter().take(SHOWN_TERMS) {
        let _ = writeln!(out, "    {}", term_text(term));
    }
    let hidden = change.condition.len().saturating_sub(SHOWN_TERMS);
    if hidden > 0 || change.truncated {
        let _ = writeln!(
            out,
            "    ... and {}more",
            if change.truncated {
                String::new()
            } else {
                format!("{hidden} ")
            }
        );
    }
    let w = &change.witness;
    let _ = writeln!(
        out,
        "  for example: creds {} target {}{}",
        value_json(&w.creds),
        value_json(&w.target),
        if change.opaque {
            " (a policy server's answer decides it)"
        } else {
            ""
        }
    );
}

fn term_text(term: &Term) -> String {
    if term.is_empty() {
        return "every request".to_owned();
    }
    term.iter()
        .map(|(atom, holds)| atom.describe(*holds))
        .collect::<Vec<_>>()
        .join(" and ")
}

pub(crate) fn json(report: &DiffReport) -> Json {
    let mut changed = Vec::new();
    let mut undecided = Vec::new();
    let mut moved = Vec::new();
    for rule in &report.rules {
        match &rule.outcome {
            Outcome::Changed { gained, lost } => changed.push(json!({
                "name": rule.name,
                "moved_from": rule.moved_from,
                "gained": gained.as_deref().map(change_json),
                "lost": lost.as_deref().map(change_json),
                "personas": rule
                    .personas
                    .iter()
                    .map(|(p, r)| json!({"name": p, "witness": request_json(r)}))
                    .collect::<Vec<_>>(),
            })),
            Outcome::Undecided(why) => undecided.push(json!({
                "name": rule.name,
                "moved_from": rule.moved_from,
                "reason": why,
            })),
            Outcome::Moved => moved.push(json!({
                "name": rule.name,
                "moved_from": rule.moved_from,
            })),
            _ => {}
        }
    }
    json!({
        "compared": report.compared,
        "changed": changed,
        "undecided": undecided,
        "moved": moved,
        "same_by_text": report
            .same_text
            .iter()
            .map(|(name, why)| json!({"name": name, "not_analysed": why.to_string()}))
            .collect::<Vec<_>>(),
    })
}

fn change_json(change: &Change) -> Json {
    json!({
        "condition": change
            .condition
            .iter()
            .map(|t| t.iter().map(|(a, holds)| atom_json(a, *holds)).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        "truncated": change.truncated,
        "opaque": change.opaque,
        "witness": request_json(&change.witness),
    })
}

pub(crate) fn atom_json(atom: &Atom, holds: bool) -> Json {
    let mut j = match atom {
        Atom::Role(r) => json!({"atom": "role", "role": r}),
        Atom::CredEq { path, value } => json!({"atom": "creds_eq", "path": path, "value": value}),
        Atom::CredEqTarget { path, attr } => {
            json!({"atom": "creds_eq_target", "path": path, "target": attr})
        }
        Atom::TargetEq { attr, value } => {
            json!({"atom": "target_eq", "target": attr, "value": value})
        }
        Atom::Truthy(path) => json!({"atom": "creds_set", "path": path}),
        Atom::External { kind, pattern } => {
            json!({"atom": "external", "kind": kind, "pattern": pattern})
        }
        other => json!({"atom": other.to_string()}),
    };
    if let Json::Object(m) = &mut j {
        m.insert("holds".to_owned(), Json::Bool(holds));
        m.insert("text".to_owned(), Json::String(atom.describe(holds)));
    }
    j
}

pub(crate) fn request_json(r: &Request) -> Json {
    json!({
        "creds": value_json(&r.creds),
        "target": value_json(&r.target),
        "answers": answers_json(&r.answers),
    })
}

/// The policy servers' answers a request assumes.
pub(crate) fn answers_json(answers: &[(String, String, bool)]) -> Json {
    answers
        .iter()
        .map(|(k, p, v)| json!({"check": format!("{k}:{p}"), "answer": v}))
        .collect()
}

/// A witness value (strings, lists and dicts of them) as JSON.
pub(crate) fn value_json(v: &Value) -> Json {
    match v {
        Value::Str(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(value_json).collect()),
        Value::Dict(items) => Json::Object(
            items
                .iter()
                .map(|(k, v)| (k.py_str(), value_json(v)))
                .collect(),
        ),
        Value::Bool(b) => Json::Bool(*b),
        Value::None => Json::Null,
        other => Json::String(other.py_str()),
    }
}
