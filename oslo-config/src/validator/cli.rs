//! The command line of `oslo-config-validator`: like the Python tool
//! (`main`), its options are oslo.config CLI options parsed by a
//! [`ConfigOpts`], so abbreviations, usage and help texts,
//! `--config-file`/`--config-dir` and the default config files,
//! `OS_DEFAULT__*` variables, `$` interpolation, value errors and the
//! `config_source` log lines are those of the library.

use std::collections::HashMap;

use pycompat::value::Value;

use crate::conf::{CallArgs, ConfigOpts};
use crate::error::Error;
use crate::opts::Opt;

use super::{
    Failure, Report, Settings, VALIDATE_DEFAULTS_EXCLUSIONS, VERSION, check, load_input,
    load_opt_data, report,
};

/// `_validator_opts`.
fn validator_opts() -> Vec<Opt> {
    vec![
        Opt::multi_string("namespace")
            .help("Option namespace under \"oslo.config.opts\" in which to query for options."),
        Opt::string("input-file")
            .required(true)
            .help("Config file to validate."),
        Opt::string("opt-data").help(
            "Path to a YAML file containing definitions of options, as output by the config \
             generator.",
        ),
        Opt::boolean("check-defaults")
            .default(false)
            .help("Report differences between the sample values and current values."),
        Opt::list("exclude-options")
            .default(Value::List(
                VALIDATE_DEFAULTS_EXCLUSIONS
                    .iter()
                    .map(|p| Value::str(*p))
                    .collect(),
            ))
            .help(
                "Exclude options matching these patterns when comparing the current and sample \
                 configurations.",
            ),
        Opt::boolean("fatal-warnings")
            .default(false)
            .help("Report failure if any warnings are found."),
        Opt::multi_string("exclude-group")
            .default(Value::List(Vec::new()))
            .help(
                "Groups that should not be validated if they are present in the specified \
                 input-file. This may be necessary for dynamically named groups which do not \
                 appear in the sample config data.",
            ),
    ]
}

/// What the command printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status.
    pub code: i32,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure(e.traceback_line())
    }
}

/// The validator's options as `_validate` reads them (`conf.<name>`).
impl Settings for ConfigOpts {
    fn check_defaults(&mut self) -> Result<bool, Failure> {
        Ok(self.get("check_defaults")?.truthy())
    }
    fn exclude_options(&mut self) -> Result<Vec<String>, Failure> {
        Ok(strings(&self.get("exclude_options")?))
    }
    fn exclude_group(&mut self) -> Result<Vec<String>, Failure> {
        Ok(strings(&self.get("exclude_group")?))
    }
    fn fatal_warnings(&mut self) -> Result<bool, Failure> {
        Ok(self.get("fatal_warnings")?.truthy())
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().map(Value::py_str).collect(),
        _ => Vec::new(),
    }
}

/// A `ConfigOpts` with the validator's options.
fn config_opts(env: &HashMap<String, String>) -> Result<ConfigOpts, Error> {
    let mut conf = ConfigOpts::new();
    conf.set_environment(env.clone());
    conf.register_cli_opts(validator_opts(), None)?;
    Ok(conf)
}

/// `oslo-config-validator`'s command line as data (the `--help` it
/// prints), for man pages and shell completions.
pub fn command_doc() -> Result<crate::clidoc::CommandDoc, Error> {
    let mut conf = config_opts(&HashMap::new())?;
    conf.call(CallArgs {
        args: Vec::new(),
        prog: Some("oslo-config-validator".to_owned()),
        version: Some(VERSION.to_owned()),
        default_config_files: Some(Vec::new()),
        default_config_dirs: Some(Vec::new()),
        ..CallArgs::default()
    })
    .or_else(|e| match e {
        // `--input-file` is required: the parser is built all the same.
        Error::RequiredOpt { .. } => Ok(()),
        e => Err(e),
    })?;
    conf.command_doc()
}

