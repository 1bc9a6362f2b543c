//! A concrete request for a path of a diagram: credentials and a target
//! in which each atom the path names has the value the path gives it.
//!
//! The construction is the least request that can work: a credential
//! holds exactly the values the path requires to be found there (one as a
//! string, several as a list), a target key not fixed by the path gets a
//! fresh value equal to nothing else, and roles are exactly the required
//! ones. Such a request exists unless the path asks for the impossible;
//! [`Realized::Impossible`] is returned only with a proof of that (two
//! different values required of one target key, a value required both in
//! and out of one credential, a credential required unset yet holding a
//! value). Anything else the construction cannot settle is
//! [`Realized::Unsettled`]: the caller makes no claim from it. Every
//! request is then decided by the real evaluator before it is reported.

use std::collections::{BTreeMap, BTreeSet};

use super::atom::{Atom, Atoms};
use super::bdd::Cube;
use crate::value::Value;

/// A request, and the answers of the opaque atoms on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The credentials.
    pub creds: Value,
    /// The target.
    pub target: Value,
    /// What each `http:`/`https:` check answers (`kind`, `pattern`);
    /// unnamed ones answer something else than True.
    pub answers: Vec<(String, String, bool)>,
}

/// What became of a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Realized {
    /// A request on which the path's atoms have its values.
    Request(Request),
    /// No request can: why.
    Impossible(String),
    /// The construction does not settle it.
    Unsettled(String),
}

/// What a path asks of one credential path.
#[derive(Debug, Default)]
struct CredAsk {
    holds: BTreeSet<String>,
    lacks: BTreeSet<String>,
    holds_attrs: BTreeSet<String>,
    lacks_attrs: BTreeSet<String>,
    truthy: Option<bool>,
}

pub(crate) fn realize(cube: &Cube, atoms: &Atoms) -> Realized {
    let mut roles_in = BTreeSet::new();
    let mut creds: BTreeMap<String, CredAsk> = BTreeMap::new();
    let mut fixed: BTreeMap<String, String> = BTreeMap::new();
    let mut unequal: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut attrs = BTreeSet::new();
    let mut answers = Vec::new();
    let mut constants = BTreeSet::new();
    for &(n, value) in cube {
        let Some(atom) = atoms.get(n) else {
            return Realized::Unsettled(format!("no atom {n}"));
        };
        match atom {
            Atom::Role(r) => {
                if value {
                    roles_in.insert(r.clone());
                }
            }
            Atom::CredEq { path, value: c } => {
                constants.insert(c.clone());
                let ask = creds.entry(path.clone()).or_default();
                if value {
                    ask.holds.insert(c.clone());
                } else {
                    ask.lacks.insert(c.clone());
                }
            }
            Atom::CredEqTarget { path, attr } => {
                attrs.insert(attr.clone());
                let ask = creds.entry(path.clone()).or_default();
                if value {
                    ask.holds_attrs.insert(attr.clone());
                } else {
                    ask.lacks_attrs.insert(attr.clone());
                }
            }
            Atom::TargetEq { attr, value: c } => {
                attrs.insert(attr.clone());
                constants.insert(c.clone());
                if value {
                    if let Some(other) = fixed.get(attr).filter(|o| *o != c) {
                        return Realized::Impossible(format!(
                            "target.{attr} cannot be both {other:?} and {c:?}"
                        ));
                    }
                    fixed.insert(attr.clone(), c.clone());
                } else {
                    unequal.entry(attr.clone()).or_default().insert(c.clone());
                }
            }
            Atom::Truthy(path) => {
                creds.entry(path.clone()).or_default().truthy = Some(value);
            }
            Atom::External { kind, pattern } => {
                answers.push((kind.clone(), pattern.clone(), value));
            }
        }
    }
    // The target: fixed keys, and fresh values equal to no constant.
    let mut target_values: BTreeMap<String, String> = BTreeMap::new();
    for attr in &attrs {
        let v = match fixed.get(attr) {
            Some(v) => v.clone(),
            None => fresh(&format!("target-{attr}"), &constants),
        };
        if unequal.get(attr).is_some_and(|u| u.contains(&v)) {
            return Realized::Unsettled(format!("target.{attr}"));
        }
        target_values.insert(attr.clone(), v);
    }
    let mut cred_values: BTreeMap<String, Value> = BTreeMap::new();
    for (path, ask) in &creds {
        match cred_value(path, ask, &target_values, &fixed, &constants) {
            Ok(Some(v)) => {
                cred_values.insert(path.clone(), v);
            }
            Ok(None) => {}
            Err(r) => return r,
        }
    }
    // `roles`: the required roles, plus what generic checks on `roles`
    // need found there.
    let mut roles: Vec<Value> = roles_in.into_iter().map(Value::str).collect();
    if let Some(v) = cred_values.remove("roles") {
        match v {
            Value::List(items) => roles.extend(items),
            other => roles.push(other),
        }
    }
    let mut dict = vec![(Value::str("roles"), Value::List(roles))];
    if let Err(why) = nest(&mut dict, &cred_values) {
        return Realized::Unsettled(why);
    }
    Realized::Request(Request {
        creds: Value::Dict(dict),
        target: Value::Dict(
            target_values
                .into_iter()
                .map(|(k, v)| (Value::str(k), Value::str(v)))
                .collect(),
        ),
        answers,
    })
}

