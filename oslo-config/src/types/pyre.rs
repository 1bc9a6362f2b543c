//! Option regexes (`types.String(regex=...)`): Python's `re.search` is
//! pycompat's exact port of CPython's `re` ([`pycompat::re`]); compiled
//! patterns are cached here, as `re`'s own cache does in Python.
//!
//! Deviation (written down in `pycompat::re`): a pattern Python accepts but
//! the port does not reproduce exactly is refused (`re.error`, with the
//! port's reason), and a `{m,n}` repeat with `n - m > 1000` matches no
//! value longer than `n - m - 1` characters.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pycompat::re::{PyReError, PyRegex};

type Cache = Mutex<HashMap<(String, bool), Arc<PyRegex>>>;

/// The text of the `re.error` for a refused pattern.
pub(super) fn message(e: &PyReError) -> String {
    e.python_message()
        .map_or_else(|| e.to_string(), str::to_owned)
}

/// Compiles a Python pattern (cached); see [`message`] for `str(re.error)`.
pub(super) fn compile(pattern: &str, ignore_case: bool) -> Result<Arc<PyRegex>, PyReError> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let key = (pattern.to_owned(), ignore_case);
    if let Ok(map) = cache.lock() {
        if let Some(re) = map.get(&key) {
            return Ok(Arc::clone(re));
        }
    }
    let re = PyRegex::for_search(pattern, ignore_case).map(Arc::new)?;
    if let Ok(mut map) = cache.lock() {
        if map.len() >= 512 {
            map.clear();
        }
        map.insert(key, Arc::clone(&re));
    }
    Ok(re)
}

/// `re.search(pattern, text, flags)` is not `None`.
pub(super) fn search(pattern: &str, ignore_case: bool, text: &str) -> Result<bool, PyReError> {
    Ok(compile(pattern, ignore_case)?.search(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: &str, t: &str) -> bool {
        search(p, false, t).unwrap_or(false)
    }

    #[test]
    fn python_semantics() {
        assert!(s("^abc$", "abc\n"));
        assert!(!s("^abc$", "abc\n\n"));
        assert!(!s(r"abc\Z", "abc\n"));
        assert!(s("a{", "a{"));
        assert!(s("x{,2}y", "xxy"));
        assert!(s("a{}", "a{}"));
        assert!(s(r"\s", "\x1c"));
        assert!(s("[a[]", "["));
        assert!(s("[]a]", "]"));
        assert!(s("[&&]", "&"));
        assert!(s(r"\0", "\0"));
        assert!(s("[0-9]+", "x12"));
        assert!(search("ABC", true, "abc").unwrap_or(false));
        assert!(search("^[a-z]+$", true, "\u{130}\u{131}K").unwrap_or(false));
        assert!(search("\u{131}", true, "I").unwrap_or(false));
        assert_eq!(
            compile("(", false).err().map(|e| message(&e)).as_deref(),
            Some("missing ), unterminated subpattern at position 0")
        );
    }
}
