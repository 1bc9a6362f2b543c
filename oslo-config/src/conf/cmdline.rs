//! The command line: `ConfigOpts.__call__`, the argparse parser built
//! from the CLI options, and sub-commands.

use pycompat::value::{Value, str_repr};

use crate::argparse::{Action, Attr, Kind, Nargs, Parser};
use crate::error::{BadValue, Error, Result};
use crate::location::Locations;
use crate::logging::Level;
use crate::opts::Opt;
use crate::parsed::ParsedSources;
use crate::types::{ListType, Type};

use super::files::find_config_files_in;
use super::{CallArgs, ConfigOpts, Env, GroupRef, OptInfo};

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

impl ConfigOpts {
    /// Takes the process environment's `OS_*` variables (and `COLUMNS`)
    /// as they are now, unless a fixed environment was given.
    pub(super) fn snapshot_env(&mut self) {
        if matches!(self.env, Env::Fixed(_)) {
            return;
        }
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("OS_") || k == "COLUMNS")
            .collect();
        self.env = Env::Snapshot(vars);
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
            None => find_config_files_in(call.project.as_deref(), &prog, ".conf", self.env.home()),
        };
        self.default_config_dirs = match &call.default_config_dirs {
            Some(d) => d.clone(),
            None => {
                find_config_files_in(call.project.as_deref(), &prog, ".conf.d", self.env.home())
            }
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
        let parsed = self.parse_config_files(&call, lenient)?;
        if lenient {
            self.parsed = Some(parsed);
            self.clear_cache();
            return Ok(());
        }
        if !parsed.files_not_found.is_empty() {
            return Err(Error::ConfigFilesNotFound(
                parsed.files_not_found.iter().map(Into::into).collect(),
            ));
        }
        if !parsed.files_permission_denied.is_empty() {
            return Err(Error::ConfigFilesPermissionDenied(
                parsed
                    .files_permission_denied
                    .iter()
                    .map(Into::into)
                    .collect(),
            ));
        }
        self.parsed = Some(parsed);
        self.clear_cache();
        self.load_alternative_sources()?;
        self.check_required(None)
    }

    /// `_load_alternative_sources` and `_open_source_from_opt_group`: each
    /// group `config_source` names gets a `driver` option; a value the
    /// choices refuse in a file, or no value, is logged and the group
    /// skipped, as there. Deviation: a valid driver (`remote_file`) is
    /// refused with [`Error::UnsupportedSource`], as this implementation
    /// does not load remote sources.
    fn load_alternative_sources(&mut self) -> Result<()> {
        let Value::List(groups) = self.get("config_source")? else {
            return Ok(());
        };
        for group in groups {
            let group = group.py_str();
            let driver = Opt::string_choices("driver", &["remote_file"])
                .help("The name of the driver that can load this configuration source.");
            self.register_opt(driver, Some(&group))?;
            let driver = match self.get_in(Some(&group), "driver") {
                Ok(driver) => driver,
                Err(Error::ConfigFileValue(bad)) => {
                    self.log.cfg(
                        Level::Error,
                        format!(
                            "could not load configuration from {}. {}",
                            str_repr(&group),
                            bad.text
                        ),
                    );
                    continue;
                }
                Err(e) => return Err(e),
            };
            if driver == Value::None {
                self.log.cfg(
                    Level::Error,
                    format!(
                        "could not load configuration from {}, no 'driver' is set.",
                        str_repr(&group)
                    ),
                );
                continue;
            }
            self.log.cfg(
                Level::Info,
                format!(
                    "loading configuration from {} using {}",
                    str_repr(&group),
                    driver.py_repr()
                ),
            );
            return Err(Error::UnsupportedSource {
                group,
                driver: driver.py_str(),
            });
        }
        Ok(())
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
    pub(super) fn parser(&self) -> Result<Parser> {
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

    /// `_validate_cli_options`: every command-line option's value (from the
    /// command line or a file) must convert; if not, argparse-style
    /// `SystemExit(1)`.
    pub(super) fn validate_cli_options(&self, ns: &ParsedSources) -> Result<()> {
        let mut cli: Vec<(GroupRef, &OptInfo)> = self
            .cli_opts
            .iter()
            .filter_map(|(g, d)| self.slot(*g).and_then(|s| s.get(d)).map(|i| (*g, i)))
            .collect();
        cli.sort_by(|a, b| a.1.opt.name.cmp(&b.1.opt.name));
        for (g, info) in cli {
            let group_name = self.group_name(g);
            let Some((value, loc)) = Self::from_parsed(&info.opt, ns, group_name.as_deref()) else {
                continue;
            };
            let value = self.substitute(&value, g, Some(ns))?;
            if let Err(e) = Self::convert(&info.opt, &value) {
                let message = format!(
                    "argument --{}: Invalid {} value: {}\n",
                    info.opt.dest,
                    crate::type_repr::repr(&info.opt.ty),
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
    pub(super) fn check_required(&self, ns: Option<&ParsedSources>) -> Result<()> {
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

    /// The chosen sub-command of a `SubCommandOpt` (`conf.<dest>.name`).
    pub fn sub_command(&self, dest: &str, group: Option<&str>) -> Result<Option<String>> {
        let ns = self.parsed.as_ref().ok_or(Error::NotInitialized)?;
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
        let ns = self.parsed.as_ref().ok_or(Error::NotInitialized)?;
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
}