/// The value of one credential path (`None`: absent).
fn cred_value(
    path: &str,
    ask: &CredAsk,
    target: &BTreeMap<String, String>,
    fixed: &BTreeMap<String, String>,
    constants: &BTreeSet<String>,
) -> Result<Option<Value>, Realized> {
    let mut held: Vec<String> = ask.holds.iter().cloned().collect();
    for attr in &ask.holds_attrs {
        if let Some(v) = target.get(attr).filter(|v| !held.contains(v)) {
            held.push(v.clone());
        }
    }
    for c in &ask.lacks {
        if held.contains(c) {
            // Only a fixed target value can bring a lacked constant in.
            return Err(Realized::Impossible(format!(
                "creds.{path} must hold a target value fixed to {c:?} and not hold {c:?}"
            )));
        }
    }
    for attr in &ask.lacks_attrs {
        if let Some(v) = target.get(attr).filter(|v| held.contains(v)) {
            let proof = fixed.contains_key(attr)
                && (ask.holds.contains(v)
                    || ask
                        .holds_attrs
                        .iter()
                        .any(|a| fixed.get(a).is_some_and(|f| f == v)));
            return Err(if proof {
                Realized::Impossible(format!(
                    "creds.{path} must hold {v:?} and not equal target.{attr} = {v:?}"
                ))
            } else {
                Realized::Unsettled(format!("creds.{path} and target.{attr}"))
            });
        }
    }
    let value = |held: Vec<String>| match held.len() {
        1 => held.into_iter().next().map(Value::str),
        _ => Some(Value::List(held.into_iter().map(Value::str).collect())),
    };
    match ask.truthy {
        Some(false) => {
            if held.is_empty() {
                Ok(None)
            } else if held.iter().all(String::is_empty) {
                Ok(Some(Value::str("")))
            } else if ask.holds.iter().any(|c| !c.is_empty()) {
                Err(Realized::Impossible(format!(
                    "creds.{path} must be unset and hold a value"
                )))
            } else {
                Err(Realized::Unsettled(format!("creds.{path} unset")))
            }
        }
        Some(true) if held.is_empty() => {
            let v = fresh(&format!("creds-{path}"), constants);
            if ask.lacks.contains(&v) {
                return Err(Realized::Unsettled(format!("creds.{path}")));
            }
            Ok(Some(Value::str(v)))
        }
        // A list of one empty string is truthy; the string is not.
        Some(true) if held.iter().all(String::is_empty) => Ok(Some(Value::List(
            held.into_iter().map(Value::str).collect(),
        ))),
        _ if held.is_empty() => Ok(None),
        _ => Ok(value(held)),
    }
}

