//! The JSON dialect of oslo.rootwrap's daemon (`jsonrpc.JsonConnection`).
//!
//! Python's `json` differs from strict JSON in ways the protocol relies on:
//! strings may hold lone surrogates (`\udcff` is how a non-UTF-8 byte of a
//! command line or of a command's output travels, per `os.fsdecode`),
//! `NaN`/`Infinity` are numbers, and `ensure_ascii` output escapes
//! everything outside printable ASCII. On top of that the daemon encodes
//! `bytes` as `{"__bytes__": "<base64>"}`.
//!
//! Strings are kept as the bytes `os.fsencode` would give for them, which is
//! all either side ever does with them; a lone surrogate that has no byte
//! form (outside U+DC80..=U+DCFF) is remembered so that using such a string
//! as a command line fails like Python's `UnicodeEncodeError`.

use pycompat::str as pystr;

/// Deepest nesting [`decode`] accepts (the protocol needs 4).
pub const MAX_DEPTH: usize = 64;

/// A Python `str` as received: its `os.fsencode` bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PyStr {
    bytes: Vec<u8>,
    unencodable: bool,
}

impl PyStr {
    /// The string whose `os.fsencode` is `bytes` (`os.fsdecode(bytes)`).
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        PyStr {
            bytes: bytes.into(),
            unencodable: false,
        }
    }

    /// `os.fsencode(self)`, or `None` if the string holds a lone surrogate
    /// outside U+DC80..=U+DCFF (Python raises `UnicodeEncodeError`).
    pub fn fsencode(&self) -> Option<&[u8]> {
        (!self.unencodable).then_some(self.bytes.as_slice())
    }

    /// Consuming form of [`PyStr::fsencode`].
    pub fn into_fsencoded(self) -> Option<Vec<u8>> {
        (!self.unencodable).then_some(self.bytes)
    }

    /// Whether the string is exactly `s`.
    pub fn is(&self, s: &str) -> bool {
        !self.unencodable && self.bytes == s.as_bytes()
    }

    /// Text for messages (`\udcXX` for undecodable bytes).
    pub fn display(&self) -> String {
        pystr::display(&self.bytes)
    }
}

impl From<&str> for PyStr {
    fn from(s: &str) -> Self {
        PyStr::from_bytes(s.as_bytes())
    }
}

/// A decoded message.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` / `None`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// Any other number (including `NaN`, `Infinity`, big integers).
    Float(f64),
    /// A string.
    Str(PyStr),
    /// `{"__bytes__": "<base64>"}`.
    Bytes(Vec<u8>),
    /// An array (Python list or tuple).
    List(Vec<Value>),
    /// An object, in document order (later duplicates win on lookup).
    Dict(Vec<(PyStr, Value)>),
}

impl Value {
    /// A string value from text.
    pub fn str(s: &str) -> Value {
        Value::Str(PyStr::from(s))
    }

    /// The value under `key` of a dict (the last one, as Python keeps).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items.iter().rev().find(|(k, _)| k.is(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `os.fsencode(value)` for a `str` or `bytes` value.
    pub fn fsencode(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => s.fsencode(),
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Python's type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }
}

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The payload is not UTF-8 (`bytes.decode('utf-8')` fails).
    #[error("message is not valid UTF-8 (byte offset {0})")]
    Utf8(usize),
    /// The text is not a JSON document Python's `json.loads` accepts.
    #[error("{what} at byte offset {at}")]
    Syntax {
        /// What was expected or found.
        what: &'static str,
        /// Where, in bytes from the start of the message.
        at: usize,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {MAX_DEPTH} levels at byte offset {0}")]
    TooDeep(usize),
    /// Decoding would take more memory than allowed.
    #[error("decoding needs more than {0} bytes of memory")]
    TooCostly(usize),
}

/// Bytes charged for every allocation on top of its size (the allocator's
/// own bookkeeping and rounding).
const ALLOC_OVERHEAD: usize = 16;

/// The memory a decoded value tree is charged: every allocation (string
/// buffers, list and dict storage) at its capacity plus
/// [`ALLOC_OVERHEAD`], and the root value itself.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    used: usize,
    limit: usize,
}

