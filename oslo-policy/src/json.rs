//! JSON text straight into [`Value`]s, as Python's `json.loads` gives
//! them: exact integers of any size, floats as binary64 (overflow gives
//! `inf`), objects in order with a later duplicate key replacing the value
//! in the first one's place (`d[k] = v`).
//!
//! The same answers as `Value::from_json(&serde_json::from_str(text)?)`
//! (serde_json parses and reports the errors, with its nesting limit), without the
//! intermediate `serde_json::Value` (an `IndexMap` per object, every string
//! copied twice): `oslo-policy eval` reads tens of thousands of cases a
//! second through this.
//!
//! Text made of what case lines are made of (no number object key of
//! serde_json's, nesting well under its limit, no lone surrogate escape)
//! is read by a direct parser (`fast`) into the same values, each string,
//! list and dict allocated once at its size; anything else (and every
//! error, whose message is serde_json's) goes through serde_json.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::value::Value;

/// Parses one JSON document (trailing whitespace only) into a [`Value`].
///
/// # Errors
/// serde_json's error for text that is not one JSON document.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    Reader::default().read(text)
}

/// Parses JSON documents one after another (case lines) like
/// [`from_str`], each into the values of the last one handed back with
/// [`Reader::recycle`] (same-shaped cases, the common kind, overwrite
/// each other's strings, lists and dicts in place), or into the strings,
/// lists and dicts it keeps from the others: reading a case like the last
/// one allocates nothing.
#[derive(Debug, Default)]
pub struct Reader {
    /// The last value handed back, to read the next one into.
    last: Option<Value>,
    /// Empty, for the next values read.
    strings: Vec<String>,
    lists: Vec<Vec<Value>>,
    dicts: Vec<Vec<(Value, Value)>>,
}

/// How many strings, lists and dicts a [`Reader`] keeps, each.
const KEPT: usize = 4096;
/// The largest string (bytes) and list or dict (items) it keeps.
const KEPT_SIZE: usize = 4096;

impl Reader {
    /// [`from_str`].
    ///
    /// # Errors
    /// serde_json's error for text that is not one JSON document.
    pub fn read(&mut self, text: &str) -> Result<Value, serde_json::Error> {
        let into = self.last.take().unwrap_or(Value::None);
        match self.fast(text, into) {
            Some(value) => Ok(value),
            None => through_serde_json(text),
        }
    }

    /// Drops `value`, keeping it (or, when it already keeps one, its
    /// strings, lists and dicts) for the next value read.
    pub fn recycle(&mut self, value: Value) {
        if self.last.is_none() {
            self.last = Some(value);
        } else {
            self.scrap(value);
        }
    }

    /// Drops `value`, keeping its strings, lists and dicts (emptied).
    fn scrap(&mut self, value: Value) {
        match value {
            Value::Str(mut s) | Value::Int(mut s) => {
                if self.strings.len() < KEPT && s.capacity() <= KEPT_SIZE {
                    s.clear();
                    self.strings.push(s);
                }
            }
            Value::List(mut items) => {
                for item in items.drain(..) {
                    self.scrap(item);
                }
                if self.lists.len() < KEPT && items.capacity() <= KEPT_SIZE {
                    self.lists.push(items);
                }
            }
            Value::Dict(mut entries) => {
                for (k, v) in entries.drain(..) {
                    self.scrap(k);
                    self.scrap(v);
                }
                if self.dicts.len() < KEPT && entries.capacity() <= KEPT_SIZE {
                    self.dicts.push(entries);
                }
            }
            Value::None | Value::Bool(_) | Value::Float(_) | Value::Other { .. } => {}
        }
    }

    /// `slot`, now `new`; what it held is scrapped.
    fn replace(&mut self, slot: &mut Value, new: Value) {
        let old = std::mem::replace(slot, new);
        self.scrap(old);
    }
}

/// [`from_str`] by serde_json alone.
fn through_serde_json(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = PyJson.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// How serde_json (with `arbitrary_precision`, which the workspace enables)
/// hands a number to a visitor: a one-entry map under this key, the
/// number's text as the value.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A JSON number's text as `json.loads` reads it.
fn number(text: &str) -> Value {
    Value::int(text).unwrap_or_else(|| Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)))
}

/// The seed (and visitor) that builds a [`Value`].
#[derive(Clone, Copy)]
struct PyJson;

