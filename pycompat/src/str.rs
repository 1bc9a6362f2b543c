//! Python `str` semantics: `str.isspace`, `str.strip`, `int()` (with the
//! Unicode decimal digits it accepts), `repr`, and `str` over bytes.
//!
//! rootwrap's reference implementation sees `sys.argv` as `str` decoded with
//! UTF-8 and `surrogateescape`: every byte that is not part of valid UTF-8
//! becomes the lone surrogate U+DC00+byte. We keep arguments as raw bytes
//! (equality on bytes is equality on those strings, because the mapping is a
//! bijection) and only build a text form for regular expressions, JSON output
//! and messages; in that text U+DC00+byte is written in the one
//! lone-surrogate encoding, [`crate::surrogate`].

/// Characters Python's `str.isspace()` accepts (Unicode 14, CPython 3.11):
/// used by `str.strip()`, `int()` and configparser.
const PY_WHITESPACE: &[char] = &[
    '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{1f}', ' ',
    '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}',
    '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}',
    '\u{202f}', '\u{205f}', '\u{3000}',
];

/// The zero of every run of ten decimal digits (Unicode category Nd) that
/// Python 3.11's `int()` accepts; digit value = code point - zero.
const DECIMAL_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50,
    0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

/// A piece of a surrogateescape-decoded byte string.
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Byte(u8),
}

/// Splits bytes into valid UTF-8 runs and single undecodable bytes, exactly
/// as Python's UTF-8 decoder with `surrogateescape` does.
pub(crate) fn pieces(mut bytes: &[u8]) -> impl Iterator<Item = Piece<'_>> {
    let mut pending: Option<u8> = None;
    std::iter::from_fn(move || {
        if let Some(b) = pending.take() {
            return Some(Piece::Byte(b));
        }
        if bytes.is_empty() {
            return None;
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                bytes = &[];
                Some(Piece::Text(s))
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                let (bad, rest) = rest.split_at(1.min(rest.len()));
                bytes = rest;
                let byte = bad.first().copied().unwrap_or(0);
                let text = std::str::from_utf8(good).unwrap_or("");
                if text.is_empty() {
                    Some(Piece::Byte(byte))
                } else {
                    pending = Some(byte);
                    Some(Piece::Text(text))
                }
            }
        }
    })
}

/// `os.fsdecode(bytes)` as text (what regular expressions are matched
/// against): valid UTF-8 as is and every undecodable byte `b` as the
/// stand-in of the lone surrogate U+DC00+b (U+10FC80..=U+10FCFF, see
/// [`crate::surrogate`]).
///
/// Returns `None` when the bytes contain a genuine character in the
/// stand-ins' range U+10F800..=U+10FFFF (plane-16 private use), which
/// would read as a lone surrogate; callers deny then.
pub fn match_text(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    for piece in pieces(bytes) {
        match piece {
            Piece::Text(t) => {
                if t.chars().any(|c| crate::surrogate::lone(c).is_some()) {
                    return None;
                }
                out.push_str(t);
            }
            Piece::Byte(b) => out.push(crate::surrogate::stand_in(0xDC00 + u32::from(b))?),
        }
    }
    Some(out)
}

/// Python's `str.isspace()` for one character.
pub fn is_py_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, '\t'..='\r' | '\u{1c}'..='\u{1f}' | ' ')
    } else {
        PY_WHITESPACE.contains(&c)
    }
}

/// Python's `str.isprintable()` for one character (CPython 3.11, Unicode
/// 14.0).
pub fn is_printable(c: char) -> bool {
    crate::unicode::contains(crate::unicode::PRINTABLE, c)
}

