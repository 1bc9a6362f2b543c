//! `oslopolicy-validator`: sanity checks of a policy file against a
//! service's registered defaults, with oslo.policy's messages and exit
//! status: a missing file, rules referring to undefined rules or in a
//! cycle (`Invalid rules found`), rules the service does not know, rules
//! that failed to parse.
//!
//! ```text
//! oslopolicy-validator --defaults FILE [--policy FILE] [--policy-dir DIR]
//! ```
//! (The Python tool gets the enforcer from an entry point, `--namespace`,
//! and the file from `--config-file`'s `[oslo_policy] policy_file`.)

use std::process::ExitCode;

use clap::Parser;

use super::args::EnforcerArgs;
use crate::cli::{NamespaceRegistry, ToolError};
use crate::parser::Check;
use crate::value::Value;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-validator",
    version = crate::VERSION,
    about = "Validate a policy file"
)]
struct Cli {
    #[command(flatten)]
    enforcer: EnforcerArgs,
}

/// The command line, for man pages and shell completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// `_undefined_check`: `rule:` references to names not in the rules,
/// looking through and/or but not under `not` (as the reference does).
fn undefined(check: &Check, known: &dyn Fn(&str) -> bool) -> bool {
    match check {
        Check::Rule(name) => !known(name),
        Check::And(cs) | Check::Or(cs) => cs.iter().any(|c| undefined(c, known)),
        _ => false,
    }
}

/// `_cycle_check`.
fn cycle(check: &Check, seen: &mut Vec<String>, lookup: &dyn Fn(&str) -> Option<Check>) -> bool {
    if let Check::Rule(name) = check {
        if seen.contains(name) {
            return true;
        }
        seen.push(name.clone());
        if let Some(target) = lookup(name) {
            if cycle(&target, seen, lookup) {
                return true;
            }
        }
    }
    if let Check::And(cs) | Check::Or(cs) = check {
        for c in cs {
            if cycle(c, &mut seen.clone(), lookup) {
                return true;
            }
        }
    }
    false
}

fn run(cli: &Cli, registry: &NamespaceRegistry) -> Result<u8, ToolError> {
    let inputs = cli.enforcer.inputs();
    for warning in inputs.missing_dirs() {
        eprintln!("oslopolicy-validator: {warning}");
    }
    let e = inputs.enforcer(registry)?;
    let policy = &inputs.policy;
    let rules = e.load_rules()?;
    if !policy.exists() {
        println!("Configured policy file \"{}\" not found", policy.display());
        return Ok(1);
    }
    let mut rc = 0;
    let known = |n: &str| rules.get(n).is_some();
    let lookup = |n: &str| rules.get(n).map(|r| r.check.clone());
    let mut undefined_names = Vec::new();
    let mut cyclic_names = Vec::new();
    for r in rules.rules() {
        if undefined(&r.check, &known) {
            undefined_names.push(r.name.py_repr());
        }
        if cycle(&r.check, &mut Vec::new(), &lookup) {
            cyclic_names.push(r.name.py_repr());
        }
    }
    if !undefined_names.is_empty() {
        eprintln!(
            "Policies [{}] reference a rule that is not defined.",
            undefined_names.join(", ")
        );
    }
    if !cyclic_names.is_empty() {
        eprintln!(
            "Policies [{}] are part of a cyclical reference.",
            cyclic_names.join(", ")
        );
    }
    if !undefined_names.is_empty() || !cyclic_names.is_empty() {
        println!("Invalid rules found");
        rc = 1;
    }
    let bytes = std::fs::read(policy).map_err(|err| ToolError::read(policy, &err))?;
    let unparsed = crate::rules::read_document(&bytes)?;
    for r in e.file_rules()?.iter() {
        let name = r.name.py_str();
        if e.registered(&name).is_none() {
            println!("Unknown rule found in policy file: {name}");
            rc = 1;
        }
        let effective = rules.get(&name).map(|x| x.check.to_string());
        if effective.as_deref() == Some("!") {
            let raw = match &unparsed {
                Value::Dict(items) => items
                    .iter()
                    .find(|(k, _)| k.key_eq(&r.name))
                    .map(|(_, v)| v.clone()),
                _ => None,
            };
            let Some(raw) = raw else {
                return Err(ToolError::raised("KeyError", r.name.py_repr()));
            };
            if raw != Value::str("!") {
                println!("Failed to parse rule: {}", raw.py_str());
                rc = 1;
            }
        }
    }
    Ok(rc)
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
    match run(&Cli::parse_from(args), registry) {
        Ok(rc) => ExitCode::from(rc),
        Err(e) => {
            eprintln!("oslopolicy-validator: {e}");
            ExitCode::from(1)
        }
    }
}
