//! Running an allowed command: its environment, its identity, starting it
//! and collecting what it leaves (an exit status, or the daemon's captured
//! output).
//!
//! Both binaries run commands the same way (see [`crate::sys::process`]
//! for the process state): every signal disposition default and the
//! signal mask empty, descriptors 0-2 only, and for a `run_as` other than
//! `root` that user's full identity — uid, primary gid and the
//! supplementary groups `initgroups` gives — with real, effective and
//! saved ids all equal, so root cannot be regained. The reference only
//! calls `setuid()`, leaving gid 0 and root's groups: a deliberate
//! difference.

use std::ffi::OsString;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;

use crate::decision::{Allowed, SIGNAL_BASE};
use crate::sys::ids::{Identity, IdentityError};
use crate::sys::process::{self, Ended, Spawn, SpawnError};

/// The fixed `PATH` a setuid rootwrap runs with (sudo's `secure_path`).
pub const SAFE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Why an allowed command could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// `run_as` names no usable user.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// Starting or waiting for the command failed.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// Its output exceeded what the daemon may hold for it: it was killed.
    #[error(
        "the command's output exceeded {limit} bytes (daemon_max_message_mb) or the daemon's memory budget: it was killed"
    )]
    OutputTooLarge {
        /// The per-command limit in force.
        limit: usize,
    },
}

/// `PATH` of an environment, as bytes.
pub fn env_path(env: &[(OsString, OsString)]) -> Option<Vec<u8>> {
    env.iter()
        .find(|(k, _)| k.as_bytes() == b"PATH")
        .map(|(_, v)| v.as_bytes().to_vec())
}

/// The command's environment: `base` (rootwrap's own, as the reference
/// passes it on) with what an EnvFilter sets added or replaced.
pub fn command_env(base: &[(OsString, OsString)], allowed: &Allowed) -> Vec<(OsString, OsString)> {
    let mut env = base.to_vec();
    for (name, value) in &allowed.env {
        let name = crate::pyos::os(name);
        let value = crate::pyos::os(value);
        match env.iter_mut().find(|(k, _)| *k == name) {
            Some(entry) => entry.1 = value,
            None => env.push((name, value)),
        }
    }
    env
}

/// The identity to start the command with: `None` for `run_as = root`
/// (the command keeps rootwrap's own), else the user's looked up.
fn identity(run_as: &str) -> Result<Option<Identity>, ExecError> {
    if run_as == "root" {
        Ok(None)
    } else {
        Ok(Some(Identity::lookup(run_as)?))
    }
}

