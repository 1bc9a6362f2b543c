//! A drop-in replacement for OpenStack's `oslo.policy` (6.0.1): the policy
//! language, its checks and the enforcer, deciding exactly as the Python
//! library does on every policy file.
//!
//! * [`parser`] — the rule language (`_parser.py`), with diagnostics;
//! * [`enforcer`] — policy files, rule lookup and evaluation (`Enforcer`);
//! * [`value`] — Python values with `str()`/`repr()` semantics;
//! * [`pyformat`] — `str % mapping`, applied to every match;
//! * [`literal`] — `ast.literal_eval` of generic check kinds;
//! * [`lint`] — findings for `oslo-policy lint`;
//! * [`yaml`] — policy files as PyYAML's `safe_load` (YAML 1.1) reads them.

pub mod enforcer;
pub mod lint;
pub mod literal;
pub mod parser;
pub mod pyformat;
pub mod value;
pub mod yaml;
