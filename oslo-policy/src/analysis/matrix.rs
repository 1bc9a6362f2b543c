//! `oslo-policy matrix`: for every rule and persona, allowed, denied, or
//! allowed on some targets only, with the exact condition on the target.
//!
//! A cell is the rule's diagram with the persona's credential atoms set
//! to their values on the persona's credentials: what is left depends on
//! the target alone. Every cell is confirmed by the evaluator: an allowed
//! or denied cell on the persona's own and another's target, a
//! target-dependent one on a target it allows and one it denies.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::atom::{Atom, Atoms, Term};
use super::bdd::{Bdd, Cube, FALSE, NodeId, TRUE};
use super::compile::Compiler;
use super::personas::{Persona, Relation};
use super::witness::{Realized, Request, held, realize_target};
use super::{AnalysisError, Policy};
use crate::value::Value;

/// How many paths of a cell's condition are tried at most.
const MAX_CUBES: usize = 64;

/// One rule for one persona.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Cell {
    /// Allowed whatever the target.
    Allowed,
    /// Denied whatever the target.
    Denied,
    /// Allowed on the targets that meet `condition` only.
    Depends {
        /// Terms over the target (and policy servers' answers) one of
        /// which holds exactly when the rule allows.
        condition: Vec<Term>,
        /// A target it allows.
        allowed: Box<Request>,
        /// A target it denies.
        denied: Box<Request>,
    },
    /// Not decided here: why (the rule is not analysed, or a credential
    /// the rule reads cannot be read the way it asks).
    Undecided(String),
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Row {
    /// The rule name.
    pub name: String,
    /// One cell per persona, in the personas' order.
    pub cells: Vec<Cell>,
}

/// The result of [`matrix`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Matrix {
    /// The columns.
    pub personas: Vec<Persona>,
    /// For each persona, its own target and another's (the values the
    /// rules compare with its credentials), which decide its cells when
    /// its relation is `own` or `other`.
    pub targets: Vec<(Value, Value)>,
    /// The rows, in the policy's order.
    pub rows: Vec<Row>,
}

/// The matrix of `policy`'s rules whose names `select` accepts, for
/// `personas`.
///
/// # Errors
/// A policy past the analysis's size limits.
pub fn matrix(
    policy: &Policy,
    personas: &[Persona],
    select: &dyn Fn(&str) -> bool,
) -> Result<Matrix, AnalysisError> {
    let mut bdd = Bdd::new();
    let mut atoms = Atoms::default();
    let names: Vec<&str> = {
        let mut seen = BTreeSet::new();
        policy
            .names()
            .filter(|n| select(n) && seen.insert(*n))
            .collect()
    };
    let diagrams: Vec<_> = {
        let mut c = Compiler::new(&mut bdd, &mut atoms, &policy.rules);
        names
            .iter()
            .map(|n| c.decision(n, policy.scope_types(n)))
            .collect()
    };
    let targets: Vec<(Value, Value)> = personas.iter().map(|p| targets(&atoms, p)).collect();
    let fixed: Vec<HashMap<u32, bool>> = personas
        .iter()
        .zip(&targets)
        .map(|(p, t)| fix(&atoms, p, t))
        .collect();
    // Per persona: a memo of restricted nodes (the same for every rule)
    // and credentials the enforcer may write `system` into.
    let mut memos: Vec<HashMap<NodeId, NodeId>> = vec![HashMap::new(); personas.len()];
    let mut creds: Vec<Value> = personas.iter().map(|p| p.creds.clone()).collect();
    let mut rows = Vec::with_capacity(names.len());
    for (name, f) in names.iter().zip(diagrams) {
        let mut cells = Vec::with_capacity(personas.len());
        for ((((persona, target), fixed), memo), creds) in personas
            .iter()
            .zip(&targets)
            .zip(&fixed)
            .zip(&mut memos)
            .zip(&mut creds)
        {
            let cell = match &f {
                Err(e) => {
                    if let super::NotAnalysed::TooComplex(t) = e {
                        return Err(AnalysisError::TooComplex(*t));
                    }
                    Cell::Undecided(format!("not analysed: {e}"))
                }
                Ok(f) => {
                    let g = bdd.restrict_memo(*f, fixed, memo)?;
                    let ask = Asker {
                        policy,
                        name,
                        persona,
                        creds,
                    };
                    cell(&mut bdd, &atoms, ask, target, g)?
                }
            };
            cells.push(cell);
        }
        rows.push(Row {
            name: (*name).to_owned(),
            cells,
        });
    }
    Ok(Matrix {
        personas: personas.to_vec(),
        targets,
        rows,
    })
}

/// The target a persona's relation fixes (`None` for `any`).
fn relation_target<'t>(persona: &Persona, targets: &'t (Value, Value)) -> Option<&'t Value> {
    match persona.relation {
        Relation::Own => Some(&targets.0),
        Relation::Other => Some(&targets.1),
        _ => None,
    }
}

/// The persona's own target (each key a rule compares with one of its
/// credentials holds that credential's value) and another's (fresh
/// values).
pub(crate) fn targets(atoms: &Atoms, persona: &Persona) -> (Value, Value) {
    // Each target key the rules read, with the persona's first value of a
    // credential some rule compares it with.
    let mut mine: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for atom in atoms.all() {
        match atom {
            Atom::CredEqTarget { path, attr } => {
                let slot = mine.entry(attr).or_default();
                if slot.is_none() {
                    *slot = held(&persona.creds, path).and_then(|v| v.into_iter().next());
                }
            }
            Atom::TargetEq { attr, .. } => {
                mine.entry(attr).or_default();
            }
            _ => {}
        }
    }
    let dict = |value: &dyn Fn(&str, &Option<String>) -> String| {
        Value::Dict(
            mine.iter()
                .map(|(k, v)| (Value::str(*k), Value::str(value(k, v))))
                .collect(),
        )
    };
    (
        dict(&|k, v| v.clone().unwrap_or_else(|| format!("own-{k}"))),
        dict(&|k, _| format!("other-{k}")),
    )
}

