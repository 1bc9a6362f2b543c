//! The command-line flags several tools share, declared once; each turns
//! into the library's plain inputs ([`crate::cli`]).

use std::path::PathBuf;

use crate::cli::{EnforcerInputs, NamespaceRegistry, ToolError};
use crate::defaults::NamespaceDefaults;

/// `--namespace`, `--defaults`, `--policy`, `--policy-dir`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct EnforcerArgs {
    /// The namespace of the rule defaults to register (one built into the
    /// tool; the installed tools have none: use --defaults).
    #[arg(long)]
    namespace: Option<String>,
    /// A defaults file (a JSON/YAML list of rule defaults); repeatable.
    #[arg(long)]
    defaults: Vec<PathBuf>,
    /// The policy file (`[oslo_policy] policy_file`).
    #[arg(long, default_value = "policy.yaml")]
    policy: PathBuf,
    /// A `policy_dirs` entry; repeatable.
    #[arg(long = "policy-dir")]
    policy_dirs: Vec<PathBuf>,
}

impl EnforcerArgs {
    /// The library's form of these flags.
    pub(crate) fn inputs(&self) -> EnforcerInputs {
        EnforcerInputs {
            namespace: self.namespace.clone(),
            defaults: self.defaults.clone(),
            policy: self.policy.clone(),
            policy_dirs: self.policy_dirs.clone(),
        }
    }
}

/// The flags `oslopolicy-convert-json-to-yaml` and
/// `oslopolicy-policy-upgrade` share with `oslopolicy-sample-generator`:
/// `--namespace` (refused: Python entry points), `--defaults`,
/// `--output-file`, and oslo.config's options they accept and ignore.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct DefaultsArgs {
    /// Namespace(s) of rule defaults built into the tool (the installed
    /// tools have none: use --defaults); repeatable.
    #[arg(long)]
    namespace: Vec<String>,
    /// A defaults file (a JSON/YAML list of rule defaults), one namespace;
    /// repeatable.
    #[arg(long)]
    defaults: Vec<PathBuf>,
    /// Path of the file to write to. Defaults to stdout.
    #[arg(long = "output-file")]
    pub(crate) output_file: Option<PathBuf>,
    /// Accepted for compatibility (the tool ignores it).
    #[arg(long = "exclude-deprecated", overrides_with = "noexclude_deprecated")]
    exclude_deprecated: bool,
    /// The inverse of --exclude-deprecated.
    #[arg(long = "noexclude-deprecated", overrides_with = "exclude_deprecated")]
    noexclude_deprecated: bool,
    /// Accepted for compatibility with oslo.config's command line.
    #[arg(long = "config-file")]
    pub(crate) config_file: Vec<PathBuf>,
}

impl DefaultsArgs {
    /// The namespaces of `--namespace` (from `registry`) and
    /// `--defaults` (at least one of them is required).
    pub(crate) fn resolve(
        &self,
        registry: &NamespaceRegistry,
    ) -> Result<Vec<NamespaceDefaults>, ToolError> {
        registry.resolve_some(&self.namespace, &self.defaults)
    }
}
