//! A drop-in replacement for OpenStack's `oslo.config` (10.7.0): options
//! registered in groups, resolved from defaults, config files and dirs,
//! the environment and the command line with the reference's precedence,
//! and its tools — value for value, error for error.
//!
//! The API is at the root: [`ConfigOpts`] (registration, parsing,
//! resolution, overrides, locations, reload on SIGHUP) with [`CallArgs`];
//! [`Opt`], [`OptGroup`], deprecated names and sub-commands; [`TypedOpt`]
//! and [`Key`] for typed reads; [`Error`] (one variant per Python
//! exception class); [`LocationInfo`]; the [`LogRecord`]s of what
//! `oslo_config.cfg` logs. Public modules:
//!
//! * [`types`] — the option types and their parsing;
//! * [`ini`] — the INI dialect of oslo.config;
//! * [`optdata`] — opt-data (the generator's YAML/JSON) as options;
//! * [`generator`], [`validator`] — `oslo-config-generator` and
//!   `oslo-config-validator`;
//! * [`report`] — errors in operator words (`FILE:LINE: [group] name:
//!   what is wrong`), and the masking of secret values;
//! * [`check`] — every problem of a configuration in one run (`oslo-config
//!   check`);
//! * [`cli`] — the `oslo-config` tool's command line;
//! * [`clidoc`] — a tool's command line as data, for man pages and shell
//!   completions.
//!
//! Inside: `conf/` (`ConfigOpts`, one file per phase: register, command
//! line, files, resolve), `opts`, `key`, `error`, `location`, `logging`,
//! `parsed` (what one parse gave: `cfg._Namespace`), `argparse` (Python's
//! argparse as oslo.config drives it), `template` (`$name`
//! interpolation), `type_repr` (the Python `repr`/`==` of types) and
//! `ospath` (Python's `os.path`).

mod argparse;
pub mod check;
pub mod cli;
pub mod clidoc;
mod conf;
mod error;
pub mod generator;
pub mod ini;
mod key;
mod location;
mod logging;
pub mod optdata;
mod opts;
mod ospath;
mod parsed;
pub mod report;
mod template;
mod type_repr;
pub mod types;
pub mod validator;

pub use conf::{CallArgs, ConfigOpts, Mutations, find_config_files};
pub use error::{BadValue, Error, Result};
pub use key::{FromValue, Key, TypedOpt};
pub use location::{LocationInfo, Locations};
pub use logging::{Level, LogRecord};
pub use opts::{DeprecatedOpt, Opt, OptGroup, SubArg, SubArgAction, SubCommand, SubCommands};
pub use types::Type;
