//! `oslopolicy-convert-json-to-yaml` and `oslopolicy-policy-upgrade`
//! (`generator.py`'s `_convert_policy_json_to_yaml` and
//! `upgrade_policy`/`_upgrade_policies`), byte for byte.
//!
//! Both take the registered defaults as namespaces: one per `--defaults`
//! file, named by its path, visited in sorted order as the Python tools
//! visit `--namespace`s.

use crate::cli::ToolError;
use crate::defaults::{NamespaceDefaults, RuleDefault};
use crate::parser::parse_value;
use crate::value::Value;

/// The registered defaults in the order the tools visit them: namespaces
/// sorted by name, rules in registration order.
fn sorted_defaults(sections: &[NamespaceDefaults]) -> impl Iterator<Item = &RuleDefault> {
    let mut sorted: Vec<&NamespaceDefaults> = sections.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.into_iter().flat_map(|(_, rules)| rules.iter())
}

/// `json.loads` of a policy file's text (objects keep their first key's
/// place and their last value).
///
/// # Errors
/// [`ToolError::Json`] when the text is not one JSON value.
pub fn load_json(bytes: &[u8]) -> Result<Value, ToolError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ToolError::Json(e.to_string()))?;
    let (text, specials) = mark_specials(text);
    let value = serde_json::from_str::<serde_json::Value>(&text)
        .map(|v| Value::from_json(&v))
        .map_err(|e| ToolError::Json(e.to_string()))?;
    Ok(if specials {
        unmark_specials(value)
    } else {
        value
    })
}

/// Marks `json.loads`' extra constants (`NaN`, `Infinity`, `-Infinity`
/// outside strings) as strings starting with this character, for
/// [`unmark_specials`] to turn into floats (unless the text already holds
/// the character, in which case the constants stay errors).
const SPECIAL_MARK: char = '\u{10fffe}';

