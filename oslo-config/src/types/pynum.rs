//! Python's `int(str)` and `float(str)` (CPython 3.11 grammar and error
//! texts), `format(x, 'g')`, and exact comparisons between Python ints
//! (kept as decimal text) and floats.

use std::cmp::Ordering;

use pycompat::value::{Value, str_repr};

use super::Exc;

use pycompat::str::{IntError, canonical_int, decimal_and_space_to_ascii as to_ascii, is_c_space};

/// The first `n` characters of `s`.
fn truncate_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `int(text)` (base 10) as canonical decimal text, with Python's
/// `ValueError` text.
pub(super) fn py_int(text: &str) -> Result<String, Exc> {
    pycompat::str::py_int(text).map_err(|e| match e {
        IntError::Invalid => Exc::value(format!("{e}: {}", truncate_chars(&str_repr(text), 200))),
        _ => Exc::value(e.to_string()),
    })
}

/// `float(text)`.
pub(super) fn py_float(text: &str) -> Result<f64, Exc> {
    // Plain `digits[.digits]`: the literal the general path would build
    // is this one, parsed the same way.
    if plain_decimal(text.as_bytes()) {
        if let Ok(f) = text.parse::<f64>() {
            return Ok(f);
        }
    }
    let invalid = || {
        Exc::value(format!(
            "could not convert string to float: {}",
            str_repr(text)
        ))
    };
    let mut b = to_ascii(text);
    // `_Py_string_to_number_with_underscores`: only between digits.
    if b.contains(&b'_') {
        let mut out = Vec::with_capacity(b.len());
        let mut prev = 0u8;
        for &c in &b {
            if c == b'_' {
                if !prev.is_ascii_digit() {
                    return Err(invalid());
                }
            } else {
                if prev == b'_' && !c.is_ascii_digit() {
                    return Err(invalid());
                }
                out.push(c);
            }
            prev = c;
        }
        if prev == b'_' {
            return Err(invalid());
        }
        b = out;
    }
    let start = b.iter().position(|&c| !is_c_space(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| !is_c_space(c))
        .map_or(start, |p| p + 1);
    let s = b.get(start..end).unwrap_or(&[]);
    parse_float_literal(s).ok_or_else(invalid)
}

/// `digits` or `digits.digits`, nothing else.
fn plain_decimal(b: &[u8]) -> bool {
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(p) => (b.get(..p).unwrap_or(&[]), b.get(p + 1..)),
        None => (b, None),
    };
    let digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    digits(int) && frac.is_none_or(digits)
}

/// A whole Python float literal (after stripping): `[sign]` then
/// `inf`/`infinity`/`nan` in any case, or decimal digits with an optional
/// point and exponent.
fn parse_float_literal(s: &[u8]) -> Option<f64> {
    let (negative, rest) = match s.first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let lower = rest.to_ascii_lowercase();
    if lower == b"inf" || lower == b"infinity" {
        return Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if lower == b"nan" {
        return Some(if negative { -f64::NAN } else { f64::NAN });
    }
    let mut i = 0;
    let int_start = i;
    while rest.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_part = rest.get(int_start..i)?;
    let mut frac_part: &[u8] = &[];
    if rest.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while rest.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_part = rest.get(frac_start..i)?;
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut exp_text = String::from("0");
    if matches!(rest.get(i), Some(b'e' | b'E')) {
        i += 1;
        let mut exp = String::new();
        match rest.get(i) {
            Some(b'-') => {
                exp.push('-');
                i += 1;
            }
            Some(b'+') => i += 1,
            _ => {}
        }
        let exp_start = i;
        while rest.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = rest.get(exp_start..i)?;
        if digits.is_empty() {
            return None;
        }
        exp.push_str(std::str::from_utf8(digits).ok()?);
        exp_text = exp;
    }
    if i != rest.len() {
        return None;
    }
    let literal = format!(
        "{}{}.{}e{}",
        if negative { "-" } else { "" },
        if int_part.is_empty() {
            "0"
        } else {
            std::str::from_utf8(int_part).ok()?
        },
        if frac_part.is_empty() {
            "0"
        } else {
            std::str::from_utf8(frac_part).ok()?
        },
        exp_text
    );
    literal.parse::<f64>().ok()
}

/// `format(f, 'g')` (the one definition is pycompat's).
pub(super) use pycompat::value::format_g;

/// A Python number: an `int` (decimal text; `bool` counts as 0/1) or a
/// `float`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Num {
    Int(String),
    Float(f64),
}

impl Num {
    /// The number a value is, if it is one.
    pub(super) fn of(v: &Value) -> Option<Num> {
        match v {
            Value::Bool(b) => Some(Num::Int(if *b { "1" } else { "0" }.to_owned())),
            Value::Int(i) => Some(Num::Int(i.clone())),
            Value::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    /// `format(self, 'g')` (an int too large for a float is an
    /// `OverflowError`).
    pub(super) fn format_g(&self) -> Result<String, Exc> {
        match self {
            Num::Float(f) => Ok(format_g(*f)),
            Num::Int(i) => int_to_f64(i).map(format_g),
        }
    }
}

/// `float(int)`: correctly rounded, `OverflowError` past the float range.
pub(super) fn int_to_f64(i: &str) -> Result<f64, Exc> {
    match i.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        _ => Err(Exc::overflow("int too large to convert to float")),
    }
}

/// Splits decimal text into (negative, digits without leading zeros).
fn split_int(i: &str) -> (bool, &str) {
    let (negative, digits) = match i.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, i.strip_prefix('+').unwrap_or(i)),
    };
    let digits = digits.trim_start_matches('0');
    (negative && !digits.is_empty(), digits)
}

