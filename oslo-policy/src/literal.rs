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
//! floats); see `tests/literal_differential.rs`.

use crate::pyunicode;

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

/// The parser's stack limit (`MAXSTACK` in CPython 3.11's parser): past
/// it, `MemoryError`.
const MAX_PARSER_LEVEL: usize = 6000;

/// The tokenizer's bracket nesting limit (`MAXLEVEL`).
const MAX_BRACKETS: usize = 200;

/// `sys.get_int_max_str_digits()`.
const MAX_STR_DIGITS: usize = 4300;

/// Kinds up to this long cannot nest deep enough to need a large stack.
const SHORT_KIND: usize = 64;

/// The stack a long kind is classified on: enough for the parser's
/// deepest recursion ([`MAX_PARSER_LEVEL`] rule frames) in any build.
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
    let mut p = Parser {
        toks: &lexed.toks,
        error: lexed.error.as_ref(),
        pos: 0,
        furthest: 0,
        level: 0,
        fail: None,
    };
    let body = match p.eval_input() {
        Ok(Some(node)) => node,
        Ok(None) => return Literal::Error(p.failure().to_string()),
        Err(e) => return Literal::Error(e.to_string()),
    };
    if let Some(why) = p.fail.take() {
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

// ---------------------------------------------------------------------------
// Errors

/// A Python exception: class, message, line (`0`: no location).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PyErr {
    class: &'static str,
    msg: String,
    line: usize,
}

impl std::fmt::Display for PyErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.class, self.msg)
        } else {
            write!(
                f,
                "{}: {} (<unknown>, line {})",
                self.class, self.msg, self.line
            )
        }
    }
}

fn syntax(msg: impl Into<String>, line: usize) -> PyErr {
    PyErr {
        class: "SyntaxError",
        msg: msg.into(),
        line,
    }
}

// ---------------------------------------------------------------------------
// Tokenizer (CPython 3.11 `tok_get`, for string input)

#[derive(Debug, Clone, PartialEq)]
enum Tk {
    Name(String),
    Kw(&'static str),
    Number(String),
    Str(Vec<char>),
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    End,
}

#[derive(Debug, Clone, PartialEq)]
struct Tok {
    tk: Tk,
    line: usize,
}

struct Lexed {
    toks: Vec<Tok>,
    /// The tokenizer error met after the last token, if any.
    error: Option<PyErr>,
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Three-, two- and one-character operators (`<>` is a token that no
/// rule accepts, as without `barry_as_FLUFL`).
const OPS3: &[&str] = &["**=", "...", "//=", "<<=", ">>="];
const OPS2: &[&str] = &[
    "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=", "<<", "<=", "<>", "==", ">=",
    ">>", "@=", "^=", "|=",
];
const OPS1: &[&str] = &[
    "%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^",
    "{", "|", "}", "~",
];

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || u32::from(c) >= 128
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || u32::from(c) >= 128
}

fn printable(c: char) -> bool {
    pyunicode::contains(pyunicode::PRINTABLE, c)
}

struct Lexer<'s> {
    s: &'s [char],
    i: usize,
    line: usize,
    atbol: bool,
    indstack: Vec<usize>,
    altindstack: Vec<usize>,
    pendin: isize,
    /// Open brackets (character, line).
    parens: Vec<(char, usize)>,
    toks: Vec<Tok>,
}

/// What went wrong in the tokenizer.
type LexResult<T> = Result<T, PyErr>;

impl<'s> Lexer<'s> {
    fn new(s: &'s [char]) -> Lexer<'s> {
        Lexer {
            s,
            i: 0,
            line: 1,
            atbol: true,
            indstack: vec![0],
            altindstack: vec![0],
            pendin: 0,
            parens: Vec::new(),
            toks: Vec::new(),
        }
    }

    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn run(mut self) -> Lexed {
        loop {
            match self.next_token() {
                Ok(tk) => {
                    let end = tk == Tk::End;
                    let line = self.line;
                    self.toks.push(Tok { tk, line });
                    if end {
                        return Lexed {
                            toks: self.toks,
                            error: None,
                        };
                    }
                }
                Err(e) => {
                    return Lexed {
                        toks: self.toks,
                        error: Some(e),
                    };
                }
            }
        }
    }

    fn err(&self, msg: impl Into<String>) -> PyErr {
        syntax(msg, self.line)
    }

    /// A backslash just read: the next character must end the line.
    fn continuation(&mut self) -> LexResult<()> {
        match self.at(self.i) {
            Some('\n') => {
                self.i += 1;
                self.line += 1;
                if self.i >= self.s.len() {
                    return Err(self.err("unexpected EOF while parsing"));
                }
                Ok(())
            }
            _ => Err(self.err("unexpected character after line continuation character")),
        }
    }

    fn next_token(&mut self) -> LexResult<Tk> {
        loop {
            let mut blankline = false;
            if self.atbol {
                self.atbol = false;
                let (mut col, mut altcol, mut cont_col) = (0usize, 0usize, 0usize);
                loop {
                    match self.at(self.i) {
                        Some(' ') => {
                            col += 1;
                            altcol += 1;
                        }
                        Some('\t') => {
                            col = (col / 8 + 1) * 8;
                            altcol += 1;
                        }
                        Some('\u{c}') => {
                            col = 0;
                            altcol = 0;
                        }
                        Some('\\') => {
                            if cont_col == 0 {
                                cont_col = col;
                            }
                            self.i += 1;
                            self.continuation()?;
                            continue;
                        }
                        _ => break,
                    }
                    self.i += 1;
                }
                let c = self.at(self.i);
                if c == Some('#') || c == Some('\n') {
                    blankline = true;
                }
                if !blankline && self.parens.is_empty() {
                    if cont_col != 0 {
                        col = cont_col;
                        altcol = cont_col;
                    }
                    let top = self.indstack.last().copied().unwrap_or(0);
                    let alttop = self.altindstack.last().copied().unwrap_or(0);
                    if col == top {
                        if altcol != alttop {
                            return Err(PyErr {
                                class: "TabError",
                                msg: "inconsistent use of tabs and spaces in indentation"
                                    .to_owned(),
                                line: self.line,
                            });
                        }
                    } else if col > top {
                        if self.indstack.len() >= 100 {
                            return Err(PyErr {
                                class: "IndentationError",
                                msg: "too many levels of indentation".to_owned(),
                                line: self.line,
                            });
                        }
                        if altcol <= alttop {
                            return Err(PyErr {
                                class: "TabError",
                                msg: "inconsistent use of tabs and spaces in indentation"
                                    .to_owned(),
                                line: self.line,
                            });
                        }
                        self.pendin += 1;
                        self.indstack.push(col);
                        self.altindstack.push(altcol);
                    } else {
                        while self.indstack.len() > 1
                            && col < self.indstack.last().copied().unwrap_or(0)
                        {
                            self.pendin -= 1;
                            self.indstack.pop();
                            self.altindstack.pop();
                        }
                        if Some(&col) != self.indstack.last() {
                            return Err(PyErr {
                                class: "IndentationError",
                                msg: "unindent does not match any outer indentation level"
                                    .to_owned(),
                                line: self.line,
                            });
                        }
                        if Some(&altcol) != self.altindstack.last() {
                            return Err(PyErr {
                                class: "TabError",
                                msg: "inconsistent use of tabs and spaces in indentation"
                                    .to_owned(),
                                line: self.line,
                            });
                        }
                    }
                }
            }
            if self.pendin != 0 {
                if self.pendin < 0 {
                    self.pendin += 1;
                    return Ok(Tk::Dedent);
                }
                self.pendin -= 1;
                return Ok(Tk::Indent);
            }
            // Skip spaces and comments.
            loop {
                while matches!(self.at(self.i), Some(' ' | '\t' | '\u{c}')) {
                    self.i += 1;
                }
                if self.at(self.i) == Some('#') {
                    while !matches!(self.at(self.i), None | Some('\n')) {
                        self.i += 1;
                    }
                }
                let Some(c) = self.at(self.i) else {
                    if !self.parens.is_empty() {
                        return Err(self.unclosed());
                    }
                    return Ok(Tk::End);
                };
                if c == '\n' {
                    self.i += 1;
                    self.line += 1;
                    self.atbol = true;
                    if blankline || !self.parens.is_empty() {
                        break;
                    }
                    return Ok(Tk::Newline);
                }
                if c == '\\' {
                    self.i += 1;
                    self.continuation()?;
                    continue;
                }
                return self.token(c);
            }
        }
    }

    fn unclosed(&self) -> PyErr {
        match self.parens.last() {
            Some(&(c, line)) => syntax(format!("'{c}' was never closed"), line),
            None => self.err("unexpected EOF while parsing"),
        }
    }

    fn token(&mut self, c: char) -> LexResult<Tk> {
        if is_ident_start(c) {
            return self.identifier();
        }
        if c == '.' {
            if self.at(self.i + 1).is_some_and(|d| d.is_ascii_digit()) {
                return self.number();
            }
            if self.at(self.i + 1) == Some('.') && self.at(self.i + 2) == Some('.') {
                self.i += 3;
                return Ok(Tk::Op("..."));
            }
            self.i += 1;
            return Ok(Tk::Op("."));
        }
        if c.is_ascii_digit() {
            return self.number();
        }
        if c == '\'' || c == '"' {
            return self.string(self.i);
        }
        let two: String = self
            .s
            .get(self.i..(self.i + 2).min(self.s.len()))
            .unwrap_or_default()
            .iter()
            .collect();
        if let Some(op) = OPS2.iter().find(|o| **o == two) {
            let three: String = self
                .s
                .get(self.i..(self.i + 3).min(self.s.len()))
                .unwrap_or_default()
                .iter()
                .collect();
            if let Some(op3) = OPS3.iter().find(|o| **o == three) {
                self.i += 3;
                return Ok(Tk::Op(op3));
            }
            self.i += 2;
            return Ok(Tk::Op(op));
        }
        match c {
            '(' | '[' | '{' => {
                if self.parens.len() >= MAX_BRACKETS {
                    return Err(self.err("too many nested parentheses"));
                }
                self.parens.push((c, self.line));
            }
            ')' | ']' | '}' => {
                let Some((open, open_line)) = self.parens.pop() else {
                    return Err(self.err(format!("unmatched '{c}'")));
                };
                let want = match open {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                if want != c {
                    return Err(if open_line != self.line {
                        self.err(format!(
                            "closing parenthesis '{c}' does not match opening parenthesis '{open}' on line {open_line}"
                        ))
                    } else {
                        self.err(format!(
                            "closing parenthesis '{c}' does not match opening parenthesis '{open}'"
                        ))
                    });
                }
            }
            _ => {}
        }
        if !printable(c) {
            return Err(self.err(format!(
                "invalid non-printable character U+{:04X}",
                u32::from(c)
            )));
        }
        self.i += 1;
        let one = c.to_string();
        Ok(match OPS1.iter().find(|o| **o == one) {
            Some(op) => Tk::Op(op),
            // `$`, `?`, `` ` ``, `!`: a token no rule accepts.
            None => Tk::Op("<error>"),
        })
    }

    fn identifier(&mut self) -> LexResult<Tk> {
        let start = self.i;
        let (mut b, mut r, mut u, mut f) = (false, false, false, false);
        loop {
            let c = self.at(self.i).unwrap_or('\0');
            match c {
                'b' | 'B' if !(b || u || f) => b = true,
                'u' | 'U' if !(b || u || r || f) => u = true,
                'r' | 'R' if !(r || u) => r = true,
                'f' | 'F' if !(f || b || u) => f = true,
                _ => break,
            }
            self.i += 1;
            if matches!(self.at(self.i), Some('\'' | '"')) {
                return self.string(start);
            }
        }
        let mut nonascii = false;
        while let Some(c) = self.at(self.i).filter(|&c| is_ident_char(c)) {
            nonascii |= !c.is_ascii();
            self.i += 1;
        }
        let word: Vec<char> = self.s.get(start..self.i).unwrap_or_default().to_vec();
        if nonascii {
            let bad = word.iter().enumerate().find(|&(k, &c)| {
                if k == 0 {
                    !pyunicode::contains(pyunicode::XID_START, c)
                } else {
                    !pyunicode::contains(pyunicode::XID_CONTINUE, c)
                }
            });
            if let Some((_, &c)) = bad {
                return Err(if printable(c) {
                    self.err(format!("invalid character '{c}' (U+{:04X})", u32::from(c)))
                } else {
                    self.err(format!(
                        "invalid non-printable character U+{:04X}",
                        u32::from(c)
                    ))
                });
            }
        }
        let word: String = word.into_iter().collect();
        Ok(match KEYWORDS.iter().find(|k| **k == word) {
            Some(k) => Tk::Kw(k),
            None => Tk::Name(word),
        })
    }

    /// `verify_end_of_number`: `c` is the character after the literal.
    fn end_of_number(&mut self, kind: &str) -> LexResult<()> {
        let c = self.at(self.i);
        let ahead = |s: &Self, word: &str| {
            let n = word.chars().count();
            let matches = word
                .chars()
                .enumerate()
                .all(|(k, w)| s.at(s.i + 1 + k) == Some(w));
            matches && !s.at(s.i + 1 + n).is_some_and(is_ident_char)
        };
        let keyword = match c {
            Some('a') => ahead(self, "nd"),
            Some('e') => ahead(self, "lse"),
            Some('f') => ahead(self, "or"),
            Some('i') => matches!(self.at(self.i + 1), Some('f' | 'n' | 's')),
            Some('o') => ahead(self, "r"),
            Some('n') => ahead(self, "ot"),
            _ => false,
        };
        if !keyword && c.is_some_and(|c| c.is_ascii() && is_ident_char(c)) {
            return Err(self.err(format!("invalid {kind} literal")));
        }
        Ok(())
    }

    /// Digits and single underscores between digits; `Ok(false)` when
    /// there was no digit at all.
    fn decimal_tail(&mut self) -> LexResult<()> {
        loop {
            while self.at(self.i).is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            if self.at(self.i) != Some('_') {
                return Ok(());
            }
            self.i += 1;
            if !self.at(self.i).is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.err("invalid decimal literal"));
            }
        }
    }

