//! `$name` / `${name}` interpolation as oslo.config does it: Python's
//! `string.Template.safe_substitute` with the identifier pattern
//! `[_a-z][\._a-z0-9]*` matched case-insensitively, after `\$` has been
//! turned into `$$`.

/// What a lookup of a placeholder gave.
pub enum Lookup<E> {
    /// The text to put in place of the placeholder.
    Text(String),
    /// Python's `KeyError`: the placeholder is left as written.
    Missing,
    /// Any other error ends the substitution.
    Err(E),
}

fn id_start(c: char) -> bool {
    c == '_'
        || c.is_ascii_alphabetic()
        || matches!(c, '\u{212a}' | '\u{17f}' | '\u{130}' | '\u{131}')
}

fn id_continue(c: char) -> bool {
    id_start(c) || c == '.' || c.is_ascii_digit()
}

/// Length in bytes of the identifier at the start of `s` (0 if none).
fn identifier(s: &str) -> usize {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if id_start(c) => {}
        _ => return 0,
    }
    for (i, c) in chars {
        if !id_continue(c) {
            return i;
        }
    }
    s.len()
}

/// The keys of the placeholders `value` would look up, in order
/// (`$a.b` and `${a.b}` give `a.b`).
pub fn references(value: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let _ = substitute::<()>(value, |key| {
        keys.push(key.to_owned());
        Lookup::Text(String::new())
    });
    keys
}

/// Substitutes every placeholder of `value` through `lookup`.
pub fn substitute<E>(value: &str, mut lookup: impl FnMut(&str) -> Lookup<E>) -> Result<String, E> {
    let value = if value.contains("\\$") {
        std::borrow::Cow::Owned(value.replace("\\$", "$$"))
    } else {
        std::borrow::Cow::Borrowed(value)
    };
    let mut out = String::with_capacity(value.len());
    let mut rest: &str = &value;
    while let Some(pos) = rest.find('$') {
        out.push_str(rest.get(..pos).unwrap_or_default());
        let after = rest.get(pos + 1..).unwrap_or_default();
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let n = identifier(after);
        if n > 0 {
            let key = after.get(..n).unwrap_or_default();
            match lookup(key) {
                Lookup::Text(t) => out.push_str(&t),
                Lookup::Missing => {
                    out.push('$');
                    out.push_str(key);
                }
                Lookup::Err(e) => return Err(e),
            }
            rest = after.get(n..).unwrap_or_default();
            continue;
        }
        if let Some(inner) = after.strip_prefix('{') {
            let n = identifier(inner);
            if n > 0 && inner.get(n..).is_some_and(|t| t.starts_with('}')) {
                let key = inner.get(..n).unwrap_or_default();
                match lookup(key) {
                    Lookup::Text(t) => out.push_str(&t),
                    Lookup::Missing => {
                        out.push_str("${");
                        out.push_str(key);
                        out.push('}');
                    }
                    Lookup::Err(e) => return Err(e),
                }
                rest = inner.get(n + 1..).unwrap_or_default();
                continue;
            }
        }
        // An invalid placeholder: the `$` stays, scanning goes on after it.
        out.push('$');
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(v: &str) -> String {
        substitute::<()>(v, |k| match k {
            "missing" => Lookup::Missing,
            k => Lookup::Text(format!("<{k}>")),
        })
        .unwrap_or_default()
    }

    #[test]
    fn follows_string_template() {
        assert_eq!(sub("$a"), "<a>");
        assert_eq!(sub("$a.b-c"), "<a.b>-c");
        assert_eq!(sub("$a."), "<a.>");
        assert_eq!(sub("${a.b}x"), "<a.b>x");
        assert_eq!(sub("$$a"), "$a");
        assert_eq!(sub("\\$a"), "$a");
        assert_eq!(sub("$5 $ ${x ${a-b} $-"), "$5 $ ${x ${a-b} $-");
        assert_eq!(sub("$missing ${missing}"), "$missing ${missing}");
        assert_eq!(sub("$Foo_9"), "<Foo_9>");
        assert_eq!(sub("a$"), "a$");
        assert_eq!(sub("é$é"), "é$é");
    }

    #[test]
    fn lists_references() {
        assert_eq!(references("$a/${b.c} $$d \\$e $5"), vec!["a", "b.c"]);
        assert!(references("plain").is_empty());
    }
}
