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
    /// What the Python tools pass over in silence: a `--policy` file or a
    /// `--policy-dir` that does not exist (the enforcer then uses the
    /// registered defaults alone). The tools keep the reference's output
    /// and exit status, and print these on standard error.
    pub fn missing_inputs(&self) -> Vec<String> {
        let mut out = Vec::new();
        if std::fs::metadata(&self.policy).is_err() {
            out.push(format!(
                "warning: policy file {} does not exist: only the registered defaults apply",
                self.policy.display()
            ));
        }
        out.extend(self.missing_dirs());
        out
    }

    /// The `--policy-dir` part of [`EnforcerArgs::missing_inputs`].
    pub fn missing_dirs(&self) -> Vec<String> {
        self.policy_dirs
            .iter()
            .filter(|d| std::fs::metadata(d).is_err())
            .map(|d| {
                format!(
                    "warning: policy directory {} does not exist: skipped",
                    d.display()
                )
            })
            .collect()
    }

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

/// Reads `--config-file`/`--config-dir` as oslo.config does before a
/// Python tool runs (the tools take no option from them, but a file that
/// is missing or does not parse stops the Python tool, and must stop ours).
///
/// # Errors
/// oslo.config's exception class and message, e.g.
/// `ConfigFilesNotFoundError: Failed to find some config files: /etc/x.conf`.
pub fn read_config_files(prog: &str, files: &[PathBuf], dirs: &[PathBuf]) -> Result<(), String> {
    if files.is_empty() && dirs.is_empty() {
        return Ok(());
    }
    let args = files
        .iter()
        .map(|f| format!("--config-file={}", f.display()))
        .chain(dirs.iter().map(|d| format!("--config-dir={}", d.display())));
    let mut conf = oslo_config::ConfigOpts::new();
    conf.call(oslo_config::CallArgs::new(args).prog(prog))
        .map_err(|e| format!("{}: {e}", e.python_class()))
}

/// Writes a tool's output to `--output-file`, or stdout.
///
/// # Errors
/// A message naming the output file (or standard output) and why.
pub fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| format!("standard output: {e}"))
        }
    }
}