/// A value starting with `base` that is none of `taken`.
fn fresh(base: &str, taken: &BTreeSet<String>) -> String {
    let mut v = base.to_owned();
    let mut n = 0u32;
    while taken.contains(&v) {
        n += 1;
        v = format!("{base}-{n}");
    }
    v
}

/// Puts each dotted path's value into nested dicts; a path that is also
/// the prefix of another cannot be both a value and a dict.
fn nest(dict: &mut Vec<(Value, Value)>, values: &BTreeMap<String, Value>) -> Result<(), String> {
    for (path, value) in values {
        let mut here = &mut *dict;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            let pos = here
                .iter()
                .position(|(k, _)| matches!(k, Value::Str(s) if s == part));
            if last {
                if pos.is_some() {
                    return Err(format!("creds.{path} is also a dict"));
                }
                here.push((Value::str(part), value.clone()));
                break;
            }
            let i = match pos {
                Some(i) => i,
                None => {
                    here.push((Value::str(part), Value::Dict(Vec::new())));
                    here.len() - 1
                }
            };
            match here.get_mut(i) {
                Some((_, Value::Dict(inner))) => here = inner,
                _ => return Err(format!("creds.{path} crosses a value")),
            }
        }
    }
    Ok(())
}

/// The strings a credential path holds, as `_find_in_dict` compares them
/// (`str()` of each value reached); `None` when the walk raises.
pub(crate) fn held(creds: &Value, path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    crate::rules::any_leaf(creds, Some(path), &mut |leaf| {
        out.push(match leaf {
            Value::Str(s) => s.clone(),
            other => other.py_str(),
        });
        false
    })
    .ok()?;
    Some(out)
}

/// A target for a path of a diagram whose credential atoms are already
/// fixed by `creds` (a persona's): each target key's constraints are sets
/// of strings (equal to one of these, equal to none of those), so a key
/// either has a value or provably none.
pub(crate) fn realize_target(cube: &Cube, atoms: &Atoms, creds: &Value) -> Realized {
    let mut required: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut excluded: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut answers = Vec::new();
    let mut require = |attr: &str, values: BTreeSet<String>| {
        let entry = required
            .entry(attr.to_owned())
            .or_insert_with(|| values.clone());
        entry.retain(|v| values.contains(v));
    };
    for &(n, value) in cube {
        let Some(atom) = atoms.get(n) else {
            return Realized::Unsettled(format!("no atom {n}"));
        };
        match atom {
            Atom::TargetEq { attr, value: c } => {
                if value {
                    require(attr, BTreeSet::from([c.clone()]));
                } else {
                    excluded.entry(attr.clone()).or_default().insert(c.clone());
                }
            }
            Atom::CredEqTarget { path, attr } => {
                let Some(values) = held(creds, path) else {
                    return Realized::Unsettled(format!("creds.{path} cannot be read"));
                };
                if value {
                    require(attr, values.into_iter().collect());
                } else {
                    excluded.entry(attr.clone()).or_default().extend(values);
                }
            }
            Atom::External { kind, pattern } => {
                answers.push((kind.clone(), pattern.clone(), value));
            }
            other => {
                return Realized::Unsettled(format!("{other} is not fixed by the credentials"));
            }
        }
    }
    let attrs: BTreeSet<&String> = required.keys().chain(excluded.keys()).collect();
    let none = BTreeSet::new();
    let mut target = Vec::new();
    for attr in attrs {
        let out = excluded.get(attr).unwrap_or(&none);
        let v = match required.get(attr) {
            Some(allowed) => match allowed.iter().find(|v| !out.contains(*v)) {
                Some(v) => v.clone(),
                None => {
                    return Realized::Impossible(format!(
                        "no value of target.{attr} meets the path"
                    ));
                }
            },
            None => fresh(&format!("target-{attr}"), out),
        };
        target.push((Value::str(attr.clone()), Value::str(v)));
    }
    Realized::Request(Request {
        creds: creds.clone(),
        target: Value::Dict(target),
        answers,
    })
}
