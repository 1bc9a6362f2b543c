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
use oslo_policy::enforcer::{Config, Enforcer};

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-policy-generator",
    version,
    about = "Print the effective policy"
)]
struct Cli {
    /// Option namespace under "oslo.policy.enforcer" (Python entry points;
    /// not available here: use --defaults).
    #[arg(long)]
    namespace: Option<String>,
    /// A defaults file; repeatable.
    #[arg(long)]
    defaults: Vec<PathBuf>,
    /// The policy file.
    #[arg(long, default_value = "policy.yaml")]
    policy: PathBuf,
    /// A policy_dirs entry; repeatable.
    #[arg(long = "policy-dir")]
    policy_dirs: Vec<PathBuf>,
    /// Path of the file to write to. Defaults to stdout.
    #[arg(long = "output-file")]
    output_file: Option<PathBuf>,
    /// If True, exclude deprecated entries from the generated output.
    #[arg(long = "exclude-deprecated")]
    exclude_deprecated: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.namespace.is_some() {
        eprintln!(
            "oslopolicy-policy-generator: --namespace needs Python entry points; use --defaults FILE"
        );
        return ExitCode::from(1);
    }
    let config = Config {
        policy_file: cli.policy.clone(),
        policy_dirs: cli.policy_dirs.clone(),
        ..Config::default()
    };
    let run = || -> Result<String, String> {
        let e = Enforcer::with_defaults_files(config, &cli.defaults)?;
        let file_rules = e.file_rules().map_err(|err| err.to_string())?;
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
        Ok(out)
    };
    let text = match run() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("oslopolicy-policy-generator: {e}");
            return ExitCode::from(1);
        }
    };
    let written = match &cli.output_file {
        Some(p) => std::fs::write(p, text),
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-policy-generator: {e}");
            ExitCode::from(1)
        }
    }
}
