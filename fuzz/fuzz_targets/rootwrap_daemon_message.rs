//! The daemon's input side: frames and the JSON dialect. Arbitrary bytes
//! must decode or be refused, never panic, and whatever decodes must
//! re-encode to something that decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oslo_rootwrap::daemon::json::Value;
use oslo_rootwrap::daemon::{json, wire};

/// Strings with a surrogate that has no byte form are decoded lossily (they
/// are refused when used), so only other values must round-trip exactly.
fn lossless(v: &Value) -> bool {
    match v {
        Value::Str(s) => s.fsencode().is_some(),
        Value::List(items) => items.iter().all(lossless),
        Value::Dict(items) => items.iter().all(|(k, v)| k.fsencode().is_some() && lossless(v)),
        Value::Float(f) => !f.is_nan(),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    // As a stream of frames, with a small limit.
    let mut input = data;
    while let Ok(frame) = wire::read_frame(&mut input, 4096) {
        let _ = json::decode(&frame);
    }
    // As one message.
    if let Ok(v) = json::decode(data) {
        let again = json::encode(&v);
        let back = json::decode(&again).expect("our own encoding decodes");
        if lossless(&v) {
            assert_eq!(back, v);
        }
    }
});
