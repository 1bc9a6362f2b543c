//! `oslopolicy-sample-generator`: a commented sample policy file for a
//! service's registered defaults, byte-identical with oslo.policy's tool.
//!
//! ```text
//! oslopolicy-sample-generator --defaults FILE [--defaults FILE...]
//!                             [--output-file F] [--exclude-deprecated]
//! ```
//! Python services name an entry-point `--namespace`; without Python, each
//! `--defaults FILE` (see `crate::defaults`) is one namespace, named
//! by its path, and namespaces are sorted as the tool sorts them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::NamespaceRegistry;

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-sample-generator",
    version = crate::VERSION,
    about = "Generate a sample policy file"
)]
struct Cli {
    /// Namespace(s) of rule defaults built into the tool (the installed
    /// tools have none: use --defaults); repeatable.
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

/// The command line, for man pages and shell completions.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
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
    let cli = Cli::parse_from(args);
    if let Err(e) =
        crate::cli::read_config_files("oslopolicy-sample-generator", &cli.config_file, &[])
    {
        eprintln!("oslopolicy-sample-generator: {e}");
        return ExitCode::from(1);
    }
    let sections = match registry.resolve_some(&cli.namespace, &cli.defaults) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("oslopolicy-sample-generator: {e}");
            return ExitCode::from(1);
        }
    };
    let text = crate::sample::sample(
        &sections,
        cli.exclude_deprecated && !cli.noexclude_deprecated,
    );
    match crate::cli::write_output(cli.output_file.as_deref(), &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-sample-generator: {e}");
            ExitCode::from(1)
        }
    }
}
