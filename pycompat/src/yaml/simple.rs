//! The fast paths of [`super::safe_load`], for the two shapes nearly every
//! policy and defaults file has, read straight into [`Value`]s:
//!
//! * a JSON document (`policy.json`, defaults files);
//! * a flat block mapping of quoted scalars, one `"name": "rule"` per
//!   line, with comments and blank lines (what the `oslopolicy-*`
//!   generators write and most operators keep).
//!
//! Only where PyYAML's reading is known to be the same: on anything else —
//! tabs, escapes or numbers YAML 1.1 reads differently (`\/`, `1e5`,
//! `1.0e5`), plain scalars in a block mapping, non-printable or
//! line-breaking characters, keys PyYAML could not take as simple keys
//! (over a line or too long), surrogates, deep nesting, huge integers — a
//! path gives up (`None`) and the full YAML loader decides, errors
//! included.

use crate::value::{DictBuilder, Value};

/// Deeper documents go through the full loader (and its limits).
const MAX_DEPTH: usize = 64;

/// PyYAML forgets a possible simple key 1,024 characters after its start;
/// keys this long (in bytes, which is never fewer) take the full path.
const MAX_KEY_SPAN: usize = 1000;

/// The document, or `None` when the full loader must decide.
pub(super) fn load(text: &str) -> Option<Value> {
    let mut p = Reader {
        s: text.as_bytes(),
        text,
        i: 0,
        nodes: 0,
    };
    let first = text
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'));
    match first? {
        b'{' | b'[' => {
            p.space()?;
            let value = p.value(0)?;
            p.space()?;
            (p.i == p.s.len()).then_some(value)
        }
        _ => p.flat_mapping(),
    }
}

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    /// Values read so far (the full loader refuses more than `MAX_NODES`).
    nodes: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips spaces and line breaks; `None` on a tab (PyYAML refuses tabs
    /// in some places and not others) or a comment.
    fn space(&mut self) -> Option<()> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\n' | b'\r' => self.i += 1,
                b'\t' | b'#' => return None,
                _ => break,
            }
        }
        Some(())
    }

    /// Like [`Reader::space`], but `None` on a line break too.
    fn inline_space(&mut self) -> Option<()> {
        while let Some(b) = self.peek() {
            match b {
                b' ' => self.i += 1,
                b'\t' | b'#' | b'\n' | b'\r' => return None,
                _ => break,
            }
        }
        Some(())
    }

    /// `"key": "value"` lines from column 0 (either quote style), blank
    /// lines and comment lines; at least one entry.
    fn flat_mapping(&mut self) -> Option<Value> {
        self.i = 0;
        let mut out = DictBuilder::default();
        let mut entries = 0usize;
        while self.i < self.s.len() {
            match self.peek()? {
                b'\n' => {
                    self.i += 1;
                    continue;
                }
                b' ' | b'#' => {
                    // A blank or comment line (comments may be indented).
                    while self.peek() == Some(b' ') {
                        self.i += 1;
                    }
                    self.line_end()?;
                    continue;
                }
                b'"' | b'\'' => {}
                _ => return None,
            }
            let start = self.i;
            let key = self.quoted()?;
            while self.peek() == Some(b' ') {
                self.i += 1;
            }
            if self.peek() != Some(b':') || self.i - start > MAX_KEY_SPAN {
                return None;
            }
            self.i += 1;
            if self.peek() != Some(b' ') {
                return None;
            }
            while self.peek() == Some(b' ') {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'"' | b'\'')) {
                return None;
            }
            let value = self.quoted()?;
            let before = self.i;
            while self.peek() == Some(b' ') {
                self.i += 1;
            }
            // A comment needs a space before its `#`.
            if self.peek() == Some(b'#') && self.i == before {
                return None;
            }
            self.line_end()?;
            out.insert(Value::Str(key), Value::Str(value));
            entries += 1;
        }
        (entries > 0).then(|| Value::Dict(out.finish()))
    }

    /// At the end of the line or at a comment: skips past the line break.
    /// `None` on anything else, tabs and carriage returns included.
    fn line_end(&mut self) -> Option<()> {
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.i += 1;
                Some(())
            }
            Some(b'#') => {
                while let Some(b) = self.peek() {
                    match b {
                        b'\n' => {
                            self.i += 1;
                            return Some(());
                        }
                        b' '..=b'~' => self.i += 1,
                        // NEL, LS and PS would end the comment in YAML.
                        _ => {
                            self.printable_char()?;
                        }
                    }
                }
                Some(())
            }
            Some(_) => None,
        }
    }

    fn quoted(&mut self) -> Option<String> {
        match self.peek()? {
            b'"' => self.string(),
            _ => self.single_quoted(),
        }
    }

    /// `'...'` on one line: `''` is a quote, nothing else is special.
    fn single_quoted(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run_start = self.i;
            while matches!(self.peek(), Some(b' '..=b'~')) && self.peek() != Some(b'\'') {
                self.i += 1;
            }
            out.push_str(self.text.get(run_start..self.i)?);
            match self.peek()? {
                b'\'' if self.s.get(self.i + 1) == Some(&b'\'') => {
                    out.push('\'');
                    self.i += 2;
                }
                b'\'' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => out.push(self.printable_char()?),
            }
        }
    }

    /// A non-ASCII character PyYAML keeps as it is in a quoted scalar.
    fn printable_char(&mut self) -> Option<char> {
        if self.peek()? < 0x80 {
            return None;
        }
        let c = self.text.get(self.i..)?.chars().next()?;
        let printable = matches!(u32::from(c),
            0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}');
        if !printable {
            return None;
        }
        self.i += c.len_utf8();
        Some(c)
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > super::MAX_NODES {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::Str),
            b't' => self.word("true", Value::Bool(true)),
            b'f' => self.word("false", Value::Bool(false)),
            b'n' => self.word("null", Value::None),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut out = DictBuilder::default();
        self.space()?;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(Value::Dict(out.finish()));
        }
        loop {
            if self.peek() != Some(b'"') {
                return None;
            }
            let start = self.i;
            let key = self.string()?;
            // A simple key: on one line with its `:`, and not too long.
            self.inline_space()?;
            if self.peek() != Some(b':') || self.i - start > MAX_KEY_SPAN {
                return None;
            }
            self.i += 1;
            self.space()?;
            let value = self.value(depth + 1)?;
            out.insert(Value::Str(key), value);
            self.space()?;
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.space()?;
                }
                b'}' => {
                    self.i += 1;
                    return Some(Value::Dict(out.finish()));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut out = Vec::new();
        self.space()?;
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(Value::List(out));
        }
        loop {
            out.push(self.value(depth + 1)?);
            self.space()?;
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.space()?;
                }
                b']' => {
                    self.i += 1;
                    return Some(Value::List(out));
                }
                _ => return None,
            }
        }
    }

    /// A plain scalar must end where JSON's token ends.
    fn ends_here(&self) -> bool {
        matches!(
            self.peek(),
            None | Some(b' ' | b'\n' | b'\r' | b',' | b']' | b'}')
        )
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.i + word.len();
        if self.s.get(self.i..end)? != word.as_bytes() {
            return None;
        }
        self.i = end;
        self.ends_here().then_some(value)
    }

    /// JSON numbers that YAML 1.1 resolves the same way: integers, and
    /// floats with a fraction whose exponent (if any) has a sign.
    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let digits = self.digits();
        // `01` is octal in YAML 1.1; Python refuses over 4,300 digits.
        if digits == 0 || digits > 4300 || (digits > 1 && self.s.get(int_start) == Some(&b'0')) {
            return None;
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if !matches!(self.peek(), Some(b'+' | b'-')) || !float {
                return None;
            }
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if !self.ends_here() {
            return None;
        }
        let text = self.text.get(start..self.i)?;
        if float {
            text.parse().ok().map(Value::Float)
        } else {
            Value::int(text)
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    /// A double-quoted string with JSON's escapes but `\/`, and only
    /// characters PyYAML takes as they are.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run_start = self.i;
            while matches!(self.peek(), Some(b' '..=b'~'))
                && !matches!(self.peek(), Some(b'"' | b'\\'))
            {
                self.i += 1;
            }
            out.push_str(self.text.get(run_start..self.i)?);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    let c = match self.s.get(self.i + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.text.get(self.i + 2..self.i + 6)?;
                            let cp = u32::from_str_radix(hex, 16).ok()?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return None;
                            }
                            self.i += 4;
                            // Surrogates take the full path.
                            char::from_u32(cp)?
                        }
                        _ => return None,
                    };
                    self.i += 2;
                    out.push(c);
                }
                // Control characters and DEL give up here.
                _ => out.push(self.printable_char()?),
            }
        }
    }
}
