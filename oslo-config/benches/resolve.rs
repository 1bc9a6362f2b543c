//! In-process figures for `scripts/bench-config.sh`: register 300 options,
//! parse a 300-option file and read every value; and reading the 300
//! values again after the memo is cleared (what each first read costs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use oslo_config::{CallArgs, ConfigOpts, Opt};

#[path = "../examples/bench_service.rs"]
#[allow(dead_code)]
mod service;

fn conf_text() -> String {
    let values = |i: usize| match i % 6 {
        0 => format!("v{i}"),
        1 => format!("{}", i * 7),
        2 => "true".to_owned(),
        3 => "1.25".to_owned(),
        4 => "x, y,z".to_owned(),
        _ => "9000".to_owned(),
    };
    let mut text = String::new();
    for g in 0..10 {
        text.push_str(&format!("[group{g}]\n"));
        for i in (g..300).step_by(10) {
            text.push_str(&format!("opt{i} = {}\n", values(i)));
        }
        text.push('\n');
    }
    text
}

fn build(path: &str) -> ConfigOpts {
    let mut conf = ConfigOpts::new();
    for i in 0..300 {
        let opt: Opt = service::bench_opt(i);
        conf.register_opt(opt, Some(&format!("group{}", i % 10)))
            .unwrap();
    }
    conf.call(
        CallArgs::new(["--config-file", path])
            .prog("bench")
            .no_default_files(),
    )
    .unwrap();
    conf
}

/// The 300 (group, option) names, made once: a service names its options
/// with literals; building them in the loop would time `format!` (the
/// Python harness, `scripts/bench/config_service.py`, reads precomputed
/// names too).
fn names() -> Vec<(String, String)> {
    (0..300)
        .map(|i| (format!("group{}", i % 10), format!("opt{i}")))
        .collect()
}

fn read_all(conf: &ConfigOpts, names: &[(String, String)]) -> usize {
    names
        .iter()
        .filter(|(group, name)| !conf.get_in(Some(group), name).unwrap().is_none())
        .count()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.conf");
    std::fs::write(&path, conf_text()).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let names = names();
    let mut g = c.benchmark_group("config");
    g.bench_function("register_parse_resolve_300", |b| {
        b.iter(|| read_all(&build(&path), &names))
    });
    let conf = build(&path);
    assert_eq!(read_all(&conf, &names), 300);
    g.bench_function("resolve_300", |b| {
        b.iter(|| {
            conf.clear_cache();
            read_all(&conf, &names)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
