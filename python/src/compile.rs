//! An enforcer's `Rules` (a dict of oslo.policy check objects) as an
//! oslo-policy [`Rules`]: each tree is translated once, when the rules
//! change. Objects of the eight built-in check classes (exact type, their
//! `__call__` as oslo.policy defines it) become [`Check`]s; anything else
//! — `http:`/`https:` checks, kinds registered with `_checks.register`,
//! subclasses, a `GenericCheck` whose kind Python must evaluate — becomes
//! a *callback*: an atom the evaluator hands back to the Python object.

use std::collections::HashMap;

use oslo_policy::{Check, Literal, Rule, Rules, Value, literal_eval};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyType};

/// The atom kind of a callback (its pattern is the index into
/// [`Program::callbacks`]). A NUL cannot start a kind Python's parser
/// hands over unnoticed: a `GenericCheck` of this kind is itself a
/// callback.
pub(crate) const CALLBACK_KIND: &str = "\0oslo_policy_rs";

/// Deeper trees are left to Python below this depth (they stay exact:
/// Python evaluates that subtree).
const MAX_TREE_DEPTH: usize = 400;

/// oslo.policy's check classes, and whether each still has its own
/// `__call__` (a test or service may patch one).
pub(crate) struct Builtins {
    pub(crate) classes: [Py<PyType>; 8],
    pub(crate) calls: [Py<PyAny>; 8],
}

/// Indexes into [`Builtins::classes`], in `_checks.py`'s order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    False,
    True,
    Not,
    And,
    Or,
    Rule,
    Role,
    Generic,
}

const KINDS: [Kind; 8] = [
    Kind::False,
    Kind::True,
    Kind::Not,
    Kind::And,
    Kind::Or,
    Kind::Rule,
    Kind::Role,
    Kind::Generic,
];

/// One enforcer's rules, translated.
pub(crate) struct Program {
    /// The rules, under their Python keys.
    pub(crate) rules: Rules,
    /// Each rule's check object (by `id()`): which rule it is, and
    /// whether its result must come from Python as is (see [`Root`]).
    pub(crate) roots: HashMap<usize, Root>,
    /// The objects callbacks call, by index.
    pub(crate) callbacks: Vec<Py<PyAny>>,
    /// Which built-in classes kept their `__call__` when translated.
    own_call: [bool; 8],
    /// What each rule reads, with the rules it names (by index).
    pub(crate) reads: Vec<Needs>,
    /// The rule `rule:NAME` means (`__missing__`: the default rule).
    by_name: HashMap<String, usize>,
    default_index: Option<usize>,
}

/// The keys of target and credentials a rule can read, with the rules it
/// names (the
/// evaluator reads nothing else: `%(key)` lookups in the target, `roles`
/// and the first segment of a generic check's dotted kind in the
/// credentials); `None` for "all of it" (a `%s` formats the whole target).
/// Only these are converted for a call: exact, and cheaper on neutron's
/// 40-key ports.
#[derive(Clone, Debug, Default)]
pub(crate) struct Needs {
    pub(crate) target: Option<Vec<String>>,
    pub(crate) creds: Vec<String>,
}

impl Needs {
    fn nothing() -> Needs {
        Needs {
            target: Some(Vec::new()),
            creds: Vec::new(),
        }
    }

