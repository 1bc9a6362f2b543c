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
//!
//! Memory is bounded, not just bytes read (see [`Options::memory_budget`]):
//! a connection holds at most its request frame (≤ `max_message`), the
//! tree it decodes into (≤ 2 × the frame + [`DECODE_SLACK`]) and its
//! command's output (≤ `max_message`), never all three at their maximum at
//! once, and replies are streamed, not built; every one of those buffers is
//! charged to one budget all connections share.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::budget::{Budget, Charge};
use super::json::{self, PyStr, Value};
use super::wire::{self, WireError};
use crate::config::RootwrapConfig;
use crate::decision::{Outcome, RC_NOEXECFOUND, RC_UNAUTHORIZED};
use crate::exec::ExecError;
use crate::pipeline::{Loaded, Refusal, Session};
use crate::sys::ids::Privilege;
use crate::sys::ipc;
use crate::sys::{Errno, Gid, Uid};
use crate::syslog::Level;
use pycompat::str as pystr;

/// The methods `RootwrapClass` exposes, as `create` reports them.
pub const EXPOSED: [&str; 6] = [
    "cancel_timer",
    "handle_timeout",
    "prepare_timer",
    "reset_timer",
    "run_one_command",
    "shutdown",
];

/// Stack of a connection thread.
const CONNECTION_STACK: usize = 1 << 20;

/// Live `RootwrapClass` objects a daemon keeps (a Python client holds one
/// or two).
pub const MAX_OBJECTS: usize = 4096;

/// How long a reply may take to be written to a client that does not read.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// Memory a request may take once decoded beyond twice its frame: room for
/// the longest command line `execve` accepts (`ARG_MAX`, 2 MiB) even as
/// one-byte arguments, each of which costs a value and an allocation.
pub const DECODE_SLACK: u64 = 32 << 20;

/// How long a request waits for its memory when the budget is in use.
pub const MEMORY_PATIENCE: Duration = Duration::from_secs(10);

/// The memory [`Options::memory_budget`] defaults to for a frame limit of
/// `max_message`: room for one largest request and its output, plus as
/// much again for everyone else.
pub fn default_memory_budget(max_message: u64) -> u64 {
    max_message.saturating_mul(4).saturating_add(DECODE_SLACK)
}

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
    /// Largest message accepted after authentication, and largest output
    /// (stdout and stderr together) a command may leave.
    pub max_message: u64,
    /// Bytes all connections' frames, decoded requests and captured
    /// outputs may take together.
    pub memory_budget: u64,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Commands running at once; more wait their turn.
    pub max_commands: usize,
    /// Time a peer has to authenticate and send its request.
    pub auth_timeout: Duration,
    /// Idle time after which the daemon exits (`daemon_timeout`; it exits
    /// one second later, like the reference).
    pub idle_timeout: Duration,
}

impl Options {
    /// Defaults: 64 MiB messages, [`default_memory_budget`] of that, 256
    /// connections, 16 concurrent commands, 10 s to authenticate, 600 s
    /// idle timeout, `/tmp`, only root allowed.
    pub fn new() -> Options {
        Options {
            owner: None,
            allowed_uids: vec![Uid::from_raw(0)],
            tmpdir: PathBuf::from("/tmp"),
            max_message: 64 << 20,
            memory_budget: default_memory_budget(64 << 20),
            max_connections: 256,
            max_commands: 16,
            auth_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(600),
        }
    }
}

impl Options {
    /// The options a daemon started by `session` with `config` serves
    /// with: the caller owns the socket (with root and ourselves, it may
    /// connect), the socket directory goes where `tempfile.gettempdir()`
    /// says (`/tmp` for a setuid daemon, which ignores the caller's
    /// variables), and `daemon_timeout` and our `daemon_max_message_mb`
    /// come from `config`.
    pub fn for_session(
        session: &Session,
        config: &RootwrapConfig,
        config_path: &Path,
    ) -> Result<Options, Refusal> {
        let owner = session.caller();
        let mut allowed_uids = vec![Uid::from_raw(0), crate::sys::ids::effective_uid()];
        if let Some((uid, _)) = owner {
            allowed_uids.push(uid);
        }
        let defaults = Options::new();
        let max_message = match config.daemon_max_message_mb.as_deref() {
            None => defaults.max_message,
            Some(v) => match pystr::py_int_saturating(v) {
                Ok(mb) if (1..=1 << 20).contains(&mb) => u64::try_from(mb).unwrap_or(64) << 20,
                _ => {
                    return Err(Refusal::BadConfig(format!(
                        "Incorrect value in {}: daemon_max_message_mb must be an integer from 1 to 1048576, not {v:?}",
                        config_path.display()
                    )));
                }
            },
        };
        let mut tmpdir = PathBuf::from("/tmp");
        if session.privilege() != Privilege::Setuid {
            for var in ["TMPDIR", "TEMP", "TMP"] {
                if let Some(dir) = std::env::var_os(var).map(PathBuf::from) {
                    if !dir.as_os_str().is_empty() && dir.is_dir() {
                        tmpdir = dir;
                        break;
                    }
                }
            }
        }
        Ok(Options {
            owner,
            allowed_uids,
            tmpdir,
            max_message,
            memory_budget: default_memory_budget(max_message),
            idle_timeout: Duration::from_secs(u64::try_from(config.daemon_timeout).unwrap_or(0)),
            ..defaults
        })
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::new()
    }
}