impl<'de> DeserializeSeed<'de> for PyJson {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Dicts up to this size find a duplicate key by a linear search; larger
/// ones index their keys.
const SEARCHED: usize = 32;

impl<'de> Visitor<'de> for PyJson {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i.to_string()))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Int(u.to_string()))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(PyJson)? {
            items.push(v);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Dict(Vec::new()));
        };
        if first == NUMBER_TOKEN {
            let text: String = map.next_value()?;
            return Ok(number(&text));
        }
        let mut items: Vec<(Value, Value)> = Vec::with_capacity(8);
        items.push((Value::Str(first), map.next_value_seed(PyJson)?));
        let mut index: Option<std::collections::HashMap<String, usize>> = None;
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(PyJson)?;
            if items.len() < SEARCHED {
                match items
                    .iter_mut()
                    .find(|(k, _)| matches!(k, Value::Str(s) if *s == key))
                {
                    Some(slot) => slot.1 = value,
                    None => items.push((Value::Str(key), value)),
                }
                continue;
            }
            let index = index.get_or_insert_with(|| {
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (k, _))| match k {
                        Value::Str(s) => Some((s.clone(), i)),
                        _ => None,
                    })
                    .collect()
            });
            match index.get(&key).and_then(|&i| items.get_mut(i)) {
                Some(slot) => slot.1 = value,
                None => {
                    index.insert(key.clone(), items.len());
                    items.push((Value::Str(key), value));
                }
            }
        }
        Ok(Value::Dict(items))
    }
}

/// The direct parser: `Some` only where serde_json gives the same value
/// (it returns `None` for everything it does not read exactly as
/// serde_json does, errors included, and the caller asks serde_json).
mod fast {
    use std::collections::HashMap;

    use super::{NUMBER_TOKEN, Reader, SEARCHED, number};
    use crate::value::Value;

    /// Well under serde_json's nesting limit (128).
    const MAX_DEPTH: usize = 64;

    impl Reader {
        /// The value of `text`, read into `into` (whose strings, lists and
        /// dicts are reused where the new value has the same shape).
        pub(super) fn fast(&mut self, text: &str, mut into: Value) -> Option<Value> {
            let mut p = Parser {
                text,
                bytes: text.as_bytes(),
                at: 0,
                reader: self,
            };
            p.value(&mut into, 0)?;
            p.skip_whitespace();
            (p.at == p.bytes.len()).then_some(into)
        }
    }