    fn radix(&mut self, name: &str, digit: fn(char) -> bool) -> LexResult<()> {
        loop {
            if self.at(self.i) == Some('_') {
                self.i += 1;
            }
            match self.at(self.i) {
                Some(c) if digit(c) => {}
                Some(c) if c.is_ascii_digit() && name != "hexadecimal" => {
                    return Err(self.err(format!("invalid digit '{c}' in {name} literal")));
                }
                _ => return Err(self.err(format!("invalid {name} literal"))),
            }
            while self.at(self.i).is_some_and(digit) {
                self.i += 1;
            }
            if self.at(self.i) != Some('_') {
                break;
            }
        }
        if name != "hexadecimal" {
            if let Some(c) = self.at(self.i).filter(char::is_ascii_digit) {
                return Err(self.err(format!("invalid digit '{c}' in {name} literal")));
            }
        }
        self.end_of_number(name)
    }

    fn number(&mut self) -> LexResult<Tk> {
        let start = self.i;
        let done = |l: &Self| {
            Ok(Tk::Number(
                l.s.get(start..l.i).unwrap_or_default().iter().collect(),
            ))
        };
        if self.at(self.i) == Some('.') {
            self.i += 1;
            self.decimal_tail()?;
            return self.exponent_and_imaginary(start);
        }
        if self.at(self.i) == Some('0') {
            self.i += 1;
            match self.at(self.i) {
                Some('x' | 'X') => {
                    self.i += 1;
                    self.radix("hexadecimal", |c| c.is_ascii_hexdigit())?;
                    return done(self);
                }
                Some('o' | 'O') => {
                    self.i += 1;
                    self.radix("octal", |c| ('0'..='7').contains(&c))?;
                    return done(self);
                }
                Some('b' | 'B') => {
                    self.i += 1;
                    self.radix("binary", |c| c == '0' || c == '1')?;
                    return done(self);
                }
                _ => {}
            }
            // Zeros (with underscores), maybe an old-style octal.
            loop {
                if self.at(self.i) == Some('_') {
                    self.i += 1;
                    if !self.at(self.i).is_some_and(|c| c.is_ascii_digit()) {
                        return Err(self.err("invalid decimal literal"));
                    }
                }
                if self.at(self.i) != Some('0') {
                    break;
                }
                self.i += 1;
            }
            let mut nonzero = false;
            if self.at(self.i).is_some_and(|c| c.is_ascii_digit()) {
                nonzero = true;
                self.decimal_tail()?;
            }
            match self.at(self.i) {
                Some('.' | 'e' | 'E' | 'j' | 'J') => {}
                _ if nonzero => {
                    return Err(self.err(
                        "leading zeros in decimal integer literals are not permitted; \
                         use an 0o prefix for octal integers",
                    ));
                }
                _ => {
                    self.end_of_number("decimal")?;
                    return done(self);
                }
            }
        } else {
            self.decimal_tail()?;
        }
        if self.at(self.i) == Some('.') {
            self.i += 1;
            if self.at(self.i).is_some_and(|c| c.is_ascii_digit()) {
                self.decimal_tail()?;
            }
        }
        self.exponent_and_imaginary(start)
    }

    fn exponent_and_imaginary(&mut self, start: usize) -> LexResult<Tk> {
        let done = |l: &Self| {
            Ok(Tk::Number(
                l.s.get(start..l.i).unwrap_or_default().iter().collect(),
            ))
        };
        if matches!(self.at(self.i), Some('e' | 'E')) {
            let e_at = self.i;
            self.i += 1;
            match self.at(self.i) {
                Some('+' | '-') => {
                    self.i += 1;
                    if !self.at(self.i).is_some_and(|c| c.is_ascii_digit()) {
                        return Err(self.err("invalid decimal literal"));
                    }
                }
                Some(c) if c.is_ascii_digit() => {}
                _ => {
                    // `1else`: the number ends before the `e`.
                    self.i = e_at;
                    self.end_of_number("decimal")?;
                    return done(self);
                }
            }
            self.decimal_tail()?;
        }
        if matches!(self.at(self.i), Some('j' | 'J')) {
            self.i += 1;
            self.end_of_number("imaginary")?;
        } else {
            self.end_of_number("decimal")?;
        }
        done(self)
    }

