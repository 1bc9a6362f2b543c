//! `oslopolicy-policy-generator`: the effective policy — every rule from
//! the policy files, then every registered default they do not override —
//! as `"name": "check_str"` lines, byte-identical with oslo.policy's tool.
//!
//! ```text
//! oslopolicy-policy-generator --defaults FILE [--policy FILE] [--policy-dir DIR]
//!                             [--output-file F] [--exclude-deprecated]
//! ```
//! The Python tool finds a configured `Enforcer` through an entry point
//! (`--namespace`); here the defaults come from `--defaults` and the files
//! from `--policy` (default `policy.yaml`) and `--policy-dir`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use super::args::EnforcerArgs;
use crate::cli::{NamespaceRegistry, ToolError, write_output};

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-policy-generator",
    version = crate::VERSION,
    about = "Print the effective policy"
)]
struct Cli {
    #[command(flatten)]
    enforcer: EnforcerArgs,
    /// Path of the file to write to. Defaults to stdout.
    #[arg(long = "output-file")]
    output_file: Option<PathBuf>,
    /// If True, exclude deprecated entries from the generated output (the
    /// effective policy has none).
    #[arg(long = "exclude-deprecated")]
    exclude_deprecated: bool,
}

/// The command line, for man pages and shell completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn run(cli: &Cli, registry: &NamespaceRegistry) -> Result<(), ToolError> {
    let inputs = cli.enforcer.inputs();
    for warning in inputs.missing_inputs() {
        eprintln!("oslopolicy-policy-generator: {warning}");
    }
    let e = inputs.enforcer(registry)?;
    let file_rules = e.file_rules()?;
    let mut out = String::new();
    let mut in_files = std::collections::HashSet::new();
    for r in file_rules.iter() {
        let name = r.name.py_str();
        out.push_str(&format!("\"{name}\": \"{}\"\n", r.source.py_str()));
        in_files.insert(name);
    }
    for d in e.registered_rules() {
        if !in_files.contains(&d.name) {
            out.push_str(&format!("\"{}\": \"{}\"\n", d.name, d.check_str));
        }
    }
    write_output(cli.output_file.as_deref(), &out)
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
        "oslopolicy-policy-generator",
        run(&Cli::parse_from(args), registry),
    )
}
