//! Literal tokens: numbers and strings, read as the parser's actions read
//! them (f-strings included).

use pycompat::str::MAX_STR_DIGITS;

use super::error::{PyErr, syntax};
use super::lex::MAX_BRACKETS;

/// Parses the expression of an f-string replacement field (`(expr)`)
/// and gives the depth of its AST: the grammar's, passed in so that
/// string literals do not depend on the grammar that reads them.
pub(super) type ParseExpr = fn(&[char], usize) -> Result<usize, Box<PyErr>>;

/// A constant of the AST.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Const {
    Int(PyInt),
    Float(f64),
    Imag(f64),
    Str(String),
    Bytes(Vec<u8>),
    Bool(bool),
    None,
    Ellipsis,
}

/// An int of any size: sign and magnitude (base 2^32, least significant
/// first, no trailing zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PyInt {
    pub(super) neg: bool,
    pub(super) mag: Vec<u32>,
}

impl PyInt {
    pub(super) fn from_digits(digits: &str, base: u32) -> PyInt {
        let mut mag: Vec<u32> = Vec::new();
        for d in digits.chars().filter_map(|c| c.to_digit(base)) {
            let mut carry = u64::from(d);
            for limb in &mut mag {
                let v = u64::from(*limb) * u64::from(base) + carry;
                *limb = (v & 0xffff_ffff) as u32;
                carry = v >> 32;
            }
            if carry > 0 {
                mag.push(carry as u32);
            }
        }
        PyInt { neg: false, mag }
    }

    pub(super) fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }

    pub(super) fn negate(mut self) -> PyInt {
        if !self.is_zero() {
            self.neg = !self.neg;
        }
        self
    }

    pub(super) fn bits(&self) -> usize {
        match self.mag.last() {
            Some(top) => (self.mag.len() - 1) * 32 + (32 - top.leading_zeros() as usize),
            None => 0,
        }
    }

    /// Decimal digits, or `None` past `MAX_STR_DIGITS` (`str()` raises
    /// `ValueError`).
    pub(super) fn decimal(&self) -> Option<String> {
        // 2^14300 has more than 4300 digits: no need to convert.
        if self.bits() > 14_300 {
            return None;
        }
        let mut mag = self.mag.clone();
        let mut chunks: Vec<u32> = Vec::new();
        while !mag.is_empty() {
            let mut rem = 0u64;
            for limb in mag.iter_mut().rev() {
                let v = (rem << 32) | u64::from(*limb);
                *limb = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            while mag.last() == Some(&0) {
                mag.pop();
            }
            chunks.push(rem as u32);
        }
        let mut out = match chunks.pop() {
            Some(top) => top.to_string(),
            None => "0".to_owned(),
        };
        for c in chunks.iter().rev() {
            out.push_str(&format!("{c:09}"));
        }
        if out.len() > MAX_STR_DIGITS {
            return None;
        }
        if self.neg {
            out.insert(0, '-');
        }
        Some(out)
    }

    /// As an `f64` (for comparisons with floats), if exact.
    pub(super) fn to_f64_exact(&self) -> Option<f64> {
        if self.bits() > 53 {
            return None;
        }
        let v = self
            .mag
            .iter()
            .rev()
            .fold(0u64, |acc, &l| (acc << 32) | u64::from(l)) as f64;
        Some(if self.neg { -v } else { v })
    }

    /// `hash(int)`: the value modulo 2^61 - 1, with the sign; -1 is -2.
    pub(super) fn hash(&self) -> i64 {
        const P: u128 = (1 << 61) - 1;
        let r = self
            .mag
            .iter()
            .rev()
            .fold(0u128, |acc, &l| ((acc << 32) | u128::from(l)) % P) as i64;
        let h = if self.neg { -r } else { r };
        if h == -1 { -2 } else { h }
    }
}

/// A NUMBER token's value (`parsenumber`): ints of any size (a decimal
/// one of more than 4300 digits raises), floats, imaginary numbers.
pub(super) fn number(text: &str, line: usize) -> Result<Const, Box<PyErr>> {
    let s: String = text.chars().filter(|c| *c != '_').collect();
    let lower = s.to_ascii_lowercase();
    if let Some(im) = lower.strip_suffix('j') {
        return Ok(Const::Imag(im.parse().unwrap_or(0.0)));
    }
    let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
        .iter()
        .find_map(|(p, b)| lower.strip_prefix(p).map(|d| (d, *b)));
    if let Some((digits, base)) = radix {
        return Ok(Const::Int(PyInt::from_digits(digits, base)));
    }
    if lower.contains(['.', 'e']) {
        return Ok(Const::Float(lower.parse().unwrap_or(0.0)));
    }
    let significant = lower.trim_start_matches('0');
    if significant.len() > MAX_STR_DIGITS {
        return Err(Box::new(syntax(
            format!(
                "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: \
                 value has {} digits; use sys.set_int_max_str_digits() to increase the limit \
                 - Consider hexadecimal for huge integer literals to avoid decimal conversion limits.",
                significant.len()
            ),
            line,
        )));
    }
    Ok(Const::Int(PyInt::from_digits(&lower, 10)))
}

