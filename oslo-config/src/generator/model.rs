//! What the generator formats: `_get_groups()`'s result — groups by
//! name, each with the `(namespace, opts)` blocks listed under it — built
//! either from registered `list_opts` functions (`_list_opts` and
//! `_cleanup_opts` as the reference runs them) or from opt-data files the
//! Python generator wrote.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use pycompat::value::Value;

use crate::error::{Error, Result};
use crate::optdata;
use crate::opts::{Opt, OptGroup};
use crate::types::{Choices, Type};

use super::{GroupSpec, NamespaceRegistry};

/// One option as the generator sees it.
#[derive(Debug, Clone)]
pub(crate) struct SampleOpt {
    /// The definition (for opt-data: as `optdata` rebuilt it).
    pub opt: Opt,
    /// The namespace it was listed in.
    pub namespace: String,
    /// `_format_type_name(opt.type)`.
    pub type_name: String,
    /// `opt.type.min` (`None` if the type has none).
    pub min: Value,
    /// `opt.type.max`.
    pub max: Value,
    /// `opt.type.choices` as `(value, description)` pairs, duplicates merged.
    pub choices: Vec<(Value, Value)>,
    /// The deprecated spellings the INI sample names (`group` `None`: the
    /// option's own group).
    pub ini_deprecated: Vec<(Option<String>, String)>,
    /// The deprecated spellings of the opt-data entry (`group` `None`: the
    /// option's own group; `name` `None`: the option's name).
    pub data_deprecated: Vec<(Option<Value>, Option<Value>)>,
    /// The opt-data entry this came from (its keys win in `--format
    /// yaml|json`).
    pub raw: Option<Vec<(Value, Value)>>,
    /// Identity classes of `default` and `sample_default` (the same
    /// Python object, written once with an anchor and then as aliases).
    pub ids: [Option<usize>; 2],
}

/// `cfg.OptGroup._driver_opts`: driver name → option names.
pub(crate) type DriverOpts = Vec<(Value, Value)>;

/// One group of `_get_groups()`.
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupInfo {
    /// The `OptGroup` object, if one namespace listed the group as one.
    pub object: Option<OptGroup>,
    /// Its `_driver_opts`.
    pub driver_opts: DriverOpts,
    /// `(namespace, opts)` in load order.
    pub blocks: Vec<Block>,
}

/// `_get_groups()`: group name → info, in insertion order (`DEFAULT`
/// first).
#[derive(Debug, Clone, Default)]
pub(crate) struct Groups {
    /// In `_get_groups()` insertion order.
    pub groups: Vec<(String, GroupInfo)>,
}

impl Groups {
    fn new() -> Groups {
        Groups {
            groups: vec![("DEFAULT".to_owned(), GroupInfo::default())],
        }
    }

    /// The group's info, added (empty) if new.
    fn slot(&mut self, name: &str) -> Option<&mut GroupInfo> {
        let pos = match self.groups.iter().position(|(n, _)| n == name) {
            Some(pos) => pos,
            None => {
                self.groups.push((name.to_owned(), GroupInfo::default()));
                self.groups.len() - 1
            }
        };
        self.groups.get_mut(pos).map(|(_, info)| info)
    }
}

/// `UPPER_CASE_GROUP_NAMES` normalisation: `DEFAULT` in any case becomes
/// `DEFAULT`, every other name is lowercased (Python's `str.lower()`).
pub(crate) fn normalize_group(name: &str) -> String {
    if name.to_uppercase() == "DEFAULT" {
        "DEFAULT".to_owned()
    } else {
        name.to_lowercase()
    }
}

/// `OrderedDict(choices)`: later duplicates replace the description and
/// keep the first position.
fn merge_choices(choices: &Choices) -> Vec<(Value, Value)> {
    let mut out: Vec<(Value, Value)> = Vec::new();
    for (value, desc) in choices {
        let desc = desc.clone().map_or(Value::None, Value::Str);
        match out.iter_mut().find(|(v, _)| v.key_eq(value)) {
            Some(slot) => slot.1 = desc,
            None => out.push((value.clone(), desc)),
        }
    }
    out
}

