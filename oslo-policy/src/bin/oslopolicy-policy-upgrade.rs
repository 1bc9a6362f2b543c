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

fn main() -> std::process::ExitCode {
    oslo_policy::tools::policy_upgrade::main(
        std::env::args_os(),
        &oslo_policy::cli::NamespaceRegistry::new(),
    )
}
