//! Option types (`oslo_config/types.py`): parsing text into typed values
//! with the reference's grammar and error messages, and formatting
//! defaults for the sample file.
//!
//! Every type behaves as the reference class's `__call__` does — for a
//! `str` (what files, the environment and the command line give) and for
//! any other Python value (defaults, overrides) — and fails with the
//! `str()` of the exception the reference raises. Besides `ValueError`s
//! the reference can raise `TypeError`, `AttributeError` or
//! `OverflowError` for values of the wrong kind; those come back as
//! [`InvalidValue`] too, with the same text, but (as in the reference)
//! they are not caught by the `List`/`Dict` item retry or the
//! `HostAddress` fallback.

mod net;
pub(crate) mod pynum;
mod pyre;
mod uri;

use std::cmp::Ordering;

use pycompat::str::{is_py_space, py_strip};
use pycompat::value::{Value, str_repr};

use pynum::Num;

/// A value an option's type refuses; `Display` is Python's `str()` of
/// the `ValueError` the reference raises.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

/// `(value, description)` pairs of a `choices` list.
pub type Choices = Vec<(Value, Option<String>)>;

/// `types.String` (and `MultiString`'s item rules).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StringType {
    /// Allowed values (compared exactly, or lowercased if `ignore_case`).
    pub choices: Option<Choices>,
    /// Strip one pair of surrounding quotes.
    pub quotes: bool,
    /// A Python regular expression the value must `re.search`.
    pub regex: Option<String>,
    /// Case-insensitive choices and regex.
    pub ignore_case: bool,
    /// Maximum length in characters.
    pub max_length: Option<usize>,
}

/// `types.Integer` / `types.Port` bounds and choices (ints as `Value::Int`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntegerType {
    /// Lower bound.
    pub min: Option<Value>,
    /// Upper bound.
    pub max: Option<Value>,
    /// Allowed values.
    pub choices: Option<Choices>,
}

/// `types.Float` bounds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FloatType {
    /// Lower bound.
    pub min: Option<f64>,
    /// Upper bound.
    pub max: Option<f64>,
}

/// `types.List`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListType {
    /// The type of each item (String by default).
    pub item_type: Type,
    /// `[...]` required around the value.
    pub bounds: bool,
    /// Minimum number of items.
    pub min_length: Option<usize>,
}

/// `types.Dict`.
#[derive(Debug, Clone, PartialEq)]
pub struct DictType {
    /// The type of each value (String by default).
    pub value_type: Type,
    /// `{...}` required around the value.
    pub bounds: bool,
    /// Between key and value (`:` by default).
    pub key_value_separator: String,
    /// Minimum number of pairs.
    pub min_length: Option<usize>,
}

/// `types.URI`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UriType {
    /// Maximum length in characters.
    pub max_length: Option<usize>,
    /// Allowed schemes (any if `None`).
    pub schemes: Option<Vec<String>>,
}

/// An option type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `types.String` ("string value").
    String(StringType),
    /// `types.MultiString` ("multi valued"), the item type of `MultiStrOpt`.
    MultiString,
    /// `types.Boolean` ("boolean value").
    Boolean,
    /// `types.Integer` ("integer value").
    Integer(IntegerType),
    /// `types.Float` ("floating point value").
    Float(FloatType),
    /// `types.Port` ("port value").
    Port(IntegerType),
    /// `types.List` ("list value").
    List(Box<ListType>),
    /// `types.Dict` ("dict value").
    Dict(Box<DictType>),
    /// `types.IPAddress(version)` ("IP address value").
    IpAddress(Option<u8>),
    /// `types.Hostname` ("hostname value").
    Hostname,
    /// `types.HostAddress(version)` ("host address value").
    HostAddress(Option<u8>),
    /// `types.HostDomain(version)` ("host domain value").
    HostDomain(Option<u8>),
    /// `types.URI` ("uri value").
    Uri(UriType),
}

/// The class of the exception the reference raises for a value (or a
/// type definition) it refuses.
///
/// oslo.config reports only `ValueError`s as invalid values (and its
/// `List`/`Dict` item retry and `HostAddress` fallback catch only those);
/// the others propagate out of the reference as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionClass {
    /// `ValueError`.
    ValueError,
    /// `TypeError` (wrong kind of value, `'<' not supported ...`).
    TypeError,
    /// `AttributeError` (`'int' object has no attribute 'lower'`).
    AttributeError,
    /// `OverflowError` (`int too large to convert to float`).
    OverflowError,
    /// `re.error`: a `regex` Python cannot compile (the message is the
    /// Rust regex compiler's, not Python's).
    ReError,
}

impl ExceptionClass {
    /// `type(exc).__name__`.
    pub fn name(self) -> &'static str {
        match self {
            ExceptionClass::ValueError => "ValueError",
            ExceptionClass::TypeError => "TypeError",
            ExceptionClass::AttributeError => "AttributeError",
            ExceptionClass::OverflowError => "OverflowError",
            ExceptionClass::ReError => "error",
        }
    }
}

/// A Python exception raised by a type.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Exc {
    class: ExceptionClass,
    msg: String,
}

impl Exc {
    fn new(class: ExceptionClass, msg: impl Into<String>) -> Exc {
        Exc {
            class,
            msg: msg.into(),
        }
    }

    /// A `ValueError`.
    fn value(msg: impl Into<String>) -> Exc {
        Exc::new(ExceptionClass::ValueError, msg)
    }

    /// A `TypeError`.
    fn type_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExceptionClass::TypeError, msg)
    }

    /// An `AttributeError`.
    fn attribute(msg: impl Into<String>) -> Exc {
        Exc::new(ExceptionClass::AttributeError, msg)
    }

    /// An `OverflowError`.
    fn overflow(msg: impl Into<String>) -> Exc {
        Exc::new(ExceptionClass::OverflowError, msg)
    }

    /// A `re.error`.
    fn re_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExceptionClass::ReError, msg)
    }

    fn is_value_error(&self) -> bool {
        self.class == ExceptionClass::ValueError
    }

    fn classified(self) -> (ExceptionClass, InvalidValue) {
        (self.class, InvalidValue(self.msg))
    }
}

