//! `oslo-rootwrap lint`: filters that hand out root, and filters that can
//! never allow anything.

use crate::filters::{Filter, Kind};
use crate::pyos;
use crate::pyre::PyRegex;
use crate::wrapper::FilterSet;

/// Executables that give a root shell, run arbitrary code, or write/own
/// arbitrary files when their arguments are free.
const ROOT_GRANTING: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "mksh",
    "csh",
    "tcsh",
    "fish",
    "busybox",
    "python",
    "python2",
    "python3",
    "perl",
    "ruby",
    "php",
    "lua",
    "node",
    "tclsh",
    "wish",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "env",
    "sudo",
    "su",
    "cp",
    "mv",
    "install",
    "ln",
    "chown",
    "chmod",
    "chgrp",
    "dd",
    "tee",
    "mount",
    "umount",
    "find",
    "xargs",
    "rsync",
    "tar",
    "sed",
    "vi",
    "vim",
    "nsenter",
    "chroot",
    "systemd-run",
];

/// Shells, for which an argument pattern with a wildcard is an injection.
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox",
];

/// Strings a pattern that "accepts anything" must accept.
const ANYTHING: &[&str] = &[
    "",
    "x",
    "/etc/shadow",
    "--output=/etc/sudoers",
    "a b;c$(id)`id`|d&e",
];

/// Strings a shell-command pattern should never accept.
const SHELL_INJECTION: &[&str] = &[
    "echo 'x'; id; echo 'y' > /x",
    "rm -f /x/;id;/*.conf",
    "x;id",
    "x$(id)",
    "x`id`",
];

/// Environment variable names that let the caller inject code.
fn dangerous_env(name: &str) -> bool {
    name.starts_with("LD_")
        || name.starts_with("PYTHON")
        || name.starts_with("PERL5")
        || name.starts_with("RUBY")
        || [
            "BASH_ENV",
            "ENV",
            "NODE_OPTIONS",
            "GCONV_PATH",
            "PATH",
            "IFS",
        ]
        .contains(&name)
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The filter file (`-` for loader warnings).
    pub source: String,
    /// Filter name (or file name for file-level findings).
    pub filter: String,
    /// What is wrong.
    pub message: String,
}

fn accepts_all(pattern: &str, probes: &[&str]) -> bool {
    PyRegex::new(pattern).is_ok_and(|re| probes.iter().all(|p| re.full_match(p)))
}

fn accepts_any(pattern: &str, probes: &[&str]) -> bool {
    PyRegex::new(pattern).is_ok_and(|re| probes.iter().any(|p| re.full_match(p)))
}

fn exec_name(f: &Filter) -> String {
    String::from_utf8_lossy(pyos::basename(f.exec_path.as_bytes())).into_owned()
}

fn base_command(name: &str) -> &str {
    // python3.11 -> python3, perl5.36 -> perl5 -> perl
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    if trimmed.is_empty() { name } else { trimmed }
}

fn is_root_granting(exec: &str) -> bool {
    ROOT_GRANTING.contains(&exec) || ROOT_GRANTING.contains(&base_command(exec))
}

