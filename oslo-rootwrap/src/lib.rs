//! A drop-in, hardened replacement for OpenStack's `oslo.rootwrap`.
//!
//! `sudo nova-rootwrap /etc/nova/rootwrap.conf CMD ARGS...` checks the
//! command against the filter definitions named by `rootwrap.conf` and, if a
//! filter allows it, runs it as that filter's user. Every decision follows
//! oslo.rootwrap 7.10.0 (Python 3.11), including its quirks; the modules are
//! named after what they reproduce:
//!
//! * [`cli`] — the binaries' command lines, declared once;
//! * `ini` — `configparser.RawConfigParser`;
//! * [`config`] — `rootwrap.conf` (`wrapper.RootwrapConfig`);
//! * [`filters`] — the filter classes of `filters.py` (their regexes are
//!   `pycompat::re`, Python's `re.match(pattern + '$', arg)`);
//! * [`wrapper`] — `load_filters` and `match_filter`;
//! * [`decision`] — one call from configuration to outcome (also rendered
//!   as the `--dry-run --json` contract);
//! * [`pipeline`] — the ordered privileged flow both binaries run;
//! * [`trust`] — reading the configuration and filters, verified on the
//!   descriptors they are read from;
//! * [`exec`] — running an allowed command: environment, identity, exit
//!   status, captured output;
//! * [`audit`] — the audit records and the names they carry;
//! * [`syslog`] — sending them as the reference's `SysLogHandler` does;
//! * [`sys`] — every system call beyond `std` (the only user of `nix`);
//! * [`lint`] — dangerous or dead filters;
//! * [`daemon`] — the daemon protocol, server and client;
//! * [`pyos`] — Python's `os.path` where it asks the file system
//!   (Python's string, path and regex semantics are `pycompat`'s).

pub use config::{ConfigError, RootwrapConfig};
pub use decision::{Allowed, Outcome};
pub use filters::{Filter, MatchEnv};
pub use pipeline::{Purpose, Refusal, Session};
pub use trust::Trust;
pub use wrapper::{FilterSet, LoadError};

pub mod audit;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod decision;
pub mod exec;
pub mod filters;
pub(crate) mod ini;
pub mod lint;
pub mod pipeline;
pub mod pyos;
pub mod sys;
pub mod syslog;
pub mod trust;
pub mod wrapper;
