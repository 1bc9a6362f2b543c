//! `oslo-rootwrap`: the drop-in for `nova-rootwrap`, `neutron-rootwrap`, ...
//!
//! ```text
//! oslo-rootwrap CONFIG CMD [ARG...]                 run CMD if a filter allows it
//! oslo-rootwrap --dry-run [--json] CONFIG -- CMD... explain the decision, run nothing
//! oslo-rootwrap lint CONFIG                          report dangerous or dead filters
//! ```
//! The first form is the reference's command line exactly: no option is
//! parsed after CONFIG. The other forms are recognised only by their first
//! argument, which in the first form is the (absolute) configuration path.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use rootwrap::audit::Style;
use rootwrap::config::RootwrapConfig;
use rootwrap::decision::{Outcome, RC_BADCONFIG, RC_ERROR, RC_NOCOMMAND};
use rootwrap::pipeline::{Purpose, Session};
use rootwrap::pystr;
use rootwrap::syslog::Level;
use rootwrap::trust::{self, ConfigFile, Trust};

/// Inspect rootwrap decisions without executing anything.
#[derive(Debug, Parser)]
#[command(
    name = "oslo-rootwrap",
    version,
    about = "Drop-in replacement for oslo-rootwrap: run a command as root if a filter allows it",
    override_usage = "oslo-rootwrap CONFIG CMD [ARG...]\n       oslo-rootwrap --dry-run [--json] CONFIG -- CMD [ARG...]\n       oslo-rootwrap lint CONFIG"
)]
struct DryRun {
    /// Decide, print the decision and exit with the status rootwrap would
    /// use; never execute or change credentials.
    #[arg(long, required = true)]
    dry_run: bool,
    /// Print the decision as one JSON object (the conformance contract).
    #[arg(long)]
    json: bool,
    /// The rootwrap.conf to use.
    config: PathBuf,
    /// The command line to check (after `--`).
    #[arg(last = true, allow_hyphen_values = true)]
    command: Vec<OsString>,
}

/// Report filters that grant root or can never match.
#[derive(Debug, Parser)]
#[command(name = "oslo-rootwrap lint")]
struct Lint {
    /// The rootwrap.conf whose filters to check.
    config: PathBuf,
}

fn bytes(args: Vec<OsString>) -> Vec<Vec<u8>> {
    args.into_iter().map(|a| a.as_bytes().to_vec()).collect()
}

fn code(c: i32) -> ExitCode {
    ExitCode::from(u8::try_from(c).unwrap_or(1))
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    match args.get(1).map(|a| a.as_bytes()) {
        Some(b"lint") => lint(args.get(1..).unwrap_or_default()),
        Some(b"--dry-run" | b"-h" | b"--help" | b"-V" | b"--version") => dry_run(&args),
        _ => run(args),
    }
}

/// The reference's command line: `oslo-rootwrap CONFIG CMD [ARG...]`,
/// through the steps of [`rootwrap::pipeline`].
fn run(args: Vec<OsString>) -> ExitCode {
    let argv0 = args
        .first()
        .map(|a| a.as_bytes().to_vec())
        .unwrap_or_default();
    let execname = if args.is_empty() {
        "oslo-rootwrap".to_owned()
    } else {
        pystr::display(&argv0)
    };
    let fail = |msg: &str, rc: i32| {
        eprintln!("{execname}: {msg}");
        code(rc)
    };
    if args.len() < 3 {
        return fail("No command specified", RC_NOCOMMAND);
    }
    let mut args = args.into_iter().skip(1);
    let config_path = PathBuf::from(args.next().unwrap_or_default());
    let userargs = bytes(args.collect());

    let session = match Session::start(Purpose::Execute, Style::Cli, &argv0, env!("CARGO_BIN_NAME"))
    {
        Ok(s) => s,
        Err(refusal) => return fail(&refusal.to_string(), refusal.exit_code()),
    };
    let loaded = match session.load(&config_path, &mut |w| eprintln!("{w}")) {
        Ok(l) => l,
        Err(refusal) => return fail(&refusal.to_string(), refusal.exit_code()),
    };
    for w in &loaded.warnings {
        if loaded.audit().enabled() {
            loaded.audit().log(Level::Warning, w);
        } else {
            eprintln!("{w}");
        }
    }
    let outcome = loaded.decide(userargs.clone());
    loaded.record(&outcome, &userargs);
    match outcome {
        Outcome::Allowed(allowed) => match loaded.run(&allowed) {
            Ok(status) => code(status),
            Err(e) => fail(&e.to_string(), RC_ERROR),
        },
        other => fail(&other.message().unwrap_or_default(), other.exit_code()),
    }
}

