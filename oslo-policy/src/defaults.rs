//! Registered defaults: `RuleDefault`, `DocumentedRuleDefault` and
//! `DeprecatedRule`, and the defaults file that stands in for Python entry
//! points (`--defaults FILE` of the tools).
//!
//! A defaults file is a JSON (or YAML) list; each entry is
//! ```json
//! {"name": "os_compute_api:servers:start",
//!  "check_str": "rule:admin_or_owner",
//!  "description": "Start a server",                      (optional)
//!  "operations": [{"path": "/servers/{id}/action", "method": "POST"}],  (optional)
//!  "scope_types": ["project"],                           (optional)
//!  "deprecated_rule": {"name": "old", "check_str": "...",
//!                      "deprecated_reason": "...", "deprecated_since": "W"},  (optional)
//!  "deprecated_for_removal": false, "deprecated_reason": null, "deprecated_since": null}
//! ```
//! An entry with `description` and `operations` is a
//! `DocumentedRuleDefault` and must satisfy its checks.

use crate::parser::{self, Check};
use crate::value::Value;

/// An API operation a documented rule protects.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The URL path (a string in practice; the reference takes any value
    /// and prints its `str()`).
    pub path: Value,
    /// The HTTP method (keystone lists some as `["HEAD", "GET"]`).
    pub method: Value,
}

/// `DeprecatedRule`: the name and check a rule used to have.
#[derive(Debug, Clone, PartialEq)]
pub struct DeprecatedRule {
    /// The old name.
    pub name: String,
    /// The old check string.
    pub check_str: String,
    /// It parsed.
    pub check: Check,
    /// Why it changed.
    pub deprecated_reason: Option<String>,
    /// Since which release.
    pub deprecated_since: Option<String>,
}

/// `RuleDefault` / `DocumentedRuleDefault`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDefault {
    /// The rule name.
    pub name: String,
    /// The default check string.
    pub check_str: String,
    /// It parsed.
    pub check: Check,
    /// What the rule protects.
    pub description: Option<String>,
    /// The API operations (documented defaults only).
    pub operations: Vec<Operation>,
    /// Token scopes allowed (`None`: any).
    pub scope_types: Option<Vec<String>>,
    /// The rule this one replaces.
    pub deprecated_rule: Option<DeprecatedRule>,
    /// Whether the rule is going away.
    pub deprecated_for_removal: bool,
    /// Why (with `deprecated_for_removal`).
    pub deprecated_reason: Option<String>,
    /// Since when (with `deprecated_for_removal`).
    pub deprecated_since: Option<String>,
}