impl SampleOpt {
    /// An option a registered `list_opts` function returned.
    pub(crate) fn from_opt(opt: Opt, namespace: &str) -> SampleOpt {
        let (min, max, choices) = match &opt.ty {
            Type::Integer(n) | Type::Port(n) => (
                n.min.clone().unwrap_or(Value::None),
                n.max.clone().unwrap_or(Value::None),
                n.choices.as_ref().map(merge_choices).unwrap_or_default(),
            ),
            Type::Float(f) => (
                f.min.map_or(Value::None, Value::Float),
                f.max.map_or(Value::None, Value::Float),
                Vec::new(),
            ),
            Type::String(s) => (
                Value::None,
                Value::None,
                s.choices.as_ref().map(merge_choices).unwrap_or_default(),
            ),
            _ => (Value::None, Value::None, Vec::new()),
        };
        let ini_deprecated = opt
            .deprecated_opts
            .iter()
            .filter_map(|d| {
                let name = d
                    .name
                    .as_deref()
                    .filter(|n| !n.is_empty() && !n.contains('-'))?;
                Some((d.group.clone().filter(|g| !g.is_empty()), name.to_owned()))
            })
            .collect();
        let data_deprecated = opt
            .deprecated_opts
            .iter()
            .filter(|d| d.name.as_deref().is_none_or(|n| !n.contains('-')))
            .map(|d| {
                (
                    d.group.clone().filter(|g| !g.is_empty()).map(Value::Str),
                    d.name.clone().filter(|n| !n.is_empty()).map(Value::Str),
                )
            })
            .collect();
        SampleOpt {
            type_name: opt.ty.type_name().to_owned(),
            opt,
            namespace: namespace.to_owned(),
            min,
            max,
            choices,
            ini_deprecated,
            data_deprecated,
            raw: None,
            ids: [None, None],
        }
    }

    /// An opt-data entry (the Python generator's `_build_entry` output)
    /// with the option `optdata` rebuilt from it.
    fn from_entry(opt: Opt, namespace: String, raw: &[(Value, Value)]) -> SampleOpt {
        let get = |key: &str| {
            raw.iter()
                .find(|(k, _)| matches!(k, Value::Str(s) if s == key))
                .map(|(_, v)| v)
        };
        let type_name = match get("type") {
            Some(Value::Str(s)) => s.clone(),
            Some(other) if !other.is_none() => other.py_str(),
            _ => opt.ty.type_name().to_owned(),
        };
        let choices = match get("choices") {
            Some(Value::List(items)) => items
                .iter()
                .map(|pair| match pair {
                    Value::List(p) => (
                        p.first().cloned().unwrap_or(Value::None),
                        p.get(1).cloned().unwrap_or(Value::None),
                    ),
                    other => (other.clone(), Value::None),
                })
                .collect(),
            _ => Vec::new(),
        };
        let own_name = get("name").cloned().unwrap_or(Value::None);
        let mut ini_deprecated = Vec::new();
        let mut data_deprecated = Vec::new();
        if let Some(Value::List(deps)) = get("deprecated_opts") {
            for d in deps {
                let name = d.get("name").filter(|n| n.truthy()).cloned();
                let group = d.get("group").filter(|g| g.truthy()).cloned();
                // The generator writes `name or opt.name`: a name equal to
                // the option's own is most often a `DeprecatedOpt` without
                // one, which the INI sample does not list (nor one with a
                // `-`, which only a missing name can give here).
                if let Some(n) = &name {
                    let text = n.py_str();
                    if !n.key_eq(&own_name) && !text.contains('-') {
                        ini_deprecated.push((group.as_ref().map(Value::py_str), text));
                    }
                }
                data_deprecated.push((group, name));
            }
        }
        SampleOpt {
            type_name,
            min: get("min").cloned().unwrap_or(Value::None),
            max: get("max").cloned().unwrap_or(Value::None),
            choices,
            ini_deprecated,
            data_deprecated,
            raw: Some(raw.to_vec()),
            ids: [None, None],
            namespace,
            opt,
        }
    }
}

/// A group key of `_cleanup_opts` (`None`, a string, an `OptGroup`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    None,
    Str(String),
    Group(String),
}

/// Messages the reference logs while collecting options.
pub(crate) type Warnings = Vec<String>;

