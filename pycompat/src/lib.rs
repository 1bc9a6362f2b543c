//! Python semantics the oslo-rs crates share, so that what they read and
//! write agrees with the OpenStack libraries byte for byte:
//!
//! * [`value`] — Python values with `str()`/`repr()`, truthiness and
//!   dict-key equality, and Python's float `repr`;
//! * [`yaml`] — YAML as PyYAML's `safe_load` (YAML 1.1) reads it;
//! * [`yamlemit`] — YAML as PyYAML's `safe_dump` writes it;
//! * [`textwrap`] — `textwrap.wrap` as the sample generators call it;
//! * [`hash`] — a fast hash for tables of trusted names.

pub mod hash;
pub mod textwrap;
pub mod value;
pub mod yaml;
pub mod yamlemit;

/// Python's `str.isspace()` characters (what `\s` splits on).
pub fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{b}'
            | '\u{c}'
            | '\r'
            | '\u{1c}'..='\u{1f}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}
