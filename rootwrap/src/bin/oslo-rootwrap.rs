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
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use rootwrap::decision::{self, Outcome, RC_BADCONFIG, RC_ERROR, RC_NOCOMMAND};
use rootwrap::exec::{self, Privilege};
use rootwrap::filters::MatchEnv;
use rootwrap::pystr;
use rootwrap::syslog::{Level, Syslog};

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

/// The reference's command line: `oslo-rootwrap CONFIG CMD [ARG...]`.
fn run(args: Vec<OsString>) -> ExitCode {
    let execname = args.first().map_or_else(
        || "oslo-rootwrap".to_owned(),
        |a| pystr::display(a.as_bytes()),
    );
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

    let privilege = exec::privilege();
    let real_uid = nix::unistd::getuid();
    if privilege == Privilege::Setuid {
        if let Err(e) = exec::become_root() {
            return fail(&e.to_string(), RC_ERROR);
        }
    }
    let mut env = exec::working_env(privilege);
    let path = exec::env_path(&env);

    // Ownership only matters when rootwrap has privilege to hand out.
    let check_trust = nix::unistd::geteuid().is_root();
    let config = match decision::load_config(&config_path, path.as_deref(), check_trust) {
        Ok(c) => c,
        Err(msg) => return fail(&msg, RC_BADCONFIG),
    };
    if let Err(msg) = exec::lower_nofile(config.rlimit_nofile) {
        return fail(&msg, RC_ERROR);
    }
    let mut syslog = Syslog::for_config(&config, &execname).unwrap_or_else(|_| {
        eprintln!("{}", rootwrap::syslog::UNAVAILABLE);
        None
    });

    let match_env = MatchEnv { path: path.clone() };
    let (outcome, warnings) = decision::decide(&config, userargs, &match_env, check_trust);
    for w in &warnings {
        match syslog.as_mut() {
            Some(s) => s.log(Level::Warning, w),
            None => eprintln!("{w}"),
        }
    }
    let allowed = match outcome {
        Outcome::Allowed(a) => a,
        other => {
            let msg = other.message().unwrap_or_default();
            if matches!(other, Outcome::Unauthorized { .. } | Outcome::NoExec { .. }) {
                if let Some(s) = syslog.as_mut() {
                    s.log(Level::Error, &msg);
                }
            }
            return fail(&msg, other.exit_code());
        }
    };
    if let Some(s) = syslog.as_mut() {
        let me = nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map_or_else(|| "root".to_owned(), |u| u.name);
        s.log(
            Level::Info,
            &format!(
                "({} > {me}) Executing {} (filter match = {})",
                exec::login_name(privilege, real_uid),
                pystr::py_repr_list(&allowed.command),
                allowed.filter
            ),
        );
    }
    for (name, value) in &allowed.env {
        let name = OsString::from(std::ffi::OsStr::from_bytes(name));
        let value = OsString::from(std::ffi::OsStr::from_bytes(value));
        match env.iter_mut().find(|(k, _)| *k == name) {
            Some(entry) => entry.1 = value,
            None => env.push((name, value)),
        }
    }
    drop(syslog);
    if let Err(e) = exec::switch_user(&allowed.run_as) {
        return fail(&e.to_string(), RC_ERROR);
    }
    match exec::spawn_and_wait(&allowed.command, &env) {
        Ok(status) => code(status),
        Err(e) => fail(&e.to_string(), RC_ERROR),
    }
}

/// `--dry-run [--json] CONFIG -- CMD...`.
fn dry_run(args: &[OsString]) -> ExitCode {
    let cli = DryRun::parse_from(args);
    if exec::privilege() == Privilege::Setuid {
        // Inspection never needs privilege: give it up for good.
        if let Err(e) = exec::drop_to_real_ids() {
            eprintln!("oslo-rootwrap: {e}");
            return code(RC_ERROR);
        }
    }
    let check_trust = nix::unistd::geteuid().is_root();
    let env = exec::working_env(Privilege::Unprivileged);
    let path = exec::env_path(&env);
    let outcome = if cli.command.is_empty() {
        Outcome::NoCommand
    } else {
        match decision::load_config(&cli.config, path.as_deref(), check_trust) {
            Err(msg) => Outcome::BadConfig(msg),
            Ok(config) => {
                let (outcome, warnings) =
                    decision::decide(&config, bytes(cli.command), &MatchEnv { path }, check_trust);
                for w in warnings {
                    eprintln!("{w}");
                }
                outcome
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
    if exec::privilege() == Privilege::Setuid {
        if let Err(e) = exec::drop_to_real_ids() {
            eprintln!("oslo-rootwrap: {e}");
            return code(RC_ERROR);
        }
    }
    let env = exec::working_env(Privilege::Unprivileged);
    let path = exec::env_path(&env);
    let config = match decision::load_config(&cli.config, path.as_deref(), false) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("oslo-rootwrap: {msg}");
            return code(RC_BADCONFIG);
        }
    };
    let mut lines = Vec::new();
    if nix::unistd::geteuid().is_root() {
        if let Err(e) = rootwrap::trust::check_path(&cli.config) {
            lines.push(format!("{}: untrusted: {e}", cli.config.display()));
        }
    }
    for dir in &config.filters_path {
        let shown = pystr::display(dir);
        if !rootwrap::pyos::isdir(dir) {
            lines.push(format!(
                "{}: filters_path entry {shown:?} is not a directory: ignored",
                cli.config.display()
            ));
        } else if nix::unistd::geteuid().is_root() {
            if let Err(e) = rootwrap::trust::check_path(Path::new(std::ffi::OsStr::from_bytes(dir)))
            {
                lines.push(format!("{shown}: untrusted: {e}"));
            }
        }
    }
    match rootwrap::wrapper::load_filters(&config.filters_path, false) {
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
