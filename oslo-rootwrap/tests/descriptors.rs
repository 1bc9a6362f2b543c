//! Descriptors the caller leaves open never reach a command: both binaries
//! close what they inherit before anything else, and open everything
//! close-on-exec (see `sys::process`). Run unprivileged; the setuid and
//! sudo paths are covered by `attacks.rs` and `real_sudo.rs`.

#![cfg(test)]

use std::fs;
use std::process::Command;

use oslo_rootwrap::daemon::client::Client;

const CLI: &str = env!("CARGO_BIN_EXE_oslo-rootwrap");
const DAEMON: &str = env!("CARGO_BIN_EXE_oslo-rootwrap-daemon");

/// Starts `$0 "$@"` with descriptors 5 and 9 open without close-on-exec,
/// as a careless caller would.
const WITH_FDS: &str = r#"exec 5</dev/null 9</dev/null; exec "$0" "$@""#;

fn conf(dir: &std::path::Path) -> std::path::PathBuf {
    let filters = dir.join("rootwrap.d");
    fs::create_dir(&filters).unwrap();
    fs::write(
        filters.join("ls.filters"),
        "[Filters]\nls: CommandFilter, ls, root\n",
    )
    .unwrap();
    let conf = dir.join("rootwrap.conf");
    fs::write(
        &conf,
        format!(
            "[DEFAULT]\nfilters_path={}\nexec_dirs=/bin,/usr/bin\nuse_syslog=False\n",
            filters.display()
        ),
    )
    .unwrap();
    conf
}

/// `ls /proc/self/fd` lists 0-2 and its own listing's descriptor.
fn only_stdio(listing: &[u8]) -> bool {
    let mut fds: Vec<u32> = String::from_utf8_lossy(listing)
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    fds.sort_unstable();
    fds == [0, 1, 2, 3]
}

#[test]
fn the_cli_closes_what_it_inherits() {
    let dir = tempfile::tempdir().unwrap();
    let conf = conf(dir.path());
    let out = Command::new("sh")
        .args(["-c", WITH_FDS, CLI])
        .arg(&conf)
        .args(["ls", "/proc/self/fd"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        only_stdio(&out.stdout),
        "the command sees {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_daemon_closes_what_it_inherits() {
    let dir = tempfile::tempdir().unwrap();
    let conf = conf(dir.path());
    let client = Client::new([
        "sh".as_ref(),
        "-c".as_ref(),
        WITH_FDS.as_ref(),
        DAEMON.as_ref(),
        conf.as_os_str(),
    ]);
    // Twice: the first command and one started after the daemon has
    // opened its connections and pipes.
    for _ in 0..2 {
        let out = client.execute(&["ls", "/proc/self/fd"], None).unwrap();
        assert_eq!(out.returncode, 0, "{out:?}");
        assert!(
            only_stdio(&out.stdout),
            "the command sees {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
