//! Unit tests of the option types against behaviour checked on the
//! reference (oslo.config 10.7.0, Python 3.11).

use super::*;

fn spec(json: &str) -> Type {
    let j: serde_json::Value = serde_json::from_str(json).unwrap();
    Type::from_spec(&Value::from_json(&j)).unwrap()
}

fn spec_err(json: &str) -> String {
    let j: serde_json::Value = serde_json::from_str(json).unwrap();
    Type::from_spec(&Value::from_json(&j)).unwrap_err().0
}

fn ok(t: &Type, text: &str) -> String {
    t.parse(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .py_repr()
}

fn err(t: &Type, text: &str) -> String {
    match t.parse(text) {
        Ok(v) => panic!("{text:?} gave {}", v.py_repr()),
        Err(e) => e.0,
    }
}

fn conv(t: &Type, v: Value) -> Result<String, String> {
    t.convert(&v).map(|v| v.py_repr()).map_err(|e| e.0)
}

fn int(i: i64) -> Value {
    Value::from(i)
}

#[test]
fn string_checks_in_order() {
    let t = spec(r#"{"kind": "string", "quotes": true, "max_length": 3}"#);
    assert_eq!(ok(&t, "'abc'"), "'abc'");
    assert_eq!(ok(&t, "\"\""), "''");
    assert_eq!(err(&t, "'abc"), "Non-closed quote: 'abc");
    assert_eq!(err(&t, "\""), "Non-closed quote: \"");
    assert_eq!(err(&t, "abcd"), "Value 'abcd' exceeds maximum length 3");
    assert_eq!(ok(&t, " a "), "' a '");

    let t = spec(r#"{"kind": "string", "regex": "^[a-z]+$"}"#);
    assert_eq!(ok(&t, "abc\n"), "'abc\\n'");
    assert_eq!(err(&t, "ABC"), "Value 'ABC' doesn't match regex '^[a-z]+$'");
    let t = spec(r#"{"kind": "string", "regex": "b", "ignore_case": true}"#);
    assert_eq!(ok(&t, "aBc"), "'aBc'");

    let t = spec(r#"{"kind": "string", "choices": [["a", "first"], ["B", null]]}"#);
    assert_eq!(ok(&t, "a"), "'a'");
    assert_eq!(err(&t, "b"), "Valid values are [a, B], but found 'b'");
    let t = spec(r#"{"kind": "string", "choices": ["a", "B"], "ignore_case": true}"#);
    assert_eq!(ok(&t, "b"), "'b'");
    assert_eq!(ok(&t, "A"), "'A'");

    assert_eq!(
        spec_err(r#"{"kind": "string", "choices": ["a"], "regex": "x"}"#),
        "'choices' and 'regex' cannot both be specified"
    );
    assert_eq!(
        spec_err(r#"{"kind": "string", "choices": [1], "ignore_case": true}"#),
        "'int' object has no attribute 'lower'"
    );
    // Empty choices allow nothing (as `choices=[]` does in the reference).
    let t = spec(r#"{"kind": "string", "choices": []}"#);
    assert_eq!(err(&t, "x"), "Valid values are [], but found 'x'");
}

#[test]
fn string_converts_with_str() {
    let t = Type::string();
    assert_eq!(conv(&t, Value::Float(1e16)), Ok("'1e+16'".into()));
    assert_eq!(conv(&t, Value::None), Ok("'None'".into()));
    assert_eq!(conv(&t, Value::Bool(true)), Ok("'True'".into()));
    assert_eq!(conv(&t, Value::from(vec!["a"])), Ok("\"['a']\"".into()));
}

#[test]
fn boolean() {
    let t = Type::Boolean;
    for s in ["true", "TRUE", "1", "On", "yes"] {
        assert_eq!(ok(&t, s), "True");
    }
    for s in ["false", "0", "OFF", "no"] {
        assert_eq!(ok(&t, s), "False");
    }
    assert_eq!(err(&t, " true"), "Unexpected boolean value ' true'");
    assert_eq!(err(&t, "y"), "Unexpected boolean value 'y'");
    assert_eq!(err(&t, ""), "Unexpected boolean value ''");
    assert_eq!(conv(&t, Value::Bool(false)), Ok("False".into()));
    assert_eq!(
        conv(&t, int(1)),
        Err("'int' object has no attribute 'lower'".into())
    );
}

#[test]
fn integer_grammar_and_ranges() {
    let t = Type::integer();
    assert_eq!(ok(&t, " 1_000 "), "1000");
    assert_eq!(ok(&t, "007"), "7");
    assert_eq!(ok(&t, "٣"), "3");
    assert_eq!(ok(&t, "-0"), "0");
    assert_eq!(ok(&t, ""), "None");
    assert_eq!(ok(&t, " \x1c "), "None");
    assert_eq!(
        ok(&t, "123456789012345678901234567890"),
        "123456789012345678901234567890"
    );
    assert_eq!(
        err(&t, "0x10"),
        "invalid literal for int() with base 10: '0x10'"
    );
    assert_eq!(
        err(&t, "1.0"),
        "invalid literal for int() with base 10: '1.0'"
    );

    let t = spec(r#"{"kind": "integer", "min": 1000000, "max": 2000000}"#);
    assert_eq!(err(&t, "5"), "Should be greater than or equal to 1e+06");
    assert_eq!(err(&t, "3000000"), "Should be less than or equal to 2e+06");
    assert_eq!(ok(&t, "1000000"), "1000000");

    let t = spec(r#"{"kind": "integer", "choices": [1, 2]}"#);
    assert_eq!(
        err(&t, "3"),
        "Valid values are OrderedDict([(1, None), (2, None)]), but found 3"
    );
    assert_eq!(
        spec_err(r#"{"kind": "integer", "choices": [[1, "one"], [2, null]], "max": 1}"#),
        "Choices [2] are out of bounds [None..1]"
    );
    let t = spec(r#"{"kind": "integer", "choices": [[1, "one"], [2, null]]}"#);
    assert_eq!(
        err(&t, "9"),
        "Valid values are OrderedDict([(1, 'one'), (2, None)]), but found 9"
    );
    let big = "9".repeat(400);
    assert_eq!(err(&t, &big), "int too large to convert to float");
    assert_eq!(
        spec_err(r#"{"kind": "integer", "min": 2, "max": 1}"#),
        "Max value is less than min value"
    );
}

#[test]
fn integer_converts_python_values() {
    let t = Type::integer();
    assert_eq!(conv(&t, Value::Float(1.5)), Ok("1".into()));
    assert_eq!(conv(&t, Value::Float(-1.5)), Ok("-1".into()));
    assert_eq!(conv(&t, Value::Bool(true)), Ok("True".into()));
    assert_eq!(
        conv(&t, Value::Float(f64::NAN)),
        Err("cannot convert float NaN to integer".into())
    );
    assert_eq!(
        conv(&t, Value::Float(f64::INFINITY)),
        Err("cannot convert float infinity to integer".into())
    );
    assert_eq!(
        conv(&t, Value::from(vec![1i64])),
        Err(
            "int() argument must be a string, a bytes-like object or a real number, not 'list'"
                .into()
        )
    );
    let t = Type::Integer(IntegerType::between(Some(1), None));
    assert_eq!(
        conv(&t, Value::Bool(false)),
        Err("Should be greater than or equal to 1".into())
    );
}

#[test]
fn float() {
    let t = Type::float();
    assert_eq!(ok(&t, " 1.5 "), "1.5");
    assert_eq!(ok(&t, "-Infinity"), "-inf");
    assert_eq!(ok(&t, "nan"), "nan");
    assert_eq!(ok(&t, "1_0.5"), "10.5");
    assert_eq!(ok(&t, ".5"), "0.5");
    assert_eq!(ok(&t, "5."), "5.0");
    assert_eq!(ok(&t, "1e-5"), "1e-05");
    assert_eq!(ok(&t, ""), "None");
    assert_eq!(err(&t, "1._5"), "could not convert string to float: '1._5'");
    assert_eq!(conv(&t, int(60)), Ok("60.0".into()));
    assert_eq!(conv(&t, Value::Bool(true)), Ok("1.0".into()));
    assert_eq!(
        conv(&t, Value::Int(format!("1{}", "0".repeat(400)))),
        Err("int too large to convert to float".into())
    );
    let t = spec(r#"{"kind": "float", "min": 1.5, "max": 2e10}"#);
    assert_eq!(err(&t, "1"), "Should be greater than or equal to 1.5");
    assert_eq!(err(&t, "3e10"), "Should be less than or equal to 2e+10");
    assert_eq!(ok(&t, "nan"), "nan");
}

#[test]
fn port() {
    let t = Type::port();
    assert_eq!(ok(&t, "80"), "80");
    assert_eq!(err(&t, "65536"), "Should be less than or equal to 65535");
    assert_eq!(err(&t, "-1"), "Should be greater than or equal to 0");
    assert_eq!(
        spec_err(r#"{"kind": "port", "min": -1}"#),
        "Min value cannot be less than 0"
    );
    assert_eq!(
        spec_err(r#"{"kind": "port", "max": 70000}"#),
        "Max value cannot be more than 65535"
    );
    assert_eq!(
        spec_err(r#"{"kind": "port", "choices": [80, 70000]}"#),
        "Choices [70000] are out of bounds [0..65535]"
    );
    assert_eq!(t.type_name(), "port value");
}

#[test]
fn lists() {
    let t = Type::list_of(Type::string());
    assert_eq!(ok(&t, " a , b ,,c,,, "), "['a', 'b', '', 'c']");
    assert_eq!(ok(&t, ""), "[]");
    assert_eq!(ok(&t, "[a,b]"), "['[a', 'b]']");
    let t = Type::list_of(Type::integer());
    assert_eq!(ok(&t, "1,,2"), "[1, None, 2]");
    assert_eq!(
        err(&t, "1,x,2"),
        "invalid literal for int() with base 10: 'x,2'"
    );
    let t = spec(r#"{"kind": "list", "bounds": true, "min_length": 2}"#);
    assert_eq!(ok(&t, " [a, b],, "), "['a', 'b']");
    assert_eq!(err(&t, "[a, b] ,"), "Value should end with \"]\"");
    assert_eq!(err(&t, "a]"), "Value should start with \"[\"");
    assert_eq!(err(&t, "[a"), "Value should end with \"]\"");
    assert_eq!(
        err(&t, "[]"),
        "('Length should be greater than or equal to %g', 2)"
    );
    assert_eq!(
        err(&t, "[a]"),
        "('Length should be greater than or equal to %g', 2)"
    );
    // An item the item type refuses is re-joined with the next one.
    let t = spec(r#"{"kind": "list", "item_type": {"kind": "string", "regex": "^\\w+,\\w+$"}}"#);
    assert_eq!(ok(&t, "a,b,c,d"), "['a,b', 'c,d']");
    // Lists pass through the item type.
    let t = Type::list_of(Type::integer());
    assert_eq!(conv(&t, Value::from(vec!["1", " 2 "])), Ok("[1, 2]".into()));
    assert_eq!(
        conv(&t, int(1)),
        Err("'int' object has no attribute 'strip'".into())
    );
}

#[test]
fn dicts() {
    let t = Type::dict_of(Type::string());
    assert_eq!(ok(&t, "a:1, b : 2"), "{'a': '1', 'b': '2'}");
    assert_eq!(ok(&t, "a:b:c"), "{'a': 'b:c'}");
    assert_eq!(ok(&t, ""), "{}");
    assert_eq!(ok(&t, "a,b:1"), "{'a,b': '1'}");
    assert_eq!(
        err(&t, "a:1,b"),
        "Value should be NAME:VALUE pairs separated by \",\""
    );
    assert_eq!(
        err(&t, "a:1,"),
        "Value should be NAME:VALUE pairs separated by \",\""
    );
    assert_eq!(err(&t, ":1"), "Key name should not be empty");
    assert_eq!(err(&t, "a:1,a:2"), "Duplicate key a");
    let t = spec(r#"{"kind": "dict", "key_value_separator": "="}"#);
    assert_eq!(ok(&t, "a=1"), "{'a': '1'}");
    assert_eq!(
        err(&t, "a"),
        "Value should be NAME=VALUE pairs separated by \",\""
    );
    let t = spec(r#"{"kind": "dict", "key_value_separator": ""}"#);
    assert_eq!(err(&t, "a:1"), "empty separator");
    assert_eq!(
        spec_err(r#"{"kind": "dict", "key_value_separator": ","}"#),
        "key_value_separator should not be ','"
    );
    let t = spec(r#"{"kind": "dict", "bounds": true, "value_type": {"kind": "integer"}}"#);
    assert_eq!(ok(&t, "{a:1}"), "{'a': 1}");
    assert_eq!(err(&t, "a:1}"), "Value should start with \"{\"");
    // Dicts pass through unchanged.
    let d = Value::Dict(vec![(Value::str("a"), Value::str("x"))]);
    assert_eq!(t.convert(&d), Ok(d.clone()));
}

#[test]
fn ip_addresses() {
    let t = Type::IpAddress(None);
    assert_eq!(ok(&t, "::ffff:1.2.3.4"), "'::ffff:1.2.3.4'");
    assert_eq!(err(&t, ""), "IP address cannot be an empty string");
    assert_eq!(err(&t, "127.1"), "127.1 is not IPv4 or IPv6 address");
    assert_eq!(err(&t, "1.2.3.4\0"), "embedded null character");
    let t = Type::IpAddress(Some(4));
    assert_eq!(err(&t, "::1"), "::1 is not an IPv4 address");
    let t = Type::IpAddress(Some(6));
    assert_eq!(err(&t, "1.2.3.4"), "1.2.3.4 is not an IPv6 address");
    assert_eq!(
        Type::IpAddress(Some(5)).validate(),
        Err(InvalidValue("5 is not a valid IP version.".into()))
    );
}

#[test]
fn hosts() {
    let t = Type::Hostname;
    assert_eq!(ok(&t, "example.com."), "'example.com'");
    assert_eq!(err(&t, ""), "Cannot have an empty hostname");
    assert_eq!(
        err(&t, "1.2.3.4"),
        "1.2.3.4 contains no non-numeric characters in the top-level domain part of the host \
         name and is invalid"
    );
    assert_eq!(err(&t, "a..b"), "a..b is an invalid hostname");
    assert_eq!(
        conv(&t, int(5)),
        Err("object of type 'int' has no len()".into())
    );
    let t = Type::HostAddress(Some(4));
    assert_eq!(err(&t, "::1"), "::1 is not a valid host address");
    assert_eq!(ok(&t, "1.2.3.4"), "'1.2.3.4'");
    assert_eq!(ok(&t, "host."), "'host'");
    assert_eq!(err(&t, ""), " is not a valid host address");
    let t = Type::HostDomain(None);
    assert_eq!(ok(&t, "foo_bar.example"), "'foo_bar.example'");
    assert_eq!(
        conv(&t, Value::List(vec![])),
        Err("[] is not a valid host address".into())
    );
}

#[test]
fn uris() {
    let t = Type::Uri(UriType::default());
    assert_eq!(ok(&t, "http://a"), "'http://a'");
    assert!(err(&t, "file:///x").starts_with("('host was required but missing'"));
    assert!(err(&t, "mailto:a@b").starts_with("('host was required but missing'"));
    assert_eq!(
        conv(&t, int(1)),
        Err("expected string or bytes-like object, got 'int'".into())
    );
}

#[test]
fn format_defaults_like_the_generator() {
    let s = Type::string();
    assert_eq!(s.format_defaults(&Value::None, None), ["<None>"]);
    assert_eq!(s.format_defaults(&Value::str(" x"), None), ["\" x\""]);
    assert_eq!(
        s.format_defaults(&Value::str("x"), Some(&Value::str(" y"))),
        [" y"]
    );
    assert_eq!(
        Type::Boolean.format_defaults(&Value::Bool(true), None),
        ["true"]
    );
    assert_eq!(
        Type::float().format_defaults(&Value::Float(1e-5), None),
        ["1e-05"]
    );
    assert_eq!(Type::integer().format_defaults(&int(60), None), ["60"]);
    let l = spec(r#"{"kind": "list", "bounds": true, "item_type": {"kind": "boolean"}}"#);
    assert_eq!(
        l.format_defaults(
            &Value::List(vec![Value::Bool(true), Value::Bool(false)]),
            None
        ),
        ["[true,false]"]
    );
    assert_eq!(l.format_defaults(&Value::str("a,b"), None), ["[a,b]"]);
    let d = Type::dict_of(Type::string());
    let v = Value::Dict(vec![
        (Value::str("b"), int(1)),
        (Value::str("a"), Value::Float(2.0)),
    ]);
    assert_eq!(d.format_defaults(&v, None), ["a:2.0,b:1"]);
    let m = Type::MultiString;
    assert_eq!(m.format_defaults(&Value::List(vec![]), None), [""]);
    assert_eq!(
        m.format_defaults(&Value::from(vec!["a", " b"]), None),
        ["a", "\" b\""]
    );
    assert_eq!(m.format_defaults(&Value::str("ab"), None), ["a", "b"]);
    assert!(
        m.format_defaults(&Value::None, Some(&Value::str("")))
            .is_empty()
    );
}

#[test]
fn opt_data_types() {
    let pairs = Value::List(vec![Value::List(vec![Value::str("a"), Value::None])]);
    let t = Type::from_opt_data("string value", &pairs, &Value::None, &Value::None).unwrap();
    assert_eq!(err(&t, "b"), "Valid values are [a], but found 'b'");
    let t = Type::from_opt_data(
        "port value",
        &Value::List(vec![]),
        &Value::None,
        &Value::None,
    )
    .unwrap();
    assert_eq!(err(&t, "70000"), "Should be less than or equal to 65535");
    let t = Type::from_opt_data("integer value", &Value::None, &int(1), &int(5)).unwrap();
    assert_eq!(err(&t, "0"), "Should be greater than or equal to 1");
    let t = Type::from_opt_data("whatever", &Value::None, &Value::None, &Value::None).unwrap();
    assert_eq!(t, Type::string());
    let t =
        Type::from_opt_data("floating point value", &Value::None, &int(1), &Value::None).unwrap();
    assert_eq!(err(&t, "0.5"), "Should be greater than or equal to 1");
    assert!(Type::from_opt_data("integer value", &Value::None, &int(5), &int(1)).is_err());
}

#[test]
fn names() {
    for (t, name) in [
        (Type::string(), "string value"),
        (Type::MultiString, "multi valued"),
        (Type::Boolean, "boolean value"),
        (Type::integer(), "integer value"),
        (Type::float(), "floating point value"),
        (Type::list_of(Type::string()), "list value"),
        (Type::dict_of(Type::string()), "dict value"),
        (Type::IpAddress(None), "IP address value"),
        (Type::Hostname, "hostname value"),
        (Type::HostAddress(None), "host address value"),
        (Type::HostDomain(None), "host domain value"),
        (Type::Uri(UriType::default()), "uri value"),
    ] {
        assert_eq!(t.type_name(), name);
    }
}

#[test]
fn no_panics_on_odd_input() {
    let types = [
        Type::string(),
        spec(r#"{"kind": "string", "quotes": true, "regex": "(a|b)*$"}"#),
        Type::Boolean,
        Type::integer(),
        Type::float(),
        Type::port(),
        spec(r#"{"kind": "list", "bounds": true, "item_type": {"kind": "integer"}}"#),
        spec(r#"{"kind": "dict", "bounds": true, "key_value_separator": "=="}"#),
        Type::IpAddress(None),
        Type::Hostname,
        Type::HostAddress(Some(6)),
        Type::HostDomain(None),
        Type::Uri(UriType::default()),
    ];
    let inputs = [
        "",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\"",
        ",",
        ",,,",
        "é",
        "\u{10ffff}",
        "\0",
        "\n",
        "[é]",
        "{é}",
        "'é",
        "::",
        "%",
        "http://[",
        "a:b:c",
        "=",
        "１２",
        "-",
        "+",
        "_",
        ".",
        "e",
    ];
    let mut rng = oslo_test_support::Rng(7);
    let pieces = [
        "[", "]", "{", "}", "'", "\"", ",", ":", "=", "é", "\0", "\n", "%", "/", "#", "?", "@",
        ".", "_", "-", "1", "a", " ", "::", "\u{130}", "٣", "e", "inf",
    ];
    let random: Vec<String> = (0..2000)
        .map(|_| (0..rng.below(12)).map(|_| rng.pick(&pieces)).collect())
        .collect();
    for t in &types {
        for i in inputs {
            let _ = t.parse(i);
        }
        for i in &random {
            let _ = t.parse(i);
        }
        for v in [
            Value::None,
            Value::Float(f64::NAN),
            Value::Float(-0.0),
            Value::List(vec![Value::None]),
            Value::Dict(vec![(Value::None, Value::None)]),
            Value::Int("-99999999999999999999999".into()),
        ] {
            let _ = t.convert(&v);
            let _ = t.format_defaults(&v, None);
            let _ = t.format_defaults(&Value::None, Some(&v));
        }
    }
}

#[test]
fn exception_classes() {
    let t = Type::integer();
    assert_eq!(
        t.convert_raising(&Value::str("x")).unwrap_err().0,
        ExceptionClass::ValueError
    );
    assert_eq!(
        t.convert_raising(&Value::None).unwrap_err().0,
        ExceptionClass::TypeError
    );
    assert_eq!(
        t.convert_raising(&Value::Float(f64::INFINITY))
            .unwrap_err()
            .0,
        ExceptionClass::OverflowError
    );
    assert_eq!(
        Type::Boolean.convert_raising(&int(1)).unwrap_err().0,
        ExceptionClass::AttributeError
    );
    let bad = Type::String(StringType {
        regex: Some("(".into()),
        ..StringType::default()
    });
    assert_eq!(
        bad.validate_raising().unwrap_err().0,
        ExceptionClass::ReError
    );
    assert_eq!(ExceptionClass::ReError.name(), "error");
    // A non-ValueError is not retried by List: it escapes at once.
    let l = spec(r#"{"kind": "list", "item_type": {"kind": "integer", "choices": [1]}}"#);
    let big = format!("{},1", "9".repeat(400));
    assert_eq!(
        l.convert_raising(&Value::str(big)).unwrap_err(),
        (
            ExceptionClass::OverflowError,
            InvalidValue("int too large to convert to float".into())
        )
    );
}

#[test]
fn mixed_choice_forms_are_tuples() {
    let j = r#"{"kind": "string", "choices": ["Red", ["Green", "g"]], "ignore_case": true}"#;
    assert_eq!(spec_err(j), "'tuple' object has no attribute 'lower'");
    let t = spec(r#"{"kind": "string", "choices": ["Red", ["Green", "g"]]}"#);
    assert_eq!(
        err(&t, "Green"),
        "Valid values are [Red, ('Green', 'g')], but found 'Green'"
    );
    let t = spec(r#"{"kind": "integer", "choices": [1, [2, "two"], [3]]}"#);
    assert_eq!(
        err(&t, "2"),
        "Valid values are OrderedDict([(1, None), ((2, 'two'), None), ((3,), None)]), but found 2"
    );
    assert_eq!(
        spec_err(r#"{"kind": "integer", "choices": [1, [2, "two"]], "min": 0}"#),
        "'>' not supported between instances of 'int' and 'tuple'"
    );
}

#[test]
fn strict_format_defaults() {
    let m = Type::MultiString;
    assert_eq!(
        m.try_format_defaults(&Value::Bool(true), None),
        Err((
            ExceptionClass::TypeError,
            InvalidValue("'bool' object is not iterable".into())
        ))
    );
    assert_eq!(m.format_defaults(&Value::Bool(true), None), ["True"]);
    let d = Type::dict_of(Type::string());
    assert_eq!(
        d.try_format_defaults(&Value::str("a:b"), None),
        Err((
            ExceptionClass::AttributeError,
            InvalidValue("'str' object has no attribute 'items'".into())
        ))
    );
    assert_eq!(d.format_defaults(&Value::str("a:b"), None), ["a:b"]);
    let mixed = Value::Dict(vec![(int(1), int(1)), (Value::str("a"), int(2))]);
    assert_eq!(
        d.try_format_defaults(&mixed, None).unwrap_err().1.0,
        "'<' not supported between instances of 'str' and 'int'"
    );
}