/// A default the reference would refuse to construct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRuleDefault {
    /// `ValueError` / `InvalidRuleDefault` from the constructor.
    #[error("{}: {message}", if name.is_empty() { "a rule default with an empty name" } else { name })]
    Invalid {
        /// The rule name (or the entry's position).
        name: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(name: &str, message: impl Into<String>) -> InvalidRuleDefault {
    InvalidRuleDefault::Invalid {
        name: name.to_owned(),
        message: message.into(),
    }
}

fn parse(name: &str, check_str: &str) -> Result<Check, InvalidRuleDefault> {
    parser::parse_text(check_str)
        .map(|p| p.check)
        .map_err(|e| invalid(name, e.to_string()))
}

impl RuleDefault {
    /// `RuleDefault(name, check_str)`.
    pub fn new(name: &str, check_str: &str) -> Result<RuleDefault, InvalidRuleDefault> {
        Ok(RuleDefault {
            name: name.to_owned(),
            check_str: check_str.to_owned(),
            check: parse(name, check_str)?,
            description: None,
            operations: Vec::new(),
            scope_types: None,
            deprecated_rule: None,
            deprecated_for_removal: false,
            deprecated_reason: None,
            deprecated_since: None,
        })
    }

    /// Sets `scope_types`, checked like the reference (unique strings);
    /// an empty list checks no scope, as `None` does.
    pub fn with_scope_types(mut self, scopes: &[&str]) -> Result<RuleDefault, InvalidRuleDefault> {
        let mut seen = Vec::new();
        for s in scopes {
            if seen.contains(s) {
                return Err(invalid(
                    &self.name,
                    "scope_types must be a list of unique strings.",
                ));
            }
            seen.push(*s);
        }
        // An empty list is kept (the sample generator prints an empty
        // "Intended scope(s)" line for it) but scope-checks nothing.
        self.scope_types = Some(scopes.iter().map(|s| (*s).to_owned()).collect());
        Ok(self)
    }

    /// Sets the rule this one replaces.
    pub fn with_deprecated_rule(mut self, old: DeprecatedRule) -> RuleDefault {
        self.deprecated_rule = Some(old);
        self
    }

    /// `RuleDefault.__eq__`: same name and same parsed check (so `""`
    /// equals `"@"`).
    pub fn same_as(&self, other: &RuleDefault) -> bool {
        self.name == other.name && self.check.to_string() == other.check.to_string()
    }
}

impl DeprecatedRule {
    /// `DeprecatedRule(name, check_str, deprecated_reason=, deprecated_since=)`.
    pub fn new(
        name: &str,
        check_str: &str,
        reason: Option<&str>,
        since: Option<&str>,
    ) -> Result<DeprecatedRule, InvalidRuleDefault> {
        Ok(DeprecatedRule {
            name: name.to_owned(),
            check_str: check_str.to_owned(),
            check: parse(name, check_str)?,
            deprecated_reason: reason.map(str::to_owned),
            deprecated_since: since.map(str::to_owned),
        })
    }
}

fn opt_str(entry: &Value, key: &str, name: &str) -> Result<Option<String>, InvalidRuleDefault> {
    match entry.get(key) {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid(
            name,
            format!("{key} must be a string, not {}", other.type_name()),
        )),
    }
}

/// Why a defaults file could not be used (its path, then why).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DefaultsFileError {
    /// The file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file, as given.
        path: String,
        /// The system error.
        message: String,
    },
    /// Not YAML (or JSON) as PyYAML reads it.
    #[error("{path}: {source}")]
    Yaml {
        /// The file, as given.
        path: String,
        /// Where and why.
        source: crate::yaml::YamlError,
    },
    /// A document that is not a valid list of rule defaults.
    #[error("{path}: {source}")]
    Invalid {
        /// The file, as given.
        path: String,
        /// The entry and why.
        source: InvalidRuleDefault,
    },
}

/// Reads a defaults file (JSON or YAML, as the policy loader reads it).
///
/// # Errors
/// Why the file cannot be read or is not a valid defaults file.
pub fn read_file(path: &std::path::Path) -> Result<Vec<RuleDefault>, DefaultsFileError> {
    let shown = || path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DefaultsFileError::Io {
        path: shown(),
        message: e.to_string(),
    })?;
    let doc = crate::rules::read_document(&bytes).map_err(|source| DefaultsFileError::Yaml {
        path: shown(),
        source,
    })?;
    from_document(&doc).map_err(|source| DefaultsFileError::Invalid {
        path: shown(),
        source,
    })
}

/// The rule defaults of one of the tools' namespaces, with its name: a
/// `--namespace` (from the registry a service fills) or a `--defaults`
/// file (named by its path).
pub type NamespaceDefaults = (String, Vec<RuleDefault>);

/// Reads each `--defaults` file of the tools as one namespace, named by
/// its path.
///
/// # Errors
/// The first file that cannot be read or is not a valid defaults file.
pub fn load_defaults_files(
    paths: &[std::path::PathBuf],
) -> Result<Vec<NamespaceDefaults>, DefaultsFileError> {
    paths
        .iter()
        .map(|path| read_file(path).map(|rules| (path.display().to_string(), rules)))
        .collect()
}

/// Reads a defaults file's document (see the module docs).
pub fn from_document(doc: &Value) -> Result<Vec<RuleDefault>, InvalidRuleDefault> {
    let Value::List(entries) = doc else {
        return Err(invalid(
            "<file>",
            "a defaults file is a list of rule defaults",
        ));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| from_entry(i, entry))
        .collect()
}

