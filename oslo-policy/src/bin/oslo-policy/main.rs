//! `oslo-policy`: the umbrella command of the policy tools.
//!
//! ```text
//! oslo-policy eval --policy FILE --cases CASES.jsonl   the conformance contract
//! oslo-policy explain --policy FILE --rule NAME [--target JSON] [--creds JSON]
//! oslo-policy lint FILE
//! oslo-policy diff OLD NEW [--defaults F] [--old-no-enforce-new-defaults] [--format json]
//! oslo-policy matrix POLICY [--defaults F] [--personas FILE] [--rule GLOB] [--format html]
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod batch;
mod diff;
mod matrix;

use clap::Parser;
use oslo_policy::Value;
use oslo_policy::analysis::{AnalysisError, Persona, Policy};
use oslo_policy::enforcer::{Config, EnforceError, Enforcer};
use oslo_policy::rules::{LoadError, Rules};
use oslo_policy::tools::policy::{Cli, Command, DiffFormat, MatrixFormat};

/// Why a command cannot start (exit status 2).
#[derive(Debug, thiserror::Error)]
enum InputError {
    /// A file or directory named on the command line is not usable.
    #[error("{option} {}: {message}", path.display())]
    Path {
        option: &'static str,
        path: PathBuf,
        message: String,
    },
    /// A file that could not be read (named alone).
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `--target`/`--creds` that is not JSON.
    #[error("--{what} is not JSON: {source}")]
    NotJson {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Enforce(#[from] EnforceError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Personas(#[from] oslo_policy::analysis::PersonasError),
}

fn json_arg(what: &'static str, text: &str) -> Result<Value, InputError> {
    oslo_policy::json::from_str(text).map_err(|source| InputError::NotJson { what, source })
}

/// Fails unless `path` can be opened and is a file (`dir`: a directory),
/// naming the option it was given to.
fn require(option: &'static str, path: &Path, dir: bool) -> Result<(), InputError> {
    let fail = |message: String| InputError::Path {
        option,
        path: path.to_path_buf(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    match (dir, meta.is_dir()) {
        (false, true) => Err(fail("is a directory, not a file".to_owned())),
        (true, false) => Err(fail("is not a directory".to_owned())),
        (false, false) => std::fs::File::open(path)
            .map(drop)
            .map_err(|e| fail(e.to_string())),
        (true, true) => std::fs::read_dir(path)
            .map(drop)
            .map_err(|e| fail(e.to_string())),
    }
}

fn explain(policy: &Path, rule: &str, target: &str, creds: &str) -> ExitCode {
    // Unlike an enforcer (for which a missing policy file is an empty
    // policy), a policy named on the command line must exist.
    let rules = match require("--policy", policy, false)
        .and_then(|()| Ok(Rules::load_file(policy, Some("default"))?))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oslo-policy: {e}");
            return ExitCode::from(2);
        }
    };
    let (target, mut creds) = match (json_arg("target", target), json_arg("creds", creds)) {
        (Ok(t), Ok(c)) => (t, c),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("oslo-policy: {e}");
            return ExitCode::from(2);
        }
    };
    let (result, tree) = rules.explain(rule, &target, &mut creds);
    print!("{}", tree.render());
    match result {
        Ok(true) => {
            println!("=> allowed");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            println!("=> denied");
            ExitCode::from(1)
        }
        Err(e) => {
            println!("=> error (a service denies): {e}");
            ExitCode::from(2)
        }
    }
}

fn lint(policy: &Path) -> ExitCode {
    let bytes = match require("policy file", policy, false).and_then(|()| {
        std::fs::read(policy).map_err(|source| InputError::Read {
            path: policy.to_path_buf(),
            source,
        })
    }) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("oslo-policy: {e}");
            return ExitCode::from(2);
        }
    };
    let findings = oslo_policy::lint::lint_source(&bytes);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for f in &findings {
        if writeln!(out, "{}:{f}", policy.display()).is_err() {
            return ExitCode::from(2);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The enforcer `eval` decides with. Every file and directory named on the
/// command line must exist (an enforcer would silently skip a missing
/// policy file or directory), except the policy file when registered
/// defaults or policy directories are given: an enforcer works from those
/// without a main file (services that ship defaults only, or deploy
/// `policy.d` only), so `eval` does too, and says so on stderr. Without
/// them a missing policy file would deny everything: refused.
fn enforcer(
    option: &'static str,
    policy: &Path,
    defaults: Option<&Path>,
    policy_dirs: Vec<PathBuf>,
    enforce_new_defaults: bool,
) -> Result<Enforcer, InputError> {
    let absent =
        matches!(std::fs::metadata(policy), Err(e) if e.kind() == std::io::ErrorKind::NotFound);
    if absent && (defaults.is_some() || !policy_dirs.is_empty()) {
        eprintln!(
            "oslo-policy: warning: {option} {} does not exist: only the registered defaults \
             and --policy-dir files apply",
            policy.display()
        );
    } else {
        require(option, policy, false)?;
    }
    if let Some(d) = defaults {
        require("--defaults", d, false)?;
    }
    for d in &policy_dirs {
        require("--policy-dir", d, true)?;
    }
    let config = Config {
        policy_file: policy.to_path_buf(),
        policy_dirs,
        default_rule: "default".to_owned(),
        enforce_new_defaults,
        ..Config::default()
    };
    let files: Vec<PathBuf> = defaults.map(Path::to_path_buf).into_iter().collect();
    let e = Enforcer::with_defaults_files(config, &files)?;
    e.load_rules()?;
    Ok(e)
}

fn eval(cases: &Path, enforcer: Result<Enforcer, InputError>) -> ExitCode {
    let rules = match enforcer {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oslo-policy: {e}");
            return ExitCode::from(2);
        }
    };
    match require("--cases", cases, false).and_then(|()| {
        std::fs::File::open(cases).map_err(|e| InputError::Path {
            option: "--cases",
            path: cases.to_path_buf(),
            message: e.to_string(),
        })
    }) {
        Ok(file) => batch::eval(rules, cases, file),
        Err(e) => {
            eprintln!("oslo-policy: {e}");
            ExitCode::from(2)
        }
    }
}

/// The paths and options of one side of `diff`.
struct Side<'a> {
    /// `OLD` or `NEW`, for messages.
    which: &'static str,
    policy: &'a Path,
    defaults: Option<&'a Path>,
    policy_dirs: &'a [PathBuf],
    enforce_new_defaults: bool,
}

