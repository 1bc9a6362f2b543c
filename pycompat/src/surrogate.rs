//! The one encoding of Python's lone surrogates in Rust text.
//!
//! A Python `str` may hold a lone surrogate (U+D800..=U+DFFF): PyYAML keeps
//! `"\\uD83D"` as one, and `os.fsdecode` turns every undecodable byte `b`
//! into U+DC00+b (`surrogateescape`). A Rust `str` cannot hold them, so each
//! stands in as U+10F800 + (unit - U+D800), the last 2,048 code points of
//! plane 16 (private use): a bijection that keeps the surrogates' order
//! among themselves, and whose stand-ins, like lone surrogates, equal no
//! character real text holds. Every crate uses this one mapping.

/// The stand-in of U+D800; U+D800+n is `BASE + n`.
pub const BASE: u32 = 0x10_F800;

/// The stand-in for the lone surrogate `unit` (`None` outside
/// U+D800..=U+DFFF).
pub fn stand_in(unit: u32) -> Option<char> {
    if (0xD800..=0xDFFF).contains(&unit) {
        char::from_u32(BASE + (unit - 0xD800))
    } else {
        None
    }
}

/// The lone surrogate `c` stands for, if it is a stand-in.
pub fn lone(c: char) -> Option<u32> {
    u32::from(c).checked_sub(BASE).map(|offset| 0xD800 + offset)
}

/// The code point Python has for `c`: the surrogate for a stand-in, else
/// `c` itself.
pub fn python_code(c: char) -> u32 {
    lone(c).unwrap_or(u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for unit in [0xD800, 0xDC80, 0xDFFF] {
            let c = stand_in(unit).unwrap_or('x');
            assert_eq!(lone(c), Some(unit));
            assert_eq!(python_code(c), unit);
        }
        assert_eq!(stand_in(0xE000), None);
        assert_eq!(lone('a'), None);
        assert_eq!(python_code('\u{10f7ff}'), 0x10F7FF);
    }
}
