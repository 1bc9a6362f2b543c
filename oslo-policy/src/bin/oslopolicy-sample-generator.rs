//! `oslopolicy-sample-generator`: a commented sample policy file for a
//! service's registered defaults, byte-identical with oslo.policy's tool.
//!
//! ```text
//! oslopolicy-sample-generator --defaults FILE [--defaults FILE...]
//!                             [--output-file F] [--exclude-deprecated]
//! ```
//! Python services name an entry-point `--namespace`; without Python, each
//! `--defaults FILE` (see `oslo_policy::defaults`) is one namespace, named
//! by its path, and namespaces are sorted as the tool sorts them.

fn main() -> std::process::ExitCode {
    oslo_policy::tools::sample_generator::main(
        std::env::args_os(),
        &oslo_policy::cli::NamespaceRegistry::new(),
    )
}
