//! `oslo-config`: resolve a service's options as oslo.config would.
//!
//! * `oslo-config dump --opt-data SCHEMA [APP-ARGS...]` — every option's
//!   value as one JSON object (the conformance contract: the reference's
//!   values and error texts, secrets included);
//! * `oslo-config explain [--show-secrets] --opt-data SCHEMA [APP-ARGS...]`
//!   — every option's value and where it came from, then every problem;
//! * `oslo-config check [--show-secrets] [--strict] [--format text|json]
//!   --opt-data SCHEMA [APP-ARGS...]` — every problem of the
//!   configuration, `FILE:LINE: [group] name: what is wrong`.
//!
//! Our own flags come before `--opt-data SCHEMA`; everything after it is
//! the application's command line.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use oslo_config::check::{self, Report};
use oslo_config::cli::{Cli, Command, Format};
use oslo_config::optdata::{self, LenientGroups};
use oslo_config::report::{Secrets, describe, shown_path};
use oslo_config::{CallArgs, ConfigOpts, Error, LocationInfo, Locations};
use pycompat::value::{Value, float_repr};

/// Options `ConfigOpts` owns itself.
const OWNED: [&str; 4] = [
    "config_file",
    "config_dir",
    "config_source",
    "shell_completion",
];

/// How `dump` (and so `explain` and `check`) call `ConfigOpts`.
fn call_args(args: &[String]) -> CallArgs {
    CallArgs {
        args: args.to_vec(),
        prog: Some("oslo-config".to_owned()),
        default_config_files: Some(Vec::new()),
        default_config_dirs: Some(Vec::new()),
        ..CallArgs::default()
    }
}

/// Registers the schema, parses, and reads every option in order.
fn resolve(groups: &LenientGroups, args: &[String]) -> Result<(ConfigOpts, Vec<Row>), Error> {
    let (mut conf, mut rows) = register(groups)?;
    conf.call(call_args(args))?;
    for row in &mut rows {
        let group = (row.group != "DEFAULT").then_some(row.group.as_str());
        row.value = match group {
            // `conf[name]` for a group's name is the group itself.
            None if conf.groups().iter().any(|g| g.name == row.dest) => {
                Value::Dict(vec![(Value::str("$group"), Value::str(row.dest.as_str()))])
            }
            None => conf.get(&row.dest)?,
            Some(g) => conf.get_in(Some(g), &row.dest)?,
        };
        row.location = conf.get_location(&row.dest, group).ok().flatten();
    }
    Ok((conf, rows))
}

/// Registers the schema's options, in order; a row per option.
fn register(groups: &LenientGroups) -> Result<(ConfigOpts, Vec<Row>), Error> {
    let mut conf = ConfigOpts::new();
    let mut rows: Vec<Row> = Vec::new();
    for (group, opts) in groups {
        let group_name = (group.name != "DEFAULT").then_some(group.name.as_str());
        if group_name.is_some() {
            conf.register_group(group.clone());
        }
        for entry in opts {
            let entry = entry.as_ref().map_err(Clone::clone)?;
            if group_name.is_none() && OWNED.contains(&entry.opt.dest.as_str()) {
                continue;
            }
            if entry.cli {
                conf.register_cli_opt(entry.opt.clone(), group_name)?;
            } else {
                conf.register_opt(entry.opt.clone(), group_name)?;
            }
            if rows
                .iter()
                .any(|r| r.group == group.name && r.dest == entry.opt.dest)
            {
                continue;
            }
            rows.push(Row {
                group: group.name.clone(),
                dest: entry.opt.dest.clone(),
                secret: entry.opt.secret,
                value: Value::None,
                location: None,
            });
        }
    }
    Ok((conf, rows))
}

struct Row {
    group: String,
    dest: String,
    secret: bool,
    value: Value,
    location: Option<LocationInfo>,
}

/// The contract's JSON: exact types, floats with a fraction or
/// exponent, non-finite floats as `{"$float": ...}`.
fn json(value: &Value, out: &mut String) {
    match value {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(i),
        Value::Float(f) if f.is_nan() => out.push_str(r#"{"$float": "nan"}"#),
        Value::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 {
            r#"{"$float": "inf"}"#
        } else {
            r#"{"$float": "-inf"}"#
        }),
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json(item, out);
            }
            out.push(']');
        }
        Value::Dict(items) => {
            out.push('{');
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let key = match k {
                    Value::Str(s) => s.clone(),
                    Value::None => "null".to_owned(),
                    Value::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
                    other => other.py_str(),
                };
                out.push_str(&serde_json::Value::String(key).to_string());
                out.push_str(": ");
                json(v, out);
            }
            out.push('}');
        }
        Value::Other { str, .. } => {
            out.push_str(&serde_json::Value::String(str.clone()).to_string())
        }
    }
}

fn describe_location(loc: Option<&LocationInfo>) -> String {
    match loc {
        None => "unset".to_owned(),
        Some(l) => match l.location {
            Locations::OptDefault => "default".to_owned(),
            Locations::SetDefault => "set_default".to_owned(),
            Locations::SetOverride => "set_override".to_owned(),
            Locations::User => match &l.value_at {
                Some((file, line)) => format!("file {}:{line}", shown_path(file)),
                None => format!("file {}", shown_path(&l.detail)),
            },
            Locations::CommandLine => "command line".to_owned(),
            Locations::Environment => format!("environment {}", l.detail),
        },
    }
}

fn fail(e: &Error) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    if let Error::Exit {
        status,
        message,
        stdout,
        ..
    } = e
    {
        if *stdout {
            print!("{message}");
        } else {
            let _ = write!(stderr, "{message}");
        }
        let _ = writeln!(stderr, "SystemExit: {status}");
        return ExitCode::from(u8::try_from(*status).unwrap_or(1).max(1));
    }
    let _ = writeln!(stderr, "{}: {e}", e.python_class());
    ExitCode::from(1)
}

