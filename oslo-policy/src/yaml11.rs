//! Policy files as PyYAML's `yaml.safe_load` reads them: YAML 1.1 scalar
//! resolution (`yes`/`no`/`on`/`off` are booleans, `017` is 15, `1e3` is a
//! string, `2020-01-01` a date), Python dict semantics for mappings (a later
//! duplicate key wins, `True` and `1` are the same key), merge keys, the safe
//! constructor's tags, and one document only.
//!
//! Events come from `yaml-rust2`'s parser; resolution and construction are
//! PyYAML's, done here. The tree is built with an explicit stack and its
//! depth is bounded, so no input can exhaust the stack.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::value::{DictBuilder, Value};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;

/// Why a document is not YAML as PyYAML reads it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct YamlError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What went wrong.
    pub message: String,
}

fn err_at(mark: Marker, message: impl Into<String>) -> YamlError {
    YamlError {
        line: mark.line(),
        column: mark.col() + 1,
        message: message.into(),
    }
}

enum Frame {
    Seq(Vec<Value>, usize),
    /// Items, the key waiting for its value (and whether it is the plain
    /// merge key `<<`), the anchor, the mappings to merge.
    Map(DictBuilder, Option<(Value, bool)>, usize, Vec<Value>),
}

struct Builder {
    stack: Vec<Frame>,
    /// For each open mapping: its depth and whether it is a `!!set`.
    sets: Vec<(usize, bool)>,
    anchors: Vec<(usize, Value)>,
    root: Option<Value>,
    documents: usize,
    error: Option<YamlError>,
}

impl Builder {
    fn fail(&mut self, e: YamlError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    fn push_value(&mut self, v: Value, anchor: usize, mark: Marker, is_merge_key: bool) {
        if anchor > 0 {
            self.anchors.push((anchor, v.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(v),
            Some(Frame::Seq(items, _)) => items.push(v),
            Some(Frame::Map(items, pending, _, merges)) => match pending.take() {
                None => {
                    if matches!(v, Value::List(_) | Value::Dict(_)) {
                        self.error.get_or_insert(err_at(
                            mark,
                            "while constructing a mapping: found unhashable key",
                        ));
                        return;
                    }
                    *pending = Some((v, is_merge_key));
                }
                Some((_, true)) => merges.push(v),
                Some((k, false)) => items.insert(k, v),
            },
        }
    }
}

fn resolve_plain(s: &str) -> Result<Value, String> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::None),
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value::Bool(true));
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value::Bool(false));
        }
        "=" => {
            return Err(
                "could not determine a constructor for the tag 'tag:yaml.org,2002:value'"
                    .to_owned(),
            );
        }
        _ => {}
    }
    if let Some(v) = resolve_int(s) {
        return Ok(v);
    }
    if let Some(v) = resolve_float(s) {
        return Ok(v);
    }
    if let Some(v) = resolve_timestamp(s)? {
        return Ok(v);
    }
    Ok(Value::str(s))
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..).unwrap_or_default()),
        Some(b'+') => (false, s.get(1..).unwrap_or_default()),
        _ => (false, s),
    }
}

/// Decimal text of digits in `base` (arbitrary size).
fn to_decimal(digits: &str, base: u32) -> String {
    let mut dec: Vec<u32> = vec![0];
    for c in digits.chars() {
        let mut carry = c.to_digit(base).unwrap_or(0);
        for d in dec.iter_mut() {
            let v = *d * base + carry;
            *d = v % 10;
            carry = v / 10;
        }
        while carry > 0 {
            dec.push(carry % 10);
            carry /= 10;
        }
    }
    while dec.len() > 1 && dec.last() == Some(&0) {
        dec.pop();
    }
    dec.iter()
        .rev()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect()
}

fn signed_int(neg: bool, decimal: String) -> Value {
    Value::int(&if neg { format!("-{decimal}") } else { decimal }).unwrap_or(Value::Int("0".into()))
}

