//! Attacks by the unprivileged user, attempted for real: against the setuid
//! copies (CLI and daemon), through `sudo`, and through the daemons (with
//! the unchanged Python client where the attack can go through it, else by
//! running the daemon binary directly and talking to its socket).
//!
//! Every attack must gain nothing: no root-owned marker, no changed owner,
//! no forged syslog record. The tests check effects (files, owners, modes,
//! datagrams, exit codes), not message wording. Where a payload proves an
//! exploit (a `privsep-helper` in a user-owned `exec_dirs` that creates a
//! marker), a control first shows that the payload does run as root when
//! root itself trusts the configuration, so a pass is never vacuous.
//!
//! They use the privileged fixture of `tests/system/mod.rs` (user
//! `oslorstest`, installed binaries, `/etc/oslo-rs-test/`, temporary sudoers
//! and setuid bits, serialised by a lock) and remove everything they create
//! (Drop guards; background processes run in their own process group and
//! are killed). Without root, sudo, or with `no_new_privs`, every test
//! prints `SKIPPED` and passes.

#![cfg(test)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt, chown};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod system;

use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use nix::unistd::Pid;
use oslo_rootwrap::daemon::json::{self, PyStr, Value};
use oslo_rootwrap::daemon::wire;
use system::*;

/// A user-owned directory for `exec_dirs`: holds the `privsep-helper` payload.
const USER_BIN: &str = "/var/tmp/oslo-rs-test-user/bin";
/// Scratch space the user controls, removed after every test.
const SCRATCH: &str = "/var/tmp/oslo-rs-test-user/attack";
/// Root-owned, mode 0600: a `chown` must never reach it.
const SECRET: &str = "/etc/oslo-rs-test/secret";
/// The evil configuration, root-owned: what the payload does when trusted.
const CONTROL_CONF: &str = "/etc/oslo-rs-test/control-evil.conf";
/// Root-owned, but its `filters_path` is inside the user's directory.
const RACE_FILTERS_CONF: &str = "/etc/oslo-rs-test/race-filters.conf";
const RACE_SCRIPT: &str = "/var/tmp/oslo-rs-test-user/race.py";

// ---------------------------------------------------------------------------
// Helpers

fn uid_of(name: &str) -> u32 {
    user(name).uid.as_raw()
}

/// Removes the given paths (files, symlinks or whole directories) when
/// dropped, whatever happened in between.
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            match fs::symlink_metadata(p) {
                Ok(m) if m.is_dir() => {
                    let _ = fs::remove_dir_all(p);
                }
                Ok(_) => {
                    let _ = fs::remove_file(p);
                }
                Err(_) => {}
            }
        }
    }
}

/// Fresh user-owned [`SCRATCH`] and [`USER_BIN`], removed on drop.
fn scratch() -> Cleanup {
    let uid = uid_of(USER);
    for dir in [SCRATCH, USER_BIN] {
        let _ = fs::remove_dir_all(dir);
        make_dir(dir, 0o755, uid);
    }
    Cleanup(vec![SCRATCH.into(), USER_BIN.into()])
}

/// A user-owned directory `SCRATCH/name`.
fn user_dir(name: &str) -> String {
    let dir = format!("{SCRATCH}/{name}");
    let _ = fs::remove_dir_all(&dir);
    make_dir(&dir, 0o755, uid_of(USER));
    dir
}

/// `sh -c SCRIPT sh ARGS...` as the unprivileged user.
fn sh(script: &str, args: &[&str]) -> Command {
    let mut all = vec!["sh", "-c", script, "sh"];
    all.extend_from_slice(args);
    as_user(&all)
}

/// The attack payload: a user-owned `USER_BIN/privsep-helper` that creates
/// `marker`. The built-in `privsep-helper` CommandFilter (run as root) finds
/// it through an `exec_dirs` naming [`USER_BIN`].
fn plant_privsep_helper(marker: &Marker) {
    let script = format!("#!/bin/sh\ntouch {}\n", marker.path());
    write_file(
        &format!("{USER_BIN}/privsep-helper"),
        script.as_bytes(),
        0o755,
        uid_of(USER),
    );
}

/// What the user would like root to use: the trusted filters, and the
/// user's own executables.
fn evil_conf() -> String {
    format!("[DEFAULT]\nfilters_path={FILTERS_DIR}\nexec_dirs={USER_BIN}\n")
}

/// Proves the payload: with [`evil_conf`] root-owned (as if root trusted
/// it), `privsep-helper` does create a root-owned marker. Without this a
/// test could pass because the payload is broken.
fn control_payload_runs_when_trusted(marker: &Marker) {
    let _guard = Cleanup(vec![CONTROL_CONF.into()]);
    write_file(CONTROL_CONF, evil_conf().as_bytes(), 0o644, 0);
    let mut cmd = Command::new(BIN);
    cmd.args([CONTROL_CONF, "privsep-helper"]).current_dir("/");
    let out = run(cmd, None);
    assert_eq!(out.code, 0, "control: {out:?}");
    let meta = fs::metadata(marker.path()).expect("control: the payload created no marker");
    assert_eq!(meta.uid(), 0, "control: marker not root-owned");
    fs::remove_file(marker.path()).expect("remove the control marker");
}

/// Kills what is left of an attack's process group (background writers,
/// sleepers); the group leader was started with `process_group(0)`.
fn kill_group(leader: u32) {
    let _ = killpg(Pid::from_raw(leader as i32), Signal::SIGKILL);
}

/// Waits for `child` until `deadline`; on timeout kills its whole process
/// group. Returns the exit code (`128 + N` for a signal, `-1` timed out).
fn wait_until(child: &mut Child, deadline: Instant) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return status
                    .code()
                    .or_else(|| status.signal().map(|s| 128 + s))
                    .unwrap_or(-1);
            }
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                kill_group(child.id());
                let _ = child.wait();
                return -1;
            }
        }
    }
}

fn reader<R: Read + Send + 'static>(mut r: R) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// Like [`run`], but in its own process group, killed (with whatever the
/// attack left running in the background) when the command ends or after
/// `seconds` (then the code is -1).
fn run_bounded(mut cmd: Command, seconds: u64) -> Out {
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let out = reader(child.stdout.take().expect("stdout"));
    let err = reader(child.stderr.take().expect("stderr"));
    let code = wait_until(&mut child, Instant::now() + Duration::from_secs(seconds));
    kill_group(child.id());
    Out {
        code,
        stdout: out.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    }
}

// ---------------------------------------------------------------------------
// A daemon started directly by the user, and a minimal client for it

enum Started {
    /// It printed a socket path and a key: it serves (as root).
    Announced(RunningDaemon),
    /// It exited (or was killed after a minute: code -1) without that.
    Exited {
        code: i32,
        stdout: Vec<u8>,
        stderr: String,
    },
}

