//! The replacement for `oslo_policy._checks._check(rule, target, creds,
//! enforcer, current_rule)`: every check an `Enforcer` evaluates goes
//! through it. For a check of an `Enforcer` (its rules translated when
//! they change, see [`crate::compile`]) whose target and credentials are
//! dicts or oslo.context's policy values (see [`crate::convert`]), the
//! tree is evaluated here, calling back into Python only for the atoms
//! Python must decide; every other call goes to oslo.policy's own
//! `_check`, unchanged.
//!
//! The interpreter stays attached throughout (a decision takes about a
//! microsecond, and callbacks and conversions need it): evaluation is
//! atomic with respect to other Python threads except while a callback
//! runs Python code, exactly as in oslo.policy.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use oslo_policy::{CheckRegistry, CustomCheck, EvalError, Unconfigured, Value};
use pyo3::exceptions::{PyKeyError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString, PyTuple, PyType};

use crate::compile::{Builtins, CALLBACK_KIND, Program, compile};
use crate::convert::Source;

/// Bumped by every change to any `policy.Rules` and to And/Or checks
/// (the wrappers `install()` puts on their mutators): a translation made
/// at another generation is stale.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Where an enforcer keeps its translation (in its `__dict__`).
const STATE_ATTR: &str = "_oslo_policy_rs_state";

thread_local! {
    /// Set while oslo.policy's `_check` re-evaluates a call this module
    /// gave up on: everything beneath it must be Python's too (so Python
    /// fails at its own depth, with its own exception).
    static IN_FALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Marks the rules of every enforcer as changed.
#[pyfunction]
pub(crate) fn bump() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// How many times rules were marked as changed.
#[pyfunction]
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// The `_check` replacement. `install()` puts one in `_checks._check`.
#[pyclass(frozen, module = "oslo_policy_rs._native")]
pub(crate) struct Hook {
    /// oslo.policy's own `_check`.
    original: Py<PyAny>,
    /// `policy.Enforcer` and `policy.Rules`.
    enforcer_class: Py<PyType>,
    rules_class: Py<PyType>,
    /// oslo.context's `_DeprecatedPolicyValues`, when importable.
    policy_values: Option<Py<PyType>>,
    builtins: Builtins,
    /// Calls decided here, and calls left to oslo.policy.
    decided: AtomicU64,
    left: AtomicU64,
}

/// One enforcer's rules as translated at one moment.
#[pyclass(frozen, module = "oslo_policy_rs._native")]
pub(crate) struct State {
    rules: Py<PyAny>,
    default_rule: Py<PyAny>,
    generation: u64,
    /// `None`: this enforcer's rules stay with Python.
    program: Option<Arc<Program>>,
}

#[pymethods]
impl State {
    /// An enforcer copied with `copy`/`deepcopy` shares the state; it is
    /// checked against the copy's own rules before use.
    fn __copy__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __deepcopy__(slf: Py<Self>, _memo: &Bound<'_, PyAny>) -> Py<Self> {
        slf
    }
}

#[pymethods]
impl Hook {
    /// `Hook(original_check, Enforcer, Rules, classes, calls,
    /// policy_values)`: `classes` are `_checks`' FalseCheck, TrueCheck,
    /// NotCheck, AndCheck, OrCheck, RuleCheck, RoleCheck, GenericCheck and
    /// `calls` their `__call__`; `policy_values` is oslo.context's
    /// `_DeprecatedPolicyValues` (or None).
    #[new]
    #[pyo3(signature = (original, enforcer_class, rules_class, classes, calls, policy_values=None))]
    fn new(
        original: Py<PyAny>,
        enforcer_class: Py<PyType>,
        rules_class: Py<PyType>,
        classes: [Py<PyType>; 8],
        calls: [Py<PyAny>; 8],
        policy_values: Option<Py<PyType>>,
    ) -> Hook {
        Hook {
            original,
            enforcer_class,
            rules_class,
            policy_values,
            builtins: Builtins { classes, calls },
            decided: AtomicU64::new(0),
            left: AtomicU64::new(0),
        }
    }

    /// `_check(rule, target, creds, enforcer, current_rule=None)`.
    #[pyo3(signature = (rule, target, creds, enforcer, current_rule=None))]
    fn __call__<'py>(
        &self,
        rule: &Bound<'py, PyAny>,
        target: &Bound<'py, PyAny>,
        creds: &Bound<'py, PyAny>,
        enforcer: &Bound<'py, PyAny>,
        current_rule: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = Call {
            rule,
            target,
            creds,
            enforcer,
            current_rule,
        };
        if IN_FALLBACK.get() {
            return self.python(&call);
        }
        let verdict = self.evaluate(&call).inspect_err(|_| {
            // Decided here: by raising what a callback raised.
            self.decided.fetch_add(1, Ordering::Relaxed);
        })?;
        match verdict {
            Verdict::Decided(result) => {
                self.decided.fetch_add(1, Ordering::Relaxed);
                Ok(result)
            }
            Verdict::Python => {
                self.left.fetch_add(1, Ordering::Relaxed);
                self.python(&call)
            }
            Verdict::Again => {
                self.left.fetch_add(1, Ordering::Relaxed);
                self.fallback(&call)
            }
        }
    }

    /// `(decided, left)`: calls decided here (callbacks included) and
    /// calls left to oslo.policy's `_check` (not counting those nested
    /// in a fallback).
    fn counts(&self) -> (u64, u64) {
        (
            self.decided.load(Ordering::Relaxed),
            self.left.load(Ordering::Relaxed),
        )
    }

    /// The object oslo.policy's own `_check` (for `uninstall()`).
    #[getter]
    fn original(&self, py: Python<'_>) -> Py<PyAny> {
        self.original.clone_ref(py)
    }
}

