//! Python `re` patterns on `fancy_regex`: the syntax differences that
//! matter for option regexes are translated (`$` also matches before a
//! final newline, `\Z` is the very end, `{` that is no quantifier is a
//! literal, `{,n}`, octal `\0`, `\s` includes `\x1c`-`\x1f`, `[` `&` `~`
//! are literals inside a class), and compiled patterns are cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use fancy_regex::{Regex, RegexBuilder};

/// `\s` of Python's `re` for str patterns (`str.isspace`), as class items.
const PY_SPACE_ITEMS: &str = r"\s\x1c-\x1f";

/// Translates a Python pattern to `fancy_regex` syntax.
pub(super) fn translate(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                let Some(&e) = chars.get(i) else {
                    out.push('\\');
                    break;
                };
                i += 1;
                match e {
                    'Z' => out.push_str(r"\z"),
                    's' => out.push_str(&format!("[{PY_SPACE_ITEMS}]")),
                    'S' => out.push_str(&format!("[^{PY_SPACE_ITEMS}]")),
                    '0' => {
                        let mut value = 0u32;
                        let mut n = 0;
                        while n < 2 {
                            match chars.get(i).and_then(|d| d.to_digit(8)) {
                                Some(d) => {
                                    value = value * 8 + d;
                                    i += 1;
                                    n += 1;
                                }
                                None => break,
                            }
                        }
                        out.push_str(&format!(r"\x{{{value:x}}}"));
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '$' => out.push_str(r"(?=\n?\z)"),
            '[' => i = translate_class(&chars, i, &mut out),
            '{' => match quantifier(&chars, i) {
                Some((min, max, next)) => {
                    out.push('{');
                    out.push_str(if min.is_empty() { "0" } else { &min });
                    if let Some(max) = max {
                        out.push(',');
                        out.push_str(&max);
                    }
                    out.push('}');
                    i = next;
                }
                None => out.push_str(r"\{"),
            },
            '}' => out.push_str(r"\}"),
            other => out.push(other),
        }
    }
    out
}

/// A Python quantifier body after `{`: `(min, Some(max) | None for {m},
/// position after `}`)`; `{,}` and `{m,}` give an empty max.
fn quantifier(chars: &[char], mut i: usize) -> Option<(String, Option<String>, usize)> {
    if chars.get(i) == Some(&'}') {
        return None;
    }
    let mut lo = String::new();
    while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
        lo.push(d);
        i += 1;
    }
    let hi = if chars.get(i) == Some(&',') {
        i += 1;
        let mut hi = String::new();
        while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
            hi.push(d);
            i += 1;
        }
        Some(hi)
    } else {
        None
    };
    if chars.get(i) != Some(&'}') {
        return None;
    }
    Some((lo, hi, i + 1))
}

/// Copies a character class starting after its `[`; returns the position
/// after its `]`.
fn translate_class(chars: &[char], mut i: usize, out: &mut String) -> usize {
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        out.push_str(r"\]");
        i += 1;
    }
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            ']' => {
                out.push(']');
                return i;
            }
            '\\' => {
                let Some(&e) = chars.get(i) else {
                    out.push('\\');
                    break;
                };
                i += 1;
                if e == 's' {
                    out.push_str(PY_SPACE_ITEMS);
                } else {
                    out.push('\\');
                    out.push(e);
                }
            }
            '[' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            other => out.push(other),
        }
    }
    i
}

type Cache = Mutex<HashMap<(String, bool), Arc<Regex>>>;

/// Under `re.IGNORECASE` Python also treats these as the same letter,
/// where Unicode simple case folding (what `fancy_regex` uses) does not:
/// both sides are mapped to one of them before matching.
fn caseless_fix(c: char) -> char {
    match c {
        '\u{131}' | '\u{130}' => 'i',
        '\u{1fd3}' => '\u{390}',
        '\u{1fe3}' => '\u{3b0}',
        '\u{fb05}' => '\u{fb06}',
        c => c,
    }
}

fn caseless(s: &str) -> String {
    s.chars().map(caseless_fix).collect()
}

/// Compiles a Python pattern (cached); `Err` is the compiler's message.
pub(super) fn compile(pattern: &str, ignore_case: bool) -> Result<Arc<Regex>, String> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let key = (pattern.to_owned(), ignore_case);
    if let Ok(map) = cache.lock() {
        if let Some(re) = map.get(&key) {
            return Ok(Arc::clone(re));
        }
    }
    let translated = if ignore_case {
        translate(&caseless(pattern))
    } else {
        translate(pattern)
    };
    let re = RegexBuilder::new(&translated)
        .case_insensitive(ignore_case)
        .build()
        .map(Arc::new)
        .map_err(|e| e.to_string())?;
    if let Ok(mut map) = cache.lock() {
        if map.len() >= 512 {
            map.clear();
        }
        map.insert(key, Arc::clone(&re));
    }
    Ok(re)
}

/// `re.search(pattern, text, flags)` is not `None`.
pub(super) fn search(pattern: &str, ignore_case: bool, text: &str) -> Result<bool, String> {
    let re = compile(pattern, ignore_case)?;
    let matched = if ignore_case {
        re.is_match(&caseless(text))
    } else {
        re.is_match(text)
    };
    Ok(matched.unwrap_or(false))
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
        assert!(compile("(", false).is_err());
    }
}
