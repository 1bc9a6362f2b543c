//! A port of CPython 3.11's `re/_parser.py` for str patterns: the same
//! tokenizer (a backslash and the character after it are one token), the
//! same decisions (what is a quantifier and what a literal `{`, octal
//! escapes versus group references, `]` first in a set, global flags only
//! at the start, verbose mode), the same errors, and the same tree,
//! including the rewrites that change meaning under `IGNORECASE`
//! (unpacking of plain `(?:...)` groups, common prefixes pulled out of
//! alternatives, alternatives of single characters turned into a set).
//!
//! Where a pattern uses something whose meaning is not reproduced (non-ASCII
//! group names, Python-`int()` group numbers such as `(?(+1)...)`,
//! the `t` flag), parsing stops with an "unsupported" [`PyReError`].

use std::collections::{BTreeMap, HashMap};

use super::PyReError;
use super::sets::{Cat, SetItem};

/// `_sre.MAXREPEAT`: an unbounded repeat.
pub(super) const MAXREPEAT: u32 = u32::MAX;
/// `_sre.MAXGROUPS`.
const MAXGROUPS: usize = 1_073_741_823;
/// `_parser.MAXWIDTH`.
pub(super) const MAXWIDTH: u128 = 1 << 64;
/// Deepest nesting of groups accepted (Python itself overflows its stack
/// somewhere above 400; deeper patterns are refused here).
pub(super) const MAX_DEPTH: usize = 100;

/// `SRE_FLAG_TEMPLATE` (`t`).
pub(super) const TEMPLATE: u32 = 1;
/// `SRE_FLAG_IGNORECASE` (`i`).
pub(super) const IGNORECASE: u32 = 2;
/// `SRE_FLAG_LOCALE` (`L`).
pub(super) const LOCALE: u32 = 4;
/// `SRE_FLAG_MULTILINE` (`m`).
pub(super) const MULTILINE: u32 = 8;
/// `SRE_FLAG_DOTALL` (`s`).
pub(super) const DOTALL: u32 = 16;
/// `SRE_FLAG_UNICODE` (`u`).
pub(super) const UNICODE: u32 = 32;
/// `SRE_FLAG_VERBOSE` (`x`).
pub(super) const VERBOSE: u32 = 64;
/// `SRE_FLAG_DEBUG`.
const DEBUG: u32 = 128;
/// `SRE_FLAG_ASCII` (`a`).
pub(super) const ASCII: u32 = 256;
const TYPE_FLAGS: u32 = ASCII | LOCALE | UNICODE;
const GLOBAL_FLAGS: u32 = DEBUG | TEMPLATE;

fn flag_bit(c: char) -> Option<u32> {
    Some(match c {
        'i' => IGNORECASE,
        'L' => LOCALE,
        'm' => MULTILINE,
        's' => DOTALL,
        'x' => VERBOSE,
        'a' => ASCII,
        't' => TEMPLATE,
        'u' => UNICODE,
        _ => return None,
    })
}

const SPECIAL_CHARS: &str = ".\\[{()*+?^$|";
const WHITESPACE: &str = " \t\n\r\u{b}\u{c}";

/// Zero-width assertions (`AT` codes, before the flags turn them into
/// their multiline/Unicode variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    /// `^`.
    Beginning,
    /// `\A`.
    BeginningString,
    /// `\b`.
    Boundary,
    /// `\B`.
    NonBoundary,
    /// `$`.
    End,
    /// `\Z`.
    EndString,
}

/// `MAX_REPEAT`, `MIN_REPEAT` or `POSSESSIVE_REPEAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RepeatKind {
    Greedy,
    Lazy,
    Possessive,
}

/// One opcode of a parsed subpattern (`_parser.SubPattern` items).
#[derive(Debug, Clone)]
pub(super) enum Op {
    Literal(u32),
    NotLiteral(u32),
    Any,
    In(Vec<SetItem>),
    At(At),
    Branch(Vec<Vec<Op>>),
    Sub {
        group: Option<usize>,
        add: u32,
        del: u32,
        p: Vec<Op>,
    },
    Repeat {
        kind: RepeatKind,
        min: u32,
        max: u32,
        item: Vec<Op>,
    },
    Atomic(Vec<Op>),
    Assert {
        behind: bool,
        negative: bool,
        p: Vec<Op>,
    },
    GroupRef(usize),
    GroupRefExists {
        group: usize,
        yes: Vec<Op>,
        no: Option<Vec<Op>>,
        /// Whether the group was already closed where the condition stands.
        closed: bool,
    },
}

impl Op {
    /// Python's `==` on `(op, av)` tuples, as `_parse_sub` uses it to find
    /// common prefixes: by value for simple opcodes; opcodes holding
    /// subpatterns compare by identity in Python, so never equal here.
    fn same(&self, other: &Op) -> bool {
        match (self, other) {
            (Op::Literal(a), Op::Literal(b)) | (Op::NotLiteral(a), Op::NotLiteral(b)) => a == b,
            (Op::Any, Op::Any) => true,
            (Op::In(a), Op::In(b)) => a == b,
            (Op::At(a), Op::At(b)) => a == b,
            (Op::GroupRef(a), Op::GroupRef(b)) => a == b,
            _ => false,
        }
    }
}

