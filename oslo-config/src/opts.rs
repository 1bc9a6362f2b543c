//! Option and group definitions (`cfg.Opt`, `cfg.OptGroup`,
//! `cfg.DeprecatedOpt`): what libraries register into a
//! [`ConfigOpts`](crate::ConfigOpts).
//!
//! ```
//! use oslo_config::Opt;
//! let opt = Opt::integer("workers")
//!     .default(4)
//!     .help("Number of workers")
//!     .mutable(true);
//! assert_eq!(opt.dest, "workers");
//! ```

use pycompat::value::Value;

use crate::error::{Error, Result};
use crate::type_repr;
use crate::types::{Choices, IntegerType, StringType, Type};

/// `cfg.DeprecatedOpt`: an old name and/or group an option is also read
/// under (in files and on the command line, not in the environment).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeprecatedOpt {
    /// The old name (`None`: the option's own dest).
    pub name: Option<String>,
    /// The old group (`None`: the option's own group).
    pub group: Option<String>,
}

impl DeprecatedOpt {
    /// An old `name` in an old `group` (either may be `None`).
    pub fn new(name: Option<&str>, group: Option<&str>) -> DeprecatedOpt {
        DeprecatedOpt {
            name: name.map(str::to_owned),
            group: group.map(str::to_owned),
        }
    }
}

/// How a sub-command's argument stores what it is given (argparse's
/// `action=`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubArgAction {
    /// `store` (the default).
    Store,
    /// `store_true`.
    StoreTrue,
    /// `store_false`.
    StoreFalse,
    /// `append`.
    Append,
}

/// One `parser.add_argument(...)` of a sub-command.
#[derive(Debug, Clone, PartialEq)]
pub struct SubArg {
    /// `'id'` for a positional, `'--force'`, `'-f'` for options.
    pub names: Vec<String>,
    /// The attribute (default: the positional's name, or the first long
    /// option without dashes, `-` as `_`).
    pub dest: Option<String>,
    /// What it does.
    pub action: SubArgAction,
    /// `nargs`: `None` for one value, `Some('?')`, `Some('*')`.
    pub nargs: Option<char>,
    /// The value when absent.
    pub default: Value,
    /// The help text.
    pub help: Option<String>,
}

impl SubArg {
    /// A positional argument taking one value.
    pub fn positional(name: &str) -> SubArg {
        SubArg {
            names: vec![name.to_owned()],
            dest: None,
            action: SubArgAction::Store,
            nargs: None,
            default: Value::None,
            help: None,
        }
    }

    /// An option (`--name`, `-n`…) taking one value.
    pub fn option(names: &[&str]) -> SubArg {
        SubArg {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            ..SubArg::positional("")
        }
    }

    /// An option that stores `true` when given (`action='store_true'`,
    /// default `false`).
    pub fn flag(names: &[&str]) -> SubArg {
        SubArg {
            action: SubArgAction::StoreTrue,
            default: Value::Bool(false),
            ..SubArg::option(names)
        }
    }

    /// Sets `nargs` (`'?'` or `'*'`).
    pub fn nargs(mut self, nargs: char) -> SubArg {
        self.nargs = Some(nargs);
        self
    }

    /// Sets the default.
    pub fn default(mut self, value: impl Into<Value>) -> SubArg {
        self.default = value.into();
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: &str) -> SubArg {
        self.help = Some(help.to_owned());
        self
    }
}

/// One sub-command (`subparsers.add_parser(name)`) and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct SubCommand {
    /// The command word.
    pub name: String,
    /// The help text.
    pub help: Option<String>,
    /// Its arguments.
    pub args: Vec<SubArg>,
}