impl Cost {
    fn charge(&mut self, bytes: usize, _at: usize) -> Result<(), DecodeError> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limit {
            Err(DecodeError::TooCostly(self.limit))
        } else {
            Ok(())
        }
    }
}

/// Decodes a message like `JsonConnection.loads` (`json.loads` with the
/// `__bytes__` hook). Never panics; nesting is bounded by [`MAX_DEPTH`].
pub fn decode(payload: &[u8]) -> Result<Value, DecodeError> {
    decode_bounded(payload, usize::MAX).map(|(v, _)| v)
}

/// [`decode`], refusing (before allocating it) any tree that would take more
/// than `max_memory` bytes, and returning the memory the tree takes. A
/// message of many tiny strings takes many times its own size once decoded;
/// this bounds it.
pub fn decode_bounded(payload: &[u8], max_memory: usize) -> Result<(Value, usize), DecodeError> {
    let text = std::str::from_utf8(payload).map_err(|e| DecodeError::Utf8(e.valid_up_to()))?;
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        cost: Cost {
            used: 0,
            limit: max_memory,
        },
    };
    p.cost.charge(std::mem::size_of::<Value>(), 0)?;
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.err("extra data"));
    }
    Ok((v, p.cost.used))
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    cost: Cost,
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> DecodeError {
        DecodeError::Syntax { what, at: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s.get(self.pos..self.pos + lit.len()) == Some(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    /// Makes room for one more element in `items`, charging the growth
    /// before it is allocated.
    fn grow<T>(&mut self, items: &mut Vec<T>) -> Result<(), DecodeError> {
        if items.len() == items.capacity() {
            let new_cap = items.capacity().saturating_mul(2).max(4);
            let extra = (new_cap - items.capacity()) * std::mem::size_of::<T>();
            let overhead = if items.capacity() == 0 {
                ALLOC_OVERHEAD
            } else {
                0
            };
            self.cost.charge(extra + overhead, self.pos)?;
            items.reserve_exact(new_cap - items.len());
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Value, DecodeError> {
        if depth >= MAX_DEPTH {
            return Err(DecodeError::TooDeep(self.pos));
        }
        match self.peek() {
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b'[') => {
                self.pos += 1;
                let mut items: Vec<Value> = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Ok(Value::List(items));
                }
                loop {
                    self.ws();
                    let item = self.value(depth + 1)?;
                    self.grow(&mut items)?;
                    items.push(item);
                    self.ws();
                    if self.eat(b"]") {
                        return Ok(Value::List(items));
                    }
                    if !self.eat(b",") {
                        return Err(self.err("expected ',' or ']'"));
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if !self.eat(b"}") {
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return Err(self.err("expected a property name in double quotes"));
                        }
                        let key = self.string()?;
                        self.ws();
                        if !self.eat(b":") {
                            return Err(self.err("expected ':'"));
                        }
                        self.ws();
                        let v = self.value(depth + 1)?;
                        self.grow(&mut items)?;
                        items.push((key, v));
                        self.ws();
                        if self.eat(b"}") {
                            break;
                        }
                        if !self.eat(b",") {
                            return Err(self.err("expected ',' or '}'"));
                        }
                    }
                }
                Ok(object_hook(items))
            }
            Some(b'n') if self.eat(b"null") => Ok(Value::Null),
            Some(b't') if self.eat(b"true") => Ok(Value::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Value::Bool(false)),
            Some(b'N') if self.eat(b"NaN") => Ok(Value::Float(f64::NAN)),
            Some(b'I') if self.eat(b"Infinity") => Ok(Value::Float(f64::INFINITY)),
            Some(b'-') if self.eat(b"-Infinity") => Ok(Value::Float(f64::NEG_INFINITY)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err("expected a value")),
        }
    }

    /// Python's `NUMBER_RE`: `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`.
    fn number(&mut self) -> Result<Value, DecodeError> {
        let start = self.pos;
        self.eat(b"-");
        let digits = |p: &mut Self| {
            let from = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.eat(b"0") {
        } else if digits(self) == 0 {
            return Err(self.err("expected a value"));
        }
        let mut integer = true;
        let save = self.pos;
        if self.eat(b".") {
            if digits(self) == 0 {
                self.pos = save;
            } else {
                integer = false;
            }
        }
        let save = self.pos;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                self.pos = save;
            } else {
                integer = false;
            }
        }
        let text = std::str::from_utf8(self.s.get(start..self.pos).unwrap_or_default())
            .unwrap_or_default();
        if integer {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Int(i));
            }
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| self.err("invalid number"))
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let digits = self
            .s
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.err("invalid \\uXXXX escape"))?;
        let mut v = 0u32;
        for &d in digits {
            let n = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.err("invalid \\uXXXX escape"))?;
            v = v * 16 + n;
        }
        self.pos += 4;
        Ok(v)
    }

    /// A string literal (at its opening quote), with Python's `strict=True`
    /// (no raw control characters) and surrogate-pair joining.
    fn string(&mut self) -> Result<PyStr, DecodeError> {
        self.pos += 1;
        // The decoded string is never longer than its literal: allocate
        // (and charge) that once.
        let mut end = self.pos;
        while let Some(&c) = self.s.get(end) {
            match c {
                b'"' => break,
                b'\\' => end += 2,
                _ => end += 1,
            }
        }
        let room = end.min(self.s.len()).saturating_sub(self.pos);
        if room > 0 {
            self.cost.charge(room + ALLOC_OVERHEAD, self.pos)?;
        }
        let mut out = PyStr {
            bytes: Vec::with_capacity(room),
            unencodable: false,
        };
        loop {
            let run_start = self.pos;
            while matches!(self.peek(), Some(c) if c != b'"' && c != b'\\' && c >= 0x20) {
                self.pos += 1;
            }
            out.bytes
                .extend_from_slice(self.s.get(run_start..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.pos += 1;
                    let simple = match esc {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        _ => {
                            self.pos -= 2;
                            return Err(self.err("invalid \\escape"));
                        }
                    };
                    if let Some(b) = simple {
                        out.bytes.push(b);
                        continue;
                    }
                    let mut cp = self.hex4()?;
                    if (0xD800..0xDC00).contains(&cp)
                        && self.s.get(self.pos..self.pos + 2) == Some(b"\\u")
                    {
                        let save = self.pos;
                        self.pos += 2;
                        let low = self.hex4()?;
                        if (0xDC00..0xE000).contains(&low) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        } else {
                            self.pos = save;
                        }
                    }
                    push_code_point(&mut out, cp);
                }
                None => return Err(self.err("unterminated string")),
                Some(_) => return Err(self.err("invalid control character in string")),
            }
        }
    }
}

