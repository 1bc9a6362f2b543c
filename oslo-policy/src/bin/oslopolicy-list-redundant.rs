//! `oslopolicy-list-redundant`: the rules of the policy files that only
//! repeat their registered default (same parsed check), printed as the
//! Python tool prints them (`"name": "check_str"`).
//!
//! ```text
//! oslopolicy-list-redundant --defaults FILE [--policy FILE] [--policy-dir DIR]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use oslo_policy::enforcer::{Config, Enforcer};
use oslo_policy::parser::parse_value;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-list-redundant",
    version,
    about = "List rules that repeat their defaults"
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.namespace.is_some() {
        eprintln!(
            "oslopolicy-list-redundant: --namespace needs Python entry points; use --defaults FILE"
        );
        return ExitCode::from(1);
    }
    let config = Config {
        policy_file: cli.policy.clone(),
        policy_dirs: cli.policy_dirs.clone(),
        ..Config::default()
    };
    let run = || -> Result<(), String> {
        let e = Enforcer::with_defaults_files(config, &cli.defaults)?;
        for r in e.file_rules().map_err(|err| err.to_string())?.iter() {
            let Some(reg) = e.registered(&r.name.py_str()) else {
                continue;
            };
            let check = parse_value(&r.source).map_err(|err| err.to_string())?.check;
            if check.to_string() == reg.check.to_string() {
                println!("\"{}\": \"{}\"", reg.name, reg.check_str);
            }
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-list-redundant: {e}");
            ExitCode::from(1)
        }
    }
}
