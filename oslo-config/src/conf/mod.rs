//! `ConfigOpts`: where options are registered, the command line and
//! config files parsed, and values resolved with oslo.config's precedence:
//!
//! 1. `set_override`;
//! 2. the command line — but only for an option no parsed file mentions;
//! 3. the environment, `OS_<GROUP>__<NAME>`;
//! 4. config files and dirs (and command-line values of options that a
//!    file also mentions), in argv order, later wins;
//! 5. `set_default`;
//! 6. the option's default.
//!
//! The type and its state are here; each phase has its file:
//! `register` (options, groups, overrides and defaults), `cmdline`
//! (`__call__` and the argparse parser), `files` (config files and dirs,
//! reloading) and `resolve` (reading a value: precedence, `$`
//! substitution, conversion, the memo).
//!
//! ```
//! use oslo_config::{CallArgs, ConfigOpts, Opt};
//! # fn main() -> oslo_config::Result<()> {
//! let mut conf = ConfigOpts::new();
//! conf.register_opt(Opt::integer("workers").default(4), None)?;
//! conf.register_cli_opt(Opt::boolean("debug"), None)?;
//! conf.call(CallArgs::new(["--debug"]).no_default_files())?;
//! assert_eq!(conf.get("workers")?.py_repr(), "4");
//! assert_eq!(conf.get("debug")?.py_repr(), "True");
//! # Ok(())
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use pycompat::hash::NameHashBuild;
use pycompat::value::Value;

use crate::location::LocationInfo;
use crate::logging::{LogRecord, Recorder};
use crate::opts::{Opt, OptGroup};
use crate::parsed::ParsedSources;

mod cmdline;
mod files;
mod register;
mod resolve;

pub use files::find_config_files;
pub(crate) use resolve::AssignmentError;
use resolve::{Reads, new_id};

/// A registered option and what was set on it.
#[derive(Debug, Clone)]
struct OptInfo {
    opt: Opt,
    override_value: Option<Value>,
    default_value: Option<Value>,
    location: Option<LocationInfo>,
}

/// A group's options, keyed by dest, in registration order.
#[derive(Debug, Clone, Default)]
struct Slot {
    group: Option<OptGroup>,
    opts: Vec<OptInfo>,
    index: HashMap<String, usize, NameHashBuild>,
}

impl Slot {
    fn get(&self, dest: &str) -> Option<&OptInfo> {
        self.index.get(dest).and_then(|&i| self.opts.get(i))
    }
}

/// A group reference: `None` is DEFAULT (ungrouped options), `Some(i)`
/// the i-th registered group.
type GroupRef = Option<usize>;

/// The arguments of `ConfigOpts.__call__`.
#[derive(Debug, Clone, Default)]
pub struct CallArgs {
    /// The command line, without the program name.
    pub args: Vec<String>,
    /// The project (`nova`): used to find default config files.
    pub project: Option<String>,
    /// The program name (default: basename of `argv[0]` without `.py`).
    pub prog: Option<String>,
    /// Enables `--version`.
    pub version: Option<String>,
    /// A usage line for `--help`.
    pub usage: Option<String>,
    /// Config files read when no `--config-file` is given (`None`:
    /// search the project's standard locations).
    pub default_config_files: Option<Vec<String>>,
    /// Config dirs read when no `--config-dir` is given (`None`: search).
    pub default_config_dirs: Option<Vec<String>>,
    /// Check every option's default against its type when read.
    pub validate_default_values: bool,
    /// Do not read `OS_<GROUP>__<NAME>` variables.
    pub no_env: bool,
}

impl CallArgs {
    /// Parse `args`, with the other settings at their defaults.
    pub fn new<I, S>(args: I) -> CallArgs
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CallArgs {
            args: args.into_iter().map(Into::into).collect(),
            ..CallArgs::default()
        }
    }

    /// Sets the project.
    pub fn project(mut self, project: &str) -> CallArgs {
        self.project = Some(project.to_owned());
        self
    }

    /// Sets the program name.
    pub fn prog(mut self, prog: &str) -> CallArgs {
        self.prog = Some(prog.to_owned());
        self
    }

    /// Sets the version (enables `--version`).
    pub fn version(mut self, version: &str) -> CallArgs {
        self.version = Some(version.to_owned());
        self
    }

    /// No default config files or dirs (only those on the command line).
    pub fn no_default_files(mut self) -> CallArgs {
        self.default_config_files = Some(Vec::new());
        self.default_config_dirs = Some(Vec::new());
        self
    }
}

