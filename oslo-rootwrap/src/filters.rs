//! The filter classes of `oslo_rootwrap/filters.py`, decision for decision.
//!
//! User arguments are raw bytes (see [`pycompat::str`](mod@pycompat::str)); filter definitions
//! are text from the filter files. `matches` may mutate the argument list
//! exactly where the reference does (EnvFilter drops a leading `env`), and
//! returns [`PyCrash`] where the reference raises an uncaught exception.

use std::sync::OnceLock;

use crate::pyos::{self, PyCrash};
use pycompat::ospath;
use pycompat::re::PyRegex;
use pycompat::str as pystr;

/// The aliases of `ip netns` that IpFilter/IpNetnsExecFilter recognise.
pub const NETNS_VARS: &[&[u8]] = &[b"net", b"netn", b"netns"];
/// The aliases of `ip netns exec`.
pub const EXEC_VARS: &[&[u8]] = &[b"e", b"ex", b"exe", b"exec"];

/// A filter class, named as in filter files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `CommandFilter`: `argv[0]` is the executable or its basename.
    Command,
    /// `RegExpFilter`: every argument matches its regex.
    RegExp,
    /// `PathFilter`: path arguments are under given directories.
    Path,
    /// `KillFilter`: `kill [-SIG] PID` of a given executable.
    Kill,
    /// `ReadFileFilter`: `cat FILE` of one file.
    ReadFile,
    /// `IpFilter`: `ip` except `ip netns exec`.
    Ip,
    /// `EnvFilter`: `env NAME=VALUE... cmd`.
    Env,
    /// `ChainingFilter`: base class, never allows anything by itself.
    Chaining,
    /// `IpNetnsExecFilter`: `ip netns exec NS cmd...`, cmd re-checked.
    IpNetnsExec,
    /// `ChainingRegExpFilter`: regex prefix, rest re-checked.
    ChainingRegExp,
}

impl Kind {
    /// Looks a class name up (case-sensitive, like `build_filter`).
    pub fn from_class(name: &str) -> Option<Kind> {
        Some(match name {
            "CommandFilter" => Kind::Command,
            "RegExpFilter" => Kind::RegExp,
            "PathFilter" => Kind::Path,
            "KillFilter" => Kind::Kill,
            "ReadFileFilter" => Kind::ReadFile,
            "IpFilter" => Kind::Ip,
            "EnvFilter" => Kind::Env,
            "ChainingFilter" => Kind::Chaining,
            "IpNetnsExecFilter" => Kind::IpNetnsExec,
            "ChainingRegExpFilter" => Kind::ChainingRegExp,
            _ => return None,
        })
    }

    /// The class name as written in filter files.
    pub fn class_name(self) -> &'static str {
        match self {
            Kind::Command => "CommandFilter",
            Kind::RegExp => "RegExpFilter",
            Kind::Path => "PathFilter",
            Kind::Kill => "KillFilter",
            Kind::ReadFile => "ReadFileFilter",
            Kind::Ip => "IpFilter",
            Kind::Env => "EnvFilter",
            Kind::Chaining => "ChainingFilter",
            Kind::IpNetnsExec => "IpNetnsExecFilter",
            Kind::ChainingRegExp => "ChainingRegExpFilter",
        }
    }

    /// `isinstance(f, ChainingFilter)`.
    pub fn is_chaining(self) -> bool {
        matches!(
            self,
            Kind::Chaining | Kind::IpNetnsExec | Kind::ChainingRegExp
        )
    }
}

/// Why a definition could not be turned into a filter: the reference raises
/// `TypeError` from the constructor (a crash for every command).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TypeError: {class} takes at least {needed} argument(s) ({given} given)")]
pub struct ArityError {
    /// Class name.
    pub class: &'static str,
    /// Minimum number of arguments.
    pub needed: usize,
    /// Number given.
    pub given: usize,
}

/// A pattern made only of characters that Python's `re` reads as
/// themselves (outside verbose mode), so it matches exactly its own text.
fn is_plain_literal(pattern: &str) -> bool {
    !pattern.is_empty()
        && pattern.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'/' | b'-' | b'=' | b':' | b'@' | b'%' | b' ')
        })
}

