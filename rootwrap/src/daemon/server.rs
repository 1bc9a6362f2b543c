//! The daemon side: a `multiprocessing.managers.Server` speaking
//! oslo.rootwrap's JSON serializer, with one registered type (`rootwrap`,
//! oslo.rootwrap's `RootwrapClass`).
//!
//! A connection authenticates (mutually) and sends one request. Manager
//! calls (`dummy`, `create`, `incref`, `decref`, `shutdown`, ...) are answered
//! and the connection closed; `accept_connection` keeps it open for calls
//! on an object: `[ident, method, args, kwargs]`, answered with
//! `["#RETURN", value]` or `["#TRACEBACK", text]`.
//!
//! Beyond the reference: peers are checked with `SO_PEERCRED`, messages
//! and connections and concurrent commands are bounded, authentication
//! must finish within a deadline, denials never crash the daemon, and the
//! idle timeout never fires while a command runs.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::unistd::{Gid, Uid};

use super::json::{self, PyStr, Value};
use super::wire::{self, WireError};
use crate::decision::{self, Outcome, RC_NOEXECFOUND, RC_UNAUTHORIZED};
use crate::filters::{Filter, MatchEnv};
use crate::pystr;
use crate::syslog::{Level, Syslog};

/// The methods `RootwrapClass` exposes, as `create` reports them.
pub const EXPOSED: [&str; 6] = [
    "cancel_timer",
    "handle_timeout",
    "prepare_timer",
    "reset_timer",
    "run_one_command",
    "shutdown",
];

/// Live `RootwrapClass` objects a daemon keeps (a Python client holds one
/// or two).
pub const MAX_OBJECTS: usize = 4096;

/// How long a reply may take to be written to a client that does not read.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// Limits and identity of a daemon.
#[derive(Debug, Clone)]
pub struct Options {
    /// The user the socket belongs to (who spawned the daemon through
    /// sudo); root may always connect too.
    pub owner: Option<(Uid, Gid)>,
    /// Peer uids accepted by the `SO_PEERCRED` check.
    pub allowed_uids: Vec<Uid>,
    /// Where to create the `rootwrap-XXXXXXXX` directory.
    pub tmpdir: PathBuf,
    /// Largest message accepted after authentication.
    pub max_message: u64,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Commands running at once; more wait their turn.
    pub max_commands: usize,
    /// Time a peer has to authenticate and send its request.
    pub auth_timeout: Duration,
    /// Idle time after which the daemon exits (`daemon_timeout`; it exits
    /// one second later, like the reference).
    pub idle_timeout: Duration,
    /// The environment commands start from (EnvFilter adds to it).
    pub child_env: Vec<(OsString, OsString)>,
    /// `PATH` as the filters see it.
    pub match_env: MatchEnv,
    /// Who the audit records name as the caller.
    pub login: String,
    /// Who the audit records name as the runner.
    pub me: String,
}

impl Options {
    /// Defaults: 64 MiB messages, 256 connections, 16 concurrent commands,
    /// 10 s to authenticate, 600 s idle timeout, `/tmp`, only root allowed.
    pub fn new() -> Options {
        Options {
            owner: None,
            allowed_uids: vec![Uid::from_raw(0)],
            tmpdir: PathBuf::from("/tmp"),
            max_message: 64 << 20,
            max_connections: 256,
            max_commands: 16,
            auth_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(600),
            child_env: Vec::new(),
            match_env: MatchEnv { path: None },
            login: "None".to_owned(),
            me: "root".to_owned(),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::new()
    }
}

/// Why the daemon could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// Creating the directory or socket failed.
    #[error("cannot create the daemon socket in {path}: {source}")]
    Socket {
        /// The path involved.
        path: String,
        /// The system error.
        source: std::io::Error,
    },
    /// Any other system error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A system call through nix failed.
    #[error("{0}")]
    Sys(#[from] nix::errno::Errno),
}

/// A Python exception to report as `#TRACEBACK`.
#[derive(Debug)]
struct Fault {
    kind: &'static str,
    message: String,
}

impl Fault {
    fn new(kind: &'static str, message: impl Into<String>) -> Fault {
        Fault {
            kind,
            message: message.into(),
        }
    }

