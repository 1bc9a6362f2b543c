//! oslo.config's INI dialect: `oslo_config::ini::parse` must never panic,
//! must report errors on a real line, must give sections, keys and values
//! of the shapes the dialect allows, and what it parses must survive being
//! written out again and re-parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oslo_config::ini::{self, Document, NO_SECTION};
use pycompat::str::is_py_space;

fn stripped(s: &str) -> bool {
    !s.starts_with(is_py_space) && !s.ends_with(is_py_space)
}

/// The document as text that must parse back to the same sections, keys
/// and values: keys behind a no-break space (stripped, yet not a
/// continuation), first-line values in one pair of quotes.
fn render(doc: &Document) -> String {
    let mut out = String::new();
    for section in &doc.sections {
        out.push('[');
        out.push_str(&section.name);
        out.push_str("]\n");
        for item in &section.items {
            let mut lines = item.value.split('\n');
            out.push('\u{a0}');
            out.push_str(&item.key);
            out.push_str(" = \"");
            out.push_str(lines.next().unwrap_or_default());
            out.push_str("\"\n");
            for more in lines {
                out.push_str("  ");
                out.push_str(more);
                out.push('\n');
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let nlines = pycompat::str::universal_lines(&text).count();
    match ini::parse(&text) {
        Err(e) => {
            assert!(e.lineno >= 1 && e.lineno <= nlines, "{e:?} of {nlines}");
            assert_eq!(e.line.is_empty(), e.reason == NO_SECTION, "{e:?}");
            assert!(!e.line.contains(['\n', '\r']) && !e.line.ends_with(is_py_space));
            let _ = e.message("f");
        }
        Ok(doc) => {
            let mut last = 0;
            for section in &doc.sections {
                assert!(!section.name.is_empty() && !section.name.contains(['\n', '\r']));
                assert!(section.lineno > last && section.lineno <= nlines);
                last = section.lineno;
                for item in &section.items {
                    assert!(item.lineno > last && item.lineno <= nlines);
                    last = item.lineno;
                    assert!(!item.key.is_empty() && stripped(&item.key));
                    assert!(!item.key.contains(['=', ':', '\n', '\r']));
                    let mut lines = item.value.split('\n');
                    assert!(!lines.next().unwrap_or_default().contains('\r'));
                    for more in lines {
                        assert!(!more.is_empty() && stripped(more) && !more.contains('\r'));
                    }
                }
            }
            let again = ini::parse(&render(&doc)).map(|d| {
                d.sections
                    .into_iter()
                    .map(|s| {
                        let items: Vec<_> = s.items.into_iter().map(|a| (a.key, a.value)).collect();
                        (s.name, items)
                    })
                    .collect::<Vec<_>>()
            });
            let want: Vec<_> = doc
                .sections
                .iter()
                .map(|s| {
                    let items: Vec<_> = s
                        .items
                        .iter()
                        .map(|a| (a.key.clone(), a.value.clone()))
                        .collect();
                    (s.name.clone(), items)
                })
                .collect();
            assert_eq!(again, Ok(want));
        }
    }
});
