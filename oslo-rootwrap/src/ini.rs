//! Python `configparser.RawConfigParser` reading, as rootwrap uses it.
//!
//! `rust-ini` is not used: it differs from configparser on exactly the points
//! rootwrap's files depend on (continuation lines joined with `\n`, indented
//! comment lines skipped inside values, `[a] x` being section `a`, keys
//! lower-cased with Python's Unicode `str.lower`, `[DEFAULT]` merged first,
//! strict duplicate detection, CR/CRLF universal newlines, errors collected
//! and raised at the end of the file). This is a line-for-line model of
//! CPython 3.11's `RawConfigParser._read` with the default options.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasherDefault;

/// Name of configparser's default section.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// Why configparser rejected a file; names follow the Python exceptions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IniError {
    /// `UnicodeDecodeError` (a `ValueError` in Python).
    #[error(
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x{byte:02x} in position {position}"
    )]
    Decode {
        /// Offending byte.
        byte: u8,
        /// Its offset in the file.
        position: usize,
    },
    /// `MissingSectionHeaderError`.
    #[error("File contains no section headers.\nfile: {file}, line: {line}")]
    MissingSectionHeader {
        /// File name as given.
        file: String,
        /// 1-based line number.
        line: usize,
    },
    /// `ParsingError` (lines that are neither header, option nor continuation).
    #[error("Source contains parsing errors: {file} (lines {lines:?})")]
    Parsing {
        /// File name as given.
        file: String,
        /// 1-based numbers of the offending lines.
        lines: Vec<usize>,
    },
    /// `DuplicateSectionError` (strict mode).
    #[error("While reading from {file} [line {line}]: section {section:?} already exists")]
    DuplicateSection {
        /// File name as given.
        file: String,
        /// 1-based line number.
        line: usize,
        /// Section name.
        section: String,
    },
    /// `DuplicateOptionError` (strict mode).
    #[error(
        "While reading from {file} [line {line}]: option {option:?} in section {section:?} already exists"
    )]
    DuplicateOption {
        /// File name as given.
        file: String,
        /// 1-based line number.
        line: usize,
        /// Section name.
        section: String,
        /// Option name (lower-cased).
        option: String,
    },
    /// `NoSectionError`.
    #[error("No section: {0:?}")]
    NoSection(String),
}

impl IniError {
    /// True for errors Python raises as `ValueError` rather than
    /// `configparser.Error` (this changes rootwrap.conf's error message).
    pub fn is_value_error(&self) -> bool {
        matches!(self, IniError::Decode { .. })
    }
}

/// An ordered option map, as Python's dict keeps insertion order. Names
/// and values borrow the file's text where configparser would not change
/// it (a lower-case name, a value on one line): a filter file of a few
/// hundred definitions is read without a copy of each.
pub type Options<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// A parsed file: the `[DEFAULT]` options and the other sections, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ini<'a> {
    /// Options of `[DEFAULT]`.
    pub defaults: Options<'a>,
    /// Other sections (case-sensitive names), in first-seen order.
    pub sections: Vec<(&'a str, Options<'a>)>,
}

/// FNV-1a, for the indexes of one parse. The keys are names from files
/// root owns (rootwrap.conf, filter files), so the flooding resistance of
/// the standard SipHash buys nothing here, and it costs a few hundred
/// instructions per name.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Index<K> = HashMap<K, usize, BuildHasherDefault<Fnv>>;

/// Options of one section while reading, with continuation lines joined
/// by `\n` as they come.
#[derive(Default)]
struct Section<'a> {
    values: Options<'a>,
}

impl<'a> Section<'a> {
    /// Appends a continuation line (possibly empty) to the value in `slot`.
    fn append(&mut self, slot: usize, line: &str) {
        if let Some((_, v)) = self.values.get_mut(slot) {
            let v = v.to_mut();
            v.push('\n');
            v.push_str(line);
        }
    }

    /// configparser's `_join_multiline_values`: trailing whitespace (and
    /// so trailing empty lines) goes.
    fn finish(self) -> Options<'a> {
        self.values
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Cow::Borrowed(v) => Cow::Borrowed(pycompat::str::py_rstrip(v)),
                    Cow::Owned(mut v) => {
                        let keep = pycompat::str::py_rstrip(&v).len();
                        v.truncate(keep);
                        Cow::Owned(v)
                    }
                };
                (k, v)
            })
            .collect()
    }
}

/// configparser's `optionxform`, `str.lower()`: borrowed when that changes
/// nothing.
fn lower(name: &str) -> Cow<'_, str> {
    if name.is_ascii() {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        }
    } else {
        let lowered = name.to_lowercase();
        if lowered == name {
            Cow::Borrowed(name)
        } else {
            Cow::Owned(lowered)
        }
    }
}