pub(super) enum StrValue {
    Text(String),
    Bytes(Vec<u8>),
    /// A valid f-string; the depth of its `JoinedStr`.
    FString(usize),
    Unsupported(String),
}

pub(super) struct StrLit {
    pub(super) bytes: bool,
    pub(super) value: StrValue,
}

/// A STRING token (`_PyPegen_parsestr`): prefix, quotes, escapes; an
/// f-string's contents are checked and parsed.
pub(super) fn parse_string(
    tok: &[char],
    line: usize,
    parse_expr: ParseExpr,
) -> Result<StrLit, Box<PyErr>> {
    let (mut b, mut r, mut f) = (false, false, false);
    let mut i = 0;
    while let Some(&c) = tok.get(i) {
        match c.to_ascii_lowercase() {
            'b' => b = true,
            'r' => r = true,
            'f' => f = true,
            'u' => {}
            _ => break,
        }
        i += 1;
    }
    let quote = tok.get(i).copied().unwrap_or('"');
    let triple =
        tok.get(i + 1) == Some(&quote) && tok.get(i + 2) == Some(&quote) && tok.len() >= i + 6;
    let q = if triple { 3 } else { 1 };
    let body = tok
        .get(i + q..tok.len().saturating_sub(q))
        .unwrap_or_default();
    if f {
        let depth = fstring(body, r, 0, line, parse_expr)?;
        return Ok(StrLit {
            bytes: false,
            value: depth,
        });
    }
    if b {
        if body.iter().any(|c| !c.is_ascii()) {
            return Err(Box::new(syntax(
                "bytes can only contain ASCII literal characters",
                line,
            )));
        }
        let value = if r || !body.contains(&'\\') {
            body.iter().map(|&c| c as u8).collect()
        } else {
            decode_bytes(body, line)?
        };
        return Ok(StrLit {
            bytes: true,
            value: StrValue::Bytes(value),
        });
    }
    let value = if r || !body.contains(&'\\') {
        StrValue::Text(body.iter().collect())
    } else {
        decode_str(body, line)?
    };
    Ok(StrLit {
        bytes: false,
        value,
    })
}

pub(super) fn unicode_error(msg: &str, line: usize) -> Box<PyErr> {
    Box::new(syntax(
        format!("(unicode error) 'unicodeescape' codec can't decode bytes: {msg}"),
        line,
    ))
}

/// The character for code point `cp`, a lone surrogate as its stand-in
/// ([`pycompat::surrogate`]).
pub(super) fn code_point(cp: u32) -> Option<char> {
    pycompat::surrogate::stand_in(cp).or_else(|| char::from_u32(cp))
}

/// `decode_unicode_with_escapes`.
pub(super) fn decode_str(body: &[char], line: usize) -> Result<StrValue, Box<PyErr>> {
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = body.get(i) else {
            return Err(unicode_error("\\ at end of string", line));
        };
        i += 1;
        match e {
            '\n' => {}
            '\\' | '\'' | '"' => out.push(e),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match body.get(i).and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(code_point(v).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: Vec<char> = body.get(i..i + n).unwrap_or_default().to_vec();
                if hex.len() != n || !hex.iter().all(char::is_ascii_hexdigit) {
                    let what = match e {
                        'x' => "truncated \\xXX escape",
                        'u' => "truncated \\uXXXX escape",
                        _ => "truncated \\UXXXXXXXX escape",
                    };
                    return Err(unicode_error(what, line));
                }
                i += n;
                let v = hex
                    .iter()
                    .fold(0u32, |a, c| a * 16 + c.to_digit(16).unwrap_or(0));
                match code_point(v) {
                    Some(ch) => out.push(ch),
                    None => return Err(unicode_error("illegal Unicode character", line)),
                }
            }
            'N' => {
                return Ok(StrValue::Unsupported(
                    "\\N{...} escapes in a check kind".to_owned(),
                ));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(StrValue::Text(out))
}

/// `_PyBytes_DecodeEscape`.
pub(super) fn decode_bytes(body: &[char], line: usize) -> Result<Vec<u8>, Box<PyErr>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        i += 1;
        if c != '\\' {
            out.push(c as u8);
            continue;
        }
        let Some(&e) = body.get(i) else {
            return Err(Box::new(syntax(
                "(value error) Trailing \\ in string",
                line,
            )));
        };
        i += 1;
        match e {
            '\n' => {}
            '\\' | '\'' | '"' => out.push(e as u8),
            'a' => out.push(7),
            'b' => out.push(8),
            'f' => out.push(12),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(11),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match body.get(i).and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            'x' => {
                let hex: Vec<char> = body.get(i..i + 2).unwrap_or_default().to_vec();
                if hex.len() != 2 || !hex.iter().all(char::is_ascii_hexdigit) {
                    return Err(Box::new(syntax(
                        format!("(value error) invalid \\x escape at position {}", i - 2),
                        line,
                    )));
                }
                i += 2;
                out.push(
                    hex.iter()
                        .fold(0u32, |a, c| a * 16 + c.to_digit(16).unwrap_or(0))
                        as u8,
                );
            }
            other => {
                out.push(b'\\');
                out.push(other as u8);
            }
        }
    }
    Ok(out)
}

