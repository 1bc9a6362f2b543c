//! Reading values: the precedence of the sources, `$` substitution,
//! type conversion, and the memo of values already read.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use pycompat::value::Value;

use crate::error::{BadValue, Error, Result};
use crate::key::{FromValue, Key};
use crate::location::{LocationInfo, Locations};
use crate::opts::Opt;
use crate::parsed::ParsedSources;
use crate::report::Secrets;
use crate::template::{self, Lookup};

use super::{ConfigOpts, GroupRef, OptInfo};

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
pub(super) struct Reads {
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
pub(super) fn new_id() -> u64 {
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
pub(super) fn slot_no(g: GroupRef) -> usize {
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

    pub(super) fn clear(&mut self) {
        if self.any_fresh {
            for slot in &mut self.by_opt {
                slot.iter_mut().for_each(|memo| memo.fresh = false);
            }
            self.any_fresh = false;
        }
        self.by_name.clear();
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

/// The error data for a value the option's type refused.
fn bad_value(
    opt: &Opt,
    group: Option<&str>,
    text: String,
    location: LocationInfo,
    refused: Refused,
) -> BadValue {
    BadValue {
        text,
        option: opt.name.clone(),
        group: group.map(str::to_owned),
        location,
        reason: refused.error.to_string(),
        value: refused.given,
        ty: opt.ty.clone(),
        secret: opt.secret,
        cause: refused.in_reference.then(|| Box::new(refused.error)),
    }
}

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
pub(super) fn key_error(name: &str) -> Error {
    Error::Python {
        class: "KeyError",
        message: pycompat::value::str_repr(name),
    }
}

impl ConfigOpts {
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

    /// The value of a typed option (`None` if unset).
    pub fn value<T: FromValue>(&self, key: &Key<T>) -> Result<Option<T>> {
        let value = match &key.group {
            None => self.get(&key.dest)?,
            Some(g) => self.get_in(Some(g), &key.dest)?,
        };
        crate::key::typed(key, &value)
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

    pub(super) fn get_value(
        &self,
        name: &str,
        g: GroupRef,
        ns: Option<&ParsedSources>,
    ) -> Result<Value> {
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
    /// found in the parsed, without the location); `None` in every
    /// other case, including a value the type refuses (`do_get` converts
    /// it again and builds the error).
    fn plain_value(&self, g: GroupRef, i: usize) -> Option<Value> {
        let info = self.slot(g)?.opts.get(i)?;
        if info.override_value.is_some() || (self.use_env && !self.env.is_empty()) {
            return None;
        }
        let opt = &info.opt;
        let parsed = match opt.mutable {
            true => self.mutable_parsed.as_ref().or(self.parsed.as_ref()),
            false => self.parsed.as_ref(),
        }?;
        let (value, _) = parsed.indexed(slot_no(g), i)??;
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
        ns: Option<&ParsedSources>,
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
        if let Some(v) = &info.override_value {
            let loc = want_loc.then(|| Self::own_location(info));
            return Ok((self.substitute(v, None, None)?, loc));
        }
        if let Some(found) = self.read_sources(name, g, r, info, ns, want_loc)? {
            return Ok(found);
        }
        self.read_default(info, g, ns, want_loc)
    }

    /// Where a value that no source gave comes from: the option's own
    /// recorded location, else its default.
    fn own_location(info: &OptInfo) -> LocationInfo {
        info.location
            .clone()
            .unwrap_or_else(|| LocationInfo::new(Locations::OptDefault, ""))
    }

    /// The value the parsed files and command line, or the environment,
    /// give the option; `None` when neither has one (the read goes on to
    /// the defaults).
    fn read_sources(
        &self,
        name: &str,
        g: GroupRef,
        r: (GroupRef, usize),
        info: &OptInfo,
        ns: Option<&ParsedSources>,
        want_loc: bool,
    ) -> Result<Option<(Value, Option<LocationInfo>)>> {
        let opt = &info.opt;
        let parsed = match ns {
            Some(n) => n,
            None if opt.mutable => match self.mutable_parsed.as_ref().or(self.parsed.as_ref()) {
                Some(p) => p,
                None => return Ok(None),
            },
            None => match self.parsed.as_ref() {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        let group_name = self.group_str(g);
        let env_name = || Self::env_name(group_name, name);
        let env_val = if self.use_env && !self.env.is_empty() {
            self.env.get(&env_name())
        } else {
            None
        };
        // What the parse looked up for the option, if it did (under the
        // option's own group, without the file of the location).
        let indexed = match (want_loc, r.0 == g) {
            (false, true) => parsed.indexed(slot_no(g), r.1),
            _ => None,
        };
        let live;
        let found = match indexed {
            Some(found) => found,
            None => {
                live = Self::from_parsed_at(opt, parsed, group_name, want_loc);
                live.as_ref()
            }
        };
        // The attempt, and whether its value is the environment's (the
        // location is only built when asked for, or for errors).
        let ((result, from_env), alt_loc) = match found {
            Some((val, alt_loc)) => {
                let attempt = match &env_val {
                    Some(env) if alt_loc.location != Locations::CommandLine => {
                        (self.convert_in(opt, g, ns, &Value::Str(env.clone())), true)
                    }
                    _ => (self.convert_in(opt, g, ns, val), false),
                };
                (attempt, Cow::Borrowed(alt_loc))
            }
            None => match &env_val {
                Some(env) => (
                    (self.convert_in(opt, g, ns, &Value::Str(env.clone())), true),
                    Cow::Owned(LocationInfo::new(Locations::Environment, env_name())),
                ),
                None => return Ok(None),
            },
        };
        let loc = || match from_env {
            true => LocationInfo::new(Locations::Environment, env_name()),
            false => alt_loc.as_ref().clone(),
        };
        match result {
            Ok(v) => Ok(Some((v, want_loc.then(loc)))),
            Err(refused) if is_value_error(&refused.error) => {
                let loc = loc();
                let e = &refused.error;
                // The message names the file: find it now.
                let alt_loc = match (want_loc, alt_loc.location) {
                    (false, Locations::User) => Self::from_parsed(opt, parsed, group_name)
                        .map_or(alt_loc.into_owned(), |f| f.1),
                    _ => alt_loc.into_owned(),
                };
                let message = format!(
                    "Value for option {} from {alt_loc} is not valid: {e}",
                    opt.name
                );
                // The reference names the last file with the section; the
                // operator needs the value's source.
                let source = match loc.location {
                    Locations::User => Self::source_of(opt, parsed, group_name, alt_loc.clone()),
                    _ => loc,
                };
                let bad = Box::new(bad_value(opt, group_name, message, source, *refused));
                if alt_loc.location == Locations::User {
                    Err(Error::ConfigFileValue(bad))
                } else {
                    Err(Error::ConfigSourceValue(bad))
                }
            }
            Err(refused) => Err(refused.error),
        }
    }

    /// The option's value when no source gives one: a set default, else
    /// the registered default (checked first when
    /// `validate_default_values` is on), else `None`.
    fn read_default(
        &self,
        info: &OptInfo,
        g: GroupRef,
        ns: Option<&ParsedSources>,
        want_loc: bool,
    ) -> Result<(Value, Option<LocationInfo>)> {
        let opt = &info.opt;
        if let Some(v) = &info.default_value {
            let loc = want_loc.then(|| Self::own_location(info));
            return Ok((self.substitute(v, None, None)?, loc));
        }
        if opt.default.is_none() {
            return Ok((Value::None, None));
        }
        if self.validate_default_values {
            if let Err(refused) = self.convert_in(opt, g, ns, &opt.default) {
                if is_value_error(&refused.error) {
                    let message = format!(
                        "Default value for option {} is not valid: {}",
                        opt.name, refused.error
                    );
                    let location = LocationInfo::new(Locations::OptDefault, "");
                    let bad = bad_value(opt, self.group_str(g), message, location, *refused);
                    return Err(Error::ConfigFileValue(Box::new(bad)));
                }
                return Err(refused.error);
            }
        }
        let value = self
            .convert_in(opt, g, ns, &opt.default)
            .map_err(|r| r.error)?;
        Ok((value, want_loc.then(|| Self::own_location(info))))
    }

    /// A raw value as the option's type: `$` references substituted (in
    /// group `g`, against `ns`), then converted. On failure: the error and
    /// what it was about (the value the type was given, or the raw one if
    /// interpolation failed).
    fn convert_in(
        &self,
        opt: &Opt,
        g: GroupRef,
        ns: Option<&ParsedSources>,
        value: &Value,
    ) -> std::result::Result<Value, Box<Refused>> {
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
    }

    /// `_substitute`: `$` references in strings, list items, dict keys
    /// and values.
    pub(super) fn substitute(
        &self,
        value: &Value,
        g: GroupRef,
        ns: Option<&ParsedSources>,
    ) -> Result<Value> {
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
    pub(super) fn lookup(
        &self,
        key: &str,
        g: GroupRef,
        ns: Option<&ParsedSources>,
    ) -> Lookup<Error> {
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
    pub(super) fn needs_value(&self, g: GroupRef, info: &OptInfo) -> bool {
        info.opt.required
            && info.default_value.is_none()
            && info.override_value.is_none()
            // A DEFAULT option named like a group reads as the group.
            && !(g.is_none() && self.group_index.contains_key(&info.opt.dest))
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
}