    fn traceback(&self) -> Value {
        Value::List(vec![
            Value::str("#TRACEBACK"),
            Value::str(&format!(
                "Traceback (most recent call last):\n  File \"oslo-rootwrap-daemon\"\n{}: {}\n",
                self.kind, self.message
            )),
        ])
    }
}

fn ret(v: Value) -> Value {
    Value::List(vec![Value::str("#RETURN"), v])
}

/// Mutable daemon state.
#[derive(Debug)]
struct State {
    /// Object ident → refcount (`id_to_refcount`).
    objects: HashMap<String, i64>,
    next_object: u64,
    last_called: Instant,
    running: usize,
}

/// Shared by every connection thread.
struct Inner {
    filters: Vec<Filter>,
    exec_dirs: Vec<Vec<u8>>,
    authkey: [u8; wire::AUTHKEY_LEN],
    options: Options,
    audit: Option<Mutex<Syslog>>,
    state: Mutex<State>,
    slot_free: Condvar,
    stop: AtomicBool,
    wake: File,
    connections: Mutex<HashMap<u64, UnixStream>>,
    next_connection: AtomicU64,
}

/// A daemon whose socket exists; [`Daemon::serve`] runs it.
pub struct Daemon {
    inner: Arc<Inner>,
    listener: UnixListener,
    wake_r: File,
    dir: PathBuf,
    socket_path: PathBuf,
}

/// Stops a serving daemon from another thread.
#[derive(Clone)]
pub struct StopHandle(Arc<Inner>);

impl StopHandle {
    /// Asks the daemon to stop (like SIGTERM).
    pub fn stop(&self) {
        self.0.request_stop();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `tempfile.mkdtemp(prefix='rootwrap-')`: a fresh directory, mode 0700.
fn mkdtemp(tmpdir: &Path) -> Result<PathBuf, DaemonError> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    for _ in 0..100 {
        let mut rnd = [0u8; 8];
        wire::random_bytes(&mut rnd)?;
        let name: String = rnd
            .iter()
            .map(|b| {
                char::from(
                    CHARS
                        .get(usize::from(*b) % CHARS.len())
                        .copied()
                        .unwrap_or(b'x'),
                )
            })
            .collect();
        let path = tmpdir.join(format!("rootwrap-{name}"));
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(DaemonError::Socket {
                    path: tmpdir.display().to_string(),
                    source: e,
                });
            }
        }
    }
    Err(DaemonError::Socket {
        path: tmpdir.display().to_string(),
        source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
    })
}

impl Daemon {
    /// Creates the private directory and the listening socket
    /// (`<tmpdir>/rootwrap-XXXXXXXX/rootwrap.sock`, both owned by
    /// `options.owner`, modes 0700 and 0600) and a fresh authkey.
    pub fn bind(
        filters: Vec<Filter>,
        exec_dirs: Vec<Vec<u8>>,
        audit: Option<Syslog>,
        options: Options,
    ) -> Result<Daemon, DaemonError> {
        let mut authkey = [0u8; wire::AUTHKEY_LEN];
        wire::random_bytes(&mut authkey)?;
        let dir = mkdtemp(&options.tmpdir)?;
        let socket_path = dir.join("rootwrap.sock");
        let sock_err = |e: std::io::Error| DaemonError::Socket {
            path: socket_path.display().to_string(),
            source: e,
        };
        let setup = || -> Result<UnixListener, DaemonError> {
            let listener = UnixListener::bind(&socket_path).map_err(sock_err)?;
            std::fs::set_permissions(&socket_path, std::fs::Permissions::from_mode(0o600))
                .map_err(sock_err)?;
            if let Some((uid, gid)) = options.owner {
                // Socket first, directory last: until then only root can
                // reach the socket.
                nix::unistd::chown(&socket_path, Some(uid), Some(gid))?;
                nix::unistd::chown(&dir, Some(uid), Some(gid))?;
            }
            Ok(listener)
        };
        let listener = match setup() {
            Ok(l) => l,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        // Non-blocking both ways: a wake-up never blocks a connection
        // thread, and draining never blocks the serving loop.
        let (wake_r, wake_w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)?;
        let inner = Arc::new(Inner {
            filters,
            exec_dirs,
            authkey,
            options,
            audit: audit.map(Mutex::new),
            state: Mutex::new(State {
                objects: HashMap::new(),
                next_object: 0,
                last_called: Instant::now(),
                running: 0,
            }),
            slot_free: Condvar::new(),
            stop: AtomicBool::new(false),
            wake: File::from(wake_w),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicU64::new(0),
        });
        Ok(Daemon {
            inner,
            listener,
            wake_r: File::from(wake_r),
            dir,
            socket_path,
        })
    }

    /// The socket clients connect to.
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }

