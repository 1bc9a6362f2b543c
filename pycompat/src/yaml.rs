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
//! * Whatever else the differential test (`tests/yaml_differential.rs`)
//!   lists as an allowed difference, each being a PyYAML acceptance that
//!   `yaml-rust2` rejects.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, Scanner, TScalarStyle, TokenType};

use crate::value::{DictBuilder, Value};

mod block;
mod simple;

/// The deepest nesting of collections accepted.
pub const MAX_DEPTH: usize = 400;

/// The most values a document may expand to (aliases included).
pub const MAX_NODES: usize = 2_000_000;

/// The longest chain of merges into merges accepted.
const MAX_MERGE_DEPTH: usize = 200;

/// Python's default limit on the digits of a decimal `int()` conversion.
const MAX_INT_DIGITS: usize = 4300;

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

/// The stand-in of U+D800 (kept under its old path for the crates that use
/// it; the encoding is [`crate::surrogate`]).
pub use crate::surrogate::BASE as SURROGATE_BASE;

/// PyYAML decodes `\uD83D` in a double-quoted scalar to a lone surrogate
/// (it never pairs them); Rust strings cannot hold one and yaml-rust2
/// rejects the escape. Such escapes become escapes of private-use stand-ins
/// (U+10F800 + offset), which compare unequal to every real character, as
/// a lone surrogate does in Python.
fn map_surrogate_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_double = false;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !in_double {
            if c == '"' && !prev.is_alphanumeric() {
                in_double = true;
            }
            out.push(c);
            prev = c;
            continue;
        }
        match c {
            '"' => {
                in_double = false;
                out.push(c);
            }
            '\\' => {
                let Some(&n) = chars.peek() else {
                    out.push(c);
                    continue;
                };
                if n == 'u' {
                    let hex: String = chars.clone().skip(1).take(4).collect();
                    if let Ok(cp) = u32::from_str_radix(&hex, 16) {
                        if hex.len() == 4 && (0xD800..0xE000).contains(&cp) {
                            for _ in 0..5 {
                                chars.next();
                            }
                            let stand_in = crate::surrogate::BASE + (cp - 0xD800);
                            out.push_str(&format!("\\U{stand_in:08X}"));
                            prev = '0';
                            continue;
                        }
                    }
                }
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
        prev = c;
    }
    out
}

// ---------------------------------------------------------------------------
// Reader

/// Decodes like Python's text-mode `open()` (strict UTF-8, universal
/// newlines), drops the BOM PyYAML skips and rejects what PyYAML's reader
/// finds unprintable.
fn read_text(bytes: &[u8]) -> Result<String, YamlError> {
    let raw = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
            let column = 1 + good.iter().rev().take_while(|&&b| b != b'\n').count();
            return Err(YamlError::new(line, column, "invalid UTF-8"));
        }
    };
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let mut text = String::with_capacity(raw.len());
    let mut line = 1;
    let mut column = 0;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        let c = if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            '\n'
        } else {
            c
        };
        if !printable(c) {
            return Err(YamlError::new(
                line,
                column,
                format!(
                    "unacceptable character {:#x}: special characters are not allowed",
                    u32::from(c)
                ),
            ));
        }
        if matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') {
            return Err(YamlError::new(
                line,
                column,
                "NEL, LS and PS line breaks are not supported",
            ));
        }
        if c == '\n' {
            line += 1;
            column = 0;
        }
        text.push(c);
    }
    Ok(text)
}

/// PyYAML's printable set: tab, line breaks, ASCII printables, NEL and the
/// non-surrogate BMP up to U+FFFD, and the astral planes.
fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || u32::from(c) >= 0x10000
}

// ---------------------------------------------------------------------------
// Scanner checks (what PyYAML's scanner rejects and yaml-rust2 accepts)

/// Block scalars as PyYAML reads them, by the character index of their
/// token (`None`: one PyYAML reads differently from yaml-rust2 and that
/// must fail).
type BlockScalars = HashMap<usize, Option<String>>;

/// Whether a token is a collection start, end or other.
fn nesting(kind: &TokenType) -> i32 {
    match kind {
        TokenType::BlockMappingStart
        | TokenType::BlockSequenceStart
        | TokenType::FlowMappingStart
        | TokenType::FlowSequenceStart => 1,
        TokenType::BlockEnd | TokenType::FlowMappingEnd | TokenType::FlowSequenceEnd => -1,
        _ => 0,
    }
}

fn is_ws(c: Option<char>) -> bool {
    matches!(c, None | Some(' ' | '\t' | '\n'))
}

