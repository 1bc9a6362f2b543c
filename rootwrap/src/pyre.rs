//! Python 3.11 `re.match(pattern + '$', arg)`, as rootwrap's RegExpFilter
//! and ChainingRegExpFilter use it.
//!
//! The pattern is parsed with the rules of CPython's `re/_parser.py` (what is
//! a quantifier, what is a literal `{`, which escapes exist, how `[]` and
//! `-` behave in sets, octal escapes such as `\0`) into a small syntax tree,
//! then written out for the `regex` crate, or `fancy-regex` when lookahead
//! is needed, with every character spelled as a code point so the Rust
//! engines read nothing differently. `\d`, `\w` and `\s` are Python's exact
//! Unicode 14 tables ([`tables`]), not the Rust engines' own classes.
//!
//! Also reproduced: lookahead and fixed-width lookbehind, atomic groups and
//! possessive quantifiers, `\b`/`\B` (as lookarounds over Python's `\w`),
//! the `a` flag (global or scoped), scoped `(?ims-ims:...)` groups and the
//! `i` flag, the latter only for ASCII: a pattern using `IGNORECASE`
//! anywhere never matches a subject with a non-ASCII character (fail
//! closed), and refuses non-ASCII literals and set members under it.
//!
//! Constructs whose meaning cannot be reproduced exactly are refused
//! ([`PyReError`]), which makes the filter deny: backreferences,
//! conditionals, `\N{...}`, the `x` (verbose) and `t` flags, global flags
//! after a comment. None of them occurs in the filter files OpenStack
//! ships.
//!
//! Arguments that were not valid UTF-8 reach us with each undecodable byte
//! `b` as `char(0x10FF00 + b)` (see [`crate::pystr::match_text`]); Python
//! sees the lone surrogate U+DC00+b there, so pattern code points in
//! U+DC80..=U+DCFF are mapped onto those characters, and every surrogate
//! class/range is translated accordingly.

pub mod tables;

use std::fmt::Write as _;

/// Deepest group nesting accepted (deeper patterns are refused rather than
/// risking the stack).
const MAX_DEPTH: usize = 100;
/// Python's `MAXREPEAT` (an unbounded repeat).
const MAXREPEAT: u64 = 4_294_967_295;
const SURROGATES: (u32, u32) = (0xD800, 0xDFFF);
const ESCAPED: (u32, u32) = (0xDC80, 0xDCFF);
const STAND_INS: (u32, u32) = (0x10_FF80, 0x10_FFFF);

/// Why a pattern is refused: Python raises `re.error` for it, or it uses a
/// construct this translation does not reproduce. Either way the filter
/// argument never matches.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PyReError(pub String);

