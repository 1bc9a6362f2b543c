//! What one parse of the command line and config files produced
//! (`cfg._Namespace`): the parsed files, newest first, and the argparse
//! attributes (command-line values, and values of command-line options
//! found in files).

use std::borrow::Cow;
use std::collections::HashMap;

use pycompat::hash::NameHashBuild;
use std::path::Path;
use std::sync::Arc;

use pycompat::value::Value;

use crate::argparse::Attr;
use crate::error::{Error, Result};
use crate::ini;
use crate::location::{LocationInfo, Locations};

/// `_normalize_group_name`: lowercase unless exactly `DEFAULT`.
pub fn normalize_group(name: &str) -> String {
    if name == "DEFAULT" {
        name.to_owned()
    } else {
        name.to_lowercase()
    }
}

/// [`normalize_group`] without allocating when nothing changes.
#[inline]
fn normalize_group_cow(name: &str) -> Cow<'_, str> {
    // ASCII without capitals (one pass) is the usual case.
    if name
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        || name == "DEFAULT"
        || name
            .chars()
            .all(|c| c.to_lowercase().eq(std::iter::once(c)))
    {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.to_lowercase())
    }
}

/// Values of one key in one file: `(value, line)` per assignment.
pub(crate) type Occurrences = Vec<(String, usize)>;

/// One parsed config file.
#[derive(Debug, Default)]
pub(crate) struct ParsedFile {
    /// Raw section names, in file order.
    pub raw_sections: Vec<String>,
    /// Normalized section → key → occurrences.
    pub normalized: HashMap<String, HashMap<String, Occurrences, NameHashBuild>, NameHashBuild>,
}

impl ParsedFile {
    fn from_document(doc: &ini::Document) -> ParsedFile {
        let mut parsed = ParsedFile::default();
        for section in &doc.sections {
            if !parsed.raw_sections.contains(&section.name) {
                parsed.raw_sections.push(section.name.clone());
            }
            let keys = parsed
                .normalized
                .entry(normalize_group(&section.name))
                .or_default();
            for a in &section.items {
                keys.entry(a.key.clone())
                    .or_default()
                    .push((a.value.clone(), a.lineno));
            }
        }
        parsed
    }
}

/// The parsed files and argparse attributes of one parse.
#[derive(Debug, Default, Clone)]
pub(crate) struct ParsedSources {
    /// Newest first.
    pub parsed: Vec<(String, Arc<ParsedFile>)>,
    /// Raw section name → the last file that had it.
    pub sections_to_file: HashMap<String, String>,
    pub files_not_found: Vec<String>,
    pub files_permission_denied: Vec<String>,
    pub config_dirs: Vec<String>,
    pub attrs: crate::argparse::Attrs,
    /// Read every file leniently, for `check` ([`scan_file`]).
    pub lenient: bool,
    /// What each file read leniently gave, in the order they were read.
    pub scans: Vec<FileScan>,
    /// What [`ParsedSources::value`] gives each registered option (without
    /// the file of a file value's location), looked up once when the parse
    /// ends and when an option is registered later, so that reads do not
    /// look its names up in every file again: per slot (DEFAULT, then the
    /// groups in registration order), per option index. `None`: not
    /// looked up here (the read looks it up itself).
    pub by_opt: Vec<Vec<Option<Option<Found>>>>,
}

/// A value found for an option: raw text(s) or a command-line value.
pub(crate) type Found = (Value, LocationInfo);

/// Decodes a file's bytes as Python's text-mode reading does (UTF-8,
/// incrementally in 8192-byte chunks, so the position in an error is
/// relative to the decoder's buffer, not to the file); `Err` is the
/// `UnicodeDecodeError`.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>> {
    const CHUNK: usize = 8192;
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(bytes.len());
    let mut pending: Vec<u8> = Vec::new();
    let nchunks = bytes.len().div_ceil(CHUNK);
    for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
        let last = i + 1 == nchunks;
        let mut buf = std::mem::take(&mut pending);
        buf.extend_from_slice(chunk);
        match std::str::from_utf8(&buf) {
            Ok(s) => out.push_str(s),
            Err(e) => {
                let at = e.valid_up_to();
                let (good, rest) = buf.split_at(at);
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let first = rest.first().copied().unwrap_or(0);
                match e.error_len() {
                    Some(n) => {
                        let reason = if n == 1 && !matches!(first, 0xc2..=0xf4) {
                            "invalid start byte"
                        } else {
                            "invalid continuation byte"
                        };
                        return Err(decode_error(first, at, n, reason));
                    }
                    None if last => {
                        return Err(decode_error(
                            first,
                            at,
                            rest.len(),
                            "unexpected end of data",
                        ));
                    }
                    None => pending = rest.to_vec(),
                }
            }
        }
    }
    Ok(Cow::Owned(out))
}