impl<'a> Ini<'a> {
    /// Parses `bytes` like `RawConfigParser(strict=strict).read(file)`.
    pub fn parse(bytes: &'a [u8], file: &str, strict: bool) -> Result<Ini<'a>, IniError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let position = e.valid_up_to();
            IniError::Decode {
                byte: bytes.get(position).copied().unwrap_or(0),
                position,
            }
        })?;
        // Section 0 is [DEFAULT]; the others follow in first-seen order.
        let mut sections: Vec<(&'a str, Section<'a>)> = vec![(DEFAULT_SECTION, Section::default())];
        // configparser's `_sections`. One parser reads one file, so every
        // section in it was added by this read (its `elements_added`).
        let mut by_name: Index<&'a str> = Index::default();
        let mut cursect: Option<usize> = None;
        let mut sectname = "";
        // The option continuation lines append to: (section, slot).
        let mut current: Option<(usize, usize)> = None;
        let mut indent_level = 0usize;
        let mut bad_lines: Vec<usize> = Vec::new();
        // (section, option) → its slot in the section: one index for the
        // file, sized for an option per line.
        let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
        let mut options: Index<(usize, Cow<'a, str>)> =
            Index::with_capacity_and_hasher(lines, BuildHasherDefault::default());

        for (idx, line) in pycompat::str::universal_lines(text).enumerate() {
            let lineno = idx + 1;
            let stripped = pycompat::str::py_strip(line);
            let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
            let value = if is_comment { "" } else { stripped };
            if value.is_empty() {
                // An empty (not comment) line inside a value adds an empty
                // line to it; trailing ones vanish when values are joined.
                if let (false, Some((sect, slot))) = (is_comment, current) {
                    if let Some((_, s)) = sections.get_mut(sect) {
                        s.append(slot, "");
                    }
                }
                continue;
            }
            // Characters (not bytes) of leading whitespace; the prefix is
            // nearly always ASCII.
            let lead = line.len() - pycompat::str::py_lstrip(line).len();
            let cur_indent = match line.get(..lead) {
                Some(p) if p.is_ascii() => p.len(),
                Some(p) => p.chars().count(),
                None => 0,
            };
            if let Some((sect, slot)) = current {
                if cur_indent > indent_level {
                    if let Some((_, s)) = sections.get_mut(sect) {
                        s.append(slot, value);
                    }
                    continue;
                }
            }
            indent_level = cur_indent;
            if let Some(header) = section_header(value) {
                if let Some(&i) = by_name.get(header) {
                    if strict {
                        return Err(IniError::DuplicateSection {
                            file: file.to_owned(),
                            line: lineno,
                            section: header.to_owned(),
                        });
                    }
                    cursect = Some(i);
                } else if header == DEFAULT_SECTION {
                    cursect = Some(0);
                } else {
                    sections.push((header, Section::default()));
                    by_name.insert(header, sections.len() - 1);
                    cursect = Some(sections.len() - 1);
                }
                sectname = header;
                current = None;
                continue;
            }
            let Some(sect) = cursect else {
                return Err(IniError::MissingSectionHeader {
                    file: file.to_owned(),
                    line: lineno,
                });
            };
            let Some((name, val)) = option_line(value) else {
                bad_lines.push(lineno);
                continue;
            };
            if name.is_empty() {
                bad_lines.push(lineno);
            }
            let name = lower(name);
            let empty_name = name.is_empty();
            // configparser's `(section, option) in elements_added`: one
            // read fills fresh sections, so that is the section holding it.
            let slot = match options.entry((sect, name)) {
                Entry::Occupied(seen) => {
                    if strict {
                        return Err(IniError::DuplicateOption {
                            file: file.to_owned(),
                            line: lineno,
                            section: sectname.to_owned(),
                            option: seen.key().1.to_string(),
                        });
                    }
                    // A duplicate keeps its first position.
                    let slot = *seen.get();
                    if let Some((_, v)) = sections
                        .get_mut(sect)
                        .and_then(|(_, s)| s.values.get_mut(slot))
                    {
                        *v = Cow::Borrowed(val);
                    }
                    slot
                }
                Entry::Vacant(new) => {
                    let key = new.key().1.clone();
                    let Some((_, s)) = sections.get_mut(sect) else {
                        continue;
                    };
                    let slot = s.values.len();
                    s.values.push((key, Cow::Borrowed(val)));
                    new.insert(slot);
                    slot
                }
            };
            current = Some((sect, slot));
            if empty_name {
                // configparser tests `optname` for truth: an empty name
                // takes no continuation lines.
                current = None;
            }
        }
        if !bad_lines.is_empty() {
            return Err(IniError::Parsing {
                file: file.to_owned(),
                lines: bad_lines,
            });
        }
        let mut sections = sections.into_iter();
        let defaults = sections.next().map(|(_, s)| s.finish()).unwrap_or_default();
        Ok(Ini {
            defaults,
            sections: sections.map(|(n, s)| (n, s.finish())).collect(),
        })
    }

    /// `items(section)`: the defaults first, then the section's own options
    /// (an option present in both keeps the default's position).
    pub fn items(&self, section: &str) -> Result<Options<'a>, IniError> {
        self.clone().into_items(section)
    }

    /// [`Ini::items`] consuming the parsed file (no copies).
    pub fn into_items(self, section: &str) -> Result<Options<'a>, IniError> {
        if section == DEFAULT_SECTION {
            return Ok(self.defaults);
        }
        let Ini { defaults, sections } = self;
        let opts = sections
            .into_iter()
            .find(|(n, _)| *n == section)
            .map(|(_, o)| o)
            .ok_or_else(|| IniError::NoSection(section.to_owned()))?;
        if defaults.is_empty() {
            return Ok(opts);
        }
        let mut out = defaults;
        for (k, v) in opts {
            if let Some(entry) = out.iter_mut().find(|(ek, _)| *ek == k) {
                entry.1 = v;
            } else {
                out.push((k, v));
            }
        }
        Ok(out)
    }

    /// `get("DEFAULT", name)` (the only section rootwrap.conf is read from).
    pub fn default(&self, name: &str) -> Option<&str> {
        self.defaults
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
    }
}

