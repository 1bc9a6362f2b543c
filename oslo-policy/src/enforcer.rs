//! `Enforcer`: the policy file and `policy_dirs` overlaid on the rules a
//! service registers, with the reference's scope checks, deprecated-rule
//! handling and reload-on-change.
//!
//! * Load order: the main file, then every existing `policy_dirs`
//!   directory's files (sorted by name, dotfiles skipped, any extension,
//!   not recursive), each updating the rules; then every registered default
//!   whose name is still missing (after deprecated-rule handling).
//! * The files are checked for changes (modification times) on every
//!   [`Enforcer::enforce`]; a reload that fails is reported once, after which
//!   the previous rules stay in force, as in the reference. A change made
//!   before a call is seen by that call; on Linux, from the second check
//!   on, an inotify watch of every path the check reads stands in for the
//!   `stat`s while nothing changes (`watch.rs` says what it covers, and
//!   when it falls back to a `stat` per call).
//! * Registered rules with `scope_types` are scope-checked before their
//!   check runs; file-only rules never are.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use crate::defaults::RuleDefault;
use crate::external::RemoteOptions;
use crate::parser::Check;
use crate::rules::{CheckRegistry, EvalError, LoadError, Rule, Rules, TraceNode, system_scope};
use crate::value::Value;
use crate::watch::{Arming, arm_path};

/// The `[oslo_policy]` options the enforcer reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `policy_file` (default `policy.yaml`); a missing file is no error.
    pub policy_file: PathBuf,
    /// `policy_dirs` (default `["policy.d"]`); missing ones are skipped.
    pub policy_dirs: Vec<PathBuf>,
    /// `policy_default_rule` (default `default`).
    pub default_rule: String,
    /// `enforce_new_defaults` (default true).
    pub enforce_new_defaults: bool,
    /// The `remote_*` options of `http:`/`https:` checks.
    pub remote: RemoteOptions,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            policy_file: PathBuf::from("policy.yaml"),
            policy_dirs: vec![PathBuf::from("policy.d")],
            default_rule: "default".to_owned(),
            enforce_new_defaults: true,
            remote: RemoteOptions::DEFAULT,
        }
    }
}

/// Why `enforce`/`authorize` did not return a decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnforceError {
    /// A policy file could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Evaluating the rule raised (deny).
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A defaults file could not be read.
    #[error(transparent)]
    DefaultsFile(#[from] crate::defaults::DefaultsFileError),
    /// `authorize` of a name no default was registered for.
    #[error("Policy {0} has not been registered")]
    NotRegistered(String),
    /// `authorize`: the token's scope is not one of the rule's.
    #[error(
        "{rule} requires a scope of {scope_types:?}, request was made with {token_scope} scope."
    )]
    InvalidScope {
        /// The rule name.
        rule: String,
        /// Its scopes.
        scope_types: Vec<String>,
        /// The token's.
        token_scope: &'static str,
    },
    /// `authorize`: the rule denied.
    #[error("{0} is disallowed by policy")]
    NotAuthorized(String),
    /// `register_default` of a name already registered.
    #[error("Policy {0} is already registered")]
    Duplicate(String),
    /// A policy directory path that is not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(String),
    /// The reference's `check_rules` recursion fails on this policy, so
    /// the reference cannot load it.
    #[error(
        "{}rule {name}: its rule: references nest deeper than oslo.policy's check_rules can \
         follow ({CHECK_RULES_MAX_DEPTH} levels): Python's recursion limit stops the policy from loading",
        match path { Some(p) => format!("{p}: "), None => "a registered default: ".to_owned() }
    )]
    TooDeep {
        /// The file the rule comes from (`None`: a registered default).
        path: Option<String>,
        /// `repr()` of the rule's name.
        name: String,
    },
}

#[derive(Debug, Default)]
struct State {
    rules: Option<Arc<Rules>>,
    /// How many of the first `rules` came from the files.
    file_rule_count: usize,
    stamp: Vec<(PathBuf, Option<SystemTime>)>,
    /// Armed before the scan that gave `stamp` (and `rules` are what a
    /// scan giving `stamp` returns): while it is quiet, a scan would give
    /// `stamp` again.
    watch: Option<crate::watch::Watch>,
    /// Arming failed at the last scan: no new try before the files change.
    arming_failed: bool,
}

impl State {
    /// The rules, when the last scan's watch has no event pending: what a
    /// scan would give again.
    fn rules_if_nothing_pending(&self) -> Option<Arc<Rules>> {
        match (&self.rules, &self.watch) {
            (Some(rules), Some(watch)) if watch.nothing_pending() => Some(Arc::clone(rules)),
            _ => None,
        }
    }
}

/// The rules read from the policy files, in order: the first rules of the
/// effective [`Rules`] (the registered defaults the files do not override
/// follow them there).
#[derive(Debug, Clone)]
pub struct FileRules {
    rules: Arc<Rules>,
    count: usize,
}

impl std::ops::Deref for FileRules {
    type Target = [Rule];

    fn deref(&self) -> &[Rule] {
        self.rules.rules().get(..self.count).unwrap_or_default()
    }
}

/// A policy enforcer.
#[derive(Debug)]
pub struct Enforcer {
    config: Config,
    checks: crate::rules::CheckRegistry,
    registered: Vec<RuleDefault>,
    by_name: HashMap<String, usize>,
    /// Read-locked by the calls that find the last scan's watch quiet
    /// (the common case: threads decide at once), write-locked to scan.
    state: RwLock<State>,
}

/// An enforcer with the same configuration, registered defaults and rules
/// (copies; the custom checks are the same objects), which watches the
/// files on its own: its first decision checks them, as after any change.
/// Threads that decide many requests each can hold a clone, so that none
/// waits for another or shares a cache line with it.
impl Clone for Enforcer {
    fn clone(&self) -> Enforcer {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        Enforcer {
            config: self.config.clone(),
            checks: self.checks.clone(),
            registered: self.registered.clone(),
            by_name: self.by_name.clone(),
            state: RwLock::new(State {
                rules: state.rules.as_deref().cloned().map(Arc::new),
                file_rule_count: state.file_rule_count,
                stamp: state.stamp.clone(),
                watch: None,
                arming_failed: false,
            }),
        }
    }
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

impl Enforcer {
    /// An enforcer with no registered rules; nothing is read yet.
    pub fn new(config: Config) -> Enforcer {
        Enforcer {
            config,
            checks: crate::rules::CheckRegistry::new(),
            registered: Vec::new(),
            by_name: HashMap::new(),
            state: RwLock::new(State::default()),
        }
    }

