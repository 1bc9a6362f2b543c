//! `oslopolicy-list-redundant`: the rules of the policy files that only
//! repeat their registered default (same parsed check), printed as the
//! Python tool prints them (`"name": "check_str"`).
//!
//! ```text
//! oslopolicy-list-redundant --defaults FILE [--policy FILE] [--policy-dir DIR]
//! ```

use std::process::ExitCode;

use clap::Parser;

use super::args::EnforcerArgs;
use crate::cli::{NamespaceRegistry, ToolError};
use crate::parser::parse_value;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-list-redundant",
    version = crate::VERSION,
    about = "List rules that repeat their defaults"
)]
struct Cli {
    #[command(flatten)]
    enforcer: EnforcerArgs,
}

/// The command line, for man pages and shell completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn run(cli: &Cli, registry: &NamespaceRegistry) -> Result<(), ToolError> {
    let inputs = cli.enforcer.inputs();
    for warning in inputs.missing_inputs() {
        eprintln!("oslopolicy-list-redundant: {warning}");
    }
    let e = inputs.enforcer(registry)?;
    for r in e.file_rules()?.iter() {
        let Some(reg) = e.registered(&r.name.py_str()) else {
            continue;
        };
        let check = parse_value(&r.source)?.check;
        if check.to_string() == reg.check.to_string() {
            println!("\"{}\": \"{}\"", reg.name, reg.check_str);
        }
    }
    Ok(())
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
        "oslopolicy-list-redundant",
        run(&Cli::parse_from(args), registry),
    )
}
