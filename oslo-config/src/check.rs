//! `oslo-config check`: every problem of a configuration in one run — the
//! validator operators wish they had.
//!
//! The options are registered in a [`ConfigOpts`] (from code, or from
//! opt-data); the files, directories, environment and command line are
//! those [`ConfigOpts::call`] would read for the same [`CallArgs`]. Where
//! the reference stops at the first problem, this goes on, and reports:
//!
//! * bytes that are not UTF-8 (line, and byte column in the line), lines
//!   the INI parser refuses (every one: the parse goes on after them),
//!   files and directories that cannot be read;
//! * sections that name no group (`[databse]`, `[default]`) and keys that
//!   name no option, with the closest names (`did you mean [database]
//!   connection?`);
//! * every assignment's value the option's type refuses — including one a
//!   later file overrides — and `$references` that name no option, name a
//!   group, or go round in a cycle, each on its own line;
//! * values from the environment and the command line, and required
//!   options nothing sets;
//! * as warnings: deprecated names and groups (with the new name),
//!   options deprecated for removal, a key set twice in one file (only the
//!   last counts) and a deprecated name that loses to the new name in the
//!   same file.
//!
//! Values of secret options are masked ([`Secrets`]).

use std::collections::{HashMap, HashSet};

use crate::conf::{AssignmentError, CallArgs, ConfigOpts};
use crate::error::Error;
use crate::opts::Opt;
use crate::parsed::{FileProblem, FileScan, normalize_group};
use crate::report::{self, Kind, Origin, Problem, Secrets, Severity, closest, describe};
use crate::template;

/// What [`check`] found, in file and line order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every problem: file problems in the order the files are read, by
    /// line; then the environment's, the command line's, and the others.
    pub problems: Vec<Problem>,
}

impl Report {
    /// How many errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }

    /// True if the configuration should be refused: any error, or (with
    /// `strict`) any warning.
    pub fn failed(&self, strict: bool) -> bool {
        self.errors() > 0 || (strict && self.warnings() > 0)
    }
}

/// What a key of a section names.
#[derive(Debug, Clone)]
struct Named<'a> {
    /// The registered group (`None`: DEFAULT).
    group: Option<String>,
    opt: &'a Opt,
    /// Through a deprecated name or group.
    deprecated: bool,
}

/// Every `(section, key)` a file may use, from the registered options.
struct Known<'a> {
    /// Normalized section name → key → what it names.
    sections: HashMap<String, HashMap<String, Named<'a>>>,
    /// The registered groups: normalized name → registered name.
    groups: Vec<(String, Option<String>)>,
}

