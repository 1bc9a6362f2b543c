//! Option types (`oslo_config/types.py`): parsing text into typed values
//! with the reference's grammar and error messages, and formatting
//! defaults for the sample file.
//!
//! SKELETON — the API below is fixed (other modules are written against
//! it); the bodies are being implemented.

use pycompat::value::Value;

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

impl Type {
    /// A plain `types.String()`.
    pub fn string() -> Type {
        Type::String(StringType::default())
    }

    /// Checks what the reference's constructor checks (`Max value is less
    /// than min value`, choices with regex, Port bounds…).
    pub fn validate(&self) -> Result<(), InvalidValue> {
        todo!()
    }

    /// `type(text)`: text from a file, the environment or the command line.
    pub fn parse(&self, text: &str) -> Result<Value, InvalidValue> {
        let _ = text;
        todo!()
    }

    /// `type(value)` for any Python value (defaults, overrides): strings are
    /// parsed, already-typed values checked and passed through.
    pub fn convert(&self, value: &Value) -> Result<Value, InvalidValue> {
        let _ = value;
        todo!()
    }

    /// `type_name`, as the generator prints it.
    pub fn type_name(&self) -> &'static str {
        todo!()
    }

    /// `format_defaults(default, sample_default)`: the sample file's lines
    /// for a default.
    pub fn format_defaults(&self, default: &Value, sample_default: Option<&Value>) -> Vec<String> {
        let _ = (default, sample_default);
        todo!()
    }

    /// The type from opt-data fields (`type` as the generator writes it,
    /// `choices`, `min`, `max`); unknown type names are plain strings.
    pub fn from_opt_data(
        type_name: &str,
        choices: &Value,
        min: &Value,
        max: &Value,
    ) -> Result<Type, InvalidValue> {
        let _ = (type_name, choices, min, max);
        todo!()
    }

    /// The type from an `x_type` spec (`{kind: integer, min: 1}`…).
    pub fn from_spec(spec: &Value) -> Result<Type, InvalidValue> {
        let _ = spec;
        todo!()
    }
}
