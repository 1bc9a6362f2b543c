//! The machine-readable sample (`--format yaml|json`):
//! `_generate_machine_readable_data`, `yaml.safe_dump(...,
//! default_flow_style=False)` and `json.dumps(..., sort_keys=True)`.
//!
//! PyYAML writes a list or dict that two options share (the same Python
//! object, e.g. one `Opt` listed in two groups) once with an anchor
//! (`&id001`) and then as aliases (`*id001`). Opt-data loses object
//! identity except in those anchors, so the opt-data reader
//! (`model::scan_entries`) finds them in a YAML opt-data file and [`with_anchors`] puts them back into the
//! YAML written here.

use pycompat::value::{Value, float_repr};

use crate::error::{Error, Result};

use super::model::{Groups, SampleOpt, scan_entries};

/// The entry keys of `_build_entry` (the public attributes of `cfg.Opt`
/// plus `namespace`, `choices`, `min` and `max`).
const ENTRY_KEYS: [&str; 21] = [
    "advanced",
    "choices",
    "default",
    "deprecated_for_removal",
    "deprecated_opts",
    "deprecated_reason",
    "deprecated_since",
    "dest",
    "help",
    "max",
    "metavar",
    "min",
    "mutable",
    "name",
    "namespace",
    "positional",
    "required",
    "sample_default",
    "secret",
    "short",
    "type",
];

fn opt_str(s: Option<&String>) -> Value {
    s.map_or(Value::None, |s| Value::Str(s.clone()))
}

fn key(s: &str) -> Value {
    Value::Str(s.to_owned())
}

/// `deprecated_opts` of the entry: `{group: d.group or group, name:
/// d.name or opt.name}`.
fn deprecated_list(sample: &SampleOpt, group: &str, name: &Value) -> Vec<Value> {
    sample
        .data_deprecated
        .iter()
        .map(|(g, n)| {
            Value::Dict(vec![
                (key("group"), g.clone().unwrap_or_else(|| key(group))),
                (key("name"), n.clone().unwrap_or_else(|| name.clone())),
            ])
        })
        .collect()
}

/// `_build_entry`.
fn build_entry(sample: &SampleOpt, group: &str) -> Vec<(Value, Value)> {
    let opt = &sample.opt;
    let raw_get = |k: &str| {
        sample.raw.as_ref().and_then(|raw| {
            raw.iter()
                .find(|(rk, _)| matches!(rk, Value::Str(s) if s == k))
                .map(|(_, v)| v.clone())
        })
    };
    let name = raw_get("name").unwrap_or_else(|| Value::Str(opt.name.clone()));
    let model = |k: &str| -> Value {
        match k {
            "advanced" => Value::Bool(opt.advanced),
            "choices" => Value::List(
                sample
                    .choices
                    .iter()
                    .map(|(v, d)| Value::List(vec![v.clone(), d.clone()]))
                    .collect(),
            ),
            "default" => opt.default.clone(),
            "deprecated_for_removal" => Value::Bool(opt.deprecated_for_removal),
            "deprecated_reason" => opt_str(opt.deprecated_reason.as_ref()),
            "deprecated_since" => opt_str(opt.deprecated_since.as_ref()),
            "dest" => Value::Str(opt.dest.clone()),
            "help" => opt_str(opt.help.as_ref()),
            "max" => sample.max.clone(),
            "metavar" => opt_str(opt.metavar.as_ref()),
            "min" => sample.min.clone(),
            "mutable" => Value::Bool(opt.mutable),
            "name" => Value::Str(opt.name.clone()),
            "namespace" => Value::Str(sample.namespace.clone()),
            "positional" => Value::Bool(opt.positional),
            "required" => Value::Bool(opt.required),
            "sample_default" => opt.sample_default.clone().unwrap_or(Value::None),
            "secret" => Value::Bool(opt.secret),
            "short" => opt_str(opt.short.as_ref()),
            "type" => Value::Str(sample.type_name.clone()),
            _ => Value::None,
        }
    };
    let mut entry: Vec<(Value, Value)> = Vec::with_capacity(ENTRY_KEYS.len());
    for k in ENTRY_KEYS {
        let value = if k == "deprecated_opts" {
            Value::List(deprecated_list(sample, group, &name))
        } else {
            raw_get(k).unwrap_or_else(|| model(k))
        };
        entry.push((key(k), value));
    }
    // Other public attributes an opt-data entry carries (not our `x_`
    // extensions, which the Python generator never writes).
    if let Some(raw) = &sample.raw {
        for (k, v) in raw {
            if let Value::Str(s) = k {
                if s.starts_with("x_") || ENTRY_KEYS.contains(&s.as_str()) {
                    continue;
                }
            }
            Value::dict_insert(&mut entry, k.clone(), v.clone());
        }
    }
    entry
}

