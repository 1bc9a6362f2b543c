//! A rule's decision as a diagram over atoms: `rule:` references and the
//! default-rule fallback expanded as `Rules::decide` follows them, the
//! enforcer's `system_scope` copy and scope check folded in.
//!
//! The request domain is well-formed requests: credentials a dict whose
//! values are strings, lists of strings or dicts of those (`roles` a list
//! of strings), the target a dict of strings. On it every atom below is
//! true or false and never raises; a check that raises or cannot be told
//! from the policy in this form makes the rule [`NotAnalysed`].

use std::collections::HashMap;

use super::atom::{Atom, Atoms};
use super::bdd::{Bdd, FALSE, NodeId, TRUE, TooComplex};
use crate::literal::Literal;
use crate::parser::Check;
use crate::pyformat::{self, FormatError};
use crate::rules::{MAX_EVAL_DEPTH, Rules};
use crate::value::Value;

/// Why a rule's decision is not analysed (it is then compared by source).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotAnalysed {
    /// A chain of checks deeper than the evaluator allows (it raises), or
    /// a `rule:` cycle.
    #[error("deeper than {MAX_EVAL_DEPTH} nested checks, or a rule: cycle (the evaluator raises)")]
    TooDeep,
    /// A match mixing text and target values, or one `%` cannot format.
    #[error("the match {0:?} is not a constant or a single %(key)s")]
    Pattern(String),
    /// A check kind that raises when evaluated.
    #[error("the check kind raises: {0}")]
    Raises(String),
    /// A dotted path under `system`, which the `system_scope` copy replaces.
    #[error("the credential path {0:?} reads inside the system_scope copy")]
    SystemPath(String),
    /// Past the diagram limits.
    #[error(transparent)]
    TooComplex(#[from] TooComplex),
}

/// What a match compares with.
enum Rhs {
    /// A constant string.
    Const(String),
    /// `%(key)s`: the target's value at `key`.
    Attr(String),
}

fn classify(pattern: &str) -> Result<Rhs, NotAnalysed> {
    if let Some(key) = pattern
        .strip_prefix("%(")
        .and_then(|p| p.strip_suffix(")s"))
        .filter(|k| !k.contains(')'))
    {
        return Ok(Rhs::Attr(key.to_owned()));
    }
    match pyformat::format(pattern, &Value::Dict(Vec::new())) {
        Ok(s) => Ok(Rhs::Const(s.into_owned())),
        Err(FormatError::MissingKey(_) | FormatError::Invalid(_)) => {
            Err(NotAnalysed::Pattern(pattern.to_owned()))
        }
    }
}

/// What is known of a rule body.
#[derive(Clone)]
enum Body {
    /// Its diagram and height (the evaluation depth it reaches below
    /// itself).
    Done(NodeId, usize),
    /// It is deeper than the evaluator allows when started at this depth
    /// or deeper (it may fit from a shallower one).
    TooDeepFrom(usize),
    /// It cannot be analysed from any depth.
    Fails(NotAnalysed),
}

