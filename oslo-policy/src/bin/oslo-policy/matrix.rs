//! `oslo-policy matrix`: the matrix of `oslo_policy::analysis::matrix` as
//! a terminal table, Markdown, CSV, JSON or one HTML page.

use std::fmt::Write as _;

use oslo_policy::analysis::{Atom, Cell, Matrix, Persona, Term};
use serde_json::{Value as Json, json};

use oslo_policy::analysis::Request;

use crate::diff::{answers_json, atom_json, value_json};

/// A cell's example: the target (the credentials are the persona's) and
/// the policy servers' answers it assumes.
fn target_json(r: &Request) -> Json {
    json!({
        "target": value_json(&r.target),
        "answers": answers_json(&r.answers),
    })
}

/// Whether `name` matches the glob `pattern` (`*` any run, `?` one
/// character, everything else itself).
pub(crate) fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with one backtrack point for the last `*`.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == n.get(ni) => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p.iter().skip(pi).all(|c| *c == '*')
}

/// One term of a cell's condition, in the persona's values.
fn term_text(term: &Term, persona: &Persona) -> String {
    if term.is_empty() {
        return "any target".to_owned();
    }
    term.iter()
        .map(|(atom, holds)| match atom {
            Atom::CredEqTarget { path, attr } => {
                let values = persona.values_at(path);
                let shown = match values.as_slice() {
                    [one] => format!("{one:?}"),
                    many => format!("one of {many:?}"),
                };
                let op = if *holds { "==" } else { "!=" };
                let op = if values.len() > 1 && *holds {
                    "is"
                } else if values.len() > 1 {
                    "is not"
                } else {
                    op
                };
                format!("target.{attr} {op} {shown} (creds.{path})")
            }
            other => other.describe(*holds),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fn condition_text(condition: &[Term], persona: &Persona) -> String {
    condition
        .iter()
        .map(|t| term_text(t, persona))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The word for a cell (and its condition, for a target-dependent one).
fn cell_text(cell: &Cell, persona: &Persona) -> String {
    match cell {
        Cell::Allowed => "allowed".to_owned(),
        Cell::Denied => "denied".to_owned(),
        Cell::Depends { condition, .. } => format!("if {}", condition_text(condition, persona)),
        Cell::Undecided(why) => format!("undecided: {why}"),
        _ => "undecided".to_owned(),
    }
}

fn mark(cell: &Cell) -> char {
    match cell {
        Cell::Allowed => 'Y',
        Cell::Denied => '.',
        Cell::Depends { .. } => '?',
        _ => '!',
    }
}

pub(crate) fn text(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Y allowed   . denied   ? depends on the target (condition below)   ! undecided"
    );
    for (i, p) in m.personas.iter().enumerate() {
        let _ = writeln!(out, "  column {:>2}: {}", i + 1, p.name);
    }
    let width = m
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4);
    let numbers: String = (1..=m.personas.len())
        .map(|i| char::from(b'0' + u8::try_from(i % 10).unwrap_or(0)))
        .collect();
    let _ = writeln!(out, "{:width$}  {numbers}", "");
    for row in &m.rows {
        let marks: String = row.cells.iter().map(mark).collect();
        let _ = writeln!(out, "{:width$}  {marks}", row.name);
        for (cell, persona) in row.cells.iter().zip(&m.personas) {
            if matches!(cell, Cell::Depends { .. } | Cell::Undecided(_)) {
                let _ = writeln!(out, "    {}: {}", persona.name, cell_text(cell, persona));
            }
        }
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub(crate) fn markdown(m: &Matrix) -> String {
    let mut out = String::from("| rule |");
    for p in &m.personas {
        let _ = write!(out, " {} |", md_escape(&p.name));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(m.personas.len()));
    out.push('\n');
    for row in &m.rows {
        let _ = write!(out, "| `{}` |", md_escape(&row.name));
        for (cell, p) in row.cells.iter().zip(&m.personas) {
            let shown = match cell {
                Cell::Allowed => "✅".to_owned(),
                Cell::Denied => "❌".to_owned(),
                other => format!("⚠️ {}", cell_text(other, p)),
            };
            let _ = write!(out, " {} |", md_escape(&shown));
        }
        out.push('\n');
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub(crate) fn csv(m: &Matrix) -> String {
    let mut out = String::from("rule");
    for p in &m.personas {
        out.push(',');
        out.push_str(&csv_field(&p.name));
    }
    out.push('\n');
    for row in &m.rows {
        out.push_str(&csv_field(&row.name));
        for (cell, p) in row.cells.iter().zip(&m.personas) {
            out.push(',');
            out.push_str(&csv_field(&cell_text(cell, p)));
        }
        out.push('\n');
    }
    out
}

/// The matrix as one JSON document, written directly (16,000 cells as
/// `serde_json::Value`s took most of the command's time).
pub(crate) fn json(m: &Matrix) -> String {
    let mut out = String::with_capacity(64 * m.rows.len() * m.personas.len().max(1));
    out.push_str("{\"personas\": [");
    for (i, (p, (own, other))) in m.personas.iter().zip(&m.targets).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str("{\"name\": ");
        pycompat::json::push_str(&mut out, &p.name);
        for (key, value) in [
            ("creds", &p.creds),
            ("own_target", own),
            ("other_target", other),
        ] {
            let _ = write!(out, ", \"{key}\": {}", value_json(value));
        }
        let _ = write!(
            out,
            ", \"relation\": \"{}\"}}",
            format!("{:?}", p.relation).to_lowercase()
        );
    }
    out.push_str("], \"rules\": [");
    for (i, row) in m.rows.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str("{\"name\": ");
        pycompat::json::push_str(&mut out, &row.name);
        out.push_str(", \"cells\": [");
        for (j, (cell, p)) in row.cells.iter().zip(&m.personas).enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            match cell {
                Cell::Allowed => out.push_str("{\"decision\": \"allowed\"}"),
                Cell::Denied => out.push_str("{\"decision\": \"denied\"}"),
                Cell::Depends {
                    condition,
                    allowed,
                    denied,
                } => {
                    out.push_str("{\"decision\": \"depends\", \"condition\": ");
                    pycompat::json::push_str(&mut out, &condition_text(condition, p));
                    let terms: Vec<Vec<Json>> = condition
                        .iter()
                        .map(|t| t.iter().map(|(a, h)| atom_json(a, *h)).collect())
                        .collect();
                    let _ = write!(
                        out,
                        ", \"terms\": {}, \"allowed_on\": {}, \"denied_on\": {}}}",
                        json!(terms),
                        target_json(allowed),
                        target_json(denied)
                    );
                }
                other => {
                    out.push_str("{\"decision\": \"undecided\", \"reason\": ");
                    pycompat::json::push_str(&mut out, &cell_text(other, p));
                    out.push('}');
                }
            }
        }
        out.push_str("]}");
    }
    out.push_str("]}\n");
    out
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:1em}\
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px}\
th{background:#f4f4f4;position:sticky;top:0}td.rule{font-family:monospace}\
td.allowed{background:#b7e4b0}td.denied{background:#f3b6b6}\
td.depends{background:#fde9a9}td.undecided{background:#ccc}\
td.c{text-align:center;min-width:2.5em}.hidden{display:none}\
#legend span{padding:2px 8px;margin-right:6px}";

const SCRIPT: &str = r#"
function apply() {
  const r = document.getElementById('rule').value.toLowerCase();
  const p = document.getElementById('persona').value.toLowerCase();
  const heads = Array.from(document.querySelectorAll('th.p'));
  const show = heads.map(h => h.textContent.toLowerCase().includes(p));
  heads.forEach((h, i) => h.classList.toggle('hidden', !show[i]));
  let shown = 0;
  document.querySelectorAll('tbody tr').forEach(tr => {
    const ok = tr.dataset.rule.toLowerCase().includes(r);
    tr.classList.toggle('hidden', !ok);
    if (ok) shown++;
    tr.querySelectorAll('td.c').forEach((td, i) => td.classList.toggle('hidden', !show[i]));
  });
  document.getElementById('count').textContent = shown;
}
window.addEventListener('DOMContentLoaded', () => {
  const q = new URLSearchParams(location.hash.slice(1));
  if (q.has('rule')) document.getElementById('rule').value = q.get('rule');
  if (q.has('persona')) document.getElementById('persona').value = q.get('persona');
  document.getElementById('rule').addEventListener('input', apply);
  document.getElementById('persona').addEventListener('input', apply);
  apply();
});
"#;

pub(crate) fn html(m: &Matrix, title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{t}</title><style>{STYLE}</style><script>{SCRIPT}</script></head><body>\
         <h1>{t}</h1><p id=\"legend\"><span class=\"allowed\" style=\"background:#b7e4b0\">allowed</span>\
         <span style=\"background:#f3b6b6\">denied</span>\
         <span style=\"background:#fde9a9\">depends on the target (hover for the condition)</span>\
         <span style=\"background:#ccc\">undecided</span></p>\
         <p><label>rule <input id=\"rule\" placeholder=\"filter rules\"></label> \
         <label>persona <input id=\"persona\" placeholder=\"filter personas\"></label> \
         <span id=\"count\">{n}</span> of {n} rules</p>\n<table><thead><tr><th>rule</th>",
        t = html_escape(title),
        n = m.rows.len()
    );
    for p in &m.personas {
        let _ = write!(out, "<th class=\"p\">{}</th>", html_escape(&p.name));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &m.rows {
        let name = html_escape(&row.name);
        let _ = write!(
            out,
            "<tr data-rule=\"{name}\"><td class=\"rule\">{name}</td>"
        );
        for (cell, p) in row.cells.iter().zip(&m.personas) {
            let (class, mark) = match cell {
                Cell::Allowed => ("allowed", "✔"),
                Cell::Denied => ("denied", "✘"),
                Cell::Depends { .. } => ("depends", "?"),
                _ => ("undecided", "!"),
            };
            let _ = write!(
                out,
                "<td class=\"c {class}\" title=\"{}: {}\">{mark}</td>",
                html_escape(&p.name),
                html_escape(&cell_text(cell, p))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob(
            "os_compute_api:servers:*",
            "os_compute_api:servers:create"
        ));
        assert!(glob("*create*", "os_compute_api:servers:create:attach"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "abbc"));
        assert!(glob("*", ""));
        assert!(!glob("identity:*", "os_compute_api:x"));
        assert!(glob("a*b*c", "aXbYbZc"));
    }
}
