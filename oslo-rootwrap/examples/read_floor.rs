//! The second floor of `oslo-rootwrap CONF CMD`: a minimal Rust program
//! that starts, reads rootwrap.conf, lists every `filters_path` directory
//! and reads every filter file in it (as any rootwrap must, the reference
//! included: the first matching filter decides, so every file counts),
//! then spawns `CMD` and exits with its status. It parses, verifies and
//! decides nothing: what `oslo-rootwrap` costs above it is the price of
//! doing those. `scripts/bench-rootwrap.sh` times it next to ours, the
//! reference and `spawn_floor`.
//!
//! ```sh
//! cargo run --release -p oslo-rootwrap --example read_floor -- CONF /bin/true
//! ```

use std::hint::black_box;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(conf), Some(program)) = (args.next(), args.next()) else {
        eprintln!("usage: read_floor CONF COMMAND [ARG...]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&conf) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("read_floor: {}: {e}", conf.to_string_lossy());
            return ExitCode::from(1);
        }
    };
    // `filters_path = a,b,...` of rootwrap.conf, nothing else.
    let dirs = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == "filters_path")
        .map(|(_, v)| v.split(',').map(str::trim).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut read = 0usize;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().as_encoded_bytes().starts_with(b".") {
                continue;
            }
            if let Ok(bytes) = std::fs::read(entry.path()) {
                read += black_box(bytes).len();
            }
        }
    }
    black_box(read);
    match Command::new(program).args(args).status() {
        Ok(status) => ExitCode::from(
            status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        ),
        Err(e) => {
            eprintln!("read_floor: {e}");
            ExitCode::from(1)
        }
    }
}
