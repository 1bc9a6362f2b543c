//! Python's `str % mapping` (printf-style formatting), which every `role:`
//! and generic check applies to its match with the target as the mapping.
//!
//! A missing key makes the check false; every other formatting error
//! raises in the reference, and is an error here.

use crate::value::Value;

/// Why formatting failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// `KeyError`: the check is false.
    #[error("KeyError: {0}")]
    MissingKey(String),
    /// `ValueError` / `TypeError`: the check raises.
    #[error("{0}")]
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> FormatError {
    FormatError::Invalid(msg.into())
}

/// `fmt % mapping` where `mapping` is the target dict (borrowed back when
/// there is nothing to substitute).
pub fn format<'a>(fmt: &'a str, mapping: &Value) -> Result<std::borrow::Cow<'a, str>, FormatError> {
    if !fmt.contains('%') {
        return Ok(std::borrow::Cow::Borrowed(fmt));
    }
    // The common `%(key)s` alone: str(mapping[key]).
    if let Some(key) = fmt
        .strip_prefix("%(")
        .and_then(|r| r.strip_suffix(")s"))
        .filter(|k| !k.contains(['(', ')', '%']))
    {
        if let Value::Dict(_) = mapping {
            return match mapping.get(key) {
                Some(Value::Str(s)) => Ok(std::borrow::Cow::Owned(s.clone())),
                Some(v) => Ok(std::borrow::Cow::Owned(v.py_str())),
                None => Err(FormatError::MissingKey(key.to_owned())),
            };
        }
    }
    format_owned(fmt, mapping).map(std::borrow::Cow::Owned)
}

fn format_owned(fmt: &str, mapping: &Value) -> Result<String, FormatError> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::with_capacity(fmt.len());
    let mut i = 0usize;
    // A mapping argument may be consumed by any number of unkeyed
    // specifiers? No: Python treats it as a single argument; a second
    // unkeyed specifier raises "not enough arguments".
    let mut positional_used = false;
    let mut keyed_used = false;
    while let Some(&c) = chars.get(i) {
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let spec = Spec::parse(&chars, &mut i)?;
        if spec.conv == '%' {
            out.push('%');
            continue;
        }
        if spec.key.is_some() {
            keyed_used = true;
        }
        let arg: &Value = match &spec.key {
            Some(k) => match mapping {
                Value::Dict(_) => mapping
                    .get(k)
                    .ok_or_else(|| FormatError::MissingKey(k.clone()))?,
                _ => return Err(invalid("TypeError: format requires a mapping")),
            },
            None => {
                // CPython: once a key was used, the mapping is no longer an
                // argument for unkeyed specifiers.
                if positional_used || keyed_used {
                    return Err(invalid("TypeError: not enough arguments for format string"));
                }
                positional_used = true;
                mapping
            }
        };
        let body = convert(spec.conv, arg, &spec.flags, spec.precision, i - 1)?;
        out.push_str(&pad(body, spec.width, &spec.flags, spec.conv));
    }
    Ok(out)
}

/// One conversion specifier: `%[(key)][flags][width][.precision][length]conv`.
struct Spec {
    key: Option<String>,
    flags: Flags,
    width: Option<usize>,
    precision: Option<usize>,
    conv: char,
}

