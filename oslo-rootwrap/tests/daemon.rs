//! `oslo-rootwrap-daemon` against the real Python client
//! (`oslo_rootwrap.client.Client` from PyPI), the Python daemon, our Rust
//! client, and hostile peers.
//!
//! Tests that need the Python reference skip loudly without it. They run
//! the daemon directly (as the test user; as root in CI); the path through
//! sudo is covered by `real_sudo.rs`.

#![cfg(test)]

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oslo_rootwrap::daemon::client::{Client, ClientError};
use oslo_rootwrap::daemon::json::{self, Value};
use oslo_rootwrap::daemon::wire;

const DAEMON: &str = env!("CARGO_BIN_EXE_oslo-rootwrap-daemon");

const FILTERS: &str = r"[Filters]
echo: CommandFilter, echo, root
cat: CommandFilter, cat, root
printf: CommandFilter, printf, root
sleep: CommandFilter, sleep, root
selfkill: RegExpFilter, sh, root, sh, -c, kill -9 \$\$
ls: RegExpFilter, ls, root, ls, -d, /[a-z._/-]+
missing: CommandFilter, /nonexistent/bin/tool, root
id_nobody: CommandFilter, id, nobody
env_sort: EnvFilter, env, root, LC_ALL=, sort
";

/// A rootwrap.conf with [`FILTERS`] in a private directory.
struct Conf {
    dir: tempfile::TempDir,
}

