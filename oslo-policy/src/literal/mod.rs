//! `ast.literal_eval(kind)` as oslo.policy's `GenericCheck` applies it to
//! the text before the first `:` of a check (CPython 3.11):
//!
//! ```python
//! try:
//!     test_value = ast.literal_eval(self.kind)
//!     return match == str(test_value)
//! except ValueError:
//!     pass            # then: look the kind up in the credentials
//! ```
//!
//! So there are three outcomes: a Python literal, whose `str()` the check
//! compares (the credentials are ignored); `ValueError`, raised for every
//! valid expression that is not a literal (a name, `a.b`, `not role`,
//! `a,b`, `f(x)`, `lambda`...) and by `str()` of an int too long to
//! print, after which the check looks the kind up in the credentials; and
//! any other exception (`SyntaxError` for what is not Python at all,
//! `TypeError` for unhashable set members, `RecursionError`,
//! `MemoryError`), which the reference does not catch: the check raises.
//!
//! Kinds from text rules never contain whitespace, but kinds from legacy
//! list rules (`[["not role:a"]]`) may contain anything but `:`, newlines
//! included; the recogniser therefore follows CPython 3.11 from the
//! source text: `lstrip(" \t")`, the NUL check, newline translation, the
//! C tokenizer (indentation, continuation lines, comments, number and
//! string literal rules, identifier characters of Unicode 14, nesting
//! limit), the PEG grammar of `eval` input (without its error-reporting
//! rules, which only choose messages), f-string contents, the checks the
//! parser's actions make (string decoding, mixing bytes and str, integer
//! size), the depth limits of the parser and of the AST conversion, and
//! `literal_eval`'s `_convert` with `str()` of the result.
//!
//! Nothing here recurses deeper than the reference's own limits allow
//! (brackets nest at most 200 deep; operator chains are bounded by the
//! AST depth limit), so no input can overflow the stack.
//!
//! Known differences (the answer is then an error, never a decision the
//! reference would not make): `\N{...}` escapes in string literals (no
//! Unicode name table here), and sets of two or more members whose order
//! (hash order) is not reproducible (strings, bytes, `None`, non-integral
//! floats); see `tests/conformance/oslo-policy/literal_differential.rs`.

mod convert;
mod error;
mod grammar;
mod lex;
mod tokens;

use convert::{Conv, convert, py_str};
use grammar::Parser;
use lex::Lexer;

/// What `ast.literal_eval(kind)` does.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// It returns a value; the check compares against its `str()`.
    Value(String),
    /// It raises `ValueError` (or `str()` of the value does): not a
    /// literal, look the kind up in the credentials.
    NotLiteral,
    /// It raises something else (`SyntaxError`, `TypeError`...): the
    /// check raises. The text is `Class: str(exception)`.
    Error(String),
    /// The reference's answer cannot be reproduced (see the module
    /// docs); treated as an error.
    Unsupported(String),
}

/// How deep the AST of a kind may be before CPython's conversion of it to
/// Python objects raises `RecursionError`: three times the recursion
/// limit (1000), less three per Python frame below the call. The
/// reference's answer depends on how deep in the stack `literal_eval`
/// runs; this is its value for a call from a shallow stack (five frames).
pub const AST_DEPTH_LIMIT: usize = 3000 - 3 * 5;

/// Kinds up to this long cannot nest deep enough to need a large stack.
const SHORT_KIND: usize = 64;

/// The stack a long kind is classified on: enough for the parser's
/// deepest recursion (`MAX_PARSER_LEVEL` rule frames) in any build.
const LONG_KIND_STACK: usize = 64 << 20;

/// Classifies `kind` like `ast.literal_eval(kind)` followed by `str()`.
pub fn literal_eval(kind: &str) -> Literal {
    if kind.len() <= SHORT_KIND {
        return classify(kind);
    }
    // The parser recurses as deep as the reference's does (thousands of
    // rule frames for `----...1`): a long kind gets a thread with a stack
    // for that.
    let owned = kind.to_owned();
    let worker = std::thread::Builder::new()
        .name("literal_eval".to_owned())
        .stack_size(LONG_KIND_STACK)
        .spawn(move || classify(&owned));
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(result)) => result,
        _ => Literal::Error("MemoryError: cannot classify the check kind".to_owned()),
    }
}

fn classify(kind: &str) -> Literal {
    let src = kind.trim_start_matches([' ', '\t']);
    if src.contains('\0') {
        return Literal::Error(
            "SyntaxError: source code string cannot contain null bytes".to_owned(),
        );
    }
    let src: Vec<char> = translate_newlines(src);
    let lexed = Lexer::new(&src).run();
    let mut p = Parser::new(&lexed);
    let body = match p.eval_input() {
        Ok(Some(node)) => node,
        Ok(None) => return Literal::Error(p.failure().to_string()),
        Err(e) => return Literal::Error(e.to_string()),
    };
    if let Some(why) = p.take_unsupported() {
        return Literal::Unsupported(why);
    }
    // The Expression node counts too.
    if body.depth + 1 > AST_DEPTH_LIMIT {
        return Literal::Error(
            "RecursionError: maximum recursion depth exceeded during ast construction".to_owned(),
        );
    }
    match convert(&body) {
        Ok(value) => match py_str(&value) {
            Ok(text) => Literal::Value(text),
            Err(Conv::Malformed) => Literal::NotLiteral,
            Err(Conv::Raise(e)) => Literal::Error(e),
            Err(Conv::Unsupported(e)) => Literal::Unsupported(e),
        },
        Err(Conv::Malformed) => Literal::NotLiteral,
        Err(Conv::Raise(e)) => Literal::Error(e),
        Err(Conv::Unsupported(e)) => Literal::Unsupported(e),
    }
}

