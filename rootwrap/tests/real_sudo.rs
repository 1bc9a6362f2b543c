//! The binary for real: through `sudo` with a sudoers line pinning the
//! binary and the configuration (how OpenStack deploys rootwrap), and
//! installed setuid root and started directly by an unprivileged user.
//!
//! These tests change the machine: they create the system user `oslorstest`
//! (and group `oslorsaux`), install copies of the binary under
//! `/usr/local/libexec/oslo-rs-test/`, configurations under
//! `/etc/oslo-rs-test/` and `/var/tmp/oslo-rs-test-user/`. Only while a test
//! runs is `/etc/sudoers.d/oslo-rs-test` present and the setuid bit set on
//! the setuid copy; both are undone when the test ends (even if it fails).
//! Tests are serialised by a mutex (threads) and a `flock` (concurrent
//! `cargo test` processes).
//!
//! Without root, or without `sudo`, every test prints `SKIPPED` and passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::ffi::CString;
use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt, chown};
use std::os::unix::net::UnixDatagram;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::Duration;

mod common;

use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{Gid, Group, User};
use rootwrap::daemon::json::{self, Value};

const USER: &str = "oslorstest";
const AUX_GROUP: &str = "oslorsaux";
const BIN_DIR: &str = "/usr/local/libexec/oslo-rs-test";
const BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap";
const SETUID_BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap-setuid";
const DAEMON_BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap-daemon";
const SETUID_DAEMON_BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap-daemon-setuid";
const LOCK_FILE: &str = "/usr/local/libexec/oslo-rs-test/.lock";
const CONF_DIR: &str = "/etc/oslo-rs-test";
const FILTERS_DIR: &str = "/etc/oslo-rs-test/rootwrap.d";
/// The configuration sudoers allows.
const CONF: &str = "/etc/oslo-rs-test/rootwrap.conf";
/// Same content as [`CONF`], but not listed in sudoers.
const UNLISTED_CONF: &str = "/etc/oslo-rs-test/unlisted.conf";
/// `use_syslog`, facility auth, level INFO.
const SYSLOG_INFO_CONF: &str = "/etc/oslo-rs-test/syslog-info.conf";
/// `use_syslog`, facility local0, default level (ERROR).
const SYSLOG_ERROR_CONF: &str = "/etc/oslo-rs-test/syslog-error.conf";
/// Root-owned, but its filters directory holds a group-writable file.
const GROUP_WRITABLE_CONF: &str = "/etc/oslo-rs-test/group-writable.conf";
const GROUP_WRITABLE_DIR: &str = "/etc/oslo-rs-test/group-writable.d";
/// Root-owned, but its filters directory belongs to the test user.
const USER_FILTERS_CONF: &str = "/etc/oslo-rs-test/user-filters.conf";
/// A directory (and configuration) the unprivileged user controls.
const USER_DIR: &str = "/var/tmp/oslo-rs-test-user";
const USER_FILTERS_DIR: &str = "/var/tmp/oslo-rs-test-user/filters.d";
const USER_CONF: &str = "/var/tmp/oslo-rs-test-user/rootwrap.conf";
const SUDOERS: &str = "/etc/sudoers.d/oslo-rs-test";
const SUDOERS_CANDIDATE: &str = "/etc/oslo-rs-test/sudoers.candidate";
/// The only environment a setuid rootwrap hands to its child.
const SAFE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const EXEC_DIRS: &str = "/sbin,/usr/sbin,/bin,/usr/bin";
/// Markers are `/tmp/oslo-rs-test-<pid>-<tag>`; the `touch` filter only
/// admits such names.
const MARKER_PREFIX: &str = "/tmp/oslo-rs-test-";

/// Every filter is as narrow as the tests allow: sudoers lets `oslorstest`
/// run these as root while a test runs.
const FILTERS: &str = r"# Installed by oslo-rootwrap's tests/real_sudo.rs.
[Filters]
touch: RegExpFilter, touch, root, touch, /tmp/oslo-rs-test-[0-9a-z-]+
id_root: RegExpFilter, id, root, id, -[ugG]
id_user: RegExpFilter, id, oslorstest, id
id_nobody: RegExpFilter, id, nobody, id, -a
id_nobody_abs: RegExpFilter, /usr/bin/id, nobody, /usr/bin/id, -[ugG]
env: RegExpFilter, env, root, env
sh_exit: RegExpFilter, sh, root, sh, -c, exit [0-9]+
kill_self: RegExpFilter, sh, root, sh, -c, kill -TERM \$\$
cat: RegExpFilter, cat, root, cat
ls_fds: RegExpFilter, ls, root, ls, /proc/self/fd
";

fn conf_text(filters_dir: &str, extra: &str) -> String {
    format!("[DEFAULT]\nfilters_path={filters_dir}\nexec_dirs={EXEC_DIRS}\n{extra}")
}

// ---------------------------------------------------------------------------
// Set-up and serialisation

static LOCK: Mutex<()> = Mutex::new(());

/// Held by a running test: the machine is set up, sudoers is installed and
/// the setuid bit is set; dropping it undoes the last two.
struct Fixture {
    _flock: Flock<File>,
    _lock: MutexGuard<'static, ()>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_file(SUDOERS);
        let _ = fs::set_permissions(SETUID_BIN, fs::Permissions::from_mode(0o755));
        let _ = fs::set_permissions(SETUID_DAEMON_BIN, fs::Permissions::from_mode(0o755));
    }
}

fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(SAFE_PATH.split(':'))
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(tool))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

fn skip_reason() -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        return Some("not running as root".into());
    }
    if which("sudo").is_none() {
        return Some("sudo is not installed".into());
    }
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    if status
        .lines()
        .any(|l| l.starts_with("NoNewPrivs:") && l.trim_end().ends_with('1'))
    {
        return Some("no_new_privs is set: setuid programs (sudo) cannot gain root here".into());
    }
    None
}

impl Fixture {
    fn acquire(test: &str) -> Option<Fixture> {
        if let Some(why) = skip_reason() {
            eprintln!(
                "SKIPPED: {test}: needs root and sudo ({why}; scripts/test.sh installs sudo; CI runs as root)"
            );
            return None;
        }
        let lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        make_dir(BIN_DIR, 0o755, 0);
        let lock_file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(LOCK_FILE)
            .expect("open the lock file");
        let flock = Flock::lock(lock_file, FlockArg::LockExclusive)
            .map_err(|(_, e)| e)
            .expect("flock");
        let fixture = Fixture {
            _flock: flock,
            _lock: lock,
        };
        set_up();
        Some(fixture)
    }
}

/// Runs a set-up tool (found in `PATH` or the sbin directories).
fn output(program: &str, args: &[&str]) -> std::process::Output {
    let path = which(program).unwrap_or_else(|| panic!("{program} is not installed"));
    Command::new(path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn check(program: &str, args: &[&str]) {
    let out = output(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn make_dir(path: &str, mode: u32, uid: u32) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => panic!("{path} exists and is not a directory"),
        Err(_) => fs::create_dir_all(path).expect("create directory"),
    }
    chown(path, Some(uid), Some(0)).expect("chown directory");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod directory");
}

fn write_file(path: &str, content: &[u8], mode: u32, uid: u32) {
    let tmp = format!("{path}.tmp");
    let _ = fs::remove_file(&tmp);
    fs::write(&tmp, content).expect("write file");
    chown(&tmp, Some(uid), Some(0)).expect("chown file");
    fs::set_permissions(&tmp, fs::Permissions::from_mode(mode)).expect("chmod file");
    fs::rename(&tmp, path).expect("rename file");
}

/// Installs the freshly built binary at `dest` (rewritten only if it
/// differs, then owner and mode set).
fn install_binary(dest: &str, mode: u32) {
    install_built(env!("CARGO_BIN_EXE_oslo-rootwrap"), dest, mode);
}

fn install_built(source: &str, dest: &str, mode: u32) {
    let built = fs::read(source).expect("read the built binary");
    if fs::read(dest).ok().as_deref() != Some(&built[..]) {
        write_file(dest, &built, 0o755, 0);
    }
    chown(dest, Some(0), Some(0)).expect("chown binary");
    fs::set_permissions(dest, fs::Permissions::from_mode(mode)).expect("chmod binary");
}

fn ensure_group(name: &str) {
    if Group::from_name(name).ok().flatten().is_none() {
        check("groupadd", &["--system", name]);
    }
}

fn ensure_user() {
    ensure_group(USER);
    ensure_group(AUX_GROUP);
    match User::from_name(USER).ok().flatten() {
        None => check(
            "useradd",
            &[
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--gid",
                USER,
                "--groups",
                AUX_GROUP,
                USER,
            ],
        ),
        Some(_) => {
            let aux = Group::from_name(AUX_GROUP)
                .ok()
                .flatten()
                .expect("aux group");
            if !aux.mem.iter().any(|m| m == USER) {
                check("usermod", &["--append", "--groups", AUX_GROUP, USER]);
            }
        }
    }
}

fn set_up() {
    ensure_user();
    let user = User::from_name(USER).ok().flatten().expect("test user");
    let uid = user.uid.as_raw();

    install_binary(BIN, 0o755);
    install_binary(SETUID_BIN, 0o4755);
    install_built(
        env!("CARGO_BIN_EXE_oslo-rootwrap-daemon"),
        DAEMON_BIN,
        0o755,
    );
    install_built(
        env!("CARGO_BIN_EXE_oslo-rootwrap-daemon"),
        SETUID_DAEMON_BIN,
        0o4755,
    );

    make_dir(CONF_DIR, 0o755, 0);
    make_dir(FILTERS_DIR, 0o755, 0);
    write_file(
        &format!("{FILTERS_DIR}/test.filters"),
        FILTERS.as_bytes(),
        0o644,
        0,
    );
    let plain = conf_text(FILTERS_DIR, "");
    write_file(CONF, plain.as_bytes(), 0o644, 0);
    write_file(UNLISTED_CONF, plain.as_bytes(), 0o644, 0);
    let info = conf_text(
        FILTERS_DIR,
        "use_syslog=True\nsyslog_log_facility=auth\nsyslog_log_level=INFO\n",
    );
    write_file(SYSLOG_INFO_CONF, info.as_bytes(), 0o644, 0);
    let error = conf_text(FILTERS_DIR, "use_syslog=True\nsyslog_log_facility=local0\n");
    write_file(SYSLOG_ERROR_CONF, error.as_bytes(), 0o644, 0);

    make_dir(GROUP_WRITABLE_DIR, 0o755, 0);
    write_file(
        &format!("{GROUP_WRITABLE_DIR}/test.filters"),
        FILTERS.as_bytes(),
        0o664,
        0,
    );
    let gw = conf_text(GROUP_WRITABLE_DIR, "");
    write_file(GROUP_WRITABLE_CONF, gw.as_bytes(), 0o644, 0);

    // What an unprivileged user could write: a configuration allowing any
    // `touch` as root. It must never be honoured.
    make_dir(USER_DIR, 0o755, uid);
    make_dir(USER_FILTERS_DIR, 0o755, uid);
    write_file(
        &format!("{USER_FILTERS_DIR}/mine.filters"),
        b"[Filters]\ntouch: CommandFilter, touch, root\n",
        0o644,
        uid,
    );
    let mine = conf_text(USER_FILTERS_DIR, "");
    write_file(USER_CONF, mine.as_bytes(), 0o644, uid);
    write_file(USER_FILTERS_CONF, mine.as_bytes(), 0o644, 0);

    // Like a deployment: the binary *and* the configuration are pinned.
    let mut sudoers = String::from(
        "# Installed by oslo-rootwrap's tests/real_sudo.rs while a test runs.\n\
         Defaults:oslorstest !syslog\n",
    );
    for conf in [
        CONF,
        SYSLOG_INFO_CONF,
        SYSLOG_ERROR_CONF,
        GROUP_WRITABLE_CONF,
        USER_FILTERS_CONF,
        USER_CONF,
    ] {
        sudoers.push_str(&format!("{USER} ALL = (root) NOPASSWD: {BIN} {conf} *\n"));
    }
    // The daemon line of a deployment: no arguments beyond the config.
    sudoers.push_str(&format!(
        "{USER} ALL = (root) NOPASSWD: {DAEMON_BIN} {CONF}\n"
    ));
    write_file(SUDOERS_CANDIDATE, sudoers.as_bytes(), 0o440, 0);
    check("visudo", &["-cf", SUDOERS_CANDIDATE]);
    fs::rename(SUDOERS_CANDIDATE, SUDOERS).expect("install sudoers");
}

// ---------------------------------------------------------------------------
// Running things

#[derive(Debug)]
struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Out {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// A command run as the unprivileged user (runuser, no shell), from `/`,
/// with a minimal environment.
fn as_user(args: &[&str]) -> Command {
    let runuser = which("runuser").expect("runuser (util-linux) is not installed");
    let mut cmd = Command::new(runuser);
    cmd.args(["-u", USER, "--"])
        .args(args)
        .current_dir("/")
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    cmd
}

/// `sudo -n BIN conf args...` as the unprivileged user.
fn sudo(conf: &str, args: &[&str]) -> Command {
    let mut all = vec!["sudo", "-n", BIN, conf];
    all.extend_from_slice(args);
    as_user(&all)
}

/// The setuid copy started directly by the unprivileged user.
fn setuid(conf: &str, args: &[&str]) -> Command {
    let mut all = vec![SETUID_BIN, conf];
    all.extend_from_slice(args);
    as_user(&all)
}

fn run(mut cmd: Command, stdin: Option<Vec<u8>>) -> Out {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let writer = stdin.map(|data| {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        std::thread::spawn(move || pipe.write_all(&data))
    });
    let out = child.wait_with_output().expect("wait");
    if let Some(w) = writer {
        w.join().expect("writer thread").expect("write stdin");
    }
    let code = out
        .status
        .code()
        .or_else(|| out.status.signal().map(|s| 128 + s))
        .unwrap_or(-1);
    Out {
        code,
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A `/tmp` path the `touch` filter admits, removed when dropped.
struct Marker(String);

impl Marker {
    fn new(tag: &str) -> Marker {
        let path = format!("{MARKER_PREFIX}{}-{tag}", std::process::id());
        let _ = fs::remove_file(&path);
        Marker(path)
    }

    fn path(&self) -> &str {
        &self.0
    }

    fn exists(&self) -> bool {
        fs::symlink_metadata(&self.0).is_ok()
    }
}

impl Drop for Marker {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Where rootwrap resolves a relative filter executable: the first entry of
/// `exec_dirs` holding it (`/bin/touch` on Debian, merged /usr or not).
fn resolve(name: &str) -> String {
    EXEC_DIRS
        .split(',')
        .map(|d| format!("{d}/{name}"))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
        .unwrap_or_else(|| panic!("{name} not found in {EXEC_DIRS}"))
}

fn user(name: &str) -> User {
    User::from_name(name)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no user {name}"))
}

/// `uid=1(a) gid=2(b) groups=2(b),3(c)` → (1, 2, {2, 3}).
fn parse_id(out: &str) -> (u32, u32, BTreeSet<u32>) {
    let number = |s: &str| -> u32 {
        s.split('(')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad id output {out:?}"))
    };
    let mut uid = None;
    let mut gid = None;
    let mut groups = BTreeSet::new();
    for field in out.split_whitespace() {
        if let Some(v) = field.strip_prefix("uid=") {
            uid = Some(number(v));
        } else if let Some(v) = field.strip_prefix("gid=") {
            gid = Some(number(v));
        } else if let Some(v) = field.strip_prefix("groups=") {
            groups = v.split(',').map(number).collect();
        }
    }
    (
        uid.unwrap_or_else(|| panic!("no uid in {out:?}")),
        gid.unwrap_or_else(|| panic!("no gid in {out:?}")),
        groups,
    )
}

fn expected_groups(name: &str) -> (u32, u32, BTreeSet<u32>) {
    let u = user(name);
    let cname = CString::new(name).expect("user name");
    let groups = nix::unistd::getgrouplist(&cname, u.gid)
        .expect("getgrouplist")
        .into_iter()
        .map(Gid::as_raw)
        .collect();
    (u.uid.as_raw(), u.gid.as_raw(), groups)
}

// ---------------------------------------------------------------------------
// 1. Allowed

#[test]
fn sudo_allowed_command_runs_as_root() {
    let Some(_fx) = Fixture::acquire("sudo_allowed_command_runs_as_root") else {
        return;
    };
    let marker = Marker::new("allowed");
    let out = run(sudo(CONF, &["touch", marker.path()]), None);
    assert_eq!(out.code, 0, "{out:?}");
    let meta = fs::metadata(marker.path()).expect("touch through sudo created the marker");
    assert_eq!((meta.uid(), meta.gid()), (0, 0), "created by root:root");
}

// ---------------------------------------------------------------------------
// 2. Denied

#[test]
fn sudo_denied_commands_never_run() {
    let Some(_fx) = Fixture::acquire("sudo_denied_commands_never_run") else {
        return;
    };
    // No filter for rm: the marker survives.
    let victim = Marker::new("victim");
    fs::write(victim.path(), b"keep me").expect("create victim");
    let out = run(sudo(CONF, &["rm", "-f", victim.path()]), None);
    assert_eq!(out.code, 99, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "{BIN}: Unauthorized command: rm -f {} (no filter matched)",
            victim.path()
        )),
        "{out:?}"
    );
    assert_eq!(
        fs::read(victim.path()).ok().as_deref(),
        Some(&b"keep me"[..])
    );

    // `sh -c` filters exist, but their regexes do not admit this script.
    let planted = Marker::new("planted");
    let script = format!("touch {}", planted.path());
    let out = run(sudo(CONF, &["sh", "-c", &script]), None);
    assert_eq!(out.code, 99, "{out:?}");
    assert!(out.stderr.contains("Unauthorized command"), "{out:?}");
    assert!(!planted.exists(), "the denied command ran");

    // The touch regex is anchored: nothing outside /tmp/oslo-rs-test-*.
    let escape = format!("{MARKER_PREFIX}x/../../etc/oslo-rs-test-escape");
    let out = run(sudo(CONF, &["touch", &escape]), None);
    assert_eq!(out.code, 99, "{out:?}");
    assert!(!Path::new("/etc/oslo-rs-test-escape").exists());

    // sudo itself refuses a configuration path sudoers does not list (the
    // file exists and would allow the command), and other binaries.
    let out = run(sudo(UNLISTED_CONF, &["touch", planted.path()]), None);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("sudo"), "{out:?}");
    assert!(!planted.exists(), "sudo ran an unlisted configuration");
    let out = run(
        as_user(&["sudo", "-n", "/usr/bin/touch", planted.path()]),
        None,
    );
    assert_ne!(out.code, 0, "{out:?}");
    assert!(!planted.exists(), "sudo ran touch directly");
}

// ---------------------------------------------------------------------------
// 3. Exit status

#[test]
fn sudo_exit_status_passthrough() {
    let Some(_fx) = Fixture::acquire("sudo_exit_status_passthrough") else {
        return;
    };
    for (script, expected) in [
        ("exit 0", 0),
        ("exit 7", 7),
        ("exit 255", 255),
        ("kill -TERM $$", 128 + 15),
    ] {
        let out = run(sudo(CONF, &["sh", "-c", script]), None);
        assert_eq!(out.code, expected, "sudo: {script}: {out:?}");
        let out = run(setuid(CONF, &["sh", "-c", script]), None);
        assert_eq!(out.code, expected, "setuid: {script}: {out:?}");
    }
}

// ---------------------------------------------------------------------------
// 4. stdin/stdout

#[test]
fn sudo_stdin_stdout_passthrough() {
    let Some(_fx) = Fixture::acquire("sudo_stdin_stdout_passthrough") else {
        return;
    };
    // Every byte value, not UTF-8, larger than any pipe buffer.
    let mut data: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    data.extend_from_slice(b"\xff\xfe\xc3(\x00 tail without newline");
    let out = run(sudo(CONF, &["cat"]), Some(data.clone()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.len(), data.len());
    assert!(
        out.stdout == data,
        "cat through sudo+rootwrap altered the bytes"
    );
}

// ---------------------------------------------------------------------------
// 5. run_as

#[test]
fn sudo_run_as_gets_target_uid_gid_and_groups() {
    let Some(_fx) = Fixture::acquire("sudo_run_as_gets_target_uid_gid_and_groups") else {
        return;
    };
    // Unlike the reference (setuid only: gid=0 groups=0), rootwrap calls
    // initgroups + setgid + setuid: the child has the target's identity.
    let out = run(sudo(CONF, &["id"]), None);
    assert_eq!(out.code, 0, "{out:?}");
    let got = parse_id(&out.stdout());
    let want = expected_groups(USER);
    assert_eq!(got, want, "id as {USER}: {}", out.stdout());
    let aux = Group::from_name(AUX_GROUP)
        .ok()
        .flatten()
        .expect("aux group");
    assert!(got.2.contains(&aux.gid.as_raw()), "supplementary group");
    assert_ne!(got.1, 0, "gid 0 kept (the reference's behaviour)");
    assert!(!got.2.contains(&0), "root's group kept");

    let out = run(sudo(CONF, &["id", "-a"]), None);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(parse_id(&out.stdout()), expected_groups("nobody"));

    // The same, one number at a time, through a filter whose run_as is
    // `nobody` (`/usr/bin/id -[ugG]`; plain `id -[ugG]` is the root
    // filter): `id -G` lists the primary group first, then the others.
    let (uid, gid, groups) = expected_groups("nobody");
    assert_ne!(uid, 0);
    assert_ne!(gid, 0, "nobody's primary group is root's on this machine");
    let ask = |flag: &str| -> String {
        let out = run(sudo(CONF, &["/usr/bin/id", flag]), None);
        assert_eq!(out.code, 0, "/usr/bin/id {flag}: {out:?}");
        out.stdout()
    };
    assert_eq!(ask("-u"), format!("{uid}\n"), "id -u as nobody");
    assert_eq!(ask("-g"), format!("{gid}\n"), "id -g as nobody (not gid 0)");
    let listed: Vec<u32> = ask("-G")
        .split_whitespace()
        .map(|g| g.parse().expect("id -G prints numbers"))
        .collect();
    assert_eq!(listed.first(), Some(&gid), "id -G as nobody: {listed:?}");
    assert_eq!(
        listed.iter().copied().collect::<BTreeSet<u32>>(),
        groups,
        "id -G as nobody: exactly nobody's groups"
    );
    assert!(!listed.contains(&0), "root's group 0 kept: {listed:?}");

    // run_as root stays root.
    let out = run(sudo(CONF, &["id", "-u"]), None);
    assert_eq!((out.code, out.stdout()), (0, "0\n".to_owned()), "{out:?}");
}

// ---------------------------------------------------------------------------
// 6. Descriptors

/// Opens fds 7 and 9, lists the caller's descriptors, then runs `$@`.
const FD_SCRIPT: &str = "exec 7</etc/passwd 9</etc/passwd; ls /proc/self/fd; echo --; exec \"$@\"";

fn check_fds(how: &str, out: &Out) {
    assert_eq!(out.code, 0, "{how}: {out:?}");
    let text = out.stdout();
    let (caller, child) = text
        .split_once("--\n")
        .unwrap_or_else(|| panic!("{how}: {text:?}"));
    let caller: Vec<&str> = caller.lines().collect();
    assert!(
        caller.contains(&"7") && caller.contains(&"9"),
        "{how}: the caller did not have fds 7 and 9: {caller:?}"
    );
    // 3 is the directory ls itself opens.
    assert_eq!(
        child.lines().collect::<Vec<_>>(),
        ["0", "1", "2", "3"],
        "{how}: the command inherited descriptors"
    );
}

#[test]
fn child_sees_only_stdio_descriptors() {
    let Some(_fx) = Fixture::acquire("child_sees_only_stdio_descriptors") else {
        return;
    };
    let cmd = ["ls", "/proc/self/fd"];
    // Root calling rootwrap directly: fds 7 and 9 do reach rootwrap.
    let mut direct = Command::new("sh");
    direct
        .args(["-c", FD_SCRIPT, "sh", BIN, CONF])
        .args(cmd)
        .current_dir("/");
    check_fds("root, direct", &run(direct, None));
    // Setuid: they reach rootwrap too (nothing in between closes them).
    let mut args = vec!["sh", "-c", FD_SCRIPT, "sh", SETUID_BIN, CONF];
    args.extend_from_slice(&cmd);
    check_fds("setuid", &run(as_user(&args), None));
    // Through sudo (which itself closes fds above 2 by default).
    let mut args = vec!["sh", "-c", FD_SCRIPT, "sh", "sudo", "-n", BIN, CONF];
    args.extend_from_slice(&cmd);
    check_fds("sudo", &run(as_user(&args), None));
}

// ---------------------------------------------------------------------------
// 7. Trust

#[test]
fn sudo_untrusted_configuration_is_refused() {
    let Some(_fx) = Fixture::acquire("sudo_untrusted_configuration_is_refused") else {
        return;
    };
    let marker = Marker::new("untrusted");
    for (conf, expect) in [
        // A sudoers line pointing at a user-owned configuration.
        (USER_CONF, "Untrusted configuration file"),
        // A root-owned configuration whose filters directory is user-owned.
        (USER_FILTERS_CONF, "Untrusted filter definitions"),
        // A group-writable filter file in a root-owned directory.
        (GROUP_WRITABLE_CONF, "writable by group or others"),
    ] {
        let out = run(sudo(conf, &["touch", marker.path()]), None);
        assert_eq!(out.code, 97, "{conf}: {out:?}");
        assert!(out.stderr.contains(expect), "{conf}: {out:?}");
        assert!(!marker.exists(), "{conf}: the command ran");
    }
    let out = run(sudo(USER_CONF, &["touch", marker.path()]), None);
    assert!(out.stderr.contains(USER_DIR), "names the culprit: {out:?}");
    assert!(out.stderr.contains("not root"), "says why: {out:?}");
}

// ---------------------------------------------------------------------------
// 8. Setuid

#[test]
fn setuid_binary_becomes_root_with_a_clean_environment() {
    let Some(_fx) = Fixture::acquire("setuid_binary_becomes_root_with_a_clean_environment") else {
        return;
    };
    // Fully root: uid, gid, and no supplementary group of the caller.
    for flag in ["-u", "-g", "-G"] {
        let out = run(setuid(CONF, &["id", flag]), None);
        assert_eq!(
            (out.code, out.stdout()),
            (0, "0\n".into()),
            "id {flag}: {out:?}"
        );
    }
    let marker = Marker::new("setuid");
    let out = run(setuid(CONF, &["touch", marker.path()]), None);
    assert_eq!(out.code, 0, "{out:?}");
    let meta = fs::metadata(marker.path()).expect("marker created");
    assert_eq!((meta.uid(), meta.gid()), (0, 0));

    // The caller's environment reaches the binary but not the command.
    let hostile = [
        ("FOO", "bar"),
        ("LD_PRELOAD", "/nonexistent/oslo-rs-test.so"),
        ("LD_LIBRARY_PATH", "/tmp"),
        ("PATH", "/tmp/oslo-rs-test-evil:/usr/bin:/bin"),
        ("USER", "mallory"),
        ("IFS", "x"),
    ];
    let mut control = as_user(&["env"]);
    control.envs(hostile);
    let out = run(control, None);
    assert!(out.stdout().contains("FOO=bar"), "control: {out:?}");
    let mut cmd = setuid(CONF, &["env"]);
    cmd.envs(hostile);
    let out = run(cmd, None);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout(), format!("PATH={SAFE_PATH}\n"));

    let out = run(setuid(CONF, &["id"]), None);
    // `id` alone is allowed, as oslorstest: the user gets nothing new.
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(parse_id(&out.stdout()), expected_groups(USER));

    // Denied.
    let planted = Marker::new("setuid-denied");
    let script = format!("touch {}", planted.path());
    let out = run(setuid(CONF, &["sh", "-c", &script]), None);
    assert_eq!(out.code, 99, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "{SETUID_BIN}: Unauthorized command: sh -c {script} (no filter matched)"
        )),
        "{out:?}"
    );
    assert!(!planted.exists());

    // The caller picks argv[1]: a configuration it wrote is refused.
    let out = run(setuid(USER_CONF, &["touch", planted.path()]), None);
    assert_eq!(out.code, 97, "{out:?}");
    assert!(
        out.stderr.contains("Untrusted configuration file"),
        "{out:?}"
    );
    assert!(
        !planted.exists(),
        "a user-written configuration was honoured"
    );
    let out = run(setuid(USER_FILTERS_CONF, &["touch", planted.path()]), None);
    assert_eq!(out.code, 97, "{out:?}");
    assert!(!planted.exists());
    // Relative paths resolve against the caller's cwd: still checked.
    let mut cmd = as_user(&[SETUID_BIN, "rootwrap.conf", "touch", planted.path()]);
    cmd.current_dir(USER_DIR);
    let out = run(cmd, None);
    assert_eq!(out.code, 97, "{out:?}");
    assert!(!planted.exists());
}

// ---------------------------------------------------------------------------
// 9. Syslog

/// Binds `/dev/log` for the test and removes it afterwards. A thread reads
/// continuously: PAM (runuser, sudo) logs ~10 datagrams per command here,
/// as many as the default `net.unix.max_dgram_qlen`, and a full queue would
/// block every sender.
struct FakeSyslog {
    ino: u64,
    received: mpsc::Receiver<Vec<u8>>,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

const SENTINEL: &[u8] = b"oslo-rs-test: end of batch";

impl FakeSyslog {
    fn bind() -> std::io::Result<FakeSyslog> {
        let socket = UnixDatagram::bind("/dev/log")?;
        let ino = fs::symlink_metadata("/dev/log")?.ino();
        socket.set_read_timeout(Some(Duration::from_millis(50)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, received) = mpsc::channel();
        let reader = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 65536];
                while !stop.load(Ordering::Relaxed) {
                    match socket.recv(&mut buf) {
                        Ok(n) => {
                            if tx.send(buf[..n].to_vec()).is_err() {
                                return;
                            }
                        }
                        Err(e)
                            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                        Err(e) => panic!("recv on /dev/log: {e}"),
                    }
                }
            })
        };
        Ok(FakeSyslog {
            ino,
            received,
            stop,
            reader: Some(reader),
        })
    }

    /// Every datagram from a program named `oslo-rootwrap*` received since
    /// the last call (PAM, sudo and others are ignored). A sentinel sent
    /// now arrives after everything already queued (datagrams are FIFO).
    fn drain(&self) -> Vec<String> {
        UnixDatagram::unbound()
            .and_then(|c| c.send_to(SENTINEL, "/dev/log"))
            .expect("send the sentinel");
        let mut got = Vec::new();
        loop {
            let datagram = self
                .received
                .recv_timeout(Duration::from_secs(30))
                .expect("the fake syslog reader stopped");
            if datagram == SENTINEL {
                return got;
            }
            let text = String::from_utf8_lossy(&datagram).into_owned();
            let program = text.split_once('>').map(|(_, rest)| rest);
            if program.is_some_and(|p| p.starts_with("oslo-rootwrap")) {
                got.push(text);
            }
        }
    }
}