/// Runs yaml-rust2's scanner and applies PyYAML's stricter rules to its
/// tokens: where tabs may be, which plain scalars and `:` are allowed,
/// anchor names, duplicate anchors, tag ends, the `%YAML` version; and
/// reads block scalars PyYAML's way.
fn check_tokens(text: &str, chars: &[char]) -> Result<BlockScalars, YamlError> {
    let mut scanner = Scanner::new(text.chars());
    let mut tokens = Vec::new();
    for token in scanner.by_ref() {
        tokens.push(token);
    }
    if let Some(err) = scanner.get_error() {
        return Err(YamlError::scan(&err));
    }
    let mut blocks = BlockScalars::new();
    // Characters where tabs are fine.
    let mut allowed = vec![false; chars.len() + 1];
    let mut anchors: HashMap<String, Mark> = HashMap::new();
    let mut flow_level = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        let yaml_rust2::scanner::Token(marker, kind) = token;
        let start = marker.index();
        let mark = Mark::from(*marker);
        let fail = |what: &str| Err(YamlError::at(mark, what.to_owned()));
        match kind {
            // `...` before any document: PyYAML's parser wants node
            // content there (yaml-rust2 skips it).
            TokenType::DocumentEnd if i == 1 => {
                return fail(
                    "while parsing a block node: expected the node content, but found '<document end>'",
                );
            }
            TokenType::FlowMappingStart | TokenType::FlowSequenceStart => flow_level += 1,
            TokenType::FlowMappingEnd | TokenType::FlowSequenceEnd => {
                flow_level = flow_level.saturating_sub(1);
            }
            TokenType::VersionDirective(major, _) if *major != 1 => {
                return fail("found incompatible YAML document (version 1.* is required)");
            }
            TokenType::Scalar(TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted, _) => {
                let Some(end) = quoted_end(chars, start) else {
                    return fail("unterminated quoted scalar");
                };
                fill(&mut allowed, start, end);
            }
            TokenType::Scalar(TScalarStyle::Plain, value) if !value.is_empty() => {
                let first = chars.get(start).copied();
                let next = chars.get(start + 1).copied();
                if first != value.chars().next() {
                    return fail("unexpected plain scalar position");
                }
                let bad = match first {
                    Some(c) if ",[]{}#&*!|>'\"%@`".contains(c) => true,
                    Some('-') => is_ws(next),
                    Some('?' | ':') => flow_level > 0 || is_ws(next),
                    _ => false,
                };
                if bad || (flow_level > 0 && value.contains('?')) {
                    return fail("a plain scalar PyYAML reads differently");
                }
            }
            TokenType::Scalar(style @ (TScalarStyle::Literal | TScalarStyle::Folded), value) => {
                let before = tokens.get(..i).unwrap_or_default();
                let from = before.last().map_or(0, |t| t.0.index());
                let Some(indicator) = find_indicator(chars, from, start) else {
                    return fail("cannot find the block scalar's indicator");
                };
                let min_indent = parent_indent(chars, before).map_or(1, |c| c + 1);
                let Some(block) = scan_block_scalar(
                    chars,
                    indicator,
                    min_indent,
                    *style == TScalarStyle::Folded,
                    &mut allowed,
                ) else {
                    return fail("invalid block scalar header");
                };
                let agrees = if block.reaches_end {
                    block.value.trim_end_matches('\n') == value.trim_end_matches('\n')
                } else {
                    block.value == *value
                };
                blocks.insert(start, agrees.then_some(block.value));
            }
            TokenType::Value => {
                // PyYAML needs a KEY before every VALUE: an explicit `?`,
                // or a simple key on the same line within 1024 characters.
                let mut depth = 0i32;
                let mut key = None;
                for t in tokens.get(..i).unwrap_or_default().iter().rev() {
                    let n = nesting(&t.1);
                    if n < 0 {
                        depth += 1;
                        continue;
                    }
                    if n > 0 {
                        if depth == 0 {
                            break;
                        }
                        depth -= 1;
                        continue;
                    }
                    if depth > 0 {
                        continue;
                    }
                    match t.1 {
                        TokenType::Key => {
                            key = Some(t.0);
                            break;
                        }
                        TokenType::Value
                        | TokenType::FlowEntry
                        | TokenType::BlockEntry
                        | TokenType::DocumentStart
                        | TokenType::DocumentEnd
                        | TokenType::StreamStart(_) => break,
                        _ => {}
                    }
                }
                let Some(key) = key else {
                    return fail("expected a key before ':'");
                };
                let explicit = chars.get(key.index()) == Some(&'?');
                if !explicit && (key.line() != marker.line() || key.index() + 1024 < start) {
                    return fail("a simple key must be on one line, within 1024 characters");
                }
            }
            TokenType::Anchor(name) | TokenType::Alias(name) => {
                let ok_name = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                let after = chars.get(start + 1 + name.chars().count()).copied();
                let ok_after = match after {
                    None => true,
                    Some(c) => " \t\n?:,]}%@`".contains(c),
                };
                if !ok_name || !ok_after {
                    return fail("expected alphabetic or numeric character in an anchor or alias");
                }
                if matches!(kind, TokenType::Anchor(_)) {
                    if anchors.contains_key(name) {
                        return fail(&format!("found duplicate anchor {name:?}"));
                    }
                    anchors.insert(name.clone(), mark);
                }
            }
            TokenType::Tag(..) => {
                let mut end = start;
                if chars.get(start + 1) == Some(&'<') {
                    while chars.get(end).is_some_and(|&c| c != '>') {
                        end += 1;
                    }
                    end += 1;
                }
                while let Some(&c) = chars.get(end) {
                    if c == ' ' || c == '\n' {
                        break;
                    }
                    if c == '\t' || "{}[],".contains(c) {
                        return fail("expected ' ' after a tag");
                    }
                    end += 1;
                }
            }
            TokenType::DocumentStart => anchors.clear(),
            _ => {}
        }
    }
    check_tabs(chars, &mut allowed)?;
    Ok(blocks)
}

/// Tabs are only allowed in comments and where `allowed` says (quoted
/// scalars, block scalar content). A comment is a `#` at a line start or
/// after whitespace or a quoted scalar, outside scalars.
fn check_tabs(chars: &[char], allowed: &mut [bool]) -> Result<(), YamlError> {
    let mut i = 0;
    let mut line_start = true;
    while let Some(&c) = chars.get(i) {
        let in_scalar = allowed.get(i).copied().unwrap_or(false);
        if c == '#' && !in_scalar {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p).copied());
            let after_scalar = i
                .checked_sub(1)
                .and_then(|p| allowed.get(p).copied())
                .unwrap_or(false);
            if line_start || matches!(prev, Some(' ' | '\t')) || after_scalar {
                while chars.get(i).is_some_and(|&c| c != '\n') {
                    i += 1;
                }
                continue;
            }
        }
        if c == '\t' && !in_scalar {
            let (line, column) = position(chars, i);
            return Err(YamlError::new(
                line,
                column,
                "found character '\\t' that cannot start any token",
            ));
        }
        line_start = c == '\n';
        i += 1;
    }
    Ok(())
}

fn fill(allowed: &mut [bool], start: usize, end: usize) {
    for slot in allowed.iter_mut().take(end).skip(start) {
        *slot = true;
    }
}

/// 1-based line and column of a character index.
fn position(chars: &[char], index: usize) -> (usize, usize) {
    let before = chars.get(..index).unwrap_or_default();
    let line = 1 + before.iter().filter(|&&c| c == '\n').count();
    let column = 1 + before.iter().rev().take_while(|&&c| c != '\n').count();
    (line, column)
}

/// The index just past the closing quote of the quoted scalar at `start`.
fn quoted_end(chars: &[char], start: usize) -> Option<usize> {
    let quote = *chars.get(start)?;
    let mut i = start + 1;
    loop {
        let c = *chars.get(i)?;
        if quote == '\'' {
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                    continue;
                }
                return Some(i + 1);
            }
        } else if quote == '"' {
            if c == '\\' {
                i += 2;
                continue;
            }
            if c == '"' {
                return Some(i + 1);
            }
        } else {
            return None;
        }
        i += 1;
    }
}

