//! Config files and dirs: parsing them, finding a value in them, the
//! default files, and re-reading them (`reload_config_files`,
//! `mutate_config_files`).

use pycompat::ospath::join_str;
use pycompat::value::Value;

use crate::argparse::{Attr, SideEffect};
use crate::error::{Error, Result};
use crate::location::{LocationInfo, Locations};
use crate::logging::Level;
use crate::opts::Opt;
use crate::ospath::{self, fixpath_with};

use crate::parsed::{self, ParsedSources, Read, conf_files_in};
use crate::report::Secrets;

use super::{CallArgs, ConfigOpts, GroupRef, Mutations};

/// `_get_config_dirs(project)`: where a project's files are looked for
/// when `$HOME` is `home`.
fn config_search_dirs(project: Option<&str>, home: Option<String>) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    if let Some(p) = project {
        dirs.push(fixpath_with(&format!("~/.{p}"), home.clone()));
    }
    dirs.push(fixpath_with("~", home));
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

/// `find_config_files` / `find_config_dirs`: for the project and then the
/// program, the first of `~/.{project}/`, `~/`, `/etc/{project}/`, `/etc/`
/// (and the snap locations) holding `{name}{extension}`.
pub fn find_config_files(project: Option<&str>, prog: &str, extension: &str) -> Vec<String> {
    let home = std::env::var_os("HOME").map(|h| h.to_string_lossy().into_owned());
    find_config_files_in(project, prog, extension, home)
}

/// [`find_config_files`] when `$HOME` is `home`.
pub(super) fn find_config_files_in(
    project: Option<&str>,
    prog: &str,
    extension: &str,
    home: Option<String>,
) -> Vec<String> {
    let dirs = config_search_dirs(project, home);
    let mut found = Vec::new();
    for name in [project, Some(prog)]
        .into_iter()
        .flatten()
        .filter(|n| !n.is_empty())
    {
        for d in &dirs {
            let path = join_str(d, &format!("{name}{extension}"));
            if std::path::Path::new(&path).exists() {
                found.push(path);
                break;
            }
        }
    }
    found
}

impl ConfigOpts {
    /// Looks every registered option up in `ns` once, for the reads
    /// ([`ParsedSources::by_opt`]).
    fn index_options(&self, ns: &mut ParsedSources) {
        let by_opt = std::iter::once(&self.default)
            .chain(&self.groups)
            .map(|slot| {
                let group = slot.group.as_ref().map(|grp| grp.name.as_str());
                slot.opts
                    .iter()
                    .map(|info| Some(Self::from_parsed_at(&info.opt, ns, group, false)))
                    .collect()
            })
            .collect();
        ns.by_opt = by_opt;
    }

    /// What the files read by [`ConfigOpts::call_lenient`] gave.
    pub(crate) fn scans(&self) -> &[parsed::FileScan] {
        self.parsed.as_ref().map_or(&[], |ns| ns.scans.as_slice())
    }

