//! `oslopolicy-list-redundant`: the rules of the policy files that only
//! repeat their registered default (same parsed check), printed as the
//! Python tool prints them (`"name": "check_str"`).
//!
//! ```text
//! oslopolicy-list-redundant --defaults FILE [--policy FILE] [--policy-dir DIR]
//! ```

fn main() -> std::process::ExitCode {
    oslo_policy::tools::list_redundant::main(
        std::env::args_os(),
        &oslo_policy::cli::NamespaceRegistry::new(),
    )
}
