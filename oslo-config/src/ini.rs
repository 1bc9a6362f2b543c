//! The INI dialect of oslo.config: `iniparser.BaseParser` as
//! `cfg.ConfigParser` drives it.
//!
//! The rules, all of them the reference's:
//!
//! * the text is split with Python's universal newlines (`\n`, `\r\n` and a
//!   lone `\r` end a line; nothing else does) and every line is
//!   `rstrip()`-ed of all Python whitespace;
//! * a blank line ends a multi-line value;
//! * a line starting with a space or a tab continues the open value
//!   (`lstrip()`-ed, joined with `\n`), even when it looks like a comment;
//!   with no open value it is `Unexpected continuation line`;
//! * any other line first closes the open value; then `[name]` opens a
//!   section (the name unstripped), `#` or `;` at column 0 is a comment, and
//!   anything else is `key = value` / `key: value`, split at whichever of
//!   `=` and `:` comes first, both sides stripped, and one pair of matching
//!   quotes removed from the first-line value;
//! * a value closed before any section header is `Section must be started
//!   before assignment`, reported with the number of the line that closed
//!   it (or of the last line) and an empty line text.

use std::collections::HashMap;

use pycompat::str::{py_lstrip, py_rstrip, py_strip, universal_lines};
use pycompat::value::str_repr;

/// One `key = value` (continuation lines joined with '\n', one pair of quotes stripped as the reference does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The key, stripped; never empty.
    pub key: String,
    /// The value: the first line's (stripped, one pair of quotes removed)
    /// followed by each continuation line's, joined with `\n`.
    pub value: String,
    /// The 1-based number of the line holding the key.
    pub lineno: usize,
}

/// A `[name]` header and the assignments under it until the next header. `name` is raw (as written between the brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// What is between the brackets, unstripped; never empty.
    pub name: String,
    /// The 1-based number of the header line.
    pub lineno: usize,
    /// The assignments under the header, in file order.
    pub items: Vec<Assignment>,
}

/// A parsed file: sections in file order (a reopened section appears again).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// Every header of the file with what follows it, in file order.
    pub sections: Vec<Section>,
}

/// One section of [`Document::merged`]: a raw section name and its keys,
/// each with all of its values.
pub type MergedSection<'a> = (&'a str, Vec<(&'a str, Vec<&'a str>)>);

impl Document {
    /// The file as `cfg.ConfigParser` stores it: a dict from raw section
    /// name to a dict from key to the list of its values, both in
    /// first-appearance order; reopened sections and repeated keys are
    /// merged, values kept in file order. A header without assignments
    /// still gives an (empty) section.
    pub fn merged(&self) -> Vec<MergedSection<'_>> {
        let mut out: Vec<MergedSection<'_>> = Vec::new();
        let mut section_index: HashMap<&str, usize> = HashMap::new();
        let mut key_index: Vec<HashMap<&str, usize>> = Vec::new();
        for section in &self.sections {
            let si = *section_index.entry(&section.name).or_insert_with(|| {
                out.push((&section.name, Vec::new()));
                key_index.push(HashMap::new());
                out.len() - 1
            });
            let (Some((_, keys)), Some(index)) = (out.get_mut(si), key_index.get_mut(si)) else {
                continue;
            };
            for item in &section.items {
                let ki = *index.entry(&item.key).or_insert_with(|| {
                    keys.push((&item.key, Vec::new()));
                    keys.len() - 1
                });
                if let Some((_, values)) = keys.get_mut(ki) {
                    values.push(&item.value);
                }
            }
        }
        out
    }
}

/// A parse error: 1-based line number, reason (`Invalid section (must end with ])`, `Empty section name`, `Unexpected continuation line`, `No ':' or '=' found in assignment`, `Key cannot be empty`, `Section must be started before assignment`), and the offending line text (as the reference reports it; '' where it does).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at line {lineno}, {reason}: {}", str_repr(.line))]
pub struct ParseError {
    /// The 1-based line number the reference reports.
    pub lineno: usize,
    /// What is wrong (the reference's text).
    pub reason: String,
    /// The offending line, right-stripped (`''` for a missing section).
    pub line: String,
}

impl ParseError {
    /// `at {file}:{lineno}, {reason}: {line!r}` with Python repr of the line
    /// (the text of `cfg.ParseError`).
    pub fn message(&self, file: &str) -> String {
        format!(
            "at {file}:{}, {}: {}",
            self.lineno,
            self.reason,
            str_repr(&self.line)
        )
    }
}

