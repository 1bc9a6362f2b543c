//! The privileged fixture shared by `tests/real_sudo.rs` and
//! `tests/attacks.rs` (included by both with `#[path]`).
//!
//! It changes the machine: it creates the system user `oslorstest` (and
//! group `oslorsaux`), installs copies of the binaries under
//! `/usr/local/libexec/oslo-rs-test/` (two of them setuid root while a test
//! runs), configurations under `/etc/oslo-rs-test/` and a directory the
//! unprivileged user controls, `/var/tmp/oslo-rs-test-user/`. Only while a
//! test holds a [`Fixture`] is `/etc/sudoers.d/oslo-rs-test` present and the
//! setuid bits set; both are undone when it is dropped (even on failure).
//! Tests are serialised by a mutex (threads) and a `flock` (concurrent
//! `cargo test` processes).
#![allow(dead_code)]

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

use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{Gid, Group, User};
use oslo_rootwrap::daemon::json::{self, Value};

pub const USER: &str = "oslorstest";
pub const AUX_GROUP: &str = "oslorsaux";
pub const BIN_DIR: &str = "/usr/local/libexec/oslo-rs-test";
pub const BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap";
pub const SETUID_BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap-setuid";
pub const DAEMON_BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap-daemon";
pub const SETUID_DAEMON_BIN: &str = "/usr/local/libexec/oslo-rs-test/oslo-rootwrap-daemon-setuid";
pub const LOCK_FILE: &str = "/usr/local/libexec/oslo-rs-test/.lock";
pub const CONF_DIR: &str = "/etc/oslo-rs-test";
pub const FILTERS_DIR: &str = "/etc/oslo-rs-test/rootwrap.d";
/// The configuration sudoers allows.
pub const CONF: &str = "/etc/oslo-rs-test/rootwrap.conf";
/// Same content as [`CONF`], but not listed in sudoers.
pub const UNLISTED_CONF: &str = "/etc/oslo-rs-test/unlisted.conf";
/// `use_syslog`, facility auth, level INFO.
pub const SYSLOG_INFO_CONF: &str = "/etc/oslo-rs-test/syslog-info.conf";
/// `use_syslog`, facility local0, default level (ERROR).
pub const SYSLOG_ERROR_CONF: &str = "/etc/oslo-rs-test/syslog-error.conf";
/// Root-owned, but its filters directory holds a group-writable file.
pub const GROUP_WRITABLE_CONF: &str = "/etc/oslo-rs-test/group-writable.conf";
pub const GROUP_WRITABLE_DIR: &str = "/etc/oslo-rs-test/group-writable.d";
/// Root-owned, but its filters directory belongs to the test user.
pub const USER_FILTERS_CONF: &str = "/etc/oslo-rs-test/user-filters.conf";
/// A directory (and configuration) the unprivileged user controls.
pub const USER_DIR: &str = "/var/tmp/oslo-rs-test-user";
pub const USER_FILTERS_DIR: &str = "/var/tmp/oslo-rs-test-user/filters.d";
pub const USER_CONF: &str = "/var/tmp/oslo-rs-test-user/rootwrap.conf";
/// The user's directory in which `chown_allowed` (a PathFilter) lets them
/// give files to themselves.
pub const ALLOWED_DIR: &str = "/var/tmp/oslo-rs-test-user/allowed";
pub const SUDOERS: &str = "/etc/sudoers.d/oslo-rs-test";
pub const SUDOERS_CANDIDATE: &str = "/etc/oslo-rs-test/sudoers.candidate";
/// The only environment a setuid rootwrap hands to its child.
pub const SAFE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
pub const EXEC_DIRS: &str = "/sbin,/usr/sbin,/bin,/usr/bin";
/// Markers are `/tmp/oslo-rs-test-<pid>-<tag>`; the `touch` filter only
/// admits such names.
pub const MARKER_PREFIX: &str = "/tmp/oslo-rs-test-";

