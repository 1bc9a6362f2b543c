//! Policy files read as PyYAML 6.0.3's `yaml.safe_load` reads them (YAML
//! 1.1), into [`Value`]s.
//!
//! oslo.policy opens a policy file in text mode (UTF-8, universal newlines)
//! and hands the text to `yaml.safe_load`; [`safe_load`] does the same with
//! the file's bytes. The structure comes from `yaml-rust2`'s event parser;
//! everything PyYAML decides differently on top of it is done here:
//!
//! * the reader: strict UTF-8, `\r\n`/`\r` read as `\n`, a leading BOM
//!   skipped, any character outside PyYAML's printable set rejected;
//! * the scanner rules PyYAML is stricter about: a tab may only appear in
//!   a comment, inside a quoted scalar or in block-scalar content (JSON
//!   with tabs between tokens fails to load); anchor and alias names are
//!   `[0-9A-Za-z_-]+` followed by a separator; an anchor may not be
//!   defined twice; a tag must be followed by a space or a line break;
//! * one document at most (`safe_load` raises on a second one);
//! * the YAML 1.1 resolver of plain scalars (and of the non-specific tag
//!   `!`, which resolves even a quoted scalar as if it were plain): bools
//!   (`yes`/`No`/`ON`…), nulls (`~`, `null`, empty), ints (`0b…`, `0x…`,
//!   `017` octal, `1:30` sexagesimal, `_` separators; exact at any size,
//!   and Python's 4300-digit limit on decimal conversion), floats (a `.`
//!   is required: `1e3` is a string; `.inf`, `.nan`, `1:30.5`), dates and
//!   timestamps (as [`Value::Other`] with Python's `str()`/`repr()`),
//!   `<<` merge keys and the `=` value key;
//! * the safe constructor's tags: `!!str`, `!!int`, `!!float`, `!!bool`,
//!   `!!null`, `!!timestamp`, `!!binary` (bytes, `b'…'`), `!!seq`,
//!   `!!map`, `!!omap`/`!!pairs` (a list of tuples); any other tag fails;
//! * dict semantics: later duplicates win in the first key's slot, `True`
//!   and `1` are the same key, a list or dict as a key fails
//!   ("found unhashable key").
//!
//! Nesting is bounded ([`MAX_DEPTH`], below the depth at which PyYAML
//! itself hits Python's recursion limit), and so is the size of what
//! aliases expand to, so no input overflows the stack or exhausts memory.
//!
//! # Known differences
//!
//! Where `yaml-rust2` cannot be made to agree, the loader fails where
//! PyYAML would have loaded something; it never loads a different value.
//!
//! * Nesting deeper than [`MAX_DEPTH`] (400) fails, and flow collections
//!   nested deeper than 255 (`yaml-rust2`'s flow level is a `u8`); PyYAML
//!   reaches about 490 levels before its `RecursionError` (fewer inside
//!   oslo.policy).
//! * `!!set` loads as a list of its members in document order (Python
//!   iterates it in hash order, which is not reproducible; a set used as
//!   a rule is an OR/AND of its members, so the order rarely matters).
//! * `\uD800`–`\uDFFF` escapes in double-quoted scalars, which PyYAML
//!   keeps as lone surrogates, become private-use stand-ins
//!   ([`crate::surrogate`]) that, like a lone surrogate, equal no
//!   real character.
//! * Recursive structures (`&a [*a]`) fail; PyYAML builds a cyclic list.
//! * The line breaks NEL, LS and PS (`\u{85}`, `\u{2028}`, `\u{2029}`)
//!   fail anywhere, even in comments.
//! * Tabs are accepted only where the simplified check here is sure
//!   PyYAML accepts them: e.g. in a block scalar with an explicit
//!   indentation indicator (`|2`) whose parent is not on its line, or
//!   in a comment after a `#` that does not follow whitespace (`[a,#\t`).
//! * `!!int`/`!!float` on text only Python's `int()`/`float()` accept
//!   (non-ASCII digits) fail.
//! * Anchor and alias names PyYAML would cut short fail: `*a:` (PyYAML:
//!   alias `a` then `:`; yaml-rust2 reads the name `a:`), `&a.b`.
//! * yaml-rust2 (a YAML 1.2 scanner) rejects some documents PyYAML reads:
//!   a quoted scalar's continuation line indented less than its block
//!   (`a:\n  b: 'x\ny'`), a flow collection's continuation line less
//!   indented, a tab in such a continuation line, `?` at the very end of
//!   the stream, `-` right before a flow indicator (`[-]`), a `#` right
//!   after a quoted scalar (`"a"#c`), a block scalar whose leading blank
//!   lines are more indented than its first line.
//! * In flow context PyYAML reads `?` (anywhere in a plain scalar) and a
//!   leading `:` as indicators (`[?a]` is `[{'a': None}]`); such plain
//!   scalars fail here.
//! * Block scalars are re-read PyYAML's way (yaml-rust2 gets the end of the
//!   stream wrong: `a: |` is `''`); where the two readings disagree other
//!   than at the end of the stream, loading fails.
//! * Dict keys: NaN keys are always the same key (PyYAML's `.nan` is one
//!   object, but `!!float nan` makes new ones); timestamps with different offsets for the same instant are
//!   different keys (equal in Python).
//! * Documents whose aliases expand to more than [`MAX_NODES`] values fail
//!   (PyYAML shares the objects).
//! * Whatever else the differential test (`tests/conformance/pycompat/yaml_differential.rs`)
//!   lists as an allowed difference, each being a PyYAML acceptance that
//!   `yaml-rust2` rejects.