fn refuse<T>(msg: impl Into<String>) -> Result<T, PyReError> {
    Err(PyReError(msg.into()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Digit,
    Word,
    Space,
}

impl Category {
    fn table(self) -> &'static [(u32, u32)] {
        match self {
            Category::Digit => tables::DIGIT,
            Category::Word => tables::WORD,
            Category::Space => tables::SPACE,
        }
    }

    /// The class under the `a` (ASCII) flag.
    fn ascii_table(self) -> &'static [(u32, u32)] {
        match self {
            Category::Digit => &[(0x30, 0x39)],
            Category::Word => &[(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)],
            Category::Space => &[(0x9, 0xd), (0x20, 0x20)],
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    /// One code point (Python's view, possibly a surrogate).
    Literal(u32),
    /// `.`.
    Any,
    /// `[...]` or a category: the code point ranges, whether negated, and
    /// whether a member was written as a non-ASCII literal or range (which
    /// `IGNORECASE` would fold in ways not reproduced).
    Set(Vec<(u32, u32)>, bool, bool),
    /// `\b` (`false`) or `\B` (`true`), with ASCII (`true`) or Unicode words.
    WordBoundary(bool, bool),
    /// `^` (`m` = multiline).
    Bol,
    /// `$`.
    Eol,
    /// `\A`.
    StartText,
    /// `\Z`.
    EndText,
    /// `( )`, `(?: )`, `(?P<n> )`.
    Group(Box<Node>),
    /// `(?= )` / `(?! )`.
    Look(Box<Node>, bool),
    /// `(?<= )` / `(?<! )` (fixed width).
    LookBehind(Box<Node>, bool),
    /// `(?> )` (`false`) or a possessive repeat such as `a*+` (`true`).
    Atomic(Box<Node>, bool),
    /// `(?flags-flags: )`: the body and the flag changes.
    Scoped(Box<Node>, FlagDelta),
    /// `x{min,max}`, greedy or lazy.
    Repeat(Box<Node>, u64, u64, bool),
    /// Alternatives, each a sequence.
    Alt(Vec<Vec<Node>>),
}

/// The flag changes of a scoped group `(?flags-flags:...)`.
#[derive(Debug, Clone, Copy, Default)]
struct FlagDelta {
    ignorecase: Option<bool>,
    multiline: Option<bool>,
    dotall: Option<bool>,
    /// `a` (handled while parsing: categories and `\b` become ASCII).
    ascii: bool,
    /// `u` (handled while parsing).
    unicode: bool,
}

/// Python's `getwidth()`: the (min, max) number of characters `node` can
/// consume, saturating at [`MAXREPEAT`].
fn width(node: &Node) -> (u64, u64) {
    let cap = |v: u64| v.min(MAXREPEAT);
    match node {
        Node::Literal(_) | Node::Any | Node::Set(..) => (1, 1),
        Node::Bol
        | Node::Eol
        | Node::StartText
        | Node::EndText
        | Node::WordBoundary(..)
        | Node::Look(..)
        | Node::LookBehind(..) => (0, 0),
        Node::Group(b) | Node::Scoped(b, _) | Node::Atomic(b, _) => width(b),
        Node::Repeat(b, min, max, _) => {
            let (i, j) = width(b);
            let lo = cap(i.saturating_mul(*min));
            let hi = if *max == MAXREPEAT && j > 0 {
                MAXREPEAT
            } else {
                cap(j.saturating_mul(*max))
            };
            (lo, hi)
        }
        Node::Alt(alts) => {
            let mut lo = MAXREPEAT;
            let mut hi = 0;
            for seq in alts {
                let (mut l, mut h) = (0u64, 0u64);
                for n in seq {
                    let (a, b) = width(n);
                    l = cap(l.saturating_add(a));
                    h = cap(h.saturating_add(b));
                }
                lo = lo.min(l);
                hi = hi.max(h);
            }
            (lo, hi)
        }
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    groups: usize,
    names: Vec<String>,
    /// Whether the `a` (ASCII) flag is in force at this point.
    ascii: bool,
    _src: std::marker::PhantomData<&'a str>,
}

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn take_while(&mut self, max: usize, pred: fn(char) -> bool) -> String {
        let mut s = String::new();
        while s.len() < max {
            match self.peek() {
                Some(c) if pred(c) => {
                    s.push(c);
                    self.pos += 1;
                }
                _ => break,
            }
        }
        s
    }

    fn hex_escape(&mut self, letter: char, digits: usize) -> Result<u32, PyReError> {
        let hex = self.take_while(digits, is_hex);
        if hex.len() != digits {
            return refuse(format!("incomplete escape \\{letter}{hex}"));
        }
        let value = u32::from_str_radix(&hex, 16).map_err(|e| PyReError(e.to_string()))?;
        if value > 0x10_FFFF {
            return refuse(format!("bad escape \\{letter}{hex}"));
        }
        Ok(value)
    }

    /// An escape inside `[...]` (`_class_escape`): a code point or a set.
    fn class_escape(&mut self) -> Result<Node, PyReError> {
        let Some(c) = self.next() else {
            return refuse("bad escape (end of pattern)");
        };
        Ok(match c {
            'a' => Node::Literal(7),
            'b' => Node::Literal(8),
            'f' => Node::Literal(12),
            'n' => Node::Literal(10),
            'r' => Node::Literal(13),
            't' => Node::Literal(9),
            'v' => Node::Literal(11),
            '\\' => Node::Literal(92),
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => category(c, self.ascii),
            'x' => Node::Literal(self.hex_escape('x', 2)?),
            'u' => Node::Literal(self.hex_escape('u', 4)?),
            'U' => Node::Literal(self.hex_escape('U', 8)?),
            'N' => return refuse("\\N{...} is not supported"),
            '0'..='7' => {
                let mut digits = String::from(c);
                digits.push_str(&self.take_while(2, |d| ('0'..='7').contains(&d)));
                let value =
                    u32::from_str_radix(&digits, 8).map_err(|e| PyReError(e.to_string()))?;
                if value > 0o377 {
                    return refuse(format!(
                        "octal escape value \\{digits} outside of range 0-0o377"
                    ));
                }
                Node::Literal(value)
            }
            '8' | '9' => return refuse(format!("bad escape \\{c}")),
            c if c.is_ascii_alphabetic() => return refuse(format!("bad escape \\{c}")),
            c => Node::Literal(c as u32),
        })
    }

    /// An escape outside sets (`_escape`).
    fn escape(&mut self) -> Result<Node, PyReError> {
        let Some(c) = self.peek() else {
            return refuse("bad escape (end of pattern)");
        };
        match c {
            'A' => {
                self.pos += 1;
                Ok(Node::StartText)
            }
            'Z' => {
                self.pos += 1;
                Ok(Node::EndText)
            }
            'b' | 'B' => {
                self.pos += 1;
                Ok(Node::WordBoundary(c == 'B', self.ascii))
            }
            '0' => {
                self.pos += 1;
                let digits = self.take_while(2, |d| ('0'..='7').contains(&d));
                Ok(Node::Literal(
                    u32::from_str_radix(if digits.is_empty() { "0" } else { &digits }, 8)
                        .map_err(|e| PyReError(e.to_string()))?,
                ))
            }
            '1'..='9' => {
                // A three-digit octal escape is a literal; anything else is a
                // group reference, which we do not support.
                let (d1, d2, d3) = (Some(c), self.peek_at(1), self.peek_at(2));
                let oct = |d: Option<char>| d.is_some_and(|d| ('0'..='7').contains(&d));
                if oct(d1) && oct(d2) && oct(d3) {
                    let digits: String = [d1, d2, d3].iter().flatten().collect();
                    self.pos += 3;
                    let value =
                        u32::from_str_radix(&digits, 8).map_err(|e| PyReError(e.to_string()))?;
                    if value > 0o377 {
                        return refuse(format!(
                            "octal escape value \\{digits} outside of range 0-0o377"
                        ));
                    }
                    return Ok(Node::Literal(value));
                }
                refuse("group references are not supported")
            }
            _ => self.class_escape(),
        }
    }

    fn parse_set(&mut self) -> Result<Node, PyReError> {
        let negate = self.eat('^');
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut items = 0usize;
        let mut non_ascii = false;
        loop {
            let Some(c) = self.next() else {
                return refuse("unterminated character set");
            };
            if c == ']' && items > 0 {
                break;
            }
            let code1 = if c == '\\' {
                self.class_escape()?
            } else {
                Node::Literal(c as u32)
            };
            items += 1;
            if self.eat('-') {
                let Some(that) = self.next() else {
                    return refuse("unterminated character set");
                };
                if that == ']' {
                    non_ascii |= matches!(code1, Node::Literal(c) if c > 0x7f);
                    add_set_item(&mut ranges, &code1);
                    ranges.push((u32::from(b'-'), u32::from(b'-')));
                    break;
                }
                let code2 = if that == '\\' {
                    self.class_escape()?
                } else {
                    Node::Literal(that as u32)
                };
                match (code1, code2) {
                    (Node::Literal(lo), Node::Literal(hi)) if lo <= hi => {
                        non_ascii |= hi > 0x7f;
                        ranges.push((lo, hi));
                    }
                    _ => return refuse("bad character range"),
                }
            } else {
                non_ascii |= matches!(code1, Node::Literal(c) if c > 0x7f);
                add_set_item(&mut ranges, &code1);
            }
        }
        Ok(Node::Set(ranges, negate, non_ascii))
    }

    /// `(?...)` after the `(?` was read; `None` for a comment.
    fn parse_extension(&mut self, depth: usize) -> Result<Option<Node>, PyReError> {
        match self.next() {
            Some(':') => Ok(Some(Node::Group(Box::new(self.parse_alt(depth + 1)?)))),
            Some('=') | Some('!') => {
                let negative = self.chars.get(self.pos - 1) == Some(&'!');
                let body = self.parse_alt(depth + 1)?;
                Ok(Some(Node::Look(Box::new(body), negative)))
            }
            Some('#') => loop {
                match self.next() {
                    None => return refuse("missing ), unterminated comment"),
                    Some(')') => return Ok(None),
                    Some(_) => {}
                }
            },
            Some('P') => {
                if !self.eat('<') {
                    return refuse("named group references are not supported");
                }
                let mut name = String::new();
                loop {
                    match self.next() {
                        None => return refuse("missing >, unterminated name"),
                        Some('>') => break,
                        Some(c) => name.push(c),
                    }
                }
                let valid = name
                    .chars()
                    .next()
                    .is_some_and(|c| c == '_' || c.is_alphabetic())
                    && name.chars().all(|c| c == '_' || c.is_alphanumeric());
                if !valid || !name.is_ascii() {
                    return refuse(format!("bad character in group name {name:?}"));
                }
                if self.names.contains(&name) {
                    return refuse(format!("redefinition of group name {name:?}"));
                }
                self.names.push(name);
                self.groups += 1;
                Ok(Some(Node::Group(Box::new(self.parse_alt(depth + 1)?))))
            }
            Some('<') => {
                let negative = match self.next() {
                    Some('=') => false,
                    Some('!') => true,
                    _ => return refuse("unknown extension ?<"),
                };
                let body = self.parse_alt(depth + 1)?;
                let (lo, hi) = width(&body);
                if lo != hi {
                    return refuse("look-behind requires fixed-width pattern");
                }
                Ok(Some(Node::LookBehind(Box::new(body), negative)))
            }
            Some('>') => Ok(Some(Node::Atomic(
                Box::new(self.parse_alt(depth + 1)?),
                false,
            ))),
            Some(c) if "imsxatuL-".contains(c) => {
                let delta = self.scoped_flags(c)?;
                let saved = self.ascii;
                if delta.ascii {
                    self.ascii = true;
                } else if delta.unicode {
                    self.ascii = false;
                }
                let body = self.parse_alt(depth + 1);
                self.ascii = saved;
                Ok(Some(Node::Scoped(Box::new(body?), delta)))
            }
            Some(c) => refuse(format!("unsupported group construct (?{c}")),
            None => refuse("unexpected end of pattern"),
        }
    }

    /// `_parse_flags` after `(?` and its first character `first`, for a
    /// scoped group (global flags here are an error or refused).
    fn scoped_flags(&mut self, first: char) -> Result<FlagDelta, PyReError> {
        let mut delta = FlagDelta::default();
        let mut c = first;
        let mut type_flags = 0;
        if c != '-' {
            loop {
                match c {
                    'i' => delta.ignorecase = Some(true),
                    'm' => delta.multiline = Some(true),
                    's' => delta.dotall = Some(true),
                    'a' => {
                        delta.ascii = true;
                        type_flags += 1;
                    }
                    'u' => {
                        delta.unicode = true;
                        type_flags += 1;
                    }
                    'x' => return refuse("the verbose flag (?x) is not supported"),
                    'L' => {
                        return refuse("bad inline flags: cannot use 'L' flag with a str pattern");
                    }
                    _ => return refuse(format!("flag {c:?} is not supported")),
                }
                if type_flags > 1 {
                    return refuse("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
                }
                match self.next() {
                    Some(n @ (')' | '-' | ':')) => {
                        c = n;
                        break;
                    }
                    Some(n) if "imsxatuL".contains(n) => c = n,
                    _ => return refuse("unknown flag or missing -, : or )"),
                }
            }
        }
        if c == ')' {
            return refuse("global flags not at the start of the expression");
        }
        if c == '-' {
            let mut any = false;
            loop {
                let n = self.next();
                let off = match n {
                    Some(':') if any => break,
                    Some('i') => &mut delta.ignorecase,
                    Some('m') => &mut delta.multiline,
                    Some('s') => &mut delta.dotall,
                    Some('x') => {
                        any = true;
                        continue;
                    }
                    _ => return refuse("bad inline flags"),
                };
                if off.is_some() {
                    return refuse("bad inline flags: flag turned on and off");
                }
                *off = Some(false);
                any = true;
            }
        }
        Ok(delta)
    }

    /// Parses alternatives up to a `)` (consumed) or the end (depth 0).
    fn parse_alt(&mut self, depth: usize) -> Result<Node, PyReError> {
        if depth > MAX_DEPTH {
            return refuse("too deeply nested");
        }
        let mut alternatives = vec![Vec::new()];
        loop {
            let Some(c) = self.next() else {
                if depth > 0 {
                    return refuse("missing ), unterminated subpattern");
                }
                break;
            };
            let seq = alternatives
                .last_mut()
                .ok_or_else(|| PyReError("internal".into()))?;
            match c {
                ')' => {
                    if depth == 0 {
                        return refuse("unbalanced parenthesis");
                    }
                    return Ok(Node::Alt(alternatives));
                }
                '|' => alternatives.push(Vec::new()),
                '(' => {
                    if self.eat('?') {
                        if let Some(node) = self.parse_extension(depth)? {
                            seq.push(node);
                        }
                    } else {
                        self.groups += 1;
                        let body = self.parse_alt(depth + 1)?;
                        seq.push(Node::Group(Box::new(body)));
                    }
                }
                '[' => {
                    let set = self.parse_set()?;
                    seq.push(set);
                }
                '.' => seq.push(Node::Any),
                '^' => seq.push(Node::Bol),
                '$' => seq.push(Node::Eol),
                '\\' => {
                    let node = self.escape()?;
                    seq.push(node);
                }
                '*' | '+' | '?' | '{' => {
                    let (min, max) = match c {
                        '*' => (0, MAXREPEAT),
                        '+' => (1, MAXREPEAT),
                        '?' => (0, 1),
                        _ => match self.brace_quantifier()? {
                            Some(q) => q,
                            None => {
                                seq.push(Node::Literal(u32::from(b'{')));
                                continue;
                            }
                        },
                    };
                    let item = match seq.pop() {
                        None | Some(Node::Bol | Node::Eol | Node::StartText | Node::EndText) => {
                            return refuse("nothing to repeat");
                        }
                        Some(Node::Repeat(..) | Node::Atomic(_, true)) => {
                            return refuse("multiple repeat");
                        }
                        Some(Node::WordBoundary(..)) => return refuse("nothing to repeat"),
                        Some(item) => item,
                    };
                    let greedy = !self.eat('?');
                    let repeat = Node::Repeat(Box::new(item), min, max, greedy);
                    if greedy && self.eat('+') {
                        seq.push(Node::Atomic(Box::new(repeat), true));
                    } else {
                        seq.push(repeat);
                    }
                }
                c => seq.push(Node::Literal(c as u32)),
            }
        }
        Ok(Node::Alt(alternatives))
    }

    /// After `{`: `Some((min, max))` for a valid quantifier, `None` when
    /// Python reads the `{` as a literal (position restored).
    fn brace_quantifier(&mut self) -> Result<Option<(u64, u64)>, PyReError> {
        let here = self.pos;
        if self.peek() == Some('}') {
            return Ok(None);
        }
        let lo = self.take_while(usize::MAX, |c| c.is_ascii_digit());
        let hi = if self.eat(',') {
            self.take_while(usize::MAX, |c| c.is_ascii_digit())
        } else {
            lo.clone()
        };
        if !self.eat('}') {
            self.pos = here;
            return Ok(None);
        }
        let parse = |s: &str, default: u64| -> Result<u64, PyReError> {
            if s.is_empty() {
                return Ok(default);
            }
            match s.parse::<u64>() {
                Ok(v) if v < MAXREPEAT => Ok(v),
                _ => refuse("the repetition number is too large"),
            }
        };
        let min = parse(&lo, 0)?;
        let max = parse(&hi, MAXREPEAT)?;
        if max < min {
            return refuse("min repeat greater than max repeat");
        }
        Ok(Some((min, max)))
    }
}

fn category(c: char, ascii: bool) -> Node {
    let cat = match c.to_ascii_lowercase() {
        'd' => Category::Digit,
        'w' => Category::Word,
        _ => Category::Space,
    };
    let table = if ascii {
        cat.ascii_table()
    } else {
        cat.table()
    };
    Node::Set(table.to_vec(), c.is_ascii_uppercase(), false)
}

/// Adds a set member (a literal, or a category possibly negated) as ranges.
fn add_set_item(ranges: &mut Vec<(u32, u32)>, item: &Node) {
    match item {
        Node::Literal(c) => ranges.push((*c, *c)),
        Node::Set(r, false, _) => ranges.extend_from_slice(r),
        Node::Set(r, true, _) => ranges.extend(complement(r)),
        _ => {}
    }
}

/// The code points in 0..=0x10FFFF outside `ranges` (sorted, disjoint).
fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut next = 0u32;
    for (lo, hi) in sorted {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = next.max(hi.saturating_add(1));
    }
    if next <= 0x10_FFFF {
        out.push((next, 0x10_FFFF));
    }
    out
}

/// Python code point ranges → ranges over our match text: escaped-byte
/// surrogates move to their stand-in characters, other surrogates vanish
/// (surrogateescape never produces them), and genuine U+10FF80..=U+10FFFF
/// are dropped (arguments containing them are denied before matching).
fn to_text_ranges(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(lo, hi) in ranges {
        let (elo, ehi) = (lo.max(ESCAPED.0), hi.min(ESCAPED.1));
        if elo <= ehi {
            out.push((elo - 0xDC00 + 0x10_FF00, ehi - 0xDC00 + 0x10_FF00));
        }
        let hi = hi.min(STAND_INS.0 - 1);
        if lo < SURROGATES.0 {
            out.push((lo, hi.min(SURROGATES.0 - 1)));
        }
        if hi > SURROGATES.1 && lo <= hi {
            out.push((lo.max(SURROGATES.1 + 1), hi));
        }
    }
    out
}

#[derive(Clone, Copy, Default)]
struct Flags {
    dotall: bool,
    multiline: bool,
    ignorecase: bool,
}

/// Writes a character class of our match text.
fn emit_class(ranges: &[(u32, u32)], negated: bool, out: &mut String) {
    let ranges = to_text_ranges(ranges);
    if ranges.is_empty() {
        out.push_str(if negated {
            "(?s:.)"
        } else {
            "[^\\x{0}-\\x{10ffff}]"
        });
        return;
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    for (lo, hi) in ranges {
        if lo == hi {
            let _ = write!(out, "\\x{{{lo:x}}}");
        } else {
            let _ = write!(out, "\\x{{{lo:x}}}-\\x{{{hi:x}}}");
        }
    }
    out.push(']');
}

/// Adds the other case of every ASCII letter in `ranges` (`IGNORECASE`
/// as Python applies it to ASCII subjects).
fn ascii_case_closure(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = ranges.to_vec();
    for c in (u32::from(b'A')..=u32::from(b'Z')).chain(u32::from(b'a')..=u32::from(b'z')) {
        if ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) {
            let other = c ^ 0x20;
            out.push((other, other));
        }
    }
    out
}

/// Writes `node` in the Rust engines' syntax.
fn emit(node: &Node, flags: Flags, out: &mut String, fancy: bool) -> Result<(), PyReError> {
    match node {
        Node::Literal(c) if flags.ignorecase => {
            if *c > 0x7f {
                return refuse("non-ASCII literals under IGNORECASE are not supported");
            }
            emit_class(&ascii_case_closure(&[(*c, *c)]), false, out);
        }
        Node::Literal(c) => {
            let ranges = to_text_ranges(&[(*c, *c)]);
            match ranges.first() {
                Some((cp, _)) => {
                    let _ = write!(out, "\\x{{{cp:x}}}");
                }
                None => return refuse("surrogate code points cannot match"),
            }
        }
        Node::Any => out.push_str(if flags.dotall { "(?s:.)" } else { "[^\\n]" }),
        Node::Set(ranges, negated, non_ascii) => {
            if flags.ignorecase {
                if *non_ascii {
                    return refuse("non-ASCII set members under IGNORECASE are not supported");
                }
                emit_class(&ascii_case_closure(ranges), *negated, out);
            } else {
                emit_class(ranges, *negated, out);
            }
        }
        Node::WordBoundary(negated, ascii) => {
            if !fancy {
                return refuse("internal: \\b needs lookaround");
            }
            let table = if *ascii {
                Category::Word.ascii_table()
            } else {
                Category::Word.table()
            };
            let mut w = String::new();
            emit_class(table, false, &mut w);
            // Python 3.11: neither \b nor \B matches in an empty string.
            if *negated {
                let _ = write!(out, "(?:(?!\\A\\z)(?:(?<={w})(?={w})|(?<!{w})(?!{w})))");
            } else {
                let _ = write!(out, "(?:(?<={w})(?!{w})|(?<!{w})(?={w}))");
            }
        }
        Node::Atomic(body, _) => {
            if !fancy {
                return refuse("internal: atomic groups need fancy-regex");
            }
            out.push_str("(?>");
            emit(body, flags, out, fancy)?;
            out.push(')');
        }
        Node::LookBehind(body, negative) => {
            if !fancy {
                return refuse("internal: lookbehind needs fancy-regex");
            }
            out.push_str(if *negative { "(?<!" } else { "(?<=" });
            emit(body, flags, out, fancy)?;
            out.push(')');
        }
        Node::Scoped(body, delta) => {
            let inner = Flags {
                dotall: delta.dotall.unwrap_or(flags.dotall),
                multiline: delta.multiline.unwrap_or(flags.multiline),
                ignorecase: delta.ignorecase.unwrap_or(flags.ignorecase),
            };
            out.push_str("(?:");
            emit(body, inner, out, fancy)?;
            out.push(')');
        }
        Node::Bol => out.push_str(if flags.multiline { "(?m:^)" } else { "\\A" }),
        Node::Eol => {
            if !fancy {
                return refuse("internal: `$` needs lookahead");
            }
            out.push_str(if flags.multiline {
                "(?m:$)"
            } else {
                "(?=\\n?\\z)"
            });
        }
        Node::StartText => out.push_str("\\A"),
        Node::EndText => out.push_str("\\z"),
        Node::Group(body) => {
            out.push_str("(?:");
            emit(body, flags, out, fancy)?;
            out.push(')');
        }
        Node::Look(body, negative) => {
            if !fancy {
                return refuse("internal: lookahead needs fancy-regex");
            }
            out.push_str(if *negative { "(?!" } else { "(?=" });
            emit(body, flags, out, fancy)?;
            out.push(')');
        }
        Node::Repeat(item, min, _, _)
            if matches!(**item, Node::Look(..) | Node::LookBehind(..)) =>
        {
            // A repeated zero-width assertion: optional when `min` is 0,
            // else the assertion once (the Rust engines reject the repeat).
            out.push_str("(?:");
            if *min > 0 {
                emit(item, flags, out, fancy)?;
            }
            out.push(')');
        }
        Node::Repeat(item, min, max, greedy) => {
            out.push_str("(?:");
            emit(item, flags, out, fancy)?;
            out.push(')');
            if *max == MAXREPEAT {
                let _ = write!(out, "{{{min},}}");
            } else {
                let _ = write!(out, "{{{min},{max}}}");
            }
            if !greedy {
                out.push('?');
            }
        }
        Node::Alt(alternatives) => {
            for (i, seq) in alternatives.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                for n in seq {
                    emit(n, flags, out, fancy)?;
                }
            }
        }
    }
    Ok(())
}

fn needs_fancy(node: &Node) -> bool {
    match node {
        Node::Eol
        | Node::EndText
        | Node::Look(..)
        | Node::LookBehind(..)
        | Node::WordBoundary(..) => true,
        Node::Atomic(..) => true,
        Node::Group(b) | Node::Repeat(b, ..) | Node::Scoped(b, _) => needs_fancy(b),
        Node::Alt(alts) => alts.iter().flatten().any(needs_fancy),
        _ => false,
    }
}

#[derive(Debug)]
enum Engine {
    /// `\A(?:body)\z` tried on the argument and on the argument without one
    /// trailing newline: Python's final `$` without lookahead.
    Plain(regex::Regex),
    /// Anything else: anchored at the start, `$` as lookahead.
    Fancy(fancy_regex::Regex),
}

/// A compiled `re.match(pattern + '$', subject)` of Python 3.11.
#[derive(Debug)]
pub struct PyRegex {
    engine: Engine,
    /// `IGNORECASE` is used somewhere: only its effect on ASCII text is
    /// reproduced, so subjects with other characters never match.
    ascii_subjects: bool,
}

/// Whether a scoped group turns `IGNORECASE` on anywhere in `node`.
fn uses_ignorecase(node: &Node) -> bool {
    match node {
        Node::Scoped(b, d) => d.ignorecase == Some(true) || uses_ignorecase(b),
        Node::Group(b)
        | Node::Repeat(b, ..)
        | Node::Look(b, _)
        | Node::LookBehind(b, _)
        | Node::Atomic(b, _) => uses_ignorecase(b),
        Node::Alt(alts) => alts.iter().flatten().any(uses_ignorecase),
        _ => false,
    }
}

/// Reads leading global flags `(?ms...)`; Python 3.11 only allows them at
/// the very start. Returns the flags and the rest of the pattern.
fn leading_flags(pattern: &str) -> Result<(Flags, bool, &str), PyReError> {
    let mut flags = Flags::default();
    let (mut ascii, mut unicode) = (false, false);
    let mut rest = pattern;
    while let Some(after) = rest.strip_prefix("(?") {
        let end = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (letters, tail) = after.split_at(end);
        if letters.is_empty() || !tail.starts_with(')') {
            break; // a group such as (?: or (?P<..>, or scoped flags
        }
        for l in letters.chars() {
            match l {
                's' => flags.dotall = true,
                'm' => flags.multiline = true,
                'i' => flags.ignorecase = true,
                'u' => unicode = true,
                'a' => ascii = true,
                'L' => return refuse("bad inline flags: cannot use 'L' flag with a str pattern"),
                other => return refuse(format!("flag {other:?} is not supported")),
            }
        }
        if ascii && unicode {
            return refuse("ASCII and UNICODE flags are incompatible");
        }
        rest = tail.get(1..).unwrap_or_default();
    }
    Ok((flags, ascii, rest))
}

impl PyRegex {
    /// Compiles `pattern` with Python's syntax (the `$` rootwrap appends is
    /// added here). Errors where Python raises `re.error` and where the
    /// pattern uses a construct that is not reproduced exactly.
    pub fn new(pattern: &str) -> Result<PyRegex, PyReError> {
        let (flags, ascii, body) = leading_flags(pattern)?;
        let full = format!("{body}$");
        let mut parser = Parser {
            chars: full.chars().collect(),
            pos: 0,
            groups: 0,
            names: Vec::new(),
            ascii,
            _src: std::marker::PhantomData,
        };
        let tree = parser.parse_alt(0)?;
        let ascii_subjects = flags.ignorecase || uses_ignorecase(&tree);
        // Fast path: a single top-level sequence ending in the appended `$`,
        // no other `$` or lookaround, not multiline.
        if let Node::Alt(alts) = &tree {
            if let [seq] = alts.as_slice() {
                let body_len = seq
                    .iter()
                    .rposition(|n| !matches!(n, Node::Eol))
                    .map_or(0, |i| i + 1);
                let (head, _) = seq.split_at(body_len);
                // Only when the pattern really ends in `$` (`a\\` + `$` is a
                // literal dollar, and a prefix match is enough).
                if body_len < seq.len() && !flags.multiline && !head.iter().any(needs_fancy) {
                    let mut out = String::from("\\A(?:");
                    for n in head {
                        emit(n, flags, &mut out, false)?;
                    }
                    out.push_str(")\\z");
                    let re = regex::RegexBuilder::new(&out)
                        .size_limit(1 << 22)
                        .build()
                        .map_err(|e| PyReError(format!("cannot compile: {e}")))?;
                    return Ok(PyRegex {
                        engine: Engine::Plain(re),
                        ascii_subjects,
                    });
                }
            }
        }
        let mut out = String::from("\\A(?:");
        emit(&tree, flags, &mut out, true)?;
        out.push(')');
        let re = fancy_regex::RegexBuilder::new(&out)
            .backtrack_limit(1_000_000)
            .delegate_size_limit(1 << 22)
            .build()
            .map_err(|e| PyReError(format!("cannot compile: {e}")))?;
        Ok(PyRegex {
            engine: Engine::Fancy(re),
            ascii_subjects,
        })
    }

    /// Whether `re.match(pattern + '$', subject)` matches (`subject` in match
    /// text form, see the module documentation). A run-time failure of the
    /// engine (backtracking limit) counts as no match.
    pub fn full_match(&self, subject: &str) -> bool {
        if self.ascii_subjects && !subject.is_ascii() {
            return false;
        }
        match &self.engine {
            Engine::Plain(re) => {
                re.is_match(subject) || subject.strip_suffix('\n').is_some_and(|s| re.is_match(s))
            }
            Engine::Fancy(re) => matches!(re.is_match(subject), Ok(true)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        match PyRegex::new(p) {
            Ok(re) => re.full_match(s),
            Err(e) => panic!("{p:?} refused: {e}"),
        }
    }

    #[test]
    fn anchoring_quirks() {
        assert!(m("a|b", "ax"));
        assert!(!m("a|b", "bx"));
        assert!(m("foo", "foo\n"));
        assert!(!m("foo", "foo\n\n"));
        assert!(m(".*", "x\n"));
        assert!(!m(".*", "a\nb"));
        assert!(m("(?m)^a", "a\nb"));
        assert!(m("(?s).*", "a\nb"));
        assert!(m("a$", "a\n"));
        assert!(!m("a\\Z", "a\n"));
        assert!(m("a\\Z", "a"));
    }

    #[test]
    fn real_filter_patterns() {
        assert!(m("/etc/(?!\\.\\.).*", "/etc/nova/nova.conf"));
        assert!(!m("/etc/(?!\\.\\.).*", "/etc/../shadow"));
        assert!(m("/dev/(?!.*/\\.\\.).*", "/dev/../etc/shadow"));
        assert!(m("^[/]*([^/\\0]+(/+)?)*$", "/var/lib/x"));
        assert!(m("echo '((.|\\n)*)' > /.*", "echo 'x'; id; echo 'y' > /x"));
        assert!(m("rm -f /.*/\\*\\.conf$", "rm -f /a/*.conf"));
        assert!(m("(--getsize64|--flushbufs)", "--flushbufs"));
        assert!(m("[0-9A-Fa-f:]+", "fe80::1"));
        assert!(m("\\d+", "٣"));
        assert!(m("blkio:\\S+", "blkio:x"));
        assert!(m("%.*", "%p"));
        assert!(m("-c[0-3]", "-c2"));
        assert!(m("\\s", "\u{1c}"));
    }

    #[test]
    fn python_syntax() {
        assert!(m("x{", "x{"));
        assert!(m("x{a}", "x{a}"));
        assert!(m("x{1", "x{1"));
        assert!(m("x{,2}", "xx"));
        assert!(m("[]a]+", "]a"));
        assert!(m("[^]a]", "b"));
        assert!(m("[[:digit:]]", "d]"));
        assert!(m("[a-]", "-"));
        assert!(m("\\101", "A"));
        assert!(m("[\\0]", "\0"));
        for bad in [
            "a**", "a{2}{3}", "*a", "(", ")", "[a", "\\e", "\\z", "\\p{L}", "(?<n>a)", "a(?i)b",
            "[z-a]", "\\1", "a{3,2}",
        ] {
            assert!(PyRegex::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn escaped_bytes() {
        let text = crate::pystr::match_text(b"a\xff").unwrap_or_default();
        assert!(m("a.", &text));
        assert!(m("a\\udcff", &text));
        assert!(!m("a\\w", &text));
        assert!(m("a[^x]", &text));
        assert!(m("a[\\x00-\\U0010ffff]", &text));
        assert!(!m("a[\\x00-\\udc7f]", &text));
        assert!(m("a[^\\d]", &text));
        assert!(PyRegex::new("\\U0010ff80").is_err());
    }

    #[test]
    fn lookaround_flags_and_boundaries() {
        assert!(!m("(?<=a)b", "ab"));
        assert!(m("a(?<=a)b", "ab"));
        assert!(m("a(?<!b)c", "ac"));
        assert!(PyRegex::new("(?<=a|bc)x").is_err());
        assert!(m("\\ba\\b", "a"));
        assert!(!m("\\B", ""));
        assert!(!m("a\\B", "a"));
        assert!(m("a\\Bb", "ab"));
        assert!(m("a\\b-", "a-"));
        assert!(!m("\\w\\b\\w", "é٣"));
        assert!(m("(?a:\\w)\\w", "aé"));
        assert!(!m("(?a)\\w", "é"));
        assert!(m("(?i)abc", "AbC"));
        assert!(m("(?i:a)b", "Ab"));
        assert!(!m("(?i:a)b", "AB"));
        assert!(m("(?i)[^a]", "b"));
        assert!(!m("(?i)[^a]", "A"));
        assert!(!m("(?i)a.", "aé"));
        assert!(PyRegex::new("(?i)é").is_err());
        assert!(m("(?s:.)a", "\na"));
        assert!(!m("(?-s:.)a", "\na"));
        assert!(m("(?>a*)b", "aab"));
        assert!(!m("a*+a", "aaa"));
        assert!(m("(?=a)*b", "b"));
        assert!(!m("(?=a)+b", "b"));
        for bad in ["a*+*", "(?i-i:a)", "(?x)a b", "(?L)a", "\\b*", "(?>"] {
            assert!(PyRegex::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn swallowed_dollar_is_a_prefix_match() {
        // `a\\` + `$` is the literal `a$`; re.match only needs a prefix.
        assert!(m("a\\", "a$x"));
        assert!(!m("a\\", "a"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let p = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
        assert!(PyRegex::new(&p).is_err());
    }
}
