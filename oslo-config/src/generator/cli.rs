//! The command line of `oslo-config-generator`: like the Python tool, its
//! options are oslo.config CLI options parsed by a [`ConfigOpts`], so
//! `--config-file` / `--config-dir` generator configs (keys are the
//! dests: `output_file`, `wrap_width`, `namespace`, `format_`…), default
//! config files, `OS_DEFAULT__*` variables, abbreviations and error
//! messages all behave as they do there. `--opt-data FILE` (repeatable)
//! is our addition.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use pycompat::value::Value;

use crate::conf::{CallArgs, ConfigOpts};
use crate::error::Error;
use crate::opts::Opt;
use crate::types::{IntegerType, StringType, Type};

use super::{Format, GeneratorOptions, NamespaceRegistry, generate};

/// `_generator_opts`, plus `--opt-data`.
fn generator_opts() -> Vec<Opt> {
    let choices = [
        (
            "ini",
            "The only format that can be used directly with oslo.config.",
        ),
        (
            "json",
            "Intended for third-party tools that want to write config files based on the \
             sample config data.",
        ),
        ("yaml", "Same as json"),
        (
            "rst",
            "Can be used to dump the text given to Sphinx when building documentation using \
             the Sphinx extension. Useful for debugging,",
        ),
    ];
    vec![
        Opt::string("output-file").help("Path of the file to write to. Defaults to stdout."),
        Opt::new(
            "wrap-width",
            Type::Integer(IntegerType {
                min: Value::int("0"),
                ..IntegerType::default()
            }),
        )
        .default(70)
        .help("The maximum length of help lines."),
        // Required in the reference; here `--opt-data` may stand in for it.
        Opt::multi_string("namespace")
            .help("Option namespace under \"oslo.config.opts\" in which to query for options."),
        Opt::boolean("minimal")
            .default(false)
            .help("Generate a minimal required configuration."),
        Opt::boolean("summarize").default(false).help(
            "Only output summaries of help text to config files. Retain longer help text for \
             Sphinx documents.",
        ),
        Opt::new(
            "format",
            Type::String(StringType {
                choices: Some(
                    choices
                        .iter()
                        .map(|(v, d)| (Value::str(*v), Some((*d).to_owned())))
                        .collect(),
                ),
                ..StringType::default()
            }),
        )
        .dest("format_")
        .default("ini")
        .help("Desired format for the output."),
        Opt::multi_string("opt-data").metavar("FILE").help(
            "Read the options from opt-data written by the Python generator (--format yaml or \
             json) instead of --namespace entry points; repeatable.",
        ),
    ]
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().map(Value::py_str).collect(),
        Value::None => Vec::new(),
        other => vec![other.py_str()],
    }
}

/// Reads the generator's options from a parsed `ConfigOpts`.
fn options(conf: &ConfigOpts) -> Result<GeneratorOptions, Error> {
    let format = match conf.get_str(None, "format_")?.as_deref() {
        Some("json") => Format::Json,
        Some("yaml") => Format::Yaml,
        Some("rst") => Format::Rst,
        _ => Format::Ini,
    };
    Ok(GeneratorOptions {
        namespaces: strings(&conf.get("namespace")?),
        opt_data: strings(&conf.get("opt_data")?)
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        output_file: conf.get_str(None, "output_file")?,
        wrap_width: conf.get("wrap_width")?,
        minimal: conf.get_bool(None, "minimal")? == Some(true),
        summarize: conf.get_bool(None, "summarize")? == Some(true),
        format,
        config_file: strings(&conf.get("config_file")?),
        config_dir: strings(&conf.get("config_dir")?),
    })
}

/// The whole program; the exit status.
/// `oslo-config-generator`'s command line as data (the `--help` it
/// prints), for man pages and shell completions.
pub fn command_doc() -> Result<crate::clidoc::CommandDoc, Error> {
    let mut conf = ConfigOpts::new();
    conf.register_cli_opts(generator_opts(), None)?;
    conf.call(CallArgs {
        args: Vec::new(),
        prog: Some("oslo-config-generator".to_owned()),
        version: Some("10.7.0".to_owned()),
        default_config_files: Some(Vec::new()),
        default_config_dirs: Some(Vec::new()),
        ..CallArgs::default()
    })?;
    conf.command_doc()
}

