//! The `oslo-config` tool's command line, declared once: the binary parses
//! with it, and the man page and shell completions are generated from it
//! (`cargo run -p xtask -- docs`). `oslo-config-generator` and
//! `oslo-config-validator` keep the reference's argparse command lines
//! ([`crate::clidoc`] describes them).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// This version, and the reference it follows value for value.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (oslo.config 10.7.0)");

#[derive(Parser)]
#[command(
    name = "oslo-config",
    version = VERSION,
    about = "Resolve options as oslo.config does"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
// Not `#[non_exhaustive]`: the tool must handle every sub-command, so its
// match is exhaustive on purpose.
pub enum Command {
    /// Print every option's value as one JSON object (the conformance
    /// contract: secret values included, errors as the reference's).
    Dump(Args),
    /// Print every option's value and where it came from, then every
    /// problem (exit status 1 if there is an error).
    Explain(Explain),
    /// Report every problem of the configuration, one per line (exit
    /// status 1 if there is an error).
    Check(Check),
}

#[derive(clap::Args)]
pub struct Args {
    /// The options: opt-data as `oslo-config-generator --format yaml` (or
    /// json) writes it, with the `x_cli`, `x_multi`, `x_type` extensions.
    #[arg(long = "opt-data", value_name = "SCHEMA")]
    pub opt_data: PathBuf,
    /// The application's command line (`--config-file`, `--config-dir`,
    /// command-line options).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub app_args: Vec<String>,
}

#[derive(clap::Args)]
pub struct Explain {
    /// Show the values of secret options (masked as **** otherwise).
    #[arg(long)]
    pub show_secrets: bool,
    #[command(flatten)]
    pub args: Args,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `FILE:LINE: [group] name: what is wrong`, one per line.
    Text,
    /// One JSON array of problems.
    Json,
}

#[derive(clap::Args)]
pub struct Check {
    /// Show the values of secret options in messages (masked otherwise).
    #[arg(long)]
    pub show_secrets: bool,
    /// Warnings (deprecated names, keys set twice…) fail too.
    #[arg(long)]
    pub strict: bool,
    /// How to print the problems.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub args: Args,
}

impl Command {
    /// The application's command line, whichever the subcommand.
    pub fn args_mut(&mut self) -> &mut Args {
        match self {
            Command::Dump(a) => a,
            Command::Explain(e) => &mut e.args,
            Command::Check(c) => &mut c.args,
        }
    }
}