impl Spec {
    /// Reads the specifier whose `%` is at `*i`, leaving `*i` after its
    /// conversion character.
    fn parse(chars: &[char], i: &mut usize) -> Result<Spec, FormatError> {
        let at = |i: usize| chars.get(i).copied();
        *i += 1;
        let key = if at(*i) == Some('(') {
            let (key, end) = Self::key(chars, *i)?;
            *i = end + 1;
            Some(key)
        } else {
            None
        };
        let mut flags = Flags::default();
        while let Some(f) = at(*i) {
            match f {
                '-' => flags.left = true,
                '+' => flags.plus = true,
                ' ' => flags.space = true,
                '#' => flags.alt = true,
                '0' => flags.zero = true,
                _ => break,
            }
            *i += 1;
        }
        let mut width: Option<usize> = None;
        if at(*i) == Some('*') {
            return Err(invalid("TypeError: * wants int"));
        }
        while let Some(d) = at(*i).and_then(|c| c.to_digit(10)) {
            width = Some(
                width
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(d as usize),
            );
            *i += 1;
        }
        let mut precision: Option<usize> = None;
        if at(*i) == Some('.') {
            *i += 1;
            if at(*i) == Some('*') {
                return Err(invalid("TypeError: * wants int"));
            }
            let mut p = 0usize;
            while let Some(d) = at(*i).and_then(|c| c.to_digit(10)) {
                p = p.saturating_mul(10).saturating_add(d as usize);
                *i += 1;
            }
            precision = Some(p);
        }
        while matches!(at(*i), Some('h' | 'l' | 'L')) {
            *i += 1;
        }
        let Some(conv) = at(*i) else {
            return Err(invalid("ValueError: incomplete format"));
        };
        *i += 1;
        Ok(Spec {
            key,
            flags,
            width,
            precision,
            conv,
        })
    }

    /// The `(key)` whose `(` is at `open` (parentheses nest), and where
    /// its `)` is.
    fn key(chars: &[char], open: usize) -> Result<(String, usize), FormatError> {
        let mut depth = 1;
        let mut j = open + 1;
        let mut k = String::new();
        loop {
            match chars.get(j) {
                None => return Err(invalid("ValueError: incomplete format key")),
                Some('(') => depth += 1,
                Some(')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok((k, j));
                    }
                }
                Some(_) => {}
            }
            if let Some(&ch) = chars.get(j) {
                k.push(ch);
            }
            j += 1;
        }
    }
}

#[derive(Default)]
struct Flags {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
}

fn pad(body: String, width: Option<usize>, flags: &Flags, conv: char) -> String {
    let Some(w) = width else { return body };
    let len = body.chars().count();
    if len >= w {
        return body;
    }
    let fill = w - len;
    if flags.left {
        return format!("{body}{}", " ".repeat(fill));
    }
    let numeric = !matches!(conv, 's' | 'r' | 'a' | 'c');
    if flags.zero && numeric {
        // Zeros go after the sign and any 0x prefix.
        let (sign, rest) = match body.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => {
                (c.to_string(), body.get(1..).unwrap_or_default().to_owned())
            }
            _ => (String::new(), body.clone()),
        };
        let (prefix, digits) = if flags.alt
            && (rest.starts_with("0x") || rest.starts_with("0X") || rest.starts_with("0o"))
        {
            (
                rest.get(..2).unwrap_or_default().to_owned(),
                rest.get(2..).unwrap_or_default().to_owned(),
            )
        } else {
            (String::new(), rest)
        };
        return format!("{sign}{prefix}{}{digits}", "0".repeat(fill));
    }
    format!("{}{body}", " ".repeat(fill))
}

/// The integer value of an argument for `%d`-style conversions.
fn as_int(v: &Value, conv: char) -> Result<String, FormatError> {
    match v {
        Value::Int(i) => Ok(i.clone()),
        Value::Bool(b) => Ok(if *b { "1" } else { "0" }.to_owned()),
        Value::Float(f) if matches!(conv, 'd' | 'i' | 'u') => {
            if f.is_nan() {
                return Err(invalid("ValueError: cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(invalid(
                    "OverflowError: cannot convert float infinity to integer",
                ));
            }
            let t = f.trunc();
            Ok(if t == 0.0 {
                "0".to_owned()
            } else {
                format!("{t:.0}")
            })
        }
        other => Err(invalid(format!(
            "TypeError: %{conv} format: {} is required, not {}",
            if matches!(conv, 'd' | 'i' | 'u') {
                "a real number"
            } else {
                "an integer"
            },
            other.type_name()
        ))),
    }
}

fn as_float(v: &Value, conv: char) -> Result<f64, FormatError> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(i.parse::<f64>().unwrap_or(f64::INFINITY)),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        other => Err(invalid(format!(
            "TypeError: must be real number, not {} (%{conv})",
            other.type_name()
        ))),
    }
}

