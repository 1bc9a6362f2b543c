//! The fast path of [`super::safe_load`] for block-style documents: what
//! `oslo-config-generator --format yaml` writes (opt-data), operators'
//! commented `policy.yaml` files with plain or quoted rules, catalogues
//! with `|`/`>` block scalars. It reads the bytes once, straight into
//! [`Value`]s, where the full loader scans with `yaml-rust2` twice (once
//! to check its tokens against PyYAML's rules, once to parse), builds a
//! node graph and copies every scalar into the values.
//!
//! It reads a subset of YAML on which PyYAML, `yaml-rust2` and the full
//! loader's checks agree, and gives up (`None`) on anything else, so that
//! the full loader decides, errors included:
//!
//! * block mappings of single-line keys (plain or quoted, within 1,000
//!   bytes of their `:`) and block sequences, nested (compact `- a: 1` and
//!   `- - a` forms, sequences at their mapping's column), with comment and
//!   blank lines anywhere;
//! * plain scalars over several lines (folded as PyYAML folds them; each
//!   continuation line indented past the enclosing collection), resolved
//!   and constructed by the full loader's own YAML 1.1 functions
//!   (`super::plain_value`); merge (`<<`) and value (`=`) keys give up;
//! * single- and double-quoted scalars over several lines (every escape
//!   `yaml-rust2` and PyYAML share, escaped line breaks; continuation
//!   lines indented past the enclosing collection), and `|`/`>` block
//!   scalars with an optional chomping indicator and no indentation
//!   indicator, whose first line is a content line;
//! * `[]`, `{}` and one-line flow sequences of quoted scalars and plain
//!   scalars of `[0-9A-Za-z_./+-]` and spaces.
//!
//! It gives up on anything else: tabs, carriage returns, control and
//! non-printable characters, a BOM inside the text, `\uD800`-style
//! escapes, document markers and directives, anchors, aliases and tags,
//! explicit keys, scalar documents, nesting deeper than 64 levels, more
//! than a million values. This module's tests check, on 30,000 generated
//! block documents (a third of them on this path), that whenever it gives
//! a value the full loader gives the same one, and so does PyYAML's
//! `yaml.safe_load`; the `policy_yaml` fuzz target compares the two
//! loaders on any input.

use crate::value::{DictBuilder, Value};

/// Deeper documents go through the full loader (and its limits); this
/// also bounds the recursion here.
const MAX_DEPTH: usize = 64;

/// PyYAML forgets a possible simple key 1,024 characters after its start;
/// keys this long (in bytes, which is never fewer) take the full path.
const MAX_KEY_SPAN: usize = 1000;

/// Documents with more values take the full path (and its limit).
const MAX_NODES: usize = super::MAX_NODES / 2;

/// The document, or `None` when the full loader must decide.
pub(super) fn load(text: &str) -> Option<Value> {
    if !clean(text) || has_surrogate_escape(text) {
        return None;
    }
    let mut p = Block {
        s: text.as_bytes(),
        text,
        i: 0,
        nodes: 0,
    };
    let Some(col) = p.line()? else {
        return Some(Value::None);
    };
    p.i += col;
    let value = if p.is_dash(p.i) {
        p.sequence(col, 0)?
    } else if p.key_ahead() {
        p.mapping(col, 0)?
    } else {
        return None;
    };
    match p.line()? {
        None => Some(value),
        Some(_) => None,
    }
}

/// Whether every character is one the subset allows: printable, no tab,
/// no carriage return, no BOM, no line break but `\n`.
fn clean(text: &str) -> bool {
    let s = text.as_bytes();
    // Printable ASCII and line breaks, eight bytes at a time (exact per
    // byte: no carry crosses a byte once every byte is below 0x80).
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |x: u64| !((x + LOW * 0x7f) | x) & HIGH;
    let mut i = 0;
    for chunk in s.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if w & HIGH != 0 {
            break;
        }
        let below_space = !(w + LOW * (0x80 - 0x20)) & HIGH;
        let newline = zero_bytes(w ^ (LOW * u64::from(b'\n')));
        let del = zero_bytes(w ^ (LOW * 0x7f));
        if (below_space & !newline) | del != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = s.get(i) {
        if b < 0x80 {
            if (b < 0x20 && b != b'\n') || b == 0x7f {
                return false;
            }
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            return false;
        };
        let printable = matches!(u32::from(c),
            0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}');
        if !printable {
            return false;
        }
        i += c.len_utf8();
    }
    true
}

