//! The sample configuration generator (`oslo_config/generator.py`,
//! `oslo-config-generator`): from options grouped by namespace and group,
//! the commented INI sample (`--format ini`) or the machine-readable
//! opt-data (`--format yaml|json`), byte for byte as oslo.config 10.7.0
//! writes them.
//!
//! Options come from two places:
//!
//! * a [`NamespaceRegistry`]: namespace name → a `list_opts` function, the
//!   equivalent of the `oslo.config.opts` entry points (a service binary
//!   registers its own and calls [`main`]); registration order stands for
//!   the order `stevedore` loads entry points in;
//! * opt-data files (`--opt-data FILE`, our extension, repeatable) written
//!   by the Python generator with `--format yaml` or `--format json`
//!   (JSON is read as `json.loads` reads it): every entry records its
//!   namespace, so `oslo-config-generator --opt-data keystone.yaml`
//!   prints what `oslo-config-generator --namespace keystone` printed.
//!
//! Without `--namespace`, every namespace of the opt-data files is used
//! and `generator_options.namespace` is the list the file recorded. With
//! `--namespace`, only those namespaces are used — from the registry if
//! registered there, else from the first opt-data file that has them —
//! and a namespace found in neither is an error (the Python tool only
//! logs a warning).
//!
//! ```
//! use oslo_config::generator::{GeneratorOptions, GroupSpec, NamespaceRegistry, generate};
//! use oslo_config::Opt;
//! let mut registry = NamespaceRegistry::new();
//! registry.register("demo", || {
//!     vec![(GroupSpec::Default, vec![Opt::string("host").help("Where to listen.")])]
//! });
//! let options = GeneratorOptions {
//!     namespaces: vec!["demo".to_owned()],
//!     ..GeneratorOptions::default()
//! };
//! let out = generate(&options, &registry).unwrap();
//! assert!(out.text.starts_with("[DEFAULT]\n\n#\n# From demo\n#\n\n# Where to listen."));
//! ```
//!
//! # What opt-data cannot carry
//!
//! `--format yaml|json` from opt-data is the Python output. The INI
//! sample differs where the Python generator looks at more than opt-data
//! records:
//!
//! * `types.List(bounds=True)` (`[a,b]`) and non-string list item types
//!   (a list of `Dict`s prints `k:v`, of `Boolean`s lowercase);
//! * `sample_min`/`sample_max` (the sample prints them, opt-data has the
//!   real bounds);
//! * `DeprecatedOpt`s without a name: opt-data fills in the option's
//!   name, and the INI sample lists only named ones; an entry whose
//!   deprecated name equals the option's own is taken to be unnamed, so an
//!   explicit `DeprecatedOpt('same_name', group='old')` loses its
//!   `# Deprecated group/name` line;
//! * one namespace listing one group twice (`None` and `'DEFAULT'`, an
//!   `OptGroup` and a string): Python prints two `# From` blocks; the
//!   opt-data shows one run of options, split only where a dest repeats;
//! * which groups the reference met first, which orders the entries of
//!   `deprecated_options`: recovered from the file's own
//!   `deprecated_options`, exact for the whole file.
//!
//! PyYAML writes a default that several entries share (one Python object)
//! once with an anchor and then as aliases; those come back only from
//! YAML opt-data (JSON has no identities), and never from a registry.
//!
//! # What the `Opt` model cannot carry
//!
//! From a registry, the sample uses `Type::type_name()` (no custom
//! `type_name`, no bare `types.Port()` "port"), float bounds as floats
//! (`FloatOpt(min=0)` prints `0` in Python, `0.0` here) and no
//! `sample_min`/`sample_max`.
//!
//! `--format rst` (Sphinx) and `--shell_completion` are not supported.

mod cli;
mod machine;
mod model;
mod sample;

pub use cli::command_doc;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use pycompat::value::Value;

use crate::error::{Error, Result};
use crate::opts::{Opt, OptGroup};

/// The group a `list_opts` function puts options in: Python's `None`, a
/// group name, or an `OptGroup` (whose help the sample prints).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GroupSpec {
    /// `None`: `[DEFAULT]`.
    Default,
    /// A group name (normalised to lowercase, except `DEFAULT`).
    Name(String),
    /// An `OptGroup` object.
    Group(OptGroup),
}

/// What a `list_opts` function returns: groups and their options.
pub type OptListing = Vec<(GroupSpec, Vec<Opt>)>;

/// Driver name → the options that driver registers (an
/// `oslo.config.opts.<driver_option>` entry point's result).
pub type DriverListing = Vec<(String, Vec<Opt>)>;

type ListFn = Box<dyn Fn() -> OptListing + Send + Sync>;
type DriverFn = Box<dyn Fn() -> DriverListing + Send + Sync>;