/// A daemon that announced its socket; stopped (SIGTERM to the pid its
/// socket reports, then SIGKILL to the process group) when dropped.
struct RunningDaemon {
    child: Child,
    socket: PathBuf,
    key: Vec<u8>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl RunningDaemon {
    /// Runs `argv` through the daemon: `(returncode, stdout, stderr)`.
    fn run(&self, argv: &[&str]) -> Result<(i64, Vec<u8>, Vec<u8>), String> {
        let connect = || -> Result<UnixStream, String> {
            let mut s = UnixStream::connect(&self.socket).map_err(|e| e.to_string())?;
            s.set_read_timeout(Some(Duration::from_secs(60)))
                .map_err(|e| e.to_string())?;
            wire::answer_challenge(&mut s, &self.key).map_err(|e| e.to_string())?;
            wire::deliver_challenge(&mut s, &self.key).map_err(|e| e.to_string())?;
            Ok(s)
        };
        let call = |s: &mut UnixStream, ident: Option<&str>, method: &str, args: Vec<Value>| {
            let request = Value::List(vec![
                ident.map_or(Value::Null, Value::str),
                Value::str(method),
                Value::List(args),
                Value::Dict(Vec::new()),
            ]);
            wire::write_frame(s, &json::encode(&request)).map_err(|e| e.to_string())?;
            let reply = wire::read_frame(s, 1 << 30).map_err(|e| e.to_string())?;
            match json::decode(&reply).map_err(|e| e.to_string())? {
                Value::List(mut items) if items.len() == 2 && items[0] == Value::str("#RETURN") => {
                    Ok(items.pop().unwrap_or(Value::Null))
                }
                other => Err(format!("{method}: {other:?}")),
            }
        };
        let mut conn = connect()?;
        let created = call(&mut conn, None, "create", vec![Value::str("rootwrap")])?;
        let ident = match created {
            Value::List(items) => match items.into_iter().next() {
                Some(Value::Str(s)) => s.display(),
                other => return Err(format!("create: {other:?}")),
            },
            other => return Err(format!("create: {other:?}")),
        };
        let mut conn = connect()?;
        call(
            &mut conn,
            None,
            "accept_connection",
            vec![Value::str("MainThread")],
        )?;
        let argv = Value::List(
            argv.iter()
                .map(|a| Value::Str(PyStr::from_bytes(a.as_bytes())))
                .collect(),
        );
        match call(
            &mut conn,
            Some(&ident),
            "run_one_command",
            vec![argv, Value::Null],
        )? {
            Value::List(items) => match items.as_slice() {
                [Value::Int(rc), out, err] => Ok((
                    *rc,
                    out.fsencode().unwrap_or_default().to_vec(),
                    err.fsencode().unwrap_or_default().to_vec(),
                )),
                other => Err(format!("run_one_command: {other:?}")),
            },
            other => Err(format!("run_one_command: {other:?}")),
        }
    }
}

impl Drop for RunningDaemon {
    fn drop(&mut self) {
        let pid = UnixStream::connect(&self.socket)
            .ok()
            .and_then(|s| getsockopt(&s, PeerCredentials).ok())
            .map(|c| c.pid());
        if let Some(pid) = pid {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        wait_until(&mut self.child, Instant::now() + Duration::from_secs(10));
        kill_group(self.child.id());
        if let Some(e) = self.stderr.take() {
            let _ = e.join();
        }
        if let Some(dir) = self.socket.parent() {
            if dir
                .file_name()
                .is_some_and(|n| n.as_bytes().starts_with(b"rootwrap-"))
            {
                let _ = fs::remove_dir_all(dir);
            }
        }
    }
}

/// Runs `sh -c SCRIPT sh ARGS...` as the user in `cwd` (the script ends by
/// exec'ing a daemon) and waits up to a minute for the socket announcement.
fn start_daemon(script: &str, args: &[&str], cwd: &str) -> Started {
    let mut cmd = sh(script, args);
    cmd.current_dir(cwd)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let mut stdout = child.stdout.take().expect("stdout");
    let stderr = reader(child.stderr.take().expect("stderr"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(None);
                    return;
                }
                Ok(n) => {
                    if tx.send(Some(buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut got = Vec::new();
    loop {
        if let Some(nl) = got.iter().position(|&b| b == b'\n') {
            if got.len() >= nl + 1 + 32 {
                return Started::Announced(RunningDaemon {
                    child,
                    socket: PathBuf::from(OsStr::from_bytes(&got[..nl])),
                    key: got[nl + 1..nl + 33].to_vec(),
                    stderr: Some(stderr),
                });
            }
        }
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Some(chunk)) => got.extend(chunk),
            Ok(None) | Err(_) => break,
        }
    }
    let code = wait_until(&mut child, deadline);
    kill_group(child.id());
    Started::Exited {
        code,
        stdout: got,
        stderr: String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned(),
    }
}

/// Starts a daemon that must refuse to serve: records a failure unless it
/// exits 97 without announcing a socket. If it does serve, asks it to run
/// `proof` and reports what happened (the exploit, proven).
fn expect_daemon_refuses(
    how: &str,
    script: &str,
    args: &[&str],
    cwd: &str,
    proof: &[&str],
    failures: &mut Vec<String>,
) {
    match start_daemon(script, args, cwd) {
        Started::Exited {
            code,
            stdout,
            stderr,
        } => {
            if code != 97 || !stdout.is_empty() {
                failures.push(format!(
                    "{how}: daemon exited {code} (want 97), stdout {:?}, stderr {stderr:?}",
                    String::from_utf8_lossy(&stdout)
                ));
            }
        }
        Started::Announced(daemon) => {
            let ran = daemon.run(proof);
            failures.push(format!(
                "{how}: the daemon announced {} and served; {proof:?} -> {:?}",
                daemon.socket.display(),
                ran.map(|(rc, out, err)| (
                    rc,
                    String::from_utf8_lossy(&out).into_owned(),
                    String::from_utf8_lossy(&err).into_owned()
                ))
            ));
        }
    }
}

fn assert_no_failures(test: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{test}: {} attack(s) gained something:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// `(returncode, stdout)` of a command, or what went wrong.
type CallResult = Result<(i64, String), String>;

/// The result of one Python-client call as `(returncode, stdout)`, or the
/// exception class as an error.
fn call_result(v: &Value) -> CallResult {
    match v {
        Value::List(items) => match items.as_slice() {
            [Value::Int(rc), out, _] => Ok((
                *rc,
                String::from_utf8_lossy(out.fsencode().unwrap_or_default()).into_owned(),
            )),
            _ => Err(format!("{v:?}")),
        },
        other => Err(String::from_utf8_lossy(&json::encode(other)).into_owned()),
    }
}

// ---------------------------------------------------------------------------
// a. Magic-link configurations

/// Each script gets `$1` = the evil configuration text, `$2` = the binary,
/// `$3` = the trusted configuration, then the command; it leaves a path
/// whose lexical form and canonical form look trusted but whose content is
/// the user's.
const MAGIC_LINKS: &[(&str, &str)] = &[
    (
        "/proc/self/fd/3 on a deleted file, '(deleted)' symlink to the trusted config",
        r#"printf '%s' "$1" > evil.conf; exec 3< evil.conf; rm evil.conf; ln -s "$3" 'evil.conf (deleted)'
           B=$2; shift 3; exec "$B" /proc/self/fd/3 "$@""#,
    ),
    (
        "/dev/fd/3",
        r#"printf '%s' "$1" > evil.conf; exec 3< evil.conf; rm evil.conf; ln -s "$3" 'evil.conf (deleted)'
           B=$2; shift 3; exec "$B" /dev/fd/3 "$@""#,
    ),
    (
        "/proc/<pid>/fd/3 (the shell's pid, kept by exec)",
        r#"printf '%s' "$1" > evil.conf; exec 3< evil.conf; rm evil.conf; ln -s "$3" 'evil.conf (deleted)'
           B=$2; shift 3; exec "$B" /proc/$$/fd/3 "$@""#,
    ),
    (
        "/proc/thread-self/fd/3",
        r#"printf '%s' "$1" > evil.conf; exec 3< evil.conf; rm evil.conf; ln -s "$3" 'evil.conf (deleted)'
           B=$2; shift 3; exec "$B" /proc/thread-self/fd/3 "$@""#,
    ),
    (
        "/proc/<other process>/fd/3 (a user process holding the deleted file)",
        r#"printf '%s' "$1" > evil.conf; (exec 3< evil.conf; exec sleep 30) & P=$!
           i=0; while ! [ -L /proc/$P/fd/3 ] && [ $i -lt 1000 ]; do i=$((i+1)); sleep 0.01; done
           [ "$(readlink /proc/$P/fd/3)" = "$PWD/evil.conf" ] || { echo "no fd 3 in $P" >&2; exit 111; }
           rm evil.conf; ln -s "$3" 'evil.conf (deleted)'
           B=$2; shift 3; "$B" /proc/$P/fd/3 "$@"; rc=$?; kill $P; exit $rc"#,
    ),
    (
        "/proc/self/fd/3 on an anonymous pipe",
        r#"E=$1; B=$2; shift 3
           printf '%s' "$E" | { exec 3<&0 0</dev/null; exec "$B" /proc/self/fd/3 "$@"; }"#,
    ),
    (
        "/proc/self/fd/3 on a deleted FIFO, '(deleted)' symlink to the trusted config",
        r#"mkfifo f; (printf '%s' "$1"; sleep 5) > f 2>/dev/null &
           exec 3< f; rm f; ln -s "$3" 'f (deleted)'
           B=$2; shift 3; exec "$B" /proc/self/fd/3 "$@""#,
    ),
    (
        "/proc/self/cwd/rootwrap.conf, cwd in the user's directory",
        r#"mkdir d; printf '%s' "$1" > d/rootwrap.conf; cd d
           B=$2; shift 3; exec "$B" /proc/self/cwd/rootwrap.conf "$@""#,
    ),
    (
        "/proc/self/cwd/rootwrap.conf, cwd deleted, '(deleted)' symlink to the trusted directory",
        r#"mkdir d; cd d; rmdir ../d; ln -s "$(dirname "$3")" '../d (deleted)'
           B=$2; shift 3; exec "$B" /proc/self/cwd/rootwrap.conf "$@""#,
    ),
];

#[test]
fn magic_link_config_setuid_cli() {
    let Some(_fx) = Fixture::acquire("magic_link_config_setuid_cli") else {
        return;
    };
    let _scratch = scratch();
    let marker = Marker::new("magic-cli");
    plant_privsep_helper(&marker);
    control_payload_runs_when_trusted(&marker);
    let evil = evil_conf();
    let mut failures = Vec::new();
    for (i, (how, script)) in MAGIC_LINKS.iter().enumerate() {
        let dir = user_dir(&format!("v{i}"));
        let mut cmd = sh(script, &[&evil, SETUID_BIN, CONF, "privsep-helper"]);
        cmd.current_dir(&dir);
        let out = run_bounded(cmd, 60);
        if marker.exists() {
            failures.push(format!(
                "{how}: privsep-helper ran as root from the user's exec_dirs (exit {})",
                out.code
            ));
            let _ = fs::remove_file(marker.path());
        } else if out.code != 97 {
            failures.push(format!(
                "{how}: exit {} (want 97): {}",
                out.code, out.stderr
            ));
        }
    }
    assert_no_failures("magic_link_config_setuid_cli", &failures);
}

#[test]
fn magic_link_config_setuid_daemon() {
    let Some(_fx) = Fixture::acquire("magic_link_config_setuid_daemon") else {
        return;
    };
    let _scratch = scratch();
    let marker = Marker::new("magic-daemon");
    plant_privsep_helper(&marker);
    control_payload_runs_when_trusted(&marker);
    let evil = evil_conf();
    let mut failures = Vec::new();
    for (i, (how, script)) in MAGIC_LINKS.iter().enumerate() {
        let dir = user_dir(&format!("v{i}"));
        expect_daemon_refuses(
            how,
            script,
            &[&evil, SETUID_DAEMON_BIN, CONF],
            &dir,
            &["privsep-helper"],
            &mut failures,
        );
        if marker.exists() {
            failures.push(format!(
                "{how}: privsep-helper ran as root (marker created)"
            ));
            let _ = fs::remove_file(marker.path());
        }
    }
    assert_no_failures("magic_link_config_setuid_daemon", &failures);
}

// ---------------------------------------------------------------------------
// b. Races on the configuration path and on filters_path

/// The race driver and the Python client's package where the user can read
/// them; `None` (loudly) without `/usr/bin/python3` or the reference.
fn race_tools(test: &str) -> Option<(String, String)> {
    let Some((python, lib, _)) = user_python_client() else {
        eprintln!("SKIPPED: {test}: needs /usr/bin/python3 and the reference's client");
        return None;
    };
    write_file(RACE_SCRIPT, include_bytes!("scripts/race.py"), 0o644, 0);
    Some((python, lib))
}

#[derive(Debug)]
struct RaceReport {
    tries: i64,
    outcomes: BTreeMap<String, i64>,
    racer_alive: bool,
    leaked: Vec<i32>,
}

/// Runs `race.py MODE TARGET EVIL TRUSTED SECONDS TRIES HOW BINARY CONF
/// ARGS...` as the user; kills any daemon it reports as leaked.
#[allow(clippy::too_many_arguments)]
fn race(
    tools: &(String, String),
    mode: &str,
    target: &str,
    evil: &str,
    trusted: &str,
    how: &str,
    binary: &str,
    conf: &str,
    args: &[&str],
) -> RaceReport {
    let (python, lib) = tools;
    let (seconds, tries) = if how == "cli" {
        ("10", "300")
    } else {
        ("10", "150")
    };
    let mut all = vec![
        RACE_SCRIPT,
        mode,
        target,
        evil,
        trusted,
        seconds,
        tries,
        how,
        binary,
        conf,
    ];
    all.extend_from_slice(args);
    let mut cmd = python_as_user(python, lib, &all);
    cmd.current_dir(SCRATCH);
    let out = run_bounded(cmd, 120);
    assert_eq!(out.code, 0, "race driver {mode}/{how}: {out:?}");
    let report = json::decode(out.stdout.trim_ascii()).expect("race report");
    let int = |v: Option<&Value>| match v {
        Some(Value::Int(i)) => *i,
        other => panic!("race report: {other:?}"),
    };
    let mut outcomes = BTreeMap::new();
    if let Some(Value::Dict(items)) = report.get("outcomes") {
        for (k, v) in items {
            outcomes.insert(k.display(), int(Some(v)));
        }
    }
    let leaked: Vec<i32> = match report.get("leaked_daemons") {
        Some(Value::List(pids)) => pids
            .iter()
            .map(|p| i32::try_from(int(Some(p))).unwrap_or(0))
            .collect(),
        _ => Vec::new(),
    };
    for pid in &leaked {
        if *pid > 1 {
            let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
        }
    }
    RaceReport {
        tries: int(report.get("tries")),
        outcomes,
        racer_alive: report.get("racer_alive") == Some(&Value::Bool(true)),
        leaked,
    }
}

/// Records a failure unless every outcome is one of `allowed`, the marker
/// never appeared, and the race really ran.
fn check_race(
    what: &str,
    report: &RaceReport,
    allowed: &[&str],
    marker: &Marker,
    failures: &mut Vec<String>,
) {
    assert!(report.racer_alive, "{what}: the racer died: {report:?}");
    assert!(report.tries >= 20, "{what}: too few tries: {report:?}");
    eprintln!("{what}: {report:?}");
    if marker.exists() {
        failures.push(format!(
            "{what}: the user's payload ran as root: {report:?}"
        ));
        let _ = fs::remove_file(marker.path());
    }
    let bad: Vec<_> = report
        .outcomes
        .iter()
        .filter(|(k, _)| !allowed.contains(&k.as_str()))
        .collect();
    if !bad.is_empty() || !report.leaked.is_empty() {
        failures.push(format!("{what}: unexpected outcomes {bad:?} in {report:?}"));
    }
}

/// The configuration-path races: `(mode, target, trusted)`.
fn config_races() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("link", format!("{SCRATCH}/race/c.conf"), CONF),
        ("appear", format!("{SCRATCH}/race/c.conf"), CONF),
        ("flip", format!("{SCRATCH}/race/c.conf"), CONF),
        ("swap", format!("{SCRATCH}/race/c.conf"), CONF),
        (
            "dirswap",
            format!("{SCRATCH}/race/d/rootwrap.conf"),
            CONF_DIR,
        ),
    ]
}

fn config_path_races(test: &str, how: &str, binary: &str) {
    let _scratch = scratch();
    let Some(tools) = race_tools(test) else {
        return;
    };
    let _script = Cleanup(vec![RACE_SCRIPT.into()]);
    let marker = Marker::new(&format!("race-{how}"));
    plant_privsep_helper(&marker);
    control_payload_runs_when_trusted(&marker);
    // Every attempt must be refused as a bad configuration.
    let (args, allowed): (&[&str], &[&str]) = (&["privsep-helper"], &["exit 97"]);
    let mut failures = Vec::new();
    for (mode, target, trusted) in config_races() {
        let dir = user_dir("race");
        let evil = format!("{dir}/evil.conf");
        write_file(&evil, evil_conf().as_bytes(), 0o644, uid_of(USER));
        let report = race(
            &tools, mode, &target, &evil, trusted, how, binary, &target, args,
        );
        check_race(
            &format!("{how} {mode}"),
            &report,
            allowed,
            &marker,
            &mut failures,
        );
        let _ = fs::remove_dir_all(&dir);
        let _ = fs::remove_dir_all(format!("{dir}.alt"));
    }
    assert_no_failures(test, &failures);
}

#[test]
fn config_path_races_setuid_cli() {
    let Some(_fx) = Fixture::acquire("config_path_races_setuid_cli") else {
        return;
    };
    config_path_races("config_path_races_setuid_cli", "cli", SETUID_BIN);
}

#[test]
fn config_path_races_setuid_daemon() {
    let Some(_fx) = Fixture::acquire("config_path_races_setuid_daemon") else {
        return;
    };
    config_path_races(
        "config_path_races_setuid_daemon",
        "daemon",
        SETUID_DAEMON_BIN,
    );
}

#[test]
fn missing_or_symlinked_config_paths_are_refused() {
    let Some(_fx) = Fixture::acquire("missing_or_symlinked_config_paths_are_refused") else {
        return;
    };
    let _scratch = scratch();
    let marker = Marker::new("paths");
    let link = format!("{SCRATCH}/etc");
    let out = run(as_user(&["ln", "-s", CONF_DIR, &link]), None);
    assert_eq!(out.code, 0, "{out:?}");
    let missing = format!("{SCRATCH}/missing.conf");
    let through_link = format!("{link}/rootwrap.conf");
    let mut failures = Vec::new();
    for (how, conf) in [
        ("missing configuration", missing.as_str()),
        (
            "configuration reached through a user-owned symlink to /etc/oslo-rs-test",
            through_link.as_str(),
        ),
    ] {
        let out = run(setuid(conf, &["touch", marker.path()]), None);
        if out.code != 97 || marker.exists() {
            failures.push(format!("setuid CLI, {how}: exit {} (want 97)", out.code));
            let _ = fs::remove_file(marker.path());
        }
        expect_daemon_refuses(
            &format!("setuid daemon, {how}"),
            r#"exec "$@""#,
            &[SETUID_DAEMON_BIN, conf],
            "/",
            &["touch", marker.path()],
            &mut failures,
        );
        let _ = fs::remove_file(marker.path());
    }
    assert_no_failures("missing_or_symlinked_config_paths_are_refused", &failures);
}

fn filters_path_races(test: &str, how: &str, binary: &str) {
    let _scratch = scratch();
    let Some(tools) = race_tools(test) else {
        return;
    };
    let _files = Cleanup(vec![RACE_SCRIPT.into(), RACE_FILTERS_CONF.into()]);
    let target = format!("{SCRATCH}/race/filters.d");
    write_file(
        RACE_FILTERS_CONF,
        format!("[DEFAULT]\nfilters_path={target}\nexec_dirs=/sbin,/usr/sbin,/bin,/usr/bin\n")
            .as_bytes(),
        0o644,
        0,
    );
    // The '.' keeps it out of the trusted `touch` filter's regex: only the
    // user's filter could allow it.
    let marker = Marker::new(&format!("fpath-{how}.evil"));
    let allowed: &[&str] = if how == "cli" {
        &["exit 97", "exit 99"]
    } else {
        &["exit 97", "daemon started; command returned 99"]
    };
    let mut failures = Vec::new();
    for mode in ["swap", "flip", "appear"] {
        let dir = user_dir("race");
        let evil = user_dir("race/evil.d");
        write_file(
            &format!("{evil}/evil.filters"),
            b"[Filters]\nevil_touch: CommandFilter, touch, root\n",
            0o644,
            uid_of(USER),
        );
        let report = race(
            &tools,
            mode,
            &target,
            &evil,
            FILTERS_DIR,
            how,
            binary,
            RACE_FILTERS_CONF,
            &["touch", marker.path()],
        );
        check_race(
            &format!("filters_path {how} {mode}"),
            &report,
            allowed,
            &marker,
            &mut failures,
        );
        let _ = fs::remove_dir_all(&dir);
    }
    assert_no_failures(test, &failures);
}

#[test]
fn filters_path_races_setuid_cli() {
    let Some(_fx) = Fixture::acquire("filters_path_races_setuid_cli") else {
        return;
    };
    filters_path_races("filters_path_races_setuid_cli", "cli", SETUID_BIN);
}

#[test]
fn filters_path_races_setuid_daemon() {
    let Some(_fx) = Fixture::acquire("filters_path_races_setuid_daemon") else {
        return;
    };
    filters_path_races(
        "filters_path_races_setuid_daemon",
        "daemon",
        SETUID_DAEMON_BIN,
    );
}

// ---------------------------------------------------------------------------
// c. PathFilter and symlink chains

/// Removes everything in [`ALLOWED_DIR`] and [`SECRET`] when dropped.
struct ChainGuard;

impl Drop for ChainGuard {
    fn drop(&mut self) {
        if let Ok(entries) = fs::read_dir(ALLOWED_DIR) {
            for e in entries.flatten() {
                let _ = fs::remove_file(e.path());
            }
        }
        let _ = fs::remove_file(SECRET);
    }
}

const CHAINS: [usize; 6] = [41, 64, 65, 70, 100, 600];
/// A chain that stays in the allowed directory: the filter's positive case.
const INSIDE_CHAIN: usize = 10;

/// Makes, as the user, `ALLOWED_DIR/c{n}-l0 -> c{n}-l1 -> ... -> c{n}-l{n-1} -> target`.
fn make_chain(python: &str, n: usize, target: &str) {
    let script = "import os, sys\n\
                  d, n, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]\n\
                  for i in range(n - 1):\n    os.symlink('c%d-l%d' % (n, i + 1), '%s/c%d-l%d' % (d, n, i))\n\
                  os.symlink(target, '%s/c%d-l%d' % (d, n, n - 1))\n";
    let n = n.to_string();
    let out = run(
        as_user(&[python, "-c", script, ALLOWED_DIR, &n, target]),
        None,
    );
    assert_eq!(out.code, 0, "make chain {n}: {out:?}");
}

fn chain_head(n: usize) -> String {
    format!("{ALLOWED_DIR}/c{n}-l0")
}

/// Root-owned file inside the allowed directory: the legitimate target.
fn reset_inside_target() -> String {
    let target = format!("{ALLOWED_DIR}/target");
    write_file(&target, b"mine to take\n", 0o644, 0);
    target
}

fn check_secret(how: &str, failures: &mut Vec<String>) {
    let meta = fs::symlink_metadata(SECRET).expect("the secret");
    if (meta.uid(), meta.gid(), meta.mode() & 0o7777) != (0, 0, 0o600) {
        failures.push(format!(
            "{how}: the secret is now {}:{} {:o}",
            meta.uid(),
            meta.gid(),
            meta.mode() & 0o7777
        ));
        chown(SECRET, Some(0), Some(0)).expect("chown the secret back");
        fs::set_permissions(SECRET, fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

fn expected_chain_code(n: usize) -> Option<i32> {
    // The reference resolves the whole chain (up to its recursion limit,
    // ~990 links) and denies; beyond, it crashes (exit 1).
    (n <= 100).then_some(99)
}

#[test]
fn pathfilter_symlink_chains_never_escape() {
    let Some(_fx) = Fixture::acquire("pathfilter_symlink_chains_never_escape") else {
        return;
    };
    if !Path::new("/bin/chown").exists() {
        eprintln!("SKIPPED: pathfilter_symlink_chains_never_escape: no /bin/chown");
        return;
    }
    let _guard = ChainGuard;
    write_file(SECRET, b"root only\n", 0o600, 0);
    let python = "/usr/bin/python3";
    for n in CHAINS {
        make_chain(python, n, SECRET);
    }
    let inside = reset_inside_target();
    make_chain(python, INSIDE_CHAIN, &inside);
    let uid = uid_of(USER);
    let mut failures = Vec::new();

    // The CLI, through sudo and setuid.
    for (how, cli) in [
        ("sudo CLI", sudo as fn(&str, &[&str]) -> Command),
        ("setuid CLI", setuid),
    ] {
        let inside = reset_inside_target();
        let out = run(cli(CONF, &["chown", USER, &chain_head(INSIDE_CHAIN)]), None);
        assert_eq!(
            out.code, 0,
            "{how}: the chain inside the directory: {out:?}"
        );
        assert_eq!(
            fs::metadata(&inside).expect("inside target").uid(),
            uid,
            "{how}: the allowed chown did not happen"
        );
        for n in CHAINS {
            let out = run(cli(CONF, &["chown", USER, &chain_head(n)]), None);
            let want = expected_chain_code(n);
            if out.code == 0 || want.is_some_and(|w| w != out.code) {
                failures.push(format!(
                    "{how}: {n}-link chain: exit {} (want {want:?}, non-zero): {}",
                    out.code, out.stderr
                ));
            }
            check_secret(&format!("{how}: {n}-link chain"), &mut failures);
        }
    }

    // The daemons, with the unchanged Python client.
    let heads: Vec<String> = std::iter::once(INSIDE_CHAIN)
        .chain(CHAINS)
        .map(chain_head)
        .collect();
    let calls: Vec<Vec<&str>> = heads.iter().map(|h| vec!["chown", USER, h]).collect();
    let calls: Vec<&[&str]> = calls.iter().map(Vec::as_slice).collect();
    for (how, daemon) in [
        ("sudo daemon", vec!["sudo", "-n", DAEMON_BIN, CONF]),
        ("setuid daemon", vec![SETUID_DAEMON_BIN, CONF]),
    ] {
        let inside = reset_inside_target();
        let Some(results) = daemon_calls(&daemon, &calls, &[]) else {
            return;
        };
        assert_eq!(results.len(), calls.len(), "{how}: {results:?}");
        assert_eq!(
            call_result(&results[0]).map(|r| r.0),
            Ok(0),
            "{how}: the chain inside the directory"
        );
        assert_eq!(
            fs::metadata(&inside).expect("inside target").uid(),
            uid,
            "{how}: the allowed chown did not happen"
        );
        for (n, result) in CHAINS.iter().zip(&results[1..]) {
            match call_result(result) {
                Ok((rc, _))
                    if rc != 0 && expected_chain_code(*n).is_none_or(|w| w == rc as i32) => {}
                // A refusal the client sees as an exception is not a gain.
                Err(_) if expected_chain_code(*n).is_none() => {}
                other => failures.push(format!("{how}: {n}-link chain: {other:?}")),
            }
        }
        check_secret(how, &mut failures);
    }
    assert_no_failures("pathfilter_symlink_chains_never_escape", &failures);
}

// ---------------------------------------------------------------------------
// d. The caller's process state must not reach the root child

/// `(label, daemon command)` of the daemons, the caller's state applied by
/// `wrapper` (a command prefix that execs the rest).
fn daemons_with<'a>(wrapper: &[&'a str], conf: &'a str) -> Vec<(&'static str, Vec<&'a str>)> {
    let with = |rest: &[&'a str]| -> Vec<&'a str> {
        wrapper
            .iter()
            .copied()
            .chain(rest.iter().copied())
            .collect()
    };
    vec![
        ("setuid daemon", with(&[SETUID_DAEMON_BIN, conf])),
        ("sudo daemon", with(&["sudo", "-n", DAEMON_BIN, conf])),
    ]
}

#[test]
fn caller_umask_does_not_reach_root_commands() {
    let Some(_fx) = Fixture::acquire("caller_umask_does_not_reach_root_commands") else {
        return;
    };
    let mut failures = Vec::new();
    let mut check = |how: &str, marker: &Marker| match fs::metadata(marker.path()) {
        Ok(m) if m.mode() & 0o777 == 0o644 && m.uid() == 0 => {}
        Ok(m) => failures.push(format!(
            "{how}: marker created with mode {:o} uid {} (want 644, root)",
            m.mode() & 0o777,
            m.uid()
        )),
        Err(e) => failures.push(format!("{how}: no marker: {e}")),
    };
    for (how, prefix) in [
        ("setuid CLI", vec![SETUID_BIN, CONF]),
        ("sudo CLI", vec!["sudo", "-n", BIN, CONF]),
    ] {
        let marker = Marker::new(&format!("umask-{}", how.replace(' ', "-").to_lowercase()));
        let mut args = prefix.clone();
        args.extend(["touch", marker.path()]);
        let out = run(sh("umask 000; umask; exec \"$@\"", &args), None);
        assert!(
            out.stdout().starts_with("0000"),
            "{how}: the caller's umask was not 000: {out:?}"
        );
        assert_eq!(out.code, 0, "{how}: {out:?}");
        check(how, &marker);
    }
    let wrapper = ["sh", "-c", "umask 000; exec \"$@\"", "sh"];
    for (how, daemon) in daemons_with(&wrapper, CONF) {
        let marker = Marker::new(&format!("umask-{}", how.replace(' ', "-")));
        let Some(results) = daemon_calls(&daemon, &[&["touch", marker.path()]], &[]) else {
            return;
        };
        assert_eq!(call_result(&results[0]).map(|r| r.0), Ok(0), "{how}");
        check(how, &marker);
    }
    assert_no_failures("caller_umask_does_not_reach_root_commands", &failures);
}

/// `name -> (soft, hard)` from `/proc/<pid>/limits`.
fn parse_limits(text: &str) -> BTreeMap<String, (String, String)> {
    text.lines()
        .skip_while(|l| !l.starts_with("Limit"))
        .skip(1)
        .take_while(|l| l.starts_with("Max "))
        .filter_map(|l| {
            let (name, rest) = l.split_at(l.len().min(26));
            let mut fields = rest.split_whitespace();
            Some((
                name.trim().to_owned(),
                (fields.next()?.to_owned(), fields.next()?.to_owned()),
            ))
        })
        .collect()
}

/// Limits lowered (and the core limit raised) as soft limits only: undoing
/// that needs no privilege, so rootwrap must always restore root's.
const HOSTILE_SOFT_LIMITS: &str = "ulimit -S -f 8; ulimit -S -c unlimited; ulimit -S -n 64; ulimit -S -t 100; ulimit -S -s unlimited";

/// The same with the hard limits lowered too: raising them back needs
/// CAP_SYS_RESOURCE. Where root has it they must be restored; where it
/// does not (some containers), rootwrap must refuse to run anything.
const HOSTILE_HARD_LIMITS: &str =
    "ulimit -f 8; ulimit -c unlimited; ulimit -n 64; ulimit -t 100; ulimit -s unlimited";

/// Whether root may raise hard resource limits here (CAP_SYS_RESOURCE, bit
/// 24, in the bounding set the setuid binary gets its capabilities from).
fn root_can_raise_hard_limits() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << 24) != 0)
}

fn check_limits(how: &str, text: &str, failures: &mut Vec<String>) {
    let limits = parse_limits(text);
    let soft = |name: &str| limits.get(name).map(|l| l.0.as_str());
    for (name, want) in [
        ("Max file size", "unlimited"),
        ("Max core file size", "0"),
        ("Max cpu time", "unlimited"),
        ("Max open files", "1024"),
        ("Max stack size", "8388608"),
    ] {
        if soft(name) != Some(want) {
            failures.push(format!(
                "{how}: {name}: soft {:?} (want {want}; the caller's value leaked)",
                limits.get(name)
            ));
        }
    }
}

#[test]
fn caller_rlimits_do_not_reach_root_commands() {
    let Some(_fx) = Fixture::acquire("caller_rlimits_do_not_reach_root_commands") else {
        return;
    };
    let mut failures = Vec::new();
    let restorable = root_can_raise_hard_limits();
    eprintln!(
        "caller_rlimits_do_not_reach_root_commands: root {} raise hard limits here",
        if restorable {
            "can"
        } else {
            "cannot (no CAP_SYS_RESOURCE)"
        }
    );
    for (hostile, must_restore) in [
        (HOSTILE_SOFT_LIMITS, true),
        (HOSTILE_HARD_LIMITS, restorable),
    ] {
        // The setuid CLI; the caller's own limits are printed first
        // (control).
        let script = format!("{hostile}; cat /proc/self/limits; echo --; exec \"$@\"");
        let out = run(
            sh(&script, &[SETUID_BIN, CONF, "cat", "/proc/self/limits"]),
            None,
        );
        let text = out.stdout();
        let (caller, child) = text.split_once("--\n").expect("two listings");
        let caller = parse_limits(caller);
        assert_eq!(
            caller.get("Max file size").map(|l| l.0.as_str()),
            Some("4096"),
            "control: the caller's limits were not set: {caller:?}"
        );
        assert_eq!(
            caller.get("Max open files").map(|l| l.0.as_str()),
            Some("64"),
            "control: {caller:?}"
        );
        let how = format!("setuid CLI after `{hostile}`");
        if must_restore {
            if out.code == 0 {
                check_limits(&how, child, &mut failures);
            } else {
                failures.push(format!("{how}: refused: {out:?}"));
            }
        } else if out.code == 0 || !child.is_empty() {
            failures.push(format!(
                "{how}: ran although the caller's hard limits could not be undone: {out:?}"
            ));
        }
        // The setuid daemon (sudo passes the caller's limits on by design:
        // not compared).
        let script = format!("{hostile}; exec \"$@\"");
        let wrapper = ["sh", "-c", script.as_str(), "sh"];
        let daemons = daemons_with(&wrapper, CONF);
        let (how, daemon) = &daemons[0];
        let how = format!("{how} after `{hostile}`");
        let results = daemon_calls(daemon, &[&["cat", "/proc/self/limits"]], &[]);
        match (must_restore, results) {
            (_, None) => {}
            (true, Some(results)) => match call_result(&results[0]) {
                Ok((0, text)) => check_limits(&how, &text, &mut failures),
                other => failures.push(format!("{how}: {other:?}")),
            },
            (false, Some(results)) => {
                if let Ok((_, text)) = call_result(&results[0]) {
                    failures.push(format!(
                        "{how}: ran although the caller's hard limits could not be undone: {text}"
                    ));
                }
            }
        }
    }
    assert_no_failures("caller_rlimits_do_not_reach_root_commands", &failures);
}

/// Ignores SIGINT/SIGTERM/SIGHUP/SIGQUIT and blocks SIGUSR1/SIGUSR2/SIGALRM,
/// then execs its arguments (run with python3 as the user).
const SIGNAL_WRAPPER: &str = "import os, signal, sys\n\
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):\n    signal.signal(s, signal.SIG_IGN)\n\
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM])\n\
os.execv(sys.argv[1], sys.argv[1:])\n";

fn status_field<'a>(status: &'a str, field: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')))
        .map(str::trim)
}

/// glibc reserves signals 32 (SIGCANCEL) and 33 (SIGSETXID); its
/// `posix_spawn` always leaves them ignored in the child (even with every
/// other signal in `setsigdefault`, even for root's own commands, even
/// under plain sudo), and no caller can change that. Only signals 1-31 and
/// the real-time ones from 34 are the caller's state.
const GLIBC_INTERNAL: u64 = (1 << 31) | (1 << 32);

fn check_signals(how: &str, status: &str, failures: &mut Vec<String>) {
    for field in ["SigIgn", "SigBlk"] {
        let got = status_field(status, field);
        let mask = got.and_then(|m| u64::from_str_radix(m, 16).ok());
        if mask.is_none_or(|m| m & !GLIBC_INTERNAL != 0) {
            failures.push(format!(
                "{how}: {field} {got:?} (want zero but for glibc's signals 32 and 33)"
            ));
        }
    }
}

#[test]
fn caller_signal_state_does_not_reach_commands() {
    let Some(_fx) = Fixture::acquire("caller_signal_state_does_not_reach_commands") else {
        return;
    };
    let python = "/usr/bin/python3";
    if !Path::new(python).exists() {
        eprintln!("SKIPPED: caller_signal_state_does_not_reach_commands: no {python}");
        return;
    }
    // Control: the wrapper does ignore and block.
    let out = run(
        as_user(&[
            python,
            "-c",
            SIGNAL_WRAPPER,
            "/bin/cat",
            "/proc/self/status",
        ]),
        None,
    );
    let control = out.stdout();
    assert_ne!(
        status_field(&control, "SigIgn"),
        Some("0000000000000000"),
        "control: {out:?}"
    );
    assert_ne!(
        status_field(&control, "SigBlk"),
        Some("0000000000000000"),
        "control: {out:?}"
    );
    let mut failures = Vec::new();
    for (how, argv) in [
        (
            "setuid CLI, run as root",
            vec![SETUID_BIN, CONF, "cat", "/proc/self/status"],
        ),
        (
            "setuid CLI, run as oslorstest",
            vec![SETUID_BIN, CONF, "cat", "/proc/thread-self/status"],
        ),
        (
            "sudo CLI, run as root",
            vec!["/usr/bin/sudo", "-n", BIN, CONF, "cat", "/proc/self/status"],
        ),
    ] {
        let mut all = vec![python, "-c", SIGNAL_WRAPPER];
        all.extend(argv);
        let out = run(as_user(&all), None);
        if out.code == 0 {
            check_signals(how, &out.stdout(), &mut failures);
        } else {
            failures.push(format!("{how}: {out:?}"));
        }
    }
    let wrapper = [python, "-c", SIGNAL_WRAPPER];
    let sudo_abs = ["/usr/bin/sudo", "-n", DAEMON_BIN, CONF];
    for (how, daemon) in [
        (
            "setuid daemon",
            wrapper
                .iter()
                .copied()
                .chain([SETUID_DAEMON_BIN, CONF])
                .collect::<Vec<_>>(),
        ),
        (
            "sudo daemon",
            wrapper.iter().copied().chain(sudo_abs).collect(),
        ),
    ] {
        let Some(results) = daemon_calls(
            &daemon,
            &[
                &["cat", "/proc/self/status"],
                &["cat", "/proc/thread-self/status"],
            ],
            &[],
        ) else {
            return;
        };
        for (who, result) in ["run as root", "run as oslorstest"].iter().zip(&results) {
            match call_result(result) {
                Ok((0, text)) => check_signals(&format!("{how}, {who}"), &text, &mut failures),
                other => failures.push(format!("{how}, {who}: {other:?}")),
            }
        }
    }
    assert_no_failures("caller_signal_state_does_not_reach_commands", &failures);
}

const FDS_SCRIPT: &str = "exec 5</etc/passwd 6</etc/passwd 7</etc/passwd 8</etc/passwd 9</etc/passwd; ls /proc/self/fd; echo --; exec \"$@\"";

fn check_child_fds(how: &str, listing: &str, failures: &mut Vec<String>) {
    let fds: Vec<&str> = listing.lines().collect();
    // 3 is the directory ls itself opens.
    if fds != ["0", "1", "2", "3"] {
        failures.push(format!("{how}: the command sees descriptors {fds:?}"));
    }
}

#[test]
fn caller_descriptors_do_not_reach_commands() {
    let Some(_fx) = Fixture::acquire("caller_descriptors_do_not_reach_commands") else {
        return;
    };
    let mut failures = Vec::new();
    for (how, cmd) in [
        ("setuid CLI, run as root", &["ls", "/proc/self/fd"][..]),
        (
            "setuid CLI, run as oslorstest",
            &["ls", "-1", "/proc/self/fd"],
        ),
    ] {
        let mut args = vec![SETUID_BIN, CONF];
        args.extend_from_slice(cmd);
        let out = run(sh(FDS_SCRIPT, &args), None);
        let text = out.stdout();
        let (caller, child) = text.split_once("--\n").unwrap_or_default();
        assert!(
            caller.lines().any(|l| l == "9"),
            "control: the caller had no fd 9: {out:?}"
        );
        if out.code == 0 {
            check_child_fds(how, child, &mut failures);
        } else {
            failures.push(format!("{how}: {out:?}"));
        }
    }
    // The daemons started directly with the descriptors open (the Python
    // client would close them itself).
    let daemon_script =
        "exec 5</etc/passwd 6</etc/passwd 7</etc/passwd 8</etc/passwd 9</etc/passwd; exec \"$@\"";
    for (how, daemon) in [
        ("setuid daemon", vec![SETUID_DAEMON_BIN, CONF]),
        ("sudo daemon", vec!["sudo", "-n", DAEMON_BIN, CONF]),
    ] {
        match start_daemon(daemon_script, &daemon, "/") {
            Started::Announced(d) => {
                for (who, cmd) in [
                    ("run as root", &["ls", "/proc/self/fd"][..]),
                    ("run as oslorstest", &["ls", "-1", "/proc/self/fd"]),
                ] {
                    match d.run(cmd) {
                        Ok((0, out, _)) => check_child_fds(
                            &format!("{how}, {who}"),
                            &String::from_utf8_lossy(&out),
                            &mut failures,
                        ),
                        other => failures.push(format!("{how}, {who}: {other:?}")),
                    }
                }
            }
            Started::Exited { code, stderr, .. } => {
                panic!("{how}: the daemon did not start: exit {code}: {stderr}")
            }
        }
    }
    assert_no_failures("caller_descriptors_do_not_reach_commands", &failures);
}

#[test]
fn caller_environment_does_not_reach_setuid_daemon_commands() {
    let Some(_fx) = Fixture::acquire("caller_environment_does_not_reach_setuid_daemon_commands")
    else {
        return;
    };
    // The setuid CLI's case is setuid_binary_becomes_root_with_a_clean_environment
    // in real_sudo.rs. Here the setuid daemon, spawned by the Python client
    // that runs with the hostile environment.
    let hostile = [
        ("LD_PRELOAD", "/nonexistent/oslo-rs-test.so"),
        ("LD_LIBRARY_PATH", "/var/tmp/oslo-rs-test-user"),
        ("PATH", "/var/tmp/oslo-rs-test-user/bin:/usr/bin:/bin"),
        ("IFS", "x"),
        ("BASH_ENV", "/var/tmp/oslo-rs-test-user/evil.sh"),
        ("ENV", "/var/tmp/oslo-rs-test-user/evil.sh"),
        ("RUST_MIN_STACK", "1048576"),
        ("RUST_BACKTRACE", "full"),
        ("TMPDIR", "/var/tmp/oslo-rs-test-user"),
        ("FOO", "bar"),
    ];
    let Some(results) = daemon_calls(&[SETUID_DAEMON_BIN, CONF], &[&["env"]], &hostile) else {
        return;
    };
    assert_eq!(
        call_result(&results[0]),
        Ok((0, format!("PATH={SAFE_PATH}\n"))),
        "the setuid daemon's command saw the caller's environment"
    );
}

// ---------------------------------------------------------------------------
// e. Forged audit records

fn fake_syslog(test: &str) -> Option<FakeSyslog> {
    if fs::symlink_metadata("/dev/log").is_ok() {
        eprintln!(
            "SKIPPED: {test}: /dev/log already exists (a syslog daemon owns it; not stealing it)"
        );
        return None;
    }
    match FakeSyslog::bind() {
        Ok(l) => Some(l),
        Err(e) => {
            eprintln!("SKIPPED: {test}: cannot bind /dev/log: {e}");
            None
        }
    }
}

/// glibc's `syslog(3)` (PAM, sudo, runuser) sends `<PRI>Mmm dd hh:mm:ss `;
/// rootwrap (like Python's SysLogHandler) sends no timestamp.
fn is_libc_record(d: &[u8]) -> bool {
    let Some(gt) = d.iter().position(|&b| b == b'>') else {
        return false;
    };
    let ts = &d[gt + 1..];
    ts.len() >= 16
        && ts[..3].iter().all(u8::is_ascii_alphabetic)
        && ts[3] == b' '
        && ts[6] == b' '
        && ts[9] == b':'
        && ts[12] == b':'
        && ts[15] == b' '
}

/// Checks every datagram received for one attack and returns rootwrap's
/// (as text). No datagram may carry a forged `sshd` record; each of
/// rootwrap's must be `<PRI>PROGRAM: ...\0` with no other control byte.
fn check_records(
    how: &str,
    all: &[Vec<u8>],
    program: &str,
    failures: &mut Vec<String>,
) -> Vec<String> {
    let mut mine = Vec::new();
    for d in all {
        let shown = String::from_utf8_lossy(d).into_owned();
        if d.windows(9).any(|w| w == b"\n<38>sshd") {
            failures.push(format!("{how}: forged record {shown:?}"));
        }
        if is_libc_record(d) {
            continue;
        }
        let tag_ok = d.first() == Some(&b'<')
            && d.iter()
                .position(|&b| b == b'>')
                .is_some_and(|gt| d[gt + 1..].starts_with(format!("{program}: ").as_bytes()));
        if !tag_ok {
            failures.push(format!("{how}: program tag is not {program:?}: {shown:?}"));
        }
        let body = d.strip_suffix(b"\0").unwrap_or(d);
        if d.last() != Some(&0) || body.iter().any(|&b| b < 0x20) {
            failures.push(format!("{how}: control byte in the record {shown:?}"));
        }
        mine.push(shown);
    }
    if mine.is_empty() {
        failures.push(format!("{how}: rootwrap logged nothing: {all:?}"));
    }
    mine
}

#[test]
fn forged_argv0_cannot_forge_syslog_records() {
    let test = "forged_argv0_cannot_forge_syslog_records";
    let Some(_fx) = Fixture::acquire(test) else {
        return;
    };
    let Some(log) = fake_syslog(test) else {
        return;
    };
    let _ = log.drain_all();
    let mut failures = Vec::new();
    let exec_a = r#"exec -a "$0" "$@""#;
    for forged in [
        "x\n<38>sshd[1]: forged",
        "sshd[1]: Accepted password for root",
    ] {
        let marker = Marker::new("argv0");
        let out = run(
            as_user(&[
                "bash",
                "-c",
                exec_a,
                forged,
                SETUID_BIN,
                SYSLOG_INFO_CONF,
                "touch",
                marker.path(),
            ]),
            None,
        );
        assert_eq!(out.code, 0, "setuid CLI, argv[0] {forged:?}: {out:?}");
        assert!(marker.exists(), "the allowed command did not run");
        check_records(
            &format!("setuid CLI, argv[0] {forged:?}"),
            &log.drain_all(),
            "oslo-rootwrap-setuid",
            &mut failures,
        );

        let marker = Marker::new("argv0-daemon");
        let daemon = [
            "bash",
            "-c",
            exec_a,
            forged,
            SETUID_DAEMON_BIN,
            SYSLOG_INFO_CONF,
        ];
        let Some(results) = daemon_calls(&daemon, &[&["touch", marker.path()]], &[]) else {
            return;
        };
        assert_eq!(call_result(&results[0]).map(|r| r.0), Ok(0), "{results:?}");
        check_records(
            &format!("setuid daemon, argv[0] {forged:?}"),
            &log.drain_all(),
            "oslo-rootwrap-daemon-setuid",
            &mut failures,
        );
    }
    assert_no_failures(test, &failures);
}

#[test]
fn control_characters_in_arguments_are_escaped_in_syslog() {
    let test = "control_characters_in_arguments_are_escaped_in_syslog";
    let Some(_fx) = Fixture::acquire(test) else {
        return;
    };
    let Some(log) = fake_syslog(test) else {
        return;
    };
    let _ = log.drain_all();
    let evil = "/tmp/x\n<38>sshd[1]: forged\x1b[2J\r";
    let mut failures = Vec::new();
    let expect_escaped = |how: &str, program: &str, failures: &mut Vec<String>| {
        let mine = check_records(how, &log.drain_all(), program, failures);
        let escaped = mine
            .iter()
            .any(|r| r.contains(r"\n<38>sshd[1]: forged") && r.contains(r"\x1b"));
        if !escaped {
            failures.push(format!(
                "{how}: no record shows the arguments escaped (\\n, \\x1b): {mine:?}"
            ));
        }
    };
    for (how, program, cmd) in [
        (
            "sudo CLI",
            "oslo-rootwrap",
            sudo(SYSLOG_INFO_CONF, &["touch", evil]),
        ),
        (
            "setuid CLI",
            "oslo-rootwrap-setuid",
            setuid(SYSLOG_INFO_CONF, &["touch", evil]),
        ),
    ] {
        let out = run(cmd, None);
        assert_eq!(out.code, 99, "{how}: {out:?}");
        expect_escaped(how, program, &mut failures);
    }
    for (how, program, daemon) in [
        (
            "sudo daemon",
            "oslo-rootwrap-daemon",
            vec!["sudo", "-n", DAEMON_BIN, SYSLOG_INFO_CONF],
        ),
        (
            "setuid daemon",
            "oslo-rootwrap-daemon-setuid",
            vec![SETUID_DAEMON_BIN, SYSLOG_INFO_CONF],
        ),
    ] {
        let Some(results) = daemon_calls(&daemon, &[&["touch", evil]], &[]) else {
            return;
        };
        assert_eq!(call_result(&results[0]).map(|r| r.0), Ok(99), "{how}");
        expect_escaped(how, program, &mut failures);
    }
    assert_no_failures(test, &failures);
}

// ---------------------------------------------------------------------------
// f. run_as is the same identity everywhere

#[test]
fn run_as_identity_is_the_same_everywhere() {
    let Some(_fx) = Fixture::acquire("run_as_identity_is_the_same_everywhere") else {
        return;
    };
    let want = expected_groups(USER);
    let aux = nix::unistd::Group::from_name(AUX_GROUP)
        .ok()
        .flatten()
        .expect("aux group")
        .gid
        .as_raw();
    assert!(want.2.contains(&aux) && want.1 != 0 && !want.2.contains(&0));
    let (uid, gid) = (want.0.to_string(), want.1.to_string());
    let mut got: Vec<(&str, CallResult, CallResult)> = Vec::new();
    for (how, cli) in [
        ("sudo CLI", sudo as fn(&str, &[&str]) -> Command),
        ("setuid CLI", setuid),
    ] {
        let id = run(cli(CONF, &["id"]), None);
        let status = run(cli(CONF, &["cat", "/proc/thread-self/status"]), None);
        got.push((
            how,
            Ok((i64::from(id.code), id.stdout())),
            Ok((i64::from(status.code), status.stdout())),
        ));
    }
    for (how, daemon) in [
        ("sudo daemon", vec!["sudo", "-n", DAEMON_BIN, CONF]),
        ("setuid daemon", vec![SETUID_DAEMON_BIN, CONF]),
    ] {
        let Some(results) = daemon_calls(
            &daemon,
            &[&["id"], &["cat", "/proc/thread-self/status"]],
            &[],
        ) else {
            return;
        };
        got.push((how, call_result(&results[0]), call_result(&results[1])));
    }
    let mut failures = Vec::new();
    for (how, id, status) in got {
        match id {
            Ok((0, text)) => {
                let ids = parse_id(&text);
                if ids != want {
                    failures.push(format!("{how}: id {text:?}, want {want:?}"));
                }
            }
            other => failures.push(format!("{how}: id: {other:?}")),
        }
        match status {
            Ok((0, text)) => {
                for (field, want) in [
                    ("Uid", [uid.as_str(); 4].join("\t")),
                    ("Gid", [gid.as_str(); 4].join("\t")),
                    ("CapPrm", "0000000000000000".to_owned()),
                    ("CapEff", "0000000000000000".to_owned()),
                ] {
                    let got = status_field(&text, field);
                    if got != Some(want.as_str()) {
                        failures.push(format!("{how}: {field} {got:?}, want {want:?}"));
                    }
                }
            }
            other => failures.push(format!("{how}: status: {other:?}")),
        }
    }
    assert_no_failures("run_as_identity_is_the_same_everywhere", &failures);
}