/// What the registry gives for `namespaces`: `_list_opts` then
/// `_cleanup_opts`, as `(namespace, [(key, group object, opts)])`.
#[allow(clippy::type_complexity)]
fn list_registry(
    registry: &NamespaceRegistry,
    namespaces: &[String],
    warnings: &mut Warnings,
) -> Vec<(String, Vec<(Key, Option<OptGroup>, DriverOpts, Vec<Opt>)>)> {
    let mut out: Vec<(String, Vec<(Key, Option<OptGroup>, DriverOpts, Vec<Opt>)>)> = Vec::new();
    for (name, loader) in registry.selected(namespaces) {
        let mut listing: Vec<(Key, Option<OptGroup>, DriverOpts, Vec<Opt>)> = Vec::new();
        for (spec, opts) in loader() {
            let mut opts = opts;
            let mut driver_opts: DriverOpts = Vec::new();
            let (key, object) = match spec {
                GroupSpec::Default => (Key::None, None),
                GroupSpec::Name(n) if n.is_empty() => (Key::Str(n), None),
                GroupSpec::Name(n) => {
                    let norm = normalize_group(&n);
                    if norm != n {
                        warnings.push(normalizing(&n, &norm));
                    }
                    (Key::Str(norm), None)
                }
                GroupSpec::Group(mut g) => {
                    if !g.driver_option.is_empty() {
                        let mut by_driver: BTreeMap<String, Vec<Opt>> = BTreeMap::new();
                        for (driver, dopts) in registry.driver_opts(&g.driver_option, namespaces) {
                            by_driver.entry(driver).or_default().extend(dopts);
                        }
                        for (driver, dopts) in by_driver {
                            let names: Vec<Value> =
                                dopts.iter().map(|o| Value::str(o.name.clone())).collect();
                            let key = Value::str(driver);
                            match driver_opts.iter_mut().find(|(k, _)| k.key_eq(&key)) {
                                Some((_, Value::List(list))) => list.extend(names),
                                _ => driver_opts.push((key, Value::List(names))),
                            }
                            opts.extend(dopts);
                        }
                    }
                    if !g.name.is_empty() {
                        let norm = normalize_group(&g.name);
                        if norm != g.name {
                            warnings.push(normalizing(&g.name, &norm));
                            g.name = norm;
                        }
                    }
                    (Key::Group(g.name.clone()), Some(g))
                }
            };
            let slot = match listing.iter().position(|(k, ..)| *k == key) {
                Some(pos) => pos,
                None => {
                    listing.push((key, None, Vec::new(), Vec::new()));
                    listing.len() - 1
                }
            };
            let Some((_, obj, dopts, kept)) = listing.get_mut(slot) else {
                continue;
            };
            if object.is_some() {
                *obj = object;
            }
            for (k, v) in driver_opts {
                Value::dict_insert(dopts, k, v);
            }
            for opt in opts {
                match kept.iter_mut().find(|o| o.dest == opt.dest) {
                    Some(existing) => *existing = opt,
                    None => kept.push(opt),
                }
            }
        }
        out.push((name.to_owned(), listing));
    }
    out
}

fn normalizing(from: &str, to: &str) -> String {
    format!(
        "WARNING:oslo_config.generator:normalizing group name {} to {}",
        pycompat::value::str_repr(from),
        pycompat::value::str_repr(to)
    )
}

/// Where each group first appears, for ordering groups loaded from
/// several sources: `(namespace load index, rank within that namespace)`.
type OrderKey = (usize, usize);

/// The options collected for one run, and how to order their groups.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// `_get_groups()`'s result.
    pub groups: Groups,
}

/// `(namespace, opts)`: the options one namespace lists in a group.
pub(crate) type Block = (String, Vec<SampleOpt>);

/// A group of an opt-data file: name, object, driver opts, blocks.
type FileGroup = (String, Option<OptGroup>, DriverOpts, Vec<Block>);

/// One opt-data file, read.
#[derive(Debug)]
pub(crate) struct OptDataFile {
    /// Namespaces in the order the Python generator loaded them.
    namespaces: Vec<String>,
    /// The namespaces its `generator_options.namespace` names.
    pub recorded: Option<Vec<String>>,
    /// Groups in document order: name, object, driver opts, blocks.
    groups: Vec<FileGroup>,
    /// Rank of each group in the order the reference met groups.
    rank: HashMap<String, usize>,
    /// Identity classes used by this file's entries (numbered from 0).
    identities: usize,
}