use std::collections::HashMap;

use yaml_rust2::scanner::{Marker, ScanError};

use crate::value::Value;
use compose::{Composer, Kind, Node};
use construct::Constructor;
use reader::{map_surrogate_escapes, read_text};
use resolve::NodeTag;
use tokens::check_tokens;

mod block;
mod compose;
mod construct;
mod reader;
mod resolve;
mod simple;
mod tokens;

/// The deepest nesting of collections accepted.
pub const MAX_DEPTH: usize = 400;

/// The most values a document may expand to (aliases included).
pub const MAX_NODES: usize = 2_000_000;

/// The longest chain of merges into merges accepted.
const MAX_MERGE_DEPTH: usize = 200;

/// A policy file PyYAML would not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line}, column {column})")]
pub struct YamlError {
    /// 1-based line of the problem, as PyYAML reports it (0 if unknown).
    pub line: usize,
    /// 1-based column of the problem (0 if unknown).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl YamlError {
    fn new(line: usize, column: usize, message: impl Into<String>) -> YamlError {
        YamlError {
            line,
            column,
            message: message.into(),
        }
    }

    fn at(mark: Mark, message: impl Into<String>) -> YamlError {
        YamlError::new(mark.line, mark.column, message)
    }

    fn scan(err: &ScanError) -> YamlError {
        let m = err.marker();
        YamlError::new(m.line(), m.col() + 1, err.info().to_owned())
    }
}

/// A 1-based position.
#[derive(Debug, Clone, Copy, Default)]
struct Mark {
    line: usize,
    column: usize,
}

impl From<Marker> for Mark {
    fn from(m: Marker) -> Mark {
        Mark {
            line: m.line(),
            column: m.col() + 1,
        }
    }
}

/// Loads a policy file's bytes as `yaml.safe_load(open(path).read())`
/// does: `Value::None` for an empty document.
///
/// # Errors
/// Whatever PyYAML (or Python's text decoding) raises on, with the line
/// and column where known.
pub fn safe_load(bytes: &[u8]) -> Result<Value, YamlError> {
    if let Ok(raw) = std::str::from_utf8(bytes) {
        let text = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        if let Some(value) = simple::load(text).or_else(|| block::load(text)) {
            return Ok(value);
        }
    }
    safe_load_yaml(bytes)
}

/// [`safe_load`] without its fast paths: always the full loader. The two
/// give the same result for every input (tests and the `policy_yaml`
/// fuzz target check it).
///
/// # Errors
/// As [`safe_load`].
pub fn safe_load_yaml(bytes: &[u8]) -> Result<Value, YamlError> {
    let text = read_text(bytes)?;
    let text = if text.contains("\\u") {
        map_surrogate_escapes(&text)
    } else {
        text
    };
    let chars: Vec<char> = text.chars().collect();
    let blocks = check_tokens(&text, &chars)?;
    let mut composer = Composer {
        blocks,
        ..Composer::default()
    };
    let root = composer.compose(&text)?;
    let Some(root) = root else {
        return Ok(Value::None);
    };
    let mut ctor = Constructor {
        nodes: composer.nodes,
        memo: HashMap::new(),
        budget: MAX_NODES,
    };
    ctor.construct(root)
}

