//! The command's process: the state a setuid rootwrap resets before it
//! starts anything (umask, resource limits), the start itself
//! (`posix_spawn` with default signal dispositions, an empty signal mask,
//! only descriptors 0-2, and the run_as identity), waiting for it, and the
//! pipes of a captured command.
//!
//! Descriptors: [`close_inherited`], at start, closes every descriptor above
//! 2 the process was given; every descriptor opened after it is
//! close-on-exec (`O_CLOEXEC` on every open, pipe and socket in [`super`],
//! as in the standard library). So a command starts with 0-2 only, and a
//! start pays no listing of descriptors.

use std::ffi::{CString, OsString};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::Mutex;

use nix::spawn::{PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags, posix_spawn};
use nix::sys::resource::{RLIM_INFINITY, Resource};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::wait::{WaitStatus, waitpid};

use super::ids::{self, Identity};
use super::{Errno, Pid};

/// The umask a setuid rootwrap gives itself and its commands (root's
/// usual one), whatever the caller's was.
pub const ROOT_UMASK: u32 = 0o022;

/// Sets the process umask.
pub fn set_umask(mask: u32) {
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(mask));
}

/// A soft limit to restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Soft {
    /// This many (bytes, seconds, descriptors...), or `RLIM_INFINITY`.
    To(u64),
    /// As high as the hard limit (for per-user counters whose default the
    /// kernel sizes at boot: `RLIMIT_NPROC`, `RLIMIT_SIGPENDING`).
    Hard,
}

/// The resource limits a setuid rootwrap sets for itself and its commands:
/// Linux's defaults for a freshly booted root (`INIT_RLIMITS`). Each entry
/// is the soft limit and the least hard limit; a hard limit already higher
/// is kept.
pub const ROOT_LIMITS: &[(Resource, Soft, u64)] = &[
    (Resource::RLIMIT_CPU, Soft::To(RLIM_INFINITY), RLIM_INFINITY),
    (
        Resource::RLIMIT_FSIZE,
        Soft::To(RLIM_INFINITY),
        RLIM_INFINITY,
    ),
    (
        Resource::RLIMIT_DATA,
        Soft::To(RLIM_INFINITY),
        RLIM_INFINITY,
    ),
    (Resource::RLIMIT_STACK, Soft::To(8 << 20), RLIM_INFINITY),
    (Resource::RLIMIT_CORE, Soft::To(0), 0),
    (Resource::RLIMIT_RSS, Soft::To(RLIM_INFINITY), RLIM_INFINITY),
    (Resource::RLIMIT_NPROC, Soft::Hard, 0),
    (Resource::RLIMIT_NOFILE, Soft::To(1024), 4096),
    (Resource::RLIMIT_MEMLOCK, Soft::To(8 << 20), 8 << 20),
    (Resource::RLIMIT_AS, Soft::To(RLIM_INFINITY), RLIM_INFINITY),
    (
        Resource::RLIMIT_LOCKS,
        Soft::To(RLIM_INFINITY),
        RLIM_INFINITY,
    ),
    (Resource::RLIMIT_SIGPENDING, Soft::Hard, 0),
    (Resource::RLIMIT_MSGQUEUE, Soft::To(819_200), 819_200),
    (Resource::RLIMIT_NICE, Soft::To(0), 0),
    (Resource::RLIMIT_RTPRIO, Soft::To(0), 0),
    (
        Resource::RLIMIT_RTTIME,
        Soft::To(RLIM_INFINITY),
        RLIM_INFINITY,
    ),
];

/// A limit the caller lowered and root could not raise back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot restore {resource:?} to root's default (the caller lowered it to {hard} and raising it back was refused: {errno})"
)]
pub struct LimitError {
    /// The resource.
    pub resource: Resource,
    /// Its hard limit as inherited.
    pub hard: u64,
    /// Why `setrlimit` failed.
    pub errno: Errno,
}

/// Applies [`ROOT_LIMITS`]. Raising a hard limit needs `CAP_SYS_RESOURCE`;
/// where the caller lowered one and it cannot be raised again, this fails
/// rather than run a root command under the caller's limit (a lowered
/// `RLIMIT_FSIZE` would silently truncate what it writes).
pub fn reset_limits() -> Result<(), LimitError> {
    for &(resource, soft, least_hard) in ROOT_LIMITS {
        let fail = |hard, errno| LimitError {
            resource,
            hard,
            errno,
        };
        let (_, current_hard) = nix::sys::resource::getrlimit(resource).map_err(|e| fail(0, e))?;
        let hard = least_hard.max(current_hard);
        let soft = match soft {
            Soft::To(n) => n.min(hard),
            Soft::Hard => hard,
        };
        nix::sys::resource::setrlimit(resource, soft, hard).map_err(|e| fail(current_hard, e))?;
    }
    Ok(())
}

