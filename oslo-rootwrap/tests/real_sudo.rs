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

#![cfg(test)]

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

mod system;

use nix::unistd::Group;
use oslo_rootwrap::daemon::json::{self, Value};
use system::*;

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
        ("BASH_ENV", "/var/tmp/oslo-rs-test-user/evil.sh"),
        ("ENV", "/var/tmp/oslo-rs-test-user/evil.sh"),
        ("LD_AUDIT", "/nonexistent/oslo-rs-test.so"),
        ("GCONV_PATH", "/var/tmp/oslo-rs-test-user"),
        ("RUST_MIN_STACK", "1048576"),
        ("RUST_BACKTRACE", "full"),
        ("TMPDIR", "/var/tmp/oslo-rs-test-user"),
        ("PYTHONPATH", "/var/tmp/oslo-rs-test-user"),
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
