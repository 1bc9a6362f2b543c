//! Scanner checks: what PyYAML's scanner rejects and yaml-rust2 accepts,
//! and block scalars read PyYAML's way.

use std::collections::HashMap;

use yaml_rust2::scanner::{Marker, Scanner, TScalarStyle, Token, TokenType};

use super::{Mark, YamlError};

/// Block scalars as PyYAML reads them, by the character index of their
/// token (`None`: one PyYAML reads differently from yaml-rust2 and that
/// must fail).
pub(super) type BlockScalars = HashMap<usize, Option<String>>;

/// Whether a token is a collection start, end or other.
pub(super) fn nesting(kind: &TokenType) -> i32 {
    match kind {
        TokenType::BlockMappingStart
        | TokenType::BlockSequenceStart
        | TokenType::FlowMappingStart
        | TokenType::FlowSequenceStart => 1,
        TokenType::BlockEnd | TokenType::FlowMappingEnd | TokenType::FlowSequenceEnd => -1,
        _ => 0,
    }
}

pub(super) fn is_ws(c: Option<char>) -> bool {
    matches!(c, None | Some(' ' | '\t' | '\n'))
}

/// Runs yaml-rust2's scanner and applies PyYAML's stricter rules to its
/// tokens: where tabs may be, which plain scalars and `:` are allowed,
/// anchor names, duplicate anchors, tag ends, the `%YAML` version; and
/// reads block scalars PyYAML's way.
pub(super) fn check_tokens(text: &str, chars: &[char]) -> Result<BlockScalars, YamlError> {
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
        let Token(marker, kind) = token;
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
                check_plain_scalar(chars, start, value, flow_level).map_err(|e| e.at(mark))?;
            }
            TokenType::Scalar(style @ (TScalarStyle::Literal | TScalarStyle::Folded), value) => {
                let before = tokens.get(..i).unwrap_or_default();
                let folded = *style == TScalarStyle::Folded;
                let block = read_block_scalar(chars, before, start, folded, value, &mut allowed)
                    .map_err(|e| e.at(mark))?;
                blocks.insert(start, block);
            }
            TokenType::Value => {
                let before = tokens.get(..i).unwrap_or_default();
                check_simple_key(chars, before, marker).map_err(|e| e.at(mark))?;
            }
            TokenType::Anchor(name) | TokenType::Alias(name) => {
                check_anchor_name(chars, start, name).map_err(|e| e.at(mark))?;
                if matches!(kind, TokenType::Anchor(_)) {
                    if anchors.contains_key(name) {
                        return fail(&format!("found duplicate anchor {name:?}"));
                    }
                    anchors.insert(name.clone(), mark);
                }
            }
            TokenType::Tag(..) => check_tag_end(chars, start).map_err(|e| e.at(mark))?,
            TokenType::DocumentStart => anchors.clear(),
            _ => {}
        }
    }
    check_tabs(chars, &mut allowed)?;
    Ok(blocks)
}

