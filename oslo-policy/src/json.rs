//! JSON text straight into [`Value`]s, as Python's `json.loads` gives
//! them: exact integers of any size, floats as binary64 (overflow gives
//! `inf`), objects in order with a later duplicate key replacing the value
//! in the first one's place (`d[k] = v`).
//!
//! The same answers as `Value::from_json(&serde_json::from_str(text)?)`
//! (serde_json parses and reports the errors, with its nesting limit), without the
//! intermediate `serde_json::Value` (an `IndexMap` per object, every string
//! copied twice): `oslo-policy eval` reads tens of thousands of cases a
//! second through this.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::value::Value;

/// Parses one JSON document (trailing whitespace only) into a [`Value`].
///
/// # Errors
/// serde_json's error for text that is not one JSON document.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = PyJson.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// How serde_json (with `arbitrary_precision`, which the workspace enables)
/// hands a number to a visitor: a one-entry map under this key, the
/// number's text as the value.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A JSON number's text as `json.loads` reads it.
fn number(text: &str) -> Value {
    Value::int(text).unwrap_or_else(|| Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)))
}

/// The seed (and visitor) that builds a [`Value`].
#[derive(Clone, Copy)]
struct PyJson;

impl<'de> DeserializeSeed<'de> for PyJson {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Dicts up to this size find a duplicate key by a linear search; larger
/// ones index their keys.
const SEARCHED: usize = 32;

impl<'de> Visitor<'de> for PyJson {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i.to_string()))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Int(u.to_string()))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(PyJson)? {
            items.push(v);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Dict(Vec::new()));
        };
        if first == NUMBER_TOKEN {
            let text: String = map.next_value()?;
            return Ok(number(&text));
        }
        let mut items: Vec<(Value, Value)> = Vec::with_capacity(8);
        items.push((Value::Str(first), map.next_value_seed(PyJson)?));
        let mut index: Option<std::collections::HashMap<String, usize>> = None;
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(PyJson)?;
            if items.len() < SEARCHED {
                match items
                    .iter_mut()
                    .find(|(k, _)| matches!(k, Value::Str(s) if *s == key))
                {
                    Some(slot) => slot.1 = value,
                    None => items.push((Value::Str(key), value)),
                }
                continue;
            }
            let index = index.get_or_insert_with(|| {
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (k, _))| match k {
                        Value::Str(s) => Some((s.clone(), i)),
                        _ => None,
                    })
                    .collect()
            });
            match index.get(&key).and_then(|&i| items.get_mut(i)) {
                Some(slot) => slot.1 = value,
                None => {
                    index.insert(key.clone(), items.len());
                    items.push((Value::Str(key), value));
                }
            }
        }
        Ok(Value::Dict(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via_serde_json(text: &str) -> Result<Value, String> {
        serde_json::from_str::<serde_json::Value>(text)
            .map(|v| Value::from_json(&v))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn same_values_and_errors_as_through_serde_json_value() {
        let deep_ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        let deep_bad = format!("{}{}", "[".repeat(129), "]".repeat(129));
        let big_dict = format!(
            "{{{}, \"k3\": \"again\", \"k40\": 0}}",
            (0..60)
                .map(|i| format!("\"k{i}\": {i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let texts = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "12345678901234567890123456789",
            "-12",
            "1.5",
            "1e400",
            "-1e400",
            "1E2",
            "0.1",
            "\"a\\u00e9\\n\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "[1, [2, [3]], {}]",
            "{\"a\": 1, \"b\": 2, \"a\": 3}",
            "{\"$serde_json::private::Number\": \"1\"}",
            "{\"name\": \"x\", \"target\": {\"a.b\": null}, \"creds\": {\"roles\": [\"r\"]}}",
            &big_dict,
            &deep_ok,
            &deep_bad,
            "",
            " ",
            "[1,]",
            "{\"a\" 1}",
            "NaN",
            "Infinity",
            "01",
            "1.",
            "\"\u{1}\"",
            "{} x",
            "{}   ",
            "[1] [2]",
            "\"unterminated",
            "{\"a\": [1, 2}",
        ];
        for text in texts {
            let ours = from_str(text).map_err(|e| e.to_string());
            assert_eq!(ours, via_serde_json(text), "{text:?}");
        }
    }
}