/// The `oslo.config.opts` entry points of a program: namespace name →
/// `list_opts` function, in registration order (the order the Python
/// generator's `stevedore` loads them in, which orders `--format
/// yaml|json` output within a group).
#[derive(Default)]
pub struct NamespaceRegistry {
    namespaces: Vec<(String, ListFn)>,
    drivers: Vec<(String, String, DriverFn)>,
}

impl fmt::Debug for NamespaceRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamespaceRegistry")
            .field(
                "namespaces",
                &self.namespaces.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field(
                "drivers",
                &self
                    .drivers
                    .iter()
                    .map(|(d, n, _)| (d, n))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl NamespaceRegistry {
    /// An empty registry.
    pub fn new() -> NamespaceRegistry {
        NamespaceRegistry::default()
    }

    /// Registers (or replaces) the `list_opts` function of `namespace`.
    pub fn register(
        &mut self,
        namespace: &str,
        list_opts: impl Fn() -> OptListing + Send + Sync + 'static,
    ) -> &mut NamespaceRegistry {
        match self.namespaces.iter_mut().find(|(n, _)| n == namespace) {
            Some(slot) => slot.1 = Box::new(list_opts),
            None => self
                .namespaces
                .push((namespace.to_owned(), Box::new(list_opts))),
        }
        self
    }

    /// Registers the driver options `namespace` provides for groups whose
    /// `driver_option` is `driver_option` (the `oslo.config.opts.<driver_option>`
    /// entry point group).
    pub fn register_driver_opts(
        &mut self,
        driver_option: &str,
        namespace: &str,
        list: impl Fn() -> DriverListing + Send + Sync + 'static,
    ) -> &mut NamespaceRegistry {
        self.drivers.push((
            driver_option.to_owned(),
            namespace.to_owned(),
            Box::new(list),
        ));
        self
    }

    /// Whether `namespace` is registered.
    pub fn contains(&self, namespace: &str) -> bool {
        self.namespaces.iter().any(|(n, _)| n == namespace)
    }

    /// The registered namespaces, in registration order.
    pub fn names(&self) -> Vec<&str> {
        self.namespaces.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The registered namespaces among `wanted`, in registration order.
    fn selected(&self, wanted: &[String]) -> Vec<(&str, &ListFn)> {
        self.namespaces
            .iter()
            .filter(|(n, _)| wanted.iter().any(|w| w == n))
            .map(|(n, f)| (n.as_str(), f))
            .collect()
    }

    /// `_get_driver_opts`: every driver's options for `driver_option`
    /// from the namespaces among `wanted`.
    fn driver_opts(&self, driver_option: &str, wanted: &[String]) -> DriverListing {
        self.drivers
            .iter()
            .filter(|(d, n, _)| d == driver_option && wanted.iter().any(|w| w == n))
            .flat_map(|(_, _, f)| f())
            .collect()
    }
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// The commented sample file.
    #[default]
    Ini,
    /// Opt-data as JSON.
    Json,
    /// Opt-data as YAML.
    Yaml,
    /// The Sphinx text (not supported: the Python tool needs Sphinx).
    Rst,
}

impl Format {
    /// The `--format` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ini => "ini",
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Rst => "rst",
        }
    }
}

/// The generator's own options (`_generator_opts` plus the config file
/// and directory options of `ConfigOpts`, which `--format yaml|json`
/// reports as `generator_options`).
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorOptions {
    /// `--namespace` (in order, repeats kept); empty: every namespace of
    /// the opt-data files.
    pub namespaces: Vec<String>,
    /// `--opt-data`: opt-data files written by the Python generator.
    pub opt_data: Vec<PathBuf>,
    /// `--output-file` (`None`: stdout).
    pub output_file: Option<String>,
    /// `--wrap-width`: an `int` (0 means 998), or `None` (also 998).
    pub wrap_width: Value,
    /// `--minimal`: only required options, uncommented.
    pub minimal: bool,
    /// `--summarize`: the first paragraph of each help text.
    pub summarize: bool,
    /// `--format`.
    pub format: Format,
    /// `--config-file` values, as reported in `generator_options`.
    pub config_file: Vec<String>,
    /// `--config-dir` values, as reported in `generator_options`.
    pub config_dir: Vec<String>,
}

impl Default for GeneratorOptions {
    fn default() -> GeneratorOptions {
        GeneratorOptions {
            namespaces: Vec::new(),
            opt_data: Vec::new(),
            output_file: None,
            wrap_width: Value::Int("70".to_owned()),
            minimal: false,
            summarize: false,
            format: Format::Ini,
            config_file: Vec::new(),
            config_dir: Vec::new(),
        }
    }
}

/// What [`generate`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The sample (or opt-data) text.
    pub text: String,
    /// The reference's log lines (`WARNING:oslo_config.generator:…`),
    /// for stderr.
    pub warnings: Vec<String>,
}

