//! A YAML writer producing exactly what PyYAML 6.0's
//! `yaml.safe_dump(data, default_flow_style=False)` writes (the pure-Python
//! `SafeDumper`: keys sorted, `allow_unicode=False`, width 80, indent 2),
//! for the values a policy file can hold: `str`, `int`, `float`, `bool`,
//! `None`, dates and timestamps, lists and dicts.
//!
//! What it reproduces:
//!
//! * the representer: `true`/`false`, `null`, `str(int)`, floats as
//!   `repr()` lowercased with `.0` put before a bare exponent, `.nan`,
//!   `.inf`, `-.inf`; dict items sorted when their keys are all strings or
//!   all numbers (PyYAML's `sorted()` raises on mixed keys and the
//!   representer then keeps insertion order);
//! * the choice between plain, single-quoted and double-quoted scalars: a
//!   string that would read back as something else (`yes`, `~`, `1_0`,
//!   `2001-01-01`, `.5`, `<<`, `=`, empty) is quoted; indicators, leading
//!   or trailing spaces, line breaks and any character outside printable
//!   ASCII (escaped as `\xE9`, `\u2028`, `\U0001F600`) decide the quotes;
//! * the emitter's layout: block mappings and sequences (sequences inside a
//!   mapping are not indented), `[]` and `{}` for empty collections, keys
//!   of 123 characters or more (128 with the `!!str` tag PyYAML counts), empty or multi-line keys written as
//!   `? key` / `: value`, long scalars folded at spaces after column 80, and
//!   the `...` end marker after a plain scalar document.
//!
//! The loader turns `\uD800`-style escapes into private-use stand-ins (see
//! [`crate::surrogate`]); they are written back as the
//! surrogate escapes PyYAML writes.

use std::cmp::Ordering;
use std::sync::OnceLock;

use fancy_regex::Regex;

use crate::value::{Value, float_repr};

/// A value `safe_dump` would write but this writer cannot reproduce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// Bytes, tuples and other values the YAML loader keeps only as their
    /// Python `str()`/`repr()` (dates and timestamps are written).
    #[error("cannot write {0} as YAML")]
    Unsupported(String),
}

/// `yaml.safe_dump(value, default_flow_style=False)`.
///
/// # Errors
/// [`EmitError::Unsupported`] for [`Value::Other`] anywhere in `value`.
pub fn safe_dump(value: &Value) -> Result<String, EmitError> {
    let mut e = Emitter {
        out: String::new(),
        indent: None,
        indents: Vec::new(),
        flow_level: 0,
        column: 0,
        whitespace: true,
        indention: true,
        open_ended: false,
    };
    e.node(value, Context::Root)?;
    // DOCUMENT-END (implicit), then STREAM-END.
    e.write_indent();
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
    Ok(e.out)
}

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

/// Where a node stands (the emitter's root/sequence/mapping/simple-key
/// contexts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    Sequence,
    Mapping,
    SimpleKey,
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_break(c: char) -> bool {
    matches!(c, '\0' | ' ' | '\t' | '\r') || is_break(c)
}

/// The scalar text, whether it is a `str` (other scalars always read
/// back as themselves when plain), and the length of its tag's short form
/// (`!!str`...), which counts towards the simple-key limit.
struct Scalar {
    text: Vec<char>,
    is_str: bool,
    tag_len: usize,
}

fn represent_scalar(value: &Value) -> Result<Option<Scalar>, EmitError> {
    let (text, tag) = match value {
        Value::Str(s) => (s.clone(), "!!str"),
        Value::None => ("null".to_owned(), "!!null"),
        Value::Bool(b) => (if *b { "true" } else { "false" }.to_owned(), "!!bool"),
        Value::Int(i) => (i.clone(), "!!int"),
        Value::Float(f) => (float_text(*f), "!!float"),
        Value::List(_) | Value::Dict(_) => return Ok(None),
        // `str()` of a date or datetime is the `isoformat()` PyYAML writes.
        Value::Other { str, repr }
            if repr.starts_with("datetime.date(") || repr.starts_with("datetime.datetime(") =>
        {
            (str.clone(), "!!timestamp")
        }
        Value::Other { repr, .. } => return Err(EmitError::Unsupported(repr.clone())),
    };
    Ok(Some(Scalar {
        text: text.chars().collect(),
        is_str: matches!(value, Value::Str(_)),
        tag_len: tag.len(),
    }))
}

