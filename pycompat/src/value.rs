//! Python values as oslo.policy sees them: what `json.loads` gives for
//! credentials and targets and what `yaml.safe_load` gives for policy
//! files, with Python's `str()`, `repr()`, truthiness and dict-key
//! equality, because every check compares `match == str(value)`.

/// A Python value.
#[derive(Debug, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An `int` of any size, as canonical decimal text (`-12`, `0`).
    Int(String),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(String),
    /// A `list` (JSON array, YAML sequence).
    List(Vec<Value>),
    /// A `dict`, in insertion order, keys unique under Python's equality.
    Dict(Vec<(Value, Value)>),
    /// Anything else YAML can produce (dates, timestamps, binary): only its
    /// `str()`/`repr()` and truthiness matter here.
    Other {
        /// `str(value)`.
        str: String,
        /// `repr(value)`.
        repr: String,
    },
}

impl Clone for Value {
    fn clone(&self) -> Value {
        match self {
            Value::None => Value::None,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(i.clone()),
            Value::Float(f) => Value::Float(*f),
            Value::Str(s) => Value::Str(s.clone()),
            Value::List(items) => Value::List(items.clone()),
            Value::Dict(items) => Value::Dict(items.clone()),
            Value::Other { str, repr } => Value::Other {
                str: str.clone(),
                repr: repr.clone(),
            },
        }
    }

    /// Reuses `self`'s buffers where `source` has the same shape (a
    /// string into a string, a list into a list...): what a memo that is
    /// refilled with values like the ones it held saves in allocations.
    fn clone_from(&mut self, source: &Value) {
        match (self, source) {
            (Value::Int(d), Value::Int(s)) | (Value::Str(d), Value::Str(s)) => d.clone_from(s),
            (Value::List(d), Value::List(s)) => d.clone_from(s),
            (Value::Dict(d), Value::Dict(s)) => d.clone_from(s),
            (Value::Other { str, repr }, Value::Other { str: s, repr: r }) => {
                str.clone_from(s);
                repr.clone_from(r);
            }
            (d, s) => *d = s.clone(),
        }
    }
}

