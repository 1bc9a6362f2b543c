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

fn main() -> std::process::ExitCode {
    oslo_policy::tools::policy_generator::main(
        std::env::args_os(),
        &oslo_policy::cli::NamespaceRegistry::new(),
    )
}
