//! How the Python type objects print (`repr`, seen in `DefaultValueError`
//! and in argparse's "Invalid … value" line) and compare (`__eq__`, which
//! decides whether registering an option twice is a duplicate).

use pycompat::value::{Value, format_g};

use crate::types::{Choices, Type};

/// `repr(type)`.
pub fn repr(ty: &Type) -> String {
    match ty {
        Type::String(s) => {
            let mut details = Vec::new();
            if let Some(choices) = &s.choices {
                details.push(format!("choices={}", keys_repr(choices)));
            }
            if let Some(regex) = s.regex.as_deref().filter(|r| !r.is_empty()) {
                details.push(format!("regex={}", pycompat::value::str_repr(regex)));
            }
            if details.is_empty() {
                "String".to_owned()
            } else {
                format!("String({})", details.join(","))
            }
        }
        Type::MultiString => "MultiString".to_owned(),
        Type::Boolean => "Boolean".to_owned(),
        Type::Integer(n) | Type::Port(n) => {
            let class = if matches!(ty, Type::Port(_)) {
                "Port"
            } else {
                "Integer"
            };
            let mut props = Vec::new();
            if let Some(choices) = &n.choices {
                props.push(format!("choices={}", keys_repr(choices)));
            } else {
                // Port fills in its bounds.
                let port = matches!(ty, Type::Port(_));
                let (zero, top) = (Value::Int("0".into()), Value::Int("65535".into()));
                if let Some(min) = n.min.as_ref().or(port.then_some(&zero)) {
                    props.push(format!("min={}", g(min)));
                }
                if let Some(max) = n.max.as_ref().or(port.then_some(&top)) {
                    props.push(format!("max={}", g(max)));
                }
            }
            with_props(class, &props)
        }
        Type::Float(f) => {
            let mut props = Vec::new();
            if let Some(min) = f.min {
                props.push(format!("min={}", format_g(min)));
            }
            if let Some(max) = f.max {
                props.push(format!("max={}", format_g(max)));
            }
            with_props("Float", &props)
        }
        Type::List(l) => format!("List of {}", repr(&l.item_type)),
        Type::Dict(d) => format!("Dict of {}", repr(&d.value_type)),
        Type::IpAddress(_) => "IPAddress".to_owned(),
        Type::Hostname => "Hostname".to_owned(),
        Type::HostAddress(_) => "HostAddress".to_owned(),
        Type::HostDomain(_) => "HostDomain".to_owned(),
        Type::Uri(_) => "URI".to_owned(),
    }
}

fn with_props(class: &str, props: &[String]) -> String {
    if props.is_empty() {
        class.to_owned()
    } else {
        format!("{class}({})", props.join(", "))
    }
}

/// `'%g' % number` for an int or float value.
fn g(v: &Value) -> String {
    match v {
        Value::Int(text) => format_g(text.parse::<f64>().unwrap_or(f64::INFINITY)),
        Value::Float(f) => format_g(*f),
        other => other.py_str(),
    }
}

/// `repr(list(OrderedDict(choices).keys()))`: values, duplicates dropped.
fn keys_repr(choices: &Choices) -> String {
    let keys = unique_keys(choices);
    let parts: Vec<String> = keys.iter().map(|k| k.py_repr()).collect();
    format!("[{}]", parts.join(", "))
}

fn unique_keys(choices: &Choices) -> Vec<&Value> {
    let mut keys: Vec<&Value> = Vec::new();
    for (k, _) in choices {
        if !keys.iter().any(|seen| seen.key_eq(k)) {
            keys.push(k);
        }
    }
    keys
}

fn same_choices(a: &Option<Choices>, b: &Option<Choices>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => {
            let (ka, kb) = (unique_keys(a), unique_keys(b));
            ka.iter().all(|x| kb.iter().any(|y| x.key_eq(y)))
                && kb.iter().all(|y| ka.iter().any(|x| x.key_eq(y)))
        }
        (Some(a), Some(b)) => a == b,
        (None, None) => true,
        _ => false,
    }
}

/// `type == other` as the Python classes define it (String ignores
/// `ignore_case`/`max_length`, List and Dict compare only their item
/// types, IP/host types only their class).
pub fn eq(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::String(x), Type::String(y)) => {
            x.quotes == y.quotes
                && x.regex == y.regex
                && (x.regex.is_none() || x.ignore_case == y.ignore_case)
                && same_choices(&x.choices, &y.choices)
        }
        (Type::MultiString, Type::MultiString) | (Type::Boolean, Type::Boolean) => true,
        (Type::Integer(x), Type::Integer(y)) | (Type::Port(x), Type::Port(y)) => {
            x.min == y.min && x.max == y.max && same_choices(&x.choices, &y.choices)
        }
        (Type::Float(x), Type::Float(y)) => x.min == y.min && x.max == y.max,
        (Type::List(x), Type::List(y)) => eq(&x.item_type, &y.item_type),
        (Type::Dict(x), Type::Dict(y)) => eq(&x.value_type, &y.value_type),
        (Type::IpAddress(_), Type::IpAddress(_))
        | (Type::Hostname, Type::Hostname)
        | (Type::HostAddress(_), Type::HostAddress(_))
        | (Type::HostDomain(_), Type::HostDomain(_)) => true,
        (Type::Uri(x), Type::Uri(y)) => x == y,
        _ => false,
    }
}