impl Value {
    /// A `str` value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// An `int` from decimal text (`"-0"` becomes `0`); `None` if not an
    /// integer literal.
    pub fn int(text: &str) -> Option<Value> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        Some(Value::Int(match (trimmed.is_empty(), neg) {
            (true, _) => "0".to_owned(),
            (false, true) => format!("-{trimmed}"),
            (false, false) => trimmed.to_owned(),
        }))
    }

    /// Python truthiness (`bool(value)`).
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => i != "0",
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Other { .. } => true,
        }
    }

    /// Python's type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Other { .. } => "object",
        }
    }

    /// `str(value)`.
    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Other { str, .. } => str.clone(),
            other => other.py_repr(),
        }
    }

    /// `repr(value)`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.push_repr(&mut out);
        out
    }

    fn push_repr(&self, out: &mut String) {
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => out.push_str(i),
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => out.push_str(&str_repr(s)),
            Value::Other { repr, .. } => out.push_str(repr),
            // Python prints deeper containers too (until RecursionError);
            // JSON/YAML input here is bounded by the loaders.
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.push_repr(out);
                }
                out.push(']');
            }
            Value::Dict(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.push_repr(out);
                    out.push_str(": ");
                    v.push_repr(out);
                }
                out.push('}');
            }
        }
    }

    /// Python `==` between dict keys (`1 == 1.0 == True`, `0 == False`).
    pub fn key_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => return a == b,
            (Value::Str(_), _) | (_, Value::Str(_)) => return false,
            _ => {}
        }
        match (self.as_number(), other.as_number()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => match (self, other) {
                (Value::Str(a), Value::Str(b)) => a == b,
                (Value::None, Value::None) => true,
                (Value::Other { repr: a, .. }, Value::Other { repr: b, .. }) => a == b,
                _ => false,
            },
            _ => false,
        }
    }

    /// Numbers as an exact-enough comparable form (bools are 0/1).
    fn as_number(&self) -> Option<Number> {
        match self {
            Value::Bool(b) => Some(Number::Int(if *b { "1" } else { "0" }.to_owned())),
            Value::Int(i) => Some(Number::Int(i.clone())),
            Value::Float(f) => Some(match float_as_int_text(*f) {
                Some(i) => Number::Int(i),
                None => Number::Float(f.to_bits()),
            }),
            _ => None,
        }
    }

    /// `d[key]` for a `str` key of a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items
                .iter()
                .find(|(k, _)| matches!(k, Value::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Inserts like `d[key] = value`: an equal key keeps its place and its
    /// original key object, the value is replaced.
    pub fn dict_insert(items: &mut Vec<(Value, Value)>, key: Value, value: Value) {
        match items.iter_mut().find(|(k, _)| k.key_eq(&key)) {
            Some(slot) => slot.1 = value,
            None => items.push((key, value)),
        }
    }

    /// Converts parsed JSON (`json.loads`: exact integers, floats as
    /// binary64, objects in order with later duplicates winning).
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::None,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                let text = n.to_string();
                if let Some(i) = Value::int(&text) {
                    i
                } else {
                    // Python's float() of the literal (overflow gives inf).
                    Value::Float(text.parse::<f64>().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Dict(
                o.iter()
                    .map(|(k, v)| (Value::Str(k.clone()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl Value {
    /// True for `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i.to_string())
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i.to_string())
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

/// Python's `format(x, 'g')` (also `'%g' % x`) for an int or a float:
/// six significant digits, exponent form below 1e-4 and from 1e6,
/// trailing zeros dropped (`5`, `1e+06`, `0.0001`, `1e-05`, `inf`).
pub fn format_g(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Round to 6 significant digits first; the exponent of the rounded
    // value decides the notation, as in C's %g.
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let m = strip_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.abs());
    }
    let decimals = usize::try_from(5 - exp).unwrap_or(0);
    strip_fraction_zeros(&format!("{x:.decimals$}")).to_owned()
}

fn strip_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Builds a dict with [`Value::dict_insert`]'s semantics in linear time
/// for string keys (policy files have thousands of them).
#[derive(Debug, Default)]
pub struct DictBuilder {
    items: Vec<(Value, Value)>,
    by_str: std::collections::HashMap<String, usize>,
}

impl DictBuilder {
    /// `d[key] = value`.
    pub fn insert(&mut self, key: Value, value: Value) {
        // Small dicts (most of them: an opt-data entry has 21 keys) are
        // searched; an index of the string keys is built once they grow.
        const SEARCHED: usize = 32;
        if let Value::Str(s) = &key {
            if self.items.len() < SEARCHED {
                match self
                    .items
                    .iter_mut()
                    .find(|(k, _)| matches!(k, Value::Str(t) if t == s))
                {
                    Some(slot) => slot.1 = value,
                    None => self.items.push((key, value)),
                }
                return;
            }
            if self.by_str.is_empty() {
                for (i, (k, _)) in self.items.iter().enumerate() {
                    if let Value::Str(t) = k {
                        self.by_str.entry(t.clone()).or_insert(i);
                    }
                }
            }
            match self.by_str.get(s) {
                Some(&i) => {
                    if let Some(slot) = self.items.get_mut(i) {
                        slot.1 = value;
                    }
                }
                None => {
                    self.by_str.insert(s.clone(), self.items.len());
                    self.items.push((key, value));
                }
            }
            return;
        }
        // Other keys can only equal other non-string keys.
        match self
            .items
            .iter_mut()
            .find(|(k, _)| !matches!(k, Value::Str(_)) && k.key_eq(&key))
        {
            Some(slot) => slot.1 = value,
            None => self.items.push((key, value)),
        }
    }

    /// The entries, in insertion order.
    pub fn finish(self) -> Vec<(Value, Value)> {
        self.items
    }
}

#[derive(PartialEq)]
enum Number {
    Int(String),
    Float(u64),
}

/// The integer text of an integral finite float (`3.0` → `"3"`).
fn float_as_int_text(f: f64) -> Option<String> {
    if !f.is_finite() || f.fract() != 0.0 {
        return None;
    }
    if f == 0.0 {
        return Some("0".to_owned());
    }
    // Exact: every integral f64 prints exactly with {:.0}.
    Some(format!("{f:.0}"))
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed
/// notation when the decimal exponent is in -4..16, else scientific with
/// a signed, at least two-digit exponent.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e17", "5e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let ndigits = i32::try_from(digits.len()).unwrap_or(1);
    if (-4..16).contains(&exp) {
        let mut out = String::from(sign);
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let int_len = usize::try_from(exp + 1).unwrap_or(1);
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in 0..(int_len - digits.len()) {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                let (a, b) = digits.split_at(int_len);
                out.push_str(a);
                out.push('.');
                out.push_str(b);
            }
        }
        out
    } else {
        let mut out = String::from(sign);
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if ndigits > 1 {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
        out
    }
}

/// Python's `repr(str)`: CPython 3.11's printable characters as they are,
/// the others escaped; a lone surrogate's stand-in
/// ([`crate::surrogate`]) as the surrogate's `\uXXXX`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if crate::str::is_printable(c) => out.push(c),
            c => {
                let n = crate::surrogate::python_code(c);
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_repr_follows_python_3_11s_printable_table() {
        // The table this crate had before kept unassigned code points and
        // planes 15-16 wrong; Python 3.11 (Unicode 14) escapes U+0378,
        // keeps U+E0100 (a variation selector), and shows a lone
        // surrogate as itself.
        assert_eq!(str_repr("\u{378}"), "'\\u0378'");
        assert_eq!(str_repr("\u{e0100}"), "'\u{e0100}'");
        assert_eq!(str_repr("\u{30000}\u{3134b}"), "'\u{30000}\\U0003134b'");
        let lone = crate::surrogate::stand_in(0xD800).unwrap_or('x');
        assert_eq!(str_repr(&lone.to_string()), "'\\ud800'");
        assert_eq!(str_repr("\u{10f7ff}"), "'\\U0010f7ff'");
    }

    #[test]
    fn clone_from_gives_the_source_whatever_was_there() {
        let values = [
            Value::None,
            Value::Bool(true),
            Value::Int("12".to_owned()),
            Value::Float(1.5),
            Value::Str("abc".to_owned()),
            Value::Str(String::new()),
            Value::List(vec![Value::str("x"), Value::Int("1".to_owned())]),
            Value::List(vec![
                Value::str("longer one"),
                Value::None,
                Value::Bool(false),
            ]),
            Value::Dict(vec![(Value::str("k"), Value::List(vec![Value::None]))]),
            Value::Other {
                str: "s".to_owned(),
                repr: "r".to_owned(),
            },
        ];
        for dst in &values {
            for src in &values {
                let mut d = dst.clone();
                d.clone_from(src);
                assert_eq!(&d, src);
                assert_eq!(&src.clone(), src);
            }
        }
    }

    #[test]
    fn format_g_matches_python() {
        // Expected values are Python's `'%g' % x`.
        for (x, want) in [
            (5.0, "5"),
            (1_000_000.0, "1e+06"),
            (999_999.0, "999999"),
            (9_999_995.0, "1e+07"),
            (123_456_789.0, "1.23457e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (65535.0, "65535"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.333333"),
            (-0.0, "-0"),
            (f64::INFINITY, "inf"),
            (99999.95, "99999.9"),
        ] {
            assert_eq!(format_g(x), want, "{x}");
        }
    }

    #[test]
    fn python_float_repr() {
        for (f, want) in [
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (123.456, "123.456"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(float_repr(f), want, "{f:e}");
        }
    }

    #[test]
    fn python_str_and_repr() {
        let v = Value::List(vec![
            Value::str("a"),
            Value::str("it's"),
            Value::None,
            Value::Bool(true),
            Value::Float(1.0),
            Value::Dict(vec![(Value::str("k"), Value::str("x\ny\u{a0}"))]),
        ]);
        assert_eq!(
            v.py_str(),
            r#"['a', "it's", None, True, 1.0, {'k': 'x\ny\xa0'}]"#
        );
        assert_eq!(str_repr("a'b\"c"), r#"'a\'b"c'"#);
        assert_eq!(Value::int("-0"), Some(Value::Int("0".into())));
        assert_eq!(
            Value::int("123456789012345678901234567890").map(|v| v.py_str()),
            Some("123456789012345678901234567890".into())
        );
    }

    #[test]
    fn dict_keys_follow_python_equality() {
        let mut d = Vec::new();
        Value::dict_insert(&mut d, Value::Int("1".into()), Value::str("a"));
        Value::dict_insert(&mut d, Value::Bool(true), Value::str("b"));
        Value::dict_insert(&mut d, Value::Float(1.0), Value::str("c"));
        Value::dict_insert(&mut d, Value::str("1"), Value::str("d"));
        assert_eq!(
            d,
            vec![
                (Value::Int("1".into()), Value::str("c")),
                (Value::str("1"), Value::str("d"))
            ]
        );
    }
}