/// Python's `SubPattern.getwidth()`: (min, max) characters, capped at
/// [`MAXWIDTH`]. `groups` holds the widths of closed groups.
pub(super) fn width(ops: &[Op], groups: &[Option<(u128, u128)>]) -> (u128, u128) {
    let (mut lo, mut hi) = (0u128, 0u128);
    for op in ops {
        match op {
            Op::Branch(items) => {
                let (mut i, mut j) = (MAXWIDTH, 0u128);
                for item in items {
                    let (l, h) = width(item, groups);
                    i = i.min(l);
                    j = j.max(h);
                }
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Op::Atomic(p) | Op::Sub { p, .. } => {
                let (i, j) = width(p, groups);
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Op::Repeat { min, max, item, .. } => {
                let (i, j) = width(item, groups);
                lo = lo.saturating_add(i.saturating_mul(u128::from(*min)));
                if *max == MAXREPEAT && j > 0 {
                    hi = MAXWIDTH;
                } else {
                    hi = hi.saturating_add(j.saturating_mul(u128::from(*max)));
                }
            }
            Op::Literal(_) | Op::NotLiteral(_) | Op::Any | Op::In(_) => {
                lo = lo.saturating_add(1);
                hi = hi.saturating_add(1);
            }
            Op::GroupRef(g) => {
                let (i, j) = groups.get(*g).copied().flatten().unwrap_or((0, MAXWIDTH));
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Op::GroupRefExists { yes, no, .. } => {
                let (mut i, mut j) = width(yes, groups);
                match no {
                    Some(no) => {
                        let (l, h) = width(no, groups);
                        i = i.min(l);
                        j = j.max(h);
                    }
                    None => i = 0,
                }
                lo = lo.saturating_add(i);
                hi = hi.saturating_add(j);
            }
            Op::At(_) | Op::Assert { .. } => {}
        }
    }
    (lo.min(MAXWIDTH), hi.min(MAXWIDTH))
}

/// A parsed pattern.
#[derive(Debug)]
pub(super) struct Parsed {
    pub ops: Vec<Op>,
    /// The global flags after `fix_flags` (exactly one of `ASCII` and
    /// `UNICODE` is set).
    pub flags: u32,
    /// Widths of the groups, index 0 unused.
    pub group_widths: Vec<Option<(u128, u128)>>,
}

/// A token: one character, or a backslash and the character after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    C(char),
    E(char),
}

impl Tok {
    fn len(self) -> usize {
        match self {
            Tok::C(_) => 1,
            Tok::E(_) => 2,
        }
    }
    fn push_to(self, s: &mut String) {
        match self {
            Tok::C(c) => s.push(c),
            Tok::E(c) => {
                s.push('\\');
                s.push(c);
            }
        }
    }
    fn is_alpha_char(self) -> bool {
        matches!(self, Tok::C(c) if c.is_alphabetic())
    }
}

/// `_parser.Tokenizer`.
struct Source {
    chars: Vec<char>,
    index: usize,
    next: Option<Tok>,
}

fn error<T>(msg: impl Into<String>, pos: usize) -> Result<T, PyReError> {
    Err(PyReError::python(format!(
        "{} at position {pos}",
        msg.into()
    )))
}

fn unsupported<T>(msg: impl Into<String>, pos: usize) -> Result<T, PyReError> {
    Err(PyReError::unsupported(format!(
        "{} at position {pos}",
        msg.into()
    )))
}

impl Source {
    fn new(pattern: &str) -> Result<Source, PyReError> {
        let mut s = Source {
            chars: pattern.chars().collect(),
            index: 0,
            next: None,
        };
        s.advance()?;
        Ok(s)
    }
    fn advance(&mut self) -> Result<(), PyReError> {
        let Some(&c) = self.chars.get(self.index) else {
            self.next = None;
            return Ok(());
        };
        if c == '\\' {
            let Some(&d) = self.chars.get(self.index + 1) else {
                return error(
                    "bad escape (end of pattern)",
                    self.chars.len().saturating_sub(1),
                );
            };
            self.index += 2;
            self.next = Some(Tok::E(d));
        } else {
            self.index += 1;
            self.next = Some(Tok::C(c));
        }
        Ok(())
    }
    fn matches(&mut self, c: char) -> Result<bool, PyReError> {
        if self.next == Some(Tok::C(c)) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }
    fn get(&mut self) -> Result<Option<Tok>, PyReError> {
        let this = self.next;
        self.advance()?;
        Ok(this)
    }
    fn next_is(&self, pred: fn(char) -> bool) -> bool {
        matches!(self.next, Some(Tok::C(c)) if pred(c))
    }
    fn getwhile(&mut self, n: usize, pred: fn(char) -> bool) -> Result<String, PyReError> {
        let mut result = String::new();
        for _ in 0..n {
            match self.next {
                Some(Tok::C(c)) if pred(c) => {
                    result.push(c);
                    self.advance()?;
                }
                _ => break,
            }
        }
        Ok(result)
    }
    fn getuntil(&mut self, terminator: char, name: &str) -> Result<String, PyReError> {
        let mut result = String::new();
        loop {
            let c = self.next;
            self.advance()?;
            match c {
                None => {
                    if result.is_empty() {
                        return error(format!("missing {name}"), self.tell());
                    }
                    return error(
                        format!("missing {terminator}, unterminated name"),
                        self.tell(),
                    );
                }
                Some(Tok::C(t)) if t == terminator => {
                    if result.is_empty() {
                        return error(format!("missing {name}"), self.tell());
                    }
                    return Ok(result);
                }
                Some(t) => t.push_to(&mut result),
            }
        }
    }
    fn tell(&self) -> usize {
        self.index.saturating_sub(self.next.map_or(0, |t| t.len()))
    }
    fn seek(&mut self, index: usize) -> Result<(), PyReError> {
        self.index = index;
        self.advance()
    }
}

/// `_parser.State`.
struct State {
    flags: u32,
    groupdict: HashMap<String, usize>,
    groupwidths: Vec<Option<(u128, u128)>>,
    lookbehindgroups: Option<usize>,
    grouprefpos: BTreeMap<usize, usize>,
}

impl State {
    fn groups(&self) -> usize {
        self.groupwidths.len()
    }
    fn opengroup(&mut self, name: Option<String>, pos: usize) -> Result<usize, PyReError> {
        let gid = self.groups();
        self.groupwidths.push(None);
        if self.groups() > MAXGROUPS {
            return error("too many groups", pos);
        }
        if let Some(name) = name {
            if let Some(ogid) = self.groupdict.get(&name) {
                return error(
                    format!("redefinition of group name {name:?} as group {gid}; was group {ogid}"),
                    pos,
                );
            }
            self.groupdict.insert(name, gid);
        }
        Ok(gid)
    }
    fn closegroup(&mut self, gid: usize, p: &[Op]) {
        let w = width(p, &self.groupwidths);
        if let Some(slot) = self.groupwidths.get_mut(gid) {
            *slot = Some(w);
        }
    }
    fn checkgroup(&self, gid: usize) -> bool {
        self.groupwidths.get(gid).is_some_and(Option::is_some)
    }
    fn checklookbehindgroup(&self, gid: usize, pos: usize) -> Result<(), PyReError> {
        if let Some(lbg) = self.lookbehindgroups {
            if !self.checkgroup(gid) {
                return error("cannot refer to an open group", pos);
            }
            if gid >= lbg {
                return error(
                    "cannot refer to group defined in the same lookbehind subpattern",
                    pos,
                );
            }
        }
        Ok(())
    }
}

/// `str.isidentifier()` for ASCII names; non-ASCII names are refused.
fn check_group_name(name: &str, pos: usize) -> Result<(), PyReError> {
    if !name.is_ascii() {
        return unsupported(format!("non-ASCII group name {name:?}"), pos);
    }
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        error(format!("bad character in group name {name:?}"), pos)
    }
}

/// Whether Python's `int(s)` accepts `s` with a value that is not
/// negative (`" 1"`, `"+1"`, `"1_0"`, `"-0"`).
fn py_int_negative_ok(s: &str) -> bool {
    crate::str::py_int(s).is_ok_and(|v| !v.starts_with('-'))
}

fn is_octdigit(c: char) -> bool {
    ('0'..='7').contains(&c)
}
fn is_hexdigit(c: char) -> bool {
    c.is_ascii_hexdigit()
}

/// `int(digits)` for an ASCII digit string, `None` when at least `limit`.
fn int_below(digits: &str, limit: u64) -> Option<u64> {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 19 {
        return None;
    }
    let value = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse::<u64>().ok()?
    };
    (value < limit).then_some(value)
}

