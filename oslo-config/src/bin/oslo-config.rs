//! `oslo-config`: resolve a service's options as oslo.config would.
//!
//! * `oslo-config dump --opt-data SCHEMA [APP-ARGS...]` — every option's
//!   value as one JSON object (the conformance contract);
//! * `oslo-config explain --opt-data SCHEMA [APP-ARGS...]` — every
//!   option's value and where it came from.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use oslo_config::optdata::{self, LenientGroups};
use oslo_config::{CallArgs, ConfigOpts, Error, LocationInfo, Locations};
use pycompat::value::{Value, float_repr};

#[derive(Parser)]
#[command(
    name = "oslo-config",
    version,
    about = "Resolve options as oslo.config does"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every option's value as one JSON object.
    Dump(Args),
    /// Print every option's value and where it came from.
    Explain(Args),
}

#[derive(clap::Args)]
struct Args {
    /// The options: opt-data as `oslo-config-generator --format yaml` (or
    /// json) writes it, with the `x_cli`, `x_multi`, `x_type` extensions.
    #[arg(long = "opt-data", value_name = "SCHEMA")]
    opt_data: PathBuf,
    /// The application's command line (`--config-file`, `--config-dir`,
    /// command-line options).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    app_args: Vec<String>,
}

/// Options `ConfigOpts` owns itself.
const OWNED: [&str; 4] = [
    "config_file",
    "config_dir",
    "config_source",
    "shell_completion",
];

/// Registers the schema, parses, and reads every option in order.
fn resolve(groups: &LenientGroups, args: &[String]) -> Result<(ConfigOpts, Vec<Row>), Error> {
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
                value: Value::None,
                location: None,
            });
        }
    }
    conf.call(CallArgs {
        args: args.to_vec(),
        prog: Some("oslo-config".to_owned()),
        default_config_files: Some(Vec::new()),
        default_config_dirs: Some(Vec::new()),
        ..CallArgs::default()
    })?;
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

struct Row {
    group: String,
    dest: String,
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

fn describe(loc: Option<&LocationInfo>) -> String {
    match loc {
        None => "unset".to_owned(),
        Some(l) => match l.location {
            Locations::OptDefault => "default".to_owned(),
            Locations::SetDefault => "set_default".to_owned(),
            Locations::SetOverride => "set_override".to_owned(),
            Locations::User => match &l.value_at {
                Some((file, line)) => format!("file {file}:{line}"),
                None => format!("file {}", l.detail),
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
    let (Command::Dump(args) | Command::Explain(args)) = &mut cli.command;
    args.app_args.extend(app);
    let (Command::Dump(args) | Command::Explain(args)) = &cli.command;
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
            eprintln!("oslo-config: {}: {e}", args.opt_data.display());
            return ExitCode::from(2);
        }
    };
    let (_, rows) = match resolve(&groups, &args.app_args) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let mut out = String::new();
    match cli.command {
        Command::Dump(_) => {
            out.push('{');
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
        }
        Command::Explain(_) => {
            for row in &rows {
                out.push_str(&format!(
                    "[{}] {} = {}    # from {}\n",
                    row.group,
                    row.dest,
                    row.value.py_repr(),
                    describe(row.location.as_ref())
                ));
            }
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::SUCCESS
}
