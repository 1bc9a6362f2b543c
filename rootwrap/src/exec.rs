//! Running an allowed command: credentials, limits, descriptors, signals,
//! environment, exit status.
//!
//! Differences from the reference, on purpose:
//! * `run_as` gets the target user's groups and gid (`initgroups`, `setgid`,
//!   `setuid`, then verified), where the reference only calls `setuid` and
//!   leaves the child with gid 0 and root's supplementary groups.
//! * The switch happens in rootwrap itself just before `posix_spawn` (the
//!   crate forbids `unsafe`, so there is no `pre_exec` hook); rootwrap only
//!   waits for the child afterwards, so it needs no privilege.
//! * Every signal disposition is reset to the default and the signal mask
//!   emptied in the child (the reference resets SIGPIPE and SIGXFSZ only).

use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::spawn::{PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags, posix_spawn};
use nix::sys::signal::SigSet;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{Gid, Uid, User};

use crate::decision::SIGNAL_BASE;

/// The fixed `PATH` a setuid rootwrap runs with (sudo's `secure_path`).
pub const SAFE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What can go wrong while executing.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// `run_as` names no user.
    #[error("unknown user {0:?} in run_as")]
    UnknownUser(String),
    /// Changing credentials failed or did not stick.
    #[error("cannot switch credentials: {0}")]
    Credentials(String),
    /// The command could not be started.
    #[error("cannot execute {command}: {errno}")]
    Spawn {
        /// `command[0]`.
        command: String,
        /// The error from exec.
        errno: Errno,
    },
    /// A NUL byte in an argument or variable.
    #[error("argument or environment value contains a NUL byte")]
    Nul,
    /// Waiting for the child failed.
    #[error("waiting for the command failed: {0}")]
    Wait(Errno),
}

/// How rootwrap was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// Real and effective uid are root (sudo).
    Root,
    /// Installed setuid root and called by another user.
    Setuid,
    /// No privilege at all (a plain user, or tests).
    Unprivileged,
}

/// Detects how the process was started.
pub fn privilege() -> Privilege {
    let (ruid, euid) = match nix::unistd::getresuid() {
        Ok(r) => (r.real, r.effective),
        Err(_) => (nix::unistd::getuid(), nix::unistd::geteuid()),
    };
    let (rgid, egid) = (nix::unistd::getgid(), nix::unistd::getegid());
    if euid.is_root() && (!ruid.is_root() || rgid != egid) {
        Privilege::Setuid
    } else if euid.is_root() {
        Privilege::Root
    } else {
        Privilege::Unprivileged
    }
}

/// Makes a setuid process fully root (real, effective and saved ids, no
/// supplementary groups), so `access()` checks mean what they mean under
/// sudo.
pub fn become_root() -> Result<(), ExecError> {
    let err = |e: Errno| ExecError::Credentials(e.to_string());
    nix::unistd::setgroups(&[]).map_err(err)?;
    nix::unistd::setresgid(Gid::from_raw(0), Gid::from_raw(0), Gid::from_raw(0)).map_err(err)?;
    nix::unistd::setresuid(Uid::from_raw(0), Uid::from_raw(0), Uid::from_raw(0)).map_err(err)?;
    Ok(())
}

/// Gives up root for the real uid/gid (used by the inspection modes of a
/// setuid binary: they never need privilege).
pub fn drop_to_real_ids() -> Result<(), ExecError> {
    let err = |e: Errno| ExecError::Credentials(e.to_string());
    let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
    if nix::unistd::geteuid().is_root() && !uid.is_root() {
        nix::unistd::setgroups(&[gid]).map_err(err)?;
    }
    nix::unistd::setresgid(gid, gid, gid).map_err(err)?;
    nix::unistd::setresuid(uid, uid, uid).map_err(err)?;
    Ok(())
}

/// Lowers the soft `RLIMIT_NOFILE` to `limit` if it is higher (the child
/// inherits it). Negative limits are refused.
pub fn lower_nofile(limit: i64) -> Result<(), String> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let limit = u64::try_from(limit).map_err(|_| format!("invalid rlimit_nofile: {limit}"))?;
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(|e| e.to_string())?;
    if soft > limit {
        setrlimit(Resource::RLIMIT_NOFILE, limit, hard).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Switches to `run_as` (unless it is `root`): supplementary groups, gid,
/// uid, then checks that root cannot be regained.
pub fn switch_user(run_as: &str) -> Result<(), ExecError> {
    if run_as == "root" {
        return Ok(());
    }
    let user = User::from_name(run_as)
        .map_err(|e| ExecError::Credentials(e.to_string()))?
        .ok_or_else(|| ExecError::UnknownUser(run_as.to_owned()))?;
    let err = |e: Errno| ExecError::Credentials(e.to_string());
    let name = CString::new(user.name.as_bytes()).map_err(|_| ExecError::Nul)?;
    nix::unistd::initgroups(&name, user.gid).map_err(err)?;
    nix::unistd::setresgid(user.gid, user.gid, user.gid).map_err(err)?;
    nix::unistd::setresuid(user.uid, user.uid, user.uid).map_err(err)?;
    let ids = nix::unistd::getresuid().map_err(err)?;
    let gids = nix::unistd::getresgid().map_err(err)?;
    let ok = [ids.real, ids.effective, ids.saved]
        .iter()
        .all(|u| *u == user.uid)
        && [gids.real, gids.effective, gids.saved]
            .iter()
            .all(|g| *g == user.gid)
        && (user.uid.is_root() || nix::unistd::setuid(Uid::from_raw(0)).is_err());
    if ok {
        Ok(())
    } else {
        Err(ExecError::Credentials(format!(
            "credentials of {run_as} did not stick"
        )))
    }
}

fn cstring(b: &[u8]) -> Result<CString, ExecError> {
    CString::new(b.to_vec()).map_err(|_| ExecError::Nul)
}

/// Descriptors above 2 that are open now (from `/proc/self/fd`).
fn open_fds_above_stdio() -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    let mut fds: Vec<i32> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
        .filter(|&fd| fd > 2)
        .collect();
    fds.sort_unstable();
    fds
}