/// What an escape stands for.
enum Escape {
    Literal(u32),
    Category(Cat),
    At(At),
    GroupRef(usize),
}

fn category_escape(c: char) -> Option<Cat> {
    Some(match c {
        'd' => Cat::Digit,
        'D' => Cat::NotDigit,
        's' => Cat::Space,
        'S' => Cat::NotSpace,
        'w' => Cat::Word,
        'W' => Cat::NotWord,
        _ => return None,
    })
}

fn simple_escape(c: char) -> Option<u32> {
    Some(match c {
        'a' => 7,
        'b' => 8,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => 92,
        _ => return None,
    })
}

/// `\x`, `\u`, `\U` (after the letter): exactly `n` hex digits.
fn hex_escape(src: &mut Source, letter: char, n: usize) -> Result<u32, PyReError> {
    let start = src.tell().saturating_sub(2);
    let digits = src.getwhile(n, is_hexdigit)?;
    if digits.chars().count() != n {
        return error(format!("incomplete escape \\{letter}{digits}"), start);
    }
    let value = u32::from_str_radix(&digits, 16).unwrap_or(u32::MAX);
    if value > super::sets::MAX_CP {
        // chr() raises ValueError: "bad escape".
        return error(format!("bad escape \\{letter}{digits}"), start);
    }
    Ok(value)
}