/// Appends `os.fsencode(chr(cp))` to `out`.
fn push_code_point(out: &mut PyStr, cp: u32) {
    match cp {
        0xDC80..=0xDCFF => out.bytes.push((cp - 0xDC00) as u8),
        0xD800..=0xDFFF => {
            out.unencodable = true;
            out.bytes.push(b'?');
        }
        _ => {
            let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut buf = [0u8; 4];
            out.bytes
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// `rpc_object_hook`: `{"__bytes__": b64}` becomes bytes; everything else
/// (including `__exception__` markers, which only travel to clients) stays
/// a dict.
fn object_hook(items: Vec<(PyStr, Value)>) -> Value {
    let dict = Value::Dict(items);
    if dict.get("__exception__").is_some() {
        return dict;
    }
    if let Some(Value::Str(b64)) = dict.get("__bytes__") {
        if let Some(bytes) = b64.fsencode().and_then(pycompat::base64::b64decode) {
            return Value::Bytes(bytes);
        }
    }
    dict
}

/// Encodes like `JsonConnection.dumps` (`json.dumps`, `ensure_ascii`,
/// `", "` and `": "` separators, bytes as `{"__bytes__": ...}`).
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = String::new();
    encode_into(&mut out, v);
    out.into_bytes()
}

/// Counts what is written to it.
struct Counter(u64);

impl std::fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 = self
            .0
            .saturating_add(u64::try_from(s.len()).unwrap_or(u64::MAX));
        Ok(())
    }
}

