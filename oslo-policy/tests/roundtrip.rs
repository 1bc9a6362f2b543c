//! Property: a parsed rule printed with `str()` parses back to the same
//! tree (what `oslopolicy-list-redundant` and deprecation comparisons rely
//! on), and parsing never panics, whatever the input.

#![cfg(test)]

use oslo_policy::parser::parse_text;
use proptest::prelude::*;

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("@".to_owned()),
        Just("!".to_owned()),
        "[a-z]{1,6}".prop_map(|r| format!("role:{r}")),
        "[a-z]{1,6}".prop_map(|r| format!("rule:{r}")),
        ("[a-z_]{1,8}", "[a-z0-9%()]{0,8}").prop_map(|(k, m)| format!("{k}:{m}x")),
        Just("project_id:%(project_id)s".to_owned()),
        Just("True:%(enabled)s".to_owned()),
    ]
}

fn rule() -> impl Strategy<Value = String> {
    atom().prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                inner.clone(),
                prop_oneof![Just("and"), Just("or"), Just("AND"), Just("Or")]
            )
                .prop_map(|(a, b, op)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

proptest! {
    #[test]
    fn print_then_parse_is_stable(text in rule()) {
        let first = parse_text(&text).unwrap();
        let printed = first.check.to_string();
        let second = parse_text(&printed).unwrap();
        prop_assert_eq!(&second.check, &first.check, "printed as {}", printed);
        prop_assert_eq!(second.check.to_string(), printed);
    }

    #[test]
    fn anything_parses_or_fails_closed(text in "\\PC{0,64}") {
        let _ = parse_text(&text);
    }
}
