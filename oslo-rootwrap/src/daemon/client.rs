//! A Rust client for the rootwrap daemon, behaving like
//! `oslo_rootwrap.client.Client`: the daemon is spawned on first use
//! (normally through `sudo`), commands go over one authenticated
//! connection, and a daemon that died (idle timeout, crash, kill) is
//! respawned and the command retried once.
//!
//! ```no_run
//! use oslo_rootwrap::daemon::client::Client;
//! let client = Client::new(["sudo", "oslo-rootwrap-daemon", "/etc/nova/rootwrap.conf"]);
//! let out = client.execute(&["ip", "link"], None)?;
//! println!("{} {}", out.returncode, String::from_utf8_lossy(&out.stdout));
//! # Ok::<(), oslo_rootwrap::daemon::client::ClientError>(())
//! ```

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::json::{self, PyStr, Value};
use super::wire::{self, WireError};

/// Largest reply accepted (command output is buffered by the daemon too).
pub const MAX_REPLY: u64 = 1 << 30;

/// What a command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Exit status; 99 denied, 96 executable missing, `-N` killed by signal N.
    pub returncode: i32,
    /// Its stdout.
    pub stdout: Vec<u8>,
    /// Its stderr.
    pub stderr: Vec<u8>,
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The daemon command could not be started.
    #[error("cannot start the rootwrap daemon: {0}")]
    Spawn(std::io::Error),
    /// The daemon exited before announcing its socket.
    #[error("Failed to spawn rootwrap process.\nstderr:\n{0}")]
    Startup(String),
    /// The connection failed.
    #[error("rootwrap daemon connection: {0}")]
    Wire(#[from] WireError),
    /// The daemon reported an error (`RemoteError`).
    #[error("rootwrap daemon error: {0}")]
    Remote(String),
    /// The daemon's reply had an unexpected shape.
    #[error("unexpected reply from the rootwrap daemon: {0}")]
    Protocol(String),
}

struct Session {
    child: Child,
    socket_path: PathBuf,
    authkey: Vec<u8>,
    ident: String,
    conn: UnixStream,
}

/// A connection to a rootwrap daemon, spawned on first use.
pub struct Client {
    command: Vec<OsString>,
    session: Mutex<Option<Session>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

fn connect(socket_path: &PathBuf, authkey: &[u8]) -> Result<UnixStream, ClientError> {
    let mut s = UnixStream::connect(socket_path).map_err(WireError::Io)?;
    wire::answer_challenge(&mut s, authkey)?;
    wire::deliver_challenge(&mut s, authkey)?;
    Ok(s)
}

fn call(conn: &mut UnixStream, request: &Value) -> Result<Value, ClientError> {
    wire::write_frame(conn, &json::encode(request)).map_err(WireError::Io)?;
    // The reply's length prefix and text in one read when small; nothing
    // follows a reply until the next request, so nothing buffered is lost.
    let reply = wire::read_frame(
        &mut std::io::BufReader::with_capacity(8 * 1024, &*conn),
        MAX_REPLY,
    )?;
    let reply = json::decode(&reply).map_err(|e| ClientError::Protocol(e.to_string()))?;
    match reply {
        Value::List(mut items) if items.len() == 2 => {
            let value = items.pop().unwrap_or(Value::Null);
            match items.pop() {
                Some(Value::Str(kind)) if kind.is("#RETURN") => Ok(value),
                Some(Value::Str(_)) => Err(ClientError::Remote(match value {
                    Value::Str(s) => s.display(),
                    other => format!("{other:?}"),
                })),
                other => Err(ClientError::Protocol(format!("{other:?}"))),
            }
        }
        other => Err(ClientError::Protocol(format!("{other:?}"))),
    }
}

fn request(ident: Option<&str>, method: &str, args: Vec<Value>) -> Value {
    Value::List(vec![
        ident.map_or(Value::Null, Value::str),
        Value::str(method),
        Value::List(args),
        Value::Dict(Vec::new()),
    ])
}

impl Session {
    fn start(command: &[OsString]) -> Result<Session, ClientError> {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| ClientError::Spawn(std::io::Error::other("empty daemon command")))?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(ClientError::Spawn)?;
        let announced = (|| -> std::io::Result<Option<(PathBuf, Vec<u8>)>> {
            let Some(stdout) = child.stdout.as_mut() else {
                return Ok(None);
            };
            let mut path = Vec::new();
            let mut byte = [0u8; 1];
            loop {
                match stdout.read(&mut byte) {
                    Ok(0) => return Ok(None),
                    Ok(_) if byte == [b'\n'] => break,
                    Ok(_) => path.extend_from_slice(&byte),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            let mut key = vec![0u8; wire::AUTHKEY_LEN];
            match stdout.read_exact(&mut key) {
                Ok(()) => Ok(Some((PathBuf::from(OsStr::from_bytes(&path)), key))),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                Err(e) => Err(e),
            }
        })();
        let (socket_path, authkey) = match announced {
            Ok(Some(a)) => a,
            Ok(None) | Err(_) => {
                let mut err = Vec::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_end(&mut err);
                }
                let _ = child.wait();
                return Err(ClientError::Startup(
                    String::from_utf8_lossy(&err).into_owned(),
                ));
            }
        };
        let mut conn = connect(&socket_path, &authkey)?;
        call(&mut conn, &request(None, "dummy", Vec::new()))?;
        let mut conn = connect(&socket_path, &authkey)?;
        let created = call(
            &mut conn,
            &request(None, "create", vec![Value::str("rootwrap")]),
        )?;
        let ident = match created {
            Value::List(items) => match items.into_iter().next() {
                Some(Value::Str(s)) => s.display(),
                other => return Err(ClientError::Protocol(format!("create: {other:?}"))),
            },
            other => return Err(ClientError::Protocol(format!("create: {other:?}"))),
        };
        let mut conn = connect(&socket_path, &authkey)?;
        call(
            &mut conn,
            &request(None, "accept_connection", vec![Value::str("MainThread")]),
        )?;
        Ok(Session {
            child,
            socket_path,
            authkey,
            ident,
            conn,
        })
    }