impl Drop for FakeSyslog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        if fs::symlink_metadata("/dev/log").is_ok_and(|m| m.ino() == self.ino) {
            let _ = fs::remove_file("/dev/log");
        }
    }
}

/// The name the reference's `_getlogin()` (and rootwrap) reports: the
/// login uid's user when the audit login uid is set (inherited from the
/// test's session; sudo's and runuser's PAM stacks do not change it), else
/// `fallback` — under sudo `$USER`, which sudo sets to the *target* user
/// (`root`); when setuid the caller's real uid, never its environment.
fn expected_login(fallback: &str) -> String {
    fs::read_to_string("/proc/self/loginuid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|&u| u != u32::MAX)
        .and_then(|u| User::from_uid(u.into()).ok().flatten())
        .map_or_else(|| fallback.to_owned(), |u| u.name)
}

#[test]
fn syslog_records_are_exact() {
    let Some(_fx) = Fixture::acquire("syslog_records_are_exact") else {
        return;
    };
    if fs::symlink_metadata("/dev/log").is_ok() {
        eprintln!(
            "SKIPPED: syslog_records_are_exact: /dev/log already exists (a syslog daemon owns it; not stealing it)"
        );
        return;
    }
    let log = match FakeSyslog::bind() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("SKIPPED: syslog_records_are_exact: cannot bind /dev/log: {e}");
            return;
        }
    };
    let touch = resolve("touch");

    // auth (4), INFO: allowed at 4*8+6, denied at 4*8+3.
    let allowed = Marker::new("syslog-allowed");
    let out = run(sudo(SYSLOG_INFO_CONF, &["touch", allowed.path()]), None);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(allowed.exists());
    // Observed here: `(root > root)`, not `(oslorstest > root)`. This
    // container has no audit login session (/proc/self/loginuid is
    // 4294967295, "unset"), so the name comes from $USER, and sudo's
    // env_reset sets USER/LOGNAME to the *target* user, root. Where the
    // tests run inside a login session (loginuid set, e.g. over ssh), the
    // login user's name appears instead; `expected_login` computes that.
    let who = expected_login("root");
    eprintln!("syslog_records_are_exact: expecting login name {who:?}");
    assert_eq!(
        log.drain(),
        [format!(
            "<38>oslo-rootwrap: ({who} > root) Executing ['{touch}', '{}'] (filter match = touch)\0",
            allowed.path()
        )]
    );
    let out = run(sudo(SYSLOG_INFO_CONF, &["id", "-x"]), None);
    assert_eq!(out.code, 99, "{out:?}");
    assert_eq!(
        log.drain(),
        ["<35>oslo-rootwrap: Unauthorized command: id -x (no filter matched)\0"]
    );

    // local0 (16), default level ERROR: allowed commands are not logged.
    let quiet = Marker::new("syslog-quiet");
    let out = run(sudo(SYSLOG_ERROR_CONF, &["touch", quiet.path()]), None);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(quiet.exists());
    assert_eq!(log.drain(), Vec::<String>::new());
    let out = run(sudo(SYSLOG_ERROR_CONF, &["id", "-x"]), None);
    assert_eq!(out.code, 99, "{out:?}");
    assert_eq!(
        log.drain(),
        ["<131>oslo-rootwrap: Unauthorized command: id -x (no filter matched)\0"]
    );

    // Setuid: PROGRAM is the basename of argv[0]; the caller's USER is
    // not believed.
    let setuid_marker = Marker::new("syslog-setuid");
    let mut cmd = setuid(SYSLOG_INFO_CONF, &["touch", setuid_marker.path()]);
    cmd.envs([
        ("USER", "mallory"),
        ("LOGNAME", "mallory"),
        ("USERNAME", "mallory"),
    ]);
    let out = run(cmd, None);
    assert_eq!(out.code, 0, "{out:?}");
    let who = expected_login(USER);
    assert_eq!(
        log.drain(),
        [format!(
            "<38>oslo-rootwrap-setuid: ({who} > root) Executing ['{touch}', '{}'] (filter match = touch)\0",
            setuid_marker.path()
        )]
    );
}

