//! Loading filter directories and matching a command line
//! (`wrapper.load_filters` / `wrapper.match_filter`).

use crate::filters::{Filter, MatchEnv};
use crate::ini::{Ini, IniError};
use crate::pyos::PyCrash;
use crate::trust::{self, Trust, TrustError};
use pycompat::str as pystr;

/// Why the filters could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A filter file the reference would crash on (parse error, missing
    /// `[Filters]`, wrong arity, undecodable text).
    #[error("{file}: {message}")]
    Malformed {
        /// The filter file.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// A filters directory or file failed the ownership checks.
    #[error(transparent)]
    Untrusted(#[from] TrustError),
}

/// The loaded filters plus the warnings the reference logs while loading.
#[derive(Debug, Default)]
pub struct FilterSet {
    /// Filters in load order, the built-in `privsep-helper` last.
    pub filters: Vec<Filter>,
    /// "Skipping unknown filter class" messages.
    pub warnings: Vec<String>,
    /// The definitions those messages are about, in the same order.
    pub skipped: Vec<Skipped>,
    /// The filter files read, in order (for lint and audit).
    pub files: Vec<Vec<u8>>,
}

/// A definition the reference skips because its class is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The filter file.
    pub file: String,
    /// The filter's name.
    pub name: String,
    /// The class named, as written.
    pub class: String,
}

/// Parses one filter file's text into filters (appending to `set`).
pub fn parse_filter_file(bytes: &[u8], file: &str, set: &mut FilterSet) -> Result<(), LoadError> {
    let malformed = |message: String| LoadError::Malformed {
        file: file.to_owned(),
        message,
    };
    let ini = Ini::parse(bytes, file, false).map_err(|e| malformed(e.to_string()))?;
    let items = ini
        .into_items("Filters")
        .map_err(|e: IniError| malformed(e.to_string()))?;
    let source: std::sync::Arc<str> = std::sync::Arc::from(file);
    set.filters.reserve(items.len());
    for (name, value) in items {
        let mut parts = split_commas(&value).map(pystr::py_strip);
        let class = parts.next().unwrap_or_default();
        let mut args: Vec<String> =
            Vec::with_capacity(memchr::memchr_iter(b',', value.as_bytes()).count());
        args.extend(parts.map(str::to_owned));
        if crate::filters::Kind::from_class(class).is_none() {
            set.warnings.push(format!(
                "Skipping unknown filter class ({class}) specified in filter definitions"
            ));
            set.skipped.push(Skipped {
                file: file.to_owned(),
                name: name.into_owned(),
                class: class.to_owned(),
            });
            continue;
        }
        match Filter::from_definition(
            name.into_owned(),
            class,
            args,
            std::sync::Arc::clone(&source),
        ) {
            Ok(Some(filter)) => set.filters.push(filter),
            // The class was known above.
            Ok(None) => {}
            Err(e) => return Err(malformed(e.to_string())),
        }
    }
    Ok(())
}

