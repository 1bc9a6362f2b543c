//! Decision-for-decision comparison with the real oslo.rootwrap 7.10.0.
//!
//! Every case (a rootwrap.conf, filter files and an argv) goes through the
//! reference's own `load_filters`/`match_filter`/`get_command`/
//! `get_environment` (oracle/rootwrap_oracle.py, one batch process)
//! and through `oslo-rootwrap --dry-run --json`; stdout and exit status must
//! be identical. Cases: command lines derived from every filter of the real
//! corpus, a seeded generator of configurations, filter files and argv
//! covering every filter class and the configparser and regex quirks, and
//! PathFilter/KillFilter/ReadFileFilter/exec_dirs/filter loading through
//! symlink chains of 40, 41, 64, 65, 70, 600 and 1100 links, loops and
//! dangling links.
#![cfg(test)]

use oslo_test_support::Rng;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Names of the fake executables every case's exec dir provides.
const EXECUTABLES: &[&str] = &[
    "ls",
    "cat",
    "ip",
    "kill",
    "sleep",
    "env",
    "sh",
    "chown",
    "tc",
    "find",
    "ping",
    "cp",
    "rm",
    "tee",
    "nice",
    "ionice",
    "echo",
    "true",
    "id",
    "sort",
    "privsep-helper",
    "touch",
];

struct Case {
    label: String,
    config: PathBuf,
    argv: Vec<Vec<u8>>,
    cwd: PathBuf,
    /// Shown on mismatch.
    files: Vec<(PathBuf, Vec<u8>)>,
    /// Goes through a symlink chain deeper than `MAX_LINK_DEPTH`: our
    /// refusal (the reference's crash, exit 1) is accepted where the
    /// reference, whose own limit is near 1000 nested links, still decides.
    deep_chain: bool,
}

struct Fixture {
    root: tempfile::TempDir,
    bin: PathBuf,
    live_pid: String,
    dead_pid: String,
    count: usize,
}