impl From<Exc> for InvalidValue {
    fn from(e: Exc) -> InvalidValue {
        InvalidValue(e.msg)
    }
}

type PyResult<T> = Result<T, Exc>;

const PORT_MIN: &str = "0";
const PORT_MAX: &str = "65535";
const TRUE_VALUES: [&str; 4] = ["true", "1", "on", "yes"];
const FALSE_VALUES: [&str; 4] = ["false", "0", "off", "no"];

/// A choice that is a list stands for the reference's tuple (a
/// `(value, description)` pair listed among bare values becomes a choice
/// of its own): its type name.
fn choice_type_name(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "tuple",
        other => other.type_name(),
    }
}

/// `repr()` of a choice (lists as tuples).
fn choice_repr(v: &Value) -> String {
    match v {
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(choice_repr).collect();
            match inner.as_slice() {
                [one] => format!("({one},)"),
                _ => format!("({})", inner.join(", ")),
            }
        }
        other => other.py_repr(),
    }
}

/// `str()` of a choice (lists as tuples).
fn choice_str(v: &Value) -> String {
    match v {
        Value::List(_) => choice_repr(v),
        other => other.py_str(),
    }
}

/// `==` between choices (lists as tuples).
fn choice_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| choice_eq(p, q))
        }
        _ => a.key_eq(b),
    }
}

/// `bound <op> choice`.
fn cmp_choice(bound: &Value, choice: &Value, op: &str) -> PyResult<Option<Ordering>> {
    if matches!(choice, Value::List(_)) {
        return Err(Exc::type_error(format!(
            "'{op}' not supported between instances of '{}' and 'tuple'",
            bound.type_name()
        )));
    }
    py_cmp(bound, choice, op)
}

/// `OrderedDict(choices)`: a repeated value keeps its first place and
/// takes the last description.
fn dedup_choices(choices: &Choices) -> Choices {
    let mut out: Choices = Vec::with_capacity(choices.len());
    for (value, desc) in choices {
        match out.iter_mut().find(|(k, _)| choice_eq(k, value)) {
            Some(slot) => slot.1.clone_from(desc),
            None => out.push((value.clone(), desc.clone())),
        }
    }
    out
}

/// `repr(OrderedDict(choices))` (Python 3.11 form).
fn odict_repr(choices: &Choices) -> String {
    let items = dedup_choices(choices);
    if items.is_empty() {
        return "OrderedDict()".to_owned();
    }
    let pairs: Vec<String> = items
        .iter()
        .map(|(k, d)| {
            format!(
                "({}, {})",
                choice_repr(k),
                d.as_deref().map_or("None".to_owned(), str_repr)
            )
        })
        .collect();
    format!("OrderedDict([{}])", pairs.join(", "))
}

/// `a <op> b` for Python numbers and strs: the ordering, `None` if
/// unordered (NaN), a `TypeError` for other kinds.
fn py_cmp(a: &Value, b: &Value, op: &str) -> PyResult<Option<Ordering>> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Some(pynum::cmp_int(x, y)));
    }
    match (Num::of(a), Num::of(b), a, b) {
        (Some(x), Some(y), _, _) => Ok(pynum::cmp_num(&x, &y)),
        (_, _, Value::Str(x), Value::Str(y)) => Ok(Some(x.cmp(y))),
        _ => Err(Exc::type_error(format!(
            "'{op}' not supported between instances of '{}' and '{}'",
            a.type_name(),
            b.type_name()
        ))),
    }
}

/// `a < b`.
fn py_lt(a: &Value, b: &Value) -> PyResult<bool> {
    Ok(py_cmp(a, b, "<")? == Some(Ordering::Less))
}

/// `a > b`.
fn py_gt(a: &Value, b: &Value) -> PyResult<bool> {
    Ok(py_cmp(a, b, ">")? == Some(Ordering::Greater))
}

/// `format(v, 'g')`.
fn format_g(v: &Value) -> PyResult<String> {
    match Num::of(v) {
        Some(n) => n.format_g(),
        None => Err(Exc::value(format!(
            "Unknown format code 'g' for object of type '{}'",
            v.type_name()
        ))),
    }
}

/// `ConfigType.quote_trailing_and_leading_space`.
fn quote_spaces(s: &str) -> String {
    if py_strip(s) != s {
        format!("\"{s}\"")
    } else {
        s.to_owned()
    }
}

/// `'Length should be greater than or equal to %g'` with its argument:
/// the reference raises `ValueError(fmt, n)`, whose `str()` is the tuple.
fn min_length_error(n: usize) -> Exc {
    Exc::value(format!(
        "('Length should be greater than or equal to %g', {n})"
    ))
}

/// Whether `str(value).strip()` is empty (without copying a string).
fn is_blank(value: &Value) -> bool {
    match value {
        // Text that starts with a non-space is not blank: no strip.
        Value::Str(s) => s.chars().next().is_none_or(is_py_space) && py_strip(s).is_empty(),
        _ => py_strip(&value.py_str()).is_empty(),
    }
}

/// `int(n)` for a small int.
fn int_value(n: &str) -> Value {
    Value::Int(n.to_owned())
}

impl StringType {
    /// A string type with these allowed values.
    pub fn with_choices<S: AsRef<str>>(choices: &[S]) -> StringType {
        StringType {
            choices: Some(
                choices
                    .iter()
                    .map(|c| (Value::str(c.as_ref()), None))
                    .collect(),
            ),
            ..StringType::default()
        }
    }