    /// `register_default`: duplicates are refused.
    pub fn register_default(&mut self, rule: RuleDefault) -> Result<(), EnforceError> {
        if self.by_name.contains_key(&rule.name) {
            return Err(EnforceError::Duplicate(rule.name));
        }
        self.by_name
            .insert(rule.name.clone(), self.registered.len());
        self.registered.push(rule);
        // Force a rebuild with the new default.
        self.state
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .rules = None;
        Ok(())
    }

    /// An enforcer with the defaults of every defaults file registered
    /// (each file's list in order; the files in the order given).
    ///
    /// # Errors
    /// The first file that cannot be read or registered.
    pub fn with_defaults_files(
        config: Config,
        files: &[PathBuf],
    ) -> Result<Enforcer, EnforceError> {
        let mut e = Enforcer::new(config);
        e.register_defaults_files(files)?;
        Ok(e)
    }

    /// Registers the defaults of each defaults file, in order.
    ///
    /// # Errors
    /// The first file that cannot be read or registered.
    pub fn register_defaults_files(&mut self, files: &[PathBuf]) -> Result<(), EnforceError> {
        for path in files {
            self.register_defaults(crate::defaults::read_file(path)?)?;
        }
        Ok(())
    }

    /// Registers a custom check kind for this enforcer only (see
    /// [`crate::rules::CustomCheck`]).
    pub fn register_check(
        &mut self,
        kind: &str,
        check: std::sync::Arc<dyn crate::rules::CustomCheck>,
    ) {
        self.checks.insert(kind.to_owned(), check);
    }

    /// `register_defaults`.
    pub fn register_defaults(&mut self, rules: Vec<RuleDefault>) -> Result<(), EnforceError> {
        rules.into_iter().try_for_each(|r| self.register_default(r))
    }

    /// The registered default named `name`.
    pub fn registered(&self, name: &str) -> Option<&RuleDefault> {
        self.by_name.get(name).and_then(|&i| self.registered.get(i))
    }

