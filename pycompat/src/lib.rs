//! Python semantics the oslo-rs crates share, so that what they read and
//! write agrees with the OpenStack libraries byte for byte. This crate is
//! the one home of such behaviour; each module sits behind a cargo feature
//! of the same name (all on by default) so that the privileged rootwrap
//! binaries link only what they use:
//!
//! * [`surrogate`] — the one encoding of Python's lone surrogates in Rust
//!   text (always built);
//! * [`str`](mod@str) — `str.isspace`, `str.strip`, `int()`, `repr`, and `str` over
//!   bytes (`surrogateescape`);
//! * [`json`] — JSON string literals as `json.dumps` writes them;
//! * [`base64`] — `base64.b64encode` and `b64decode`;
//! * [`ospath`] — the lexical functions of `posixpath`;
//! * [`re`] — Python 3.11's `re`, parsed by a port of CPython's parser and
//!   run on the `regex`/`fancy-regex` engines;
//! * [`value`] — Python values with `str()`/`repr()`, truthiness and
//!   dict-key equality, and Python's float `repr`;
//! * [`yaml`] — YAML as PyYAML's `safe_load` (YAML 1.1) reads it;
//! * [`yamlemit`] — YAML as PyYAML's `safe_dump` writes it;
//! * [`textwrap`] — `textwrap.wrap` as the sample generators call it;
//! * [`unicode`] — CPython 3.11's identifier and printable characters;
//! * [`hash`] — a fast hash for tables of trusted names (always built).

#[cfg(feature = "base64")]
pub mod base64;
pub mod hash;
#[cfg(feature = "json")]
pub mod json;
#[cfg(feature = "ospath")]
pub mod ospath;
#[cfg(feature = "re")]
pub mod re;
#[cfg(feature = "str")]
pub mod str;
pub mod surrogate;
#[cfg(feature = "textwrap")]
pub mod textwrap;
#[cfg(feature = "str")]
pub mod unicode;
#[cfg(feature = "value")]
pub mod value;
#[cfg(feature = "yaml")]
pub mod yaml;
#[cfg(feature = "yamlemit")]
pub mod yamlemit;

#[cfg(feature = "re")]
pub use crate::re::{PyReError, PyRegex};
#[cfg(feature = "str")]
pub use crate::str::IntError;
#[cfg(feature = "value")]
pub use crate::value::Value;
#[cfg(feature = "yaml")]
pub use crate::yaml::YamlError;
#[cfg(feature = "yamlemit")]
pub use crate::yamlemit::EmitError;