    fn run(&mut self, cmd: &[&[u8]], stdin: Option<&[u8]>) -> Result<Output, ClientError> {
        let argv = Value::List(
            cmd.iter()
                .map(|a| Value::Str(PyStr::from_bytes(*a)))
                .collect(),
        );
        let stdin = stdin.map_or(Value::Null, |s| Value::Str(PyStr::from_bytes(s)));
        let reply = call(
            &mut self.conn,
            &request(Some(&self.ident), "run_one_command", vec![argv, stdin]),
        )?;
        let bad = |v: &Value| ClientError::Protocol(format!("run_one_command: {v:?}"));
        let Value::List(items) = &reply else {
            return Err(bad(&reply));
        };
        match items.as_slice() {
            [Value::Int(rc), out, err] => Ok(Output {
                returncode: i32::try_from(*rc).map_err(|_| bad(&reply))?,
                stdout: out.fsencode().ok_or_else(|| bad(&reply))?.to_vec(),
                stderr: err.fsencode().ok_or_else(|| bad(&reply))?.to_vec(),
            }),
            _ => Err(bad(&reply)),
        }
    }

    /// Asks the daemon to exit and reaps it (waiting at most a second:
    /// a daemon that cannot be reached is root's to kill, not ours).
    fn shutdown(mut self) {
        let asked = connect(&self.socket_path, &self.authkey).and_then(|mut c| {
            call(
                &mut c,
                &request(None, "accept_connection", vec![Value::str("MainThread")]),
            )?;
            call(&mut c, &request(Some(&self.ident), "shutdown", Vec::new()))
        });
        let deadline = Instant::now() + Duration::from_secs(1);
        while asked.is_ok() && Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                _ => return,
            }
        }
        // Reap it later if it exits; never block the caller.
        std::thread::spawn(move || {
            let _ = self.child.wait();
        });
    }
}

impl Client {
    /// A client that will start the daemon with `command` (for example
    /// `["sudo", "oslo-rootwrap-daemon", "/etc/nova/rootwrap.conf"]`).
    pub fn new<I, S>(command: I) -> Client
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Client {
            command: command.into_iter().map(Into::into).collect(),
            session: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Session>> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `cmd` through the daemon, feeding it `stdin`. Starts the daemon
    /// if needed; if the connection breaks (the daemon died), starts a new
    /// daemon and retries once, like the Python client. Calls are
    /// serialised, as they are in Python.
    pub fn execute<A: AsRef<OsStr>>(
        &self,
        cmd: &[A],
        stdin: Option<&[u8]>,
    ) -> Result<Output, ClientError> {
        let argv: Vec<&[u8]> = cmd.iter().map(|a| a.as_ref().as_bytes()).collect();
        let mut guard = self.lock();
        let mut retried = false;
        loop {
            if guard.is_none() {
                *guard = Some(Session::start(&self.command)?);
            }
            let Some(session) = guard.as_mut() else {
                continue;
            };
            match session.run(&argv, stdin) {
                Err(ClientError::Wire(WireError::Eof | WireError::Io(_))) if !retried => {
                    retried = true;
                    if let Some(dead) = guard.take() {
                        dead.shutdown();
                    }
                }
                other => return other,
            }
        }
    }

    /// The socket of the running daemon, if one is running.
    pub fn socket_path(&self) -> Option<PathBuf> {
        self.lock().as_ref().map(|s| s.socket_path.clone())
    }

    /// The daemon's process id, if one is running.
    pub fn daemon_pid(&self) -> Option<u32> {
        self.lock().as_ref().map(|s| s.child.id())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(session) = self.lock().take() {
            session.shutdown();
        }
    }
}