impl SubCommand {
    /// A sub-command with no arguments yet.
    pub fn new(name: &str) -> SubCommand {
        SubCommand {
            name: name.to_owned(),
            help: None,
            args: Vec::new(),
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: SubArg) -> SubCommand {
        self.args.push(arg);
        self
    }
}

/// `SubCommandOpt`'s sub-parsers: what the Python handler would add,
/// written as data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubCommands {
    /// The `--help` title.
    pub title: Option<String>,
    /// The `--help` description.
    pub description: Option<String>,
    /// The commands, in order.
    pub commands: Vec<SubCommand>,
}

/// `cfg.Opt` and its subclasses: a typed, named option.
///
/// Build one with [`Opt::new`] (or a shorthand such as [`Opt::string`])
/// and the builder methods; registration checks it
/// ([`Opt::check`]) as the Python constructor does.
#[derive(Debug, Clone, PartialEq)]
pub struct Opt {
    /// The name (may contain `-`).
    pub name: String,
    /// The attribute name and config-file key: `name` with `-` as `_`.
    pub dest: String,
    /// The value type (of each item for multi-valued options).
    pub ty: Type,
    /// `MultiOpt`: every occurrence is kept, the value is a list.
    pub multi: bool,
    /// A `BoolOpt` (adds `--noNAME` on the command line).
    pub boolean: bool,
    /// The default (`Value::None` for none).
    pub default: Value,
    /// A one-letter command-line alias.
    pub short: Option<String>,
    /// A positional command-line argument.
    pub positional: bool,
    /// The command-line value placeholder.
    pub metavar: Option<String>,
    /// The help text.
    pub help: Option<String>,
    /// Hidden in logs.
    pub secret: bool,
    /// Must have a value after parsing.
    pub required: bool,
    /// Old names and groups.
    pub deprecated_opts: Vec<DeprecatedOpt>,
    /// The default shown in the sample file instead of `default`.
    pub sample_default: Option<Value>,
    /// Marked for removal.
    pub deprecated_for_removal: bool,
    /// Why it is deprecated.
    pub deprecated_reason: Option<String>,
    /// The release it was deprecated in.
    pub deprecated_since: Option<String>,
    /// Re-read by [`ConfigOpts::mutate_config_files`](crate::ConfigOpts::mutate_config_files).
    pub mutable: bool,
    /// Listed last in the sample, with a notice.
    pub advanced: bool,
    /// `SubCommandOpt`: the sub-commands (register with
    /// `register_cli_opt`; read with `ConfigOpts::sub_command`).
    pub sub_commands: Option<SubCommands>,
}

impl Opt {
    /// `cfg.Opt(name, type=ty)`: not required, no default.
    pub fn new(name: &str, ty: Type) -> Opt {
        Opt {
            name: name.to_owned(),
            dest: name.replace('-', "_"),
            ty,
            multi: false,
            boolean: false,
            default: Value::None,
            short: None,
            positional: false,
            metavar: None,
            help: None,
            secret: false,
            required: false,
            deprecated_opts: Vec::new(),
            sample_default: None,
            deprecated_for_removal: false,
            deprecated_reason: None,
            deprecated_since: None,
            mutable: false,
            advanced: false,
            sub_commands: None,
        }
    }

    /// `SubCommandOpt(name, handler=...)`: the command word and its
    /// arguments on the command line.
    pub fn sub_command(name: &str, commands: SubCommands) -> Opt {
        let mut opt = Opt::new(name, Type::string());
        opt.sub_commands = Some(commands);
        opt
    }

    /// `StrOpt`.
    pub fn string(name: &str) -> Opt {
        Opt::new(name, Type::string())
    }

    /// `StrOpt(choices=...)`.
    pub fn string_choices(name: &str, choices: &[&str]) -> Opt {
        let choices: Choices = choices.iter().map(|c| (Value::str(*c), None)).collect();
        Opt::new(
            name,
            Type::String(StringType {
                choices: Some(choices),
                ..StringType::default()
            }),
        )
    }

    /// `BoolOpt`.
    pub fn boolean(name: &str) -> Opt {
        let mut opt = Opt::new(name, Type::Boolean);
        opt.boolean = true;
        opt
    }

