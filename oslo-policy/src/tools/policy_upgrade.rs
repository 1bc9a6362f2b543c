//! `oslopolicy-policy-upgrade`: a policy file with every rule that a
//! registered default renamed (its `deprecated_rule`) moved to the new
//! name, written as `yaml.safe_dump` writes it — byte-identical with
//! oslo.policy's tool.
//!
//! ```text
//! oslopolicy-policy-upgrade --defaults FILE [--defaults FILE...]
//!                           --policy FILE [--output-file F]
//! ```
//! Python services name entry-point `--namespace`s; here each `--defaults
//! FILE` (see `crate::defaults`) is one namespace, named by its path.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use super::args::DefaultsArgs;
use crate::cli::{NamespaceRegistry, ToolError};
use crate::upgrade::upgrade;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-policy-upgrade",
    version = crate::VERSION,
    about = "Upgrade the rule names of a policy file"
)]
struct Cli {
    #[command(flatten)]
    defaults: DefaultsArgs,
    /// Path to the policy file which need to be updated.
    #[arg(long)]
    policy: PathBuf,
}

/// The command line, for man pages and shell completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn run(cli: &Cli, registry: &NamespaceRegistry) -> Result<(), ToolError> {
    crate::cli::read_config_files("oslopolicy-policy-upgrade", &cli.defaults.config_file, &[])?;
    let sections = cli.defaults.resolve(registry)?;
    let bytes = std::fs::read(&cli.policy).map_err(|e| ToolError::read(&cli.policy, &e))?;
    let text = upgrade(&bytes, &sections).map_err(|e| e.in_file(&cli.policy))?;
    crate::cli::write_output(cli.defaults.output_file.as_deref(), &text)
}

/// The tool's `main`: parses `args` (the program name first, as
/// `std::env::args_os()` gives them; `--help` and usage errors exit the
/// process, as clap does) and runs it with `registry` available to
/// `--namespace`. Prints its output and errors.
pub fn main<I, T>(args: I, registry: &NamespaceRegistry) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    super::exit(
        "oslopolicy-policy-upgrade",
        run(&Cli::parse_from(args), registry),
    )
}