/// The first `|`/`>` after whitespace between the previous token and the
/// block scalar's token, outside comments.
fn find_indicator(chars: &[char], from: usize, to: usize) -> Option<usize> {
    let mut p = from;
    while p <= to {
        let c = *chars.get(p)?;
        let prev = p.checked_sub(1).and_then(|q| chars.get(q).copied());
        let after_ws = p == 0 || is_ws(prev);
        if c == '#' && after_ws {
            while chars.get(p).is_some_and(|&c| c != '\n') {
                p += 1;
            }
            continue;
        }
        if (c == '|' || c == '>') && after_ws {
            return Some(p);
        }
        p += 1;
    }
    None
}

/// The indentation of the block collection a block scalar is in (PyYAML's
/// `self.indent`, -1 at the top level): the column of the nearest key or
/// `-` of the enclosing collection.
fn parent_indent(chars: &[char], before: &[yaml_rust2::scanner::Token]) -> Option<usize> {
    let mut depth = 0i32;
    for t in before.iter().rev() {
        let n = nesting(&t.1);
        if n < 0 {
            depth += 1;
            continue;
        }
        if n > 0 {
            depth -= 1;
            if depth < 0 {
                depth = 0;
            }
            continue;
        }
        if depth > 0 {
            continue;
        }
        match t.1 {
            TokenType::Key => return Some(t.0.col()),
            TokenType::BlockEntry => {
                // The mark is after `- `: find the dash.
                let mut p = t.0.index();
                while p > 0 && chars.get(p) != Some(&'-') {
                    p -= 1;
                }
                return Some(position(chars, p).1.saturating_sub(1));
            }
            _ => {}
        }
    }
    None
}

struct BlockScalar {
    value: String,
    /// Whether the scalar runs to the end of the text.
    reaches_end: bool,
}

/// Reads a block scalar as PyYAML's scanner does (YAML 1.1): header
/// indicators, indentation (explicit or that of the first non-empty line,
/// at least `min_indent`), literal or folded lines, chomping; marks the
/// content characters where tabs are allowed.
fn scan_block_scalar(
    chars: &[char],
    indicator: usize,
    min_indent: usize,
    folded: bool,
    allowed: &mut [bool],
) -> Option<BlockScalar> {
    let min_indent = min_indent.max(1);
    let at = |p: usize| chars.get(p).copied();
    let mut p = indicator + 1;
    let mut chomp: Option<bool> = None;
    let mut increment: Option<usize> = None;
    for _ in 0..2 {
        match at(p) {
            Some('+') if chomp.is_none() => chomp = Some(true),
            Some('-') if chomp.is_none() => chomp = Some(false),
            Some(c @ '1'..='9') if increment.is_none() => {
                increment = c.to_digit(10).and_then(|d| usize::try_from(d).ok());
            }
            Some('0') => return None,
            _ => break,
        }
        p += 1;
    }
    while at(p) == Some(' ') {
        p += 1;
    }
    if at(p) == Some('#') {
        while at(p).is_some_and(|c| c != '\n') {
            p += 1;
        }
    }
    match at(p) {
        None => {}
        Some('\n') => p += 1,
        Some(_) => return None,
    }
    let mut col = 0usize;
    let mut breaks = 0usize;
    // Skips indentation spaces (up to `indent`) and empty lines.
    let scan_breaks = |p: &mut usize, col: &mut usize, breaks: &mut usize, indent: usize| {
        while *col < indent && at(*p) == Some(' ') {
            *p += 1;
            *col += 1;
        }
        while at(*p) == Some('\n') {
            *breaks += 1;
            *p += 1;
            *col = 0;
            while *col < indent && at(*p) == Some(' ') {
                *p += 1;
                *col += 1;
            }
        }
    };
    let indent = match increment {
        Some(n) => {
            let indent = (min_indent + n).saturating_sub(1);
            scan_breaks(&mut p, &mut col, &mut breaks, indent);
            indent
        }
        None => {
            let mut max_indent = 0;
            loop {
                match at(p) {
                    Some(' ') => {
                        p += 1;
                        col += 1;
                        max_indent = max_indent.max(col);
                    }
                    Some('\n') => {
                        breaks += 1;
                        p += 1;
                        col = 0;
                    }
                    _ => break,
                }
            }
            min_indent.max(max_indent)
        }
    };
    let mut value = String::new();
    let mut line_break = false;
    while col == indent && p < chars.len() {
        value.extend(std::iter::repeat_n('\n', breaks));
        breaks = 0;
        let leading_non_space = !matches!(at(p), Some(' ' | '\t'));
        let start = p;
        while at(p).is_some_and(|c| c != '\n') {
            p += 1;
        }
        value.extend(chars.get(start..p).unwrap_or_default());
        fill(allowed, start, p);
        line_break = at(p) == Some('\n');
        if line_break {
            p += 1;
            col = 0;
        }
        scan_breaks(&mut p, &mut col, &mut breaks, indent);
        if col == indent && p < chars.len() {
            if folded && line_break && leading_non_space && !matches!(at(p), Some(' ' | '\t')) {
                if breaks == 0 {
                    value.push(' ');
                }
            } else if line_break {
                value.push('\n');
            }
        } else {
            break;
        }
    }
    if chomp != Some(false) && line_break {
        value.push('\n');
    }
    if chomp == Some(true) {
        value.extend(std::iter::repeat_n('\n', breaks));
    }
    let reaches_end = chars
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|&c| c == ' ' || c == '\n');
    Some(BlockScalar { value, reaches_end })
}

// ---------------------------------------------------------------------------
// Composer: events to a node graph (aliases share nodes)

/// A node's resolved tag.
#[derive(Debug, Clone, PartialEq)]
enum NodeTag {
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
    Binary,
    Str,
    Seq,
    Map,
    Omap,
    Pairs,
    Set,
    Merge,
    ValueKey,
    Unknown(String),
}

#[derive(Debug, Clone)]
enum Kind {
    Scalar(String),
    Seq(Vec<usize>),
    Map(Vec<(usize, usize)>),
}

#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    tag: NodeTag,
    mark: Mark,
    complete: bool,
    anchored: bool,
}

enum Frame {
    Seq(usize),
    Map(usize, Option<usize>),
}

#[derive(Default)]
struct Composer {
    nodes: Vec<Node>,
    anchors: HashMap<usize, usize>,
    stack: Vec<Frame>,
    root: Option<usize>,
    blocks: BlockScalars,
}

const YAML_TAG: &str = "tag:yaml.org,2002:";