/// Who decides a call.
enum Verdict<'py> {
    /// Decided here.
    Decided(Bound<'py, PyAny>),
    /// Not ours: oslo.policy's `_check`.
    Python,
    /// We failed before anything Python-visible happened: oslo.policy's
    /// `_check` again, all the way down, to raise its own exception.
    Again,
}

/// The arguments of one `_check` call.
struct Call<'a, 'py> {
    rule: &'a Bound<'py, PyAny>,
    target: &'a Bound<'py, PyAny>,
    creds: &'a Bound<'py, PyAny>,
    enforcer: &'a Bound<'py, PyAny>,
    current_rule: Option<&'a Bound<'py, PyAny>>,
}

impl<'py> Call<'_, 'py> {
    fn args(&self, py: Python<'py>, node: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
        let current = match self.current_rule {
            Some(c) => c.clone(),
            None => py.None().into_bound(py),
        };
        PyTuple::new(
            py,
            [
                node.clone(),
                self.target.clone(),
                self.creds.clone(),
                self.enforcer.clone(),
                current,
            ],
        )
    }
}

impl Hook {
    /// oslo.policy's `_check` for this call.
    fn python<'py>(&self, call: &Call<'_, 'py>) -> PyResult<Bound<'py, PyAny>> {
        let py = call.rule.py();
        self.original.bind(py).call1(call.args(py, call.rule)?)
    }