/// `\N{NAME}`: the character named (see [`super::names`]), with Python's
/// errors (`missing {`, `missing character name`, an unterminated name, an
/// undefined name).
fn named_escape(src: &mut Source, start: usize) -> Result<u32, PyReError> {
    if !src.matches('{')? {
        return error("missing {", src.tell());
    }
    let name = src.getuntil('}', "character name")?;
    match super::names::lookup(&name) {
        Some(c) => Ok(c),
        None => error(format!("undefined character name '{name}'"), start),
    }
}

/// `_class_escape`: an escape inside `[...]`, `c` being the character after
/// the backslash.
fn class_escape(src: &mut Source, c: char) -> Result<SetItem, PyReError> {
    let start = src.tell().saturating_sub(2);
    if let Some(v) = simple_escape(c) {
        return Ok(SetItem::Literal(v));
    }
    if let Some(cat) = category_escape(c) {
        return Ok(SetItem::Category(cat));
    }
    match c {
        'x' => Ok(SetItem::Literal(hex_escape(src, 'x', 2)?)),
        'u' => Ok(SetItem::Literal(hex_escape(src, 'u', 4)?)),
        'U' => Ok(SetItem::Literal(hex_escape(src, 'U', 8)?)),
        'N' => Ok(SetItem::Literal(named_escape(src, start)?)),
        '0'..='7' => {
            let mut digits = String::from(c);
            digits.push_str(&src.getwhile(2, is_octdigit)?);
            let value = u32::from_str_radix(&digits, 8).unwrap_or(u32::MAX);
            if value > 0o377 {
                return error(
                    format!("octal escape value \\{digits} outside of range 0-0o377"),
                    start,
                );
            }
            Ok(SetItem::Literal(value))
        }
        '8' | '9' => error(format!("bad escape \\{c}"), start),
        c if c.is_ascii_alphabetic() => error(format!("bad escape \\{c}"), start),
        c => Ok(SetItem::Literal(u32::from(c))),
    }
}

/// `_escape`: an escape outside sets.
fn escape(src: &mut Source, c: char, state: &State) -> Result<Escape, PyReError> {
    let start = src.tell().saturating_sub(2);
    match c {
        'A' => return Ok(Escape::At(At::BeginningString)),
        'b' => return Ok(Escape::At(At::Boundary)),
        'B' => return Ok(Escape::At(At::NonBoundary)),
        'Z' => return Ok(Escape::At(At::EndString)),
        _ => {}
    }
    if let Some(cat) = category_escape(c) {
        return Ok(Escape::Category(cat));
    }
    if let Some(v) = simple_escape(c) {
        return Ok(Escape::Literal(v));
    }
    match c {
        'x' => Ok(Escape::Literal(hex_escape(src, 'x', 2)?)),
        'u' => Ok(Escape::Literal(hex_escape(src, 'u', 4)?)),
        'U' => Ok(Escape::Literal(hex_escape(src, 'U', 8)?)),
        'N' => Ok(Escape::Literal(named_escape(src, start)?)),
        '0' => {
            let digits = src.getwhile(2, is_octdigit)?;
            Ok(Escape::Literal(
                u32::from_str_radix(&format!("0{digits}"), 8).unwrap_or(0),
            ))
        }
        '1'..='9' => {
            // Octal escape *or* decimal group reference.
            let mut digits = String::from(c);
            if let Some(Tok::C(d)) = src.next {
                if d.is_ascii_digit() {
                    src.get()?;
                    digits.push(d);
                    if is_octdigit(c) && is_octdigit(d) && src.next_is(is_octdigit) {
                        if let Some(Tok::C(e)) = src.get()? {
                            digits.push(e);
                        }
                        let value = u32::from_str_radix(&digits, 8).unwrap_or(u32::MAX);
                        if value > 0o377 {
                            return error(
                                format!("octal escape value \\{digits} outside of range 0-0o377"),
                                start,
                            );
                        }
                        return Ok(Escape::Literal(value));
                    }
                }
            }
            let group = digits.parse::<usize>().unwrap_or(usize::MAX);
            if group < state.groups() {
                if !state.checkgroup(group) {
                    return error("cannot refer to an open group", start);
                }
                state.checklookbehindgroup(group, start)?;
                return Ok(Escape::GroupRef(group));
            }
            error(format!("invalid group reference {group}"), start + 1)
        }
        c if c.is_ascii_alphabetic() => error(format!("bad escape \\{c}"), start),
        c => Ok(Escape::Literal(u32::from(c))),
    }
}

struct Parser {
    src: Source,
    state: State,
}

/// Parses a str pattern as `re.compile` would (parse, `fix_flags`, and the
/// checks `_compiler` makes, except lookbehind widths which the caller
/// checks).
pub(super) fn parse(pattern: &str) -> Result<Parsed, PyReError> {
    parse_flags(pattern, 0)
}

