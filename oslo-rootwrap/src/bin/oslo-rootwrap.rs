//! `oslo-rootwrap`: the drop-in for `nova-rootwrap`, `neutron-rootwrap`, ...
//!
//! ```text
//! oslo-rootwrap CONFIG CMD [ARG...]                 run CMD if a filter allows it
//! oslo-rootwrap --dry-run [--json] CONFIG -- CMD... explain the decision, run nothing
//! oslo-rootwrap lint [--verbose] [--format text|json] CONFIG
//!                                                   report what the filters hand out
//! ```
//! The first form is the reference's command line exactly: no option is
//! parsed after CONFIG. The other forms are recognised only by their first
//! argument, which in the first form is the (absolute) configuration path.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use oslo_rootwrap::audit::Style;
use oslo_rootwrap::cli::{DryRun, Format, Lint};
use oslo_rootwrap::decision::{Outcome, RC_BADCONFIG, RC_ERROR, RC_NOCOMMAND};
use oslo_rootwrap::pipeline::{Purpose, Session};
use oslo_rootwrap::syslog::Level;
use pycompat::str as pystr;

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
/// through the steps of [`oslo_rootwrap::pipeline`].
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
    let exit = match outcome {
        Outcome::Allowed(allowed) => match loaded.run(&allowed) {
            Ok(status) => code(status),
            Err(e) => fail(&e.to_string(), RC_ERROR),
        },
        other => fail(&other.message().unwrap_or_default(), other.exit_code()),
    };
    // The process ends here: freeing every filter one by one would only
    // cost time (about a tenth of a millisecond for 523 filters). Nothing
    // in `Loaded` has a `Drop` with an effect beyond memory and closing
    // descriptors, which the exit does.
    std::mem::forget(loaded);
    exit
}

/// `--dry-run [--json] CONFIG -- CMD...`.
fn dry_run(args: &[OsString]) -> ExitCode {
    let cli = match DryRun::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // `--dry-run CONF ip a`: the command must follow `--`, so that
            // its own options are never read as ours.
            let has_separator = args.iter().any(|a| a.as_bytes() == b"--");
            let positional = args
                .iter()
                .skip(1)
                .filter(|a| !a.as_bytes().starts_with(b"-"))
                .count();
            if e.kind() == clap::error::ErrorKind::UnknownArgument
                && !has_separator
                && positional >= 2
            {
                let mut shown: Vec<String> = args
                    .iter()
                    .skip(1)
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect();
                let at = shown
                    .iter()
                    .position(|a| !a.starts_with('-'))
                    .map_or(shown.len(), |config| config + 1);
                shown.insert(at, "--".to_owned());
                eprintln!(
                    "oslo-rootwrap: put the command after `--`: oslo-rootwrap {}",
                    shown.join(" ")
                );
                return code(2);
            }
            e.exit()
        }
    };
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

/// `lint [--verbose] [--format text|json] CONFIG`.
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
    let path = oslo_rootwrap::exec::env_path(session.env());
    let report = match oslo_rootwrap::lint::lint_config(&cli.config, path.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oslo-rootwrap: {}: {e}", cli.config.display());
            return code(RC_BADCONFIG);
        }
    };
    match cli.format {
        Format::Text => print!("{}", report.text(cli.verbose)),
        Format::Json => println!("{}", report.json()),
    }
    code(report.exit_code())
}
