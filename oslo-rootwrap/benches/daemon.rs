//! Per-call cost through `oslo-rootwrap-daemon` with the Rust client.
//!
//! `cargo bench -p oslo-rootwrap --bench daemon` (quick run: append
//! `-- --warm-up-time 1 --measurement-time 3`).
//!
//! The daemon is the release binary of this package, spawned directly (no
//! sudo: the per-call path does not involve it). Its configuration is
//! `$OSLO_RS_BENCH_CONF` when set (scripts/bench-daemon.sh passes the one
//! it times the Python client with), else a temporary one allowing `true`.
//!
//! Benchmarks:
//! * `daemon/execute_true`: `Client::execute(["true"])` on a warm
//!   connection: JSON request, filter match, spawn of `/usr/bin/true`,
//!   wait, reply;
//! * `daemon/execute_denied`: an unauthorized command (99, no spawn);
//! * `daemon/baseline_run_captured_true`: the daemon's spawn of
//!   `/usr/bin/true` with pipes and wait, in this process;
//! * `daemon/baseline_std_spawn_true`: the same with the standard
//!   library's `Command` (three pipes, `output()`): the floor of
//!   `execute_true` the target is measured against;
//! * `daemon/first_call`: spawning a daemon, handshake and one call (its
//!   shutdown is not timed).
//!
//! The Python client and daemon are timed by scripts/bench-daemon.sh.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use oslo_rootwrap::daemon::client::Client;

const DAEMON: &str = env!("CARGO_BIN_EXE_oslo-rootwrap-daemon");

fn conf() -> (Option<tempfile::TempDir>, PathBuf) {
    if let Some(c) = std::env::var_os("OSLO_RS_BENCH_CONF") {
        return (None, PathBuf::from(c));
    }
    let Ok(dir) = tempfile::tempdir() else {
        panic!("cannot create a temporary directory");
    };
    let filters = dir.path().join("rootwrap.d");
    let conf = dir.path().join("rootwrap.conf");
    let written = std::fs::create_dir(&filters)
        .and_then(|()| {
            std::fs::write(
                filters.join("bench.filters"),
                "[Filters]\ntrue: CommandFilter, true, root\n",
            )
        })
        .and_then(|()| {
            std::fs::write(
                &conf,
                format!(
                    "[DEFAULT]\nfilters_path={}\nexec_dirs=/sbin,/usr/sbin,/bin,/usr/bin\n",
                    filters.display()
                ),
            )
        });
    if let Err(e) = written {
        panic!("cannot write the bench configuration: {e}");
    }
    (Some(dir), conf)
}

fn bench(c: &mut Criterion) {
    let (_keep, conf) = conf();
    let client = Client::new([DAEMON.as_ref(), conf.as_os_str()]);
    match client.execute(&["true"], None) {
        Ok(out) if out.returncode == 0 => {}
        other => panic!(
            "the daemon does not run 'true' with {}: {other:?}",
            conf.display()
        ),
    }
    let mut g = c.benchmark_group("daemon");
    g.bench_function("execute_true", |b| {
        b.iter(|| black_box(client.execute(&["true"], None)))
    });
    g.bench_function("execute_denied", |b| {
        b.iter(|| black_box(client.execute(&["definitely-not-allowed"], None)))
    });
    // The floor: the same spawn/pipes/wait the daemon does, in process.
    let env = vec![("PATH".into(), "/usr/bin:/bin".into())];
    let allowed = oslo_rootwrap::decision::Allowed {
        filter: "true".into(),
        run_as: "root".into(),
        command: vec![b"/usr/bin/true".to_vec()],
        env: Vec::new(),
    };
    g.bench_function("baseline_std_spawn_true", |b| {
        b.iter(|| {
            black_box(
                std::process::Command::new("/usr/bin/true")
                    .env_clear()
                    .env("PATH", "/usr/bin:/bin")
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .output(),
            )
        })
    });
    g.bench_function("baseline_run_captured_true", |b| {
        b.iter(|| {
            black_box(oslo_rootwrap::exec::run_captured(
                &allowed,
                &env,
                b"",
                64 << 20,
                &mut |_| true,
            ))
        })
    });
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    // Spawn + handshake + one call; shutting the daemon down (the drop) is
    // not timed, as in the Python figure.
    g.bench_function("first_call", |b| {
        b.iter_with_large_drop(|| {
            let fresh = Client::new([DAEMON.as_ref(), conf.as_os_str()]);
            let out = fresh.execute(&["true"], None);
            (black_box(out), fresh)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