    /// The first `"`, `\` or control character of `bytes` (a string's
    /// end, an escape or an error), eight bytes at a time.
    pub(super) fn special(bytes: &[u8]) -> Option<usize> {
        const ONES: u64 = u64::from_le_bytes([1; 8]);
        const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
        let mut chunks = bytes.chunks_exact(8);
        let mut offset = 0;
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().ok()?);
            let quote = word ^ (ONES * u64::from(b'"'));
            let backslash = word ^ (ONES * u64::from(b'\\'));
            // The high bit of each byte that is zero (or, above the first
            // such byte only, a borrow), resp. below 0x20.
            let found = ((quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (word.wrapping_sub(ONES * 0x20) & !word))
                & HIGH;
            if found != 0 {
                return Some(offset + (found.trailing_zeros() / 8) as usize);
            }
            offset += 8;
        }
        chunks
            .remainder()
            .iter()
            .position(|&b| matches!(b, b'"' | b'\\' | 0..=0x1f))
            .map(|i| offset + i)
    }

    /// A bit for a dict key, by its length and ends: a key whose bit is
    /// not set yet is not among the keys read before it.
    fn key_bit(key: &str) -> u64 {
        let bytes = key.as_bytes();
        let mix = bytes.len()
            + 3 * usize::from(bytes.first().copied().unwrap_or(0))
            + 5 * usize::from(bytes.last().copied().unwrap_or(0));
        1u64 << (mix % 64)
    }

    struct Parser<'t, 'r> {
        text: &'t str,
        bytes: &'t [u8],
        at: usize,
        reader: &'r mut Reader,
    }

    impl Parser<'_, '_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.at).copied()
        }

        /// JSON's whitespace (serde_json's): space, tab, newline, return.
        fn skip_whitespace(&mut self) {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
                self.at += 1;
            }
        }

        /// `word` (its first byte seen, not consumed) into `slot`.
        fn literal(&mut self, slot: &mut Value, word: &[u8], value: Value) -> Option<()> {
            let end = self.at + word.len();
            if self.bytes.get(self.at..end)? != word {
                return None;
            }
            self.at = end;
            self.reader.replace(slot, value);
            Some(())
        }

        /// The next value, into `slot`.
        fn value(&mut self, slot: &mut Value, depth: usize) -> Option<()> {
            self.skip_whitespace();
            match self.peek()? {
                b'"' => {
                    if let Value::Str(s) = slot {
                        return self.string(s);
                    }
                    let mut s = self.reader.strings.pop().unwrap_or_default();
                    self.string(&mut s)?;
                    self.reader.replace(slot, Value::Str(s));
                    Some(())
                }
                b'{' => self.dict(slot, depth + 1),
                b'[' => self.list(slot, depth + 1),
                b'n' => self.literal(slot, b"null", Value::None),
                b't' => self.literal(slot, b"true", Value::Bool(true)),
                b'f' => self.literal(slot, b"false", Value::Bool(false)),
                b'-' | b'0'..=b'9' => {
                    let n = self.number()?;
                    self.reader.replace(slot, n);
                    Some(())
                }
                _ => None,
            }
        }

        fn digits(&mut self) -> usize {
            let start = self.at;
            while let Some(b'0'..=b'9') = self.peek() {
                self.at += 1;
            }
            self.at - start
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, read as
        /// serde_json's text of it is.
        fn number(&mut self) -> Option<Value> {
            let start = self.at;
            if self.peek() == Some(b'-') {
                self.at += 1;
            }
            let first = self.peek();
            match self.digits() {
                0 => return None,
                // One leading `0` only.
                1 => {}
                _ if first == Some(b'0') => return None,
                _ => {}
            }
            if self.peek() == Some(b'.') {
                self.at += 1;
                if self.digits() == 0 {
                    return None;
                }
            }
            if let Some(b'e' | b'E') = self.peek() {
                self.at += 1;
                if let Some(b'+' | b'-') = self.peek() {
                    self.at += 1;
                }
                if self.digits() == 0 {
                    return None;
                }
            }
            Some(number(self.text.get(start..self.at)?))
        }

        /// A string, at its opening quote, into `s` (emptied first);
        /// `None` for what serde_json refuses (a control character, an
        /// unknown escape, a lone surrogate) and for a surrogate pair
        /// (read by serde_json).
        fn string(&mut self, s: &mut String) -> Option<()> {
            s.clear();
            self.at += 1;
            let mut len = special(self.bytes.get(self.at..)?)?;
            // One allocation for a new string without escapes.
            s.reserve(len);
            loop {
                let run = self.at;
                self.at += len;
                s.push_str(self.text.get(run..self.at)?);
                if self.peek()? != b'\\' {
                    // The closing quote, or a control character.
                    let end = self.peek()? == b'"';
                    self.at += 1;
                    return end.then_some(());
                }
                self.at += 1;
                let escaped = match self.peek()? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let hex = self.text.get(self.at + 1..self.at + 5)?;
                        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                            return None;
                        }
                        self.at += 4;
                        // Surrogates (pairs and lone ones) are left to
                        // serde_json.
                        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                    }
                    _ => return None,
                };
                self.at += 1;
                s.push(escaped);
                len = special(self.bytes.get(self.at..)?)?;
            }
        }

        fn list(&mut self, slot: &mut Value, depth: usize) -> Option<()> {
            if depth > MAX_DEPTH {
                return None;
            }
            if !matches!(slot, Value::List(_)) {
                let list = self.reader.lists.pop().unwrap_or_default();
                self.reader.replace(slot, Value::List(list));
            }
            let Value::List(items) = slot else {
                return None;
            };
            self.at += 1;
            self.skip_whitespace();
            let mut len = 0;
            if self.peek() == Some(b']') {
                self.at += 1;
            } else {
                loop {
                    if len == items.len() {
                        items.push(Value::None);
                    }
                    self.value(items.get_mut(len)?, depth)?;
                    len += 1;
                    self.skip_whitespace();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => break,
                        _ => return None,
                    }
                }
                self.at += 1;
            }
            for item in items.drain(len..) {
                self.reader.scrap(item);
            }
            Some(())
        }

        /// A dict: a later duplicate key replaces the value in the first
        /// one's place, as in `visit_map`.
        fn dict(&mut self, slot: &mut Value, depth: usize) -> Option<()> {
            if depth > MAX_DEPTH {
                return None;
            }
            if !matches!(slot, Value::Dict(_)) {
                // A new one with room for a few entries, as `visit_map`.
                let dict = match self.reader.dicts.pop() {
                    Some(dict) => dict,
                    None => Vec::with_capacity(8),
                };
                self.reader.replace(slot, Value::Dict(dict));
            }
            let Value::Dict(entries) = slot else {
                return None;
            };
            self.at += 1;
            self.skip_whitespace();
            // Entries `..len` are read; the others are what to read into.
            let mut len = 0;
            if self.peek() == Some(b'}') {
                self.at += 1;
            } else {
                let mut index: Option<HashMap<String, usize>> = None;
                let mut seen = 0u64;
                loop {
                    self.skip_whitespace();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    if len == entries.len() {
                        let key = self.reader.strings.pop().unwrap_or_default();
                        entries.push((Value::Str(key), Value::None));
                    }
                    let (read, rest) = entries.split_at_mut(len);
                    let (key, value) = rest.first_mut()?;
                    if !matches!(key, Value::Str(_)) {
                        let s = self.reader.strings.pop().unwrap_or_default();
                        self.reader.replace(key, Value::Str(s));
                    }
                    let Value::Str(key) = key else {
                        return None;
                    };
                    self.string(key)?;
                    if key == NUMBER_TOKEN {
                        return None;
                    }
                    self.skip_whitespace();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.at += 1;
                    self.value(value, depth)?;
                    let earlier = if len < SEARCHED {
                        let bit = key_bit(key);
                        let known = seen & bit != 0;
                        seen |= bit;
                        if known {
                            read.iter()
                                .position(|(k, _)| matches!(k, Value::Str(s) if s == key))
                        } else {
                            None
                        }
                    } else {
                        let index = index.get_or_insert_with(|| {
                            read.iter()
                                .enumerate()
                                .filter_map(|(i, (k, _))| match k {
                                    Value::Str(s) => Some((s.clone(), i)),
                                    _ => None,
                                })
                                .collect()
                        });
                        let found = index.get(key.as_str()).copied();
                        if found.is_none() {
                            index.insert(key.clone(), len);
                        }
                        found
                    };
                    match earlier.and_then(|i| read.get_mut(i)) {
                        // The value goes to the first key's place; this
                        // entry is read into again.
                        Some(first) => std::mem::swap(&mut first.1, value),
                        None => len += 1,
                    }
                    self.skip_whitespace();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b'}' => break,
                        _ => return None,
                    }
                }
                self.at += 1;
            }
            for (k, v) in entries.drain(len..) {
                self.reader.scrap(k);
                self.reader.scrap(v);
            }
            Some(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via_serde_json(text: &str) -> Result<Value, String> {
        serde_json::from_str::<serde_json::Value>(text)
            .map(|v| Value::from_json(&v))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn same_values_and_errors_as_through_serde_json_value() {
        let deep_ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        let deep_bad = format!("{}{}", "[".repeat(129), "]".repeat(129));
        let big_dict = format!(
            "{{{}, \"k3\": \"again\", \"k40\": 0}}",
            (0..60)
                .map(|i| format!("\"k{i}\": {i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let texts = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "12345678901234567890123456789",
            "-12",
            "1.5",
            "1e400",
            "-1e400",
            "1E2",
            "0.1",
            "\"a\\u00e9\\n\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "[1, [2, [3]], {}]",
            "{\"a\": 1, \"b\": 2, \"a\": 3}",
            "{\"$serde_json::private::Number\": \"1\"}",
            "{\"name\": \"x\", \"target\": {\"a.b\": null}, \"creds\": {\"roles\": [\"r\"]}}",
            &big_dict,
            &deep_ok,
            &deep_bad,
            "",
            " ",
            "[1,]",
            "{\"a\" 1}",
            "NaN",
            "Infinity",
            "01",
            "1.",
            "\"\u{1}\"",
            "{} x",
            "{}   ",
            "[1] [2]",
            "\"unterminated",
            "{\"a\": [1, 2}",
        ];
        for text in texts {
            let ours = from_str(text).map_err(|e| e.to_string());
            assert_eq!(ours, via_serde_json(text), "{text:?}");
        }
    }

    /// The direct parser reads a value only where serde_json reads the
    /// same one.
    fn agrees(text: &str) -> Result<(), String> {
        let fast = Reader::default().fast(text, Value::None);
        let serde = through_serde_json(text).map_err(|e| e.to_string());
        match (&fast, &serde) {
            (None, _) => Ok(()),
            (Some(f), Ok(s)) if f == s => Ok(()),
            _ => Err(format!("{text:?}: direct {fast:?}, serde_json {serde:?}")),
        }
    }

    #[test]
    fn the_direct_parser_reads_what_serde_json_reads() {
        let big_dup = format!(
            "{{{}, \"k3\": \"again\", \"k40\": 0, \"k59\": [], \"k61\": 1}}",
            (0..60)
                .map(|i| format!("\"k{i}\": {i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let nest_dict = |n: usize| format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n));
        let line = r#"{"name": "admin_required", "target": {"project_id": "p1", "user_id": "u1"}, "creds": {"user_id": "u1", "system_scope": null, "roles": ["admin", "member"], "is_admin_project": true, "service_roles": [], "token": {"user": {"id": "u1", "domain": {"id": "default"}}}}}"#;
        let read = [
            line,
            &big_dup,
            &nest(64),
            &nest_dict(64),
            "{\"a\": 1, \"b\": 2, \"a\": 3}",
            " \t\r\n{ \"a\" :\n[ 1 , 2 ] } \n",
            "\"a\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r \\u0000 \\uFFFF\"",
            "\"é€😀\"",
            "0",
            "-0",
            "-12",
            "12345678901234567890123456789",
            "-12345678901234567890123456789",
            "1.5",
            "-0.0",
            "1e400",
            "-1e400",
            "1E2",
            "1e+2",
            "1.25E-3",
            "0.1",
            "[]",
            "{}",
            "[{}, [], \"\", null, true, false]",
        ];
        for text in read {
            assert!(
                Reader::default().fast(text, Value::None).is_some(),
                "not read directly: {text:?}"
            );
            assert_eq!(agrees(text), Ok(()));
            assert_eq!(
                from_str(text).map_err(|e| e.to_string()),
                via_serde_json(text),
                "{text:?}"
            );
        }
        let left = [
            &nest(65),
            &nest(129),
            "{\"$serde_json::private::Number\": \"1\"}",
            "\"\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"\u{1}\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"unterminated",
            "",
            " ",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "{1: 2}",
            "NaN",
            "Infinity",
            "01",
            "-01",
            "-",
            "1.",
            "1.e3",
            "1e",
            "1e+",
            ".5",
            "+1",
            "{} x",
            "[1] [2]",
            "nul",
            "truex",
            "\u{a0}1",
        ];
        for text in left {
            assert!(
                Reader::default().fast(text, Value::None).is_none(),
                "read directly: {text:?}"
            );
            assert_eq!(
                from_str(text).map_err(|e| e.to_string()),
                via_serde_json(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn one_reader_recycling_reads_as_serde_json_does() {
        let texts = [
            r#"{"name": "a", "target": {"project_id": "p1"}, "creds": {"roles": ["admin", "member"], "user_id": "u1"}}"#,
            r#"{"name": "a much longer rule name than before", "creds": {"roles": [], "x": {"y": [1, 2.5, "z"]}}}"#,
            "{\"a\": \"1\", \"a\": [\"2\", {\"b\": \"3\"}], \"a\": \"4\"}",
            "\"\\ud83d\\ude00\"",
            "[1,]",
            "{\"a\": [1, 2",
            r#"{"k": "\u00e9\n", "l": ["", "x", "yy"], "m": {}}"#,
            "12345678901234567890",
        ];
        let big = |n: usize, dup: usize| {
            format!(
                "{{{}, \"k{dup}\": \"again\", \"k1\": [{dup}]}}",
                (0..n)
                    .map(|i| format!("\"k{i}\": \"{}\"", i * dup))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let (big40, big33, big60) = (big(40, 35), big(33, 2), big(60, 59));
        let texts =
            texts
                .iter()
                .copied()
                .chain([big40.as_str(), big33.as_str(), texts[0], big60.as_str()]);
        let mut reader = Reader::default();
        for _ in 0..3 {
            for text in texts.clone() {
                let got = reader.read(text);
                assert_eq!(
                    got.as_ref().map_err(ToString::to_string),
                    via_serde_json(text).as_ref().map_err(Clone::clone),
                    "{text:?}"
                );
                if let Ok(v) = got {
                    reader.recycle(v);
                }
            }
        }
    }

    #[test]
    fn special_finds_the_first_quote_backslash_or_control_character() {
        let fillers = [
            b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff,
        ];
        for len in 0..20 {
            for filler in fillers {
                let mut bytes = vec![filler; len];
                assert_eq!(fast::special(&bytes), None);
                for at in 0..len {
                    for special in [b'"', b'\\', 0, 0x1f] {
                        if let Some(b) = bytes.get_mut(at) {
                            *b = special;
                        }
                        assert_eq!(fast::special(&bytes), Some(at), "{bytes:?}");
                        // A later one does not matter.
                        if let Some(last) = bytes.last_mut() {
                            *last = b'"';
                        }
                        assert_eq!(fast::special(&bytes), Some(at), "{bytes:?}");
                        bytes = vec![filler; len];
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// Token soup: mostly not JSON; the direct parser must give up on
        /// all of that, and agree on the rest.
        #[test]
        fn the_direct_parser_agrees_on_token_soup(
            tokens in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", "\n", "\"a\"", "\"b\"", "\"\\n\"",
                "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"é\"", "\"\u{1}\"",
                "0", "-0", "1", "-", "01", "1.5", "1e9", "1E+2", ".", "e", "null", "true",
                "false", "nul", "\"", "\\",
            ]), 0..24)
        ) {
            let text: String = tokens.concat();
            proptest::prop_assert_eq!(agrees(&text), Ok(()));
        }

        /// One reader over documents of every shape, each read into the
        /// last: the same values as serde_json's, each time.
        #[test]
        fn one_reader_reads_each_document_into_the_last(
            values in proptest::collection::vec(json_value(), 1..6),
            dup in proptest::bool::ANY,
        ) {
            let mut reader = Reader::default();
            for value in &values {
                let mut text = String::new();
                write_json(&mut text, value, if dup { " " } else { "" });
                let got = reader.read(&text).map_err(|e| e.to_string());
                proptest::prop_assert_eq!(&got, &via_serde_json(&text), "{}", text);
                if let Ok(v) = got {
                    reader.recycle(v);
                }
            }
        }

        /// Valid JSON of every shape, with arbitrary spacing.
        #[test]
        fn the_direct_parser_agrees_on_json(
            value in json_value(),
            space in proptest::sample::select(vec!["", " ", "\n", " \t\r\n "]),
        ) {
            let mut text = String::new();
            write_json(&mut text, &value, space);
            proptest::prop_assert_eq!(agrees(&text), Ok(()));
            proptest::prop_assert!(Reader::default().fast(&text, Value::None).is_some() || text.contains("\\ud"));
        }
    }

    /// A generated JSON document.
    #[derive(Debug, Clone)]
    enum Json {
        Null,
        Bool(bool),
        Number(String),
        Str(String),
        Array(Vec<Json>),
        Object(Vec<(String, Json)>),
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Json> {
        use proptest::prelude::*;
        let key =
            prop::sample::select(vec!["a", "b", "c", "roles", "é", "a\\nb", "\\ud83d\\ude00"])
                .prop_map(str::to_owned);
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,3})?".prop_map(Json::Number),
            "([a-zé€😀 ]|\\\\[nrtbf/\"\\\\]|\\\\u00[0-9a-fA-F]{2})*".prop_map(Json::Str),
        ];
        leaf.prop_recursive(5, 64, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
                prop::collection::vec((key.clone(), inner), 0..8).prop_map(Json::Object),
            ]
        })
    }

    /// `value` as JSON text (strings are written as generated: escapes
    /// included), `space` around every token.
    fn write_json(out: &mut String, value: &Json, space: &str) {
        out.push_str(space);
        match value {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Str(s) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json(out, item, space);
                }
                out.push_str(space);
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(space);
                    out.push('"');
                    out.push_str(k);
                    out.push('"');
                    out.push_str(space);
                    out.push(':');
                    write_json(out, v, space);
                }
                out.push_str(space);
                out.push('}');
            }
        }
        out.push_str(space);
    }
}