/// `str.lower()` of CPython 3.11 (Unicode 14.0.0): Rust's mapping, except
/// for characters assigned after Unicode 14 — not printable there, like
/// every character without a case — which stay as they are. Final sigma
/// is handled as Python does, within each run between such characters.
pub fn lower(s: &str) -> String {
    let newer = |c: char| !is_printable(c) && c.to_lowercase().ne(std::iter::once(c));
    if !s.chars().any(newer) {
        return s.to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars() {
        if newer(c) {
            out.push_str(&run.to_lowercase());
            run.clear();
            out.push(c);
        } else {
            run.push(c);
        }
    }
    out.push_str(&run.to_lowercase());
    out
}

/// Python's `str.strip()` with no arguments.
pub fn py_strip(s: &str) -> &str {
    // ASCII edges (nearly always) are decided byte by byte; a non-ASCII
    // character at an edge takes the general path.
    let bytes = s.as_bytes();
    let ascii_space = |b: u8| matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' ');
    let start = bytes
        .iter()
        .position(|&b| !ascii_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !ascii_space(b))
        .map_or(start, |i| i + 1);
    let inner = s.get(start..end.max(start)).unwrap_or_default();
    match (inner.as_bytes().first(), inner.as_bytes().last()) {
        (Some(&f), Some(&l)) if f >= 0x80 || l >= 0x80 => inner.trim_matches(is_py_space),
        _ => inner,
    }
}

/// Python's `str.rstrip()` with no arguments.
pub fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_space)
}

/// Python's `str.lstrip()` with no arguments.
pub fn py_lstrip(s: &str) -> &str {
    s.trim_start_matches(is_py_space)
}

/// The value of a Unicode decimal digit (category Nd), as Python's `int()`
/// reads it (`unicodedata.decimal(c)`).
pub fn decimal_value(c: char) -> Option<u8> {
    let n = u32::from(c);
    let idx = DECIMAL_ZEROS.partition_point(|&z| z <= n);
    let zero = *DECIMAL_ZEROS.get(idx.checked_sub(1)?)?;
    u8::try_from(n - zero).ok().filter(|d| *d < 10)
}

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`, which `int()`
/// and `float()` apply before parsing: ASCII (below DEL) is kept, other
/// whitespace becomes a space, other decimal digits their ASCII digit,
/// anything else `?`.
pub fn decimal_and_space_to_ascii(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match u8::try_from(u32::from(c)) {
            Ok(b) if b < 127 => b,
            _ if is_py_space(c) => b' ',
            _ => decimal_value(c).map_or(b'?', |d| b'0' + d),
        })
        .collect()
}

/// C's `isspace` as CPython's `Py_ISSPACE` sees ASCII (what `int()` and
/// `float()` skip after [`decimal_and_space_to_ascii`]: not U+001C..U+001F,
/// which `str.isspace()` accepts).
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Python's `int(str)` refuses more digits than this
/// (`sys.get_int_max_str_digits()`).
pub const MAX_STR_DIGITS: usize = 4300;

/// Why Python's `int(str)` (base 10) raises `ValueError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntError {
    /// Not an integer literal; Python's message goes on with the `repr` of
    /// the text (cut to 200 characters).
    #[error("invalid literal for int() with base 10")]
    Invalid,
    /// More digits than [`MAX_STR_DIGITS`].
    #[error(
        "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: \
         value has {0} digits; use sys.set_int_max_str_digits() to increase the limit"
    )]
    TooManyDigits(usize),
}

