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
//! * [`run`] (in `validator/cli.rs`): the whole command, its options
//!   declared as [`Opt`](crate::Opt)s and parsed by a
//!   [`ConfigOpts`](crate::ConfigOpts) as the reference's are, with the
//!   library's log records (`config_source` groups it cannot load) printed
//!   as `logging` prints them. Where the reference prints a traceback,
//!   this prints only its last line. `--namespace` (which needs the Python
//!   entry points) and `config_source` drivers are refused with one line
//!   and exit status 1.

use std::collections::HashMap;

use pycompat::value::Value;

use crate::ini::{self, Document, MergedSection};
use crate::logging::{Level, LogRecord};

mod cli;

pub use cli::{Outcome, command_doc, run};

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

/// The validator's logger.
const LOGGER: &str = "oslo_config.validator";

/// A record of the validator's logger.
fn record(level: Level, message: String) -> LogRecord {
    LogRecord::new(level, LOGGER, message)
}

/// What a validation run reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The log records, in order.
    pub log: Vec<LogRecord>,
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

fn report(log: Vec<LogRecord>, result: Result<i32, Failure>) -> Report {
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
    log: &mut Vec<LogRecord>,
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
            log.push(record(
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
                log.push(record(
                    Level::Info,
                    format!(
                        "{group}/{keyname} Ignoring option because it is part of the excluded \
                         patterns. This can be changed with the --exclude-options argument"
                    ),
                ));
                continue;
            }
            if value.len() > 1 {
                log.push(record(
                    Level::Info,
                    format!("{group}/{keyname} defined {} times", value.len()),
                ));
            }
            if !default.truthy() {
                log.push(record(
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
                log.push(record(
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
    log: &mut Vec<LogRecord>,
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
                log.push(record(
                    Level::Warning,
                    format!("Deprecated opt {section}/{option} found"),
                ));
                warnings = true;
            } else if !known_opt(section, option, opt_data)? {
                if KNOWN_BAD_GROUPS.contains(section) {
                    log.push(record(
                        Level::Info,
                        format!(
                            "Ignoring missing option \"{option}\" from group \"{section}\" \
                             because the group is known to have incomplete sample config \
                             data and thus cannot be validated properly."
                        ),
                    ));
                    continue;
                }
                log.push(record(
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

/// Decodes a file's bytes as Python's text-mode reading does.
fn decode_text(bytes: &[u8]) -> Result<String, Failure> {
    crate::parsed::decode_text(bytes)
        .map(std::borrow::Cow::into_owned)
        .map_err(Failure::from)
}

/// `open(path).read()`.
fn read_text(path: &str) -> Result<String, Failure> {
    if path.contains('\0') {
        return Err(Failure("ValueError: embedded null byte".to_owned()));
    }
    match std::fs::read(path) {
        Ok(bytes) => decode_text(&bytes),
        Err(e) => Err(Failure(crate::report::os_error_line(&e, path))),
    }
}

/// `load_opt_data`: `yaml.safe_load(open(path))`.
fn load_opt_data(path: &str) -> Result<Value, Failure> {
    let text = read_text(path)?;
    pycompat::yaml::safe_load(text.as_bytes()).map_err(|e| Failure(format!("yaml.YAMLError: {e}")))
}

/// Reads and parses the input file as `cfg.ConfigParser(path, {}).parse()`.
fn load_input(path: &str) -> Result<Document, Failure> {
    let text = read_text(path)?;
    ini::parse(&text)
        .map_err(|e| Failure(format!("oslo_config.cfg.ParseError: {}", e.message(path))))
}

#[cfg(test)]
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
    fn decoding_errors() {
        assert_eq!(
            decode_text(b"a\xff").unwrap_err().0,
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
        );
        assert_eq!(
            decode_text(b"a\xe2\x82(").unwrap_err().0,
            "UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"
        );
        assert_eq!(
            decode_text(b"ab\xe2\x82").unwrap_err().0,
            "UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 2-3: unexpected end of data"
        );
        let mut big = vec![b'a'; 8191];
        big.extend_from_slice("é".as_bytes());
        big.push(0xff);
        assert_eq!(
            decode_text(&big).unwrap_err().0,
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"
        );
    }
}
