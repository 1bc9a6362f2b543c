//! The command line every `<crate>/benches/instructions.rs` shares, as
//! `scripts/bench-instructions.sh` drives it (each bench includes this file
//! with `#[path]`): no argument or `--list` prints the workload names, one
//! per line; a name runs that workload once (under callgrind); `--bench`,
//! which `cargo bench` passes, runs every workload once.

use std::process::ExitCode;

/// Runs the command line above over `workloads`, each run by `run`.
pub fn main(workloads: &[&str], run: fn(&str) -> Result<(), String>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let chosen: Vec<&str> = match args.first().map(String::as_str) {
        Some("--list") | None => {
            for w in workloads {
                println!("{w}");
            }
            return ExitCode::SUCCESS;
        }
        Some("--bench") => workloads.to_vec(),
        Some(w) => vec![w],
    };
    for w in chosen {
        if let Err(e) = run(w) {
            eprintln!("{w}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
