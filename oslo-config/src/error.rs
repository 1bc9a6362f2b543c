//! Errors, one variant per exception class of oslo.config, with the same
//! `str()` text, so a service (and `oslo-config dump`) can report exactly
//! what the Python library would.

use std::path::PathBuf;

use pycompat::value::Value;

use crate::location::LocationInfo;
use crate::types::Type;

/// Everything that can go wrong registering, parsing or reading options.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `NoSuchOptError`.
    #[error("no such option {name} in group [{}]", group.as_deref().unwrap_or("DEFAULT"))]
    NoSuchOpt {
        /// The option's name.
        name: String,
        /// Its group (`None` is DEFAULT).
        group: Option<String>,
        /// What really went wrong when reading a DEFAULT option turned
        /// another error into this one, as `conf.<name>` does in Python
        /// (an interpolation cycle, a reference to no option…): not part
        /// of the text, for [`crate::report::describe`].
        cause: Option<Box<Error>>,
    },
    /// `NoSuchGroupError`.
    #[error("no such group [{0}]")]
    NoSuchGroup(String),
    /// `DuplicateOptError`.
    #[error("duplicate option: {0}")]
    DuplicateOpt(String),
    /// `RequiredOptError`.
    #[error("value required for option {name} in group [{group}]")]
    RequiredOpt {
        /// The option's name.
        name: String,
        /// Its group's name (`DEFAULT` for none).
        group: String,
    },
    /// `TemplateSubstitutionError`.
    #[error("template substitution error: {0}")]
    TemplateSubstitution(String),
    /// `RecursionError`: an interpolation cycle.
    #[error("maximum recursion depth exceeded")]
    Recursion {
        /// The options being resolved when the cycle closed, outermost
        /// first, the repeated one last (`name` in DEFAULT, `group.name`
        /// otherwise); not part of the text.
        chain: Vec<String>,
    },
    /// `ConfigFilesNotFoundError`.
    #[error("Failed to find some config files: {}", join_paths(.0))]
    ConfigFilesNotFound(Vec<PathBuf>),
    /// `ConfigFilesPermissionDeniedError`.
    #[error("Failed to open some config files: {}", join_paths(.0))]
    ConfigFilesPermissionDenied(Vec<PathBuf>),
    /// `ConfigDirNotFoundError`.
    #[error("Failed to read config file directory: {0}")]
    ConfigDirNotFound(String),
    /// `ConfigFileParseError`: `Failed to parse {file}: {msg}`.
    #[error("Failed to parse {file}: {message}")]
    ConfigFileParse {
        /// The file, absolute.
        file: String,
        /// `at {file}:{lineno}, {reason}: {line!r}`.
        message: String,
        /// The line the reference reports.
        lineno: usize,
        /// What is wrong (one of the `ini` reasons).
        reason: String,
    },
    /// `ConfigFileValueError`: a file value the option's type refuses.
    #[error("{0}")]
    ConfigFileValue(Box<BadValue>),
    /// `ConfigSourceValueError`: an environment or command-line value the
    /// option's type refuses.
    #[error("{0}")]
    ConfigSourceValue(Box<BadValue>),
    /// `DefaultValueError`.
    #[error("{0}")]
    DefaultValue(String),
    /// `ArgsAlreadyParsedError`.
    #[error("arguments already parsed: {0}")]
    ArgsAlreadyParsed(String),
    /// `NotInitializedError`.
    #[error("call expression on parser has not been invoked")]
    NotInitialized,
    /// A plain `ValueError` (bad option definitions, `set_override` with a
    /// value the type refuses, a bad `$` default read).
    #[error("{0}")]
    Value(String),
    /// `IsADirectoryError` from opening a config file.
    #[error("[Errno 21] Is a directory: '{0}'")]
    IsADirectory(String),
    /// Any other Python exception the reference would let through: an
    /// `OSError` reading a file, `UnicodeDecodeError` for text that is not
    /// UTF-8, the `TypeError`/`AttributeError` of a type given a value of
    /// the wrong kind.
    #[error("{message}")]
    Python {
        /// The Python class name (`UnicodeDecodeError`, `TypeError`…).
        class: &'static str,
        /// Its text.
        message: String,
    },
    /// A `config_source` group names a driver this implementation cannot
    /// load (the reference would open the source with it, e.g.
    /// `remote_file`).
    #[error(
        "configuration source drivers (config_source = {group}, driver = {driver}) are not \
         supported by this implementation"
    )]
    UnsupportedSource {
        /// The `config_source` group.
        group: String,
        /// Its `driver`.
        driver: String,
    },
    /// The command line was refused (argparse's `SystemExit`): `status` 2
    /// for usage errors, 1 for a value the option's type refuses, 0 for
    /// `--help`/`--version`. `message` is what argparse writes to stderr.
    #[error("{message}")]
    Exit {
        /// The exit status.
        status: i32,
        /// The text for stderr (usage and error, or help).
        message: String,
        /// True if `message` belongs on stdout (`--help`, `--version`).
        stdout: bool,
        /// For a command-line option's value the type refuses (status 1):
        /// which option, where the value came from (often a file), why.
        bad: Option<Box<BadValue>>,
    },
}