    fn construct(&self) -> PyResult<()> {
        let has_choices = self.choices.as_ref().is_some_and(|c| !c.is_empty());
        let has_regex = self.regex.as_ref().is_some_and(|r| !r.is_empty());
        if has_choices && has_regex {
            return Err(Exc::value("'choices' and 'regex' cannot both be specified"));
        }
        if self.ignore_case {
            if let Some(bad) = self
                .choices
                .iter()
                .flatten()
                .find(|(k, _)| !matches!(k, Value::Str(_)))
            {
                return Err(Exc::attribute(format!(
                    "'{}' object has no attribute 'lower'",
                    choice_type_name(&bad.0)
                )));
            }
        }
        if let Some(regex) = &self.regex {
            pyre::compile(regex, self.ignore_case).map_err(|e| Exc::re_error(pyre::message(&e)))?;
        }
        Ok(())
    }

    fn call(&self, value: &str) -> PyResult<String> {
        let mut v = value;
        if self.quotes {
            if let Some(first @ ('"' | '\'')) = v.chars().next() {
                if v.len() == 1 || !v.ends_with(first) {
                    return Err(Exc::value(format!("Non-closed quote: {v}")));
                }
                v = v.get(1..v.len() - 1).unwrap_or_default();
            }
        }
        if let Some(max) = self.max_length.filter(|m| *m > 0) {
            if v.chars().count() > max {
                return Err(Exc::value(format!(
                    "Value {} exceeds maximum length {max}",
                    str_repr(v)
                )));
            }
        }
        if let Some(regex) = &self.regex {
            if !pyre::search(regex, self.ignore_case, v)
                .map_err(|e| Exc::re_error(pyre::message(&e)))?
            {
                return Err(Exc::value(format!(
                    "Value {} doesn't match regex {}",
                    str_repr(v),
                    str_repr(regex)
                )));
            }
        }
        let Some(choices) = &self.choices else {
            return Ok(v.to_owned());
        };
        let choices = dedup_choices(choices);
        let found = if self.ignore_case {
            let lower = v.to_lowercase();
            choices
                .iter()
                .any(|(k, _)| matches!(k, Value::Str(c) if c.to_lowercase() == lower))
        } else {
            choices
                .iter()
                .any(|(k, _)| matches!(k, Value::Str(c) if c == v))
        };
        if found {
            return Ok(v.to_owned());
        }
        let names: Vec<String> = choices.iter().map(|(k, _)| choice_str(k)).collect();
        Err(Exc::value(format!(
            "Valid values are [{}], but found {}",
            names.join(", "),
            str_repr(v)
        )))
    }
}

impl IntegerType {
    /// An integer type with these (inclusive) bounds.
    pub fn between(min: Option<i64>, max: Option<i64>) -> IntegerType {
        IntegerType {
            min: min.map(Value::from),
            max: max.map(Value::from),
            choices: None,
        }
    }

    /// The bounds as the reference stores them (`Port` fills in 0 and
    /// 65535).
    /// [`Self::bounds`] without copying them.
    fn bound_refs(&self, port: bool) -> (Option<&Value>, Option<&Value>) {
        static MIN: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| int_value(PORT_MIN));
        static MAX: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| int_value(PORT_MAX));
        if port {
            (
                Some(self.min.as_ref().unwrap_or(&MIN)),
                Some(self.max.as_ref().unwrap_or(&MAX)),
            )
        } else {
            (self.min.as_ref(), self.max.as_ref())
        }
    }

    fn bounds(&self, port: bool) -> (Option<Value>, Option<Value>) {
        if port {
            (
                Some(self.min.clone().unwrap_or_else(|| int_value(PORT_MIN))),
                Some(self.max.clone().unwrap_or_else(|| int_value(PORT_MAX))),
            )
        } else {
            (self.min.clone(), self.max.clone())
        }
    }

    fn construct(&self, port: bool) -> PyResult<()> {
        let (min, max) = self.bounds(port);
        if port {
            if let Some(min) = &min {
                if py_lt(min, &int_value(PORT_MIN))? {
                    return Err(Exc::value(format!(
                        "Min value cannot be less than {PORT_MIN}"
                    )));
                }
            }
            if let Some(max) = &max {
                if py_gt(max, &int_value(PORT_MAX))? {
                    return Err(Exc::value(format!(
                        "Max value cannot be more than {PORT_MAX}"
                    )));
                }
            }
        }
        if let (Some(lo), Some(hi)) = (&min, &max) {
            if py_lt(hi, lo)? {
                return Err(Exc::value("Max value is less than min value"));
            }
        }
        let Some(choices) = &self.choices else {
            return Ok(());
        };
        let mut invalid = Vec::new();
        for (c, _) in dedup_choices(choices) {
            let below = match &min {
                Some(lo) => cmp_choice(lo, &c, ">")? == Some(Ordering::Greater),
                None => false,
            };
            let above = !below
                && match &max {
                    Some(hi) => cmp_choice(hi, &c, "<")? == Some(Ordering::Less),
                    None => false,
                };
            if below || above {
                invalid.push(choice_repr(&c));
            }
        }
        if invalid.is_empty() {
            return Ok(());
        }
        let show = |v: &Option<Value>| v.as_ref().map_or("None".to_owned(), Value::py_str);
        Err(Exc::value(format!(
            "Choices [{}] are out of bounds [{}..{}]",
            invalid.join(", "),
            show(&min),
            show(&max)
        )))
    }

    /// `Number.__call__` for `int`.
    fn call(&self, value: &Value, port: bool) -> PyResult<Value> {
        let num = match value {
            Value::Int(_) | Value::Bool(_) => value.clone(),
            _ => {
                if is_blank(value) {
                    return Ok(Value::None);
                }
                match value {
                    Value::Str(s) => Value::Int(pynum::py_int(s)?),
                    Value::Float(f) => Value::Int(pynum::float_to_int(*f)?),
                    other => {
                        return Err(Exc::type_error(format!(
                            "int() argument must be a string, a bytes-like object or a real \
                             number, not '{}'",
                            other.type_name()
                        )));
                    }
                }
            }
        };
        let (min, max) = self.bound_refs(port);
        match &self.choices {
            None => {
                if let Some(lo) = min {
                    if py_lt(&num, lo)? {
                        return Err(Exc::value(format!(
                            "Should be greater than or equal to {}",
                            format_g(lo)?
                        )));
                    }
                }
                if let Some(hi) = max {
                    if py_gt(&num, hi)? {
                        return Err(Exc::value(format!(
                            "Should be less than or equal to {}",
                            format_g(hi)?
                        )));
                    }
                }
            }
            Some(choices) => {
                if !choices.iter().any(|(k, _)| choice_eq(k, &num)) {
                    let shown = odict_repr(choices);
                    return Err(Exc::value(format!(
                        "Valid values are {shown}, but found {}",
                        format_g(&num)?
                    )));
                }
            }
        }
        Ok(num)
    }
}