impl OptDataFile {
    /// Every namespace the file knows (listed or recorded).
    pub(crate) fn knows(&self, namespace: &str) -> bool {
        self.namespaces.iter().any(|n| n == namespace)
            || self
                .recorded
                .as_ref()
                .is_some_and(|r| r.iter().any(|n| n == namespace))
    }

    /// The namespaces with options, in load order.
    pub(crate) fn namespaces(&self) -> &[String] {
        &self.namespaces
    }
}

/// Reads an opt-data file (YAML or JSON) as the Python generator writes it.
pub(crate) fn read_opt_data(path: &Path) -> Result<OptDataFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::Python {
        class: optdata_io_class(&e),
        message: format!("{e}: '{}'", path.display()),
    })?;
    // JSON (`--format json`) is read as `json.loads` reads it: YAML 1.1
    // would take `1e-05` for a string.
    let json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
        .then(|| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .flatten();
    let doc = match json {
        Some(v) => Value::from_json(&v),
        None => pycompat::yaml::safe_load(&bytes).map_err(|e| {
            Error::Value(format!("{}: not valid opt-data YAML: {e}", path.display()))
        })?,
    };
    let fallback_ns = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "opt-data".to_owned());
    let data =
        optdata::from_value(&doc).map_err(|e| Error::Value(format!("{}: {e}", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    let anchors = scan_entries(&text);
    from_document(&doc, &data, &fallback_ns, anchors)
}

fn optdata_io_class(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "FileNotFoundError",
        std::io::ErrorKind::PermissionDenied => "PermissionError",
        std::io::ErrorKind::IsADirectory => "IsADirectoryError",
        _ => "OSError",
    }
}

fn from_document(
    doc: &Value,
    data: &optdata::OptData,
    fallback_ns: &str,
    anchors: Option<Vec<EntryLines>>,
) -> Result<OptDataFile> {
    let raw_groups: &[(Value, Value)] = match doc.get("options") {
        Some(Value::Dict(items)) => items,
        _ => &[],
    };
    let mut file = OptDataFile {
        namespaces: Vec::new(),
        recorded: None,
        groups: Vec::new(),
        rank: HashMap::new(),
        identities: 0,
    };
    if let Some(Value::List(names)) = doc
        .get("generator_options")
        .and_then(|g| g.get("namespace"))
    {
        file.recorded = Some(names.iter().map(Value::py_str).collect());
    }
    // Identity classes from the anchors of the file, if it is YAML with
    // anchors exactly where the generator puts them.
    let total: usize = raw_groups
        .iter()
        .map(|(_, g)| match g.get("opts") {
            Some(Value::List(l)) => l.len(),
            _ => 0,
        })
        .sum();
    let anchors = anchors.filter(|a| a.len() == total);
    let mut anchor_ids: HashMap<String, usize> = HashMap::new();
    let mut entry_index = 0usize;
    let mut ns_edges: Vec<(String, String)> = Vec::new();
    let mut ns_seen: Vec<String> = Vec::new();
    for (name, body) in raw_groups {
        let Value::Str(name) = name else { continue };
        let norm = normalize_group(name);
        let Some(gd) = data.groups.iter().find(|g| g.group.name == *name) else {
            continue;
        };
        let raw_opts: &[Value] = match body.get("opts") {
            Some(Value::List(l)) => l,
            _ => &[],
        };
        let mut blocks: Vec<Block> = Vec::new();
        for (entry, raw) in gd.opts.iter().zip(raw_opts) {
            let Value::Dict(raw_items) = raw else {
                continue;
            };
            let ns = entry
                .namespace
                .clone()
                .unwrap_or_else(|| fallback_ns.to_owned());
            let mut sample = SampleOpt::from_entry(entry.opt.clone(), ns.clone(), raw_items);
            if let Some(lines) = anchors.as_ref().and_then(|a| a.get(entry_index)) {
                for (slot, token) in sample.ids.iter_mut().zip(&lines.tokens) {
                    if let Some(token) = token {
                        let next = anchor_ids.len();
                        *slot = Some(*anchor_ids.entry(token.clone()).or_insert(next));
                    }
                }
            }
            entry_index += 1;
            if !ns_seen.contains(&ns) {
                ns_seen.push(ns.clone());
            }
            // A new block where the namespace changes, or where a dest
            // repeats (two listings of one group by one namespace).
            let new_block = match blocks.last() {
                Some((last_ns, opts)) => {
                    *last_ns != ns || opts.iter().any(|o| o.opt.dest == sample.opt.dest)
                }
                None => true,
            };
            if new_block {
                if let Some((last_ns, _)) = blocks.last() {
                    if *last_ns != ns {
                        ns_edges.push((last_ns.clone(), ns.clone()));
                    }
                }
                blocks.push((ns, vec![sample]));
            } else if let Some((_, opts)) = blocks.last_mut() {
                opts.push(sample);
            }
        }
        let mut object = gd.group.clone();
        object.name = norm.clone();
        let driver_opts = match body.get("driver_opts") {
            Some(Value::Dict(d)) => d.clone(),
            _ => Vec::new(),
        };
        match file.groups.iter_mut().find(|(n, ..)| *n == norm) {
            Some((_, _, _, existing)) => existing.extend(blocks),
            None => file.groups.push((norm, Some(object), driver_opts, blocks)),
        }
    }
    file.identities = anchor_ids.len();
    let group_names: Vec<String> = file.groups.iter().map(|(n, ..)| n.clone()).collect();
    let group_edges = replacement_group_edges(doc);
    ns_edges.extend(namespace_edges(&file, &group_edges));
    file.namespaces = topo_order(&ns_seen, &ns_edges);
    let ranked = topo_order(&group_names, &group_edges);
    file.rank = ranked
        .into_iter()
        .enumerate()
        .map(|(i, g)| (g, i))
        .collect();
    Ok(file)
}

/// The order the reference met groups in, as `deprecated_options` shows
/// it: each list runs through its replacement groups in that order.
fn replacement_group_edges(doc: &Value) -> Vec<(String, String)> {
    let mut group_edges: Vec<(String, String)> = Vec::new();
    if let Some(Value::Dict(deprecated)) = doc.get("deprecated_options") {
        for (_, list) in deprecated {
            let Value::List(list) = list else { continue };
            let mut last: Option<String> = None;
            for item in list {
                let Some(Value::Str(g)) = item.get("replacement_group") else {
                    continue;
                };
                let g = normalize_group(g);
                if let Some(prev) = &last {
                    if *prev != g {
                        group_edges.push((prev.clone(), g.clone()));
                    }
                }
                last = Some(g);
            }
        }
    }
    group_edges
}

/// What the group order says about the namespace order: a group met
/// before another was first listed by a namespace loaded no later
/// (DEFAULT comes first whoever lists it).
fn namespace_edges(file: &OptDataFile, group_edges: &[(String, String)]) -> Vec<(String, String)> {
    let first_ns = |g: &str| {
        file.groups
            .iter()
            .find(|(n, ..)| n == g)
            .and_then(|(_, _, _, blocks)| blocks.first())
            .map(|(ns, _)| ns.clone())
    };
    let mut ns_edges = Vec::new();
    for (a, b) in group_edges.iter().filter(|(a, _)| a != "DEFAULT") {
        if let (Some(na), Some(nb)) = (first_ns(a), first_ns(b)) {
            if na != nb {
                ns_edges.push((na, nb));
            }
        }
    }
    ns_edges
}

/// A topological order of `nodes` under `edges` (`a` before `b`), ties
/// (and cycles) broken by the order of `nodes`.
fn topo_order(nodes: &[String], edges: &[(String, String)]) -> Vec<String> {
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut indegree = vec![0usize; nodes.len()];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for (a, b) in edges {
        let (Some(&a), Some(&b)) = (index.get(a.as_str()), index.get(b.as_str())) else {
            continue;
        };
        if a == b || !seen.insert((a, b)) {
            continue;
        }
        if let Some(s) = succ.get_mut(a) {
            s.push(b);
        }
        if let Some(d) = indegree.get_mut(b) {
            *d += 1;
        }
    }
    let mut done = vec![false; nodes.len()];
    let mut out = Vec::with_capacity(nodes.len());
    while out.len() < nodes.len() {
        let next = (0..nodes.len())
            .find(|&i| !done.get(i).copied().unwrap_or(true) && indegree.get(i).copied() == Some(0))
            .or_else(|| (0..nodes.len()).find(|&i| !done.get(i).copied().unwrap_or(true)));
        let Some(i) = next else { break };
        if let Some(d) = done.get_mut(i) {
            *d = true;
        }
        for &j in succ.get(i).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(d) = indegree.get_mut(j) {
                *d = d.saturating_sub(1);
            }
        }
        out.extend(nodes.get(i).cloned());
    }
    out
}