/// Compares two ints given as decimal text.
pub(super) fn cmp_int(a: &str, b: &str) -> Ordering {
    let (an, ad) = split_int(a);
    let (bn, bd) = split_int(b);
    match (an, bn) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (negative, _) => {
            let magnitude = ad.len().cmp(&bd.len()).then_with(|| ad.cmp(bd));
            if negative {
                magnitude.reverse()
            } else {
                magnitude
            }
        }
    }
}

/// Compares an int with a float exactly (`None` for NaN).
fn cmp_int_float(i: &str, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let floor = f.floor();
    // Every integral float prints exactly with `{:.0}`.
    let floor_text = format!("{floor:.0}");
    match cmp_int(i, &floor_text) {
        Ordering::Equal if floor != f => Some(Ordering::Less),
        other => Some(other),
    }
}

/// Python's ordering of two numbers (`None` when unordered: NaN).
pub(super) fn cmp_num(a: &Num, b: &Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(cmp_int(x, y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(y),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, *y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, *x).map(Ordering::reverse),
    }
}

/// `int(f)` for a float: truncation toward zero.
pub(super) fn float_to_int(f: f64) -> Result<String, Exc> {
    if f.is_nan() {
        return Err(Exc::value("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Exc::overflow("cannot convert float infinity to integer"));
    }
    let t = f.trunc();
    let text = format!("{t:.0}");
    let (negative, digits) = split_int(&text);
    Ok(canonical_int(negative, digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_grammar() {
        for (text, want) in [
            ("1", "1"),
            (" 1 ", "1"),
            ("\u{a0}5", "5"),
            ("1_000", "1000"),
            ("٣٤", "34"),
            ("-0", "0"),
            ("+007", "7"),
            ("-12", "-12"),
            ("\t-1_2\n", "-12"),
        ] {
            assert_eq!(py_int(text).ok().as_deref(), Some(want), "{text:?}");
        }
        for text in [
            "1__0", "_1", "1_", "+ 1", "0x10", "\x1c5", "5\x1c", "1.0", "1e3", "",
        ] {
            assert!(py_int(text).is_err(), "{text:?}");
        }
        let e = py_int("x").err().map(|e| e.msg);
        assert_eq!(
            e.as_deref(),
            Some("invalid literal for int() with base 10: 'x'")
        );
        let long = "a".repeat(300);
        let msg = py_int(&long).err().map(|e| e.msg).unwrap_or_default();
        assert_eq!(
            msg.len(),
            "invalid literal for int() with base 10: ".len() + 200
        );
        let msg = py_int(&format!("{}x", "1".repeat(4301)))
            .err()
            .map(|e| e.msg)
            .unwrap_or_default();
        assert!(msg.starts_with("Exceeds the limit (4300 digits)"), "{msg}");
        let msg = py_int(&format!("{}_", "1".repeat(4301)))
            .err()
            .map(|e| e.msg)
            .unwrap_or_default();
        assert!(msg.starts_with("invalid literal"), "{msg}");
    }

    #[test]
    fn float_grammar() {
        for (text, want) in [
            ("1", 1.0),
            (" 1.5 ", 1.5),
            ("-Infinity", f64::NEG_INFINITY),
            ("1_0.5", 10.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e5_0", 1e50),
            ("٣.5", 3.5),
            ("1e99999999999999999999999", f64::INFINITY),
            ("1e-99999999999999999999999", 0.0),
        ] {
            assert_eq!(py_float(text).ok(), Some(want), "{text:?}");
        }
        assert!(py_float("NaN").is_ok_and(f64::is_nan));
        for text in [
            "1._5", ".", "1e", "1_e5", "1e_5", "infinit", "\x1c1", "0x1p3", "in f",
        ] {
            assert!(py_float(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn percent_g() {
        for (f, want) in [
            (1e6, "1e+06"),
            (1.5, "1.5"),
            (2e10, "2e+10"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (999999.5, "1e+06"),
            (-0.0, "-0"),
            (100.0, "100"),
        ] {
            assert_eq!(format_g(f), want, "{f}");
        }
    }

    #[test]
    fn exact_comparisons() {
        assert_eq!(cmp_int("-5", "3"), Ordering::Less);
        assert_eq!(cmp_int("-5", "-30"), Ordering::Greater);
        assert_eq!(cmp_int("0", "-0"), Ordering::Equal);
        let big = "9007199254740993";
        assert_eq!(
            cmp_num(&Num::Int(big.into()), &Num::Float(9007199254740992.0)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            cmp_num(&Num::Int("1".into()), &Num::Float(1.5)),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp_num(&Num::Int("-2".into()), &Num::Float(-1.5)),
            Some(Ordering::Less)
        );
        assert_eq!(cmp_num(&Num::Float(f64::NAN), &Num::Int("1".into())), None);
        assert_eq!(float_to_int(-1.5).ok().as_deref(), Some("-1"));
        assert_eq!(float_to_int(-0.5).ok().as_deref(), Some("0"));
        assert_eq!(
            float_to_int(1e20).ok().as_deref(),
            Some("100000000000000000000")
        );
    }
}
