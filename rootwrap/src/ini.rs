//! Python `configparser.RawConfigParser` reading, as rootwrap uses it.
//!
//! `rust-ini` is not used: it differs from configparser on exactly the points
//! rootwrap's files depend on (continuation lines joined with `\n`, indented
//! comment lines skipped inside values, `[a] x` being section `a`, keys
//! lower-cased with Python's Unicode `str.lower`, `[DEFAULT]` merged first,
//! strict duplicate detection, CR/CRLF universal newlines, errors collected
//! and raised at the end of the file). This is a line-for-line model of
//! CPython 3.11's `RawConfigParser._read` with the default options.

/// Name of configparser's default section.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// Why configparser rejected a file; names follow the Python exceptions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

/// An ordered option map, as Python's dict keeps insertion order.
pub type Options = Vec<(String, String)>;

/// A parsed file: the `[DEFAULT]` options and the other sections, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ini {
    /// Options of `[DEFAULT]`.
    pub defaults: Options,
    /// Other sections (case-sensitive names), in first-seen order.
    pub sections: Vec<(String, Options)>,
}

/// Options of one section while reading: values are lists of lines until
/// the end of the file, like configparser's.
#[derive(Default)]
struct Section {
    /// Key → slot, built once the section is too long to search.
    index: Option<std::collections::HashMap<String, usize>>,
    /// Values with continuation lines already joined by `\n`.
    values: Vec<(String, String)>,
}

/// Options a section holds before [`Section::set`] indexes them.
const SEARCHED: usize = 64;

impl Section {
    /// The slot of `key`.
    fn find(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.values.iter().position(|(k, _)| k == key),
        }
    }

    /// Sets `key`, whose slot [`Section::find`] gave as `found` (a
    /// duplicate keeps its first position); returns its slot.
    fn set(&mut self, found: Option<usize>, key: String, value: String) -> usize {
        if let Some(i) = found {
            if let Some(slot) = self.values.get_mut(i) {
                slot.1 = value;
            }
            return i;
        }
        let slot = self.values.len();
        match &mut self.index {
            Some(index) => {
                index.insert(key.clone(), slot);
            }
            None if slot >= SEARCHED => {
                let mut index: std::collections::HashMap<String, usize> = self
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect();
                index.insert(key.clone(), slot);
                self.index = Some(index);
            }
            None => {}
        }
        self.values.push((key, value));
        slot
    }

    /// Appends a continuation line (possibly empty) to the value in `slot`.
    fn append(&mut self, slot: usize, line: &str) {
        if let Some((_, v)) = self.values.get_mut(slot) {
            v.push('\n');
            v.push_str(line);
        }
    }

    /// configparser's `_join_multiline_values`.
    fn finish(self) -> Options {
        self.values
            .into_iter()
            .map(|(k, mut v)| {
                let keep = v.trim_end_matches(crate::pystr::is_py_space).len();
                v.truncate(keep);
                (k, v)
            })
            .collect()
    }
}

