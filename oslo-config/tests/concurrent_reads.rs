//! Threads reading one `ConfigOpts` at once. In the reference the
//! options being resolved are the reading thread's own call stack, so a
//! `$` reference read on two threads at once is no cycle, and a real
//! cycle is reported alike on every thread.
#![cfg(test)]

use oslo_config::{CallArgs, ConfigOpts, Error, Opt};
use pycompat::value::Value;

const THREADS: usize = 4;
const ROUNDS: usize = 3000;

fn conf(text: &str, names: &[&str]) -> (tempfile::TempDir, ConfigOpts) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.conf");
    std::fs::write(&path, text).unwrap();
    let mut conf = ConfigOpts::new();
    for name in names {
        conf.register_opt(Opt::string(name), Some("g")).unwrap();
    }
    conf.call(
        CallArgs::new(["--config-file", path.to_str().unwrap()])
            .prog("test")
            .no_default_files(),
    )
    .unwrap();
    (dir, conf)
}

#[test]
fn threads_reading_the_same_reference_see_no_cycle() {
    let (_dir, conf) = conf("[g]\na = $g.b\nb = ${g.c}-x\nc = value\n", &["a", "b", "c"]);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..ROUNDS {
                    // Cleared by the threads in turn: every read resolves
                    // again, while others do.
                    conf.clear_cache();
                    match conf.get_in(Some("g"), "a") {
                        Ok(v) => assert_eq!(v, Value::str("value-x")),
                        Err(e) => panic!("a: {e} ({e:?})"),
                    }
                }
            });
        }
    });
}

#[test]
fn a_real_cycle_is_the_same_error_on_every_thread() {
    let (_dir, conf) = conf("[g]\nx = $g.y\ny = ${g.x}\n", &["x", "y"]);
    let alone = conf.get_in(Some("g"), "x").unwrap_err();
    let Error::Recursion { chain } = &alone else {
        panic!("not a RecursionError: {alone:?}");
    };
    assert_eq!(chain, &["g.x", "g.y", "g.x"]);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..ROUNDS / 10 {
                    conf.clear_cache();
                    let e = conf.get_in(Some("g"), "x").unwrap_err();
                    assert_eq!(format!("{e:?}"), format!("{alone:?}"));
                }
            });
        }
    });
    // Nothing is left half resolved: a later read on this thread sees the
    // same cycle from the start.
    assert_eq!(
        format!("{:?}", conf.get_in(Some("g"), "x").unwrap_err()),
        format!("{alone:?}")
    );
}