/// PyYAML's int resolver and constructor.
fn resolve_int(s: &str) -> Option<Value> {
    let (neg, body) = split_sign(s);
    if body.is_empty() {
        return None;
    }
    let all = |t: &str, ok: fn(char) -> bool| !t.is_empty() && t.chars().all(|c| c == '_' || ok(c));
    if let Some(b) = body.strip_prefix("0b") {
        if all(b, |c| c == '0' || c == '1') {
            let d: String = b.chars().filter(|c| *c != '_').collect();
            return Some(signed_int(neg, to_decimal(&d, 2)));
        }
        return None;
    }
    if let Some(h) = body.strip_prefix("0x") {
        if all(h, |c| c.is_ascii_hexdigit()) {
            let d: String = h.chars().filter(|c| *c != '_').collect();
            return Some(signed_int(neg, to_decimal(&d, 16)));
        }
        return None;
    }
    if body.contains(':') {
        // Sexagesimal: [1-9][0-9_]*(:[0-5]?[0-9])+
        let mut parts = body.split(':');
        let first = parts.next()?;
        if !first.starts_with(|c: char| ('1'..='9').contains(&c))
            || !all(first, |c| c.is_ascii_digit())
        {
            return None;
        }
        let rest: Vec<&str> = parts.collect();
        if rest.is_empty() || !rest.iter().all(|p| is_sexagesimal_part(p)) {
            return None;
        }
        let mut value = to_decimal(&first.replace('_', ""), 10);
        for p in rest {
            value = mul_add(&value, 60, p.parse::<u32>().unwrap_or(0));
        }
        return Some(signed_int(neg, value));
    }
    if body == "0" {
        return Some(Value::Int("0".into()));
    }
    if body.starts_with('0') {
        if all(body, |c| ('0'..='7').contains(&c)) {
            let d: String = body.chars().filter(|c| *c != '_').collect();
            return Some(signed_int(neg, to_decimal(&d, 8)));
        }
        return None;
    }
    if body.starts_with(|c: char| ('1'..='9').contains(&c)) && all(body, |c| c.is_ascii_digit()) {
        return Some(signed_int(neg, body.replace('_', "")));
    }
    None
}

fn is_sexagesimal_part(p: &str) -> bool {
    matches!(p.len(), 1 | 2)
        && p.chars().all(|c| c.is_ascii_digit())
        && (p.len() == 1 || p.starts_with(|c: char| ('0'..='5').contains(&c)))
}

fn mul_add(decimal: &str, m: u32, add: u32) -> String {
    let mut digits: Vec<u32> = decimal
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let mut carry = add;
    for d in digits.iter_mut() {
        let v = *d * m + carry;
        *d = v % 10;
        carry = v / 10;
    }
    while carry > 0 {
        digits.push(carry % 10);
        carry /= 10;
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits
        .iter()
        .rev()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect()
}

/// PyYAML's float resolver and constructor.
fn resolve_float(s: &str) -> Option<Value> {
    let (neg, body) = split_sign(s);
    let signed = |f: f64| Value::Float(if neg { -f } else { f });
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(signed(f64::INFINITY)),
        ".nan" | ".NaN" | ".NAN" if s == body => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let digits_us = |t: &str| t.chars().all(|c| c.is_ascii_digit() || c == '_');
    if body.contains(':') {
        // [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
        let (int_part, frac) = body.split_once('.')?;
        let mut parts = int_part.split(':');
        let first = parts.next()?;
        if first.is_empty() || !first.starts_with(|c: char| c.is_ascii_digit()) || !digits_us(first)
        {
            return None;
        }
        let rest: Vec<&str> = parts.collect();
        if rest.is_empty() || !rest.iter().all(|p| is_sexagesimal_part(p)) || !digits_us(frac) {
            return None;
        }
        let mut value: f64 = first.replace('_', "").parse().ok()?;
        for p in rest {
            value = value * 60.0 + p.parse::<f64>().ok()?;
        }
        let frac: String = frac.chars().filter(|c| *c != '_').collect();
        let frac: f64 = format!("0.{frac}0").parse().ok()?;
        return Some(signed(value + frac));
    }
    // [0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)?
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i)?, Some(body.get(i + 1..)?)),
        None => (body, None),
    };
    let (ip, fp) = mantissa.split_once('.')?;
    let ok_mantissa = if ip.is_empty() {
        !s.starts_with(['-', '+']) && fp.starts_with(|c: char| c.is_ascii_digit()) && digits_us(fp)
    } else {
        ip.starts_with(|c: char| c.is_ascii_digit()) && digits_us(ip) && digits_us(fp)
    };
    if !ok_mantissa {
        return None;
    }
    if let Some(e) = exponent {
        let digits = e.strip_prefix(['-', '+'])?;
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let text: String = format!(
        "{}{}.{}0{}",
        if neg { "-" } else { "" },
        if ip.is_empty() { "0" } else { ip },
        fp,
        exponent.map(|e| format!("e{e}")).unwrap_or_default()
    )
    .replace('_', "");
    text.parse::<f64>().ok().map(Value::Float)
}

