//! The audit trail: which record each decision leaves in syslog, in the
//! reference's words, and who the records name.
//!
//! The CLI and the daemon word their records as their references do (the
//! CLI logs refusals at ERROR with the possibly rewritten command line; the
//! daemon at WARNING with the command as asked); [`Style`] chooses.
//! Whatever the caller controls is never trusted here: in setuid mode the
//! program name is not the caller's `argv[0]` ([`program_name`]), the
//! caller is named from its uid, and [`crate::syslog`] escapes control
//! characters in every record.

use std::sync::Mutex;

use crate::decision::{Allowed, Outcome};
use crate::sys::Uid;
use crate::sys::ids::{self, Privilege};
use crate::syslog::{Level, Syslog};
use pycompat::str as pystr;

/// Whose wording the records follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `oslo_rootwrap.cmd.main`.
    Cli,
    /// `oslo_rootwrap.daemon.RootwrapClass`.
    Daemon,
}

/// Where records go, and the names they carry.
#[derive(Debug)]
pub struct Audit {
    syslog: Option<Mutex<Syslog>>,
    style: Style,
    /// Who asked (the reference's `_getlogin()`).
    login: String,
    /// Who runs the command (the name of rootwrap's own uid).
    me: String,
}

fn lock(s: &Mutex<Syslog>) -> std::sync::MutexGuard<'_, Syslog> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Audit {
    /// An audit trail to `syslog` (or nowhere).
    pub fn new(syslog: Option<Syslog>, style: Style, login: String, me: String) -> Audit {
        Audit {
            syslog: syslog.map(Mutex::new),
            style,
            login,
            me,
        }
    }

    /// Whether records are sent anywhere.
    pub fn enabled(&self) -> bool {
        self.syslog.is_some()
    }

    /// Sends one record (dropped when syslog is off or filters it).
    pub fn log(&self, level: Level, message: &str) {
        if let Some(s) = &self.syslog {
            lock(s).log(level, message);
        }
    }

    /// The record of an allowed command.
    pub fn allowed(&self, a: &Allowed) {
        self.log(
            Level::Info,
            &format!(
                "({} > {}) Executing {} (filter match = {})",
                self.login,
                self.me,
                pystr::py_repr_list(&a.command),
                a.filter
            ),
        );
    }

    /// The record of a refusal, if the reference leaves one. `asked` is
    /// the command line as received (the daemon names it; the CLI names
    /// the one EnvFilter may have rewritten, inside `outcome`).
    pub fn refused(&self, outcome: &Outcome, asked: &[Vec<u8>]) {
        let shown = || {
            let parts: Vec<String> = asked.iter().map(|a| pystr::display(a)).collect();
            parts.join(" ")
        };
        match (self.style, outcome) {
            (_, Outcome::Allowed(_)) => {}
            (Style::Cli, Outcome::Unauthorized { .. } | Outcome::NoExec { .. }) => {
                if let Some(msg) = outcome.message() {
                    self.log(Level::Error, &msg);
                }
            }
            (Style::Cli, _) => {}
            (Style::Daemon, Outcome::Unauthorized { .. }) => self.log(
                Level::Warning,
                &format!("Unauthorized command: {} (no filter matched)", shown()),
            ),
            (Style::Daemon, Outcome::NoExec { .. }) => {
                self.log(
                    Level::Warning,
                    &format!("Executable not found for: {}", shown()),
                );
            }
            (Style::Daemon, other) => {
                if let Some(msg) = other.message() {
                    self.log(Level::Error, &msg);
                }
            }
        }
    }
}

/// Who asked, for the audit line: the login uid's name (set by PAM at
/// login; no process can change it afterwards), else — under sudo — the
/// `$USER`-like variables the reference's `_getlogin` reads, else, in
/// setuid mode, the real uid's name: a setuid rootwrap never believes
/// the caller's environment.
pub fn login_name(privilege: Privilege, real_uid: Uid) -> String {
    let loginuid = std::fs::read_to_string("/proc/self/loginuid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|&u| u != u32::MAX);
    if let Some(name) = loginuid.and_then(|u| ids::user_name(Uid::from_raw(u))) {
        return name;
    }
    if privilege == Privilege::Setuid {
        return ids::user_name(real_uid).unwrap_or_else(|| real_uid.to_string());
    }
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "None".to_owned())
}

/// The syslog program name. The reference uses the basename of `argv[0]`,
/// which is right under sudo (sudoers pins the binary). A setuid caller
/// chooses `argv[0]` freely, so there it is the name of the executable the
/// kernel started (`/proc/self/exe`), provided that file has no other name
/// (a caller could have hard-linked it under a name of its choosing) and
/// the name is plain; otherwise `fallback` (the binary's built-in name).
pub fn program_name(privilege: Privilege, argv0: &[u8], fallback: &str) -> String {
    if privilege != Privilege::Setuid {
        return pystr::display(pycompat::ospath::basename(argv0));
    }
    let exe = std::path::Path::new("/proc/self/exe");
    let single_name =
        std::fs::metadata(exe).is_ok_and(|m| std::os::unix::fs::MetadataExt::nlink(&m) == 1);
    let name = std::fs::read_link(exe)
        .ok()
        .and_then(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned));
    match name {
        Some(n)
            if single_name
                && !n.is_empty()
                && n.len() <= 64
                && n.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+')
                }) =>
        {
            n
        }
        _ => fallback.to_owned(),
    }
}