/// Compiles the rules of one policy into diagrams of a shared [`Bdd`].
pub(crate) struct Compiler<'a> {
    pub(crate) bdd: &'a mut Bdd,
    pub(crate) atoms: &'a mut Atoms,
    rules: &'a Rules,
    /// Each rule body: its diagram and the deepest evaluation depth it
    /// reaches below its own, or why it cannot be analysed.
    bodies: HashMap<String, Body>,
    /// Bodies being compiled (a reference back to one is a cycle).
    open: Vec<String>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(bdd: &'a mut Bdd, atoms: &'a mut Atoms, rules: &'a Rules) -> Compiler<'a> {
        Compiler {
            bdd,
            atoms,
            rules,
            bodies: HashMap::new(),
            open: Vec::new(),
        }
    }

    fn atom(&mut self, atom: Atom) -> Result<NodeId, NotAnalysed> {
        let n = self.atoms.number(atom);
        Ok(self.bdd.var(n)?)
    }

    /// `Enforcer.enforce(name, ...)` as a diagram: `scope_types` are the
    /// registered rule's (checked only when the rule exists, as the
    /// enforcer does).
    pub(crate) fn decision(
        &mut self,
        name: &str,
        scope_types: Option<&[String]>,
    ) -> Result<NodeId, NotAnalysed> {
        if self.rules.rules().is_empty() {
            return Ok(FALSE);
        }
        let Some(check) = self.rules.lookup(name) else {
            return Ok(FALSE);
        };
        let (body, _) = self.check(check, 1)?;
        match scope_types.filter(|s| !s.is_empty()) {
            Some(scopes) => {
                let ok = self.scope_ok(scopes)?;
                Ok(self.bdd.and(ok, body)?)
            }
            None => Ok(body),
        }
    }

    /// `_enforce_scope`: the token scope (system when `system` is truthy
    /// after the copy, else domain when `domain_id` is, else project) is
    /// one of `scopes`.
    fn scope_ok(&mut self, scopes: &[String]) -> Result<NodeId, NotAnalysed> {
        let via_scope = self.atom(Atom::Truthy("system_scope".to_owned()))?;
        let direct = self.atom(Atom::Truthy("system".to_owned()))?;
        let system = self.bdd.or(via_scope, direct)?;
        let not_system = self.bdd.not(system)?;
        let domain_id = self.atom(Atom::Truthy("domain_id".to_owned()))?;
        let domain = self.bdd.and(not_system, domain_id)?;
        let no_domain = self.bdd.not(domain_id)?;
        let project = self.bdd.and(not_system, no_domain)?;
        let mut ok = FALSE;
        for s in scopes {
            let this = match s.as_str() {
                "system" => system,
                "domain" => domain,
                "project" => project,
                _ => FALSE,
            };
            ok = self.bdd.or(ok, this)?;
        }
        Ok(ok)
    }

    /// A check evaluated at `depth` (the evaluator's count, 1 at the top):
    /// its diagram and the depth it reaches below itself. Past the
    /// evaluator's limit it raises, and so the recursion here is bounded
    /// by that limit too, whatever the policy.
    fn check(&mut self, check: &Check, depth: usize) -> Result<(NodeId, usize), NotAnalysed> {
        if depth > MAX_EVAL_DEPTH {
            return Err(NotAnalysed::TooDeep);
        }
        Ok(match check {
            Check::True => (TRUE, 0),
            Check::False => (FALSE, 0),
            Check::Not(c) => {
                let (f, h) = self.check(c, depth + 1)?;
                (self.bdd.not(f)?, h + 1)
            }
            Check::And(cs) | Check::Or(cs) => {
                let and = matches!(check, Check::And(_));
                let mut operands = Vec::with_capacity(cs.len());
                let mut height = 0;
                for c in cs {
                    let (f, h) = self.check(c, depth + 1)?;
                    height = height.max(h + 1);
                    operands.push(f);
                }
                // Folded from the right: atoms are numbered in order of
                // appearance, so each step adds a node above the rest
                // instead of rebuilding it (`a or b or ...` of n atoms is
                // n nodes, not n²/2).
                let mut acc = if and { TRUE } else { FALSE };
                for f in operands.into_iter().rev() {
                    acc = if and {
                        self.bdd.and(f, acc)?
                    } else {
                        self.bdd.or(f, acc)?
                    };
                }
                (acc, height)
            }
            Check::Rule(name) => match self.rules.lookup(name) {
                None => (FALSE, 0),
                Some(_) => {
                    let (f, h) = self.body(name, depth + 1)?;
                    (f, h + 1)
                }
            },
            Check::Role(pattern) => match classify(pattern)? {
                Rhs::Const(role) => (self.atom(Atom::Role(pycompat::str::lower(&role)))?, 0),
                Rhs::Attr(_) => return Err(NotAnalysed::Pattern(pattern.clone())),
            },
            Check::External { kind, pattern } => (
                self.atom(Atom::External {
                    kind: kind.clone(),
                    pattern: pattern.clone(),
                })?,
                0,
            ),
            Check::Generic {
                kind,
                pattern,
                literal,
            } => (self.generic(kind, pattern, literal)?, 0),
        })
    }

    /// The body `rule:name` leads to (the default rule's when `name` is
    /// missing), evaluated at `depth`: compiled once, or once per
    /// shallower depth while it is too deep (at most the limit's count).
    fn body(&mut self, name: &str, depth: usize) -> Result<(NodeId, usize), NotAnalysed> {
        let key = if self.rules.get(name).is_some() {
            name.to_owned()
        } else {
            self.rules.default_rule().unwrap_or_default().to_owned()
        };
        match self.bodies.get(&key) {
            Some(Body::Done(f, h)) if depth + h <= MAX_EVAL_DEPTH => return Ok((*f, *h)),
            Some(Body::Done(..)) => return Err(NotAnalysed::TooDeep),
            Some(Body::TooDeepFrom(d)) if depth >= *d => return Err(NotAnalysed::TooDeep),
            Some(Body::Fails(e)) => return Err(e.clone()),
            _ => {}
        }
        if self.open.contains(&key) {
            // A `rule:` cycle: the evaluator recurses until it raises.
            return Err(NotAnalysed::TooDeep);
        }
        let Some(check) = self.rules.lookup(name) else {
            return Ok((FALSE, 0));
        };
        self.open.push(key.clone());
        let result = self.check(check, depth);
        self.open.pop();
        let known = match &result {
            Ok((f, h)) => Body::Done(*f, *h),
            Err(NotAnalysed::TooDeep) => Body::TooDeepFrom(depth),
            Err(e) => Body::Fails(e.clone()),
        };
        // Inside a `rule:` cycle this is TooDeepFrom(depth) too, which is
        // right from every depth (the cycle recurses until it raises); a
        // shallower start just compiles it again.
        self.bodies.insert(key, known);
        result
    }

    /// `GenericCheck`: a literal kind compared with the match, else the
    /// credential at the kind's path.
    fn generic(
        &mut self,
        kind: &str,
        pattern: &str,
        literal: &Literal,
    ) -> Result<NodeId, NotAnalysed> {
        let rhs = classify(pattern)?;
        match literal {
            Literal::Value(v) => match rhs {
                Rhs::Const(c) => Ok(if c == *v { TRUE } else { FALSE }),
                Rhs::Attr(attr) => self.atom(Atom::TargetEq {
                    attr,
                    value: v.clone(),
                }),
            },
            Literal::Error(e) | Literal::Unsupported(e) => Err(NotAnalysed::Raises(e.clone())),
            Literal::NotLiteral => {
                if kind == "system" {
                    // The enforcer sets `system` from a truthy
                    // `system_scope` before deciding.
                    let copied = self.atom(Atom::Truthy("system_scope".to_owned()))?;
                    let via_scope = self.compare("system_scope", &rhs)?;
                    let direct = self.compare("system", &rhs)?;
                    Ok(self.bdd.ite(copied, via_scope, direct)?)
                } else if kind.starts_with("system.") {
                    Err(NotAnalysed::SystemPath(kind.to_owned()))
                } else {
                    self.compare(kind, &rhs)
                }
            }
        }
    }

    fn compare(&mut self, path: &str, rhs: &Rhs) -> Result<NodeId, NotAnalysed> {
        let path = path.to_owned();
        self.atom(match rhs {
            Rhs::Const(value) => Atom::CredEq {
                path,
                value: value.clone(),
            },
            Rhs::Attr(attr) => Atom::CredEqTarget {
                path,
                attr: attr.clone(),
            },
        })
    }
}
