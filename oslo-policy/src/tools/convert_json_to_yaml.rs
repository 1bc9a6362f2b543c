//! `oslopolicy-convert-json-to-yaml`: a JSON policy file rewritten as
//! YAML, byte-identical with oslo.policy's (deprecated) tool — rules equal
//! to their registered default commented out, every rule with a default
//! described as in the sample file, the file's other rules kept as they
//! are after a warning.
//!
//! ```text
//! oslopolicy-convert-json-to-yaml --defaults FILE [--defaults FILE...]
//!                                 --policy-file policy.json [--output-file F]
//! ```
//! Python services name entry-point `--namespace`s; here each `--defaults
//! FILE` (see `crate::defaults`) is one namespace, named by its path.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use super::args::DefaultsArgs;
use crate::cli::{NamespaceRegistry, ToolError};
use crate::upgrade::convert_json_to_yaml;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-convert-json-to-yaml",
    version = crate::VERSION,
    about = "Convert a JSON policy file to YAML"
)]
struct Cli {
    #[command(flatten)]
    defaults: DefaultsArgs,
    /// Path to the policy file which need to be converted to yaml format.
    #[arg(long = "policy-file")]
    policy_file: PathBuf,
}

/// The command line, for man pages and shell completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn run(cli: &Cli, registry: &NamespaceRegistry) -> Result<(), ToolError> {
    crate::cli::read_config_files(
        "oslopolicy-convert-json-to-yaml",
        &cli.defaults.config_file,
        &[],
    )?;
    let sections = cli.defaults.resolve(registry)?;
    let bytes =
        std::fs::read(&cli.policy_file).map_err(|e| ToolError::read(&cli.policy_file, &e))?;
    let text = convert_json_to_yaml(&bytes, &sections).map_err(|e| e.in_file(&cli.policy_file))?;
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
    let cli = Cli::parse_from(args);
    eprintln!(
        "WARNING:oslo_policy.generator:The oslopolicy-convert-json-to-yaml tool is deprecated"
    );
    super::exit("oslopolicy-convert-json-to-yaml", run(&cli, registry))
}
