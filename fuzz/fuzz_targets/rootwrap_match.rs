//! The matcher: a fuzzed filter file and a fuzzed command line. Nothing may
//! panic, and a command is only ever allowed by a filter that matches it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oslo_rootwrap::decision::{Outcome, decide_with};
use oslo_rootwrap::filters::MatchEnv;
use oslo_rootwrap::wrapper::{FilterSet, parse_filter_file};

fuzz_target!(|data: &[u8]| {
    // Layout: filter file text, a 0xFF separator, then NUL-separated argv.
    let mut parts = data.splitn(2, |&b| b == 0xFF);
    let filters = parts.next().unwrap_or_default();
    let argv: Vec<Vec<u8>> = parts
        .next()
        .unwrap_or_default()
        .split(|&b| b == 0)
        .map(<[u8]>::to_vec)
        .collect();
    let mut set = FilterSet::default();
    let mut text = b"[Filters]\n".to_vec();
    text.extend_from_slice(filters);
    if parse_filter_file(&text, "fuzz.filters", &mut set).is_err() {
        return;
    }
    let env = MatchEnv { path: Some(b"/bin:/usr/bin".to_vec()) };
    let mut args = argv.clone();
    let outcome = decide_with(&set.filters, &mut args, &[b"/bin".to_vec(), b"/usr/bin".to_vec()], &env);
    if let Outcome::Allowed(a) = outcome {
        // Deny by default: an allowed command came from a named filter that
        // exists in the file.
        assert!(set.filters.iter().any(|f| f.name == a.filter), "allowed by an unknown filter");
        assert!(!argv.is_empty(), "an empty command line was allowed");
        assert!(!a.command.is_empty(), "allowed with nothing to execute");
    }
});