/// `_parser.parse(str, flags)`: [`parse`] with flags given from outside
/// (`re.compile(pattern, flags)`).
pub(super) fn parse_flags(pattern: &str, flags: u32) -> Result<Parsed, PyReError> {
    let mut parser = Parser {
        src: Source::new(pattern)?,
        state: State {
            flags,
            groupdict: HashMap::new(),
            groupwidths: vec![None],
            lookbehindgroups: None,
            grouprefpos: BTreeMap::new(),
        },
    };
    let ops = parser.parse_sub(false, 0)?;
    let mut flags = parser.state.flags;
    // fix_flags (ValueError in Python, which rootwrap does not catch: the
    // command is denied either way).
    if flags & LOCALE != 0 {
        return error("cannot use LOCALE flag with a str pattern", 0);
    }
    if flags & ASCII == 0 {
        flags |= UNICODE;
    } else if flags & UNICODE != 0 {
        return error("ASCII and UNICODE flags are incompatible", 0);
    }
    if parser.src.next.is_some() {
        return error("unbalanced parenthesis", parser.src.tell());
    }
    for (&g, &pos) in &parser.state.grouprefpos {
        if g >= parser.state.groups() {
            return error(format!("invalid group reference {g}"), pos);
        }
    }
    if flags & TEMPLATE != 0 {
        return unsupported("the TEMPLATE flag is not supported", 0);
    }
    Ok(Parsed {
        ops,
        flags,
        group_widths: parser.state.groupwidths,
    })
}

impl Parser {
    /// `_parse_sub`: alternatives.
    fn parse_sub(&mut self, mut verbose: bool, nested: usize) -> Result<Vec<Op>, PyReError> {
        let mut items: Vec<Vec<Op>> = Vec::new();
        loop {
            let first = nested == 0 && items.is_empty();
            items.push(self.parse_seq(verbose, nested + 1, first)?);
            if !self.src.matches('|')? {
                break;
            }
            if nested == 0 {
                verbose = self.state.flags & VERBOSE != 0;
            }
        }
        if items.len() == 1 {
            return Ok(items.pop().unwrap_or_default());
        }
        let mut subpattern = Vec::new();
        // Pull a common prefix out of the alternatives.
        loop {
            let mut prefix: Option<&Op> = None;
            let mut all_same = true;
            for item in &items {
                let Some(head) = item.first() else {
                    all_same = false;
                    break;
                };
                match prefix {
                    None => prefix = Some(head),
                    Some(p) if p.same(head) => {}
                    Some(_) => {
                        all_same = false;
                        break;
                    }
                }
            }
            if !all_same {
                break;
            }
            let mut head = None;
            for item in &mut items {
                if !item.is_empty() {
                    head = Some(item.remove(0));
                }
            }
            match head {
                Some(op) => subpattern.push(op),
                None => break,
            }
        }
        // Alternatives of single characters become a set.
        let mut set: Vec<SetItem> = Vec::new();
        let mut all_chars = true;
        for item in &items {
            match item.as_slice() {
                [Op::Literal(c)] => set.push(SetItem::Literal(*c)),
                [Op::In(members)] if members.first() != Some(&SetItem::Negate) => {
                    set.extend_from_slice(members);
                }
                _ => {
                    all_chars = false;
                    break;
                }
            }
        }
        if all_chars {
            subpattern.push(Op::In(uniq(set)));
        } else {
            subpattern.push(Op::Branch(items));
        }
        Ok(subpattern)
    }

    /// `_parse`: one alternative.
    fn parse_seq(
        &mut self,
        mut verbose: bool,
        nested: usize,
        first: bool,
    ) -> Result<Vec<Op>, PyReError> {
        if nested > 2 * MAX_DEPTH + 2 {
            return unsupported("too deeply nested", self.src.tell());
        }
        let mut sub: Vec<Op> = Vec::new();
        while let Some(this) = self.src.next {
            if this == Tok::C('|') || this == Tok::C(')') {
                break;
            }
            self.src.get()?;
            if verbose {
                if let Tok::C(c) = this {
                    if WHITESPACE.contains(c) {
                        continue;
                    }
                    if c == '#' {
                        loop {
                            match self.src.get()? {
                                None | Some(Tok::C('\n')) => break,
                                Some(_) => {}
                            }
                        }
                        continue;
                    }
                }
            }
            let c = match this {
                Tok::E(c) => {
                    sub.push(match escape(&mut self.src, c, &self.state)? {
                        Escape::Literal(v) => Op::Literal(v),
                        Escape::Category(cat) => Op::In(vec![SetItem::Category(cat)]),
                        Escape::At(at) => Op::At(at),
                        Escape::GroupRef(g) => Op::GroupRef(g),
                    });
                    continue;
                }
                Tok::C(c) => c,
            };
            if !SPECIAL_CHARS.contains(c) {
                sub.push(Op::Literal(u32::from(c)));
                continue;
            }
            match c {
                '[' => {
                    let here = self.src.tell().saturating_sub(1);
                    sub.push(self.parse_set(here)?);
                }
                '*' | '+' | '?' | '{' => {
                    if !self.parse_repeat(c, &mut sub)? {
                        sub.push(Op::Literal(u32::from('{')));
                    }
                }
                '.' => sub.push(Op::Any),
                '(' => {
                    if let Some(op) = self.parse_group(&mut verbose, nested, first, &sub)? {
                        sub.push(op);
                    }
                }
                '^' => sub.push(Op::At(At::Beginning)),
                '$' => sub.push(Op::At(At::End)),
                _ => return error(format!("unsupported special character {c:?}"), 0),
            }
        }
        // Unpack non-capturing groups without flags.
        let mut out = Vec::with_capacity(sub.len());
        for op in sub {
            match op {
                Op::Sub {
                    group: None,
                    add: 0,
                    del: 0,
                    p,
                } => out.extend(p),
                other => out.push(other),
            }
        }
        Ok(out)
    }