    /// What `check` reads itself; the rules it names go to `names`.
    fn add<'c>(&mut self, check: &'c Check, names: &mut Vec<&'c str>) {
        match check {
            Check::True | Check::False => {}
            Check::Rule(name) => names.push(name),
            Check::Not(c) => self.add(c, names),
            Check::And(cs) | Check::Or(cs) => cs.iter().for_each(|c| self.add(c, names)),
            Check::Role(pattern) => {
                self.add_creds("roles");
                self.add_target(pattern);
            }
            Check::Generic { kind, .. } if kind == CALLBACK_KIND => {}
            Check::Generic {
                kind,
                pattern,
                literal,
            } => {
                self.add_target(pattern);
                if matches!(literal, Literal::NotLiteral) {
                    self.add_creds(kind.split('.').next().unwrap_or_default());
                }
            }
            // Never translated to (http checks are callbacks): all.
            Check::External { .. } => self.target = None,
        }
    }

    fn add_creds(&mut self, key: &str) {
        if !self.creds.iter().any(|k| k == key) {
            self.creds.push(key.to_owned());
        }
    }

    /// The `%(key)` keys of `pattern`; anything else after a `%` but
    /// `%%` (an unkeyed `%s` formats the whole mapping, a key with
    /// parentheses nests) needs the whole target.
    fn add_target(&mut self, pattern: &str) {
        let Some(keys) = self.target.as_mut() else {
            return;
        };
        let mut rest = pattern;
        while let Some(at) = rest.find('%') {
            let after = rest.get(at + 1..).unwrap_or_default();
            if let Some(r) = after.strip_prefix('%') {
                rest = r;
            } else if let Some((key, r)) = after.strip_prefix('(').and_then(|a| a.split_once(')'))
                && !key.contains('(')
            {
                if !keys.iter().any(|k| k == key) {
                    keys.push(key.to_owned());
                }
                rest = r;
            } else {
                self.target = None;
                return;
            }
        }
    }

    /// Adds what `other` reads.
    fn merge(&mut self, other: &Needs) {
        for k in &other.creds {
            self.add_creds(k);
        }
        match (&mut self.target, &other.target) {
            (Some(keys), Some(more)) => {
                for k in more {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
            (t, _) => *t = None,
        }
    }
}

/// A check object that is the value of a rule.
pub(crate) struct Root {
    /// The object (kept alive, so its `id()` stays its own).
    pub(crate) node: Py<PyAny>,
    /// Its rule in [`Program::rules`].
    pub(crate) index: usize,
    /// See [`Other::python`].
    pub(crate) python: bool,
}

/// A check object that is not the value of a rule (one a service builds
/// per request, as neutron does), translated for one call.
pub(crate) struct Other {
    pub(crate) check: Check,
    /// Its callbacks, numbered after the program's.
    pub(crate) callbacks: Vec<Py<PyAny>>,
    /// What it and the rules it names read.
    pub(crate) needs: Needs,
    /// A callback, or `rule:` hops ending at one: `RuleCheck` passes the
    /// callback's return value through unchanged (it need not be a
    /// bool), so Python evaluates these.
    pub(crate) python: bool,
}

/// Translates `rules` (a `policy.Rules`) with `default_rule`; `None`
/// when the default rule is one the evaluator cannot look up (a check
/// object): that enforcer stays with Python.
pub(crate) fn compile(
    builtins: &Builtins,
    rules: &Bound<'_, PyDict>,
    default_rule: &Bound<'_, PyAny>,
) -> PyResult<Option<Program>> {
    let default = if let Ok(s) = default_rule.cast_exact::<PyString>() {
        match s.to_str() {
            Ok(s) => Some(s.to_owned()),
            Err(_) => return Ok(None),
        }
    } else if default_rule.is_none() || default_rule.is_instance_of::<PyDict>() {
        // `__missing__` raises KeyError for both: no default.
        None
    } else {
        return Ok(None);
    };
    let py = rules.py();
    let own_call = own_calls(py, builtins)?;
    let mut translator = Translator {
        builtins,
        own_call,
        first: 0,
        callbacks: Vec::new(),
    };
    let mut list = Vec::with_capacity(rules.len());
    let mut nodes = Vec::with_capacity(rules.len());
    for (key, node) in rules.iter() {
        // Only str keys can be named by `rule:` (a key without UTF-8 form
        // is named by a `rule:` atom without one either, which is a
        // callback); the others are still roots.
        let name = match key.cast_exact::<PyString>().map(|s| s.to_str()) {
            Ok(Ok(s)) => Value::Str(s.to_owned()),
            _ => Value::None,
        };
        let check = translator.check(&node, 0);
        list.push(Rule {
            name,
            source: Value::None,
            check,
            diagnostics: Vec::new(),
        });
        nodes.push(node.unbind());
    }
    let rules = Rules::new(list, default.as_deref());
    let by_name: HashMap<String, usize> = rules
        .rules()
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.name {
            Value::Str(s) => Some((s.clone(), i)),
            _ => None,
        })
        .collect();
    let default_index = default
        .filter(|d| !d.is_empty())
        .and_then(|d| by_name.get(&d).copied());
    let reads = reads(&rules, &by_name, default_index);
    let mut roots = HashMap::with_capacity(nodes.len());
    for (index, node) in nodes.into_iter().enumerate() {
        let python = rules
            .rules()
            .get(index)
            .is_some_and(|r| ends_in_callback(&rules, &r.check));
        roots.insert(
            node.as_ptr() as usize,
            Root {
                node,
                index,
                python,
            },
        );
    }
    Ok(Some(Program {
        rules,
        roots,
        callbacks: translator.callbacks,
        own_call,
        reads,
        by_name,
        default_index,
    }))
}

