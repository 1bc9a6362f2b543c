//! `oslo-rootwrap lint`: what a configuration's filters hand out, and what
//! the real run would refuse.
//!
//! * **root**: a filter allows, as root, a command line from the
//!   [`catalogue`] of commands that run other programs, write or hand over
//!   any file, mount or load kernel modules; or a chaining filter lets the
//!   caller's own program through on a basename; or an EnvFilter lets the
//!   caller set a variable that injects code. Each finding carries a
//!   *witness*: a command line the real matcher ([`crate::decision`])
//!   allows as root through that filter, on a host where the filters'
//!   executables are installed.
//! * **never-matches**: the filter (or a whole file) can never allow
//!   anything.
//! * **untrusted**: ownership or modes the real run refuses (exit 97),
//!   found by the same [`crate::trust`] code, whoever runs lint.
//! * **info**: the rest: executables missing from `exec_dirs`, unknown
//!   classes, catalogue commands that read secrets, destroy disks or
//!   signal processes without giving root, patterns that look mistaken.
//!
//! Nothing here prints: [`Report`] renders text or JSON for the binary.

pub mod catalogue;
pub mod witness;

use std::path::Path;

use crate::config::{ConfigError, RootwrapConfig};
use crate::filters::{Filter, Kind, MatchEnv};
use crate::pyos;
use crate::sys::Errno;
use crate::trust::{self, ConfigFile, Trust, TrustError, Untrusted};
use crate::wrapper::{self, FilterSet};
use pycompat::ospath;
use pycompat::str as pystr;

use witness::exec_base;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A witness command line gives root (runs, writes or owns anything).
    Root,
    /// The filter, or every filter of a file, can never allow anything.
    NeverMatches,
    /// The real run refuses the configuration (ownership, modes).
    Untrusted,
    /// Worth knowing; not a way to root by itself.
    Info,
}

impl Severity {
    /// The name used in output: `root`, `never-matches`, `untrusted`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Root => "root",
            Severity::NeverMatches => "never-matches",
            Severity::Untrusted => "untrusted",
            Severity::Info => "info",
        }
    }

    /// Whether this severity makes `lint` exit 1.
    pub fn fails(self) -> bool {
        self != Severity::Info
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file concerned (a filter file, the configuration, a directory).
    pub file: String,
    /// The filter's name, for findings about one filter.
    pub filter: Option<String>,
    /// The filter's class as written (known or not).
    pub class: Option<String>,
    /// How serious.
    pub severity: Severity,
    /// A stable identifier of the kind of finding (`catalogue`,
    /// `chain-basename`, `env-variable`, `never-matches`,
    /// `split-quantifier`, `path-regex`, `missing-executable`,
    /// `unknown-class`, `malformed`, `untrusted`, `cannot-check`,
    /// `not-a-directory`).
    pub code: &'static str,
    /// What is wrong, and how root is reached.
    pub message: String,
    /// A command line the filter allows that shows it.
    pub witness: Option<Vec<Vec<u8>>>,
}

impl Finding {
    fn about(f: &Filter, severity: Severity, code: &'static str, message: String) -> Finding {
        Finding {
            file: f.source.to_string(),
            filter: Some(f.name.clone()),
            class: Some(f.kind.class_name().to_owned()),
            severity,
            code,
            message,
            witness: None,
        }
    }

    fn file(file: &str, severity: Severity, code: &'static str, message: String) -> Finding {
        Finding {
            file: file.to_owned(),
            filter: None,
            class: None,
            severity,
            code,
            message,
            witness: None,
        }
    }
}

/// Values a caller would give an injecting variable.
fn env_value(name: &str) -> &'static str {
    match name {
        "LD_PRELOAD" | "LD_AUDIT" => "/tmp/x/payload.so",
        _ => "/tmp/x",
    }
}