/// Python's `int(s)` (base 10) as canonical decimal text (`-` sign, ASCII
/// digits, no leading zeros; keeping the digits as text reproduces
/// arbitrary precision), following CPython 3.11's `PyLong_FromUnicodeObject`:
/// [`decimal_and_space_to_ascii`], C-space stripping, sign, digits with
/// single underscores between them, the digit limit.
pub fn py_int(text: &str) -> Result<String, IntError> {
    // Plain decimal digits (what configuration files hold): nothing to
    // strip, no sign, no underscores, and far below the digit limit.
    if !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(canonical_int(false, text));
    }
    let b = decimal_and_space_to_ascii(text);
    let mut i = 0;
    while b.get(i).copied().is_some_and(is_c_space) {
        i += 1;
    }
    let mut negative = false;
    match b.get(i) {
        Some(b'+') => i += 1,
        Some(b'-') => {
            negative = true;
            i += 1;
        }
        _ => {}
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return Err(IntError::Invalid);
    }
    let mut digits = String::new();
    let mut after_underscore = false;
    while let Some(&c) = b.get(i) {
        if c.is_ascii_digit() {
            digits.push(char::from(c));
            after_underscore = false;
        } else if c == b'_' {
            if after_underscore {
                return Err(IntError::Invalid);
            }
            after_underscore = true;
        } else {
            break;
        }
        i += 1;
    }
    if after_underscore {
        return Err(IntError::Invalid);
    }
    if digits.len() > MAX_STR_DIGITS {
        return Err(IntError::TooManyDigits(digits.len()));
    }
    while b.get(i).copied().is_some_and(is_c_space) {
        i += 1;
    }
    if i != b.len() {
        return Err(IntError::Invalid);
    }
    Ok(canonical_int(negative, &digits))
}

/// Decimal text without leading zeros (`0` is never negative): how an
/// `int` is kept as text.
pub fn canonical_int(negative: bool, digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    match (trimmed.is_empty(), negative) {
        (true, _) => "0".to_owned(),
        (false, true) => format!("-{trimmed}"),
        (false, false) => trimmed.to_owned(),
    }
}

/// [`py_int`] narrowed to `i64`, saturating at the bounds (enough for every
/// use rootwrap makes of configuration integers).
pub fn py_int_saturating(s: &str) -> Result<i64, IntError> {
    let text = py_int(s)?;
    Ok(text.parse::<i64>().unwrap_or(if text.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    }))
}

/// The lines of `text` as Python's text mode yields them (universal
/// newlines: `\n`, `\r\n` and `\r` end a line), without their line ends.
pub fn universal_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr2(b'\n', b'\r', rest.as_bytes()).unwrap_or(rest.len());
        let line = rest.get(..end).unwrap_or_default();
        let after = rest.get(end..).unwrap_or_default();
        rest = if after.starts_with("\r\n") {
            after.get(2..).unwrap_or_default()
        } else {
            after.get(1..).unwrap_or_default()
        };
        Some(line)
    })
}

/// Python's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
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

/// Lossless display text for messages: valid UTF-8 as is, undecodable bytes
/// as `\udcXX`, which is what Python prints for them on stderr
/// (`backslashreplace`).
pub fn display(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for piece in pieces(bytes) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Byte(b) => out.push_str(&format!("\\udc{b:02x}")),
        }
    }
    out
}