/// `\r\n` and `\r` read as `\n`, as the tokenizer does for string input.
fn translate_newlines(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\r' {
            if it.peek() == Some(&'\n') {
                it.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> String {
        match literal_eval(s) {
            Literal::Value(v) => v,
            Literal::NotLiteral => "<name>".to_owned(),
            Literal::Error(e) => format!("<{}>", e.split(':').next().unwrap_or("")),
            Literal::Unsupported(_) => "<unsupported>".to_owned(),
        }
    }

    #[test]
    fn literals_names_and_errors() {
        for (kind, want) in [
            ("True", "True"),
            ("None", "None"),
            ("5", "5"),
            ("-3", "-3"),
            ("+3", "3"),
            ("0x10", "16"),
            ("0o17", "15"),
            ("0b101", "5"),
            ("1_000", "1000"),
            ("1.5", "1.5"),
            ("1e3", "1000.0"),
            ("1j", "1j"),
            ("1+2j", "(1+2j)"),
            ("-0j", "(-0-0j)"),
            ("'s'", "s"),
            ("\"s\"", "s"),
            ("u's'", "s"),
            ("r'\\n'", "\\n"),
            ("b'x'", "b'x'"),
            ("b'\\777'", "b'\\xff'"),
            ("'\\777'", "\u{1ff}"),
            ("[]", "[]"),
            ("{}", "{}"),
            ("()", "()"),
            ("(1,)", "(1,)"),
            ("1,2", "(1, 2)"),
            ("[1,'a',None]", "[1, 'a', None]"),
            ("{'a':1}", "{'a': 1}"),
            ("...", "Ellipsis"),
            ("set()", "set()"),
            ("{3,1,2}", "{1, 2, 3}"),
            ("{1,1.0,True}", "{1}"),
            ("{-1,-2}", "{-1, -2}"),
            ("00", "0"),
            ("project_id", "<name>"),
            ("target.user.id", "<name>"),
            ("not role", "<name>"),
            ("a,b", "<name>"),
            ("a,", "<name>"),
            ("a-b", "<name>"),
            ("a[0]", "<name>"),
            ("f'x'", "<name>"),
            ("f'{a!r}'", "<name>"),
            ("inf", "<name>"),
            ("--1", "<name>"),
            ("1+1", "<name>"),
            ("f()", "<name>"),
            ("lambda:1", "<name>"),
            ("1 if 2 else 3", "<name>"),
            ("[x for x in y]", "<name>"),
            ("{**a}", "<name>"),
            ("0x".to_owned().as_str(), "<SyntaxError>"),
            ("1abc", "<SyntaxError>"),
            ("01", "<SyntaxError>"),
            ("class", "<SyntaxError>"),
            ("and", "<SyntaxError>"),
            ("!", "<SyntaxError>"),
            ("@", "<SyntaxError>"),
            ("", "<SyntaxError>"),
            ("a..b", "<SyntaxError>"),
            ("a.1", "<SyntaxError>"),
            ("%(k)s", "<SyntaxError>"),
            ("'x", "<SyntaxError>"),
            ("*a", "<SyntaxError>"),
            ("f'{'", "<SyntaxError>"),
            ("f'{}'", "<SyntaxError>"),
            ("a\0", "<SyntaxError>"),
            ("\n 1", "<IndentationError>"),
            ("a#b", "<name>"),
            ("1#x", "1"),
            ("#x", "<SyntaxError>"),
            ("{[]}", "<TypeError>"),
            ("{'a','b'}", "<unsupported>"),
        ] {
            assert_eq!(v(kind), want, "{kind:?}");
        }
    }

    /// Deep inputs end in the reference's own limits, never in a stack
    /// overflow here.
    #[test]
    fn deep_nesting() {
        assert_eq!(v(&format!("{}1{}", "(".repeat(200), ")".repeat(200))), "1");
        assert_eq!(
            v(&format!("{}1{}", "(".repeat(201), ")".repeat(201))),
            "<SyntaxError>"
        );
        assert_eq!(
            v(&format!("{}1{}", "[1,".repeat(199), "]".repeat(199))),
            "[1, ".repeat(199) + "1" + &"]".repeat(199)
        );
        assert_eq!(
            v(&format!("{}1{}", "[1,".repeat(200), "]".repeat(200))),
            "<MemoryError>"
        );
        assert_eq!(v(&format!("{}1", "-".repeat(100_000))), "<MemoryError>");
        assert_eq!(v(&format!("{}a", "not ".repeat(2983))), "<name>");
        assert_eq!(v(&format!("{}a", "not ".repeat(2984))), "<RecursionError>");
        assert_eq!(v(&"1+".repeat(50_000)), "<SyntaxError>");
    }
}