    /// `IntOpt`.
    pub fn integer(name: &str) -> Opt {
        Opt::new(name, Type::Integer(IntegerType::default()))
    }

    /// `PortOpt`: an integer in 0..=65535.
    pub fn port(name: &str) -> Opt {
        Opt::new(
            name,
            Type::Port(IntegerType {
                min: Value::int("0"),
                max: Value::int("65535"),
                choices: None,
            }),
        )
    }

    /// `ListOpt` of strings.
    pub fn list(name: &str) -> Opt {
        Opt::new(
            name,
            Type::List(Box::new(crate::types::ListType {
                item_type: Type::string(),
                bounds: false,
                min_length: None,
            })),
        )
    }

    /// `MultiStrOpt`.
    pub fn multi_string(name: &str) -> Opt {
        let mut opt = Opt::new(name, Type::MultiString);
        opt.multi = true;
        opt
    }

    /// `MultiOpt(item_type=ty)`.
    pub fn multi(name: &str, item_type: Type) -> Opt {
        let mut opt = Opt::new(name, item_type);
        opt.multi = true;
        opt
    }

    /// Sets the default.
    pub fn default(mut self, value: impl Into<Value>) -> Opt {
        self.default = value.into();
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: &str) -> Opt {
        self.help = Some(help.to_owned());
        self
    }

    /// Sets `dest`.
    pub fn dest(mut self, dest: &str) -> Opt {
        self.dest = dest.to_owned();
        self
    }

    /// Marks it required.
    pub fn required(mut self, required: bool) -> Opt {
        self.required = required;
        self
    }

    /// Marks it secret.
    pub fn secret(mut self, secret: bool) -> Opt {
        self.secret = secret;
        self
    }

    /// Marks it mutable (re-read on SIGHUP).
    pub fn mutable(mut self, mutable: bool) -> Opt {
        self.mutable = mutable;
        self
    }

    /// Marks it advanced.
    pub fn advanced(mut self, advanced: bool) -> Opt {
        self.advanced = advanced;
        self
    }

    /// A one-letter command-line alias.
    pub fn short(mut self, short: &str) -> Opt {
        self.short = Some(short.to_owned());
        self
    }

    /// Makes it a positional command-line argument (required unless
    /// [`Opt::required`] says otherwise afterwards).
    pub fn positional(mut self, positional: bool) -> Opt {
        self.positional = positional;
        self.required = positional;
        self
    }

    /// Sets the command-line placeholder.
    pub fn metavar(mut self, metavar: &str) -> Opt {
        self.metavar = Some(metavar.to_owned());
        self
    }

    /// `deprecated_name=` / `deprecated_group=`: adds one old spelling
    /// (and its `_` variant if the name has `-`).
    pub fn deprecated(self, name: Option<&str>, group: Option<&str>) -> Opt {
        self.deprecated_opts(&[DeprecatedOpt::new(name, group)])
    }

    /// `deprecated_opts=`: adds old spellings (and the `_` variant of each
    /// hyphenated name, after them, as the reference does).
    pub fn deprecated_opts(mut self, opts: &[DeprecatedOpt]) -> Opt {
        let start = self.deprecated_opts.len();
        self.deprecated_opts.extend_from_slice(opts);
        let mut extra = Vec::new();
        for d in self.deprecated_opts.iter().skip(start) {
            if let Some(name) = d.name.as_deref().filter(|n| n.contains('-')) {
                extra.push(DeprecatedOpt {
                    name: Some(name.replace('-', "_")),
                    group: d.group.clone(),
                });
            }
        }
        self.deprecated_opts.extend(extra);
        self
    }

    /// Marks it deprecated for removal, with an optional reason and release.
    pub fn deprecated_for_removal(mut self, reason: Option<&str>, since: Option<&str>) -> Opt {
        self.deprecated_for_removal = true;
        self.deprecated_reason = reason.map(str::to_owned);
        self.deprecated_since = since.map(str::to_owned);
        self
    }

