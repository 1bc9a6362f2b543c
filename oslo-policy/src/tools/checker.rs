//! `oslopolicy-checker`'s command line, declared once: the binary parses
//! with it, and the man page and shell completions are generated from it.

use std::path::PathBuf;

use clap::{CommandFactory, Parser};

#[derive(Debug, Parser)]
#[command(
    name = "oslopolicy-checker",
    version = crate::VERSION,
    about = "Check policy rules against a token"
)]
pub struct Cli {
    /// path to a policy file.
    #[arg(long)]
    pub policy: PathBuf,
    /// path to a file containing OpenStack Identity API access info in JSON format.
    #[arg(long)]
    pub access: PathBuf,
    /// path to a file containing custom target info in JSON format.
    #[arg(long)]
    pub target: Option<PathBuf>,
    /// rule to test.
    #[arg(long)]
    pub rule: Option<String>,
    /// set is_admin=True on the credentials used for the evaluation.
    #[arg(long = "is_admin", overrides_with = "nois_admin")]
    pub is_admin: bool,
    /// The inverse of --is_admin.
    #[arg(long = "nois_admin", overrides_with = "is_admin")]
    pub nois_admin: bool,
    /// configuration file for the oslopolicy-checker enforcer. Only
    /// `http:`/`https:` checks read it (its `[oslo_policy] remote_*`
    /// options); without it such checks raise (deny), as in the reference.
    #[arg(long = "enforcer_config")]
    pub enforcer_config: Option<PathBuf>,
    /// Accepted for compatibility with oslo.config's command line.
    #[arg(long = "config-file")]
    pub config_file: Vec<PathBuf>,
    /// Accepted for compatibility with oslo.config's command line.
    #[arg(long = "config-dir")]
    pub config_dir: Vec<PathBuf>,
}

/// The command, for man pages and shell completions.
pub fn command() -> clap::Command {
    Cli::command()
}