/// Passes what is written to it on to `inner` in 64 KiB writes,
/// remembering the first error.
struct Chunked<'a, W: std::io::Write> {
    inner: &'a mut W,
    buf: Vec<u8>,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> Chunked<'_, W> {
    fn flush_buf(&mut self) {
        if self.error.is_none() && !self.buf.is_empty() {
            if let Err(e) = self.inner.write_all(&self.buf) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }
}

impl<W: std::io::Write> std::fmt::Write for Chunked<'_, W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.buf.extend_from_slice(s.as_bytes());
        if self.buf.len() >= 64 * 1024 {
            self.flush_buf();
        }
        Ok(())
    }
}

/// Writes `v` as one framed message (see [`super::wire`]) without ever
/// holding its encoded form in memory: the length is computed first, then
/// the text is streamed. A reply carrying a command's output therefore
/// costs no more than the output itself.
pub fn write_message<W: std::io::Write>(w: &mut W, v: &Value) -> std::io::Result<()> {
    let mut counter = Counter(0);
    encode_into(&mut counter, v);
    // The length prefix travels with the text: a small message is one
    // write, so one wake-up of the peer.
    let total = usize::try_from(counter.0)
        .unwrap_or(usize::MAX)
        .saturating_add(8);
    let mut buf = Vec::with_capacity(total.min(64 * 1024 + 8));
    buf.extend_from_slice(&counter.0.to_be_bytes());
    let mut out = Chunked {
        inner: w,
        buf,
        error: None,
    };
    encode_into(&mut out, v);
    out.flush_buf();
    match out.error {
        Some(e) => Err(e),
        None => w.flush(),
    }
}

