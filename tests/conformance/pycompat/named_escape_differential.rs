//! `\N{NAME}` in filter regexes against Python 3.11's own `re`
//! (`oracle/names_oracle.py`): for every name Python accepts we must
//! find the same character, and every name Python refuses must be refused
//! (the filter then denies, as in Python).
//!
//! Names: every character name the `unicode_names2` crate knows outside
//! the computed ranges (its Unicode is newer than Python 3.11's 14.0, so
//! this includes every character added since, which must be refused),
//! samples of CJK ideographs and Hangul syllables, every name alias,
//! lower-case and mangled forms, named sequences and invalid names. A few
//! hundred go through the whole regex translation too. Without CPython
//! 3.11 the test says SKIPPED and passes.
#![cfg(test)]

#[path = "../../../pycompat/src/re/names_table.rs"]
#[allow(dead_code)]
mod names_table;

use pycompat::re::{PyRegex, named_character};

fn names() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cp in 0..=0x10_FFFFu32 {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let Some(name) = unicode_names2::name(c).map(|n| n.to_string()) else {
            continue;
        };
        let computed =
            name.starts_with("CJK UNIFIED IDEOGRAPH-") || name.starts_with("HANGUL SYLLABLE ");
        if computed && cp % 61 != 0 {
            continue;
        }
        if cp % 7 == 0 {
            out.push(name.to_lowercase());
        }
        if cp % 41 == 0 {
            out.push(name.replace(' ', "  "));
            out.push(name.replace(' ', ""));
            out.push(format!("{name} "));
            out.push(name.replace('-', " "));
        }
        out.push(name);
    }
    for (alias, _) in names_table::ALIASES {
        out.push((*alias).to_owned());
        out.push(alias.to_lowercase());
        out.push(format!(" {alias}"));
    }
    out.extend(
        [
            // Aliases Unicode added after 14.0 (Python 3.11 has none of them).
            "LATIN SMALL LETTER SHORT ES",
            // Named sequences: not one character.
            "LATIN CAPITAL LETTER A WITH MACRON AND GRAVE",
            "KEYCAP NUMBER SIGN",
            "TAMIL SYLLABLE KSSA",
            // Computed names at their edges.
            "HANGUL SYLLABLE GA",
            "HANGUL SYLLABLE HIH",
            "HANGUL SYLLABLE ",
            "HANGUL SYLLABLE GAGG",
            "hangul syllable GA",
            "Hangul Syllable Ga",
            "HANGUL SYLLABLE YEOSS",
            "CJK UNIFIED IDEOGRAPH-9FFF",
            "CJK UNIFIED IDEOGRAPH-A000",
            "CJK UNIFIED IDEOGRAPH-2B738",
            "CJK UNIFIED IDEOGRAPH-2B739",
            "CJK UNIFIED IDEOGRAPH-3134A",
            "CJK UNIFIED IDEOGRAPH-3134B",
            "CJK UNIFIED IDEOGRAPH-31350",
            "CJK UNIFIED IDEOGRAPH-004E00",
            "CJK UNIFIED IDEOGRAPH-4E0",
            "CJK UNIFIED IDEOGRAPH-4e00",
            "cjk unified ideograph-4E00",
            "CJK UNIFIED IDEOGRAPH-+4E0",
            "TANGUT IDEOGRAPH-17000",
            "KHITAN SMALL SCRIPT CHARACTER-18B00",
            "NUSHU CHARACTER-1B170",
            "CJK COMPATIBILITY IDEOGRAPH-F900",
            // Not names.
            "x",
            " ",
            "LATIN SMALL LETTER A\0",
            "LATIN SMALL LETTER \u{17f}",
            "LATIN_SMALL_LETTER_A",
            "EM-DASH",
        ]
        .map(str::to_owned),
    );
    out.push("A".repeat(300));
    out.retain(|n| !n.is_empty() && !n.contains('}'));
    out
}

#[test]
fn named_escapes_agree_with_python() {
    let Some(python) = oslo_test_support::reference_python_exact(
        "unicodedata",
        (3, 11),
        "named_escape_differential",
    ) else {
        return;
    };
    let names = names();
    let oracle = oslo_test_support::conformance("pycompat").join("oracle/names_oracle.py");
    let input: Vec<String> = names
        .iter()
        .map(|n| serde_json::to_string(n).unwrap())
        .collect();
    let answers = oslo_test_support::oracle_lines(&python, &oracle, &input);
    let mut failures = Vec::new();
    let mut accepted = 0;
    for (i, (name, answer)) in names.iter().zip(&answers).enumerate() {
        let python: Option<u32> = answer.parse().ok();
        accepted += usize::from(python.is_some());
        let ours = named_character(name);
        if ours != python {
            failures.push(format!("{name:?}: python {answer}, ours {ours:?}"));
        }
        // Every 97th through the whole translation.
        if i % 97 == 0 {
            let re = PyRegex::new(&format!("\\N{{{name}}}"));
            let ok = match (python.and_then(char::from_u32), &re) {
                (Some(c), Ok(re)) => re.full_match(&c.to_string()),
                (None, Err(_)) => true,
                _ => false,
            };
            if !ok {
                failures.push(format!("{name:?}: python {answer}, regex {:?}", re.err()));
            }
        }
    }
    eprintln!(
        "{} names, {accepted} accepted by Python, {} mismatches",
        names.len(),
        failures.len()
    );
    assert!(accepted > 30_000 && names.len() - accepted > 5_000);
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
