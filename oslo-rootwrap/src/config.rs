//! `rootwrap.conf`: the `[DEFAULT]` options of the reference's
//! `wrapper.RootwrapConfig`, read with strict `RawConfigParser` semantics.

use crate::ini::{Ini, IniError};
use pycompat::str::{IntError, py_int_saturating};

/// Why a rootwrap.conf was refused (exit 97 in the CLI).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A `configparser.Error`: syntax, duplicates, or `filters_path` missing.
    /// The CLI reports it as "Incorrect configuration file: CONF".
    #[error("{0}")]
    Parser(String),
    /// A `ValueError`; the message is what Python puts in `exc.args[0]`.
    /// The CLI reports it as "Incorrect value in CONF: MESSAGE".
    #[error("{0}")]
    Value(String),
}

/// The syslog settings of rootwrap.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogSettings {
    /// Facility number (`LOG_AUTH` = 4, ...); `None` when the configured
    /// name is a non-integer attribute of Python's `SysLogHandler`, which the
    /// reference accepts but then fails to log with.
    pub facility: Option<u8>,
    /// Minimum Python logging level (ERROR = 40, INFO = 20, ...).
    pub level: u8,
}

/// A loaded rootwrap.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootwrapConfig {
    /// `filters_path` split on commas, entries verbatim (not stripped).
    pub filters_path: Vec<Vec<u8>>,
    /// `exec_dirs` split on commas, or the `PATH` split on colons.
    pub exec_dirs: Vec<Vec<u8>>,
    /// Syslog facility and level.
    pub syslog: SyslogSettings,
    /// `use_syslog`.
    pub use_syslog: bool,
    /// `daemon_timeout` in seconds.
    pub daemon_timeout: i64,
    /// `rlimit_nofile`.
    pub rlimit_nofile: i64,
    /// `daemon_max_message_mb`, verbatim: our extension (the reference
    /// ignores the key), read and validated by `oslo-rootwrap-daemon` only,
    /// so that the CLI decides exactly as the reference on any file.
    pub daemon_max_message_mb: Option<String>,
}

/// `SysLogHandler.facility_names`.
const FACILITY_NAMES: &[(&str, u8)] = &[
    ("auth", 4),
    ("authpriv", 10),
    ("console", 14),
    ("cron", 9),
    ("daemon", 3),
    ("ftp", 11),
    ("kern", 0),
    ("lpr", 6),
    ("mail", 2),
    ("news", 7),
    ("ntp", 12),
    ("security", 13),
    ("solaris-cron", 15),
    ("syslog", 5),
    ("user", 1),
    ("uucp", 8),
    ("local0", 16),
    ("local1", 17),
    ("local2", 18),
    ("local3", 19),
    ("local4", 20),
    ("local5", 21),
    ("local6", 22),
    ("local7", 23),
];

/// Integer class attributes of `logging.handlers.SysLogHandler` (Python
/// 3.11): `getattr(SysLogHandler, name)` is how the reference reads the
/// facility first, so priorities such as `LOG_ERR` are accepted too.
const FACILITY_ATTRS: &[(&str, u8)] = &[
    ("LOG_ALERT", 1),
    ("LOG_AUTH", 4),
    ("LOG_AUTHPRIV", 10),
    ("LOG_CONSOLE", 14),
    ("LOG_CRIT", 2),
    ("LOG_CRON", 9),
    ("LOG_DAEMON", 3),
    ("LOG_DEBUG", 7),
    ("LOG_EMERG", 0),
    ("LOG_ERR", 3),
    ("LOG_FTP", 11),
    ("LOG_INFO", 6),
    ("LOG_KERN", 0),
    ("LOG_LOCAL0", 16),
    ("LOG_LOCAL1", 17),
    ("LOG_LOCAL2", 18),
    ("LOG_LOCAL3", 19),
    ("LOG_LOCAL4", 20),
    ("LOG_LOCAL5", 21),
    ("LOG_LOCAL6", 22),
    ("LOG_LOCAL7", 23),
    ("LOG_LPR", 6),
    ("LOG_MAIL", 2),
    ("LOG_NEWS", 7),
    ("LOG_NOTICE", 5),
    ("LOG_NTP", 12),
    ("LOG_SECURITY", 13),
    ("LOG_SOLCRON", 15),
    ("LOG_SYSLOG", 5),
    ("LOG_USER", 1),
    ("LOG_UUCP", 8),
    ("LOG_WARNING", 4),
];

