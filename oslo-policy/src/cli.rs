//! What the `oslopolicy-*` tools share, as library code: the namespace
//! registry (`--namespace`, a registry a Rust service fills, the stand-in
//! for the Python tools' entry points), `--defaults FILE`, the enforcer
//! they work on, their output file, and why they fail ([`ToolError`]).
//! Their command lines are declared with the tools, in `tools`.

use std::path::{Path, PathBuf};

use crate::defaults::{DefaultsFileError, NamespaceDefaults, RuleDefault};
use crate::enforcer::{Config, EnforceError, Enforcer};

/// Why a tool stops: it prints the error on one line and exits 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// `--namespace NAME` of a namespace the tool does not have.
    #[error("--namespace {name}: {}", unknown_namespace(known))]
    UnknownNamespace {
        /// The name asked for.
        name: String,
        /// The namespaces the tool has.
        known: Vec<String>,
    },
    /// Neither `--namespace` nor `--defaults` was given.
    #[error("at least one --defaults FILE (or --namespace) is required")]
    NoDefaults,
    /// A `--defaults` file could not be used.
    #[error(transparent)]
    DefaultsFile(#[from] DefaultsFileError),
    /// The enforcer could not be built or load its policy.
    #[error(transparent)]
    Enforce(#[from] EnforceError),
    /// A policy file could not be loaded.
    #[error(transparent)]
    Load(#[from] crate::rules::LoadError),
    /// oslo.config refused `--config-file`/`--config-dir`: its exception
    /// class and message.
    #[error("{}: {source}", source.python_class())]
    Config {
        /// oslo.config's error.
        #[from]
        source: oslo_config::Error,
    },
    /// A file the tool reads could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file, as given.
        path: String,
        /// The system error.
        message: String,
    },
    /// The output could not be written.
    #[error("{target}: {message}")]
    Write {
        /// The output file, or `standard output`.
        target: String,
        /// The system error.
        message: String,
    },
    /// The policy file is not a JSON document (`json.loads` raises).
    #[error("{0}")]
    Json(String),
    /// The policy file is not YAML (`yaml.safe_load` raises).
    #[error(transparent)]
    Yaml(#[from] crate::yaml::YamlError),
    /// A rule that does not parse at all.
    #[error(transparent)]
    Rule(#[from] crate::parser::RuleValueError),
    /// What the reference raises on the input's contents: the Python
    /// exception class (empty when the reference's message has none) and
    /// message.
    #[error("{}{message}", if class.is_empty() { String::new() } else { format!("{class}: ") })]
    Raised {
        /// The Python exception class (`KeyError`, `TypeError`...).
        class: &'static str,
        /// Its message.
        message: String,
    },
    /// A value the YAML writer cannot reproduce.
    #[error(transparent)]
    Emit(#[from] crate::yamlemit::EmitError),
    /// An error about one input file, named first.
    #[error("{path}: {source}")]
    InFile {
        /// The file, as given.
        path: String,
        /// What is wrong with it.
        source: Box<ToolError>,
    },
}

impl ToolError {
    /// What the reference raises: `class` and `message`.
    pub fn raised(class: &'static str, message: impl Into<String>) -> ToolError {
        ToolError::Raised {
            class,
            message: message.into(),
        }
    }

    /// This error, about the file `path`.
    pub fn in_file(self, path: &Path) -> ToolError {
        ToolError::InFile {
            path: path.display().to_string(),
            source: Box::new(self),
        }
    }

    /// A file that could not be read.
    pub fn read(path: &Path, e: &std::io::Error) -> ToolError {
        ToolError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

fn unknown_namespace(known: &[String]) -> String {
    if known.is_empty() {
        "no namespaces are built into this tool; pass the defaults with --defaults FILE".to_owned()
    } else {
        format!("unknown namespace (this tool has: {})", known.join(", "))
    }
}

/// Rule defaults by namespace, for `--namespace NAME` (what the Python
/// tools find through `oslo.policy.policies` entry points). A Rust service
/// fills one and calls a `tools` entry point; the installed
/// binaries use an empty one.
#[derive(Debug, Clone, Default)]
pub struct NamespaceRegistry {
    entries: Vec<NamespaceDefaults>,
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
    /// An unknown namespace, or a defaults file that cannot be read.
    pub fn resolve(
        &self,
        names: &[String],
        files: &[PathBuf],
    ) -> Result<Vec<NamespaceDefaults>, ToolError> {
        let mut out = Vec::with_capacity(names.len() + files.len());
        for name in names {
            let Some(defaults) = self.get(name) else {
                return Err(ToolError::UnknownNamespace {
                    name: name.clone(),
                    known: self.entries.iter().map(|(n, _)| n.clone()).collect(),
                });
            };
            out.push((name.clone(), defaults.to_vec()));
        }
        out.extend(crate::defaults::load_defaults_files(files)?);
        Ok(out)
    }

    /// [`NamespaceRegistry::resolve`] for the tools that need at least
    /// one namespace.
    ///
    /// # Errors
    /// [`ToolError::NoDefaults`] when both lists are empty, else as
    /// [`NamespaceRegistry::resolve`].
    pub fn resolve_some(
        &self,
        names: &[String],
        files: &[PathBuf],
    ) -> Result<Vec<NamespaceDefaults>, ToolError> {
        if names.is_empty() && files.is_empty() {
            return Err(ToolError::NoDefaults);
        }
        self.resolve(names, files)
    }
}

/// The inputs of the tools that work on an enforcer (`--namespace`,
/// `--defaults`, `--policy`, `--policy-dir`).
#[derive(Debug, Clone, Default)]
pub struct EnforcerInputs {
    /// The namespace of the rule defaults to register.
    pub namespace: Option<String>,
    /// Defaults files (JSON/YAML lists of rule defaults).
    pub defaults: Vec<PathBuf>,
    /// The policy file (`[oslo_policy] policy_file`).
    pub policy: PathBuf,
    /// The `policy_dirs`.
    pub policy_dirs: Vec<PathBuf>,
}

impl EnforcerInputs {
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

    /// The `--policy-dir` part of [`EnforcerInputs::missing_inputs`].
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
    /// (from `registry`) and of every `--defaults FILE` registered.
    ///
    /// # Errors
    /// An unknown namespace, or defaults that cannot be read or registered.
    pub fn enforcer(&self, registry: &NamespaceRegistry) -> Result<Enforcer, ToolError> {
        let config = Config {
            policy_file: self.policy.clone(),
            policy_dirs: self.policy_dirs.clone(),
            ..Config::default()
        };
        let names: Vec<String> = self.namespace.iter().cloned().collect();
        let mut e = Enforcer::new(config);
        for (_, defaults) in registry.resolve(&names, &[])? {
            e.register_defaults(defaults)?;
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
pub fn read_config_files(prog: &str, files: &[PathBuf], dirs: &[PathBuf]) -> Result<(), ToolError> {
    if files.is_empty() && dirs.is_empty() {
        return Ok(());
    }
    let args = files
        .iter()
        .map(|f| format!("--config-file={}", f.display()))
        .chain(dirs.iter().map(|d| format!("--config-dir={}", d.display())));
    let mut conf = oslo_config::ConfigOpts::new();
    Ok(conf.call(oslo_config::CallArgs::new(args).prog(prog))?)
}

/// Writes a tool's output to `--output-file`, or stdout.
///
/// # Errors
/// [`ToolError::Write`]: the output file (or standard output) and why.
pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<(), ToolError> {
    let written = match path {
        Some(p) => std::fs::write(p, text),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
    };
    written.map_err(|e| ToolError::Write {
        target: path.map_or_else(|| "standard output".to_owned(), |p| p.display().to_string()),
        message: e.to_string(),
    })
}
