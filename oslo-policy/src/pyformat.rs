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
        // Only a bare `%%` is a percent sign (`%(k)%`, `%5%` raise).
        if chars.get(i + 1) == Some(&'%') {
            out.push('%');
            i += 2;
            continue;
        }
        // CPython looks a key up as soon as it has read it: a missing
        // key (false) wins over anything wrong later in the specifier.
        let looked_up = if chars.get(i + 1) == Some(&'(') {
            let (key, _) = Spec::key(&chars, i + 1)?;
            match mapping {
                Value::Dict(_) => Some(
                    mapping
                        .get(&key)
                        .ok_or_else(|| FormatError::MissingKey(key.clone()))?,
                ),
                _ => return Err(invalid("TypeError: format requires a mapping")),
            }
        } else {
            None
        };
        let spec = Spec::parse(&chars, &mut i, looked_up)?;
        if spec.conv == '%' {
            return Err(unsupported('%', i - 1));
        }
        if spec.key.is_some() {
            keyed_used = true;
        }
        let arg: &Value = match looked_up {
            Some(v) => v,
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
        out.push_str(&pad(body, spec.width, &spec.flags, spec.conv)?);
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
    /// conversion character; `keyed` is the value its key named.
    fn parse(chars: &[char], i: &mut usize, keyed: Option<&Value>) -> Result<Spec, FormatError> {
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
            return Err(star(keyed));
        }
        while let Some(d) = at(*i).and_then(|c| c.to_digit(10)) {
            width = Some(
                grow(width.unwrap_or(0), d).ok_or_else(|| invalid("ValueError: width too big"))?,
            );
            *i += 1;
        }
        let mut precision: Option<usize> = None;
        if at(*i) == Some('.') {
            *i += 1;
            if at(*i) == Some('*') {
                return Err(star(keyed));
            }
            let mut p = 0usize;
            while let Some(d) = at(*i).and_then(|c| c.to_digit(10)) {
                p = grow(p, d)
                    .filter(|&p| p <= i32::MAX as usize)
                    .ok_or_else(|| invalid("ValueError: precision too big"))?;
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

/// `n * 10 + d` within a C `Py_ssize_t` (CPython's limit for widths;
/// precisions must also fit a C `int`).
fn grow(n: usize, d: u32) -> Option<usize> {
    let v = n.checked_mul(10)?.checked_add(d as usize)?;
    (v <= isize::MAX as usize).then_some(v)
}

/// A `*` width or precision: with a mapping there is no argument left to
/// take it from, unless the specifier's key named an int (it then takes
/// that, and the conversion finds nothing left).
fn star(keyed: Option<&Value>) -> FormatError {
    match keyed {
        Some(Value::Int(i)) if i.parse::<isize>().is_err() => {
            invalid("OverflowError: Python int too large to convert to C ssize_t")
        }
        Some(Value::Int(_) | Value::Bool(_)) => {
            invalid("TypeError: not enough arguments for format string")
        }
        _ => invalid("TypeError: * wants int"),
    }
}

/// CPython's message for an unknown conversion character (a character
/// outside printable ASCII shows as `?`).
fn unsupported(c: char, at: usize) -> FormatError {
    let shown = if (' '..='~').contains(&c) { c } else { '?' };
    invalid(format!(
        "ValueError: unsupported format character '{shown}' (0x{:x}) at index {at}",
        u32::from(c)
    ))
}

/// `n` copies of `c`, or CPython's `MemoryError` when they do not fit in
/// memory (a width or precision of a hundred billion).
fn repeat(c: char, n: usize) -> Result<String, FormatError> {
    let mut s = String::new();
    s.try_reserve_exact(n.saturating_mul(c.len_utf8()))
        .map_err(|_| invalid("MemoryError: "))?;
    s.extend(std::iter::repeat_n(c, n));
    Ok(s)
}

#[derive(Default)]
struct Flags {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
}

fn pad(
    body: String,
    width: Option<usize>,
    flags: &Flags,
    conv: char,
) -> Result<String, FormatError> {
    let Some(w) = width else { return Ok(body) };
    let len = body.chars().count();
    if len >= w {
        return Ok(body);
    }
    let fill = w - len;
    if flags.left {
        return Ok(body + &repeat(' ', fill)?);
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
        return Ok(format!("{sign}{prefix}{}{digits}", repeat('0', fill)?));
    }
    Ok(repeat(' ', fill)? + &body)
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

fn as_float(v: &Value) -> Result<f64, FormatError> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => i
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| invalid("OverflowError: int too large to convert to float")),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        other => Err(invalid(format!(
            "TypeError: must be real number, not {}",
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
                Some(p) if digits.len() < p => repeat('0', p - digits.len())? + &digits,
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
                    body = repeat('0', p - body.len())? + &body;
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
            let f = as_float(arg)?;
            let body = float_format(f.abs(), conv, precision.unwrap_or(6), flags.alt)?;
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
        other => return Err(unsupported(other, at)),
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

/// Every finite `f64`'s exact decimal expansion has at most 1074 digits
/// after the point (767 significant): digits asked beyond this many are
/// zeros, and the standard formatter refuses precisions past 65535.
const EXACT_DIGITS: usize = 1100;

/// `{f:.p$}`, for any `p`.
fn fixed(f: f64, p: usize) -> Result<String, FormatError> {
    if p <= EXACT_DIGITS {
        return Ok(format!("{f:.p$}"));
    }
    Ok(format!("{f:.EXACT_DIGITS$}") + &repeat('0', p - EXACT_DIGITS)?)
}

/// `{f:.p$e}` as (mantissa, exponent), for any `p`.
fn scientific(f: f64, p: usize) -> Result<(String, i32), FormatError> {
    let shown = p.min(EXACT_DIGITS);
    let s = format!("{f:.shown$e}");
    let (m, e) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let mut m = m.to_owned();
    if p > shown {
        m += &repeat('0', p - shown)?;
    }
    Ok((m, e.parse().unwrap_or(0)))
}

/// `%f`, `%e`, `%g` of a non-negative float.
fn float_format(f: f64, conv: char, precision: usize, alt: bool) -> Result<String, FormatError> {
    if f.is_nan() {
        return Ok(if conv.is_uppercase() { "NAN" } else { "nan" }.to_owned());
    }
    if f.is_infinite() {
        return Ok(if conv.is_uppercase() { "INF" } else { "inf" }.to_owned());
    }
    let exp_form = |p: usize, upper: bool| -> Result<String, FormatError> {
        let (m, e) = scientific(f, p)?;
        let m = if alt && p == 0 { format!("{m}.") } else { m };
        Ok(format!(
            "{m}{}{}{:02}",
            if upper { 'E' } else { 'e' },
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        ))
    };
    Ok(match conv {
        'f' | 'F' => {
            let s = fixed(f, precision)?;
            if alt && precision == 0 {
                format!("{s}.")
            } else {
                s
            }
        }
        'e' | 'E' => exp_form(precision, conv == 'E')?,
        _ => {
            let p = precision.max(1);
            if f == 0.0 {
                return Ok(if alt {
                    format!("0.{}", repeat('0', p - 1)?)
                } else {
                    "0".to_owned()
                });
            }
            let (_, exp) = scientific(f, (p - 1).min(EXACT_DIGITS))?;
            let body = if exp < -4 || exp >= i32::try_from(p).unwrap_or(i32::MAX) {
                exp_form(p - 1, conv == 'G')?
            } else {
                let decimals =
                    usize::try_from(i64::try_from(p).unwrap_or(i64::MAX) - 1 - i64::from(exp))
                        .unwrap_or(0);
                let s = fixed(f, decimals)?;
                // `#` keeps the point even with no digit after it.
                if alt && !s.contains('.') { s + "." } else { s }
            };
            if alt { body } else { strip_zeros(&body) }
        }
    })
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

    /// CPython 3.11's answers (`'%(k)...' % {...}` in the reference's
    /// interpreter), for the corners a random differential test of the
    /// Python accelerator found.
    #[test]
    fn cpython_corners() {
        let t = |pairs: &[(&str, Value)]| {
            Value::Dict(
                pairs
                    .iter()
                    .map(|(k, v)| (Value::str(*k), v.clone()))
                    .collect(),
            )
        };
        let int = |i: &str| Value::Int(i.to_owned());
        let run = |f: &str, m: &Value| match format(f, m) {
            Ok(s) => s.into_owned(),
            Err(e) => format!("ERR {e}"),
        };
        let k5 = t(&[("k", int("5"))]);
        // A missing key is looked up first: false, whatever follows.
        for f in [
            "%(missing)*d",
            "%(missing).2",
            "%(missing)%",
            "%(missing).*f",
        ] {
            assert!(
                matches!(format(f, &k5), Err(FormatError::MissingKey(_))),
                "{f}"
            );
        }
        assert_eq!(
            run("%(k)*s", &k5),
            "ERR TypeError: not enough arguments for format string"
        );
        assert_eq!(
            run("%(k)*s", &t(&[("k", int("100000000000000000000"))])),
            "ERR OverflowError: Python int too large to convert to C ssize_t"
        );
        assert_eq!(
            run("%(k)*s", &t(&[("k", Value::str("x"))])),
            "ERR TypeError: * wants int"
        );
        assert_eq!(run("%(k).2", &k5), "ERR ValueError: incomplete format");
        // Only a bare %% is a percent sign.
        assert_eq!(run("a%%b", &k5), "a%b");
        assert_eq!(
            run("%(k)%", &k5),
            "ERR ValueError: unsupported format character '%' (0x25) at index 4"
        );
        assert_eq!(
            run("%5%", &k5),
            "ERR ValueError: unsupported format character '%' (0x25) at index 2"
        );
        assert_eq!(
            run("%(k)\u{4db}z", &k5),
            "ERR ValueError: unsupported format character '?' (0x4db) at index 4"
        );
        assert_eq!(
            run("%(k)f", &t(&[("k", Value::str("x"))])),
            "ERR TypeError: must be real number, not str"
        );
        assert_eq!(
            run("%(k)e", &t(&[("k", int(&format!("1{}", "0".repeat(309))))])),
            "ERR OverflowError: int too large to convert to float"
        );
        assert_eq!(
            run("%(k)#g", &t(&[("k", Value::Float(123_456.789))])),
            "123457."
        );
        assert_eq!(run("%(k)#.0g", &t(&[("k", int("1"))])), "1.");
        assert_eq!(
            run("%(k)999999999999999999999s", &k5),
            "ERR ValueError: width too big"
        );
        assert_eq!(
            run("%(k).999999999999999999999f", &k5),
            "ERR ValueError: precision too big"
        );
        // Precisions past the standard formatter's 65535 (it panics).
        let one = t(&[("k", int("1"))]);
        let s = run("%(k).70000f", &one);
        assert!(s.len() == 70_002 && s.starts_with("1.0") && s.ends_with('0'));
        let s = run("%(k).65535e", &t(&[("k", Value::Float(2.0))]));
        assert!(s.len() == 65_541 && s.starts_with("2.000") && s.ends_with("0e+00"));
        let tenth = t(&[("k", Value::Float(0.1))]);
        let s = run("%(k).1200e", &tenth);
        assert!(s.len() == 1206 && s.starts_with("1.0000000000000000555111512312"));
        assert_eq!(run("%(k).1500g", &tenth).len(), 57);
        let s = run("%(k)#.2000g", &t(&[("k", Value::Float(1e300))]));
        assert!(s.len() == 2001 && s.starts_with("100000000000000005250476025520"));
        // Too large to allocate: CPython's MemoryError, not an abort.
        assert_eq!(run("%(k)99999999999999999s", &k5), "ERR MemoryError: ");
        assert_eq!(
            run("%(k).99999999999999999d", &k5),
            "ERR ValueError: precision too big"
        );
    }
}