/// Candidate paths for `command[0]` like Python's `subprocess`: used as is
/// when it contains a `/`, else searched in the child's `PATH` (or
/// `/bin:/usr/bin` when it has none).
fn candidates(program: &[u8], env: &[(OsString, OsString)]) -> Vec<Vec<u8>> {
    if program.contains(&b'/') {
        return vec![program.to_vec()];
    }
    let path = env
        .iter()
        .find(|(k, _)| k.as_bytes() == b"PATH")
        .map_or(&b"/bin:/usr/bin"[..], |(_, v)| v.as_bytes());
    path.split(|&c| c == b':')
        .map(|dir| crate::pyos::join(dir, program))
        .collect()
}

/// Spawns `command` with `env` (stdin/stdout/stderr shared, every other
/// descriptor closed, default signal dispositions, empty signal mask),
/// waits, and returns the exit status (`128 + N` if killed by signal N).
pub fn spawn_and_wait(command: &[Vec<u8>], env: &[(OsString, OsString)]) -> Result<i32, ExecError> {
    let program = command.first().ok_or(ExecError::Nul)?;
    let argv: Vec<CString> = command
        .iter()
        .map(|a| cstring(a))
        .collect::<Result<_, _>>()?;
    let envp: Vec<CString> = env
        .iter()
        .map(|(k, v)| cstring(&[k.as_bytes(), b"=", v.as_bytes()].concat()))
        .collect::<Result<_, _>>()?;
    let spawn_err = |errno| ExecError::Spawn {
        command: crate::pystr::display(program),
        errno,
    };
    let mut attr = PosixSpawnAttr::init().map_err(spawn_err)?;
    attr.set_sigdefault(&SigSet::all()).map_err(spawn_err)?;
    attr.set_sigmask(&SigSet::empty()).map_err(spawn_err)?;
    attr.set_flags(
        PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF | PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK,
    )
    .map_err(spawn_err)?;
    let mut actions = PosixSpawnFileActions::init().map_err(spawn_err)?;
    for fd in open_fds_above_stdio() {
        actions.add_close(fd).map_err(spawn_err)?;
    }
    let mut first_error: Option<Errno> = None;
    let mut last_error = Errno::ENOENT;
    let mut child = None;
    for candidate in candidates(program, env) {
        let path = cstring(&candidate)?;
        match posix_spawn(path.as_c_str(), &actions, &attr, &argv, &envp) {
            Ok(pid) => {
                child = Some(pid);
                break;
            }
            Err(e) => {
                if e != Errno::ENOENT && e != Errno::ENOTDIR && first_error.is_none() {
                    first_error = Some(e);
                }
                last_error = e;
            }
        }
    }
    let Some(pid) = child else {
        return Err(spawn_err(first_error.unwrap_or(last_error)));
    };
    loop {
        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(code),
            Ok(WaitStatus::Signaled(_, sig, _)) => return Ok(SIGNAL_BASE + sig as i32),
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(e) => return Err(ExecError::Wait(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(OsString, OsString)> {
        vec![("PATH".into(), "/usr/bin:/bin".into())]
    }

    #[test]
    fn exit_status_and_signals() -> Result<(), ExecError> {
        let sh = |script: &str| vec![b"sh".to_vec(), b"-c".to_vec(), script.as_bytes().to_vec()];
        assert_eq!(spawn_and_wait(&sh("exit 3"), &env())?, 3);
        assert_eq!(spawn_and_wait(&sh("kill -TERM $$"), &env())?, 143);
        assert!(matches!(
            spawn_and_wait(&[b"/nonexistent/x".to_vec()], &env()),
            Err(ExecError::Spawn {
                errno: Errno::ENOENT,
                ..
            })
        ));
        Ok(())
    }

    #[test]
    fn descriptors_above_stdio_are_closed() -> Result<(), Box<dyn std::error::Error>> {
        // dup() gives a descriptor without FD_CLOEXEC, like one inherited
        // from the caller of rootwrap.
        let leaked = nix::unistd::dup(std::io::stderr())?;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&leaked);
        let script = format!("test -e /proc/self/fd/{fd} && exit 7; exit 0");
        let code = spawn_and_wait(
            &[b"/bin/sh".to_vec(), b"-c".to_vec(), script.into_bytes()],
            &env(),
        )?;
        assert_eq!(code, 0, "fd {fd} leaked into the child");
        Ok(())
    }
}