fn write(path: &Path, data: &[u8], mode: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

impl Fixture {
    fn new(live_pid: u32, dead_pid: u32) -> Fixture {
        let root = tempfile::tempdir().unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let bin = root.path().join("bin");
        for name in EXECUTABLES {
            write(&bin.join(name), b"#!/bin/sh\nexit 0\n", 0o755);
        }
        write(&bin.join("notexec"), b"x", 0o644);
        write(&bin.join("sub/tool"), b"#!/bin/sh\n", 0o755);
        Fixture {
            root,
            bin,
            live_pid: live_pid.to_string(),
            dead_pid: dead_pid.to_string(),
            count: 0,
        }
    }

    /// A fresh case directory with a `real/` tree, a `link` to it and a file.
    fn case_dir(&mut self) -> PathBuf {
        self.count += 1;
        let dir = self.root.path().join(format!("c{}", self.count));
        fs::create_dir_all(dir.join("real/sub")).unwrap();
        fs::create_dir_all(dir.join("d")).unwrap();
        for d in [
            &dir,
            &dir.join("real"),
            &dir.join("real/sub"),
            &dir.join("d"),
        ] {
            fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::os::unix::fs::symlink(dir.join("real"), dir.join("link")).unwrap();
        write(&dir.join("file"), b"data\n", 0o644);
        dir
    }
}

fn hexes(argv: &[Vec<u8>]) -> Vec<String> {
    argv.iter()
        .map(|a| a.iter().map(|b| format!("{b:02x}")).collect())
        .collect()
}

// ---------------------------------------------------------------- generator

fn subst(s: &str, dir: &Path, fx: &Fixture) -> String {
    s.replace("{DIR}", &dir.display().to_string())
        .replace("{BIN}", &fx.bin.display().to_string())
        .replace("{LIVE}", &fx.live_pid)
        .replace("{DEAD}", &fx.dead_pid)
}

fn gen_definition(rng: &mut Rng) -> Vec<String> {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let run_as = rng.pick(&["root", "root", "root", "nobody"]);
    let exec = rng.pick(&[
        "ls",
        "cat",
        "/bin/ls",
        "{BIN}/ls",
        "missing",
        "{BIN}/notexec",
        "sub/tool",
        "sleep",
        "sh",
    ]);
    let patterns = [
        "ls",
        "cat",
        ".*",
        "\\d+",
        "-[a-z]",
        "a|b",
        "foo",
        "/tmp/.*",
        "[0-9]{1",
        "3}",
        "/etc/(?!\\.\\.).*",
        "x\\n?",
        "[",
        "\\s+",
        "",
        "%.*",
        "-?\\d+",
        "(a)(b)\\2",
        "[^/\\0]+",
        "a{2,}",
        "(?i)LS",
        "é+",
        "\\w+",
        "sh",
    ];
    let pats = |rng: &mut Rng, n: usize| {
        (0..n)
            .map(|_| (rng.pick(&patterns)).to_owned())
            .collect::<Vec<_>>()
    };
    match rng.below(13) {
        0 | 1 => {
            let mut d = s(&["CommandFilter", exec, run_as]);
            if rng.pct(20) {
                d.push("extra".into());
            }
            d
        }
        2 | 3 => {
            let mut d = s(&["RegExpFilter", exec, run_as]);
            let first = (rng.pick(&["ls", "cat", "l.", "ls|cat", "sh"])).to_owned();
            d.push(first);
            let n = rng.below(3);
            d.extend(pats(rng, n));
            d
        }
        4 => {
            let mut d = s(&[
                "PathFilter",
                rng.pick(&["chown", "/bin/chown", "ls"]),
                run_as,
            ]);
            for _ in 0..rng.below(3) + 1 {
                d.push(
                    (rng.pick(&[
                        "pass",
                        "nobody",
                        "{DIR}/real",
                        "{DIR}/link",
                        "{DIR}/real/",
                        "/tmp",
                        "rel",
                    ]))
                    .into(),
                );
            }
            d
        }
        5 => {
            let mut d = s(&["KillFilter", run_as]);
            if rng.pct(85) {
                d.push(
                    (rng.pick(&["/usr/bin/sleep", "sleep", "/bin/sleep", "/usr/bin/cat"])).into(),
                );
            }
            for _ in 0..rng.below(3) {
                d.push((rng.pick(&["-9", "-TERM", "-15", ""])).into());
            }
            d
        }
        6 => s(&[
            "ReadFileFilter",
            rng.pick(&["/etc/hosts", "{DIR}/file", "hosts"]),
        ]),
        7 => s(&["IpFilter", rng.pick(&["ip", "/sbin/ip"]), run_as]),
        8 => {
            let mut d = s(&[
                "EnvFilter",
                rng.pick(&["env", "/usr/bin/env", "sort", "environ"]),
                run_as,
            ]);
            for _ in 0..rng.below(3) {
                d.push((rng.pick(&["A=", "B=x", "LC_ALL=", "A="])).into());
            }
            if rng.pct(70) {
                d.push((rng.pick(&["ls", "cat", "sort"])).into());
            }
            d
        }
        9 => s(&["ChainingFilter", "nice", run_as]),
        10 => s(&["IpNetnsExecFilter", "ip", run_as]),
        11 => {
            let mut d = s(&[
                "ChainingRegExpFilter",
                rng.pick(&["nice", "ionice"]),
                run_as,
            ]);
            let prefix = [["nice", "-n", "-?\\d+"], ["ionice", "-c[0-3]", "-n[0-7]"]][rng.below(2)];
            d.extend(prefix.iter().take(rng.below(4)).map(|p| (*p).to_owned()));
            d
        }
        _ => {
            let mut d = s(&[
                rng.pick(&["Bogus", "commandfilter", "", "CommandFilter"]),
                exec,
            ]);
            if rng.pct(50) {
                d.push(run_as.into());
            }
            d
        }
    }
}

/// A filter file with configparser quirks; `defs` receives the definitions.
fn gen_filter_file(rng: &mut Rng, defs: &mut Vec<Vec<String>>) -> String {
    let mut out = String::new();
    match rng.below(40) {
        0 => return String::new(),
        1 => out.push_str("stray = line\n"),
        2 => return "[Other]\nls: CommandFilter, ls, root\n".to_owned(),
        _ => {}
    }
    if rng.pct(10) {
        out.push_str("[DEFAULT]\ndefault_ls: CommandFilter, cat, root\n");
        defs.push(vec!["CommandFilter".into(), "cat".into(), "root".into()]);
    }
    out.push_str(if rng.pct(5) {
        "[filters]\n"
    } else {
        "[Filters]\n"
    });
    for i in 0..rng.below(6) + 1 {
        let def = gen_definition(rng);
        let name = (rng.pick(&["ls", "Cat_1", "f", "ID", "privsep-helper", "x"])).to_owned()
            + &i.to_string();
        let name = if rng.pct(10) { "dup".to_owned() } else { name };
        let sep = rng.pick(&[": ", "=", " : ", ":"]);
        let mut value = def.join(", ");
        if rng.pct(8) {
            value.push(',');
        }
        if rng.pct(10) && value.contains(", ") {
            value = value.replacen(", ", ",\n    ", 1);
        }
        if rng.pct(8) {
            out.push_str("# a comment: CommandFilter, sh, root\n");
        }
        if rng.pct(5) {
            out.push_str("    ; indented comment\n");
        }
        if rng.pct(3) {
            out.push_str("no delimiter here\n");
        }
        out.push_str(&format!("{name}{sep}{value}\n"));
        if rng.pct(8) {
            out.push('\n');
        }
        defs.push(def);
    }
    if rng.pct(10) {
        out = out.replace('\n', "\r\n");
    }
    out
}

fn gen_config(rng: &mut Rng, filters: &str, bin: &str) -> String {
    let mut c = String::from("[DEFAULT]\n");
    match rng.below(30) {
        0 => {}
        1 => c.push_str(&format!("filters_path= {filters}\n")),
        2 => c.push_str(&format!("filters_path=/nonexistent,{filters},{filters}\n")),
        _ => c.push_str(&format!("filters_path={filters}\n")),
    }
    match rng.below(12) {
        0 => {}
        1 => c.push_str(&format!("exec_dirs=,{bin}\n")),
        2 => c.push_str(&format!("exec_dirs= {bin},/usr/bin\n")),
        3 => c.push_str("exec_dirs=\n"),
        _ => c.push_str(&format!("exec_dirs={bin},/usr/bin,/bin\n")),
    }
    let extras = [
        "use_syslog=False",
        "use_syslog=0",
        "use_syslog=maybe",
        "syslog_log_facility=LOG_AUTH",
        "syslog_log_facility=local3",
        "syslog_log_facility=user0",
        "syslog_log_facility=__doc__",
        "syslog_log_level=info",
        "syslog_log_level=10",
        "syslog_log_level=Warn",
        "daemon_timeout= +5 ",
        "daemon_timeout=1_000",
        "daemon_timeout=x",
        "rlimit_nofile=2048",
        "rlimit_nofile=\u{661}\u{662}",
        "FILTERS_PATH=/dup",
        "garbage line",
    ];
    for _ in 0..rng.below(3) {
        if rng.pct(40) {
            let extra = rng.pick::<&str>(&extras);
            c.push_str(extra);
            c.push('\n');
        }
    }
    if rng.pct(5) {
        c.push_str("[DEFAULT]\nuse_syslog=False\n");
    }
    c
}

fn gen_argv(rng: &mut Rng, defs: &[Vec<String>], dir: &Path, fx: &Fixture) -> Vec<Vec<u8>> {
    let tokens = [
        "-l",
        "a",
        "b",
        "ax",
        "foo\n",
        "5",
        "-9",
        "-TERM",
        "{LIVE}",
        "{DEAD}",
        "netns",
        "net",
        "exec",
        "e",
        "ns1",
        "A=1",
        "B=",
        "LC_ALL=C",
        "/etc/hosts",
        "{DIR}/link/x",
        "{DIR}/real/y",
        "{DIR}/real",
        "rel/x",
        "../x",
        "é",
        "/tmp/../etc",
        "x y",
        "",
        "-n",
        "-c2",
        "ls",
        "cat",
        "/etc/x",
        "/etc/../x",
        "12",
        "%s",
        "-5",
        "+5",
    ];
    let mut argv: Vec<Vec<u8>> = Vec::new();
    if !defs.is_empty() && rng.pct(60) {
        // Aim at a definition: its executable's basename (or full path) plus
        // as many arguments as it expects.
        let def = rng.pick(defs);
        let exec = def.get(1).cloned().unwrap_or_default();
        let base = exec.rsplit('/').next().unwrap_or_default().to_owned();
        let first = match def[0].as_str() {
            "KillFilter" => "kill".to_owned(),
            "ReadFileFilter" => "cat".to_owned(),
            "IpFilter" | "IpNetnsExecFilter" => "ip".to_owned(),
            "EnvFilter" if rng.pct(50) => "env".to_owned(),
            _ if rng.pct(20) => exec.clone(),
            _ => base,
        };
        argv.push(first.into_bytes());
        let wanted = def.len().saturating_sub(3) + rng.below(2);
        for i in 0..wanted {
            let tok = match (def[0].as_str(), i) {
                ("IpNetnsExecFilter", 0) | ("IpFilter", 0) => {
                    rng.pick(&["netns", "net", "a", "-s"])
                }
                ("IpNetnsExecFilter", 1) => rng.pick(&["exec", "e", "list"]),
                // The pid goes through Python's int(), which strips ASCII
                // whitespace and Unicode spaces but not \x1c-\x1f (which
                // str.isspace() counts).
                ("KillFilter", _) => rng.pick(&[
                    "-9",
                    "-TERM",
                    "{LIVE}",
                    "{DEAD}",
                    "{LIVE}",
                    " {LIVE}\t",
                    "\u{3000}{LIVE}",
                    "\x1c{LIVE}",
                    "{LIVE}\x1f",
                ]),
                ("EnvFilter", _) => rng.pick(&["A=1", "B=2", "LC_ALL=C", "ls", "cat", "sort"]),
                ("ReadFileFilter", _) => rng.pick(&["/etc/hosts", "{DIR}/file"]),
                _ => rng.pick(&tokens),
            };
            argv.push(subst(tok, dir, fx).into_bytes());
        }
        if def[0] == "KillFilter" && argv.len() == 1 {
            argv.push(fx.live_pid.clone().into_bytes());
        }
    } else {
        let first = rng.pick(&[
            "ls",
            "/bin/ls",
            "cat",
            "ip",
            "kill",
            "env",
            "nice",
            "chown",
            "foo",
            "",
            "ls\n",
            "privsep-helper",
        ]);
        argv.push(first.as_bytes().to_vec());
        for _ in 0..rng.below(5) {
            let token = rng.pick::<&str>(&tokens);
            argv.push(subst(token, dir, fx).into_bytes());
        }
    }
    if rng.pct(5) {
        argv.push(b"\xff\xfe-x".to_vec());
    }
    if rng.pct(3) {
        argv.clear();
    }
    argv
}

fn generated_cases(fx: &mut Fixture, n: usize) -> Vec<Case> {
    let mut rng = Rng(0x05_10_20_26);
    let mut cases = Vec::new();
    for i in 0..n {
        let dir = fx.case_dir();
        let mut files = Vec::new();
        let mut defs = Vec::new();
        for j in 0..rng.below(3) + 1 {
            let text = subst(&gen_filter_file(&mut rng, &mut defs), &dir, fx);
            let name = rng.pick(&["a.filters", "b.filters", "README", "x.filters~", "z"]);
            let path = dir.join("d").join(format!("{j}{name}"));
            write(&path, text.as_bytes(), 0o644);
            files.push((path, text.into_bytes()));
        }
        if rng.pct(10) {
            write(&dir.join("d/.hidden"), b"garbage", 0o644);
        }
        if rng.pct(10) {
            fs::create_dir_all(dir.join("d/subdir")).unwrap();
            fs::set_permissions(dir.join("d/subdir"), fs::Permissions::from_mode(0o755)).unwrap();
        }
        if rng.pct(10) {
            std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("d/dangling")).unwrap();
        }
        if rng.pct(10) {
            let target = dir.join("extra.filters");
            write(
                &target,
                b"[Filters]\nlinked: CommandFilter, id, root\n",
                0o644,
            );
            std::os::unix::fs::symlink(&target, dir.join("d/link.filters")).unwrap();
        }
        let conf_text = gen_config(
            &mut rng,
            &dir.join("d").display().to_string(),
            &fx.bin.display().to_string(),
        );
        let config = dir.join("rootwrap.conf");
        write(&config, conf_text.as_bytes(), 0o644);
        files.push((config.clone(), conf_text.into_bytes()));
        for k in 0..3 {
            let argv = gen_argv(&mut rng, &defs, &dir, fx);
            cases.push(Case {
                label: format!("generated #{i}.{k}"),
                config: config.clone(),
                argv,
                cwd: if rng.pct(20) {
                    dir.join("real")
                } else {
                    dir.clone()
                },
                files: files.clone(),
                deep_chain: false,
            });
        }
    }
    cases
}

// ------------------------------------------------------------------ corpus

/// A plausible argument matching a simple regex (good enough to reach the
/// allowed branch for most corpus patterns; exactness is not needed, both
/// implementations see the same strings).
fn sample(pattern: &str) -> String {
    let mut p = pattern
        .trim_start_matches('^')
        .trim_end_matches('$')
        .to_owned();
    for (from, to) in [
        ("(?!\\.\\.)", ""),
        ("(?!.*/\\.\\.)", ""),
        ("\\d+", "12"),
        ("\\d", "1"),
        ("\\S+", "ab"),
        ("\\w+", "ab"),
        ("[0-9]+", "7"),
        ("[0-9A-Fa-f:]+", "fe80::1"),
        ("[0-9\\.]+", "10.0.0.1"),
        ("[0-9a-z-]+", "ab-1"),
        ("-c[0-3]", "-c2"),
        ("-n[0-7]", "-n5"),
        ("(.|\\n)*", "x"),
        (".*", "ab"),
        (".+", "ab"),
        ("\\.", "."),
        ("\\*", "*"),
        ("\\+", "+"),
        ("\\$", "$"),
    ] {
        p = p.replace(from, to);
    }
    // (a|b) -> a
    while let (Some(open), Some(bar)) = (p.find('('), p.find('|')) {
        let Some(close) = p[open..].find(')').map(|c| c + open) else {
            break;
        };
        if bar < open || bar > close {
            break;
        }
        p = format!("{}{}{}", &p[..open], &p[open + 1..bar], &p[close + 1..]);
    }
    p
}

fn corpus_cases(fx: &mut Fixture, corpus: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut rng = Rng(42);
    let mut dirs: Vec<PathBuf> = Vec::new();
    for project in fs::read_dir(corpus).unwrap().flatten() {
        if let Ok(versions) = fs::read_dir(project.path()) {
            for v in versions.flatten() {
                let d = v.path().join("rootwrap.d");
                if d.is_dir() {
                    dirs.push(d);
                }
            }
        }
    }
    dirs.sort();
    // Every executable the corpus names exists in a private exec dir, except
    // every seventh (to exercise "executable not found").
    let corpus_bin = fx.root.path().join("corpus-bin");
    let mut definitions: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for d in &dirs {
        let mut files: Vec<PathBuf> = fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            let text = fs::read_to_string(&f).unwrap_or_default();
            for line in text.lines() {
                if line.starts_with([' ', '\t', '#', '[']) {
                    continue;
                }
                let Some((_, value)) = line.split_once(':') else {
                    continue;
                };
                let def: Vec<String> = value.split(',').map(|s| s.trim().to_owned()).collect();
                if def.len() >= 2 {
                    definitions.push((d.clone(), def));
                }
            }
        }
    }
    let mut seen = BTreeMap::new();
    for (_, def) in &definitions {
        let exec = match def[0].as_str() {
            "KillFilter" | "ReadFileFilter" => continue,
            _ => def[1].clone(),
        };
        let base = exec.rsplit('/').next().unwrap_or_default().to_owned();
        let n = seen.len();
        seen.entry(base).or_insert(n);
    }
    for (base, n) in &seen {
        if n % 7 != 3 && !base.is_empty() {
            write(&corpus_bin.join(base), b"#!/bin/sh\n", 0o755);
        }
    }
    for d in &dirs {
        let dir = fx.case_dir();
        let config = dir.join("rootwrap.conf");
        let text = format!(
            "[DEFAULT]\nfilters_path={}\nexec_dirs={},/bin,/usr/bin\n",
            d.display(),
            corpus_bin.display()
        );
        write(&config, text.as_bytes(), 0o644);
        let mut push = |argv: Vec<String>, label: String| {
            cases.push(Case {
                label,
                config: config.clone(),
                argv: argv.into_iter().map(String::into_bytes).collect(),
                cwd: dir.clone(),
                files: vec![(config.clone(), text.clone().into_bytes())],
                deep_chain: false,
            });
        };
        for (_, def) in definitions.iter().filter(|(dd, _)| dd == d) {
            let label = format!("corpus {} {:?}", d.display(), def);
            let exec_base = def[1].rsplit('/').next().unwrap_or_default().to_owned();
            match def[0].as_str() {
                "RegExpFilter" | "ChainingRegExpFilter" => {
                    let mut argv: Vec<String> = def[3..].iter().map(|p| sample(p)).collect();
                    push(argv.clone(), label.clone());
                    if def[0] == "ChainingRegExpFilter" {
                        let mut chained = argv.clone();
                        chained.extend(["/some/where/ip".to_owned(), "a".to_owned()]);
                        push(chained, label.clone());
                    }
                    if let Some(last) = argv.last_mut() {
                        last.push('\n');
                    }
                    push(argv.clone(), label.clone());
                    if let Some(last) = argv.last_mut() {
                        last.push_str("x/../..");
                    }
                    push(argv, label.clone());
                }
                "KillFilter" => {
                    for sig in def.get(3..).unwrap_or_default().iter().take(2) {
                        push(
                            vec!["kill".into(), sig.clone(), fx.live_pid.clone()],
                            label.clone(),
                        );
                    }
                    push(vec!["kill".into(), fx.live_pid.clone()], label.clone());
                    push(
                        vec!["kill".into(), "-9".into(), fx.dead_pid.clone()],
                        label.clone(),
                    );
                }
                "ReadFileFilter" => push(vec!["cat".into(), def[1].clone()], label.clone()),
                "EnvFilter" => {
                    let names: Vec<String> = def[3..]
                        .iter()
                        .take_while(|a| a.contains('='))
                        .map(|a| format!("{}value", a))
                        .collect();
                    let cmd = def[3..]
                        .iter()
                        .find(|a| !a.contains('='))
                        .cloned()
                        .unwrap_or(exec_base.clone());
                    let mut argv = vec!["env".to_owned()];
                    argv.extend(names.iter().cloned());
                    argv.push(cmd.clone());
                    argv.push("-x".into());
                    push(argv, label.clone());
                    let mut argv: Vec<String> = names.iter().rev().cloned().collect();
                    argv.push(cmd);
                    push(argv, label.clone());
                }
                "IpNetnsExecFilter" => {
                    for alias in [["netns", "exec"], ["net", "e"], ["netn", "exe"]] {
                        push(
                            vec![
                                "ip".into(),
                                alias[0].into(),
                                alias[1].into(),
                                "ns".into(),
                                "ip".into(),
                                "a".into(),
                            ],
                            label.clone(),
                        );
                    }
                }
                "IpFilter" => {
                    push(
                        vec![
                            "ip".into(),
                            "-s".into(),
                            "netns".into(),
                            "exec".into(),
                            "ns".into(),
                            "sh".into(),
                        ],
                        label.clone(),
                    );
                    push(
                        vec!["ip".into(), "link".into(), "show".into()],
                        label.clone(),
                    );
                }
                "PathFilter" => {
                    let args: Vec<String> = def[3..]
                        .iter()
                        .map(|a| {
                            if a.starts_with('/') {
                                format!("{a}/x")
                            } else {
                                a.clone()
                            }
                        })
                        .collect();
                    let mut argv = vec![exec_base.clone()];
                    argv.extend(args);
                    push(argv, label.clone());
                }
                _ => {
                    push(vec![exec_base.clone(), "-x".into()], label.clone());
                    push(vec![def[1].clone()], label.clone());
                }
            }
            if rng.pct(10) {
                push(vec![format!("/usr/local/{exec_base}")], label.clone());
            }
        }
    }
    cases
}

