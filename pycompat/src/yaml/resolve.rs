//! The resolver: the tags of nodes (YAML 1.1 implicit types of plain
//! scalars, explicit tags).

/// A node's resolved tag.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum NodeTag {
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

pub(super) const YAML_TAG: &str = "tag:yaml.org,2002:";

/// The tag an explicit `!!name` (or full) tag stands for.
pub(super) fn explicit_tag(tag: &str) -> NodeTag {
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

/// The tag PyYAML's resolver gives a plain scalar (Python's `$` also
/// matches before one final `\n`, which only the `!` tag can reach).
pub(super) fn resolve(value: &str) -> NodeTag {
    let tag = resolve_exact(value);
    if tag != NodeTag::Str {
        return tag;
    }
    match value.strip_suffix('\n') {
        Some(v) => resolve_exact(v),
        None => tag,
    }
}

pub(super) fn resolve_exact(v: &str) -> NodeTag {
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

pub(super) fn is_bool(v: &str) -> bool {
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

pub(super) fn strip_sign(v: &str) -> &str {
    v.strip_prefix(['-', '+']).unwrap_or(v)
}

/// `[0-9][0-9_]*`
pub(super) fn is_digits_us(v: &str) -> bool {
    let mut b = v.bytes();
    b.next().is_some_and(|c| c.is_ascii_digit()) && b.all(|c| c.is_ascii_digit() || c == b'_')
}

/// `(?::[0-5]?[0-9])+` given the text after the first part.
pub(super) fn is_sexagesimal_tail(parts: &[&str]) -> bool {
    !parts.is_empty()
        && parts.iter().all(|p| match p.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        })
}

pub(super) fn is_int(v: &str) -> bool {
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
pub(super) fn split_exponent(v: &str) -> Option<(&str, bool)> {
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

pub(super) fn is_float(v: &str) -> bool {
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
pub(super) struct Timestamp {
    pub(super) year: u32,
    pub(super) month: u32,
    pub(super) day: u32,
    pub(super) time: Option<Time>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Time {
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) second: u32,
    pub(super) fraction: Option<String>,
    /// `None`: naive; `Some(None)`: `Z`; `Some(Some((sign, h, m)))`.
    pub(super) tz: Option<Option<(bool, u32, u32)>>,
}

pub(super) fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    let (d, rest) = s.split_at(n);
    Some((d.parse().ok()?, rest))
}

/// Matches PyYAML's timestamp regexps: the resolver's (`strict`: a bare
/// date needs two-digit month and day) or the constructor's.
pub(super) fn parse_timestamp(v: &str, strict: bool) -> Option<Timestamp> {
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