// ---------------------------------------------------------------------------
// The daemon, spawned by the unchanged Python client as the service user

/// `/usr/bin/python3` with a copy of the reference's `oslo_rootwrap`
/// package where the unprivileged user can read it (the reference venv
/// may live under root's home), plus the client driver script.
fn user_python_client() -> Option<(String, String, String)> {
    let reference = common::reference_python("real_sudo daemon tests")?;
    let python = "/usr/bin/python3";
    if !Path::new(python).exists() {
        eprintln!("SKIPPED: real_sudo daemon tests: {python} is not installed");
        return None;
    }
    let out = Command::new(&reference)
        .args([
            "-c",
            "import os, oslo_rootwrap; print(os.path.dirname(oslo_rootwrap.__file__))",
        ])
        .output()
        .expect("ask the reference where oslo_rootwrap is");
    let package = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let lib = format!("{USER_DIR}/pylib");
    let dest = format!("{lib}/oslo_rootwrap");
    let _ = fs::remove_dir_all(&lib);
    make_dir(&lib, 0o755, 0);
    make_dir(&dest, 0o755, 0);
    for entry in fs::read_dir(&package).expect("read the package") {
        let entry = entry.expect("package entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".py") || name == "py.typed" {
            let content = fs::read(entry.path()).expect("read package file");
            write_file(&format!("{dest}/{name}"), &content, 0o644, 0);
        }
    }
    let script = format!("{USER_DIR}/daemon_client.py");
    write_file(&script, include_bytes!("oracle/daemon_client.py"), 0o644, 0);
    let probe = run(
        python_as_user(python, &lib, &["-c", "import oslo_rootwrap.client"]),
        None,
    );
    if probe.code != 0 {
        eprintln!(
            "SKIPPED: real_sudo daemon tests: {python} cannot import the reference as {USER}: {}",
            probe.stderr
        );
        return None;
    }
    Some((python.to_owned(), lib, script))
}

