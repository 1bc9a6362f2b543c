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

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

use pycompat::hash::NameHashBuild;
use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use pycompat::value::Value;

use crate::argparse::{Action, Attr, Kind, Nargs, Parser, SideEffect};
use crate::error::{BadValue, Error, Result};
use crate::location::{LocationInfo, Locations};
use crate::namespace::{self, Namespace, Read, conf_files_in, fixpath, join};
use crate::opts::{Opt, OptGroup};
use crate::report::Secrets;
use crate::template::{self, Lookup};
use crate::typed::{FromValue, Key, TypedOpt};
use crate::types::{ListType, Type};

/// Names a DEFAULT option may not have.
const RESERVED: [&str; 6] = [
    "project",
    "prog",
    "version",
    "usage",
    "default_config_files",
    "default_config_dirs",
];

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
    namespace: Option<Namespace>,
    mutable_ns: Option<Namespace>,
    use_env: bool,
    env: Env,
    validate_default_values: bool,
    config_opts_registered: bool,
    /// Memoized values.
    reads: Mutex<Reads>,
    /// Which `ConfigOpts` an entry of [`RESOLVING`] belongs to.
    id: u64,
}

/// An option name as a read knows it: the index of the group's option
/// with that dest, or (a deprecated alias, or no option) the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ReadKey {
    Opt(usize),
    Name(String),
}

/// A memoized value. Clearing the memo only marks it stale: the next
/// read of the option refills it in place, reusing its buffers
/// ([`Value::clone_from`]) instead of freeing them all at once and
/// allocating them again one read at a time.
#[derive(Debug)]
struct Memo {
    fresh: bool,
    value: Value,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            fresh: false,
            value: Value::None,
        }
    }
}

/// What reads share: memoized values and the `$` resolution stack.
#[derive(Debug, Default)]
struct Reads {
    /// Per slot (DEFAULT first, then the groups), per option index
    /// (cleared in place: the next reads do not grow it again).
    by_opt: Vec<Vec<Memo>>,
    /// Whether some value of `by_opt` is fresh (else clearing has nothing
    /// to do: every registration clears).
    any_fresh: bool,
    /// Values read under names that are not a dest of their group.
    by_name: HashMap<(GroupRef, String), Value>,
}

/// A new [`ConfigOpts::id`].
fn new_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

thread_local! {
    /// The options this thread is resolving, outermost first, each with
    /// the id of its `ConfigOpts`. Per thread, as the reference's
    /// resolution is the reading thread's own call stack: one stack for
    /// all threads made an option read on two threads at once look like
    /// a cycle, and a thread pop another's entry.
    static RESOLVING: RefCell<Vec<(u64, GroupRef, ReadKey)>> = const { RefCell::new(Vec::new()) };
}

/// An option being resolved on this thread ([`RESOLVING`]'s top entry)
/// until dropped.
struct Resolving;

impl Drop for Resolving {
    fn drop(&mut self) {
        // Guards drop in the reverse order of their creation.
        let _ = RESOLVING.try_with(|stack| stack.borrow_mut().pop());
    }
}

/// The index of group `g`'s slot in [`Reads::by_opt`].
fn slot_no(g: GroupRef) -> usize {
    g.map_or(0, |i| i + 1)
}

impl Reads {
    fn get(&self, g: GroupRef, key: &ReadKey) -> Option<&Value> {
        match key {
            ReadKey::Opt(i) => {
                let memo = self.by_opt.get(slot_no(g))?.get(*i)?;
                memo.fresh.then_some(&memo.value)
            }
            ReadKey::Name(n) => self.by_name.get(&(g, n.clone())),
        }
    }

    fn insert(&mut self, g: GroupRef, key: ReadKey, value: &Value) {
        match key {
            ReadKey::Opt(i) => {
                let s = slot_no(g);
                if self.by_opt.len() <= s {
                    self.by_opt.resize_with(s + 1, Vec::new);
                }
                if let Some(slot) = self.by_opt.get_mut(s) {
                    if slot.len() <= i {
                        slot.resize_with(i + 1, Memo::default);
                    }
                    if let Some(memo) = slot.get_mut(i) {
                        memo.value.clone_from(value);
                        memo.fresh = true;
                        self.any_fresh = true;
                    }
                }
            }
            ReadKey::Name(n) => {
                self.by_name.insert((g, n), value.clone());
            }
        }
    }

    fn clear(&mut self) {
        if self.any_fresh {
            for slot in &mut self.by_opt {
                slot.iter_mut().for_each(|memo| memo.fresh = false);
            }
            self.any_fresh = false;
        }
        self.by_name.clear();
    }
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
            namespace: self.namespace.clone(),
            mutable_ns: self.mutable_ns.clone(),
            use_env: self.use_env,
            env: self.env.clone(),
            validate_default_values: self.validate_default_values,
            config_opts_registered: self.config_opts_registered,
            reads: Mutex::new(Reads::default()),
            id: new_id(),
        }
    }
}

impl Default for ConfigOpts {
    fn default() -> ConfigOpts {
        ConfigOpts::new()
    }
}

/// A value that could not be read: the error, what it was about (the
/// value the type was given, or the raw one if a `$` reference failed),
/// and which of the two it was.
struct Refused {
    error: Error,
    given: Value,
    in_reference: bool,
}

/// What is wrong with one assignment (`check`).
pub(crate) enum AssignmentError {
    /// A `$` reference in it cannot be resolved.
    Interpolation(Error),
    /// The type refuses the value: `ConfigFileValue` at the assignment.
    Value(Error),
}

/// How deep `$` references may nest before it counts as a cycle.
const MAX_DEPTH: usize = 60;

fn is_value_error(e: &Error) -> bool {
    matches!(
        e,
        Error::Value(_)
            | Error::ConfigFileValue(_)
            | Error::ConfigSourceValue(_)
            | Error::DefaultValue(_)
    )
}

/// Whether `_substitute` could change `value` (a `$` in a string or
/// list item; a dict is rebuilt, so it always could); if not,
/// substituting gives it unchanged.
fn has_reference(value: &Value) -> bool {
    match value {
        Value::Str(s) => s.contains('$'),
        Value::List(items) => items.iter().any(has_reference),
        Value::Dict(_) => true,
        _ => false,
    }
}

