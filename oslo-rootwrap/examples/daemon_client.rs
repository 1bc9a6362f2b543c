//! Using the daemon from Rust: spawn `oslo-rootwrap-daemon` once, then run
//! commands through it, as a Rust service would.
//!
//! ```sh
//! cargo build --release -p oslo-rootwrap
//! cargo run --release -p oslo-rootwrap --example daemon_client -- \
//!     target/release/oslo-rootwrap-daemon filters/example/rootwrap.conf
//! ```
//! A service would spawn it through sudo instead:
//! `Client::new(["sudo", "oslo-rootwrap-daemon", "/etc/nova/rootwrap.conf"])`.

use std::process::ExitCode;
use std::time::Instant;

use oslo_rootwrap::daemon::client::Client;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [daemon, config] = args.as_slice() else {
        eprintln!("usage: daemon_client DAEMON_BINARY CONFIG");
        return ExitCode::from(2);
    };
    let client = Client::new([daemon.as_str(), config.as_str()]);
    let calls: [(&[&str], Option<&[u8]>); 4] = [
        (&["echo", "hello from the daemon"], None),
        (&["env", "LC_ALL=C", "sort"], Some(b"pear\napple\nfig\n")),
        (&["sh", "-c", "id"], None),
        (&["ls", "-l", "/etc/../root"], None),
    ];
    for (argv, stdin) in calls {
        let started = Instant::now();
        match client.execute(argv, stdin) {
            Ok(out) => {
                println!(
                    "$ {}  -> exit {} in {:.2} ms",
                    argv.join(" "),
                    out.returncode,
                    started.elapsed().as_secs_f64() * 1000.0
                );
                for line in String::from_utf8_lossy(&out.stdout).lines() {
                    println!("  {line}");
                }
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("(exit 99: no filter matched; the first call includes starting the daemon)");
    ExitCode::SUCCESS
}
