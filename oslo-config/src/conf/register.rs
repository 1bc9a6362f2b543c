//! Registering options and groups, and setting overrides and defaults
//! (`register_opt`, `set_override`, …).

use pycompat::value::Value;

use crate::error::{Error, Result};
use crate::key::{FromValue, Key, TypedOpt};
use crate::location::{LocationInfo, Locations};
use crate::logging::Level;
use crate::opts::{Opt, OptGroup};
use crate::parsed::ParsedSources;

use super::resolve::{key_error, slot_no};
use super::{ConfigOpts, GroupRef, OptInfo, Slot};

/// Names a DEFAULT option may not have.
const RESERVED: [&str; 6] = [
    "project",
    "prog",
    "version",
    "usage",
    "default_config_files",
    "default_config_dirs",
];

impl ConfigOpts {
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

    pub(super) fn find_group(&self, group: Option<&str>) -> Result<GroupRef> {
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

    pub(super) fn register(&mut self, opt: Opt, group: Option<&str>, cli: bool) -> Result<bool> {
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
    /// in the parse results ([`ParsedSources::by_opt`]).
    pub(super) fn index_registered(&mut self, g: GroupRef, index: usize) {
        let group = self.group_str(g);
        let Some(info) = self.slot(g).and_then(|s| s.opts.get(index)) else {
            return;
        };
        let look = |ns: &Option<ParsedSources>| {
            ns.as_ref()
                .map(|ns| Self::from_parsed_at(&info.opt, ns, group, false))
        };
        let (main, mutable) = (look(&self.parsed), look(&self.mutable_parsed));
        if let (Some(ns), Some(found)) = (self.parsed.as_mut(), main) {
            ns.set_indexed(slot_no(g), index, found);
        }
        if let (Some(ns), Some(found)) = (self.mutable_parsed.as_mut(), mutable) {
            ns.set_indexed(slot_no(g), index, found);
        }
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
        // Option indices moved: what the parse results looked up by index
        // is no longer theirs (there is no parse here, but be sure).
        for ns in self.parsed.iter_mut().chain(self.mutable_parsed.iter_mut()) {
            ns.by_opt.clear();
        }
        self.clear_cache();
        Ok(())
    }

    /// `_get_opt_info`: the option's group and index in it, following
    /// deprecated aliases.
    pub(super) fn opt_ref(&self, name: &str, group: Option<&str>) -> Result<(GroupRef, usize)> {
        let g = self.find_group(group)?;
        self.opt_ref_in(g, group, name)
    }

    /// [`Self::opt_ref`] in the group `g` (named `group`), already found.
    pub(super) fn opt_ref_in(
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
        // `_get_opt_info` logs the group it was given: `None` for DEFAULT.
        self.log.cfg(
            Level::Warning,
            format!(
                "Config option {}.{name}  is deprecated. Use option {}.{real_name} instead.",
                group.unwrap_or("None"),
                real_group.as_deref().unwrap_or("DEFAULT")
            ),
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

    pub(super) fn info(&self, r: (GroupRef, usize)) -> Result<&OptInfo> {
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
    pub(super) fn convert(opt: &Opt, value: &Value) -> Result<Value> {
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

    /// The option `name` of `group` (following deprecated names).
    pub fn opt(&self, name: &str, group: Option<&str>) -> Result<&Opt> {
        let r = self.opt_ref(name, group)?;
        Ok(&self.info(r)?.opt)
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
