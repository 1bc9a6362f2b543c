//! Code point sets and the character rules of Python 3.11's `sre`: the
//! categories `\d \w \s` (Unicode and ASCII), and what a literal or a set
//! matches under `IGNORECASE`, computed exactly from `_sre`'s own tables
//! ([`super::tables`]).
//!
//! A set is a sorted list of disjoint, non-adjacent inclusive ranges of
//! Python code points (0..=0x10FFFF, surrogates included).

use std::sync::OnceLock;

use super::tables;

/// Inclusive code point ranges, sorted, disjoint and non-adjacent.
pub(super) type Ranges = Vec<(u32, u32)>;

/// The largest code point.
pub(super) const MAX_CP: u32 = 0x10_FFFF;

/// The first code point outside the BMP (sre's `charmap` holds the BMP).
const BMP_END: u32 = 0x1_0000;

/// Sorts and merges arbitrary ranges (empty ones, `lo > hi`, are dropped).
pub(super) fn normalize(mut ranges: Ranges) -> Ranges {
    ranges.retain(|&(lo, hi)| lo <= hi);
    ranges.sort_unstable();
    let mut out: Ranges = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        if let Some(last) = out.last_mut() {
            if lo <= last.1.saturating_add(1) {
                last.1 = last.1.max(hi);
                continue;
            }
        }
        out.push((lo, hi));
    }
    out
}

/// `a ∪ b`.
pub(super) fn union(a: &[(u32, u32)], b: &[(u32, u32)]) -> Ranges {
    normalize(a.iter().chain(b).copied().collect())
}

/// The code points of 0..=[`MAX_CP`] outside `a` (normalized).
pub(super) fn complement(a: &[(u32, u32)]) -> Ranges {
    let mut out = Vec::with_capacity(a.len() + 1);
    let mut next = 0u32;
    let mut done = false;
    for &(lo, hi) in a {
        if lo > next {
            out.push((next, lo - 1));
        }
        if hi >= MAX_CP {
            done = true;
            break;
        }
        next = hi + 1;
    }
    if !done {
        out.push((next, MAX_CP));
    }
    out
}

/// `a ∩ b` (both normalized).
pub(super) fn intersect(a: &[(u32, u32)], b: &[(u32, u32)]) -> Ranges {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(&(alo, ahi)), Some(&(blo, bhi))) = (a.get(i), b.get(j)) {
        let lo = alo.max(blo);
        let hi = ahi.min(bhi);
        if lo <= hi {
            out.push((lo, hi));
        }
        if ahi < bhi {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `a \ b` (both normalized).
pub(super) fn difference(a: &[(u32, u32)], b: &[(u32, u32)]) -> Ranges {
    intersect(a, &complement(b))
}

/// Whether `c` is in the normalized set `a`.
pub(super) fn contains(a: &[(u32, u32)], c: u32) -> bool {
    let i = a.partition_point(|&(_, hi)| hi < c);
    a.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// One code point as a set.
pub(super) fn single(c: u32) -> Ranges {
    vec![(c, c)]
}

/// Python's category escapes (`CATEGORY_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cat {
    /// `\d`.
    Digit,
    /// `\D`.
    NotDigit,
    /// `\s`.
    Space,
    /// `\S`.
    NotSpace,
    /// `\w`.
    Word,
    /// `\W`.
    NotWord,
}

/// The code points a category matches: with Unicode semantics (the
/// `UNICODE` flag, the default for str patterns) or ASCII ones.
pub(super) fn category(cat: Cat, unicode: bool) -> Ranges {
    let (table, negated) = match (cat, unicode) {
        (Cat::Digit, true) => (tables::DIGIT, false),
        (Cat::NotDigit, true) => (tables::DIGIT, true),
        (Cat::Space, true) => (tables::SPACE, false),
        (Cat::NotSpace, true) => (tables::SPACE, true),
        (Cat::Word, true) => (tables::WORD, false),
        (Cat::NotWord, true) => (tables::WORD, true),
        (Cat::Digit, false) => (tables::ASCII_DIGIT, false),
        (Cat::NotDigit, false) => (tables::ASCII_DIGIT, true),
        (Cat::Space, false) => (tables::ASCII_SPACE, false),
        (Cat::NotSpace, false) => (tables::ASCII_SPACE, true),
        (Cat::Word, false) => (tables::ASCII_WORD, false),
        (Cat::NotWord, false) => (tables::ASCII_WORD, true),
    };
    if negated {
        complement(table)
    } else {
        table.to_vec()
    }
}

/// The word characters of `\b` / `\B`.
pub(super) fn word(unicode: bool) -> Ranges {
    category(Cat::Word, unicode)
}

/// A member of a Python set (`[...]`), as `_parser` produces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SetItem {
    /// `NEGATE` (always first).
    Negate,
    /// `LITERAL`.
    Literal(u32),
    /// `RANGE` (`lo <= hi`).
    Range(u32, u32),
    /// `CATEGORY`.
    Category(Cat),
}

/// How characters compare, from the flags of the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    /// No `IGNORECASE`.
    Sensitive,
    /// `IGNORECASE` with Unicode rules (`_sre.unicode_tolower`, `_EXTRA_CASES`).
    Unicode,
    /// `IGNORECASE` under the ASCII flag (`_sre.ascii_tolower`).
    Ascii,
}

