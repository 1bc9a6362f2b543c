//! `oslopolicy-list-redundant`: the rules of the policy files that only
//! repeat their registered default (same parsed check), printed as the
//! Python tool prints them (`"name": "check_str"`).
//!
//! ```text
//! oslopolicy-list-redundant --defaults FILE [--policy FILE] [--policy-dir DIR]
//! ```

use std::process::ExitCode;

use clap::Parser;
use oslo_policy::cli::EnforcerArgs;
use oslo_policy::parser::parse_value;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-list-redundant",
    version,
    about = "List rules that repeat their defaults"
)]
struct Cli {
    #[command(flatten)]
    enforcer: EnforcerArgs,
}

fn run(cli: &Cli) -> Result<(), String> {
    let e = cli.enforcer.enforcer()?;
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
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-list-redundant: {e}");
            ExitCode::from(1)
        }
    }
}
