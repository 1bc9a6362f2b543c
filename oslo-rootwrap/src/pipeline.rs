//! The privileged flow, in the order both binaries run it. `oslo-rootwrap`
//! runs it once; `oslo-rootwrap-daemon` runs steps 1-3 at start-up and
//! steps 4-6 for every command it is sent.
//!
//! 1. [`Session::start`] — to run commands, first close every descriptor
//!    above 2 the caller passed; find out how we were started; a setuid binary
//!    becomes fully root and puts its process state (umask, resource
//!    limits) back to root's, or, only inspecting, drops privilege for
//!    good. The environment the commands will get is fixed here: sudo's
//!    (sanitised by sudo) or, when setuid, only [`crate::exec::SAFE_PATH`].
//! 2. [`Session::load`] — read `rootwrap.conf` and every filter file,
//!    verified on the descriptors they are read from ([`crate::trust`]);
//!    lower `RLIMIT_NOFILE` as configured; connect the audit log.
//! 3. The [`Loaded`] configuration is what every later step uses.
//! 4. [`Loaded::decide`] — match the command line against the filters.
//! 5. [`Loaded::audit`] — leave the reference's record of the decision.
//! 6. [`Loaded::run`] / [`Loaded::run_captured`] — start the command with
//!    its environment and identity, default signal state and descriptors
//!    0-2 only ([`crate::exec`]), and wait for it.

use std::ffi::OsString;
use std::path::Path;

use crate::audit::{self, Audit, Style};
use crate::config::{ConfigError, RootwrapConfig};
use crate::decision::{self, Allowed, Outcome};
use crate::exec::{self, Captured, ExecError, SAFE_PATH};
use crate::filters::{Filter, MatchEnv};
use crate::sys::ids::{self, Privilege};
use crate::sys::process;
use crate::sys::{Gid, Uid};
use crate::syslog::Syslog;
use crate::trust::{self, ConfigFile, Trust};
use crate::wrapper::{self, LoadError};

/// What the caller wants done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Run commands (the reference's command line, and the daemon).
    Execute,
    /// Only decide and explain (`--dry-run`, `lint`): no privilege kept.
    Inspect,
}

/// A refusal before any command is considered, with the reference's exit
/// status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The configuration (or a trust check) refused: exit 97.
    #[error("{0}")]
    BadConfig(String),
    /// Where the reference crashes, or the system failed us: exit 1.
    #[error("{0}")]
    Error(String),
}

impl Refusal {
    /// The exit status.
    pub fn exit_code(&self) -> i32 {
        self.clone().into_outcome().exit_code()
    }

    /// The same refusal as an [`Outcome`] (for `--dry-run`).
    pub fn into_outcome(self) -> Outcome {
        match self {
            Refusal::BadConfig(m) => Outcome::BadConfig(m),
            Refusal::Error(m) => Outcome::Error(m),
        }
    }
}

/// Step 1's result: who we are and what we may trust.
#[derive(Debug)]
pub struct Session {
    privilege: Privilege,
    caller: Option<(Uid, Gid)>,
    purpose: Purpose,
    trust: Trust,
    env: Vec<(OsString, OsString)>,
    program: String,
    /// The real uid at start (the caller's, in setuid mode), for naming
    /// the caller in the audit log (after the limits are root's again, so a
    /// caller's tiny RLIMIT_NOFILE cannot blank out who it is).
    real_uid: Uid,
    style: Style,
}