/// A value an option's type refused: the reference's text, and what an
/// operator needs to fix it (which option, where the value is, why it
/// was refused). `Display` is the reference's text only.
#[derive(Debug, Clone, PartialEq)]
pub struct BadValue {
    /// The reference's `str()` of the exception.
    pub text: String,
    /// The option's name.
    pub option: String,
    /// Its group (`None` is DEFAULT).
    pub group: Option<String>,
    /// Where the value came from; for a file, `value_at` is the file and
    /// line of the assignment.
    pub location: LocationInfo,
    /// What the type was given (after `$` interpolation).
    pub value: Value,
    /// The type's refusal (the reference's `ValueError` text; it may
    /// quote the value).
    pub reason: String,
    /// The option's type.
    pub ty: Type,
    /// The option is `secret`: its value must not be shown.
    pub secret: bool,
    /// Why the value could not be read when the type is not to blame: a
    /// `$` reference to an option whose own value is refused.
    pub cause: Option<Box<Error>>,
}

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A type's refusal as the exception the reference raises: `ValueError`
/// (what option values are checked for), or Python's own `TypeError`,
/// `AttributeError`… when a type is handed a value of the wrong kind.
pub fn raised(class: crate::types::ExceptionClass, e: crate::types::InvalidValue) -> Error {
    match class {
        crate::types::ExceptionClass::ValueError => Error::Value(e.0),
        other => Error::Python {
            class: other.name(),
            message: e.0,
        },
    }
}

/// The class of a refusal known only by its text (type construction
/// from opt-data): `AttributeError`/`TypeError` by their wording, else
/// `ValueError`.
pub fn refusal(message: String) -> Error {
    let type_error = [
        "argument must be",
        "object is not iterable",
        "unhashable type",
        "not supported between instances",
        "object is not subscriptable",
        "object cannot be interpreted",
        "must be str, not",
        "expected string or bytes-like object",
    ];
    if message.contains("object has no attribute") {
        Error::Python {
            class: "AttributeError",
            message,
        }
    } else if type_error.iter().any(|t| message.contains(t)) {
        Error::Python {
            class: "TypeError",
            message,
        }
    } else {
        Error::Value(message)
    }
}

fn join_paths(paths: &[PathBuf]) -> String {
    let parts: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    parts.join(",")
}

impl Error {
    /// The Python exception class oslo.config raises for this error.
    pub fn python_class(&self) -> &'static str {
        match self {
            Error::NoSuchOpt { .. } => "NoSuchOptError",
            Error::NoSuchGroup(_) => "NoSuchGroupError",
            Error::DuplicateOpt(_) => "DuplicateOptError",
            Error::RequiredOpt { .. } => "RequiredOptError",
            Error::TemplateSubstitution(_) => "TemplateSubstitutionError",
            Error::Recursion { .. } => "RecursionError",
            Error::ConfigFilesNotFound(_) => "ConfigFilesNotFoundError",
            Error::ConfigFilesPermissionDenied(_) => "ConfigFilesPermissionDeniedError",
            Error::ConfigDirNotFound(_) => "ConfigDirNotFoundError",
            Error::ConfigFileParse { .. } => "ConfigFileParseError",
            Error::ConfigFileValue(_) => "ConfigFileValueError",
            Error::ConfigSourceValue(_) => "ConfigSourceValueError",
            Error::DefaultValue(_) => "DefaultValueError",
            Error::ArgsAlreadyParsed(_) => "ArgsAlreadyParsedError",
            Error::NotInitialized => "NotInitializedError",
            Error::Value(_) => "ValueError",
            Error::IsADirectory(_) => "IsADirectoryError",
            Error::Python { class, .. } => class,
            Error::UnsupportedSource { .. } => "NotImplementedError",
            Error::Exit { .. } => "SystemExit",
        }
    }

    /// Where the reference prints a traceback, its last line: the class
    /// (qualified for oslo.config's own) and the text.
    pub fn traceback_line(&self) -> String {
        let class = self.python_class();
        let builtin = matches!(
            class,
            "ValueError"
                | "TypeError"
                | "AttributeError"
                | "KeyError"
                | "IsADirectoryError"
                | "RecursionError"
                | "NotImplementedError"
        ) || matches!(self, Error::Python { .. });
        if builtin {
            format!("{class}: {self}")
        } else {
            format!("oslo_config.cfg.{class}: {self}")
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
