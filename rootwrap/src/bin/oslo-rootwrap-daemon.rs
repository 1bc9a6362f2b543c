//! `oslo-rootwrap-daemon`: the drop-in for `nova-rootwrap-daemon`,
//! `neutron-rootwrap-daemon`, ...
//!
//! ```text
//! oslo-rootwrap-daemon CONFIG
//! ```
//! Loads CONFIG and its filters exactly like `oslo-rootwrap`, creates a
//! private directory with a Unix socket in it, writes the socket path, a
//! newline and 32 random key bytes to stdout, and serves
//! `oslo_rootwrap.client.Client` (or [`rootwrap::daemon::client::Client`])
//! until told to shut down, idle for `daemon_timeout` seconds, or sent
//! SIGTERM/SIGINT. Only the user who started it (through sudo) and root may
//! connect.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::{Gid, Uid};
use rootwrap::daemon::server::{Daemon, Options};
use rootwrap::decision::{self, RC_BADCONFIG, RC_ERROR, RC_NOCOMMAND};
use rootwrap::exec::{self, Privilege};
use rootwrap::filters::MatchEnv;
use rootwrap::pystr;
use rootwrap::syslog::Syslog;
use rootwrap::wrapper::{self, LoadError};

fn code(c: i32) -> ExitCode {
    ExitCode::from(u8::try_from(c).unwrap_or(1))
}

/// The user the daemon serves: the real user of a setuid binary, sudo's
/// caller (`SUDO_UID`/`SUDO_GID`, set by sudo itself), or nobody but root.
fn owner(privilege: Privilege) -> Option<(Uid, Gid)> {
    match privilege {
        Privilege::Setuid => Some((nix::unistd::getuid(), nix::unistd::getgid())),
        Privilege::Root => {
            let uid: u32 = std::env::var("SUDO_UID").ok()?.parse().ok()?;
            let gid = std::env::var("SUDO_GID")
                .ok()
                .and_then(|g| g.parse::<u32>().ok())
                .map(Gid::from_raw)
                .or_else(|| {
                    nix::unistd::User::from_uid(Uid::from_raw(uid))
                        .ok()
                        .flatten()
                        .map(|u| u.gid)
                })?;
            (uid != 0).then_some((Uid::from_raw(uid), gid))
        }
        Privilege::Unprivileged => None,
    }
}

/// `tempfile.gettempdir()` for the daemon's environment (a setuid daemon
/// ignores the caller's variables).
fn tmpdir(privilege: Privilege) -> PathBuf {
    if privilege != Privilege::Setuid {
        for var in ["TMPDIR", "TEMP", "TMP"] {
            if let Some(dir) = std::env::var_os(var) {
                let dir = PathBuf::from(dir);
                if !dir.as_os_str().is_empty() && dir.is_dir() {
                    return dir;
                }
            }
        }
    }
    PathBuf::from("/tmp")
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let execname = args.first().map_or_else(
        || "oslo-rootwrap-daemon".to_owned(),
        |a| pystr::display(a.as_bytes()),
    );
    let fail = |msg: &str, rc: i32| {
        eprintln!("{execname}: {msg}");
        code(rc)
    };
    let [_, config_path] = args.as_slice() else {
        return fail("Extra arguments to daemon", RC_NOCOMMAND);
    };
    let config_path = PathBuf::from(config_path);

    let privilege = exec::privilege();
    let real_uid = nix::unistd::getuid();
    let owner = owner(privilege);
    if privilege == Privilege::Setuid {
        if let Err(e) = exec::become_root() {
            return fail(&e.to_string(), RC_ERROR);
        }
    }
    let env = exec::working_env(privilege);
    let path = exec::env_path(&env);
    let check_trust = nix::unistd::geteuid().is_root();
    let config = match decision::load_config(&config_path, path.as_deref(), check_trust) {
        Ok(c) => c,
        Err(msg) => return fail(&msg, RC_BADCONFIG),
    };
    if let Err(msg) = exec::lower_nofile(config.rlimit_nofile) {
        return fail(&msg, RC_ERROR);
    }
    let syslog = Syslog::for_config(&config, &execname).unwrap_or_else(|_| {
        eprintln!("{}", rootwrap::syslog::UNAVAILABLE);
        None
    });
    let set = match wrapper::load_filters(&config.filters_path, check_trust) {
        Ok(set) => set,
        Err(LoadError::Untrusted(e)) => {
            return fail(&format!("Untrusted filter definitions: {e}"), RC_BADCONFIG);
        }
        Err(e @ LoadError::Malformed { .. }) => {
            return fail(&format!("Malformed filter file {e}"), RC_ERROR);
        }
    };
    // The daemon's stderr is gone once it serves: skipped filter classes
    // are reported now.
    for w in &set.warnings {
        eprintln!("{w}");
    }

    let mut allowed_uids = vec![Uid::from_raw(0), nix::unistd::geteuid()];
    if let Some((uid, _)) = owner {
        allowed_uids.push(uid);
    }
    let me = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map_or_else(|| "root".to_owned(), |u| u.name);
    let max_message = match config.daemon_max_message_mb.as_deref() {
        None => Options::new().max_message,
        Some(v) => match pystr::py_int_saturating(v) {
            Some(mb) if (1..=1 << 20).contains(&mb) => u64::try_from(mb).unwrap_or(64) << 20,
            _ => {
                return fail(
                    &format!(
                        "Incorrect value in {}: daemon_max_message_mb must be an integer from 1 to 1048576, not {v:?}",
                        config_path.display()
                    ),
                    RC_BADCONFIG,
                );
            }
        },
    };
    let options = Options {
        max_message,
        owner,
        allowed_uids,
        tmpdir: tmpdir(privilege),
        idle_timeout: Duration::from_secs(u64::try_from(config.daemon_timeout).unwrap_or(0)),
        child_env: env,
        match_env: MatchEnv { path },
        login: exec::login_name(privilege, real_uid),
        me,
        ..Options::new()
    };

    // SIGTERM/SIGINT are blocked in every thread (threads inherit the mask)
    // and read from a signalfd by the serving loop; commands get an empty
    // mask again.
    let mut mask = SigSet::empty();
    mask.add(Signal::SIGTERM);
    mask.add(Signal::SIGINT);
    if let Err(e) = mask.thread_block() {
        return fail(&format!("cannot block signals: {e}"), RC_ERROR);
    }
    let signals = match SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC) {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot create a signalfd: {e}"), RC_ERROR),
    };

    let daemon = match Daemon::bind(set.filters, config.exec_dirs, syslog, options) {
        Ok(d) => d,
        Err(e) => return fail(&e.to_string(), RC_ERROR),
    };
    let mut announce = daemon.socket_path().as_os_str().as_bytes().to_vec();
    announce.push(b'\n');
    announce.extend_from_slice(daemon.authkey());
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(&announce)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // Nobody is listening: do not serve a socket nobody can find.
        drop(stdout);
        daemon.stop_handle().stop();
        let _ = daemon.serve(None);
        return code(RC_ERROR);
    }
    drop(stdout);
    // Like the reference, stop using the caller's pipes: nothing may block
    // on a full stderr pipe nobody reads any more.
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        let _ = nix::unistd::dup2_stdin(&null);
        let _ = nix::unistd::dup2_stdout(&null);
        let _ = nix::unistd::dup2_stderr(&null);
    }
    match daemon.serve(Some(&signals)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => code(RC_ERROR),
    }
}