/// Splits the command line after `--opt-data SCHEMA`: what follows is the
/// application's, verbatim (clap would swallow a `--` in it).
fn split_argv(argv: Vec<String>) -> (Vec<String>, Vec<String>) {
    let end = argv.iter().enumerate().skip(1).find_map(|(i, a)| {
        if a == "--opt-data" {
            Some(i + 2)
        } else if a.starts_with("--opt-data=") {
            Some(i + 1)
        } else {
            None
        }
    });
    match end {
        Some(end) if end <= argv.len() => {
            let mut ours = argv;
            let app = ours.split_off(end);
            (ours, app)
        }
        _ => (argv, Vec::new()),
    }
}

/// Every problem of the configuration: [`check::check`] on the schema's
/// options (or, if they cannot be registered, why).
fn problems(groups: &LenientGroups, args: &[String], secrets: Secrets) -> Report {
    match register(groups) {
        Ok((conf, _)) => check::check(&conf, call_args(args), secrets),
        Err(e) => Report {
            problems: describe(&e, secrets),
        },
    }
}

/// Prints the problems (text) to `out`.
fn print_problems(report: &Report, out: &mut dyn Write) {
    for p in &report.problems {
        let _ = writeln!(out, "{p}");
    }
}

/// `N errors, M warnings` for stderr.
fn summary(command: &str, report: &Report) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    format!(
        "oslo-config {command}: {}, {}",
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning")
    )
}

fn main() -> ExitCode {
    let argv: Vec<String> = match std::env::args_os().map(|a| a.into_string()).collect() {
        Ok(v) => v,
        Err(bad) => {
            eprintln!("oslo-config: argument is not UTF-8: {bad:?}");
            return ExitCode::from(2);
        }
    };
    let (ours, app) = split_argv(argv);
    let mut cli = Cli::parse_from(ours);
    cli.command.args_mut().app_args.extend(app);
    let args = cli.command.args_mut();
    let groups = match std::fs::read(&args.opt_data) {
        Ok(bytes) => match pycompat::yaml::safe_load(&bytes)
            .map_err(|e| Error::Value(format!("not valid YAML: {e}")))
            .and_then(|doc| optdata::from_value_lenient(&doc))
        {
            Ok(g) => g,
            Err(e) => {
                eprintln!("oslo-config: {}: {e}", args.opt_data.display());
                return ExitCode::from(2);
            }
        },
        Err(e) => {
            eprintln!(
                "oslo-config: cannot read --opt-data {}: {e}",
                args.opt_data.display()
            );
            return ExitCode::from(2);
        }
    };
    let app_args = args.app_args.clone();
    match cli.command {
        Command::Dump(_) => dump(&groups, &app_args),
        Command::Explain(e) => {
            let secrets = if e.show_secrets {
                Secrets::Shown
            } else {
                Secrets::Masked
            };
            explain(&groups, &app_args, secrets)
        }
        Command::Check(c) => {
            let secrets = if c.show_secrets {
                Secrets::Shown
            } else {
                Secrets::Masked
            };
            let report = problems(&groups, &app_args, secrets);
            let mut stdout = std::io::stdout().lock();
            match c.format {
                Format::Text => print_problems(&report, &mut stdout),
                Format::Json => {
                    let all: Vec<serde_json::Value> =
                        report.problems.iter().map(|p| p.to_json()).collect();
                    let _ = writeln!(stdout, "{}", serde_json::Value::Array(all));
                }
            }
            let _ = stdout.flush();
            if report.problems.is_empty() {
                return ExitCode::SUCCESS;
            }
            eprintln!("{}", summary("check", &report));
            if report.failed(c.strict) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// `dump`: the conformance contract.
fn dump(groups: &LenientGroups, app_args: &[String]) -> ExitCode {
    let (_, rows) = match resolve(groups, app_args) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let mut out = String::from("{");
    for (gi, (group, _)) in groups.iter().enumerate() {
        if gi > 0 {
            out.push_str(", ");
        }
        out.push_str(&serde_json::Value::String(group.name.clone()).to_string());
        out.push_str(": {");
        let mut first = true;
        for row in rows.iter().filter(|r| r.group == group.name) {
            if !first {
                out.push_str(", ");
            }
            first = false;
            out.push_str(&serde_json::Value::String(row.dest.clone()).to_string());
            out.push_str(": ");
            json(&row.value, &mut out);
        }
        out.push('}');
    }
    out.push_str("}\n");
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// `explain`: the values (secrets masked) and where they came from, then
/// every problem on stderr.
fn explain(groups: &LenientGroups, app_args: &[String], secrets: Secrets) -> ExitCode {
    let resolved = resolve(groups, app_args);
    if let Ok((_, rows)) = &resolved {
        let mut out = String::new();
        for row in rows {
            out.push_str(&format!(
                "[{}] {} = {}    # from {}\n",
                row.group,
                row.dest,
                secrets.show(row.secret, || row.value.py_repr()),
                describe_location(row.location.as_ref())
            ));
        }
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
    let mut report = problems(groups, app_args, secrets);
    if let Err(e) = &resolved {
        if report.errors() == 0 {
            // What check does not model: say what failed, never nothing.
            report.problems.extend(describe(e, secrets));
        }
    }
    if report.problems.is_empty() {
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    print_problems(&report, &mut stderr);
    let _ = writeln!(stderr, "{}", summary("explain", &report));
    if report.failed(false) || resolved.is_err() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