/// What a process-wide lookup needs from the environment rootwrap runs in.
#[derive(Debug, Clone, Default)]
pub struct MatchEnv {
    /// `os.environ.get("PATH")` as rootwrap sees it (sanitised when setuid).
    pub path: Option<Vec<u8>>,
}

/// One filter definition.
#[derive(Debug)]
pub struct Filter {
    /// The name (configparser key, lower-cased).
    pub name: String,
    /// The filter file it came from (empty for the built-in filter),
    /// shared by the filters of one file.
    pub source: std::sync::Arc<str>,
    /// The class.
    pub kind: Kind,
    /// The executable the filter runs (after EnvFilter's adjustment).
    pub exec_path: String,
    /// The user to run as.
    pub run_as: String,
    /// The remaining definition arguments (`self.args`).
    pub args: Vec<String>,
    /// ReadFileFilter's file.
    file_path: String,
    /// EnvFilter's variable names (`_extract_env(self.args)`), which the
    /// reference computes on every match: computed once here.
    env_names: Vec<Vec<u8>>,
    /// Lazily compiled regexes (`None` = Python raised `re.error`, or a
    /// construct we cannot reproduce: the filter cannot match).
    regexes: Vec<OnceLock<Option<PyRegex>>>,
    /// Positive `get_exec` result, cached like the reference's `real_exec`.
    real_exec: OnceLock<Vec<u8>>,
}

