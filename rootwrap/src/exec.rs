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

/// The environment rootwrap works with and hands to commands: the
/// caller's under sudo (sudo has sanitised it), only [`SAFE_PATH`] when
/// running setuid.
pub fn working_env(privilege: Privilege) -> Vec<(OsString, OsString)> {
    if privilege == Privilege::Setuid {
        vec![("PATH".into(), SAFE_PATH.into())]
    } else {
        std::env::vars_os().collect()
    }
}

/// `PATH` of an environment, as bytes.
pub fn env_path(env: &[(OsString, OsString)]) -> Option<Vec<u8>> {
    env.iter()
        .find(|(k, _)| k.as_bytes() == b"PATH")
        .map(|(_, v)| v.as_bytes().to_vec())
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

/// Spawns `command` like Python's `subprocess` would find it (see
/// [`candidates`]) with every descriptor above 2 closed, after dup'ing
/// `stdio` (stdin, stdout, stderr) onto 0-2 when given, default signal
/// dispositions and an empty signal mask.
fn spawn(
    command: &[Vec<u8>],
    env: &[(OsString, OsString)],
    stdio: Option<[std::os::fd::RawFd; 3]>,
) -> Result<nix::unistd::Pid, ExecError> {
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
    if let Some(fds) = stdio {
        for (target, fd) in (0..).zip(fds) {
            actions.add_dup2(fd, target).map_err(spawn_err)?;
        }
    }
    // Everything above stdio goes, including pipe ends just duplicated and
    // descriptors other threads hold (closing one that is gone by then is
    // ignored by posix_spawn).
    for fd in open_fds_above_stdio() {
        actions.add_close(fd).map_err(spawn_err)?;
    }
    let mut first_error: Option<Errno> = None;
    let mut last_error = Errno::ENOENT;
    for candidate in candidates(program, env) {
        let path = cstring(&candidate)?;
        match posix_spawn(path.as_c_str(), &actions, &attr, &argv, &envp) {
            Ok(pid) => return Ok(pid),
            Err(e) => {
                if e != Errno::ENOENT && e != Errno::ENOTDIR && first_error.is_none() {
                    first_error = Some(e);
                }
                last_error = e;
            }
        }
    }
    Err(spawn_err(first_error.unwrap_or(last_error)))
}

/// How a child ended.
enum Ended {
    Exited(i32),
    Signaled(i32),
}

fn wait_for(pid: nix::unistd::Pid) -> Result<Ended, ExecError> {
    loop {
        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(Ended::Exited(code)),
            Ok(WaitStatus::Signaled(_, sig, _)) => return Ok(Ended::Signaled(sig as i32)),
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(e) => return Err(ExecError::Wait(e)),
        }
    }
}

/// Spawns `command` with `env` (stdin/stdout/stderr shared, every other
/// descriptor closed, default signal dispositions, empty signal mask),
/// waits, and returns the exit status (`128 + N` if killed by signal N).
pub fn spawn_and_wait(command: &[Vec<u8>], env: &[(OsString, OsString)]) -> Result<i32, ExecError> {
    let pid = spawn(command, env, None)?;
    Ok(match wait_for(pid)? {
        Ended::Exited(code) => code,
        Ended::Signaled(sig) => SIGNAL_BASE + sig,
    })
}

/// Who asked, for the audit line: the login uid's name, else `$USER`-like
/// variables (the reference's `_getlogin`), else `None`.
pub fn login_name(privilege: Privilege, real_uid: nix::unistd::Uid) -> String {
    let by_uid = |uid: u32| {
        nix::unistd::User::from_uid(uid.into())
            .ok()
            .flatten()
            .map(|u| u.name)
    };
    let loginuid = std::fs::read_to_string("/proc/self/loginuid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|&u| u != u32::MAX);
    if let Some(name) = loginuid.and_then(by_uid) {
        return name;
    }
    if privilege == Privilege::Setuid {
        // Never trust the caller's environment for the audit trail.
        return by_uid(real_uid.as_raw()).unwrap_or_else(|| real_uid.to_string());
    }
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "None".to_owned())
}

/// What a command run by the daemon produced (`Popen.communicate()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Exit status, or minus the signal number that killed it (Python's
    /// `returncode`).
    pub returncode: i32,
    /// Everything written to stdout.
    pub stdout: Vec<u8>,
    /// Everything written to stderr.
    pub stderr: Vec<u8>,
}