/// `Invalid section (must end with ])`.
pub const INVALID_SECTION: &str = "Invalid section (must end with ])";
/// `Empty section name`.
pub const EMPTY_SECTION: &str = "Empty section name";
/// `Unexpected continuation line`.
pub const UNEXPECTED_CONTINUATION: &str = "Unexpected continuation line";
/// `No ':' or '=' found in assignment`.
pub const NO_SEPARATOR: &str = "No ':' or '=' found in assignment";
/// `Key cannot be empty`.
pub const EMPTY_KEY: &str = "Key cannot be empty";
/// `Section must be started before assignment`.
pub const NO_SECTION: &str = "Section must be started before assignment";

/// An assignment whose value may still get continuation lines.
struct Open {
    key: String,
    lines: Vec<String>,
    lineno: usize,
}

fn error(lineno: usize, reason: &str, line: &str) -> ParseError {
    ParseError {
        lineno,
        reason: reason.to_owned(),
        line: line.to_owned(),
    }
}

/// Where parse problems go: the first one ends a strict parse; a
/// tolerant parse records each and goes on.
struct Problems {
    tolerant: bool,
    found: Vec<ParseError>,
}

impl Problems {
    fn report(&mut self, e: ParseError) -> Result<(), ParseError> {
        if self.tolerant {
            self.found.push(e);
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// Closes the open assignment into the last section, as `ConfigParser.
/// assignment` does when the parser flushes it at line `lineno`. Without
/// a section, the reference reports the flushing line; a tolerant parse
/// reports the assignment's own line and drops it.
fn flush(
    sections: &mut [Section],
    open: Open,
    lineno: usize,
    problems: &mut Problems,
) -> Result<(), ParseError> {
    let Some(section) = sections.last_mut() else {
        let at = if problems.tolerant {
            open.lineno
        } else {
            lineno
        };
        return problems.report(error(at, NO_SECTION, ""));
    };
    section.items.push(Assignment {
        key: open.key,
        value: open.lines.join("\n"),
        lineno: open.lineno,
    });
    Ok(())
}

/// `_split_key_value`: the stripped key and the first-line value, or `None`
/// without `=` or `:`.
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    let at = line.find(['=', ':'])?;
    let key = line.get(..at).unwrap_or_default();
    let value = py_strip(line.get(at + 1..).unwrap_or_default());
    let mut chars = value.chars();
    let value = match (chars.next(), chars.next_back()) {
        (Some(first @ ('"' | '\'')), Some(last)) if first == last => chars.as_str(),
        // A lone quote is both first and last: it becomes ''.
        (Some('"' | '\''), None) => "",
        _ => value,
    };
    Some((py_strip(key), value))
}

/// Parses a whole config file's text as `cfg.ConfigParser` does.
///
/// # Errors
/// The first problem the reference raises on, with its line number, reason
/// and line text.
pub fn parse(text: &str) -> Result<Document, ParseError> {
    let mut problems = Problems {
        tolerant: false,
        found: Vec::new(),
    };
    parse_with(text, &mut problems)
}

/// Parses as [`parse`] does, but goes on after a problem, to report every
/// one: a line the reference would stop at is skipped (the assignments
/// under a broken section header too, up to the next good header), and an
/// assignment before any section is reported on its own line. Gives what
/// could be read and the problems, in line order.
pub fn parse_tolerant(text: &str) -> (Document, Vec<ParseError>) {
    let mut problems = Problems {
        tolerant: true,
        found: Vec::new(),
    };
    // Tolerant reporting never fails.
    let doc = parse_with(text, &mut problems).unwrap_or_default();
    (doc, problems.found)
}

fn parse_with(text: &str, problems: &mut Problems) -> Result<Document, ParseError> {
    let mut sections: Vec<Section> = Vec::new();
    let mut open: Option<Open> = None;
    // After a broken header (tolerant parse only): its assignments are
    // dropped, they belong to no section.
    let mut broken_section = false;
    let mut lineno = 0usize;
    for raw in universal_lines(text) {
        lineno += 1;
        let line = py_rstrip(raw);
        if line.is_empty() {
            if let Some(done) = open.take() {
                flush(&mut sections, done, lineno, problems)?;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match open.as_mut() {
                Some(o) => o.lines.push(py_lstrip(line).to_owned()),
                None if broken_section => {}
                None => problems.report(error(lineno, UNEXPECTED_CONTINUATION, line))?,
            }
            continue;
        }
        if let Some(done) = open.take() {
            flush(&mut sections, done, lineno, problems)?;
        }
        if let Some(inner) = line.strip_prefix('[') {
            let Some(name) = inner.strip_suffix(']') else {
                problems.report(error(lineno, INVALID_SECTION, line))?;
                broken_section = true;
                continue;
            };
            if name.is_empty() {
                // `[]` (and `[` + `]` sharing one character cannot happen:
                // a line of just `[` does not end with `]`).
                problems.report(error(lineno, EMPTY_SECTION, line))?;
                broken_section = true;
                continue;
            }
            broken_section = false;
            sections.push(Section {
                name: name.to_owned(),
                lineno,
                items: Vec::new(),
            });
        } else if line.starts_with(['#', ';']) {
            // A comment.
        } else {
            let Some((key, value)) = split_key_value(line) else {
                problems.report(error(lineno, NO_SEPARATOR, line))?;
                continue;
            };
            if key.is_empty() {
                problems.report(error(lineno, EMPTY_KEY, line))?;
                continue;
            }
            if broken_section {
                continue;
            }
            open = Some(Open {
                key: key.to_owned(),
                lines: vec![value.to_owned()],
                lineno,
            });
        }
    }
    if let Some(done) = open.take() {
        flush(&mut sections, done, lineno, problems)?;
    }
    Ok(Document { sections })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (usize, String, String) {
        let e = parse(text).unwrap_err();
        (e.lineno, e.reason, e.line)
    }

    fn items(text: &str) -> Vec<(String, String, String)> {
        parse(text)
            .unwrap()
            .sections
            .into_iter()
            .flat_map(|s| {
                s.items
                    .into_iter()
                    .map(move |a| (s.name.clone(), a.key, a.value))
            })
            .collect()
    }

    fn t(s: &str, k: &str, v: &str) -> (String, String, String) {
        (s.to_owned(), k.to_owned(), v.to_owned())
    }

    #[test]
    fn basic_assignments() {
        assert_eq!(
            items("[DEFAULT]\na = b\nc: d\ne=f=g\nh:i=j\nk=l:m\n"),
            vec![
                t("DEFAULT", "a", "b"),
                t("DEFAULT", "c", "d"),
                t("DEFAULT", "e", "f=g"),
                t("DEFAULT", "h", "i=j"),
                t("DEFAULT", "k", "l:m"),
            ]
        );
    }

    #[test]
    fn quotes_stripped_once() {
        assert_eq!(
            items("[s]\na = \"x\"\nb = '\"y\"'\nc = \"\nd = \"z'\ne = ''\nf=\"a\"\n  \"b\"\n"),
            vec![
                t("s", "a", "x"),
                t("s", "b", "\"y\""),
                t("s", "c", ""),
                t("s", "d", "\"z'"),
                t("s", "e", ""),
                t("s", "f", "a\n\"b\""),
            ]
        );
    }

    #[test]
    fn continuation_and_comments() {
        assert_eq!(
            items("[s]\na = 1\n  2\n\t# 3\n\n# c\n; d\nb = # e\n"),
            vec![t("s", "a", "1\n2\n# 3"), t("s", "b", "# e")]
        );
        assert_eq!(
            err("[s]\n# c\n  x\n"),
            (3, UNEXPECTED_CONTINUATION.into(), "  x".into())
        );
        assert_eq!(
            err("[s]\n  x\n"),
            (2, UNEXPECTED_CONTINUATION.into(), "  x".into())
        );
        assert_eq!(
            err("[s]\na=1\n\n  x\n"),
            (4, UNEXPECTED_CONTINUATION.into(), "  x".into())
        );
    }

    #[test]
    fn sections() {
        let doc = parse("[ x ]\n[a]\nk=v\n[ x ]\nq=1\n").unwrap();
        let names: Vec<_> = doc.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec![" x ", "a", " x "]);
        assert_eq!(doc.sections[2].lineno, 4);
        assert_eq!(doc.sections[2].items[0].lineno, 5);
        let merged = doc.merged();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0], (" x ", vec![("q", vec!["1"])]));
        assert_eq!(err("[a\n"), (1, INVALID_SECTION.into(), "[a".into()));
        assert_eq!(err("[\n"), (1, INVALID_SECTION.into(), "[".into()));
        assert_eq!(err("[]  \n"), (1, EMPTY_SECTION.into(), "[]".into()));
        assert_eq!(items("[]]\na=b"), vec![t("]", "a", "b")]);
    }

