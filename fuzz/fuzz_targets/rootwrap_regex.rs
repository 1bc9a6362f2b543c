//! The Python `re` translator: any pattern and subject, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycompat::re::PyRegex;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pattern, subject) = text.split_once('\u{0}').unwrap_or((&text, "x"));
    if let Ok(re) = PyRegex::new(pattern) {
        let _ = re.full_match(subject);
    }
});
