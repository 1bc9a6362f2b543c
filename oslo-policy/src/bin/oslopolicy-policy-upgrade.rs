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
//! FILE` (see `oslo_policy::defaults`) is one namespace, named by its path.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use oslo_policy::upgrade::{DefaultsArgs, upgrade};

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-policy-upgrade",
    version,
    about = "Upgrade the rule names of a policy file"
)]
struct Cli {
    #[command(flatten)]
    defaults: DefaultsArgs,
    /// Path to the policy file which need to be updated.
    #[arg(long)]
    policy: PathBuf,
}

fn run(cli: &Cli) -> Result<(), String> {
    let namespaces = cli.defaults.namespaces()?;
    let bytes = std::fs::read(&cli.policy).map_err(|e| format!("{}: {e}", cli.policy.display()))?;
    let text =
        upgrade(&bytes, &namespaces).map_err(|e| format!("{}: {e}", cli.policy.display()))?;
    oslo_policy::cli::write_output(cli.defaults.output_file.as_deref(), &text)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-policy-upgrade: {e}");
            ExitCode::from(1)
        }
    }
}
