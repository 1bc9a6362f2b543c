//! Filter files and rootwrap.conf: arbitrary bytes must parse or be refused,
//! never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oslo_rootwrap::config::RootwrapConfig;
use oslo_rootwrap::wrapper::{FilterSet, parse_filter_file};

fuzz_target!(|data: &[u8]| {
    let mut set = FilterSet::default();
    let _ = parse_filter_file(data, "fuzz.filters", &mut set);
    let _ = RootwrapConfig::parse(data, "fuzz.conf", Some(b"/bin:/usr/bin"));
});
