//! Using the library: load a rootwrap.conf and explain what it decides for
//! a command line, without executing anything.
//!
//! ```sh
//! cargo run -p oslo-rootwrap --example explain -- filters/example/rootwrap.conf ip addr
//! ```

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use oslo_rootwrap::audit::Style;
use oslo_rootwrap::decision::Outcome;
use oslo_rootwrap::pipeline::{Purpose, Session};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(config_path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: explain CONFIG CMD [ARG...]");
        return std::process::ExitCode::from(2);
    };
    let userargs: Vec<Vec<u8>> = args.map(|a| a.as_bytes().to_vec()).collect();
    // Inspect: a setuid copy would give up its privilege first.
    let session = match Session::start(Purpose::Inspect, Style::Cli, b"explain", "explain") {
        Ok(s) => s,
        Err(refusal) => {
            eprintln!("{refusal}");
            return std::process::ExitCode::from(1);
        }
    };
    let outcome = match session.load(&config_path, &mut |w| eprintln!("{w}")) {
        Ok(loaded) => loaded.decide(userargs),
        Err(refusal) => refusal.into_outcome(),
    };
    match &outcome {
        Outcome::Allowed(a) => {
            println!(
                "filter {:?} allows it, running as {:?}:",
                a.filter, a.run_as
            );
            for arg in &a.command {
                println!("  {}", pycompat::str::display(arg));
            }
        }
        other => println!("refused: {}", other.message().unwrap_or_default()),
    }
    println!("{}", outcome.to_json());
    std::process::ExitCode::from(u8::try_from(outcome.exit_code()).unwrap_or(1))
}
