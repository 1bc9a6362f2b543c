//! What our own tools tell operators (`oslo-config explain` and `check`,
//! services built on the crate): every problem as one line naming where it
//! is — `FILE:LINE[:COLUMN]`, the environment variable, the command line —
//! which option, and what is wrong in operator words, never a Python
//! exception's repr. `oslo-config dump`, `oslo-config-generator` and
//! `oslo-config-validator` keep the reference's texts (`Error`'s
//! `Display`); this module is the one place errors become operator
//! messages ([`describe`]).
//!
//! It is also the one place values of `secret` options are masked
//! ([`Secrets::show`]): `log_opt_values`, `explain`, the messages here and
//! the library's own logs show `****` for them unless the caller asked
//! for secrets ([`Secrets::Shown`], `--show-secrets`).

use std::fmt;

use pycompat::value::Value;

use crate::error::{BadValue, Error};
use crate::ini;
use crate::location::{LocationInfo, Locations};
use crate::parsed::FileProblem;
use crate::types::{FloatType, IntegerType, Type};

/// What a secret value is shown as (as `log_opt_values` shows it).
pub const MASK: &str = "****";

/// Whether values of `secret` options may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
// Not `#[non_exhaustive]`: a yes/no choice, which callers should match
// exhaustively.
pub enum Secrets {
    /// Shown as [`MASK`] (the default everywhere).
    #[default]
    Masked,
    /// Shown as they are (`--show-secrets`).
    Shown,
}

impl Secrets {
    /// The masking rule, the only one: `render()` of a value, or [`MASK`]
    /// if the option is secret and secrets are masked.
    pub fn show(self, secret: bool, render: impl FnOnce() -> String) -> String {
        if secret && self == Secrets::Masked {
            MASK.to_owned()
        } else {
            render()
        }
    }

    /// True if values of secret options are hidden.
    pub fn masked(self) -> bool {
        self == Secrets::Masked
    }
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// The service would fail, or would not do what the file says.
    Error,
    /// Works today, but should be changed (deprecated names, a key set
    /// twice…).
    Warning,
}

impl Severity {
    /// `error` / `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What kind of problem it is (stable names, for `--format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A line the INI parser refuses.
    Syntax,
    /// Bytes that are not UTF-8.
    Encoding,
    /// A section that names no group.
    UnknownGroup,
    /// A key that names no option.
    UnknownOption,
    /// A deprecated name or group, or an option deprecated for removal.
    Deprecated,
    /// A key set more than once where only one value counts.
    Duplicate,
    /// A value the option's type refuses.
    InvalidValue,
    /// A `$reference` that cannot be resolved.
    Interpolation,
    /// A required option without a value.
    Required,
    /// A config file or directory that cannot be read.
    Unreadable,
    /// A command line the tool refuses.
    CommandLine,
    /// An option definition (code or opt-data) that is wrong.
    Definition,
    /// Anything else.
    Other,
}

impl Kind {
    /// The name `--format json` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Syntax => "syntax",
            Kind::Encoding => "encoding",
            Kind::UnknownGroup => "unknown-group",
            Kind::UnknownOption => "unknown-option",
            Kind::Deprecated => "deprecated",
            Kind::Duplicate => "duplicate",
            Kind::InvalidValue => "invalid-value",
            Kind::Interpolation => "interpolation",
            Kind::Required => "required",
            Kind::Unreadable => "unreadable",
            Kind::CommandLine => "command-line",
            Kind::Definition => "definition",
            Kind::Other => "other",
        }
    }
}

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A config file (or directory), as shown to the operator (relative
    /// to the working directory when inside it), and the 1-based line and
    /// column if known.
    File {
        /// The path shown.
        path: String,
        /// The line.
        line: Option<usize>,
        /// The column (bytes, 1-based).
        column: Option<usize>,
    },
    /// An environment variable.
    Environment(String),
    /// The command line.
    CommandLine,
    /// Code: the option's default, `set_default` or `set_override`.
    Code(&'static str),
    /// Nowhere in particular (a required option without a value).
    None,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, column } => {
                f.write_str(path)?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                    if let Some(column) = column {
                        write!(f, ":{column}")?;
                    }
                }
                Ok(())
            }
            Origin::Environment(var) => write!(f, "environment {var}"),
            Origin::CommandLine => f.write_str("command line"),
            Origin::Code(what) => f.write_str(what),
            Origin::None => Ok(()),
        }
    }
}