    /// The decision, or who else makes it.
    fn evaluate<'py>(&self, call: &Call<'_, 'py>) -> PyResult<Verdict<'py>> {
        let py = call.rule.py();
        // A non-dict target is formatted as a string by `%`, a mapping
        // other than these could do anything: Python's.
        let policy_values = self.policy_values.as_ref().map(|c| c.bind(py));
        let (Some(target), Some(creds)) = (
            Source::of(call.target, policy_values),
            Source::of(call.creds, policy_values),
        ) else {
            return Ok(Verdict::Python);
        };
        if !call.enforcer.is_instance(self.enforcer_class.bind(py))? {
            return Ok(Verdict::Python);
        }
        let Some(program) = self.program(call.enforcer)? else {
            return Ok(Verdict::Python);
        };
        // A rule of the enforcer's, or a check built for this call.
        let other;
        let (check, extra, needs) = match program.roots.get(&(call.rule.as_ptr() as usize)) {
            Some(root) if root.node.bind(py).is(call.rule) => {
                if root.python {
                    return Ok(Verdict::Python);
                }
                match (
                    program.rules.rules().get(root.index),
                    program.reads.get(root.index),
                ) {
                    (Some(rule), Some(needs)) => (&rule.check, Vec::new(), needs),
                    _ => return Ok(Verdict::Python),
                }
            }
            _ => {
                other = program.other(&self.builtins, call.rule);
                if other.python {
                    return Ok(Verdict::Python);
                }
                (
                    &other.check,
                    other.callbacks.iter().map(|c| c.clone_ref(py)).collect(),
                    &other.needs,
                )
            }
        };
        let current_rule = match call.current_rule {
            None => None,
            Some(c) if c.is_none() => None,
            Some(c) => match c.cast_exact::<PyString>().map(|s| s.to_str()) {
                Ok(Ok(s)) => Some(s.to_owned()),
                _ => return Ok(Verdict::Python),
            },
        };
        let (Some(target), Some(creds)) = (
            target.select(needs.target.as_deref()),
            creds.select(Some(&needs.creds)),
        ) else {
            return Ok(Verdict::Python);
        };
        let callbacks = (!program.callbacks.is_empty() || !extra.is_empty()).then(|| {
            Arc::new(Callbacks {
                program: Arc::clone(&program),
                extra,
                original: self.original.clone_ref(py),
                target: call.target.clone().unbind(),
                creds: call.creds.clone().unbind(),
                enforcer: call.enforcer.clone().unbind(),
                current_rule: call.current_rule.map(|c| c.clone().unbind()),
                raised: Mutex::new(Vec::new()),
            })
        });
        let registry = callbacks.as_ref().map(|c| {
            let mut r = CheckRegistry::with_capacity(1);
            r.insert(
                CALLBACK_KIND.to_owned(),
                Arc::clone(c) as Arc<dyn CustomCheck>,
            );
            r
        });
        let decided = program.rules.check_custom(
            check,
            &target,
            &creds,
            current_rule.as_deref(),
            registry.as_ref(),
            &Unconfigured,
        );
        match decided {
            Ok(allowed) => Ok(Verdict::Decided(
                PyBool::new(py, allowed).to_owned().into_any(),
            )),
            Err(e) => {
                let ran = callbacks.as_ref().map(|c| c.take_raised(&e));
                match ran {
                    // What a callback raised, as it raised it.
                    Some(Ran::Raised(err)) => Err(err),
                    Some(Ran::Called) => Err(python_exception(py, &e)),
                    // Nothing ran that Python would not run again the
                    // same way: let it raise its own exception.
                    Some(Ran::Nothing) | None => Ok(Verdict::Again),
                }
            }
        }
    }

    /// oslo.policy's `_check`, with every nested call left to it too.
    fn fallback<'py>(&self, call: &Call<'_, 'py>) -> PyResult<Bound<'py, PyAny>> {
        let outer = IN_FALLBACK.replace(true);
        let result = self.python(call);
        IN_FALLBACK.set(outer);
        result
    }

    /// The enforcer's translation, made again when its rules changed.
    fn program(&self, enforcer: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Program>>> {
        let py = enforcer.py();
        // An enforcer without these is not one we can follow: Python's.
        let Ok(rules) = enforcer.getattr("rules") else {
            return Ok(None);
        };
        let default_rule = rules.getattr("default_rule").ok();
        let generation = GENERATION.load(Ordering::Relaxed);
        let Ok(dict) = enforcer.getattr("__dict__") else {
            return Ok(None);
        };
        let Ok(dict) = dict.cast_into::<PyDict>() else {
            return Ok(None);
        };
        if let Some(state) = dict.get_item(STATE_ATTR)? {
            if let Ok(state) = state.cast::<State>() {
                let state = state.get();
                if state.generation == generation
                    && state.rules.bind(py).is(&rules)
                    && default_rule
                        .as_ref()
                        .is_some_and(|d| state.default_rule.bind(py).is(d))
                {
                    return Ok(state.program.clone());
                }
            }
        }
        let program = match (
            &default_rule,
            rules.get_type().is(self.rules_class.bind(py)),
        ) {
            // Whatever fails to translate stays with Python.
            (Some(default), true) => match rules.cast::<PyDict>() {
                Ok(dict) => compile(&self.builtins, dict, default)
                    .ok()
                    .flatten()
                    .map(Arc::new),
                Err(_) => None,
            },
            // Not a `policy.Rules`: Python's.
            _ => None,
        };
        let state = State {
            rules: rules.clone().unbind(),
            default_rule: default_rule.map_or_else(|| py.None(), Bound::unbind),
            generation,
            program: program.clone(),
        };
        dict.set_item(STATE_ATTR, Bound::new(py, state)?)?;
        Ok(program)
    }
}

/// The Python side of one evaluation's callbacks.
struct Callbacks {
    program: Arc<Program>,
    /// The callbacks of a check built for this call, numbered after the
    /// program's.
    extra: Vec<Py<PyAny>>,
    original: Py<PyAny>,
    target: Py<PyAny>,
    creds: Py<PyAny>,
    enforcer: Py<PyAny>,
    current_rule: Option<Py<PyAny>>,
    /// What callbacks raised, in order (an error names its index).
    raised: Mutex<Vec<Option<PyErr>>>,
}

impl std::fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Callbacks")
    }
}