/// Other attributes of `SysLogHandler` whose value is not `None`: accepted
/// by the reference as a "facility" that then breaks logging.
const OTHER_ATTRS: &[&str] = &[
    "__class__",
    "__delattr__",
    "__dict__",
    "__dir__",
    "__doc__",
    "__eq__",
    "__format__",
    "__ge__",
    "__getattribute__",
    "__getstate__",
    "__gt__",
    "__hash__",
    "__init__",
    "__init_subclass__",
    "__le__",
    "__lt__",
    "__module__",
    "__ne__",
    "__new__",
    "__reduce__",
    "__reduce_ex__",
    "__repr__",
    "__setattr__",
    "__sizeof__",
    "__str__",
    "__subclasshook__",
    "__weakref__",
    "_at_fork_reinit",
    "_connect_unixsocket",
    "acquire",
    "addFilter",
    "append_nul",
    "close",
    "createLock",
    "createSocket",
    "emit",
    "encodePriority",
    "facility_names",
    "filter",
    "flush",
    "format",
    "get_name",
    "handle",
    "handleError",
    "ident",
    "mapPriority",
    "name",
    "priority_map",
    "priority_names",
    "release",
    "removeFilter",
    "setFormatter",
    "setLevel",
    "set_name",
];

/// `logging._nameToLevel`.
const LEVELS: &[(&str, u8)] = &[
    ("CRITICAL", 50),
    ("FATAL", 50),
    ("ERROR", 40),
    ("WARN", 30),
    ("WARNING", 30),
    ("INFO", 20),
    ("DEBUG", 10),
    ("NOTSET", 0),
];

/// Python's `repr()` of a `str` (for `{v!r}` in the reference's messages).
fn repr(s: &str) -> String {
    pycompat::str::py_repr(s.as_bytes())
}

fn split_bytes(s: &str, sep: u8) -> Vec<Vec<u8>> {
    s.as_bytes()
        .split(|&c| c == sep)
        .map(<[u8]>::to_vec)
        .collect()
}

