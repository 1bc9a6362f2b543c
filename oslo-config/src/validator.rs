//! `oslo-config-validator` (`oslo_config/validator.py`): checks a config
//! file against the machine-readable option data the sample generator
//! writes (`oslo-config-generator --format yaml|json`).
//!
//! Two layers:
//!
//! * [`validate`]: the checks themselves, over already-loaded option data
//!   and an already-parsed input file, giving the log lines the reference
//!   emits (`LEVEL:oslo_config.validator:message`, in its order) and the
//!   exit status. Option data is treated with Python's dynamic semantics:
//!   malformed data fails where and how the reference fails (the reference
//!   raises; here the Python exception's last traceback line is reported
//!   after the log lines that came before it).
//! * [`run`]: the whole command, including the reference's `ConfigOpts`
//!   command line (argparse with abbreviations and its exact usage/help/
//!   error texts, `--config-file`/`--config-dir` and the default config
//!   files, `OS_DEFAULT__*` environment variables, `$` interpolation, value
//!   conversion errors). Where the reference prints a traceback, this
//!   prints only its last line. `--namespace` (which needs the Python
//!   entry points) and `config_source` drivers are refused with one line
//!   and exit status 1.

use std::collections::HashMap;

use pycompat::is_py_space;
use pycompat::value::{Value, str_repr};

use crate::ini::{self, Document, MergedSection};
use crate::location::{LocationInfo, Locations};
use crate::namespace::join;

/// The reference's default `--exclude-options` patterns.
pub const VALIDATE_DEFAULTS_EXCLUSIONS: [&str; 9] = [
    ".*_ur(i|l)",
    ".*connection",
    "password",
    "username",
    "my_ip",
    "host(name)?",
    "glance_api_servers",
    "osapi_volume_listen",
    "osapi_compute_listen",
];

/// Groups whose unknown options are only reported at INFO level.
pub const KNOWN_BAD_GROUPS: [&str; 1] = ["keystone_authtoken"];

/// The version `--version` prints (the reference's).
pub const VERSION: &str = "10.7.0";

const LOGGER: &str = "oslo_config.validator";

/// A logging level the validator uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `INFO`.
    Info,
    /// `WARNING`.
    Warning,
    /// `ERROR`.
    Error,
}

impl Level {
    /// The level's name as Python's logging prints it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// One log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Its level.
    pub level: Level,
    /// The logger's name (`oslo_config.validator`, or `oslo_config.cfg`).
    pub logger: &'static str,
    /// The formatted message.
    pub message: String,
}

impl LogLine {
    fn new(level: Level, message: String) -> LogLine {
        LogLine {
            level,
            logger: LOGGER,
            message,
        }
    }

    /// `LEVEL:logger:message`, as `logging.basicConfig()` formats it.
    pub fn render(&self) -> String {
        format!("{}:{}:{}", self.level.name(), self.logger, self.message)
    }
}

/// What a validation run reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The log records, in order.
    pub log: Vec<LogLine>,
    /// The process exit status (0 or 1).
    pub exit_code: i32,
    /// Where the reference raised (malformed option data, a bad exclusion
    /// pattern, an option value that fails to convert): the last line of
    /// its traceback, e.g. `KeyError: 'opts'`. The exit status is then 1.
    pub failure: Option<String>,
}

impl Report {
    /// Everything the reference writes to stderr (with a traceback reduced
    /// to its last line), one line per record, each ending in `\n`.
    pub fn stderr(&self) -> String {
        let mut out = String::new();
        for line in &self.log {
            out.push_str(&line.render());
            out.push('\n');
        }
        if let Some(f) = &self.failure {
            out.push_str(f);
            out.push('\n');
        }
        out
    }
}

/// The validator's settings (besides the input file and option data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorOptions {
    /// `--check-defaults`.
    pub check_defaults: bool,
    /// `--exclude-options`: Python regexes, each `fullmatch`ed against
    /// option names when comparing defaults.
    pub exclude_options: Vec<String>,
    /// `--fatal-warnings`.
    pub fatal_warnings: bool,
    /// `--exclude-group` (repeatable).
    pub exclude_group: Vec<String>,
}

impl Default for ValidatorOptions {
    fn default() -> ValidatorOptions {
        ValidatorOptions {
            check_defaults: false,
            exclude_options: VALIDATE_DEFAULTS_EXCLUSIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            fatal_warnings: false,
            exclude_group: Vec::new(),
        }
    }
}

/// Validates a parsed input file against option data (the generator's
/// machine-readable output, as `yaml.safe_load` gives it), as the
/// reference's `_validate` does once both are loaded.
pub fn validate(opt_data: &Value, input: &Document, options: &ValidatorOptions) -> Report {
    let mut settings = Fixed(options);
    let merged = input.merged();
    let mut log = Vec::new();
    let result = check(opt_data, &merged, &mut settings, &mut log);
    report(log, result)
}

/// [`validate`] from files, as the reference reads them (paths relative
/// to the working directory): the option data with `yaml.safe_load` (YAML
/// or JSON), the input file with `cfg.ConfigParser`. A file that cannot be
/// read or parsed gives a report with only that failure (the reference's
/// exception line) and exit status 1.
pub fn validate_paths(opt_data: &str, input: &str, options: &ValidatorOptions) -> Report {
    let loaded = load_opt_data(opt_data).and_then(|data| Ok((data, load_input(input)?)));
    match loaded {
        Ok((data, doc)) => validate(&data, &doc, options),
        Err(f) => report(Vec::new(), Err(f)),
    }
}

fn report(log: Vec<LogLine>, result: Result<i32, Failure>) -> Report {
    match result {
        Ok(exit_code) => Report {
            log,
            exit_code,
            failure: None,
        },
        Err(Failure(line)) => Report {
            log,
            exit_code: 1,
            failure: Some(line),
        },
    }
}

// ---------------------------------------------------------------------
// Python semantics over option data
// ---------------------------------------------------------------------

/// A Python exception, as the last line of its traceback.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure(String);

impl Failure {
    fn type_error(msg: String) -> Failure {
        Failure(format!("TypeError: {msg}"))
    }
}

/// `type(v).__name__`.
fn type_name(v: &Value) -> &'static str {
    v.type_name()
}

/// `container[key]`.
fn getitem<'a>(container: &'a Value, key: &Value) -> Result<&'a Value, Failure> {
    match container {
        Value::Dict(items) => {
            hashable(key)?;
            items
                .iter()
                .find(|(k, _)| k.key_eq(key))
                .map(|(_, v)| v)
                .ok_or_else(|| Failure(format!("KeyError: {}", key.py_repr())))
        }
        Value::List(_) => Err(Failure::type_error(format!(
            "list indices must be integers or slices, not {}",
            type_name(key)
        ))),
        Value::Str(_) => Err(Failure::type_error(format!(
            "string indices must be integers, not '{}'",
            type_name(key)
        ))),
        other => Err(Failure::type_error(format!(
            "'{}' object is not subscriptable",
            type_name(other)
        ))),
    }
}

fn getitem_str<'a>(container: &'a Value, key: &str) -> Result<&'a Value, Failure> {
    getitem(container, &Value::str(key))
}

/// `hash(v)` succeeds.
fn hashable(v: &Value) -> Result<(), Failure> {
    match v {
        Value::List(_) | Value::Dict(_) => Err(Failure::type_error(format!(
            "unhashable type: '{}'",
            type_name(v)
        ))),
        _ => Ok(()),
    }
}

/// Python `a == b`.
fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(k2, _)| k2.key_eq(k))
                        .is_some_and(|(_, v2)| py_eq(v, v2))
                })
        }
        (Value::List(_) | Value::Dict(_), _) | (_, Value::List(_) | Value::Dict(_)) => false,
        _ => a.key_eq(b),
    }
}

/// `item in container`.
fn contains(container: &Value, item: &Value) -> Result<bool, Failure> {
    match container {
        Value::Dict(items) => {
            hashable(item)?;
            Ok(items.iter().any(|(k, _)| k.key_eq(item)))
        }
        Value::List(items) => Ok(items.iter().any(|v| py_eq(v, item))),
        Value::Str(s) => match item {
            Value::Str(sub) => Ok(s.contains(sub.as_str())),
            other => Err(Failure::type_error(format!(
                "'in <string>' requires string as left operand, not {}",
                type_name(other)
            ))),
        },
        other => Err(Failure::type_error(format!(
            "argument of type '{}' is not iterable",
            type_name(other)
        ))),
    }
}

