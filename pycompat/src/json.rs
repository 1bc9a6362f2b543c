//! JSON string literals as Python's `json.dumps` writes them
//! (`ensure_ascii=True`, the default).

use crate::str::{Piece, pieces};

/// Appends a JSON string literal for `bytes` exactly as Python's
/// `json.dumps(os.fsdecode(bytes))` writes it (`ensure_ascii=True`).
pub fn push_bytes<W: std::fmt::Write + ?Sized>(out: &mut W, bytes: &[u8]) {
    // Writing to a `String` (or a counting sink) cannot fail.
    let _ = out.write_char('"');
    for piece in pieces(bytes) {
        match piece {
            Piece::Text(t) => {
                // Runs of printable ASCII other than `"` and `\` are written
                // as they are, in one piece; the rest char by char.
                let mut rest = t;
                while !rest.is_empty() {
                    let plain = rest
                        .bytes()
                        .position(|b| !(b' '..=b'~').contains(&b) || b == b'"' || b == b'\\')
                        .unwrap_or(rest.len());
                    let (run, tail) = rest.split_at(plain);
                    let _ = out.write_str(run);
                    let mut chars = tail.chars();
                    if let Some(c) = chars.next() {
                        push_char(out, c);
                    }
                    rest = chars.as_str();
                }
            }
            Piece::Byte(b) => {
                let _ = write!(out, "\\udc{b:02x}");
            }
        }
    }
    let _ = out.write_char('"');
}

/// Appends `s` as Python's `json.dumps` writes a `str` (`ensure_ascii`):
/// `\"`, `\\`, the short escapes, and `\uXXXX` for everything outside
/// `' '..='~'` (surrogate pairs above the BMP). `s` holds Python text in
/// this crate's encoding: a lone-surrogate stand-in (see
/// [`crate::surrogate`]) is written as the lone surrogate's escape.
pub fn push_str<W: std::fmt::Write + ?Sized>(out: &mut W, s: &str) {
    let _ = out.write_char('"');
    for c in s.chars() {
        match crate::surrogate::lone(c) {
            Some(unit) => {
                let _ = write!(out, "\\u{unit:04x}");
            }
            None => push_char(out, c),
        }
    }
    let _ = out.write_char('"');
}

fn push_char<W: std::fmt::Write + ?Sized>(out: &mut W, c: char) {
    let _ = match c {
        '"' => out.write_str("\\\""),
        '\\' => out.write_str("\\\\"),
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\u{8}' => out.write_str("\\b"),
        '\u{c}' => out.write_str("\\f"),
        ' '..='~' => out.write_char(c),
        _ => {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
            Ok(())
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_like_python() {
        let mut s = String::new();
        push_bytes(&mut s, b"a\"\\\n\x01\x7f\xff\xc3\xa9\xf0\x9f\x98\x80");
        assert_eq!(s, r#""a\"\\\n\u0001\u007f\udcff\u00e9\ud83d\ude00""#);
    }

    #[test]
    fn stand_ins_are_lone_surrogates() {
        let mut s = String::new();
        push_str(&mut s, "a\u{10f800}\u{10ffff}\u{e9}\u{1f600}");
        assert_eq!(s, r#""a\ud800\udfff\u00e9\ud83d\ude00""#);
    }
}