/// Whether (and how badly) letting the caller set `name` for `command`
/// injects code.
fn env_danger(name: &str, command: &str) -> Option<(Severity, String)> {
    let family = catalogue::lookup(command).map(|e| e.names);
    let is = |names: &[&str]| family.is_some_and(|f| names.iter().any(|n| f.contains(n)));
    let lang = |lang: &str, names: &[&str]| {
        let severity = if is(names) {
            Severity::Root
        } else {
            Severity::Info
        };
        let cond = if severity == Severity::Root {
            String::new()
        } else {
            format!(" if {command} is a {lang} program")
        };
        (
            severity,
            format!("{name} is the caller's: {command} runs code of the caller's as root{cond}"),
        )
    };
    Some(match name {
        "LD_PRELOAD" | "LD_LIBRARY_PATH" | "LD_AUDIT" => (
            Severity::Root,
            format!(
                "{name} is the caller's: the dynamic loader loads the caller's library into {command}, run as root"
            ),
        ),
        n if n.starts_with("LD_") => (
            Severity::Info,
            format!("{name} is the caller's: it steers the dynamic loader of {command}"),
        ),
        n if n.starts_with("PYTHON") => lang("Python", &["python"]),
        n if n.starts_with("PERL5") => lang("Perl", &["perl"]),
        n if n.starts_with("RUBY") => lang("Ruby", &["ruby"]),
        "NODE_OPTIONS" => lang("Node.js", &["node"]),
        "BASH_ENV" | "ENV" => lang("shell", &["sh", "bash"]),
        "GCONV_PATH" => (
            Severity::Info,
            format!(
                "{name} is the caller's: iconv in {command} loads the caller's modules as root"
            ),
        ),
        "PATH" => (
            Severity::Info,
            format!(
                "{name} is the caller's: programs {command} starts by name come from the caller's directories"
            ),
        ),
        "LVM_SYSTEM_DIR" => (
            Severity::Info,
            format!(
                "{name} is the caller's: lvm.conf comes from the caller's directory (LVM2 before 2.03 loads the libraries it names: root there)"
            ),
        ),
        _ => return None,
    })
}