/// `list(v)`: a dict's keys, a list's items, a string's characters.
fn iterate(v: &Value) -> Result<Vec<Value>, Failure> {
    match v {
        Value::Dict(items) => Ok(items.iter().map(|(k, _)| k.clone()).collect()),
        Value::List(items) => Ok(items.clone()),
        Value::Str(s) => Ok(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        other => Err(Failure::type_error(format!(
            "'{}' object is not iterable",
            type_name(other)
        ))),
    }
}

/// `v.get(key)`.
fn dict_get(v: &Value, key: &str) -> Result<Value, Failure> {
    match v {
        Value::Dict(_) => Ok(v.get(key).cloned().unwrap_or(Value::None)),
        other => Err(Failure(format!(
            "AttributeError: '{}' object has no attribute 'get'",
            type_name(other)
        ))),
    }
}

/// `v.items()`.
fn dict_items(v: &Value) -> Result<&[(Value, Value)], Failure> {
    match v {
        Value::Dict(items) => Ok(items),
        other => Err(Failure(format!(
            "AttributeError: '{}' object has no attribute 'items'",
            type_name(other)
        ))),
    }
}

// ---------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------

/// Access to the validator's options, in the order and with the failures
/// of the reference's `conf.<name>` reads.
trait Settings {
    fn check_defaults(&mut self) -> Result<bool, Failure>;
    fn exclude_options(&mut self) -> Result<Vec<String>, Failure>;
    fn exclude_group(&mut self) -> Result<Vec<String>, Failure>;
    fn fatal_warnings(&mut self) -> Result<bool, Failure>;
}

struct Fixed<'a>(&'a ValidatorOptions);

impl Settings for Fixed<'_> {
    fn check_defaults(&mut self) -> Result<bool, Failure> {
        Ok(self.0.check_defaults)
    }
    fn exclude_options(&mut self) -> Result<Vec<String>, Failure> {
        Ok(self.0.exclude_options.clone())
    }
    fn exclude_group(&mut self) -> Result<Vec<String>, Failure> {
        Ok(self.0.exclude_group.clone())
    }
    fn fatal_warnings(&mut self) -> Result<bool, Failure> {
        Ok(self.0.fatal_warnings)
    }
}

fn excluded(groups: &[String], group: &Value) -> bool {
    matches!(group, Value::Str(g) if groups.iter().any(|x| x == g))
}

/// `_validate_deprecated_opt`.
fn deprecated_opt(group: &str, option: &str, opt_data: &Value) -> Result<bool, Failure> {
    let deprecated = getitem_str(opt_data, "deprecated_options")?;
    let key = Value::str(group);
    if !contains(deprecated, &key)? {
        return Ok(false);
    }
    name_data_contains(getitem(deprecated, &key)?, option)
}

/// `option in [o['name'] for o in entries] + [o.get('dest') for o in entries]`.
fn name_data_contains(entries: &Value, option: &str) -> Result<bool, Failure> {
    let mut names = Vec::new();
    for o in iterate(entries)? {
        names.push(getitem_str(&o, "name")?.clone());
    }
    for o in iterate(entries)? {
        names.push(dict_get(&o, "dest")?);
    }
    Ok(names
        .iter()
        .any(|n| matches!(n, Value::Str(s) if s == option)))
}

/// `_validate_opt`.
fn known_opt(group: &str, option: &str, opt_data: &Value) -> Result<bool, Failure> {
    let options = getitem_str(opt_data, "options")?;
    let key = Value::str(group);
    if !contains(options, &key)? {
        return Ok(false);
    }
    name_data_contains(getitem_str(getitem(options, &key)?, "opts")?, option)
}

/// A Python regex for `fullmatch`.
fn compile_fullmatch(pattern: &str) -> Result<fancy_regex::Regex, Failure> {
    // The pattern must be valid on its own (wrapping it could hide an
    // unbalanced parenthesis).
    fancy_regex::Regex::new(pattern)
        .and_then(|_| fancy_regex::Regex::new(&format!("^(?:{pattern})\\z")))
        .map_err(|e| Failure(format!("re.error: {e}")))
}

/// `_validate_defaults`.
fn validate_defaults(
    sections: &[MergedSection<'_>],
    by_name: &HashMap<&str, usize>,
    opt_data: &Value,
    settings: &mut dyn Settings,
    log: &mut Vec<LogLine>,
) -> Result<bool, Failure> {
    let mut warnings = false;
    let mut regexes = Vec::new();
    for pattern in settings.exclude_options()? {
        regexes.push(compile_fullmatch(&pattern)?);
    }
    let options = getitem_str(opt_data, "options")?;
    for (group, opts) in dict_items(options)? {
        if excluded(&settings.exclude_group()?, group) {
            continue;
        }
        let section = match group {
            Value::Str(g) => by_name.get(g.as_str()).and_then(|&i| sections.get(i)),
            _ => None,
        };
        let Some((_, keys)) = section else {
            log.push(LogLine::new(
                Level::Warning,
                format!(
                    "Group {} from the sample config is not defined in input-file",
                    group.py_str()
                ),
            ));
            continue;
        };
        let group = group.py_str();
        let key_index: HashMap<&str, &Vec<&str>> = keys.iter().map(|(k, v)| (*k, v)).collect();
        for opt in iterate(getitem_str(opts, "opts")?)? {
            let default = getitem_str(&opt, "default")?;
            let defaults: Vec<Value> = match default {
                Value::List(items) => items.clone(),
                other => vec![Value::Str(other.py_str())],
            };
            let name = getitem_str(&opt, "name")?;
            let dest = dict_get(&opt, "dest")?;
            hashable(name)?;
            hashable(&dest)?;
            let find = |n: &Value| match n {
                Value::Str(s) => key_index.get_key_value(s.as_str()).map(|(k, v)| (*k, *v)),
                _ => None,
            };
            let Some((keyname, value)) = find(name).or_else(|| find(&dest)) else {
                continue;
            };
            let mut matched = false;
            for rex in &regexes {
                if rex.is_match(keyname).unwrap_or(false) {
                    matched = true;
                    break;
                }
            }
            if matched {
                log.push(LogLine::new(
                    Level::Info,
                    format!(
                        "{group}/{keyname} Ignoring option because it is part of the excluded \
                         patterns. This can be changed with the --exclude-options argument"
                    ),
                ));
                continue;
            }
            if value.len() > 1 {
                log.push(LogLine::new(
                    Level::Info,
                    format!("{group}/{keyname} defined {} times", value.len()),
                ));
            }
            if !default.truthy() {
                log.push(LogLine::new(
                    Level::Warning,
                    format!(
                        "{group}/{keyname} sample value is empty but input-file has {}",
                        value.join(", ")
                    ),
                ));
                warnings = true;
                continue;
            }
            for d in &defaults {
                hashable(d)?;
            }
            let intersects = defaults
                .iter()
                .any(|d| matches!(d, Value::Str(s) if value.contains(&s.as_str())));
            if !intersects {
                let shown = Value::List(defaults).py_str();
                let values = Value::List(value.iter().map(|v| Value::str(*v)).collect()).py_str();
                log.push(LogLine::new(
                    Level::Warning,
                    format!("{group}/{keyname} sample value {shown} is not in {values}"),
                ));
                warnings = true;
            }
        }
    }
    Ok(warnings)
}

/// The checks of `_validate` after loading; `Ok(exit status)`.
fn check(
    opt_data: &Value,
    sections: &[MergedSection<'_>],
    settings: &mut dyn Settings,
    log: &mut Vec<LogLine>,
) -> Result<i32, Failure> {
    let by_name: HashMap<&str, usize> = sections
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (*name, i))
        .collect();
    let mut warnings = false;
    let mut errors = false;
    if settings.check_defaults()? {
        warnings = validate_defaults(sections, &by_name, opt_data, settings, log)?;
    }
    for (section, options) in sections {
        if settings.exclude_group()?.iter().any(|g| g == section) {
            continue;
        }
        for (option, _) in options {
            if deprecated_opt(section, option, opt_data)? {
                log.push(LogLine::new(
                    Level::Warning,
                    format!("Deprecated opt {section}/{option} found"),
                ));
                warnings = true;
            } else if !known_opt(section, option, opt_data)? {
                if KNOWN_BAD_GROUPS.contains(section) {
                    log.push(LogLine::new(
                        Level::Info,
                        format!(
                            "Ignoring missing option \"{option}\" from group \"{section}\" \
                             because the group is known to have incomplete sample config \
                             data and thus cannot be validated properly."
                        ),
                    ));
                    continue;
                }
                log.push(LogLine::new(
                    Level::Error,
                    format!("{section}/{option} is not part of the sample config"),
                ));
                errors = true;
            }
        }
    }
    if errors || (warnings && settings.fatal_warnings()?) {
        return Ok(1);
    }
    Ok(0)
}

// ---------------------------------------------------------------------
// Files, as Python's open() and text decoding report them
// ---------------------------------------------------------------------

/// The Python exception line for an `OSError` opening/reading `path`.
fn os_error_line(err: &std::io::Error, path: &str) -> String {
    crate::report::os_error_line(err, path)
}

/// Decodes a file's bytes as Python's text-mode reading does; `Err` is
/// the `UnicodeDecodeError` line.
fn decode_text(bytes: &[u8]) -> Result<String, String> {
    crate::namespace::decode_text(bytes)
        .map(std::borrow::Cow::into_owned)
        .map_err(|m| format!("UnicodeDecodeError: {m}"))
}

/// How reading a text file failed.
enum ReadError {
    /// `FileNotFoundError`.
    NotFound(String),
    /// `PermissionError`.
    Denied(String),
    /// Anything else, as its exception line.
    Other(String),
}

impl ReadError {
    fn line(self) -> String {
        match self {
            ReadError::NotFound(l) | ReadError::Denied(l) | ReadError::Other(l) => l,
        }
    }
}

/// `open(path).read()`.
fn read_text(path: &str) -> Result<String, ReadError> {
    if path.contains('\0') {
        return Err(ReadError::Other(
            "ValueError: embedded null byte".to_owned(),
        ));
    }
    match std::fs::read(path) {
        Ok(bytes) => decode_text(&bytes).map_err(ReadError::Other),
        Err(e) => {
            let line = os_error_line(&e, path);
            Err(match e.raw_os_error() {
                Some(2) => ReadError::NotFound(line),
                Some(13) => ReadError::Denied(line),
                _ => ReadError::Other(line),
            })
        }
    }
}

/// `load_opt_data`: `yaml.safe_load(open(path))`.
fn load_opt_data(path: &str) -> Result<Value, Failure> {
    let text = read_text(path).map_err(|e| Failure(e.line()))?;
    pycompat::yaml::safe_load(text.as_bytes()).map_err(|e| Failure(format!("yaml.YAMLError: {e}")))
}

/// Reads and parses the input file as `cfg.ConfigParser(path, {}).parse()`.
fn load_input(path: &str) -> Result<Document, Failure> {
    let text = read_text(path).map_err(|e| Failure(e.line()))?;
    ini::parse(&text)
        .map_err(|e| Failure(format!("oslo_config.cfg.ParseError: {}", e.message(path))))
}

// ---------------------------------------------------------------------
// The command line: argparse as ConfigOpts sets it up
// ---------------------------------------------------------------------

/// What the command printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status.
    pub code: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Help,
    Version,
    StoreTrue,
    StoreFalse,
    Store,
    Append,
    ConfigFile,
    ConfigDir,
}