fn decode_error(byte: u8, at: usize, n: usize, reason: &str) -> Error {
    let message = if n > 1 {
        format!(
            "'utf-8' codec can't decode bytes in position {at}-{}: {reason}",
            at + n - 1
        )
    } else {
        format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: {reason}")
    };
    Error::Python {
        class: "UnicodeDecodeError",
        message,
    }
}

/// The outcome of reading one config file.
pub(crate) enum Read {
    /// Parsed.
    Parsed(Arc<ParsedFile>),
    /// `ENOENT`: collected, reported after parsing.
    NotFound,
    /// `EACCES`: collected, reported after parsing.
    PermissionDenied,
}

/// Reads and parses one config file (`path` already absolute).
pub(crate) fn read_file(path: &str) -> Result<Read> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return match e.kind() {
                std::io::ErrorKind::NotFound => Ok(Read::NotFound),
                std::io::ErrorKind::PermissionDenied => Ok(Read::PermissionDenied),
                std::io::ErrorKind::IsADirectory => Err(Error::IsADirectory(path.to_owned())),
                _ if Path::new(path).is_dir() => Err(Error::IsADirectory(path.to_owned())),
                _ => Err(Error::Python {
                    class: crate::optdata::io_class(&e),
                    message: format!("{e}: '{path}'"),
                }),
            };
        }
    };
    let text = decode_text(&bytes)?;
    let doc = ini::parse(&text).map_err(|pe| Error::ConfigFileParse {
        file: path.to_owned(),
        message: pe.message(path),
        lineno: pe.lineno,
        reason: pe.reason.clone(),
    })?;
    Ok(Read::Parsed(Arc::new(ParsedFile::from_document(&doc))))
}

/// What reading one config file (or `--config-dir`) for `oslo-config
/// check` found: everything, not just the first problem.
#[derive(Debug, Clone)]
pub(crate) struct FileScan {
    /// The file (or directory), absolute.
    pub path: String,
    /// What could be parsed (`None` if the file could not be read).
    pub document: Option<ini::Document>,
    /// What is wrong with it, in line order.
    pub problems: Vec<FileProblem>,
    /// Lines holding bytes that are not UTF-8 (their assignments are not
    /// judged: the text is not what the operator wrote).
    pub bad_lines: Vec<usize>,
}

/// A problem reading or parsing a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileProblem {
    /// A byte sequence that is not UTF-8: its line, and its 1-based byte
    /// column in that line.
    Undecodable {
        line: usize,
        column: usize,
        bytes: Vec<u8>,
    },
    /// A line the INI parser refuses.
    Syntax(ini::ParseError),
    /// The file does not exist.
    NotFound,
    /// The file cannot be opened (permissions).
    PermissionDenied,
    /// The path is a directory.
    IsADirectory,
    /// A `--config-dir` that does not exist.
    DirNotFound,
    /// Any other I/O error.
    Unreadable(String),
}

/// Reads and parses one config file as far as it can be, for `check`:
/// undecodable bytes are replaced (and reported with their line and
/// column), parse problems are skipped (and reported).
pub(crate) fn scan_file(path: &str) -> (Option<Arc<ParsedFile>>, FileScan) {
    let mut scan = FileScan {
        path: path.to_owned(),
        document: None,
        problems: Vec::new(),
        bad_lines: Vec::new(),
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            scan.problems.push(match e.kind() {
                std::io::ErrorKind::NotFound => FileProblem::NotFound,
                std::io::ErrorKind::PermissionDenied => FileProblem::PermissionDenied,
                std::io::ErrorKind::IsADirectory => FileProblem::IsADirectory,
                _ if Path::new(path).is_dir() => FileProblem::IsADirectory,
                _ => FileProblem::Unreadable(e.to_string()),
            });
            return (None, scan);
        }
    };
    for (line, column, bad) in undecodable(&bytes) {
        if scan.bad_lines.last() != Some(&line) {
            scan.bad_lines.push(line);
        }
        scan.problems.push(FileProblem::Undecodable {
            line,
            column,
            bytes: bad,
        });
    }
    let text = String::from_utf8_lossy(&bytes);
    let (doc, syntax) = ini::parse_tolerant(&text);
    scan.problems
        .extend(syntax.into_iter().map(FileProblem::Syntax));
    let parsed = Arc::new(ParsedFile::from_document(&doc));
    scan.document = Some(doc);
    (Some(parsed), scan)
}