fn encode_into<W: std::fmt::Write>(out: &mut W, v: &Value) {
    // Writing to a `String`, a counter or a `Chunked` cannot fail.
    let _ = match v {
        Value::Null => out.write_str("null"),
        Value::Bool(true) => out.write_str("true"),
        Value::Bool(false) => out.write_str("false"),
        Value::Int(i) => write!(out, "{i}"),
        Value::Float(f) if f.is_nan() => out.write_str("NaN"),
        Value::Float(f) if f.is_infinite() => {
            out.write_str(if *f > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Float(f) => write!(out, "{f:?}"),
        Value::Str(s) => {
            pycompat::json::push_bytes(out, &s.bytes);
            Ok(())
        }
        Value::Bytes(b) => {
            let _ = out.write_str("{\"__bytes__\": \"");
            let _ = out.write_str(&pycompat::base64::b64encode(b));
            out.write_str("\"}")
        }
        Value::List(items) => {
            let _ = out.write_char('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    let _ = out.write_str(", ");
                }
                encode_into(out, item);
            }
            out.write_char(']')
        }
        Value::Dict(items) => {
            let _ = out.write_char('{');
            for (i, (k, item)) in items.iter().enumerate() {
                if i > 0 {
                    let _ = out.write_str(", ");
                }
                pycompat::json::push_bytes(out, &k.bytes);
                let _ = out.write_str(": ");
                encode_into(out, item);
            }
            out.write_char('}')
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_shapes_round_trip() -> Result<(), DecodeError> {
        let text = br#"["7fac09132890", "run_one_command", [["ls", "-d", "/tmp\udcff\u00e9\ud83d\ude00"], null], {}]"#;
        let v = decode(text)?;
        let Value::List(items) = &v else {
            panic!("not a list: {v:?}")
        };
        let Some(Value::List(args)) = items.get(2) else {
            panic!("no args")
        };
        let Some(Value::List(argv)) = args.first() else {
            panic!("no argv")
        };
        assert_eq!(
            argv.get(2).and_then(Value::fsencode),
            Some(&b"/tmp\xff\xc3\xa9\xf0\x9f\x98\x80"[..])
        );
        assert_eq!(encode(&v), text.to_vec());
        Ok(())
    }

    #[test]
    fn unencodable_surrogates_are_flagged() -> Result<(), DecodeError> {
        let v = decode(br#""\ud800x""#)?;
        assert_eq!(v.fsencode(), None);
        let v = decode(br#""\udc41""#)?;
        assert_eq!(v.fsencode(), None, "U+DC41 has no byte form (below 0x80)");
        Ok(())
    }

    #[test]
    fn bytes_hook_and_base64() -> Result<(), DecodeError> {
        assert_eq!(
            decode(br#"{"__bytes__": "AP8="}"#)?,
            Value::Bytes(vec![0, 255])
        );
        Ok(())
    }

    #[test]
    fn python_number_and_literal_forms() -> Result<(), DecodeError> {
        assert_eq!(decode(b" -12 ")?, Value::Int(-12));
        assert_eq!(decode(b"1.5e3")?, Value::Float(1500.0));
        assert!(matches!(decode(b"NaN")?, Value::Float(f) if f.is_nan()));
        assert_eq!(decode(b"99999999999999999999")?, Value::Float(1e20));
        for bad in [
            &b"01"[..],
            b"[1,]",
            b"\"a\nb\"",
            b"{'a': 1}",
            b"[",
            b"\"\\x\"",
            b"tru",
            b"\xff",
        ] {
            assert!(
                decode(bad).is_err(),
                "{:?} accepted",
                String::from_utf8_lossy(bad)
            );
        }
        Ok(())
    }

    #[test]
    fn decoding_memory_is_bounded() -> Result<(), Box<dyn std::error::Error>> {
        // 1 MiB of one-character strings: many times its size once decoded.
        let mut text = String::from("[");
        while text.len() < 1 << 20 {
            text.push_str("\"a\",");
        }
        text.push_str("\"a\"]");
        let (_, cost) = decode_bounded(text.as_bytes(), usize::MAX)?;
        assert!(cost > 8 << 20, "cost {cost}");
        assert!(matches!(
            decode_bounded(text.as_bytes(), 2 << 20),
            Err(DecodeError::TooCostly(_))
        ));
        // One long string costs about its length.
        let long = format!("[\"{}\"]", "x".repeat(1 << 20));
        let (_, cost) = decode_bounded(long.as_bytes(), usize::MAX)?;
        assert!(cost < (1 << 20) + 4096, "cost {cost}");
        Ok(())
    }

    #[test]
    fn streamed_messages_equal_encoded_ones() -> Result<(), Box<dyn std::error::Error>> {
        let big = PyStr::from_bytes(
            [
                b"\xff\"\n".repeat(50_000),
                "é😀".repeat(10_000).into_bytes(),
            ]
            .concat(),
        );
        let v = Value::List(vec![
            Value::str("#RETURN"),
            Value::List(vec![
                Value::Int(0),
                Value::Str(big),
                Value::Bytes(vec![1, 2, 3]),
            ]),
        ]);
        let mut streamed = Vec::new();
        write_message(&mut streamed, &v)?;
        let mut framed = Vec::new();
        super::super::wire::write_frame(&mut framed, &encode(&v))?;
        assert_eq!(streamed, framed);
        Ok(())
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            decode(deep.as_bytes()),
            Err(DecodeError::TooDeep(_))
        ));
    }
}