/// The document `_generate_machine_readable_data` builds, and the
/// identity classes of the entries' `default`/`sample_default` in the
/// order they are written (groups sorted, as both writers sort keys).
pub(crate) fn document(
    groups: &Groups,
    generator_options: Value,
) -> (Value, Vec<[Option<usize>; 2]>) {
    let mut options: Vec<(Value, Value)> = Vec::new();
    let mut deprecated: Vec<(Value, Value)> = Vec::new();
    for (group_name, info) in &groups.groups {
        let mut entries: Vec<Value> = Vec::new();
        for (_, opts) in &info.blocks {
            for sample in opts {
                let entry = build_entry(sample, group_name);
                let name = entry
                    .iter()
                    .find(|(k, _)| matches!(k, Value::Str(s) if s == "name"))
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::None);
                for d in deprecated_list(sample, group_name, &name) {
                    let dgroup = d.get("group").cloned().unwrap_or(Value::None);
                    let dname = d.get("name").cloned().unwrap_or(Value::None);
                    let item = Value::Dict(vec![
                        (key("name"), dname),
                        (key("replacement_name"), name.clone()),
                        (key("replacement_group"), key(group_name)),
                    ]);
                    match deprecated.iter_mut().find(|(k, _)| k.key_eq(&dgroup)) {
                        Some((_, Value::List(list))) => list.push(item),
                        _ => deprecated.push((dgroup, Value::List(vec![item]))),
                    }
                }
                entries.push(Value::Dict(entry));
            }
        }
        let mut group: Vec<(Value, Value)> = Vec::new();
        if !entries.is_empty() {
            let (help, owner, driver_option) = match &info.object {
                Some(g) => (
                    g.help.clone().unwrap_or_default(),
                    g.dynamic_group_owner.clone(),
                    g.driver_option.clone(),
                ),
                None => (String::new(), String::new(), String::new()),
            };
            group.push((key("dynamic_group_owner"), Value::Str(owner)));
            group.push((key("driver_option"), Value::Str(driver_option)));
            group.push((key("driver_opts"), Value::Dict(info.driver_opts.clone())));
            group.push((key("help"), Value::Str(help)));
        } else {
            group.push((key("help"), key("")));
        }
        let standard: Vec<Value> = entries
            .iter()
            .filter_map(|e| e.get("name").cloned())
            .filter(|name| {
                !info.driver_opts.iter().any(|(_, names)| match names {
                    Value::List(list) => list.iter().any(|n| n.key_eq(name)),
                    Value::Dict(items) => items.iter().any(|(n, _)| n.key_eq(name)),
                    _ => false,
                })
            })
            .collect();
        group.push((key("opts"), Value::List(entries)));
        group.push((key("standard_opts"), Value::List(standard)));
        options.push((key(group_name), Value::Dict(group)));
    }
    let mut sorted: Vec<&(String, super::model::GroupInfo)> = groups.groups.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let ids = sorted
        .iter()
        .flat_map(|(_, info)| {
            info.blocks
                .iter()
                .flat_map(|(_, opts)| opts.iter().map(|o| o.ids))
        })
        .collect();
    let doc = Value::Dict(vec![
        (key("options"), Value::Dict(options)),
        (key("deprecated_options"), Value::Dict(deprecated)),
        (key("generator_options"), generator_options),
    ]);
    (doc, ids)
}

/// `yaml.safe_dump(doc, default_flow_style=False)` with the anchors of
/// shared defaults.
pub(crate) fn to_yaml(doc: &Value, ids: &[[Option<usize>; 2]]) -> Result<String> {
    let text = pycompat::yamlemit::safe_dump(doc).map_err(|e| Error::Value(e.to_string()))?;
    Ok(with_anchors(&text, ids))
}