fn signed(neg: bool, digits: String, flags: &Flags) -> String {
    if neg {
        format!("-{digits}")
    } else if flags.plus {
        format!("+{digits}")
    } else if flags.space {
        format!(" {digits}")
    } else {
        digits
    }
}

/// Decimal text to another base (arbitrary size).
fn to_base(decimal: &str, base: u32) -> String {
    let mut digits: Vec<u32> = decimal.chars().filter_map(|c| c.to_digit(10)).collect();
    let mut out = Vec::new();
    while !(digits.is_empty() || digits.iter().all(|&d| d == 0)) {
        let mut rem = 0u32;
        let mut next = Vec::with_capacity(digits.len());
        for d in digits {
            let cur = rem * 10 + d;
            let q = cur / base;
            rem = cur % base;
            if !(next.is_empty() && q == 0) {
                next.push(q);
            }
        }
        out.push(std::char::from_digit(rem, base).unwrap_or('0'));
        digits = next;
    }
    if out.is_empty() {
        return "0".to_owned();
    }
    out.iter().rev().collect()
}

fn convert(
    conv: char,
    arg: &Value,
    flags: &Flags,
    precision: Option<usize>,
    at: usize,
) -> Result<String, FormatError> {
    Ok(match conv {
        's' => truncate(arg.py_str(), precision),
        'r' | 'a' => {
            let r = arg.py_repr();
            let r = if conv == 'a' { ascii_escape(&r) } else { r };
            truncate(r, precision)
        }
        'd' | 'i' | 'u' => {
            let i = as_int(arg, conv)?;
            let (neg, digits) = match i.strip_prefix('-') {
                Some(d) => (true, d.to_owned()),
                None => (false, i),
            };
            let digits = match precision {
                Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            signed(neg, digits, flags)
        }
        'x' | 'X' | 'o' => {
            let i = as_int(arg, conv)?;
            let (neg, digits) = match i.strip_prefix('-') {
                Some(d) => (true, d.to_owned()),
                None => (false, i),
            };
            let mut body = to_base(&digits, if conv == 'o' { 8 } else { 16 });
            if let Some(p) = precision {
                if body.len() < p {
                    body = format!("{}{body}", "0".repeat(p - body.len()));
                }
            }
            if conv == 'X' {
                body = body.to_uppercase();
            }
            if flags.alt {
                body = format!(
                    "{}{body}",
                    match conv {
                        'x' => "0x",
                        'X' => "0X",
                        _ => "0o",
                    }
                );
            }
            signed(neg, body, flags)
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let f = as_float(arg, conv)?;
            let body = float_format(f.abs(), conv, precision.unwrap_or(6), flags.alt);
            signed(f.is_sign_negative() && !f.is_nan(), body, flags)
        }
        'c' => match arg {
            Value::Str(s) if s.chars().count() == 1 => s.clone(),
            Value::Str(_) => return Err(invalid("TypeError: %c requires int or char")),
            Value::Bool(b) => char::from(u8::from(*b)).to_string(),
            Value::Int(i) => {
                let n: u32 = i
                    .parse()
                    .map_err(|_| invalid("OverflowError: %c arg not in range(0x110000)"))?;
                char::from_u32(n)
                    .map(String::from)
                    .ok_or_else(|| invalid("OverflowError: %c arg not in range(0x110000)"))?
            }
            _ => return Err(invalid("TypeError: %c requires int or char")),
        },
        other => {
            return Err(invalid(format!(
                "ValueError: unsupported format character '{other}' (0x{:x}) at index {at}",
                u32::from(other)
            )));
        }
    })
}

fn truncate(s: String, precision: Option<usize>) -> String {
    match precision {
        Some(p) => s.chars().take(p).collect(),
        None => s,
    }
}

fn ascii_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let n = u32::from(c);
        if n < 0x80 {
            out.push(c);
        } else if n < 0x100 {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n < 0x10000 {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

/// `%f`, `%e`, `%g` of a non-negative float.
fn float_format(f: f64, conv: char, precision: usize, alt: bool) -> String {
    if f.is_nan() {
        return if conv.is_uppercase() { "NAN" } else { "nan" }.to_owned();
    }
    if f.is_infinite() {
        return if conv.is_uppercase() { "INF" } else { "inf" }.to_owned();
    }
    let exp_form = |p: usize, upper: bool| {
        let s = format!("{f:.p$e}");
        let (m, e) = s.split_once('e').unwrap_or((s.as_str(), "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let m = if alt && p == 0 {
            format!("{m}.")
        } else {
            m.to_owned()
        };
        format!(
            "{m}{}{}{:02}",
            if upper { 'E' } else { 'e' },
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        )
    };
    match conv {
        'f' | 'F' => {
            let s = format!("{f:.precision$}");
            if alt && precision == 0 {
                format!("{s}.")
            } else {
                s
            }
        }
        'e' | 'E' => exp_form(precision, conv == 'E'),
        _ => {
            let p = precision.max(1);
            if f == 0.0 {
                return if alt {
                    format!("0.{}", "0".repeat(p - 1))
                } else {
                    "0".to_owned()
                };
            }
            let s = format!("{f:.prec$e}", prec = p - 1);
            let exp: i32 = s
                .split_once('e')
                .and_then(|(_, e)| e.parse().ok())
                .unwrap_or(0);
            let body = if exp < -4 || exp >= i32::try_from(p).unwrap_or(i32::MAX) {
                exp_form(p - 1, conv == 'G')
            } else {
                let decimals =
                    usize::try_from(i32::try_from(p).unwrap_or(0) - 1 - exp).unwrap_or(0);
                format!("{f:.decimals$}")
            };
            if alt { body } else { strip_zeros(&body) }
        }
    }
}

/// `%g` without `#`: trailing zeros (and a bare point) go.
fn strip_zeros(s: &str) -> String {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (s.get(..i).unwrap_or(s), s.get(i..).unwrap_or("")),
        None => (s, ""),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    format!("{mantissa}{exp}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Value {
        Value::Dict(vec![
            (Value::str("k"), Value::str("v")),
            (Value::str("n"), Value::Int("42".into())),
            (Value::str("f"), Value::Float(2.5)),
            (Value::str("b"), Value::Bool(true)),
            (Value::str("a.b"), Value::str("flat")),
        ])
    }

    #[test]
    fn python_percent_formatting() {
        let t = target();
        let ok = |f: &str| {
            format(f, &t)
                .map(|c| c.into_owned())
                .unwrap_or_else(|e| format!("ERR {e}"))
        };
        assert_eq!(ok("%(k)s"), "v");
        assert_eq!(ok("x%%y"), "x%y");
        assert_eq!(ok("%(k)r"), "'v'");
        assert_eq!(ok("%(n)d"), "42");
        assert_eq!(ok("%(n)5d|%(n)-5d|%(n)05d"), "   42|42   |00042");
        assert_eq!(ok("%(n)x %(n)#x %(n)o"), "2a 0x2a 52");
        assert_eq!(ok("%(f).2f %(f)e %(f)g"), "2.50 2.500000e+00 2.5");
        assert_eq!(ok("%(b)s %(b)d"), "True 1");
        assert_eq!(ok("%(a.b)s"), "flat");
        assert_eq!(ok("%s"), t.py_str());
        assert!(matches!(
            format("%(missing)s", &t),
            Err(FormatError::MissingKey(_))
        ));
        assert!(matches!(format("50%", &t), Err(FormatError::Invalid(_))));
        assert!(matches!(format("%(k)d", &t), Err(FormatError::Invalid(_))));
        assert!(matches!(format("%s%s", &t), Err(FormatError::Invalid(_))));
        assert!(matches!(format("%(k)y", &t), Err(FormatError::Invalid(_))));
        assert_eq!(to_base("255", 16), "ff");
        assert_eq!(
            format("%(f)r", &t).map(|c| c.into_owned()),
            Ok("2.5".to_owned())
        );
    }
}