    #[test]
    fn assignment_errors() {
        assert_eq!(err("[s]\nabc\n"), (2, NO_SEPARATOR.into(), "abc".into()));
        assert_eq!(
            err("[s]\n = x\n"),
            (2, UNEXPECTED_CONTINUATION.into(), " = x".into())
        );
        assert_eq!(
            err("[s]\n\u{a0}= x\n"),
            (2, EMPTY_KEY.into(), "\u{a0}= x".into())
        );
        assert_eq!(err("[s]\n:x\n"), (2, EMPTY_KEY.into(), ":x".into()));
        // Missing section: the flushing line, and ''.
        assert_eq!(err("a=b\n\n[s]\n"), (2, NO_SECTION.into(), String::new()));
        assert_eq!(
            err("a=b\n  c\n[s]\n"),
            (3, NO_SECTION.into(), String::new())
        );
        assert_eq!(err("a=b"), (1, NO_SECTION.into(), String::new()));
        assert_eq!(err("a=b\n  c"), (2, NO_SECTION.into(), String::new()));
        // Flushing comes before judging the flushing line.
        assert_eq!(err("a=b\n[x"), (2, NO_SECTION.into(), String::new()));
        assert_eq!(
            err("\u{feff}[DEFAULT]\n"),
            (1, NO_SEPARATOR.into(), "\u{feff}[DEFAULT]".into())
        );
    }