/// PyYAML's timestamp resolver; dates and datetimes become `Value::Other`
/// with Python's `str()`/`repr()`; impossible dates fail like the
/// constructor does.
fn resolve_timestamp(s: &str) -> Result<Option<Value>, String> {
    let b = s.as_bytes();
    let is_date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if is_date {
        let y: u32 = s.get(0..4).and_then(|t| t.parse().ok()).unwrap_or(0);
        let m: u32 = s.get(5..7).and_then(|t| t.parse().ok()).unwrap_or(0);
        let d: u32 = s.get(8..10).and_then(|t| t.parse().ok()).unwrap_or(0);
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err("month must be in 1..12".to_owned()),
        };
        if y == 0 {
            return Err("year 0 is out of range".to_owned());
        }
        if d == 0 || d > days {
            return Err("day is out of range for month".to_owned());
        }
        return Ok(Some(Value::Other {
            str: s.to_owned(),
            repr: format!("datetime.date({y}, {m}, {d})"),
        }));
    }
    // Full timestamps (date, T or spaces, time, optional fraction and zone).
    let looks_like = b.len() > 10
        && b.get(..4).is_some_and(|p| p.iter().all(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-')
        && s.contains(':')
        && s.get(4..).is_some_and(|r| {
            r.chars()
                .all(|c| c.is_ascii_digit() || "-:.+TtZ \t".contains(c))
        });
    if looks_like {
        return Err(format!(
            "timestamps ({s}) are not supported as policy values"
        ));
    }
    Ok(None)
}

fn tag_name(tag: &Tag) -> String {
    if tag.handle == "!!" {
        format!("tag:yaml.org,2002:{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

fn construct_scalar(
    value: String,
    style: TScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, String> {
    let Some(tag) = tag else {
        return if matches!(style, TScalarStyle::Plain) {
            resolve_plain(&value)
        } else {
            Ok(Value::Str(value))
        };
    };
    let name = tag_name(tag);
    match name.as_str() {
        "!" | "tag:yaml.org,2002:str" => Ok(Value::Str(value)),
        "tag:yaml.org,2002:null" => Ok(Value::None),
        "tag:yaml.org,2002:bool" => match value.to_lowercase().as_str() {
            "yes" | "true" | "on" => Ok(Value::Bool(true)),
            "no" | "false" | "off" => Ok(Value::Bool(false)),
            _ => Err(format!("invalid boolean {value:?}")),
        },
        "tag:yaml.org,2002:int" => {
            resolve_int(&value).ok_or_else(|| format!("invalid literal for int(): {value:?}"))
        }
        "tag:yaml.org,2002:float" => resolve_float(&value)
            .or_else(|| {
                resolve_int(&value).map(|v| match v {
                    Value::Int(i) => Value::Float(i.parse().unwrap_or(f64::INFINITY)),
                    other => other,
                })
            })
            .ok_or_else(|| format!("could not convert string to float: {value:?}")),
        other => Err(format!(
            "could not determine a constructor for the tag '{other}'"
        )),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(err_at(
                        mark,
                        "expected a single document in the stream, but found another document",
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                // Only a plain, untagged `<<` is the merge key.
                let is_merge =
                    value == "<<" && tag.is_none() && matches!(style, TScalarStyle::Plain);
                match construct_scalar(value, style, tag.as_ref()) {
                    Ok(v) => self.push_value(v, anchor, mark, is_merge),
                    Err(m) => self.fail(err_at(mark, m)),
                }
            }
            Event::SequenceStart(anchor, tag) => {
                if let Some(t) = tag.as_ref().map(tag_name) {
                    if t != "tag:yaml.org,2002:seq" && t != "!" {
                        self.fail(err_at(
                            mark,
                            format!("could not determine a constructor for the tag '{t}'"),
                        ));
                        return;
                    }
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(err_at(
                        mark,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                    return;
                }
                self.stack.push(Frame::Seq(Vec::new(), anchor));
            }
            Event::MappingStart(anchor, tag) => {
                let mut is_set = false;
                if let Some(t) = tag.as_ref().map(tag_name) {
                    is_set = t == "tag:yaml.org,2002:set";
                    if t != "tag:yaml.org,2002:map" && t != "!" && !is_set {
                        self.fail(err_at(
                            mark,
                            format!("could not determine a constructor for the tag '{t}'"),
                        ));
                        return;
                    }
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(err_at(
                        mark,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                    return;
                }
                self.sets.push((self.stack.len(), is_set));
                self.stack
                    .push(Frame::Map(DictBuilder::default(), None, anchor, Vec::new()));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items, anchor)) = self.stack.pop() {
                    self.push_value(Value::List(items), anchor, mark, false);
                }
            }
            Event::MappingEnd => {
                let is_set = matches!(self.sets.pop(), Some((_, true)));
                if let Some(Frame::Map(items, _, anchor, merges)) = self.stack.pop() {
                    match merge(items.finish(), merges) {
                        // A `!!set` iterates over its members; Python's set
                        // order (hash order) is not reproducible, a list
                        // in document order stands in for it.
                        Ok(items) if is_set => self.push_value(
                            Value::List(items.into_iter().map(|(k, _)| k).collect()),
                            anchor,
                            mark,
                            false,
                        ),
                        Ok(items) => self.push_value(Value::Dict(items), anchor, mark, false),
                        Err(m) => self.fail(err_at(mark, m)),
                    }
                }
            }
            Event::Alias(id) => match self.anchors.iter().rev().find(|(a, _)| *a == id) {
                Some((_, v)) => {
                    let v = v.clone();
                    self.push_value(v, 0, mark, false);
                }
                None => self.fail(err_at(mark, "found undefined alias")),
            },
            _ => {}
        }
    }
}

/// `flatten_mapping`: merged mappings come first, explicit keys win.
fn merge(items: Vec<(Value, Value)>, merges: Vec<Value>) -> Result<Vec<(Value, Value)>, String> {
    if merges.is_empty() {
        return Ok(items);
    }
    let mut merged = DictBuilder::default();
    for m in merges {
        let sources = match m {
            Value::Dict(d) => vec![d],
            Value::List(list) => {
                let mut out = Vec::new();
                // Earlier mappings in the list win: apply them last.
                for v in list.into_iter().rev() {
                    match v {
                        Value::Dict(d) => out.push(d),
                        _ => {
                            return Err(
                                "while constructing a mapping: expected a mapping for merging"
                                    .to_owned(),
                            );
                        }
                    }
                }
                out
            }
            _ => {
                return Err("while constructing a mapping: expected a mapping or list of mappings for merging".to_owned());
            }
        };
        for d in sources {
            for (k, v) in d {
                merged.insert(k, v);
            }
        }
    }
    for (k, v) in items {
        merged.insert(k, v);
    }
    Ok(merged.finish())
}

/// PyYAML's scanner only ever skips spaces between tokens: a tab outside a
/// quoted scalar, a comment or a block scalar's content "cannot start any
/// token" (so JSON indented with tabs does not load). yaml-rust2 is more
/// lenient; this pass restores the reference's refusal.
fn reject_tabs(text: &str) -> Result<(), YamlError> {
    let mut block_indent: Option<usize> = None;
    let mut in_double = false;
    let mut in_single = false;
    for (n, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_indent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_indent = None;
        }
        let mut prev = ' ';
        let mut chars = line.char_indices().peekable();
        let mut comment = false;
        while let Some((i, c)) = chars.next() {
            if in_double {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => in_double = false,
                    _ => {}
                }
            } else if in_single {
                if c == '\'' {
                    if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        in_single = false;
                    }
                }
            } else {
                match c {
                    '#' if prev == ' ' || prev == '\t' || i == 0 => {
                        comment = true;
                        break;
                    }
                    '"' if !prev.is_alphanumeric() => in_double = true,
                    '\'' if !prev.is_alphanumeric() => in_single = true,
                    '\t' => {
                        return Err(YamlError {
                            line: n + 1,
                            column: line.get(..i).map_or(0, |p| p.chars().count()) + 1,
                            message: "found character '\\t' that cannot start any token".to_owned(),
                        });
                    }
                    _ => {}
                }
            }
            prev = c;
        }
        // A block scalar indicator ends the line: what follows is content.
        if !in_double && !in_single {
            let code = if comment {
                line.split(" #").next().unwrap_or(line)
            } else {
                line
            };
            let code = code.trim_end();
            let indicator = code.rsplit(' ').next().is_some_and(|w| {
                w.starts_with(['|', '>'])
                    && w.chars()
                        .skip(1)
                        .all(|c| matches!(c, '+' | '-' | '1'..='9'))
            });
            if indicator || code == "|" || code == ">" {
                block_indent = Some(indent);
            }
        }
    }
    Ok(())
}

/// First code point standing for a lone surrogate (see
/// [`map_surrogate_escapes`]): U+D800+n is U+10F800+n (plane 16, private use).
pub const SURROGATE_BASE: u32 = 0x10_F800;

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
                            out.push_str(&format!("\\U{:08X}", SURROGATE_BASE + (cp - 0xD800)));
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

/// `yaml.safe_load(bytes)`.
pub fn safe_load(bytes: &[u8]) -> Result<Value, YamlError> {
    let text = std::str::from_utf8(bytes).map_err(|e| YamlError {
        line: 1,
        column: e.valid_up_to() + 1,
        message: "invalid UTF-8".to_owned(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // PyYAML (YAML 1.1) breaks lines at NEL, LS and PS too; yaml-rust2
    // (YAML 1.2) does not.
    let normalized;
    let text = if text.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        normalized = text.replace(['\u{85}', '\u{2028}', '\u{2029}'], "\n");
        normalized.as_str()
    } else {
        text
    };
    if let Some(pos) = text.find(|c: char| {
        c == '\0' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}'))
    }) {
        let line = text.get(..pos).map_or(0, |t| t.matches('\n').count()) + 1;
        return Err(YamlError {
            line,
            column: 1,
            message: "unacceptable character: special characters are not allowed".to_owned(),
        });
    }
    reject_tabs(text)?;
    let surrogates_mapped;
    let text = if text.contains("\\u") || text.contains("\\U") {
        surrogates_mapped = map_surrogate_escapes(text);
        surrogates_mapped.as_str()
    } else {
        text
    };
    let mut builder = Builder {
        stack: Vec::new(),
        sets: Vec::new(),
        anchors: Vec::new(),
        root: None,
        documents: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, true)
        .map_err(|e| err_at(*e.marker(), e.info().to_owned()))?;
    if let Some(e) = builder.error {
        return Err(e);
    }
    Ok(builder.root.unwrap_or(Value::None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(s: &str) -> Value {
        safe_load(s.as_bytes()).unwrap_or_else(|e| Value::str(format!("ERROR {e}")))
    }

    #[test]
    fn yaml_11_scalars() {
        let d = load(
            "a: yes\nb: off\nc: 017\nd: 0x1f\ne: 1_000\nf: 1e3\ng: 1.5e+3\nh: ~\ni:\nj: '017'\nk: 2020-01-01\nl: 0o17\nm: 1:30\nn: .inf\no: !\np: y\n",
        );
        assert_eq!(d.get("a"), Some(&Value::Bool(true)));
        assert_eq!(d.get("b"), Some(&Value::Bool(false)));
        assert_eq!(d.get("c"), Some(&Value::Int("15".into())));
        assert_eq!(d.get("d"), Some(&Value::Int("31".into())));
        assert_eq!(d.get("e"), Some(&Value::Int("1000".into())));
        assert_eq!(d.get("f"), Some(&Value::str("1e3")));
        assert_eq!(d.get("g"), Some(&Value::Float(1500.0)));
        assert_eq!(d.get("h"), Some(&Value::None));
        assert_eq!(d.get("i"), Some(&Value::None));
        assert_eq!(d.get("j"), Some(&Value::str("017")));
        assert_eq!(d.get("k").map(Value::py_str), Some("2020-01-01".to_owned()));
        assert_eq!(d.get("l"), Some(&Value::str("0o17")));
        assert_eq!(d.get("m"), Some(&Value::Int("90".into())));
        assert_eq!(d.get("n"), Some(&Value::Float(f64::INFINITY)));
        assert_eq!(d.get("o"), Some(&Value::str("")));
        assert_eq!(d.get("p"), Some(&Value::str("y")));
    }

    #[test]
    fn mappings_like_python_dicts() {
        let d = load("a: 1\na: 2\n1: x\nyes: y\nbase: &b {k: 1, j: 2}\nm:\n  <<: *b\n  j: 3\n");
        assert_eq!(d.get("a"), Some(&Value::Int("2".into())));
        let Value::Dict(items) = &d else {
            panic!("{d:?}")
        };
        assert!(
            items
                .iter()
                .any(|(k, v)| *k == Value::Int("1".into()) && *v == Value::str("y"))
        );
        assert_eq!(
            d.get("m"),
            Some(&Value::Dict(vec![
                (Value::str("k"), Value::Int("1".into())),
                (Value::str("j"), Value::Int("3".into())),
            ]))
        );
    }

    #[test]
    fn errors_and_depth() {
        assert!(safe_load(b"a: 1\n---\nb: 2\n").is_err());
        assert!(safe_load(b"a: !!python/object:os.system x\n").is_err());
        assert!(safe_load(b"[1, 2]: x\n").is_err());
        assert!(safe_load(b"a: b: c\n").is_err());
        assert!(safe_load(b"\xff").is_err());
        assert!(safe_load("[".repeat(100_000).as_bytes()).is_err());
        assert_eq!(load(""), Value::None);
        assert_eq!(load("# only a comment\n"), Value::None);
    }
}
