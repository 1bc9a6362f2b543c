//! The `oslopolicy-*` tools' entry points, so that a Rust service can ship
//! them with its own rule defaults behind `--namespace` (the replacement
//! for the Python tools' `oslo.policy.policies` entry points):
//!
//! ```no_run
//! use oslo_policy::{NamespaceRegistry, RuleDefault};
//!
//! fn main() -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
//!     let mut registry = NamespaceRegistry::new();
//!     registry.register(
//!         "myservice",
//!         vec![RuleDefault::new("myservice:get", "role:reader")?],
//!     );
//!     // myservice-policy-sample-generator --namespace myservice
//!     Ok(oslo_policy::tools::sample_generator::main(std::env::args_os(), &registry))
//! }
//! ```
//!
//! The installed binaries call these with an empty registry: there,
//! `--defaults FILE` gives the defaults. Like a binary's `main`, these
//! functions print their output and errors.

mod args;
pub mod checker;
pub mod convert_json_to_yaml;
pub mod list_redundant;
pub mod policy;
pub mod policy_generator;
pub mod policy_upgrade;
pub mod sample_generator;
pub mod validator;

/// Success, or the error on one line (`TOOL: message`) and exit status 1.
fn exit(tool: &str, result: Result<(), crate::cli::ToolError>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{tool}: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