// ----------------------------------------------------------------- runner

fn run_reference(python: &Path, cases: &[Case], path_env: Option<&OsStr>) -> Vec<(String, i32)> {
    let script = oslo_test_support::conformance("oslo-rootwrap").join("oracle/rootwrap_oracle.py");
    let mut command = Command::new(python);
    if let Some(p) = path_env {
        command.env("PATH", p);
    }
    let mut child = command
        .arg(&script)
        .arg("--batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut input = String::new();
    for c in cases {
        let line = serde_json::json!({
            "config": c.config.display().to_string(),
            "argv_hex": hexes(&c.argv),
            "cwd": c.cwd.display().to_string(),
        });
        input.push_str(&line.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "reference oracle failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["out"].as_str().unwrap().to_owned(),
                v["rc"].as_i64().unwrap() as i32,
            )
        })
        .collect()
}

fn run_ours(case: &Case, path_env: Option<&OsStr>) -> (String, i32) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oslo-rootwrap"));
    if let Some(p) = path_env {
        command.env("PATH", p);
    }
    let out = command
        .args(["--dry-run", "--json"])
        .arg(&case.config)
        .arg("--")
        .args(case.argv.iter().map(|a| OsStr::from_bytes(a)))
        .current_dir(&case.cwd)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout)
            .trim_end_matches('\n')
            .to_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn compare(python: &Path, cases: &[Case], what: &str, path_env: Option<&OsStr>) {
    let reference = run_reference(python, cases, path_env);
    assert_eq!(reference.len(), cases.len());
    let mut mismatches = Vec::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut deep_refusals = 0;
    for (case, expected) in cases.iter().zip(&reference) {
        let got = run_ours(case, path_env);
        let reason: serde_json::Value = serde_json::from_str(&expected.0).unwrap_or_default();
        let key = if reason["allowed"] == true {
            "allowed".to_owned()
        } else {
            reason["reason"].as_str().unwrap_or("?").to_owned()
        };
        *outcomes.entry(key).or_default() += 1;
        if &got != expected {
            if case.deep_chain && got == (DEEP_REFUSAL.to_owned(), 1) {
                deep_refusals += 1;
            } else {
                mismatches.push((case, expected.clone(), got));
            }
        }
    }
    eprintln!(
        "differential ({what}): {} cases, outcomes {outcomes:?}, \
         refused as too deep where the reference decides: {deep_refusals}",
        cases.len()
    );
    for (case, expected, got) in mismatches.iter().take(8) {
        eprintln!("--- MISMATCH {}", case.label);
        eprintln!(
            "argv: {:?}",
            case.argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
        );
        eprintln!("cwd: {}", case.cwd.display());
        for (path, text) in &case.files {
            eprintln!("{}:\n{}", path.display(), String::from_utf8_lossy(text));
        }
        eprintln!("reference: {} (exit {})", expected.0, expected.1);
        eprintln!("ours:      {} (exit {})", got.0, got.1);
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from the reference",
        mismatches.len(),
        cases.len()
    );
}