    /// Sets the sample file's default.
    pub fn sample_default(mut self, value: impl Into<Value>) -> Opt {
        self.sample_default = Some(value.into());
        self
    }

    /// True if the default is a `$` reference (checked on read, not now).
    pub fn default_is_ref(&self) -> bool {
        match &self.default {
            Value::Str(s) => s.replace("\\$", "").replace("$$", "").contains('$'),
            _ => false,
        }
    }

    /// The checks of the Python constructor: the name, the type's own
    /// constructor checks, `positional` on a `BoolOpt`, and the default
    /// against the type (`DefaultValueError`).
    pub fn check(&self) -> Result<()> {
        if self.boolean && self.positional {
            return Err(Error::Value(
                "positional boolean args not supported".to_owned(),
            ));
        }
        if self.name.starts_with('_') {
            return Err(Error::Value(format!(
                "illegal name {} with prefix _",
                self.name
            )));
        }
        self.ty
            .validate_raising()
            .map_err(|(class, e)| crate::error::raised(class, e))?;
        if self.default.is_none() || self.default_is_ref() {
            return Ok(());
        }
        // Python calls `type(default)` once, even for multi opts (where a
        // list default goes through the item type as one value).
        // Any exception (not only ValueError) becomes DefaultValueError.
        if self.ty.convert_raising(&self.default).is_err() {
            return Err(Error::DefaultValue(format!(
                "Error processing default value {} for Opt type of {}.",
                self.default.py_str(),
                type_repr::repr(&self.ty)
            )));
        }
        Ok(())
    }

    /// Python's `Opt.__eq__` (every attribute except where it was
    /// defined; types compare as their `__eq__` does).
    pub fn same_as(&self, other: &Opt) -> bool {
        self.name == other.name
            && self.dest == other.dest
            && type_repr::eq(&self.ty, &other.ty)
            && self.multi == other.multi
            && self.boolean == other.boolean
            && same_value(&self.default, &other.default)
            && self.short == other.short
            && self.positional == other.positional
            && self.metavar == other.metavar
            && self.help == other.help
            && self.secret == other.secret
            && self.required == other.required
            && self.deprecated_opts == other.deprecated_opts
            && match (&self.sample_default, &other.sample_default) {
                (Some(a), Some(b)) => same_value(a, b),
                (a, b) => a == b,
            }
            && self.deprecated_for_removal == other.deprecated_for_removal
            && self.deprecated_reason == other.deprecated_reason
            && self.deprecated_since == other.deprecated_since
            && self.mutable == other.mutable
            && self.advanced == other.advanced
            && self.sub_commands == other.sub_commands
    }
}

/// Python `==` between two loaded defaults: PyYAML gives every `.nan`
/// the same float object, and containers compare items by identity
/// first, so NaN equals NaN here.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k.key_eq(k2) && same_value(v, v2)))
        }
        _ => a == b,
    }
}

/// `cfg.OptGroup`: a named group of options (a config-file section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptGroup {
    /// The name.
    pub name: String,
    /// The `--help` title (`"{name} options"` by default).
    pub title: String,
    /// The description.
    pub help: Option<String>,
    /// The option controlling repeated instances of this group.
    pub dynamic_group_owner: String,
    /// The option choosing which driver registers options here.
    pub driver_option: String,
}

impl OptGroup {
    /// A group with the default title.
    pub fn new(name: &str) -> OptGroup {
        OptGroup {
            name: name.to_owned(),
            title: format!("{name} options"),
            help: None,
            dynamic_group_owner: String::new(),
            driver_option: String::new(),
        }
    }

    /// Sets the help text.
    pub fn help(mut self, help: &str) -> OptGroup {
        self.help = Some(help.to_owned());
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: &str) -> OptGroup {
        self.title = title.to_owned();
        self
    }
}
