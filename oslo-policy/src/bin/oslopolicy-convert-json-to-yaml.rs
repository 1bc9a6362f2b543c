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

fn main() -> std::process::ExitCode {
    oslo_policy::tools::convert_json_to_yaml::main(
        std::env::args_os(),
        &oslo_policy::cli::NamespaceRegistry::new(),
    )
}