impl RootwrapConfig {
    /// Reads rootwrap.conf like `cmd.main`: a missing or unreadable file
    /// counts as empty (and then fails for lack of `filters_path`).
    /// `path_env` is the `PATH` used when `exec_dirs` is absent.
    pub fn load(path: &std::path::Path, path_env: Option<&[u8]>) -> Result<Self, ConfigError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(ConfigError::Value(e.to_string()));
            }
            Err(_) => Vec::new(),
        };
        Self::parse(&bytes, &path.display().to_string(), path_env)
    }

    /// Parses rootwrap.conf contents (see [`RootwrapConfig::load`]).
    pub fn parse(bytes: &[u8], file: &str, path_env: Option<&[u8]>) -> Result<Self, ConfigError> {
        let ini = Ini::parse(bytes, file, true).map_err(|e| match e {
            // UnicodeDecodeError.args[0] is the codec name.
            IniError::Decode { .. } => ConfigError::Value("utf-8".to_owned()),
            other => ConfigError::Parser(other.to_string()),
        })?;
        Self::from_ini(&ini, path_env)
    }

    /// Interprets the `[DEFAULT]` options, in the reference's order (which
    /// decides which error is reported first).
    pub fn from_ini(ini: &Ini, path_env: Option<&[u8]>) -> Result<Self, ConfigError> {
        let filters_path = ini.default("filters_path").ok_or_else(|| {
            ConfigError::Parser("No option 'filters_path' in section: 'DEFAULT'".to_owned())
        })?;
        let filters_path = split_bytes(filters_path, b',');
        let exec_dirs = match ini.default("exec_dirs") {
            Some(v) => split_bytes(v, b','),
            None => path_env
                .map(|p| p.split(|&c| c == b':').map(<[u8]>::to_vec).collect())
                .unwrap_or_default(),
        };
        let facility = match ini.default("syslog_log_facility") {
            None => Some(5),
            Some(v) => {
                if let Some((_, f)) = FACILITY_ATTRS.iter().find(|(n, _)| *n == v) {
                    Some(*f)
                } else if OTHER_ATTRS.contains(&v) {
                    None
                } else if let Some((_, f)) = FACILITY_NAMES.iter().find(|(n, _)| *n == v) {
                    Some(*f)
                } else {
                    return Err(ConfigError::Value(format!(
                        "Unexpected syslog_log_facility: {v}"
                    )));
                }
            }
        };
        let level = match ini.default("syslog_log_level") {
            None => 40,
            Some(v) => {
                let upper = v.to_uppercase();
                LEVELS
                    .iter()
                    .find(|(n, _)| *n == upper)
                    .map(|(_, l)| *l)
                    .ok_or_else(|| {
                        ConfigError::Value(format!("Unexpected syslog_log_level: {}", repr(v)))
                    })?
            }
        };
        let use_syslog = match ini.default("use_syslog") {
            None => false,
            Some(v) => match v.to_lowercase().as_str() {
                "1" | "yes" | "true" | "on" => true,
                "0" | "no" | "false" | "off" => false,
                _ => return Err(ConfigError::Value(format!("Not a boolean: {v}"))),
            },
        };
        let int = |name: &str, default: i64| -> Result<i64, ConfigError> {
            match ini.default(name) {
                None => Ok(default),
                Some(v) => py_int_saturating(v).map_err(|e| match e {
                    IntError::Invalid => ConfigError::Value(format!("{e}: {}", repr(v))),
                    _ => ConfigError::Value(e.to_string()),
                }),
            }
        };
        let daemon_timeout = int("daemon_timeout", 600)?;
        let rlimit_nofile = int("rlimit_nofile", 1024)?;
        Ok(RootwrapConfig {
            filters_path,
            exec_dirs,
            syslog: SyslogSettings { facility, level },
            use_syslog,
            daemon_timeout,
            rlimit_nofile,
            daemon_max_message_mb: ini.default("daemon_max_message_mb").map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<RootwrapConfig, ConfigError> {
        RootwrapConfig::parse(s.as_bytes(), "c", Some(b"/bin:/usr/bin"))
    }

    #[test]
    fn defaults_and_splitting() -> Result<(), ConfigError> {
        let c = parse("[DEFAULT]\nfilters_path=/a, /b\n")?;
        assert_eq!(c.filters_path, vec![b"/a".to_vec(), b" /b".to_vec()]);
        assert_eq!(c.exec_dirs, vec![b"/bin".to_vec(), b"/usr/bin".to_vec()]);
        assert_eq!(
            c.syslog,
            SyslogSettings {
                facility: Some(5),
                level: 40
            }
        );
        assert!(!c.use_syslog);
        assert_eq!((c.daemon_timeout, c.rlimit_nofile), (600, 1024));
        let c = parse(
            "[DEFAULT]\nfilters_path=/a\nexec_dirs=\nsyslog_log_facility=LOG_AUTH\nsyslog_log_level=info\nuse_syslog=On\nrlimit_nofile= +1_0 \n",
        )?;
        assert_eq!(c.exec_dirs, vec![Vec::<u8>::new()]);
        assert_eq!(
            c.syslog,
            SyslogSettings {
                facility: Some(4),
                level: 20
            }
        );
        assert!(c.use_syslog);
        assert_eq!(c.rlimit_nofile, 10);
        Ok(())
    }

    #[test]
    fn errors_like_the_reference() {
        let err = |s: &str| parse(s).err();
        assert!(matches!(err("[DEFAULT]\n"), Some(ConfigError::Parser(_))));
        assert!(matches!(err(""), Some(ConfigError::Parser(_))));
        assert!(matches!(
            err("[DEFAULT]\nfilters_path=a\nfilters_path=b\n"),
            Some(ConfigError::Parser(_))
        ));
        assert_eq!(
            err("[DEFAULT]\nfilters_path=a\nsyslog_log_facility=user0\n"),
            Some(ConfigError::Value(
                "Unexpected syslog_log_facility: user0".to_owned()
            ))
        );
        assert_eq!(
            err("[DEFAULT]\nfilters_path=a\nsyslog_log_level=10\n"),
            Some(ConfigError::Value(
                "Unexpected syslog_log_level: '10'".to_owned()
            ))
        );
        assert_eq!(
            err("[DEFAULT]\nfilters_path=a\nuse_syslog=maybe\n"),
            Some(ConfigError::Value("Not a boolean: maybe".to_owned()))
        );
        assert_eq!(
            err("[DEFAULT]\nfilters_path=a\ndaemon_timeout=x\n"),
            Some(ConfigError::Value(
                "invalid literal for int() with base 10: 'x'".to_owned()
            ))
        );
        assert_eq!(
            RootwrapConfig::parse(b"[DEFAULT]\nfilters_path=\xff\n", "c", None).err(),
            Some(ConfigError::Value("utf-8".to_owned()))
        );
        assert!(parse("[DEFAULT]\nfilters_path=a\nsyslog_log_facility=__doc__\n").is_ok());
    }
}