/// Lints one filter; `exec_dirs` is used to report missing executables.
pub fn lint_filter(f: &Filter, exec_dirs: &[Vec<u8>]) -> Vec<String> {
    let mut out = Vec::new();
    let exec = exec_name(f);
    let as_root = f.run_as == "root";
    match f.kind {
        Kind::Command | Kind::Env if is_root_granting(&exec) && as_root => out.push(format!(
            "{} for {} allows any arguments as root: this grants a root shell or arbitrary file writes",
            f.kind.class_name(),
            f.exec_path
        )),
        Kind::RegExp | Kind::ChainingRegExp if is_root_granting(&exec) && as_root => {
            for (i, pattern) in f.args.iter().enumerate().skip(1) {
                if accepts_all(pattern, ANYTHING) {
                    out.push(format!(
                        "{} for {}: argument {i} pattern {pattern:?} accepts anything, which grants root",
                        f.kind.class_name(),
                        f.exec_path
                    ));
                } else if SHELLS.contains(&exec.as_str()) && accepts_any(pattern, SHELL_INJECTION) {
                    out.push(format!(
                        "{} for shell {}: argument {i} pattern {pattern:?} accepts injected shell commands",
                        f.kind.class_name(),
                        f.exec_path
                    ));
                }
            }
        }
        Kind::Path if is_root_granting(&exec) && as_root && f.args.iter().any(|a| a == "pass") => out.push(format!(
            "PathFilter for {} passes an argument unchecked as root",
            f.exec_path
        )),
        _ => {}
    }
    if matches!(f.kind, Kind::RegExp | Kind::ChainingRegExp) {
        for (i, pair) in f.args.windows(2).enumerate() {
            if let [a, b] = pair {
                if split_quantifier(a, b) {
                    out.push(format!(
                        "patterns {a:?} and {b:?} (arguments {i} and {}) look like one regex `{{m,n}}` split by the comma that separates filter arguments",
                        i + 1
                    ));
                }
            }
        }
    }
    if f.kind == Kind::Env {
        for arg in f.args.iter().take_while(|a| a.contains('=')) {
            let name = arg.split('=').next().unwrap_or_default();
            if dangerous_env(name) {
                out.push(format!(
                    "EnvFilter lets the caller set {name}, which can inject code into {}",
                    f.exec_path
                ));
            }
        }
    }
    out.extend(never_matches(f));
    if out.is_empty() && !f.kind.is_chaining() && matches!(f.get_exec(exec_dirs), Ok(None)) {
        out.push(format!(
            "executable {} not found in exec_dirs: the filter cannot allow anything here",
            f.exec_path
        ));
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
fn never_matches(f: &Filter) -> Option<String> {
    let reason = match f.kind {
        Kind::Chaining => "a bare ChainingFilter never allows anything".to_owned(),
        Kind::RegExp | Kind::ChainingRegExp if f.kind == Kind::RegExp && f.args.is_empty() => {
            "RegExpFilter without argument patterns never matches".to_owned()
        }
        Kind::RegExp | Kind::ChainingRegExp => {
            let bad = (0..f.args.len()).find(|&i| f.regex_compiles(i) == Some(false))?;
            format!(
                "pattern {:?} is not a valid Python regular expression (or uses a construct rootwrap refuses): it never matches",
                f.args.get(bad).map(String::as_str).unwrap_or_default()
            )
        }
        Kind::Path if f.args.is_empty() => "PathFilter without arguments never matches".to_owned(),
        Kind::Path => {
            let linked = f.args.iter().find(|a| {
                pyos::isabs(a.as_bytes())
                    && pyos::realpath(a.as_bytes()).is_ok_and(|r| r != a.as_bytes())
            })?;
            format!(
                "PathFilter directory {linked} is not a canonical path (symlink or trailing slash): resolved arguments never start with it"
            )
        }
        Kind::IpNetnsExec if f.run_as != "root" => {
            "IpNetnsExecFilter only matches when run_as is root".to_owned()
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

/// Lints every filter of a loaded set, plus its loading warnings.
pub fn lint(set: &FilterSet, exec_dirs: &[Vec<u8>]) -> Vec<Finding> {
    let mut out: Vec<Finding> = set
        .warnings
        .iter()
        .map(|w| Finding {
            source: "-".to_owned(),
            filter: "-".to_owned(),
            message: w.clone(),
        })
        .collect();
    for f in &set.filters {
        if f.name == "privsep-helper" && f.exec_path == "privsep-helper" {
            continue; // the built-in one
        }
        out.extend(
            lint_filter(f, exec_dirs)
                .into_iter()
                .map(|message| Finding {
                    source: f.source.clone(),
                    filter: f.name.clone(),
                    message,
                }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrapper::parse_filter_file;

    fn findings(text: &str) -> Vec<Finding> {
        let mut set = FilterSet::default();
        if let Err(e) = parse_filter_file(text.as_bytes(), "t", &mut set) {
            panic!("{e}");
        }
        lint(&set, &[b"/bin".to_vec(), b"/usr/bin".to_vec()])
    }

    #[test]
    fn flags_root_shells_and_env() {
        let f = findings(
            "[Filters]\nsh: CommandFilter, /bin/sh, root\nsafe: CommandFilter, /bin/sh, nobody\n\
             cp: RegExpFilter, cp, root, cp, .*, /etc/x\nshcat: RegExpFilter, sh, root, sh, -c, echo '((.|\\n)*)' > /.*\n\
             ld: EnvFilter, env, root, LD_PRELOAD=, ls\nnever: ChainingFilter, ls, root\nok: CommandFilter, ls, root\n\
             octet: RegExpFilter, ls, root, ls, [0-9]{1,3}\n",
        );
        let names: Vec<&str> = f.iter().map(|x| x.filter.as_str()).collect();
        assert_eq!(
            names,
            vec!["sh", "cp", "shcat", "ld", "never", "octet"],
            "{f:#?}"
        );
    }
}