fn leading_env_names<'a, T: AsRef<[u8]> + 'a>(
    args: impl IntoIterator<Item = &'a T>,
) -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    for arg in args {
        let arg = arg.as_ref();
        let Some(eq) = arg.iter().position(|&c| c == b'=') else {
            break;
        };
        let name = arg.get(..eq).unwrap_or_default().to_vec();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn same_set(a: &[Vec<u8>], b: &[Vec<u8>]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

impl Filter {
    /// `build_filter(class, *args)`: `Ok(None)` for an unknown class (the
    /// reference logs a warning and skips it).
    pub fn build(name: &str, class: &str, args: &[String]) -> Result<Option<Filter>, ArityError> {
        Filter::from_definition(
            name.to_owned(),
            class,
            args.to_vec(),
            std::sync::Arc::from(""),
        )
    }

    /// [`Filter::build`] taking the name and arguments it keeps, for a
    /// filter read from the file `source`.
    pub fn from_definition(
        name: String,
        class: &str,
        mut args: Vec<String>,
        source: std::sync::Arc<str>,
    ) -> Result<Option<Filter>, ArityError> {
        let Some(kind) = Kind::from_class(class) else {
            return Ok(None);
        };
        let needed = match kind {
            Kind::Kill | Kind::ReadFile => 1,
            _ => 2,
        };
        if args.len() < needed {
            return Err(ArityError {
                class: kind.class_name(),
                needed,
                given: args.len(),
            });
        }
        // `args` has at least `needed` items: the leading ones are taken,
        // the rest are the filter's own arguments.
        let mut leading = args.drain(..needed.min(args.len()));
        let mut next = || leading.next().unwrap_or_default();
        let (mut exec_path, run_as, file_path) = match kind {
            Kind::Kill => ("/bin/kill".to_owned(), next(), String::new()),
            Kind::ReadFile => ("/bin/cat".to_owned(), "root".to_owned(), next()),
            _ => {
                let exec = next();
                (exec, next(), String::new())
            }
        };
        drop(leading);
        let fargs = args;
        let env_names = if kind == Kind::Env {
            leading_env_names(&fargs)
        } else {
            Vec::new()
        };
        if kind == Kind::Env {
            let env_count = env_names.len();
            if exec_path.contains("env") && env_count < fargs.len() {
                exec_path = fargs.get(env_count).cloned().unwrap_or_default();
            }
        }
        let regexes = if matches!(kind, Kind::RegExp | Kind::ChainingRegExp) {
            fargs.iter().map(|_| OnceLock::new()).collect()
        } else {
            Vec::new()
        };
        Ok(Some(Filter {
            name,
            source,
            kind,
            exec_path,
            run_as,
            args: fargs,
            file_path,
            env_names,
            regexes,
            real_exec: OnceLock::new(),
        }))
    }

    /// Whether regex `i` of this filter accepts `arg` (Python
    /// `re.match(pattern + '$', arg)`; compile errors never match).
    fn regex_accepts(&self, i: usize, arg: &[u8]) -> bool {
        let (Some(cell), Some(pattern)) = (self.regexes.get(i), self.args.get(i)) else {
            return false;
        };
        if is_plain_literal(pattern) {
            // `re.match(literal + '$', arg)`: the literal, optionally
            // followed by one newline. Saves compiling most argv[0] patterns.
            let p = pattern.as_bytes();
            return arg == p
                || (arg.len() == p.len() + 1 && arg.starts_with(p) && arg.ends_with(b"\n"));
        }
        let Some(regex) = cell.get_or_init(|| PyRegex::new(pattern).ok()) else {
            return false;
        };
        match pystr::match_text(arg) {
            Some(text) => regex.full_match(&text),
            None => false,
        }
    }

    /// Whether this filter's regex `i` accepts `arg`, exactly as
    /// [`Filter::matches`] asks it (for lint's witnesses).
    pub fn pattern_accepts(&self, i: usize, arg: &[u8]) -> bool {
        self.regex_accepts(i, arg)
    }

    /// Whether this filter's regex `i` compiles (for lint).
    pub fn regex_compiles(&self, i: usize) -> Option<bool> {
        let cell = self.regexes.get(i)?;
        let pattern = self.args.get(i)?;
        Some(cell.get_or_init(|| PyRegex::new(pattern).ok()).is_some())
    }

    /// `CommandFilter.match`.
    fn command_matches(&self, userargs: &[Vec<u8>]) -> bool {
        match userargs.first() {
            Some(first) => {
                let exec = self.exec_path.as_bytes();
                first == exec || first == ospath::basename(exec)
            }
            None => false,
        }
    }

    /// `self.match(userargs)` of the filter's class.
    pub fn matches(&self, userargs: &mut Vec<Vec<u8>>, env: &MatchEnv) -> Result<bool, PyCrash> {
        if userargs.is_empty() {
            return Ok(false);
        }
        Ok(match self.kind {
            Kind::Command | Kind::Chaining => self.command_matches(userargs),
            Kind::RegExp => {
                self.args.len() == userargs.len()
                    && userargs
                        .iter()
                        .enumerate()
                        .all(|(i, a)| self.regex_accepts(i, a))
            }
            Kind::ChainingRegExp => {
                self.args.len() <= userargs.len()
                    && userargs
                        .iter()
                        .take(self.args.len())
                        .enumerate()
                        .all(|(i, a)| self.regex_accepts(i, a))
            }
            Kind::Path => self.path_matches(userargs)?,
            Kind::Kill => self.kill_matches(userargs, env)?,
            Kind::ReadFile => {
                userargs.len() == 2
                    && userargs.first().is_some_and(|a| a == b"cat")
                    && userargs
                        .get(1)
                        .is_some_and(|a| a == self.file_path.as_bytes())
            }
            Kind::Ip => {
                if userargs.first().is_some_and(|a| a == b"ip") {
                    let tail = userargs.get(1..).unwrap_or_default();
                    tail.windows(2)
                        .find(|w| {
                            w.first()
                                .is_some_and(|a| NETNS_VARS.contains(&a.as_slice()))
                        })
                        .is_none_or(|w| {
                            !w.get(1).is_some_and(|b| EXEC_VARS.contains(&b.as_slice()))
                        })
                } else {
                    false
                }
            }
            Kind::IpNetnsExec => {
                self.run_as == "root"
                    && userargs.len() >= 4
                    && userargs.first().is_some_and(|a| a == b"ip")
                    && userargs
                        .get(1)
                        .is_some_and(|a| NETNS_VARS.contains(&a.as_slice()))
                    && userargs
                        .get(2)
                        .is_some_and(|a| EXEC_VARS.contains(&a.as_slice()))
            }
            Kind::Env => {
                if userargs.first().is_some_and(|a| a == b"env") {
                    userargs.remove(0);
                }
                if userargs.len() < self.args.len() {
                    return Ok(false);
                }
                let user_envs = leading_env_names(userargs.iter());
                let command = userargs
                    .get(user_envs.len()..=user_envs.len())
                    .unwrap_or_default();
                self.command_matches(command)
                    && !self.env_names.is_empty()
                    && same_set(&user_envs, &self.env_names)
            }
        })
    }

    fn path_matches(&self, userargs: &[Vec<u8>]) -> Result<bool, PyCrash> {
        if userargs.len() < 2 {
            return Ok(false);
        }
        let arguments = userargs.get(1..).unwrap_or_default();
        let equal_args_num = self.args.len() == arguments.len();
        let exec_is_valid = self.command_matches(userargs);
        let args_equal_or_pass = self
            .args
            .iter()
            .zip(arguments)
            .filter(|(arg, _)| !ospath::isabs(arg.as_bytes()))
            .all(|(arg, value)| arg == "pass" || arg.as_bytes() == value.as_slice());
        let mut within = true;
        for (arg, value) in self.args.iter().zip(arguments) {
            if !ospath::isabs(arg.as_bytes()) {
                continue;
            }
            let real = pyos::realpath(value)?;
            if !real.starts_with(arg.as_bytes()) {
                within = false;
                break;
            }
        }
        Ok(equal_args_num && exec_is_valid && args_equal_or_pass && within)
    }

    fn kill_matches(&self, userargs: &[Vec<u8>], env: &MatchEnv) -> Result<bool, PyCrash> {
        if userargs.first().is_none_or(|a| a != b"kill") {
            return Ok(false);
        }
        let pid_arg = match userargs.len() {
            3 => {
                let signal = userargs.get(1).map(Vec::as_slice).unwrap_or_default();
                let allowed = self.args.get(1..).unwrap_or_default();
                if !allowed.iter().any(|s| s.as_bytes() == signal) {
                    return Ok(false);
                }
                userargs.get(2)
            }
            2 => {
                if self.args.len() > 1 {
                    return Ok(false);
                }
                userargs.get(1)
            }
            _ => return Ok(false),
        };
        let Some(pid) = pid_arg
            .and_then(|a| std::str::from_utf8(a).ok())
            .and_then(|s| pystr::py_int(s).ok())
        else {
            return Ok(false);
        };
        let Some(command) = kill_program(&pid, env)? else {
            return Ok(false);
        };
        if command.is_empty() {
            return Ok(false);
        }
        let target = self
            .args
            .first()
            .ok_or_else(|| PyCrash::new("IndexError", "tuple index out of range"))?
            .as_bytes();
        if ospath::isabs(target) {
            return Ok(target == command.as_slice());
        }
        let dir = ospath::dirname(&command);
        let path = env.path.as_deref().unwrap_or_default();
        Ok(ospath::isabs(&command)
            && target == ospath::basename(&command)
            && path.split(|&c| c == b':').any(|p| p == dir.as_slice()))
    }

    /// `get_exec(exec_dirs)`: the executable to run, if one is found.
    pub fn get_exec(&self, exec_dirs: &[Vec<u8>]) -> Result<Option<Vec<u8>>, PyCrash> {
        if let Some(found) = self.real_exec.get() {
            return Ok(Some(found.clone()));
        }
        let exec = self.exec_path.as_bytes();
        let found = if ospath::isabs(exec) {
            if pyos::access_x(exec)? {
                Some(exec.to_vec())
            } else {
                None
            }
        } else {
            let mut found = None;
            for dir in exec_dirs {
                let candidate = ospath::join(dir, exec);
                if pyos::access_x(&candidate)? {
                    found = Some(candidate);
                    break;
                }
            }
            found
        };
        if let Some(f) = &found {
            let _ = self.real_exec.set(f.clone());
        }
        Ok(found)
    }

    /// `exec_args(userargs)` of EnvFilter and the chaining filters: the
    /// command line to re-check (chaining) or run (EnvFilter).
    pub fn exec_args(&self, userargs: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut args: Vec<Vec<u8>> = match self.kind {
            Kind::Env => {
                let mut args = userargs.to_vec();
                if args.first().is_some_and(|a| a == b"env") {
                    args.remove(0);
                }
                let keep = args
                    .iter()
                    .position(|a| !a.contains(&b'='))
                    .unwrap_or(args.len());
                return args.split_off(keep);
            }
            Kind::IpNetnsExec => userargs.get(4..).unwrap_or_default().to_vec(),
            Kind::ChainingRegExp => userargs.get(self.args.len()..).unwrap_or_default().to_vec(),
            _ => return Vec::new(),
        };
        if let Some(first) = args.first_mut() {
            *first = ospath::basename(first).to_vec();
        }
        args
    }

    /// `get_command(userargs, exec_dirs)`: the argv to execute.
    pub fn get_command(
        &self,
        userargs: &[Vec<u8>],
        exec_dirs: &[Vec<u8>],
    ) -> Result<Vec<Vec<u8>>, PyCrash> {
        let to_exec = self
            .get_exec(exec_dirs)?
            .unwrap_or_else(|| self.exec_path.as_bytes().to_vec());
        let mut command = vec![to_exec];
        match self.kind {
            Kind::Env => command.extend(self.exec_args(userargs).into_iter().skip(1)),
            Kind::Path => {
                for (arg, value) in self.args.iter().zip(userargs.iter().skip(1)) {
                    if ospath::isabs(arg.as_bytes()) {
                        command.push(pyos::realpath(value)?);
                    } else {
                        command.push(value.clone());
                    }
                }
            }
            _ => command.extend(userargs.iter().skip(1).cloned()),
        }
        Ok(command)
    }

    /// The variables `get_environment(userargs)` adds to rootwrap's own
    /// environment (EnvFilter only; later duplicates win), in order.
    /// Mutates `userargs` where the reference does (a leading `env`).
    pub fn environment_additions(&self, userargs: &mut Vec<Vec<u8>>) -> Vec<(Vec<u8>, Vec<u8>)> {
        if self.kind != Kind::Env {
            return Vec::new();
        }
        if userargs.first().is_some_and(|a| a == b"env") {
            userargs.remove(0);
        }
        let mut out: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for arg in userargs.iter() {
            let Some(eq) = arg.iter().position(|&c| c == b'=') else {
                break;
            };
            let name = arg.get(..eq).unwrap_or_default();
            let value = arg.get(eq + 1..).unwrap_or_default();
            if name.is_empty() || value.is_empty() {
                continue;
            }
            if let Some(entry) = out.iter_mut().find(|(n, _)| n == name) {
                entry.1 = value.to_vec();
            } else {
                out.push((name.to_vec(), value.to_vec()));
            }
        }
        out
    }
}

/// `KillFilter._program(pid)`: the executable of a process, as the
/// reference finds it from `/proc` (`pid` is Python's `int()` of the
/// argument, normalised).
fn kill_program(pid: &str, env: &MatchEnv) -> Result<Option<Vec<u8>>, PyCrash> {
    let Some(link) = pyos::readlink(format!("/proc/{pid}/exe").as_bytes()) else {
        return Ok(None);
    };
    let mut command: Vec<u8> = link.split(|&c| c == 0).next().unwrap_or_default().to_vec();
    if command.ends_with(b" (deleted)") {
        command.truncate(command.len() - b" (deleted)".len());
    }
    if pyos::isfile(&command) {
        return Ok(Some(command));
    }
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return Ok(None);
    };
    // The reference reads the file as UTF-8 text; undecodable content
    // raises UnicodeDecodeError, which it does not catch.
    if std::str::from_utf8(&raw).is_err() {
        return Err(PyCrash::new(
            "UnicodeDecodeError",
            "'utf-8' codec can't decode /proc/PID/cmdline",
        ));
    }
    let argv0 = raw.split(|&c| c == 0).next().unwrap_or_default().to_vec();
    let cmdline = pyos::which(&argv0, env.path.as_deref())?.unwrap_or(argv0);
    if pyos::isfile(&cmdline) {
        command = cmdline;
    }
    Ok(Some(command))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(class: &str, args: &[&str]) -> Filter {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        match Filter::build("t", class, &args) {
            Ok(Some(f)) => f,
            other => panic!("cannot build {class}: {other:?}"),
        }
    }

    fn argv(s: &[&str]) -> Vec<Vec<u8>> {
        s.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    fn m(filter: &Filter, s: &[&str]) -> bool {
        let mut a = argv(s);
        filter.matches(&mut a, &MatchEnv::default()) == Ok(true)
    }

    #[test]
    fn command_filter() {
        let c = f("CommandFilter", &["/usr/bin/ls", "root"]);
        assert!(m(&c, &["ls", "-l"]));
        assert!(m(&c, &["/usr/bin/ls"]));
        assert!(!m(&c, &["/bin/ls"]));
        assert!(!m(&c, &[]));
    }

    #[test]
    fn arity_and_unknown() {
        assert!(Filter::build("x", "CommandFilter", &["ls".to_owned()]).is_err());
        assert!(Filter::build("x", "KillFilter", &[]).is_err());
        assert!(matches!(
            Filter::build("x", "KillFilter", &["root".to_owned()]),
            Ok(Some(_))
        ));
        assert!(matches!(Filter::build("x", "commandfilter", &[]), Ok(None)));
    }

    #[test]
    fn ip_filters() {
        let ip = f("IpFilter", &["ip", "root"]);
        assert!(m(&ip, &["ip", "a"]));
        assert!(!m(&ip, &["ip", "netns", "exec", "x", "sh"]));
        assert!(!m(&ip, &["ip", "-s", "net", "e", "x", "sh"]));
        assert!(m(&ip, &["ip", "netns", "list"]));
        assert!(m(&ip, &["ip", "netns", "add", "exec"]));
        let netns = f("IpNetnsExecFilter", &["ip", "root"]);
        assert!(m(&netns, &["ip", "netn", "ex", "ns", "ls"]));
        assert_eq!(
            netns.exec_args(&argv(&["ip", "netns", "exec", "ns", "/bin/ls", "-l"])),
            argv(&["ls", "-l"])
        );
    }

    #[test]
    fn env_filter() {
        let e = f("EnvFilter", &["env", "root", "A=", "B=x", "/sbin/cmd"]);
        assert_eq!(e.exec_path, "/sbin/cmd");
        let mut a = argv(&["env", "B=1", "A=2", "cmd", "x"]);
        assert_eq!(e.matches(&mut a, &MatchEnv::default()), Ok(true));
        assert_eq!(a, argv(&["B=1", "A=2", "cmd", "x"]));
        assert_eq!(e.get_command(&a, &[]).ok(), Some(argv(&["/sbin/cmd", "x"])));
        assert_eq!(
            e.environment_additions(&mut a),
            vec![
                (b"B".to_vec(), b"1".to_vec()),
                (b"A".to_vec(), b"2".to_vec())
            ]
        );
        assert!(!m(&e, &["A=1", "cmd"]));
        assert!(!m(&e, &["A=1", "B=1", "C=1", "cmd"]));
    }

    #[test]
    fn kill_filter_without_target_crashes_only_for_live_pids() {
        let k = f("KillFilter", &["root"]);
        let me = std::process::id().to_string();
        let mut a = argv(&["kill", &me]);
        assert!(k.matches(&mut a, &MatchEnv::default()).is_err());
        let mut dead = argv(&["kill", "999999999"]);
        assert_eq!(k.matches(&mut dead, &MatchEnv::default()), Ok(false));
        let mut sig = argv(&["kill", "-9", &me]);
        assert_eq!(k.matches(&mut sig, &MatchEnv::default()), Ok(false));
    }

    #[test]
    fn literal_patterns_keep_python_dollar_semantics() {
        let r = f("RegExpFilter", &["tc", "root", "tc", "qdisc"]);
        assert!(m(&r, &["tc", "qdisc"]));
        assert!(m(&r, &["tc\n", "qdisc\n"]));
        assert!(!m(&r, &["tc\n\n", "qdisc"]));
        assert!(!m(&r, &["tcx", "qdisc"]));
        assert!(!m(&r, &["\ntc", "qdisc"]));
        assert!(is_plain_literal("-maxdepth") && !is_plain_literal("a.b") && !is_plain_literal(""));
    }

    #[test]
    fn read_file_filter() {
        let r = f("ReadFileFilter", &["/etc/hosts"]);
        assert!(m(&r, &["cat", "/etc/hosts"]));
        assert!(!m(&r, &["cat", "/etc/hosts", "x"]));
        assert_eq!(r.run_as, "root");
    }
}