    /// A string token from `start` (its prefix) to its closing quote.
    fn string(&mut self, start: usize) -> LexResult<Tk> {
        let first_line = self.line;
        let quote = self.at(self.i).unwrap_or('"');
        self.i += 1;
        let mut size = 1;
        let mut end_size = 0;
        if self.at(self.i) == Some(quote) {
            self.i += 1;
            if self.at(self.i) == Some(quote) {
                self.i += 1;
                size = 3;
            } else {
                end_size = 1;
            }
        }
        while end_size != size {
            let c = self.at(self.i);
            self.i += 1;
            match c {
                None => {
                    return Err(syntax(
                        if size == 3 {
                            format!(
                                "unterminated triple-quoted string literal (detected at line {})",
                                self.line
                            )
                        } else {
                            format!(
                                "unterminated string literal (detected at line {})",
                                self.line
                            )
                        },
                        first_line,
                    ));
                }
                Some('\n') if size == 1 => {
                    return Err(syntax(
                        format!(
                            "unterminated string literal (detected at line {})",
                            self.line
                        ),
                        first_line,
                    ));
                }
                Some(c) if c == quote => end_size += 1,
                Some(c) => {
                    end_size = 0;
                    if c == '\n' {
                        self.line += 1;
                    }
                    if c == '\\' {
                        if self.at(self.i) == Some('\n') {
                            self.line += 1;
                        }
                        if self.at(self.i).is_some() {
                            self.i += 1;
                        }
                    }
                }
            }
        }
        Ok(Tk::Str(
            self.s.get(start..self.i).unwrap_or_default().to_vec(),
        ))
    }
}

// ---------------------------------------------------------------------------
// Parser (CPython 3.11's PEG grammar for `eval` input, first pass)

/// A constant of the AST.
#[derive(Debug, Clone, PartialEq)]
enum Const {
    Int(PyInt),
    Float(f64),
    Imag(f64),
    Str(String),
    Bytes(Vec<u8>),
    Bool(bool),
    None,
    Ellipsis,
}

#[derive(Debug)]
enum Kind {
    Const(Const),
    Tuple(Vec<Node>),
    List(Vec<Node>),
    Set(Vec<Node>),
    /// `None` keys are `**x` entries.
    Dict(Vec<(Option<Node>, Node)>),
    /// `+x` / `-x` (other unary operators are `Other`).
    Signed(bool, Box<Node>),
    /// `a + b` / `a - b` (`true`: `+`).
    AddSub(bool, Box<Node>, Box<Node>),
    /// `set()`.
    EmptySet,
    /// Any other expression: valid, never a literal.
    Other,
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    /// Depth of the Python AST below and including this node.
    depth: usize,
}

fn node(kind: Kind, children: &[usize]) -> Node {
    Node {
        kind,
        depth: 1 + children.iter().copied().max().unwrap_or(0),
    }
}

fn other(children: &[usize]) -> Node {
    node(Kind::Other, children)
}

/// `Ok(None)`: the rule does not match here (backtrack); `Err`: an
/// exception that stops the parse.
type PResult = Result<Option<Node>, Box<PyErr>>;

struct Parser<'t> {
    toks: &'t [Tok],
    /// The tokenizer's error, met when the parser asks for the token after
    /// the last one.
    error: Option<&'t PyErr>,
    pos: usize,
    /// The furthest token asked for.
    furthest: usize,
    level: usize,
    /// An escape this recogniser cannot decode (`\N{...}`).
    fail: Option<String>,
}

impl<'t> Parser<'t> {
    /// The exception for a parse that did not match.
    fn failure(&self) -> PyErr {
        let tok = self.toks.get(self.furthest);
        match tok.map(|t| &t.tk) {
            Some(Tk::Indent) => PyErr {
                class: "IndentationError",
                msg: "unexpected indent".to_owned(),
                line: tok.map_or(1, |t| t.line),
            },
            Some(Tk::Dedent) => PyErr {
                class: "IndentationError",
                msg: "unexpected unindent".to_owned(),
                line: tok.map_or(1, |t| t.line),
            },
            // The reference tokenizes the rest of the source and reports
            // its error instead of a generic one.
            _ => match self.error {
                Some(e) => e.clone(),
                None => syntax("invalid syntax", tok.map_or(1, |t| t.line)),
            },
        }
    }