/// Whether `\u` is followed by a surrogate's first two hex digits
/// anywhere (the full loader rewrites those escapes first).
fn has_surrogate_escape(text: &str) -> bool {
    text.contains("\\u")
        && text.as_bytes().windows(4).any(|w| {
            matches!(w, [b'\\', b'u', b'd' | b'D', d] if matches!(d, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F'))
        })
}

fn is_ws_or_end(b: Option<&u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\n'))
}

/// Where a plain scalar's line ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// At a line break or the end of the text.
    Eol,
    /// At a `:` followed by a space or a line break.
    Colon,
    /// At a `#` after a space.
    Comment,
}

struct Block<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    /// Values read so far.
    nodes: usize,
}

impl Block<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    /// `-` followed by a space, a line break or the end.
    fn is_dash(&self, at: usize) -> bool {
        self.s.get(at) == Some(&b'-') && is_ws_or_end(self.s.get(at + 1))
    }

    /// Skips spaces; how many.
    fn spaces(&mut self) -> usize {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i - start
    }

    /// Skips to just past the next line break (or to the end).
    fn rest_of_line(&mut self) {
        match self
            .s
            .get(self.i..)
            .and_then(|r| r.iter().position(|&b| b == b'\n'))
        {
            Some(n) => self.i += n + 1,
            None => self.i = self.s.len(),
        }
    }

    /// From the start of a line: skips blank and comment lines and gives
    /// the indentation of the next content line, leaving `i` at its start
    /// (`Some(None)` at the end of the text). `None` on a document marker.
    fn line(&mut self) -> Option<Option<usize>> {
        loop {
            let start = self.i;
            let mut j = start;
            while self.s.get(j) == Some(&b' ') {
                j += 1;
            }
            match self.s.get(j) {
                None => {
                    self.i = j;
                    return Some(None);
                }
                Some(b'\n') => self.i = j + 1,
                Some(b'#') => {
                    self.i = j;
                    self.rest_of_line();
                }
                Some(_) => {
                    let col = j - start;
                    if col == 0 {
                        let head = self.s.get(j..j + 3);
                        if matches!(head, Some(b"---" | b"...")) && is_ws_or_end(self.s.get(j + 3))
                        {
                            return None;
                        }
                    }
                    return Some(Some(col));
                }
            }
        }
    }

    /// After a scalar or flow collection: spaces, then the end of the line
    /// or a comment; skips past the line break.
    fn trailing(&mut self) -> Option<()> {
        let spaces = self.spaces();
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.i += 1;
                Some(())
            }
            Some(b'#') if spaces > 0 => {
                self.rest_of_line();
                Some(())
            }
            Some(_) => None,
        }
    }

    /// Whether the scalar at `i` is a key: on this line, followed by
    /// spaces and a `:` that a space or line break follows.
    fn key_ahead(&self) -> bool {
        let mut j = self.i;
        match self.s.get(j) {
            Some(b'\'') => {
                j += 1;
                loop {
                    match self.s.get(j) {
                        Some(b'\'') if self.s.get(j + 1) == Some(&b'\'') => j += 2,
                        Some(b'\'') => break,
                        None | Some(b'\n') => return false,
                        Some(_) => j += 1,
                    }
                }
                j += 1;
            }
            Some(b'"') => {
                j += 1;
                loop {
                    match self.s.get(j) {
                        Some(b'\\') if self.s.get(j + 1) != Some(&b'\n') => j += 2,
                        Some(b'"') => break,
                        None | Some(b'\n' | b'\\') => return false,
                        Some(_) => j += 1,
                    }
                }
                j += 1;
            }
            Some(&b) if plain_start(b, self.s.get(j + 1)) => {
                let (_, stop_at, stop) = self.plain_line(j);
                return stop == Stop::Colon && stop_at - self.i <= MAX_KEY_SPAN;
            }
            _ => return false,
        }
        while self.s.get(j) == Some(&b' ') {
            j += 1;
        }
        self.s.get(j) == Some(&b':') && is_ws_or_end(self.s.get(j + 1))
    }

    /// A block mapping whose first key is at `i`, column `col`; leaves `i`
    /// at the start of the first line after it.
    fn mapping(&mut self, col: usize, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.count()?;
        let mut out = DictBuilder::default();
        loop {
            let key = self.key()?;
            let value = self.value_after_colon(col, depth)?;
            out.insert(key, value);
            match self.line()? {
                Some(c) if c == col => self.i += c,
                Some(c) if c > col => return None,
                _ => break,
            }
        }
        Some(Value::Dict(out.finish()))
    }

    /// A single-line key and its `:`.
    fn key(&mut self) -> Option<Value> {
        let start = self.i;
        let key = match self.peek()? {
            b'\'' | b'"' => Value::Str(self.quoted(0, false)?),
            b => {
                if !plain_start(b, self.s.get(start + 1)) {
                    return None;
                }
                let (end, stop_at, stop) = self.plain_line(start);
                if stop != Stop::Colon {
                    return None;
                }
                self.i = stop_at;
                super::construct::plain_value(self.text.get(start..end)?)?
            }
        };
        self.spaces();
        if self.peek() != Some(b':')
            || !is_ws_or_end(self.s.get(self.i + 1))
            || self.i - start > MAX_KEY_SPAN
        {
            return None;
        }
        self.i += 1;
        self.count()?;
        Some(key)
    }

    /// The value after a key's `:` in a mapping at column `m`.
    fn value_after_colon(&mut self, m: usize, depth: usize) -> Option<Value> {
        self.spaces();
        match self.peek() {
            None | Some(b'\n' | b'#') => {
                self.rest_of_line();
                match self.line()? {
                    Some(c) if c > m => {
                        self.i += c;
                        self.node(c, m, depth + 1)
                    }
                    Some(c) if c == m && self.is_dash(self.i + c) => {
                        self.i += c;
                        self.sequence(c, depth + 1)
                    }
                    _ => {
                        self.count()?;
                        Some(Value::None)
                    }
                }
            }
            Some(_) => self.scalar(m),
        }
    }

    /// A block sequence whose first `-` is at `i`, column `m`.
    fn sequence(&mut self, m: usize, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.count()?;
        let mut items = Vec::new();
        loop {
            self.i += 1;
            let spaces = self.spaces();
            let item = match self.peek() {
                None | Some(b'\n' | b'#') => {
                    self.rest_of_line();
                    match self.line()? {
                        Some(c) if c > m => {
                            self.i += c;
                            self.node(c, m, depth + 1)?
                        }
                        _ => {
                            self.count()?;
                            Value::None
                        }
                    }
                }
                Some(_) => self.node(m + 1 + spaces, m, depth + 1)?,
            };
            items.push(item);
            match self.line()? {
                Some(c) if c == m && self.is_dash(self.i + c) => self.i += c,
                Some(c) if c > m => return None,
                _ => break,
            }
        }
        Some(Value::List(items))
    }

    /// The node at `i` (column `col`) in a collection at column `parent`:
    /// a sequence, a mapping or a scalar.
    fn node(&mut self, col: usize, parent: usize, depth: usize) -> Option<Value> {
        if self.is_dash(self.i) {
            self.sequence(col, depth)
        } else if self.key_ahead() {
            self.mapping(col, depth)
        } else {
            self.scalar(parent)
        }
    }

    /// A scalar or flow collection at `i` in a collection at column `p`,
    /// through the end of its last line.
    fn scalar(&mut self, p: usize) -> Option<Value> {
        self.count()?;
        let value = match self.peek()? {
            b'\'' | b'"' => Value::Str(self.quoted(p + 1, true)?),
            b'|' | b'>' => return self.block_scalar(p).map(Value::Str),
            b'[' | b'{' => self.flow()?,
            b if plain_start(b, self.s.get(self.i + 1)) => return self.plain(p + 1),
            _ => return None,
        };
        self.trailing()?;
        Some(value)
    }

    /// From `start` to the end of a plain scalar's line: the end of its
    /// text (trailing spaces excluded), where it stopped, and why.
    fn plain_line(&self, start: usize) -> (usize, usize, Stop) {
        let mut j = start;
        let mut end = start;
        loop {
            match self.s.get(j) {
                None | Some(b'\n') => return (end, j, Stop::Eol),
                Some(b' ') => j += 1,
                Some(b':') if is_ws_or_end(self.s.get(j + 1)) => return (end, j, Stop::Colon),
                Some(b'#') if j > start && self.s.get(j - 1) == Some(&b' ') => {
                    return (end, j, Stop::Comment);
                }
                Some(_) => {
                    j += 1;
                    end = j;
                }
            }
        }
    }

    /// A plain scalar value whose continuation lines must be indented at
    /// least `min_col`, through the end of its last line.
    fn plain(&mut self, min_col: usize) -> Option<Value> {
        let start = self.i;
        let (end, stop_at, stop) = self.plain_line(start);
        let first = self.text.get(start..end)?;
        self.i = stop_at;
        match stop {
            Stop::Colon => return None,
            Stop::Comment => {
                self.rest_of_line();
                return super::construct::plain_value(first);
            }
            Stop::Eol => {}
        }
        let mut folded: Option<String> = None;
        // `i` is at the line break (or the end) of the last line read.
        while self.i < self.s.len() {
            let mut j = self.i + 1;
            let mut breaks = 0;
            let next = loop {
                let line_start = j;
                while self.s.get(j) == Some(&b' ') {
                    j += 1;
                }
                match self.s.get(j) {
                    None => break None,
                    Some(b'\n') => {
                        breaks += 1;
                        j += 1;
                    }
                    Some(&b) => break Some((j - line_start, b)),
                }
            };
            let Some((col, b)) = next else {
                break;
            };
            if col < min_col || b == b'#' {
                break;
            }
            let (cont_end, cont_stop_at, cont_stop) = self.plain_line(j);
            if cont_stop == Stop::Colon {
                return None;
            }
            let out = folded.get_or_insert_with(|| first.to_owned());
            if breaks == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', breaks));
            }
            out.push_str(self.text.get(j..cont_end)?);
            self.i = cont_stop_at;
            if cont_stop == Stop::Comment {
                break;
            }
        }
        self.rest_of_line();
        match folded {
            Some(text) => super::construct::plain_value(&text),
            None => super::construct::plain_value(first),
        }
    }

    /// A quoted scalar at `i`; over several lines when `multi_line`, each
    /// continuation line indented at least `min_col`. Leaves `i` past the
    /// closing quote.
    fn quoted(&mut self, min_col: usize, multi_line: bool) -> Option<String> {
        let double = self.peek()? == b'"';
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b' '
                    || b == b'\n'
                    || (double && (b == b'"' || b == b'\\'))
                    || (!double && b == b'\'')
                {
                    break;
                }
                self.i += 1;
            }
            out.push_str(self.text.get(run..self.i)?);
            match self.peek()? {
                b'\'' if !double => {
                    if self.s.get(self.i + 1) == Some(&b'\'') {
                        out.push('\'');
                        self.i += 2;
                    } else {
                        self.i += 1;
                        return Some(out);
                    }
                }
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    let esc = *self.s.get(self.i + 1)?;
                    if esc == b'\n' {
                        if !multi_line {
                            return None;
                        }
                        self.i += 1;
                        self.quoted_breaks(&mut out, min_col, true)?;
                        continue;
                    }
                    self.i += 2;
                    let c = match esc {
                        b'0' => '\0',
                        b'a' => '\u{7}',
                        b'b' => '\u{8}',
                        b't' => '\t',
                        b'n' => '\n',
                        b'v' => '\u{b}',
                        b'f' => '\u{c}',
                        b'r' => '\r',
                        b'e' => '\u{1b}',
                        b' ' => ' ',
                        b'"' => '"',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'N' => '\u{85}',
                        b'_' => '\u{a0}',
                        b'L' => '\u{2028}',
                        b'P' => '\u{2029}',
                        b'x' | b'u' | b'U' => {
                            let n = match esc {
                                b'x' => 2,
                                b'u' => 4,
                                _ => 8,
                            };
                            let hex = self.text.get(self.i..self.i + n)?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return None;
                            }
                            self.i += n;
                            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                        }
                        _ => return None,
                    };
                    out.push(c);
                }
                b' ' => {
                    let run = self.i;
                    self.spaces();
                    match self.peek()? {
                        b'\n' => {}
                        _ => out.push_str(self.text.get(run..self.i)?),
                    }
                }
                b'\n' => {
                    if !multi_line {
                        return None;
                    }
                    self.quoted_breaks(&mut out, min_col, false)?;
                }
                _ => return None,
            }
        }
    }

    /// At a line break in a quoted scalar: skips it, blank lines and the
    /// next line's indentation, and folds them (one break: a space, unless
    /// `escaped`; more: a `\n` for each blank line).
    fn quoted_breaks(&mut self, out: &mut String, min_col: usize, escaped: bool) -> Option<()> {
        self.i += 1;
        let mut breaks = 0;
        loop {
            if matches!(self.s.get(self.i..self.i + 3), Some(b"---" | b"..."))
                && is_ws_or_end(self.s.get(self.i + 3))
            {
                return None;
            }
            let col = self.spaces();
            match self.peek()? {
                b'\n' => {
                    breaks += 1;
                    self.i += 1;
                }
                _ if col < min_col => return None,
                _ => break,
            }
        }
        if breaks == 0 && !escaped {
            out.push(' ');
        }
        out.extend(std::iter::repeat_n('\n', breaks));
        Some(())
    }

    /// A `|` or `>` block scalar (PyYAML's `scan_block_scalar`) in a
    /// collection at column `p`, through its last line.
    fn block_scalar(&mut self, p: usize) -> Option<String> {
        let folded = self.peek()? == b'>';
        self.i += 1;
        let chomp = match self.peek() {
            Some(b'-') => Some(false),
            Some(b'+') => Some(true),
            _ => None,
        };
        if chomp.is_some() {
            self.i += 1;
        }
        let spaces = self.spaces();
        match self.peek()? {
            b'\n' => self.i += 1,
            b'#' if spaces > 0 => self.rest_of_line(),
            _ => return None,
        }
        // The first line is a content line, indented past the collection.
        let mut line_start = self.i;
        let indent = self.spaces();
        if matches!(self.peek(), None | Some(b'\n')) || indent < p + 1 {
            return None;
        }
        let mut out = String::new();
        let mut breaks = 0;
        let mut line_break;
        loop {
            out.extend(std::iter::repeat_n('\n', breaks));
            let content = line_start + indent;
            let leading_non_space = self.s.get(content) != Some(&b' ');
            let rest = self.s.get(content..).unwrap_or_default();
            let end = match rest.iter().position(|&b| b == b'\n') {
                Some(n) => content + n,
                None => self.s.len(),
            };
            let line = self.s.get(content..end)?;
            // yaml-rust2 0.10 counts the bytes, not the characters, of
            // some block scalar lines into its marks (scanner.rs,
            // `scan_block_scalar_content_line`), and the full loader then
            // rejects what follows ("unexpected plain scalar position")
            // where PyYAML loads it: leave non-ASCII block scalars to the
            // full loader so that both paths give the same result.
            if !line.is_ascii() {
                return None;
            }
            out.push_str(self.text.get(content..end)?);
            line_break = end < self.s.len();
            if !line_break {
                // No line break, so no trailing ones (those before this
                // line are in `out`).
                breaks = 0;
                self.i = end;
                break;
            }
            self.i = end + 1;
            // Indentation and blank lines up to the next content line.
            breaks = 0;
            let col = loop {
                line_start = self.i;
                let mut k = 0;
                while k < indent && self.s.get(line_start + k) == Some(&b' ') {
                    k += 1;
                }
                if self.s.get(line_start + k) == Some(&b'\n') {
                    breaks += 1;
                    self.i = line_start + k + 1;
                    continue;
                }
                break k;
            };
            if col == indent && line_start + col < self.s.len() {
                if folded && leading_non_space && self.s.get(line_start + col) != Some(&b' ') {
                    if breaks == 0 {
                        out.push(' ');
                    }
                } else {
                    out.push('\n');
                }
            } else {
                self.i = line_start;
                break;
            }
        }
        if chomp != Some(false) && line_break {
            out.push('\n');
        }
        if chomp == Some(true) {
            out.extend(std::iter::repeat_n('\n', breaks));
        }
        Some(out)
    }

    /// `[]`, `{}`, or a one-line flow sequence of quoted scalars and plain
    /// scalars of `[0-9A-Za-z_./+-]` and spaces (not starting with `-`).
    fn flow(&mut self) -> Option<Value> {
        let open = self.peek()?;
        self.i += 1;
        self.spaces();
        if open == b'{' {
            return (self.peek()? == b'}').then(|| {
                self.i += 1;
                Value::Dict(Vec::new())
            });
        }
        let mut items = Vec::new();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Value::List(items));
        }
        loop {
            self.count()?;
            let item = match self.peek()? {
                b'\'' | b'"' => Value::Str(self.quoted(0, false)?),
                b if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'+') => {
                    let start = self.i;
                    let mut end = start;
                    while let Some(&b) = self.s.get(self.i) {
                        if b.is_ascii_alphanumeric()
                            || matches!(b, b'_' | b'.' | b'/' | b'+' | b'-')
                        {
                            self.i += 1;
                            end = self.i;
                        } else if b == b' ' {
                            self.i += 1;
                        } else {
                            break;
                        }
                    }
                    super::construct::plain_value(self.text.get(start..end)?)?
                }
                _ => return None,
            };
            items.push(item);
            self.spaces();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.spaces();
                    if self.peek()? == b']' {
                        return None;
                    }
                }
                b']' => {
                    self.i += 1;
                    return Some(Value::List(items));
                }
                _ => return None,
            }
        }
    }
}