impl Session {
    /// Step 1. `argv0` names the program in syslog records where the
    /// caller cannot choose it (see [`audit::program_name`]); `builtin` is
    /// the name used otherwise.
    pub fn start(
        purpose: Purpose,
        style: Style,
        argv0: &[u8],
        builtin: &str,
    ) -> Result<Session, Refusal> {
        if purpose == Purpose::Execute {
            // Before anything is opened: no descriptor the caller passed
            // reaches a command (the module docs of `sys::process`).
            process::close_inherited()
                .map_err(|e| Refusal::Error(format!("cannot close inherited descriptors: {e}")))?;
        }
        let privilege = ids::privilege();
        let real_uid = ids::real_uid();
        let caller = match privilege {
            Privilege::Setuid => Some((real_uid, ids::real_gid())),
            Privilege::Root => sudo_caller(),
            Privilege::Unprivileged => None,
        };
        match (purpose, privilege) {
            (Purpose::Execute, Privilege::Setuid) => {
                ids::become_root()
                    .map_err(|e| Refusal::Error(format!("cannot switch credentials: {e}")))?;
                process::set_umask(process::ROOT_UMASK);
                process::reset_limits().map_err(|e| Refusal::Error(e.to_string()))?;
            }
            (Purpose::Inspect, Privilege::Setuid) => {
                ids::drop_to_real_ids()
                    .map_err(|e| Refusal::Error(format!("cannot drop privileges: {e}")))?;
            }
            _ => {}
        }
        let env = if privilege == Privilege::Setuid && purpose == Purpose::Execute {
            vec![("PATH".into(), SAFE_PATH.into())]
        } else {
            std::env::vars_os().collect()
        };
        let trust = if ids::is_effective_root() {
            Trust::Verify
        } else {
            Trust::Assume
        };
        Ok(Session {
            privilege,
            caller,
            purpose,
            trust,
            env,
            program: audit::program_name(privilege, argv0, builtin),
            real_uid,
            style,
        })
    }

    /// How rootwrap was started.
    pub fn privilege(&self) -> Privilege {
        self.privilege
    }

    /// The unprivileged user rootwrap acts for: the real user of a setuid
    /// binary, or sudo's caller (`SUDO_UID`/`SUDO_GID`, which sudo itself
    /// sets); `None` for root itself or without privilege.
    pub fn caller(&self) -> Option<(Uid, Gid)> {
        self.caller
    }

    /// Whether configuration and filters are verified (running as root).
    pub fn trust(&self) -> Trust {
        self.trust
    }

    /// The environment commands start from.
    pub fn env(&self) -> &[(OsString, OsString)] {
        &self.env
    }

    /// Step 2, first half: reads `rootwrap.conf` as `cmd.main` does, after
    /// verifying it. A missing file is the reference's empty configuration,
    /// except in setuid mode, where the caller could make it appear later.
    fn load_config(
        &self,
        reader: &mut trust::Reader,
        path: &Path,
    ) -> Result<RootwrapConfig, Refusal> {
        let shown = path.display();
        let bytes = match reader.read_config(path) {
            Ok(ConfigFile::Read(b)) => b,
            Ok(ConfigFile::Absent)
                if self.privilege == Privilege::Setuid && self.purpose == Purpose::Execute =>
            {
                return Err(Refusal::BadConfig(format!(
                    "Untrusted configuration file {shown}: does not exist (a setuid rootwrap never reads a missing configuration as empty)"
                )));
            }
            Ok(ConfigFile::Absent) => Vec::new(),
            Err(e) => {
                return Err(Refusal::BadConfig(format!(
                    "Untrusted configuration file {shown}: {e}"
                )));
            }
        };
        let path_env = exec::env_path(&self.env);
        RootwrapConfig::parse(&bytes, &shown.to_string(), path_env.as_deref()).map_err(
            |e| match e {
                ConfigError::Value(m) => {
                    Refusal::BadConfig(format!("Incorrect value in {shown}: {m}"))
                }
                ConfigError::Parser(_) => {
                    Refusal::BadConfig(format!("Incorrect configuration file: {shown}"))
                }
            },
        )
    }

    /// Step 2, second half: the filters named by `config`, verified.
    fn load_filters(
        &self,
        reader: &mut trust::Reader,
        config: &RootwrapConfig,
    ) -> Result<wrapper::FilterSet, Refusal> {
        wrapper::load_filters_with(reader, &config.filters_path).map_err(|e| match e {
            LoadError::Untrusted(e) => {
                Refusal::BadConfig(format!("Untrusted filter definitions: {e}"))
            }
            e @ LoadError::Malformed { .. } => Refusal::Error(format!("Malformed filter file {e}")),
        })
    }