    fn peek(&mut self) -> Result<&'t Tk, Box<PyErr>> {
        self.furthest = self.furthest.max(self.pos);
        match self.toks.get(self.pos) {
            Some(t) => Ok(&t.tk),
            None => {
                Err(Box::new(self.error.cloned().unwrap_or_else(|| {
                    syntax("unexpected EOF while parsing", 1)
                })))
            }
        }
    }

    fn is_op(&mut self, op: &str) -> Result<bool, Box<PyErr>> {
        Ok(matches!(self.peek()?, Tk::Op(o) if *o == op))
    }

    fn is_kw(&mut self, kw: &str) -> Result<bool, Box<PyErr>> {
        Ok(matches!(self.peek()?, Tk::Kw(k) if *k == kw))
    }

    fn eat_op(&mut self, op: &str) -> Result<bool, Box<PyErr>> {
        let yes = self.is_op(op)?;
        if yes {
            self.pos += 1;
        }
        Ok(yes)
    }

    fn eat_kw(&mut self, kw: &str) -> Result<bool, Box<PyErr>> {
        let yes = self.is_kw(kw)?;
        if yes {
            self.pos += 1;
        }
        Ok(yes)
    }

    fn is_name(&mut self) -> Result<bool, Box<PyErr>> {
        Ok(matches!(self.peek()?, Tk::Name(_)))
    }

    /// Enters `n` rule frames (the parser's stack, `MAXSTACK`).
    fn enter(&mut self, n: usize) -> Result<(), Box<PyErr>> {
        self.level += n;
        if self.level > MAX_PARSER_LEVEL {
            return Err(Box::new(PyErr {
                class: "MemoryError",
                msg: String::new(),
                line: 0,
            }));
        }
        Ok(())
    }

    fn leave(&mut self, n: usize) {
        self.level = self.level.saturating_sub(n);
    }

    /// Runs `f` inside `n` rule frames, restoring the position when it
    /// does not match.
    fn rule(&mut self, n: usize, f: impl FnOnce(&mut Self) -> PResult) -> PResult {
        let start = self.pos;
        self.enter(n)?;
        let r = f(self);
        self.leave(n);
        if matches!(r, Ok(None)) {
            self.pos = start;
        }
        r
    }

    /// `eval: expressions NEWLINE* ENDMARKER`.
    fn eval_input(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(e) = p.expressions()? else {
                return Ok(None);
            };
            while matches!(p.peek()?, Tk::Newline) {
                p.pos += 1;
            }
            if matches!(p.peek()?, Tk::End) {
                Ok(Some(e))
            } else {
                Ok(None)
            }
        })
    }

    /// `expression (',' expression)* [',']`, a tuple if there is a comma.
    fn expressions(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(first) = p.expression()? else {
                return Ok(None);
            };
            let mut items = vec![first];
            let mut comma = false;
            loop {
                let save = p.pos;
                if !p.eat_op(",")? {
                    break;
                }
                comma = true;
                match p.expression()? {
                    Some(e) => items.push(e),
                    None => {
                        // `a,` (trailing comma)
                        p.pos = save + 1;
                        break;
                    }
                }
            }
            if !comma {
                return Ok(items.pop());
            }
            let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
            Ok(Some(node(Kind::Tuple(items), &depths)))
        })
    }

    fn expression(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.is_kw("lambda")? {
                return p.lambdef();
            }
            let Some(d) = p.disjunction()? else {
                return Ok(None);
            };
            let save = p.pos;
            if p.eat_kw("if")? {
                if let Some(cond) = p.disjunction()? {
                    if p.eat_kw("else")? {
                        if let Some(alt) = p.expression()? {
                            return Ok(Some(other(&[d.depth, cond.depth, alt.depth])));
                        }
                    }
                }
                p.pos = save;
            }
            Ok(Some(d))
        })
    }

    fn lambdef(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_kw("lambda")? {
                return Ok(None);
            }
            let Some(params) = p.lambda_params()? else {
                return Ok(None);
            };
            if !p.eat_op(":")? {
                return Ok(None);
            }
            let Some(body) = p.expression()? else {
                return Ok(None);
            };
            Ok(Some(other(&[params, body.depth])))
        })
    }

    /// Lambda parameters up to (not including) the `:`; the depth of the
    /// `arguments` node.
    fn lambda_params(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        // Sections: 0 positional (before `/`), 1 after `/`, 2 after `*`,
        // 3 after `**NAME`.
        let start = self.pos;
        let mut depth = 1usize;
        let mut section = 0;
        let mut seen_default = false;
        let mut any = false;
        let mut bare_star = false;
        let mut after_star = 0usize;
        loop {
            if self.is_op(":")? {
                break;
            }
            if section == 3 {
                self.pos = start;
                return Ok(None);
            }
            if self.eat_op("/")? {
                if section != 0 || !any {
                    self.pos = start;
                    return Ok(None);
                }
                section = 1;
            } else if self.eat_op("**")? {
                if !self.is_name()? || (bare_star && after_star == 0) {
                    self.pos = start;
                    return Ok(None);
                }
                self.pos += 1;
                depth = depth.max(2);
                section = 3;
            } else if self.eat_op("*")? {
                if section >= 2 {
                    self.pos = start;
                    return Ok(None);
                }
                section = 2;
                if self.is_name()? {
                    self.pos += 1;
                    depth = depth.max(2);
                } else {
                    bare_star = true;
                }
            } else if self.is_name()? {
                self.pos += 1;
                depth = depth.max(2);
                if self.eat_op("=")? {
                    let Some(d) = self.expression()? else {
                        self.pos = start;
                        return Ok(None);
                    };
                    depth = depth.max(1 + d.depth);
                    if section < 2 {
                        seen_default = true;
                    }
                } else if section < 2 && seen_default {
                    self.pos = start;
                    return Ok(None);
                }
                if section == 2 {
                    after_star += 1;
                }
                any = true;
            } else {
                self.pos = start;
                return Ok(None);
            }
            if !self.eat_op(",")? {
                if !self.is_op(":")? {
                    self.pos = start;
                    return Ok(None);
                }
                break;
            }
        }
        if bare_star && after_star == 0 {
            self.pos = start;
            return Ok(None);
        }
        Ok(Some(depth))
    }

    fn disjunction(&mut self) -> PResult {
        self.bool_chain("or", 1, Self::conjunction)
    }

    fn conjunction(&mut self) -> PResult {
        self.bool_chain("and", 1, Self::inversion)
    }

    fn bool_chain(
        &mut self,
        kw: &'static str,
        n: usize,
        next: fn(&mut Self) -> PResult,
    ) -> PResult {
        self.rule(n, |p| {
            let Some(first) = next(p)? else {
                return Ok(None);
            };
            let mut depths = vec![first.depth];
            let mut first = Some(first);
            loop {
                let save = p.pos;
                if !p.eat_kw(kw)? {
                    break;
                }
                match next(p)? {
                    Some(e) => depths.push(e.depth),
                    None => {
                        p.pos = save;
                        break;
                    }
                }
            }
            if depths.len() == 1 {
                return Ok(first.take());
            }
            Ok(Some(other(&depths)))
        })
    }

    fn inversion(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.eat_kw("not")? {
                return Ok(p.inversion()?.map(|e| other(&[e.depth])));
            }
            p.comparison()
        })
    }

    fn comparison(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(first) = p.bitwise_or()? else {
                return Ok(None);
            };
            let mut depths = vec![first.depth];
            let mut first = Some(first);
            loop {
                let save = p.pos;
                let op = match p.peek()? {
                    Tk::Op("==" | "!=" | "<=" | "<" | ">=" | ">") => 1,
                    Tk::Kw("in") => 1,
                    Tk::Kw("not") => {
                        if matches!(p.toks.get(p.pos + 1).map(|t| &t.tk), Some(Tk::Kw("in"))) {
                            2
                        } else {
                            0
                        }
                    }
                    Tk::Kw("is") => {
                        if matches!(p.toks.get(p.pos + 1).map(|t| &t.tk), Some(Tk::Kw("not"))) {
                            2
                        } else {
                            1
                        }
                    }
                    _ => 0,
                };
                if op == 0 {
                    break;
                }
                p.pos += op;
                match p.bitwise_or()? {
                    Some(e) => depths.push(e.depth),
                    None => {
                        p.pos = save;
                        break;
                    }
                }
            }
            if depths.len() == 1 {
                return Ok(first.take());
            }
            Ok(Some(other(&depths)))
        })
    }

    /// A left-associative binary level (two frames: the rule and its
    /// left-recursive `_raw` helper).
    fn binary(&mut self, ops: &[&'static str], next: fn(&mut Self) -> PResult) -> PResult {
        self.rule(2, |p| {
            let Some(mut left) = next(p)? else {
                return Ok(None);
            };
            loop {
                let save = p.pos;
                let op = match p.peek()? {
                    Tk::Op(o) => ops.iter().find(|x| *x == o).copied(),
                    _ => None,
                };
                let Some(op) = op else { break };
                p.pos += 1;
                let Some(right) = next(p)? else {
                    p.pos = save;
                    break;
                };
                let depths = [left.depth, right.depth];
                left = match op {
                    "+" | "-" => node(
                        Kind::AddSub(op == "+", Box::new(left), Box::new(right)),
                        &depths,
                    ),
                    _ => other(&depths),
                };
            }
            Ok(Some(left))
        })
    }

    fn bitwise_or(&mut self) -> PResult {
        self.binary(&["|"], Self::bitwise_xor)
    }

    fn bitwise_xor(&mut self) -> PResult {
        self.binary(&["^"], Self::bitwise_and)
    }

    fn bitwise_and(&mut self) -> PResult {
        self.binary(&["&"], Self::shift_expr)
    }

    fn shift_expr(&mut self) -> PResult {
        self.binary(&["<<", ">>"], Self::sum)
    }

    fn sum(&mut self) -> PResult {
        self.binary(&["+", "-"], Self::term)
    }

    fn term(&mut self) -> PResult {
        self.binary(&["*", "/", "//", "%", "@"], Self::factor)
    }

    fn factor(&mut self) -> PResult {
        self.rule(1, |p| {
            let op = match p.peek()? {
                Tk::Op(o @ ("+" | "-" | "~")) => Some(*o),
                _ => None,
            };
            let Some(op) = op else {
                return p.power();
            };
            p.pos += 1;
            let Some(inner) = p.factor()? else {
                return Ok(None);
            };
            let d = [inner.depth];
            Ok(Some(match op {
                "~" => other(&d),
                _ => node(Kind::Signed(op == "+", Box::new(inner)), &d),
            }))
        })
    }

    fn power(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(base) = p.await_primary()? else {
                return Ok(None);
            };
            let save = p.pos;
            if p.eat_op("**")? {
                if let Some(exp) = p.factor()? {
                    return Ok(Some(other(&[base.depth, exp.depth])));
                }
                p.pos = save;
            }
            Ok(Some(base))
        })
    }

    fn await_primary(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.eat_kw("await")? {
                return Ok(p.primary()?.map(|e| other(&[e.depth])));
            }
            p.primary()
        })
    }

    fn primary(&mut self) -> PResult {
        self.rule(2, |p| {
            let set_name = matches!(p.peek()?, Tk::Name(n) if n == "set");
            let Some(mut e) = p.atom()? else {
                return Ok(None);
            };
            let mut bare = set_name;
            loop {
                let save = p.pos;
                if p.eat_op(".")? {
                    if p.is_name()? {
                        p.pos += 1;
                        e = other(&[e.depth]);
                        bare = false;
                        continue;
                    }
                    p.pos = save;
                    break;
                }
                if p.is_op("(")? {
                    if let Some(g) = p.genexp()? {
                        e = other(&[e.depth, g.depth]);
                        bare = false;
                        continue;
                    }
                    p.pos += 1;
                    if p.eat_op(")")? {
                        e = if bare {
                            node(Kind::EmptySet, &[e.depth])
                        } else {
                            other(&[e.depth])
                        };
                        bare = false;
                        continue;
                    }
                    match p.arguments()? {
                        Some(args) if p.eat_op(")")? => {
                            e = other(&[e.depth, args]);
                            bare = false;
                            continue;
                        }
                        _ => {
                            p.pos = save;
                            break;
                        }
                    }
                }
                if p.eat_op("[")? {
                    match p.slices()? {
                        Some(s) if p.eat_op("]")? => {
                            e = other(&[e.depth, s.depth]);
                            bare = false;
                            continue;
                        }
                        _ => {
                            p.pos = save;
                            break;
                        }
                    }
                }
                break;
            }
            Ok(Some(e))
        })
    }

    /// `slices`: one slice, or a tuple of slices and starred expressions.
    fn slices(&mut self) -> PResult {
        self.rule(1, |p| {
            let mut depths = Vec::new();
            let mut comma = false;
            loop {
                let item = if p.is_op("*")? {
                    p.starred_expression()?
                } else {
                    p.slice()?
                };
                let Some(item) = item else {
                    if comma && !depths.is_empty() {
                        break;
                    }
                    return Ok(None);
                };
                depths.push(item.depth);
                let save = p.pos;
                if !p.eat_op(",")? {
                    break;
                }
                comma = true;
                if p.is_op("]")? {
                    break;
                }
                let _ = save;
            }
            Ok(Some(other(&depths)))
        })
    }

    fn slice(&mut self) -> PResult {
        self.rule(1, |p| {
            let start = p.pos;
            let lower = p.expression()?;
            if p.eat_op(":")? {
                let mut depths = vec![lower.map_or(0, |l| l.depth)];
                if let Some(u) = p.expression()? {
                    depths.push(u.depth);
                }
                let save = p.pos;
                if p.eat_op(":")? {
                    match p.expression()? {
                        Some(s) => depths.push(s.depth),
                        None => {
                            let _ = save;
                        }
                    }
                }
                return Ok(Some(other(&depths)));
            }
            p.pos = start;
            p.named_expression()
        })
    }

    /// `starred_expression: '*' expression` (a lone `*` raises).
    fn starred_expression(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_op("*")? {
                return Ok(None);
            }
            match p.expression()? {
                Some(e) => Ok(Some(other(&[e.depth]))),
                None => Err(Box::new(syntax(
                    "Invalid star expression",
                    p.toks.get(p.pos).map_or(1, |t| t.line),
                ))),
            }
        })
    }

    /// Call arguments up to the `)` (not consumed); the deepest part.
    fn arguments(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        self.enter(2)?;
        let r = self.arguments_inner();
        self.leave(2);
        if !matches!(r, Ok(Some(_))) {
            self.pos = start;
        }
        r
    }

    fn arguments_inner(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        // 0: positional, 1: keywords and *args, 2: after **kwargs.
        let mut phase = 0;
        let mut depth = 0usize;
        loop {
            if self.is_op("**")? {
                self.pos += 1;
                let Some(e) = self.expression()? else {
                    return Ok(None);
                };
                depth = depth.max(1 + e.depth);
                phase = 2;
            } else if self.is_op("*")? {
                if phase == 2 {
                    return Ok(None);
                }
                let Some(e) = self.starred_expression()? else {
                    return Ok(None);
                };
                depth = depth.max(e.depth);
            } else if self.is_name()?
                && matches!(
                    self.toks.get(self.pos + 1).map(|t| &t.tk),
                    Some(Tk::Op("="))
                )
            {
                self.pos += 2;
                let Some(e) = self.expression()? else {
                    return Ok(None);
                };
                depth = depth.max(1 + e.depth);
                phase = phase.max(1);
            } else {
                if phase > 0 {
                    return Ok(None);
                }
                let Some(e) = self.named_expression()? else {
                    return Ok(None);
                };
                if self.is_op("=")? {
                    return Ok(None);
                }
                depth = depth.max(e.depth);
            }
            if !self.eat_op(",")? {
                break;
            }
            if self.is_op(")")? {
                break;
            }
        }
        if self.is_op(")")? {
            Ok(Some(depth))
        } else {
            Ok(None)
        }
    }

    fn named_expression(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.is_name()? && matches!(p.toks.get(p.pos + 1).map(|t| &t.tk), Some(Tk::Op(":="))) {
                p.pos += 2;
                // The cut: past `:=` an expression must follow.
                return match p.expression()? {
                    Some(e) => Ok(Some(other(&[1, e.depth]))),
                    None => Err(Box::new(p.failure())),
                };
            }
            let Some(e) = p.expression()? else {
                return Ok(None);
            };
            if p.is_op(":=")? {
                return Ok(None);
            }
            Ok(Some(e))
        })
    }

    /// `'*' bitwise_or | named_expression`; the flag tells a starred one.
    fn star_named_expression(&mut self) -> Result<Option<(Node, bool)>, Box<PyErr>> {
        let start = self.pos;
        self.enter(1)?;
        let r = if self.eat_op("*")? {
            self.bitwise_or()?.map(|e| (other(&[e.depth]), true))
        } else {
            self.named_expression()?.map(|e| (e, false))
        };
        self.leave(1);
        if r.is_none() {
            self.pos = start;
        }
        Ok(r)
    }

    /// Items after a first one, up to `close` (consumed).
    fn more_items(
        &mut self,
        mut items: Vec<Node>,
        close: &str,
    ) -> Result<Option<Vec<Node>>, Box<PyErr>> {
        loop {
            if self.eat_op(close)? {
                return Ok(Some(items));
            }
            if !self.eat_op(",")? {
                return Ok(None);
            }
            if self.eat_op(close)? {
                return Ok(Some(items));
            }
            let Some((e, _)) = self.star_named_expression()? else {
                return Ok(None);
            };
            items.push(e);
        }
    }

    fn atom(&mut self) -> PResult {
        self.rule(1, |p| {
            let tk = p.peek()?.clone();
            match tk {
                Tk::Name(_) => {
                    p.pos += 1;
                    Ok(Some(other(&[])))
                }
                Tk::Kw("True") | Tk::Kw("False") | Tk::Kw("None") => {
                    p.pos += 1;
                    let c = match tk {
                        Tk::Kw("True") => Const::Bool(true),
                        Tk::Kw("False") => Const::Bool(false),
                        _ => Const::None,
                    };
                    Ok(Some(node(Kind::Const(c), &[])))
                }
                Tk::Op("...") => {
                    p.pos += 1;
                    Ok(Some(node(Kind::Const(Const::Ellipsis), &[])))
                }
                Tk::Number(text) => {
                    p.pos += 1;
                    let line = p.toks.get(p.pos - 1).map_or(1, |t| t.line);
                    Ok(Some(node(Kind::Const(number(&text, line)?), &[])))
                }
                Tk::Str(_) => p.strings(),
                Tk::Op("(") => p.rule(3, Self::paren),
                Tk::Op("[") => p.rule(2, Self::bracket),
                Tk::Op("{") => p.rule(2, Self::brace),
                _ => Ok(None),
            }
        })
    }

    /// `(` tuple | group | genexp.
    fn paren(&mut self) -> PResult {
        if !self.eat_op("(")? {
            return Ok(None);
        }
        if self.eat_op(")")? {
            return Ok(Some(node(Kind::Tuple(Vec::new()), &[])));
        }
        if self.is_kw("yield")? {
            let Some(y) = self.yield_expr()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op(")")? { Some(y) } else { None });
        }
        let Some((first, starred)) = self.star_named_expression()? else {
            return Ok(None);
        };
        if self.is_op(",")? {
            let Some(items) = self.more_items(vec![first], ")")? else {
                return Ok(None);
            };
            let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
            return Ok(Some(node(Kind::Tuple(items), &depths)));
        }
        if starred {
            return Ok(None);
        }
        if self.is_kw("for")? || self.is_kw("async")? {
            let Some(c) = self.for_if_clauses()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op(")")? {
                Some(other(&[first.depth, c]))
            } else {
                None
            });
        }
        Ok(if self.eat_op(")")? { Some(first) } else { None })
    }

    /// `genexp` right after a primary: `(` elt for ... `)`.
    fn genexp(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_op("(")? {
                return Ok(None);
            }
            let Some(e) = p.named_expression()? else {
                return Ok(None);
            };
            if !(p.is_kw("for")? || p.is_kw("async")?) {
                return Ok(None);
            }
            let Some(c) = p.for_if_clauses()? else {
                return Ok(None);
            };
            Ok(if p.eat_op(")")? {
                Some(other(&[e.depth, c]))
            } else {
                None
            })
        })
    }

    fn bracket(&mut self) -> PResult {
        if !self.eat_op("[")? {
            return Ok(None);
        }
        if self.eat_op("]")? {
            return Ok(Some(node(Kind::List(Vec::new()), &[])));
        }
        self.enter(2)?;
        let first = self.star_named_expression()?;
        self.leave(2);
        let Some((first, starred)) = first else {
            return Ok(None);
        };
        if !starred && (self.is_kw("for")? || self.is_kw("async")?) {
            let Some(c) = self.for_if_clauses()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op("]")? {
                Some(other(&[first.depth, c]))
            } else {
                None
            });
        }
        self.enter(3)?;
        let items = self.more_items(vec![first], "]");
        self.leave(3);
        let Some(items) = items? else {
            return Ok(None);
        };
        let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
        Ok(Some(node(Kind::List(items), &depths)))
    }

    fn brace(&mut self) -> PResult {
        if !self.eat_op("{")? {
            return Ok(None);
        }
        if self.eat_op("}")? {
            return Ok(Some(node(Kind::Dict(Vec::new()), &[])));
        }
        // A dict if it starts with `**` or `key:`.
        let start = self.pos;
        let first_key = if self.is_op("**")? || self.is_op("*")? {
            None
        } else {
            self.expression()?
        };
        if self.is_op("**")? || (first_key.is_some() && self.is_op(":")?) {
            self.pos = start;
            return self.dict_items();
        }
        self.pos = start;
        let Some((first, starred)) = self.star_named_expression()? else {
            return Ok(None);
        };
        if !starred && (self.is_kw("for")? || self.is_kw("async")?) {
            let Some(c) = self.for_if_clauses()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op("}")? {
                Some(other(&[first.depth, c]))
            } else {
                None
            });
        }
        let Some(items) = self.more_items(vec![first], "}")? else {
            return Ok(None);
        };
        let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
        Ok(Some(node(Kind::Set(items), &depths)))
    }

    fn dict_items(&mut self) -> PResult {
        let mut entries: Vec<(Option<Node>, Node)> = Vec::new();
        let mut depths = Vec::new();
        loop {
            if self.eat_op("**")? {
                let Some(v) = self.bitwise_or()? else {
                    return Ok(None);
                };
                depths.push(v.depth);
                entries.push((None, v));
            } else {
                let Some(k) = self.expression()? else {
                    return Ok(None);
                };
                if !self.eat_op(":")? {
                    return Ok(None);
                }
                let Some(v) = self.expression()? else {
                    return Ok(None);
                };
                if entries.is_empty() && (self.is_kw("for")? || self.is_kw("async")?) {
                    let Some(c) = self.for_if_clauses()? else {
                        return Ok(None);
                    };
                    return Ok(if self.eat_op("}")? {
                        Some(other(&[k.depth, v.depth, c]))
                    } else {
                        None
                    });
                }
                depths.push(k.depth);
                depths.push(v.depth);
                entries.push((Some(k), v));
            }
            if self.eat_op("}")? {
                break;
            }
            if !self.eat_op(",")? {
                return Ok(None);
            }
            if self.eat_op("}")? {
                break;
            }
        }
        Ok(Some(node(Kind::Dict(entries), &depths)))
    }

    fn yield_expr(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_kw("yield")? {
                return Ok(None);
            }
            if p.eat_kw("from")? {
                return Ok(p.expression()?.map(|e| other(&[e.depth])));
            }
            match p.star_expressions()? {
                Some(e) => Ok(Some(other(&[e.depth]))),
                None => Ok(Some(other(&[]))),
            }
        })
    }

    fn star_expressions(&mut self) -> PResult {
        self.rule(1, |p| {
            let mut depths = Vec::new();
            let mut comma = false;
            let mut single = None;
            loop {
                let e = if p.eat_op("*")? {
                    p.bitwise_or()?.map(|e| other(&[e.depth]))
                } else {
                    p.expression()?
                };
                let Some(e) = e else {
                    if comma {
                        break;
                    }
                    return Ok(None);
                };
                depths.push(e.depth);
                single = Some(e);
                let save = p.pos;
                if !p.eat_op(",")? {
                    break;
                }
                comma = true;
                let _ = save;
            }
            if comma {
                Ok(Some(other(&depths)))
            } else {
                Ok(single)
            }
        })
    }

    /// `for_if_clauses`; the deepest `comprehension` node.
    fn for_if_clauses(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut any = false;
        loop {
            let save = self.pos;
            let _ = self.eat_kw("async")?;
            if !self.eat_kw("for")? {
                self.pos = save;
                break;
            }
            let Some(target) = self.star_targets()? else {
                self.pos = save;
                break;
            };
            if !self.eat_kw("in")? {
                self.pos = save;
                break;
            }
            // The cut: past `in` the clause must parse.
            let Some(iter) = self.disjunction()? else {
                self.pos = start;
                return Ok(None);
            };
            let mut d = target.max(iter.depth);
            loop {
                let s = self.pos;
                if !self.eat_kw("if")? {
                    break;
                }
                match self.disjunction()? {
                    Some(c) => d = d.max(c.depth),
                    None => {
                        self.pos = s;
                        break;
                    }
                }
            }
            depth = depth.max(1 + d);
            any = true;
        }
        if !any {
            self.pos = start;
            return Ok(None);
        }
        Ok(Some(depth))
    }

    /// `star_targets`; the depth of the target.
    fn star_targets(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        let Some(first) = self.star_target()? else {
            return Ok(None);
        };
        if !self.is_op(",")? {
            return Ok(Some(first));
        }
        let mut depth = first;
        while self.eat_op(",")? {
            match self.star_target()? {
                Some(d) => depth = depth.max(d),
                None => break,
            }
        }
        let _ = start;
        Ok(Some(1 + depth))
    }

    fn star_target(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        self.enter(1)?;
        let r = if self.is_op("*")? {
            self.pos += 1;
            if self.is_op("*")? {
                Ok(None)
            } else {
                self.star_target().map(|d| d.map(|d| d + 1))
            }
        } else {
            self.target_with_star_atom()
        };
        self.leave(1);
        if !matches!(r, Ok(Some(_))) {
            self.pos = start;
        }
        r
    }

    fn target_with_star_atom(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        // t_primary: an atom followed by trailers, ending in `.NAME` or
        // `[slices]` not followed by another trailer.
        if let Some(a) = self.atom()? {
            let mut depth = a.depth;
            let mut last_ok = false;
            let mut trailers = 0;
            loop {
                let save = self.pos;
                if self.eat_op(".")? {
                    if !self.is_name()? {
                        self.pos = save;
                        break;
                    }
                    self.pos += 1;
                    last_ok = true;
                } else if self.eat_op("[")? {
                    match self.slices()? {
                        Some(s) if self.eat_op("]")? => depth = depth.max(s.depth),
                        _ => {
                            self.pos = save;
                            break;
                        }
                    }
                    last_ok = true;
                } else if self.is_op("(")? {
                    if let Some(g) = self.genexp()? {
                        depth = depth.max(g.depth);
                    } else {
                        self.pos += 1;
                        if !self.eat_op(")")? {
                            match self.arguments()? {
                                Some(d) if self.eat_op(")")? => depth = depth.max(d),
                                _ => {
                                    self.pos = save;
                                    break;
                                }
                            }
                        }
                    }
                    last_ok = false;
                } else {
                    break;
                }
                depth += 1;
                trailers += 1;
            }
            if trailers > 0 && last_ok {
                return Ok(Some(depth));
            }
            self.pos = start;
        }
        self.star_atom()
    }

    fn star_atom(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        if self.is_name()? {
            self.pos += 1;
            return Ok(Some(1));
        }
        if self.eat_op("(")? {
            if let Some(d) = self.target_with_star_atom()? {
                if self.eat_op(")")? {
                    return Ok(Some(d));
                }
            }
            self.pos = start + 1;
            if self.eat_op(")")? {
                return Ok(Some(1));
            }
            // star_targets_tuple_seq: at least one comma.
            let mut depth = 0;
            let mut commas = 0;
            while let Some(d) = self.star_target()? {
                depth = depth.max(d);
                if !self.eat_op(",")? {
                    break;
                }
                commas += 1;
            }
            if commas > 0 && self.eat_op(")")? {
                return Ok(Some(1 + depth));
            }
            self.pos = start;
            return Ok(None);
        }
        if self.eat_op("[")? {
            let mut depth = 0;
            loop {
                if self.is_op("]")? {
                    break;
                }
                let Some(d) = self.star_target()? else { break };
                depth = depth.max(d);
                if !self.eat_op(",")? {
                    break;
                }
            }
            if self.eat_op("]")? {
                return Ok(Some(1 + depth));
            }
            self.pos = start;
            return Ok(None);
        }
        Ok(None)
    }

    /// `STRING+`: concatenated literals (an f-string among them makes a
    /// `JoinedStr`, never a literal).
    fn strings(&mut self) -> PResult {
        let mut bytes_mode: Option<bool> = None;
        let mut text = String::new();
        let mut data: Vec<u8> = Vec::new();
        let mut fstring_depth: Option<usize> = None;
        while let Tk::Str(raw) = self.peek()?.clone() {
            let line = self.toks.get(self.pos).map_or(1, |t| t.line);
            self.pos += 1;
            let lit = parse_string(&raw, line)?;
            if let Some(b) = bytes_mode {
                if b != lit.bytes {
                    return Err(Box::new(syntax(
                        "cannot mix bytes and nonbytes literals",
                        line,
                    )));
                }
            }
            bytes_mode = Some(lit.bytes);
            match lit.value {
                StrValue::Bytes(b) => data.extend(b),
                StrValue::Text(t) => text.push_str(&t),
                StrValue::FString(depth) => {
                    fstring_depth = Some(fstring_depth.unwrap_or(1).max(depth));
                }
                StrValue::Unsupported(why) => self.fail = Some(why),
            }
        }
        if let Some(d) = fstring_depth {
            return Ok(Some(other(&[d])));
        }
        Ok(Some(node(
            Kind::Const(if bytes_mode == Some(true) {
                Const::Bytes(data)
            } else {
                Const::Str(text)
            }),
            &[],
        )))
    }
}

