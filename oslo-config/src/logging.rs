//! Log records as Python's `logging` would print them: what `ConfigOpts`
//! and the tools log (deprecated option names, config sources that cannot
//! be loaded, reload problems), kept so that a tool can print the
//! reference's log lines (`LEVEL:logger:message`) and a library user can
//! read them; each is also sent to `tracing`.

use std::sync::Mutex;

/// A logging level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
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
pub struct LogRecord {
    /// Its level.
    pub level: Level,
    /// The logger's name (`oslo_config.cfg`, `oslo_config.validator`).
    pub logger: &'static str,
    /// The formatted message.
    pub message: String,
}

impl LogRecord {
    /// A record of `logger`.
    pub fn new(level: Level, logger: &'static str, message: String) -> LogRecord {
        LogRecord {
            level,
            logger,
            message,
        }
    }

    /// `LEVEL:logger:message`, as `logging.basicConfig()` formats it.
    pub fn render(&self) -> String {
        format!("{}:{}:{}", self.level.name(), self.logger, self.message)
    }
}

/// The logger of `oslo_config/cfg.py`.
pub(crate) const CFG: &str = "oslo_config.cfg";

/// How many records a [`Recorder`] keeps before it drops the oldest (a
/// service that reads a deprecated name on every request and never takes
/// the records must not grow without bound; Python's logging keeps none).
const KEEP: usize = 10_000;

/// Records kept until taken.
#[derive(Debug, Default)]
pub(crate) struct Recorder(Mutex<Vec<LogRecord>>);

impl Recorder {
    /// Records `message` from `oslo_config.cfg` and sends it to `tracing`.
    pub(crate) fn cfg(&self, level: Level, message: String) {
        match level {
            Level::Info => tracing::info!("{message}"),
            Level::Warning => tracing::warn!("{message}"),
            Level::Error => tracing::error!("{message}"),
        }
        let mut records = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if records.len() >= KEEP {
            records.remove(0);
        }
        records.push(LogRecord::new(level, CFG, message));
    }

    /// The records so far, oldest first; the recorder is then empty.
    pub(crate) fn take(&self) -> Vec<LogRecord> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