impl FloatType {
    fn construct(&self) -> PyResult<()> {
        if let (Some(lo), Some(hi)) = (self.min, self.max) {
            if hi < lo {
                return Err(Exc::value("Max value is less than min value"));
            }
        }
        Ok(())
    }

    /// `Number.__call__` for `float`.
    fn call(&self, value: &Value) -> PyResult<Value> {
        let num = match value {
            Value::Float(f) => *f,
            _ => {
                if is_blank(value) {
                    return Ok(Value::None);
                }
                match value {
                    Value::Str(s) => pynum::py_float(s)?,
                    Value::Int(i) => pynum::int_to_f64(i)?,
                    Value::Bool(b) => f64::from(u8::from(*b)),
                    other => {
                        return Err(Exc::type_error(format!(
                            "float() argument must be a string or a real number, not '{}'",
                            other.type_name()
                        )));
                    }
                }
            }
        };
        if let Some(lo) = self.min {
            if num < lo {
                return Err(Exc::value(format!(
                    "Should be greater than or equal to {}",
                    pynum::format_g(lo)
                )));
            }
        }
        if let Some(hi) = self.max {
            if num > hi {
                return Err(Exc::value(format!(
                    "Should be less than or equal to {}",
                    pynum::format_g(hi)
                )));
            }
        }
        Ok(Value::Float(num))
    }
}

impl ListType {
    fn call(&self, value: &Value) -> PyResult<Value> {
        let text = match value {
            Value::List(items) => {
                return items
                    .iter()
                    .map(|v| self.item_type.call(v))
                    .collect::<PyResult<Vec<_>>>()
                    .map(Value::List);
            }
            Value::Str(s) => s,
            other => {
                return Err(Exc::attribute(format!(
                    "'{}' object has no attribute 'strip'",
                    other.type_name()
                )));
            }
        };
        let mut s = py_strip(text).trim_end_matches(',');
        if self.bounds {
            if !s.starts_with('[') {
                return Err(Exc::value("Value should start with \"[\""));
            }
            if !s.ends_with(']') {
                return Err(Exc::value("Value should end with \"]\""));
            }
            s = s.get(1..s.len() - 1).unwrap_or_default();
        }
        let min_length = self.min_length.unwrap_or(0);
        if s.is_empty() {
            if min_length > 0 {
                return Err(min_length_error(min_length));
            }
            return Ok(Value::List(Vec::new()));
        }
        let mut pieces = s.split(',');
        let mut result = Vec::new();
        while let Some(first) = pieces.next() {
            let mut piece = std::borrow::Cow::Borrowed(first);
            loop {
                match self.item_type.call_str(py_strip(&piece)) {
                    Ok(v) => {
                        result.push(v);
                        break;
                    }
                    Err(e) if e.is_value_error() => match pieces.next() {
                        Some(next) => {
                            let joined = piece.to_mut();
                            joined.push(',');
                            joined.push_str(next);
                        }
                        None => return Err(e),
                    },
                    Err(e) => return Err(e),
                }
            }
        }
        if min_length > 0 && result.len() < min_length {
            return Err(min_length_error(min_length));
        }
        Ok(Value::List(result))
    }
}

impl DictType {
    fn construct(&self) -> PyResult<()> {
        self.value_type.construct()?;
        if self.key_value_separator == "," {
            return Err(Exc::type_error("key_value_separator should not be ','"));
        }
        Ok(())
    }

    /// One `NAME<sep>VALUE` pair, the value converted.
    fn pair(&self, pair: &str) -> PyResult<(String, Value)> {
        let sep = self.key_value_separator.as_str();
        if sep.is_empty() {
            return Err(Exc::value("empty separator"));
        }
        let Some((key, value)) = pair.split_once(sep) else {
            return Err(Exc::value(format!(
                "Value should be NAME{sep}VALUE pairs separated by \",\""
            )));
        };
        let value = self.value_type.call(&Value::str(py_strip(value)))?;
        Ok((py_strip(key).to_owned(), value))
    }

    fn call(&self, value: &Value) -> PyResult<Value> {
        let text = match value {
            Value::Dict(_) => return Ok(value.clone()),
            Value::Str(s) => s,
            other => {
                return Err(Exc::attribute(format!(
                    "'{}' object has no attribute 'strip'",
                    other.type_name()
                )));
            }
        };
        let mut s = py_strip(text);
        if self.bounds {
            if !s.starts_with('{') {
                return Err(Exc::value("Value should start with \"{\""));
            }
            if !s.ends_with('}') {
                return Err(Exc::value("Value should end with \"}\""));
            }
            s = s.get(1..s.len() - 1).unwrap_or_default();
        }
        let min_length = self.min_length.unwrap_or(0);
        if s.is_empty() {
            if min_length > 0 {
                return Err(min_length_error(min_length));
            }
            return Ok(Value::Dict(Vec::new()));
        }
        let mut pieces = s.split(',');
        let mut result: Vec<(Value, Value)> = Vec::new();
        while let Some(first) = pieces.next() {
            let mut pair = first.to_owned();
            let (key, value) = loop {
                match self.pair(&pair) {
                    Ok(kv) => break kv,
                    Err(e) if e.is_value_error() => match pieces.next() {
                        Some(next) => {
                            pair.push(',');
                            pair.push_str(next);
                        }
                        None => return Err(e),
                    },
                    Err(e) => return Err(e),
                }
            };
            if key.is_empty() {
                return Err(Exc::value("Key name should not be empty"));
            }
            if result
                .iter()
                .any(|(k, _)| matches!(k, Value::Str(s) if *s == key))
            {
                return Err(Exc::value(format!("Duplicate key {key}")));
            }
            result.push((Value::Str(key), value));
        }
        if min_length > 0 && result.len() < min_length {
            return Err(min_length_error(min_length));
        }
        Ok(Value::Dict(result))
    }
}