/// What the callbacks of a failed evaluation did.
enum Ran {
    /// The error is one a callback raised.
    Raised(PyErr),
    /// Callbacks ran (and may have had effects), the error is ours.
    Called,
    /// No callback ran.
    Nothing,
}

/// Prefix of the message of an error a callback raised.
const RAISED: &str = "\0raised ";

impl Callbacks {
    fn take_raised(&self, error: &EvalError) -> Ran {
        let Ok(mut raised) = self.raised.lock() else {
            return Ran::Called;
        };
        let ran = raised.len();
        let index = error
            .message()
            .strip_prefix(RAISED)
            .and_then(|i| i.parse::<usize>().ok());
        match index.and_then(|i| raised.get_mut(i)).and_then(Option::take) {
            Some(err) => Ran::Raised(err),
            None if ran > 0 => Ran::Called,
            None => Ran::Nothing,
        }
    }
}

impl CustomCheck for Callbacks {
    fn call(&self, _kind: &str, pattern: &str, _: &Value, _: &Value) -> Result<bool, EvalError> {
        Python::attach(|py| {
            let ours = self.program.callbacks.len();
            let node = pattern.parse::<usize>().ok().and_then(|i| {
                if i < ours {
                    self.program.callbacks.get(i)
                } else {
                    self.extra.get(i - ours)
                }
            });
            let outcome = match node {
                Some(node) => self.run(py, node.bind(py)),
                None => Err(PyRuntimeError::new_err("oslo_policy_rs: unknown callback")),
            };
            outcome.map_err(|err| {
                let class = if err.is_instance_of::<PyKeyError>(py) {
                    // Any KeyError is false at the nearest `rule:` hop.
                    "KeyError".to_owned()
                } else {
                    err.get_type(py)
                        .name()
                        .map_or_else(|_| "Exception".to_owned(), |n| n.to_string())
                };
                let mut raised = match self.raised.lock() {
                    Ok(r) => r,
                    Err(poisoned) => poisoned.into_inner(),
                };
                raised.push(Some(err));
                EvalError::new(class, format!("{RAISED}{}", raised.len() - 1))
            })
        })
    }
}

impl Callbacks {
    /// `bool(_check(node, target, creds, enforcer, current_rule))`, as
    /// the And/Or/Not around it would take it.
    fn run(&self, py: Python<'_>, node: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(mut raised) = self.raised.lock() {
            // Counted as "a callback ran" even when it does not raise.
            raised.push(None);
        }
        let current = match &self.current_rule {
            Some(c) => c.clone_ref(py),
            None => py.None(),
        };
        let args = (
            node,
            self.target.bind(py),
            self.creds.bind(py),
            self.enforcer.bind(py),
            current,
        );
        self.original.bind(py).call1(args)?.is_truthy()
    }
}

/// A Python exception for an evaluation error of ours: the built-in
/// class of that name, else `RuntimeError`.
pub(crate) fn python_exception(py: Python<'_>, error: &EvalError) -> PyErr {
    let class = py
        .import("builtins")
        .and_then(|b| b.getattr(error.class()))
        .ok()
        .and_then(|c| c.cast_into::<PyType>().ok())
        .filter(|c| {
            c.is_subclass_of::<pyo3::exceptions::PyException>()
                .unwrap_or(false)
        });
    match class {
        Some(class) => PyErr::from_type(class, error.message().to_owned()),
        None => PyRuntimeError::new_err(error.to_string()),
    }
}
