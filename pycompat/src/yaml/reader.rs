//! The reader: bytes to the text PyYAML's scanner sees (strict UTF-8,
//! universal newlines, the BOM, the printable set), and the lone-surrogate
//! escapes of double-quoted scalars.

use super::YamlError;

/// PyYAML decodes `\uD83D` in a double-quoted scalar to a lone surrogate
/// (it never pairs them); Rust strings cannot hold one and yaml-rust2
/// rejects the escape. Such escapes become escapes of private-use stand-ins
/// (U+10F800 + offset), which compare unequal to every real character, as
/// a lone surrogate does in Python.
pub(super) fn map_surrogate_escapes(text: &str) -> String {
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
                            let stand_in = crate::surrogate::BASE + (cp - 0xD800);
                            out.push_str(&format!("\\U{stand_in:08X}"));
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

// ---------------------------------------------------------------------------
// Reader

/// Decodes like Python's text-mode `open()` (strict UTF-8, universal
/// newlines), drops the BOM PyYAML skips and rejects what PyYAML's reader
/// finds unprintable.
pub(super) fn read_text(bytes: &[u8]) -> Result<String, YamlError> {
    let raw = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
            let column = 1 + good.iter().rev().take_while(|&&b| b != b'\n').count();
            return Err(YamlError::new(line, column, "invalid UTF-8"));
        }
    };
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let mut text = String::with_capacity(raw.len());
    let mut line = 1;
    let mut column = 0;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        let c = if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            '\n'
        } else {
            c
        };
        if !printable(c) {
            return Err(YamlError::new(
                line,
                column,
                format!(
                    "unacceptable character {:#x}: special characters are not allowed",
                    u32::from(c)
                ),
            ));
        }
        if matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') {
            return Err(YamlError::new(
                line,
                column,
                "NEL, LS and PS line breaks are not supported",
            ));
        }
        if c == '\n' {
            line += 1;
            column = 0;
        }
        text.push(c);
    }
    Ok(text)
}

/// PyYAML's printable set: tab, line breaks, ASCII printables, NEL and the
/// non-surrogate BMP up to U+FFFD, and the astral planes.
pub(super) fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || u32::from(c) >= 0x10000
}