/// Every byte sequence of `bytes` that is not UTF-8: its line (lines end
/// as Python's universal newlines end them), its 1-based byte column in
/// that line, and the bytes.
fn undecodable(bytes: &[u8]) -> Vec<(usize, usize, Vec<u8>)> {
    // Where each line starts.
    let mut starts = vec![0usize];
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b == b'\r' && bytes.get(i) == Some(&b'\n') {
            i += 1;
        }
        if b == b'\n' || b == b'\r' {
            starts.push(i);
        }
    }
    let mut out: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    let mut pos = 0usize;
    for chunk in bytes.utf8_chunks() {
        pos += chunk.valid().len();
        let bad = chunk.invalid();
        if bad.is_empty() {
            continue;
        }
        let line = starts.partition_point(|&s| s <= pos);
        let start = starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or_default();
        let column = pos - start + 1;
        match out.last_mut() {
            // Right after the previous bad bytes: one run.
            Some((l, c, run)) if *l == line && *c + run.len() == column => {
                run.extend_from_slice(bad);
            }
            _ => out.push((line, column, bad.to_vec())),
        }
        pos += bad.len();
    }
    out
}

/// `sorted(glob.glob(os.path.join(dir, '*.conf')))`: the directory part
/// is a pattern too (`d[1]` matches `d1`), dotfiles are skipped, the
/// result is in code-point order of the full path.
pub(crate) fn conf_files_in(dir: &str) -> Vec<String> {
    let pattern = if dir.is_empty() || dir.ends_with('/') {
        format!("{dir}*.conf")
    } else {
        format!("{dir}/*.conf")
    };
    let mut found = glob(&pattern);
    found.sort();
    found
}

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Python's `glob.glob` (no `**`, no hidden names for patterns that do
/// not start with `.`); `dirs_only` for the directory part of a pattern.
fn glob(pattern: &str) -> Vec<String> {
    glob_in(pattern, false)
}

fn glob_in(pattern: &str, dirs_only: bool) -> Vec<String> {
    let (dirname, basename) = match pattern.rfind('/') {
        Some(i) => (
            pattern.get(..i).unwrap_or_default(),
            pattern.get(i + 1..).unwrap_or_default(),
        ),
        None => ("", pattern),
    };
    // `os.path.split` keeps the leading slash of the root directory.
    let dirname = if dirname.is_empty() && pattern.starts_with('/') {
        "/"
    } else {
        dirname
    };
    let parents: Vec<String> = if dirname.is_empty() {
        vec![String::new()]
    } else if has_magic(dirname) && dirname != pattern {
        glob_in(dirname, true)
    } else {
        vec![dirname.to_owned()]
    };
    let mut out = Vec::new();
    for p in parents {
        let names = if has_magic(basename) || !dirs_only {
            glob1(&p, basename, dirs_only)
        } else {
            // A literal directory component only has to exist.
            let full = if p.is_empty() {
                basename.to_owned()
            } else {
                format!("{}/{basename}", p.trim_end_matches('/'))
            };
            if basename.is_empty() || Path::new(&full).is_dir() {
                vec![basename.to_owned()]
            } else {
                Vec::new()
            }
        };
        for n in names {
            out.push(if p.is_empty() {
                n
            } else if p.ends_with('/') {
                format!("{p}{n}")
            } else {
                format!("{p}/{n}")
            });
        }
    }
    out
}

/// Names in `dir` matching `pattern` (`fnmatch`), hidden ones only for
/// patterns starting with `.`; only directories if `dirs_only`.
fn glob1(dir: &str, pattern: &str, dirs_only: bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(if dir.is_empty() { "." } else { dir }) else {
        return Vec::new();
    };
    let pat: Vec<char> = pattern.chars().collect();
    entries
        .filter_map(|e| e.ok())
        .filter(|e| !dirs_only || e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| pattern.starts_with('.') || !n.starts_with('.'))
        .filter(|n| fnmatch(&n.chars().collect::<Vec<char>>(), &pat))
        .collect()
}

