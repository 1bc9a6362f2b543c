//! What a policy decides, as data: each rule's decision as a function of
//! the request's atoms (roles, credential values, target values, scope),
//! compared exactly between two policies (`oslo-policy diff`), and for
//! personas (`oslo-policy matrix`).
//!
//! * `atom` — the questions a check asks of a request;
//! * `bdd` — decision diagrams, where equal functions are equal nodes;
//! * `compile` — a rule (references, default rule, scope) to a diagram;
//! * `witness` — a concrete request for a path of a diagram;
//! * `diff` — the comparison, each difference confirmed by the evaluator;
//! * `personas` — who asks, for `matrix`;
//! * `matrix` — each rule for each persona, each cell confirmed.
//!
//! Claims are made on well-formed requests (see `compile`): two rules are
//! reported equal when their diagrams are, or when every request on which
//! they would differ is shown impossible; a difference is reported only
//! with a request on which [`Enforcer::enforce`] decides it, on both
//! sides. Anything in between is reported as undecided, never dropped.

mod atom;
mod bdd;
mod compile;
mod diff;
mod matrix;
mod personas;
mod witness;

use std::sync::Arc;

pub use atom::{Atom, Term};
pub use bdd::TooComplex;
pub use compile::NotAnalysed;
pub use diff::{Change, DiffReport, Outcome, RuleDiff, diff};
pub use matrix::{Cell, Matrix, Row, matrix};
pub use personas::{Persona, PersonasError, Relation, default_personas, read_personas};
pub use witness::Request;

use crate::enforcer::{EnforceError, Enforcer};
use crate::rules::{EvalError, RemoteCheck, Rules};
use crate::value::Value;

/// Why an analysis cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// The policy does not load.
    #[error(transparent)]
    Load(#[from] EnforceError),
    /// Custom check kinds decide what the policy text cannot tell.
    #[error("custom check kinds are registered ({}): their decisions cannot be analysed", .0.join(", "))]
    CustomChecks(Vec<String>),
    /// Past the analysis's size limits.
    #[error("the policy is too large to analyse: {0}")]
    TooComplex(#[from] TooComplex),
}

/// One side of a comparison: an enforcer and the rules it loaded.
#[derive(Debug)]
pub struct Policy {
    enforcer: Enforcer,
    rules: Arc<Rules>,
}

impl Policy {
    /// The policy `enforcer` enforces now.
    ///
    /// # Errors
    /// The policy does not load, or custom check kinds are registered.
    pub fn new(enforcer: Enforcer) -> Result<Policy, AnalysisError> {
        let custom = enforcer.custom_check_kinds();
        if !custom.is_empty() {
            return Err(AnalysisError::CustomChecks(custom));
        }
        let rules = enforcer.load_rules()?;
        Ok(Policy { enforcer, rules })
    }

    /// The rule names (string keys) of the effective policy.
    fn names(&self) -> impl Iterator<Item = &str> {
        self.rules.rules().iter().filter_map(|r| match &r.name {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        })
    }

    fn scope_types(&self, name: &str) -> Option<&[String]> {
        self.enforcer
            .registered(name)
            .and_then(|d| d.scope_types.as_deref())
    }

    /// Whether `name` is the same rule, with the same scope, on both sides.
    fn same_rule_text(&self, other: &Policy, name: &str) -> bool {
        self.rules.lookup(name) == other.rules.lookup(name)
            && self.scope_types(name) == other.scope_types(name)
            && self.rules.default_rule() == other.rules.default_rule()
    }

    /// `enforce(name, request)` with the request's answers for policy
    /// servers (`None`: the evaluator raises, which denies).
    pub fn decide(&self, name: &str, request: &Request) -> Option<bool> {
        let mut creds = request.creds.clone();
        self.decide_in_place(name, &mut creds, &request.target, &request.answers)
    }

    /// [`Policy::decide`] on credentials the caller lets the
    /// enforcer write `system` into (it writes the same value each time,
    /// so a persona's credentials can be reused without a copy).
    pub(crate) fn decide_in_place(
        &self,
        name: &str,
        creds: &mut Value,
        target: &Value,
        answers: &[(String, String, bool)],
    ) -> Option<bool> {
        self.enforcer
            .decide_on(&self.rules, name, target, creds, false, &Answers(answers))
            .ok()
    }
}

/// Policy servers answering as a request says.
#[derive(Debug)]
struct Answers<'a>(&'a [(String, String, bool)]);

impl RemoteCheck for Answers<'_> {
    fn check(
        &self,
        kind: &str,
        pattern: &str,
        _target: &Value,
        _creds: &Value,
        _current_rule: Option<&str>,
    ) -> Result<bool, EvalError> {
        Ok(self
            .0
            .iter()
            .any(|(k, p, v)| *v && k == kind && p == pattern))
    }

    fn built_in(&self) -> bool {
        true
    }
}