fn full_tag(tag: Option<&Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

fn explicit_tag(tag: &str) -> NodeTag {
    match tag.strip_prefix(YAML_TAG) {
        Some("null") => NodeTag::Null,
        Some("bool") => NodeTag::Bool,
        Some("int") => NodeTag::Int,
        Some("float") => NodeTag::Float,
        Some("timestamp") => NodeTag::Timestamp,
        Some("binary") => NodeTag::Binary,
        Some("str") => NodeTag::Str,
        Some("seq") => NodeTag::Seq,
        Some("map") => NodeTag::Map,
        Some("omap") => NodeTag::Omap,
        Some("pairs") => NodeTag::Pairs,
        Some("set") => NodeTag::Set,
        Some("merge") => NodeTag::Merge,
        Some("value") => NodeTag::ValueKey,
        _ => NodeTag::Unknown(tag.to_owned()),
    }
}

impl Composer {
    fn compose(&mut self, text: &str) -> Result<Option<usize>, YamlError> {
        let mut parser = Parser::new_from_str(text);
        let mut documents = 0;
        loop {
            let (event, marker) = parser.next_token().map_err(|e| YamlError::scan(&e))?;
            let mark = Mark::from(marker);
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        return Err(YamlError::at(
                            mark,
                            "expected a single document in the stream but found another document",
                        ));
                    }
                }
                Event::Alias(id) => {
                    let Some(&node) = self.anchors.get(&id) else {
                        return Err(YamlError::at(mark, "found undefined alias"));
                    };
                    if !self.nodes.get(node).is_some_and(|n| n.complete) {
                        return Err(YamlError::at(mark, "found a recursive alias (unsupported)"));
                    }
                    self.attach(node, mark)?;
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let value = if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
                        match self.blocks.get(&marker.index()) {
                            Some(Some(v)) => v.clone(),
                            _ => {
                                return Err(YamlError::at(
                                    mark,
                                    "a block scalar PyYAML reads differently",
                                ));
                            }
                        }
                    } else {
                        value
                    };
                    let tag = full_tag(tag.as_ref());
                    let node_tag = match tag.as_deref() {
                        None if style == TScalarStyle::Plain => resolve(&value),
                        None => NodeTag::Str,
                        Some("!") => resolve(&value),
                        Some(t) => explicit_tag(t),
                    };
                    let idx = self.push(Kind::Scalar(value), node_tag, mark, true, anchor);
                    self.attach(idx, mark)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    let tag = full_tag(tag.as_ref());
                    let node_tag = match tag.as_deref() {
                        None | Some("!") => NodeTag::Seq,
                        Some(t) => explicit_tag(t),
                    };
                    let idx = self.push(Kind::Seq(Vec::new()), node_tag, mark, false, anchor);
                    self.attach(idx, mark)?;
                    self.open(Frame::Seq(idx), mark)?;
                }
                Event::MappingStart(anchor, tag) => {
                    let tag = full_tag(tag.as_ref());
                    let node_tag = match tag.as_deref() {
                        None | Some("!") => NodeTag::Map,
                        Some(t) => explicit_tag(t),
                    };
                    let idx = self.push(Kind::Map(Vec::new()), node_tag, mark, false, anchor);
                    self.attach(idx, mark)?;
                    self.open(Frame::Map(idx, None), mark)?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some(Frame::Seq(idx) | Frame::Map(idx, _)) = self.stack.pop() {
                        if let Some(node) = self.nodes.get_mut(idx) {
                            node.complete = true;
                        }
                    }
                }
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            }
        }
        Ok(self.root)
    }

    fn push(
        &mut self,
        kind: Kind,
        tag: NodeTag,
        mark: Mark,
        complete: bool,
        anchor: usize,
    ) -> usize {
        let idx = self.nodes.len();
        self.nodes.push(Node {
            kind,
            tag,
            mark,
            complete,
            anchored: anchor != 0,
        });
        if anchor != 0 {
            self.anchors.insert(anchor, idx);
        }
        idx
    }

    fn open(&mut self, frame: Frame, mark: Mark) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::at(
                mark,
                format!("collections nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn attach(&mut self, idx: usize, mark: Mark) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_some() {
                    return Err(YamlError::at(
                        mark,
                        "expected a single document in the stream",
                    ));
                }
                self.root = Some(idx);
            }
            Some(Frame::Seq(parent)) => {
                if let Some(Node {
                    kind: Kind::Seq(items),
                    ..
                }) = self.nodes.get_mut(*parent)
                {
                    items.push(idx);
                }
            }
            Some(Frame::Map(parent, pending)) => match pending.take() {
                None => *pending = Some(idx),
                Some(key) => {
                    if let Some(Node {
                        kind: Kind::Map(pairs),
                        ..
                    }) = self.nodes.get_mut(*parent)
                    {
                        pairs.push((key, idx));
                    }
                }
            },
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Resolver (YAML 1.1 implicit types of plain scalars)

/// The tag PyYAML's resolver gives a plain scalar (Python's `$` also
/// matches before one final `\n`, which only the `!` tag can reach).
fn resolve(value: &str) -> NodeTag {
    let tag = resolve_exact(value);
    if tag != NodeTag::Str {
        return tag;
    }
    match value.strip_suffix('\n') {
        Some(v) => resolve_exact(v),
        None => tag,
    }
}

fn resolve_exact(v: &str) -> NodeTag {
    match v.as_bytes().first() {
        None => return NodeTag::Null,
        // Only the bool and null patterns start with a letter.
        Some(b) if b.is_ascii_alphabetic() => {
            return if is_bool(v) {
                NodeTag::Bool
            } else if matches!(v, "null" | "Null" | "NULL") {
                NodeTag::Null
            } else {
                NodeTag::Str
            };
        }
        // What no implicit resolver's pattern can start with is a string.
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'~' | b'<' | b'=' | b'!' | b'&' | b'*') => {}
        Some(_) => return NodeTag::Str,
    }
    if is_bool(v) {
        NodeTag::Bool
    } else if is_float(v) {
        NodeTag::Float
    } else if is_int(v) {
        NodeTag::Int
    } else if v == "<<" {
        NodeTag::Merge
    } else if matches!(v, "" | "~" | "null" | "Null" | "NULL") {
        NodeTag::Null
    } else if parse_timestamp(v, true).is_some() {
        NodeTag::Timestamp
    } else if v == "=" {
        NodeTag::ValueKey
    } else if matches!(v, "!" | "&" | "*") {
        // PyYAML's "documentation only" resolver, reachable with `!`.
        NodeTag::Unknown(format!("{YAML_TAG}yaml"))
    } else {
        NodeTag::Str
    }
}