impl Program {
    /// Translates a check object that is not one of the rules.
    pub(crate) fn other(&self, builtins: &Builtins, node: &Bound<'_, PyAny>) -> Other {
        let mut translator = Translator {
            builtins,
            own_call: self.own_call,
            first: self.callbacks.len(),
            callbacks: Vec::new(),
        };
        let check = translator.check(node, 0);
        let python = ends_in_callback(&self.rules, &check);
        let mut needs = Needs::nothing();
        let mut names = Vec::new();
        needs.add(&check, &mut names);
        for name in names {
            if let Some(read) = self.index_of(name).and_then(|i| self.reads.get(i)) {
                needs.merge(read);
            }
        }
        Other {
            needs,
            check,
            callbacks: translator.callbacks,
            python,
        }
    }
}

impl Program {
    /// The rule `rule:NAME` evaluates (`Rules::lookup`'s).
    fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied().or(self.default_index)
    }
}

/// What each rule reads, following the rules it names (through the
/// default rule for a missing name, as `Rules::lookup` does).
fn reads(rules: &Rules, by_name: &HashMap<String, usize>, default: Option<usize>) -> Vec<Needs> {
    let mut direct = Vec::with_capacity(rules.rules().len());
    let mut named = Vec::with_capacity(rules.rules().len());
    for r in rules.rules() {
        let mut needs = Needs::nothing();
        let mut names = Vec::new();
        needs.add(&r.check, &mut names);
        direct.push(needs);
        let indexes: Vec<usize> = names
            .into_iter()
            .filter_map(|n| by_name.get(n).copied().or(default))
            .collect();
        named.push(indexes);
    }
    let count = direct.len();
    (0..count)
        .map(|start| {
            let mut seen = vec![false; count];
            let mut todo = vec![start];
            let mut all = Needs::nothing();
            while let Some(i) = todo.pop() {
                match seen.get_mut(i) {
                    Some(s) if !*s => *s = true,
                    _ => continue,
                }
                if let Some(d) = direct.get(i) {
                    all.merge(d);
                }
                todo.extend(named.get(i).into_iter().flatten().copied());
            }
            all
        })
        .collect()
}