struct ArgAction {
    strings: &'static [&'static str],
    act: Act,
    dest: &'static str,
    metavar: Option<&'static str>,
    help: &'static str,
}

impl ArgAction {
    fn takes_value(&self) -> bool {
        matches!(
            self.act,
            Act::Store | Act::Append | Act::ConfigFile | Act::ConfigDir
        )
    }

    fn name(&self) -> String {
        self.strings.join("/")
    }
}

/// The parser's actions in the order argparse holds them (`-h` first,
/// then ConfigOpts' sorted CLI options).
const ACTIONS: [ArgAction; 14] = [
    ArgAction {
        strings: &["-h", "--help"],
        act: Act::Help,
        dest: "help",
        metavar: None,
        help: "show this help message and exit",
    },
    ArgAction {
        strings: &["--check-defaults"],
        act: Act::StoreTrue,
        dest: "check_defaults",
        metavar: None,
        help: "Report differences between the sample values and current values.",
    },
    ArgAction {
        strings: &["--config-dir"],
        act: Act::ConfigDir,
        dest: "config_dir",
        metavar: Some("DIR"),
        help: "Path to a config directory to pull `*.conf` files from. This file set is \
               sorted, so as to provide a predictable parse order if individual options are \
               over-ridden. The set is parsed after the file(s) specified via previous \
               --config-file, arguments hence over-ridden options in the directory take \
               precedence. This option must be set from the command-line.",
    },
    ArgAction {
        strings: &["--config-file"],
        act: Act::ConfigFile,
        dest: "config_file",
        metavar: Some("PATH"),
        help: "Path to a config file to use. Multiple config files can be specified, with \
               values in later files taking precedence. Defaults to None. This option must \
               be set from the command-line.",
    },
    ArgAction {
        strings: &["--exclude-group"],
        act: Act::Append,
        dest: "exclude_group",
        metavar: None,
        help: "Groups that should not be validated if they are present in the specified \
               input-file. This may be necessary for dynamically named groups which do not \
               appear in the sample config data.",
    },
    ArgAction {
        strings: &["--exclude-options"],
        act: Act::Store,
        dest: "exclude_options",
        metavar: None,
        help: "Exclude options matching these patterns when comparing the current and \
               sample configurations.",
    },
    ArgAction {
        strings: &["--fatal-warnings"],
        act: Act::StoreTrue,
        dest: "fatal_warnings",
        metavar: None,
        help: "Report failure if any warnings are found.",
    },
    ArgAction {
        strings: &["--input-file"],
        act: Act::Store,
        dest: "input_file",
        metavar: None,
        help: "Config file to validate.",
    },
    ArgAction {
        strings: &["--namespace"],
        act: Act::Append,
        dest: "namespace",
        metavar: None,
        help: "Option namespace under \"oslo.config.opts\" in which to query for options.",
    },
    ArgAction {
        strings: &["--nocheck-defaults"],
        act: Act::StoreFalse,
        dest: "check_defaults",
        metavar: None,
        help: "The inverse of --check-defaults",
    },
    ArgAction {
        strings: &["--nofatal-warnings"],
        act: Act::StoreFalse,
        dest: "fatal_warnings",
        metavar: None,
        help: "The inverse of --fatal-warnings",
    },
    ArgAction {
        strings: &["--opt-data"],
        act: Act::Store,
        dest: "opt_data",
        metavar: None,
        help: "Path to a YAML file containing definitions of options, as output by the \
               config generator.",
    },
    ArgAction {
        strings: &["--shell_completion"],
        act: Act::Store,
        dest: "shell_completion",
        metavar: None,
        help: "Display a shell completion script Allowed values: bash, zsh",
    },
    ArgAction {
        strings: &["--version"],
        act: Act::Version,
        dest: "version",
        metavar: None,
        help: "show program's version number and exit",
    },
];

/// Every option string with its action, in argparse's registration order.
fn option_strings() -> Vec<(&'static str, &'static ArgAction)> {
    ACTIONS
        .iter()
        .flat_map(|a| a.strings.iter().map(move |s| (*s, a)))
        .collect()
}

/// argparse's `HelpFormatter` for this parser: the crate's argparse
/// emulation, given these actions.
struct Formatter {
    parser: crate::argparse::Parser,
}

impl Formatter {
    fn new(prog: &str, env: &dyn Fn(&str) -> Option<String>) -> Formatter {
        use crate::argparse::{Action, Attr, Kind, Nargs, Parser};
        let mut parser = Parser::new(prog, None);
        parser.columns = env("COLUMNS");
        for a in ACTIONS.iter().filter(|a| a.act != Act::Help) {
            let (kind, nargs) = match a.act {
                Act::Version => (Kind::Version(String::new()), Nargs::Zero),
                Act::StoreTrue => (Kind::StoreConst(true), Nargs::Zero),
                Act::StoreFalse => (Kind::StoreConst(false), Nargs::Zero),
                Act::Append => (Kind::Append, Nargs::One),
                Act::ConfigFile => (Kind::ConfigFile, Nargs::One),
                Act::ConfigDir => (Kind::ConfigDir, Nargs::One),
                Act::Store | Act::Help => (Kind::Store, Nargs::One),
            };
            // The actions are fixed and distinct: adding cannot clash.
            let _ = parser.add(Action {
                option_strings: a.strings.iter().map(|s| (*s).to_owned()).collect(),
                dest: a.dest.to_owned(),
                kind,
                nargs,
                required: false,
                metavar: a.metavar.map(str::to_owned),
                help: Some(a.help.to_owned()),
                section: None,
                default: Attr::None,
            });
        }
        Formatter { parser }
    }

    /// `usage: ...` without the trailing newline.
    fn usage(&self) -> String {
        self.parser.usage_line()
    }