/// Collects the options of `namespaces` from the registry, then those of
/// the opt-data files (all of their namespaces when `namespaces` is
/// `None`), into `_get_groups()`'s shape.
pub(crate) fn collect(
    registry: &NamespaceRegistry,
    files: &[&OptDataFile],
    namespaces: Option<&[String]>,
    warnings: &mut Warnings,
) -> Collected {
    let requested: Vec<String> = namespaces.map(<[String]>::to_vec).unwrap_or_default();
    // Namespaces the registry serves, in registry order.
    let from_registry = list_registry(registry, &requested, warnings);
    let mut taken: HashSet<String> = from_registry.iter().map(|(n, _)| n.clone()).collect();
    let mut order: HashMap<String, OrderKey> = HashMap::new();
    let mut groups = Groups::new();
    let mut load_index = 0usize;
    for (ns, listing) in from_registry {
        for (rank, (key, object, driver_opts, opts)) in listing.into_iter().enumerate() {
            if opts.is_empty() {
                continue;
            }
            let name = match (&key, &object) {
                (_, Some(g)) => g.name.clone(),
                (Key::Str(s), None) if !s.is_empty() => s.clone(),
                _ => "DEFAULT".to_owned(),
            };
            let Some(slot) = groups.slot(&name) else {
                continue;
            };
            if let Some(g) = object {
                slot.object = Some(g);
                for (k, v) in driver_opts {
                    Value::dict_insert(&mut slot.driver_opts, k, v);
                }
            }
            let opts = opts
                .into_iter()
                .map(|o| SampleOpt::from_opt(o, &ns))
                .collect();
            slot.blocks.push((ns.clone(), opts));
            order.entry(name).or_insert((load_index, rank));
        }
        load_index += 1;
    }
    let mut identities = 0usize;
    for file in files {
        let wanted = |ns: &str| match namespaces {
            Some(list) => list.iter().any(|n| n == ns) && !taken.contains(ns),
            None => !taken.contains(ns),
        };
        let ns_index: HashMap<&str, usize> = file
            .namespaces
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), load_index + i))
            .collect();
        for (name, object, driver_opts, blocks) in &file.groups {
            let blocks: Vec<Block> = blocks
                .iter()
                .filter(|(ns, opts)| wanted(ns) && !opts.is_empty())
                .map(|(ns, opts)| {
                    let opts = opts
                        .iter()
                        .map(|o| {
                            let mut o = o.clone();
                            for id in o.ids.iter_mut().flatten() {
                                *id += identities;
                            }
                            o
                        })
                        .collect();
                    (ns.clone(), opts)
                })
                .collect();
            let Some((first_ns, _)) = blocks.first() else {
                continue;
            };
            let key = (
                ns_index
                    .get(first_ns.as_str())
                    .copied()
                    .unwrap_or(usize::MAX),
                file.rank.get(name).copied().unwrap_or(usize::MAX),
            );
            let Some(slot) = groups.slot(name) else {
                continue;
            };
            if let Some(g) = object {
                slot.object = Some(g.clone());
                for (k, v) in driver_opts {
                    Value::dict_insert(&mut slot.driver_opts, k.clone(), v.clone());
                }
            }
            slot.blocks.extend(blocks);
            order.entry(name.clone()).or_insert(key);
        }
        load_index += file.namespaces.len();
        identities += file.identities;
        let used: Vec<String> = file
            .namespaces
            .iter()
            .filter(|ns| wanted(ns))
            .cloned()
            .collect();
        taken.extend(used);
    }
    // `_get_groups()` order: DEFAULT, then by where each group was first met.
    let default = groups.groups.first().cloned();
    let mut rest: Vec<(String, GroupInfo)> = groups.groups.into_iter().skip(1).collect();
    rest.sort_by_key(|(name, _)| order.get(name).copied().unwrap_or((usize::MAX, usize::MAX)));
    let mut ordered: Vec<(String, GroupInfo)> = default.into_iter().collect();
    ordered.extend(rest);
    Collected {
        groups: Groups { groups: ordered },
    }
}