impl<'a> Known<'a> {
    fn new(conf: &'a ConfigOpts) -> Known<'a> {
        let mut groups: Vec<(String, Option<String>)> = vec![("DEFAULT".to_owned(), None)];
        groups.extend(
            conf.groups()
                .into_iter()
                .map(|g| (normalize_group(&g.name), Some(g.name.clone()))),
        );
        let mut sections: HashMap<String, HashMap<String, Named<'a>>> = HashMap::new();
        let mut deprecated: Vec<(String, String, Named<'a>)> = Vec::new();
        for (_, group) in &groups {
            let Ok(opts) = conf.opts(group.as_deref()) else {
                continue;
            };
            let section = normalize_group(group.as_deref().unwrap_or("DEFAULT"));
            for opt in opts {
                let named = Named {
                    group: group.clone(),
                    opt,
                    deprecated: false,
                };
                for d in &opt.deprecated_opts {
                    if d.name.is_none() && d.group.is_none() {
                        continue;
                    }
                    let dgroup = d.group.as_deref().or(group.as_deref()).unwrap_or("DEFAULT");
                    let dname = d.name.as_deref().unwrap_or(&opt.dest);
                    deprecated.push((
                        normalize_group(dgroup),
                        dname.to_owned(),
                        Named {
                            deprecated: true,
                            ..named.clone()
                        },
                    ));
                }
                sections
                    .entry(section.clone())
                    .or_default()
                    .entry(opt.dest.clone())
                    .or_insert(named);
            }
        }
        // A current name wins over someone else's deprecated one.
        for (section, key, named) in deprecated {
            sections
                .entry(section)
                .or_default()
                .entry(key)
                .or_insert(named);
        }
        Known { sections, groups }
    }

    fn is_group(&self, section: &str) -> bool {
        self.groups.iter().any(|(n, _)| n == section) || self.sections.contains_key(section)
    }

    /// The current (not deprecated) option names of each section.
    fn current(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sections.iter().flat_map(|(section, keys)| {
            keys.iter()
                .filter(|(_, named)| !named.deprecated)
                .map(move |(key, _)| (section.as_str(), key.as_str()))
        })
    }
}

/// Checks the configuration `call` gives for the options registered in
/// `conf` (which is not changed): every problem, with values of secret
/// options shown only with [`Secrets::Shown`].
pub fn check(conf: &ConfigOpts, call: CallArgs, secrets: Secrets) -> Report {
    let registry = conf;
    let mut conf = conf.clone();
    let mut found: Vec<Problem> = Vec::new();
    if let Err(e) = conf.call_lenient(call.clone()) {
        // argparse refused the command line: nothing else can be read.
        found.extend(describe(&e, secrets));
        return finish(found, &[]);
    }
    let known = Known::new(&conf);
    let mut seen = Seen::default();
    for scan in conf.scans() {
        check_file(&conf, &known, scan, secrets, &mut found, &mut seen);
    }
    let Seen { flagged, assigned } = seen;
    for (_, group) in &known.groups {
        let Ok(opts) = conf.opts(group.as_deref()) else {
            continue;
        };
        for opt in opts {
            if group.is_none()
                && known
                    .groups
                    .iter()
                    .any(|(_, g)| g.as_ref() == Some(&opt.dest))
            {
                // A DEFAULT option named like a group reads as the group.
                continue;
            }
            let Err(e) = conf.get_in(group.as_deref(), &opt.dest) else {
                continue;
            };
            let origin = conf
                .get_location(&opt.dest, group.as_deref())
                .ok()
                .flatten()
                .map_or(Origin::None, |l| Origin::of(&l));
            let key = (group.clone(), opt.dest.clone());
            let judged = flagged.contains(&key);
            let reference = match &e {
                Error::NoSuchOpt {
                    name, cause: None, ..
                } => Some(name.clone()),
                Error::TemplateSubstitution(m) => m
                    .strip_prefix("substituting group ")
                    .and_then(|m| m.strip_suffix(" not supported"))
                    .map(str::to_owned),
                Error::NoSuchGroup(_) | Error::Recursion { .. } => None,
                _ => {
                    found.extend(describe(&e, secrets).into_iter().filter_map(|mut p| {
                        if p.origin == Origin::None {
                            p.origin = origin.clone();
                        }
                        // A file value: already said, on its line.
                        let said = judged && matches!(p.origin, Origin::File { .. });
                        (!said).then(|| {
                            if p.option.is_none() {
                                p.about(group.as_deref(), Some(&opt.name))
                            } else {
                                p
                            }
                        })
                    }));
                    continue;
                }
            };
            // The references of file values were judged on their lines
            // (a deeper failure, on the line of the option that has it).
            if !assigned.contains(&key) {
                let origin = conf
                    .env_source(&opt.dest, group.as_deref())
                    .map_or(Origin::None, Origin::Environment);
                found.push(
                    Problem::error(
                        Kind::Interpolation,
                        origin,
                        report::interpolation(&e, reference.as_deref()),
                    )
                    .about(group.as_deref(), Some(&opt.name)),
                );
            }
        }
    }
    for (group, name) in conf.unset_required() {
        if !flagged.contains(&(group.clone(), name.clone())) {
            found.push(report::required(group.as_deref(), &name));
        }
    }
    if !found.iter().any(|p| p.severity == Severity::Error) {
        // Never clean when the service itself would refuse to start.
        if let Err(e) = load(registry, call) {
            found.extend(describe(&e, secrets));
        }
    }
    finish(found, conf.scans())
}

/// What a service does at start: parse, then read every option.
fn load(registry: &ConfigOpts, call: CallArgs) -> Result<(), Error> {
    let mut conf = registry.clone();
    conf.call(call)?;
    let groups: Vec<Option<String>> = std::iter::once(None)
        .chain(conf.groups().into_iter().map(|g| Some(g.name.clone())))
        .collect();
    for group in &groups {
        for opt in conf.opts(group.as_deref())? {
            if group.is_none() && groups.iter().any(|g| g.as_ref() == Some(&opt.dest)) {
                continue;
            }
            conf.get_in(group.as_deref(), &opt.dest)?;
        }
    }
    Ok(())
}

/// Sorts (files in the order they were read, then by line and column;
/// then the environment, the command line, code, the rest) and drops
/// repeats.
fn finish(found: Vec<Problem>, scans: &[FileScan]) -> Report {
    let order: Vec<String> = scans.iter().map(|s| report::shown_path(&s.path)).collect();
    let key = |p: &Problem| match &p.origin {
        Origin::File { path, line, column } => (
            0u8,
            order.iter().position(|o| o == path).unwrap_or(usize::MAX),
            path.clone(),
            line.unwrap_or_default(),
            column.unwrap_or_default(),
        ),
        Origin::Environment(var) => (1, 0, var.clone(), 0, 0),
        Origin::CommandLine => (2, 0, String::new(), 0, 0),
        Origin::Code(_) => (3, 0, String::new(), 0, 0),
        Origin::None => (4, 0, String::new(), 0, 0),
    };
    let mut keyed: Vec<_> = found.into_iter().map(|p| (key(&p), p)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut seen: HashSet<String> = HashSet::new();
    let problems = keyed
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| seen.insert(p.to_string()))
        .collect();
    Report { problems }
}

/// What the files said about options.
#[derive(Default)]
struct Seen {
    /// Options a problem of a file value was reported for (the value is
    /// not reported again when the option is read).
    flagged: HashSet<(Option<String>, String)>,
    /// Options some file sets.
    assigned: HashSet<(Option<String>, String)>,
}

/// Everything wrong in one file.
fn check_file(
    conf: &ConfigOpts,
    known: &Known<'_>,
    scan: &FileScan,
    secrets: Secrets,
    found: &mut Vec<Problem>,
    seen: &mut Seen,
) {
    for problem in &scan.problems {
        if let FileProblem::Syntax(e) = problem {
            if scan.bad_lines.contains(&e.lineno) {
                // The bytes that are not UTF-8 are the problem.
                continue;
            }
        }
        let (line, column) = match problem {
            FileProblem::Undecodable { line, column, .. } => (Some(*line), Some(*column)),
            FileProblem::Syntax(e) => (Some(e.lineno), None),
            _ => (None, None),
        };
        let kind = match problem {
            FileProblem::Undecodable { .. } => Kind::Encoding,
            FileProblem::Syntax(_) => Kind::Syntax,
            _ => Kind::Unreadable,
        };
        let mut origin = Origin::file(&scan.path, line);
        if let Origin::File { column: c, .. } = &mut origin {
            *c = column;
        }
        found.push(Problem::error(kind, origin, report::file_problem(problem)));
    }
    let Some(doc) = &scan.document else {
        return;
    };
    let at = |line: usize| Origin::file(&scan.path, Some(line));
    // (normalized section, key) → lines, for keys set more than once.
    let mut lines: HashMap<(String, &str), Vec<usize>> = HashMap::new();
    for section in &doc.sections {
        for item in &section.items {
            lines
                .entry((normalize_group(&section.name), item.key.as_str()))
                .or_default()
                .push(item.lineno);
        }
    }
    let mut unknown_reported: HashSet<&str> = HashSet::new();
    for section in &doc.sections {
        let norm = normalize_group(&section.name);
        if !known.is_group(&norm) {
            if unknown_reported.insert(&section.name) {
                found.push(Problem {
                    group: Some(section.name.clone()),
                    ..Problem::error(
                        Kind::UnknownGroup,
                        at(section.lineno),
                        unknown_group(known, &section.name, section),
                    )
                });
            }
            continue;
        }
        for item in &section.items {
            if scan.bad_lines.contains(&item.lineno) {
                // Not what the operator wrote: the encoding problem is
                // the one to fix (and the value is not judged when read).
                if let Some(named) = known.sections.get(&norm).and_then(|k| k.get(&item.key)) {
                    let key = (named.group.clone(), named.opt.dest.clone());
                    seen.assigned.insert(key.clone());
                    seen.flagged.insert(key);
                }
                continue;
            }
            let here = |p: Problem| Problem {
                group: Some(section.name.clone()),
                option: Some(item.key.clone()),
                ..p
            };
            let Some(named) = known.sections.get(&norm).and_then(|k| k.get(&item.key)) else {
                found.push(here(Problem::error(
                    Kind::UnknownOption,
                    at(item.lineno),
                    unknown_option(known, &norm, &item.key),
                )));
                continue;
            };
            let opt = named.opt;
            seen.assigned
                .insert((named.group.clone(), opt.dest.clone()));
            let shown_group = named.group.as_deref().unwrap_or("DEFAULT");
            if named.deprecated {
                let mut message =
                    format!("deprecated name: use [{shown_group}] {} instead", opt.dest);
                let current = lines
                    .get(&(normalize_group(shown_group), opt.dest.as_str()))
                    .and_then(|l| l.last());
                if let (Some(line), false) = (current, opt.multi) {
                    message.push_str(&format!(
                        "; this file also sets {} (line {line}), which wins, so this line is ignored",
                        opt.dest
                    ));
                }
                found.push(here(Problem::warning(
                    Kind::Deprecated,
                    at(item.lineno),
                    message,
                )));
            }
            if opt.deprecated_for_removal {
                let mut message = "deprecated for removal".to_owned();
                if let Some(since) = &opt.deprecated_since {
                    message.push_str(&format!(" since {since}"));
                }
                if let Some(reason) = opt.deprecated_reason.as_ref().filter(|r| !r.is_empty()) {
                    message.push_str(&format!(" ({})", reason.trim()));
                }
                message.push_str(": its value may be silently ignored in the future");
                found.push(here(Problem::warning(
                    Kind::Deprecated,
                    at(item.lineno),
                    message,
                )));
            }
            if !opt.multi {
                if let Some(&last) = lines
                    .get(&(norm.clone(), item.key.as_str()))
                    .and_then(|l| l.last())
                {
                    if last != item.lineno {
                        found.push(here(Problem::warning(
                            Kind::Duplicate,
                            at(item.lineno),
                            format!("set again on line {last}; only the last value counts"),
                        )));
                    }
                }
            }
            let problem = match conf.check_assignment(
                named.group.as_deref(),
                &opt.dest,
                &item.value,
                (&scan.path, item.lineno),
            ) {
                Ok(()) => None,
                Err(AssignmentError::Value(e)) => describe(&e, secrets).into_iter().next(),
                Err(AssignmentError::Interpolation(e)) => {
                    interpolation_problem(conf, named, &item.value, &e).map(|message| {
                        Problem::error(Kind::Interpolation, at(item.lineno), message)
                    })
                }
            };
            if let Some(p) = problem {
                seen.flagged.insert((named.group.clone(), opt.dest.clone()));
                found.push(here(p));
            }
        }
    }
}

/// The first `$reference` of `raw` that names no option (or a group),
/// else a cycle; `None` when the failure is deeper, in another option's
/// value (reported where that value is).
fn interpolation_problem(
    conf: &ConfigOpts,
    named: &Named<'_>,
    raw: &str,
    e: &Error,
) -> Option<String> {
    for key in template::references(raw) {
        if let Err(direct) = conf.reference_target(&key, named.group.as_deref()) {
            return Some(report::interpolation(&direct, Some(&key)));
        }
    }
    matches!(e, Error::Recursion { .. }).then(|| report::interpolation(e, None))
}

/// `unknown group`, with the closest group names, or the group that has
/// the section's keys.
fn unknown_group(known: &Known<'_>, raw: &str, section: &crate::ini::Section) -> String {
    let names: Vec<&str> = known.groups.iter().map(|(n, _)| n.as_str()).collect();
    let close = closest(raw, names);
    if !close.is_empty() {
        let list: Vec<String> = close.iter().map(|g| format!("[{g}]")).collect();
        let note = if close.contains(&"DEFAULT") && raw.eq_ignore_ascii_case("DEFAULT") {
            " (section names ignore case, except DEFAULT)"
        } else {
            ""
        };
        return format!(
            "unknown group, its options are ignored; did you mean {}?{note}",
            list.join(" or ")
        );
    }
    // The group whose options the section sets most.
    let mut best: Option<(usize, &str)> = None;
    for (name, _) in &known.groups {
        let keys = known.sections.get(name);
        let hits = section
            .items
            .iter()
            .filter(|i| keys.is_some_and(|k| k.get(&i.key).is_some_and(|n| !n.deprecated)))
            .count();
        if hits > 0 && best.is_none_or(|b| hits > b.0) {
            best = Some((hits, name));
        }
    }
    match best {
        Some((_, name)) => format!(
            "unknown group, its options are ignored; did you mean [{name}]? (it has options of these names)"
        ),
        None => "unknown group, its options are ignored".to_owned(),
    }
}

/// `unknown option`, with the closest names in this section, else in the
/// others.
fn unknown_option(known: &Known<'_>, section: &str, key: &str) -> String {
    let here: Vec<&str> = known
        .current()
        .filter(|(s, _)| *s == section)
        .map(|(_, k)| k)
        .collect();
    let close = closest(key, here);
    if !close.is_empty() {
        return format!(
            "unknown option, ignored; did you mean {}?",
            close.join(" or ")
        );
    }
    let elsewhere: Vec<(&str, &str)> = known.current().filter(|(s, _)| *s != section).collect();
    let close = closest(key, elsewhere.iter().map(|(_, k)| *k));
    let mut places: Vec<String> = elsewhere
        .iter()
        .filter(|(_, k)| close.contains(k))
        .map(|(s, k)| format!("[{s}] {k}"))
        .collect();
    places.sort();
    if places.is_empty() {
        "unknown option, ignored".to_owned()
    } else {
        format!(
            "unknown option in [{section}], ignored; did you mean {}?",
            places.join(" or ")
        )
    }
}