/// `value.split(",")` (a byte scan: the separator is ASCII).
fn split_commas(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == b',') {
            Some(i) => {
                rest = current.get(i + 1..);
                current.get(..i)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `load_filters(filters_path)`: every non-dot regular file (after following
/// symlinks) of every existing directory, in directory (readdir) order, then
/// the built-in `privsep-helper` filter. Under [`Trust::Verify`] every
/// directory and file is verified on the descriptor it is read from (see
/// [`crate::trust`]).
pub fn load_filters(filters_path: &[Vec<u8>], trust: Trust) -> Result<FilterSet, LoadError> {
    load_filters_with(&mut trust::Reader::new(trust), filters_path)
}

/// [`load_filters`] with a [`trust::Reader`] that may already have verified
/// some of the directories (reading rootwrap.conf, say).
pub fn load_filters_with(
    reader: &mut trust::Reader,
    filters_path: &[Vec<u8>],
) -> Result<FilterSet, LoadError> {
    let mut set = FilterSet::default();
    for dir in filters_path {
        let Some(mut dir) = reader.open_filters_dir(dir)? else {
            continue;
        };
        for name in dir.names()? {
            let Some(file) = dir.read(&name)? else {
                continue;
            };
            let display = pystr::display(&file.path);
            // An unreadable file is skipped by configparser's read(), which
            // leaves no [Filters] section: the reference then crashes.
            parse_filter_file(&file.contents.unwrap_or_default(), &display, &mut set)?;
            set.files.push(file.path);
        }
    }
    if let Ok(Some(privsep)) = Filter::build(
        "privsep-helper",
        "CommandFilter",
        &["privsep-helper".to_owned(), "root".to_owned()],
    ) {
        set.filters.push(privsep);
    }
    Ok(set)
}

/// The outcome of [`match_filter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The filter (index into the list) that allows the command.
    Allowed(usize),
    /// `FilterMatchNotExecutable`: the first filter that matched but whose
    /// executable was not found.
    NotExecutable(usize),
    /// `NoFilterMatched`.
    NoMatch,
}

/// `match_filter(filters, userargs, exec_dirs)`: first match in load order
/// wins; chaining filters re-check their inner command against the
/// non-chaining filters with the same `run_as`. `userargs` may be mutated
/// (EnvFilter). Returns an index into `filters`.
pub fn match_filter(
    filters: &[Filter],
    userargs: &mut Vec<Vec<u8>>,
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> Result<Match, PyCrash> {
    let all: Vec<usize> = (0..filters.len()).collect();
    let installed = |f: &Filter| Ok(f.get_exec(exec_dirs)?.is_some());
    match_among(filters, &all, userargs, env, &installed)
}

/// Whether a filter's executable is there to run (`get_exec` finds it, in
/// the real run).
pub type Installed<'a> = dyn Fn(&Filter) -> Result<bool, PyCrash> + 'a;

/// [`match_filter`] over the filters `candidates` (indices into `filters`,
/// in the order to try them), with `installed` deciding whether a filter's
/// executable is there. The real run passes every filter and `get_exec`;
/// `oslo-rootwrap lint` asks what one filter allows on a host where the
/// executables are installed.
pub fn match_among(
    filters: &[Filter],
    candidates: &[usize],
    userargs: &mut Vec<Vec<u8>>,
    env: &MatchEnv,
    installed: &Installed<'_>,
) -> Result<Match, PyCrash> {
    let mut first_not_executable = None;
    for &i in candidates {
        let Some(f) = filters.get(i) else { continue };
        if !f.matches(userargs, env)? {
            continue;
        }
        if f.kind.is_chaining() {
            let leaves: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&j| {
                    filters
                        .get(j)
                        .is_some_and(|g| g.run_as == f.run_as && !g.kind.is_chaining())
                })
                .collect();
            let mut args = f.exec_args(userargs);
            if args.is_empty() {
                continue;
            }
            if !matches!(
                match_among(filters, &leaves, &mut args, env, installed)?,
                Match::Allowed(_)
            ) {
                continue;
            }
        }
        if !installed(f)? {
            first_not_executable.get_or_insert(i);
            continue;
        }
        return Ok(Match::Allowed(i));
    }
    Ok(first_not_executable.map_or(Match::NoMatch, Match::NotExecutable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> FilterSet {
        let mut s = FilterSet::default();
        if let Err(e) = parse_filter_file(text.as_bytes(), "t.filters", &mut s) {
            panic!("{e}");
        }
        s
    }

    fn argv(s: &[&str]) -> Vec<Vec<u8>> {
        s.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn first_executable_match_wins_and_chains_recheck() -> Result<(), PyCrash> {
        let s = set(
            "[Filters]\nmissing: CommandFilter, /nonexistent/ls, root\nls: CommandFilter, /bin/ls, root\n\
             nice: ChainingRegExpFilter, /usr/bin/nice, root, nice, -n, -?\\d+\n",
        );
        let env = MatchEnv::default();
        assert_eq!(
            match_filter(&s.filters, &mut argv(&["ls"]), &[], &env)?,
            Match::Allowed(1)
        );
        assert_eq!(
            match_filter(
                &s.filters,
                &mut argv(&["nice", "-n", "5", "/tmp/x/ls", "-l"]),
                &[],
                &env
            )?,
            Match::Allowed(2)
        );
        assert_eq!(
            match_filter(&s.filters, &mut argv(&["nice", "-n", "5"]), &[], &env)?,
            Match::NoMatch
        );
        assert_eq!(
            match_filter(&s.filters, &mut argv(&["cat"]), &[], &env)?,
            Match::NoMatch
        );
        let s = set("[Filters]\nmissing: CommandFilter, /nonexistent/ls, root\n");
        assert_eq!(
            match_filter(&s.filters, &mut argv(&["ls"]), &[], &env)?,
            Match::NotExecutable(0)
        );
        Ok(())
    }

    #[test]
    fn malformed_and_unknown() {
        let mut s = FilterSet::default();
        assert!(parse_filter_file(b"", "e", &mut s).is_err());
        assert!(parse_filter_file(b"[Filters]\nx: CommandFilter, ls\n", "e", &mut s).is_err());
        assert!(parse_filter_file(b"[Filters]\nx: Bogus, ls, root\ny:\n", "e", &mut s).is_ok());
        assert_eq!(s.warnings.len(), 2);
        assert_eq!(
            s.skipped.first(),
            Some(&Skipped {
                file: "e".to_owned(),
                name: "x".to_owned(),
                class: "Bogus".to_owned()
            })
        );
    }
}
