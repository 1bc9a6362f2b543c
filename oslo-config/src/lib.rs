//! A drop-in replacement for OpenStack's `oslo.config` (10.7.0): options
//! registered in groups, resolved from defaults, config files and dirs,
//! the environment and the command line with the reference's precedence,
//! and its tools — value for value, error for error.
//!
//! * [`conf`] — `ConfigOpts`: registration, parsing, resolution,
//!   overrides, locations, reload on SIGHUP;
//! * [`opts`] — `Opt`, `OptGroup`, deprecated names, sub-commands;
//! * [`types`] — the option types and their parsing;
//! * [`typed`] — typed keys (`TypedOpt`, `Key<T>`);
//! * [`namespace`] — parsed files;
//! * [`location`] — where a value came from;
//! * [`logging`] — log records as Python's `logging` prints them;
//! * [`ini`] — the INI dialect of oslo.config;
//! * [`template`] — `$name` interpolation;
//! * [`optdata`] — opt-data (the generator's YAML/JSON) as options;
//! * [`generator`], [`validator`] — `oslo-config-generator` and
//!   `oslo-config-validator`;
//! * [`error`], [`pytype`] — errors named after the Python exceptions,
//!   and the Python `repr`/`==` of types;
//! * [`report`] — errors in operator words (`FILE:LINE: [group] name:
//!   what is wrong`), and the masking of secret values;
//! * [`check`] — every problem of a configuration in one run (`oslo-config
//!   check`);
//! * [`cli`] — the `oslo-config` tool's command line;
//! * [`clidoc`] — a tool's command line as data, for man pages and shell
//!   completions.

mod argparse;
pub mod check;
pub mod cli;
pub mod clidoc;
pub mod conf;
pub mod error;
pub mod generator;
pub mod ini;
pub mod location;
pub mod logging;
pub mod namespace;
pub mod optdata;
pub mod opts;
pub mod pytype;
pub mod report;
pub mod template;
pub mod typed;
pub mod types;
pub mod validator;

pub use conf::{CallArgs, ConfigOpts, Mutations};
pub use error::{Error, Result};
pub use location::{LocationInfo, Locations};
pub use opts::{DeprecatedOpt, Opt, OptGroup, SubArg, SubArgAction, SubCommand, SubCommands};
pub use typed::{FromValue, Key, TypedOpt};
pub use types::Type;
