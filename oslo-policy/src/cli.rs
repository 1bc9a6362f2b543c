//! What the `oslopolicy-*` tools share: `--namespace` (a registry a Rust
//! service fills, the stand-in for the Python tools' entry points),
//! `--defaults FILE`, and their output file.

use std::path::{Path, PathBuf};

use crate::defaults::RuleDefault;
use crate::enforcer::{Config, Enforcer};

/// Rule defaults by namespace, for `--namespace NAME` (what the Python
/// tools find through `oslo.policy.policies` entry points). A Rust service
/// fills one and calls a [`crate::tools`] entry point; the installed
/// binaries use an empty one.
#[derive(Debug, Clone, Default)]
pub struct NamespaceRegistry {
    entries: Vec<(String, Vec<RuleDefault>)>,
}

impl NamespaceRegistry {
    /// An empty registry.
    pub fn new() -> NamespaceRegistry {
        NamespaceRegistry::default()
    }

    /// Adds (or replaces) the defaults of `name`.
    pub fn register(&mut self, name: &str, defaults: Vec<RuleDefault>) -> &mut NamespaceRegistry {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = defaults,
            None => self.entries.push((name.to_owned(), defaults)),
        }
        self
    }

    /// The defaults of `name`.
    pub fn get(&self, name: &str) -> Option<&[RuleDefault]> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_slice())
    }

    /// The namespaces a tool works on: each `--namespace` (which must be
    /// registered) and each `--defaults FILE` (one namespace, named by its
    /// path), in that order.
    ///
    /// # Errors
    /// A message for the tool to print: an unknown namespace, or a
    /// defaults file that cannot be read.
    pub fn resolve(
        &self,
        names: &[String],
        files: &[PathBuf],
    ) -> Result<Vec<(String, Vec<RuleDefault>)>, String> {
        let mut out = Vec::with_capacity(names.len() + files.len());
        for name in names {
            let Some(defaults) = self.get(name) else {
                let known: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
                return Err(if known.is_empty() {
                    format!(
                        "--namespace {name}: no namespaces are built into this tool; \
                         pass the defaults with --defaults FILE"
                    )
                } else {
                    format!(
                        "--namespace {name}: unknown namespace (this tool has: {})",
                        known.join(", ")
                    )
                });
            };
            out.push((name.clone(), defaults.to_vec()));
        }
        out.extend(crate::upgrade::load_namespaces(files).map_err(|e| e.to_string())?);
        Ok(out)
    }
}

/// `--namespace`, `--defaults`, `--policy`, `--policy-dir`.
#[derive(Debug, Clone, clap::Args)]
pub struct EnforcerArgs {
    /// The namespace of the rule defaults to register (one built into the
    /// tool; the installed tools have none: use --defaults).
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
    /// The enforcer the tool works on, with the defaults of `--namespace`
    /// (from `namespaces`) and of every `--defaults FILE` registered.
    ///
    /// # Errors
    /// A message for the tool to print.
    pub fn enforcer(&self, namespaces: &NamespaceRegistry) -> Result<Enforcer, String> {
        let config = Config {
            policy_file: self.policy.clone(),
            policy_dirs: self.policy_dirs.clone(),
            ..Config::default()
        };
        let names: Vec<String> = self.namespace.iter().cloned().collect();
        let mut e = Enforcer::new(config);
        for (_, defaults) in namespaces.resolve(&names, &[])? {
            e.register_defaults(defaults)
                .map_err(|err| err.to_string())?;
        }
        e.register_defaults_files(&self.defaults)?;
        Ok(e)
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
