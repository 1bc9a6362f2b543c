//! Tokenizer (CPython 3.11 `tok_get`, for string input).

use super::error::{PyErr, syntax};

/// The tokenizer's bracket nesting limit (`MAXLEVEL`).
pub(super) const MAX_BRACKETS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tk {
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
pub(super) struct Tok {
    pub(super) tk: Tk,
    pub(super) line: usize,
}

pub(super) struct Lexed {
    pub(super) toks: Vec<Tok>,
    /// The tokenizer error met after the last token, if any.
    pub(super) error: Option<PyErr>,
}

pub(super) const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Three-, two- and one-character operators (`<>` is a token that no
/// rule accepts, as without `barry_as_FLUFL`).
pub(super) const OPS3: &[&str] = &["**=", "...", "//=", "<<=", ">>="];
pub(super) const OPS2: &[&str] = &[
    "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=", "<<", "<=", "<>", "==", ">=",
    ">>", "@=", "^=", "|=",
];
pub(super) const OPS1: &[&str] = &[
    "%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^",
    "{", "|", "}", "~",
];

pub(super) fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || u32::from(c) >= 128
}

pub(super) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || u32::from(c) >= 128
}

pub(super) struct Lexer<'s> {
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
pub(super) type LexResult<T> = Result<T, PyErr>;

impl<'s> Lexer<'s> {
    pub(super) fn new(s: &'s [char]) -> Lexer<'s> {
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

    pub(super) fn run(mut self) -> Lexed {
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
                blankline = self.indentation()?;
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

    /// At the start of a line (`tok_get`'s `atbol` part): measures the
    /// indentation and, on a line that is neither blank nor inside
    /// brackets, compares it with the indentation stack, queueing
    /// INDENT/DEDENT tokens. Returns whether the line is blank (or a
    /// comment alone).
    fn indentation(&mut self) -> LexResult<bool> {
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
        let blankline = c == Some('#') || c == Some('\n');
        if !blankline && self.parens.is_empty() {
            if cont_col != 0 {
                col = cont_col;
                altcol = cont_col;
            }
            self.indent_to(col, altcol)?;
        }
        Ok(blankline)
    }

    /// A logical line indented to `col` (`altcol` with tabs counted as
    /// one column): INDENT, DEDENTs, or the errors CPython raises.
    fn indent_to(&mut self, col: usize, altcol: usize) -> LexResult<()> {
        let top = self.indstack.last().copied().unwrap_or(0);
        let alttop = self.altindstack.last().copied().unwrap_or(0);
        if col == top {
            if altcol != alttop {
                return Err(self.tab_error());
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
                return Err(self.tab_error());
            }
            self.pendin += 1;
            self.indstack.push(col);
            self.altindstack.push(altcol);
        } else {
            while self.indstack.len() > 1 && col < self.indstack.last().copied().unwrap_or(0) {
                self.pendin -= 1;
                self.indstack.pop();
                self.altindstack.pop();
            }
            if Some(&col) != self.indstack.last() {
                return Err(PyErr {
                    class: "IndentationError",
                    msg: "unindent does not match any outer indentation level".to_owned(),
                    line: self.line,
                });
            }
            if Some(&altcol) != self.altindstack.last() {
                return Err(self.tab_error());
            }
        }
        Ok(())
    }

    fn tab_error(&self) -> PyErr {
        PyErr {
            class: "TabError",
            msg: "inconsistent use of tabs and spaces in indentation".to_owned(),
            line: self.line,
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
        if !pycompat::str::is_printable(c) {
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
                    !pycompat::unicode::contains(pycompat::unicode::XID_START, c)
                } else {
                    !pycompat::unicode::contains(pycompat::unicode::XID_CONTINUE, c)
                }
            });
            if let Some((_, &c)) = bad {
                return Err(if pycompat::str::is_printable(c) {
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