/// A plain scalar's value as the full loader resolves and constructs it;
/// `None` where it fails (merge and value keys, constructor errors), for
/// the fast paths to leave such documents to it.
fn plain_value(text: &str) -> Option<Value> {
    Some(match resolve(text) {
        NodeTag::Str => Value::Str(text.to_owned()),
        NodeTag::Null => Value::None,
        NodeTag::Bool => Value::Bool(match text {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => true,
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => false,
            _ => bool_value(text)?,
        }),
        NodeTag::Int => construct_int(text)?,
        NodeTag::Float => construct_float(text)?,
        NodeTag::Timestamp => construct_timestamp(text)?,
        _ => return None,
    })
}

/// `construct_yaml_bool`.
fn bool_value(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "yes" | "true" | "on" => Some(true),
        "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

fn is_bool(v: &str) -> bool {
    matches!(
        v,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn strip_sign(v: &str) -> &str {
    v.strip_prefix(['-', '+']).unwrap_or(v)
}

/// `[0-9][0-9_]*`
fn is_digits_us(v: &str) -> bool {
    let mut b = v.bytes();
    b.next().is_some_and(|c| c.is_ascii_digit()) && b.all(|c| c.is_ascii_digit() || c == b'_')
}

/// `(?::[0-5]?[0-9])+` given the text after the first part.
fn is_sexagesimal_tail(parts: &[&str]) -> bool {
    !parts.is_empty()
        && parts.iter().all(|p| match p.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        })
}

fn is_int(v: &str) -> bool {
    let r = strip_sign(v);
    if let Some(d) = r.strip_prefix("0b") {
        return !d.is_empty() && d.bytes().all(|c| matches!(c, b'0' | b'1' | b'_'));
    }
    if let Some(d) = r.strip_prefix("0x") {
        return !d.is_empty() && d.bytes().all(|c| c.is_ascii_hexdigit() || c == b'_');
    }
    if r == "0" {
        return true;
    }
    if let Some(d) = r.strip_prefix('0') {
        return d.bytes().all(|c| matches!(c, b'0'..=b'7' | b'_'));
    }
    let parts: Vec<&str> = r.split(':').collect();
    let Some((first, tail)) = parts.split_first() else {
        return false;
    };
    if !is_digits_us(first) || first.starts_with('0') {
        return false;
    }
    tail.is_empty() || is_sexagesimal_tail(tail)
}

/// `([eE][-+][0-9]+)?` at the end.
fn split_exponent(v: &str) -> Option<(&str, bool)> {
    match v.find(['e', 'E']) {
        None => Some((v, true)),
        Some(pos) => {
            let (mantissa, exp) = v.split_at(pos);
            let exp = exp.get(1..)?;
            let digits = exp.strip_prefix(['-', '+'])?;
            let ok = !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit());
            Some((mantissa, ok))
        }
    }
}

fn is_float(v: &str) -> bool {
    if matches!(v, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = strip_sign(v);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    // `\.[0-9][0-9_]*(exp)?` (no sign)
    if let Some(frac) = v.strip_prefix('.') {
        return match split_exponent(frac) {
            Some((m, true)) => is_digits_us(m),
            _ => false,
        };
    }
    let Some((int_part, frac)) = unsigned.split_once('.') else {
        return false;
    };
    // `[0-9][0-9_]*\.[0-9_]*(exp)?`
    if is_digits_us(int_part) {
        if let Some((m, true)) = split_exponent(frac) {
            if m.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
                return true;
            }
        }
    }
    // `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`
    let parts: Vec<&str> = int_part.split(':').collect();
    match parts.split_first() {
        Some((first, tail)) => {
            is_digits_us(first)
                && is_sexagesimal_tail(tail)
                && frac.bytes().all(|c| c.is_ascii_digit() || c == b'_')
        }
        None => false,
    }
}

/// A timestamp's fields.
#[derive(Debug, Clone, PartialEq)]
struct Timestamp {
    year: u32,
    month: u32,
    day: u32,
    time: Option<Time>,
}

#[derive(Debug, Clone, PartialEq)]
struct Time {
    hour: u32,
    minute: u32,
    second: u32,
    fraction: Option<String>,
    /// `None`: naive; `Some(None)`: `Z`; `Some(Some((sign, h, m)))`.
    tz: Option<Option<(bool, u32, u32)>>,
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    let (d, rest) = s.split_at(n);
    Some((d.parse().ok()?, rest))
}

/// Matches PyYAML's timestamp regexps: the resolver's (`strict`: a bare
/// date needs two-digit month and day) or the constructor's.
fn parse_timestamp(v: &str, strict: bool) -> Option<Timestamp> {
    let v = v.strip_suffix('\n').unwrap_or(v);
    let (year, rest) = take_digits(v, 4, 4)?;
    let rest = rest.strip_prefix('-')?;
    let (month, rest2) = take_digits(rest, 1, 2)?;
    let month_len = rest.len() - rest2.len();
    let rest = rest2.strip_prefix('-')?;
    let (day, rest2) = take_digits(rest, 1, 2)?;
    let day_len = rest.len() - rest2.len();
    let rest = rest2;
    if rest.is_empty() {
        if strict && (month_len != 2 || day_len != 2) {
            return None;
        }
        return Some(Timestamp {
            year,
            month,
            day,
            time: None,
        });
    }
    let rest = if let Some(r) = rest.strip_prefix(['T', 't']) {
        r
    } else {
        let r = rest.trim_start_matches([' ', '\t']);
        if r.len() == rest.len() {
            return None;
        }
        r
    };
    let (hour, rest) = take_digits(rest, 1, 2)?;
    let rest = rest.strip_prefix(':')?;
    let (minute, rest) = take_digits(rest, 2, 2)?;
    let rest = rest.strip_prefix(':')?;
    let (second, mut rest) = take_digits(rest, 2, 2)?;
    let mut fraction = None;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        let (f, r2) = r.split_at(n);
        fraction = Some(f.to_owned());
        rest = r2;
    }
    let mut tz = None;
    if !rest.is_empty() {
        let r = rest.trim_start_matches([' ', '\t']);
        if r == "Z" {
            tz = Some(None);
        } else {
            let negative = r.starts_with('-');
            let r = r.strip_prefix(['-', '+'])?;
            let (h, r) = take_digits(r, 1, 2)?;
            let (m, r) = match r.strip_prefix(':') {
                Some(r) => take_digits(r, 2, 2)?,
                None => (0, r),
            };
            if !r.is_empty() {
                return None;
            }
            tz = Some(Some((negative, h, m)));
        }
    }
    Some(Timestamp {
        year,
        month,
        day,
        time: Some(Time {
            hour,
            minute,
            second,
            fraction,
            tz,
        }),
    })
}