    fn help(&self) -> String {
        self.parser.help_text()
    }
}

/// How the command ends early.
enum Exit {
    /// argparse's `error()`: usage and message on stderr, status 2.
    Usage(String),
    /// `print_help()` / `--version`: text on stdout, status 0.
    Printed(String),
    /// A Python exception (its traceback's last line), status 1.
    Raise(String),
    /// A message on stderr and status 1 without a traceback
    /// (`argument --x: Invalid ...`).
    Message(String),
}

impl From<Failure> for Exit {
    fn from(f: Failure) -> Exit {
        Exit::Raise(f.0)
    }
}

/// A value in the argparse namespace (from the command line, or a CLI
/// option's value copied from a config file).
#[derive(Debug, Clone, PartialEq)]
enum Raw {
    Str(String),
    Bool(bool),
    List(Vec<String>),
}

impl Raw {
    fn to_value(&self) -> Value {
        match self {
            Raw::Str(s) => Value::str(s.as_str()),
            Raw::Bool(b) => Value::Bool(*b),
            Raw::List(items) => Value::List(items.iter().map(|s| Value::str(s.as_str())).collect()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Bool,
    List,
    Identity,
    Shell,
}

impl Ty {
    fn repr(self) -> &'static str {
        match self {
            Ty::Str => "String",
            Ty::Bool => "Boolean",
            Ty::List => "List of String",
            Ty::Identity => "<function _identity>",
            Ty::Shell => "String(choices=['bash', 'zsh'])",
        }
    }

    /// `type(value)`; `Err` is the `ValueError` message.
    fn convert(self, value: &Value) -> Result<Value, String> {
        match (self, value) {
            (Ty::Identity, v) => Ok(v.clone()),
            (Ty::Bool, Value::Bool(b)) => Ok(Value::Bool(*b)),
            (Ty::Bool, Value::Str(s)) => match s.to_lowercase().as_str() {
                "true" | "1" | "on" | "yes" => Ok(Value::Bool(true)),
                "false" | "0" | "off" | "no" => Ok(Value::Bool(false)),
                _ => Err(format!("Unexpected boolean value {}", str_repr(s))),
            },
            (Ty::List, Value::List(items)) => Ok(Value::List(
                items.iter().map(|v| Value::Str(v.py_str())).collect(),
            )),
            (Ty::List, Value::Str(s)) => Ok(Value::List(split_list(s))),
            (Ty::Shell, v) => {
                let s = v.py_str();
                if s == "bash" || s == "zsh" {
                    Ok(Value::Str(s))
                } else {
                    Err(format!(
                        "Valid values are [bash, zsh], but found {}",
                        str_repr(&s)
                    ))
                }
            }
            (_, v) => Ok(Value::Str(v.py_str())),
        }
    }
}

/// `_convert_value(value, opt)`: the option's type, item by item for a
/// multi option (whose string value is iterated character by character).
fn convert_value(opt: &OptDef, value: &Value) -> Result<Value, String> {
    if !opt.multi {
        return opt.ty.convert(value);
    }
    let items = match value {
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::List(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|v| opt.ty.convert(v))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::List)
}

/// `types.List()(text)` with String items.
fn split_list(text: &str) -> Vec<Value> {
    let s = text.trim_matches(is_py_space).trim_end_matches(',');
    if s.is_empty() {
        return Vec::new();
    }
    s.split(',')
        .map(|item| Value::str(item.trim_matches(is_py_space)))
        .collect()
}

/// A registered option of the validator's `ConfigOpts` (all in DEFAULT).
struct OptDef {
    name: &'static str,
    dest: &'static str,
    ty: Ty,
    multi: bool,
    cli: bool,
}

const OPTS: [OptDef; 11] = [
    OptDef {
        name: "check-defaults",
        dest: "check_defaults",
        ty: Ty::Bool,
        multi: false,
        cli: true,
    },
    OptDef {
        name: "config-dir",
        dest: "config_dir",
        ty: Ty::List,
        multi: false,
        cli: true,
    },
    OptDef {
        name: "config-file",
        dest: "config_file",
        ty: Ty::Identity,
        multi: false,
        cli: true,
    },
    OptDef {
        name: "config_source",
        dest: "config_source",
        ty: Ty::List,
        multi: false,
        cli: false,
    },
    OptDef {
        name: "exclude-group",
        dest: "exclude_group",
        ty: Ty::Str,
        multi: true,
        cli: true,
    },
    OptDef {
        name: "exclude-options",
        dest: "exclude_options",
        ty: Ty::List,
        multi: false,
        cli: true,
    },
    OptDef {
        name: "fatal-warnings",
        dest: "fatal_warnings",
        ty: Ty::Bool,
        multi: false,
        cli: true,
    },
    OptDef {
        name: "input-file",
        dest: "input_file",
        ty: Ty::Str,
        multi: false,
        cli: true,
    },
    OptDef {
        name: "namespace",
        dest: "namespace",
        ty: Ty::Str,
        multi: true,
        cli: true,
    },
    OptDef {
        name: "opt-data",
        dest: "opt_data",
        ty: Ty::Str,
        multi: false,
        cli: true,
    },
    OptDef {
        name: "shell_completion",
        dest: "shell_completion",
        ty: Ty::Shell,
        multi: false,
        cli: true,
    },
];

fn opt_def(dest: &str) -> Option<&'static OptDef> {
    OPTS.iter().find(|o| o.dest == dest)
}

/// Where a value was found, as `LocationInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Loc {
    CommandLine,
    User(String),
    Environment(String),
}

impl Loc {
    /// `repr(LocationInfo(...))`.
    fn repr(&self) -> String {
        let (location, detail) = match self {
            Loc::CommandLine => (Locations::CommandLine, ""),
            Loc::User(f) => (Locations::User, f.as_str()),
            Loc::Environment(n) => (Locations::Environment, n.as_str()),
        };
        LocationInfo::new(location, detail).to_string()
    }
}

/// A parsed config file: sections by normalized name, keys with values.
struct ParsedFile {
    normalized: HashMap<String, HashMap<String, Vec<String>>>,
}

fn normalize_group(name: &str) -> String {
    if name == "DEFAULT" {
        name.to_owned()
    } else {
        name.to_lowercase()
    }
}

/// The validator's `ConfigOpts` after `conf(argv)`.
struct Conf<'e> {
    env: &'e dyn Fn(&str) -> Option<String>,
    attrs: HashMap<&'static str, Raw>,
    /// Parsed files, oldest first.
    files: Vec<ParsedFile>,
    sections_to_file: HashMap<String, String>,
    not_found: Vec<String>,
    denied: Vec<String>,
    default_files: Vec<String>,
    default_dirs: Vec<String>,
    cache: HashMap<&'static str, Value>,
    resolving: Vec<&'static str>,
    log: Vec<LogLine>,
}