// ---------------------------------------------------------------------------
// Literal tokens: numbers and strings (the parser's actions)

/// An int of any size: sign and magnitude (base 2^32, least significant
/// first, no trailing zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PyInt {
    neg: bool,
    mag: Vec<u32>,
}

impl PyInt {
    fn from_digits(digits: &str, base: u32) -> PyInt {
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

    fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }

    fn negate(mut self) -> PyInt {
        if !self.is_zero() {
            self.neg = !self.neg;
        }
        self
    }

    fn bits(&self) -> usize {
        match self.mag.last() {
            Some(top) => (self.mag.len() - 1) * 32 + (32 - top.leading_zeros() as usize),
            None => 0,
        }
    }

    /// Decimal digits, or `None` past `MAX_STR_DIGITS` (`str()` raises
    /// `ValueError`).
    fn decimal(&self) -> Option<String> {
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
    fn to_f64_exact(&self) -> Option<f64> {
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
    fn hash(&self) -> i64 {
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
fn number(text: &str, line: usize) -> Result<Const, Box<PyErr>> {
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

enum StrValue {
    Text(String),
    Bytes(Vec<u8>),
    /// A valid f-string; the depth of its `JoinedStr`.
    FString(usize),
    Unsupported(String),
}

struct StrLit {
    bytes: bool,
    value: StrValue,
}

/// A STRING token (`_PyPegen_parsestr`): prefix, quotes, escapes; an
/// f-string's contents are checked and parsed.
fn parse_string(tok: &[char], line: usize) -> Result<StrLit, Box<PyErr>> {
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
        let depth = fstring(body, r, 0, line)?;
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

fn unicode_error(msg: &str, line: usize) -> Box<PyErr> {
    Box::new(syntax(
        format!("(unicode error) 'unicodeescape' codec can't decode bytes: {msg}"),
        line,
    ))
}

/// A lone surrogate as the YAML loader's stand-in for it.
fn surrogate(cp: u32) -> char {
    char::from_u32(crate::yaml::SURROGATE_BASE + (cp - 0xD800)).unwrap_or('\u{fffd}')
}

fn code_point(cp: u32) -> Option<char> {
    if (0xD800..0xE000).contains(&cp) {
        Some(surrogate(cp))
    } else {
        char::from_u32(cp)
    }
}

/// `decode_unicode_with_escapes`.
fn decode_str(body: &[char], line: usize) -> Result<StrValue, Box<PyErr>> {
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
fn decode_bytes(body: &[char], line: usize) -> Result<Vec<u8>, Box<PyErr>> {
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
fn fstring(body: &[char], raw: bool, recurse: usize, line: usize) -> Result<StrValue, Box<PyErr>> {
    let mut depth = 1usize;
    let mut i = 0usize;
    let mut unsupported = None;
    let fsyntax = |m: &str| Box::new(syntax(m, line));
    loop {
        // A literal part, up to a single `{` (or `}` in a format spec).
        let lit_start = i;
        let lit_end;
        loop {
            let Some(&c) = body.get(i) else {
                lit_end = i;
                break;
            };
            i += 1;
            let mut ch = c;
            if !raw && c == '\\' && i < body.len() {
                ch = body.get(i).copied().unwrap_or('\\');
                i += 1;
                if ch == 'N' {
                    if body.get(i) == Some(&'{') {
                        i += 1;
                        while body.get(i).is_some_and(|&c| c != '}') {
                            i += 1;
                        }
                        if i < body.len() {
                            i += 1;
                        }
                    }
                    continue;
                }
            }
            if ch == '{' || ch == '}' {
                if recurse == 0 {
                    if body.get(i) == Some(&ch) {
                        // A doubled brace: part of the literal.
                        i += 1;
                        continue;
                    }
                    if ch == '}' {
                        return Err(fsyntax("f-string: single '}' is not allowed"));
                    }
                }
                i -= 1;
                lit_end = i;
                break;
            }
        }
        let literal = body.get(lit_start..lit_end).unwrap_or_default();
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
        let mut quote: Option<(char, usize)> = None;
        let mut nest: Vec<char> = Vec::new();
        while let Some(&ch) = body.get(i) {
            if ch == '\\' {
                return Err(fsyntax(
                    "f-string expression part cannot include a backslash",
                ));
            }
            if let Some((q, size)) = quote {
                if ch == q {
                    if size == 3 {
                        if body.get(i + 1) == Some(&ch) && body.get(i + 2) == Some(&ch) {
                            i += 3;
                            quote = None;
                            continue;
                        }
                    } else {
                        quote = None;
                    }
                }
                i += 1;
                continue;
            }
            match ch {
                '\'' | '"' => {
                    if body.get(i + 1) == Some(&ch) && body.get(i + 2) == Some(&ch) {
                        quote = Some((ch, 3));
                        i += 2;
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
                    let next = body.get(i + 1).copied();
                    if next == Some('=') && matches!(ch, '!' | '=' | '<' | '>') {
                        i += 2;
                        continue;
                    }
                    if ch == '>' || ch == '<' {
                        i += 1;
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
            i += 1;
        }
        if quote.is_some() {
            return Err(fsyntax("f-string: unterminated string"));
        }
        if let Some(open) = nest.last() {
            return Err(fsyntax(&format!("f-string: unmatched '{open}'")));
        }
        if i >= body.len() {
            return Err(fsyntax("f-string: expecting '}'"));
        }
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
        let mut value_depth = fstring_expr(expr, line)?;
        if body.get(i) == Some(&'=') {
            i += 1;
            while body.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
                i += 1;
            }
            if i >= body.len() {
                return Err(fsyntax("f-string: expecting '}'"));
            }
        }
        if body.get(i) == Some(&'!') {
            i += 1;
            let Some(&conv) = body.get(i) else {
                return Err(fsyntax("f-string: expecting '}'"));
            };
            i += 1;
            if !matches!(conv, 's' | 'r' | 'a') {
                return Err(fsyntax(
                    "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                ));
            }
        }
        if i >= body.len() {
            return Err(fsyntax("f-string: expecting '}'"));
        }
        if body.get(i) == Some(&':') {
            i += 1;
            if i >= body.len() {
                return Err(fsyntax("f-string: expecting '}'"));
            }
            let rest = body.get(i..).unwrap_or_default();
            let (spec, used) = fstring_spec(rest, raw, recurse + 1, line)?;
            value_depth = value_depth.max(spec);
            i += used;
        }
        if body.get(i) != Some(&'}') {
            return Err(fsyntax("f-string: expecting '}'"));
        }
        i += 1;
        // FormattedValue inside the JoinedStr.
        depth = depth.max(2 + value_depth);
    }
    if recurse == 0 && i < body.len() {
        return Err(fsyntax("f-string: unexpected end of string"));
    }
    Ok(match unsupported {
        Some(w) => StrValue::Unsupported(w),
        None => StrValue::FString(depth),
    })
}

/// A format spec (nested f-string up to its closing `}`): its depth and
/// how many characters it took.
fn fstring_spec(
    body: &[char],
    raw: bool,
    recurse: usize,
    line: usize,
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
    let depth = match fstring(spec, raw, recurse, line)? {
        StrValue::FString(d) => d,
        _ => 1,
    };
    Ok((depth, i))
}

/// Parses an f-string expression as CPython does: `(expr)` with the
/// `fstring` start rule (`star_expressions`); the depth of its AST.
fn fstring_expr(expr: &[char], line: usize) -> Result<usize, Box<PyErr>> {
    let mut src = Vec::with_capacity(expr.len() + 3);
    src.push('(');
    src.extend_from_slice(expr);
    src.push(')');
    src.push('\n');
    let lexed = Lexer::new(&src).run();
    let mut p = Parser {
        toks: &lexed.toks,
        error: lexed.error.as_ref(),
        pos: 0,
        furthest: 0,
        level: 0,
        fail: None,
    };
    match p.star_expressions() {
        Ok(Some(e)) => Ok(e.depth),
        Ok(None) => {
            let mut e = p.failure();
            e.msg = format!("f-string: {}", e.msg);
            e.line = line;
            Err(Box::new(e))
        }
        Err(mut e) => {
            if e.class == "SyntaxError" && !e.msg.starts_with("f-string") {
                e.msg = format!("f-string: {}", e.msg);
            }
            e.line = line;
            Err(e)
        }
    }
}

// ---------------------------------------------------------------------------
// `literal_eval`'s `_convert`, and `str()` of the result

/// A Python value `literal_eval` can return.
#[derive(Debug, Clone, PartialEq)]
enum PyVal {
    Int(PyInt),
    Bool(bool),
    Float(f64),
    Complex(f64, f64),
    Str(String),
    Bytes(Vec<u8>),
    None,
    Ellipsis,
    Tuple(Vec<PyVal>),
    List(Vec<PyVal>),
    /// Members in iteration order.
    Set(Vec<PyVal>),
    Dict(Vec<(PyVal, PyVal)>),
}

enum Conv {
    /// `ValueError`: not a literal.
    Malformed,
    /// Another exception (`Class: message`).
    Raise(String),
    /// Not reproducible.
    Unsupported(String),
}

fn conv_num(n: &Node) -> Result<PyVal, Conv> {
    match &n.kind {
        Kind::Const(Const::Int(i)) => Ok(PyVal::Int(i.clone())),
        Kind::Const(Const::Float(f)) => Ok(PyVal::Float(*f)),
        Kind::Const(Const::Imag(f)) => Ok(PyVal::Complex(0.0, *f)),
        _ => Err(Conv::Malformed),
    }
}

fn conv_signed(n: &Node) -> Result<PyVal, Conv> {
    match &n.kind {
        Kind::Signed(plus, inner) => {
            let v = conv_num(inner)?;
            Ok(if *plus {
                v
            } else {
                match v {
                    PyVal::Int(i) => PyVal::Int(i.negate()),
                    PyVal::Float(f) => PyVal::Float(-f),
                    PyVal::Complex(r, i) => PyVal::Complex(-r, -i),
                    other => other,
                }
            })
        }
        _ => conv_num(n),
    }
}

fn int_to_f64(i: &PyInt) -> f64 {
    match i.to_f64_exact() {
        Some(f) => f,
        None => {
            let mut f = 0.0f64;
            for &l in i.mag.iter().rev() {
                f = f * 4_294_967_296.0 + f64::from(l);
            }
            if i.neg { -f } else { f }
        }
    }
}

fn convert(n: &Node) -> Result<PyVal, Conv> {
    match &n.kind {
        Kind::Const(c) => Ok(match c {
            Const::Int(i) => PyVal::Int(i.clone()),
            Const::Float(f) => PyVal::Float(*f),
            Const::Imag(f) => PyVal::Complex(0.0, *f),
            Const::Str(s) => PyVal::Str(s.clone()),
            Const::Bytes(b) => PyVal::Bytes(b.clone()),
            Const::Bool(b) => PyVal::Bool(*b),
            Const::None => PyVal::None,
            Const::Ellipsis => PyVal::Ellipsis,
        }),
        Kind::Tuple(items) => Ok(PyVal::Tuple(
            items.iter().map(convert).collect::<Result<_, _>>()?,
        )),
        Kind::List(items) => Ok(PyVal::List(
            items.iter().map(convert).collect::<Result<_, _>>()?,
        )),
        Kind::Set(items) => {
            let mut set = SetBuilder::new();
            for item in items {
                set.add(convert(item)?)?;
            }
            Ok(PyVal::Set(set.finish()?))
        }
        Kind::EmptySet => Ok(PyVal::Set(Vec::new())),
        Kind::Dict(entries) => {
            let mut out: Vec<(PyVal, PyVal)> = Vec::new();
            for (k, v) in entries {
                let Some(k) = k else {
                    return Err(Conv::Malformed);
                };
                let k = convert(k)?;
                let v = convert(v)?;
                hash_of(&k)?;
                match out.iter_mut().find(|(x, _)| py_eq(x, &k)) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            }
            Ok(PyVal::Dict(out))
        }
        Kind::AddSub(plus, l, r) => {
            let left = conv_signed(l)?;
            let right = conv_num(r)?;
            match (left, right) {
                (PyVal::Int(_) | PyVal::Float(_), PyVal::Complex(re, im)) => {
                    let lf = match conv_signed(l)? {
                        PyVal::Int(i) => int_to_f64(&i),
                        PyVal::Float(f) => f,
                        _ => 0.0,
                    };
                    Ok(if *plus {
                        PyVal::Complex(lf + re, im)
                    } else {
                        PyVal::Complex(lf - re, -im)
                    })
                }
                _ => Err(Conv::Malformed),
            }
        }
        Kind::Signed(..) | Kind::Other => conv_signed(n),
    }
}

/// Numeric equality across int, bool, float and complex; structural
/// equality otherwise (what set and dict members are compared with).
fn py_eq(a: &PyVal, b: &PyVal) -> bool {
    fn num(v: &PyVal) -> Option<(f64, f64, Option<&PyInt>)> {
        match v {
            PyVal::Int(i) => Some((int_to_f64(i), 0.0, Some(i))),
            PyVal::Bool(b) => Some((f64::from(u8::from(*b)), 0.0, None)),
            PyVal::Float(f) => Some((*f, 0.0, None)),
            PyVal::Complex(r, i) => Some((*r, *i, None)),
            _ => None,
        }
    }
    match (a, b) {
        (PyVal::Int(x), PyVal::Int(y)) => x == y,
        (PyVal::Tuple(x), PyVal::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (PyVal::Str(x), PyVal::Str(y)) => x == y,
        (PyVal::Bytes(x), PyVal::Bytes(y)) => x == y,
        (PyVal::None, PyVal::None) | (PyVal::Ellipsis, PyVal::Ellipsis) => true,
        _ => match (num(a), num(b)) {
            (Some((ar, ai, an)), Some((br, bi, bn))) => {
                // Big ints compare exactly with each other (above);
                // with floats only if exactly representable.
                let big = |n: Option<&PyInt>| n.is_some_and(|i| i.to_f64_exact().is_none());
                if big(an) || big(bn) {
                    return false;
                }
                ar == br && ai == bi
            }
            _ => false,
        },
    }
}

/// `hash()`: an error for unhashable values, `None` when the hash is not
/// reproducible here (strings and bytes are salted per process; `None`
/// and `...` hash by address).
fn hash_of(v: &PyVal) -> Result<Option<i64>, Conv> {
    Ok(match v {
        PyVal::List(_) => return Err(Conv::Raise("TypeError: unhashable type: 'list'".to_owned())),
        PyVal::Dict(_) => return Err(Conv::Raise("TypeError: unhashable type: 'dict'".to_owned())),
        PyVal::Set(_) => return Err(Conv::Raise("TypeError: unhashable type: 'set'".to_owned())),
        PyVal::Tuple(items) => {
            for i in items {
                hash_of(i)?;
            }
            None
        }
        PyVal::Int(i) => Some(i.hash()),
        PyVal::Bool(b) => Some(i64::from(*b)),
        PyVal::Float(f) if f.fract() == 0.0 && f.is_finite() && f.abs() < 9.0e15 => {
            let h = *f as i64;
            Some(if h == -1 { -2 } else { h })
        }
        _ => None,
    })
}

/// CPython 3.11's set table (`set_add_entry`, `set_table_resize`), for
/// members whose hashes are reproducible.
struct SetBuilder {
    table: Vec<Option<(i64, PyVal)>>,
    fill: usize,
    /// Members whose hash cannot be reproduced: their order neither.
    unordered: Vec<PyVal>,
}

impl SetBuilder {
    fn new() -> SetBuilder {
        SetBuilder {
            table: vec![None; 8],
            fill: 0,
            unordered: Vec::new(),
        }
    }

    fn mask(&self) -> usize {
        self.table.len() - 1
    }

    fn add(&mut self, v: PyVal) -> Result<(), Conv> {
        let Some(hash) = hash_of(&v)? else {
            let present = self.unordered.iter().any(|u| py_eq(u, &v))
                || self.table.iter().flatten().any(|(_, u)| py_eq(u, &v));
            if !present {
                self.unordered.push(v);
            }
            return Ok(());
        };
        let mask = self.mask();
        let mut i = (hash as u64 as usize) & mask;
        let mut perturb = hash as u64;
        loop {
            let probes = if i + 9 <= mask { 9 } else { 0 };
            for k in 0..=probes {
                match self.table.get(i + k) {
                    Some(None) => {
                        if let Some(slot) = self.table.get_mut(i + k) {
                            *slot = Some((hash, v));
                        }
                        self.fill += 1;
                        if self.fill * 5 >= mask * 3 {
                            self.resize();
                        }
                        return Ok(());
                    }
                    Some(Some((h, u))) if *h == hash && py_eq(u, &v) => return Ok(()),
                    _ => {}
                }
            }
            perturb >>= 5;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn resize(&mut self) {
        let used = self.fill;
        let minused = if used > 50_000 { used * 2 } else { used * 4 };
        let mut size = 8;
        while size <= minused {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![None; size]);
        let mask = size - 1;
        for (hash, v) in old.into_iter().flatten() {
            let mut i = (hash as u64 as usize) & mask;
            let mut perturb = hash as u64;
            'probe: loop {
                let probes = if i + 9 <= mask { 9 } else { 0 };
                for k in 0..=probes {
                    if let Some(slot @ None) = self.table.get_mut(i + k) {
                        *slot = Some((hash, v));
                        break 'probe;
                    }
                }
                perturb >>= 5;
                i = (i
                    .wrapping_mul(5)
                    .wrapping_add(1)
                    .wrapping_add(perturb as usize))
                    & mask;
            }
        }
    }

    fn finish(self) -> Result<Vec<PyVal>, Conv> {
        let ordered: Vec<PyVal> = self.table.into_iter().flatten().map(|(_, v)| v).collect();
        if !self.unordered.is_empty() && ordered.len() + self.unordered.len() > 1 {
            return Err(Conv::Unsupported(
                "a set whose order (hash order) is not reproducible".to_owned(),
            ));
        }
        let mut all = ordered;
        all.extend(self.unordered);
        Ok(all)
    }
}

/// `str(value)`.
fn py_str(v: &PyVal) -> Result<String, Conv> {
    match v {
        PyVal::Str(s) => Ok(s.clone()),
        other => py_repr(other),
    }
}

fn float_part(f: f64) -> String {
    let r = crate::value::float_repr(f);
    r.strip_suffix(".0").map(str::to_owned).unwrap_or(r)
}

/// `repr(value)`; `Malformed` (a `ValueError`) for ints too long to print.
fn py_repr(v: &PyVal) -> Result<String, Conv> {
    Ok(match v {
        PyVal::Int(i) => i.decimal().ok_or(Conv::Malformed)?,
        PyVal::Bool(true) => "True".to_owned(),
        PyVal::Bool(false) => "False".to_owned(),
        PyVal::Float(f) => crate::value::float_repr(*f),
        PyVal::Complex(re, im) => {
            if *re == 0.0 && re.is_sign_positive() {
                format!("{}j", float_part(*im))
            } else {
                let imag = float_part(*im);
                let imag = if imag.starts_with('-') {
                    imag
                } else {
                    format!("+{imag}")
                };
                format!("({}{imag}j)", float_part(*re))
            }
        }
        PyVal::Str(s) => str_repr(s),
        PyVal::Bytes(b) => bytes_repr(b),
        PyVal::None => "None".to_owned(),
        PyVal::Ellipsis => "Ellipsis".to_owned(),
        PyVal::Tuple(items) => {
            let parts = items.iter().map(py_repr).collect::<Result<Vec<_>, _>>()?;
            if parts.len() == 1 {
                format!("({},)", parts.concat())
            } else {
                format!("({})", parts.join(", "))
            }
        }
        PyVal::List(items) => {
            let parts = items.iter().map(py_repr).collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", parts.join(", "))
        }
        PyVal::Set(items) if items.is_empty() => "set()".to_owned(),
        PyVal::Set(items) => {
            let parts = items.iter().map(py_repr).collect::<Result<Vec<_>, _>>()?;
            format!("{{{}}}", parts.join(", "))
        }
        PyVal::Dict(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for (k, v) in items {
                parts.push(format!("{}: {}", py_repr(k)?, py_repr(v)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
    })
}

/// `repr(str)` with CPython 3.11's printable characters (a lone surrogate
/// is the YAML loader's stand-in for it).
fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let n = u32::from(c);
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if (crate::yaml::SURROGATE_BASE..crate::yaml::SURROGATE_BASE + 0x800)
                .contains(&n) =>
            {
                out.push_str(&format!(
                    "\\u{:04x}",
                    0xD800 + n - crate::yaml::SURROGATE_BASE
                ));
            }
            c if (0x20..0x7f).contains(&n) => out.push(c),
            c if n >= 0x7f && printable(c) => out.push(c),
            _ if n < 0x100 => out.push_str(&format!("\\x{n:02x}")),
            _ if n < 0x10000 => out.push_str(&format!("\\u{n:04x}")),
            _ => out.push_str(&format!("\\U{n:08x}")),
        }
    }
    out.push(quote);
    out
}

/// `repr(bytes)`.
fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(char::from(quote));
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(char::from(c));
            }
            0x20..=0x7e => out.push(char::from(c)),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(char::from(quote));
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
