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
//! FILE` (see `oslo_policy::defaults`) is one namespace, named by its path.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use oslo_policy::upgrade::{DefaultsArgs, convert_json_to_yaml};

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-convert-json-to-yaml",
    version,
    about = "Convert a JSON policy file to YAML"
)]
struct Cli {
    #[command(flatten)]
    defaults: DefaultsArgs,
    /// Path to the policy file which need to be converted to yaml format.
    #[arg(long = "policy-file")]
    policy_file: PathBuf,
}

fn run(cli: &Cli) -> Result<(), String> {
    let namespaces = cli.defaults.namespaces()?;
    let bytes = std::fs::read(&cli.policy_file)
        .map_err(|e| format!("{}: {e}", cli.policy_file.display()))?;
    let text = convert_json_to_yaml(&bytes, &namespaces)
        .map_err(|e| format!("{}: {e}", cli.policy_file.display()))?;
    oslo_policy::cli::write_output(cli.defaults.output_file.as_deref(), &text)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    eprintln!(
        "WARNING:oslo_policy.generator:The oslopolicy-convert-json-to-yaml tool is deprecated"
    );
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-convert-json-to-yaml: {e}");
            ExitCode::from(1)
        }
    }
}
