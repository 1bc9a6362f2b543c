//! What the daemon needs from the system besides files and processes: who
//! is on the other end of a socket, SIGTERM/SIGINT as a descriptor,
//! waiting on several descriptors, and handing its socket to its owner.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};

use super::{Errno, Gid, Uid};

/// The uid of the process at the other end of a Unix socket
/// (`SO_PEERCRED`, recorded by the kernel when it connected).
pub fn peer_uid(stream: &UnixStream) -> Result<Uid, Errno> {
    nix::sys::socket::getsockopt(stream, nix::sys::socket::sockopt::PeerCredentials)
        .map(|c| Uid::from_raw(c.uid()))
}

/// SIGTERM and SIGINT, blocked in every thread and readable from a
/// descriptor instead of interrupting anything.
#[derive(Debug)]
pub struct TerminationSignals(SignalFd);

impl TerminationSignals {
    /// Blocks SIGTERM and SIGINT in the calling thread (threads started
    /// later inherit the mask) and opens a signalfd for them.
    pub fn block() -> Result<TerminationSignals, Errno> {
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGTERM);
        mask.add(Signal::SIGINT);
        mask.thread_block()?;
        SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC).map(TerminationSignals)
    }
}

impl AsFd for TerminationSignals {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Waits until one of `fds` is readable (or hung up), at most `timeout`;
/// returns which ones are.
pub fn wait_readable(fds: &[BorrowedFd<'_>], timeout: Duration) -> Result<Vec<bool>, Errno> {
    let mut polled: Vec<PollFd<'_>> = fds
        .iter()
        .map(|fd| PollFd::new(*fd, PollFlags::POLLIN))
        .collect();
    let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    match poll(&mut polled, PollTimeout::from(ms)) {
        Ok(_) | Err(Errno::EINTR) => {}
        Err(e) => return Err(e),
    }
    Ok(polled
        .iter()
        .map(|p| p.revents().is_some_and(|r| !r.is_empty()))
        .collect())
}

/// A pipe whose both ends are non-blocking and close-on-exec (the daemon's
/// wake-up channel).
pub fn wake_pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)
}

/// Gives `path` (the daemon's socket or its directory) to `uid`:`gid`.
pub fn chown(path: &Path, uid: Uid, gid: Gid) -> Result<(), Errno> {
    nix::unistd::chown(path, Some(uid), Some(gid))
}

/// Points descriptors 0, 1 and 2 at `to` (`/dev/null` once the daemon
/// stops using its caller's pipes).
pub fn redirect_stdio(to: BorrowedFd<'_>) -> Result<(), Errno> {
    nix::unistd::dup2_stdin(to)?;
    nix::unistd::dup2_stdout(to)?;
    nix::unistd::dup2_stderr(to)?;
    Ok(())
}

/// Writes all of `data` to descriptor 1 with as few `write` calls as the
/// kernel allows (one, for anything up to `PIPE_BUF` on a pipe), never
/// through a buffered stream that might split it.
pub fn write_stdout_whole(data: &[u8]) -> Result<(), Errno> {
    let stdout = std::io::stdout();
    let fd = stdout.as_fd();
    let mut rest = data;
    while !rest.is_empty() {
        match nix::unistd::write(fd, rest) {
            Ok(0) => return Err(Errno::EPIPE),
            Ok(n) => rest = rest.get(n..).unwrap_or_default(),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