fn mark_specials(text: &str) -> (String, bool) {
    if !text.contains(['N', 'I'])
        || text.contains(SPECIAL_MARK)
        || text.to_ascii_lowercase().contains("\\udbff")
    {
        return (text.to_owned(), false);
    }
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped, mut marked) = (false, false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if let Some(token) = ["NaN", "Infinity", "-Infinity"]
            .into_iter()
            .find(|t| rest.starts_with(t))
        {
            out.push_str(&format!("\"{SPECIAL_MARK}{token}\""));
            rest = rest.get(token.len()..).unwrap_or_default();
            marked = true;
            continue;
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    (out, marked)
}

fn unmark_specials(value: Value) -> Value {
    match value {
        Value::Str(s) => match s.strip_prefix(SPECIAL_MARK) {
            Some("NaN") => Value::Float(f64::NAN),
            Some("Infinity") => Value::Float(f64::INFINITY),
            Some("-Infinity") => Value::Float(f64::NEG_INFINITY),
            _ => Value::Str(s),
        },
        Value::List(items) => Value::List(items.into_iter().map(unmark_specials).collect()),
        Value::Dict(items) => Value::Dict(
            items
                .into_iter()
                .map(|(k, v)| (k, unmark_specials(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `name in doc` for the JSON document the converter works on, as Python
/// evaluates it for a dict, list or str (anything else raises).
fn contains(doc: &Value, name: &str) -> Result<bool, ToolError> {
    match doc {
        Value::Dict(items) => Ok(items
            .iter()
            .any(|(k, _)| matches!(k, Value::Str(s) if s == name))),
        Value::List(items) => Ok(items
            .iter()
            .any(|v| matches!(v, Value::Str(s) if s == name))),
        Value::Str(s) => Ok(s.contains(name)),
        other => Err(ToolError::raised(
            "TypeError",
            format!("argument of type '{}' is not iterable", other.type_name()),
        )),
    }
}

/// `oslopolicy-convert-json-to-yaml`: the YAML text for a JSON policy
/// file. Rules with a registered default come first (namespace and
/// registration order), described like the sample file and commented out
/// when they equal the default; the file's other rules follow, after a
/// warning, as they are.
///
/// # Errors
/// [`ToolError::Json`] for a file that is not JSON, and
/// [`ToolError::Raised`] where the reference raises (a rule value that is
/// not a rule, a document that is not an object, a default without name
/// or description).
pub fn convert_json_to_yaml(
    bytes: &[u8],
    sections: &[NamespaceDefaults],
) -> Result<String, ToolError> {
    let mut doc = load_json(bytes)?;
    let mut out = String::new();
    for default in sorted_defaults(sections) {
        if !contains(&doc, &default.name)? {
            continue;
        }
        let Value::Dict(items) = &mut doc else {
            // The reference's message, which names no exception class.
            return Err(ToolError::raised(
                "",
                format!("'{}' object cannot pop '{}'", doc.type_name(), default.name),
            ));
        };
        let Some(pos) = items
            .iter()
            .position(|(k, _)| matches!(k, Value::Str(s) if s == &default.name))
        else {
            continue;
        };
        let (_, value) = items.remove(pos);
        out.push_str(&converted_rule(default, &value)?);
    }
    let Value::Dict(items) = &doc else {
        return Err(ToolError::raised(
            "AttributeError",
            format!("'{}' object has no attribute 'items'", doc.type_name()),
        ));
    };
    if !items.is_empty() {
        out.push_str(
            "# WARNING: Below rules are either deprecated rules\n\
             # or extra rules in policy file, it is strongly\n\
             # recommended to switch to new rules.\n",
        );
    }
    for (k, v) in items {
        out.push_str(&format!("\"{}\": \"{}\"\n", k.py_str(), v.py_str()));
    }
    Ok(out)
}

/// One rule of the file that has a registered default: the
/// `DocumentedRuleDefault` the reference builds from the file's value and
/// the default's description (or name), operations and scopes, formatted
/// like the sample generator without deprecation notes; commented out when
/// it equals the default.
fn converted_rule(default: &RuleDefault, value: &Value) -> Result<String, ToolError> {
    let description = match default.description.as_deref() {
        Some(d) if !d.is_empty() => d.to_owned(),
        _ => default.name.clone(),
    };
    if description.is_empty() {
        return Err(ToolError::raised(
            "InvalidRuleDefault",
            "Description is required",
        ));
    }
    let check = parse_value(value)
        .map_err(|e| ToolError::raised("TypeError", e.to_string()))?
        .check;
    let equal = check.to_string() == default.check.to_string();
    let rule = RuleDefault {
        check_str: value.py_str(),
        check,
        description: Some(description),
        ..default.clone()
    };
    let text = crate::sample::rule_block(&rule, false);
    if equal {
        return Ok(text);
    }
    // Overridden rules stay in force: the same block without the `#`
    // before the rule line.
    let line = format!("\"{}\": \"{}\"\n\n", rule.name, rule.check_str);
    Ok(
        match text
            .strip_suffix(line.as_str())
            .and_then(|head| head.strip_suffix('#'))
        {
            Some(head) => format!("{head}{line}"),
            None => text,
        },
    )
}

/// `_upgrade_policies`: every rule of `policies` named by a registered
/// default's deprecated rule takes the default's name (namespaces sorted,
/// rules in registration order; names are matched against the file's
/// original keys).
///
/// # Errors
/// [`ToolError::Raised`] when two defaults claim the same old name (the
/// reference's `KeyError`).
pub fn upgrade_policies(
    policies: Vec<(Value, Value)>,
    sections: &[NamespaceDefaults],
) -> Result<Vec<(Value, Value)>, ToolError> {
    let original: Vec<String> = policies
        .iter()
        .filter_map(|(k, _)| match k {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let mut items = policies;
    for default in sorted_defaults(sections) {
        let Some(old) = &default.deprecated_rule else {
            continue;
        };
        if !original.contains(&old.name) {
            continue;
        }
        let pos = items
            .iter()
            .position(|(k, _)| matches!(k, Value::Str(s) if s == &old.name))
            .ok_or_else(|| ToolError::raised("KeyError", crate::value::str_repr(&old.name)))?;
        let (_, value) = items.remove(pos);
        Value::dict_insert(&mut items, Value::str(default.name.as_str()), value);
    }
    Ok(items)
}

/// `oslopolicy-policy-upgrade`: the policy file (YAML or JSON) with
/// deprecated rule names replaced, as `yaml.safe_dump(...,
/// default_flow_style=False)` writes it.
///
/// # Errors
/// [`ToolError::Yaml`] for a file that does not load, [`ToolError::Raised`]
/// for a document that is not a mapping (or empty) and where
/// [`upgrade_policies`] fails, [`ToolError::Emit`] for values the writer
/// cannot reproduce.
pub fn upgrade(bytes: &[u8], sections: &[NamespaceDefaults]) -> Result<String, ToolError> {
    let doc = crate::rules::read_document(bytes)?;
    let policies = match doc {
        Value::Dict(items) => items,
        other if !other.truthy() => Vec::new(),
        other => {
            return Err(ToolError::raised(
                "AttributeError",
                format!("'{}' object has no attribute 'keys'", other.type_name()),
            ));
        }
    };
    let upgraded = upgrade_policies(policies, sections)?;
    Ok(crate::yamlemit::safe_dump(&Value::Dict(upgraded))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(json: &str) -> Vec<(String, Vec<RuleDefault>)> {
        let doc = crate::rules::read_document(json.as_bytes()).unwrap();
        vec![(
            "ns".to_owned(),
            crate::defaults::from_document(&doc).unwrap(),
        )]
    }

    #[test]
    fn converts_equal_changed_and_extra_rules() {
        let defaults = ns(r#"[{"name": "a", "check_str": "role:x"},
            {"name": "b", "check_str": "@", "description": "Bee.",
             "operations": [{"path": "/b", "method": "GET"}], "scope_types": ["project"]}]"#);
        let out = convert_json_to_yaml(
            br#"{"z": "!", "b": "role:y", "a": "role:x", "n": 1}"#,
            &defaults,
        )
        .unwrap();
        assert_eq!(
            out,
            "# a\n#\"a\": \"role:x\"\n\n\
             # Bee.\n# GET  /b\n# Intended scope(s): project\n\"b\": \"role:y\"\n\n\
             # WARNING: Below rules are either deprecated rules\n\
             # or extra rules in policy file, it is strongly\n\
             # recommended to switch to new rules.\n\
             \"z\": \"!\"\n\"n\": \"1\"\n"
        );
    }

    #[test]
    fn convert_errors_like_the_reference() {
        let defaults = ns(r#"[{"name": "a", "check_str": "role:x"}]"#);
        assert!(convert_json_to_yaml(b"[\"a\"]", &defaults).is_err());
        assert!(convert_json_to_yaml(b"5", &defaults).is_err());
        assert!(convert_json_to_yaml(b"{\"a\": 5}", &defaults).is_err());
        assert!(convert_json_to_yaml(b"[]", &defaults).is_err());
        assert!(convert_json_to_yaml(b"null", &defaults).is_err());
        assert_eq!(convert_json_to_yaml(b"{}", &defaults).unwrap(), "");
        assert!(convert_json_to_yaml(b"{", &defaults).is_err());
        assert_eq!(
            convert_json_to_yaml(b"{\"z\": [NaN, -Infinity], \"NaN\": \"NaN\"}", &defaults)
                .unwrap(),
            "# WARNING: Below rules are either deprecated rules\n\
             # or extra rules in policy file, it is strongly\n\
             # recommended to switch to new rules.\n\
             \"z\": \"[nan, -inf]\"\n\"NaN\": \"NaN\"\n"
        );
        assert!(convert_json_to_yaml(b"{\"z\": NaNa}", &defaults).is_err());
        assert!(convert_json_to_yaml(b"{\"z\": +Infinity}", &defaults).is_err());
    }

    #[test]
    fn upgrades_deprecated_names() {
        let defaults = ns(r#"[{"name": "new", "check_str": "role:x",
            "deprecated_rule": {"name": "old", "check_str": "role:y"}}]"#);
        let out = upgrade(b"old: role:z\nkeep: '@'\n", &defaults).unwrap();
        assert_eq!(out, "keep: '@'\nnew: role:z\n");
        assert_eq!(upgrade(b"", &defaults).unwrap(), "{}\n");
        assert!(upgrade(b"- a\n", &defaults).is_err());
    }
}