/// `Hostname.__call__(value, regex)` for any value.
fn hostname_call(value: &Value, underscore: bool) -> PyResult<Value> {
    match value {
        Value::Str(s) => net::hostname(s, underscore).map(Value::Str),
        Value::List(_) | Value::Dict(_) => {
            let len = match value {
                Value::List(l) => l.len(),
                Value::Dict(d) => d.len(),
                _ => 0,
            };
            if len == 0 {
                return Err(Exc::value("Cannot have an empty hostname"));
            }
            if len > 253 {
                return Err(Exc::value(format!(
                    "hostname is greater than 253 characters: {}",
                    value.py_str()
                )));
            }
            Err(Exc::attribute(format!(
                "'{}' object has no attribute 'endswith'",
                value.type_name()
            )))
        }
        other => Err(Exc::type_error(format!(
            "object of type '{}' has no len()",
            other.type_name()
        ))),
    }
}

/// `HostAddress(version)(value)`.
fn host_address_call(version: Option<u8>, value: &Value) -> PyResult<Value> {
    let text = value.py_str();
    match net::check_ip(version, &text) {
        Ok(()) => Ok(Value::Str(text)),
        Err(e) if e.is_value_error() => match hostname_call(value, false) {
            Err(e) if e.is_value_error() => {
                Err(Exc::value(format!("{text} is not a valid host address")))
            }
            other => other,
        },
        Err(e) => Err(e),
    }
}

/// `HostDomain(version)(value)`.
fn host_domain_call(version: Option<u8>, value: &Value) -> PyResult<Value> {
    match host_address_call(version, value) {
        Err(e) if e.is_value_error() => match hostname_call(value, true) {
            Err(e) if e.is_value_error() => Err(Exc::value(format!(
                "{} is not a valid host address",
                value.py_str()
            ))),
            other => other,
        },
        other => other,
    }
}

fn check_version(version: Option<u8>) -> PyResult<()> {
    match version {
        None | Some(4) | Some(6) => Ok(()),
        Some(v) => Err(Exc::type_error(format!("{v} is not a valid IP version."))),
    }
}

impl Type {
    /// A plain `types.String()`.
    pub fn string() -> Type {
        Type::String(StringType::default())
    }

    /// `types.Boolean()`.
    pub fn boolean() -> Type {
        Type::Boolean
    }

    /// `types.Integer()` without bounds.
    pub fn integer() -> Type {
        Type::Integer(IntegerType::default())
    }

    /// `types.Float()` without bounds.
    pub fn float() -> Type {
        Type::Float(FloatType::default())
    }

    /// `types.Port()` (0..65535).
    pub fn port() -> Type {
        Type::Port(IntegerType::default())
    }

    /// `types.List(item_type)`.
    pub fn list_of(item_type: Type) -> Type {
        Type::List(Box::new(ListType {
            item_type,
            bounds: false,
            min_length: None,
        }))
    }

    /// `types.Dict(value_type)`.
    pub fn dict_of(value_type: Type) -> Type {
        Type::Dict(Box::new(DictType {
            value_type,
            bounds: false,
            key_value_separator: ":".to_owned(),
            min_length: None,
        }))
    }

    /// Checks what the reference's constructor checks (`Max value is less
    /// than min value`, choices with regex, Port bounds…).
    pub fn validate(&self) -> Result<(), InvalidValue> {
        self.construct().map_err(InvalidValue::from)
    }

    fn construct(&self) -> PyResult<()> {
        match self {
            Type::String(s) => s.construct(),
            Type::Integer(i) => i.construct(false),
            Type::Port(i) => i.construct(true),
            Type::Float(f) => f.construct(),
            Type::List(l) => l.item_type.construct(),
            Type::Dict(d) => d.construct(),
            Type::IpAddress(v) | Type::HostAddress(v) | Type::HostDomain(v) => check_version(*v),
            Type::MultiString | Type::Boolean | Type::Hostname | Type::Uri(_) => Ok(()),
        }
    }

    /// `type(text)`: text from a file, the environment or the command line.
    pub fn parse(&self, text: &str) -> Result<Value, InvalidValue> {
        self.call(&Value::str(text)).map_err(InvalidValue::from)
    }

    /// `type(value)` for any Python value (defaults, overrides): strings are
    /// parsed, already-typed values checked and passed through.
    pub fn convert(&self, value: &Value) -> Result<Value, InvalidValue> {
        self.call(value).map_err(InvalidValue::from)
    }

    /// [`convert`](Type::convert), with the class of the exception the
    /// reference raises (only `ValueError`s are invalid values to
    /// oslo.config; the others escape it).
    pub fn convert_raising(&self, value: &Value) -> Result<Value, (ExceptionClass, InvalidValue)> {
        self.call(value).map_err(Exc::classified)
    }

    /// [`validate`](Type::validate), with the class of the exception the
    /// reference's constructor raises (`ValueError`, `TypeError` for a bad
    /// IP version or `key_value_separator`, `AttributeError` for
    /// non-string choices with `ignore_case`...).
    pub fn validate_raising(&self) -> Result<(), (ExceptionClass, InvalidValue)> {
        self.construct().map_err(Exc::classified)
    }

    /// `__call__` of a string (a string type converts it without a copy
    /// made into a `Value` first).
    fn call_str(&self, text: &str) -> PyResult<Value> {
        match self {
            Type::String(s) => s.call(text).map(Value::Str),
            _ => self.call(&Value::str(text)),
        }
    }