/// Why a set cannot be reproduced exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unsupported(pub &'static str);

/// `_sre.unicode_tolower`.
fn lower(c: u32) -> u32 {
    match tables::LOWER.binary_search_by_key(&c, |&(k, _)| k) {
        Ok(i) => tables::LOWER.get(i).map_or(c, |&(_, l)| l),
        Err(_) => c,
    }
}

/// `_sre.unicode_iscased`.
fn is_cased(c: u32) -> bool {
    contains(tables::CASED, c)
}

/// `_EXTRA_CASES.get(c, ())`.
fn extra_cases(c: u32) -> &'static [u32] {
    match tables::EXTRA_CASES.binary_search_by_key(&c, |&(k, _)| k) {
        Ok(i) => tables::EXTRA_CASES.get(i).map_or(&[], |&(_, v)| v),
        Err(_) => &[],
    }
}

/// The code points `unicode_tolower` changes.
fn changed() -> &'static Ranges {
    static CHANGED: OnceLock<Ranges> = OnceLock::new();
    CHANGED.get_or_init(|| normalize(tables::LOWER.iter().map(|&(c, _)| (c, c)).collect()))
}

/// `{lower(c) : c ∈ set}`.
fn lower_image(set: &[(u32, u32)]) -> Ranges {
    let mut out = difference(set, changed());
    out.extend(
        tables::LOWER
            .iter()
            .filter(|&&(c, _)| contains(set, c))
            .map(|&(_, l)| (l, l)),
    );
    normalize(out)
}

/// `{c : lower(c) ∈ set}`: the subject characters that sre's
/// `*_UNI_IGNORE` opcodes accept for a pattern-side set of lowercase values.
fn lower_preimage(set: &[(u32, u32)]) -> Ranges {
    let mut out = difference(set, changed());
    out.extend(
        tables::LOWER
            .iter()
            .filter(|&&(_, l)| contains(set, l))
            .map(|&(c, _)| (c, c)),
    );
    normalize(out)
}

fn is_ascii_letter(c: u32) -> bool {
    (0x41..=0x5a).contains(&c) || (0x61..=0x7a).contains(&c)
}

/// `_sre.ascii_tolower`.
fn ascii_lower(c: u32) -> u32 {
    if (0x41..=0x5a).contains(&c) {
        c + 0x20
    } else {
        c
    }
}

/// `{c : ascii_lower(c) ∈ set}`.
fn ascii_lower_preimage(set: &[(u32, u32)]) -> Ranges {
    let mut out = difference(set, &[(0x41, 0x5a)]);
    for c in 0x41..=0x5a {
        if contains(set, c + 0x20) {
            out.push((c, c));
        }
    }
    normalize(out)
}

/// `{ascii_lower(c) : c ∈ set}`.
fn ascii_lower_image(set: &[(u32, u32)]) -> Ranges {
    let mut out = difference(set, &[(0x41, 0x5a)]);
    for c in 0x41..=0x5a {
        if contains(set, c) {
            out.push((c + 0x20, c + 0x20));
        }
    }
    normalize(out)
}

/// The subject characters a `LITERAL c` matches (`_compiler._compile`).
pub(super) fn literal(c: u32, case: Case) -> Ranges {
    match case {
        Case::Sensitive => single(c),
        Case::Ascii => {
            if is_ascii_letter(c) {
                ascii_lower_preimage(&single(ascii_lower(c)))
            } else {
                single(c)
            }
        }
        Case::Unicode => {
            if !is_cased(c) {
                return single(c);
            }
            // LITERAL_UNI_IGNORE lo, or IN_UNI_IGNORE [lo, *fixes[lo]]:
            // both test lower(ch).
            let lo = lower(c);
            let mut values = single(lo);
            values.extend(extra_cases(lo).iter().map(|&k| (k, k)));
            lower_preimage(&normalize(values))
        }
    }
}