/// The atoms the persona decides: its credential atoms (those that read a
/// credential the walk cannot read stay free: their cells are then
/// undecided), and for `own`/`other` the target atoms too.
pub(crate) fn fix(
    atoms: &Atoms,
    persona: &Persona,
    targets: &(Value, Value),
) -> HashMap<u32, bool> {
    let creds = &persona.creds;
    let target = relation_target(persona, targets);
    let target_value = |attr: &str| target.and_then(|t| t.get(attr)).map(Value::py_str);
    let mut fixed = HashMap::new();
    for (n, atom) in atoms.all().iter().enumerate() {
        let value = match atom {
            Atom::Role(r) => creds
                .get("roles")
                .map_or(Some(false), |roles| crate::rules::role_in(r, roles).ok()),
            Atom::CredEq { path, value } => crate::rules::find_in(creds, Some(path), value).ok(),
            Atom::Truthy(path) => Some(creds.get(path).is_some_and(Value::truthy)),
            Atom::CredEqTarget { path, attr } => match held(creds, path) {
                Some(v) if v.is_empty() => Some(false),
                Some(v) => target_value(attr).map(|t| v.contains(&t)),
                None => None,
            },
            Atom::TargetEq { attr, value } => target_value(attr).map(|t| t == *value),
            _ => None,
        };
        if let (Some(value), Ok(n)) = (value, u32::try_from(n)) {
            fixed.insert(n, value);
        }
    }
    fixed
}

/// One rule asked for one persona.
struct Asker<'a> {
    policy: &'a Policy,
    name: &'a str,
    persona: &'a Persona,
    /// The persona's credentials, for the enforcer to write into.
    creds: &'a mut Value,
}

impl Asker<'_> {
    fn decide(&mut self, target: &Value, answers: &[(String, String, bool)]) -> Option<bool> {
        self.policy
            .decide_in_place(self.name, self.creds, target, answers)
    }
}

/// One cell, from the rule's diagram `g` restricted to the persona.
fn cell(
    bdd: &mut Bdd,
    atoms: &Atoms,
    mut ask: Asker<'_>,
    targets: &(Value, Value),
    g: NodeId,
) -> Result<Cell, AnalysisError> {
    let persona = ask.persona;
    if g == TRUE || g == FALSE {
        let want = g == TRUE;
        let checks: Vec<&Value> = match relation_target(persona, targets) {
            Some(t) => vec![t],
            None => vec![&targets.0, &targets.1],
        };
        for t in checks {
            let got = ask.decide(t, &[]);
            if got != Some(want) {
                return Ok(Cell::Undecided(format!(
                    "the evaluator decides {got:?} where the analysis says {want}"
                )));
            }
        }
        return Ok(if want { Cell::Allowed } else { Cell::Denied });
    }
    let not_g = bdd.not(g)?;
    let allowed = example(bdd, atoms, &mut ask, g, true);
    let denied = example(bdd, atoms, &mut ask, not_g, false);
    Ok(match (allowed, denied) {
        (Example::Found(a, cubes), Example::Found(d, _)) => Cell::Depends {
            condition: bdd
                .prime_cover(g, cubes)?
                .iter()
                .map(|c| atoms.term(c))
                .collect(),
            allowed: Box::new(a),
            denied: Box::new(d),
        },
        (Example::Found(..), Example::Impossible) => Cell::Allowed,
        (Example::Impossible, Example::Found(..)) => Cell::Denied,
        (Example::Unsettled(why), _) | (_, Example::Unsettled(why)) => Cell::Undecided(why),
        (Example::Impossible, Example::Impossible) => {
            Cell::Undecided("no target either way (an analysis fault)".to_owned())
        }
    })
}

enum Example {
    /// A confirmed request, and the possible paths (for the condition).
    Found(Request, Vec<Cube>),
    /// Every path is impossible.
    Impossible,
    /// Why none was confirmed.
    Unsettled(String),
}

fn example(bdd: &Bdd, atoms: &Atoms, ask: &mut Asker<'_>, f: NodeId, want: bool) -> Example {
    let cubes = bdd.cubes(f, MAX_CUBES + 1);
    let truncated = cubes.len() > MAX_CUBES;
    let mut found = None;
    let mut possible = Vec::new();
    let mut why = None;
    for cube in cubes.into_iter().take(MAX_CUBES) {
        match realize_target(&cube, atoms, &ask.persona.creds) {
            Realized::Impossible(_) => continue,
            Realized::Unsettled(w) => {
                why.get_or_insert(w);
            }
            Realized::Request(r) => {
                if found.is_none() {
                    if ask.decide(&r.target, &r.answers) == Some(want) {
                        found = Some(r);
                    } else {
                        why.get_or_insert("the evaluator did not confirm a target".to_owned());
                    }
                }
            }
        }
        possible.push(cube);
    }
    match found {
        Some(r) => Example::Found(r, possible),
        None if possible.is_empty() && !truncated => Example::Impossible,
        None => Example::Unsettled(why.unwrap_or_else(|| "too many paths".to_owned())),
    }
}