    /// `_parse_config_files`: default files/dirs, then argparse (which
    /// parses `--config-file`/`--config-dir` as met), then the check of
    /// every command-line value.
    pub(super) fn parse_config_files(
        &self,
        call: &CallArgs,
        lenient: bool,
    ) -> Result<ParsedSources> {
        let mut files = ParsedSources {
            lenient,
            ..ParsedSources::default()
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
                    let dir = ospath::expanduser_with(dir, self.env.home());
                    if !std::path::Path::new(&dir).exists() {
                        if files.lenient {
                            files.scans.push(parsed::FileScan {
                                path: fixpath_with(&dir, self.env.home()),
                                document: None,
                                problems: vec![parsed::FileProblem::DirNotFound],
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
        ns: &mut ParsedSources,
        attrs: &mut crate::argparse::Attrs,
    ) -> Result<()> {
        let path = fixpath_with(path, self.env.home());
        if ns.lenient {
            let (parsed, scan) = parsed::scan_file(&path);
            ns.scans.push(scan);
            if let Some(file) = parsed {
                self.add_file(&path, file, ns, attrs);
            }
            return Ok(());
        }
        let file = match parsed::read_file(&path)? {
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
        file: std::sync::Arc<parsed::ParsedFile>,
        ns: &mut ParsedSources,
        attrs: &mut crate::argparse::Attrs,
    ) {
        ns.add_parsed(path, file.clone());
        let mut single = ParsedSources::default();
        single.add_parsed(path, file);
        for (g, dest) in &self.cli_opts {
            let Some(info) = self.slot(*g).and_then(|s| s.get(dest)) else {
                continue;
            };
            let group_name = self.group_name(*g);
            let Some((value, _)) = Self::from_parsed(&info.opt, &single, group_name.as_deref())
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
    pub(super) fn from_parsed(
        opt: &Opt,
        ns: &ParsedSources,
        group: Option<&str>,
    ) -> Option<parsed::Found> {
        Self::from_parsed_at(opt, ns, group, true)
    }

    /// [`Self::from_parsed`]; without `want_loc` a file value's location
    /// has no file (no strings copied on the hot path).
    pub(super) fn from_parsed_at(
        opt: &Opt,
        ns: &ParsedSources,
        group: Option<&str>,
        want_loc: bool,
    ) -> Option<parsed::Found> {
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
    pub(super) fn names<'a>(
        opt: &'a Opt,
        group: Option<&'a str>,
    ) -> Vec<(Option<&'a str>, &'a str)> {
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
    pub(super) fn source_of(
        opt: &Opt,
        ns: &ParsedSources,
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

    /// `reload_config_files()`: re-parse the same command line; on
    /// success every option sees the new values. Errors are logged and
    /// give `false`.
    pub fn reload_config_files(&mut self) -> bool {
        match self.reparse() {
            Ok(ns) => {
                self.parsed = Some(ns);
                self.clear_cache();
                true
            }
            Err(e) => {
                // The reference logs `str(e)`, which may quote a secret.
                for problem in crate::report::describe(&e, Secrets::Masked) {
                    self.log.cfg(
                        Level::Warning,
                        format!("Caught Error while reloading configure files: {problem}"),
                    );
                }
                false
            }
        }
    }

    fn reparse(&mut self) -> Result<ParsedSources> {
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
        let old = self.mutable_parsed.clone().or_else(|| self.parsed.clone());
        let new = self.reparse()?;
        let all: Vec<(GroupRef, Opt)> = std::iter::once((None, &self.default))
            .chain(self.groups.iter().enumerate().map(|(i, s)| (Some(i), s)))
            .flat_map(|(g, s)| s.opts.iter().map(move |info| (g, info.opt.clone())))
            .collect();
        let mut fresh: Mutations = Vec::new();
        let mut secret: Vec<(Option<String>, String)> = Vec::new();
        for (g, opt) in &all {
            let group_name = self.group_name(*g);
            let raw = |ns: Option<&ParsedSources>, group: Option<&str>| {
                ns.and_then(|ns| Self::from_parsed(opt, ns, group))
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
                let before = raw(self.parsed.as_ref(), Some(&shown));
                let after = raw(Some(&new), Some(&shown));
                if before != after {
                    self.log.cfg(
                        Level::Warning,
                        format!("Ignoring change to immutable option {shown}.{}", opt.name),
                    );
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
            self.log.cfg(
                Level::Info,
                format!(
                    "Option {}.{option} changed from [{}] to [{}]",
                    group.as_deref().unwrap_or("DEFAULT"),
                    Secrets::Masked.show(secret, || old_v.py_str()),
                    Secrets::Masked.show(secret, || new_v.py_str())
                ),
            );
        }
        self.mutable_parsed = Some(new);
        Ok(fresh)
    }

    /// `find_file(name)`: `name` in the `--config-dir`s, then beside the
    /// config files (last first), then the project's standard directories
    /// (`~/.{project}/`, `~/`, `/etc/{project}/`, `/etc/`); `None` if in
    /// none of them.
    pub fn find_file(&self, name: &str) -> Result<Option<String>> {
        let ns = self.parsed.as_ref().ok_or(Error::NotInitialized)?;
        let mut dirs: Vec<String> = ns
            .config_dirs
            .iter()
            .map(|d| fixpath_with(d, self.env.home()))
            .collect();
        if let Value::List(files) = self.get("config_file")? {
            for f in files.iter().rev() {
                let path = fixpath_with(&f.py_str(), self.env.home());
                let parent = std::path::Path::new(&path)
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                dirs.push(parent);
            }
        }
        let project = self.call.as_ref().and_then(|c| c.project.clone());
        dirs.extend(config_search_dirs(project.as_deref(), self.env.home()));
        Ok(dirs
            .iter()
            .map(|d| join_str(d, name))
            .find(|p| std::path::Path::new(p).exists()))
    }

    /// Every section name of every parsed file, sorted.
    pub fn list_all_sections(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .mutable_parsed
            .iter()
            .chain(self.parsed.iter())
            .flat_map(|ns| ns.sections().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The config dirs given with `--config-dir`, in order.
    pub fn config_dirs(&self) -> Vec<String> {
        self.parsed
            .as_ref()
            .map(|ns| ns.config_dirs.clone())
            .unwrap_or_default()
    }
}
