//! Loader throughput for `scripts/bench-config.sh`: [`safe_load`] (with
//! its fast paths) and [`safe_load_yaml`] (the full loader alone) on the
//! block-style inputs of `inputs.rs`, against PyYAML on the same bytes.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pycompat::yaml::{safe_load, safe_load_yaml};

mod inputs;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("yaml");
    for (name, text) in [
        ("optdata", inputs::optdata_yaml()),
        ("policy", inputs::policy_yaml()),
        ("blocks", inputs::block_scalars_yaml()),
    ] {
        let bytes = text.into_bytes();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(name, |b| b.iter(|| black_box(safe_load(black_box(&bytes)))));
        g.bench_function(format!("{name}_full"), |b| {
            b.iter(|| black_box(safe_load_yaml(black_box(&bytes))))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
