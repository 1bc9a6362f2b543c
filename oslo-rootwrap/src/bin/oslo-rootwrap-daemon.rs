//! `oslo-rootwrap-daemon`: the drop-in for `nova-rootwrap-daemon`,
//! `neutron-rootwrap-daemon`, ...
//!
//! ```text
//! oslo-rootwrap-daemon CONFIG
//! ```
//! Loads CONFIG and its filters exactly like `oslo-rootwrap` (the steps of
//! [`oslo_rootwrap::pipeline`]), creates a private directory with a Unix socket
//! in it, writes the socket path, a newline and 32 random key bytes to
//! stdout, and serves `oslo_rootwrap.client.Client` (or
//! [`oslo_rootwrap::daemon::client::Client`]) until told to shut down, idle for
//! `daemon_timeout` seconds, or sent SIGTERM/SIGINT. Only the user who
//! started it (through sudo, or a setuid copy) and root may connect.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;

use oslo_rootwrap::audit::Style;
use oslo_rootwrap::daemon::server::{Daemon, Options};
use oslo_rootwrap::decision::{RC_ERROR, RC_NOCOMMAND};
use oslo_rootwrap::pipeline::{Purpose, Session};
use oslo_rootwrap::sys::ipc::{self, TerminationSignals};
use pycompat::str as pystr;

fn code(c: i32) -> ExitCode {
    ExitCode::from(u8::try_from(c).unwrap_or(1))
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let argv0 = args
        .first()
        .map(|a| a.as_bytes().to_vec())
        .unwrap_or_default();
    let execname = if args.is_empty() {
        "oslo-rootwrap-daemon".to_owned()
    } else {
        pystr::display(&argv0)
    };
    let fail = |msg: &str, rc: i32| {
        eprintln!("{execname}: {msg}");
        code(rc)
    };
    let [_, config_path] = args.as_slice() else {
        return fail("Extra arguments to daemon", RC_NOCOMMAND);
    };
    // Recognised only as the sole argument, as `oslo-rootwrap` does (the
    // reference would read a configuration file of that name).
    if matches!(
        config_path.as_bytes(),
        b"-h" | b"--help" | b"-V" | b"--version"
    ) {
        oslo_rootwrap::cli::daemon_command().get_matches_from(&args);
        return ExitCode::SUCCESS;
    }
    let config_path = PathBuf::from(config_path);

    let session = match Session::start(
        Purpose::Execute,
        Style::Daemon,
        &argv0,
        env!("CARGO_BIN_NAME"),
    ) {
        Ok(s) => s,
        Err(refusal) => return fail(&refusal.to_string(), refusal.exit_code()),
    };
    let loaded = match session.load(&config_path, &mut |w| eprintln!("{w}")) {
        Ok(l) => l,
        Err(refusal) => return fail(&refusal.to_string(), refusal.exit_code()),
    };
    // The daemon's stderr is gone once it serves: skipped filter classes
    // are reported now.
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    let options = match Options::for_session(&session, &loaded.config, &config_path) {
        Ok(o) => o,
        Err(refusal) => return fail(&refusal.to_string(), refusal.exit_code()),
    };

    // SIGTERM/SIGINT are blocked in every thread (threads inherit the mask)
    // and read from a signalfd by the serving loop; commands get an empty
    // mask again.
    let signals = match TerminationSignals::block() {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot block SIGTERM and SIGINT: {e}"), RC_ERROR),
    };
    let daemon = match Daemon::bind(loaded, options) {
        Ok(d) => d,
        Err(e) => return fail(&e.to_string(), RC_ERROR),
    };
    // The announcement goes out in one write(): far below PIPE_BUF, so the
    // pipe delivers it whole. Through a line-buffered stdout a newline in
    // the key flushed early, and a client reading the key with one read()
    // (eventlet's green pipes) got a short key.
    let mut announce = daemon.socket_path().as_os_str().as_bytes().to_vec();
    announce.push(b'\n');
    announce.extend_from_slice(daemon.authkey());
    if ipc::write_stdout_whole(&announce).is_err() {
        // Nobody is listening: do not serve a socket nobody can find.
        daemon.stop_handle().stop();
        let _ = daemon.serve(None);
        return code(RC_ERROR);
    }
    // Like the reference, stop using the caller's pipes: nothing may block
    // on a full stderr pipe nobody reads any more.
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        let _ = ipc::redirect_stdio(std::os::fd::AsFd::as_fd(&null));
    }
    match daemon.serve(Some(&signals)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => code(RC_ERROR),
    }
}