impl Side<'_> {
    /// What the side is, in a few words: the files' names and the flag.
    fn title(&self) -> String {
        let name = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        let mut parts = Vec::new();
        if self.policy.exists() {
            parts.push(name(self.policy));
        }
        if let Some(d) = self.defaults {
            parts.push(format!("defaults {}", name(d)));
        }
        parts.extend(
            self.policy_dirs
                .iter()
                .map(|d| format!("policy.d {}", name(d))),
        );
        format!(
            "Policy matrix: {} (enforce_new_defaults = {})",
            parts.join(" + "),
            if self.enforce_new_defaults {
                "True"
            } else {
                "False"
            }
        )
    }

    fn load(&self) -> Result<Policy, InputError> {
        let e = enforcer(
            self.which,
            self.policy,
            self.defaults,
            self.policy_dirs.to_vec(),
            self.enforce_new_defaults,
        )?;
        Ok(Policy::new(e)?)
    }
}

fn diff(
    old: &Side<'_>,
    new: &Side<'_>,
    personas_file: Option<&Path>,
    format: DiffFormat,
) -> ExitCode {
    let report = old
        .load()
        .and_then(|o| Ok((o, new.load()?, personas(personas_file)?)))
        .and_then(|(o, n, p)| Ok(oslo_policy::analysis::diff(&o, &n, &p)?));
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oslo-policy: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match format {
        DiffFormat::Text => diff::text(&report),
        DiffFormat::Json => format!("{}\n", diff::json(&report)),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    if report.changed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What `matrix` is asked for.
struct MatrixArgs<'a> {
    side: Side<'a>,
    personas: Option<&'a Path>,
    rules: &'a [String],
    format: MatrixFormat,
}

/// The default personas, or those of `--personas FILE`.
fn personas(path: Option<&Path>) -> Result<Vec<Persona>, InputError> {
    let Some(path) = path else {
        return Ok(oslo_policy::analysis::default_personas());
    };
    require("--personas", path, false)?;
    let bytes = std::fs::read(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(oslo_policy::analysis::read_personas(
        &bytes,
        &path.display().to_string(),
    )?)
}

fn matrix(args: &MatrixArgs<'_>) -> ExitCode {
    let built = args.side.load().and_then(|policy| {
        let personas = personas(args.personas)?;
        let select =
            |name: &str| args.rules.is_empty() || args.rules.iter().any(|g| matrix::glob(g, name));
        Ok(oslo_policy::analysis::matrix(&policy, &personas, &select)?)
    });
    let m = match built {
        Ok(m) => m,
        Err(e) => {
            eprintln!("oslo-policy: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match args.format {
        MatrixFormat::Text => matrix::text(&m),
        MatrixFormat::Markdown => matrix::markdown(&m),
        MatrixFormat::Csv => matrix::csv(&m),
        MatrixFormat::Json => matrix::json(&m),
        MatrixFormat::Html => matrix::html(&m, &args.side.title()),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Eval {
            policy,
            cases,
            defaults,
            policy_dirs,
            no_enforce_new_defaults,
        } => {
            let e = enforcer(
                "--policy",
                &policy,
                defaults.as_deref(),
                policy_dirs,
                !no_enforce_new_defaults,
            );
            eval(&cases, e)
        }
        Command::Explain {
            policy,
            rule,
            target,
            creds,
        } => explain(&policy, &rule, &target, &creds),
        Command::Lint { policy } => lint(&policy),
        Command::Matrix {
            policy,
            defaults,
            policy_dirs,
            no_enforce_new_defaults,
            personas,
            rules,
            format,
        } => matrix(&MatrixArgs {
            side: Side {
                which: "POLICY",
                policy: &policy,
                defaults: defaults.as_deref(),
                policy_dirs: &policy_dirs,
                enforce_new_defaults: !no_enforce_new_defaults,
            },
            personas: personas.as_deref(),
            rules: &rules,
            format,
        }),
        Command::Diff {
            old,
            new,
            defaults,
            old_defaults,
            new_defaults,
            policy_dirs,
            old_no_enforce_new_defaults,
            new_no_enforce_new_defaults,
            personas,
            format,
        } => {
            let old = Side {
                which: "OLD",
                policy: &old,
                defaults: old_defaults.as_deref().or(defaults.as_deref()),
                policy_dirs: &policy_dirs,
                enforce_new_defaults: !old_no_enforce_new_defaults,
            };
            let new = Side {
                which: "NEW",
                policy: &new,
                defaults: new_defaults.as_deref().or(defaults.as_deref()),
                policy_dirs: &policy_dirs,
                enforce_new_defaults: !new_no_enforce_new_defaults,
            };
            diff(&old, &new, personas.as_deref(), format)
        }
    }
}
