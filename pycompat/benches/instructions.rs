//! Instruction-count workloads for `scripts/bench-instructions.sh`: run
//! with `--list` for their names, or with one name to run it once under
//! callgrind. The inputs are generated (`inputs.rs`), so a fresh clone
//! has them without Python.

use std::hint::black_box;
use std::process::ExitCode;

use pycompat::value::Value;
use pycompat::yaml::{safe_load, safe_load_yaml};

mod inputs;

const WORKLOADS: &[&str] = &[
    "yaml_load_optdata_x10",
    "yaml_load_policy_x10",
    "yaml_load_block_scalars_x10",
    "yaml_load_optdata_full_loader",
];

/// Loads `text` `times` times (generating the opt-data input costs about
/// 65 M instructions; the loads must outweigh it for a regression to
/// show).
fn load(text: &str, full: bool, times: usize) -> Result<(), String> {
    let bytes = text.as_bytes();
    for _ in 0..times {
        let value = if full {
            safe_load_yaml(black_box(bytes))
        } else {
            safe_load(black_box(bytes))
        }
        .map_err(|e| e.to_string())?;
        if !matches!(value, Value::Dict(_)) {
            return Err("not a mapping".to_owned());
        }
        black_box(value);
    }
    Ok(())
}

fn run(workload: &str) -> Result<(), String> {
    match workload {
        "yaml_load_optdata_x10" => load(&inputs::optdata_yaml(), false, 10),
        "yaml_load_policy_x10" => load(&inputs::policy_yaml(), false, 10),
        "yaml_load_block_scalars_x10" => load(&inputs::block_scalars_yaml(), false, 10),
        "yaml_load_optdata_full_loader" => load(&inputs::optdata_yaml(), true, 1),
        other => Err(format!("unknown workload {other:?}")),
    }
}

#[path = "../../scripts/bench/instructions_main.rs"]
mod instructions_main;

fn main() -> ExitCode {
    instructions_main::main(WORKLOADS, run)
}