pub(crate) fn run(args: Vec<OsString>, registry: &NamespaceRegistry) -> i32 {
    let argv: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let prog = argv
        .first()
        .and_then(|a| a.rsplit('/').next())
        .map(|b| b.strip_suffix(".py").unwrap_or(b).to_owned())
        .unwrap_or_else(|| "oslo-config-generator".to_owned());
    let mut stderr = std::io::stderr();
    let mut conf = ConfigOpts::new();
    let called = conf
        .register_cli_opts(generator_opts(), None)
        .and_then(|()| {
            conf.call(CallArgs {
                args: argv.get(1..).unwrap_or_default().to_vec(),
                prog: Some(prog),
                version: Some("10.7.0".to_owned()),
                ..CallArgs::default()
            })
        });
    let options = match called.and_then(|()| options(&conf)) {
        Ok(o) => o,
        Err(Error::Exit {
            status,
            message,
            stdout,
            ..
        }) => {
            if stdout {
                print!("{message}");
            } else {
                let _ = write!(stderr, "{message}");
            }
            return status;
        }
        Err(e) => {
            let _ = writeln!(stderr, "{}", e.traceback_line());
            return 1;
        }
    };
    if options.namespaces.is_empty() && options.opt_data.is_empty() {
        print!("{}", conf.help_text());
        if argv.len() > 1 {
            let _ = writeln!(
                stderr,
                "oslo_config.cfg.RequiredOptError: value required for option namespace in group \
                 [DEFAULT] (or give --opt-data FILE)"
            );
        }
        return 1;
    }
    if conf
        .get_str(None, "shell_completion")
        .ok()
        .flatten()
        .is_some()
    {
        let _ = writeln!(
            stderr,
            "oslo-config-generator: --shell_completion is not supported"
        );
        return 1;
    }
    // The reference opens (and truncates) the output file first, before
    // looking at the namespaces: its failure comes first too.
    let mut file = match &options.output_file {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Some(f),
            Err(e) => {
                output_failed(&mut stderr, "open", path, &e);
                return 1;
            }
        },
        None => None,
    };
    let output = match generate(&options, registry) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(stderr, "oslo-config-generator: {e}");
            return 1;
        }
    };
    for w in &output.warnings {
        let _ = writeln!(stderr, "{w}");
    }
    let written = match file.as_mut() {
        Some(f) => f.write_all(output.text.as_bytes()).and_then(|()| f.flush()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(output.text.as_bytes())
                .and_then(|()| stdout.flush())
        }
    };
    match (written, &options.output_file) {
        (Ok(()), _) => 0,
        (Err(e), Some(path)) => {
            output_failed(&mut stderr, "write", path, &e);
            1
        }
        (Err(e), None) => {
            let _ = writeln!(
                stderr,
                "oslo-config-generator: cannot write the sample to standard output: {}",
                crate::report::strerror(&e)
            );
            1
        }
    }
}

/// `--output-file` could not be opened or written: what, where and why,
/// then the reference's last line (its traceback ends with the `OSError`).
fn output_failed(stderr: &mut impl Write, operation: &str, path: &str, e: &std::io::Error) {
    let _ = writeln!(
        stderr,
        "oslo-config-generator: cannot {operation} --output-file {}{}: {}",
        pycompat::value::str_repr(path),
        if operation == "open" {
            " for writing"
        } else {
            ""
        },
        crate::report::strerror(e)
    );
    let reference = if operation == "open" {
        crate::report::os_error_line(e, path)
    } else {
        // A failed write names no file.
        match e.raw_os_error() {
            Some(errno) => format!("OSError: [Errno {errno}] {}", crate::report::strerror(e)),
            None => format!("OSError: {e}"),
        }
    };
    let _ = writeln!(stderr, "{reference}");
}