impl<'e> Conf<'e> {
    fn new(env: &'e dyn Fn(&str) -> Option<String>, prog: &str) -> Conf<'e> {
        let mut conf = Conf {
            env,
            attrs: HashMap::new(),
            files: Vec::new(),
            sections_to_file: HashMap::new(),
            not_found: Vec::new(),
            denied: Vec::new(),
            default_files: Vec::new(),
            default_dirs: Vec::new(),
            cache: HashMap::new(),
            resolving: Vec::new(),
            log: Vec::new(),
        };
        let dirs = [conf.fixpath("~"), "/etc".to_owned()];
        for (ext, out) in [(".conf", 0), (".conf.d", 1)] {
            let found = dirs
                .iter()
                .map(|d| join(d, &format!("{prog}{ext}")))
                .find(|p| std::path::Path::new(p).exists());
            if let Some(p) = found {
                if out == 0 {
                    conf.default_files.push(p);
                } else {
                    conf.default_dirs.push(p);
                }
            }
        }
        conf
    }

    /// `os.path.expanduser(path)` with this run's `$HOME`.
    fn expanduser(&self, path: &str) -> String {
        crate::namespace::expanduser_with(path, (self.env)("HOME"))
    }

    /// `os.path.abspath(os.path.expanduser(p))` with this run's `$HOME`.
    fn fixpath(&self, path: &str) -> String {
        crate::namespace::fixpath_with(path, (self.env)("HOME"))
    }

    /// `ConfigParser._parse_file`.
    fn parse_file(&mut self, path: &str) -> Result<(), Exit> {
        let path = self.fixpath(path);
        let text = match read_text(&path) {
            Ok(t) => t,
            Err(ReadError::NotFound(_)) => {
                self.not_found.push(path);
                return Ok(());
            }
            Err(ReadError::Denied(_)) => {
                self.denied.push(path);
                return Ok(());
            }
            Err(ReadError::Other(line)) => return Err(Exit::Raise(line)),
        };
        let doc = ini::parse(&text).map_err(|e| {
            Exit::Raise(format!(
                "oslo_config.cfg.ConfigFileParseError: Failed to parse {path}: {}",
                e.message(&path)
            ))
        })?;
        let mut normalized: HashMap<String, HashMap<String, Vec<String>>> = HashMap::new();
        for (name, keys) in doc.merged() {
            self.sections_to_file.insert(name.to_owned(), path.clone());
            let section = normalized.entry(normalize_group(name)).or_default();
            for (key, values) in keys {
                section
                    .entry(key.to_owned())
                    .or_default()
                    .extend(values.iter().map(|v| (*v).to_owned()));
            }
        }
        // `_parse_cli_opts_from_config_file`: CLI options found in the
        // file's [DEFAULT] land in the namespace as if given here.
        let found: Vec<(&'static OptDef, Vec<String>)> = OPTS
            .iter()
            .filter(|o| o.cli)
            .filter_map(|o| {
                normalized
                    .get("DEFAULT")
                    .and_then(|s| s.get(o.dest))
                    .map(|v| (o, v.clone()))
            })
            .collect();
        self.files.push(ParsedFile { normalized });
        for (opt, values) in found {
            if opt.multi {
                match self.attrs.get_mut(opt.dest) {
                    Some(Raw::List(items)) => items.extend(values),
                    _ => {
                        self.attrs.insert(opt.dest, Raw::List(values));
                    }
                }
            } else if let Some(last) = values.last() {
                self.attrs.insert(opt.dest, Raw::Str(last.clone()));
            }
        }
        Ok(())
    }

    /// The `--config-dir` action (and the default dirs, which may be
    /// missing).
    fn parse_dir(&mut self, dir: &str, must_exist: bool) -> Result<(), Exit> {
        let expanded = self.expanduser(dir);
        let path = std::path::Path::new(&expanded);
        if !path.exists() {
            if must_exist {
                return Err(Exit::Raise(format!(
                    "oslo_config.cfg.ConfigDirNotFoundError: Failed to read config file directory: {expanded}"
                )));
            }
            return Ok(());
        }
        let mut files: Vec<String> = Vec::new();
        if let Ok(entries) = std::fs::read_dir(path) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.starts_with('.') && name.ends_with(".conf") {
                    files.push(join(&expanded, &name));
                }
            }
        }
        files.sort();
        for f in files {
            self.parse_file(&f)?;
        }
        Ok(())
    }

    /// `opt._get_namespace_value(namespace, None)`: the raw value and where
    /// it counts as coming from; `None` for `KeyError`.
    fn namespace_value(&self, opt: &OptDef) -> Option<(Raw, Loc)> {
        let mut file_values: Vec<String> = Vec::new();
        let mut loc: Option<Loc> = None;
        for file in self.files.iter().rev() {
            let Some(values) = file.normalized.get("DEFAULT").and_then(|s| s.get(opt.dest)) else {
                continue;
            };
            if loc.is_none() {
                loc = Some(Loc::User(
                    self.sections_to_file
                        .get("DEFAULT")
                        .cloned()
                        .unwrap_or_default(),
                ));
            }
            if opt.multi {
                let mut all = values.clone();
                all.extend(file_values);
                file_values = all;
            } else {
                file_values = values.clone();
                break;
            }
        }
        if let Some(cli) = self.attrs.get(opt.dest) {
            return Some((cli.clone(), loc.unwrap_or(Loc::CommandLine)));
        }
        let loc = loc?;
        if opt.multi {
            Some((Raw::List(file_values), loc))
        } else {
            file_values.last().map(|v| (Raw::Str(v.clone()), loc))
        }
    }

    fn env_name(dest: &str) -> String {
        format!("OS_DEFAULT__{}", dest.to_uppercase())
    }

    /// `_substitute(value)`.
    fn substitute(&mut self, value: &Value) -> Result<Value, Failure> {
        match value {
            Value::Str(s) => Ok(Value::Str(self.substitute_str(s)?)),
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.substitute(item)?);
                }
                Ok(Value::List(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// `Template(value).safe_substitute(StrSubWrapper(conf))` after
    /// `\$` → `$$`.
    fn substitute_str(&mut self, text: &str) -> Result<String, Failure> {
        if !text.contains('$') {
            return Ok(text.to_owned());
        }
        let text = text.replace("\\$", "$$");
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if c != '$' {
                out.push(c);
                i += 1;
                continue;
            }
            let next = chars.get(i + 1).copied();
            if next == Some('$') {
                out.push('$');
                i += 2;
                continue;
            }
            if let Some(len) = id_len(chars.get(i + 1..).unwrap_or_default()) {
                let key: String = chars
                    .get(i + 1..i + 1 + len)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                out.push_str(&self.lookup(&key)?);
                i += 1 + len;
                continue;
            }
            if next == Some('{') {
                let rest = chars.get(i + 2..).unwrap_or_default();
                if let Some(len) = id_len(rest) {
                    if rest.get(len) == Some(&'}') {
                        let key: String = rest.get(..len).unwrap_or_default().iter().collect();
                        out.push_str(&self.lookup(&key)?);
                        i += 3 + len;
                        continue;
                    }
                }
            }
            out.push('$');
            i += 1;
        }
        Ok(out)
    }

    /// `str(StrSubWrapper(conf)[key])`.
    fn lookup(&mut self, key: &str) -> Result<String, Failure> {
        if let Some((group, _)) = key.split_once('.') {
            return Err(Failure(format!(
                "oslo_config.cfg.NoSuchGroupError: no such group [{group}]"
            )));
        }
        let Some(opt) = opt_def(key) else {
            return Err(Failure(format!(
                "oslo_config.cfg.NoSuchOptError: no such option {key} in group [DEFAULT]"
            )));
        };
        let value = self.get(opt.dest)?;
        Ok(match value {
            Value::None => String::new(),
            v => v.py_str(),
        })
    }

    /// `_convert_value(_substitute(value), opt)`, with a `ValueError`
    /// reported as the reference's `_do_get` does for `loc`.
    fn convert(&mut self, opt: &OptDef, raw: &Value, loc: &Loc) -> Result<Value, Failure> {
        let value = self.substitute(raw)?;
        convert_value(opt, &value).map_err(|err| {
            let class = if matches!(loc, Loc::User(_)) {
                "ConfigFileValueError"
            } else {
                "ConfigSourceValueError"
            };
            Failure(format!(
                "oslo_config.cfg.{class}: Value for option {} from {} is not valid: {err}",
                opt.name,
                loc.repr()
            ))
        })
    }

    fn default_value(&self, opt: &OptDef) -> Value {
        let strs = |v: &[String]| Value::List(v.iter().map(|s| Value::str(s.as_str())).collect());
        match opt.dest {
            "check_defaults" | "fatal_warnings" => Value::Bool(false),
            "exclude_options" => Value::List(
                VALIDATE_DEFAULTS_EXCLUSIONS
                    .iter()
                    .map(|s| Value::str(*s))
                    .collect(),
            ),
            "exclude_group" | "config_source" => Value::List(Vec::new()),
            "config_file" => strs(&self.default_files),
            "config_dir" => strs(&self.default_dirs),
            _ => Value::None,
        }
    }

    /// `conf.<dest>` (`_do_get`).
    fn get(&mut self, dest: &str) -> Result<Value, Failure> {
        let Some(opt) = opt_def(dest) else {
            return Err(Failure(format!(
                "oslo_config.cfg.NoSuchOptError: no such option {dest} in group [DEFAULT]"
            )));
        };
        if let Some(v) = self.cache.get(opt.dest) {
            return Ok(v.clone());
        }
        if self.resolving.contains(&opt.dest) {
            return Err(Failure(
                "RecursionError: maximum recursion depth exceeded".to_owned(),
            ));
        }
        self.resolving.push(opt.dest);
        let result = self.get_uncached(opt);
        self.resolving.pop();
        if let Ok(v) = &result {
            self.cache.insert(opt.dest, v.clone());
        }
        result
    }

    fn get_uncached(&mut self, opt: &'static OptDef) -> Result<Value, Failure> {
        let env_name = Conf::env_name(opt.dest);
        let env_val = (self.env)(&env_name).map(Value::Str);
        match (self.namespace_value(opt), env_val) {
            (Some((raw, Loc::CommandLine)), _) => {
                self.convert(opt, &raw.to_value(), &Loc::CommandLine)
            }
            (Some((_, loc)), Some(env)) => self.convert(opt, &env, &loc),
            (Some((raw, loc)), None) => self.convert(opt, &raw.to_value(), &loc),
            (None, Some(env)) => self.convert(opt, &env, &Loc::Environment(env_name)),
            (None, None) => {
                let default = self.default_value(opt);
                if default == Value::None {
                    return Ok(Value::None);
                }
                let value = self.substitute(&default)?;
                convert_value(opt, &value).map_err(|e| Failure(format!("ValueError: {e}")))
            }
        }
    }

    /// `_validate_cli_options`: every CLI option with a value is
    /// substituted and converted; a failure ends the program.
    fn validate_cli_options(&mut self) -> Result<(), Exit> {
        let mut cli: Vec<&'static OptDef> = OPTS.iter().filter(|o| o.cli).collect();
        cli.sort_by_key(|o| o.name);
        for opt in cli {
            let Some((raw, _)) = self.namespace_value(opt) else {
                continue;
            };
            let value = self.substitute(&raw.to_value())?;
            if convert_value(opt, &value).is_err() {
                return Err(Exit::Message(format!(
                    "argument --{}: Invalid {} value: {}",
                    opt.dest,
                    opt.ty.repr(),
                    value.py_str()
                )));
            }
        }
        Ok(())
    }

    /// `_load_alternative_sources`.
    fn load_alternative_sources(&mut self) -> Result<(), Exit> {
        let sources = self.get("config_source")?;
        let Value::List(groups) = sources else {
            return Ok(());
        };
        for group in groups {
            let group = group.py_str();
            let env_name = format!("OS_{}__DRIVER", group.to_uppercase());
            let normalized = normalize_group(&group);
            let in_file = self.files.iter().rev().find_map(|f| {
                f.normalized
                    .get(&normalized)
                    .and_then(|s| s.get("driver"))
                    .and_then(|v| v.last().cloned())
            });
            let file_loc = || {
                Loc::User(
                    self.sections_to_file
                        .get(&normalized)
                        .cloned()
                        .unwrap_or_default(),
                )
            };
            let (driver, loc) = match ((self.env)(&env_name), in_file) {
                (Some(v), Some(_)) => (v, file_loc()),
                (Some(v), None) => (v, Loc::Environment(env_name)),
                (None, Some(v)) => (v, file_loc()),
                (None, None) => {
                    self.log.push(LogLine {
                        level: Level::Error,
                        logger: "oslo_config.cfg",
                        message: format!(
                            "could not load configuration from {}, no 'driver' is set.",
                            str_repr(&group)
                        ),
                    });
                    continue;
                }
            };
            let driver = self.substitute_str(&driver)?;
            if driver != "remote_file" {
                let msg = format!(
                    "Value for option driver from {} is not valid: Valid values are \
                     [remote_file], but found {}",
                    loc.repr(),
                    str_repr(&driver)
                );
                if matches!(loc, Loc::Environment(_)) {
                    return Err(Exit::Raise(format!(
                        "oslo_config.cfg.ConfigSourceValueError: {msg}"
                    )));
                }
                self.log.push(LogLine {
                    level: Level::Error,
                    logger: "oslo_config.cfg",
                    message: format!(
                        "could not load configuration from {}. {msg}",
                        str_repr(&group)
                    ),
                });
                continue;
            }
            return Err(Exit::Raise(format!(
                "oslo-config-validator: configuration source drivers (config_source = {group}, \
                 driver = {driver}) are not supported by this implementation"
            )));
        }
        Ok(())
    }
}

impl Settings for Conf<'_> {
    fn check_defaults(&mut self) -> Result<bool, Failure> {
        Ok(self.get("check_defaults")?.truthy())
    }
    fn exclude_options(&mut self) -> Result<Vec<String>, Failure> {
        Ok(strings(&self.get("exclude_options")?))
    }
    fn exclude_group(&mut self) -> Result<Vec<String>, Failure> {
        Ok(strings(&self.get("exclude_group")?))
    }
    fn fatal_warnings(&mut self) -> Result<bool, Failure> {
        Ok(self.get("fatal_warnings")?.truthy())
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().map(Value::py_str).collect(),
        _ => Vec::new(),
    }
}