/// `conf.wrap_width or 998`.
fn effective_width(wrap_width: &Value) -> usize {
    match wrap_width {
        Value::Int(text) if text != "0" => {
            if text.starts_with('-') {
                // Negative widths are refused before this point.
                998
            } else {
                text.parse::<usize>().unwrap_or(usize::MAX)
            }
        }
        _ => 998,
    }
}

/// An opt-data file, read (for several [`generate_with`] runs).
#[derive(Debug)]
pub struct OptDataFile(model::OptDataFile);

impl OptDataFile {
    /// Reads an opt-data file (YAML or JSON) written by the Python
    /// generator.
    ///
    /// # Errors
    /// The file cannot be read, is not YAML, or is not opt-data.
    pub fn read(path: &Path) -> Result<OptDataFile> {
        model::read_opt_data(path).map(OptDataFile)
    }
}

/// Generates the sample for `options` (the Python `generate(conf)`).
///
/// # Errors
/// An unknown namespace (neither registered nor in an opt-data file), an
/// unreadable opt-data file, `--format rst`, or a value the YAML/JSON
/// writers cannot write.
pub fn generate(options: &GeneratorOptions, registry: &NamespaceRegistry) -> Result<Output> {
    let files = options
        .opt_data
        .iter()
        .map(|p| OptDataFile::read(p))
        .collect::<Result<Vec<_>>>()?;
    generate_with(options, registry, &files)
}

/// [`generate`] with the opt-data files already read (`options.opt_data`
/// is not looked at).
///
/// # Errors
/// As [`generate`].
pub fn generate_with(
    options: &GeneratorOptions,
    registry: &NamespaceRegistry,
    files: &[OptDataFile],
) -> Result<Output> {
    if options.format == Format::Rst {
        return Err(Error::Value(
            "--format rst is not supported (the Python generator needs Sphinx for it); \
             use ini, json or yaml"
                .to_owned(),
        ));
    }
    let files: Vec<&model::OptDataFile> = files.iter().map(|f| &f.0).collect();
    for ns in &options.namespaces {
        if !registry.contains(ns) && !files.iter().any(|f| f.knows(ns)) {
            return Err(Error::Value(format!(
                "namespace {ns:?} is not registered in this program; give its options with \
                 --opt-data FILE (written by the Python `oslo-config-generator --namespace {ns} \
                 --format yaml`)"
            )));
        }
    }
    let selection = if options.namespaces.is_empty() {
        None
    } else {
        Some(options.namespaces.as_slice())
    };
    let mut warnings = Vec::new();
    let collected = model::collect(registry, &files, selection, &mut warnings);
    let text = match options.format {
        Format::Ini => {
            let formatter = sample::Formatter {
                wrap_width: effective_width(&options.wrap_width),
                minimal: options.minimal,
                summarize: options.summarize,
            };
            formatter.sample(&collected.groups, &mut warnings)
        }
        Format::Json | Format::Yaml | Format::Rst => {
            let namespaces: Vec<String> = if options.namespaces.is_empty() {
                files
                    .iter()
                    .flat_map(|f| match &f.recorded {
                        Some(list) => list.clone(),
                        None => f.namespaces().to_vec(),
                    })
                    .collect()
            } else {
                options.namespaces.clone()
            };
            let strings =
                |items: &[String]| Value::List(items.iter().cloned().map(Value::Str).collect());
            let generator_options = Value::Dict(vec![
                (Value::str("config_dir"), strings(&options.config_dir)),
                (Value::str("config_file"), strings(&options.config_file)),
                (Value::str("config_source"), Value::List(Vec::new())),
                (Value::str("format_"), Value::str(options.format.as_str())),
                (Value::str("minimal"), Value::Bool(options.minimal)),
                (Value::str("namespace"), strings(&namespaces)),
                (
                    Value::str("output_file"),
                    options.output_file.clone().map_or(Value::None, Value::Str),
                ),
                (Value::str("shell_completion"), Value::None),
                (Value::str("summarize"), Value::Bool(options.summarize)),
                (Value::str("wrap_width"), options.wrap_width.clone()),
            ]);
            let (doc, ids) = machine::document(&collected.groups, generator_options);
            let mut text = if options.format == Format::Yaml {
                machine::to_yaml(&doc, &ids)?
            } else {
                machine::to_json(&doc)?
            };
            text.push('\n');
            text
        }
    };
    Ok(Output { text, warnings })
}

/// `oslo-config-generator` with `args` (the program name first): parses
/// the command line, the generator config files and the environment as
/// oslo.config does, generates and writes the sample; the exit status.
///
/// A service binary is `std::process::exit(main(std::env::args_os().collect(),
/// &registry))` with its namespaces registered.
pub fn main(args: Vec<OsString>, registry: &NamespaceRegistry) -> i32 {
    cli::run(args, registry)
}
