//! The `oslo-policy` command's line, declared once: the binary parses with
//! it, and the man page and shell completions are generated from it.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "oslo-policy",
    version = crate::VERSION,
    about = "oslo.policy's policy language, in Rust"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide a batch of cases: one `true`/`false`/`error: ...` line per
    /// line of CASES (`{"name": RULE, "target": {...}, "creds": {...}}`),
    /// as `Enforcer(conf, policy_file=FILE, default_rule='default')
    /// .enforce(name, target, creds)` returns them.
    Eval {
        /// The policy file (YAML or JSON).
        #[arg(long)]
        policy: PathBuf,
        /// JSON lines of cases.
        #[arg(long)]
        cases: PathBuf,
        /// Registered defaults (a defaults file, see `oslo_policy::defaults`);
        /// not part of the conformance contract.
        #[arg(long)]
        defaults: Option<PathBuf>,
        /// A `policy_dirs` entry (repeatable; none by default).
        #[arg(long = "policy-dir")]
        policy_dirs: Vec<PathBuf>,
        /// `enforce_new_defaults = False` (deprecated rules OR-ed in).
        #[arg(long)]
        no_enforce_new_defaults: bool,
    },
    /// Evaluate one rule and print the tree of checks: which were true or
    /// false, which were never evaluated, and why.
    Explain {
        /// The policy file (YAML or JSON).
        #[arg(long)]
        policy: PathBuf,
        /// The rule name to enforce.
        #[arg(long)]
        rule: String,
        /// The target, as a JSON object.
        #[arg(long, default_value = "{}")]
        target: String,
        /// The credentials, as a JSON object.
        #[arg(long, default_value = "{}")]
        creds: String,
    },
    /// Compare what two policies decide, rule by rule: what is now allowed
    /// that was denied and the reverse, each as an exact condition on the
    /// request with a request that shows it. Exit 0 when nothing changed,
    /// 1 when something did (or may have), 2 on error.
    Diff {
        /// The old policy file (YAML or JSON).
        old: PathBuf,
        /// The new policy file.
        new: PathBuf,
        /// Registered defaults for both sides (a defaults file, see
        /// `oslo_policy::defaults`).
        #[arg(long)]
        defaults: Option<PathBuf>,
        /// Registered defaults for the old side only (instead of --defaults).
        #[arg(long)]
        old_defaults: Option<PathBuf>,
        /// Registered defaults for the new side only (instead of --defaults).
        #[arg(long)]
        new_defaults: Option<PathBuf>,
        /// A `policy_dirs` entry for both sides (repeatable).
        #[arg(long = "policy-dir")]
        policy_dirs: Vec<PathBuf>,
        /// The old side with `enforce_new_defaults = False`.
        #[arg(long)]
        old_no_enforce_new_defaults: bool,
        /// The new side with `enforce_new_defaults = False`.
        #[arg(long)]
        new_no_enforce_new_defaults: bool,
        /// A personas file (as for `matrix`): which personas' decisions
        /// changed is reported for each rule.
        #[arg(long)]
        personas: Option<PathBuf>,
        /// Output: `text` for people, `json` for CI.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
    /// For every rule and persona: allowed, denied, or allowed on some
    /// targets only (with the exact condition), each cell confirmed by
    /// the evaluator.
    Matrix {
        /// The policy file (YAML or JSON).
        policy: PathBuf,
        /// Registered defaults (a defaults file).
        #[arg(long)]
        defaults: Option<PathBuf>,
        /// A `policy_dirs` entry (repeatable).
        #[arg(long = "policy-dir")]
        policy_dirs: Vec<PathBuf>,
        /// `enforce_new_defaults = False` (deprecated rules OR-ed in).
        #[arg(long)]
        no_enforce_new_defaults: bool,
        /// A personas file (YAML) extending or replacing the default
        /// personas (keystone's admin, manager, member, reader and service
        /// roles in system, domain and project scope, and no roles).
        #[arg(long)]
        personas: Option<PathBuf>,
        /// Only the rules whose names match this glob (`*`, `?`;
        /// repeatable).
        #[arg(long = "rule")]
        rules: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
        format: MatrixFormat,
    },
    /// Report rules that allow everyone by accident, atoms and rules that
    /// can never be true, undefined references and cycles. Exit 1 if any.
    Lint {
        /// The policy file (YAML or JSON).
        policy: PathBuf,
    },
}

/// How `oslo-policy diff` writes its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Readable text.
    Text,
    /// One JSON document.
    Json,
}

/// How `oslo-policy matrix` writes the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// A table for the terminal, conditions under each rule.
    Text,
    /// A Markdown table.
    Markdown,
    /// Comma-separated values, one row per rule.
    Csv,
    /// One JSON document, with the targets each cell was confirmed on.
    Json,
    /// One self-contained HTML page: colour-coded, filterable, the
    /// condition on hover.
    Html,
}

/// The command, for man pages and shell completions.
pub fn command() -> clap::Command {
    Cli::command()
}