    /// A set, after its `[`.
    fn parse_set(&mut self, here: usize) -> Result<Op, PyReError> {
        let mut set: Vec<SetItem> = Vec::new();
        let negate = self.src.matches('^')?;
        loop {
            let Some(this) = self.src.get()? else {
                return error("unterminated character set", here);
            };
            if this == Tok::C(']') && !set.is_empty() {
                break;
            }
            let code1 = match this {
                Tok::E(c) => class_escape(&mut self.src, c)?,
                Tok::C(c) => SetItem::Literal(u32::from(c)),
            };
            if self.src.matches('-')? {
                let Some(that) = self.src.get()? else {
                    return error("unterminated character set", here);
                };
                if that == Tok::C(']') {
                    set.push(code1);
                    set.push(SetItem::Literal(u32::from('-')));
                    break;
                }
                let code2 = match that {
                    Tok::E(c) => class_escape(&mut self.src, c)?,
                    Tok::C(c) => SetItem::Literal(u32::from(c)),
                };
                match (code1, code2) {
                    (SetItem::Literal(lo), SetItem::Literal(hi)) if lo <= hi => {
                        set.push(SetItem::Range(lo, hi));
                    }
                    _ => return error("bad character range", self.src.tell()),
                }
            } else {
                set.push(code1);
            }
        }
        let set = uniq(set);
        if let [SetItem::Literal(c)] = set.as_slice() {
            return Ok(if negate {
                Op::NotLiteral(*c)
            } else {
                Op::Literal(*c)
            });
        }
        let mut items = Vec::with_capacity(set.len() + 1);
        if negate {
            items.push(SetItem::Negate);
        }
        items.extend(set);
        Ok(Op::In(items))
    }

    /// A quantifier `q` (already read). Returns `false` when a `{` turns
    /// out to be a literal (the caller adds it).
    fn parse_repeat(&mut self, q: char, sub: &mut Vec<Op>) -> Result<bool, PyReError> {
        let here = self.src.tell();
        let (min, max) = match q {
            '?' => (0, 1),
            '*' => (0, MAXREPEAT),
            '+' => (1, MAXREPEAT),
            _ => {
                if self.src.next == Some(Tok::C('}')) {
                    return Ok(false);
                }
                let mut lo = String::new();
                while let Some(Tok::C(d)) = self.src.next {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    lo.push(d);
                    self.src.get()?;
                }
                let mut hi = String::new();
                if self.src.matches(',')? {
                    while let Some(Tok::C(d)) = self.src.next {
                        if !d.is_ascii_digit() {
                            break;
                        }
                        hi.push(d);
                        self.src.get()?;
                    }
                } else {
                    hi.clone_from(&lo);
                }
                if !self.src.matches('}')? {
                    self.src.seek(here)?;
                    return Ok(false);
                }
                let count = |s: &str| -> Result<u32, PyReError> {
                    // int() refuses more than 4300 digits (ValueError);
                    // MAXREPEAT and above is an OverflowError.
                    match int_below(s, u64::from(MAXREPEAT)) {
                        Some(v) if s.len() <= 4300 => Ok(u32::try_from(v).unwrap_or(MAXREPEAT)),
                        _ => error("the repetition number is too large", here),
                    }
                };
                let min = if lo.is_empty() { 0 } else { count(&lo)? };
                let max = if hi.is_empty() {
                    MAXREPEAT
                } else {
                    let max = count(&hi)?;
                    if max < min {
                        return error("min repeat greater than max repeat", here);
                    }
                    max
                };
                (min, max)
            }
        };
        match sub.last() {
            None | Some(Op::At(_)) => return error("nothing to repeat", here.saturating_sub(1)),
            Some(Op::Repeat { .. }) => return error("multiple repeat", here.saturating_sub(1)),
            Some(_) => {}
        }
        let item = match sub.pop() {
            Some(Op::Sub {
                group: None,
                add: 0,
                del: 0,
                p,
            }) => p,
            Some(other) => vec![other],
            None => Vec::new(),
        };
        let kind = if self.src.matches('?')? {
            RepeatKind::Lazy
        } else if self.src.matches('+')? {
            RepeatKind::Possessive
        } else {
            RepeatKind::Greedy
        };
        sub.push(Op::Repeat {
            kind,
            min,
            max,
            item,
        });
        Ok(true)
    }