/// Where one key of a document's top-level mapping is written (for tools
/// that point at a line: linters, error messages).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMark {
    /// The key, as [`safe_load`] constructs it.
    pub key: Value,
    /// 1-based line of the key.
    pub line: usize,
    /// 1-based column of the key.
    pub column: usize,
    /// 1-based line where the key's value starts.
    pub value_line: usize,
    /// 1-based column where the key's value starts.
    pub value_column: usize,
}

/// The keys of a document's top-level mapping, in document order and with
/// repeats (of which [`safe_load`] keeps the last value), each with where
/// it and its value start. Empty when the document is not a mapping. Keys
/// brought in by a merge (`<<`) are not listed.
///
/// # Errors
/// As [`safe_load`], for a document it cannot load.
pub fn top_level_keys(bytes: &[u8]) -> Result<Vec<KeyMark>, YamlError> {
    let text = read_text(bytes)?;
    let text = if text.contains("\\u") {
        map_surrogate_escapes(&text)
    } else {
        text
    };
    let chars: Vec<char> = text.chars().collect();
    let blocks = check_tokens(&text, &chars)?;
    let mut composer = Composer {
        blocks,
        ..Composer::default()
    };
    let Some(root) = composer.compose(&text)? else {
        return Ok(Vec::new());
    };
    let pairs = match composer.nodes.get(root) {
        Some(Node {
            kind: Kind::Map(pairs),
            tag: NodeTag::Map,
            ..
        }) => pairs.clone(),
        _ => return Ok(Vec::new()),
    };
    let mut ctor = Constructor {
        nodes: composer.nodes,
        memo: HashMap::new(),
        budget: MAX_NODES,
    };
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let (key_mark, merge) = {
            let node = ctor.node(k)?;
            (
                node.mark,
                matches!(node.tag, NodeTag::Merge | NodeTag::ValueKey),
            )
        };
        if merge {
            continue;
        }
        let value_mark = ctor.node(v)?.mark;
        out.push(KeyMark {
            key: ctor.construct(k)?,
            line: key_mark.line,
            column: key_mark.column,
            value_line: value_mark.line,
            value_column: value_mark.column,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_with_marks_and_repeats() -> Result<(), YamlError> {
        type Marks = Vec<(String, usize, usize, usize, usize)>;
        let marks = |t: &str| -> Result<Marks, YamlError> {
            Ok(top_level_keys(t.as_bytes())?
                .into_iter()
                .map(|k| {
                    (
                        k.key.py_repr(),
                        k.line,
                        k.column,
                        k.value_line,
                        k.value_column,
                    )
                })
                .collect())
        };
        assert_eq!(
            marks("a: yes\n\"b\":   'x'\na: 1\n<<: {c: d}\n")?,
            vec![
                ("'a'".to_owned(), 1, 1, 1, 4),
                ("'b'".to_owned(), 2, 1, 2, 8),
                ("'a'".to_owned(), 3, 1, 3, 4),
            ]
        );
        assert_eq!(
            marks("{\"a\": \"@\",\n  1: [[\"x\"]]}")?,
            vec![("'a'".to_owned(), 1, 2, 1, 7), ("1".to_owned(), 2, 3, 2, 6)]
        );
        assert!(marks("- a\n")?.is_empty());
        assert!(marks("")?.is_empty());
        assert!(top_level_keys(b"a: [").is_err());
        Ok(())
    }

    /// xorshift64: reproducible test documents without a dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            usize::try_from(self.0 % (n.max(1) as u64)).unwrap_or(0)
        }

        /// One of the first `good` items, or now and then any of them.
        fn mostly(&mut self, items: &[&'static str], good: usize) -> &'static str {
            let n = if self.below(8) == 0 {
                items.len()
            } else {
                good
            };
            let i = self.below(n);
            items.get(i).copied().unwrap_or("")
        }
    }

    /// `...` before any document does not load (PyYAML's ParserError).
    #[test]
    fn document_end_first_is_an_error() {
        for text in [
            "...\n'a': 'b'\n",
            "\n...",
            "...",
            "# c\n...\na: b",
            "... \na: b",
        ] {
            assert!(load(text).is_err(), "{text:?}");
        }
        assert_eq!(
            load("--- a\n...\n"),
            Ok(Value::str("a")),
            "after a document it ends it"
        );
    }

    /// JSON-like documents full of what YAML 1.1 reads differently: the
    /// fast path either gives up or agrees with the full loader.
    #[test]
    fn json_fast_path_agrees_with_the_yaml_loader() {
        const ATOMS: &[&str] = &[
            "0",
            "-0",
            "1",
            "01",
            "-12",
            "1.5",
            "-0.0",
            "1e5",
            "1.0e5",
            "1.0e+5",
            "1E+5",
            "2.5E-3",
            "123456789012345678901234567890",
            "1.",
            ".5",
            "true",
            "false",
            "null",
            "True",
            "nul",
            r#""""#,
            r#""a b""#,
            r#""\/""#,
            r#""\u00e9\u20ac""#,
            r#""\ud83d""#,
            r#""\t\n\r\b\f""#,
            r#""é😀""#,
            "\"\u{2028}\"",
            "\"\u{85}\"",
            "\"\u{7f}\"",
            r##""# x""##,
            r#""a: b""#,
            r#""\"q\"""#,
            r#""'""#,
            r#""\x41""#,
            r#""\u004""#,
        ];
        const SPACE: &[&str] = &["", " ", "\n", "\r\n", "\t", "  \n  ", "\r"];
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        fn pick<'a>(items: &[&'a str], i: usize) -> &'a str {
            items.get(i).copied().unwrap_or("")
        }
        let (mut fast, mut total) = (0, 0);
        for _ in 0..20_000 {
            let mut doc = String::new();
            let mut open: Vec<char> = Vec::new();
            let mut need_value = true;
            doc.push(if rng.below(2) == 0 { '{' } else { '[' });
            open.push(if doc.ends_with('{') { '}' } else { ']' });
            for _ in 0..rng.below(12) {
                doc.push_str(pick(SPACE, rng.below(SPACE.len() * 4)));
                if open.last() == Some(&'}') && need_value {
                    let keys = [
                        r#""a""#, r#""b""#, r#""a""#, r#""<<""#, r#""k\/""#, r#""é""#,
                    ];
                    doc.push_str(pick(&keys, rng.below(keys.len())));
                    doc.push_str(pick(SPACE, rng.below(SPACE.len() * 4)));
                    doc.push(':');
                }
                match rng.below(8) {
                    0 if open.len() < 5 => {
                        doc.push('{');
                        open.push('}');
                        need_value = true;
                        continue;
                    }
                    1 if open.len() < 5 => {
                        doc.push('[');
                        open.push(']');
                        continue;
                    }
                    _ => doc.push_str(pick(ATOMS, rng.below(ATOMS.len()))),
                }
                doc.push_str(pick(SPACE, rng.below(SPACE.len() * 4)));
                if rng.below(4) == 0 {
                    if let Some(c) = open.pop() {
                        doc.push(c);
                    }
                }
                if rng.below(10) != 0 && !open.is_empty() {
                    doc.push(',');
                }
                need_value = true;
            }
            while let Some(c) = open.pop() {
                doc.push(c);
            }
            if rng.below(20) == 0 {
                let mut n = rng.below(doc.len() + 1);
                while !doc.is_char_boundary(n) {
                    n -= 1;
                }
                doc.truncate(n);
            }
            doc.push_str(pick(SPACE, rng.below(SPACE.len())));
            total += 1;
            if let Some(v) = simple::load(&doc) {
                fast += 1;
                assert_eq!(safe_load_yaml(doc.as_bytes()), Ok(v), "{doc:?}");
            }
        }
        // Not vacuous: many documents took the fast path.
        assert!(fast > total / 10, "{fast} of {total}");
    }

    /// The same for flat block mappings of quoted scalars.
    #[test]
    fn flat_mapping_fast_path_agrees_with_the_yaml_loader() {
        const SCALARS: &[&str] = &[
            r#""a""#,
            r#""a""#,
            "'a'",
            r#""a b""#,
            "'it''s'",
            "''",
            r#""""#,
            r#""é😀""#,
            r#""\/""#,
            r#""\t\"""#,
            r#""\u00e9""#,
            "\"\u{2028}\"",
            "\"a\tb\"",
            "'a\tb'",
            r##""# x""##,
            r#""a: b""#,
            "'a: b'",
            "'#'",
            "yes",
            "a",
            r#""role:admin or is_admin:1""#,
            "'unterminated",
            r#""\x41""#,
            "\"\u{85}\"",
            "\"\u{7f}\"",
        ];
        const SEPARATORS: &[&str] = &[": ", ": ", ":", " : ", ":  ", ":\t", "  :  "];
        const TAILS: &[&str] = &["", "", "  ", " # c", "# c", " #", " # é", ":", " x", "\t"];
        const LINES: &[&str] = &["", "   ", "# comment", "  # indented", "#\tx", "---", "..."];
        const BREAKS: &[&str] = &["\n", "\n", "\n", "\r\n", "\n\n"];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..20_000 {
            let mut doc = String::new();
            for _ in 0..1 + rng.below(6) {
                if rng.below(4) == 0 {
                    doc.push_str(rng.mostly(LINES, 4));
                } else {
                    if rng.below(30) == 0 {
                        doc.push_str("  ");
                    }
                    doc.push_str(rng.mostly(SCALARS, 8));
                    doc.push_str(rng.mostly(SEPARATORS, 2));
                    doc.push_str(rng.mostly(SCALARS, 8));
                    doc.push_str(rng.mostly(TAILS, 5));
                }
                doc.push_str(rng.mostly(BREAKS, 3));
            }
            total += 1;
            if let Some(v) = simple::load(&doc) {
                fast += 1;
                assert_eq!(safe_load_yaml(doc.as_bytes()), Ok(v), "{doc:?}");
            }
        }
        assert!(fast > total / 10, "{fast} of {total}");
    }

    fn load(s: &str) -> Result<Value, YamlError> {
        safe_load(s.as_bytes())
    }

    fn one(s: &str) -> Value {
        match load(&format!("a: {s}")) {
            Ok(Value::Dict(items)) => items
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::str("<none>")),
            other => Value::str(format!("<{other:?}>")),
        }
    }

    #[test]
    fn resolver_kinds() {
        for (text, want) in [
            ("yes", Value::Bool(true)),
            ("Off", Value::Bool(false)),
            ("y", Value::str("y")),
            ("~", Value::None),
            ("", Value::None),
            ("017", Value::Int("15".into())),
            ("0x1f", Value::Int("31".into())),
            ("0b101", Value::Int("5".into())),
            ("-1_000", Value::Int("-1000".into())),
            ("1:30", Value::Int("90".into())),
            ("0o17", Value::str("0o17")),
            ("1e3", Value::str("1e3")),
            ("1.0e+3", Value::Float(1000.0)),
            ("1:30.5", Value::Float(90.5)),
            ("-.inf", Value::Float(f64::NEG_INFINITY)),
            ("08", Value::str("08")),
            ("'yes'", Value::str("yes")),
            ("! '12'", Value::Int("12".into())),
            ("!!str 12", Value::str("12")),
            (
                "0x123456789abcdef0123456789abcdef",
                Value::Int("1512366075204170929049582354406559215".into()),
            ),
        ] {
            assert_eq!(one(text), want, "{text}");
        }
        assert_eq!(
            one("2020-01-01"),
            Value::Other {
                str: "2020-01-01".into(),
                repr: "datetime.date(2020, 1, 1)".into()
            }
        );
        assert_eq!(
            one("2001-12-14 21:59:43.10 -5").py_repr(),
            "datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))"
        );
    }

    #[test]
    fn documents_and_errors() {
        assert_eq!(load(""), Ok(Value::None));
        assert_eq!(load("# only a comment\n"), Ok(Value::None));
        assert!(load("a: 1\n---\nb: 2\n").is_err());
        assert!(load("{\"a\":\t\"b\"}").is_err());
        assert!(load("a: b\0").is_err());
        assert!(safe_load(b"a: \xff").is_err());
        assert!(load("[a]: 1").is_err());
        assert_eq!(
            load("\u{feff}{\"a\": \"@\",}\r\n"),
            Ok(Value::Dict(vec![(Value::str("a"), Value::str("@"))]))
        );
        assert_eq!(
            load("1: a\nyes: b\n"),
            Ok(Value::Dict(vec![(Value::Int("1".into()), Value::str("b"))]))
        );
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let deep = "[".repeat(100_000);
        assert!(load(&deep).is_err());
        let closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(load(&closed).is_err());
        let ok = format!("{}{}", "[".repeat(250), "]".repeat(250));
        assert!(load(&ok).is_ok());
        let block: String = (0..390).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert!(load(&block).is_ok());
        let block: String = (0..410).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert!(load(&block).is_err());
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(load(&doc).is_err());
    }
}
