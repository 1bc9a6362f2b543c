//! Reading opt-data: the machine-readable schema `oslo-config-generator
//! --format yaml|json` writes, into option definitions.
//!
//! Each entry of `options[GROUP].opts[]` becomes an [`Opt`] built as the
//! Python class its `type` names would build it (`boolean value` is a
//! `BoolOpt`, `multi valued` a `MultiStrOpt`, `port value` a `PortOpt`
//! with 0..65535 unless `min`/`max` say otherwise…). Three extension keys
//! carry what plain opt-data loses:
//!
//! * `x_type` — a full type spec (see [`Type::from_spec`]) replacing
//!   `type`, `choices`, `min` and `max`;
//! * `x_multi: true` — a `MultiOpt` of that item type;
//! * `x_cli: true` — registered as a command-line option.

use std::path::Path;

use pycompat::value::Value;

use crate::error::{Error, Result};
use crate::opts::{DeprecatedOpt, Opt, OptGroup};
use crate::types::Type;

/// One option of a group, with how it is registered.
#[derive(Debug, Clone, PartialEq)]
pub struct OptEntry {
    /// The definition.
    pub opt: Opt,
    /// Registered with `register_cli_opt` (`x_cli: true`).
    pub cli: bool,
    /// The generator namespace it came from, if recorded.
    pub namespace: Option<String>,
}

/// One group of the schema, in document order (`DEFAULT` first if the
/// document has it).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupData {
    /// The group (`DEFAULT` included, by that name).
    pub group: OptGroup,
    /// Its options, in list order.
    pub opts: Vec<OptEntry>,
}

/// A whole opt-data document.
#[derive(Debug, Clone, PartialEq)]
pub struct OptData {
    /// `DEFAULT` first, then the other groups in document order.
    pub groups: Vec<GroupData>,
}

/// Reads an opt-data file (YAML, or JSON which YAML also reads).
pub fn read_file(path: &Path) -> Result<OptData> {
    let bytes = std::fs::read(path).map_err(|e| Error::Python {
        class: io_class(&e),
        message: format!("{e}: '{}'", path.display()),
    })?;
    let value = pycompat::yaml::safe_load(&bytes)
        .map_err(|e| Error::Value(format!("{}: not valid opt-data YAML: {e}", path.display())))?;
    from_value(&value)
}

/// The Python exception class an I/O error would be.
pub(crate) fn io_class(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "FileNotFoundError",
        std::io::ErrorKind::PermissionDenied => "PermissionError",
        std::io::ErrorKind::IsADirectory => "IsADirectoryError",
        _ => "OSError",
    }
}

fn shape(what: &str) -> Error {
    Error::Value(format!("opt-data: {what}"))
}

/// Builds the schema from a loaded opt-data document; the first option
/// that cannot be built is the error.
pub fn from_value(doc: &Value) -> Result<OptData> {
    let groups = from_value_lenient(doc)?
        .into_iter()
        .map(|(group, opts)| {
            Ok(GroupData {
                group,
                opts: opts.into_iter().collect::<Result<Vec<OptEntry>>>()?,
            })
        })
        .collect::<Result<Vec<GroupData>>>()?;
    Ok(OptData { groups })
}

/// Groups with each option's definition or the error building it (a
/// type the reference's constructor refuses), so that a caller can
/// register options one by one and fail where Python would.
pub type LenientGroups = Vec<(OptGroup, Vec<Result<OptEntry>>)>;

/// [`from_value`], keeping per-option errors.
pub fn from_value_lenient(doc: &Value) -> Result<LenientGroups> {
    let options = match doc.get("options") {
        Some(Value::Dict(items)) => items.as_slice(),
        Some(Value::None) | None => &[],
        Some(_) => return Err(shape("`options` must be a mapping")),
    };
    let mut groups: LenientGroups = Vec::new();
    for (name, body) in options {
        let Value::Str(name) = name else {
            return Err(shape("group names must be strings"));
        };
        let mut group = OptGroup::new(name);
        if let Some(Value::Str(help)) = body.get("help").filter(|h| h.truthy()) {
            group.help = Some(help.clone());
        }
        if let Some(Value::Str(s)) = body.get("driver_option") {
            group.driver_option = s.clone();
        }
        if let Some(Value::Str(s)) = body.get("dynamic_group_owner") {
            group.dynamic_group_owner = s.clone();
        }
        let opts = match body.get("opts") {
            Some(Value::List(list)) => list.iter().map(entry).collect::<Vec<Result<OptEntry>>>(),
            Some(Value::None) | None => Vec::new(),
            Some(_) => return Err(shape(&format!("options.{name}.opts must be a list"))),
        };
        let data = (group, opts);
        if name == "DEFAULT" {
            groups.insert(0, data);
        } else {
            groups.push(data);
        }
    }
    Ok(groups)
}

fn text(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::Str(s)) => Some(s.clone()),
        Some(Value::None) | None => None,
        Some(other) => Some(other.py_str()),
    }
}

fn flag(v: Option<&Value>) -> bool {
    v.is_some_and(Value::truthy)
}

fn entry(v: &Value) -> Result<OptEntry> {
    let Some(name) = text(v.get("name")) else {
        return Err(shape("every opt needs a `name`"));
    };
    let none = Value::None;
    let ty = match v.get("x_type") {
        Some(spec) if !spec.is_none() => Type::from_spec(spec),
        _ => Type::from_opt_data(
            text(v.get("type")).as_deref().unwrap_or(""),
            v.get("choices").unwrap_or(&none),
            v.get("min").unwrap_or(&none),
            v.get("max").unwrap_or(&none),
        ),
    }
    .map_err(|e| crate::error::refusal(e.to_string()))?;
    let type_name = text(v.get("type")).unwrap_or_default();
    let multi =
        flag(v.get("x_multi")) || (v.get("x_type").is_none() && type_name == "multi valued");
    let mut opt = Opt::new(&name, ty);
    opt.multi = multi || matches!(opt.ty, Type::MultiString);
    opt.boolean = !opt.multi && matches!(opt.ty, Type::Boolean);
    if let Some(dest) = text(v.get("dest")) {
        opt.dest = dest;
    }
    opt.default = v.get("default").cloned().unwrap_or(Value::None);
    opt.short = text(v.get("short"));
    opt.positional = flag(v.get("positional"));
    opt.required = match v.get("required") {
        Some(Value::None) | None => opt.positional,
        Some(r) => r.truthy(),
    };
    opt.metavar = text(v.get("metavar"));
    opt.help = text(v.get("help"));
    opt.secret = flag(v.get("secret"));
    opt.mutable = flag(v.get("mutable"));
    opt.advanced = flag(v.get("advanced"));
    opt.sample_default = v.get("sample_default").filter(|s| !s.is_none()).cloned();
    opt.deprecated_for_removal = flag(v.get("deprecated_for_removal"));
    opt.deprecated_reason = text(v.get("deprecated_reason"));
    opt.deprecated_since = text(v.get("deprecated_since"));
    if let Some(Value::List(deps)) = v.get("deprecated_opts") {
        let deps: Vec<DeprecatedOpt> = deps
            .iter()
            .map(|d| DeprecatedOpt {
                name: text(d.get("name")),
                group: text(d.get("group")),
            })
            .collect();
        opt = opt.deprecated_opts(&deps);
    }
    Ok(OptEntry {
        opt,
        cli: flag(v.get("x_cli")),
        namespace: text(v.get("namespace")),
    })
}
