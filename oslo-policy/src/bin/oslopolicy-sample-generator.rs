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

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-sample-generator",
    version,
    about = "Generate a sample policy file"
)]
struct Cli {
    /// Option namespace(s) under "oslo.policy.policies" (Python entry
    /// points; not available here: use --defaults).
    #[arg(long)]
    namespace: Vec<String>,
    /// A defaults file (a JSON/YAML list of rule defaults); repeatable.
    #[arg(long)]
    defaults: Vec<PathBuf>,
    /// Path of the file to write to. Defaults to stdout.
    #[arg(long = "output-file")]
    output_file: Option<PathBuf>,
    /// If True, exclude deprecated entries from the generated output.
    #[arg(long = "exclude-deprecated", overrides_with = "noexclude_deprecated")]
    exclude_deprecated: bool,
    /// The inverse of --exclude-deprecated.
    #[arg(long = "noexclude-deprecated", overrides_with = "exclude_deprecated")]
    noexclude_deprecated: bool,
    /// Accepted for compatibility with oslo.config's command line.
    #[arg(long = "config-file")]
    config_file: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !cli.namespace.is_empty() {
        eprintln!(
            "oslopolicy-sample-generator: --namespace needs Python entry points; \
             pass the defaults with --defaults FILE (see the README)"
        );
        return ExitCode::from(1);
    }
    if cli.defaults.is_empty() {
        eprintln!("oslopolicy-sample-generator: at least one --defaults FILE is required");
        return ExitCode::from(1);
    }
    let mut sections = Vec::new();
    for path in &cli.defaults {
        let loaded = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| oslo_policy::rules::read_document(&b))
            .and_then(|doc| oslo_policy::defaults::from_document(&doc).map_err(|e| e.to_string()));
        match loaded {
            Ok(rules) => sections.push((path.display().to_string(), rules)),
            Err(e) => {
                eprintln!("oslopolicy-sample-generator: {}: {e}", path.display());
                return ExitCode::from(1);
            }
        }
    }
    let text = oslo_policy::sample::sample(
        &sections,
        cli.exclude_deprecated && !cli.noexclude_deprecated,
    );
    match oslo_policy::cli::write_output(cli.output_file.as_deref(), &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-sample-generator: {e}");
            ExitCode::from(1)
        }
    }
}