/// Findings about an EnvFilter's variables, each with a witness the real
/// matcher allows.
fn env_findings(
    filters: &[Filter],
    index: usize,
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> Vec<Finding> {
    let Some(f) = filters.get(index) else {
        return Vec::new();
    };
    let names: Vec<&str> = f
        .args
        .iter()
        .take_while(|a| a.contains('='))
        .map(|a| a.split('=').next().unwrap_or_default())
        .collect();
    let command = exec_base(f);
    let mut out = Vec::new();
    for name in &names {
        let Some((severity, message)) = env_danger(name, &command) else {
            continue;
        };
        let mut argv: Vec<Vec<u8>> = vec![b"env".to_vec()];
        for n in &names {
            let value = if n == name { env_value(n) } else { "x" };
            argv.push(format!("{n}={value}").into_bytes());
        }
        argv.push(command.as_bytes().to_vec());
        while argv.len() <= f.args.len() {
            argv.push(b"x".to_vec());
        }
        let mut probe = argv.clone();
        let allowed = matches!(
            crate::decision::decide_installed(filters, &[index], &mut probe, exec_dirs, env),
            crate::decision::Outcome::Allowed(ref a) if a.run_as == "root"
        );
        if allowed {
            let mut finding = Finding::about(f, severity, "env-variable", message);
            finding.witness = Some(argv);
            out.push(finding);
        }
    }
    out
}

/// `a` ends with an unclosed `{m` and `b` starts with `n}`: the author
/// wrote `{m,n}`, which the comma-separated definition syntax cannot hold.
fn split_quantifier(a: &str, b: &str) -> bool {
    let head = a.trim_end_matches(|c: char| c.is_ascii_digit());
    let tail = b.trim_start_matches(|c: char| c.is_ascii_digit());
    head.ends_with('{') && !head.ends_with("\\{") && tail.starts_with('}')
}

/// Reasons a filter can never allow any command line.
fn never_matches(f: &Filter, filters: &[Filter], index: usize) -> Option<String> {
    let reason = match f.kind {
        Kind::Chaining => "a bare ChainingFilter never allows anything".to_owned(),
        Kind::RegExp if f.args.is_empty() => {
            "RegExpFilter without argument patterns never matches".to_owned()
        }
        Kind::RegExp | Kind::ChainingRegExp
            if (0..f.args.len()).any(|i| f.regex_compiles(i) == Some(false)) =>
        {
            let bad = (0..f.args.len()).find(|&i| f.regex_compiles(i) == Some(false))?;
            format!(
                "pattern {:?} is not a valid Python regular expression (or uses a construct rootwrap refuses): it never matches",
                f.args.get(bad).map(String::as_str).unwrap_or_default()
            )
        }
        Kind::Path if f.args.is_empty() => "PathFilter without arguments never matches".to_owned(),
        Kind::Path => {
            let linked = f.args.iter().find(|a| {
                ospath::isabs(a.as_bytes())
                    && pyos::realpath(a.as_bytes()).is_ok_and(|r| r != a.as_bytes())
            })?;
            format!(
                "PathFilter directory {linked} is not a canonical path (symlink or trailing slash): resolved arguments never start with it"
            )
        }
        Kind::IpNetnsExec if f.run_as != "root" => {
            "IpNetnsExecFilter only matches when run_as is root".to_owned()
        }
        Kind::IpNetnsExec | Kind::ChainingRegExp if witness::leaves(filters, index).is_empty() => {
            format!(
                "no non-chaining filter runs as {} to re-check the command after the prefix: it never matches",
                f.run_as
            )
        }
        Kind::Env if !f.args.first().is_some_and(|a| a.contains('=')) => {
            "EnvFilter without NAME= arguments never matches".to_owned()
        }
        Kind::Kill if f.args.is_empty() => {
            "KillFilter without a target executable crashes the reference for every live pid"
                .to_owned()
        }
        _ => return None,
    };
    Some(reason)
}

/// Lints one filter of `filters` (the whole loaded list, for chaining).
fn lint_filter(
    filters: &[Filter],
    index: usize,
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> Vec<Finding> {
    let Some(f) = filters.get(index) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(reason) = never_matches(f, filters, index) {
        out.push(Finding::about(
            f,
            Severity::NeverMatches,
            "never-matches",
            reason,
        ));
    } else if f.run_as == "root" {
        let found = match f.kind {
            Kind::IpNetnsExec | Kind::ChainingRegExp => {
                witness::chain_witness(filters, index, exec_dirs, env)
                    .map(|w| (w, "chain-basename"))
            }
            Kind::Command | Kind::Path | Kind::Ip | Kind::Env | Kind::RegExp => {
                witness::catalogue_witness(filters, index, exec_dirs, env).map(|w| (w, "catalogue"))
            }
            Kind::Kill | Kind::ReadFile | Kind::Chaining => None,
        };
        if let Some((w, code)) = found {
            let severity = if w.grant.is_root() {
                Severity::Root
            } else {
                Severity::Info
            };
            let mut finding = Finding::about(f, severity, code, w.message);
            finding.witness = Some(w.argv);
            out.push(finding);
        }
        if f.kind == Kind::Env {
            out.extend(env_findings(filters, index, exec_dirs, env));
        }
    }
    if matches!(f.kind, Kind::RegExp | Kind::ChainingRegExp) {
        for (i, pair) in f.args.windows(2).enumerate() {
            if let [a, b] = pair {
                if split_quantifier(a, b) {
                    out.push(Finding::about(
                        f,
                        Severity::Info,
                        "split-quantifier",
                        format!(
                            "patterns {a:?} and {b:?} (arguments {i} and {}) look like one regex `{{m,n}}` split by the comma that separates filter arguments",
                            i + 1
                        ),
                    ));
                }
            }
        }
    }
    if f.kind == Kind::Path {
        if let Some(a) = f
            .args
            .iter()
            .find(|a| ospath::isabs(a.as_bytes()) && a.contains(['(', '*', '\\', '[', '?', '+']))
        {
            out.push(Finding::about(
                f,
                Severity::Info,
                "path-regex",
                format!("PathFilter argument {a:?} looks like a regular expression: PathFilter compares it as a literal directory prefix"),
            ));
        }
    }
    if f.kind != Kind::Chaining && matches!(f.get_exec(exec_dirs), Ok(None)) {
        out.push(Finding::about(
            f,
            Severity::Info,
            "missing-executable",
            format!(
                "executable {} not found in exec_dirs: the filter allows nothing on this host",
                f.exec_path
            ),
        ));
    }
    out
}

/// Lints every filter of a loaded set, and the definitions it skipped.
/// `env` is what KillFilter reads (`PATH`).
pub fn lint_filters(set: &FilterSet, exec_dirs: &[Vec<u8>], env: &MatchEnv) -> Vec<Finding> {
    let mut out: Vec<Finding> = set
        .skipped
        .iter()
        .map(|s| Finding {
            file: s.file.clone(),
            filter: Some(s.name.clone()),
            class: Some(s.class.clone()),
            severity: Severity::Info,
            code: "unknown-class",
            message: format!(
                "unknown filter class {:?}: the reference skips this definition",
                s.class
            ),
            witness: None,
        })
        .collect();
    for (i, f) in set.filters.iter().enumerate() {
        if f.name == "privsep-helper" && f.exec_path == "privsep-helper" && f.source.is_empty() {
            continue; // the built-in one
        }
        out.extend(lint_filter(&set.filters, i, exec_dirs, env));
    }
    out
}

/// What the real run (as root) refuses among the configuration, the
/// `filters_path` directories and their files: every one is checked with
/// [`crate::trust`]'s verifying reads, whoever runs lint.
pub fn check_files(config: &Path, filters_path: &[Vec<u8>]) -> Vec<Finding> {
    let root = crate::sys::ids::is_effective_root();
    let judge = |file: &str, e: TrustError| -> Finding {
        if !root && matches!(e.reason, Untrusted::Io(Errno::EACCES | Errno::EPERM)) {
            Finding::file(
                file,
                Severity::Info,
                "cannot-check",
                format!("cannot check ({e}): run lint as root"),
            )
        } else {
            Finding::file(
                file,
                Severity::Untrusted,
                "untrusted",
                format!("the real run refuses every command (exit 97): {e}"),
            )
        }
    };
    let mut out = Vec::new();
    let shown = config.display().to_string();
    if let Err(e) = trust::read_config(config, Trust::Verify) {
        out.push(judge(&shown, e));
    }
    for dir in filters_path {
        let dir_shown = pystr::display(dir);
        match trust::open_filters_dir(dir, Trust::Verify) {
            Err(e) => out.push(judge(&dir_shown, e)),
            Ok(None) => out.push(Finding::file(
                &shown,
                Severity::Info,
                "not-a-directory",
                format!(
                    "filters_path entry {dir_shown:?} is not a directory: the reference skips it"
                ),
            )),
            Ok(Some(mut d)) => match d.names() {
                Err(e) => out.push(judge(&dir_shown, e)),
                Ok(names) => {
                    for name in names {
                        if let Err(e) = d.read(&name) {
                            out.push(judge(&pystr::display(&ospath::join(dir, &name)), e));
                        }
                    }
                }
            },
        }
    }
    out
}

/// All findings for one configuration.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// File-level findings first, then filters in load order.
    pub findings: Vec<Finding>,
}

/// Lints the configuration at `path`: its files as the real run verifies
/// them, then its filters (read as the reference reads them, whatever
/// their ownership). `path_env` is the `PATH` rootwrap would see.
pub fn lint_config(path: &Path, path_env: Option<&[u8]>) -> Result<Report, ConfigError> {
    let bytes = match trust::read_config(path, Trust::Assume) {
        Ok(ConfigFile::Read(b)) => b,
        _ => Vec::new(),
    };
    let config = RootwrapConfig::parse(&bytes, &path.display().to_string(), path_env)?;
    let mut findings = check_files(path, &config.filters_path);
    let env = MatchEnv {
        path: path_env.map(<[u8]>::to_vec),
    };
    match wrapper::load_filters(&config.filters_path, Trust::Assume) {
        Err(wrapper::LoadError::Malformed { file, message }) => findings.push(Finding::file(
            &file,
            Severity::NeverMatches,
            "malformed",
            format!("{message}: the reference crashes on this file, so every command is refused"),
        )),
        Err(wrapper::LoadError::Untrusted(e)) => findings.push(Finding::file(
            &e.path.clone(),
            Severity::Untrusted,
            "untrusted",
            e.to_string(),
        )),
        Ok(set) => findings.extend(lint_filters(&set, &config.exec_dirs, &env)),
    }
    Ok(Report { findings })
}

/// An argument as a shell would need it typed.
fn shell_quote(arg: &[u8]) -> String {
    let text = pystr::display(arg);
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// A command line as a shell would need it typed.
pub fn shell_line(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Finding {
    /// The finding as one line of text: `FILE: FILTER (CLASS): SEVERITY:
    /// MESSAGE; witness: ARGV`.
    pub fn line(&self) -> String {
        let mut out = format!("{}: ", self.file);
        if let Some(name) = &self.filter {
            out.push_str(name);
            if let Some(class) = &self.class {
                out.push_str(&format!(" ({class})"));
            }
            out.push_str(": ");
        }
        out.push_str(self.severity.as_str());
        out.push_str(": ");
        out.push_str(&self.message);
        if let Some(w) = &self.witness {
            out.push_str("; witness: ");
            out.push_str(&shell_line(w));
        }
        out
    }
}

impl Report {
    /// 1 when any finding is `root`, `untrusted` or `never-matches`, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.findings.iter().any(|f| f.severity.fails()))
    }

    /// One line per finding. Unless `verbose`, the missing executables of
    /// each file are summed up in one line.
    pub fn text(&self, verbose: bool) -> String {
        let mut out = String::new();
        let mut missing: Vec<(String, Vec<String>)> = Vec::new();
        for f in &self.findings {
            if !verbose && f.code == "missing-executable" {
                let name = f.filter.clone().unwrap_or_default();
                match missing.iter_mut().find(|(file, _)| *file == f.file) {
                    Some((_, names)) => names.push(name),
                    None => missing.push((f.file.clone(), vec![name])),
                }
                continue;
            }
            out.push_str(&f.line());
            out.push('\n');
        }
        for (file, names) in missing {
            out.push_str(&format!(
                "{file}: info: {} filter(s) name executables not found in exec_dirs and allow nothing on this host: {} (--verbose lists them)\n",
                names.len(),
                names.join(", ")
            ));
        }
        out
    }

    /// The findings as one JSON document: `{"findings": [{"file",
    /// "filter", "class", "severity", "code", "message", "witness"}...],
    /// "counts": {SEVERITY: N}, "exit_status": N}` (`filter`, `class` and
    /// `witness` are `null` where they do not apply).
    pub fn json(&self) -> String {
        let findings: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "file": f.file,
                    "filter": f.filter,
                    "class": f.class,
                    "severity": f.severity.as_str(),
                    "code": f.code,
                    "message": f.message,
                    "witness": f.witness.as_ref().map(|w| w.iter().map(|a| pystr::display(a)).collect::<Vec<_>>()),
                })
            })
            .collect();
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        let doc = serde_json::json!({
            "findings": findings,
            "counts": {
                "root": count(Severity::Root),
                "never-matches": count(Severity::NeverMatches),
                "untrusted": count(Severity::Untrusted),
                "info": count(Severity::Info),
            },
            "exit_status": self.exit_code(),
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Outcome, decide_installed};
    use crate::wrapper::parse_filter_file;

    fn set(text: &str) -> FilterSet {
        let mut set = FilterSet::default();
        if let Err(e) = parse_filter_file(text.as_bytes(), "t.filters", &mut set) {
            panic!("{e}");
        }
        set
    }

    fn findings(text: &str) -> Vec<Finding> {
        lint_filters(
            &set(text),
            &[b"/bin".to_vec(), b"/usr/bin".to_vec()],
            &MatchEnv::default(),
        )
    }

    /// The root findings' (filter, witness), each witness re-checked with
    /// the real decision over the whole set.
    fn root(text: &str) -> Vec<(String, String)> {
        let s = set(text);
        let all: Vec<usize> = (0..s.filters.len()).collect();
        findings(text)
            .into_iter()
            .filter(|f| f.severity == Severity::Root)
            .map(|f| {
                let w = f.witness.clone().unwrap_or_default();
                let mut argv = w.clone();
                match decide_installed(&s.filters, &all, &mut argv, &[], &MatchEnv::default()) {
                    Outcome::Allowed(a) if a.run_as == "root" => {}
                    other => panic!("{}: witness {w:?} not allowed: {other:?}", f.line()),
                }
                (f.filter.unwrap_or_default(), shell_line(&w))
            })
            .collect()
    }

    #[test]
    fn ip_command_filter_gives_root_through_netns_exec() {
        assert_eq!(
            root("[Filters]\nip: CommandFilter, ip, root\n"),
            vec![("ip".into(), "ip netns exec x /tmp/x/payload".into())]
        );
        // IpFilter refuses `netns exec`, but not a batch file holding it.
        assert_eq!(
            root("[Filters]\nip: IpFilter, ip, root\n"),
            vec![("ip".into(), "ip -batch /tmp/x/payload".into())]
        );
        assert!(root("[Filters]\nip: CommandFilter, ip, nobody\n").is_empty());
    }

    #[test]
    fn regex_filters_are_decided_by_their_patterns() {
        assert_eq!(
            root(
                "[Filters]\nq: RegExpFilter, qemu-img, root, qemu-img, convert, -O, raw, .*, .*\n"
            ),
            vec![(
                "q".into(),
                "qemu-img convert -O raw /tmp/x/payload /etc/passwd".into()
            )]
        );
        assert_eq!(
            root("[Filters]\nc: RegExpFilter, chown, root, chown, \\d+, /dev/(?!.*/\\.\\.).*\n"),
            vec![("c".into(), "chown 1000 /dev/sda".into())]
        );
        // Through a link the caller plants, for commands that follow it.
        assert_eq!(
            root("[Filters]\ncp: RegExpFilter, cp, root, cp, -a, .*, .*/strongswan.d\n"),
            vec![(
                "cp".into(),
                "cp -a /tmp/x/payload /tmp/x/strongswan.d".into()
            )]
        );
        assert_eq!(
            root("[Filters]\ns: RegExpFilter, sh, root, sh, -c, rm -f /.*/\\*\\.conf$\n"),
            vec![("s".into(), "sh -c 'rm -f /x;id;/*.conf'".into())]
        );
        for safe in [
            "b: RegExpFilter, blockdev, root, blockdev, (--getsize64|--flushbufs), /dev/.*",
            "q: RegExpFilter, qemu-img, root, qemu-img, info, .*",
            "c: RegExpFilter, chown, root, chown, root.root, .*",
            "s: RegExpFilter, sh, root, sh, -c, echo \"[a-z;]*\"",
            "f: RegExpFilter, find, root, find, /sys/class/net, -maxdepth, 1, -type, l, -printf, %.*",
        ] {
            assert!(root(&format!("[Filters]\n{safe}\n")).is_empty(), "{safe}");
        }
    }

    #[test]
    fn chaining_filters_run_the_callers_program() {
        assert_eq!(
            root("[Filters]\nx: IpNetnsExecFilter, ip, root\nls: CommandFilter, ls, root\n"),
            vec![("x".into(), "ip netns exec x /tmp/x/ls".into())]
        );
        assert_eq!(
            root(
                "[Filters]\nn: ChainingRegExpFilter, nice, root, nice, -n, -?\\d+\nls: CommandFilter, ls, root\n"
            ),
            vec![("n".into(), "nice -n 0 /tmp/x/ls".into())]
        );
        let f =
            findings("[Filters]\nx: IpNetnsExecFilter, ip, root\nls: CommandFilter, ls, nobody\n");
        assert!(
            f.iter()
                .any(|f| f.severity == Severity::NeverMatches && f.filter.as_deref() == Some("x"))
        );
    }

    #[test]
    fn env_filters_that_let_the_caller_inject_code() {
        let r = root(
            "[Filters]\nl: EnvFilter, env, root, LANG=, LD_LIBRARY_PATH=, /usr/stonavm/auman\n",
        );
        assert_eq!(
            r,
            vec![("l".into(), "env LANG=x LD_LIBRARY_PATH=/tmp/x auman".into())]
        );
        // Values are the caller's whatever the definition says; the catalogue applies.
        assert_eq!(
            root("[Filters]\nq: EnvFilter, env, root, LC_ALL=C, qemu-img\n"),
            vec![(
                "q".into(),
                "env LC_ALL=x qemu-img convert /tmp/x/payload /etc/passwd".into()
            )]
        );
        assert!(root("[Filters]\np: EnvFilter, env, root, LC_ALL=C, pvs\n").is_empty());
    }

    #[test]
    fn info_never_matches_and_names() {
        let f = findings(
            "[Filters]\nk: CommandFilter, kill, root\nm: CommandFilter, mkfs.ext4, root\n\
             chain: ChainingFilter, nice, root\noctet: RegExpFilter, ping, root, ping, -c, [0-9]{1,3}\n\
             x: Bogus, ls, root\np: PathFilter, privsep-helper, root, --config-file, /etc/(?!\\.\\.).*\n",
        );
        let got: Vec<(String, &str, &str)> = f
            .iter()
            .filter(|f| f.code != "missing-executable")
            .map(|f| {
                (
                    f.filter.clone().unwrap_or_default(),
                    f.severity.as_str(),
                    f.code,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("x".into(), "info", "unknown-class"),
                ("k".into(), "info", "catalogue"),
                ("m".into(), "info", "catalogue"),
                ("chain".into(), "never-matches", "never-matches"),
                ("octet".into(), "info", "split-quantifier"),
                ("p".into(), "info", "path-regex"),
            ]
        );
        let unknown = f
            .iter()
            .find(|f| f.code == "unknown-class")
            .map(Finding::line);
        assert_eq!(
            unknown.as_deref(),
            Some(
                "t.filters: x (Bogus): info: unknown filter class \"Bogus\": the reference skips this definition"
            )
        );
    }

    #[test]
    fn report_text_json_and_exit_status() -> Result<(), serde_json::Error> {
        let report = Report {
            findings: findings(
                "[Filters]\nsh: CommandFilter, /bin/sh, root\nm1: CommandFilter, /nonexistent/a, root\nm2: CommandFilter, /nonexistent/b, root\n",
            ),
        };
        assert_eq!(report.exit_code(), 1);
        let text = report.text(false);
        assert!(text.contains("t.filters: sh (CommandFilter): root: a shell run as root runs the caller's commands; witness: sh -c id\n"), "{text}");
        assert!(text.contains("t.filters: info: 2 filter(s) name executables not found in exec_dirs and allow nothing on this host: m1, m2"), "{text}");
        assert_eq!(report.text(true).lines().count(), 3);
        let doc: serde_json::Value = serde_json::from_str(&report.json())?;
        assert_eq!(doc["exit_status"], 1);
        assert_eq!(doc["counts"]["root"], 1);
        assert_eq!(
            doc["findings"][0]["witness"],
            serde_json::json!(["sh", "-c", "id"])
        );
        assert_eq!(doc["findings"][0]["class"], "CommandFilter");
        assert_eq!(doc["findings"][1]["witness"], serde_json::Value::Null);
        let info = Report {
            findings: findings("[Filters]\nk: CommandFilter, kill, root\n"),
        };
        assert_eq!(info.exit_code(), 0);
        Ok(())
    }

    #[test]
    fn files_the_real_run_refuses_are_untrusted() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        if !crate::sys::ids::is_effective_root() {
            eprintln!("SKIPPED: lint trust test needs root (file ownership)");
            return Ok(());
        }
        let dir = tempfile::tempdir()?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let d = dir.path().join("rootwrap.d");
        std::fs::create_dir(&d)?;
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))?;
        let compute = d.join("compute.filters");
        std::fs::write(&compute, "[Filters]\nls: CommandFilter, ls, root\n")?;
        std::fs::set_permissions(&compute, std::fs::Permissions::from_mode(0o644))?;
        let conf = dir.path().join("rootwrap.conf");
        std::fs::write(
            &conf,
            format!("[DEFAULT]\nfilters_path={}\nexec_dirs=/bin\n", d.display()),
        )?;
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o644))?;
        let clean = lint_config(&conf, None)?;
        assert!(
            clean
                .findings
                .iter()
                .all(|f| f.severity != Severity::Untrusted),
            "{clean:?}"
        );
        // A service-owned filter file: the real run refuses it, so must lint.
        std::os::unix::fs::chown(&compute, Some(65534), None)?;
        let report = lint_config(&conf, None)?;
        let untrusted: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Untrusted)
            .collect();
        assert_eq!(untrusted.len(), 1, "{report:?}");
        assert!(
            untrusted
                .iter()
                .all(|f| f.file.ends_with("compute.filters") && f.message.contains("uid 65534"))
        );
        assert_eq!(report.exit_code(), 1);
        // The same refusal as the real run's loader.
        assert!(matches!(
            wrapper::load_filters(&[d.as_os_str().as_encoded_bytes().to_vec()], Trust::Verify),
            Err(wrapper::LoadError::Untrusted(_))
        ));
        // A group-writable configuration too.
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o664))?;
        let report = lint_config(&conf, None)?;
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Untrusted && f.file == conf.display().to_string())
        );
        Ok(())
    }
}