    /// The files that make up the policy, in load order, with their
    /// modification times (a missing main file appears with `None`).
    /// With `arming`, each path is watched before it is read (`None`
    /// after a path that cannot be).
    fn sources(
        &self,
        arming: &mut Option<Arming>,
    ) -> Result<Vec<(PathBuf, Option<SystemTime>)>, EnforceError> {
        arm_path(arming, &self.config.policy_file, false);
        let mut out = vec![(
            self.config.policy_file.clone(),
            mtime(&self.config.policy_file),
        )];
        for dir in &self.config.policy_dirs {
            arm_path(arming, dir, true);
            let Ok(meta) = std::fs::metadata(dir) else {
                continue;
            };
            if !meta.is_dir() {
                return Err(EnforceError::NotADirectory(dir.display().to_string()));
            }
            let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dir)
                .map_err(|e| LoadError::Io {
                    path: dir.display().to_string(),
                    message: e.to_string(),
                })?
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|e| e.file_name())
                .filter(|n| !n.to_string_lossy().starts_with('.'))
                .collect();
            names.sort();
            for n in names {
                let p = dir.join(n);
                arm_path(arming, &p, false);
                let t = mtime(&p);
                out.push((p, t));
            }
        }
        Ok(out)
    }

    /// The check every `enforce` makes, without allocating, for the common
    /// case of a policy made of the main file alone: its modification time
    /// is the recorded one and no `policy_dirs` entry has appeared. `false`
    /// means "look properly" ([`Enforcer::sources`]), not "changed".
    fn only_main_file_unchanged(&self, stamp: &[(PathBuf, Option<SystemTime>)]) -> bool {
        let [(path, time)] = stamp else {
            return false;
        };
        *path == self.config.policy_file
            && mtime(path) == *time
            && self
                .config
                .policy_dirs
                .iter()
                .all(|d| std::fs::metadata(d).is_err())
    }

    /// `load_rules()`: (re)builds the effective rules when a source changed.
    pub fn load_rules(&self) -> Result<Arc<Rules>, EnforceError> {
        // Shared: many threads may find the watch quiet at once.
        if let Some(rules) = self
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .rules_if_nothing_pending()
        {
            return Ok(rules);
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        self.load_locked(&mut state)
    }

    /// A new [`Arming`] for a scan.
    fn arming(&self) -> Option<Arming> {
        let relative = self.config.policy_file.is_relative()
            || self.config.policy_dirs.iter().any(|d| d.is_relative());
        Arming::new(relative)
    }

    fn load_locked(&self, state: &mut State) -> Result<Arc<Rules>, EnforceError> {
        if let Some(rules) = &state.rules {
            let unchanged = match &mut state.watch {
                Some(watch) => watch.quiet(),
                // No watch to be had: a `stat` per call.
                None if state.arming_failed => self.only_main_file_unchanged(&state.stamp),
                // Not armed yet: the scan below arms.
                None => false,
            };
            if unchanged {
                return Ok(Arc::clone(rules));
            }
        }
        // Scan: the files' names and times, each path watched before it
        // is read, so that what changes after is reported. The first load
        // is not watched: a tool that loads once and decides once
        // (`oslopolicy-checker`) pays nothing for watches.
        state.watch = None;
        let loaded = state.rules.is_some();
        let want = loaded && !state.arming_failed;
        let mut arming = if want { self.arming() } else { None };
        let mut sources = self.sources(&mut arming)?;
        if let Some(rules) = &state.rules {
            if state.stamp == sources {
                if want {
                    state.arming_failed = arming.is_none();
                }
                state.watch = arming.map(Arming::finish);
                return Ok(Arc::clone(rules));
            }
        }
        if loaded && !want {
            // Arming failed before and the files changed: time to try
            // again (a second scan, armed; a rebuild makes it cheap).
            arming = self.arming();
            sources = self.sources(&mut arming)?;
        }
        if loaded {
            state.arming_failed = arming.is_none();
        }
        match self.build(&sources) {
            Ok((rules, file_rule_count)) => {
                let rules = Arc::new(rules);
                state.rules = Some(Arc::clone(&rules));
                state.file_rule_count = file_rule_count;
                state.stamp = sources;
                state.watch = arming.map(Arming::finish);
                Ok(rules)
            }
            Err(e) => {
                // Like the reference's file cache: the new times are
                // recorded, so a broken reload is reported once and the
                // previous rules stay (a first load keeps failing).
                if state.rules.is_some() {
                    state.stamp = sources;
                    state.watch = arming.map(Arming::finish);
                }
                Err(e)
            }
        }
    }

    /// The rules read from the files (main file, then `policy_dirs`), in
    /// order, after [`Enforcer::load_rules`] (`enforcer.file_rules`).
    pub fn file_rules(&self) -> Result<FileRules, EnforceError> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let rules = self.load_locked(&mut state)?;
        Ok(FileRules {
            rules,
            count: state.file_rule_count,
        })
    }

    /// Whether a rule of the effective policy, as [`Enforcer::load_rules`]
    /// gives it now, has an `http:`/`https:` check anywhere in its tree
    /// (`not` operands included): deciding may then ask a policy server.
    pub fn asks_a_server(&self) -> Result<bool, EnforceError> {
        let rules = self.load_rules()?;
        let mut found = false;
        for rule in rules.rules() {
            crate::graph::each_check(&rule.check, crate::graph::Reach::All, &mut |c| {
                found |= matches!(c, Check::External { .. });
            });
        }
        Ok(found)
    }

    /// The custom check kinds registered with [`Enforcer::register_check`].
    pub(crate) fn custom_check_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.checks.keys().cloned().collect();
        kinds.sort();
        kinds
    }

    /// The registered defaults, in registration order.
    pub fn registered_rules(&self) -> &[RuleDefault] {
        &self.registered
    }

    fn build(
        &self,
        sources: &[(PathBuf, Option<SystemTime>)],
    ) -> Result<(Rules, usize), EnforceError> {
        let default = Some(self.config.default_rule.as_str());
        let mut merged: Vec<Rule> = Vec::new();
        // Where each `str` name is in `merged` (other keys are rare and
        // found by Python equality).
        let mut position: HashMap<String, usize> = HashMap::new();
        // The source each rule of `merged` was read from.
        let mut origin: Vec<usize> = Vec::new();
        for (file, (path, time)) in sources.iter().enumerate() {
            if time.is_none() {
                continue;
            }
            let rules = Rules::load_file(path, default)?;
            for rule in rules.into_rules() {
                let slot = match &rule.name {
                    Value::Str(name) => match position.get(name) {
                        Some(&i) => Some(i),
                        None => {
                            position.insert(name.clone(), merged.len());
                            None
                        }
                    },
                    other => merged
                        .iter()
                        .position(|r| !matches!(r.name, Value::Str(_)) && r.name.key_eq(other)),
                };
                match slot.and_then(|i| Some((merged.get_mut(i)?, origin.get_mut(i)?))) {
                    Some((slot, from)) => {
                        *slot = rule;
                        *from = file;
                    }
                    None => {
                        merged.push(rule);
                        origin.push(file);
                    }
                }
            }
        }
        let file_rule_count = merged.len();
        let mut defaults = Vec::new();
        for d in &self.registered {
            if position.contains_key(&d.name) {
                continue;
            }
            let file_check = |name: &str| {
                position
                    .get(name)
                    .and_then(|&i| merged.get(i))
                    .map(|r| &r.check)
            };
            defaults.push(Rule {
                name: Value::str(d.name.clone()),
                source: Value::str(d.check_str.clone()),
                check: self.effective_default(d, &file_check),
                diagnostics: Vec::new(),
            });
        }
        merged.extend(defaults);
        let rules = Rules::new(merged, default);
        if let Err(i) = check_rules_depth(&rules) {
            let (name, path) = match (rules.rules().get(i), origin.get(i)) {
                (Some(r), Some(&file)) => (
                    r.name.py_repr(),
                    sources.get(file).map(|(p, _)| p.display().to_string()),
                ),
                (Some(r), None) => (r.name.py_repr(), None),
                (None, _) => (String::new(), None),
            };
            return Err(EnforceError::TooDeep { path, name });
        }
        Ok((rules, file_rule_count))
    }

    /// `_handle_deprecated_rule`: the check a registered default not
    /// overridden by the files takes (`file_check` finds the files' rules).
    fn effective_default<'c>(
        &self,
        d: &RuleDefault,
        file_check: &dyn Fn(&str) -> Option<&'c Check>,
    ) -> Check {
        let Some(old) = &d.deprecated_rule else {
            return d.check.clone();
        };
        if old.name != d.name {
            if let Some(from_file) = file_check(&old.name) {
                if *from_file != old.check
                    && from_file.to_string() != format!("rule:{}", d.name)
                    && file_check(&d.name).is_none()
                {
                    return from_file.clone();
                }
            }
        }
        if !self.config.enforce_new_defaults
            && old.check_str != d.check_str
            && file_check(&d.name).is_none()
        {
            return Check::Or(vec![d.check.clone(), old.check.clone()]);
        }
        d.check.clone()
    }

    /// The token scope `_enforce_scope` derives from the credentials.
    fn token_scope(creds: &Value) -> &'static str {
        if creds.get("system").is_some_and(Value::truthy) {
            "system"
        } else if creds.get("domain_id").is_some_and(Value::truthy) {
            "domain"
        } else {
            "project"
        }
    }

    fn decide(
        &self,
        name: &str,
        target: &Value,
        creds: &mut Value,
        raise: bool,
    ) -> Result<bool, EnforceError> {
        let rules = self.load_rules()?;
        self.decide_on(&rules, name, target, creds, raise, &self.config.remote)
    }

    /// [`Enforcer::enforce`]/[`Enforcer::authorize`] on `rules` (what
    /// [`Enforcer::load_rules`] gave), with `remote` answering
    /// `http:`/`https:` checks (the analysis fixes their answers).
    pub(crate) fn decide_on(
        &self,
        rules: &Rules,
        name: &str,
        target: &Value,
        creds: &mut Value,
        raise: bool,
        remote: &dyn crate::rules::RemoteCheck,
    ) -> Result<bool, EnforceError> {
        if let Some(scope) = creds.get("system_scope").filter(|v| v.truthy()).cloned() {
            if let Value::Dict(items) = creds {
                Value::dict_insert(items, Value::str("system"), scope);
            }
        }
        if let Some(scopes) = self
            .registered(name)
            .and_then(|d| d.scope_types.as_ref())
            .filter(|s| !s.is_empty())
        {
            if rules.lookup(name).is_some() {
                let token_scope = Self::token_scope(creds);
                if !scopes.iter().any(|s| s == token_scope) {
                    return if raise {
                        Err(EnforceError::InvalidScope {
                            rule: name.to_owned(),
                            scope_types: scopes.clone(),
                            token_scope,
                        })
                    } else {
                        Ok(false)
                    };
                }
            }
        }
        let allowed = rules.decide(name, target, creds, None, Some(&self.checks), remote)?;
        if raise && !allowed {
            return Err(EnforceError::NotAuthorized(name.to_owned()));
        }
        Ok(allowed)
    }

    /// `enforce(name, target, creds)`: `Ok(false)` also for a scope
    /// mismatch; errors are load and evaluation failures (deny).
    pub fn enforce(
        &self,
        name: &str,
        target: &Value,
        creds: &mut Value,
    ) -> Result<bool, EnforceError> {
        self.decide(name, target, creds, false)
    }

    /// `authorize(name, target, creds, do_raise=True)`: the name must be
    /// registered; a denial or a scope mismatch is an error.
    pub fn authorize(
        &self,
        name: &str,
        target: &Value,
        creds: &mut Value,
    ) -> Result<(), EnforceError> {
        if self.registered(name).is_none() {
            return Err(EnforceError::NotRegistered(name.to_owned()));
        }
        self.decide(name, target, creds, true).map(|_| ())
    }
}

