//! Python objects as oslo-policy [`Value`]s: exactly the types whose
//! behaviour in the checks `Value` reproduces (`None`, `bool`, `int`,
//! `float`, `str`, `list`, `dict`, by exact type). Anything else —
//! subclasses, tuples, sets, mappings, objects with their own `__str__`
//! — is `None`: the caller lets Python evaluate that call instead.

use oslo_policy::Value;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyType};

/// Deeper than this is handed to Python (and a self-containing list
/// never recurses forever).
const MAX_NESTING: usize = 64;

/// Where a call's target or credentials come from: a `dict`, or the
/// mapping oslo.context's `RequestContext.to_policy_values()` returns
/// (`_DeprecatedPolicyValues`: `_data`, read silently, before
/// `_deprecated`, whose every read warns), which neutron and nova pass
/// as is.
pub(crate) enum Source<'py> {
    Dict(Bound<'py, PyDict>),
    PolicyValues {
        data: Bound<'py, PyDict>,
        deprecated: Bound<'py, PyDict>,
    },
}

impl<'py> Source<'py> {
    /// `obj` as a source, if it is exactly a `dict` or exactly a
    /// `policy_values` object holding two exact dicts.
    pub(crate) fn of(
        obj: &Bound<'py, PyAny>,
        policy_values: Option<&Bound<'py, PyType>>,
    ) -> Option<Source<'py>> {
        if let Ok(d) = obj.cast_exact::<PyDict>() {
            return Some(Source::Dict(d.clone()));
        }
        if !policy_values.is_some_and(|class| obj.get_type().is(class)) {
            return None;
        }
        let dict = |attr: &str| {
            obj.getattr(attr)
                .ok()
                .and_then(|d| d.cast_into_exact::<PyDict>().ok())
        };
        Some(Source::PolicyValues {
            data: dict("_data")?,
            deprecated: dict("_deprecated")?,
        })
    }

    /// The entries under `keys` (all of it for `None`), converted;
    /// `None` as for [`to_value`], and for a policy-values mapping whose
    /// read would warn (a key found only among the deprecated ones) or
    /// that would be read whole.
    pub(crate) fn select(&self, keys: Option<&[String]>) -> Option<Value> {
        let (data, deprecated) = match self {
            Source::Dict(d) => (d, None),
            Source::PolicyValues { data, deprecated } => (data, Some(deprecated)),
        };
        let Some(keys) = keys else {
            return match deprecated {
                None => to_value(data.as_any()),
                Some(_) => None,
            };
        };
        let mut items = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(v) = data.get_item(key).ok()? {
                items.push((Value::Str(key.clone()), convert(&v, 1)?));
            } else if let Some(deprecated) = deprecated
                && deprecated.contains(key).ok()?
            {
                return None;
            }
        }
        Some(Value::Dict(items))
    }
}

/// A copy of `obj`, or `None` when it holds anything but the exact
/// types above (or nests deeper than [`MAX_NESTING`]).
pub(crate) fn to_value(obj: &Bound<'_, PyAny>) -> Option<Value> {
    convert(obj, 0)
}

fn convert(obj: &Bound<'_, PyAny>, depth: usize) -> Option<Value> {
    if depth > MAX_NESTING {
        return None;
    }
    if let Ok(s) = obj.cast_exact::<PyString>() {
        // A lone surrogate has no UTF-8 form: Python's business.
        return s.to_str().ok().map(|s| Value::Str(s.to_owned()));
    }
    if obj.is_none() {
        return Some(Value::None);
    }
    // `bool` before `int`: it is a subclass.
    if let Ok(b) = obj.cast_exact::<PyBool>() {
        return Some(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast_exact::<PyInt>() {
        // Decimal text, any size (str() refuses beyond Python's digit
        // limit, and so would the check's `%`: Python's business too).
        let text = i.str().ok()?;
        return text.to_str().ok().map(|t| Value::Int(t.to_owned()));
    }
    if let Ok(f) = obj.cast_exact::<PyFloat>() {
        return Some(Value::Float(f.value()));
    }
    if let Ok(l) = obj.cast_exact::<PyList>() {
        let mut items = Vec::with_capacity(l.len());
        for item in l.iter() {
            items.push(convert(&item, depth + 1)?);
        }
        return Some(Value::List(items));
    }
    if let Ok(d) = obj.cast_exact::<PyDict>() {
        let mut items = Vec::with_capacity(d.len());
        // A dict's keys are unique under Python equality already.
        for (k, v) in d.iter() {
            items.push((convert(&k, depth + 1)?, convert(&v, depth + 1)?));
        }
        return Some(Value::Dict(items));
    }
    None
}