/// Lowers the soft `RLIMIT_NOFILE` to `limit` if it is higher (the
/// reference's `rlimit_nofile`; the command inherits it).
pub fn lower_nofile(limit: u64) -> Result<(), Errno> {
    let (soft, hard) = nix::sys::resource::getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft > limit {
        nix::sys::resource::setrlimit(Resource::RLIMIT_NOFILE, limit, hard)?;
    }
    Ok(())
}

/// Why a command could not be started or waited for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpawnError {
    /// A NUL byte in an argument or variable.
    #[error("argument or environment value contains a NUL byte")]
    Nul,
    /// The command line is empty.
    #[error("empty command")]
    Empty,
    /// The open descriptors could not be listed, so they could not all be
    /// closed in the command: nothing is started.
    #[error("cannot list open descriptors: {0}")]
    Descriptors(std::io::Error),
    /// The run_as identity could not be taken.
    #[error("cannot switch credentials: {0}")]
    Credentials(Errno),
    /// `posix_spawn` failed.
    #[error("cannot execute {command}: {errno}")]
    Exec {
        /// `argv[0]`, for messages.
        command: String,
        /// The error from exec.
        errno: Errno,
    },
    /// Setting up pipes or spawn attributes failed.
    #[error("cannot prepare the command: {0}")]
    Setup(Errno),
    /// Waiting failed.
    #[error("waiting for the command failed: {0}")]
    Wait(Errno),
}

/// What to start.
#[derive(Debug)]
pub struct Spawn<'a> {
    /// The command line; `argv[0]` is searched in the child's `PATH` when
    /// it holds no `/`, like Python's `subprocess`.
    pub argv: &'a [Vec<u8>],
    /// The complete environment.
    pub env: &'a [(OsString, OsString)],
    /// Run with this identity (real = effective = saved ids, its groups);
    /// `None` keeps ours (root's, for `run_as = root`).
    pub identity: Option<&'a Identity>,
    /// Descriptors to become the command's 0, 1 and 2; `None` shares ours.
    pub stdio: Option<[BorrowedFd<'a>; 3]>,
}

/// Every spawn holds this: [`ids::with_real_ids`] changes the ids of all
/// threads, so no other command may start meanwhile.
static SPAWNING: Mutex<()> = Mutex::new(());

fn cstring(b: &[u8]) -> Result<CString, SpawnError> {
    CString::new(b.to_vec()).map_err(|_| SpawnError::Nul)
}

/// Closes every descriptor above 2, from `/proc/self/fd`: what the caller
/// passed never reaches a command. Call it first, while the process has one
/// thread and has opened nothing it keeps. Failing to list them is an
/// error: the caller must then start nothing.
pub fn close_inherited() -> Result<(), SpawnError> {
    // The listing's own descriptor is among those listed; it is closed
    // (by the listing) before the others are.
    for fd in open_fds_above_stdio()? {
        match nix::unistd::close(fd) {
            Ok(()) | Err(Errno::EBADF) => {}
            Err(e) => return Err(SpawnError::Descriptors(std::io::Error::from(e))),
        }
    }
    Ok(())
}

/// Descriptors above 2 open now, from `/proc/self/fd`.
fn open_fds_above_stdio() -> Result<Vec<i32>, SpawnError> {
    let dir = std::fs::read_dir("/proc/self/fd").map_err(SpawnError::Descriptors)?;
    let mut fds = Vec::new();
    for entry in dir {
        let entry = entry.map_err(SpawnError::Descriptors)?;
        if let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        {
            if fd > 2 {
                fds.push(fd);
            }
        }
    }
    fds.sort_unstable();
    Ok(fds)
}

/// Candidate paths for `argv[0]` like Python's `subprocess`: as is when it
/// contains a `/`, else each directory of the child's `PATH` (or
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
        .map(|dir| {
            let mut p = dir.to_vec();
            if !p.is_empty() && !p.ends_with(b"/") {
                p.push(b'/');
            }
            p.extend_from_slice(program);
            p
        })
        .collect()
}