/// Where the environment comes from (the process's, or a fixed map for
/// tests and embedding).
#[derive(Debug, Clone, Default)]
enum Env {
    /// The process's, as it was when the command line was last parsed
    /// (`OS_*` and `COLUMNS` only; reading the live environment on
    /// every lookup would cost more than the lookup itself).
    #[default]
    Process,
    Snapshot(HashMap<String, String>),
    Fixed(HashMap<String, String>),
}

impl Env {
    fn get(&self, key: &str) -> Option<String> {
        match self {
            Env::Process => std::env::var(key).ok(),
            Env::Snapshot(m) | Env::Fixed(m) => m.get(key).cloned(),
        }
    }

    /// `$HOME`, for `~` in paths: the process's, or the fixed map's
    /// (unset if the map has none).
    fn home(&self) -> Option<String> {
        match self {
            Env::Process | Env::Snapshot(_) => {
                std::env::var_os("HOME").map(|h| h.to_string_lossy().into_owned())
            }
            Env::Fixed(m) => m.get("HOME").cloned(),
        }
    }

    /// True if no variable can be found (a snapshot or fixed map with none).
    fn is_empty(&self) -> bool {
        match self {
            Env::Process => false,
            Env::Snapshot(m) | Env::Fixed(m) => m.is_empty(),
        }
    }
}

/// `(group or None, option name)` → `(old raw value, new raw value)`.
pub type Mutations = Vec<((Option<String>, String), (Value, Value))>;

/// The option registry and resolver (`cfg.ConfigOpts`).
#[derive(Debug)]
pub struct ConfigOpts {
    default: Slot,
    groups: Vec<Slot>,
    group_index: HashMap<String, usize, NameHashBuild>,
    cli_opts: VecDeque<(GroupRef, String)>,
    /// dep group → dep dest → (real opt name, real group name).
    deprecated: HashMap<String, HashMap<String, (String, Option<String>)>>,
    args: Option<Vec<String>>,
    call: Option<CallArgs>,
    prog: String,
    default_config_files: Vec<String>,
    default_config_dirs: Vec<String>,
    parsed: Option<ParsedSources>,
    mutable_parsed: Option<ParsedSources>,
    use_env: bool,
    env: Env,
    validate_default_values: bool,
    config_opts_registered: bool,
    /// Memoized values.
    reads: Mutex<Reads>,
    /// Which `ConfigOpts` an entry of `resolve::RESOLVING` belongs to.
    id: u64,
    /// What was logged (`oslo_config.cfg`'s `LOG`), until taken.
    log: Recorder,
}

impl Clone for ConfigOpts {
    fn clone(&self) -> ConfigOpts {
        ConfigOpts {
            default: self.default.clone(),
            groups: self.groups.clone(),
            group_index: self.group_index.clone(),
            cli_opts: self.cli_opts.clone(),
            deprecated: self.deprecated.clone(),
            args: self.args.clone(),
            call: self.call.clone(),
            prog: self.prog.clone(),
            default_config_files: self.default_config_files.clone(),
            default_config_dirs: self.default_config_dirs.clone(),
            parsed: self.parsed.clone(),
            mutable_parsed: self.mutable_parsed.clone(),
            use_env: self.use_env,
            env: self.env.clone(),
            validate_default_values: self.validate_default_values,
            config_opts_registered: self.config_opts_registered,
            reads: Mutex::new(Reads::default()),
            id: new_id(),
            log: Recorder::default(),
        }
    }
}

impl Default for ConfigOpts {
    fn default() -> ConfigOpts {
        ConfigOpts::new()
    }
}

impl ConfigOpts {
    /// A registry with oslo.config's own `config_source` and
    /// `shell_completion` options.
    pub fn new() -> ConfigOpts {
        let mut conf = ConfigOpts {
            default: Slot::default(),
            groups: Vec::new(),
            group_index: HashMap::default(),
            cli_opts: VecDeque::new(),
            deprecated: HashMap::new(),
            args: None,
            call: None,
            prog: String::new(),
            default_config_files: Vec::new(),
            default_config_dirs: Vec::new(),
            parsed: None,
            mutable_parsed: None,
            use_env: true,
            env: Env::Process,
            validate_default_values: false,
            config_opts_registered: false,
            reads: Mutex::new(Reads::default()),
            id: new_id(),
            log: Recorder::default(),
        };
        let config_source = Opt::list("config_source")
            .metavar("SOURCE")
            .default(Value::List(Vec::new()))
            .help(
                "Lists configuration groups that provide more details for accessing \
                 configuration settings from locations other than local files.",
            );
        let shell_completion = Opt::string_choices("shell_completion", &["bash", "zsh"])
            .help("Display a shell completion script");
        // Both are valid by construction.
        let _ = conf.register_opt(config_source, None);
        let _ = conf.register_cli_opt(shell_completion, None);
        conf
    }