/// An f-string's body (`fstring_find_literal_and_expr` and friends): its
/// literal parts decode, its expressions parse; the depth of the
/// `JoinedStr`.
pub(super) fn fstring(
    body: &[char],
    raw: bool,
    recurse: usize,
    line: usize,
    parse_expr: ParseExpr,
) -> Result<StrValue, Box<PyErr>> {
    let mut depth = 1usize;
    let mut i = 0usize;
    let mut unsupported = None;
    let fsyntax = |m: &str| Box::new(syntax(m, line));
    loop {
        let literal = fstring_literal(body, &mut i, raw, recurse, line)?;
        if !raw && literal.contains(&'\\') {
            if let StrValue::Unsupported(w) = decode_str(literal, line)? {
                unsupported = Some(w);
            }
        }
        match body.get(i) {
            None => break,
            Some('}') => break,
            _ => {}
        }
        // An expression: `{` expr [`=`] [`!` conv] [`:` spec] `}`.
        if recurse >= 2 {
            return Err(fsyntax("f-string: expressions nested too deeply"));
        }
        i += 1;
        let expr_start = i;
        fstring_expr_end(body, &mut i, line)?;
        let expr = body.get(expr_start..i).unwrap_or_default();
        let end = body.get(i).copied().unwrap_or('}');
        if expr
            .iter()
            .all(|c| matches!(c, ' ' | '\t' | '\n' | '\u{c}'))
        {
            return Err(if end == '}' {
                fsyntax("f-string: empty expression not allowed")
            } else {
                fsyntax(&format!("f-string: expression required before '{end}'"))
            });
        }
        let value_depth = parse_expr(expr, line)?;
        let spec_depth = fstring_field_end(body, &mut i, raw, recurse, line, parse_expr)?;
        // FormattedValue inside the JoinedStr.
        depth = depth.max(2 + value_depth.max(spec_depth));
    }
    if recurse == 0 && i < body.len() {
        return Err(fsyntax("f-string: unexpected end of string"));
    }
    Ok(match unsupported {
        Some(w) => StrValue::Unsupported(w),
        None => StrValue::FString(depth),
    })
}

/// `fstring_find_literal`: the literal part from `*i` up to a single `{`
/// (or a `}` in a format spec), leaving `*i` there.
fn fstring_literal<'b>(
    body: &'b [char],
    i: &mut usize,
    raw: bool,
    recurse: usize,
    line: usize,
) -> Result<&'b [char], Box<PyErr>> {
    let lit_start = *i;
    let lit_end;
    loop {
        let Some(&c) = body.get(*i) else {
            lit_end = *i;
            break;
        };
        *i += 1;
        let mut ch = c;
        if !raw && c == '\\' && *i < body.len() {
            ch = body.get(*i).copied().unwrap_or('\\');
            *i += 1;
            if ch == 'N' {
                if body.get(*i) == Some(&'{') {
                    *i += 1;
                    while body.get(*i).is_some_and(|&c| c != '}') {
                        *i += 1;
                    }
                    if *i < body.len() {
                        *i += 1;
                    }
                }
                continue;
            }
        }
        if ch == '{' || ch == '}' {
            if recurse == 0 {
                if body.get(*i) == Some(&ch) {
                    // A doubled brace: part of the literal.
                    *i += 1;
                    continue;
                }
                if ch == '}' {
                    return Err(Box::new(syntax(
                        "f-string: single '}' is not allowed",
                        line,
                    )));
                }
            }
            *i -= 1;
            lit_end = *i;
            break;
        }
    }
    Ok(body.get(lit_start..lit_end).unwrap_or_default())
}