/// The length of a `string.Template` identifier (`[_a-z][._a-z0-9]*`,
/// case-insensitive as Python's `re.IGNORECASE` reads it) at the start of
/// `chars`.
fn id_len(chars: &[char]) -> Option<usize> {
    let start = |c: char| {
        c == '_'
            || c.is_ascii_alphabetic()
            || matches!(c, '\u{130}' | '\u{131}' | '\u{17f}' | '\u{212a}')
    };
    let first = *chars.first()?;
    if !start(first) {
        return None;
    }
    Some(
        1 + chars
            .iter()
            .skip(1)
            .take_while(|&&c| start(c) || c == '.' || c.is_ascii_digit())
            .count(),
    )
}

/// One recognised command-line option occurrence.
struct OptionTuple {
    action: Option<&'static ArgAction>,
    option_string: String,
    explicit: Option<String>,
}

/// argparse's `_parse_optional`; `Err` is an `error()` message.
fn parse_optional(arg: &str) -> Result<Option<OptionTuple>, String> {
    let table = option_strings();
    if arg.is_empty() || !arg.starts_with('-') {
        return Ok(None);
    }
    if let Some((_, a)) = table.iter().find(|(s, _)| *s == arg) {
        return Ok(Some(OptionTuple {
            action: Some(a),
            option_string: arg.to_owned(),
            explicit: None,
        }));
    }
    if arg.chars().count() == 1 {
        return Ok(None);
    }
    if let Some((opt, explicit)) = arg.split_once('=') {
        if let Some((_, a)) = table.iter().find(|(s, _)| *s == opt) {
            return Ok(Some(OptionTuple {
                action: Some(a),
                option_string: opt.to_owned(),
                explicit: Some(explicit.to_owned()),
            }));
        }
    }
    // `_get_option_tuples`
    let mut tuples: Vec<OptionTuple> = Vec::new();
    if arg.starts_with("--") {
        let (prefix, explicit) = match arg.split_once('=') {
            Some((p, e)) => (p, Some(e.to_owned())),
            None => (arg, None),
        };
        for (s, a) in &table {
            if s.starts_with(prefix) {
                tuples.push(OptionTuple {
                    action: Some(a),
                    option_string: (*s).to_owned(),
                    explicit: explicit.clone(),
                });
            }
        }
    } else {
        let short: String = arg.chars().take(2).collect();
        let short_explicit: String = arg.chars().skip(2).collect();
        for (s, a) in &table {
            if *s == short {
                tuples.push(OptionTuple {
                    action: Some(a),
                    option_string: (*s).to_owned(),
                    explicit: Some(short_explicit.clone()),
                });
            } else if s.starts_with(arg) {
                tuples.push(OptionTuple {
                    action: Some(a),
                    option_string: (*s).to_owned(),
                    explicit: None,
                });
            }
        }
    }
    if tuples.len() > 1 {
        let matches: Vec<&str> = tuples.iter().map(|t| t.option_string.as_str()).collect();
        return Err(format!(
            "ambiguous option: {arg} could match {}",
            matches.join(", ")
        ));
    }
    if let Some(t) = tuples.pop() {
        return Ok(Some(t));
    }
    if crate::argparse::is_negative_number(arg) || arg.contains(' ') {
        return Ok(None);
    }
    Ok(Some(OptionTuple {
        action: None,
        option_string: arg.to_owned(),
        explicit: None,
    }))
}

/// `oslo-config-validator`'s command line as data (the `--help` it
/// prints), for man pages and shell completions.
pub fn command_doc() -> crate::clidoc::CommandDoc {
    let formatter = Formatter::new("oslo-config-validator", &|_| None);
    crate::clidoc::CommandDoc::from_parser(&formatter.parser)
}