/// `--dry-run [--json] CONFIG -- CMD...`.
fn dry_run(args: &[OsString]) -> ExitCode {
    let cli = DryRun::parse_from(args);
    let session = match Session::start(
        Purpose::Inspect,
        Style::Cli,
        b"oslo-rootwrap",
        env!("CARGO_BIN_NAME"),
    ) {
        Ok(s) => s,
        Err(refusal) => {
            eprintln!("oslo-rootwrap: {refusal}");
            return code(RC_ERROR);
        }
    };
    let outcome = if cli.command.is_empty() {
        Outcome::NoCommand
    } else {
        match session.load(&cli.config, &mut |w| eprintln!("{w}")) {
            Err(refusal) => refusal.into_outcome(),
            Ok(loaded) => {
                for w in &loaded.warnings {
                    eprintln!("{w}");
                }
                loaded.decide(bytes(cli.command))
            }
        }
    };
    if cli.json {
        println!("{}", outcome.to_json());
    } else {
        match &outcome {
            Outcome::Allowed(a) => {
                let shown: Vec<String> = a.command.iter().map(|c| pystr::py_repr(c)).collect();
                println!(
                    "allowed by filter {} (run as {}): {}",
                    a.filter,
                    a.run_as,
                    shown.join(" ")
                );
                for (k, v) in &a.env {
                    println!("  with {}={}", pystr::display(k), pystr::display(v));
                }
            }
            other => println!(
                "refused ({}): {}",
                other.exit_code(),
                other.message().unwrap_or_default()
            ),
        }
    }
    if let (true, Some(msg)) = (cli.json, outcome.message()) {
        eprintln!("oslo-rootwrap: {msg}");
    }
    code(outcome.exit_code())
}

/// `lint CONFIG`.
fn lint(args: &[OsString]) -> ExitCode {
    let cli = Lint::parse_from(args);
    let session = match Session::start(
        Purpose::Inspect,
        Style::Cli,
        b"oslo-rootwrap",
        env!("CARGO_BIN_NAME"),
    ) {
        Ok(s) => s,
        Err(refusal) => {
            eprintln!("oslo-rootwrap: {refusal}");
            return code(RC_ERROR);
        }
    };
    let verify = session.trust() == Trust::Verify;
    let mut lines = Vec::new();
    let shown = cli.config.display();
    // The configuration is read as the reference reads it; as root, what
    // the real run would refuse is reported too.
    if verify {
        if let Err(e) = trust::read_config(&cli.config, Trust::Verify) {
            lines.push(format!("{shown}: untrusted: {e}"));
        }
    }
    let bytes = match trust::read_config(&cli.config, Trust::Assume) {
        Ok(ConfigFile::Read(b)) => b,
        _ => Vec::new(),
    };
    let path = rootwrap::exec::env_path(session.env());
    let config = match RootwrapConfig::parse(&bytes, &shown.to_string(), path.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oslo-rootwrap: {shown}: {e}");
            return code(RC_BADCONFIG);
        }
    };
    for dir in &config.filters_path {
        let dir_shown = pystr::display(dir);
        match trust::open_filters_dir(dir, Trust::Assume) {
            Ok(Some(_)) => {}
            _ => lines.push(format!(
                "{shown}: filters_path entry {dir_shown:?} is not a directory: ignored"
            )),
        }
        if verify {
            let checked = trust::open_filters_dir(dir, Trust::Verify).and_then(|d| {
                let Some(d) = d else { return Ok(()) };
                for name in d.names()? {
                    d.read(&name)?;
                }
                Ok(())
            });
            if let Err(e) = checked {
                lines.push(format!("{dir_shown}: untrusted: {e}"));
            }
        }
    }
    match rootwrap::wrapper::load_filters(&config.filters_path, Trust::Assume) {
        Err(e) => lines.push(format!(
            "{e}: the reference crashes on this file for every command"
        )),
        Ok(set) => {
            for f in rootwrap::lint::lint(&set, &config.exec_dirs) {
                lines.push(format!("{}: {}: {}", f.source, f.filter, f.message));
            }
        }
    }
    for l in &lines {
        println!("{l}");
    }
    if lines.is_empty() {
        ExitCode::SUCCESS
    } else {
        code(1)
    }
}