/// `fnmatch.fnmatchcase`: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[`
/// is literal.
fn fnmatch(name: &[char], pat: &[char]) -> bool {
    // Iterative with backtracking over the last `*`.
    let (mut n, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let step = match pat.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(pat, p) {
                Some((end, negate, set)) => {
                    let c = name.get(n).copied().unwrap_or_default();
                    let hit = set.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                    if hit != negate {
                        p = end;
                        n += 1;
                        continue;
                    }
                    None
                }
                None => (name.get(n) == Some(&'[')).then_some(1),
            },
            Some(c) => (name.get(n) == Some(c)).then_some(1),
            None => None,
        };
        match step {
            Some(k) => {
                p += k;
                n += 1;
            }
            None => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pat.iter().skip(p).all(|&c| c == '*')
}

/// The character class starting at `pat[start] == '['`: the index after
/// its `]`, whether it is negated, and its ranges.
#[allow(clippy::type_complexity)]
fn class(pat: &[char], start: usize) -> Option<(usize, bool, Vec<(char, char)>)> {
    let mut i = start + 1;
    let negate = matches!(pat.get(i), Some('!'));
    if negate {
        i += 1;
    }
    let first = i;
    let mut set = Vec::new();
    loop {
        let c = *pat.get(i)?;
        if c == ']' && i > first {
            return Some((i + 1, negate, set));
        }
        if pat.get(i + 1) == Some(&'-') && pat.get(i + 2).is_some_and(|&h| h != ']') {
            let hi = *pat.get(i + 2)?;
            if c <= hi {
                set.push((c, hi));
            }
            i += 3;
        } else {
            set.push((c, c));
            i += 1;
        }
    }
}

impl ParsedSources {
    /// `_add_parsed_config_file`.
    pub fn add_parsed(&mut self, path: &str, file: Arc<ParsedFile>) {
        for s in &file.raw_sections {
            self.sections_to_file.insert(s.clone(), path.to_owned());
        }
        self.parsed.insert(0, (path.to_owned(), file));
    }

    /// `_get_file_value` (normalized): the newest file with any of `names`
    /// wins for single values; multi values collect every file, oldest
    /// first (and, inside a file, later names first). Joined: a list of
    /// strings for multi values, the string otherwise.
    fn file_value(
        &self,
        names: &[(Cow<'_, str>, &str)],
        multi: bool,
        want_loc: bool,
    ) -> Option<Found> {
        let mut collected: Vec<Value> = Vec::new();
        let mut loc: Option<LocationInfo> = None;
        for (path, file) in &self.parsed {
            for (section, name) in names {
                let Some(occ) = file
                    .normalized
                    .get(section.as_ref())
                    .and_then(|s| s.get(*name))
                else {
                    continue;
                };
                if loc.is_none() && !want_loc {
                    loc = Some(LocationInfo::new(Locations::User, String::new()));
                }
                if loc.is_none() {
                    let detail = self
                        .sections_to_file
                        .get(section.as_ref())
                        .cloned()
                        .unwrap_or_default();
                    loc = Some(LocationInfo {
                        location: Locations::User,
                        detail,
                        value_at: occ.last().map(|o| (path.clone(), o.1)),
                    });
                }
                if multi {
                    let mut v: Vec<Value> = occ.iter().map(|o| Value::Str(o.0.clone())).collect();
                    v.append(&mut collected);
                    collected = v;
                } else {
                    // Only the last assignment counts.
                    let last = occ.last().map(|o| o.0.clone()).unwrap_or_default();
                    return loc.map(|l| (Value::Str(last), l));
                }
            }
        }
        if multi && !collected.is_empty() {
            return loc.map(|l| (Value::List(collected), l));
        }
        None
    }

    /// The argparse attribute `group_name` (or `name`), without building
    /// the key when there are few attributes.
    fn attr(&self, group: Option<&str>, name: &str) -> Option<&Attr> {
        let Some(g) = group else {
            return self.attrs.get(name);
        };
        if self.attrs.len() > 32 {
            return self.attrs.get(&format!("{g}_{name}"));
        }
        self.attrs.iter().find_map(|(k, v)| {
            let rest = k.strip_prefix(g)?.strip_prefix('_')?;
            (rest == name).then_some(v)
        })
    }

    /// `_get_cli_value`.
    pub fn cli_value(&self, names: &[(Option<&str>, &str)], positional: bool) -> Option<Value> {
        for (group, name) in names {
            let value = match self.attr(*group, name) {
                None | Some(Attr::None) => continue,
                Some(Attr::Str(s)) => {
                    if positional && s.is_empty() {
                        continue;
                    }
                    Value::Str(s.clone())
                }
                Some(Attr::Bool(b)) => {
                    if positional && !b {
                        continue;
                    }
                    Value::Bool(*b)
                }
                Some(Attr::List(items)) => {
                    if positional && items.is_empty() {
                        continue;
                    }
                    Value::List(items.iter().map(|s| Value::Str(s.clone())).collect())
                }
            };
            return Some(value);
        }
        None
    }

    /// `_Namespace._get_value`: file first (for the location), then the
    /// command-line attribute, which wins if set.
    pub fn value(
        &self,
        names: &[(Option<&str>, &str)],
        multi: bool,
        positional: bool,
        want_loc: bool,
    ) -> Option<Found> {
        let file = self.files_value(names, multi, want_loc);
        if let Some(v) = self.cli_value(names, positional) {
            let loc = file
                .map(|f| f.1)
                .unwrap_or_else(|| LocationInfo::new(Locations::CommandLine, ""));
            return Some((v, loc));
        }
        file
    }

    /// The value the files alone give (what [`ParsedSources::value`] gives
    /// without the command line).
    pub fn file_found(&self, names: &[(Option<&str>, &str)], multi: bool) -> Option<Found> {
        self.files_value(names, multi, true)
    }

    fn files_value(
        &self,
        names: &[(Option<&str>, &str)],
        multi: bool,
        want_loc: bool,
    ) -> Option<Found> {
        if self.parsed.is_empty() {
            return None;
        }
        fn key<'a>(&(g, n): &(Option<&'a str>, &'a str)) -> (Cow<'a, str>, &'a str) {
            (normalize_group_cow(g.unwrap_or("DEFAULT")), n)
        }
        // One name (no deprecated ones): no list to build.
        if let [one] = names {
            return self.file_value(&[key(one)], multi, want_loc);
        }
        let file_names: Vec<(Cow<'_, str>, &str)> = names.iter().map(key).collect();
        self.file_value(&file_names, multi, want_loc)
    }

    /// What [`ParsedSources::by_opt`] holds for option `opt` of slot `slot`:
    /// `None` if it was not looked up.
    pub fn indexed(&self, slot: usize, opt: usize) -> Option<Option<&Found>> {
        self.by_opt
            .get(slot)?
            .get(opt)?
            .as_ref()
            .map(Option::as_ref)
    }

    /// Records what option `opt` of slot `slot` gets from this parse.
    pub fn set_indexed(&mut self, slot: usize, opt: usize, found: Option<Found>) {
        if self.by_opt.len() <= slot {
            self.by_opt.resize_with(slot + 1, Vec::new);
        }
        if let Some(opts) = self.by_opt.get_mut(slot) {
            if opts.len() <= opt {
                opts.resize_with(opt + 1, || None);
            }
            if let Some(cell) = opts.get_mut(opt) {
                *cell = Some(found);
            }
        }
    }

    /// Every raw section name of every parsed file.
    pub fn sections(&self) -> impl Iterator<Item = &String> {
        self.parsed.iter().flat_map(|(_, f)| f.raw_sections.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_like_python() {
        let m = |n: &str, p: &str| {
            fnmatch(
                &n.chars().collect::<Vec<_>>(),
                &p.chars().collect::<Vec<_>>(),
            )
        };
        assert!(m("a.conf", "*.conf"));
        assert!(!m("a.conf.bak", "*.conf"));
        assert!(m("d1", "d[1]"));
        assert!(!m("d[1]", "d[1]"));
        assert!(m("d[", "d["));
        assert!(m("x", "[!a-c]"));
        assert!(!m("b", "[!a-c]"));
        assert!(m("]", "[]]"));
        assert!(m("ab", "a?"));
    }
}
