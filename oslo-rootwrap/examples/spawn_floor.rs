//! The floor of `oslo-rootwrap CONF CMD`: a minimal Rust program that
//! starts, spawns `CMD` with the standard library and exits with its status
//! — what any wrapper written in Rust pays before reading a single file.
//! `scripts/bench-rootwrap.sh` times it next to ours and the reference.
//!
//! ```sh
//! cargo run --release -p oslo-rootwrap --example spawn_floor -- /bin/true
//! ```

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: spawn_floor COMMAND [ARG...]");
        return ExitCode::from(2);
    };
    match Command::new(program).args(args).status() {
        Ok(status) => ExitCode::from(
            status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        ),
        Err(e) => {
            eprintln!("spawn_floor: {e}");
            ExitCode::from(1)
        }
    }
}