/// The frames the reference's `check_rules` may use: it runs on every
/// (first) load and recurses through and/or and `rule:` references; past
/// this depth Python raises `RecursionError` and the policy does not load
/// (measured: a chain of 991 `rule:` hops loads, 992 do not).
pub const CHECK_RULES_MAX_DEPTH: usize = 992;

/// Whether the reference's `check_rules` (`_undefined_check`, then
/// `_cycle_check` with its short-circuit on the first cycle) exceeds
/// Python's recursion limit on `rules`: `Err(i)` names the first rule (an
/// index into `rules.rules()`) on which it does.
///
/// The reference explores every path of `rule:` references (exponential on
/// a lattice of shared rules); this gives its answer in linear time: a
/// rule from which no cycle can be reached can only make the walk too
/// deep, which its precomputed height tells, and from a rule that reaches
/// a cycle the walk ends (cycle found, or too deep) on the first such path.
pub(crate) fn check_rules_depth(rules: &Rules) -> Result<(), usize> {
    use crate::graph::{self, Reach, RuleGraph};
    let graph = RuleGraph::new(rules, Reach::AndOr);
    let unsafe_nodes = graph::reaches_cycle(&graph.succ);
    let heights = graph::rule_heights(rules, &graph, Reach::AndOr, &unsafe_nodes);
    let walk = CycleWalk {
        rules,
        graph: &graph,
        heights: &heights,
    };
    for (i, rule) in rules.rules().iter().enumerate() {
        let too_deep = crate::parser::tree_depth(&rule.check) > CHECK_RULES_MAX_DEPTH
            || walk.cycle(&rule.check, &mut Vec::new(), 1).is_err();
        if too_deep {
            return Err(i);
        }
    }
    Ok(())
}

/// `_cycle_check`, with the subtrees that cannot reach a cycle decided
/// from their height.
struct CycleWalk<'r> {
    rules: &'r Rules,
    graph: &'r crate::graph::RuleGraph<'r>,
    heights: &'r [Option<usize>],
}