/// Every filter is as narrow as the tests allow: sudoers lets `oslorstest`
/// run these as root while a test runs.
pub const FILTERS: &str = r"# Installed by oslo-rootwrap's tests/system/mod.rs.
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
ls_fds_user: RegExpFilter, ls, oslorstest, ls, -1, /proc/self/fd
limits: RegExpFilter, cat, root, cat, /proc/self/limits
status: RegExpFilter, cat, root, cat, /proc/self/status
status_user: RegExpFilter, cat, oslorstest, cat, /proc/thread-self/status
chown_allowed: PathFilter, /bin/chown, root, oslorstest, /var/tmp/oslo-rs-test-user/allowed
";

pub fn conf_text(filters_dir: &str, extra: &str) -> String {
    format!("[DEFAULT]\nfilters_path={filters_dir}\nexec_dirs={EXEC_DIRS}\n{extra}")
}

// ---------------------------------------------------------------------------
// Set-up and serialisation

pub static LOCK: Mutex<()> = Mutex::new(());

/// Held by a running test: the machine is set up, sudoers is installed and
/// the setuid bit is set; dropping it undoes the last two.
pub struct Fixture {
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

pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    path.split(':')
        .chain(SAFE_PATH.split(':'))
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(tool))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

pub fn skip_reason() -> Option<String> {
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
    pub fn acquire(test: &str) -> Option<Fixture> {
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
pub fn output(program: &str, args: &[&str]) -> std::process::Output {
    let path = which(program).unwrap_or_else(|| panic!("{program} is not installed"));
    Command::new(path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

pub fn check(program: &str, args: &[&str]) {
    let out = output(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn make_dir(path: &str, mode: u32, uid: u32) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => panic!("{path} exists and is not a directory"),
        Err(_) => fs::create_dir_all(path).expect("create directory"),
    }
    chown(path, Some(uid), Some(0)).expect("chown directory");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod directory");
}

pub fn write_file(path: &str, content: &[u8], mode: u32, uid: u32) {
    let tmp = format!("{path}.tmp");
    let _ = fs::remove_file(&tmp);
    fs::write(&tmp, content).expect("write file");
    chown(&tmp, Some(uid), Some(0)).expect("chown file");
    fs::set_permissions(&tmp, fs::Permissions::from_mode(mode)).expect("chmod file");
    fs::rename(&tmp, path).expect("rename file");
}

/// Installs the freshly built binary at `dest` (rewritten only if it
/// differs, then owner and mode set).
pub fn install_binary(dest: &str, mode: u32) {
    install_built(env!("CARGO_BIN_EXE_oslo-rootwrap"), dest, mode);
}

pub fn install_built(source: &str, dest: &str, mode: u32) {
    let built = fs::read(source).expect("read the built binary");
    if fs::read(dest).ok().as_deref() != Some(&built[..]) {
        write_file(dest, &built, 0o755, 0);
    }
    chown(dest, Some(0), Some(0)).expect("chown binary");
    fs::set_permissions(dest, fs::Permissions::from_mode(mode)).expect("chmod binary");
}

pub fn ensure_group(name: &str) {
    if Group::from_name(name).ok().flatten().is_none() {
        check("groupadd", &["--system", name]);
    }
}

pub fn ensure_user() {
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

pub fn set_up() {
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
    make_dir(ALLOWED_DIR, 0o755, uid);
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
    // The daemon lines of a deployment: no arguments beyond the config.
    for conf in [CONF, SYSLOG_INFO_CONF] {
        sudoers.push_str(&format!(
            "{USER} ALL = (root) NOPASSWD: {DAEMON_BIN} {conf}\n"
        ));
    }
    write_file(SUDOERS_CANDIDATE, sudoers.as_bytes(), 0o440, 0);
    check("visudo", &["-cf", SUDOERS_CANDIDATE]);
    fs::rename(SUDOERS_CANDIDATE, SUDOERS).expect("install sudoers");
}

// ---------------------------------------------------------------------------
// Running things

#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Out {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// A command run as the unprivileged user (runuser, no shell), from `/`,
/// with a minimal environment.
pub fn as_user(args: &[&str]) -> Command {
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
pub fn sudo(conf: &str, args: &[&str]) -> Command {
    let mut all = vec!["sudo", "-n", BIN, conf];
    all.extend_from_slice(args);
    as_user(&all)
}

/// The setuid copy started directly by the unprivileged user.
pub fn setuid(conf: &str, args: &[&str]) -> Command {
    let mut all = vec![SETUID_BIN, conf];
    all.extend_from_slice(args);
    as_user(&all)
}

pub fn run(mut cmd: Command, stdin: Option<Vec<u8>>) -> Out {
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
pub struct Marker(pub String);

impl Marker {
    pub fn new(tag: &str) -> Marker {
        let path = format!("{MARKER_PREFIX}{}-{tag}", std::process::id());
        let _ = fs::remove_file(&path);
        Marker(path)
    }

    pub fn path(&self) -> &str {
        &self.0
    }

    pub fn exists(&self) -> bool {
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
pub fn resolve(name: &str) -> String {
    EXEC_DIRS
        .split(',')
        .map(|d| format!("{d}/{name}"))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
        .unwrap_or_else(|| panic!("{name} not found in {EXEC_DIRS}"))
}

pub fn user(name: &str) -> User {
    User::from_name(name)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no user {name}"))
}

/// `uid=1(a) gid=2(b) groups=2(b),3(c)` → (1, 2, {2, 3}).
pub fn parse_id(out: &str) -> (u32, u32, BTreeSet<u32>) {
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

pub fn expected_groups(name: &str) -> (u32, u32, BTreeSet<u32>) {
    let u = user(name);
    let cname = CString::new(name).expect("user name");
    let groups = nix::unistd::getgrouplist(&cname, u.gid)
        .expect("getgrouplist")
        .into_iter()
        .map(Gid::as_raw)
        .collect();
    (u.uid.as_raw(), u.gid.as_raw(), groups)
}

/// Binds `/dev/log` for the test and removes it afterwards. A thread reads
/// continuously: PAM (runuser, sudo) logs ~10 datagrams per command here,
/// as many as the default `net.unix.max_dgram_qlen`, and a full queue would
/// block every sender.
pub struct FakeSyslog {
    ino: u64,
    received: mpsc::Receiver<Vec<u8>>,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

pub const SENTINEL: &[u8] = b"oslo-rs-test: end of batch";

impl FakeSyslog {
    pub fn bind() -> std::io::Result<FakeSyslog> {
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
    /// the last call (PAM, sudo and others are ignored).
    pub fn drain(&self) -> Vec<String> {
        self.drain_all()
            .into_iter()
            .map(|d| String::from_utf8_lossy(&d).into_owned())
            .filter(|text| {
                let program = text.split_once('>').map(|(_, rest)| rest);
                program.is_some_and(|p| p.starts_with("oslo-rootwrap"))
            })
            .collect()
    }

    /// Every datagram received since the last call, whoever sent it. A
    /// sentinel sent now arrives after everything already queued
    /// (datagrams are FIFO).
    pub fn drain_all(&self) -> Vec<Vec<u8>> {
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
            got.push(datagram);
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
pub fn expected_login(fallback: &str) -> String {
    fs::read_to_string("/proc/self/loginuid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|&u| u != u32::MAX)
        .and_then(|u| User::from_uid(u.into()).ok().flatten())
        .map_or_else(|| fallback.to_owned(), |u| u.name)
}

// ---------------------------------------------------------------------------
// The daemon, spawned by the unchanged Python client as the service user

/// `/usr/bin/python3` with a copy of the reference's `oslo_rootwrap`
/// package where the unprivileged user can read it (the reference venv
/// may live under root's home), plus the client driver script.
pub fn user_python_client() -> Option<(String, String, String)> {
    let reference = oslo_test_support::rootwrap_reference_python("real_sudo daemon tests")?;
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
    let site = package.parent().expect("site-packages").to_path_buf();
    let lib = format!("{USER_DIR}/pylib");
    let _ = fs::remove_dir_all(&lib);
    make_dir(&lib, 0o755, 0);
    // The client imports debtcollector (which reads its own metadata) and
    // wrapt: copy them and their dist-info too, so the client does not
    // depend on what the system Python happens to have.
    for entry in fs::read_dir(&site).expect("read site-packages") {
        let entry = entry.expect("site-packages entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = ["oslo_rootwrap", "debtcollector", "wrapt"].iter().any(|p| {
            name == *p || (name.starts_with(&format!("{p}-")) && name.ends_with(".dist-info"))
        });
        if wanted {
            copy_tree(&entry.path(), Path::new(&lib).join(&name).as_path());
        }
    }
    let script = format!("{USER_DIR}/daemon_client.py");
    write_file(
        &script,
        include_bytes!("../oracle/daemon_client.py"),
        0o644,
        0,
    );
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

/// Copies a directory tree root-owned and world-readable, without
/// `__pycache__`.
fn copy_tree(from: &Path, to: &Path) {
    let meta = fs::metadata(from).expect("stat package file");
    let shown = to.to_str().expect("utf-8 path");
    if meta.is_dir() {
        make_dir(shown, 0o755, 0);
        for entry in fs::read_dir(from).expect("read package directory") {
            let entry = entry.expect("package entry");
            if entry.file_name() != "__pycache__" {
                copy_tree(&entry.path(), &to.join(entry.file_name()));
            }
        }
    } else {
        let content = fs::read(from).expect("read package file");
        let mode = if meta.permissions().mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        };
        write_file(shown, &content, mode, 0);
    }
}

pub fn python_as_user(python: &str, lib: &str, args: &[&str]) -> Command {
    let mut all = vec![python];
    all.extend_from_slice(args);
    let mut cmd = as_user(&all);
    cmd.env("PYTHONPATH", lib);
    cmd
}

/// Runs `oracle/daemon_client.py MODE DAEMON` with the unchanged Python
/// client as the service user, `calls` (JSON) on stdin and `envs` added to
/// its environment (the daemon it spawns inherits them). `None` (and a loud
/// message) when no Python client can run here.
pub fn run_python_client(
    mode: &str,
    daemon: &[&str],
    calls: &str,
    envs: &[(&str, &str)],
) -> Option<Out> {
    let (python, lib, script) = user_python_client()?;
    let daemon = serde_json::to_string(daemon).expect("json");
    let mut cmd = python_as_user(&python, &lib, &[&script, mode, &daemon]);
    cmd.envs(envs.iter().copied());
    Some(run(cmd, Some(calls.as_bytes().to_vec())))
}

/// The Python client's `calls` mode: one result per call, each
/// `[returncode, stdout, stderr]` or `{"error": "<exception class>"}`
/// (decoded with the daemon's own JSON codec: serde_json rejects the lone
/// surrogates that stand for non-UTF-8 bytes).
pub fn daemon_calls(
    daemon: &[&str],
    calls: &[&[&str]],
    envs: &[(&str, &str)],
) -> Option<Vec<Value>> {
    let calls: Vec<(&[&str], Option<()>)> = calls.iter().map(|c| (*c, None)).collect();
    let calls = serde_json::to_string(&calls).expect("json");
    let out = run_python_client("calls", daemon, &calls, envs)?;
    assert_eq!(out.code, 0, "Python client failed: {}", out.stderr);
    Some(
        out.stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| json::decode(l).expect("calls result"))
            .collect(),
    )
}

/// Runs the Python client as the service user against `daemon` and returns
/// its `inspect` report (decoded with the daemon's own JSON codec).
pub fn inspect_daemon(daemon: &[&str]) -> Option<Value> {
    let calls = r#"[[["id", "-u"], null], [["cat"], "in \udcff\u00e9"], [["touch", "/etc/oslo-rs-evil"], null], [["id"], null]]"#;
    let out = run_python_client("inspect", daemon, calls, &[])?;
    assert_eq!(out.code, 0, "Python client failed: {}", out.stderr);
    Some(json::decode(out.stdout.trim_ascii()).expect("inspect report"))
}