    /// The key clients authenticate with.
    pub fn authkey(&self) -> &[u8; wire::AUTHKEY_LEN] {
        &self.inner.authkey
    }

    /// A handle that stops [`Daemon::serve`].
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(Arc::clone(&self.inner))
    }

    /// Serves until stopped: by a `shutdown` call, a [`StopHandle`], the
    /// idle timeout, or `signals` becoming readable (a signalfd for
    /// SIGTERM/SIGINT). Then stops accepting, ends every connection's
    /// reading side, lets running commands finish and removes the
    /// directory.
    pub fn serve(self, signals: Option<&dyn AsFd>) -> Result<(), DaemonError> {
        let result = self.serve_loop(signals);
        self.inner.stop.store(true, Ordering::SeqCst);
        // Connection threads remove themselves from the map when they end;
        // ending the reading side makes idle ones end now and busy ones
        // after their command.
        loop {
            let conns = lock(&self.inner.connections);
            if conns.is_empty() {
                break;
            }
            for conn in conns.values() {
                let _ = conn.shutdown(std::net::Shutdown::Read);
            }
            drop(conns);
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(self.listener);
        let removed = std::fs::remove_dir_all(&self.dir);
        result?;
        removed?;
        Ok(())
    }

    fn serve_loop(&self, signals: Option<&dyn AsFd>) -> Result<(), DaemonError> {
        let inner = &self.inner;
        let mut wake_buf = [0u8; 64];
        loop {
            if inner.stop.load(Ordering::SeqCst) {
                break;
            }
            let full = lock(&inner.connections).len() >= inner.options.max_connections;
            let mut fds = vec![PollFd::new(self.wake_r.as_fd(), PollFlags::POLLIN)];
            if let Some(s) = signals {
                fds.push(PollFd::new(s.as_fd(), PollFlags::POLLIN));
            }
            if !full {
                fds.push(PollFd::new(self.listener.as_fd(), PollFlags::POLLIN));
            }
            match poll(&mut fds, PollTimeout::from(500u16)) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(e.into()),
            }
            let ready = |i: usize| {
                fds.get(i)
                    .and_then(PollFd::revents)
                    .is_some_and(|r| !r.is_empty())
            };
            if ready(0) {
                let _ = (&self.wake_r).read(&mut wake_buf);
            }
            if signals.is_some() && ready(1) {
                break;
            }
            if !full && ready(fds.len() - 1) {
                match self.listener.accept() {
                    Ok((stream, _)) => inner.spawn_connection(stream),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => inner.log(Level::Warning, &format!("accept failed: {e}")),
                }
            }
            if inner.idle_expired() {
                break;
            }
        }
        Ok(())
    }
}

impl Inner {
    fn log(&self, level: Level, msg: &str) {
        if let Some(s) = &self.audit {
            lock(s).log(level, msg);
        }
    }

    fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = (&self.wake).write(b"x");
    }

    /// The reference's timer fires `daemon_timeout + 1` seconds after the
    /// last call and then finds the daemon idle; we stop at the same point,
    /// but never while a command runs.
    fn idle_expired(&self) -> bool {
        let st = lock(&self.state);
        st.running == 0
            && st.last_called.elapsed() >= self.options.idle_timeout + Duration::from_secs(1)
    }

    fn touch(&self) {
        lock(&self.state).last_called = Instant::now();
    }

    fn spawn_connection(self: &Arc<Self>, stream: UnixStream) {
        let id = self.next_connection.fetch_add(1, Ordering::SeqCst);
        let Ok(clone) = stream.try_clone() else {
            return;
        };
        lock(&self.connections).insert(id, clone);
        let me = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name(format!("rootwrap-conn-{id}"))
            .spawn(move || {
                me.handle(stream);
                lock(&me.connections).remove(&id);
                me.slot_free.notify_all();
                let _ = (&me.wake).write(b"c");
            });
        if spawned.is_err() {
            lock(&self.connections).remove(&id);
        }
    }

    /// Serves one connection from authentication to close.
    fn handle(&self, mut stream: UnixStream) {
        let peer =
            nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials);
        let uid = match peer {
            Ok(c) => Uid::from_raw(c.uid()),
            Err(e) => {
                self.log(
                    Level::Warning,
                    &format!("refused a connection: no peer credentials ({e})"),
                );
                return;
            }
        };
        if !self.options.allowed_uids.contains(&uid) {
            self.log(
                Level::Warning,
                &format!("refused a connection from uid {uid}: not the daemon's owner"),
            );
            return;
        }
        let _ = stream.set_read_timeout(Some(self.options.auth_timeout));
        let _ = stream.set_write_timeout(Some(self.options.auth_timeout));
        let auth = wire::deliver_challenge(&mut stream, &self.authkey)
            .and_then(|()| wire::answer_challenge(&mut stream, &self.authkey));
        if let Err(e) = auth {
            self.log(
                Level::Warning,
                &format!("refused a connection from uid {uid}: {e}"),
            );
            return;
        }
        let reply = match self.read_request(&mut stream) {
            Err(ReadError::Closed) => return,
            Err(ReadError::Fault(f)) => f.traceback(),
            Ok(req) => match self.manager_call(&req) {
                Ok(Call::Reply(v)) => ret(v),
                Ok(Call::Shutdown) => {
                    let _ = send(&mut stream, &ret(Value::Null));
                    self.request_stop();
                    return;
                }
                Ok(Call::Serve) => {
                    if send(&mut stream, &ret(Value::Null)).is_err() {
                        return;
                    }
                    // Idle connections are normal (one per client thread);
                    // a client that stops reading its replies is not.
                    let _ = stream.set_read_timeout(None);
                    let _ = stream.set_write_timeout(Some(REPLY_TIMEOUT));
                    self.serve_client(&mut stream);
                    return;
                }
                Err(f) => f.traceback(),
            },
        };
        let _ = send(&mut stream, &reply);
    }

    fn read_request(&self, stream: &mut UnixStream) -> Result<Request, ReadError> {
        let frame = match wire::read_frame(stream, self.options.max_message) {
            Ok(f) => f,
            Err(WireError::TooBig { len, max }) => {
                self.log(
                    Level::Warning,
                    &format!("refused a message of {len} bytes (limit {max})"),
                );
                return Err(ReadError::Closed);
            }
            Err(_) => return Err(ReadError::Closed),
        };
        let value = json::decode(&frame)
            .map_err(|e| ReadError::Fault(Fault::new("ValueError", e.to_string())))?;
        match value {
            Value::List(items) if items.len() == 4 => {
                let mut it = items.into_iter();
                let ident = it.next().unwrap_or(Value::Null);
                let method = it.next().unwrap_or(Value::Null);
                let args = it.next().unwrap_or(Value::Null);
                let kwargs = it.next().unwrap_or(Value::Null);
                let Value::Str(method) = method else {
                    return Err(ReadError::Fault(Fault::new(
                        "TypeError",
                        "method name must be a string",
                    )));
                };
                let args = match args {
                    Value::List(a) => a,
                    other => {
                        return Err(ReadError::Fault(Fault::new(
                            "TypeError",
                            format!("argument list must be a list, not {}", other.type_name()),
                        )));
                    }
                };
                let kwargs = match kwargs {
                    Value::Dict(k) => k,
                    other => {
                        return Err(ReadError::Fault(Fault::new(
                            "TypeError",
                            format!(
                                "keyword arguments must be a dict, not {}",
                                other.type_name()
                            ),
                        )));
                    }
                };
                Ok(Request {
                    ident,
                    method,
                    args,
                    kwargs,
                })
            }
            _ => Err(ReadError::Fault(Fault::new(
                "ValueError",
                "a request is [ident, method, args, kwargs]",
            ))),
        }
    }

    /// The manager's public methods (`Server.public`).
    fn manager_call(&self, req: &Request) -> Result<Call, Fault> {
        let name = req.method.display();
        let ident_arg = || match (req.args.first(), req.args.len(), req.kwargs.is_empty()) {
            (Some(Value::Str(s)), 1, true) => Ok(s.display()),
            _ => Err(Fault::new(
                "TypeError",
                format!("{name}() takes one ident argument"),
            )),
        };
        match name.as_str() {
            "dummy" => Ok(Call::Reply(Value::Null)),
            "create" => {
                match (req.args.as_slice(), req.kwargs.is_empty()) {
                    ([Value::Str(t)], true) if t.is("rootwrap") => {}
                    ([Value::Str(t)], _) if !t.is("rootwrap") => {
                        return Err(Fault::new("KeyError", format!("'{}'", t.display())));
                    }
                    _ => {
                        return Err(Fault::new(
                            "TypeError",
                            "RootwrapClass.__init__() takes no extra arguments",
                        ));
                    }
                }
                let mut st = lock(&self.state);
                if st.objects.len() >= MAX_OBJECTS {
                    return Err(Fault::new(
                        "MemoryError",
                        format!("more than {MAX_OBJECTS} live objects"),
                    ));
                }
                st.next_object += 1;
                let ident = format!("{:x}", 0x7f00_0000_0000u64 + st.next_object * 0x40);
                *st.objects.entry(ident.clone()).or_insert(0) += 1;
                Ok(Call::Reply(Value::List(vec![
                    Value::str(&ident),
                    Value::List(EXPOSED.iter().map(|m| Value::str(m)).collect()),
                ])))
            }
            "incref" => {
                let ident = ident_arg()?;
                let mut st = lock(&self.state);
                match st.objects.get_mut(&ident) {
                    Some(n) => *n += 1,
                    None => return Err(Fault::new("KeyError", format!("'{ident}'"))),
                }
                Ok(Call::Reply(Value::Null))
            }
            "decref" => {
                let ident = ident_arg()?;
                let mut st = lock(&self.state);
                let n = st
                    .objects
                    .get_mut(&ident)
                    .ok_or_else(|| Fault::new("KeyError", format!("'{ident}'")))?;
                if *n <= 0 {
                    return Err(Fault::new(
                        "AssertionError",
                        format!("Id {ident} has refcount {n}, not 1+"),
                    ));
                }
                *n -= 1;
                if *n == 0 {
                    st.objects.remove(&ident);
                }
                Ok(Call::Reply(Value::Null))
            }
            "accept_connection" => Ok(Call::Serve),
            "shutdown" => Ok(Call::Shutdown),
            "number_of_objects" => Ok(Call::Reply(Value::Int(
                i64::try_from(lock(&self.state).objects.len()).unwrap_or(i64::MAX),
            ))),
            "debug_info" => {
                let st = lock(&self.state);
                let mut keys: Vec<_> = st.objects.iter().collect();
                keys.sort();
                let lines: Vec<String> = keys
                    .iter()
                    .map(|(k, n)| format!("  {k}:       refcount={n}\n    <RootwrapClass>"))
                    .collect();
                Ok(Call::Reply(Value::str(&lines.join("\n"))))
            }
            "get_methods" => Err(Fault::new(
                "TypeError",
                "get_methods needs a Token, which this serializer cannot carry",
            )),
            _ => Err(Fault::new(
                "AssertionError",
                format!("{} unrecognized", pystr::py_repr(name.as_bytes())),
            )),
        }
    }

    /// `Server.serve_client`: calls on objects until the peer goes away or
    /// the daemon stops.
    fn serve_client(&self, stream: &mut UnixStream) {
        while !self.stop.load(Ordering::SeqCst) {
            let reply = match self.read_request(stream) {
                Err(ReadError::Closed) => return,
                Err(ReadError::Fault(f)) => f.traceback(),
                Ok(req) => match self.object_call(&req) {
                    Ok(Call::Reply(v)) => ret(v),
                    Ok(Call::Shutdown) => {
                        let _ = send(stream, &ret(Value::Null));
                        self.request_stop();
                        return;
                    }
                    Ok(Call::Serve) => ret(Value::Null),
                    Err(f) => f.traceback(),
                },
            };
            if send(stream, &reply).is_err() {
                return;
            }
        }
    }

    fn object_call(&self, req: &Request) -> Result<Call, Fault> {
        let ident = match &req.ident {
            Value::Str(s) => s.display(),
            other => return Err(Fault::new("KeyError", format!("{other:?}"))),
        };
        if !lock(&self.state).objects.contains_key(&ident) {
            return Err(Fault::new("KeyError", format!("'{ident}'")));
        }
        let name = req.method.display();
        match name.as_str() {
            "run_one_command" => self
                .run_one_command(&req.args, &req.kwargs)
                .map(Call::Reply),
            "reset_timer" | "prepare_timer" => {
                self.touch();
                Ok(Call::Reply(Value::Null))
            }
            // The idle timeout is the daemon's, not the client's: a client
            // cannot cancel it.
            "cancel_timer" => Ok(Call::Reply(Value::Null)),
            "handle_timeout" => {
                if self.idle_expired() {
                    self.request_stop();
                }
                Ok(Call::Reply(Value::Null))
            }
            "shutdown" => Ok(Call::Shutdown),
            "__str__" | "__repr__" => Ok(Call::Reply(Value::str(&format!(
                "<oslo_rootwrap.daemon.RootwrapClass object at 0x{ident}>"
            )))),
            _ => Err(Fault::new(
                "AttributeError",
                format!(
                    "method {} of <class 'oslo_rootwrap.daemon.RootwrapClass'> object is not in exposed",
                    pystr::py_repr(name.as_bytes())
                ),
            )),
        }
    }

    /// `RootwrapClass.run_one_command(userargs, stdin=None)`.
    fn run_one_command(&self, args: &[Value], kwargs: &[(PyStr, Value)]) -> Result<Value, Fault> {
        let mut userargs_v = args.first();
        let mut stdin_v = args.get(1);
        if args.len() > 2 {
            return Err(Fault::new(
                "TypeError",
                format!(
                    "run_one_command() takes from 2 to 3 positional arguments but {} were given",
                    args.len() + 1
                ),
            ));
        }
        for (k, v) in kwargs {
            if k.is("userargs") && userargs_v.is_none() {
                userargs_v = Some(v);
            } else if k.is("stdin") && stdin_v.is_none() {
                stdin_v = Some(v);
            } else {
                return Err(Fault::new(
                    "TypeError",
                    format!(
                        "run_one_command() got an unexpected keyword argument '{}'",
                        k.display()
                    ),
                ));
            }
        }
        let Some(Value::List(items)) = userargs_v else {
            return Err(Fault::new(
                "TypeError",
                "userargs must be a list of strings",
            ));
        };
        let mut userargs = Vec::with_capacity(items.len());
        for item in items {
            match item.fsencode() {
                Some(b) => userargs.push(b.to_vec()),
                None if matches!(item, Value::Str(_)) => {
                    return Err(Fault::new(
                        "UnicodeEncodeError",
                        "'utf-8' codec can't encode character: surrogates not allowed",
                    ));
                }
                None => {
                    return Err(Fault::new(
                        "TypeError",
                        format!(
                            "expected str, bytes or os.PathLike object, not {}",
                            item.type_name()
                        ),
                    ));
                }
            }
        }
        let stdin: &[u8] = match stdin_v {
            None | Some(Value::Null) => &[],
            Some(v @ (Value::Str(_) | Value::Bytes(_))) => v.fsencode().ok_or_else(|| {
                Fault::new(
                    "UnicodeEncodeError",
                    "'utf-8' codec can't encode character: surrogates not allowed",
                )
            })?,
            Some(other) => {
                return Err(Fault::new(
                    "TypeError",
                    format!(
                        "expected str, bytes or os.PathLike object, not {}",
                        other.type_name()
                    ),
                ));
            }
        };

        let _slot = self.command_slot();
        let shown: Vec<String> = userargs.iter().map(|a| pystr::display(a)).collect();
        let shown = shown.join(" ");
        let outcome = decision::decide_with(
            &self.filters,
            &mut userargs,
            &self.exec_dirs,
            &self.options.match_env,
        );
        let allowed = match outcome {
            Outcome::Allowed(a) => a,
            Outcome::Unauthorized { .. } => {
                self.log(
                    Level::Warning,
                    &format!("Unauthorized command: {shown} (no filter matched)"),
                );
                return Ok(denied(RC_UNAUTHORIZED));
            }
            Outcome::NoExec { .. } => {
                self.log(
                    Level::Warning,
                    &format!("Executable not found for: {shown}"),
                );
                return Ok(denied(RC_NOEXECFOUND));
            }
            other => {
                let msg = other.message().unwrap_or_default();
                self.log(Level::Error, &msg);
                return Err(Fault::new("RuntimeError", msg));
            }
        };
        self.log(
            Level::Info,
            &format!(
                "({} > {}) Executing {} (filter match = {})",
                self.options.login,
                self.options.me,
                pystr::py_repr_list(&allowed.command),
                allowed.filter
            ),
        );
        let mut env = self.options.child_env.clone();
        for (name, value) in &allowed.env {
            let name = crate::pyos::os(name);
            let value = crate::pyos::os(value);
            match env.iter_mut().find(|(k, _)| *k == name) {
                Some(entry) => entry.1 = value,
                None => env.push((name, value)),
            }
        }
        let captured = crate::exec::run_captured(&allowed.command, &env, &allowed.run_as, stdin)
            .map_err(|e| Fault::new("OSError", e.to_string()))?;
        Ok(Value::List(vec![
            Value::Int(i64::from(captured.returncode)),
            Value::Str(PyStr::from_bytes(captured.stdout)),
            Value::Str(PyStr::from_bytes(captured.stderr)),
        ]))
    }

    /// Waits for one of `max_commands` slots; the idle clock is reset when
    /// a command starts and when it ends.
    fn command_slot(&self) -> CommandSlot<'_> {
        let mut st = lock(&self.state);
        st.last_called = Instant::now();
        while st.running >= self.options.max_commands.max(1) {
            st = self
                .slot_free
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        st.running += 1;
        CommandSlot(self)
    }
}

struct CommandSlot<'a>(&'a Inner);

impl Drop for CommandSlot<'_> {
    fn drop(&mut self) {
        let mut st = lock(&self.0.state);
        st.running = st.running.saturating_sub(1);
        st.last_called = Instant::now();
        drop(st);
        self.0.slot_free.notify_all();
    }
}

fn denied(rc: i32) -> Value {
    Value::List(vec![
        Value::Int(i64::from(rc)),
        Value::str(""),
        Value::str(""),
    ])
}

struct Request {
    ident: Value,
    method: PyStr,
    args: Vec<Value>,
    kwargs: Vec<(PyStr, Value)>,
}

enum ReadError {
    Closed,
    Fault(Fault),
}

enum Call {
    Reply(Value),
    Serve,
    Shutdown,
}

fn send(stream: &mut UnixStream, v: &Value) -> std::io::Result<()> {
    wire::write_frame(stream, &json::encode(v))
}