impl<'r> CycleWalk<'r> {
    /// `Ok(true)`: a cycle was found; `Err(())`: deeper than the limit.
    fn cycle(&self, check: &'r Check, seen: &mut Vec<&'r str>, depth: usize) -> Result<bool, ()> {
        crate::graph::step();
        if depth > CHECK_RULES_MAX_DEPTH {
            return Err(());
        }
        match check {
            Check::Rule(name) => {
                if seen.contains(&name.as_str()) {
                    return Ok(true);
                }
                let Some(target) = self.rules.get(name) else {
                    return Ok(false);
                };
                if let Some(h) = self
                    .graph
                    .node(name)
                    .and_then(|n| self.heights.get(n).copied().flatten())
                {
                    // No cycle below: the walk goes `h` levels deeper.
                    return if depth + h > CHECK_RULES_MAX_DEPTH {
                        Err(())
                    } else {
                        Ok(false)
                    };
                }
                seen.push(name);
                self.cycle(&target.check, seen, depth + 1)
            }
            Check::And(cs) | Check::Or(cs) => {
                for c in cs {
                    if self.cycle(c, &mut seen.clone(), depth + 1)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Ok(false),
        }
    }
}

/// `Enforcer.enforce` on rules loaded from a file alone (no registered
/// defaults, no scope checks; `http:`/`https:` checks with the
/// reference's default `remote_*` options).
impl Rules {
    /// `Enforcer.enforce(name, target, creds)`. `creds` is updated like
    /// the reference updates the caller's dict (`system` from a truthy
    /// `system_scope`).
    ///
    /// # Errors
    /// What the reference raises (the caller denies).
    pub fn enforce(
        &self,
        name: &str,
        target: &Value,
        creds: &mut Value,
    ) -> Result<bool, EvalError> {
        self.enforce_traced(name, target, creds, None)
    }

    /// [`Rules::enforce`] without touching the caller's credentials (the
    /// `system_scope` copy is made on a private copy, only when needed).
    ///
    /// # Errors
    /// What the reference raises (the caller denies).
    pub fn enforce_ref(
        &self,
        name: &str,
        target: &Value,
        creds: &Value,
    ) -> Result<bool, EvalError> {
        self.enforce_custom(name, target, creds, None)
    }

    /// [`Rules::enforce_ref`] with custom check kinds.
    ///
    /// # Errors
    /// What the reference raises (the caller denies).
    pub fn enforce_custom(
        &self,
        name: &str,
        target: &Value,
        creds: &Value,
        custom: Option<&CheckRegistry>,
    ) -> Result<bool, EvalError> {
        if let Some(scope) = system_scope(creds) {
            let mut copy = creds.clone();
            if let Value::Dict(items) = &mut copy {
                Value::dict_insert(items, Value::str("system"), scope);
            }
            return self.decide(name, target, &copy, None, custom, &RemoteOptions::DEFAULT);
        }
        self.decide(name, target, creds, None, custom, &RemoteOptions::DEFAULT)
    }

    /// Evaluates `name` like [`Rules::enforce`] and returns the decision
    /// with the tree of every check evaluated (or skipped) and why.
    pub fn explain(
        &self,
        name: &str,
        target: &Value,
        creds: &mut Value,
    ) -> (Result<bool, EvalError>, TraceNode) {
        let mut root = TraceNode {
            check: format!("enforce({name:?})"),
            outcome: None,
            detail: match (self.get(name), self.lookup(name)) {
                (Some(_), _) => String::new(),
                (None, Some(_)) => format!(
                    "no rule {name:?}: the default rule {:?} applies",
                    self.default_rule().unwrap_or_default()
                ),
                (None, None) => format!("no rule {name:?} and no default rule: false"),
            },
            children: Vec::new(),
        };
        let result = self.enforce_traced(name, target, creds, Some(&mut root));
        root.outcome = Some(result.clone());
        (result, root)
    }

    fn enforce_traced(
        &self,
        name: &str,
        target: &Value,
        creds: &mut Value,
        trace: Option<&mut TraceNode>,
    ) -> Result<bool, EvalError> {
        if let Some(scope) = system_scope(creds) {
            if let Value::Dict(items) = creds {
                Value::dict_insert(items, Value::str("system"), scope);
            }
        }
        self.decide(name, target, creds, trace, None, &RemoteOptions::DEFAULT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::DeprecatedRule;

    fn creds(roles: &[&str]) -> Value {
        Value::Dict(vec![(
            Value::str("roles"),
            Value::List(roles.iter().map(|r| Value::str(*r)).collect()),
        )])
    }

    fn setup(
        file: &str,
        dirs: &[(&str, &str)],
        new_defaults: bool,
    ) -> (tempfile::TempDir, Enforcer) {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy.json");
        std::fs::write(&policy, file).unwrap();
        let d = dir.path().join("policy.d");
        std::fs::create_dir(&d).unwrap();
        for (name, text) in dirs {
            std::fs::write(d.join(name), text).unwrap();
        }
        let e = Enforcer::new(Config {
            policy_file: policy,
            policy_dirs: vec![d],
            default_rule: "default".into(),
            enforce_new_defaults: new_defaults,
            ..Config::default()
        });
        (dir, e)
    }

    #[test]
    fn files_dirs_defaults_and_deprecations() -> Result<(), EnforceError> {
        let (_keep, mut e) = setup(
            r#"{"a": "role:x", "old_name": "role:legacy"}"#,
            &[
                ("20.json", r#"{"a": "role:z"}"#),
                ("10.json", r#"{"a": "role:y"}"#),
                (".hidden", "{"),
            ],
            false,
        );
        let reg = |n: &str, c: &str| RuleDefault::new(n, c).unwrap();
        e.register_default(reg("b", "role:b").with_scope_types(&["system"]).unwrap())?;
        let old = DeprecatedRule::new("old_name", "role:old", Some("r"), Some("W")).unwrap();
        e.register_default(reg("renamed", "role:new").with_deprecated_rule(old))?;
        let old2 = DeprecatedRule::new("changed", "role:before", Some("r"), Some("W")).unwrap();
        e.register_default(reg("changed", "role:after").with_deprecated_rule(old2))?;
        assert!(matches!(
            e.register_default(reg("b", "@")),
            Err(EnforceError::Duplicate(_))
        ));
        let t = Value::Dict(Vec::new());
        // Later directory files win.
        assert!(e.enforce("a", &t, &mut creds(&["z"]))?);
        assert!(!e.enforce("a", &t, &mut creds(&["y"]))?);
        // Scope: project token on a system rule is denied, then raised.
        assert!(!e.enforce("b", &t, &mut creds(&["b"]))?);
        let mut sys = creds(&["b"]);
        if let Value::Dict(items) = &mut sys {
            items.push((Value::str("system_scope"), Value::str("all")));
        }
        assert!(e.enforce("b", &t, &mut sys.clone())?);
        assert!(matches!(
            e.authorize("b", &t, &mut creds(&["b"])),
            Err(EnforceError::InvalidScope { .. })
        ));
        assert!(matches!(
            e.authorize("a", &t, &mut sys),
            Err(EnforceError::NotRegistered(_))
        ));
        // The operator overrode the old name: it stays in force.
        assert!(e.enforce("renamed", &t, &mut creds(&["legacy"]))?);
        assert!(!e.enforce("renamed", &t, &mut creds(&["new"]))?);
        // enforce_new_defaults=False: old OR new.
        assert!(e.enforce("changed", &t, &mut creds(&["before"]))?);
        assert!(e.enforce("changed", &t, &mut creds(&["after"]))?);
        Ok(())
    }

    #[derive(Debug)]
    struct Owner;

    impl crate::rules::CustomCheck for Owner {
        fn call(
            &self,
            _kind: &str,
            pattern: &str,
            target: &Value,
            creds: &Value,
        ) -> Result<bool, EvalError> {
            let wanted = crate::pyformat::format(pattern, target)
                .map_err(|e| EvalError::from_text(e.to_string()))?;
            Ok(creds.get("user_id").map(Value::py_str).as_deref() == Some(&*wanted))
        }
    }

    #[test]
    fn custom_checks_are_per_enforcer() -> Result<(), EnforceError> {
        let (_keep, mut with) = setup(r#"{"a": "owner:%(owner)s"}"#, &[], true);
        let (_keep2, without) = setup(r#"{"a": "owner:%(owner)s"}"#, &[], true);
        with.register_check("owner", std::sync::Arc::new(Owner));
        let target = Value::Dict(vec![(Value::str("owner"), Value::str("u1"))]);
        let mut creds = Value::Dict(vec![(Value::str("user_id"), Value::str("u1"))]);
        assert!(with.enforce("a", &target, &mut creds.clone())?);
        // Without the registration "owner" is a credentials lookup.
        assert!(!without.enforce("a", &target, &mut creds)?);
        Ok(())
    }

    #[test]
    fn reload_and_failed_reload() -> Result<(), EnforceError> {
        let (dir, e) = setup(r#"{"a": "role:x"}"#, &[], true);
        let t = Value::Dict(Vec::new());
        assert!(e.enforce("a", &t, &mut creds(&["x"]))?);
        let policy = dir.path().join("policy.json");
        let bump = |text: &str| {
            std::fs::write(&policy, text).unwrap();
            let later = SystemTime::now() + std::time::Duration::from_secs(5);
            let f = std::fs::File::options().write(true).open(&policy).unwrap();
            f.set_modified(later).unwrap();
        };
        bump(r#"{"a": "role:y"}"#);
        assert!(e.enforce("a", &t, &mut creds(&["y"]))?);
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(&policy, "{broken").unwrap();
        let f = std::fs::File::options().write(true).open(&policy).unwrap();
        f.set_modified(SystemTime::now() + std::time::Duration::from_secs(10))
            .unwrap();
        assert!(
            e.enforce("a", &t, &mut creds(&["y"])).is_err(),
            "reported once"
        );
        assert!(
            e.enforce("a", &t, &mut creds(&["y"]))?,
            "then the old rules stay"
        );
        Ok(())
    }

    /// `_cycle_check` as the reference writes it: every path, exponential
    /// on shared rules. The model `check_rules_depth` must agree with.
    fn naive_check_rules(rules: &Rules) -> Result<(), usize> {
        fn cycle<'a>(
            rules: &'a Rules,
            check: &'a Check,
            seen: &mut Vec<&'a str>,
            depth: usize,
        ) -> Result<bool, ()> {
            if depth > CHECK_RULES_MAX_DEPTH {
                return Err(());
            }
            if let Check::Rule(name) = check {
                if seen.contains(&name.as_str()) {
                    return Ok(true);
                }
                seen.push(name);
                if let Some(target) = rules.get(name) {
                    if cycle(rules, &target.check, seen, depth + 1)? {
                        return Ok(true);
                    }
                }
            }
            if let Check::And(cs) | Check::Or(cs) = check {
                for c in cs {
                    if cycle(rules, c, &mut seen.clone(), depth + 1)? {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
        for (i, rule) in rules.rules().iter().enumerate() {
            if crate::parser::tree_depth(&rule.check) > CHECK_RULES_MAX_DEPTH
                || cycle(rules, &rule.check, &mut Vec::new(), 1).is_err()
            {
                return Err(i);
            }
        }
        Ok(())
    }

    fn load(text: &str) -> Rules {
        Rules::load(text.as_bytes(), "t.yaml", Some("default")).unwrap()
    }

    /// Small random policies (chains, shared rules, cycles, `not`,
    /// undefined names) near the depth limit: the linear model decides as
    /// the reference's walk does.
    #[test]
    fn check_rules_depth_agrees_with_the_reference_walk() {
        let mut seed = 0x5eed_u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let mut refused = 0;
        for _ in 0..300 {
            let n = 2 + next(8) as usize;
            let long = next(3) == 0;
            let mut text = String::new();
            // A deeply nested rule into the random part, so the limit is
            // reached on some policies and not others.
            let nest = if long { 975 + next(20) as usize } else { 0 };
            text.push_str(&format!(
                "c: '{}rule:r0{}'\n",
                "role:x and (".repeat(nest),
                ")".repeat(nest)
            ));
            for i in 0..n {
                let k = 1 + next(2);
                let atoms: Vec<String> = (0..k)
                    .map(|_| match next(6) {
                        0 => "role:x".to_owned(),
                        1 => format!("not rule:r{}", next(n as u64 + 1)),
                        2 => format!("rule:u{}", next(3)),
                        _ => format!("rule:r{}", next(n as u64 + 1)),
                    })
                    .collect();
                let op = if next(2) == 0 { " or " } else { " and " };
                text.push_str(&format!("r{i}: '{}'\n", atoms.join(op)));
            }
            let rules = load(&text);
            let ours = check_rules_depth(&rules);
            assert_eq!(ours, naive_check_rules(&rules), "{text}");
            refused += usize::from(ours.is_err());
        }
        assert!(refused > 10, "the limit was reached {refused} times");
    }

    /// A lattice of shared rules (each level refers twice to the next) is
    /// 2^levels paths for the reference's walk: decided at once here.
    #[test]
    fn check_rules_depth_is_linear_on_shared_rules() {
        let lattice = |levels: usize| {
            let mut text = String::new();
            for i in 0..levels {
                text.push_str(&format!("a{i}: rule:a{} or rule:a{}\n", i + 1, i + 1));
            }
            text.push_str(&format!("a{levels}: role:x\n"));
            load(&text)
        };
        let start = std::time::Instant::now();
        assert_eq!(check_rules_depth(&lattice(400)), Ok(()));
        // 2 levels per hop (the `or`, then the rule): 496 hops are 992.
        assert_eq!(check_rules_depth(&lattice(495)), Ok(()));
        assert_eq!(check_rules_depth(&lattice(496)), Err(0));
        let mut chain = String::new();
        for i in 0..100_000 {
            chain.push_str(&format!("r{i}: rule:r{}\n", i + 1));
        }
        assert_eq!(check_rules_depth(&load(&chain)), Err(0));
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    /// The error names the file the rule came from (a `policy_dirs` file
    /// here), never an empty field.
    #[test]
    fn too_deep_names_the_rules_file() {
        let mut chain = String::from("{");
        for i in 0..1000 {
            chain.push_str(&format!("\"r{i}\": \"rule:r{}\", ", i + 1));
        }
        chain.push_str("\"end\": \"@\"}");
        let (dir, e) = setup(r#"{"a": "role:x"}"#, &[("10.json", &chain)], true);
        let err = e
            .load_rules()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let file = dir.path().join("policy.d").join("10.json");
        assert!(
            err.starts_with(&format!("{}: rule 'r0': ", file.display())),
            "{err}"
        );
        let empty = LoadError::Rule {
            path: String::new(),
            name: "'a'".to_owned(),
            message: "m".to_owned(),
        };
        assert_eq!(empty.to_string(), "rule 'a': m");
    }

    /// Whether the enforcer decides with a watch standing in for `stat`.
    fn watching(e: &Enforcer) -> bool {
        e.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .watch
            .is_some()
    }

    /// Writes `text` to `path` with a modification time `secs` seconds
    /// from now (so that the reference's check sees a new time).
    fn write_at(path: &Path, text: &str, secs: u64) {
        std::fs::write(path, text).unwrap();
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(SystemTime::now() + std::time::Duration::from_secs(secs))
            .unwrap();
    }

    /// An enforcer of `policy.yaml` (`a: role:one`) in a new directory,
    /// nothing read yet.
    fn wanting_one() -> (tempfile::TempDir, PathBuf, Enforcer) {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy.yaml");
        write_at(&policy, "a: role:one", 1);
        let e = Enforcer::new(Config {
            policy_file: policy.clone(),
            ..Config::default()
        });
        (dir, policy, e)
    }

    /// `role:R` for the rule `a`: which role the effective policy wants.
    fn wants(e: &Enforcer, role: &str) -> bool {
        let t = Value::Dict(Vec::new());
        e.enforce("a", &t, &mut creds(&[role]))
            .unwrap_or_else(|err| panic!("{err}"))
    }

    /// A policy asks a server when an `http:`/`https:` check stands
    /// anywhere in a rule's tree, under `not` too; else it does not.
    #[test]
    fn asks_a_server_looks_through_every_tree() {
        let (_dir, policy, e) = wanting_one();
        assert_eq!(e.asks_a_server().ok(), Some(false));
        write_at(
            &policy,
            "a: role:one\nb: role:x or (role:y and not http://127.0.0.1:9/x)\n",
            20,
        );
        assert_eq!(e.asks_a_server().ok(), Some(true));
    }

    /// A clone decides as the original, with the same registered
    /// defaults, and watches the files on its own: a change is seen by
    /// the next call of each, whichever was armed first.
    #[test]
    fn a_clone_decides_alike_and_sees_changes_on_its_own() {
        let (_dir, policy, mut e) = wanting_one();
        let b = RuleDefault::new("b", "role:admin").unwrap_or_else(|err| panic!("{err}"));
        e.register_default(b).unwrap_or_else(|err| panic!("{err}"));
        let unloaded = e.clone();
        assert!(wants(&e, "one"));
        assert!(wants(&e, "one"));
        let c = e.clone();
        assert!(!watching(&c), "a clone arms at its own first call");
        let t = Value::Dict(Vec::new());
        for x in [&e, &c, &unloaded] {
            assert!(wants(x, "one"));
            assert!(!wants(x, "two"));
            assert_eq!(x.enforce("b", &t, &mut creds(&["admin"])).ok(), Some(true));
        }
        assert_eq!(watching(&c), cfg!(target_os = "linux"));
        write_at(&policy, "a: role:two", 20);
        assert!(wants(&c, "two"), "the clone");
        assert!(wants(&e, "two"), "the original");
        assert!(wants(&unloaded, "two"), "the clone made before any load");
        write_at(&policy, "a: role:three", 40);
        assert!(wants(&e, "three"), "the original, first this time");
        assert!(wants(&c, "three"), "the clone");
    }

    /// Threads deciding with one enforcer at once (the shared path of
    /// `load_rules`) all get answers, and all see a change at their next
    /// call after it.
    #[test]
    fn threads_sharing_one_enforcer_see_a_change() {
        let (_dir, policy, e) = wanting_one();
        assert!(wants(&e, "one"));
        assert!(wants(&e, "one"));
        let changed = std::sync::Barrier::new(5);
        let written = std::sync::Barrier::new(5);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..2000 {
                        assert!(wants(&e, "one"));
                    }
                    changed.wait();
                    written.wait();
                    for _ in 0..2000 {
                        assert!(wants(&e, "two"));
                    }
                });
            }
            changed.wait();
            write_at(&policy, "a: role:two", 20);
            written.wait();
        });
    }

    /// Every way a policy changes is seen by the next call, while a watch
    /// stands in for the `stat`s (Linux): in-place writes, replacement by
    /// rename, removal and creation, a directory renamed away and back,
    /// a symbolic link swapped as Kubernetes swaps `..data`, a write
    /// through another hard link, `policy_dirs` entries coming and going;
    /// a dotfile in a policy directory changes nothing.
    #[test]
    fn every_change_is_seen_by_the_next_call() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let etc = root.join("etc");
        let v1 = etc.join("v1");
        std::fs::create_dir_all(&v1).unwrap();
        write_at(&v1.join("policy.yaml"), "a: role:one", 1);
        std::os::unix::fs::symlink("v1", etc.join("..data")).unwrap();
        let policy = etc.join("policy.yaml");
        std::os::unix::fs::symlink("..data/policy.yaml", &policy).unwrap();
        let d = etc.join("policy.d");
        let e = Enforcer::new(Config {
            policy_file: policy.clone(),
            policy_dirs: vec![d.clone()],
            ..Config::default()
        });
        assert!(wants(&e, "one"));
        assert!(wants(&e, "one"));
        let linux = cfg!(target_os = "linux");
        assert_eq!(watching(&e), linux, "armed at the second check");
        let step = std::cell::Cell::new(10);
        let later = || {
            step.set(step.get() + 10);
            step.get()
        };
        // The Kubernetes ConfigMap update: a new version, `..data` swapped
        // by rename.
        let v2 = etc.join("v2");
        std::fs::create_dir(&v2).unwrap();
        write_at(&v2.join("policy.yaml"), "a: role:two", later());
        std::os::unix::fs::symlink("v2", etc.join("..data.new")).unwrap();
        std::fs::rename(etc.join("..data.new"), etc.join("..data")).unwrap();
        assert!(wants(&e, "two"), "symbolic link swapped");
        assert!(wants(&e, "two"));
        // In place, through the link.
        write_at(&policy, "a: role:three", later());
        assert!(wants(&e, "three"), "written in place");
        // Replaced by rename.
        let tmp = v2.join("policy.yaml.tmp");
        write_at(&tmp, "a: role:four", later());
        std::fs::rename(&tmp, v2.join("policy.yaml")).unwrap();
        assert!(wants(&e, "four"), "replaced by rename");
        // Through another hard link.
        let other = root.join("hard-link");
        std::fs::hard_link(v2.join("policy.yaml"), &other).unwrap();
        assert!(wants(&e, "four"));
        write_at(&other, "a: role:five", later());
        assert!(wants(&e, "five"), "written through another link");
        // A directory on the path renamed away: the file is gone.
        std::fs::rename(&v2, root.join("v2-away")).unwrap();
        assert!(!wants(&e, "five"), "the file went away with its directory");
        std::fs::rename(root.join("v2-away"), &v2).unwrap();
        assert!(wants(&e, "five"), "and came back");
        // Removed, then created again.
        std::fs::remove_file(v2.join("policy.yaml")).unwrap();
        assert!(!wants(&e, "five"), "removed");
        write_at(&v2.join("policy.yaml"), "a: role:six", later());
        assert!(wants(&e, "six"), "created");
        // policy_dirs: the directory appears, files come, change and go.
        std::fs::create_dir(&d).unwrap();
        write_at(&d.join("10.yaml"), "a: role:seven", later());
        assert!(wants(&e, "seven"), "policy.d created with a file");
        assert!(wants(&e, "seven"));
        assert_eq!(watching(&e), linux);
        write_at(&d.join("20.yaml"), "a: role:eight", later());
        assert!(wants(&e, "eight"), "a later file added");
        write_at(&d.join(".20.yaml.swp"), "{", later());
        assert!(wants(&e, "eight"), "dotfiles are not read");
        assert_eq!(watching(&e), linux, "and do not disarm");
        write_at(&d.join("20.yaml"), "a: role:nine", later());
        assert!(wants(&e, "nine"), "a policy.d file written");
        std::fs::remove_file(d.join("20.yaml")).unwrap();
        assert!(wants(&e, "seven"), "a policy.d file removed");
        std::fs::rename(&d, root.join("d-away")).unwrap();
        assert!(wants(&e, "six"), "policy.d renamed away");
        // A file unrelated to the policy changes nothing.
        write_at(&etc.join("nova.conf"), "[DEFAULT]", later());
        assert!(wants(&e, "six"));
        assert_eq!(watching(&e), linux);
    }

    /// A lost event (the queue overflowed: `max_queued_events` unrelated
    /// events, then the policy written) sends the next call to the scan:
    /// reading the pending events alone would find none about the policy.
    #[test]
    fn a_queue_overflow_is_a_change() {
        let (dir, policy, e) = wanting_one();
        assert!(wants(&e, "one"));
        assert!(wants(&e, "one"));
        let linux = cfg!(target_os = "linux");
        assert_eq!(watching(&e), linux, "armed at the second check");
        if !linux {
            return;
        }
        let limit: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(16384);
        // Events in the policy's directory about other files: two files in
        // turn, as identical consecutive events are merged.
        let mut files =
            ["a.conf", "b.conf"].map(|n| std::fs::File::create(dir.path().join(n)).unwrap());
        for i in 0..=limit {
            use std::io::Write as _;
            if let Some(f) = files.get_mut(i % 2) {
                f.write_all(b"x").unwrap();
            }
        }
        write_at(&policy, "a: role:two", 20);
        assert!(wants(&e, "two"), "the overflow is seen");
        assert!(wants(&e, "two"));
        assert!(watching(&e), "armed again");
    }

    /// Where no watch can be had (no inotify instance left, a path that
    /// cannot be watched: `max_user_watches` reached), every call checks
    /// the files, as without a watch: each change is seen by the next call.
    #[test]
    fn without_a_watch_every_call_checks_the_files() {
        for how in [crate::watch::Refuse::New, crate::watch::Refuse::Path] {
            crate::watch::refuse(how);
            let dir = tempfile::tempdir().unwrap();
            let policy = dir.path().join("policy.yaml");
            let d = dir.path().join("policy.d");
            write_at(&policy, "a: role:one", 1);
            let e = Enforcer::new(Config {
                policy_file: policy.clone(),
                policy_dirs: vec![d.clone()],
                ..Config::default()
            });
            assert!(wants(&e, "one"));
            assert!(wants(&e, "one"));
            assert!(!watching(&e), "{how:?}");
            write_at(&policy, "a: role:two", 10);
            assert!(wants(&e, "two"), "{how:?}: written");
            std::fs::create_dir(&d).unwrap();
            write_at(&d.join("1.yaml"), "a: role:three", 20);
            assert!(wants(&e, "three"), "{how:?}: policy.d created");
            write_at(&d.join("1.yaml"), "a: role:four", 30);
            assert!(wants(&e, "four"), "{how:?}: policy.d file written");
            std::fs::remove_file(d.join("1.yaml")).unwrap();
            assert!(wants(&e, "two"), "{how:?}: policy.d file removed");
            std::fs::remove_file(&policy).unwrap();
            assert!(!wants(&e, "two"), "{how:?}: removed");
            assert!(!watching(&e), "{how:?}");
        }
        crate::watch::refuse(crate::watch::Refuse::Nothing);
    }

    /// A `policy_dirs` entry created after the first load is read at the
    /// next `enforce` (the unchanged-file shortcut must not hide it).
    #[test]
    fn policy_dir_appearing_later_is_read() -> Result<(), EnforceError> {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy.json");
        std::fs::write(&policy, r#"{"a": "role:x"}"#).unwrap();
        let d = dir.path().join("policy.d");
        let e = Enforcer::new(Config {
            policy_file: policy,
            policy_dirs: vec![d.clone()],
            ..Config::default()
        });
        let t = Value::Dict(Vec::new());
        assert!(e.enforce("a", &t, &mut creds(&["x"]))?);
        assert!(e.enforce("a", &t, &mut creds(&["x"]))?);
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("10.yaml"), "a: role:z").unwrap();
        assert!(e.enforce("a", &t, &mut creds(&["z"]))?);
        assert!(!e.enforce("a", &t, &mut creds(&["x"]))?);
        Ok(())
    }
}