/// `SECTCRE = r"\[(?P<header>.+)\]"` with `re.match`: the header is
/// everything up to the *last* `]` (greedy), which need not end the line.
fn section_header(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('[')?;
    let first_line = inner.split('\n').next().unwrap_or_default();
    let close = first_line.rfind(']')?;
    let header = first_line.get(..close)?;
    (!header.is_empty()).then_some(header)
}

/// `OPTCRE`: `(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$` — the key is
/// everything before the first `=` or `:`, both sides stripped.
fn option_line(value: &str) -> Option<(&str, &str)> {
    let pos = memchr::memchr2(b'=', b':', value.as_bytes())?;
    let key = value.get(..pos)?;
    let val = value.get(pos + 1..)?;
    Some((pycompat::str::py_rstrip(key), pycompat::str::py_strip(val)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Ini<'_>, IniError> {
        Ini::parse(s.as_bytes(), "f", false)
    }

    fn owned(options: Options<'_>) -> Vec<(String, String)> {
        options
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn continuation_comments_and_case() -> Result<(), IniError> {
        let ini = parse(
            "[Filters]\nKill_X: KillFilter, root,\n  /bin/x\n  # skipped\n\n   , -9\nb = 1 # not a comment\n",
        )?;
        let items = ini.items("Filters")?;
        assert!(matches!(
            items.last(),
            Some((Cow::Borrowed(_), Cow::Borrowed(_)))
        ));
        assert_eq!(
            owned(items),
            vec![
                (
                    "kill_x".to_owned(),
                    "KillFilter, root,\n/bin/x\n\n, -9".to_owned()
                ),
                ("b".to_owned(), "1 # not a comment".to_owned()),
            ]
        );
        Ok(())
    }

    #[test]
    fn defaults_first_and_duplicates() -> Result<(), IniError> {
        let ini = parse("[Filters]\na=1\nb=2\n[DEFAULT]\nb=0\nc=3\n[Filters]\na=9\n")?;
        assert_eq!(
            owned(ini.items("Filters")?),
            vec![
                ("b".to_owned(), "2".to_owned()),
                ("c".to_owned(), "3".to_owned()),
                ("a".to_owned(), "9".to_owned()),
            ]
        );
        assert!(matches!(
            Ini::parse(b"[DEFAULT]\na=1\na=2\n", "f", true),
            Err(IniError::DuplicateOption { .. })
        ));
        assert!(matches!(
            Ini::parse(b"[x]\n[x]\n", "f", true),
            Err(IniError::DuplicateSection { .. })
        ));
        assert!(Ini::parse(b"[DEFAULT]\n[DEFAULT]\n", "f", true).is_ok());
        Ok(())
    }

    #[test]
    fn errors() {
        assert!(matches!(
            parse("a=1\n[x]"),
            Err(IniError::MissingSectionHeader { line: 1, .. })
        ));
        assert!(matches!(parse("[x]\nfoo\n"), Err(IniError::Parsing { .. })));
        assert!(matches!(
            parse("[x]\n=foo\n"),
            Err(IniError::Parsing { .. })
        ));
        assert!(matches!(
            parse("[]\n"),
            Err(IniError::MissingSectionHeader { .. })
        ));
        assert!(matches!(
            Ini::parse(b"[x]\na=\xff\n", "f", false),
            Err(IniError::Decode { byte: 0xff, .. })
        ));
        assert!(matches!(parse(""), Ok(ref i) if i.items("Filters").is_err()));
    }

    #[test]
    fn headers_and_newlines() -> Result<(), IniError> {
        let ini = parse("[a] junk]x\r\nk:v\rz = w\n")?;
        assert_eq!(ini.sections.first().map(|s| s.0), Some("a] junk"));
        assert_eq!(ini.items("a] junk")?.len(), 2);
        Ok(())
    }
}