/// Writes PyYAML's anchors and aliases into `text` (written without
/// them) for the entries whose values share an identity class: the id
/// is numbered when a value is met the second time, the first
/// occurrence carries `&idNNN`, later ones are `*idNNN` alone.
pub(crate) fn with_anchors(text: &str, ids: &[[Option<usize>; 2]]) -> String {
    if ids.iter().all(|pair| pair.iter().all(Option::is_none)) {
        return text.to_owned();
    }
    let Some(entries) = scan_entries(text) else {
        return text.to_owned();
    };
    if entries.len() != ids.len() {
        return text.to_owned();
    }
    // Visits in document order; the id number comes with the second visit.
    let mut visits: Vec<(usize, (usize, usize))> = Vec::new();
    for (entry, pair) in entries.iter().zip(ids) {
        for (span, id) in entry.spans.iter().zip(pair) {
            if let (Some(span), Some(id)) = (span, id) {
                visits.push((*id, *span));
            }
        }
    }
    let mut seen: Vec<usize> = Vec::new();
    let mut numbers: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (id, _) in &visits {
        if seen.contains(id) {
            let next = numbers.len() + 1;
            numbers.entry(*id).or_insert(next);
        } else {
            seen.push(*id);
        }
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut replace: std::collections::HashMap<usize, (String, usize)> =
        std::collections::HashMap::new();
    let mut first: Vec<usize> = Vec::new();
    for (id, (start, end)) in visits {
        let Some(n) = numbers.get(&id) else { continue };
        let Some(line) = lines.get(start) else {
            continue;
        };
        let colon = line.find(':').unwrap_or(line.len());
        let head = line.get(..=colon).unwrap_or(line);
        let rest = line.get(colon + 1..).unwrap_or_default();
        if first.contains(&id) {
            replace.insert(start, (format!("{head} *id{n:03}"), end));
        } else {
            first.push(id);
            let new = if rest.is_empty() {
                format!("{head} &id{n:03}")
            } else {
                format!("{head} &id{n:03}{rest}")
            };
            replace.insert(start, (new, start + 1));
        }
    }
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0usize;
    while let Some(&line) = lines.get(i) {
        match replace.get(&i) {
            Some((new, end)) => {
                out.push(new.clone());
                i = (*end).max(i + 1);
            }
            None => {
                out.push(line.to_owned());
                i += 1;
            }
        }
    }
    out.join("\n")
}

/// `json.dumps(doc, sort_keys=True)`.
pub(crate) fn to_json(doc: &Value) -> Result<String> {
    let mut out = String::new();
    json_value(doc, &mut out)?;
    Ok(out)
}

fn json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        float_repr(f)
    }
}

/// A dict key as `json.dumps` converts it.
fn json_key(k: &Value) -> Result<String> {
    Ok(match k {
        Value::Str(s) => s.clone(),
        Value::Bool(true) => "true".to_owned(),
        Value::Bool(false) => "false".to_owned(),
        Value::None => "null".to_owned(),
        Value::Int(i) => i.clone(),
        Value::Float(f) => json_float(*f),
        other => {
            return Err(Error::Value(format!(
                "keys must be str, int, float, bool or None, not {}",
                other.type_name()
            )));
        }
    })
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::Int(i) => i.parse().ok(),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn json_value(v: &Value, out: &mut String) -> Result<()> {
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => out.push_str(i),
        Value::Float(f) => out.push_str(&json_float(*f)),
        Value::Str(s) => pycompat::json::push_str(out, s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_value(item, out)?;
            }
            out.push(']');
        }
        Value::Dict(items) => {
            let mut items: Vec<&(Value, Value)> = items.iter().collect();
            if items.iter().all(|(k, _)| matches!(k, Value::Str(_))) {
                items.sort_by(|a, b| match (&a.0, &b.0) {
                    (Value::Str(x), Value::Str(y)) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                });
            } else if items.iter().all(|(k, _)| number(k).is_some()) {
                items.sort_by(|a, b| {
                    number(&a.0)
                        .partial_cmp(&number(&b.0))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            } else if items.len() > 1 {
                return Err(Error::Value(
                    "'<' not supported between dict keys of different types".to_owned(),
                ));
            }
            out.push('{');
            for (i, (k, val)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                pycompat::json::push_str(out, &json_key(k)?);
                out.push_str(": ");
                json_value(val, out)?;
            }
            out.push('}');
        }
        Value::Other { repr, .. } => {
            return Err(Error::Value(format!(
                "Object of type {repr} is not JSON serializable"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_like_python() {
        let v = Value::Dict(vec![
            (
                key("b"),
                Value::List(vec![Value::Float(1e-5), Value::Int("3".into())]),
            ),
            (key("a"), Value::Str("é\u{1F600}\"\n\u{7f}".into())),
        ]);
        assert_eq!(
            to_json(&v).ok().as_deref(),
            Some(r#"{"a": "\u00e9\ud83d\ude00\"\n\u007f", "b": [1e-05, 3]}"#)
        );
    }

    #[test]
    fn anchors_back_in() {
        let text = "options:\n  DEFAULT:\n    opts:\n    - advanced: false\n      default:\n      - 4\n      dest: a\n    - advanced: false\n      default:\n      - 4\n      dest: b\n    - advanced: false\n      default: {}\n      sample_default: {}\n";
        let out = with_anchors(
            text,
            &[[Some(0), None], [Some(0), None], [Some(1), Some(1)]],
        );
        assert_eq!(
            out,
            "options:\n  DEFAULT:\n    opts:\n    - advanced: false\n      default: &id001\n      - 4\n      dest: a\n    - advanced: false\n      default: *id001\n      dest: b\n    - advanced: false\n      default: &id002 {}\n      sample_default: *id002\n"
        );
        let scanned = scan_entries(&out).unwrap_or_default();
        assert_eq!(scanned.len(), 3);
        assert_eq!(
            scanned.get(1).and_then(|e| e.tokens[0].clone()).as_deref(),
            Some("id001")
        );
    }
}