// ---------------------------------------------------------------------------
// Constructor

struct Constructor {
    nodes: Vec<Node>,
    memo: HashMap<usize, (Value, usize)>,
    budget: usize,
}

enum Task {
    Enter(usize),
    Build(usize, BuildKind, usize),
}

#[derive(Clone, Copy)]
enum BuildKind {
    List,
    Pairs,
    Dict,
}

enum Entered {
    Value(Value),
    Children(BuildKind, Vec<usize>),
}

/// Collects a collection's constructed children.
fn build(kind: BuildKind, children: Vec<Value>, mark: Mark) -> Result<Value, YamlError> {
    match kind {
        BuildKind::List => Ok(Value::List(children)),
        BuildKind::Pairs => {
            let mut out = Vec::with_capacity(children.len() / 2);
            let mut it = children.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                let repr = format!("({}, {})", k.py_repr(), v.py_repr());
                out.push(Value::Other {
                    str: repr.clone(),
                    repr,
                });
            }
            Ok(Value::List(out))
        }
        BuildKind::Dict => {
            let mut out = DictBuilder::default();
            let mut it = children.into_iter();
            while let (Some(key), Some(value)) = (it.next(), it.next()) {
                if matches!(key, Value::List(_) | Value::Dict(_)) {
                    return Err(YamlError::at(mark, "found unhashable key"));
                }
                out.insert(key, value);
            }
            Ok(Value::Dict(out.finish()))
        }
    }
}

