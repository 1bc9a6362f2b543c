//! A drop-in replacement for OpenStack's `oslo.config` (10.7.0).

mod argparse;
pub mod conf;
pub mod error;
pub mod generator;
pub mod ini;
pub mod namespace;
pub mod optdata;
pub mod opts;
pub mod pytype;
pub mod template;
pub mod typed;
pub mod types;
pub mod validator;

pub use conf::{CallArgs, ConfigOpts, Mutations};
pub use error::{Error, Result};
pub use namespace::{LocationInfo, Locations};
pub use opts::{DeprecatedOpt, Opt, OptGroup, SubArg, SubArgAction, SubCommand, SubCommands};
pub use typed::{FromValue, Key, TypedOpt};
pub use types::Type;