/// Where a `default:`/`sample_default:` of an opt-data entry is written.
#[derive(Debug, Clone, Default)]
pub(crate) struct EntryLines {
    /// The anchor or alias name on each key (`id001`), if any.
    pub tokens: [Option<String>; 2],
    /// Each key's lines: its own and those of its block value.
    pub spans: [Option<(usize, usize)>; 2],
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A `&idNNN` / `*idNNN` node property at a node's start in `line`.
fn has_node_token(line: &str) -> bool {
    let bytes = line.as_bytes();
    let indent = indent_of(line);
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'&' && b != b'*' {
            continue;
        }
        let starts_node =
            i == indent || (i >= 2 && matches!(bytes.get(i - 2..i), Some(b": ") | Some(b"- ")));
        let named = bytes.get(i + 1..i + 4).is_some_and(|r| {
            r.first() == Some(&b'i')
                && r.get(1) == Some(&b'd')
                && r.get(2).is_some_and(u8::is_ascii_digit)
        });
        if starts_node && named {
            return true;
        }
    }
    false
}

/// The opt entries of a YAML opt-data document as PyYAML lays them out
/// (`options:` / two-space group / `opts:` / `- ` entries / six-space
/// keys), with the anchors on their `default` and `sample_default`.
/// `None` if anchors occur anywhere else in `options` (or the text is
/// not laid out that way), where identities cannot be recovered.
pub(crate) fn scan_entries(text: &str) -> Option<Vec<EntryLines>> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut entries: Vec<EntryLines> = Vec::new();
    let mut in_options = false;
    let mut in_opts = false;
    let mut i = 0usize;
    while let Some(&line) = lines.get(i) {
        i += 1;
        if line.is_empty() {
            continue;
        }
        let indent = indent_of(line);
        let body = line.get(indent..).unwrap_or_default();
        if indent == 0 {
            in_options = line == "options:";
            in_opts = false;
            continue;
        }
        if !in_options {
            continue;
        }
        if indent == 2 {
            in_opts = false;
            continue;
        }
        if indent == 4 && !body.starts_with("- ") {
            in_opts = line == "    opts:";
            continue;
        }
        if !in_opts {
            continue;
        }
        if indent == 4 {
            entries.push(EntryLines::default());
            if has_node_token(line) {
                return None;
            }
            continue;
        }
        let slot = if indent == 6 && body.starts_with("default:") {
            Some((0usize, "default:".len()))
        } else if indent == 6 && body.starts_with("sample_default:") {
            Some((1usize, "sample_default:".len()))
        } else {
            None
        };
        let Some((slot, key_len)) = slot else {
            if has_node_token(line) {
                return None;
            }
            continue;
        };
        let rest = body
            .get(key_len..)
            .unwrap_or_default()
            .trim_start_matches(' ');
        let token = match rest.as_bytes().first() {
            Some(b'&' | b'*') => rest
                .get(1..)
                .and_then(|r| r.split(' ').next())
                .map(str::to_owned),
            _ => None,
        };
        let start = i - 1;
        let deeper = |line: &str| {
            let ind = indent_of(line);
            ind > 6 || (ind == 6 && line.get(6..).is_some_and(|r| r.starts_with("- ")))
        };
        while let Some(&next) = lines.get(i) {
            if next.is_empty() {
                // Blank lines inside a multi-line scalar of the value.
                let after = lines.iter().skip(i).find(|l| !l.is_empty());
                if after.is_some_and(|l| deeper(l)) {
                    i += 1;
                    continue;
                }
                break;
            }
            if !deeper(next) {
                break;
            }
            if has_node_token(next) {
                return None;
            }
            i += 1;
        }
        let entry = entries.last_mut()?;
        if let Some(t) = entry.tokens.get_mut(slot) {
            *t = token;
        }
        if let Some(s) = entry.spans.get_mut(slot) {
            *s = Some((start, i));
        }
    }
    Some(entries)
}