    /// The reference's `__call__`.
    fn call(&self, value: &Value) -> PyResult<Value> {
        match self {
            Type::String(s) => match value {
                Value::Str(v) => s.call(v).map(Value::Str),
                _ => s.call(&value.py_str()).map(Value::Str),
            },
            Type::MultiString => Ok(Value::Str(value.py_str())),
            Type::Boolean => match value {
                Value::Bool(_) => Ok(value.clone()),
                // ASCII text lowercases the same either way: no copy.
                Value::Str(s) if s.is_ascii() => {
                    if TRUE_VALUES.iter().any(|t| t.eq_ignore_ascii_case(s)) {
                        Ok(Value::Bool(true))
                    } else if FALSE_VALUES.iter().any(|f| f.eq_ignore_ascii_case(s)) {
                        Ok(Value::Bool(false))
                    } else {
                        Err(Exc::value(format!(
                            "Unexpected boolean value {}",
                            str_repr(s)
                        )))
                    }
                }
                Value::Str(s) => {
                    let lower = s.to_lowercase();
                    if TRUE_VALUES.contains(&lower.as_str()) {
                        Ok(Value::Bool(true))
                    } else if FALSE_VALUES.contains(&lower.as_str()) {
                        Ok(Value::Bool(false))
                    } else {
                        Err(Exc::value(format!(
                            "Unexpected boolean value {}",
                            str_repr(s)
                        )))
                    }
                }
                other => Err(Exc::attribute(format!(
                    "'{}' object has no attribute 'lower'",
                    other.type_name()
                ))),
            },
            Type::Integer(i) => i.call(value, false),
            Type::Port(i) => i.call(value, true),
            Type::Float(f) => f.call(value),
            Type::List(l) => l.call(value),
            Type::Dict(d) => d.call(value),
            Type::IpAddress(version) => {
                let text = value.py_str();
                net::check_ip(*version, &text)?;
                Ok(Value::Str(text))
            }
            Type::Hostname => hostname_call(value, false),
            Type::HostAddress(version) => host_address_call(*version, value),
            Type::HostDomain(version) => host_domain_call(*version, value),
            Type::Uri(u) => match value {
                Value::Str(s) => {
                    uri::check(s, u.schemes.as_deref(), u.max_length)?;
                    Ok(value.clone())
                }
                other => Err(Exc::type_error(format!(
                    "expected string or bytes-like object, got '{}'",
                    other.type_name()
                ))),
            },
        }
    }