/// Python's `repr()` of a `str` made from `bytes` (used for the audit log
/// line, which prints the command list).
pub fn py_repr(bytes: &[u8]) -> String {
    let text = display(bytes);
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for piece in pieces(bytes) {
        match piece {
            Piece::Byte(b) => out.push_str(&format!("\\udc{b:02x}")),
            Piece::Text(t) => {
                for c in t.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if c == quote => {
                            out.push('\\');
                            out.push(c);
                        }
                        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                            out.push_str(&format!("\\x{:02x}", c as u32));
                        }
                        c if ('\u{80}'..='\u{a0}').contains(&c) || c == '\u{ad}' => {
                            out.push_str(&format!("\\x{:02x}", c as u32));
                        }
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a list of `str`.
pub fn py_repr_list<T: AsRef<[u8]>>(items: &[T]) -> String {
    let inner: Vec<String> = items.iter().map(|i| py_repr(i.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

#[cfg(test)]
mod tests {

    #[test]
    fn lower_is_unicode_14s() {
        // CPython 3.11: '\ua7cb'.lower() == '\ua7cb' (assigned in Unicode
        // 16), 'İ'.lower() == 'i̇', final sigma.
        assert_eq!(lower("\u{a7cb}"), "\u{a7cb}");
        assert_eq!(lower("\u{10d50}X"), "\u{10d50}x");
        assert_eq!(lower("AΣ\u{1c89}"), "aς\u{1c89}");
        assert_eq!(lower("İ"), "i\u{307}");
        assert_eq!(lower("ΟΔΟΣ"), "οδος");
        assert_eq!(lower("ADMIN"), "admin");
    }
    use super::*;

    #[test]
    fn surrogateescape_text() {
        assert_eq!(match_text(b"abc").as_deref(), Some("abc"));
        let t = match_text(b"a\xffb\xc3").unwrap_or_default();
        let chars: Vec<u32> = t.chars().map(|c| c as u32).collect();
        assert_eq!(chars, vec![0x61, 0x10FCFF, 0x62, 0x10FCC3]);
        // a genuine U+10F800..=U+10FFFF is ambiguous and refused
        assert_eq!(match_text("\u{10F800}".as_bytes()), None);
        assert_eq!(match_text("\u{10FFFF}".as_bytes()), None);
        // U+10F7FF is fine
        assert!(match_text("\u{10F7FF}".as_bytes()).is_some());
    }

    #[test]
    fn python_int() {
        let int = |s: &str| py_int(s).ok();
        assert_eq!(int(" +5\n").as_deref(), Some("5"));
        assert_eq!(int("0_5").as_deref(), Some("5"));
        assert_eq!(int("-007").as_deref(), Some("-7"));
        assert_eq!(int("-0").as_deref(), Some("0"));
        assert_eq!(int("\u{661}\u{662}").as_deref(), Some("12"));
        assert_eq!(int("\u{ff11}").as_deref(), Some("1"));
        assert_eq!(int("\u{3000}7\u{a0}").as_deref(), Some("7"));
        assert_eq!(int("\t-1_2\n").as_deref(), Some("-12"));
        // `str.isspace()` but not C's isspace: int() refuses (CPython 3.11).
        for bad in [
            "",
            " ",
            "_5",
            "5_",
            "5__0",
            "+",
            "-",
            "0x5",
            "5.0",
            "²",
            "1 2",
            "+-1",
            "+ 1",
            "\x1c7\x1f",
            "\x1c5",
            "5\x1c",
        ] {
            assert_eq!(py_int(bad), Err(IntError::Invalid), "{bad:?}");
        }
        assert_eq!(
            py_int(&"1".repeat(4301)),
            Err(IntError::TooManyDigits(4301))
        );
        assert_eq!(
            py_int(&format!("{}_", "1".repeat(4301))),
            Err(IntError::Invalid)
        );
        assert!(
            IntError::TooManyDigits(4301)
                .to_string()
                .starts_with("Exceeds the limit (4300 digits)")
        );
        assert_eq!(py_int_saturating("99999999999999999999999"), Ok(i64::MAX));
    }

    #[test]
    fn repr_like_python() {
        assert_eq!(py_repr(b"a'b"), r#""a'b""#);
        assert_eq!(py_repr(b"a'b\""), r#"'a\'b"'"#);
        assert_eq!(py_repr(b"x\n\xff"), r"'x\n\udcff'");
        assert_eq!(
            py_repr_list(&[b"/bin/ls".as_slice(), b"-l"]),
            "['/bin/ls', '-l']"
        );
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_table() {
        for b in 0u8..128 {
            let c = char::from(b);
            assert_eq!(is_py_space(c), PY_WHITESPACE.contains(&c), "{b:#x}");
        }
    }

    #[test]
    fn bytes_repr_like_python() {
        assert_eq!(bytes_repr(b"a'\x00\xff\\"), r#"b"a'\x00\xff\\""#);
        assert_eq!(bytes_repr(b"'\""), r#"b'\'"'"#);
    }

    #[test]
    fn universal_newlines() {
        let lines: Vec<&str> = universal_lines("a\r\nb\rc\n\nd").collect();
        assert_eq!(lines, ["a", "b", "c", "", "d"]);
        assert_eq!(universal_lines("x\n").count(), 1);
        assert_eq!(universal_lines("").count(), 0);
    }

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(py_strip("\x1c a \u{3000}"), "a");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a");
    }
}