/// One entry of a defaults file: `RuleDefault` (or
/// `DocumentedRuleDefault`, with `operations`) with its checks, in the
/// order the reference's constructors make them.
fn from_entry(i: usize, entry: &Value) -> Result<RuleDefault, InvalidRuleDefault> {
    let name = match entry.get("name") {
        Some(Value::Str(s)) => s.clone(),
        _ => return Err(invalid(&format!("entry {i}"), "\"name\" must be a string")),
    };
    let check_str = match entry.get("check_str") {
        Some(Value::Str(s)) => s.clone(),
        _ => return Err(invalid(&name, "\"check_str\" must be a string")),
    };
    let mut rd = RuleDefault::new(&name, &check_str)?;
    rd.description = opt_str(entry, "description", &name)?;
    if let Some(ops) = entry.get("operations") {
        rd.operations = operations(&name, ops)?;
        if rd.description.as_deref().unwrap_or_default().is_empty() {
            return Err(invalid(
                &name,
                "Description is required and cannot be empty",
            ));
        }
    }
    if let Some(scopes) = entry.get("scope_types") {
        match scopes {
            Value::None => {}
            Value::List(items) => {
                let mut names = Vec::new();
                for s in items {
                    let Value::Str(s) = s else {
                        return Err(invalid(&name, "scope_types must be a list of strings."));
                    };
                    names.push(s.as_str());
                }
                rd = rd.with_scope_types(&names)?;
            }
            _ => return Err(invalid(&name, "scope_types must be a list of strings.")),
        }
    }
    if let Some(old) = entry
        .get("deprecated_rule")
        .filter(|v| !matches!(v, Value::None))
    {
        rd.deprecated_rule = Some(deprecated_rule(&name, old)?);
    }
    rd.deprecated_for_removal =
        matches!(entry.get("deprecated_for_removal"), Some(v) if v.truthy());
    rd.deprecated_reason = opt_str(entry, "deprecated_reason", &name)?;
    rd.deprecated_since = opt_str(entry, "deprecated_since", &name)?;
    if rd.deprecated_for_removal
        && (rd.deprecated_reason.is_none() || rd.deprecated_since.is_none())
    {
        return Err(invalid(
            &name,
            format!(
                "{name} deprecated without deprecated_reason or deprecated_since. Both must be supplied if deprecating a policy"
            ),
        ));
    }
    Ok(rd)
}

/// `DocumentedRuleDefault`'s `operations`: a non-empty list of
/// `{"path", "method"}` mappings.
fn operations(name: &str, ops: &Value) -> Result<Vec<Operation>, InvalidRuleDefault> {
    let Value::List(ops) = ops else {
        return Err(invalid(name, "Operations must be a list"));
    };
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let Value::Dict(items) = op else {
            return Err(invalid(name, "Operation must be a mapping"));
        };
        let (Some(path), Some(method)) = (op.get("path"), op.get("method")) else {
            return Err(invalid(
                name,
                if op.get("path").is_none() {
                    "Operation must contain a path"
                } else {
                    "Operation must contain a method"
                },
            ));
        };
        if items.len() > 2 {
            return Err(invalid(name, "Operation contains > 2 keys"));
        }
        out.push(Operation {
            path: path.clone(),
            method: method.clone(),
        });
    }
    if out.is_empty() {
        return Err(invalid(name, "Operations must be a non-empty list"));
    }
    Ok(out)
}

/// An entry's `deprecated_rule` (`DeprecatedRule(name, check_str, ...)`).
fn deprecated_rule(name: &str, old: &Value) -> Result<DeprecatedRule, InvalidRuleDefault> {
    let old_name = match old.get("name") {
        Some(Value::Str(s)) => s.clone(),
        _ => return Err(invalid(name, "deprecated_rule needs a \"name\"")),
    };
    let old_check = match old.get("check_str") {
        Some(Value::Str(s)) => s.clone(),
        _ => return Err(invalid(name, "deprecated_rule needs a \"check_str\"")),
    };
    DeprecatedRule::new(
        &old_name,
        &old_check,
        opt_str(old, "deprecated_reason", name)?.as_deref(),
        opt_str(old, "deprecated_since", name)?.as_deref(),
    )
}