/// `SafeRepresenter.represent_float`.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let text = float_repr(f).to_lowercase();
    if !text.contains('.') && text.contains('e') {
        text.replacen('e', ".0e", 1)
    } else {
        text
    }
}

/// Whether a plain scalar with this text would be read back as something
/// other than a string (PyYAML's implicit resolvers).
fn resolves_to_non_str(text: &str) -> bool {
    static RESOLVERS: OnceLock<Vec<Regex>> = OnceLock::new();
    let resolvers = RESOLVERS.get_or_init(|| {
        [
            // bool
            r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
            // float
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            // int
            r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
            // merge, null, value, yaml
            r"^(?:<<|~|null|Null|NULL|=|!|&|\*|)$",
            // timestamp
            r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    });
    resolvers.iter().any(|r| r.is_match(text).unwrap_or(false))
}

/// `Emitter.analyze_scalar` (with `allow_unicode=False`).
#[derive(Debug, Clone, Copy)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn analyze(text: &[char]) -> Analysis {
    if text.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_flow_plain: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    if text.starts_with(&['-', '-', '-']) || text.starts_with(&['.', '.', '.']) {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_ws = true;
    let mut previous_space = false;
    let mut previous_break = false;
    let last = text.len() - 1;
    for (index, &ch) in text.iter().enumerate() {
        let followed_by_ws = text.get(index + 1).is_none_or(|&c| is_blank_or_break(c));
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                flow_indicators = true;
                block_indicators = true;
            }
            if ch == '?' || ch == ':' {
                flow_indicators = true;
                if followed_by_ws {
                    block_indicators = true;
                }
            }
            if ch == '-' && followed_by_ws {
                flow_indicators = true;
                block_indicators = true;
            }
        } else {
            if ",?[]{}".contains(ch) {
                flow_indicators = true;
            }
            if ch == ':' {
                flow_indicators = true;
                if followed_by_ws {
                    block_indicators = true;
                }
            }
            if ch == '#' && preceded_by_ws {
                flow_indicators = true;
                block_indicators = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        // Without allow_unicode, anything but printable ASCII is special.
        if !(ch == '\n' || (' '..='~').contains(&ch)) {
            special = true;
        }
        if ch == ' ' {
            leading_space |= index == 0;
            trailing_space |= index == last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(ch) {
            leading_break |= index == 0;
            trailing_break |= index == last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blank_or_break(ch);
    }
    let mut a = Analysis {
        empty: false,
        multiline: line_breaks,
        allow_flow_plain: true,
        allow_block_plain: true,
        allow_single_quoted: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if break_space || space_break || special {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
    }
    if line_breaks {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if flow_indicators {
        a.allow_flow_plain = false;
    }
    if block_indicators {
        a.allow_block_plain = false;
    }
    a
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

struct Emitter {
    out: String,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
    flow_level: usize,
    column: usize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
}

impl Emitter {
    fn node(&mut self, value: &Value, ctx: Context) -> Result<(), EmitError> {
        match value {
            Value::List(items) => self.sequence(items, ctx),
            Value::Dict(items) => self.mapping(items),
            _ => {
                if let Some(s) = represent_scalar(value)? {
                    self.scalar(&s, ctx);
                }
                Ok(())
            }
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        self.indent = match self.indent {
            None => Some(if flow { BEST_INDENT } else { 0 }),
            Some(i) if !indentless => Some(i + BEST_INDENT),
            Some(i) => Some(i),
        };
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn sequence(&mut self, items: &[Value], ctx: Context) -> Result<(), EmitError> {
        if self.flow_level > 0 || items.is_empty() {
            self.write_indicator("[", true, true, false);
            self.flow_level += 1;
            self.increase_indent(true, false);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.write_indicator(",", false, false, false);
                }
                if self.column > BEST_WIDTH {
                    self.write_indent();
                }
                self.node(item, Context::Sequence)?;
            }
            self.pop_indent();
            self.flow_level -= 1;
            self.write_indicator("]", false, false, false);
            return Ok(());
        }
        let indentless = ctx == Context::Mapping && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::Sequence)?;
        }
        self.pop_indent();
        Ok(())
    }

    fn mapping(&mut self, items: &[(Value, Value)]) -> Result<(), EmitError> {
        let mut items: Vec<&(Value, Value)> = items.iter().collect();
        sort_items(&mut items);
        if self.flow_level > 0 || items.is_empty() {
            self.write_indicator("{", true, true, false);
            self.flow_level += 1;
            self.increase_indent(true, false);
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    self.write_indicator(",", false, false, false);
                }
                if self.column > BEST_WIDTH {
                    self.write_indent();
                }
                if self.simple_key(k)? {
                    self.node(k, Context::SimpleKey)?;
                    self.write_indicator(":", false, false, false);
                } else {
                    self.write_indicator("?", true, false, false);
                    self.node(k, Context::Mapping)?;
                    if self.column > BEST_WIDTH {
                        self.write_indent();
                    }
                    self.write_indicator(":", true, false, false);
                }
                self.node(v, Context::Mapping)?;
            }
            self.pop_indent();
            self.flow_level -= 1;
            self.write_indicator("}", false, false, false);
            return Ok(());
        }
        self.increase_indent(false, false);
        for (k, v) in items {
            self.write_indent();
            if self.simple_key(k)? {
                self.node(k, Context::SimpleKey)?;
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(k, Context::Mapping)?;
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(v, Context::Mapping)?;
        }
        self.pop_indent();
        Ok(())
    }

    /// `check_simple_key`: a scalar whose text and tag (`!!str`, though
    /// the tag is not written) are shorter than 128 characters, not empty
    /// and on one line, or an empty collection.
    fn simple_key(&self, key: &Value) -> Result<bool, EmitError> {
        Ok(match represent_scalar(key)? {
            Some(s) => {
                let a = analyze(&s.text);
                s.text.len() + s.tag_len < 128 && !a.empty && !a.multiline
            }
            None => match key {
                Value::List(v) => v.is_empty(),
                Value::Dict(v) => v.is_empty(),
                _ => false,
            },
        })
    }

    fn scalar(&mut self, s: &Scalar, ctx: Context) {
        let a = analyze(&s.text);
        let simple_key = ctx == Context::SimpleKey;
        let implicit_plain = !s.is_str || !resolves_to_non_str(&s.text.iter().collect::<String>());
        let plain_ok = if self.flow_level > 0 {
            a.allow_flow_plain
        } else {
            a.allow_block_plain
        };
        let style = if implicit_plain && !(simple_key && (a.empty || a.multiline)) && plain_ok {
            Style::Plain
        } else if a.allow_single_quoted && !(simple_key && a.multiline) {
            Style::Single
        } else {
            Style::Double
        };
        self.increase_indent(true, false);
        let split = !simple_key;
        match style {
            Style::Plain => self.write_plain(&s.text, split, ctx == Context::Root),
            Style::Single => self.write_single_quoted(&s.text, split),
            Style::Double => self.write_double_quoted(&s.text, split),
        }
        self.pop_indent();
    }

    fn write(&mut self, data: &[char]) {
        self.column += data.len();
        self.out.extend(data.iter());
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.out.push(' ');
            self.column += 1;
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
        self.open_ended = false;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break('\n');
        }
        if self.column < indent {
            self.whitespace = true;
            for _ in self.column..indent {
                self.out.push(' ');
            }
            self.column = indent;
        }
    }

    fn write_line_break(&mut self, c: char) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(c);
    }

    /// The line breaks of `text[start..end]` (a plain or single-quoted
    /// scalar's run of breaks), then the indentation.
    fn write_breaks(&mut self, breaks: &[char]) {
        if breaks.first() == Some(&'\n') {
            self.write_line_break('\n');
        }
        for &br in breaks {
            self.write_line_break(br);
        }
        self.write_indent();
    }

    fn write_plain(&mut self, text: &[char], split: bool, root: bool) {
        if root {
            self.open_ended = true;
        }
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(&[' ']);
        }
        self.whitespace = false;
        self.indention = false;
        let (mut spaces, mut breaks) = (false, false);
        let mut start = 0;
        for end in 0..=text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write(text.get(start..end).unwrap_or_default());
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.write_breaks(text.get(start..end).unwrap_or_default());
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                self.write(text.get(start..end).unwrap_or_default());
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
        }
    }

    fn write_single_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        let mut start = 0;
        for end in 0..=text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != text.len()
                    {
                        self.write_indent();
                    } else {
                        self.write(text.get(start..end).unwrap_or_default());
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.write_breaks(text.get(start..end).unwrap_or_default());
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || c == '\'' || is_break(c)) && start < end {
                self.write(text.get(start..end).unwrap_or_default());
                start = end;
            }
            if ch == Some('\'') {
                self.write(&['\'', '\'']);
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("\"", true, false, false);
        let mut start = 0;
        for end in 0..=text.len() {
            let ch = text.get(end).copied();
            let escape = ch.is_none_or(|c| {
                matches!(
                    c,
                    '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
                ) || !(' '..='~').contains(&c)
            });
            if escape {
                if start < end {
                    self.write(text.get(start..end).unwrap_or_default());
                    start = end;
                }
                if let Some(c) = ch {
                    let data: Vec<char> = escaped(c).chars().collect();
                    self.write(&data);
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < text.len()
                && (ch == Some(' ') || start >= end)
                && self.column as isize + end as isize - start as isize > BEST_WIDTH as isize
                && split
            {
                let mut data: Vec<char> = text.get(start..end).unwrap_or_default().to_vec();
                data.push('\\');
                if start < end {
                    start = end;
                }
                self.write(&data);
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if text.get(start) == Some(&' ') {
                    self.write(&['\\']);
                }
            }
        }
        self.write_indicator("\"", false, false, false);
    }
}

/// A double-quoted scalar's escape of `c`.
fn escaped(c: char) -> String {
    let short = match c {
        '\0' => Some('0'),
        '\u{7}' => Some('a'),
        '\u{8}' => Some('b'),
        '\t' => Some('t'),
        '\n' => Some('n'),
        '\u{b}' => Some('v'),
        '\u{c}' => Some('f'),
        '\r' => Some('r'),
        '\u{1b}' => Some('e'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '\u{85}' => Some('N'),
        '\u{a0}' => Some('_'),
        '\u{2028}' => Some('L'),
        '\u{2029}' => Some('P'),
        _ => None,
    };
    if let Some(s) = short {
        return format!("\\{s}");
    }
    let code = crate::surrogate::python_code(c);
    if code <= 0xff {
        format!("\\x{code:02X}")
    } else if code <= 0xffff {
        format!("\\u{code:04X}")
    } else {
        format!("\\U{code:08X}")
    }
}

/// `sorted(mapping.items())`, or the items as they are when the keys are
/// not mutually comparable (Python raises `TypeError`, which PyYAML
/// ignores).
fn sort_items(items: &mut [&(Value, Value)]) {
    let all_str = items.iter().all(|(k, _)| matches!(k, Value::Str(_)));
    let all_num = items
        .iter()
        .all(|(k, _)| matches!(k, Value::Bool(_) | Value::Int(_) | Value::Float(_)));
    if items.len() < 2 || !(all_str || all_num) {
        return;
    }
    items.sort_by(|(a, _), (b, _)| key_cmp(a, b));
}

fn key_cmp(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x
            .chars()
            .map(crate::surrogate::python_code)
            .cmp(y.chars().map(crate::surrogate::python_code)),
        _ => num_cmp(a, b),
    }
}

/// Python's ordering of `bool`/`int`/`float` (ints exact at any size;
/// an int against a float through the float, which is exact below 2**53).
fn num_cmp(a: &Value, b: &Value) -> Ordering {
    fn int_text(v: &Value) -> Option<&str> {
        match v {
            Value::Bool(true) => Some("1"),
            Value::Bool(false) => Some("0"),
            Value::Int(i) => Some(i),
            _ => None,
        }
    }
    fn as_f64(v: &Value) -> f64 {
        match v {
            Value::Float(f) => *f,
            other => int_text(other)
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(f64::NAN),
        }
    }
    match (int_text(a), int_text(b)) {
        (Some(x), Some(y)) => int_cmp(x, y),
        _ => as_f64(a).partial_cmp(&as_f64(b)).unwrap_or(Ordering::Equal),
    }
}

/// Compares canonical decimal integer texts.
fn int_cmp(x: &str, y: &str) -> Ordering {
    let (xn, xd) = x.strip_prefix('-').map_or((false, x), |d| (true, d));
    let (yn, yd) = y.strip_prefix('-').map_or((false, y), |d| (true, d));
    let magnitude = xd.len().cmp(&yd.len()).then_with(|| xd.cmp(yd));
    match (xn, yn) {
        (false, false) => magnitude,
        (true, true) => magnitude.reverse(),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(v: &Value) -> String {
        safe_dump(v).unwrap()
    }

    fn one(k: &str, v: Value) -> String {
        dump(&Value::Dict(vec![(Value::str(k), v)]))
    }

    #[test]
    fn plain_and_quoted_strings() {
        assert_eq!(one("a", Value::str("role:admin")), "a: role:admin\n");
        assert_eq!(one("a", Value::str("")), "a: ''\n");
        assert_eq!(one("a", Value::str("yes")), "a: 'yes'\n");
        assert_eq!(one("a", Value::str("~")), "a: '~'\n");
        assert_eq!(one("a", Value::str("1_000")), "a: '1_000'\n");
        assert_eq!(one("a", Value::str("1e3")), "a: 1e3\n");
        assert_eq!(one("a", Value::str("2001-01-01")), "a: '2001-01-01'\n");
        assert_eq!(one("a", Value::str("a: b")), "a: 'a: b'\n");
        assert_eq!(one("a", Value::str("a #b")), "a: 'a #b'\n");
        assert_eq!(one("a", Value::str("a#b")), "a: a#b\n");
        assert_eq!(one("a", Value::str(" x")), "a: ' x'\n");
        assert_eq!(one("a", Value::str("it's")), "a: it's\n");
        assert_eq!(one("a", Value::str("'q'")), "a: '''q'''\n");
        assert_eq!(one("a", Value::str("caf\u{e9}")), "a: \"caf\\xE9\"\n");
        assert_eq!(one("a", Value::str("\u{1f600}")), "a: \"\\U0001F600\"\n");
        assert_eq!(one("a", Value::str("a\nb")), "a: 'a\n\n  b'\n");
        assert_eq!(one("a", Value::str("a \nb")), "a: \"a \\nb\"\n");
        assert_eq!(one("a", Value::str("t\tb")), "a: \"t\\tb\"\n");
    }

    #[test]
    fn other_scalars() {
        assert_eq!(one("a", Value::None), "a: null\n");
        assert_eq!(one("a", Value::Bool(false)), "a: false\n");
        assert_eq!(one("a", Value::Int("-12".into())), "a: -12\n");
        assert_eq!(one("a", Value::Float(1e16)), "a: 1.0e+16\n");
        assert_eq!(one("a", Value::Float(0.5)), "a: 0.5\n");
        assert_eq!(one("a", Value::Float(f64::NEG_INFINITY)), "a: -.inf\n");
        assert_eq!(dump(&Value::str("x")), "x\n...\n");
    }

    #[test]
    fn collections_and_keys() {
        assert_eq!(dump(&Value::Dict(vec![])), "{}\n");
        let nested = Value::Dict(vec![
            (
                Value::str("b"),
                Value::List(vec![Value::str("x"), Value::List(vec![])]),
            ),
            (
                Value::str("a"),
                Value::Dict(vec![(Value::str("c"), Value::Int("1".into()))]),
            ),
        ]);
        assert_eq!(dump(&nested), "a:\n  c: 1\nb:\n- x\n- []\n");
        assert_eq!(one("", Value::str("x")), "? ''\n: x\n");
        let long = "k".repeat(123);
        assert_eq!(one(&long, Value::str("x")), format!("? {long}\n: x\n"));
        let short = "k".repeat(122);
        assert_eq!(one(&short, Value::str("x")), format!("{short}: x\n"));
        let mixed = Value::Dict(vec![
            (Value::str("b"), Value::None),
            (Value::Int("1".into()), Value::None),
        ]);
        assert_eq!(dump(&mixed), "b: null\n1: null\n");
    }

    #[test]
    fn long_scalars_fold() {
        let words = "word ".repeat(20);
        let text = words.trim_end();
        assert_eq!(
            one("a", Value::str(text)),
            format!(
                "a: {}\n  {}\n",
                "word ".repeat(16).trim_end(),
                "word ".repeat(4).trim_end()
            )
        );
    }

    #[test]
    fn other_values_are_refused() {
        let date = Value::Other {
            str: "2001-01-01".into(),
            repr: "datetime.date(2001, 1, 1)".into(),
        };
        assert_eq!(dump(&Value::List(vec![date])), "- 2001-01-01\n");
        let v = Value::Other {
            str: "b'x'".into(),
            repr: "b'x'".into(),
        };
        assert!(safe_dump(&Value::List(vec![v])).is_err());
    }
}
