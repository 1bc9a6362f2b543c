//! Python objects as oslo-policy [`Value`]s: exactly the types whose
//! behaviour in the checks `Value` reproduces (`None`, `bool`, `int`,
//! `float`, `str`, `list`, `dict`, by exact type). Anything else —
//! subclasses, tuples, sets, mappings, objects with their own `__str__`
//! — is `None`: the caller lets Python evaluate that call instead.

use oslo_policy::Value;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};

/// Deeper than this is handed to Python (and a self-containing list
/// never recurses forever).
const MAX_NESTING: usize = 64;

/// The entries of `dict` under `keys` (all of it for `None`), converted;
/// `None` as for [`to_value`].
pub(crate) fn select(dict: &Bound<'_, PyDict>, keys: Option<&[String]>) -> Option<Value> {
    let Some(keys) = keys else {
        return to_value(dict.as_any());
    };
    let mut items = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(v) = dict.get_item(key).ok()? {
            items.push((Value::Str(key.clone()), convert(&v, 1)?));
        }
    }
    Some(Value::Dict(items))
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