/// Whether `check` is a callback, or `rule:` hops (as `Rules::lookup`
/// follows them) that end at one.
fn ends_in_callback(rules: &Rules, check: &Check) -> bool {
    let mut check = check;
    // A cycle or a chain this long fails in the evaluator anyway.
    for _ in 0..=oslo_policy::rules::MAX_EVAL_DEPTH {
        match check {
            Check::Generic { kind, .. } if kind == CALLBACK_KIND => return true,
            Check::Rule(name) => match rules.lookup(name) {
                Some(next) => check = next,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}

/// For each built-in class, whether `__call__` is still oslo.policy's.
fn own_calls(py: Python<'_>, builtins: &Builtins) -> PyResult<[bool; 8]> {
    let mut own = [false; 8];
    for (i, slot) in own.iter_mut().enumerate() {
        if let (Some(class), Some(call)) = (builtins.classes.get(i), builtins.calls.get(i)) {
            *slot = class.bind(py).getattr("__call__")?.is(call.bind(py));
        }
    }
    Ok(own)
}

struct Translator<'b> {
    builtins: &'b Builtins,
    own_call: [bool; 8],
    /// The number of the first callback.
    first: usize,
    callbacks: Vec<Py<PyAny>>,
}

impl Translator<'_> {
    /// The built-in class `node` is exactly an instance of, if its
    /// `__call__` is untouched.
    fn kind(&self, node: &Bound<'_, PyAny>) -> Option<Kind> {
        let py = node.py();
        let ty = node.get_type();
        let i = self
            .builtins
            .classes
            .iter()
            .position(|c| ty.is(c.bind(py)))?;
        (*self.own_call.get(i)?).then_some(*KINDS.get(i)?)
    }

    fn callback(&mut self, node: &Bound<'_, PyAny>) -> Check {
        let number = self.first + self.callbacks.len();
        self.callbacks.push(node.clone().unbind());
        Check::Generic {
            kind: CALLBACK_KIND.to_owned(),
            pattern: number.to_string(),
            literal: Literal::NotLiteral,
        }
    }

    /// `node` translated; a node whose attributes cannot be read as
    /// oslo.policy's classes define them is a callback (Python raises, or
    /// decides, when — and only if — it is evaluated).
    fn check(&mut self, node: &Bound<'_, PyAny>, depth: usize) -> Check {
        if depth > MAX_TREE_DEPTH {
            return self.callback(node);
        }
        match self.translate(node, depth) {
            Ok(Some(check)) => check,
            Ok(None) | Err(_) => self.callback(node),
        }
    }

    fn translate(&mut self, node: &Bound<'_, PyAny>, depth: usize) -> PyResult<Option<Check>> {
        Ok(match self.kind(node) {
            Some(Kind::True) => Some(Check::True),
            Some(Kind::False) => Some(Check::False),
            Some(Kind::Not) => Some(Check::Not(Box::new(
                self.check(&node.getattr("rule")?, depth + 1),
            ))),
            Some(kind @ (Kind::And | Kind::Or)) => {
                let rules = node.getattr("rules")?;
                let Ok(list) = rules.cast_exact::<PyList>() else {
                    return Ok(None);
                };
                let operands = list.iter().map(|c| self.check(&c, depth + 1)).collect();
                Some(if kind == Kind::And {
                    Check::And(operands)
                } else {
                    Check::Or(operands)
                })
            }
            Some(kind @ (Kind::Rule | Kind::Role | Kind::Generic)) => atom(kind, node)?,
            None => None,
        })
    }
}

/// A `RuleCheck`, `RoleCheck` or `GenericCheck` with str `kind` and
/// `match`; `None` when Python must evaluate it.
fn atom(kind: Kind, node: &Bound<'_, PyAny>) -> PyResult<Option<Check>> {
    let text = |attr: &str| -> PyResult<Option<String>> {
        Ok(match node.getattr(attr)?.cast_exact::<PyString>() {
            Ok(s) => s.to_str().ok().map(str::to_owned),
            Err(_) => None,
        })
    };
    let (Some(k), Some(pattern)) = (text("kind")?, text("match")?) else {
        return Ok(None);
    };
    Ok(match kind {
        Kind::Rule => Some(Check::Rule(pattern)),
        Kind::Role => Some(Check::Role(pattern)),
        _ if k == CALLBACK_KIND => None,
        // A backslash in a string literal may make `ast.literal_eval`
        // warn (an invalid escape): Python's, so the warning is its own.
        _ if k.contains('\\') => None,
        _ => match literal_eval(&k) {
            // Python raises, or computes what we do not: let it.
            Literal::Error(_) | Literal::Unsupported(_) => None,
            literal => Some(Check::Generic {
                kind: k,
                pattern,
                literal,
            }),
        },
    })
}
