//! Who asks: the personas `oslo-policy matrix` decides for, as the
//! credentials `oslo.context` gives oslo.policy, and a personas file.

use crate::value::Value;
use crate::yaml::{YamlError, safe_load};

/// How a persona's target relates to its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Relation {
    /// Any target: a cell may depend on it (the condition is shown).
    Any,
    /// Every target value a rule compares with a credential is the
    /// persona's own (its project, its user, its domain).
    Own,
    /// Every target value is someone else's.
    Other,
}

/// One column of the matrix.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Persona {
    /// Its name.
    pub name: String,
    /// Its credentials (a dict, as `enforce` takes them).
    pub creds: Value,
    /// Its target.
    pub relation: Relation,
}

impl Persona {
    /// The strings its credentials hold at a dotted path, as a check
    /// compares them (empty when the path is absent or cannot be read).
    pub fn values_at(&self, path: &str) -> Vec<String> {
        super::witness::held(&self.creds, path).unwrap_or_default()
    }
}

/// Keystone's default roles and the roles each implies (a token carries
/// the implied roles too: admin → manager → member → reader).
const ROLES: [(&str, &[&str]); 5] = [
    ("admin", &["admin", "manager", "member", "reader"]),
    ("manager", &["manager", "member", "reader"]),
    ("member", &["member", "reader"]),
    ("reader", &["reader"]),
    ("service", &["service"]),
];

fn creds(roles: &[&str], scope: &[(&str, &str)]) -> Value {
    let mut items = vec![
        (
            Value::str("roles"),
            Value::List(roles.iter().map(|r| Value::str(*r)).collect()),
        ),
        (Value::str("user_id"), Value::str("u1")),
    ];
    items.extend(scope.iter().map(|(k, v)| (Value::str(*k), Value::str(*v))));
    Value::Dict(items)
}

/// The default personas: each of keystone's default roles in system,
/// domain and project scope, and a project token with no roles.
pub fn default_personas() -> Vec<Persona> {
    let scopes: [(&str, &[(&str, &str)]); 3] = [
        ("system", &[("system_scope", "all")]),
        ("domain", &[("domain_id", "d1")]),
        (
            "project",
            &[("project_id", "p1"), ("project_domain_id", "d1")],
        ),
    ];
    let mut out = Vec::new();
    for (scope, fields) in scopes {
        for (role, implied) in ROLES {
            out.push(Persona {
                name: format!("{scope}-{role}"),
                creds: creds(implied, fields),
                relation: Relation::Any,
            });
        }
    }
    out.push(Persona {
        name: "project-no-roles".to_owned(),
        creds: creds(&[], &[("project_id", "p1"), ("project_domain_id", "d1")]),
        relation: Relation::Any,
    });
    out
}

/// A personas file that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonasError {
    /// Not YAML.
    #[error("{path}: {source}")]
    Yaml {
        /// The file.
        path: String,
        /// What the YAML reader said.
        source: YamlError,
    },
    /// YAML, but not a personas file.
    #[error("{path}: {what}")]
    Shape {
        /// The file.
        path: String,
        /// What was expected.
        what: String,
    },
}

/// Reads a personas file: `personas:` a list of `{name, creds, target}`
/// (`target`: `any`, the default, `own` or `other`) and `replace: true`
/// to drop the default personas (else they come first).
///
/// ```yaml
/// replace: false
/// personas:
///   - name: project-auditor
///     creds: {roles: [auditor], project_id: p1, user_id: u9}
///     target: own
/// ```
///
/// # Errors
/// Not YAML, or not this shape (the message names the entry).
pub fn read_personas(text: &[u8], path: &str) -> Result<Vec<Persona>, PersonasError> {
    let shape = |what: String| PersonasError::Shape {
        path: path.to_owned(),
        what,
    };
    let doc = safe_load(text).map_err(|source| PersonasError::Yaml {
        path: path.to_owned(),
        source,
    })?;
    if !matches!(doc, Value::Dict(_)) {
        return Err(shape(format!(
            "expected a mapping with a `personas` list, found {}",
            doc.type_name()
        )));
    }
    let replace = match doc.get("replace") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(other) => {
            return Err(shape(format!(
                "`replace` must be true or false, found {}",
                other.py_repr()
            )));
        }
    };
    let Some(Value::List(entries)) = doc.get("personas") else {
        return Err(shape(
            "expected `personas:` with a list of personas".to_owned(),
        ));
    };
    let mut out = if replace {
        Vec::new()
    } else {
        default_personas()
    };
    for (i, entry) in entries.iter().enumerate() {
        let at = |what: &str| shape(format!("persona {}: {what}", i + 1));
        let Some(Value::Str(name)) = entry.get("name") else {
            return Err(at("expected `name:` with a string"));
        };
        let creds = match entry.get("creds") {
            Some(c @ Value::Dict(_)) => c.clone(),
            _ => return Err(at("expected `creds:` with a mapping")),
        };
        if let Some(roles) = creds.get("roles") {
            let strings =
                matches!(roles, Value::List(rs) if rs.iter().all(|r| matches!(r, Value::Str(_))));
            if !strings {
                return Err(at("`creds.roles` must be a list of strings"));
            }
        }
        let relation = match entry.get("target") {
            None => Relation::Any,
            Some(Value::Str(s)) if s == "any" => Relation::Any,
            Some(Value::Str(s)) if s == "own" => Relation::Own,
            Some(Value::Str(s)) if s == "other" => Relation::Other,
            Some(other) => {
                return Err(at(&format!(
                    "`target` must be any, own or other, found {}",
                    other.py_repr()
                )));
            }
        };
        if out.iter().any(|p| p.name == *name) {
            return Err(at(&format!("the name {name:?} is used twice")));
        }
        out.push(Persona {
            name: name.clone(),
            creds,
            relation,
        });
    }
    if out.is_empty() {
        return Err(shape("no personas".to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_roles_and_scopes() {
        let p = default_personas();
        assert_eq!(p.len(), 16);
        assert_eq!(p[0].name, "system-admin");
        assert_eq!(p[15].name, "project-no-roles");
    }

    #[test]
    fn files_extend_or_replace_and_bad_ones_say_where() {
        let extended = read_personas(
            b"personas:\n  - name: x\n    creds: {roles: [a]}\n    target: own\n",
            "p.yaml",
        )
        .unwrap();
        assert_eq!(extended.len(), 17);
        assert_eq!(extended[16].relation, Relation::Own);
        let replaced = read_personas(
            b"replace: true\npersonas:\n  - name: x\n    creds: {}\n",
            "p.yaml",
        )
        .unwrap();
        assert_eq!(replaced.len(), 1);
        let bad = read_personas(b"personas:\n  - name: x\n    creds: {roles: a}\n", "p.yaml");
        assert_eq!(
            bad.unwrap_err().to_string(),
            "p.yaml: persona 1: `creds.roles` must be a list of strings"
        );
        assert!(read_personas(b"[1]", "p.yaml").is_err());
        assert!(read_personas(b"personas: [1", "p.yaml").is_err());
    }
}