/// Starts a command: default dispositions for every signal, an empty
/// signal mask, `stdio` on 0-2 (descriptors above 2 are close-on-exec, see
/// the module docs), and `identity`'s credentials.
pub fn spawn(what: &Spawn<'_>) -> Result<Pid, SpawnError> {
    let program = what.argv.first().ok_or(SpawnError::Empty)?;
    let argv: Vec<CString> = what
        .argv
        .iter()
        .map(|a| cstring(a))
        .collect::<Result<_, _>>()?;
    let envp: Vec<CString> = what
        .env
        .iter()
        .map(|(k, v)| cstring(&[k.as_bytes(), b"=", v.as_bytes()].concat()))
        .collect::<Result<_, _>>()?;
    let paths: Vec<CString> = candidates(program, what.env)
        .iter()
        .map(|p| cstring(p))
        .collect::<Result<_, _>>()?;
    let setup = SpawnError::Setup;
    let mut attr = PosixSpawnAttr::init().map_err(setup)?;
    attr.set_sigdefault(&SigSet::all()).map_err(setup)?;
    attr.set_sigmask(&SigSet::empty()).map_err(setup)?;
    let mut flags =
        PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF | PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK;
    let switch = what.identity;
    if switch.is_some() {
        flags |= PosixSpawnFlags::POSIX_SPAWN_RESETIDS;
    }
    attr.set_flags(flags).map_err(setup)?;

    let _guard = SPAWNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut actions = PosixSpawnFileActions::init().map_err(setup)?;
    if let Some(fds) = &what.stdio {
        for (target, fd) in (0..).zip(fds) {
            actions.add_dup2(fd.as_raw_fd(), target).map_err(setup)?;
        }
    }
    let start = || {
        let mut first_error: Option<Errno> = None;
        let mut last_error = Errno::ENOENT;
        for path in &paths {
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
        Err(first_error.unwrap_or(last_error))
    };
    let started = match switch {
        Some(who) => ids::with_real_ids(who, start).map_err(SpawnError::Credentials)?,
        None => start(),
    };
    started.map_err(|errno| SpawnError::Exec {
        command: String::from_utf8_lossy(program).into_owned(),
        errno,
    })
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this status.
    Exited(i32),
    /// A signal killed it.
    Signaled(i32),
}

/// Waits for `pid` to end.
pub fn wait(pid: Pid) -> Result<Ended, SpawnError> {
    loop {
        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(Ended::Exited(code)),
            Ok(WaitStatus::Signaled(_, sig, _)) => return Ok(Ended::Signaled(sig as i32)),
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(e) => return Err(SpawnError::Wait(e)),
        }
    }
}

/// Kills `pid` (used when a captured command's output exceeds its bound).
pub fn kill(pid: Pid) {
    let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
}

/// The three pipes of a captured command: our ends and the child's.
#[derive(Debug)]
pub struct Pipes {
    /// Our end of the command's stdin.
    pub stdin: std::fs::File,
    /// Our end of its stdout.
    pub stdout: std::fs::File,
    /// Our end of its stderr.
    pub stderr: std::fs::File,
    /// The child's ends (stdin read end, stdout and stderr write ends),
    /// to be closed once the command started.
    pub child: [OwnedFd; 3],
}

/// Creates the pipes for [`communicate`] (close-on-exec on every end; the
/// spawn puts the child's ends on 0-2).
pub fn pipes() -> Result<Pipes, Errno> {
    let flags = nix::fcntl::OFlag::O_CLOEXEC;
    let (in_r, in_w) = nix::unistd::pipe2(flags)?;
    let (out_r, out_w) = nix::unistd::pipe2(flags)?;
    let (err_r, err_w) = nix::unistd::pipe2(flags)?;
    Ok(Pipes {
        stdin: in_w.into(),
        stdout: out_r.into(),
        stderr: err_r.into(),
        child: [in_r, out_w, err_w],
    })
}

/// What [`communicate`] collected.
#[derive(Debug, Default)]
pub struct Collected {
    /// The command's stdout.
    pub stdout: Vec<u8>,
    /// Its stderr.
    pub stderr: Vec<u8>,
    /// Whether output stopped being collected because `stdout` and
    /// `stderr` together would have exceeded the limit.
    pub overflowed: bool,
}

/// Writes `input` to the command's stdin (then closes it) while draining
/// its stdout and stderr, in one thread with `poll`, so no pipe can fill up
/// and deadlock (`Popen.communicate()`). Stops collecting (and reports
/// [`Collected::overflowed`]) once the output would exceed `limit` bytes,
/// or when `grow` refuses more memory for it.
pub fn communicate(
    stdin: Option<std::fs::File>,
    stdout: std::fs::File,
    stderr: std::fs::File,
    input: &[u8],
    limit: usize,
    grow: &mut dyn FnMut(usize) -> bool,
) -> Collected {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

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
            // rather give the command no input than hang.
            stdin = None;
        }
    }
    let (mut stdout, mut stderr) = (Some(stdout), Some(stderr));
    let mut got = Collected::default();
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
            let pipe = if w == 1 { &mut stdout } else { &mut stderr };
            match pipe.as_mut().map(|f| f.read(&mut buf)) {
                Some(Ok(0)) | None => *pipe = None,
                Some(Ok(n)) => {
                    let sink = if w == 1 {
                        &mut got.stdout
                    } else {
                        &mut got.stderr
                    };
                    let needed = sink.len() + n;
                    if needed > sink.capacity() {
                        // Grow by doubling, but never past the limit, and
                        // only with memory `grow` grants.
                        let cap = sink.capacity().saturating_mul(2).max(needed).min(limit);
                        if needed > cap || !grow(cap - sink.capacity()) {
                            got.overflowed = true;
                            return got;
                        }
                        sink.reserve_exact(cap - sink.len());
                    }
                    sink.extend_from_slice(buf.get(..n).unwrap_or_default());
                    if got.stdout.len() + got.stderr.len() > limit {
                        got.overflowed = true;
                        return got;
                    }
                }
                Some(Err(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                // A read error ends the output like EOF does.
                Some(Err(_)) => *pipe = None,
            }
        }
    }
    got
}