    /// A group, after its `(`. `None` when nothing is added (comments,
    /// global flags).
    fn parse_group(
        &mut self,
        verbose: &mut bool,
        nested: usize,
        first: bool,
        sub: &[Op],
    ) -> Result<Option<Op>, PyReError> {
        let start = self.src.tell().saturating_sub(1);
        let mut capture = true;
        let mut atomic = false;
        let mut name = None;
        let (mut add, mut del) = (0, 0);
        if self.src.matches('?')? {
            let Some(ch) = self.src.get()? else {
                return error("unexpected end of pattern", self.src.tell());
            };
            match ch {
                Tok::C('P') => {
                    if self.src.matches('<')? {
                        let n = self.src.getuntil('>', "group name")?;
                        check_group_name(&n, self.src.tell())?;
                        name = Some(n);
                    } else if self.src.matches('=')? {
                        let n = self.src.getuntil(')', "group name")?;
                        let pos = self.src.tell();
                        check_group_name(&n, pos)?;
                        let Some(&gid) = self.state.groupdict.get(&n) else {
                            return error(format!("unknown group name {n:?}"), pos);
                        };
                        if !self.state.checkgroup(gid) {
                            return error("cannot refer to an open group", pos);
                        }
                        self.state.checklookbehindgroup(gid, pos)?;
                        return Ok(Some(Op::GroupRef(gid)));
                    } else {
                        return match self.src.get()? {
                            None => error("unexpected end of pattern", self.src.tell()),
                            Some(_) => error("unknown extension ?P", self.src.tell()),
                        };
                    }
                }
                Tok::C(':') => capture = false,
                Tok::C('#') => loop {
                    if self.src.next.is_none() {
                        return error("missing ), unterminated comment", start);
                    }
                    if self.src.get()? == Some(Tok::C(')')) {
                        return Ok(None);
                    }
                },
                Tok::C(c @ ('=' | '!' | '<')) => {
                    let mut negative = c == '!';
                    let behind = c == '<';
                    let mut set_lookbehind = false;
                    if behind {
                        match self.src.get()? {
                            None => return error("unexpected end of pattern", self.src.tell()),
                            Some(Tok::C(d @ ('=' | '!'))) => negative = d == '!',
                            Some(_) => return error("unknown extension ?<", self.src.tell()),
                        }
                        if self.state.lookbehindgroups.is_none() {
                            self.state.lookbehindgroups = Some(self.state.groups());
                            set_lookbehind = true;
                        }
                    }
                    let p = self.parse_sub(*verbose, nested + 1)?;
                    if set_lookbehind {
                        self.state.lookbehindgroups = None;
                    }
                    if !self.src.matches(')')? {
                        return error("missing ), unterminated subpattern", start);
                    }
                    return Ok(Some(Op::Assert {
                        behind,
                        negative,
                        p,
                    }));
                }
                Tok::C('(') => return self.parse_conditional(*verbose, nested, start).map(Some),
                Tok::C('>') => {
                    capture = false;
                    atomic = true;
                }
                Tok::C(c) if flag_bit(c).is_some() || c == '-' => match self.parse_flags(c)? {
                    None => {
                        if !first || !sub.is_empty() {
                            return error("global flags not at the start of the expression", start);
                        }
                        *verbose = self.state.flags & VERBOSE != 0;
                        return Ok(None);
                    }
                    Some((a, d)) => {
                        add = a;
                        del = d;
                        capture = false;
                    }
                },
                Tok::C(_) | Tok::E(_) => return error("unknown extension", self.src.tell()),
            }
        }
        let group = if capture {
            Some(self.state.opengroup(name, start)?)
        } else {
            None
        };
        let sub_verbose = (*verbose || add & VERBOSE != 0) && del & VERBOSE == 0;
        let p = self.parse_sub(sub_verbose, nested + 1)?;
        if !self.src.matches(')')? {
            return error("missing ), unterminated subpattern", start);
        }
        if let Some(g) = group {
            self.state.closegroup(g, &p);
        }
        Ok(Some(if atomic {
            Op::Atomic(p)
        } else {
            Op::Sub { group, add, del, p }
        }))
    }