fn python_as_user(python: &str, lib: &str, args: &[&str]) -> Command {
    let mut all = vec![python];
    all.extend_from_slice(args);
    let mut cmd = as_user(&all);
    cmd.env("PYTHONPATH", lib);
    cmd
}

/// Runs the Python client as the service user against `daemon` and returns
/// its `inspect` report (decoded with the daemon's own JSON codec: serde_json
/// rejects the lone surrogates that stand for non-UTF-8 bytes).
fn inspect_daemon(daemon: &[&str]) -> Option<Value> {
    let (python, lib, script) = user_python_client()?;
    let calls = r#"[[["id", "-u"], null], [["cat"], "in \udcff\u00e9"], [["touch", "/etc/oslo-rs-evil"], null], [["id"], null]]"#;
    let daemon = serde_json::to_string(daemon).expect("json");
    let out = run(
        python_as_user(&python, &lib, &[&script, "inspect", &daemon]),
        Some(calls.as_bytes().to_vec()),
    );
    assert_eq!(out.code, 0, "Python client failed: {}", out.stderr);
    Some(json::decode(out.stdout.trim_ascii()).expect("inspect report"))
}

fn check_daemon_report(report: &Value) {
    let user = user(USER);
    let shown = String::from_utf8_lossy(&json::encode(report)).into_owned();
    let field = |k: &str| {
        report
            .get(k)
            .map(|v| String::from_utf8_lossy(&json::encode(v)).into_owned())
            .unwrap_or_default()
    };
    let Some(Value::List(results)) = report.get("results") else {
        panic!("no results: {shown}");
    };
    let result = |i: usize| String::from_utf8_lossy(&json::encode(&results[i])).into_owned();
    assert_eq!(result(0), r#"[0, "0\n", ""]"#, "{shown}");
    assert_eq!(result(1), r#"[0, "in \udcff\u00e9", ""]"#, "{shown}");
    assert_eq!(result(2), r#"[99, "", ""]"#, "{shown}");
    assert!(!Path::new("/etc/oslo-rs-evil").exists());
    assert!(
        result(3).starts_with(&format!(r#"[0, "uid={}({USER})"#, user.uid)),
        "run_as {USER}: {shown}"
    );
    assert_eq!(field("dir_uid"), user.uid.to_string(), "{shown}");
    assert_eq!(field("sock_uid"), user.uid.to_string(), "{shown}");
    assert_eq!(field("dir_mode"), r#""0o700""#, "{shown}");
    assert_eq!(field("sock_mode"), r#""0o600""#, "{shown}");
}

#[test]
fn sudo_daemon_serves_the_unchanged_python_client() {
    let Some(_fixture) = Fixture::acquire("sudo_daemon_serves_the_unchanged_python_client") else {
        return;
    };
    let Some(report) = inspect_daemon(&["sudo", "-n", DAEMON_BIN, CONF]) else {
        return;
    };
    check_daemon_report(&report);
}

#[test]
fn setuid_daemon_serves_the_unchanged_python_client() {
    let Some(_fixture) = Fixture::acquire("setuid_daemon_serves_the_unchanged_python_client")
    else {
        return;
    };
    let Some(report) = inspect_daemon(&[SETUID_DAEMON_BIN, CONF]) else {
        return;
    };
    check_daemon_report(&report);
}

#[test]
fn sudo_daemon_with_other_arguments_is_refused_by_sudo() {
    let Some(_fixture) = Fixture::acquire("sudo_daemon_with_other_arguments_is_refused_by_sudo")
    else {
        return;
    };
    let out = run(sudo_daemon(&[UNLISTED_CONF]), None);
    assert_ne!(out.code, 0);
    assert!(out.stdout.is_empty());
}

fn sudo_daemon(args: &[&str]) -> Command {
    let mut all = vec!["sudo", "-n", DAEMON_BIN];
    all.extend_from_slice(args);
    as_user(&all)
}
