//! Writes the speed benchmarks' inputs (`pycompat/benches/inputs.rs`) to
//! a directory, for `scripts/bench-config.sh`:
//!
//!     bench_inputs DIR
//!
//! writes `optdata.yaml`, `dump.conf`, `policy.yaml` and `blocks.yaml`.

#[path = "../benches/inputs.rs"]
mod inputs;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: bench_inputs DIR");
        return std::process::ExitCode::from(2);
    };
    let dir = std::path::PathBuf::from(dir);
    for (name, text) in [
        ("optdata.yaml", inputs::optdata_yaml()),
        ("dump.conf", inputs::dump_conf()),
        ("policy.yaml", inputs::policy_yaml()),
        ("blocks.yaml", inputs::block_scalars_yaml()),
    ] {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("bench_inputs: cannot write {}: {e}", path.display());
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}