/// The subject characters an `IN` set matches: `_optimize_charset` and the
/// `IN` / `IN_IGNORE` / `IN_UNI_IGNORE` opcodes.
pub(super) fn set(items: &[SetItem], case: Case, unicode: bool) -> Result<Ranges, Unsupported> {
    let negate = items.first() == Some(&SetItem::Negate);
    let plain = |items: &[SetItem]| -> Ranges {
        let mut out = Vec::new();
        for item in items {
            match *item {
                SetItem::Negate => {}
                SetItem::Literal(c) => out.push((c, c)),
                SetItem::Range(lo, hi) => out.push((lo, hi)),
                SetItem::Category(cat) => out.extend(category(cat, unicode)),
            }
        }
        normalize(out)
    };
    let members = match case {
        Case::Sensitive => plain(items),
        Case::Unicode | Case::Ascii => {
            let ascii = case == Case::Ascii;
            // `charmap`: the lowered BMP literals and ranges (plus their
            // extra cases); `tail`: what sre tests as is against lower(ch).
            let mut charmap: Ranges = Vec::new();
            let mut tail: Ranges = Vec::new();
            let mut hascased = false;
            for item in items {
                match *item {
                    SetItem::Negate => {}
                    SetItem::Literal(c) if c < BMP_END => {
                        if ascii {
                            charmap.push((ascii_lower(c), ascii_lower(c)));
                            hascased |= is_ascii_letter(c);
                        } else {
                            let lo = lower(c);
                            charmap.push((lo, lo));
                            charmap.extend(extra_cases(lo).iter().map(|&k| (k, k)));
                            hascased |= is_cased(c);
                        }
                    }
                    SetItem::Literal(c) => {
                        // IndexError in _optimize_charset: kept unlowered.
                        hascased = true;
                        tail.push((c, c));
                    }
                    SetItem::Range(lo, hi) if hi < BMP_END => {
                        let range = [(lo, hi)];
                        if ascii {
                            charmap.extend(ascii_lower_image(&range));
                            hascased |=
                                !intersect(&range, &[(0x41, 0x5a), (0x61, 0x7a)]).is_empty();
                        } else {
                            let image = lower_image(&range);
                            for &(k, vals) in tables::EXTRA_CASES {
                                if contains(&image, k) {
                                    charmap.extend(vals.iter().map(|&v| (v, v)));
                                }
                            }
                            charmap.extend(image);
                            hascased |= !intersect(&range, tables::CASED).is_empty();
                        }
                    }
                    SetItem::Range(..) => {
                        // RANGE_UNI_IGNORE needs sre_upper_unicode.
                        return Err(Unsupported(
                            "a range beyond U+FFFF under IGNORECASE is not supported",
                        ));
                    }
                    SetItem::Category(cat) => tail.extend(category(cat, unicode)),
                }
            }
            if !hascased {
                // Nothing cased: plain IN, and lowering changed nothing.
                plain(items)
            } else {
                let values = union(&charmap, &tail);
                if ascii {
                    ascii_lower_preimage(&values)
                } else {
                    lower_preimage(&values)
                }
            }
        }
    };
    Ok(if negate {
        complement(&members)
    } else {
        members
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_algebra() {
        let a = normalize(vec![(5, 9), (1, 3), (4, 4), (20, 30)]);
        assert_eq!(a, vec![(1, 9), (20, 30)]);
        assert_eq!(complement(&a), vec![(0, 0), (10, 19), (31, MAX_CP)]);
        assert_eq!(complement(&[(0, MAX_CP)]), vec![]);
        assert_eq!(complement(&[]), vec![(0, MAX_CP)]);
        assert_eq!(intersect(&a, &[(8, 21)]), vec![(8, 9), (20, 21)]);
        assert_eq!(difference(&a, &[(2, 25)]), vec![(1, 1), (26, 30)]);
        assert!(contains(&a, 20) && !contains(&a, 10) && !contains(&a, 0));
    }

    #[test]
    fn ignorecase_literals() {
        // k, K and the Kelvin sign; s, S and the long s; i, I, dotless ı and
        // dotted İ (whose lowercase is i).
        assert_eq!(
            literal(u32::from('k'), Case::Unicode),
            vec![(0x4b, 0x4b), (0x6b, 0x6b), (0x212a, 0x212a)]
        );
        assert_eq!(
            literal(0x17f, Case::Unicode),
            vec![(0x53, 0x53), (0x73, 0x73), (0x17f, 0x17f)]
        );
        assert_eq!(
            literal(u32::from('I'), Case::Unicode),
            vec![(0x49, 0x49), (0x69, 0x69), (0x130, 0x131)]
        );
        assert_eq!(
            literal(u32::from('k'), Case::Ascii),
            vec![(0x4b, 0x4b), (0x6b, 0x6b)]
        );
        assert_eq!(literal(0x212a, Case::Ascii), vec![(0x212a, 0x212a)]);
        assert_eq!(literal(u32::from('1'), Case::Unicode), vec![(0x31, 0x31)]);
    }

    #[test]
    fn ignorecase_sets() {
        // A non-BMP literal in a set is compared unlowered with lower(ch).
        let deseret = [SetItem::Literal(0x10400), SetItem::Literal(u32::from('x'))];
        let s = set(&deseret, Case::Unicode, true).unwrap_or_default();
        assert!(!contains(&s, 0x10400) && contains(&s, u32::from('X')));
        let negated = [SetItem::Negate, SetItem::Literal(u32::from('k'))];
        let s = set(&negated, Case::Unicode, true).unwrap_or_default();
        assert!(!contains(&s, 0x212a) && !contains(&s, 0x4b) && contains(&s, 0x6c));
        assert!(set(&[SetItem::Range(0x41, 0x10400)], Case::Unicode, true).is_err());
        let digits = [SetItem::Category(Cat::Digit)];
        assert_eq!(
            set(&digits, Case::Unicode, true),
            Ok(category(Cat::Digit, true))
        );
    }
}