/// Python's `KeyError` inside a lookup (an option found through a
/// deprecated alias whose name is not its dest).
fn key_error(name: &str) -> Error {
    Error::Python {
        class: "KeyError",
        message: pycompat::value::str_repr(name),
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
            namespace: None,
            mutable_ns: None,
            use_env: true,
            env: Env::Process,
            validate_default_values: false,
            config_opts_registered: false,
            reads: Mutex::new(Reads::default()),
            id: new_id(),
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
    /// tests and embedding).
    pub fn set_environment(&mut self, vars: HashMap<String, String>) {
        self.env = Env::Fixed(vars);
        self.clear_cache();
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

    /// `register_group`: a group registered twice keeps the first.
    pub fn register_group(&mut self, group: OptGroup) {
        if self.group_index.contains_key(&group.name) {
            return;
        }
        self.group_index
            .insert(group.name.clone(), self.groups.len());
        self.groups.push(Slot {
            group: Some(group),
            ..Slot::default()
        });
    }

    fn group_ref(&mut self, group: Option<&str>, autocreate: bool) -> Result<GroupRef> {
        let Some(name) = group else {
            return Ok(None);
        };
        if let Some(&i) = self.group_index.get(name) {
            return Ok(Some(i));
        }
        if !autocreate {
            return Err(Error::NoSuchGroup(name.to_owned()));
        }
        self.register_group(OptGroup::new(name));
        Ok(self.group_index.get(name).copied())
    }

    fn find_group(&self, group: Option<&str>) -> Result<GroupRef> {
        match group {
            None => Ok(None),
            Some(name) => self
                .group_index
                .get(name)
                .map(|&i| Some(i))
                .ok_or_else(|| Error::NoSuchGroup(name.to_owned())),
        }
    }

    /// `register_opt(opt, group)`: `Ok(false)` if an equal option was
    /// already registered; a different one with the same dest is
    /// `DuplicateOptError`.
    pub fn register_opt(&mut self, opt: Opt, group: Option<&str>) -> Result<bool> {
        self.register(opt, group, false)
    }

    /// `register_opts`.
    pub fn register_opts(&mut self, opts: Vec<Opt>, group: Option<&str>) -> Result<()> {
        for opt in opts {
            self.register(opt, group, false)?;
        }
        Ok(())
    }

    /// `register_cli_opt`: also a command-line option (`--[group-]name`);
    /// only before the command line is parsed.
    pub fn register_cli_opt(&mut self, opt: Opt, group: Option<&str>) -> Result<bool> {
        if self.args.is_some() {
            return Err(Error::ArgsAlreadyParsed(
                "cannot register CLI option".to_owned(),
            ));
        }
        self.register(opt, group, true)
    }

    /// `register_cli_opts`.
    pub fn register_cli_opts(&mut self, opts: Vec<Opt>, group: Option<&str>) -> Result<()> {
        for opt in opts {
            self.register_cli_opt(opt, group)?;
        }
        Ok(())
    }

    fn register(&mut self, opt: Opt, group: Option<&str>, cli: bool) -> Result<bool> {
        opt.check()?;
        self.clear_cache();
        let g = self.group_ref(group, true)?;
        if g.is_none() && RESERVED.contains(&opt.name.as_str()) {
            return Err(Error::Value(format!(
                "Name {} was reserved for oslo.config.",
                opt.name
            )));
        }
        if cli {
            let already = self.cli_opts.iter().any(|(cg, dest)| {
                *cg == g
                    && self
                        .slot(g)
                        .and_then(|s| s.get(dest))
                        .is_some_and(|info| info.opt.same_as(&opt))
            });
            if !already {
                if opt.positional {
                    self.cli_opts.push_back((g, opt.dest.clone()));
                } else {
                    self.cli_opts.push_front((g, opt.dest.clone()));
                }
            }
        }
        if g.is_some() {
            self.track_deprecated(&opt, g);
        }
        let Some(slot) = self.slot_mut(g) else {
            return Ok(false);
        };
        if let Some(existing) = slot.get(&opt.dest) {
            if !existing.opt.same_as(&opt) {
                return Err(Error::DuplicateOpt(opt.name.clone()));
            }
            return Ok(false);
        }
        let dest = opt.dest.clone();
        let index = slot.opts.len();
        slot.index.insert(dest, index);
        let track = opt.clone();
        slot.opts.push(OptInfo {
            opt,
            override_value: None,
            default_value: None,
            location: None,
        });
        self.index_registered(g, index);
        if g.is_none() {
            self.track_deprecated(&track, None);
        }
        Ok(true)
    }

    /// Looks option `index` of group `g`, registered after the parse, up
    /// in the parse's namespaces ([`Namespace::by_opt`]).
    fn index_registered(&mut self, g: GroupRef, index: usize) {
        let group = self.group_str(g);
        let Some(info) = self.slot(g).and_then(|s| s.opts.get(index)) else {
            return;
        };
        let look = |ns: &Option<Namespace>| {
            ns.as_ref()
                .map(|ns| Self::from_namespace_at(&info.opt, ns, group, false))
        };
        let (main, mutable) = (look(&self.namespace), look(&self.mutable_ns));
        if let (Some(ns), Some(found)) = (self.namespace.as_mut(), main) {
            ns.set_indexed(slot_no(g), index, found);
        }
        if let (Some(ns), Some(found)) = (self.mutable_ns.as_mut(), mutable) {
            ns.set_indexed(slot_no(g), index, found);
        }
    }

    /// Looks every registered option up in `ns` once, for the reads
    /// ([`Namespace::by_opt`]).
    fn index_options(&self, ns: &mut Namespace) {
        let by_opt = std::iter::once(&self.default)
            .chain(&self.groups)
            .map(|slot| {
                let group = slot.group.as_ref().map(|grp| grp.name.as_str());
                slot.opts
                    .iter()
                    .map(|info| Some(Self::from_namespace_at(&info.opt, ns, group, false)))
                    .collect()
            })
            .collect();
        ns.by_opt = by_opt;
    }

    fn track_deprecated(&mut self, opt: &Opt, g: GroupRef) {
        let group_name = self.group_name(g);
        for d in &opt.deprecated_opts {
            let dep_group = d.group.clone().unwrap_or_else(|| "DEFAULT".to_owned());
            let dep_dest = d.name.as_deref().unwrap_or(&opt.dest).replace('-', "_");
            self.deprecated
                .entry(dep_group)
                .or_default()
                .insert(dep_dest, (opt.name.clone(), group_name.clone()));
        }
    }

    /// `unregister_opt` (only before parsing).
    pub fn unregister_opt(&mut self, dest: &str, group: Option<&str>) -> Result<()> {
        if self.args.is_some() {
            return Err(Error::ArgsAlreadyParsed(
                "reset before unregistering options".to_owned(),
            ));
        }
        let g = self.find_group(group)?;
        if let Some(pos) = self
            .cli_opts
            .iter()
            .position(|(cg, d)| d == dest && (group.is_none() || *cg == g))
        {
            self.cli_opts.remove(pos);
        }
        if let Some(slot) = self.slot_mut(g) {
            if let Some(i) = slot.index.remove(dest) {
                slot.opts.remove(i);
                for v in slot.index.values_mut() {
                    if *v > i {
                        *v -= 1;
                    }
                }
            }
        }
        // Option indices moved: what the namespaces looked up by index
        // is no longer theirs (there is no parse here, but be sure).
        for ns in self.namespace.iter_mut().chain(self.mutable_ns.iter_mut()) {
            ns.by_opt.clear();
        }
        self.clear_cache();
        Ok(())
    }

    /// `_get_opt_info`: the option, following deprecated aliases.
    /// `_get_opt_info`: the option's group and index in it, following
    /// deprecated aliases.
    fn opt_ref(&self, name: &str, group: Option<&str>) -> Result<(GroupRef, usize)> {
        let g = self.find_group(group)?;
        self.opt_ref_in(g, group, name)
    }

    /// [`Self::opt_ref`] in the group `g` (named `group`), already found.
    fn opt_ref_in(
        &self,
        g: GroupRef,
        group: Option<&str>,
        name: &str,
    ) -> Result<(GroupRef, usize)> {
        let slot = self
            .slot(g)
            .ok_or_else(|| Error::NoSuchGroup(group.unwrap_or_default().to_owned()))?;
        if let Some(&i) = slot.index.get(name) {
            return Ok((g, i));
        }
        let dep_group = group.unwrap_or("DEFAULT");
        let Some((real_name, real_group)) =
            self.deprecated.get(dep_group).and_then(|m| m.get(name))
        else {
            return Err(Error::NoSuchOpt {
                name: name.to_owned(),
                group: group.map(str::to_owned),
                cause: None,
            });
        };
        tracing::warn!(
            "Config option {dep_group}.{name}  is deprecated. Use option {}.{real_name} instead.",
            real_group.as_deref().unwrap_or("DEFAULT")
        );
        let (g, slot) = match real_group {
            Some(rg) => {
                let g = self.find_group(Some(rg))?;
                (g, self.slot(g))
            }
            None => (g, Some(slot)),
        };
        // Python indexes the dest-keyed map with the opt's *name*.
        match slot.and_then(|s| s.index.get(real_name)) {
            Some(&i) => Ok((g, i)),
            None => Err(key_error(real_name)),
        }
    }

    fn info(&self, r: (GroupRef, usize)) -> Result<&OptInfo> {
        self.slot(r.0)
            .and_then(|s| s.opts.get(r.1))
            .ok_or_else(|| key_error(""))
    }

    fn info_mut(&mut self, name: &str, group: Option<&str>) -> Result<&mut OptInfo> {
        let r = self.opt_ref(name, group)?;
        self.slot_mut(r.0)
            .and_then(|s| s.opts.get_mut(r.1))
            .ok_or_else(|| key_error(name))
    }

    /// Converts with the option's type (`[type(v) for v in value]` for
    /// multi options: a string gives its characters, a dict its keys).
    fn convert(opt: &Opt, value: &Value) -> Result<Value> {
        let one = |v: &Value| {
            opt.ty
                .convert_raising(v)
                .map_err(|(class, e)| crate::error::raised(class, e))
        };
        if !opt.multi {
            return one(value);
        }
        let items: Vec<Value> = match value {
            Value::List(items) => items.clone(),
            Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
            Value::Dict(items) => items.iter().map(|(k, _)| k.clone()).collect(),
            other => {
                return Err(Error::Python {
                    class: "TypeError",
                    message: format!("'{}' object is not iterable", other.type_name()),
                });
            }
        };
        items
            .iter()
            .map(one)
            .collect::<Result<Vec<Value>>>()
            .map(Value::List)
    }

    /// `set_override`: wins over every source; converted now.
    pub fn set_override(
        &mut self,
        name: &str,
        value: impl Into<Value>,
        group: Option<&str>,
    ) -> Result<()> {
        self.set_value(name, value.into(), group, true)
    }

    /// `set_default`: replaces the option's default; converted now.
    pub fn set_default(
        &mut self,
        name: &str,
        value: impl Into<Value>,
        group: Option<&str>,
    ) -> Result<()> {
        self.set_value(name, value.into(), group, false)
    }

    fn set_value(
        &mut self,
        name: &str,
        value: Value,
        group: Option<&str>,
        is_override: bool,
    ) -> Result<()> {
        self.clear_cache();
        let info = self.info_mut(name, group)?;
        let converted = if value.is_none() {
            Value::None
        } else {
            Self::convert(&info.opt, &value)?
        };
        let loc = if is_override {
            info.override_value = Some(converted);
            Locations::SetOverride
        } else {
            info.default_value = Some(converted);
            Locations::SetDefault
        };
        info.location = Some(LocationInfo::new(loc, ""));
        Ok(())
    }

    /// `clear_override`.
    pub fn clear_override(&mut self, name: &str, group: Option<&str>) -> Result<()> {
        self.clear_cache();
        self.info_mut(name, group)?.override_value = None;
        Ok(())
    }

    /// `clear_default`.
    pub fn clear_default(&mut self, name: &str, group: Option<&str>) -> Result<()> {
        self.clear_cache();
        self.info_mut(name, group)?.default_value = None;
        Ok(())
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

    /// Takes the process environment's `OS_*` variables (and `COLUMNS`)
    /// as they are now, unless a fixed environment was given.
    fn snapshot_env(&mut self) {
        if matches!(self.env, Env::Fixed(_)) {
            return;
        }
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("OS_") || k == "COLUMNS")
            .collect();
        self.env = Env::Snapshot(vars);
    }

    /// `clear()`: forget the parse (options stay registered).
    pub fn clear(&mut self) {
        self.args = None;
        self.namespace = None;
        self.mutable_ns = None;
        self.validate_default_values = false;
        if self.config_opts_registered {
            let _ = self.unregister_opt("config_file", None);
            let _ = self.unregister_opt("config_dir", None);
            self.config_opts_registered = false;
        }
        self.clear_cache();
    }

    /// `__call__`: parse the command line and config files.
    ///
    /// Errors are those of the reference: argparse's `SystemExit`
    /// ([`Error::Exit`]), missing files and dirs, parse errors, values the
    /// types refuse, required options without a value.
    pub fn call(&mut self, call: CallArgs) -> Result<()> {
        self.call_with(call, false)
    }

    /// [`ConfigOpts::call`] for `check`: every file is read as far as it
    /// can be and what is wrong with it kept ([`ConfigOpts::scans`]);
    /// missing files, values the command-line options' types refuse and
    /// required options without a value are not errors here. Only a
    /// command line argparse refuses is.
    pub(crate) fn call_lenient(&mut self, call: CallArgs) -> Result<()> {
        self.call_with(call, true)
    }

    /// What the files read by [`ConfigOpts::call_lenient`] gave.
    pub(crate) fn scans(&self) -> &[namespace::FileScan] {
        self.namespace
            .as_ref()
            .map_or(&[], |ns| ns.scans.as_slice())
    }

    fn call_with(&mut self, call: CallArgs, lenient: bool) -> Result<()> {
        self.clear();
        self.validate_default_values = call.validate_default_values;
        let prog = call.prog.clone().unwrap_or_else(|| {
            let argv0 = std::env::args().next().unwrap_or_default();
            let base = argv0.rsplit('/').next().unwrap_or_default().to_owned();
            base.strip_suffix(".py").map(str::to_owned).unwrap_or(base)
        });
        self.default_config_files = match &call.default_config_files {
            Some(f) => f.clone(),
            None => find_config_files(call.project.as_deref(), &prog, ".conf"),
        };
        self.default_config_dirs = match &call.default_config_dirs {
            Some(d) => d.clone(),
            None => find_config_files(call.project.as_deref(), &prog, ".conf.d"),
        };
        self.prog = prog;
        // `_ConfigFileOpt` passes its list through; a multi-string option
        // converts a list of paths to the same list.
        let mut config_file = Opt::new("config-file", Type::MultiString);
        config_file.multi = true;
        let config_file = config_file
            .default(Value::List(
                self.default_config_files
                    .iter()
                    .map(|s| Value::str(s.as_str()))
                    .collect(),
            ))
            .metavar("PATH")
            .help(
                "Path to a config file to use. Multiple config files can be specified, with \
                 values in later files taking precedence. Defaults to %(default)s. This option \
                 must be set from the command-line.",
            );
        let config_dir = Opt::new(
            "config-dir",
            Type::List(Box::new(ListType {
                item_type: Type::string(),
                bounds: false,
                min_length: None,
            })),
        )
        .metavar("DIR")
        .default(Value::List(
            self.default_config_dirs
                .iter()
                .map(|s| Value::str(s.as_str()))
                .collect(),
        ))
        .help(
            "Path to a config directory to pull `*.conf` files from. This file set is sorted, \
             so as to provide a predictable parse order if individual options are over-ridden. \
             The set is parsed after the file(s) specified via previous --config-file, \
             arguments hence over-ridden options in the directory take precedence. This \
             option must be set from the command-line.",
        );
        // The defaults are lists of strings: no type check can fail.
        self.register_config_opt(config_file);
        self.register_config_opt(config_dir);
        self.config_opts_registered = true;
        self.use_env = !call.no_env;
        self.snapshot_env();
        self.call = Some(call.clone());
        self.args = Some(call.args.clone());
        let namespace = self.parse_config_files(&call, lenient)?;
        if lenient {
            self.namespace = Some(namespace);
            self.clear_cache();
            return Ok(());
        }
        if !namespace.files_not_found.is_empty() {
            return Err(Error::ConfigFilesNotFound(
                namespace.files_not_found.iter().map(Into::into).collect(),
            ));
        }
        if !namespace.files_permission_denied.is_empty() {
            return Err(Error::ConfigFilesPermissionDenied(
                namespace
                    .files_permission_denied
                    .iter()
                    .map(Into::into)
                    .collect(),
            ));
        }
        self.namespace = Some(namespace);
        self.clear_cache();
        self.check_required(None)
    }

    fn register_config_opt(&mut self, mut opt: Opt) {
        // `_ConfigFileOpt` takes its values as they are.
        opt.required = false;
        let dest = opt.dest.clone();
        self.cli_opts.push_front((None, dest.clone()));
        let index = self.default.opts.len();
        self.default.index.insert(dest, index);
        self.default.opts.push(OptInfo {
            opt,
            override_value: None,
            default_value: None,
            location: None,
        });
        self.index_registered(None, index);
    }

    /// Builds the argparse parser from the command-line options.
    fn parser(&self) -> Result<Parser> {
        let call = self.call.clone().unwrap_or_default();
        let mut parser = Parser::new(&self.prog, call.usage.clone());
        parser.columns = self.env.get("COLUMNS");
        // `_CachedArgumentParser`: per container (the parser, then each
        // group in order of first use), optionals sorted by their option
        // strings, then positionals in order.
        let mut containers: Vec<(GroupRef, Vec<Action>)> = Vec::new();
        if let Some(v) = &call.version {
            containers.push((
                None,
                vec![Action {
                    option_strings: vec!["--version".into()],
                    dest: "version".into(),
                    kind: Kind::Version(v.clone()),
                    nargs: Nargs::Zero,
                    required: false,
                    metavar: None,
                    help: Some("show program's version number and exit".into()),
                    section: None,
                    default: Attr::None,
                }],
            ));
        }
        // `SubCommandOpt` adds its sub-parsers at once, not through the
        // cache: they come before every other argument.
        let mut subparsers = 0;
        for (g, dest) in &self.cli_opts {
            let Some(info) = self.slot(*g).and_then(|s| s.get(dest)) else {
                continue;
            };
            let Some(commands) = &info.opt.sub_commands else {
                continue;
            };
            subparsers += 1;
            if subparsers > 1 {
                return Err(parser.usage_error("cannot have multiple subparser arguments"));
            }
            let dest = match self.group_name(*g) {
                Some(gn) => format!("{gn}_{}", info.opt.dest),
                None => info.opt.dest.clone(),
            };
            parser.add(sub_parsers(
                &self.prog,
                &dest,
                info.opt.help.clone(),
                commands,
            )?)?;
        }
        for (g, dest) in &self.cli_opts {
            let Some(info) = self.slot(*g).and_then(|s| s.get(dest)) else {
                continue;
            };
            if info.opt.sub_commands.is_some() {
                continue;
            }
            let actions = self.actions_for(&info.opt, *g);
            match containers.iter_mut().find(|(cg, _)| cg == g) {
                Some((_, list)) => list.extend(actions),
                None => containers.push((*g, actions)),
            }
        }
        for (_, mut actions) in containers {
            let first_positional = actions
                .iter()
                .position(|a| a.option_strings.first().is_none_or(|s| !s.starts_with('-')))
                .unwrap_or(actions.len());
            if let Some(optionals) = actions.get_mut(..first_positional) {
                optionals.sort_by(|a, b| a.option_strings.cmp(&b.option_strings));
            }
            for a in actions {
                parser.add(a)?;
            }
        }
        Ok(parser)
    }

    /// The argparse actions of one option (`_add_to_cli`).
    fn actions_for(&self, opt: &Opt, g: GroupRef) -> Vec<Action> {
        let group = g
            .and_then(|i| self.groups.get(i))
            .and_then(|s| s.group.as_ref());
        let group_name = group.map(|grp| grp.name.as_str());
        let section = group.map(|grp| (grp.title.clone(), grp.help.clone()));
        let prefix = |p: &str| match group_name {
            Some(gn) => format!("{gn}-{p}"),
            None => p.to_owned(),
        };
        let deprecated_cli = |p: &str| -> Vec<String> {
            opt.deprecated_opts
                .iter()
                .filter_map(|d| {
                    let dgroup = d.group.as_deref().filter(|g| *g != "DEFAULT");
                    if d.name.is_none() && dgroup.is_none() {
                        return None;
                    }
                    let dname = d.name.as_deref().unwrap_or(&opt.name);
                    Some(match dgroup {
                        Some(dg) => format!("{dg}-{p}{dname}"),
                        None => format!("{p}{dname}"),
                    })
                })
                .collect()
        };
        // `_add_to_argparse`: positionals get no dashes (and argparse
        // refuses them if they have more than one name).
        let dashes = |d: &'static str| if opt.positional { "" } else { d };
        let strings = |p: &str, short: Option<&str>| -> Vec<String> {
            let mut v = vec![if opt.positional {
                format!("{}{}", prefix(p), opt.name).replace('-', "_")
            } else {
                format!("--{}{}", prefix(p), opt.name)
            }];
            if let Some(s) = short.filter(|s| !s.is_empty()) {
                v.push(format!("{}{s}", dashes("-")));
            }
            v.extend(
                deprecated_cli(p)
                    .into_iter()
                    .map(|d| format!("{}{d}", dashes("--"))),
            );
            v
        };
        let dest = match group_name {
            _ if opt.positional => strings("", None).into_iter().next().unwrap_or_default(),
            Some(gn) => format!("{gn}_{}", opt.dest),
            None => opt.dest.clone(),
        };
        let mut help = opt.help.clone();
        if let Type::String(s) = &opt.ty {
            if let Some(choices) = s.choices.as_ref().filter(|c| !c.is_empty()) {
                let text: Vec<String> = choices
                    .iter()
                    .map(|(c, _)| match c {
                        Value::None => "<None>".to_owned(),
                        Value::Str(s) if s.is_empty() => "''".to_owned(),
                        other => other.py_str(),
                    })
                    .collect();
                let mut h = help.unwrap_or_default();
                h.push_str(&format!("\n Allowed values: {}\n", text.join(", ")));
                help = Some(h);
            }
        }
        let (kind, nargs) =
            if opt.dest == "config_file" && group_name.is_none() && opt.name == "config-file" {
                (Kind::ConfigFile, Nargs::One)
            } else if opt.dest == "config_dir" && group_name.is_none() && opt.name == "config-dir" {
                (Kind::ConfigDir, Nargs::One)
            } else if opt.boolean {
                (Kind::StoreConst(true), Nargs::Zero)
            } else if opt.multi {
                if opt.positional {
                    (Kind::Store, Nargs::Any)
                } else {
                    (Kind::Append, Nargs::One)
                }
            } else if opt.positional && !opt.required {
                (Kind::Store, Nargs::Optional)
            } else {
                (Kind::Store, Nargs::One)
            };
        let mut actions = vec![Action {
            option_strings: strings("", opt.short.as_deref()),
            dest: dest.clone(),
            kind,
            nargs,
            required: opt.positional && nargs == Nargs::One,
            metavar: if opt.boolean {
                None
            } else {
                opt.metavar.clone()
            },
            help,
            section: section.clone(),
            default: Attr::None,
        }];
        if opt.boolean {
            actions.push(Action {
                option_strings: strings("no", None),
                dest,
                kind: Kind::StoreConst(false),
                nargs: Nargs::Zero,
                required: false,
                metavar: None,
                help: Some(format!("The inverse of --{}", opt.name)),
                section,
                default: Attr::None,
            });
        }
        actions
    }

    /// `_parse_config_files`: default files/dirs, then argparse (which
    /// parses `--config-file`/`--config-dir` as met), then the check of
    /// every command-line value.
    fn parse_config_files(&self, call: &CallArgs, lenient: bool) -> Result<Namespace> {
        let mut files = Namespace {
            lenient,
            ..Namespace::default()
        };
        let mut attrs = crate::argparse::Attrs::default();
        let has = |flag: &str| {
            call.args
                .iter()
                .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
        };
        if !has("--config-file") {
            for f in &self.default_config_files {
                self.parse_file(f, &mut files, &mut attrs)?;
            }
        }
        if !has("--config-dir") {
            for d in &self.default_config_dirs {
                if !std::path::Path::new(d).exists() {
                    continue;
                }
                for f in conf_files_in(d) {
                    self.parse_file(&f, &mut files, &mut attrs)?;
                }
            }
        }
        let parser = self.parser()?;
        let mut effect = |e: SideEffect<'_>, attrs: &mut crate::argparse::Attrs| -> Result<()> {
            match e {
                SideEffect::ConfigFile(path) => self.parse_file(path, &mut files, attrs),
                SideEffect::ConfigDir(dir) => {
                    files.config_dirs.push(dir.to_owned());
                    let dir = namespace::expanduser(dir);
                    if !std::path::Path::new(&dir).exists() {
                        if files.lenient {
                            files.scans.push(namespace::FileScan {
                                path: fixpath(&dir),
                                document: None,
                                problems: vec![namespace::FileProblem::DirNotFound],
                                bad_lines: Vec::new(),
                            });
                            return Ok(());
                        }
                        return Err(Error::ConfigDirNotFound(dir));
                    }
                    for f in conf_files_in(&dir) {
                        self.parse_file(&f, &mut files, attrs)?;
                    }
                    Ok(())
                }
            }
        };
        parser.parse(&call.args, &mut attrs, &mut effect)?;
        files.attrs = attrs;
        if !lenient {
            self.validate_cli_options(&files)?;
        }
        self.index_options(&mut files);
        Ok(files)
    }

    /// `ConfigParser._parse_file`: parse, record, and copy values of
    /// command-line options into the argparse attributes.
    fn parse_file(
        &self,
        path: &str,
        ns: &mut Namespace,
        attrs: &mut crate::argparse::Attrs,
    ) -> Result<()> {
        let path = fixpath(path);
        if ns.lenient {
            let (parsed, scan) = namespace::scan_file(&path);
            ns.scans.push(scan);
            if let Some(file) = parsed {
                self.add_file(&path, file, ns, attrs);
            }
            return Ok(());
        }
        let file = match namespace::read_file(&path)? {
            Read::Parsed(f) => f,
            Read::NotFound => {
                ns.files_not_found.push(path);
                return Ok(());
            }
            Read::PermissionDenied => {
                ns.files_permission_denied.push(path);
                return Ok(());
            }
        };
        self.add_file(&path, file, ns, attrs);
        Ok(())
    }

    /// Records a parsed file, and copies its values of command-line
    /// options into the argparse attributes.
    fn add_file(
        &self,
        path: &str,
        file: std::sync::Arc<namespace::ParsedFile>,
        ns: &mut Namespace,
        attrs: &mut crate::argparse::Attrs,
    ) {
        ns.add_parsed(path, file.clone());
        let mut single = Namespace::default();
        single.add_parsed(path, file);
        for (g, dest) in &self.cli_opts {
            let Some(info) = self.slot(*g).and_then(|s| s.get(dest)) else {
                continue;
            };
            let group_name = self.group_name(*g);
            let Some((value, _)) = Self::from_namespace(&info.opt, &single, group_name.as_deref())
            else {
                continue;
            };
            let attr = match &group_name {
                None => info.opt.dest.clone(),
                Some(gn) => format!("{gn}_{}", info.opt.dest),
            };
            let strings = |v: &Value| -> Vec<String> {
                match v {
                    Value::List(items) => items.iter().map(Value::py_str).collect(),
                    other => vec![other.py_str()],
                }
            };
            if info.opt.multi {
                match attrs.get_mut(&attr) {
                    Some(Attr::List(items)) => items.extend(strings(&value)),
                    _ => {
                        attrs.insert(attr, Attr::List(strings(&value)));
                    }
                }
            } else {
                attrs.insert(attr, Attr::Str(value.py_str()));
            }
        }
    }

    /// `Opt._get_from_namespace`.
    fn from_namespace(opt: &Opt, ns: &Namespace, group: Option<&str>) -> Option<namespace::Found> {
        Self::from_namespace_at(opt, ns, group, true)
    }

    /// [`Self::from_namespace`]; without `want_loc` a file value's location
    /// has no file (no strings copied on the hot path).
    fn from_namespace_at(
        opt: &Opt,
        ns: &Namespace,
        group: Option<&str>,
        want_loc: bool,
    ) -> Option<namespace::Found> {
        if opt.deprecated_opts.is_empty() {
            // No list of names to build.
            return ns.value(
                &[(group, opt.dest.as_str())],
                opt.multi,
                opt.positional,
                want_loc,
            );
        }
        let names = Self::names(opt, group);
        ns.value(&names, opt.multi, opt.positional, want_loc)
    }

    /// `(group, name)` pairs an option is looked up under: its own, then
    /// its deprecated ones.
    fn names<'a>(opt: &'a Opt, group: Option<&'a str>) -> Vec<(Option<&'a str>, &'a str)> {
        let mut names: Vec<(Option<&str>, &str)> =
            Vec::with_capacity(1 + opt.deprecated_opts.len());
        names.push((group, opt.dest.as_str()));
        for d in &opt.deprecated_opts {
            if d.name.is_some() || d.group.is_some() {
                names.push((
                    d.group.as_deref().or(group),
                    d.name.as_deref().unwrap_or(&opt.dest),
                ));
            }
        }
        names
    }

    /// Where a value found at `file_loc` really comes from: the file, or
    /// the command line when a command-line option's value is not the
    /// file's (given after the file).
    fn source_of(
        opt: &Opt,
        ns: &Namespace,
        group: Option<&str>,
        file_loc: LocationInfo,
    ) -> LocationInfo {
        let names = Self::names(opt, group);
        let file = ns.file_found(&names, opt.multi);
        let cli = ns.cli_value(&names, opt.positional);
        match (file, cli) {
            (Some((from_file, _)), Some(from_cli)) if from_file != from_cli => {
                LocationInfo::new(Locations::CommandLine, "")
            }
            _ => file_loc,
        }
    }

    /// `_validate_cli_options`: every command-line option's value (from the
    /// command line or a file) must convert; if not, argparse-style
    /// `SystemExit(1)`.
    fn validate_cli_options(&self, ns: &Namespace) -> Result<()> {
        let mut cli: Vec<(GroupRef, &OptInfo)> = self
            .cli_opts
            .iter()
            .filter_map(|(g, d)| self.slot(*g).and_then(|s| s.get(d)).map(|i| (*g, i)))
            .collect();
        cli.sort_by(|a, b| a.1.opt.name.cmp(&b.1.opt.name));
        for (g, info) in cli {
            let group_name = self.group_name(g);
            let Some((value, loc)) = Self::from_namespace(&info.opt, ns, group_name.as_deref())
            else {
                continue;
            };
            let value = self.substitute(&value, g, Some(ns))?;
            if let Err(e) = Self::convert(&info.opt, &value) {
                let message = format!(
                    "argument --{}: Invalid {} value: {}\n",
                    info.opt.dest,
                    crate::pytype::repr(&info.opt.ty),
                    value.py_str()
                );
                let location = match loc.location {
                    Locations::User => Self::source_of(&info.opt, ns, group_name.as_deref(), loc),
                    _ => loc,
                };
                return Err(Error::Exit {
                    status: 1,
                    bad: Some(Box::new(BadValue {
                        text: message.trim_end().to_owned(),
                        option: info.opt.name.clone(),
                        group: group_name,
                        location,
                        value,
                        reason: e.to_string(),
                        ty: info.opt.ty.clone(),
                        secret: info.opt.secret,
                        cause: None,
                    })),
                    message,
                    stdout: false,
                });
            }
        }
        Ok(())
    }

    /// `_check_required_opts`.
    fn check_required(&self, ns: Option<&Namespace>) -> Result<()> {
        let all = std::iter::once((None, &self.default))
            .chain(self.groups.iter().enumerate().map(|(i, s)| (Some(i), s)));
        for (g, slot) in all {
            for info in &slot.opts {
                if !self.needs_value(g, info) {
                    continue;
                }
                let value = self.get_value(&info.opt.dest, g, ns)?;
                if value.is_none() {
                    return Err(Error::RequiredOpt {
                        name: info.opt.name.clone(),
                        group: self.group_name(g).unwrap_or_else(|| "DEFAULT".to_owned()),
                    });
                }
            }
        }
        Ok(())
    }

    /// `conf.<name>`: a DEFAULT option's value. As in Python, any error
    /// other than a `ValueError` becomes `NoSuchOptError(name)`.
    pub fn get(&self, name: &str) -> Result<Value> {
        match self.get_in(None, name) {
            Ok(v) => Ok(v),
            Err(e) if is_value_error(&e) => Err(e),
            Err(e) => Err(Error::NoSuchOpt {
                name: name.to_owned(),
                group: None,
                cause: match e {
                    // The option itself does not exist: nothing more to say.
                    Error::NoSuchOpt {
                        name: ref n,
                        group: None,
                        cause: None,
                    } if n == name => None,
                    other => Some(Box::new(other)),
                },
            }),
        }
    }

    /// `conf.group.name` (or `conf.name` for `group = None`, without the
    /// error rewriting of [`ConfigOpts::get`]).
    pub fn get_in(&self, group: Option<&str>, name: &str) -> Result<Value> {
        let g = match group {
            None => None,
            Some(gn) => self.find_group(Some(gn))?,
        };
        // Python gives the group itself here; as a value it is no option.
        if group.is_none() && self.group_index.contains_key(name) {
            return Err(Error::NoSuchOpt {
                name: name.to_owned(),
                group: None,
                cause: None,
            });
        }
        self.get_value(name, g, None)
    }

    /// Registers a [`TypedOpt`] and gives the [`Key`] that reads it as its
    /// Rust type ([`ConfigOpts::value`]).
    pub fn register_typed<T: FromValue>(
        &mut self,
        opt: TypedOpt<T>,
        group: Option<&str>,
    ) -> Result<Key<T>> {
        let dest = opt.opt.dest.clone();
        self.register_opt(opt.opt, group)?;
        Ok(Key::new(group, &dest))
    }

    /// [`ConfigOpts::register_typed`] for a command-line option.
    pub fn register_cli_typed<T: FromValue>(
        &mut self,
        opt: TypedOpt<T>,
        group: Option<&str>,
    ) -> Result<Key<T>> {
        let dest = opt.opt.dest.clone();
        self.register_cli_opt(opt.opt, group)?;
        Ok(Key::new(group, &dest))
    }

    /// The value of a typed option (`None` if unset).
    pub fn value<T: FromValue>(&self, key: &Key<T>) -> Result<Option<T>> {
        let value = match &key.group {
            None => self.get(&key.dest)?,
            Some(g) => self.get_in(Some(g), &key.dest)?,
        };
        crate::typed::typed(key, &value)
    }

    /// Typed shorthand: a string value (`None` if unset).
    pub fn get_str(&self, group: Option<&str>, name: &str) -> Result<Option<String>> {
        Ok(match self.get_in(group, name)? {
            Value::Str(s) => Some(s),
            Value::None => None,
            other => Some(other.py_str()),
        })
    }

    /// Typed shorthand: a boolean value.
    pub fn get_bool(&self, group: Option<&str>, name: &str) -> Result<Option<bool>> {
        Ok(match self.get_in(group, name)? {
            Value::Bool(b) => Some(b),
            Value::None => None,
            other => Some(other.truthy()),
        })
    }

    /// Typed shorthand: an integer value (`None` if unset or out of `i64`).
    pub fn get_i64(&self, group: Option<&str>, name: &str) -> Result<Option<i64>> {
        Ok(match self.get_in(group, name)? {
            Value::Int(s) => s.parse().ok(),
            _ => None,
        })
    }

    fn get_value(&self, name: &str, g: GroupRef, ns: Option<&Namespace>) -> Result<Value> {
        let key = self.read_key(g, name);
        {
            let mut reads = self
                .reads
                .lock()
                .map_err(|_| Error::Recursion { chain: Vec::new() })?;
            if ns.is_none() {
                if let Some(v) = reads.get(g, &key) {
                    return Ok(v.clone());
                }
                if let ReadKey::Opt(i) = key {
                    if let Some(value) = self.plain_value(g, i) {
                        // Nothing is read while converting it: the
                        // resolution stack is only checked, as on entry.
                        self.check_resolving(g, &key)?;
                        reads.insert(g, key, &value);
                        return Ok(value);
                    }
                }
            }
        }
        let known = match key {
            ReadKey::Opt(i) => Some(i),
            ReadKey::Name(_) => None,
        };
        let resolving = self.begin_resolving(g, &key)?;
        let result = self.do_get(name, g, ns, false, known).map(|(v, _)| v);
        drop(resolving);
        if let (None, Ok(value)) = (ns, &result) {
            if let Ok(mut reads) = self.reads.lock() {
                reads.insert(g, key, value);
            }
        }
        result
    }

    /// The value of option `i` of group `g` when it is what the parse
    /// gave it, converted, with nothing else to consult: no override, no
    /// environment to look at, no `$` reference, and the type accepts it.
    /// This is the value [`Self::do_get`] gives then (its path for a value
    /// found in the namespace, without the location); `None` in every
    /// other case, including a value the type refuses (`do_get` converts
    /// it again and builds the error).
    fn plain_value(&self, g: GroupRef, i: usize) -> Option<Value> {
        let info = self.slot(g)?.opts.get(i)?;
        if info.override_value.is_some() || (self.use_env && !self.env.is_empty()) {
            return None;
        }
        let opt = &info.opt;
        let namespace = match opt.mutable {
            true => self.mutable_ns.as_ref().or(self.namespace.as_ref()),
            false => self.namespace.as_ref(),
        }?;
        let (value, _) = namespace.indexed(slot_no(g), i)??;
        if has_reference(value) {
            return None;
        }
        Self::convert(opt, value).ok()
    }

    /// How reads know `name` in group `g`.
    fn read_key(&self, g: GroupRef, name: &str) -> ReadKey {
        match self.slot(g).and_then(|s| s.index.get(name)) {
            Some(&i) => ReadKey::Opt(i),
            None => ReadKey::Name(name.to_owned()),
        }
    }

    /// The name a [`ReadKey`] stands for.
    fn key_name<'a>(&'a self, g: GroupRef, key: &'a ReadKey) -> &'a str {
        match key {
            ReadKey::Opt(i) => self
                .slot(g)
                .and_then(|s| s.opts.get(*i))
                .map_or("", |info| info.opt.dest.as_str()),
            ReadKey::Name(n) => n,
        }
    }

    /// Marks `key` as being resolved on this thread until the guard is
    /// dropped; a `$` reference back to it, or references nested too
    /// deep, are `RecursionError`.
    fn begin_resolving(&self, g: GroupRef, key: &ReadKey) -> Result<Resolving> {
        self.check_resolving(g, key)?;
        RESOLVING
            .try_with(|stack| stack.borrow_mut().push((self.id, g, key.clone())))
            // No thread-local storage left (a thread's last moments): no
            // resolution can be tracked, so none is started.
            .map_err(|_| Error::Recursion { chain: Vec::new() })?;
        Ok(Resolving)
    }

    /// What [`Self::begin_resolving`] refuses: `key` already being
    /// resolved on this thread (a cycle), or references nested too deep.
    fn check_resolving(&self, g: GroupRef, key: &ReadKey) -> Result<()> {
        let chain = RESOLVING
            .try_with(|stack| {
                let stack = stack.borrow();
                let mine = || {
                    stack
                        .iter()
                        .filter(|(id, ..)| *id == self.id)
                        .map(|(_, sg, sk)| (*sg, sk))
                };
                let start = mine().position(|(sg, sk)| sg == g && sk == key);
                (start.is_some() || mine().count() > MAX_DEPTH).then(|| {
                    mine()
                        .skip(start.unwrap_or_default())
                        .map(|(sg, sk)| self.qualified(sg, self.key_name(sg, sk)))
                        .chain(std::iter::once(self.qualified(g, self.key_name(g, key))))
                        .collect()
                })
            })
            .map_err(|_| Error::Recursion { chain: Vec::new() })?;
        match chain {
            Some(chain) => Err(Error::Recursion { chain }),
            None => Ok(()),
        }
    }

    /// Where the value of `name` in `group` comes from (`get_location`).
    pub fn get_location(&self, name: &str, group: Option<&str>) -> Result<Option<LocationInfo>> {
        let g = self.find_group(group)?;
        self.do_get(name, g, None, true, None).map(|(_, loc)| loc)
    }

    fn env_name(group: Option<&str>, name: &str) -> String {
        format!(
            "OS_{}__{}",
            group.unwrap_or("DEFAULT").to_uppercase(),
            name.to_uppercase()
        )
    }

    /// `_do_get`: the value and (if `want_loc`) its location.
    fn do_get(
        &self,
        name: &str,
        g: GroupRef,
        ns: Option<&Namespace>,
        want_loc: bool,
        // The index of the option whose dest `name` is, if known.
        known: Option<usize>,
    ) -> Result<(Value, Option<LocationInfo>)> {
        let group_name = self.group_str(g);
        let r = match known {
            Some(i) => (g, i),
            None => self.opt_ref_in(g, group_name, name)?,
        };
        let info = self.info(r)?;
        let opt = &info.opt;
        let loc = || {
            info.location
                .clone()
                .unwrap_or_else(|| LocationInfo::new(Locations::OptDefault, ""))
        };
        if let Some(v) = &info.override_value {
            return Ok((self.substitute(v, None, None)?, want_loc.then(loc)));
        }
        // On failure: the error and what it was about (the value the type
        // was given, or the raw one if interpolation failed).
        let convert = |value: &Value| -> Result<Value, Box<Refused>> {
            if !has_reference(value) {
                return Self::convert(opt, value).map_err(|e| {
                    Box::new(Refused {
                        error: e,
                        given: value.clone(),
                        in_reference: false,
                    })
                });
            }
            let substituted = self.substitute(value, g, ns).map_err(|e| {
                Box::new(Refused {
                    error: e,
                    given: value.clone(),
                    in_reference: true,
                })
            })?;
            Self::convert(opt, &substituted).map_err(|e| {
                Box::new(Refused {
                    error: e,
                    given: substituted,
                    in_reference: false,
                })
            })
        };
        let bad = |text: String, location: LocationInfo, refused: Box<Refused>| {
            let refused = *refused;
            BadValue {
                text,
                option: opt.name.clone(),
                group: group_name.map(str::to_owned),
                location,
                reason: refused.error.to_string(),
                value: refused.given,
                ty: opt.ty.clone(),
                secret: opt.secret,
                cause: refused.in_reference.then(|| Box::new(refused.error)),
            }
        };
        let env_name = || Self::env_name(group_name, name);
        let env_val = if self.use_env && !self.env.is_empty() {
            self.env.get(&env_name())
        } else {
            None
        };
        let namespace = match ns {
            Some(n) => Some(n),
            None if opt.mutable => self.mutable_ns.as_ref().or(self.namespace.as_ref()),
            None => self.namespace.as_ref(),
        };
        if let Some(namespace) = namespace {
            // What the parse looked up for the option, if it did (under
            // the option's own group, without the file of the location).
            let indexed = match (want_loc, r.0 == g) {
                (false, true) => namespace.indexed(slot_no(g), r.1),
                _ => None,
            };
            let live;
            let found = match indexed {
                Some(found) => found,
                None => {
                    live = Self::from_namespace_at(opt, namespace, group_name, want_loc);
                    live.as_ref()
                }
            };
            // The attempt, and whether its value is the environment's
            // (the location is only built when asked for, or for errors).
            let (attempt, alt_loc) = match found {
                Some((val, alt_loc)) => {
                    let attempt = match &env_val {
                        Some(env) if alt_loc.location != Locations::CommandLine => {
                            (convert(&Value::Str(env.clone())), true)
                        }
                        _ => (convert(val), false),
                    };
                    (Some(attempt), Cow::Borrowed(alt_loc))
                }
                None => match &env_val {
                    Some(env) => (
                        Some((convert(&Value::Str(env.clone())), true)),
                        Cow::Owned(LocationInfo::new(Locations::Environment, env_name())),
                    ),
                    None => (
                        None,
                        Cow::Owned(LocationInfo::new(Locations::Environment, "")),
                    ),
                },
            };
            if let Some((result, from_env)) = attempt {
                let loc = || match from_env {
                    true => LocationInfo::new(Locations::Environment, env_name()),
                    false => alt_loc.as_ref().clone(),
                };
                return match result {
                    Ok(v) => Ok((v, want_loc.then(loc))),
                    Err(refused) if is_value_error(&refused.error) => {
                        let loc = loc();
                        let e = &refused.error;
                        // The message names the file: find it now.
                        let alt_loc = match (want_loc, alt_loc.location) {
                            (false, Locations::User) => {
                                Self::from_namespace(opt, namespace, group_name)
                                    .map_or(alt_loc.into_owned(), |f| f.1)
                            }
                            _ => alt_loc.into_owned(),
                        };
                        let message = format!(
                            "Value for option {} from {alt_loc} is not valid: {e}",
                            opt.name
                        );
                        // The reference names the last file with the
                        // section; the operator needs the value's source.
                        let source = match loc.location {
                            Locations::User => {
                                Self::source_of(opt, namespace, group_name, alt_loc.clone())
                            }
                            _ => loc,
                        };
                        let bad = Box::new(bad(message, source, refused));
                        if alt_loc.location == Locations::User {
                            Err(Error::ConfigFileValue(bad))
                        } else {
                            Err(Error::ConfigSourceValue(bad))
                        }
                    }
                    Err(refused) => Err(refused.error),
                };
            }
        }
        if let Some(v) = &info.default_value {
            return Ok((self.substitute(v, None, None)?, want_loc.then(loc)));
        }
        if self.validate_default_values && !opt.default.is_none() {
            if let Err(refused) = convert(&opt.default) {
                if is_value_error(&refused.error) {
                    let message = format!(
                        "Default value for option {} is not valid: {}",
                        opt.name, refused.error
                    );
                    return Err(Error::ConfigFileValue(Box::new(bad(
                        message,
                        LocationInfo::new(Locations::OptDefault, ""),
                        refused,
                    ))));
                }
                return Err(refused.error);
            }
        }
        if !opt.default.is_none() {
            return Ok((
                convert(&opt.default).map_err(|r| r.error)?,
                want_loc.then(loc),
            ));
        }
        Ok((Value::None, None))
    }

    /// `_substitute`: `$` references in strings, list items, dict keys
    /// and values.
    fn substitute(&self, value: &Value, g: GroupRef, ns: Option<&Namespace>) -> Result<Value> {
        match value {
            Value::List(items) => items
                .iter()
                .map(|i| self.substitute(i, g, ns))
                .collect::<Result<Vec<Value>>>()
                .map(Value::List),
            Value::Str(s) => {
                if !s.contains('$') {
                    return Ok(value.clone());
                }
                template::substitute(s, |key| self.lookup(key, g, ns)).map(Value::Str)
            }
            Value::Dict(items) => {
                let mut out: Vec<(Value, Value)> = Vec::with_capacity(items.len());
                for (k, v) in items {
                    let k = self.substitute(k, g, ns)?;
                    let v = self.substitute(v, g, ns)?;
                    Value::dict_insert(&mut out, k, v);
                }
                Ok(Value::Dict(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// `StrSubWrapper.__getitem__`.
    fn lookup(&self, key: &str, g: GroupRef, ns: Option<&Namespace>) -> Lookup<Error> {
        let attempt = match key.split_once('.') {
            Some((group, option)) => match self.find_group(Some(group)) {
                Ok(gr) => self.get_value(option, gr, ns),
                Err(e) => return Lookup::Err(e),
            },
            None if g.is_none() && self.group_index.contains_key(key) => {
                return Lookup::Err(Error::TemplateSubstitution(format!(
                    "substituting group {key} not supported"
                )));
            }
            None => self.get_value(key, g, ns),
        };
        let value = match attempt {
            Ok(v) => Ok(v),
            Err(Error::NoSuchOpt { .. }) => {
                if self.group_index.contains_key(key) {
                    return Lookup::Err(Error::TemplateSubstitution(format!(
                        "substituting group {key} not supported"
                    )));
                }
                self.get_value(key, None, ns)
            }
            Err(e) => Err(e),
        };
        match value {
            Ok(Value::None) => Lookup::Text(String::new()),
            Ok(v) => Lookup::Text(v.py_str()),
            Err(Error::Python {
                class: "KeyError", ..
            }) => Lookup::Missing,
            Err(e) => Lookup::Err(e),
        }
    }

    /// The option `name` of `group` (following deprecated names).
    pub fn opt(&self, name: &str, group: Option<&str>) -> Result<&Opt> {
        let r = self.opt_ref(name, group)?;
        Ok(&self.info(r)?.opt)
    }

    /// For `check`: one assignment `dest = raw` at `path:line`, judged as
    /// if it were the option's value: `$` references resolved as the
    /// option itself would resolve them (a reference back to it is a
    /// cycle), then the type.
    pub(crate) fn check_assignment(
        &self,
        group: Option<&str>,
        dest: &str,
        raw: &str,
        at: (&str, usize),
    ) -> std::result::Result<(), AssignmentError> {
        let g = self
            .find_group(group)
            .map_err(AssignmentError::Interpolation)?;
        let Some(info) = self.slot(g).and_then(|s| s.get(dest)) else {
            return Ok(());
        };
        let opt = &info.opt;
        let resolving = self
            .begin_resolving(g, &self.read_key(g, dest))
            .map_err(AssignmentError::Interpolation)?;
        let substituted = self.substitute(&Value::str(raw), g, None);
        drop(resolving);
        let substituted = substituted.map_err(AssignmentError::Interpolation)?;
        let value = if opt.multi {
            Value::List(vec![substituted])
        } else {
            substituted
        };
        let Err(e) = Self::convert(opt, &value) else {
            return Ok(());
        };
        let location = LocationInfo {
            location: Locations::User,
            detail: at.0.to_owned(),
            value_at: Some((at.0.to_owned(), at.1)),
        };
        Err(AssignmentError::Value(Error::ConfigFileValue(Box::new(
            BadValue {
                text: format!(
                    "Value for option {} from {location} is not valid: {e}",
                    opt.name
                ),
                option: opt.name.clone(),
                group: group.map(str::to_owned),
                location,
                value,
                reason: e.to_string(),
                ty: opt.ty.clone(),
                secret: opt.secret,
                cause: None,
            },
        ))))
    }

    /// For `check`: whether the `$key` of a value of an option of `group`
    /// names an option (as `StrSubWrapper.__getitem__` looks it up),
    /// without resolving it.
    pub(crate) fn reference_target(&self, key: &str, group: Option<&str>) -> Result<()> {
        let g = self.find_group(group)?;
        let exists = |name: &str, g: GroupRef| -> Result<()> {
            match self.opt_ref(name, self.group_name(g).as_deref()) {
                // Python's KeyError: the reference is left as written.
                Err(Error::Python {
                    class: "KeyError", ..
                }) => Ok(()),
                other => other.map(|_| ()),
            }
        };
        let group_error =
            || Error::TemplateSubstitution(format!("substituting group {key} not supported"));
        let attempt = match key.split_once('.') {
            Some((group, option)) => exists(option, self.find_group(Some(group))?),
            None if g.is_none() && self.group_index.contains_key(key) => {
                return Err(group_error());
            }
            None => exists(key, g),
        };
        match attempt {
            Err(Error::NoSuchOpt { .. }) if self.group_index.contains_key(key) => {
                Err(group_error())
            }
            Err(Error::NoSuchOpt { .. }) => exists(key, None),
            other => other,
        }
    }

    /// For `check`: the `OS_<GROUP>__<NAME>` variable that sets an
    /// option, if one does.
    pub(crate) fn env_source(&self, dest: &str, group: Option<&str>) -> Option<String> {
        let var = Self::env_name(group, dest);
        (self.use_env && self.env.get(&var).is_some()).then_some(var)
    }

    /// For `check`: every required option without a value (values that
    /// cannot be read are someone else's problem here).
    pub(crate) fn unset_required(&self) -> Vec<(Option<String>, String)> {
        let all = std::iter::once((None, &self.default))
            .chain(self.groups.iter().enumerate().map(|(i, s)| (Some(i), s)));
        let mut missing = Vec::new();
        for (g, slot) in all {
            for info in &slot.opts {
                if self.needs_value(g, info)
                    && matches!(self.get_value(&info.opt.dest, g, None), Ok(Value::None))
                {
                    missing.push((self.group_name(g), info.opt.name.clone()));
                }
            }
        }
        missing
    }

    /// `_check_required_opts` looks at this option.
    fn needs_value(&self, g: GroupRef, info: &OptInfo) -> bool {
        info.opt.required
            && info.default_value.is_none()
            && info.override_value.is_none()
            // A DEFAULT option named like a group reads as the group.
            && !(g.is_none() && self.group_index.contains_key(&info.opt.dest))
    }

    /// `reload_config_files()`: re-parse the same command line; on
    /// success every option sees the new values. Errors are logged and
    /// give `false`.
    pub fn reload_config_files(&mut self) -> bool {
        match self.reparse() {
            Ok(ns) => {
                self.namespace = Some(ns);
                self.clear_cache();
                true
            }
            Err(e) => {
                // The reference logs `str(e)`, which may quote a secret.
                for problem in crate::report::describe(&e, Secrets::Masked) {
                    tracing::warn!("Caught Error while reloading configure files: {problem}");
                }
                false
            }
        }
    }

    fn reparse(&mut self) -> Result<Namespace> {
        self.snapshot_env();
        let call = self.call.clone().ok_or(Error::NotInitialized)?;
        let ns = self.parse_config_files(&call, false)?;
        if !ns.files_not_found.is_empty() {
            return Err(Error::ConfigFilesNotFound(
                ns.files_not_found.iter().map(Into::into).collect(),
            ));
        }
        if !ns.files_permission_denied.is_empty() {
            return Err(Error::ConfigFilesPermissionDenied(
                ns.files_permission_denied.iter().map(Into::into).collect(),
            ));
        }
        self.check_required(Some(&ns))?;
        Ok(ns)
    }

    /// `mutate_config_files()`: re-read the files; only `mutable` options
    /// see new values. Returns what changed (raw values), sorted with
    /// DEFAULT first; changes to immutable options are logged and ignored.
    /// Hook it to SIGHUP.
    pub fn mutate_config_files(&mut self) -> Result<Mutations> {
        self.clear_cache();
        let old = self.mutable_ns.clone().or_else(|| self.namespace.clone());
        let new = self.reparse()?;
        let all: Vec<(GroupRef, Opt)> = std::iter::once((None, &self.default))
            .chain(self.groups.iter().enumerate().map(|(i, s)| (Some(i), s)))
            .flat_map(|(g, s)| s.opts.iter().map(move |info| (g, info.opt.clone())))
            .collect();
        let mut fresh: Mutations = Vec::new();
        let mut secret: Vec<(Option<String>, String)> = Vec::new();
        for (g, opt) in &all {
            let group_name = self.group_name(*g);
            let raw = |ns: Option<&Namespace>, group: Option<&str>| {
                ns.and_then(|ns| Self::from_namespace(opt, ns, group))
                    .map_or(Value::None, |f| f.0)
            };
            if opt.mutable {
                let before = raw(old.as_ref(), group_name.as_deref());
                let after = raw(Some(&new), group_name.as_deref());
                if before != after {
                    if opt.secret {
                        secret.push((group_name.clone(), opt.name.clone()));
                    }
                    fresh.push(((group_name.clone(), opt.name.clone()), (before, after)));
                }
            } else {
                let shown = group_name.clone().unwrap_or_else(|| "DEFAULT".to_owned());
                let before = raw(self.namespace.as_ref(), Some(&shown));
                let after = raw(Some(&new), Some(&shown));
                if before != after {
                    tracing::warn!("Ignoring change to immutable option {shown}.{}", opt.name);
                }
            }
        }
        fresh.sort_by(|a, b| {
            let key = |k: &(Option<String>, String)| {
                (k.0.clone().unwrap_or_else(|| "\t".to_owned()), k.1.clone())
            };
            key(&a.0).cmp(&key(&b.0))
        });
        for (key, (old_v, new_v)) in &fresh {
            let (group, option) = key;
            let secret = secret.contains(key);
            tracing::info!(
                "Option {}.{option} changed from [{}] to [{}]",
                group.as_deref().unwrap_or("DEFAULT"),
                Secrets::Masked.show(secret, || old_v.py_str()),
                Secrets::Masked.show(secret, || new_v.py_str())
            );
        }
        self.mutable_ns = Some(new);
        Ok(fresh)
    }

    /// The lines `log_opt_values` logs: every option's value (`****` for
    /// secret ones), DEFAULT sorted by dest, then each group's, framed as
    /// the reference frames them.
    pub fn opt_values_lines(&self) -> Result<Vec<String>> {
        let list = |items: &[String]| {
            Value::List(items.iter().map(|s| Value::str(s.as_str())).collect()).py_str()
        };
        let args = self.args.as_deref().map_or("None".to_owned(), list);
        let files = match self.get("config_file") {
            Ok(v) if v.truthy() => v.py_str(),
            _ => "[]".to_owned(),
        };
        let mut lines = vec![
            "*".repeat(80),
            "Configuration options gathered from:".to_owned(),
            format!("command line args: {args}"),
            format!("config files: {files}"),
            "=".repeat(80),
        ];
        let mut entry = |name: String, opt: &Opt, value: Value| {
            let shown = Secrets::Masked.show(opt.secret, || value.py_str());
            lines.push(format!("{name:<30} = {shown}"));
        };
        let mut dests: Vec<&OptInfo> = self.default.opts.iter().collect();
        dests.sort_by(|a, b| a.opt.dest.cmp(&b.opt.dest));
        for info in dests {
            let value = self.get(&info.opt.dest)?;
            entry(info.opt.dest.clone(), &info.opt, value);
        }
        for slot in &self.groups {
            let Some(group) = &slot.group else { continue };
            let mut dests: Vec<&OptInfo> = slot.opts.iter().collect();
            dests.sort_by(|a, b| a.opt.dest.cmp(&b.opt.dest));
            for info in dests {
                let value = self.get_in(Some(&group.name), &info.opt.dest)?;
                entry(
                    format!("{}.{}", group.name, info.opt.dest),
                    &info.opt,
                    value,
                );
            }
        }
        lines.push("*".repeat(80));
        Ok(lines)
    }

    /// `log_opt_values`: [`ConfigOpts::opt_values_lines`] through
    /// `tracing` at INFO.
    pub fn log_opt_values(&self) -> Result<()> {
        for line in self.opt_values_lines()? {
            tracing::info!("{line}");
        }
        Ok(())
    }

    /// The chosen sub-command of a `SubCommandOpt` (`conf.<dest>.name`).
    pub fn sub_command(&self, dest: &str, group: Option<&str>) -> Result<Option<String>> {
        let ns = self.namespace.as_ref().ok_or(Error::NotInitialized)?;
        let attr = match group {
            Some(g) => format!("{g}_{dest}"),
            None => dest.to_owned(),
        };
        Ok(match ns.attrs.get(&attr) {
            Some(Attr::Str(s)) => Some(s.clone()),
            _ => None,
        })
    }

    /// An argument of the chosen sub-command (`conf.<dest>.<name>`):
    /// strings, `true`/`false` for flags, lists for `nargs='*'` and
    /// appends. A name that is also a registered option or group is
    /// `DuplicateOptError`, an unknown one `NoSuchOptError`, as in Python.
    pub fn sub_command_arg(&self, name: &str) -> Result<Value> {
        if self.default.index.contains_key(name) || self.group_index.contains_key(name) {
            return Err(Error::DuplicateOpt(name.to_owned()));
        }
        let ns = self.namespace.as_ref().ok_or(Error::NotInitialized)?;
        match ns.attrs.get(name) {
            Some(Attr::None) => Ok(Value::None),
            Some(Attr::Str(s)) => Ok(Value::Str(s.clone())),
            Some(Attr::Bool(b)) => Ok(Value::Bool(*b)),
            Some(Attr::List(items)) => Ok(Value::List(
                items.iter().map(|s| Value::str(s.as_str())).collect(),
            )),
            None => Err(Error::NoSuchOpt {
                name: name.to_owned(),
                group: None,
                cause: None,
            }),
        }
    }

    /// `find_file(name)`: `name` in the `--config-dir`s, then beside the
    /// config files (last first), then the project's standard directories
    /// (`~/.{project}/`, `~/`, `/etc/{project}/`, `/etc/`); `None` if in
    /// none of them.
    pub fn find_file(&self, name: &str) -> Result<Option<String>> {
        let ns = self.namespace.as_ref().ok_or(Error::NotInitialized)?;
        let mut dirs: Vec<String> = ns.config_dirs.iter().map(|d| fixpath(d)).collect();
        if let Value::List(files) = self.get("config_file")? {
            for f in files.iter().rev() {
                let path = fixpath(&f.py_str());
                let parent = std::path::Path::new(&path)
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                dirs.push(parent);
            }
        }
        let project = self.call.as_ref().and_then(|c| c.project.clone());
        dirs.extend(config_search_dirs(project.as_deref()));
        Ok(dirs
            .iter()
            .map(|d| join(d, name))
            .find(|p| std::path::Path::new(p).exists()))
    }

    /// The `--help` text of the command line as last parsed.
    pub fn help_text(&self) -> String {
        self.parser().map(|p| p.help_text()).unwrap_or_default()
    }

    /// The command line as last parsed, as data (for man pages and shell
    /// completions).
    pub fn command_doc(&self) -> Result<crate::clidoc::CommandDoc> {
        self.parser()
            .map(|p| crate::clidoc::CommandDoc::from_parser(&p))
    }

    /// Every section name of every parsed file, sorted.
    pub fn list_all_sections(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .mutable_ns
            .iter()
            .chain(self.namespace.iter())
            .flat_map(|ns| ns.sections().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The config dirs given with `--config-dir`, in order.
    pub fn config_dirs(&self) -> Vec<String> {
        self.namespace
            .as_ref()
            .map(|ns| ns.config_dirs.clone())
            .unwrap_or_default()
    }

    /// Registered groups, in registration order.
    pub fn groups(&self) -> Vec<&OptGroup> {
        self.groups
            .iter()
            .filter_map(|s| s.group.as_ref())
            .collect()
    }

    /// The options of a group (`None`: DEFAULT), in registration order.
    pub fn opts(&self, group: Option<&str>) -> Result<Vec<&Opt>> {
        let g = self.find_group(group)?;
        Ok(self
            .slot(g)
            .map(|s| s.opts.iter().map(|i| &i.opt).collect())
            .unwrap_or_default())
    }
}

/// `_get_config_dirs(project)`: where a project's files are looked for.
fn config_search_dirs(project: Option<&str>) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    if let Some(p) = project {
        dirs.push(fixpath(&format!("~/.{p}")));
    }
    dirs.push(fixpath("~"));
    if let Some(p) = project {
        dirs.push(format!("/etc/{p}"));
    }
    dirs.push("/etc".to_owned());
    if let Some(p) = project {
        if let Ok(snap_c) = std::env::var("SNAP_COMMON") {
            dirs.push(format!("{snap_c}/etc/{p}"));
        }
        if let Ok(snap) = std::env::var("SNAP") {
            dirs.push(format!("{snap}/etc/{p}"));
        }
    }
    dirs
}

/// The `add_subparsers` action of a `SubCommandOpt` and its parsers.
fn sub_parsers(
    prog: &str,
    dest: &str,
    help: Option<String>,
    commands: &crate::opts::SubCommands,
) -> Result<Action> {
    use crate::opts::SubArgAction;
    let mut parsers: Vec<(String, Parser)> = Vec::new();
    for c in &commands.commands {
        if parsers.iter().any(|(n, _)| *n == c.name) {
            return Err(Error::Value(format!("conflicting subparser: {}", c.name)));
        }
        let mut p = Parser::new(&format!("{prog} {}", c.name), None);
        for a in &c.args {
            let positional = a.names.len() == 1 && a.names.iter().all(|n| !n.starts_with('-'));
            let dest = a.dest.clone().unwrap_or_else(|| {
                let long = a.names.iter().find(|n| n.starts_with("--"));
                let first = long.or(a.names.first()).cloned().unwrap_or_default();
                if positional {
                    first
                } else {
                    first.trim_start_matches('-').replace('-', "_")
                }
            });
            let (kind, nargs) = match a.action {
                SubArgAction::StoreTrue => (Kind::StoreConst(true), Nargs::Zero),
                SubArgAction::StoreFalse => (Kind::StoreConst(false), Nargs::Zero),
                SubArgAction::Append => (Kind::Append, Nargs::One),
                SubArgAction::Store => (
                    Kind::Store,
                    match a.nargs {
                        Some('?') => Nargs::Optional,
                        Some('*') => Nargs::Any,
                        _ => Nargs::One,
                    },
                ),
            };
            let default = match &a.default {
                Value::None => Attr::None,
                Value::Bool(b) => Attr::Bool(*b),
                Value::List(items) => Attr::List(items.iter().map(Value::py_str).collect()),
                other => Attr::Str(other.py_str()),
            };
            p.add(Action {
                option_strings: a.names.clone(),
                dest,
                kind,
                nargs,
                required: positional && nargs == Nargs::One,
                metavar: None,
                help: a.help.clone(),
                section: None,
                default,
            })?;
        }
        parsers.push((c.name.clone(), p));
    }
    Ok(Action {
        option_strings: Vec::new(),
        dest: dest.to_owned(),
        kind: Kind::SubParsers(parsers),
        nargs: Nargs::Parser,
        required: true,
        metavar: None,
        help,
        section: commands
            .title
            .clone()
            .map(|t| (t, commands.description.clone())),
        default: Attr::None,
    })
}

/// `find_config_files` / `find_config_dirs`: for the project and then the
/// program, the first of `~/.{project}/`, `~/`, `/etc/{project}/`, `/etc/`
/// (and the snap locations) holding `{name}{extension}`.
pub fn find_config_files(project: Option<&str>, prog: &str, extension: &str) -> Vec<String> {
    let dirs = config_search_dirs(project);
    let mut found = Vec::new();
    for name in [project, Some(prog)]
        .into_iter()
        .flatten()
        .filter(|n| !n.is_empty())
    {
        for d in &dirs {
            let path = join(d, &format!("{name}{extension}"));
            if std::path::Path::new(&path).exists() {
                found.push(path);
                break;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
