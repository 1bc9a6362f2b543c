//! `oslo_policy_rs.Rules`: oslo-policy's [`oslo_policy::Rules`] for
//! direct use from Python — a policy file's rules, decided as
//! `Enforcer.enforce` decides them for an enforcer holding just those
//! rules (no registered defaults, no scope checks), with `explain`.

use oslo_policy::{LoadError, TraceNode};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::to_value;
use crate::hook::python_exception;

/// A policy file's rules.
#[pyclass(frozen, module = "oslo_policy_rs")]
pub(crate) struct Rules {
    inner: oslo_policy::Rules,
}

fn load_error(e: &LoadError) -> PyErr {
    match e {
        LoadError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// `target` and `creds` as values, or a `TypeError` naming which is not
/// made of dict, list, str, int, float, bool and None.
fn values(
    target: &Bound<'_, PyAny>,
    creds: &Bound<'_, PyAny>,
) -> PyResult<(oslo_policy::Value, oslo_policy::Value)> {
    let convert = |what: &str, obj: &Bound<'_, PyAny>| {
        to_value(obj).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "{what} must be made of dict, list, str, int, float, bool and None"
            ))
        })
    };
    Ok((convert("target", target)?, convert("creds", creds)?))
}

#[pymethods]
impl Rules {
    /// `Rules.load(text, default_rule=None)`: a YAML or JSON policy
    /// document, as `oslo_policy.policy.Rules.load` reads it.
    #[staticmethod]
    #[pyo3(signature = (text, default_rule=None))]
    fn load(text: &str, default_rule: Option<&str>) -> PyResult<Rules> {
        oslo_policy::Rules::load(text.as_bytes(), "<string>", default_rule)
            .map(|inner| Rules { inner })
            .map_err(|e| load_error(&e))
    }

    /// `Rules.load_file(path, default_rule=None)`.
    #[staticmethod]
    #[pyo3(signature = (path, default_rule=None))]
    fn load_file(path: std::path::PathBuf, default_rule: Option<&str>) -> PyResult<Rules> {
        oslo_policy::Rules::load_file(&path, default_rule)
            .map(|inner| Rules { inner })
            .map_err(|e| load_error(&e))
    }

    /// `enforce(name, target, creds) -> bool`. The reference's exception
    /// when it raises (its built-in class; `RuntimeError` otherwise).
    /// `creds` is not modified (the `system_scope` copy is private).
    fn enforce(
        &self,
        py: Python<'_>,
        name: &str,
        target: &Bound<'_, PyAny>,
        creds: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let (target, creds) = values(target, creds)?;
        self.inner
            .enforce_ref(name, &target, &creds)
            .map_err(|e| python_exception(py, &e))
    }

    /// `explain(name, target, creds) -> dict`: the decision and every
    /// check evaluated or skipped, as nested dicts with keys `check`
    /// (its text), `result` (True, False, or None when never evaluated),
    /// `error` (`"Class: message"` or None), `detail` (why) and
    /// `children`.
    fn explain<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        target: &Bound<'py, PyAny>,
        creds: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (target, mut creds) = values(target, creds)?;
        let (_, tree) = self.inner.explain(name, &target, &mut creds);
        trace_dict(py, &tree)
    }

    /// Whether a rule of that name exists.
    fn __contains__(&self, name: &str) -> bool {
        self.inner.get(name).is_some()
    }

    fn __len__(&self) -> usize {
        self.inner.rules().len()
    }

    /// The rule names, in file order.
    fn names(&self) -> Vec<String> {
        self.inner.rules().iter().map(|r| r.name.py_str()).collect()
    }

    /// The default rule's name.
    #[getter]
    fn default_rule(&self) -> Option<&str> {
        self.inner.default_rule()
    }
}

fn trace_dict<'py>(py: Python<'py>, node: &TraceNode) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("check", &node.check)?;
    let (result, error) = match &node.outcome {
        Some(Ok(b)) => (Some(*b), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, None),
    };
    d.set_item("result", result)?;
    d.set_item("error", error)?;
    d.set_item("detail", &node.detail)?;
    let children = PyList::empty(py);
    for c in &node.children {
        children.append(trace_dict(py, c)?)?;
    }
    d.set_item("children", children)?;
    Ok(d)
}
