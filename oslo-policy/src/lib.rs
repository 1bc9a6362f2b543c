//! A drop-in replacement for OpenStack's `oslo.policy` (6.0.1): the policy
//! language, its checks and the enforcer, deciding exactly as the Python
//! library does on every policy file.
//!
//! The main types are re-exported here: [`Enforcer`] (with its [`Config`]
//! and [`EnforceError`]), [`Rules`] (a policy file's rules, [`LoadError`],
//! [`EvalError`]), [`RuleDefault`] (registered defaults), [`Check`] (a
//! parsed rule) and [`Value`] (Python values). The modules:
//!
//! * [`parser`] — the rule language (`_parser.py`), with diagnostics;
//! * [`rules`] — a policy file's rules, lookup and evaluation (`Rules`);
//! * [`enforcer`] — `Enforcer`: files, `policy_dirs`, registered defaults,
//!   scopes, deprecations, reload;
//! * [`external`] — `http:`/`https:` checks (cargo feature `http`);
//! * [`json`] — case and credential JSON straight into [`Value`]s;
//! * [`defaults`] — `RuleDefault`, `DeprecatedRule`, defaults files;
//! * [`pyformat`] — `str % mapping`, applied to every match;
//! * [`lint`] — findings for `oslo-policy lint`;
//! * [`analysis`] — rules as decision diagrams: `oslo-policy diff` and
//!   `matrix`;
//! * [`opts`] — the `[oslo_policy]` options, through oslo-config;
//! * [`cli`] — what the `oslopolicy-*` tools share (`--namespace` registry);
//! * [`tools`] — the tools' entry points, for services shipping their own.
//!
//! Inside the crate: `literal` (`ast.literal_eval` of generic check
//! kinds), `sample` (`oslopolicy-sample-generator`'s text), `upgrade`
//! (`oslopolicy-convert-json-to-yaml` and `oslopolicy-policy-upgrade`),
//! `graph` (rule reachability) and `watch` (the change check); Python's
//! values, YAML, text wrapping and Unicode tables come from the `pycompat`
//! crate.

/// This version, and the reference it follows decision for decision.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (oslo.policy 6.0.1)");

pub mod analysis;
pub mod cli;
pub mod defaults;
pub mod enforcer;
pub mod external;
mod graph;
pub mod json;
pub mod lint;
mod literal;
pub mod opts;
pub mod parser;
pub mod pyformat;
pub mod rules;
mod sample;
pub mod tools;
mod upgrade;
mod watch;

// Python behaviour shared with the other crates (not part of this API,
// except the types re-exported below).
pub(crate) use pycompat::{textwrap, value, yaml, yamlemit};

pub use cli::{EnforcerInputs, NamespaceRegistry, ToolError};
pub use defaults::{DefaultsFileError, DeprecatedRule, InvalidRuleDefault, Operation, RuleDefault};
pub use enforcer::{Config, EnforceError, Enforcer, FileRules};
pub use external::{ContentType, RemoteOptions, Unconfigured};
pub use literal::{Literal, literal_eval};
pub use parser::{Check, Diagnostic, Parsed, parse_text, parse_value};
pub use pycompat::value::Value;
pub use pycompat::yaml::YamlError;
pub use rules::{
    CheckRegistry, CustomCheck, EvalError, LoadError, RemoteCheck, Rule, Rules, TraceNode,
};