/// Runs `oslo-config-validator` with `args` (without the program name),
/// reading environment variables through `env`; `prog` is the program
/// name argparse shows (`basename(argv[0])`, `.py` removed).
pub fn run(prog: &str, args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Outcome {
    let prog = prog.strip_suffix(".py").unwrap_or(prog);
    let formatter = Formatter::new(prog, env);
    let mut conf = Conf::new(env, prog);
    let mut out = Outcome::default();
    let result = run_conf(&mut conf, &formatter, args, &mut out);
    for line in &conf.log {
        out.stderr.push_str(&line.render());
        out.stderr.push('\n');
    }
    match result {
        Ok(report) => {
            out.stderr.push_str(&report.stderr());
            out.code = report.exit_code;
        }
        Err(Exit::Usage(msg)) => {
            out.stderr
                .push_str(&format!("{}\n{prog}: error: {msg}\n", formatter.usage()));
            out.code = 2;
        }
        Err(Exit::Printed(text)) => {
            out.stdout.push_str(&text);
            out.code = 0;
        }
        Err(Exit::Raise(line) | Exit::Message(line)) => {
            out.stderr.push_str(&line);
            out.stderr.push('\n');
            out.code = 1;
        }
    }
    out
}

/// `ConfigOpts.__call__` and `_validate`.
fn run_conf(
    conf: &mut Conf<'_>,
    formatter: &Formatter,
    args: &[String],
    out: &mut Outcome,
) -> Result<Report, Exit> {
    if args.first().map(String::as_str) == Some("--shell_completion")
        && matches!(args.get(1).map(String::as_str), Some("bash" | "zsh"))
    {
        return Err(Exit::Raise(
            "oslo-config-validator: --shell_completion is not supported by this implementation"
                .to_owned(),
        ));
    }
    // Default config files and dirs, unless given on the command line.
    if !args
        .iter()
        .any(|a| a == "--config-file" || a.starts_with("--config-file="))
    {
        for f in conf.default_files.clone() {
            conf.parse_file(&f)?;
        }
    }
    if !args
        .iter()
        .any(|a| a == "--config-dir" || a.starts_with("--config-dir="))
    {
        for d in conf.default_dirs.clone() {
            conf.parse_dir(&d, false)?;
        }
    }
    parse_args(conf, formatter, args)?;
    conf.validate_cli_options()?;
    if !conf.not_found.is_empty() {
        return Err(Exit::Raise(format!(
            "oslo_config.cfg.ConfigFilesNotFoundError: Failed to find some config files: {}",
            conf.not_found.join(",")
        )));
    }
    if !conf.denied.is_empty() {
        return Err(Exit::Raise(format!(
            "oslo_config.cfg.ConfigFilesPermissionDeniedError: Failed to open some config \
             files: {}",
            conf.denied.join(",")
        )));
    }
    conf.load_alternative_sources()?;
    if conf.get("input_file")? == Value::None {
        out.stdout.push_str(&formatter.help());
        if args.is_empty() {
            // `raise SystemExit(1)`: nothing on stderr.
            return Ok(Report {
                log: Vec::new(),
                exit_code: 1,
                failure: None,
            });
        }
        return Err(Exit::Raise(
            "oslo_config.cfg.RequiredOptError: value required for option input-file in group \
             [DEFAULT]"
                .to_owned(),
        ));
    }
    // `_validate`
    if conf.get("namespace")?.truthy() {
        return Err(Exit::Raise(
            "oslo-config-validator: --namespace is not supported by this implementation (it \
             needs the Python entry points); generate the option data with \
             `oslo-config-generator --namespace ... --format yaml` and pass it with --opt-data"
                .to_owned(),
        ));
    }
    let opt_data = match conf.get("opt_data")? {
        Value::Str(path) if !path.is_empty() => path,
        _ => {
            return Err(Exit::Raise(
                "RuntimeError: Neither namespace nor opt-data provided.".to_owned(),
            ));
        }
    };
    let opt_data = load_opt_data(&opt_data)?;
    let input = conf.get("input_file")?.py_str();
    let doc = load_input(&input)?;
    let merged = doc.merged();
    let mut log = Vec::new();
    let result = check(&opt_data, &merged, conf, &mut log);
    Ok(report(log, result))
}

/// argparse's `parse_args` over this parser, running the actions
/// (including parsing config files) as they come.
fn parse_args(conf: &mut Conf<'_>, formatter: &Formatter, args: &[String]) -> Result<(), Exit> {
    // Classify every argument first: 'O' options, 'A' arguments, '-' for
    // the first `--` (everything after it is an argument).
    let mut pattern: Vec<char> = Vec::with_capacity(args.len());
    let mut options: HashMap<usize, OptionTuple> = HashMap::new();
    let mut after_dashes = false;
    for (i, arg) in args.iter().enumerate() {
        if after_dashes {
            pattern.push('A');
        } else if arg == "--" {
            pattern.push('-');
            after_dashes = true;
        } else {
            match parse_optional(arg).map_err(Exit::Usage)? {
                Some(t) => {
                    options.insert(i, t);
                    pattern.push('O');
                }
                None => pattern.push('A'),
            }
        }
    }
    let mut extras: Vec<String> = Vec::new();
    let mut indices: Vec<usize> = options.keys().copied().collect();
    indices.sort_unstable();
    let mut start = 0usize;
    for &index in &indices {
        if index < start {
            continue;
        }
        extras.extend(args.get(start..index).unwrap_or_default().iter().cloned());
        start = consume_optional(
            conf,
            formatter,
            args,
            &pattern,
            &mut options,
            index,
            &mut extras,
        )?;
    }
    extras.extend(args.get(start..).unwrap_or_default().iter().cloned());
    if !extras.is_empty() {
        return Err(Exit::Usage(format!(
            "unrecognized arguments: {}",
            extras.join(" ")
        )));
    }
    Ok(())
}

fn arg_error(action: &ArgAction, msg: &str) -> Exit {
    Exit::Usage(format!("argument {}: {msg}", action.name()))
}

/// argparse's `consume_optional`: the index after the option's arguments.
fn consume_optional(
    conf: &mut Conf<'_>,
    formatter: &Formatter,
    args: &[String],
    pattern: &[char],
    options: &mut HashMap<usize, OptionTuple>,
    index: usize,
    extras: &mut Vec<String>,
) -> Result<usize, Exit> {
    let Some(tuple) = options.remove(&index) else {
        return Ok(index + 1);
    };
    let table = option_strings();
    let mut action = tuple.action;
    let mut option_string = tuple.option_string;
    let mut explicit = tuple.explicit;
    let mut todo: Vec<(&'static ArgAction, Vec<String>)> = Vec::new();
    let stop;
    loop {
        let Some(act) = action else {
            extras.extend(args.get(index).cloned());
            return Ok(index + 1);
        };
        let count = usize::from(act.takes_value());
        if let Some(e) = explicit.take() {
            let second_is_dash = option_string.chars().nth(1) == Some('-');
            if count == 0 && !second_is_dash && !e.is_empty() {
                todo.push((act, Vec::new()));
                let first_char: String = option_string.chars().take(1).collect();
                let mut chars = e.chars();
                let next: String = chars.next().map(String::from).unwrap_or_default();
                let rest = chars.as_str();
                option_string = format!("{first_char}{next}");
                match table.iter().find(|(s, _)| *s == option_string) {
                    Some((_, a)) => {
                        action = Some(a);
                        explicit = (!rest.is_empty()).then(|| rest.to_owned());
                    }
                    None => {
                        return Err(arg_error(
                            act,
                            &format!("ignored explicit argument {}", str_repr(&e)),
                        ));
                    }
                }
            } else if count == 1 {
                stop = index + 1;
                todo.push((act, vec![e]));
                break;
            } else {
                return Err(arg_error(
                    act,
                    &format!("ignored explicit argument {}", str_repr(&e)),
                ));
            }
        } else {
            if count == 1 && pattern.get(index + 1) != Some(&'A') {
                return Err(arg_error(act, "expected one argument"));
            }
            stop = index + 1 + count;
            todo.push((act, args.get(index + 1..stop).unwrap_or_default().to_vec()));
            break;
        }
    }
    for (act, values) in todo {
        take_action(conf, formatter, act, values)?;
    }
    Ok(stop)
}

fn take_action(
    conf: &mut Conf<'_>,
    formatter: &Formatter,
    act: &'static ArgAction,
    mut values: Vec<String>,
) -> Result<(), Exit> {
    // `_get_values` drops the first `--`; a lone `--=`-style value then
    // becomes `[]`, whose str() is '[]'.
    let value = if let Some(pos) = values.iter().position(|v| v == "--") {
        values.remove(pos);
        None
    } else {
        values.pop()
    };
    match act.act {
        Act::Help => Err(Exit::Printed(formatter.help())),
        Act::Version => Err(Exit::Printed(format!("{VERSION}\n"))),
        Act::StoreTrue => {
            conf.attrs.insert(act.dest, Raw::Bool(true));
            Ok(())
        }
        Act::StoreFalse => {
            conf.attrs.insert(act.dest, Raw::Bool(false));
            Ok(())
        }
        Act::Store => {
            conf.attrs
                .insert(act.dest, Raw::Str(value.unwrap_or_else(|| "[]".to_owned())));
            Ok(())
        }
        Act::Append => {
            let v = value.unwrap_or_else(|| "[]".to_owned());
            match conf.attrs.get_mut(act.dest) {
                Some(Raw::List(items)) => items.push(v),
                Some(Raw::Str(_)) => {
                    return Err(Exit::Raise(
                        "AttributeError: 'str' object has no attribute 'append'".to_owned(),
                    ));
                }
                _ => {
                    conf.attrs.insert(act.dest, Raw::List(vec![v]));
                }
            }
            Ok(())
        }
        Act::ConfigFile => {
            let Some(path) = value else {
                return Err(Exit::Raise("AssertionError".to_owned()));
            };
            match conf.attrs.get_mut(act.dest) {
                Some(Raw::List(items)) => items.push(path.clone()),
                Some(Raw::Str(_)) => {
                    return Err(Exit::Raise(
                        "AttributeError: 'str' object has no attribute 'append'".to_owned(),
                    ));
                }
                _ => {
                    conf.attrs.insert(act.dest, Raw::List(vec![path.clone()]));
                }
            }
            conf.parse_file(&path)
        }
        Act::ConfigDir => {
            let Some(dir) = value else {
                return Err(Exit::Raise("AssertionError".to_owned()));
            };
            conf.attrs.insert(act.dest, Raw::Str(dir.clone()));
            conf.parse_dir(&dir, true)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn data(yaml: &str) -> Value {
        pycompat::yaml::safe_load(yaml.as_bytes()).unwrap()
    }

    const DATA: &str = "
deprecated_options:
  DEFAULT:
  - name: old_opt
    replacement_group: DEFAULT
    replacement_name: new_opt
options:
  DEFAULT:
    opts:
    - {name: new-opt, dest: new_opt, default: 'x'}
    - {name: flag, dest: flag, default: true}
    - {name: empty, dest: empty, default: []}
    - {name: my_url, dest: my_url, default: 'a'}
  other:
    opts: []
";

    fn lines(r: &Report) -> Vec<String> {
        r.stderr().lines().map(str::to_owned).collect()
    }

    #[test]
    fn reports_unknown_and_deprecated() {
        let doc = ini::parse(
            "[DEFAULT]\nnew_opt = x\nnew-opt = y\nold_opt = 1\nbogus = 2\n[keystone_authtoken]\nz=1\n",
        )
        .unwrap();
        let r = validate(&data(DATA), &doc, &ValidatorOptions::default());
        assert_eq!(
            lines(&r),
            vec![
                "WARNING:oslo_config.validator:Deprecated opt DEFAULT/old_opt found",
                "ERROR:oslo_config.validator:DEFAULT/bogus is not part of the sample config",
                "INFO:oslo_config.validator:Ignoring missing option \"z\" from group \
                 \"keystone_authtoken\" because the group is known to have incomplete sample \
                 config data and thus cannot be validated properly.",
            ]
        );
        assert_eq!(r.exit_code, 1);
    }

    #[test]
    fn check_defaults() {
        let doc =
            ini::parse("[DEFAULT]\nnew_opt = y\nflag = true\nempty = a\nempty = b\nmy_url = q\n")
                .unwrap();
        let opts = ValidatorOptions {
            check_defaults: true,
            ..ValidatorOptions::default()
        };
        let r = validate(&data(DATA), &doc, &opts);
        assert_eq!(
            lines(&r),
            vec![
                "WARNING:oslo_config.validator:DEFAULT/new_opt sample value ['x'] is not in ['y']",
                "WARNING:oslo_config.validator:DEFAULT/flag sample value ['True'] is not in ['true']",
                "INFO:oslo_config.validator:DEFAULT/empty defined 2 times",
                "WARNING:oslo_config.validator:DEFAULT/empty sample value is empty but input-file has a, b",
                "INFO:oslo_config.validator:DEFAULT/my_url Ignoring option because it is part of the \
                 excluded patterns. This can be changed with the --exclude-options argument",
                "WARNING:oslo_config.validator:Group other from the sample config is not defined in input-file",
            ]
        );
        assert_eq!(r.exit_code, 0);
        let fatal = ValidatorOptions {
            fatal_warnings: true,
            ..opts
        };
        assert_eq!(validate(&data(DATA), &doc, &fatal).exit_code, 1);
    }

    #[test]
    fn malformed_data_fails_like_python() {
        let doc = ini::parse("[DEFAULT]\na = 1\n").unwrap();
        let r = validate(&Value::None, &doc, &ValidatorOptions::default());
        assert_eq!(
            r.failure.as_deref(),
            Some("TypeError: 'NoneType' object is not subscriptable")
        );
        let r = validate(
            &data("deprecated_options: {}\n"),
            &doc,
            &ValidatorOptions::default(),
        );
        assert_eq!(r.failure.as_deref(), Some("KeyError: 'options'"));
        let empty = ini::parse("").unwrap();
        let r = validate(&Value::None, &empty, &ValidatorOptions::default());
        assert_eq!((r.exit_code, r.failure), (0, None));
    }

    #[test]
    fn from_paths() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.json");
        let input = dir.path().join("in.conf");
        std::fs::write(
            &data,
            r#"{"deprecated_options": {}, "options": {"DEFAULT": {"opts": []}}}"#,
        )
        .unwrap();
        std::fs::write(&input, "[DEFAULT]\nx = 1\n").unwrap();
        let (d, i) = (data.to_str().unwrap(), input.to_str().unwrap());
        let r = validate_paths(d, i, &ValidatorOptions::default());
        assert_eq!(
            r.stderr(),
            "ERROR:oslo_config.validator:DEFAULT/x is not part of the sample config\n"
        );
        std::fs::write(&input, "x = 1\n").unwrap();
        let r = validate_paths(d, i, &ValidatorOptions::default());
        assert_eq!(
            r.failure.unwrap(),
            format!(
                "oslo_config.cfg.ParseError: at {i}:1, Section must be started before \
                 assignment: ''"
            )
        );
        let r = validate_paths("/nonexistent.yaml", i, &ValidatorOptions::default());
        assert_eq!(
            r.failure.unwrap(),
            "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent.yaml'"
        );
    }

    #[test]
    fn argparse_usage_and_help_at_80_columns() {
        let env = |_: &str| None;
        let f = Formatter::new("oslo-config-validator", &env);
        assert_eq!(
            f.usage(),
            "usage: oslo-config-validator [-h] [--check-defaults] [--config-dir DIR]
                             [--config-file PATH]
                             [--exclude-group EXCLUDE_GROUP]
                             [--exclude-options EXCLUDE_OPTIONS]
                             [--fatal-warnings] [--input-file INPUT_FILE]
                             [--namespace NAMESPACE] [--nocheck-defaults]
                             [--nofatal-warnings] [--opt-data OPT_DATA]
                             [--shell_completion SHELL_COMPLETION] [--version]"
        );
        let help = f.help();
        assert!(help.contains(
            "\n  --opt-data OPT_DATA   Path to a YAML file containing definitions of options,\n"
        ));
        assert!(help.ends_with("  --version             show program's version number and exit\n"));
    }

    #[test]
    fn decoding_errors() {
        assert_eq!(
            decode_text(b"a\xff").unwrap_err(),
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
        );
        assert_eq!(
            decode_text(b"a\xe2\x82(").unwrap_err(),
            "UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"
        );
        assert_eq!(
            decode_text(b"ab\xe2\x82").unwrap_err(),
            "UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 2-3: unexpected end of data"
        );
        let mut big = vec![b'a'; 8191];
        big.extend_from_slice("é".as_bytes());
        big.push(0xff);
        assert_eq!(
            decode_text(&big).unwrap_err(),
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"
        );
    }

    #[test]
    fn templates() {
        let env = |k: &str| (k == "OS_DEFAULT__OPT_DATA").then(|| "d".to_owned());
        let mut conf = Conf::new(&env, "x");
        assert_eq!(conf.substitute_str("a$$b\\$c$").unwrap(), "a$b$c$");
        assert_eq!(
            conf.substitute_str("${opt_data}/$opt_data.").unwrap_err().0,
            "oslo_config.cfg.NoSuchGroupError: no such group [opt_data]"
        );
        assert_eq!(
            conf.substitute_str("${opt_data}/x${a-b}").unwrap(),
            "d/x${a-b}"
        );
        assert_eq!(
            conf.substitute_str("$check_defaults $namespace|").unwrap(),
            "False |"
        );
    }
}