/// Runs `command` as `run_as` with `env`, feeding it `stdin` (or an empty,
/// closed stdin) and collecting its stdout and stderr, like the daemon's
/// `Popen(..., stdin=PIPE, stdout=PIPE, stderr=PIPE).communicate()`.
///
/// Unlike [`spawn_and_wait`] this never changes the calling process's
/// credentials (the daemon serves many commands from many threads):
/// * as root, the child is started with `posix_spawn`, every descriptor
///   above 2 closed and signal state reset, like the CLI;
/// * as another user, the child gets that user's uid and primary gid and no
///   supplementary groups (`std::process::Command::uid/gid`; the crate has
///   no `unsafe` for an `initgroups` hook), where the reference only calls
///   `setuid` and leaves gid 0.
pub fn run_captured(
    command: &[Vec<u8>],
    env: &[(OsString, OsString)],
    run_as: &str,
    stdin: &[u8],
) -> Result<Captured, ExecError> {
    use std::fs::File;
    use std::os::unix::process::{CommandExt, ExitStatusExt};

    let program = command.first().ok_or(ExecError::Nul)?;
    let spawn_err = |errno| ExecError::Spawn {
        command: crate::pystr::display(program),
        errno,
    };
    if run_as != "root" {
        let user = User::from_name(run_as)
            .map_err(|e| ExecError::Credentials(e.to_string()))?
            .ok_or_else(|| ExecError::UnknownUser(run_as.to_owned()))?;
        if command.iter().any(|a| a.contains(&0))
            || env
                .iter()
                .any(|(k, v)| k.as_bytes().contains(&0) || v.as_bytes().contains(&0))
        {
            return Err(ExecError::Nul);
        }
        let mut cmd = std::process::Command::new(std::ffi::OsStr::from_bytes(program));
        cmd.args(
            command
                .iter()
                .skip(1)
                .map(|a| std::ffi::OsStr::from_bytes(a)),
        )
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .uid(user.uid.as_raw())
        .gid(user.gid.as_raw())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| spawn_err(Errno::from_raw(e.raw_os_error().unwrap_or(libc_eio()))))?;
        let (out, err) = communicate(
            child
                .stdin
                .take()
                .map(|c| File::from(std::os::fd::OwnedFd::from(c))),
            child
                .stdout
                .take()
                .map(|c| File::from(std::os::fd::OwnedFd::from(c))),
            child
                .stderr
                .take()
                .map(|c| File::from(std::os::fd::OwnedFd::from(c))),
            stdin,
        );
        let status = child.wait().map_err(|e| {
            ExecError::Wait(Errno::from_raw(e.raw_os_error().unwrap_or(libc_eio())))
        })?;
        let returncode = status
            .code()
            .or_else(|| status.signal().map(|s| -s))
            .unwrap_or(0);
        return Ok(Captured {
            returncode,
            stdout: out,
            stderr: err,
        });
    }

    let flags = nix::fcntl::OFlag::O_CLOEXEC;
    let (in_r, in_w) = nix::unistd::pipe2(flags).map_err(spawn_err)?;
    let (out_r, out_w) = nix::unistd::pipe2(flags).map_err(spawn_err)?;
    let (err_r, err_w) = nix::unistd::pipe2(flags).map_err(spawn_err)?;
    use std::os::fd::AsRawFd;
    let spawned = spawn(
        command,
        env,
        Some([in_r.as_raw_fd(), out_w.as_raw_fd(), err_w.as_raw_fd()]),
    );
    drop((in_r, out_w, err_w));
    let pid = spawned?;
    let (out, err) = communicate(
        Some(File::from(in_w)),
        Some(File::from(out_r)),
        Some(File::from(err_r)),
        stdin,
    );
    let returncode = match wait_for(pid)? {
        Ended::Exited(code) => code,
        Ended::Signaled(sig) => -sig,
    };
    Ok(Captured {
        returncode,
        stdout: out,
        stderr: err,
    })
}

fn libc_eio() -> i32 {
    Errno::EIO as i32
}

/// Writes `input` to the child's stdin (then closes it) while draining its
/// stdout and stderr, in one thread with `poll`, so no pipe can fill up and
/// deadlock (`Popen.communicate()`).
fn communicate(
    stdin: Option<std::fs::File>,
    stdout: Option<std::fs::File>,
    stderr: Option<std::fs::File>,
    input: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::io::{ErrorKind, Read, Write};
    use std::os::fd::AsFd;

    // Nothing to write: closing stdin at once is what communicate() does.
    let mut stdin = stdin.filter(|_| !input.is_empty());
    if let Some(f) = &stdin {
        let nonblocking = nix::fcntl::fcntl(f, nix::fcntl::FcntlArg::F_GETFL)
            .map(nix::fcntl::OFlag::from_bits_truncate)
            .and_then(|fl| {
                nix::fcntl::fcntl(
                    f,
                    nix::fcntl::FcntlArg::F_SETFL(fl | nix::fcntl::OFlag::O_NONBLOCK),
                )
            });
        if nonblocking.is_err() {
            // A blocking write could deadlock against a full stdout pipe:
            // rather give the command no input than hang the daemon.
            stdin = None;
        }
    }
    let (mut stdout, mut stderr) = (stdout, stderr);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut written = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    while stdin.is_some() || stdout.is_some() || stderr.is_some() {
        let mut fds = Vec::with_capacity(3);
        let mut which = Vec::with_capacity(3);
        if let Some(f) = &stdin {
            fds.push(PollFd::new(f.as_fd(), PollFlags::POLLOUT));
            which.push(0);
        }
        if let Some(f) = &stdout {
            fds.push(PollFd::new(f.as_fd(), PollFlags::POLLIN));
            which.push(1);
        }
        if let Some(f) = &stderr {
            fds.push(PollFd::new(f.as_fd(), PollFlags::POLLIN));
            which.push(2);
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(_) => break,
        }
        let ready: Vec<usize> = which
            .iter()
            .zip(&fds)
            .filter(|(_, fd)| fd.revents().is_some_and(|r| !r.is_empty()))
            .map(|(w, _)| *w)
            .collect();
        drop(fds);
        for w in ready {
            if w == 0 {
                let rest = input.get(written..).unwrap_or_default();
                match stdin.as_mut().map(|f| f.write(rest)) {
                    Some(Ok(n)) => {
                        written += n;
                        if written >= input.len() {
                            stdin = None;
                        }
                    }
                    Some(Err(e))
                        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                    // EPIPE: the command did not read all of its input,
                    // which communicate() ignores too.
                    _ => stdin = None,
                }
                continue;
            }
            let (pipe, sink) = if w == 1 {
                (&mut stdout, &mut out)
            } else {
                (&mut stderr, &mut err)
            };
            match pipe.as_mut().map(|f| f.read(&mut buf)) {
                Some(Ok(0)) | None => *pipe = None,
                Some(Ok(n)) => sink.extend_from_slice(buf.get(..n).unwrap_or_default()),
                Some(Err(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                // A read error ends the output like EOF does.
                Some(Err(_)) => *pipe = None,
            }
        }
    }
    (out, err)
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
