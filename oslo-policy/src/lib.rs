//! A drop-in replacement for OpenStack's `oslo.policy` (6.0.1): the policy
//! language, its checks and the enforcer, deciding exactly as the Python
//! library does on every policy file.
//!
//! * [`parser`] — the rule language (`_parser.py`), with diagnostics;
//! * [`rules`] — a policy file's rules, lookup and evaluation (`Rules`);
//! * [`enforcer`] — `Enforcer`: files, `policy_dirs`, registered defaults,
//!   scopes, deprecations, reload;
//! * [`external`] — `http:`/`https:` checks (cargo feature `http`);
//! * [`json`] — case and credential JSON straight into [`value::Value`]s;
//! * [`defaults`] — `RuleDefault`, `DeprecatedRule`, defaults files;
//! * [`value`] — Python values with `str()`/`repr()` semantics;
//! * [`pyformat`] — `str % mapping`, applied to every match;
//! * [`literal`] — `ast.literal_eval` of generic check kinds;
//! * [`lint`] — findings for `oslo-policy lint`;
//! * [`opts`] — the `[oslo_policy]` options, through oslo-config;
//! * [`cli`] — what the `oslopolicy-*` tools share (`--namespace` registry);
//! * [`tools`] — the tools' entry points, for services shipping their own;
//! * [`sample`], [`textwrap`] — `oslopolicy-sample-generator`'s text;
//! * [`yaml`] — policy files as PyYAML's `safe_load` (YAML 1.1) reads them.
//! * [`yamlemit`] — YAML written as PyYAML's `safe_dump` writes it;
//! * [`upgrade`] — `oslopolicy-convert-json-to-yaml` and
//!   `oslopolicy-policy-upgrade`.

/// This version, and the reference it follows decision for decision.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (oslo.policy 6.0.1)");

pub mod cli;
pub mod defaults;
pub mod enforcer;
pub mod external;
mod graph;
pub mod json;
pub mod lint;
pub mod literal;
pub mod opts;
pub mod parser;
pub mod pyformat;
mod pyunicode;
pub mod rules;
pub mod sample;
pub mod tools;
pub mod upgrade;
mod watch;

// Shared with the other crates; re-exported so paths stay stable.
pub use pycompat::{textwrap, value, yaml, yamlemit};