/// Whether a plain scalar may start with `b` (then `next`) here; `?` and
/// `:` starts are left to the full loader.
fn plain_start(b: u8, next: Option<&u8>) -> bool {
    match b {
        b'-' => !is_ws_or_end(next),
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' | b'?' | b':' | b' ' | b'\n' => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::safe_load_yaml;

    /// SplitMix64: reproducible documents without a dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            usize::try_from((z ^ (z >> 31)) % (n.max(1) as u64)).unwrap()
        }

        fn pct(&mut self, p: usize) -> bool {
            self.below(100) < p
        }

        fn pick(&mut self, items: &[&'static str]) -> &'static str {
            items[self.below(items.len())]
        }

        /// One of the first `good` items, or (3 in 100) any of them.
        fn mostly(&mut self, items: &[&'static str], good: usize) -> &'static str {
            let n = if self.pct(3) { items.len() } else { good };
            items[self.below(n)]
        }
    }

    /// Keys: plain words YAML 1.1 resolves to every type, quoted keys;
    /// then (from `BAD_KEY`) what the fast path must leave to the full
    /// loader.
    const KEYS: &[&str] = &[
        "name",
        "help",
        "a",
        "b",
        "opts",
        "yes",
        "No",
        "null",
        "~",
        "1",
        "017",
        "0x1f",
        "1:30",
        "1.5",
        ".inf",
        "-.5",
        "2020-01-01",
        "1e3",
        "'q'",
        "'it''s'",
        "\"d\\tq\"",
        "\"\\u00e9\"",
        "a b",
        "a#b",
        "-a",
        "k:v",
        "é",
        "x ",
        "True",
        "on",
        "0b101",
        "+1",
        "08",
        "1_000",
        "2001-12-14 21:59:43.10 -5",
        "a:b",
        "''",
        "\"\"",
        "'a: b'",
        "\"#\"",
        // BAD_KEY
        "<<",
        "=",
        "'a\nb'",
        "? a",
        "&x a",
        "!!str 1",
        "[a]",
        "{a: b}",
        "\"\\ud800\"",
        "- a",
        "a\tb",
        "'\t'",
        ":a",
        "%a",
        "@a",
        "`a",
    ];
    const BAD_KEY: usize = 40;

    /// Scalars on a key's or dash's line; then (from `BAD_SCALAR`) rarer
    /// and failing ones.
    const SCALARS: &[&str] = &[
        "value",
        "two words",
        "yes",
        "off",
        "~",
        "null",
        "",
        "0",
        "-12",
        "0o17",
        "1_000",
        "1.0e+3",
        "1e3",
        ".nan",
        "2020-01-01",
        "1:30.5",
        "http://server:5000/v3",
        "a :b",
        "a # comment",
        "a#b",
        "'single ''quoted'''",
        "\"double \\\"q\\\" \\x41\\u00e9\\U0001F600\"",
        "\"tab\\there\"",
        "\"\\/\"",
        "'multi\n  line'",
        "\"multi\n\n  line\"",
        "\"esc\\\n  aped\"",
        "[]",
        "{}",
        "[a, b]",
        "[a, 'b c', \"d\"]",
        "[1, 2.5, yes]",
        "|",
        "|-",
        "|+",
        ">",
        ">-",
        ">+",
        "| # c",
        "\u{a0}",
        "😀",
        "x ",
        "'a' #c",
        "-x",
        // BAD_SCALAR
        "a: b",
        "\"\\q\"",
        "[a,]",
        "[-a]",
        "[a: b]",
        "{a: b}",
        "[a, [b]]",
        "&anchor x",
        "*alias",
        "!!int 3",
        "! x",
        "|2",
        "|x",
        "@x",
        "%x",
        "`x",
        "x\t",
        "\"\t\"",
        "'a'#c",
        "- x",
        "? x",
        ": x",
        "---",
        "...",
        "a\u{85}b",
        "a\u{2028}b",
    ];
    const BAD_SCALAR: usize = 44;

    /// Block scalar and plain continuation lines (relative indentation,
    /// text).
    const LINES: &[&str] = &[
        "more text",
        "  indented more",
        "",
        "",
        "# not a comment?",
        "- dash",
        "   ",
        "x #c",
        "'q'",
        "key: like",
        "\ttab",
        "...",
        "---",
    ];

    struct Gen {
        rng: Rng,
        out: String,
    }

    impl Gen {
        fn indent(&mut self, n: usize) {
            self.out.extend(std::iter::repeat_n(' ', n));
        }

        fn junk_lines(&mut self, col: usize) {
            while self.rng.pct(15) {
                match self.rng.below(4) {
                    0 => self.out.push('\n'),
                    1 => {
                        let n = self.rng.below(col + 3);
                        self.indent(n);
                        self.out.push_str("# comment: x\n");
                    }
                    2 => self.out.push_str("  \n"),
                    _ => self.out.push_str("#\n"),
                }
            }
        }

        /// Continuation lines after a scalar opened at column `col`.
        fn continuation(&mut self, col: usize) {
            while self.rng.pct(30) {
                let base = if self.rng.pct(95) {
                    col + 1 + self.rng.below(3)
                } else {
                    self.rng.below(col + 2)
                };
                self.indent(base);
                let line = self.rng.mostly(LINES, 9);
                self.out.push_str(line);
                self.out.push('\n');
            }
        }

        fn scalar_line(&mut self, col: usize) {
            let s = self.rng.mostly(SCALARS, BAD_SCALAR);
            self.out.push_str(s);
            if self.rng.pct(10) {
                let tail = self.rng.mostly(&[" ", "  # c", " #", "#c", "\t"], 3);
                self.out.push_str(tail);
            }
            self.out.push('\n');
            if s.starts_with(['|', '>']) && self.rng.pct(90) {
                let n = col + 1 + self.rng.below(3);
                self.indent(n);
                let first = self.rng.mostly(&["first line", "naïve café", "x 😀 y"], 1);
                self.out.push_str(first);
                self.out.push('\n');
            }
            if s.starts_with(['|', '>']) || self.rng.pct(20) {
                self.continuation(col);
            }
        }

        /// A value after `key:` or `-` at column `col`, at depth `depth`.
        fn value(&mut self, col: usize, depth: usize) {
            let r = self.rng.below(10);
            if depth > 4 || r < 5 {
                self.out.push(' ');
                self.scalar_line(col);
                return;
            }
            let child = if self.rng.pct(97) {
                col + 1 + self.rng.below(3)
            } else {
                self.rng.below(col + 2)
            };
            if self.rng.pct(10) {
                self.out.push_str(" # c");
            }
            self.out.push('\n');
            self.junk_lines(col);
            if r < 7 {
                self.mapping(child, depth + 1);
            } else if self.rng.pct(50) {
                // A sequence at its key's column.
                self.sequence(col, depth + 1);
            } else {
                self.sequence(child, depth + 1);
            }
        }

        fn mapping(&mut self, col: usize, depth: usize) {
            for i in 0..1 + self.rng.below(4) {
                if i > 0 || !self.out.ends_with(['-', ' ']) {
                    self.indent(col);
                }
                let key = self.rng.mostly(KEYS, BAD_KEY);
                self.out.push_str(key);
                let colon = self.rng.mostly(&[":", " :", ":  ", ":\t"], 3);
                self.out.push_str(colon);
                self.value(col, depth);
                self.junk_lines(col);
            }
        }

        fn sequence(&mut self, col: usize, depth: usize) {
            for i in 0..1 + self.rng.below(4) {
                if i > 0 || !self.out.ends_with(['-', ' ']) {
                    self.indent(col);
                }
                self.out.push('-');
                match self.rng.below(6) {
                    // Compact mapping or sequence on the dash's line.
                    0 if depth < 5 => {
                        let spaces = 1 + self.rng.below(2);
                        self.indent(spaces);
                        self.mapping(col + 1 + spaces, depth + 1);
                    }
                    1 if depth < 5 => {
                        self.out.push(' ');
                        self.sequence(col + 2, depth + 1);
                    }
                    _ => self.value(col, depth),
                }
                self.junk_lines(col);
            }
        }

        fn document(seed: u64) -> String {
            let mut g = Gen {
                rng: Rng(seed),
                out: String::new(),
            };
            if g.rng.pct(5) {
                let head = g.rng.pick(&["---\n", "--- # c\n", "%YAML 1.1\n---\n"]);
                g.out.push_str(head);
            }
            g.junk_lines(0);
            let col = if g.rng.pct(90) { 0 } else { 1 + g.rng.below(2) };
            if g.rng.pct(75) {
                g.mapping(col, 0);
            } else {
                g.sequence(col, 0);
            }
            if g.rng.pct(5) {
                let tail = g.rng.pick(&["...\n", "---\n", "x\n", "  y\n"]);
                g.out.push_str(tail);
            }
            if g.rng.pct(10) {
                g.out.pop();
            }
            g.out
        }
    }

    fn documents() -> Vec<String> {
        let mut docs: Vec<String> = [
            "a: 1\n",
            "a:\n  b: 'x\n\n   y'\n  c: |\n    t\n\n",
            "- a: b\n  c: - d\n",
            "a:\n- b\n- c: d\n  e: f\n",
            "a: >-\n  x\n  y\n\n   z\nb: 1",
            "a: |+\n  x\n\n\nb:",
            "a: \"x\\\n  y\"\n",
            "k: v\n\u{0b}\n",
            "k: v\n  \u{0b}\n",
            "k: v\n\n\u{0b}",
            "a: b\n\tc: d\n",
            "x: 'a'\n  y: b\n",
            "a: b c\n d\n",
            "a:\n  - b\n  -\n  - c\n",
            "-\n- - a\n  - b\n",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for seed in 0..std::env::var("OSLO_RS_YAML_BLOCK_SEEDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(30_000u64)
        {
            docs.push(Gen::document(seed));
        }
        docs
    }

    /// Wherever the fast path gives a value, the full loader gives the
    /// same; on a good share of the generated documents it gives one.
    /// (`OSLO_RS_YAML_BLOCK_SEEDS=400000` for a longer run.)
    #[test]
    fn block_fast_path_agrees_with_the_full_loader() {
        let docs = documents();
        let mut fast = 0;
        for doc in &docs {
            if let Some(value) = load(doc) {
                fast += 1;
                // Debug, not ==: NaN is a value like any other here.
                let full = safe_load_yaml(doc.as_bytes());
                assert_eq!(
                    format!("{full:?}"),
                    format!("{:?}", Ok::<_, ()>(value)),
                    "{doc:?}"
                );
            }
        }
        eprintln!("block fast path: {fast} of {} documents", docs.len());
        assert!(fast * 5 > docs.len(), "{fast} of {}", docs.len());
    }

    /// Block scalars with non-ASCII text go to the full loader (found by
    /// the `policy_yaml` fuzz target: yaml-rust2's marks go wrong after
    /// them; PyYAML loads these, the full loader fails on them).
    #[test]
    fn non_ascii_block_scalars_take_the_full_loader() {
        for doc in ["o: |\n cé\nn: x\n", "o: >\n cڝ\nn: ", "o: |-\n é\nn: x\n"] {
            assert_eq!(load(doc), None, "{doc:?}");
        }
        assert_eq!(
            load("o: |\n ascii\nn: é\n").map(|v| v.py_repr()).as_deref(),
            Some("{'o': 'ascii\\n', 'n': 'é'}")
        );
    }

    /// Deep documents give up; the character check is exact.
    #[test]
    fn deep_documents_and_control_characters_give_up() {
        let deep: String = (0..70).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert_eq!(load(&deep), None);
        assert!(!clean("k: v\n\u{0b}\n"));
        assert!(!clean("12345678\n\u{0b}abcdefgh"));
        assert!(clean("12345678\nabcdefgh~ "));
    }

    /// Against PyYAML itself (`yaml.safe_load` on the text, as oslo.policy
    /// and oslo.config call it): the fast path's value's `repr()` is
    /// Python's, wherever it gives one.
    #[test]
    fn block_fast_path_agrees_with_pyyaml() {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let python = std::env::var_os("OSLO_RS_REFERENCE_PYTHON")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python")
            });
        let ok = Command::new(&python)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!(
                "SKIPPED: block_fast_path_agrees_with_pyyaml: no Python with yaml at {} \
                 (run scripts/setup-reference.sh or set OSLO_RS_REFERENCE_PYTHON)",
                python.display()
            );
            return;
        }
        let cases: Vec<(String, String)> = documents()
            .into_iter()
            .filter_map(|d| load(&d).map(|v| (d, v.py_repr())))
            .collect();
        let script = r#"
import json, sys, yaml
bad = 0
for line in sys.stdin:
    case = json.loads(line)
    try:
        got = repr(yaml.safe_load(case["doc"]))
    except Exception as e:
        got = "<error %s>" % type(e).__name__
    if got != case["want"]:
        bad += 1
        if bad <= 10:
            print("MISMATCH %r\n  pyyaml %s\n  ours   %s" % (case["doc"], got, case["want"]))
print("%d mismatches" % bad)
"#;
        let mut child = Command::new(&python)
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        {
            let mut stdin = child.stdin.take().unwrap();
            for (doc, want) in &cases {
                let line = serde_json::json!({"doc": doc, "want": want});
                writeln!(stdin, "{line}").unwrap();
            }
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        eprintln!(
            "{} fast-path documents against PyYAML: {stdout}",
            cases.len()
        );
        assert!(out.status.success());
        assert!(stdout.starts_with("0 mismatches"), "{stdout}");
    }
}