impl Conf {
    fn new(extra: &str) -> Conf {
        let dir = tempfile::tempdir().unwrap();
        let filters = dir.path().join("rootwrap.d");
        fs::create_dir(&filters).unwrap();
        fs::set_permissions(&filters, fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(filters.join("test.filters"), FILTERS).unwrap();
        fs::write(
            dir.path().join("rootwrap.conf"),
            format!(
                "[DEFAULT]\nfilters_path={}\nexec_dirs=/usr/sbin,/usr/bin,/sbin,/bin\n{extra}",
                filters.display()
            ),
        )
        .unwrap();
        Conf { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("rootwrap.conf")
    }

    fn ours(&self) -> Vec<String> {
        vec![DAEMON.to_owned(), self.path().display().to_string()]
    }
}

fn oracle_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/daemon_client.py")
}

fn python_daemon_cmd(python: &Path, conf: &Conf) -> Vec<String> {
    vec![
        python.display().to_string(),
        oracle_script().display().to_string(),
        "reference".to_owned(),
        conf.path().display().to_string(),
    ]
}

/// Runs the Python client in `mode` against `daemon`.
fn python_client(
    python: &Path,
    mode: &str,
    daemon: &[String],
    args: &[&str],
    input: &str,
) -> String {
    let mut child = Command::new(python)
        .arg(oracle_script())
        .arg(mode)
        .arg(serde_json::to_string(daemon).unwrap())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Python client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The calls both daemons answer. Strings are Python `str` (JSON escapes
/// carry the lone surrogates of non-UTF-8 bytes).
fn calls() -> String {
    let mut calls = vec![
        r##"[["echo", "plain"], null]"##,
        r##"[["echo", "non-utf8 \udcff\udcfe and \u00e9\u4e2d\ud83d\ude00"], null]"##,
        r##"[["printf", "%s\\0%s", "a", "\udc80b"], null]"##,
        r##"[["cat"], "stdin \udcff\u00e9 line\n\u0000binary\udc81"]"##,
        r##"[["cat"], null]"##,
        r##"[["cat"], ""]"##,
        r##"[["env", "LC_ALL=C", "sort"], "b\na\n\udcfe\nA\n"]"##,
        r##"[["ls", "-d", "/nonexistent-dir"], null]"##,
        r##"[["ls", "-d", "/tmp"], null]"##,
        r##"[["sh", "-c", "kill -9 $$"], null]"##,
        r##"[["sleep", "0"], null]"##,
        r##"[["rm", "-rf", "/"], null]"##,
        r##"[["echo\udcff"], null]"##,
        r##"[["tool"], null]"##,
        r##"[["/nonexistent/bin/tool", "x"], null]"##,
        r##"[["env", "LC_ALL=C", "rm"], null]"##,
        r##"[["cat"], "no byte form: \udc01"]"##,
    ];
    if is_root() {
        calls.push(r##"[["id", "-u"], null]"##);
    }
    format!("[{}]", calls.join(", "))
}

#[test]
fn python_client_gets_the_python_daemons_answers() {
    let Some(python) = oslo_test_support::rootwrap_reference_python(
        "python_client_gets_the_python_daemons_answers",
    ) else {
        return;
    };
    let conf = Conf::new("");
    let theirs = python_client(
        &python,
        "calls",
        &python_daemon_cmd(&python, &conf),
        &[],
        &calls(),
    );
    let ours = python_client(&python, "calls", &conf.ours(), &[], &calls());
    let theirs: Vec<&str> = theirs.lines().collect();
    let ours: Vec<&str> = ours.lines().collect();
    assert_eq!(theirs.len(), ours.len());
    for (i, (t, o)) in theirs.iter().zip(&ours).enumerate() {
        assert_eq!(o, t, "call {i} differs");
    }
    // The answers are the real thing, not two identical failures.
    assert_eq!(ours[0], r##"[0, "plain\n", ""]"##);
    assert_eq!(
        ours[1],
        "[0, \"non-utf8 \\udcff\\udcfe and \\u00e9\\u4e2d\\ud83d\\ude00\\n\", \"\"]"
    );
    assert_eq!(
        ours[3],
        r##"[0, "stdin \udcff\u00e9 line\n\u0000binary\udc81", ""]"##
    );
    assert_eq!(ours[16], r##"{"error": "RemoteError"}"##);
    assert!(
        ours[7].starts_with("[2, \"\", \"/usr/bin/ls: cannot access"),
        "{}",
        ours[7]
    );
    assert_eq!(ours[9], r##"[-9, "", ""]"##);
    assert_eq!(ours[11], r##"[99, "", ""]"##);
    assert_eq!(ours[13], r##"[96, "", ""]"##);
    if is_root() {
        assert_eq!(ours[17], r##"[0, "65534\n", ""]"##);
    }
}

#[test]
fn python_client_from_many_threads() {
    let Some(python) =
        oslo_test_support::rootwrap_reference_python("python_client_from_many_threads")
    else {
        return;
    };
    let conf = Conf::new("");
    let out = python_client(&python, "threads", &conf.ours(), &["8", "25"], "");
    assert_eq!(out.trim(), r##"{"ok": 200, "bad": []}"##);
}

#[test]
fn python_client_survives_the_idle_timeout() {
    let Some(python) =
        oslo_test_support::rootwrap_reference_python("python_client_survives_the_idle_timeout")
    else {
        return;
    };
    let conf = Conf::new("daemon_timeout=1\n");
    let out = python_client(&python, "timeout", &conf.ours(), &["3.5"], "");
    assert_eq!(
        out.trim(),
        r##"{"first": [0, "one\n", ""], "second": [0, "two\n", ""], "restarted": true, "first_daemon_exited": true, "socket_dir_removed": true}"##
    );
}

/// Start-up failures: same exit status and message as the Python daemon.
#[test]
fn startup_errors_match_the_python_daemon() {
    let Some(python) =
        oslo_test_support::rootwrap_reference_python("startup_errors_match_the_python_daemon")
    else {
        return;
    };
    let conf = Conf::new("");
    let dir = tempfile::tempdir().unwrap();
    let bad_value = dir.path().join("bad-value.conf");
    fs::write(
        &bad_value,
        format!(
            "[DEFAULT]\nfilters_path={}\ndaemon_timeout=soon\n",
            conf.dir.path().join("rootwrap.d").display()
        ),
    )
    .unwrap();
    let no_filters = dir.path().join("no-filters.conf");
    fs::write(&no_filters, "[DEFAULT]\nuse_syslog=False\n").unwrap();
    let conf_path = conf.path().display().to_string();
    let cases: Vec<Vec<String>> = vec![
        vec![],
        vec![conf_path.clone(), "extra".into()],
        vec![bad_value.display().to_string()],
        vec![no_filters.display().to_string()],
        vec![dir.path().join("absent.conf").display().to_string()],
    ];
    let reference = "import sys, logging\n\
                     logging.getLogger().addHandler(logging.NullHandler())\n\
                     from oslo_rootwrap import cmd\n\
                     sys.argv[0] = 'oslo-rootwrap-daemon'\n\
                     cmd.daemon()\n";
    for args in cases {
        let theirs = Command::new(&python)
            .arg("-c")
            .arg(reference)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let ours = Command::new(DAEMON)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let msg = |o: &std::process::Output| {
            let s = String::from_utf8_lossy(&o.stderr).into_owned();
            s.split_once(": ")
                .map(|(_, m)| m.trim().to_owned())
                .unwrap_or(s)
        };
        assert_eq!(ours.status.code(), theirs.status.code(), "{args:?}");
        assert_eq!(msg(&ours), msg(&theirs), "{args:?}");
        assert!(ours.stdout.is_empty(), "{args:?}: announced a socket");
    }
}

// ---------------------------------------------------------------------------
// Our daemon driven at the wire level

/// A daemon process started by hand: its socket and key.
struct Running {
    child: Child,
    socket: PathBuf,
    key: Vec<u8>,
}

impl Running {
    fn start(conf: &Conf) -> Running {
        let mut child = Command::new(DAEMON)
            .arg(conf.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut path = Vec::new();
        let mut b = [0u8; 1];
        while out.read(&mut b).unwrap() == 1 && b[0] != b'\n' {
            path.push(b[0]);
        }
        let mut key = vec![0u8; 32];
        out.read_exact(&mut key).unwrap();
        Running {
            child,
            socket: PathBuf::from(String::from_utf8(path).unwrap()),
            key,
        }
    }

    fn connect(&self) -> UnixStream {
        let mut s = UnixStream::connect(&self.socket).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        wire::answer_challenge(&mut s, &self.key).unwrap();
        wire::deliver_challenge(&mut s, &self.key).unwrap();
        s
    }

    fn call(&self, s: &mut UnixStream, req: &str) -> String {
        wire::write_frame(s, req.as_bytes()).unwrap();
        String::from_utf8(wire::read_frame(s, 1 << 30).unwrap()).unwrap()
    }

    /// `create` then `accept_connection`: a connection for object calls.
    fn object(&self) -> (UnixStream, String) {
        let mut c = self.connect();
        let created = self.call(&mut c, r##"[null, "create", ["rootwrap"], {}]"##);
        let v = json::decode(created.as_bytes()).unwrap();
        let Value::List(items) = v else {
            panic!("{created}")
        };
        let Some(Value::List(obj)) = items.get(1) else {
            panic!("{created}")
        };
        let ident = match obj.first() {
            Some(Value::Str(s)) => s.display(),
            _ => panic!("{created}"),
        };
        let mut c = self.connect();
        assert_eq!(
            self.call(
                &mut c,
                r##"[null, "accept_connection", ["MainProcess"], {}]"##
            ),
            r##"["#RETURN", null]"##
        );
        (c, ident)
    }

    /// A fresh object connection still gets `echo ok` run.
    fn assert_serves(&self) {
        let (mut o, ident) = self.object();
        let req = format!(r#"["{ident}", "run_one_command", [["echo", "ok"]], {{}}]"#);
        assert_eq!(self.call(&mut o, &req), r##"["#RETURN", [0, "ok\n", ""]]"##);
    }

    fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Running {
    /// SIGTERM, so the daemon removes its directory; SIGKILL if it hangs.
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

fn terminate(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        );
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if !matches!(child.try_wait(), Ok(None)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_socket_is_private_to_its_owner() {
    let conf = Conf::new("");
    let d = Running::start(&conf);
    let dir = d.socket.parent().unwrap();
    let dm = fs::metadata(dir).unwrap();
    let sm = fs::symlink_metadata(&d.socket).unwrap();
    assert_eq!(dm.permissions().mode() & 0o7777, 0o700);
    assert_eq!(sm.permissions().mode() & 0o777, 0o600);
    assert_eq!(dm.uid(), nix::unistd::geteuid().as_raw());
    assert!(
        dir.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("rootwrap-")
    );
}

#[test]
fn manager_protocol_as_python_speaks_it() {
    let conf = Conf::new("");
    let d = Running::start(&conf);
    let mut c = d.connect();
    assert_eq!(
        d.call(&mut c, r##"[null, "dummy", [], {}]"##),
        r##"["#RETURN", null]"##
    );
    let mut c = d.connect();
    let created = d.call(&mut c, r##"[null, "create", ["rootwrap"], {}]"##);
    assert!(created.ends_with(
        r##", ["cancel_timer", "handle_timeout", "prepare_timer", "reset_timer", "run_one_command", "shutdown"]]]"##
    ), "{created}");
    let (mut o, ident) = d.object();
    for (req, want) in [
        (
            format!(r##"["{ident}", "run_one_command", [["echo", "x"], null], {{}}]"##),
            r##"["#RETURN", [0, "x\n", ""]]"##.to_owned(),
        ),
        (
            format!(
                r##"["{ident}", "run_one_command", [["cat"]], {{"stdin": {{"__bytes__": "AP8="}}}}]"##
            ),
            r##"["#RETURN", [0, "\u0000\udcff", ""]]"##.to_owned(),
        ),
        (
            format!(r##"["{ident}", "run_one_command", [], {{"userargs": ["rm"]}}]"##),
            r##"["#RETURN", [99, "", ""]]"##.to_owned(),
        ),
        (
            format!(r##"["{ident}", "reset_timer", [], {{}}]"##),
            r##"["#RETURN", null]"##.to_owned(),
        ),
    ] {
        assert_eq!(d.call(&mut o, &req), want, "{req}");
    }
    // Errors come back as tracebacks and leave the connection usable.
    for req in [
        r##"["nope", "run_one_command", [["echo"]], {}]"##.to_owned(),
        format!(r##"["{ident}", "__init__", [], {{}}]"##),
        format!(r##"["{ident}", "run_one_command", [["echo\ud800"]], {{}}]"##),
        format!(r##"["{ident}", "run_one_command", ["echo"], {{}}]"##),
        format!(r##"["{ident}", "run_one_command", [["echo"], 5], {{}}]"##),
        "not json".to_owned(),
        "[1, 2]".to_owned(),
    ] {
        let got = d.call(&mut o, &req);
        assert!(
            got.starts_with(r##"["#TRACEBACK", "Traceback"##),
            "{req}: {got}"
        );
    }
    assert_eq!(
        d.call(
            &mut o,
            &format!(r##"["{ident}", "run_one_command", [["echo", "still"]], {{}}]"##)
        ),
        r##"["#RETURN", [0, "still\n", ""]]"##
    );
    let mut c = d.connect();
    let got = d.call(&mut c, r##"[null, "get_token_of_doom", [], {}]"##);
    assert!(got.contains("unrecognized"), "{got}");
    // Refcounts: incref/decref as multiprocessing does them.
    let mut c = d.connect();
    assert_eq!(
        d.call(&mut c, &format!(r##"[null, "incref", ["{ident}"], {{}}]"##)),
        r##"["#RETURN", null]"##
    );
    let mut c = d.connect();
    assert_eq!(
        d.call(&mut c, &format!(r##"[null, "decref", ["{ident}"], {{}}]"##)),
        r##"["#RETURN", null]"##
    );
    let mut c = d.connect();
    assert!(
        d.call(&mut c, r##"[null, "decref", ["dead"], {}]"##)
            .contains("KeyError")
    );
}

#[test]
fn wrong_authkey_is_refused_and_the_daemon_carries_on() {
    let conf = Conf::new("");
    let d = Running::start(&conf);
    let mut bad = UnixStream::connect(&d.socket).unwrap();
    bad.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let wrong: Vec<u8> = d.key.iter().map(|b| b ^ 1).collect();
    assert!(matches!(
        wire::answer_challenge(&mut bad, &wrong),
        Err(wire::WireError::Auth(_))
    ));
    // The daemon hung up: nothing more is read from that peer.
    assert!(wire::read_frame(&mut bad, 1 << 20).is_err());
    // A peer that answers right but then fails the daemon's challenge.
    let mut half = UnixStream::connect(&d.socket).unwrap();
    half.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    wire::answer_challenge(&mut half, &d.key).unwrap();
    assert!(wire::deliver_challenge(&mut half, &wrong).is_err());
    d.assert_serves();
}

#[test]
fn oversized_frames_are_refused_without_reading_them() {
    let conf = Conf::new("");
    let d = Running::start(&conf);
    // During authentication the limit is 256 bytes, as in Python.
    let mut s = UnixStream::connect(&d.socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _challenge = wire::read_frame(&mut s, 256).unwrap();
    s.write_all(&300u64.to_be_bytes()).unwrap();
    let _ = s.write_all(&[0u8; 300]);
    assert!(
        wire::read_frame(&mut s, 256).is_err(),
        "connection kept open"
    );
    // After it, 64 MiB; a 1 TiB announcement closes the connection at once.
    let (mut o, _) = d.object();
    o.write_all(&(1u64 << 40).to_be_bytes()).unwrap();
    assert!(matches!(
        wire::read_frame(&mut o, 1 << 20),
        Err(wire::WireError::Eof | wire::WireError::Io(_))
    ));
    d.assert_serves();
}

#[test]
fn a_stalled_peer_cannot_hold_the_daemon() {
    let conf = Conf::new("");
    let d = Running::start(&conf);
    // Many peers that connect and never authenticate...
    let idle: Vec<UnixStream> = (0..20)
        .map(|_| UnixStream::connect(&d.socket).unwrap())
        .collect();
    // ...do not keep others from being served.
    d.assert_serves();
    drop(idle);
}

#[test]
fn sigterm_lets_running_commands_finish_then_cleans_up() {
    let conf = Conf::new("");
    let mut d = Running::start(&conf);
    let dir = d.socket.parent().unwrap().to_path_buf();
    let (mut o, ident) = d.object();
    let req = format!(r##"["{ident}", "run_one_command", [["sleep", "1"]], {{}}]"##);
    wire::write_frame(&mut o, req.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(d.child.id()).unwrap()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let reply = wire::read_frame(&mut o, 1 << 20).unwrap();
    assert_eq!(reply, br##"["#RETURN", [0, "", ""]]"##);
    let status = d
        .wait_exit(Duration::from_secs(10))
        .expect("daemon did not exit");
    assert!(status.success(), "{status:?}");
    assert!(!dir.exists(), "{} left behind", dir.display());
}

#[test]
fn shutdown_call_stops_the_daemon() {
    let conf = Conf::new("");
    let mut d = Running::start(&conf);
    let dir = d.socket.parent().unwrap().to_path_buf();
    let (mut o, ident) = d.object();
    assert_eq!(
        d.call(&mut o, &format!(r##"["{ident}", "shutdown", [], {{}}]"##)),
        r##"["#RETURN", null]"##
    );
    assert!(d.wait_exit(Duration::from_secs(10)).is_some());
    assert!(!dir.exists());
}

#[test]
fn idle_timeout_waits_for_running_commands() {
    let conf = Conf::new("daemon_timeout=1\n");
    let mut d = Running::start(&conf);
    let (mut o, ident) = d.object();
    let reply = d.call(
        &mut o,
        &format!(r##"["{ident}", "run_one_command", [["sleep", "2.5"]], {{}}]"##),
    );
    assert_eq!(reply, r##"["#RETURN", [0, "", ""]]"##);
    assert!(
        d.wait_exit(Duration::from_secs(5)).is_some(),
        "idle daemon kept running"
    );
}

/// `max_commands` commands run at once; the others wait for a slot and
/// are woken when one frees (a lost wake-up would leave a caller waiting
/// until its read timeout fails the test).
#[test]
fn commands_beyond_the_limit_wait_for_a_free_slot() {
    use oslo_rootwrap::daemon::server::{Daemon, Options};
    let conf = Conf::new("");
    let options = Options {
        tmpdir: conf.dir.path().to_path_buf(),
        max_commands: 1,
        ..Options::new()
    };
    let session = oslo_rootwrap::pipeline::Session::start(
        oslo_rootwrap::pipeline::Purpose::Inspect,
        oslo_rootwrap::audit::Style::Daemon,
        b"test",
        "test",
    )
    .unwrap();
    let loaded = session.load(&conf.path(), &mut |_| {}).unwrap();
    let daemon = Daemon::bind(loaded, options).unwrap();
    let running = Running {
        child: Command::new("true").spawn().unwrap(),
        socket: daemon.socket_path().to_path_buf(),
        key: daemon.authkey().to_vec(),
    };
    let stop = daemon.stop_handle();
    let server = std::thread::spawn(move || daemon.serve(None));
    let started = Instant::now();
    // Each connection stays open until every call is answered: only the
    // end of a command may wake the waiting ones.
    let replies: Vec<(UnixStream, String)> = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let (mut o, ident) = running.object();
                    let reply = running.call(
                        &mut o,
                        &format!(r#"["{ident}", "run_one_command", [["sleep", "0.3"]], {{}}]"#),
                    );
                    (o, reply)
                })
            })
            .collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let took = started.elapsed();
    for (_, reply) in &replies {
        assert_eq!(reply, r##"["#RETURN", [0, "", ""]]"##);
    }
    // One at a time: three sleeps of 0.3 s cannot take less than 0.9 s.
    assert!(took >= Duration::from_millis(900), "{took:?}");
    stop.stop();
    server.join().unwrap().unwrap();
}

#[test]
fn peers_of_other_uids_are_refused() {
    use oslo_rootwrap::daemon::server::{Daemon, Options};
    let dir = tempfile::tempdir().unwrap();
    let stranger = nix::unistd::Uid::from_raw(nix::unistd::geteuid().as_raw().wrapping_add(4242));
    let options = Options {
        tmpdir: dir.path().to_path_buf(),
        allowed_uids: vec![stranger],
        ..Options::new()
    };
    let conf = dir.path().join("rootwrap.conf");
    std::fs::write(
        &conf,
        format!("[DEFAULT]\nfilters_path={}/none\n", dir.path().display()),
    )
    .unwrap();
    let session = oslo_rootwrap::pipeline::Session::start(
        oslo_rootwrap::pipeline::Purpose::Inspect,
        oslo_rootwrap::audit::Style::Daemon,
        b"test",
        "test",
    )
    .unwrap();
    let loaded = session.load(&conf, &mut |_| {}).unwrap();
    let daemon = Daemon::bind(loaded, options).unwrap();
    let socket = daemon.socket_path().to_path_buf();
    let stop = daemon.stop_handle();
    let server = std::thread::spawn(move || daemon.serve(None));
    let mut s = UnixStream::connect(&socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // No challenge, just a closed connection.
    assert!(matches!(
        wire::read_frame(&mut s, 256),
        Err(wire::WireError::Eof | wire::WireError::Io(_))
    ));
    stop.stop();
    server.join().unwrap().unwrap();
    assert!(!socket.exists());
}

/// As root: the socket belongs to the user the daemon serves, and another
/// unprivileged user cannot even reach it.
#[test]
fn other_users_cannot_reach_the_socket() {
    if !is_root() {
        eprintln!("SKIPPED: other_users_cannot_reach_the_socket: needs root");
        return;
    }
    let Some(runuser) = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        eprintln!("SKIPPED: other_users_cannot_reach_the_socket: runuser not installed");
        return;
    };
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    let conf = Conf::new("");
    let mut child = Command::new(DAEMON)
        .arg(conf.path())
        .env("SUDO_UID", nobody.uid.to_string())
        .env("SUDO_GID", nobody.gid.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut announce = vec![0u8; 4096];
    let mut n = 0;
    while !announce[..n].contains(&b'\n') {
        n += out.read(&mut announce[n..]).unwrap();
    }
    let line = String::from_utf8_lossy(&announce[..n]).into_owned();
    let socket = PathBuf::from(line.split('\n').next().unwrap());
    let dir = socket.parent().unwrap();
    assert_eq!(fs::metadata(dir).unwrap().uid(), nobody.uid.as_raw());
    assert_eq!(
        fs::symlink_metadata(&socket).unwrap().uid(),
        nobody.uid.as_raw()
    );
    let try_connect = |user: &str| {
        Command::new(runuser)
            .args(["-u", user, "--", "python3", "-c"])
            .arg(format!(
                "import socket,sys\ns=socket.socket(socket.AF_UNIX)\n\
                 try:\n s.connect({:?})\nexcept PermissionError:\n sys.exit(13)\n",
                socket.display().to_string()
            ))
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(try_connect("nobody"), Some(0), "the owner must reach it");
    let other = ["daemon", "bin", "sys"]
        .into_iter()
        .find(|u| nix::unistd::User::from_name(u).ok().flatten().is_some())
        .unwrap();
    assert_eq!(try_connect(other), Some(13), "{other} reached the socket");
    terminate(&mut child);
    assert!(!dir.exists(), "{} left behind", dir.display());
}

// ---------------------------------------------------------------------------
// The Rust client

#[test]
fn rust_client_round_trips_bytes_and_statuses() {
    let conf = Conf::new("");
    let client = Client::new(conf.ours());
    let all: Vec<u8> = (0..=255u8).collect();
    let out = client.execute(&["cat"], Some(&all)).unwrap();
    assert_eq!(out.returncode, 0);
    assert_eq!(out.stdout, all);
    let arg = std::ffi::OsStr::new("x");
    let weird = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"\xff\xfe-\xc3\xa9");
    let out = client
        .execute(&[std::ffi::OsStr::new("echo"), arg, weird], None)
        .unwrap();
    assert_eq!(out.stdout, b"x \xff\xfe-\xc3\xa9\n");
    assert_eq!(
        client
            .execute(&["rm", "-rf", "/"], None)
            .unwrap()
            .returncode,
        99
    );
    assert_eq!(client.execute(&["tool"], None).unwrap().returncode, 96);
    assert_eq!(
        client
            .execute(&["sh", "-c", "kill -9 $$"], None)
            .unwrap()
            .returncode,
        -9
    );
    let out = client
        .execute(&["ls", "-d", "/nonexistent-dir"], None)
        .unwrap();
    assert_eq!(out.returncode, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nonexistent-dir"));
    assert!(matches!(
        client.execute(&["echo", "a\0b"], None),
        Err(ClientError::Remote(_))
    ));
}

#[test]
fn rust_client_restarts_a_dead_daemon_and_shuts_it_down() {
    let conf = Conf::new("");
    let client = Client::new(conf.ours());
    assert_eq!(client.execute(&["echo", "1"], None).unwrap().stdout, b"1\n");
    let pid = client.daemon_pid().unwrap();
    let killed_dir = client
        .socket_path()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // SIGKILL leaves the directory behind (as for the reference).
    let _ = fs::remove_dir_all(&killed_dir);
    assert_eq!(client.execute(&["echo", "2"], None).unwrap().stdout, b"2\n");
    let dir2 = client
        .socket_path()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let pid2 = client.daemon_pid().unwrap();
    assert_ne!(pid, pid2);
    drop(client);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid2}")).exists()
        && !fs::read_to_string(format!("/proc/{pid2}/stat"))
            .unwrap_or_default()
            .contains(") Z")
    {
        assert!(Instant::now() < deadline, "daemon {pid2} still running");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!dir2.exists(), "{} left behind", dir2.display());
}

#[test]
fn rust_client_reports_a_daemon_that_cannot_start() {
    let client = Client::new([DAEMON, "/nonexistent/rootwrap.conf"]);
    match client.execute(&["echo"], None) {
        Err(ClientError::Startup(stderr)) => {
            assert!(stderr.contains("/nonexistent/rootwrap.conf"), "{stderr}");
        }
        other => panic!("{other:?}"),
    }
}

/// A peer speaking Python 3.12's challenge form (`{sha256}` both ways),
/// checked with Python's own `hmac`.
#[test]
fn python_312_handshake_form_is_spoken() {
    let Some(python) =
        oslo_test_support::rootwrap_reference_python("python_312_handshake_form_is_spoken")
    else {
        return;
    };
    let conf = Conf::new("");
    let out = python_client(&python, "handshake312", &conf.ours(), &[], "");
    assert_eq!(
        out.trim(),
        r##"{"answer_ok": true, "reply": "[\"#RETURN\", null]"}"##
    );
}

/// `daemon_max_message_mb` (our extension) raises or lowers the message
/// limit; a bad value stops the daemon at start-up, and the CLI, like the
/// reference, ignores the key.
#[test]
fn message_limit_is_configurable() {
    let conf = Conf::new("daemon_max_message_mb=1\n");
    let d = Running::start(&conf);
    let (mut o, ident) = d.object();
    let small = "x".repeat(900 * 1024);
    let req = format!(r#"["{ident}", "run_one_command", [["cat"], "{small}"], {{}}]"#);
    let reply = d.call(&mut o, &req);
    assert!(
        reply.starts_with(r##"["#RETURN", [0, "xxx"##),
        "{}",
        &reply[..40]
    );
    let big = "x".repeat(1100 * 1024);
    let req = format!(r#"["{ident}", "run_one_command", [["cat"], "{big}"], {{}}]"#);
    wire::write_frame(&mut o, req.as_bytes()).unwrap_or(());
    assert!(
        wire::read_frame(&mut o, 1 << 30).is_err(),
        "over-limit message answered"
    );

    for bad in ["0", "lots", "2000000"] {
        let conf = Conf::new(&format!("daemon_max_message_mb={bad}\n"));
        let out = Command::new(DAEMON).arg(conf.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(97), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("daemon_max_message_mb"), "{err}");
        assert!(out.stdout.is_empty());
        let cli = Command::new(env!("CARGO_BIN_EXE_oslo-rootwrap"))
            .args(["--dry-run", "--json"])
            .arg(conf.path())
            .args(["--", "echo", "hi"])
            .output()
            .unwrap();
        assert_eq!(
            cli.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&cli.stderr)
        );
    }
}

/// `daemon_timeout = 0` still leaves the client the reference's second to
/// connect and call.
#[test]
fn zero_daemon_timeout_still_serves_the_first_call() {
    let conf = Conf::new("daemon_timeout=0\n");
    let mut d = Running::start(&conf);
    let (mut o, ident) = d.object();
    assert_eq!(
        d.call(
            &mut o,
            &format!(r#"["{ident}", "run_one_command", [["echo", "ok"]], {{}}]"#)
        ),
        r##"["#RETURN", [0, "ok\n", ""]]"##
    );
    assert!(d.wait_exit(Duration::from_secs(5)).is_some());
}

#[test]
fn live_objects_are_bounded() {
    let conf = Conf::new("");
    let d = Running::start(&conf);
    let limit = oslo_rootwrap::daemon::server::MAX_OBJECTS;
    for i in 0..=limit {
        let mut c = d.connect();
        let got = d.call(&mut c, r#"[null, "create", ["rootwrap"], {}]"#);
        if i < limit {
            assert!(got.starts_with(r##"["#RETURN""##), "{i}: {got}");
        } else {
            assert!(got.contains("MemoryError"), "{got}");
        }
    }
    // Existing objects keep working.
    let (mut o, _) = {
        let mut c = d.connect();
        assert_eq!(
            d.call(&mut c, r#"[null, "accept_connection", ["x"], {}]"#),
            r##"["#RETURN", null]"##
        );
        (c, ())
    };
    let got = d.call(
        &mut o,
        r#"["7f0000000040", "run_one_command", [["echo", "ok"]], {}]"#,
    );
    assert_eq!(got, r##"["#RETURN", [0, "ok\n", ""]]"##);
}

// ---------------------------------------------------------------------------
// Memory

/// The daemon's peak resident memory so far (`VmHWM`), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    kb * 1024
}

const MIB: u64 = 1 << 20;

/// A 60 MiB frame of one-character strings used to take ~17x its size once
/// decoded (about 1 GiB). The decoded tree is now charged while it is
/// built: the request is refused, and the daemon stays within the stated
/// per-connection bound, 3 x the frame + 32 MiB.
#[test]
fn a_frame_of_tiny_strings_cannot_blow_up_memory() {
    let conf = Conf::new("");
    let d = Running::start(&conf);
    let pid = d.child.id();
    let (mut o, ident) = d.object();
    let before = peak_memory(pid);
    let mut req = format!(r#"["{ident}", "run_one_command", [["echo""#).into_bytes();
    while req.len() < 60 << 20 {
        req.extend_from_slice(br#", "a""#);
    }
    req.extend_from_slice(b"]], {}]");
    let frame = req.len() as u64;
    wire::write_frame(&mut o, &req).unwrap();
    let reply = String::from_utf8(wire::read_frame(&mut o, 1 << 30).unwrap()).unwrap();
    assert!(
        reply.starts_with(r##"["#TRACEBACK", "##) && reply.contains("MemoryError"),
        "{}",
        &reply[..reply.len().min(200)]
    );
    let grew = peak_memory(pid).saturating_sub(before);
    eprintln!(
        "a {} MiB frame of tiny strings raised the daemon's peak by {} MiB",
        frame / MIB,
        grew / MIB
    );
    assert!(
        grew <= 3 * frame + 32 * MIB,
        "peak grew by {} MiB for a {} MiB frame",
        grew / MIB,
        frame / MIB
    );
    d.assert_serves();
}

/// Several large requests at once are served one after another within the
/// shared budget (4 x the frame limit + 32 MiB), not all in memory at once.
#[test]
fn concurrent_large_requests_share_one_memory_budget() {
    let conf = Conf::new("daemon_max_message_mb=48\n");
    let d = Running::start(&conf);
    let pid = d.child.id();
    let before = peak_memory(pid);
    let payload = "x".repeat(47 << 20);
    let frames = 4;
    let mut conns: Vec<(UnixStream, String)> = (0..frames).map(|_| d.object()).collect();
    let senders: Vec<_> = conns
        .iter_mut()
        .map(|(o, ident)| {
            let req = format!(r#"["{ident}", "reset_timer", ["{payload}"], {{}}]"#);
            let mut o = o.try_clone().unwrap();
            std::thread::spawn(move || wire::write_frame(&mut o, req.as_bytes()))
        })
        .collect();
    for (o, _) in &mut conns {
        o.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let reply = wire::read_frame(o, 1 << 20).unwrap();
        assert_eq!(reply, br##"["#RETURN", null]"##);
    }
    for s in senders {
        s.join().unwrap().unwrap();
    }
    let grew = peak_memory(pid).saturating_sub(before);
    let budget = 4 * 48 * MIB + 32 * MIB;
    eprintln!(
        "{frames} concurrent 47 MiB requests raised the daemon's peak by {} MiB (budget {} MiB)",
        grew / MIB,
        budget / MIB
    );
    assert!(grew <= budget, "peak grew by {} MiB", grew / MIB);
    d.assert_serves();
}

/// A command's output beyond `daemon_max_message_mb` kills it: the client
/// gets an error, never a truncated output.
#[test]
fn output_beyond_the_message_limit_is_refused() {
    let conf = Conf::new("daemon_max_message_mb=1\n");
    let d = Running::start(&conf);
    let (mut o, ident) = d.object();
    let req = format!(r#"["{ident}", "run_one_command", [["printf", "%1500000s", "x"]], {{}}]"#);
    let reply = d.call(&mut o, &req);
    assert!(
        reply.starts_with(r##"["#TRACEBACK", "##) && reply.contains("MemoryError"),
        "{}",
        &reply[..reply.len().min(200)]
    );
    let req = format!(r#"["{ident}", "run_one_command", [["printf", "%900000s", "x"]], {{}}]"#);
    let reply = d.call(&mut o, &req);
    assert!(
        reply.starts_with(r##"["#RETURN", [0, "   "##),
        "{}",
        &reply[..40]
    );
    d.assert_serves();
}