/// What PyYAML rejects at a token (placed at the token's mark by the
/// caller).
#[derive(Debug)]
struct Reject(&'static str);

impl Reject {
    fn at(self, mark: Mark) -> YamlError {
        YamlError::at(mark, self.0)
    }
}

/// A plain scalar PyYAML's scanner would read differently: one starting
/// with an indicator, or holding `?` in flow context.
fn check_plain_scalar(
    chars: &[char],
    start: usize,
    value: &str,
    flow_level: usize,
) -> Result<(), Reject> {
    let first = chars.get(start).copied();
    let next = chars.get(start + 1).copied();
    if first != value.chars().next() {
        return Err(Reject("unexpected plain scalar position"));
    }
    let bad = match first {
        Some(c) if ",[]{}#&*!|>'\"%@`".contains(c) => true,
        Some('-') => is_ws(next),
        Some('?' | ':') => flow_level > 0 || is_ws(next),
        _ => false,
    };
    if bad || (flow_level > 0 && value.contains('?')) {
        return Err(Reject("a plain scalar PyYAML reads differently"));
    }
    Ok(())
}

/// A block scalar (`|`, `>`) read PyYAML's way: its value, or `None` when
/// yaml-rust2's reading (`value`) disagrees other than at the end of the
/// stream. Marks its content as a place for tabs.
fn read_block_scalar(
    chars: &[char],
    before: &[Token],
    start: usize,
    folded: bool,
    value: &str,
    allowed: &mut [bool],
) -> Result<Option<String>, Reject> {
    let from = before.last().map_or(0, |t| t.0.index());
    let indicator = find_indicator(chars, from, start)
        .ok_or(Reject("cannot find the block scalar's indicator"))?;
    let min_indent = parent_indent(chars, before).map_or(1, |c| c + 1);
    let block = scan_block_scalar(chars, indicator, min_indent, folded, allowed)
        .ok_or(Reject("invalid block scalar header"))?;
    let agrees = if block.reaches_end {
        block.value.trim_end_matches('\n') == value.trim_end_matches('\n')
    } else {
        block.value == value
    };
    Ok(agrees.then_some(block.value))
}

/// PyYAML needs a KEY before every VALUE: an explicit `?`, or a simple key
/// on the same line within 1024 characters.
fn check_simple_key(chars: &[char], before: &[Token], value: &Marker) -> Result<(), Reject> {
    let mut depth = 0i32;
    let mut key = None;
    for t in before.iter().rev() {
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
    let key = key.ok_or(Reject("expected a key before ':'"))?;
    let explicit = chars.get(key.index()) == Some(&'?');
    if !explicit && (key.line() != value.line() || key.index() + 1024 < value.index()) {
        return Err(Reject(
            "a simple key must be on one line, within 1024 characters",
        ));
    }
    Ok(())
}

/// Anchor and alias names are `[0-9A-Za-z_-]+` followed by a separator.
fn check_anchor_name(chars: &[char], start: usize, name: &str) -> Result<(), Reject> {
    let ok_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let after = chars.get(start + 1 + name.chars().count()).copied();
    let ok_after = match after {
        None => true,
        Some(c) => " \t\n?:,]}%@`".contains(c),
    };
    if ok_name && ok_after {
        Ok(())
    } else {
        Err(Reject(
            "expected alphabetic or numeric character in an anchor or alias",
        ))
    }
}

/// A tag must be followed by a space or a line break.
fn check_tag_end(chars: &[char], start: usize) -> Result<(), Reject> {
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
            return Err(Reject("expected ' ' after a tag"));
        }
        end += 1;
    }
    Ok(())
}

/// Tabs are only allowed in comments and where `allowed` says (quoted
/// scalars, block scalar content). A comment is a `#` at a line start or
/// after whitespace or a quoted scalar, outside scalars.
pub(super) fn check_tabs(chars: &[char], allowed: &mut [bool]) -> Result<(), YamlError> {
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

pub(super) fn fill(allowed: &mut [bool], start: usize, end: usize) {
    for slot in allowed.iter_mut().take(end).skip(start) {
        *slot = true;
    }
}

/// 1-based line and column of a character index.
pub(super) fn position(chars: &[char], index: usize) -> (usize, usize) {
    let before = chars.get(..index).unwrap_or_default();
    let line = 1 + before.iter().filter(|&&c| c == '\n').count();
    let column = 1 + before.iter().rev().take_while(|&&c| c != '\n').count();
    (line, column)
}

/// The index just past the closing quote of the quoted scalar at `start`.
pub(super) fn quoted_end(chars: &[char], start: usize) -> Option<usize> {
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
pub(super) fn find_indicator(chars: &[char], from: usize, to: usize) -> Option<usize> {
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
pub(super) fn parent_indent(chars: &[char], before: &[Token]) -> Option<usize> {
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

pub(super) struct BlockScalar {
    pub(super) value: String,
    /// Whether the scalar runs to the end of the text.
    pub(super) reaches_end: bool,
}

/// Reads a block scalar as PyYAML's scanner does (YAML 1.1): header
/// indicators, indentation (explicit or that of the first non-empty line,
/// at least `min_indent`), literal or folded lines, chomping; marks the
/// content characters where tabs are allowed.
pub(super) fn scan_block_scalar(
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