/// `fstring_find_expr`'s scan: from `*i` (after the `{`) to the `!`,
/// `:`, `=` or `}` that ends the expression outside strings and
/// brackets, leaving `*i` there.
fn fstring_expr_end(body: &[char], i: &mut usize, line: usize) -> Result<(), Box<PyErr>> {
    let fsyntax = |m: &str| Box::new(syntax(m, line));
    let mut quote: Option<(char, usize)> = None;
    let mut nest: Vec<char> = Vec::new();
    while let Some(&ch) = body.get(*i) {
        if ch == '\\' {
            return Err(fsyntax(
                "f-string expression part cannot include a backslash",
            ));
        }
        if let Some((q, size)) = quote {
            if ch == q {
                if size == 3 {
                    if body.get(*i + 1) == Some(&ch) && body.get(*i + 2) == Some(&ch) {
                        *i += 3;
                        quote = None;
                        continue;
                    }
                } else {
                    quote = None;
                }
            }
            *i += 1;
            continue;
        }
        match ch {
            '\'' | '"' => {
                if body.get(*i + 1) == Some(&ch) && body.get(*i + 2) == Some(&ch) {
                    quote = Some((ch, 3));
                    *i += 2;
                } else {
                    quote = Some((ch, 1));
                }
            }
            '[' | '{' | '(' => {
                if nest.len() >= MAX_BRACKETS {
                    return Err(fsyntax("f-string: too many nested parenthesis"));
                }
                nest.push(ch);
            }
            '#' => return Err(fsyntax("f-string expression part cannot include '#'")),
            '!' | ':' | '}' | '=' | '>' | '<' if nest.is_empty() => {
                let next = body.get(*i + 1).copied();
                if next == Some('=') && matches!(ch, '!' | '=' | '<' | '>') {
                    *i += 2;
                    continue;
                }
                if ch == '>' || ch == '<' {
                    *i += 1;
                    continue;
                }
                break;
            }
            ']' | '}' | ')' => {
                let Some(open) = nest.pop() else {
                    return Err(fsyntax(&format!("f-string: unmatched '{ch}'")));
                };
                let want = match open {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                if want != ch {
                    return Err(fsyntax(&format!(
                        "f-string: closing parenthesis '{ch}' does not match opening parenthesis '{open}'"
                    )));
                }
            }
            _ => {}
        }
        *i += 1;
    }
    if quote.is_some() {
        return Err(fsyntax("f-string: unterminated string"));
    }
    if let Some(open) = nest.last() {
        return Err(fsyntax(&format!("f-string: unmatched '{open}'")));
    }
    if *i >= body.len() {
        return Err(fsyntax("f-string: expecting '}'"));
    }
    Ok(())
}

/// The rest of a replacement field after its expression: `=`, `!conv`,
/// `:spec` and the closing `}`, leaving `*i` after it. Returns the
/// depth of the format spec's AST (0 without one).
fn fstring_field_end(
    body: &[char],
    i: &mut usize,
    raw: bool,
    recurse: usize,
    line: usize,
    parse_expr: ParseExpr,
) -> Result<usize, Box<PyErr>> {
    let expecting = || Box::new(syntax("f-string: expecting '}'", line));
    if body.get(*i) == Some(&'=') {
        *i += 1;
        while body.get(*i).is_some_and(|c| c.is_ascii_whitespace()) {
            *i += 1;
        }
        if *i >= body.len() {
            return Err(expecting());
        }
    }
    if body.get(*i) == Some(&'!') {
        *i += 1;
        let Some(&conv) = body.get(*i) else {
            return Err(expecting());
        };
        *i += 1;
        if !matches!(conv, 's' | 'r' | 'a') {
            return Err(Box::new(syntax(
                "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                line,
            )));
        }
    }
    if *i >= body.len() {
        return Err(expecting());
    }
    let mut spec_depth = 0;
    if body.get(*i) == Some(&':') {
        *i += 1;
        if *i >= body.len() {
            return Err(expecting());
        }
        let rest = body.get(*i..).unwrap_or_default();
        let (spec, used) = fstring_spec(rest, raw, recurse + 1, line, parse_expr)?;
        spec_depth = spec;
        *i += used;
    }
    if body.get(*i) != Some(&'}') {
        return Err(expecting());
    }
    *i += 1;
    Ok(spec_depth)
}

/// A format spec (nested f-string up to its closing `}`): its depth and
/// how many characters it took.
pub(super) fn fstring_spec(
    body: &[char],
    raw: bool,
    recurse: usize,
    line: usize,
    parse_expr: ParseExpr,
) -> Result<(usize, usize), Box<PyErr>> {
    // Find where the spec ends: the `}` that closes the replacement field
    // at this level (nested fields are `{...}` pairs).
    let mut i = 0;
    let mut open = 0usize;
    while let Some(&c) = body.get(i) {
        match c {
            '{' => open += 1,
            '}' if open == 0 => break,
            '}' => open -= 1,
            _ => {}
        }
        i += 1;
    }
    let spec = body.get(..i).unwrap_or_default();
    let depth = match fstring(spec, raw, recurse, line, parse_expr)? {
        StrValue::FString(d) => d,
        _ => 1,
    };
    Ok((depth, i))
}