/// Runs `oslo-config-validator` with `args` (without the program name)
/// in the environment `env`; `prog` is the program name argparse shows
/// (`basename(argv[0])`, `.py` removed).
pub fn run(prog: &str, args: &[String], env: &HashMap<String, String>) -> Outcome {
    let prog = prog.strip_suffix(".py").unwrap_or(prog);
    let mut out = Outcome::default();
    if args.first().map(String::as_str) == Some("--shell_completion")
        && matches!(args.get(1).map(String::as_str), Some("bash" | "zsh"))
    {
        out.stderr.push_str(
            "oslo-config-validator: --shell_completion is not supported by this implementation\n",
        );
        out.code = 1;
        return out;
    }
    let mut conf = match config_opts(env) {
        Ok(conf) => conf,
        Err(e) => return raised(out, &e),
    };
    let called = conf.call(CallArgs {
        args: args.to_vec(),
        prog: Some(prog.to_owned()),
        version: Some(VERSION.to_owned()),
        ..CallArgs::default()
    });
    for record in conf.take_log() {
        out.stderr.push_str(&record.render());
        out.stderr.push('\n');
    }
    match called {
        Ok(()) => {}
        Err(Error::Exit {
            status,
            message,
            stdout,
            ..
        }) => {
            if stdout {
                out.stdout.push_str(&message);
            } else {
                out.stderr.push_str(&message);
            }
            out.code = status;
            return out;
        }
        Err(e @ Error::RequiredOpt { .. }) => {
            out.stdout.push_str(&conf.help_text());
            if args.is_empty() {
                // `raise SystemExit(1)`: nothing on stderr.
                out.code = 1;
                return out;
            }
            return raised(out, &e);
        }
        Err(e) => return raised(out, &e),
    }
    let report = match validate(&mut conf) {
        Ok(report) => report,
        Err(line) => {
            out.stderr.push_str(&line.0);
            out.stderr.push('\n');
            out.code = 1;
            return out;
        }
    };
    for record in conf.take_log() {
        out.stderr.push_str(&record.render());
        out.stderr.push('\n');
    }
    out.stderr.push_str(&report.stderr());
    out.code = report.exit_code;
    out
}

/// An exception ends the command: its traceback's last line, status 1.
fn raised(mut out: Outcome, e: &Error) -> Outcome {
    let line = match e {
        Error::UnsupportedSource { .. } => format!("oslo-config-validator: {e}"),
        e => e.traceback_line(),
    };
    out.stderr.push_str(&line);
    out.stderr.push('\n');
    out.code = 1;
    out
}

/// `_validate`, once the command line is parsed; `Err` is an exception
/// raised before the checks log anything.
fn validate(conf: &mut ConfigOpts) -> Result<Report, Failure> {
    if conf.get("namespace")?.truthy() {
        return Err(Failure(
            "oslo-config-validator: --namespace is not supported by this implementation (it \
             needs the Python entry points); generate the option data with \
             `oslo-config-generator --namespace ... --format yaml` and pass it with --opt-data"
                .to_owned(),
        ));
    }
    let opt_data = match conf.get("opt_data")? {
        Value::Str(path) if !path.is_empty() => path,
        _ => {
            return Err(Failure(
                "RuntimeError: Neither namespace nor opt-data provided.".to_owned(),
            ));
        }
    };
    let opt_data = load_opt_data(&opt_data)?;
    let input = conf.get("input_file")?.py_str();
    let doc = load_input(&input)?;
    let merged = doc.merged();
    let mut log = Vec::new();
    let result = check(&opt_data, &merged, conf, &mut log);
    Ok(report(log, result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_and_help_at_80_columns() {
        let env = HashMap::from([("COLUMNS".to_owned(), "80".to_owned())]);
        let out = run("oslo-config-validator", &["-h".to_owned()], &env);
        assert_eq!(out.code, 0);
        assert!(out.stdout.starts_with(
            "usage: oslo-config-validator [-h] [--check-defaults] [--config-dir DIR]
                             [--config-file PATH]
                             [--exclude-group EXCLUDE_GROUP]
                             [--exclude-options EXCLUDE_OPTIONS]
                             [--fatal-warnings] [--input-file INPUT_FILE]
                             [--namespace NAMESPACE] [--nocheck-defaults]
                             [--nofatal-warnings] [--opt-data OPT_DATA]
                             [--shell_completion SHELL_COMPLETION] [--version]\n"
        ));
        assert!(out.stdout.contains(
            "\n  --opt-data OPT_DATA   Path to a YAML file containing definitions of options,\n"
        ));
        assert!(
            out.stdout
                .ends_with("  --version             show program's version number and exit\n")
        );
    }

    #[test]
    fn config_source_problems_are_logged() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("v.conf");
        std::fs::write(
            &conf,
            "[DEFAULT]\nconfig_source = extra, other\n[extra]\ndriver = nope\n",
        )
        .unwrap();
        let args = [
            "--config-file".to_owned(),
            conf.to_string_lossy().into_owned(),
        ];
        let out = run("oslo-config-validator", &args, &HashMap::new());
        let mut lines = out.stderr.lines();
        assert_eq!(
            lines.next().unwrap(),
            format!(
                "ERROR:oslo_config.cfg:could not load configuration from 'extra'. Value for \
                 option driver from LocationInfo(location=<Locations.user: (4, True)>, \
                 detail='{}') is not valid: Valid values are [remote_file], but found 'nope'",
                conf.display()
            )
        );
        assert_eq!(
            lines.next().unwrap(),
            "ERROR:oslo_config.cfg:could not load configuration from 'other', no 'driver' is set."
        );
    }
}