    /// Reads the environment from `vars` instead of the process (for
    /// tests and embedding): `OS_<GROUP>__<NAME>` values, `COLUMNS` for
    /// help texts, and `HOME` for `~` in paths and the default config
    /// files.
    pub fn set_environment(&mut self, vars: HashMap<String, String>) {
        self.env = Env::Fixed(vars);
        self.clear_cache();
    }

    /// What was logged since the last call, oldest first: the log records
    /// of `oslo_config.cfg` (a deprecated option name read, a
    /// `config_source` group that cannot be loaded, a problem reloading
    /// the files, a mutated option). Each was also sent to `tracing`.
    pub fn take_log(&self) -> Vec<LogRecord> {
        self.log.take()
    }

    /// Forgets memoized values (they are recomputed on the next read;
    /// everything that changes a value clears them already).
    pub fn clear_cache(&self) {
        if let Ok(mut r) = self.reads.lock() {
            r.clear();
        }
    }

    fn slot(&self, g: GroupRef) -> Option<&Slot> {
        match g {
            None => Some(&self.default),
            Some(i) => self.groups.get(i),
        }
    }

    fn slot_mut(&mut self, g: GroupRef) -> Option<&mut Slot> {
        match g {
            None => Some(&mut self.default),
            Some(i) => self.groups.get_mut(i),
        }
    }

    /// `name` in DEFAULT, `group.name` in a group (as `$` references
    /// spell them).
    fn qualified(&self, g: GroupRef, name: &str) -> String {
        match self.group_name(g) {
            Some(group) => format!("{group}.{name}"),
            None => name.to_owned(),
        }
    }

    fn group_name(&self, g: GroupRef) -> Option<String> {
        self.group_str(g).map(str::to_owned)
    }

    fn group_str(&self, g: GroupRef) -> Option<&str> {
        g.and_then(|i| self.groups.get(i))
            .and_then(|s| s.group.as_ref())
            .map(|grp| grp.name.as_str())
    }

    /// `reset()`: forget overrides, defaults set and the parse.
    pub fn reset(&mut self) {
        for slot in std::iter::once(&mut self.default).chain(self.groups.iter_mut()) {
            for info in &mut slot.opts {
                info.override_value = None;
                info.default_value = None;
            }
        }
        self.clear();
    }

    /// `clear()`: forget the parse (options stay registered).
    pub fn clear(&mut self) {
        self.args = None;
        self.parsed = None;
        self.mutable_parsed = None;
        self.validate_default_values = false;
        if self.config_opts_registered {
            let _ = self.unregister_opt("config_file", None);
            let _ = self.unregister_opt("config_dir", None);
            self.config_opts_registered = false;
        }
        self.clear_cache();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn config_opts_can_be_shared_between_threads() {
        fn is<T: Send + Sync>() {}
        is::<ConfigOpts>();
    }

    #[test]
    fn a_group_is_not_a_value() {
        let mut conf = ConfigOpts::new();
        conf.register_group(OptGroup::new("database"));
        assert!(matches!(
            conf.get_in(None, "database"),
            Err(Error::NoSuchOpt { .. })
        ));
    }

    #[test]
    fn reading_a_deprecated_name_is_recorded() {
        let mut conf = ConfigOpts::new();
        conf.set_environment(HashMap::new());
        let opt = Opt::string("z").deprecated(Some("old_z"), None);
        assert!(conf.register_opt(opt, Some("g")).is_ok());
        assert!(
            conf.call(CallArgs::new(Vec::<String>::new()).no_default_files())
                .is_ok()
        );
        assert!(conf.take_log().is_empty());
        // `_track_deprecated_opts`: a deprecated name without a group is
        // looked for in DEFAULT; `_get_opt_info` logs that group as `None`
        // (the group argument it was given), as the reference does.
        assert_eq!(conf.get("old_z"), Ok(Value::None));
        let log: Vec<String> = conf.take_log().iter().map(LogRecord::render).collect();
        assert_eq!(
            log,
            [
                "WARNING:oslo_config.cfg:Config option None.old_z  is deprecated. Use option \
              g.z instead."
            ]
        );
        assert!(conf.take_log().is_empty());
    }
}
