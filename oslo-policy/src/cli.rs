//! What the `oslopolicy-*` tools share: the stand-in for the Python tools'
//! entry-point `--namespace` (defaults files) and their output file.

use std::path::{Path, PathBuf};

use crate::enforcer::{Config, Enforcer};

/// `--namespace`, `--defaults`, `--policy`, `--policy-dir`.
#[derive(Debug, Clone, clap::Args)]
pub struct EnforcerArgs {
    /// Option namespace (Python entry points; not available here: use
    /// --defaults).
    #[arg(long)]
    pub namespace: Option<String>,
    /// A defaults file (a JSON/YAML list of rule defaults); repeatable.
    #[arg(long)]
    pub defaults: Vec<PathBuf>,
    /// The policy file (`[oslo_policy] policy_file`).
    #[arg(long, default_value = "policy.yaml")]
    pub policy: PathBuf,
    /// A `policy_dirs` entry; repeatable.
    #[arg(long = "policy-dir")]
    pub policy_dirs: Vec<PathBuf>,
}

impl EnforcerArgs {
    /// The enforcer the tool works on (a `--namespace` is refused: it
    /// needs Python entry points).
    pub fn enforcer(&self) -> Result<Enforcer, String> {
        if self.namespace.is_some() {
            return Err(
                "--namespace needs Python entry points; pass the defaults with --defaults FILE"
                    .to_owned(),
            );
        }
        let config = Config {
            policy_file: self.policy.clone(),
            policy_dirs: self.policy_dirs.clone(),
            ..Config::default()
        };
        Enforcer::with_defaults_files(config, &self.defaults)
    }
}

/// Writes a tool's output to `--output-file`, or stdout.
pub fn write_output(path: Option<&Path>, text: &str) -> std::io::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()
        }
    }
}