fn value_size(v: &Value) -> usize {
    match v {
        Value::List(items) => 1 + items.iter().map(value_size).sum::<usize>(),
        Value::Dict(items) => {
            1 + items
                .iter()
                .map(|(k, v)| value_size(k) + value_size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

impl Constructor {
    fn node(&self, idx: usize) -> Result<&Node, YamlError> {
        self.nodes
            .get(idx)
            .ok_or_else(|| YamlError::new(0, 0, "internal error: unknown node"))
    }

    fn spend(&mut self, n: usize, mark: Mark) -> Result<(), YamlError> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            YamlError::at(
                mark,
                format!("document expands to more than {MAX_NODES} values"),
            )
        })?;
        Ok(())
    }

    /// Builds the value of node `root` without recursion: `Enter` tasks
    /// construct scalars (or reuse an anchored node's value) and schedule
    /// their children before a `Build` task that collects them.
    fn construct(&mut self, root: usize) -> Result<Value, YamlError> {
        let mut tasks = vec![Task::Enter(root)];
        let mut values: Vec<Value> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Enter(idx) => {
                    let node = self.node(idx)?;
                    let mark = node.mark;
                    if let Some((value, size)) = self.memo.get(&idx) {
                        let (value, size) = (value.clone(), *size);
                        self.spend(size, mark)?;
                        values.push(value);
                        continue;
                    }
                    self.spend(1, mark)?;
                    match self.enter(idx)? {
                        Entered::Value(v) => {
                            if self.node(idx)?.anchored {
                                self.memo.insert(idx, (v.clone(), 1));
                            }
                            values.push(v);
                        }
                        Entered::Children(kind, children) => {
                            tasks.push(Task::Build(idx, kind, children.len()));
                            tasks.extend(children.into_iter().rev().map(Task::Enter));
                        }
                    }
                }
                Task::Build(idx, kind, n) => {
                    let start = values.len().saturating_sub(n);
                    let children = values.split_off(start);
                    let mark = self.node(idx)?.mark;
                    let value = build(kind, children, mark)?;
                    if self.node(idx)?.anchored {
                        let size = value_size(&value);
                        self.memo.insert(idx, (value.clone(), size));
                    }
                    values.push(value);
                }
            }
        }
        values
            .pop()
            .ok_or_else(|| YamlError::new(0, 0, "internal error: no value"))
    }

    fn scalar(&self, idx: usize) -> Result<String, YamlError> {
        let node = self.node(idx)?;
        match &node.kind {
            Kind::Scalar(s) => Ok(s.clone()),
            _ => Err(YamlError::at(node.mark, "expected a scalar node")),
        }
    }

    /// A scalar's value, or the children a collection is built from.
    fn enter(&mut self, idx: usize) -> Result<Entered, YamlError> {
        let node = self.node(idx)?;
        let mark = node.mark;
        let tag = node.tag.clone();
        let bad = |what: &str| YamlError::at(mark, what.to_owned());
        let value = match tag {
            NodeTag::Null => self.scalar(idx).map(|_| Value::None)?,
            NodeTag::Str => Value::Str(self.scalar(idx)?),
            NodeTag::Bool => {
                Value::Bool(bool_value(&self.scalar(idx)?).ok_or_else(|| bad("not a boolean"))?)
            }
            NodeTag::Int => construct_int(&self.scalar(idx)?).ok_or_else(|| bad("invalid int"))?,
            NodeTag::Float => {
                construct_float(&self.scalar(idx)?).ok_or_else(|| bad("invalid float"))?
            }
            NodeTag::Timestamp => {
                construct_timestamp(&self.scalar(idx)?).ok_or_else(|| bad("invalid timestamp"))?
            }
            NodeTag::Binary => {
                construct_binary(&self.scalar(idx)?).ok_or_else(|| bad("invalid base64 data"))?
            }
            NodeTag::Seq => {
                let Kind::Seq(items) = &node.kind else {
                    return Err(bad("expected a sequence node"));
                };
                return Ok(Entered::Children(BuildKind::List, items.clone()));
            }
            NodeTag::Omap | NodeTag::Pairs => {
                let Kind::Seq(items) = &node.kind else {
                    return Err(bad("expected a sequence"));
                };
                let mut children = Vec::with_capacity(items.len() * 2);
                for &item in items {
                    match &self.node(item)?.kind {
                        Kind::Map(pairs) if pairs.len() == 1 => {
                            for &(k, v) in pairs {
                                children.push(k);
                                children.push(v);
                            }
                        }
                        _ => return Err(bad("expected a single mapping item")),
                    }
                }
                return Ok(Entered::Children(BuildKind::Pairs, children));
            }
            NodeTag::Map => {
                if !matches!(node.kind, Kind::Map(_)) {
                    return Err(bad("expected a mapping node"));
                }
                self.flatten(idx, 0)?;
                let Kind::Map(pairs) = &self.node(idx)?.kind else {
                    return Err(bad("expected a mapping node"));
                };
                let children = pairs.iter().flat_map(|&(k, v)| [k, v]).collect();
                return Ok(Entered::Children(BuildKind::Dict, children));
            }
            NodeTag::Set => {
                // A set iterates over its members (the mapping's keys);
                // Python's iteration order is hash order, not
                // reproducible: document order stands in for it.
                let Kind::Map(pairs) = &self.node(idx)?.kind else {
                    return Err(bad("expected a mapping node"));
                };
                let keys = pairs.iter().map(|&(k, _)| k).collect();
                return Ok(Entered::Children(BuildKind::List, keys));
            }
            NodeTag::Merge => {
                return Err(bad(
                    "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'",
                ));
            }
            NodeTag::ValueKey => {
                return Err(bad(
                    "could not determine a constructor for the tag 'tag:yaml.org,2002:value'",
                ));
            }
            NodeTag::Unknown(t) => {
                return Err(bad(&format!(
                    "could not determine a constructor for the tag {t:?}"
                )));
            }
        };
        Ok(Entered::Value(value))
    }

    /// PyYAML's merge-key flattening, done on the (shared) node.
    fn flatten(&mut self, idx: usize, depth: usize) -> Result<(), YamlError> {
        let node = self.node(idx)?;
        let mark = node.mark;
        if depth > MAX_MERGE_DEPTH {
            return Err(YamlError::at(mark, "merge keys nested too deep"));
        }
        let Kind::Map(pairs) = &node.kind else {
            return Ok(());
        };
        let pairs = pairs.clone();
        if !pairs.iter().any(|&(k, _)| {
            self.nodes
                .get(k)
                .is_some_and(|n| matches!(n.tag, NodeTag::Merge | NodeTag::ValueKey))
        }) {
            return Ok(());
        }
        let mut merge = Vec::new();
        let mut rest = Vec::new();
        for (k, v) in pairs {
            let key_tag = self.node(k)?.tag.clone();
            match key_tag {
                NodeTag::Merge => {
                    let value = self.node(v)?;
                    let value_mark = value.mark;
                    match &value.kind {
                        Kind::Map(_) => {
                            self.flatten(v, depth + 1)?;
                            if let Kind::Map(sub) = &self.node(v)?.kind {
                                merge.extend(sub.iter().copied());
                            }
                        }
                        Kind::Seq(items) => {
                            let items = items.clone();
                            let mut submerge = Vec::new();
                            for item in items {
                                if !matches!(self.node(item)?.kind, Kind::Map(_)) {
                                    return Err(YamlError::at(
                                        value_mark,
                                        "expected a mapping for merging",
                                    ));
                                }
                                self.flatten(item, depth + 1)?;
                                if let Kind::Map(sub) = &self.node(item)?.kind {
                                    submerge.push(sub.clone());
                                }
                            }
                            for sub in submerge.into_iter().rev() {
                                merge.extend(sub);
                            }
                        }
                        Kind::Scalar(_) => {
                            return Err(YamlError::at(
                                value_mark,
                                "expected a mapping or list of mappings for merging",
                            ));
                        }
                    }
                }
                NodeTag::ValueKey => {
                    if let Some(n) = self.nodes.get_mut(k) {
                        n.tag = NodeTag::Str;
                    }
                    rest.push((k, v));
                }
                _ => rest.push((k, v)),
            }
        }
        merge.extend(rest);
        if let Some(Node {
            kind: Kind::Map(pairs),
            ..
        }) = self.nodes.get_mut(idx)
        {
            *pairs = merge;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Scalar constructors

/// Python's `str.strip()` whitespace.
fn py_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\u{1c}'..='\u{20}' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// A non-negative big integer in base 10^9 limbs, little-endian.
#[derive(Debug, Clone, Default)]
struct BigUint(Vec<u32>);

const LIMB: u64 = 1_000_000_000;

impl BigUint {
    fn mul_add(&mut self, mul: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let x = u64::from(*limb) * u64::from(mul) + carry;
            *limb = u32::try_from(x % LIMB).unwrap_or(0);
            carry = x / LIMB;
        }
        while carry > 0 {
            self.0.push(u32::try_from(carry % LIMB).unwrap_or(0));
            carry /= LIMB;
        }
    }

    fn add(&mut self, other: &BigUint) {
        let mut carry = 0u64;
        let n = self.0.len().max(other.0.len());
        self.0.resize(n, 0);
        for (i, limb) in self.0.iter_mut().enumerate() {
            let x = u64::from(*limb) + u64::from(other.0.get(i).copied().unwrap_or(0)) + carry;
            *limb = u32::try_from(x % LIMB).unwrap_or(0);
            carry = x / LIMB;
        }
        if carry > 0 {
            self.0.push(u32::try_from(carry).unwrap_or(0));
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn to_decimal(&self) -> String {
        let mut limbs = self.0.iter().rev().skip_while(|&&l| l == 0);
        let Some(first) = limbs.next() else {
            return "0".to_owned();
        };
        let mut out = first.to_string();
        for limb in limbs {
            out.push_str(&format!("{limb:09}"));
        }
        out
    }
}

/// Python's `int(text, base)` for bases 2, 8, 10 and 16 (no underscores:
/// PyYAML removed them), as a sign and magnitude.
fn py_int(text: &str, base: u32) -> Option<(bool, BigUint)> {
    let t = text.trim_matches(py_space);
    let negative = t.starts_with('-');
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let t = match base {
        2 => t
            .strip_prefix("0b")
            .or_else(|| t.strip_prefix("0B"))
            .unwrap_or(t),
        8 => t
            .strip_prefix("0o")
            .or_else(|| t.strip_prefix("0O"))
            .unwrap_or(t),
        16 => t
            .strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .unwrap_or(t),
        _ => t,
    };
    if t.is_empty() || (base == 10 && t.len() > MAX_INT_DIGITS) {
        return None;
    }
    let mut n = BigUint::default();
    for c in t.chars() {
        let d = c.to_digit(base)?;
        n.mul_add(base, d);
    }
    Some((negative, n))
}

fn int_value(negative: bool, n: &BigUint) -> Value {
    if negative && !n.is_zero() {
        Value::Int(format!("-{}", n.to_decimal()))
    } else {
        Value::Int(n.to_decimal())
    }
}

/// `construct_yaml_int`.
fn construct_int(value: &str) -> Option<Value> {
    let v: String = value.chars().filter(|&c| c != '_').collect();
    let first = v.chars().next()?;
    let sign_negative = first == '-';
    let v = if first == '-' || first == '+' {
        v.get(1..)?
    } else {
        v.as_str()
    };
    let (negative, n) = if v == "0" {
        return Some(Value::Int("0".to_owned()));
    } else if let Some(d) = v.strip_prefix("0b") {
        py_int(d, 2)?
    } else if let Some(d) = v.strip_prefix("0x") {
        py_int(d, 16)?
    } else if v.starts_with('0') {
        py_int(v, 8)?
    } else if v.contains(':') {
        let mut acc = BigUint::default();
        for part in v.split(':') {
            let (neg, digit) = py_int(part, 10)?;
            if neg && !digit.is_zero() {
                // A negative part (explicit tags only): not worth exact
                // emulation.
                return None;
            }
            acc.mul_add(60, 0);
            acc.add(&digit);
        }
        (false, acc)
    } else {
        py_int(v, 10)?
    };
    Some(int_value(negative != sign_negative, &n))
}

/// Python's `float(text)` (no underscores).
fn py_float(text: &str) -> Option<f64> {
    let t = text.trim_matches(py_space);
    let (negative, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan" {
        f64::NAN
    } else {
        let (mantissa, exp) = match lower.split_once('e') {
            Some((m, e)) => (m, Some(e)),
            None => (lower.as_str(), None),
        };
        let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        if (int_part.is_empty() && frac.is_empty()) || !digits(int_part) || !digits(frac) {
            return None;
        }
        let exp = match exp {
            None => "0",
            Some(e) => {
                let d = e.strip_prefix(['-', '+']).unwrap_or(e);
                if d.is_empty() || !digits(d) {
                    return None;
                }
                e
            }
        };
        let int_part = if int_part.is_empty() { "0" } else { int_part };
        let frac = if frac.is_empty() { "0" } else { frac };
        format!("{int_part}.{frac}e{exp}").parse::<f64>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `construct_yaml_float`.
fn construct_float(value: &str) -> Option<Value> {
    let v: String = value
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_lowercase();
    let first = v.chars().next()?;
    let sign = if first == '-' { -1.0 } else { 1.0 };
    let v = if first == '-' || first == '+' {
        v.get(1..)?
    } else {
        v.as_str()
    };
    let f = if v == ".inf" {
        sign * f64::INFINITY
    } else if v == ".nan" {
        f64::NAN
    } else if v.contains(':') {
        let mut digits = Vec::new();
        for part in v.split(':') {
            digits.push(py_float(part)?);
        }
        let mut base = 1.0;
        let mut total = 0.0;
        for d in digits.iter().rev() {
            total += d * base;
            base *= 60.0;
        }
        sign * total
    } else {
        sign * py_float(v)?
    };
    Some(Value::Float(f))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn timedelta_repr(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let mut parts = Vec::new();
    if days != 0 {
        parts.push(format!("days={days}"));
    }
    if secs != 0 {
        parts.push(format!("seconds={secs}"));
    }
    if parts.is_empty() {
        "datetime.timedelta(0)".to_owned()
    } else {
        format!("datetime.timedelta({})", parts.join(", "))
    }
}

/// `construct_yaml_timestamp`: a `datetime.date` or `datetime.datetime`.
fn construct_timestamp(value: &str) -> Option<Value> {
    let ts = parse_timestamp(value, false)?;
    if ts.year < 1 || !(1..=12).contains(&ts.month) || ts.day < 1 {
        return None;
    }
    if ts.day > days_in_month(ts.year, ts.month) {
        return None;
    }
    let date = format!("{:04}-{:02}-{:02}", ts.year, ts.month, ts.day);
    let Some(time) = ts.time else {
        return Some(Value::Other {
            str: date,
            repr: format!("datetime.date({}, {}, {})", ts.year, ts.month, ts.day),
        });
    };
    if time.hour > 23 || time.minute > 59 || time.second > 59 {
        return None;
    }
    let micro: u32 = match &time.fraction {
        Some(f) if !f.is_empty() => {
            let mut f: String = f.chars().take(6).collect();
            while f.len() < 6 {
                f.push('0');
            }
            f.parse().ok()?
        }
        _ => 0,
    };
    let offset: Option<i64> = match time.tz {
        None => None,
        Some(None) => Some(0),
        Some(Some((negative, h, m))) => {
            let s = i64::from(h) * 3600 + i64::from(m) * 60;
            if s >= 86_400 {
                return None;
            }
            Some(if negative { -s } else { s })
        }
    };
    let mut text = format!(
        "{date} {:02}:{:02}:{:02}",
        time.hour, time.minute, time.second
    );
    if micro != 0 {
        text.push_str(&format!(".{micro:06}"));
    }
    let mut fields = vec![
        ts.year,
        ts.month,
        ts.day,
        time.hour,
        time.minute,
        time.second,
        micro,
    ];
    for _ in 0..2 {
        if fields.last() == Some(&0) {
            fields.pop();
        }
    }
    let fields: Vec<String> = fields.iter().map(u32::to_string).collect();
    let mut repr = format!("datetime.datetime({}", fields.join(", "));
    if let Some(off) = offset {
        let sign = if off < 0 { '-' } else { '+' };
        let abs = off.abs();
        text.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60));
        if off == 0 {
            repr.push_str(", tzinfo=datetime.timezone.utc");
        } else {
            repr.push_str(&format!(
                ", tzinfo=datetime.timezone({})",
                timedelta_repr(off)
            ));
        }
    }
    repr.push(')');
    Some(Value::Other { str: text, repr })
}

/// `base64.decodebytes` (non-strict `binascii.a2b_base64`).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut quad = 0u8;
    let mut left = 0u32;
    let mut pads = 0u8;
    for c in text.bytes() {
        if c == b'=' {
            pads += 1;
            if quad >= 2 && quad + pads >= 4 {
                quad = 0;
                break;
            }
            continue;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        pads = 0;
        left = (left << 6) | u32::from(v);
        quad += 1;
        match quad {
            2 => out.push(u8::try_from((left >> 4) & 0xff).unwrap_or(0)),
            3 => out.push(u8::try_from((left >> 2) & 0xff).unwrap_or(0)),
            4 => {
                out.push(u8::try_from(left & 0xff).unwrap_or(0));
                quad = 0;
                left = 0;
            }
            _ => {}
        }
    }
    if quad != 0 {
        return None;
    }
    Some(out)
}

/// Python's `repr(bytes)`.
fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if char::from(c) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(c)),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

/// `construct_yaml_binary`.
fn construct_binary(value: &str) -> Option<Value> {
    if !value.is_ascii() {
        return None;
    }
    let bytes = decode_base64(value)?;
    let repr = bytes_repr(&bytes);
    Some(Value::Other {
        str: repr.clone(),
        repr,
    })
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