/// Our answer for a symlink chain deeper than `MAX_LINK_DEPTH`.
const DEEP_REFUSAL: &str = r#"{"allowed": false, "reason": "error"}"#;

struct Processes(Vec<std::process::Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn processes() -> (Processes, u32, u32) {
    let live = Command::new("sleep").arg("600").spawn().unwrap();
    let mut dead = Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    let (l, d) = (live.id(), dead.id());
    (Processes(vec![live]), l, d)
}

#[test]
fn generated_cases_agree_with_reference() {
    let Some(python) = oslo_test_support::rootwrap_reference_python("differential::generated")
    else {
        return;
    };
    let (_procs, live, dead) = processes();
    let mut fx = Fixture::new(live, dead);
    let cases = generated_cases(&mut fx, 700);
    compare(&python, &cases, "generated", None);
}

#[test]
fn corpus_cases_agree_with_reference() {
    let Some(python) = oslo_test_support::rootwrap_reference_python("differential::corpus") else {
        return;
    };
    let Some(corpus) = oslo_test_support::rootwrap_corpus() else {
        eprintln!("SKIPPED: differential::corpus: ../shared/corpus/rootwrap is absent");
        return;
    };
    let (_procs, live, dead) = processes();
    let mut fx = Fixture::new(live, dead);
    let cases = corpus_cases(&mut fx, &corpus);
    assert!(cases.len() > 500, "only {} corpus cases", cases.len());
    compare(&python, &cases, "corpus", None);
}

/// Hardening the reference lacks: as root, a group-writable filter file or
/// config is refused (the reference would use it).
#[test]
fn untrusted_files_are_refused_as_root() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIPPED: differential::untrusted: ownership checks apply only when run as root");
        return;
    }
    let (_procs, live, dead) = processes();
    let mut fx = Fixture::new(live, dead);
    let dir = fx.case_dir();
    write(
        &dir.join("d/x.filters"),
        b"[Filters]\nls: CommandFilter, ls, root\n",
        0o644,
    );
    let conf = format!(
        "[DEFAULT]\nfilters_path={}\nexec_dirs={}\n",
        dir.join("d").display(),
        fx.bin.display()
    );
    write(&dir.join("rootwrap.conf"), conf.as_bytes(), 0o644);
    let case = |config: PathBuf| Case {
        label: String::new(),
        config,
        argv: vec![b"ls".to_vec()],
        cwd: dir.clone(),
        files: Vec::new(),
        deep_chain: false,
    };
    let ok = run_ours(&case(dir.join("rootwrap.conf")), None);
    assert_eq!(ok.1, 0, "{}", ok.0);
    fs::set_permissions(dir.join("d/x.filters"), fs::Permissions::from_mode(0o664)).unwrap();
    assert_eq!(
        run_ours(&case(dir.join("rootwrap.conf")), None),
        (
            r#"{"allowed": false, "reason": "badconfig"}"#.to_owned(),
            97
        )
    );
    fs::set_permissions(dir.join("d/x.filters"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(dir.join("rootwrap.conf"), fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(
        run_ours(&case(dir.join("rootwrap.conf")), None),
        (
            r#"{"allowed": false, "reason": "badconfig"}"#.to_owned(),
            97
        )
    );
}

// ---------------------------------------------------------- symlink chains

/// Chain lengths around the kernel's limit (40), the old resolution cap
/// (64), past both (70), past `MAX_LINK_DEPTH` (600, which the reference
/// still resolves) and past the reference's recursion limit (1100).
const CHAIN_LENGTHS: &[usize] = &[40, 41, 64, 65, 70, 600, 1100];

/// `name.0 -> name.1 -> ... -> name.{n-1} -> end` in `dir`, the links
/// written as plain, `./` and absolute targets in turn. Returns `name.0`.
fn chain(dir: &Path, name: &str, n: usize, end: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let next = format!("{name}.{}", i + 1);
        let target = if i + 1 == n {
            end.to_path_buf()
        } else {
            match i % 3 {
                0 => PathBuf::from(next),
                1 => PathBuf::from(format!("./{next}")),
                _ => dir.join(next),
            }
        };
        std::os::unix::fs::symlink(target, dir.join(format!("{name}.{i}"))).unwrap();
    }
    dir.join(format!("{name}.0"))
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Cases whose decisions go through long symlink chains, loops and
/// dangling links, with the `PATH` they must run with.
struct ChainCases {
    dir: PathBuf,
    cases: Vec<Case>,
}

impl ChainCases {
    /// A case with its own filter directory holding `filters`, and a config
    /// with `exec_dirs` (none: the `PATH` is used).
    fn add(
        &mut self,
        label: String,
        filters: &str,
        exec_dirs: Option<&str>,
        argv: Vec<Vec<u8>>,
        cwd: &Path,
        deep_chain: bool,
    ) {
        let n = self.cases.len();
        let fdir = self.dir.join(format!("filters{n}"));
        let text = format!("[Filters]\n{filters}\n");
        write(&fdir.join("x.filters"), text.as_bytes(), 0o644);
        fs::set_permissions(&fdir, fs::Permissions::from_mode(0o755)).unwrap();
        let mut conf = format!("[DEFAULT]\nfilters_path={}\n", fdir.display());
        if let Some(e) = exec_dirs {
            conf.push_str(&format!("exec_dirs={e}\n"));
        }
        let config = self.dir.join(format!("rootwrap{n}.conf"));
        write(&config, conf.as_bytes(), 0o644);
        self.cases.push(Case {
            label,
            config: config.clone(),
            argv,
            cwd: cwd.to_path_buf(),
            files: vec![
                (config, conf.into_bytes()),
                (fdir.join("x.filters"), text.into_bytes()),
            ],
            deep_chain,
        });
    }
}

/// Starts `command`, whose executable was just written: again, after a
/// moment, while the kernel finds it busy. Another test thread forking at
/// the moment it was written leaves a child that holds it open for
/// writing until that child execs (`ETXTBSY`; CI saw it once).
fn spawn_fresh(command: &mut Command) -> std::process::Child {
    for _ in 0..100 {
        match command.spawn() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            started => return started.unwrap(),
        }
    }
    command.spawn().unwrap()
}

/// `sleep 600` processes for KillFilter: one started through a 40-link
/// chain (its `/proc/PID/exe` is the real file), the others run from a
/// copy that is then deleted, with an argv[0] naming a chain, a loop, a
/// dangling link or a bare name found through chained `PATH` entries, so
/// that `_program` falls back to `shutil.which(cmdline)`. Returns
/// `(label, pid, kill targets to try)`.
fn chain_processes(dir: &Path, procs: &mut Processes) -> Vec<(String, u32, Vec<String>)> {
    use std::os::unix::process::CommandExt;
    let sleep = ["/usr/bin/sleep", "/bin/sleep"]
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .expect("sleep");
    let exe = dir.join("exe");
    fs::create_dir_all(&exe).unwrap();
    let copy = |name: &str| {
        let p = exe.join(name);
        fs::copy(sleep, &p).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        p
    };
    write(&exe.join("target"), b"#!/bin/sh\n", 0o755);
    let mut out = Vec::new();

    let via = copy("sleep-via");
    let via40 = chain(&dir.join("via"), "via", 40, &via);
    let child = spawn_fresh(Command::new(&via40).arg("600"));
    out.push((
        "started through a 40-link chain".to_owned(),
        child.id(),
        vec![s(&via), s(&via40), "sleep-via".into(), "via.0".into()],
    ));
    procs.0.push(child);

    let mut argv0s: Vec<(String, PathBuf)> = CHAIN_LENGTHS
        .iter()
        .filter(|&&n| n < 1000)
        .map(|&n| {
            (
                format!("argv[0] a {n}-link chain to an executable"),
                chain(&dir.join("k"), &format!("k{n}"), n, &exe.join("target")),
            )
        })
        .collect();
    argv0s.push((
        "argv[0] a 5-link loop".into(),
        chain(&dir.join("k"), "loop", 5, &dir.join("k/loop.0")),
    ));
    argv0s.push((
        "argv[0] a dangling chain".into(),
        chain(&dir.join("k"), "dangling", 3, &exe.join("missing")),
    ));
    argv0s.push((
        "argv[0] a 40-link chain to a directory".into(),
        chain(&dir.join("k"), "todir", 40, &exe),
    ));
    argv0s.push(("argv[0] vs40, found via PATH".into(), PathBuf::from("vs40")));
    argv0s.push((
        "argv[0] vs41, not found via PATH".into(),
        PathBuf::from("vs41"),
    ));
    let mut victims = Vec::new();
    for (i, (label, argv0)) in argv0s.into_iter().enumerate() {
        let victim = copy(&format!("victim{i}"));
        let child = spawn_fresh(Command::new(&victim).arg0(&argv0).arg("600"));
        let base = argv0
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((
            label,
            child.id(),
            vec![s(&victim), s(&argv0), base, format!("victim{i}")],
        ));
        procs.0.push(child);
        victims.push(victim);
    }
    for v in victims {
        fs::remove_file(v).unwrap();
    }
    out
}

fn chain_cases(fx: &mut Fixture, procs: &mut Processes) -> (Vec<Case>, String) {
    let dir = fx.case_dir();
    let real = dir.join("real");
    let ch = real.join("ch");
    let bin = s(&fx.bin);
    let mut cc = ChainCases {
        dir: dir.clone(),
        cases: Vec::new(),
    };
    let deep = |n: usize| n > oslo_rootwrap::pyos::MAX_LINK_DEPTH;

    // PathFilter: chains inside the allowed directory leading inside, out
    // (/etc, or a file outside then `/x`), into a loop or nowhere.
    let one = format!("p: PathFilter, chown, root, {}", s(&real));
    let two = format!("p: PathFilter, chown, root, nobody, {}/", s(&real));
    for &n in CHAIN_LENGTHS {
        let chains = [
            ("in", chain(&ch, &format!("in{n}"), n, &real.join("sub"))),
            ("out", chain(&ch, &format!("out{n}"), n, Path::new("/etc"))),
            (
                "thru",
                chain(&ch, &format!("thru{n}"), n, &dir.join("file")),
            ),
            (
                "loop",
                chain(&ch, &format!("loop{n}"), n, &ch.join(format!("loop{n}.0"))),
            ),
            (
                "dangout",
                chain(
                    &ch,
                    &format!("dangout{n}"),
                    n,
                    Path::new("/etc/oslo-rs-missing"),
                ),
            ),
            (
                "dangin",
                chain(&ch, &format!("dangin{n}"), n, &real.join("missing")),
            ),
        ];
        for (kind, start) in &chains {
            let start_s = s(start);
            for suffix in ["", "/x", "/../sub2", "/.", "/x/../../y"] {
                let value = format!("{start_s}{suffix}");
                cc.add(
                    format!("PathFilter {kind}{n} {suffix}"),
                    &one,
                    Some(&bin),
                    vec![b"chown".to_vec(), value.clone().into_bytes()],
                    &dir,
                    deep(n),
                );
                cc.add(
                    format!("PathFilter(2) {kind}{n} {suffix}"),
                    &two,
                    Some(&bin),
                    vec![b"chown".to_vec(), b"nobody".to_vec(), value.into_bytes()],
                    &dir,
                    deep(n),
                );
            }
            // Relative values, resolved against the working directory.
            let name = start.file_name().unwrap().to_string_lossy().into_owned();
            cc.add(
                format!("PathFilter {kind}{n} relative"),
                &one,
                Some(&bin),
                vec![b"chown".to_vec(), format!("{name}/x").into_bytes()],
                &ch,
                deep(n),
            );
            cc.add(
                format!("PathFilter {kind}{n} relative from above"),
                &one,
                Some(&bin),
                vec![b"chown".to_vec(), format!("real/ch/{name}").into_bytes()],
                &dir,
                deep(n),
            );
        }
        // The filter's own directory named through a chain: never matches a
        // resolved value.
        let via = chain(&dir.join("argchain"), &format!("a{n}"), n, &real);
        cc.add(
            format!("PathFilter argument itself a {n}-link chain"),
            &format!("p: PathFilter, chown, root, {}", s(&via)),
            Some(&bin),
            vec![b"chown".to_vec(), format!("{}/sub", s(&via)).into_bytes()],
            &dir,
            deep(n),
        );
    }

    // Executables through chains: absolute exec_path, exec_dirs entries
    // (absolute and relative to the working directory), a relative
    // exec_path with a chained directory.
    let bd = dir.join("bd");
    for &n in CHAIN_LENGTHS {
        let x = chain(&dir.join("x"), &format!("x{n}"), n, &fx.bin.join("ls"));
        let xname = x.file_name().unwrap().to_string_lossy().into_owned();
        let def = format!("c: CommandFilter, {}, root", s(&x));
        for argv0 in [s(&x), xname] {
            cc.add(
                format!("CommandFilter exec_path a {n}-link chain, argv0 {argv0}"),
                &def,
                Some(&bin),
                vec![argv0.into_bytes(), b"-l".to_vec()],
                &dir,
                false,
            );
        }
        let bdn = chain(&bd, &format!("bd{n}"), n, &fx.bin);
        cc.add(
            format!("exec_dirs a {n}-link chain, then bin"),
            "c: CommandFilter, ls, root",
            Some(&format!("{},{bin}", s(&bdn))),
            vec![b"ls".to_vec()],
            &dir,
            false,
        );
        cc.add(
            format!("exec_dirs a {n}-link chain only"),
            "c: CommandFilter, ls, root",
            Some(&s(&bdn)),
            vec![b"ls".to_vec()],
            &dir,
            false,
        );
        let rel = format!("bd/bd{n}.0");
        cc.add(
            format!("exec_dirs relative {rel}"),
            "c: CommandFilter, ls, root",
            Some(&format!("{rel},/nonexistent")),
            vec![b"ls".to_vec()],
            &dir,
            false,
        );
        cc.add(
            format!("exec_dirs relative {rel} from elsewhere"),
            "c: CommandFilter, ls, root",
            Some(&rel),
            vec![b"ls".to_vec()],
            &real,
            false,
        );
        cc.add(
            format!("exec_path bd{n}.0/ls relative to exec_dirs"),
            &format!("c: CommandFilter, bd{n}.0/ls, root"),
            Some(&s(&bd)),
            vec![b"ls".to_vec(), b"x".to_vec()],
            &dir,
            false,
        );
        // ReadFileFilter compares strings; the chain only matters to cat.
        let rf = chain(&dir.join("rf"), &format!("rf{n}"), n, &dir.join("file"));
        for arg in [s(&rf), s(&dir.join("file"))] {
            cc.add(
                format!("ReadFileFilter on a {n}-link chain, cat {arg}"),
                &format!("r: ReadFileFilter, {}", s(&rf)),
                Some(&bin),
                vec![b"cat".to_vec(), arg.into_bytes()],
                &dir,
                false,
            );
        }
    }
    // Filter directories and files reached through chains (the kernel's
    // total of 40 links per lookup applies to dir + file together).
    for &n in &[1usize, 39, 40, 41, 64] {
        let fdir = dir.join(format!("fd{n}"));
        write(
            &fdir.join("x.filters"),
            b"[Filters]\nls: CommandFilter, ls, root\n",
            0o644,
        );
        write(
            &dir.join("linked.filters"),
            b"[Filters]\ncat: CommandFilter, cat, root\n",
            0o644,
        );
        fs::set_permissions(&fdir, fs::Permissions::from_mode(0o755)).unwrap();
        chain(&fdir, &format!("y{n}"), 1, &dir.join("linked.filters"));
        let via = chain(&dir.join("fdl"), &format!("fd{n}"), n, &fdir);
        let conf_path = dir.join(format!("fdconf{n}.conf"));
        let conf = format!("[DEFAULT]\nfilters_path={}\nexec_dirs={bin}\n", s(&via));
        write(&conf_path, conf.as_bytes(), 0o644);
        let conf_via = chain(&dir.join("cfl"), &format!("cf{n}"), n, &conf_path);
        for config in [conf_path.clone(), conf_via] {
            for argv0 in ["ls", "cat"] {
                cc.cases.push(Case {
                    label: format!("filters_path a {n}-link chain, config {}", s(&config)),
                    config: config.clone(),
                    argv: vec![argv0.as_bytes().to_vec()],
                    cwd: dir.clone(),
                    files: vec![(conf_path.clone(), conf.clone().into_bytes())],
                    deep_chain: false,
                });
            }
        }
    }

    // KillFilter: /proc/PID/exe and the cmdline + shutil.which fallback.
    let pd40 = chain(&dir.join("pd"), "pd40", 40, &dir.join("pbin40"));
    let pd41 = chain(&dir.join("pd"), "pd41", 41, &dir.join("pbin41"));
    write(&dir.join("pbin40/vs40"), b"#!/bin/sh\n", 0o755);
    write(&dir.join("pbin41/vs41"), b"#!/bin/sh\n", 0o755);
    let path_env = format!("{}:{}:{bin}:/usr/bin:/bin", s(&pd41), s(&pd40));
    for (label, pid, mut targets) in chain_processes(&dir, procs) {
        targets.dedup();
        for target in targets {
            for signal in [None, Some("-9")] {
                let mut def = format!("k: KillFilter, root, {target}");
                let mut argv = vec![b"kill".to_vec()];
                if let Some(sig) = signal {
                    def.push_str(", ");
                    def.push_str(sig);
                    argv.push(sig.as_bytes().to_vec());
                }
                argv.push(pid.to_string().into_bytes());
                cc.add(
                    format!("KillFilter {label}, target {target}"),
                    &def,
                    Some(&bin),
                    argv,
                    &dir,
                    false,
                );
            }
        }
    }
    // No exec_dirs: the PATH (with its chained entries) is searched.
    for exe in ["vs40", "vs41"] {
        cc.add(
            format!("exec_dirs from PATH, {exe}"),
            &format!("c: CommandFilter, {exe}, root"),
            None,
            vec![exe.as_bytes().to_vec()],
            &dir,
            false,
        );
    }
    (cc.cases, path_env)
}

/// PathFilter, KillFilter, ReadFileFilter, exec_dirs and filter loading
/// through long symlink chains, loops and dangling links decide exactly as
/// the reference, except that chains deeper than `MAX_LINK_DEPTH` may be
/// refused where the reference still resolves them.
#[test]
fn symlink_chain_cases_agree_with_reference() {
    let Some(python) = oslo_test_support::rootwrap_reference_python("differential::chains") else {
        return;
    };
    let (mut procs, live, dead) = processes();
    let mut fx = Fixture::new(live, dead);
    let (cases, path_env) = chain_cases(&mut fx, &mut procs);
    compare(
        &python,
        &cases,
        "symlink chains",
        Some(OsStr::new(&path_env)),
    );
}
