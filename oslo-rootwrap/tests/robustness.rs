//! Bad input never panics and never allows by accident (the same properties
//! the cargo-fuzz targets in `fuzz/` check, run here on every `cargo test`).

use oslo_rootwrap::decision::{Outcome, decide_with};
use oslo_rootwrap::filters::MatchEnv;
use oslo_rootwrap::wrapper::{FilterSet, parse_filter_file};
use proptest::prelude::*;
use pycompat::re::PyRegex;

fn env() -> MatchEnv {
    MatchEnv {
        path: Some(b"/bin:/usr/bin".to_vec()),
    }
}

/// Filter-file-like text: mostly valid lines of every class with noise.
fn filter_line() -> impl Strategy<Value = String> {
    let class = prop::sample::select(vec![
        "CommandFilter",
        "RegExpFilter",
        "PathFilter",
        "KillFilter",
        "ReadFileFilter",
        "IpFilter",
        "EnvFilter",
        "ChainingFilter",
        "IpNetnsExecFilter",
        "ChainingRegExpFilter",
        "Bogus",
        "",
    ]);
    let arg = prop::sample::select(vec![
        "ls",
        "/bin/ls",
        "root",
        "nobody",
        "env",
        "A=",
        "B=x",
        ".*",
        "(?!x)",
        "a|b",
        "\\d+",
        "[",
        "pass",
        "/tmp",
        "-9",
        "",
        "ip",
        "cat",
        "/etc/hosts",
        "(((",
        "\\",
        "é",
        "kill",
    ]);
    (
        "[a-zA-Z_]{1,6}",
        class,
        prop::collection::vec(arg, 0..6),
        prop::sample::select(vec![":", "=", " : ", ""]),
    )
        .prop_map(|(name, class, args, sep)| {
            let mut line = format!("{name}{sep}{class}");
            for a in args {
                line.push_str(", ");
                line.push_str(a);
            }
            line
        })
}

fn argv() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let word = prop_oneof![
        prop::sample::select(vec![
            "ls",
            "/bin/ls",
            "env",
            "A=1",
            "B=",
            "kill",
            "-9",
            "1",
            "ip",
            "netns",
            "exec",
            "ns",
            "cat",
            "/etc/hosts",
            "x\n",
            "",
            "/tmp/../etc",
            "a",
            "b",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>().prop_filter("no NUL in argv", |b| *b != 0), 0..8),
    ];
    prop::collection::vec(word, 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut set = FilterSet::default();
        let _ = parse_filter_file(&data, "f", &mut set);
        let _ = oslo_rootwrap::config::RootwrapConfig::parse(&data, "c", None);
    }

    #[test]
    fn matching_never_panics_and_denies_empty(lines in prop::collection::vec(filter_line(), 0..8), args in argv()) {
        let mut set = FilterSet::default();
        let text = format!("[Filters]\n{}\n", lines.join("\n"));
        if parse_filter_file(text.as_bytes(), "f", &mut set).is_ok() {
            let mut userargs = args.clone();
            let outcome = decide_with(&set.filters, &mut userargs, &[b"/bin".to_vec(), b"/usr/bin".to_vec()], &env());
            if let Outcome::Allowed(a) = &outcome {
                prop_assert!(!args.is_empty(), "empty argv allowed");
                prop_assert!(set.filters.iter().any(|f| f.name == a.filter));
                prop_assert!(!a.command.is_empty());
            }
        }
    }

    #[test]
    fn regex_translation_never_panics(pattern in "[a-z()|*+?{}\\[\\]^$.\\\\0-9!=<>:#-]{0,24}", subject in "[a-z\n0-9.]{0,12}") {
        if let Ok(re) = PyRegex::new(&pattern) {
            let _ = re.full_match(&subject);
        }
    }
}

#[test]
fn deeply_nested_patterns_do_not_overflow() {
    for depth in [100usize, 10_000, 100_000] {
        let pattern = format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
        if let Ok(re) = PyRegex::new(&pattern) {
            assert!(re.full_match("a"));
        }
        let unbalanced = "(".repeat(depth);
        assert!(PyRegex::new(&unbalanced).is_err());
    }
}

#[test]
fn huge_filter_file_is_fine() {
    let mut text = String::from("[Filters]\n");
    for i in 0..20_000 {
        text.push_str(&format!("f{i}: CommandFilter, /bin/cmd{i}, root\n"));
    }
    text.push_str("cont: RegExpFilter, x, root,\n");
    for _ in 0..10_000 {
        text.push_str("  x,\n");
    }
    let mut set = FilterSet::default();
    assert!(parse_filter_file(text.as_bytes(), "big", &mut set).is_ok());
    assert_eq!(set.filters.len(), 20_001);
    let mut args = vec![b"nothing".to_vec()];
    let outcome = decide_with(&set.filters, &mut args, &[], &env());
    assert!(matches!(outcome, Outcome::Unauthorized { .. }));
}