    /// `(?(id/name)yes|no)`, after `(?(`.
    fn parse_conditional(
        &mut self,
        verbose: bool,
        nested: usize,
        start: usize,
    ) -> Result<Op, PyReError> {
        let condname = self.src.getuntil(')', "group name")?;
        let pos = self.src.tell();
        let ascii_identifier = check_group_name(&condname, pos).is_ok();
        let group = if ascii_identifier {
            match self.state.groupdict.get(&condname) {
                Some(&g) => g,
                None => return error(format!("unknown group name {condname:?}"), pos),
            }
        } else if !condname.is_empty() && condname.chars().all(|c| c.is_ascii_digit()) {
            let Some(g) = int_below(&condname, MAXGROUPS as u64).filter(|_| condname.len() <= 4300)
            else {
                return error(format!("invalid group reference {condname}"), pos);
            };
            let g = usize::try_from(g).unwrap_or(MAXGROUPS);
            if g == 0 {
                return error("bad group number", pos);
            }
            self.state.grouprefpos.entry(g).or_insert(pos);
            g
        } else if condname.is_ascii() && !py_int_negative_ok(&condname) {
            // Not an identifier and int() rejects it or gives a negative
            // number: Python's "bad character in group name".
            return error(format!("bad character in group name {condname:?}"), pos);
        } else {
            // Python's int() also accepts " 1", "+1", "1_0", non-ASCII
            // digits...; isidentifier() accepts non-ASCII names.
            return unsupported(format!("group condition {condname:?}"), pos);
        };
        self.state.checklookbehindgroup(group, pos)?;
        let closed = self.state.checkgroup(group);
        let yes = self.parse_seq(verbose, nested + 1, false)?;
        let no = if self.src.matches('|')? {
            let no = self.parse_seq(verbose, nested + 1, false)?;
            if self.src.next == Some(Tok::C('|')) {
                return error(
                    "conditional backref with more than two branches",
                    self.src.tell(),
                );
            }
            Some(no)
        } else {
            None
        };
        if !self.src.matches(')')? {
            return error("missing ), unterminated subpattern", start);
        }
        Ok(Op::GroupRefExists {
            group,
            yes,
            no,
            closed,
        })
    }

    /// `_parse_flags`, `first` being the character after `(?`. `None` for
    /// global flags (recorded in the state).
    fn parse_flags(&mut self, first: char) -> Result<Option<(u32, u32)>, PyReError> {
        let (mut add, mut del) = (0u32, 0u32);
        let mut ch = Tok::C(first);
        if first != '-' {
            loop {
                let Tok::C(c) = ch else {
                    return error("unknown flag", self.src.tell());
                };
                let Some(flag) = flag_bit(c) else {
                    return error("unknown flag", self.src.tell());
                };
                if c == 'L' {
                    return error(
                        "bad inline flags: cannot use 'L' flag with a str pattern",
                        self.src.tell(),
                    );
                }
                add |= flag;
                if flag & TYPE_FLAGS != 0 && add & TYPE_FLAGS != flag {
                    return error(
                        "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                        self.src.tell(),
                    );
                }
                match self.src.get()? {
                    None => return error("missing -, : or )", self.src.tell()),
                    Some(t @ Tok::C(')' | '-' | ':')) => {
                        ch = t;
                        break;
                    }
                    Some(t @ Tok::C(c)) if flag_bit(c).is_some() => ch = t,
                    Some(t) => {
                        let msg = if t.is_alpha_char() {
                            "unknown flag"
                        } else {
                            "missing -, : or )"
                        };
                        return error(msg, self.src.tell());
                    }
                }
            }
        }
        if ch == Tok::C(')') {
            self.state.flags |= add;
            return Ok(None);
        }
        if add & GLOBAL_FLAGS != 0 {
            return error(
                "bad inline flags: cannot turn on global flag",
                self.src.tell(),
            );
        }
        if ch == Tok::C('-') {
            let mut t = match self.src.get()? {
                None => return error("missing flag", self.src.tell()),
                Some(t @ Tok::C(c)) if flag_bit(c).is_some() => t,
                Some(t) => {
                    let msg = if t.is_alpha_char() {
                        "unknown flag"
                    } else {
                        "missing flag"
                    };
                    return error(msg, self.src.tell());
                }
            };
            loop {
                let flag = match t {
                    Tok::C(c) => flag_bit(c).unwrap_or(0),
                    Tok::E(_) => 0,
                };
                if flag & TYPE_FLAGS != 0 {
                    return error(
                        "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                        self.src.tell(),
                    );
                }
                del |= flag;
                match self.src.get()? {
                    None => return error("missing :", self.src.tell()),
                    Some(Tok::C(':')) => break,
                    Some(n @ Tok::C(c)) if flag_bit(c).is_some() => t = n,
                    Some(n) => {
                        let msg = if n.is_alpha_char() {
                            "unknown flag"
                        } else {
                            "missing :"
                        };
                        return error(msg, self.src.tell());
                    }
                }
            }
        }
        if del & GLOBAL_FLAGS != 0 {
            return error(
                "bad inline flags: cannot turn off global flag",
                self.src.tell(),
            );
        }
        if add & del != 0 {
            return error("bad inline flags: flag turned on and off", self.src.tell());
        }
        Ok(Some((add, del)))
    }
}

/// `_uniq`: drops repeated items, keeping the first.
fn uniq(items: Vec<SetItem>) -> Vec<SetItem> {
    let mut out: Vec<SetItem> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
