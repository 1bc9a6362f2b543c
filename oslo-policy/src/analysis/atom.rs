//! The atoms of a decision: what one check asks of a request, in a form
//! where two checks asking the same thing are the same atom (`role:ADMIN`
//! and `role:admin`; `project_id:%(project_id)s` written twice).

use std::collections::HashMap;
use std::fmt;

/// One question about a request. Credentials are read as the enforcer
/// reads them, before its `system_scope` copy (see `compile.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Atom {
    /// `role:NAME`: NAME, lower-cased, is among the credentials' roles.
    Role(String),
    /// `PATH:CONST`: the credential at the dotted PATH equals CONST (or,
    /// for a list, one of its members does).
    CredEq {
        /// The dotted credential path.
        path: String,
        /// The constant.
        value: String,
    },
    /// `PATH:%(ATTR)s`: the credential at PATH equals the target's ATTR.
    CredEqTarget {
        /// The dotted credential path.
        path: String,
        /// The target key.
        attr: String,
    },
    /// `LITERAL:%(ATTR)s`: the target's ATTR is `str(LITERAL)`.
    TargetEq {
        /// The target key.
        attr: String,
        /// `str()` of the literal.
        value: String,
    },
    /// The credential PATH is present and truthy (what the scope check
    /// and the `system_scope` copy ask).
    Truthy(String),
    /// An `http:`/`https:` check: what a policy server answers is not
    /// known from the policy (opaque).
    External {
        /// `http` or `https`.
        kind: String,
        /// The URL pattern.
        pattern: String,
    },
}

impl Atom {
    /// Whether the policy alone cannot tell this atom's value.
    pub fn is_opaque(&self) -> bool {
        matches!(self, Atom::External { .. })
    }
}

impl Atom {
    /// The atom holding (`true`) or not, in words.
    pub fn describe(&self, holds: bool) -> String {
        if holds {
            return self.to_string();
        }
        match self {
            Atom::Role(r) => format!("no role {r:?}"),
            Atom::CredEq { path, value } => format!("creds.{path} != {value:?}"),
            Atom::CredEqTarget { path, attr } => format!("creds.{path} != target.{attr}"),
            Atom::TargetEq { attr, value } => format!("target.{attr} != {value:?}"),
            Atom::Truthy(path) => format!("creds.{path} is unset"),
            Atom::External { kind, pattern } => {
                format!("{kind}:{pattern} does not answer True (opaque)")
            }
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Role(r) => write!(f, "role {r:?}"),
            Atom::CredEq { path, value } => write!(f, "creds.{path} == {value:?}"),
            Atom::CredEqTarget { path, attr } => write!(f, "creds.{path} == target.{attr}"),
            Atom::TargetEq { attr, value } => write!(f, "target.{attr} == {value:?}"),
            Atom::Truthy(path) => write!(f, "creds.{path} is set"),
            Atom::External { kind, pattern } => {
                write!(f, "{kind}:{pattern} answers True (opaque)")
            }
        }
    }
}

/// One conjunction of a condition: atoms with the value they must have.
pub type Term = Vec<(Atom, bool)>;

/// The atoms met so far, numbered in order of first appearance (the
/// diagrams' variable order).
#[derive(Debug, Default)]
pub(crate) struct Atoms {
    list: Vec<Atom>,
    index: HashMap<Atom, u32>,
}

impl Atoms {
    /// The number of `atom`, given one if new.
    pub(crate) fn number(&mut self, atom: Atom) -> u32 {
        if let Some(&n) = self.index.get(&atom) {
            return n;
        }
        let n = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(atom.clone());
        self.index.insert(atom, n);
        n
    }

    /// The atom numbered `n`.
    pub(crate) fn get(&self, n: u32) -> Option<&Atom> {
        self.list.get(n as usize)
    }

    /// The atoms, by number.
    pub(crate) fn all(&self) -> &[Atom] {
        &self.list
    }

    /// A path of a diagram as atoms and their values.
    pub(crate) fn term(&self, cube: &[(u32, bool)]) -> Term {
        cube.iter()
            .filter_map(|&(n, v)| self.get(n).map(|a| (a.clone(), v)))
            .collect()
    }
}
