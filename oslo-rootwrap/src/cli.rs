//! The command lines of `oslo-rootwrap` and `oslo-rootwrap-daemon`,
//! declared once: the binaries parse with them, and the man pages and
//! shell completions are generated from them (`cargo run -p xtask -- docs`).
//!
//! `oslo-rootwrap CONFIG CMD [ARG...]`, the reference's own form, parses
//! nothing after CONFIG; the other forms are recognised by their first
//! argument only.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, CommandFactory, Parser};

/// This version, and the reference it follows decision for decision.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (oslo.rootwrap 7.10.0)");

/// Inspect rootwrap decisions without executing anything.
#[derive(Debug, Parser)]
#[command(
    name = "oslo-rootwrap",
    version = VERSION,
    about = "Drop-in replacement for oslo-rootwrap: run a command as root if a filter allows it",
    override_usage = "oslo-rootwrap CONFIG CMD [ARG...]\n       oslo-rootwrap --dry-run [--json] CONFIG -- CMD [ARG...]\n       oslo-rootwrap lint [--verbose] [--format text|json] CONFIG"
)]
pub struct DryRun {
    /// Decide, print the decision and exit with the status rootwrap would
    /// use; never execute or change credentials.
    #[arg(long, required = true)]
    pub dry_run: bool,
    /// Print the decision as one JSON object (the conformance contract).
    #[arg(long)]
    pub json: bool,
    /// The rootwrap.conf to use.
    pub config: PathBuf,
    /// The command line to check (after `--`).
    #[arg(last = true, allow_hyphen_values = true)]
    pub command: Vec<OsString>,
}

/// Report filters that grant root, filters that can never match, and
/// files the real run refuses.
#[derive(Debug, Parser)]
#[command(
    name = "oslo-rootwrap lint",
    bin_name = "oslo-rootwrap lint",
    override_usage = "oslo-rootwrap lint [--verbose] [--format text|json] CONFIG",
    after_help = "Exit status: 1 when any finding is root, untrusted or never-matches; 0 otherwise; 97 when CONFIG cannot be read as a rootwrap.conf."
)]
pub struct Lint {
    /// List every filter whose executable is missing (default: one line
    /// per file).
    #[arg(long, short)]
    pub verbose: bool,
    /// `text`: one line per finding; `json`: one JSON document.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The rootwrap.conf whose filters to check.
    pub config: PathBuf,
}

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per finding.
    Text,
    /// One JSON document.
    Json,
}

/// `oslo-rootwrap` as a whole, for documentation: its three forms, the
/// `--dry-run` options and the `lint` subcommand.
pub fn command() -> clap::Command {
    let lint = Lint::command().name("lint").bin_name("oslo-rootwrap lint");
    DryRun::command()
        .long_about(
            "Runs CMD as root (or as the matching filter's run_as user) if a filter in the \
             filter files named by CONFIG allows it, exactly as oslo.rootwrap 7.10.0 decides; \
             otherwise exits 99. Normally started through sudo, with sudoers pinning the binary \
             and CONFIG. Exit statuses: the command's own, 99 unauthorized, 98 no command, \
             97 bad or untrusted configuration, 96 executable not found, 128+N killed by \
             signal N, 1 error.",
        )
        .subcommand(lint)
}

/// `oslo-rootwrap-daemon CONFIG`, for documentation and for `--help`.
pub fn daemon_command() -> clap::Command {
    clap::Command::new("oslo-rootwrap-daemon")
        .version(VERSION)
        .about("The rootwrap daemon oslo_rootwrap.client.Client talks to")
        .long_about(
            "Loads CONFIG and its filters as oslo-rootwrap does, creates a private directory \
             with a Unix socket, writes the socket path, a newline and 32 random key bytes to \
             stdout, and runs the commands that authenticated clients send, if a filter allows \
             them, until told to shut down, idle for daemon_timeout seconds, or sent SIGTERM. \
             Normally spawned by the client through sudo.",
        )
        .arg(
            Arg::new("config")
                .value_name("CONFIG")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help("The rootwrap.conf to use"),
        )
}
