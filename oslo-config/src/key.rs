//! Typed access: a [`Key`] made when an option is registered carries the
//! Rust type its values convert to, so reading an integer option as a
//! string is a compile error rather than a runtime surprise.
//!
//! ```
//! use oslo_config::{CallArgs, ConfigOpts, TypedOpt};
//! let mut conf = ConfigOpts::new();
//! let workers = conf
//!     .register_typed(TypedOpt::integer("workers").with(|o| o.default(4)), None)
//!     .unwrap();
//! let hosts = conf.register_typed(TypedOpt::list("hosts"), Some("api")).unwrap();
//! conf.call(CallArgs::new(Vec::<String>::new()).no_default_files()).unwrap();
//! let n: Option<i64> = conf.value(&workers).unwrap();
//! assert_eq!(n, Some(4));
//! assert_eq!(conf.value(&hosts).unwrap(), None);
//! ```
//!
//! Reading `workers` as text does not compile:
//!
//! ```compile_fail
//! # use oslo_config::{ConfigOpts, TypedOpt};
//! # let mut conf = ConfigOpts::new();
//! let workers = conf.register_typed(TypedOpt::integer("workers"), None).unwrap();
//! let text: Option<String> = conf.value(&workers).unwrap();
//! ```

use std::marker::PhantomData;

use pycompat::value::Value;

use crate::error::{Error, Result};

/// A Rust type an option's values convert to.
pub trait FromValue: Sized {
    /// The Python types this Rust type stands for (for error messages).
    const WANTED: &'static str;
    /// The value as `Self`, or `None` if it is of another kind.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for String {
    const WANTED: &'static str = "str";
    fn from_value(value: &Value) -> Option<String> {
        match value {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for bool {
    const WANTED: &'static str = "bool";
    fn from_value(value: &Value) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl FromValue for i64 {
    const WANTED: &'static str = "int (within i64)";
    fn from_value(value: &Value) -> Option<i64> {
        match value {
            Value::Int(s) => s.parse().ok(),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    const WANTED: &'static str = "float";
    fn from_value(value: &Value) -> Option<f64> {
        match value {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const WANTED: &'static str = "list";
    fn from_value(value: &Value) -> Option<Vec<T>> {
        match value {
            Value::List(items) => items.iter().map(T::from_value).collect(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Vec<(String, T)> {
    const WANTED: &'static str = "dict";
    fn from_value(value: &Value) -> Option<Vec<(String, T)>> {
        match value {
            Value::Dict(items) => items
                .iter()
                .map(|(k, v)| Some((String::from_value(k)?, T::from_value(v)?)))
                .collect(),
            _ => None,
        }
    }
}

/// A registered option and the Rust type of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<T> {
    /// The group (`None`: DEFAULT).
    pub group: Option<String>,
    /// The option's dest.
    pub dest: String,
    kind: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    pub(crate) fn new(group: Option<&str>, dest: &str) -> Key<T> {
        Key {
            group: group.map(str::to_owned),
            dest: dest.to_owned(),
            kind: PhantomData,
        }
    }
}

/// Converts a resolved value for a [`Key`]; `None` for an unset option.
pub(crate) fn typed<T: FromValue>(key: &Key<T>, value: &Value) -> Result<Option<T>> {
    if value.is_none() {
        return Ok(None);
    }
    T::from_value(value).map(Some).ok_or_else(|| {
        Error::Value(format!(
            "option {} in group [{}] holds {}, not {}",
            key.dest,
            key.group.as_deref().unwrap_or("DEFAULT"),
            value.type_name(),
            T::WANTED
        ))
    })
}

/// An option whose constructor fixed the Rust type of its values (so the
/// [`Key`] registering it gives can only be read as that type).
#[derive(Debug, Clone, PartialEq)]
pub struct TypedOpt<T> {
    /// The option.
    pub opt: crate::opts::Opt,
    kind: PhantomData<fn() -> T>,
}

impl<T> TypedOpt<T> {
    fn of(opt: crate::opts::Opt) -> TypedOpt<T> {
        TypedOpt {
            opt,
            kind: PhantomData,
        }
    }

    /// Adjusts the option (default, help, …) keeping its type.
    pub fn with(self, f: impl FnOnce(crate::opts::Opt) -> crate::opts::Opt) -> TypedOpt<T> {
        TypedOpt::of(f(self.opt))
    }
}

impl TypedOpt<String> {
    /// `StrOpt`.
    pub fn string(name: &str) -> TypedOpt<String> {
        TypedOpt::of(crate::opts::Opt::string(name))
    }
}

impl TypedOpt<bool> {
    /// `BoolOpt`.
    pub fn boolean(name: &str) -> TypedOpt<bool> {
        TypedOpt::of(crate::opts::Opt::boolean(name))
    }
}

impl TypedOpt<i64> {
    /// `IntOpt`.
    pub fn integer(name: &str) -> TypedOpt<i64> {
        TypedOpt::of(crate::opts::Opt::integer(name))
    }

    /// `PortOpt`.
    pub fn port(name: &str) -> TypedOpt<i64> {
        TypedOpt::of(crate::opts::Opt::port(name))
    }
}

impl TypedOpt<f64> {
    /// `FloatOpt`.
    pub fn float(name: &str) -> TypedOpt<f64> {
        TypedOpt::of(crate::opts::Opt::new(name, crate::types::Type::float()))
    }
}

impl TypedOpt<Vec<String>> {
    /// `ListOpt` of strings.
    pub fn list(name: &str) -> TypedOpt<Vec<String>> {
        TypedOpt::of(crate::opts::Opt::list(name))
    }

    /// `MultiStrOpt`.
    pub fn multi_string(name: &str) -> TypedOpt<Vec<String>> {
        TypedOpt::of(crate::opts::Opt::multi_string(name))
    }
}