    #[test]
    fn newlines_and_whitespace() {
        assert_eq!(
            items("[s]\r\na=1\r  2\r\n\x0cb=\x0c3\x0c\x1c\n"),
            vec![t("s", "a", "1\n2"), t("s", "b", "3")]
        );
        // \x0b, \x0c, \x1c.. and \u2028 do not end lines in readlines().
        assert_eq!(
            items("[s]\na=1\u{2028}2\x0b3\n"),
            vec![t("s", "a", "1\u{2028}2\x0b3")]
        );
        assert_eq!(
            err("[s]\r\r\n\r x"),
            (4, UNEXPECTED_CONTINUATION.into(), " x".into())
        );
        assert_eq!(parse("").unwrap(), Document::default());
    }

    #[test]
    fn messages() {
        let e = parse("[s]\nit's\n").unwrap_err();
        assert_eq!(
            e.message("/x/a.conf"),
            "at /x/a.conf:2, No ':' or '=' found in assignment: \"it's\""
        );
        assert_eq!(
            e.to_string(),
            "at line 2, No ':' or '=' found in assignment: \"it's\""
        );
        let e = parse("a=1").unwrap_err();
        assert_eq!(
            e.message("f"),
            "at f:1, Section must be started before assignment: ''"
        );
    }

    #[test]
    fn tolerant_parse_reports_every_problem_and_keeps_the_rest() {
        let text = "a = 1\n[s]\nok = 1\nno separator\n  orphan? no: open value\n\n  orphan\n\
                    [broken\nlost = 1\n[]\nlost2 = 2\n[t]\n = x\nkept = 2\n";
        let (doc, problems) = parse_tolerant(text);
        let found: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.lineno, p.reason.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                // The assignment's own line, not the flushing one.
                (1, NO_SECTION),
                (4, NO_SEPARATOR),
                // Line 4 was refused: nothing is open to continue.
                (5, UNEXPECTED_CONTINUATION),
                (7, UNEXPECTED_CONTINUATION),
                (8, INVALID_SECTION),
                (10, EMPTY_SECTION),
                (13, UNEXPECTED_CONTINUATION),
            ]
        );
        let kept: Vec<(&str, &str, &str)> = doc
            .sections
            .iter()
            .flat_map(|s| {
                s.items
                    .iter()
                    .map(move |a| (s.name.as_str(), a.key.as_str(), a.value.as_str()))
            })
            .collect();
        assert_eq!(kept, vec![("s", "ok", "1"), ("t", "kept", "2")]);
        // The strict parse stops at the first, with the reference's line.
        assert_eq!(parse(text).unwrap_err().lineno, 2);
        assert_eq!(
            parse_tolerant("[s]\nk = v\n"),
            (parse("[s]\nk = v\n").unwrap(), vec![])
        );
    }

    #[test]
    fn linear_on_long_inputs() {
        let mut text = String::from("[s]\nk = v\n");
        for _ in 0..200_000 {
            text.push_str("  more\n");
        }
        let doc = parse(&text).unwrap();
        assert_eq!(doc.sections[0].items[0].value.len(), 1 + 200_000 * 5);
        let long = "x".repeat(1_000_000);
        assert_eq!(err(&long).1, NO_SEPARATOR);
    }
}