    /// `type_name`, as the generator prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Type::String(_) => "string value",
            Type::MultiString => "multi valued",
            Type::Boolean => "boolean value",
            Type::Integer(_) => "integer value",
            Type::Float(_) => "floating point value",
            Type::Port(_) => "port value",
            Type::List(_) => "list value",
            Type::Dict(_) => "dict value",
            Type::IpAddress(_) => "IP address value",
            Type::Hostname => "hostname value",
            Type::HostAddress(_) => "host address value",
            Type::HostDomain(_) => "host domain value",
            Type::Uri(_) => "uri value",
        }
    }

    /// `format_defaults(default, sample_default)`: the sample file's lines
    /// for a default.
    ///
    /// Where the reference would crash (a `MultiString` default that is
    /// not iterable, a `Dict` default that is not a dict), the value's
    /// `str()` is used; [`try_format_defaults`](Type::try_format_defaults)
    /// reports those crashes instead.
    pub fn format_defaults(&self, default: &Value, sample_default: Option<&Value>) -> Vec<String> {
        self.format_lines(default, sample_default, false)
            .unwrap_or_else(|_| vec![default.py_str()])
    }

    /// `format_defaults(default, sample_default)`, failing where the
    /// reference raises (`TypeError: 'bool' object is not iterable` for a
    /// `MultiString`, `AttributeError: 'str' object has no attribute
    /// 'items'` for a `Dict`...).
    pub fn try_format_defaults(
        &self,
        default: &Value,
        sample_default: Option<&Value>,
    ) -> Result<Vec<String>, (ExceptionClass, InvalidValue)> {
        self.format_lines(default, sample_default, true)
            .map_err(Exc::classified)
    }

    fn format_lines(
        &self,
        default: &Value,
        sample_default: Option<&Value>,
        strict: bool,
    ) -> PyResult<Vec<String>> {
        let sample = sample_default.filter(|s| !s.is_none());
        if matches!(self, Type::MultiString) {
            return match sample {
                Some(s) => multi_items(s, strict),
                None if !default.truthy() => Ok(vec![String::new()]),
                None => multi_items(default, strict),
            };
        }
        let line = match sample {
            Some(Value::Str(s)) => s.clone(),
            Some(s) => self.formatter(s, strict)?,
            None if default.is_none() => "<None>".to_owned(),
            None => self.formatter(default, strict)?,
        };
        Ok(vec![line])
    }

    /// The type's `_formatter`. Where the reference would crash (a dict
    /// formatter given a non-dict), the value's `str()` is used unless
    /// `strict`.
    fn formatter(&self, value: &Value, strict: bool) -> PyResult<String> {
        Ok(match self {
            Type::String(_) | Type::MultiString => quote_spaces(&value.py_str()),
            Type::Boolean => value.py_str().to_lowercase(),
            Type::List(l) => {
                let body = match value {
                    Value::Str(s) => s.clone(),
                    Value::List(items) => items
                        .iter()
                        .map(|v| l.item_type.formatter(v, strict))
                        .collect::<PyResult<Vec<_>>>()?
                        .join(","),
                    other => l.item_type.formatter(other, strict)?,
                };
                if l.bounds { format!("[{body}]") } else { body }
            }
            Type::Dict(_) => match value {
                Value::Dict(items) => sorted_items(items, strict)?
                    .iter()
                    .map(|(k, v)| format!("{}:{}", k.py_str(), v.py_str()))
                    .collect::<Vec<_>>()
                    .join(","),
                other if strict => {
                    return Err(Exc::attribute(format!(
                        "'{}' object has no attribute 'items'",
                        other.type_name()
                    )));
                }
                other => other.py_str(),
            },
            _ => value.py_str(),
        })
    }

    /// The type from opt-data fields (`type` as the generator writes it,
    /// `choices`, `min`, `max`); unknown type names are plain strings.
    pub fn from_opt_data(
        type_name: &str,
        choices: &Value,
        min: &Value,
        max: &Value,
    ) -> Result<Type, InvalidValue> {
        let choices = match choices {
            Value::List(l) if l.is_empty() => None,
            other => spec_choices(other)?,
        };
        let int_type = || -> Result<IntegerType, InvalidValue> {
            Ok(IntegerType {
                min: spec_number(min, "min")?,
                max: spec_number(max, "max")?,
                choices: choices.clone(),
            })
        };
        let t = match type_name {
            "string value" => Type::String(StringType {
                choices: choices.clone(),
                ..StringType::default()
            }),
            "boolean value" => Type::Boolean,
            "integer value" => Type::Integer(int_type()?),
            "port value" => Type::Port(int_type()?),
            "floating point value" => Type::Float(FloatType {
                min: spec_float(min, "min")?,
                max: spec_float(max, "max")?,
            }),
            "list value" => Type::list_of(Type::string()),
            "dict value" => Type::dict_of(Type::string()),
            "multi valued" => Type::MultiString,
            "IP address value" => Type::IpAddress(None),
            "hostname value" => Type::Hostname,
            "host address value" => Type::HostAddress(None),
            "host domain value" => Type::HostDomain(None),
            "uri value" => Type::Uri(UriType::default()),
            _ => Type::string(),
        };
        t.validate()?;
        Ok(t)
    }

    /// The type from an `x_type` spec (`{kind: integer, min: 1}`…).
    ///
    /// Keys: `kind` (`string` when absent) and, by kind, `choices`,
    /// `regex`, `ignore_case`, `max_length`, `quotes` (string); `min`,
    /// `max`, `choices` (integer, port); `min`, `max` (float);
    /// `item_type`, `bounds`, `min_length` (list); `value_type`, `bounds`,
    /// `key_value_separator`, `min_length` (dict); `version` (ip,
    /// host_address, host_domain); `schemes`, `max_length` (uri). Missing
    /// keys take the reference's defaults; the result is
    /// [`validate`](Type::validate)d.
    pub fn from_spec(spec: &Value) -> Result<Type, InvalidValue> {
        if !matches!(spec, Value::Dict(_)) {
            return Err(InvalidValue(format!(
                "a type spec must be a mapping, not {}",
                spec.py_repr()
            )));
        }
        let field = |key: &str| spec.get(key).filter(|v| !v.is_none());
        let flag = |key: &str| field(key).is_some_and(Value::truthy);
        let kind = match field("kind") {
            None => "string".to_owned(),
            Some(Value::Str(k)) => k.clone(),
            Some(other) => {
                return Err(InvalidValue(format!(
                    "type kind must be a string, not {}",
                    other.py_repr()
                )));
            }
        };
        let sub = |key: &str| match field(key) {
            None => Ok(Type::string()),
            Some(s) => Type::from_spec(s),
        };
        let t = match kind.as_str() {
            "string" => Type::String(StringType {
                choices: field("choices").map(spec_choices).transpose()?.flatten(),
                quotes: flag("quotes"),
                regex: match field("regex") {
                    None => None,
                    Some(Value::Str(r)) => Some(r.clone()),
                    Some(other) => {
                        return Err(InvalidValue(format!(
                            "'regex' must be a string, not {}",
                            other.py_repr()
                        )));
                    }
                },
                ignore_case: flag("ignore_case"),
                max_length: spec_length(field("max_length"), "max_length")?,
            }),
            "multi_string" => Type::MultiString,
            "boolean" => Type::Boolean,
            "integer" | "port" => {
                let i = IntegerType {
                    min: spec_number(field("min").unwrap_or(&Value::None), "min")?,
                    max: spec_number(field("max").unwrap_or(&Value::None), "max")?,
                    choices: field("choices").map(spec_choices).transpose()?.flatten(),
                };
                if kind == "port" {
                    Type::Port(i)
                } else {
                    Type::Integer(i)
                }
            }
            "float" => Type::Float(FloatType {
                min: spec_float(field("min").unwrap_or(&Value::None), "min")?,
                max: spec_float(field("max").unwrap_or(&Value::None), "max")?,
            }),
            "list" => Type::List(Box::new(ListType {
                item_type: sub("item_type")?,
                bounds: flag("bounds"),
                min_length: spec_length(field("min_length"), "min_length")?,
            })),
            "dict" => Type::Dict(Box::new(DictType {
                value_type: sub("value_type")?,
                bounds: flag("bounds"),
                key_value_separator: match field("key_value_separator") {
                    None => ":".to_owned(),
                    Some(Value::Str(s)) => s.clone(),
                    Some(other) => {
                        return Err(InvalidValue(format!(
                            "'key_value_separator' must be a string, not {}",
                            other.py_repr()
                        )));
                    }
                },
                min_length: spec_length(field("min_length"), "min_length")?,
            })),
            "ip" => Type::IpAddress(spec_version(field("version"))?),
            "hostname" => Type::Hostname,
            "host_address" => Type::HostAddress(spec_version(field("version"))?),
            "host_domain" => Type::HostDomain(spec_version(field("version"))?),
            "uri" => Type::Uri(UriType {
                max_length: match field("max_length") {
                    None => None,
                    Some(v) => Some(spec_usize(v, "max_length")?.ok_or_else(|| {
                        InvalidValue("'max_length' must not be negative".to_owned())
                    })?),
                },
                schemes: match field("schemes") {
                    None => None,
                    Some(Value::List(items)) => Some(
                        items
                            .iter()
                            .map(|s| match s {
                                Value::Str(s) => Ok(s.clone()),
                                other => Err(InvalidValue(format!(
                                    "'schemes' must be strings, not {}",
                                    other.py_repr()
                                ))),
                            })
                            .collect::<Result<Vec<_>, _>>()?,
                    ),
                    Some(other) => {
                        return Err(InvalidValue(format!(
                            "'schemes' must be a list, not {}",
                            other.py_repr()
                        )));
                    }
                },
            }),
            other => {
                return Err(InvalidValue(format!(
                    "unknown type kind {}",
                    str_repr(other)
                )));
            }
        };
        t.validate()?;
        Ok(t)
    }
}