    /// Step 2: configuration, `rlimit_nofile`, the audit log (whose
    /// unavailability is reported through `on_warning`, as the reference
    /// prints it and carries on), then the filters.
    pub fn load(&self, path: &Path, on_warning: &mut dyn FnMut(&str)) -> Result<Loaded, Refusal> {
        // One reader: directories verified for rootwrap.conf are not
        // walked again for the filters beside it.
        let mut reader = trust::Reader::new(self.trust);
        let config = self.load_config(&mut reader, path)?;
        let mut syslog = None;
        if self.purpose == Purpose::Execute {
            let limit = u64::try_from(config.rlimit_nofile).map_err(|_| {
                Refusal::Error(format!("invalid rlimit_nofile: {}", config.rlimit_nofile))
            })?;
            process::lower_nofile(limit)
                .map_err(|e| Refusal::Error(format!("cannot set rlimit_nofile: {e}")))?;
            syslog = Syslog::for_config(&config, &self.program).unwrap_or_else(|_| {
                on_warning(crate::syslog::UNAVAILABLE);
                None
            });
        }
        let set = self.load_filters(&mut reader, &config)?;
        // The names the records carry (user database lookups) are only
        // looked up when there is an audit log to write them to.
        let audit = match syslog {
            Some(log) => {
                let login = audit::login_name(self.privilege, self.real_uid);
                let me = ids::user_name(ids::real_uid()).unwrap_or_else(|| "root".to_owned());
                Audit::new(Some(log), self.style, login, me)
            }
            None => Audit::new(None, self.style, String::new(), String::new()),
        };
        Ok(Loaded {
            match_env: MatchEnv {
                path: exec::env_path(&self.env),
            },
            env: self.env.clone(),
            audit,
            filters: set.filters,
            warnings: set.warnings,
            config,
        })
    }
}

/// sudo's caller, from the variables sudo sets (it overwrites any the
/// caller passed); not root.
fn sudo_caller() -> Option<(Uid, Gid)> {
    let uid: u32 = std::env::var("SUDO_UID").ok()?.parse().ok()?;
    let uid = Uid::from_raw(uid);
    let gid = std::env::var("SUDO_GID")
        .ok()
        .and_then(|g| g.parse::<u32>().ok())
        .map(Gid::from_raw)
        .or_else(|| ids::group_of(uid))?;
    (!uid.is_root()).then_some((uid, gid))
}

/// Step 3: everything later steps need, loaded once.
#[derive(Debug)]
pub struct Loaded {
    /// The configuration.
    pub config: RootwrapConfig,
    /// The filters, in load order.
    pub filters: Vec<Filter>,
    /// "Skipping unknown filter class" messages from loading.
    pub warnings: Vec<String>,
    env: Vec<(OsString, OsString)>,
    match_env: MatchEnv,
    audit: Audit,
}

impl Loaded {
    /// Step 4: the decision for `userargs`.
    pub fn decide(&self, mut userargs: Vec<Vec<u8>>) -> Outcome {
        decision::decide_with(
            &self.filters,
            &mut userargs,
            &self.config.exec_dirs,
            &self.match_env,
        )
    }

    /// Step 5: the audit log.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// Step 5 for one decision: the record the reference leaves for it.
    pub fn record(&self, outcome: &Outcome, asked: &[Vec<u8>]) {
        match outcome {
            Outcome::Allowed(a) => self.audit.allowed(a),
            other => self.audit.refused(other, asked),
        }
    }

    /// Step 6: runs an allowed command on our stdio; its exit status.
    pub fn run(&self, allowed: &Allowed) -> Result<i32, ExecError> {
        exec::run(allowed, &exec::command_env(&self.env, allowed))
    }

    /// Step 6 for the daemon: runs an allowed command with `stdin`,
    /// capturing its output (at most `output_limit` bytes, each buffer
    /// growth granted by `grow`).
    pub fn run_captured(
        &self,
        allowed: &Allowed,
        stdin: &[u8],
        output_limit: usize,
        grow: &mut dyn FnMut(usize) -> bool,
    ) -> Result<Captured, ExecError> {
        exec::run_captured(
            allowed,
            &exec::command_env(&self.env, allowed),
            stdin,
            output_limit,
            grow,
        )
    }
}