/// Runs the command on rootwrap's own stdin, stdout and stderr, waits, and
/// returns the exit status rootwrap exits with (`128 + N` when killed by
/// signal N).
pub fn run(allowed: &Allowed, env: &[(OsString, OsString)]) -> Result<i32, ExecError> {
    let who = identity(&allowed.run_as)?;
    let pid = process::spawn(&Spawn {
        argv: &allowed.command,
        env,
        identity: who.as_ref(),
        stdio: None,
    })?;
    Ok(match process::wait(pid)? {
        Ended::Exited(code) => code,
        Ended::Signaled(sig) => SIGNAL_BASE + sig,
    })
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

/// Runs the command feeding it `stdin` (or an empty, closed stdin) and
/// collecting its stdout and stderr, like the daemon's `Popen(...,
/// stdin=PIPE, stdout=PIPE, stderr=PIPE).communicate()`. Output beyond
/// `output_limit` bytes, or beyond what `grow` grants (the daemon's memory
/// budget), kills the command and is an error: a partial output is never
/// returned as if it were the whole.
pub fn run_captured(
    allowed: &Allowed,
    env: &[(OsString, OsString)],
    stdin: &[u8],
    output_limit: usize,
    grow: &mut dyn FnMut(usize) -> bool,
) -> Result<Captured, ExecError> {
    let who = identity(&allowed.run_as)?;
    let pipes = process::pipes().map_err(SpawnError::Setup)?;
    let [in_r, out_w, err_w] = &pipes.child;
    let spawned = process::spawn(&Spawn {
        argv: &allowed.command,
        env,
        identity: who.as_ref(),
        stdio: Some([in_r.as_fd(), out_w.as_fd(), err_w.as_fd()]),
    });
    // Our copies of the child's ends go now, so that its exit ends the
    // output.
    drop(pipes.child);
    let pid = spawned?;
    let got = process::communicate(
        Some(pipes.stdin),
        pipes.stdout,
        pipes.stderr,
        stdin,
        output_limit,
        grow,
    );
    if got.overflowed {
        process::kill(pid);
        let _ = process::wait(pid);
        return Err(ExecError::OutputTooLarge {
            limit: output_limit,
        });
    }
    let returncode = match process::wait(pid)? {
        Ended::Exited(code) => code,
        Ended::Signaled(sig) => -sig,
    };
    Ok(Captured {
        returncode,
        stdout: got.stdout,
        stderr: got.stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    fn env() -> Vec<(OsString, OsString)> {
        vec![("PATH".into(), "/usr/bin:/bin".into())]
    }

    fn allowed(command: Vec<Vec<u8>>) -> Allowed {
        Allowed {
            filter: "t".into(),
            run_as: "root".into(),
            command,
            env: Vec::new(),
        }
    }

    fn sh(script: &str) -> Allowed {
        allowed(vec![
            b"sh".to_vec(),
            b"-c".to_vec(),
            script.as_bytes().to_vec(),
        ])
    }

    #[test]
    fn exit_status_and_signals() -> Result<(), ExecError> {
        assert_eq!(run(&sh("exit 3"), &env())?, 3);
        assert_eq!(run(&sh("kill -TERM $$"), &env())?, 143);
        assert!(matches!(
            run(&allowed(vec![b"/nonexistent/x".to_vec()]), &env()),
            Err(ExecError::Spawn(SpawnError::Exec {
                errno: crate::sys::Errno::ENOENT,
                ..
            }))
        ));
        Ok(())
    }

    #[test]
    fn what_we_open_does_not_reach_the_command() -> Result<(), Box<dyn std::error::Error>> {
        // Files and pipes this process opens are close-on-exec. (What a
        // process inherited is closed by `Session::start`, which a test
        // process sharing its descriptors with other tests cannot run:
        // tests/descriptors.rs runs the binaries for that.)
        let file = std::fs::File::open("/dev/null")?;
        let pipes = crate::sys::process::pipes()?;
        let ours = [
            file.as_raw_fd(),
            pipes.stdin.as_raw_fd(),
            pipes.stdout.as_raw_fd(),
            pipes.stderr.as_raw_fd(),
        ];
        let out = run_captured(
            &allowed(vec![b"ls".to_vec(), b"/proc/self/fd".to_vec()]),
            &env(),
            b"",
            1 << 20,
            &mut |_| true,
        )?;
        let seen: Vec<i32> = std::str::from_utf8(&out.stdout)?
            .lines()
            .filter_map(|l| l.parse().ok())
            .collect();
        for fd in ours {
            // 3 is `ls`'s own listing.
            assert!(fd == 3 || !seen.contains(&fd), "fd {fd} leaked: {seen:?}");
        }
        Ok(())
    }

    #[test]
    fn captured_output_is_bounded() -> Result<(), ExecError> {
        let mut unlimited = |_: usize| true;
        let out = run_captured(
            &sh("echo out; echo err >&2; exit 4"),
            &env(),
            b"",
            1 << 20,
            &mut unlimited,
        )?;
        assert_eq!(
            (out.returncode, out.stdout.as_slice(), out.stderr.as_slice()),
            (4, &b"out\n"[..], &b"err\n"[..])
        );
        let out = run_captured(
            &allowed(vec![b"cat".to_vec()]),
            &env(),
            b"fed",
            1 << 20,
            &mut unlimited,
        )?;
        assert_eq!(out.stdout, b"fed");
        // More output than allowed: killed, and an error, not a prefix.
        let big = run_captured(
            &sh("head -c 200000 /dev/zero"),
            &env(),
            b"",
            100_000,
            &mut unlimited,
        );
        assert!(matches!(
            big,
            Err(ExecError::OutputTooLarge { limit: 100_000 })
        ));
        let mut stingy = |n: usize| n < 10;
        let refused = run_captured(
            &sh("head -c 100 /dev/zero"),
            &env(),
            b"",
            1 << 20,
            &mut stingy,
        );
        assert!(matches!(refused, Err(ExecError::OutputTooLarge { .. })));
        Ok(())
    }
}