/// Why the daemon could not start or serve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// A system call failed.
    #[error("{0}")]
    Sys(#[from] Errno),
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
    /// Connections waiting in [`Inner::command_slot`] for a free slot.
    waiting: usize,
}

/// Shared by every connection thread.
struct Inner {
    loaded: Loaded,
    authkey: [u8; wire::AUTHKEY_LEN],
    options: Options,
    budget: Budget,
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
    /// `options.owner`, modes 0700 and 0600) and a fresh authkey, to serve
    /// the commands `loaded` allows.
    pub fn bind(loaded: Loaded, options: Options) -> Result<Daemon, DaemonError> {
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
                ipc::chown(&socket_path, uid, gid)?;
                ipc::chown(&dir, uid, gid)?;
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
        let (wake_r, wake_w) = ipc::wake_pipe()?;
        let inner = Arc::new(Inner {
            loaded,
            authkey,
            budget: Budget::new(options.memory_budget),
            options,
            state: Mutex::new(State {
                objects: HashMap::new(),
                next_object: 0,
                last_called: Instant::now(),
                running: 0,
                waiting: 0,
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
            let mut fds = vec![self.wake_r.as_fd()];
            if let Some(s) = signals {
                fds.push(s.as_fd());
            }
            if !full {
                fds.push(self.listener.as_fd());
            }
            let ready = ipc::wait_readable(&fds, Duration::from_millis(500))?;
            let ready = |i: usize| ready.get(i).copied().unwrap_or(false);
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
        self.loaded.audit().log(level, msg);
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
        // An explicit stack size: std would otherwise read it from the
        // environment (RUST_MIN_STACK), which a setuid caller controls.
        let spawned = std::thread::Builder::new()
            .name(format!("rootwrap-conn-{id}"))
            .stack_size(CONNECTION_STACK)
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
        let uid = match ipc::peer_uid(&stream) {
            Ok(uid) => uid,
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
        let call = match self.read_request(&mut stream) {
            Err(ReadError::Closed) => return,
            Err(ReadError::Fault(f)) => Err(f),
            // A manager call's request is small and done with here: its
            // memory is given back before the connection is served.
            Ok((req, _charge)) => self.manager_call(&req),
        };
        let reply = match call {
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
        };
        let _ = send(&mut stream, &reply);
    }

    /// Reads and decodes one request, its memory held from the budget: the
    /// worst case (frame plus decoded tree) before the frame is read, then
    /// only what the tree really takes.
    fn read_request<R: std::io::Read>(
        &self,
        stream: &mut R,
    ) -> Result<(Request, Charge<'_>), ReadError> {
        let len = match wire::read_header(stream, self.options.max_message) {
            Ok(len) => len,
            Err(WireError::TooBig { len, max }) => {
                self.log(
                    Level::Warning,
                    &format!("refused a message of {len} bytes (limit {max})"),
                );
                return Err(ReadError::Closed);
            }
            Err(_) => return Err(ReadError::Closed),
        };
        let decode_limit = len.saturating_mul(2).saturating_add(DECODE_SLACK);
        let Some(mut charge) = self
            .budget
            .reserve(len.saturating_add(decode_limit), MEMORY_PATIENCE)
        else {
            self.log(
                Level::Warning,
                &format!(
                    "refused a message of {len} bytes: the daemon's memory budget ({} bytes) stayed in use",
                    self.budget.limit()
                ),
            );
            return Err(ReadError::Closed);
        };
        let frame = wire::read_body(stream, len).map_err(|_| ReadError::Closed)?;
        let decoded =
            json::decode_bounded(&frame, usize::try_from(decode_limit).unwrap_or(usize::MAX));
        drop(frame);
        let value = match decoded {
            Ok((value, cost)) => {
                charge.shrink_to(u64::try_from(cost).unwrap_or(u64::MAX));
                value
            }
            Err(e @ json::DecodeError::TooCostly(_)) => {
                return Err(ReadError::Fault(Fault::new("MemoryError", e.to_string())));
            }
            Err(e) => return Err(ReadError::Fault(Fault::new("ValueError", e.to_string()))),
        };
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
                Ok((
                    Request {
                        ident,
                        method,
                        args,
                        kwargs,
                    },
                    charge,
                ))
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
        // A request's length prefix and text usually arrive together: one
        // read takes both (the client sends one request at a time, so
        // nothing of the next one is ever held here unread).
        let mut incoming = std::io::BufReader::with_capacity(8 * 1024, &*stream);
        while !self.stop.load(Ordering::SeqCst) {
            // The request's memory (and its command's output) stays
            // charged until the reply is sent.
            let (reply, _held) = match self.read_request(&mut incoming) {
                Err(ReadError::Closed) => return,
                Err(ReadError::Fault(f)) => (f.traceback(), None),
                Ok((req, mut charge)) => {
                    let reply = match self.object_call(&req, &mut charge) {
                        Ok(Call::Reply(v)) => ret(v),
                        Ok(Call::Shutdown) => {
                            let _ = send(&mut &*stream, &ret(Value::Null));
                            self.request_stop();
                            return;
                        }
                        Ok(Call::Serve) => ret(Value::Null),
                        Err(f) => f.traceback(),
                    };
                    drop(req);
                    (reply, Some(charge))
                }
            };
            if send(&mut &*stream, &reply).is_err() {
                return;
            }
        }
    }

    fn object_call(&self, req: &Request, charge: &mut Charge<'_>) -> Result<Call, Fault> {
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
                .run_one_command(&req.args, &req.kwargs, charge)
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
    fn run_one_command(
        &self,
        args: &[Value],
        kwargs: &[(PyStr, Value)],
        charge: &mut Charge<'_>,
    ) -> Result<Value, Fault> {
        let (userargs_v, stdin_v) = bind_run_one_command(args, kwargs)?;
        let userargs = userargs_of(userargs_v)?;
        let stdin = stdin_of(stdin_v)?;

        // The copy of the command line is memory too.
        let copied: usize = userargs.iter().map(|a| a.len() + 40).sum();
        if !charge.grow(u64::try_from(copied).unwrap_or(u64::MAX)) {
            return Err(Fault::new(
                "MemoryError",
                "the daemon's memory budget is in use",
            ));
        }
        let _slot = self.command_slot();
        let loaded = &self.loaded;
        let outcome = loaded.decide(userargs.clone());
        loaded.record(&outcome, &userargs);
        let allowed = match outcome {
            Outcome::Allowed(a) => a,
            Outcome::Unauthorized { .. } => return Ok(denied(RC_UNAUTHORIZED)),
            Outcome::NoExec { .. } => return Ok(denied(RC_NOEXECFOUND)),
            other => {
                return Err(Fault::new(
                    "RuntimeError",
                    other.message().unwrap_or_default(),
                ));
            }
        };
        drop(userargs);
        let limit = usize::try_from(self.options.max_message).unwrap_or(usize::MAX);
        let captured = loaded
            .run_captured(&allowed, stdin, limit, &mut |n| {
                charge.grow(u64::try_from(n).unwrap_or(u64::MAX))
            })
            .map_err(|e| match e {
                ExecError::OutputTooLarge { .. } => Fault::new("MemoryError", e.to_string()),
                other => Fault::new("OSError", other.to_string()),
            })?;
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
            st.waiting += 1;
            st = self
                .slot_free
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            st.waiting -= 1;
        }
        st.running += 1;
        CommandSlot(self)
    }
}

/// Python's binding of `run_one_command(self, userargs, stdin=None)`:
/// the two arguments, given by position or keyword.
fn bind_run_one_command<'v>(
    args: &'v [Value],
    kwargs: &'v [(PyStr, Value)],
) -> Result<(Option<&'v Value>, Option<&'v Value>), Fault> {
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
    Ok((userargs_v, stdin_v))
}

/// The command line as bytes: a list whose items `os.fsencode` accepts.
fn userargs_of(userargs_v: Option<&Value>) -> Result<Vec<Vec<u8>>, Fault> {
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
    Ok(userargs)
}

/// The command's standard input: nothing for `None`, else what
/// `os.fsencode` makes of a `str` or `bytes`.
fn stdin_of(stdin_v: Option<&Value>) -> Result<&[u8], Fault> {
    match stdin_v {
        None | Some(Value::Null) => Ok(&[]),
        Some(v @ (Value::Str(_) | Value::Bytes(_))) => v.fsencode().ok_or_else(|| {
            Fault::new(
                "UnicodeEncodeError",
                "'utf-8' codec can't encode character: surrogates not allowed",
            )
        }),
        Some(other) => Err(Fault::new(
            "TypeError",
            format!(
                "expected str, bytes or os.PathLike object, not {}",
                other.type_name()
            ),
        )),
    }
}

struct CommandSlot<'a>(&'a Inner);

impl Drop for CommandSlot<'_> {
    fn drop(&mut self) {
        let mut st = lock(&self.0.state);
        st.running = st.running.saturating_sub(1);
        st.last_called = Instant::now();
        // A wake-up costs a system call: only when somebody waits.
        let waiting = st.waiting > 0;
        drop(st);
        if waiting {
            self.0.slot_free.notify_all();
        }
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

fn send<W: std::io::Write>(stream: &mut W, v: &Value) -> std::io::Result<()> {
    json::write_message(stream, v)
}
