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

fn main() -> std::process::ExitCode {
    oslo_policy::tools::validator::main(
        std::env::args_os(),
        &oslo_policy::cli::NamespaceRegistry::new(),
    )
}
