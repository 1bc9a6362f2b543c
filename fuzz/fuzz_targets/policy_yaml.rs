//! Policy and defaults files: the loader's fast paths (JSON documents,
//! flat `"name": "rule"` mappings, block-style documents such as opt-data
//! and commented `policy.yaml` files) must give exactly what the full
//! PyYAML-compatible loader gives — the same value or the same error —
//! for every input, and neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycompat::yaml::{safe_load, safe_load_yaml};

fuzz_target!(|data: &[u8]| {
    assert_eq!(safe_load(data), safe_load_yaml(data));
});