impl Origin {
    /// A config file, at a line.
    pub fn file(path: &str, line: Option<usize>) -> Origin {
        Origin::File {
            path: shown_path(path),
            line,
            column: None,
        }
    }

    /// Where a value came from.
    pub fn of(location: &LocationInfo) -> Origin {
        match location.location {
            Locations::User => match &location.value_at {
                Some((path, line)) => Origin::file(path, Some(*line)),
                None if location.detail.is_empty() => Origin::None,
                None => Origin::file(&location.detail, None),
            },
            Locations::Environment => Origin::Environment(location.detail.clone()),
            Locations::CommandLine => Origin::CommandLine,
            Locations::OptDefault => Origin::Code("the option's default"),
            Locations::SetDefault => Origin::Code("set_default"),
            Locations::SetOverride => Origin::Code("set_override"),
        }
    }
}

/// One problem: `ORIGIN: [group] option: what is wrong`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub kind: Kind,
    /// Where.
    pub origin: Origin,
    /// The group (as the file spells the section, for file problems).
    pub group: Option<String>,
    /// The option (or key).
    pub option: Option<String>,
    /// What is wrong, in operator words.
    pub message: String,
}

impl Problem {
    /// An error of `kind` at `origin`.
    pub fn error(kind: Kind, origin: Origin, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            kind,
            origin,
            group: None,
            option: None,
            message: message.into(),
        }
    }

    /// A warning of `kind` at `origin`.
    pub fn warning(kind: Kind, origin: Origin, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(kind, origin, message)
        }
    }

    /// Names the group (`None`: DEFAULT) and option.
    pub fn about(mut self, group: Option<&str>, option: Option<&str>) -> Problem {
        self.group = Some(group.unwrap_or("DEFAULT").to_owned());
        self.option = option.map(str::to_owned);
        self
    }

    /// The problem as one JSON object (`--format json`).
    pub fn to_json(&self) -> serde_json::Value {
        let (file, line, column) = match &self.origin {
            Origin::File { path, line, column } => (Some(path.clone()), *line, *column),
            _ => (None, None, None),
        };
        let origin = match &self.origin {
            Origin::File { .. } => "file".to_owned(),
            Origin::Environment(_) => "environment".to_owned(),
            Origin::CommandLine => "command line".to_owned(),
            Origin::Code(what) => (*what).to_owned(),
            Origin::None => String::new(),
        };
        serde_json::json!({
            "severity": self.severity.as_str(),
            "kind": self.kind.as_str(),
            "origin": origin,
            "file": file,
            "line": line,
            "column": column,
            "variable": match &self.origin {
                Origin::Environment(var) => Some(var.clone()),
                _ => None,
            },
            "group": self.group,
            "option": self.option,
            "message": self.message,
            "text": self.to_string(),
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.origin != Origin::None {
            write!(f, "{}: ", self.origin)?;
        }
        match (&self.group, &self.option) {
            (Some(g), Some(o)) => write!(f, "[{g}] {o}: ")?,
            (Some(g), None) => write!(f, "[{g}]: ")?,
            (None, Some(o)) => write!(f, "{o}: ")?,
            (None, None) => {}
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A path as operators see it: relative to the working directory when
/// it is inside it, else as it is.
pub fn shown_path(path: &str) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return path.to_owned();
    };
    let cwd = cwd.to_string_lossy();
    match path
        .strip_prefix(cwd.as_ref())
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => path.to_owned(),
    }
}

/// The operator's view of an error: one problem per thing wrong (several
/// only for a list of missing files). Values of secret options are shown
/// only with [`Secrets::Shown`].
pub fn describe(err: &Error, secrets: Secrets) -> Vec<Problem> {
    let one = |p: Problem| vec![p];
    match err {
        Error::NoSuchOpt { name, group, cause } => match cause {
            Some(cause) => describe(cause, secrets)
                .into_iter()
                .map(|mut p| {
                    if p.option.is_none() {
                        p = p.about(group.as_deref(), Some(name));
                    }
                    p
                })
                .collect(),
            None => one(Problem::error(Kind::Other, Origin::None, "no such option")
                .about(group.as_deref(), Some(name))),
        },
        Error::NoSuchGroup(group) => one(Problem {
            group: Some(group.clone()),
            ..Problem::error(Kind::Other, Origin::None, "no such group")
        }),
        Error::DuplicateOpt(name) => one(Problem {
            option: Some(name.clone()),
            ..Problem::error(
                Kind::Definition,
                Origin::None,
                "defined twice, differently (or its command-line flag clashes with another's)",
            )
        }),
        Error::RequiredOpt { name, group } => {
            let group = (group != "DEFAULT").then_some(group.as_str());
            one(required(group, name))
        }
        Error::TemplateSubstitution(_) | Error::Recursion { .. } => one(Problem::error(
            Kind::Interpolation,
            Origin::None,
            interpolation(err, None),
        )),
        Error::ConfigFilesNotFound(paths) => paths
            .iter()
            .map(|p| {
                Problem::error(
                    Kind::Unreadable,
                    Origin::file(&p.to_string_lossy(), None),
                    file_problem(&FileProblem::NotFound),
                )
            })
            .collect(),
        Error::ConfigFilesPermissionDenied(paths) => paths
            .iter()
            .map(|p| {
                Problem::error(
                    Kind::Unreadable,
                    Origin::file(&p.to_string_lossy(), None),
                    file_problem(&FileProblem::PermissionDenied),
                )
            })
            .collect(),
        Error::ConfigDirNotFound(dir) => one(Problem::error(
            Kind::Unreadable,
            Origin::file(dir, None),
            file_problem(&FileProblem::DirNotFound),
        )),
        Error::IsADirectory(path) => one(Problem::error(
            Kind::Unreadable,
            Origin::file(path, None),
            file_problem(&FileProblem::IsADirectory),
        )),
        Error::ConfigFileParse {
            file,
            lineno,
            reason,
            ..
        } => one(Problem::error(
            Kind::Syntax,
            Origin::file(file, Some(*lineno)),
            syntax(reason),
        )),
        Error::ConfigFileValue(bad) | Error::ConfigSourceValue(bad) => one(bad_value(bad, secrets)),
        Error::Exit { bad: Some(bad), .. } => one(bad_value(bad, secrets)),
        Error::Exit {
            status, message, ..
        } => {
            // argparse's text: the usage, then `prog: error: what`.
            let last = message.trim_end().lines().last().unwrap_or_default();
            let what = last.split_once(": error: ").map_or(last, |(_, w)| w);
            let what = if *status == 0 {
                "--help and --version print text, they check nothing"
            } else {
                what
            };
            one(Problem::error(Kind::CommandLine, Origin::CommandLine, what))
        }
        Error::DefaultValue(message) => one(Problem::error(
            Kind::Definition,
            Origin::Code("the option's default"),
            message.clone(),
        )),
        Error::Python {
            class: "UnicodeDecodeError",
            message,
        } => one(Problem::error(
            Kind::Encoding,
            Origin::None,
            format!("a config file is not UTF-8 ({message})"),
        )),
        Error::ArgsAlreadyParsed(_)
        | Error::NotInitialized
        | Error::Value(_)
        | Error::UnsupportedSource { .. }
        | Error::Python { .. } => one(Problem::error(Kind::Other, Origin::None, err.to_string())),
    }
}

/// `[group] name`: required, but nothing sets it.
pub(crate) fn required(group: Option<&str>, name: &str) -> Problem {
    let var = format!(
        "OS_{}__{}",
        group.unwrap_or("DEFAULT").to_uppercase(),
        name.replace('-', "_").to_uppercase()
    );
    Problem::error(
        Kind::Required,
        Origin::None,
        format!(
            "required, but no value is set (set it in [{}] of a config file, or with {var})",
            group.unwrap_or("DEFAULT")
        ),
    )
    .about(group, Some(name))
}

/// A refused value, where it came from and why.
fn bad_value(bad: &BadValue, secrets: Secrets) -> Problem {
    Problem::error(
        Kind::InvalidValue,
        Origin::of(&bad.location),
        refusal(bad, secrets),
    )
    .about(bad.group.as_deref(), Some(&bad.option))
}

/// Why the type refused the value, in operator words; the value (and
/// the type's own text, which may quote it) only if it may be shown.
pub(crate) fn refusal(bad: &BadValue, secrets: Secrets) -> String {
    if let Some(cause) = &bad.cause {
        let inner: Vec<String> = describe(cause, secrets)
            .iter()
            .map(ToString::to_string)
            .collect();
        return format!(
            "a $reference in its value cannot be read: {}",
            inner.join("; ")
        );
    }
    // A multi-valued option: the first item the type refuses.
    if let Value::List(items) = &bad.value {
        if let Some(item) = items.iter().find(|i| bad.ty.convert(i).is_err()) {
            let reason = bad
                .ty
                .convert(item)
                .err()
                .map_or_else(|| bad.reason.clone(), |e| e.0);
            return refusal(
                &BadValue {
                    value: item.clone(),
                    reason,
                    ..bad.clone()
                },
                secrets,
            );
        }
    }
    let shown = secrets.show(bad.secret, || bad.value.py_repr());
    // Numbers are shown as written.
    let number = secrets.show(bad.secret, || bad.value.py_str());
    let hidden = bad.secret && secrets.masked();
    let generic = || {
        if hidden {
            format!(
                "the value is not a valid {} (not shown: the option is secret; --show-secrets shows it)",
                bad.ty.type_name()
            )
        } else {
            format!(
                "{shown} is not a valid {}: {}",
                bad.ty.type_name(),
                bad.reason
            )
        }
    };
    match &bad.ty {
        Type::Boolean => {
            format!("expected a boolean (true/false, yes/no, on/off or 1/0), got {shown}")
        }
        Type::Integer(t) | Type::Port(t) => {
            let port = matches!(bad.ty, Type::Port(_));
            let plain = Type::Integer(IntegerType::default());
            match plain.convert(&bad.value) {
                Ok(_) => match t.choices.as_ref().filter(|c| !c.is_empty()) {
                    Some(choices) => format!(
                        "{number} is not one of the allowed values: {}",
                        choices
                            .iter()
                            .map(|(c, _)| c.py_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => {
                        let (min, max) = if port {
                            (
                                t.min.clone().or_else(|| Value::int("0")),
                                t.max.clone().or_else(|| Value::int("65535")),
                            )
                        } else {
                            (t.min.clone(), t.max.clone())
                        };
                        out_of_range(&number, min.map(|v| v.py_str()), max.map(|v| v.py_str()))
                    }
                },
                Err(_) if port => {
                    format!("expected a port number (an integer from 0 to 65535), got {shown}")
                }
                Err(_) => format!("expected an integer, got {shown}"),
            }
        }
        Type::Float(t) => {
            let plain = Type::Float(FloatType::default());
            match plain.convert(&bad.value) {
                Ok(_) => out_of_range(
                    &number,
                    t.min.map(pycompat::value::float_repr),
                    t.max.map(pycompat::value::float_repr),
                ),
                Err(_) => format!("expected a number, got {shown}"),
            }
        }
        Type::String(t) => match t.choices.as_ref().filter(|c| !c.is_empty()) {
            Some(choices) if bad.reason.starts_with("Valid values are") => format!(
                "{shown} is not one of the allowed values: {}",
                choices
                    .iter()
                    .map(|(c, _)| c.py_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => generic(),
        },
        _ => generic(),
    }
}

fn out_of_range(shown: &str, min: Option<String>, max: Option<String>) -> String {
    let bounds = match (min, max) {
        (Some(lo), Some(hi)) => format!("must be between {lo} and {hi}"),
        (Some(lo), None) => format!("must be at least {lo}"),
        (None, Some(hi)) => format!("must be at most {hi}"),
        (None, None) => "its type refuses it".to_owned(),
    };
    format!("{shown} is out of range: {bounds}")
}

/// An interpolation failure in operator words; `reference` is the
/// `$name` that failed, when known.
pub(crate) fn interpolation(err: &Error, reference: Option<&str>) -> String {
    let named = |what: String| match reference {
        Some(r) => format!("${r} {what}"),
        None => format!("a $reference {what}"),
    };
    match err {
        Error::Recursion { chain } => {
            let closes = chain
                .last()
                .is_some_and(|last| chain.iter().filter(|c| *c == last).count() > 1);
            if closes {
                format!("interpolation cycle: {}", chain.join(" -> "))
            } else {
                format!(
                    "$references nest too deep (more than 60): {}",
                    chain.join(" -> ")
                )
            }
        }
        Error::NoSuchOpt { .. } => named("names no option".to_owned()),
        Error::NoSuchGroup(group) => named(format!("names a group that does not exist: [{group}]")),
        Error::TemplateSubstitution(message) => match message
            .strip_prefix("substituting group ")
            .and_then(|m| m.strip_suffix(" not supported"))
        {
            Some(group) => named(format!(
                "names the group [{group}], not an option (write ${group}.OPTION)"
            )),
            None => named(message.clone()),
        },
        other => named(format!("cannot be resolved: {other}")),
    }
}

/// A parse problem in operator words.
pub(crate) fn syntax(reason: &str) -> String {
    match reason {
        ini::INVALID_SECTION => "a section header must end with ']'".to_owned(),
        ini::EMPTY_SECTION => "a section header needs a name between '[' and ']'".to_owned(),
        ini::UNEXPECTED_CONTINUATION => {
            "an indented line continues a value only right after `name = value` \
             (remove the indentation, or the blank or comment line before it)"
                .to_owned()
        }
        ini::NO_SEPARATOR => "expected `name = value` (there is no '=' or ':')".to_owned(),
        ini::EMPTY_KEY => "expected `name = value`, but the name is missing".to_owned(),
        ini::NO_SECTION => {
            "`name = value` before any [section] header (put it under [DEFAULT])".to_owned()
        }
        other => other.to_owned(),
    }
}

/// A problem reading a config file, in operator words.
pub(crate) fn file_problem(problem: &FileProblem) -> String {
    match problem {
        FileProblem::Undecodable { column, bytes, .. } => {
            let hex: Vec<String> = bytes.iter().map(|b| format!("0x{b:02x}")).collect();
            format!(
                "not UTF-8: {} {} at byte {column} of the line cannot be decoded (config files must be UTF-8)",
                if bytes.len() > 1 { "bytes" } else { "byte" },
                hex.join(" ")
            )
        }
        FileProblem::Syntax(e) => syntax(&e.reason),
        FileProblem::NotFound => "cannot read it: no such file".to_owned(),
        FileProblem::PermissionDenied => "cannot read it: permission denied".to_owned(),
        FileProblem::IsADirectory => {
            "is a directory; give it with --config-dir, not --config-file".to_owned()
        }
        FileProblem::DirNotFound => "no such directory (--config-dir)".to_owned(),
        FileProblem::Unreadable(e) => format!("cannot read it: {e}"),
    }
}

/// The Python exception line the reference ends its traceback with when
/// opening or reading `path` failed (`FileNotFoundError: [Errno 2] No
/// such file or directory: 'x'`).
pub(crate) fn os_error_line(err: &std::io::Error, path: &str) -> String {
    let Some(errno) = err.raw_os_error() else {
        if path.contains('\0') {
            return "ValueError: embedded null byte".to_owned();
        }
        return format!("OSError: {err}: {}", pycompat::value::str_repr(path));
    };
    let class = match errno {
        2 => "FileNotFoundError",
        1 | 13 => "PermissionError",
        20 => "NotADirectoryError",
        21 => "IsADirectoryError",
        _ => "OSError",
    };
    format!(
        "{class}: [Errno {errno}] {}: {}",
        strerror(err),
        pycompat::value::str_repr(path)
    )
}

/// The C library's text of an I/O error (`No such file or directory`),
/// without Rust's ` (os error N)`.
pub(crate) fn strerror(err: &std::io::Error) -> String {
    let text = err.to_string();
    match err.raw_os_error() {
        Some(errno) => text
            .strip_suffix(&format!(" (os error {errno})"))
            .unwrap_or(&text)
            .to_owned(),
        None => text,
    }
}

/// The names among `candidates` closest to `name` (typos: a few letters
/// off, `-` for `_`, another case), best first; empty if none is close.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let key = fold(name);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let d = distance(&key, &fold(c));
            let shortest = key.len().min(c.chars().count());
            let limit = if shortest <= 4 {
                1
            } else {
                (shortest / 3).max(1)
            };
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    let best = scored.first().map(|s| s.0);
    scored
        .into_iter()
        .filter(|s| Some(s.0) == best)
        .map(|s| s.1)
        .collect()
}

fn fold(name: &str) -> Vec<char> {
    name.chars()
        .map(|c| if c == '-' { '_' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Edit distance with adjacent transpositions (optimal string alignment).
fn distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows: Vec<usize> = (0..width * (a.len() + 1)).collect();
    for (i, cell) in rows.iter_mut().enumerate() {
        let (r, c) = (i / width, i % width);
        *cell = if r == 0 {
            c
        } else if c == 0 {
            r
        } else {
            0
        };
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let at = |r: usize, c: usize, rows: &[usize]| {
                rows.get(r * width + c).copied().unwrap_or(usize::MAX / 2)
            };
            let same = a.get(i - 1) == b.get(j - 1);
            let mut best = (at(i - 1, j, &rows) + 1)
                .min(at(i, j - 1, &rows) + 1)
                .min(at(i - 1, j - 1, &rows) + usize::from(!same));
            if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                best = best.min(at(i - 2, j - 2, &rows) + 1);
            }
            if let Some(cell) = rows.get_mut(i * width + j) {
                *cell = best;
            }
        }
    }
    rows.last().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names() {
        let names = ["bind_port", "bind_host", "workers", "lock_path", "debug"];
        assert_eq!(closest("bindport", names), vec!["bind_port"]);
        assert_eq!(closest("bind-port", names), vec!["bind_port"]);
        assert_eq!(closest("wokrers", names), vec!["workers"]);
        assert_eq!(closest("Debug", names), vec!["debug"]);
        assert!(closest("connection", names).is_empty());
        assert!(closest("dbg", names).is_empty());
    }

    #[test]
    fn masking_is_one_rule() {
        assert_eq!(Secrets::Masked.show(true, || "x".to_owned()), MASK);
        assert_eq!(Secrets::Masked.show(false, || "x".to_owned()), "x");
        assert_eq!(Secrets::Shown.show(true, || "x".to_owned()), "x");
    }
}