impl Ini {
    /// Parses `bytes` like `RawConfigParser(strict=strict).read(file)`.
    pub fn parse(bytes: &[u8], file: &str, strict: bool) -> Result<Ini, IniError> {
        use std::collections::HashSet;
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let position = e.valid_up_to();
            IniError::Decode {
                byte: bytes.get(position).copied().unwrap_or(0),
                position,
            }
        })?;
        // Section 0 is [DEFAULT]; the others follow in first-seen order.
        let mut sections: Vec<(String, Section)> =
            vec![(DEFAULT_SECTION.to_owned(), Section::default())];
        let mut by_name: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        let mut added_sections: HashSet<String> = HashSet::new();
        let mut cursect: Option<usize> = None;
        let mut sectname = String::new();
        // The option continuation lines append to: (section, slot).
        let mut current: Option<(usize, usize)> = None;
        let mut indent_level = 0usize;
        let mut bad_lines: Vec<usize> = Vec::new();

        for (idx, line) in universal_lines(text).enumerate() {
            let lineno = idx + 1;
            let stripped = crate::pystr::py_strip(line);
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
            let lead = line.len() - line.trim_start_matches(crate::pystr::is_py_space).len();
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
                    if strict && added_sections.contains(header) {
                        return Err(IniError::DuplicateSection {
                            file: file.to_owned(),
                            line: lineno,
                            section: header.to_owned(),
                        });
                    }
                    cursect = Some(i);
                    added_sections.insert(header.to_owned());
                } else if header == DEFAULT_SECTION {
                    cursect = Some(0);
                } else {
                    sections.push((header.to_owned(), Section::default()));
                    by_name.insert(header.to_owned(), sections.len() - 1);
                    cursect = Some(sections.len() - 1);
                    added_sections.insert(header.to_owned());
                }
                header.clone_into(&mut sectname);
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
            let name = if name.is_ascii() {
                name.to_ascii_lowercase()
            } else {
                name.to_lowercase()
            };
            // configparser's `(section, option) in elements_added`: one
            // read fills fresh sections, so that is the section holding it.
            let found = sections.get(sect).and_then(|(_, s)| s.find(&name));
            if strict && found.is_some() {
                return Err(IniError::DuplicateOption {
                    file: file.to_owned(),
                    line: lineno,
                    section: sectname.clone(),
                    option: name,
                });
            }
            let empty_name = name.is_empty();
            current = sections
                .get_mut(sect)
                .map(|(_, s)| (sect, s.set(found, name, val.to_owned())));
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
    pub fn items(&self, section: &str) -> Result<Options, IniError> {
        let mut out = self.defaults.clone();
        if section == DEFAULT_SECTION {
            return Ok(out);
        }
        let (_, opts) = self
            .sections
            .iter()
            .find(|(n, _)| n == section)
            .ok_or_else(|| IniError::NoSection(section.to_owned()))?;
        for (k, v) in opts {
            if let Some(entry) = out.iter_mut().find(|(ek, _)| ek == k) {
                entry.1.clone_from(v);
            } else {
                out.push((k.clone(), v.clone()));
            }
        }
        Ok(out)
    }

    /// [`Ini::items`] consuming the parsed file (no copies).
    pub fn into_items(self, section: &str) -> Result<Options, IniError> {
        if section == DEFAULT_SECTION {
            return Ok(self.defaults);
        }
        let Ini { defaults, sections } = self;
        let opts = sections
            .into_iter()
            .find(|(n, _)| n == section)
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
            .map(|(_, v)| v.as_str())
    }
}

/// Lines as Python's text mode yields them (`\n`, `\r\n` and `\r` end a
/// line); each keeps no terminator, which configparser strips anyway.
fn universal_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr2(b'\n', b'\r', rest.as_bytes()).unwrap_or(rest.len());
        let line = rest.get(..end).unwrap_or_default();
        let after = rest.get(end..).unwrap_or_default();
        rest = if after.starts_with("\r\n") {
            after.get(2..).unwrap_or_default()
        } else {
            after.get(1..).unwrap_or_default()
        };
        Some(line)
    })
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
    Some((
        key.trim_end_matches(crate::pystr::is_py_space),
        crate::pystr::py_strip(val),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Ini, IniError> {
        Ini::parse(s.as_bytes(), "f", false)
    }

    #[test]
    fn continuation_comments_and_case() -> Result<(), IniError> {
        let ini = parse(
            "[Filters]\nKill_X: KillFilter, root,\n  /bin/x\n  # skipped\n\n   , -9\nb = 1 # not a comment\n",
        )?;
        let items = ini.items("Filters")?;
        assert_eq!(
            items,
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
            ini.items("Filters")?,
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
        assert_eq!(ini.sections.first().map(|s| s.0.as_str()), Some("a] junk"));
        assert_eq!(ini.items("a] junk")?.len(), 2);
        Ok(())
    }
}