/// `MultiString._formatter`: one line per item of the value (a value
/// that is not iterable is a `TypeError`, or its `str()` unless `strict`).
fn multi_items(value: &Value, strict: bool) -> PyResult<Vec<String>> {
    Ok(match value {
        Value::Str(s) => s
            .chars()
            .map(|c| quote_spaces(c.encode_utf8(&mut [0; 4])))
            .collect(),
        Value::List(items) => items.iter().map(|v| quote_spaces(&v.py_str())).collect(),
        Value::Dict(items) => items
            .iter()
            .map(|(k, _)| quote_spaces(&k.py_str()))
            .collect(),
        other if strict => {
            return Err(Exc::type_error(format!(
                "'{}' object is not iterable",
                other.type_name()
            )));
        }
        other => vec![quote_spaces(&other.py_str())],
    })
}

/// `sorted(d.items(), key=itemgetter(0))`, for keys that are all strs or
/// all (non-NaN) numbers; other dicts keep their order (a `TypeError`
/// naming the first two keys Python cannot order, if `strict`).
fn sorted_items(items: &[(Value, Value)], strict: bool) -> PyResult<Vec<&(Value, Value)>> {
    let mut out: Vec<&(Value, Value)> = items.iter().collect();
    if items.iter().all(|(k, _)| matches!(k, Value::Str(_))) {
        out.sort_by(|a, b| match (&a.0, &b.0) {
            (Value::Str(x), Value::Str(y)) => x.cmp(y),
            _ => Ordering::Equal,
        });
        return Ok(out);
    }
    let nums: Option<Vec<Num>> = items
        .iter()
        .map(|(k, _)| Num::of(k).filter(|n| !matches!(n, Num::Float(f) if f.is_nan())))
        .collect();
    if nums.is_some() {
        out.sort_by(|a, b| match (Num::of(&a.0), Num::of(&b.0)) {
            (Some(x), Some(y)) => pynum::cmp_num(&x, &y).unwrap_or(Ordering::Equal),
            _ => Ordering::Equal,
        });
        return Ok(out);
    }
    if strict {
        for pair in items.windows(2) {
            if let [(a, _), (b, _)] = pair {
                py_cmp(b, a, "<")?;
            }
        }
    }
    Ok(out)
}

/// Choices from a spec: `[[value, description] | value, ...]`; like the
/// reference, descriptions count only if every entry is a pair.
fn spec_choices(v: &Value) -> Result<Option<Choices>, InvalidValue> {
    let items = match v {
        Value::None => return Ok(None),
        Value::List(items) => items,
        other => {
            return Err(InvalidValue(format!(
                "'choices' must be a list, not {}",
                other.py_repr()
            )));
        }
    };
    let pair = |item: &Value| match item {
        Value::List(p) => match p.as_slice() {
            [value, Value::None] => Some((value.clone(), None)),
            [value, Value::Str(d)] => Some((value.clone(), Some(d.clone()))),
            _ => None,
        },
        _ => None,
    };
    let pairs: Option<Choices> = items.iter().map(pair).collect();
    Ok(Some(pairs.unwrap_or_else(|| {
        items.iter().map(|item| (item.clone(), None)).collect()
    })))
}

/// A `min`/`max` number (ints stay exact).
fn spec_number(v: &Value, key: &str) -> Result<Option<Value>, InvalidValue> {
    match v {
        Value::None => Ok(None),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Ok(Some(v.clone())),
        other => Err(InvalidValue(format!(
            "'{key}' must be a number, not {}",
            other.py_repr()
        ))),
    }
}

/// A float `min`/`max`.
fn spec_float(v: &Value, key: &str) -> Result<Option<f64>, InvalidValue> {
    Ok(match spec_number(v, key)? {
        None => None,
        Some(Value::Float(f)) => Some(f),
        Some(Value::Bool(b)) => Some(f64::from(u8::from(b))),
        Some(Value::Int(i)) => Some(pynum::int_to_f64(&i).map_err(InvalidValue::from)?),
        Some(_) => None,
    })
}

/// A non-negative int (`None` if negative).
fn spec_usize(v: &Value, key: &str) -> Result<Option<usize>, InvalidValue> {
    match v {
        Value::Int(i) if i.starts_with('-') => Ok(None),
        Value::Int(i) => i
            .parse::<usize>()
            .map(Some)
            .map_err(|_| InvalidValue(format!("'{key}' is too large: {i}"))),
        Value::Bool(b) => Ok(Some(usize::from(*b))),
        other => Err(InvalidValue(format!(
            "'{key}' must be an integer, not {}",
            other.py_repr()
        ))),
    }
}

/// A `max_length`/`min_length` where 0 and negative values mean "no
/// limit" (as in the reference for String, List and Dict).
fn spec_length(v: Option<&Value>, key: &str) -> Result<Option<usize>, InvalidValue> {
    match v {
        None => Ok(None),
        Some(v) => Ok(spec_usize(v, key)?.filter(|n| *n > 0)),
    }
}

/// An IP `version`: None, 4 or 6 (others fail like the reference).
fn spec_version(v: Option<&Value>) -> Result<Option<u8>, InvalidValue> {
    match v {
        None => Ok(None),
        Some(Value::Int(i)) if i == "4" || i == "6" => Ok(i.parse().ok()),
        Some(Value::Float(f)) if *f == 4.0 || *f == 6.0 => Ok(Some(if *f == 4.0 { 4 } else { 6 })),
        Some(other) => Err(InvalidValue(format!(
            "{} is not a valid IP version.",
            other.py_str()
        ))),
    }
}

#[cfg(test)]
mod tests;
