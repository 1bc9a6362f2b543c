//! Decision-for-decision comparison with the real oslo.rootwrap 7.10.0.
//!
//! Every case (a rootwrap.conf, filter files and an argv) goes through the
//! reference's own `load_filters`/`match_filter`/`get_command`/
//! `get_environment` (tests/oracle/rootwrap_oracle.py, one batch process)
//! and through `oslo-rootwrap --dry-run --json`; stdout and exit status must
//! be identical. Cases: command lines derived from every filter of the real
//! corpus, and a seeded generator of configurations, filter files and argv
//! covering every filter class and the configparser and regex quirks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
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

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Case {
    label: String,
    config: PathBuf,
    argv: Vec<Vec<u8>>,
    cwd: PathBuf,
    /// Shown on mismatch.
    files: Vec<(PathBuf, Vec<u8>)>,
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
    let run_as = *rng.pick(&["root", "root", "root", "nobody"]);
    let exec = *rng.pick(&[
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
            .map(|_| (*rng.pick(&patterns)).to_owned())
            .collect::<Vec<_>>()
    };
    match rng.below(13) {
        0 | 1 => {
            let mut d = s(&["CommandFilter", exec, run_as]);
            if rng.chance(20) {
                d.push("extra".into());
            }
            d
        }
        2 | 3 => {
            let mut d = s(&["RegExpFilter", exec, run_as]);
            let first = (*rng.pick(&["ls", "cat", "l.", "ls|cat", "sh"])).to_owned();
            d.push(first);
            let n = rng.below(3);
            d.extend(pats(rng, n));
            d
        }
        4 => {
            let mut d = s(&[
                "PathFilter",
                *rng.pick(&["chown", "/bin/chown", "ls"]),
                run_as,
            ]);
            for _ in 0..rng.below(3) + 1 {
                d.push(
                    (*rng.pick(&[
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
            if rng.chance(85) {
                d.push(
                    (*rng.pick(&["/usr/bin/sleep", "sleep", "/bin/sleep", "/usr/bin/cat"])).into(),
                );
            }
            for _ in 0..rng.below(3) {
                d.push((*rng.pick(&["-9", "-TERM", "-15", ""])).into());
            }
            d
        }
        6 => s(&[
            "ReadFileFilter",
            *rng.pick(&["/etc/hosts", "{DIR}/file", "hosts"]),
        ]),
        7 => s(&["IpFilter", *rng.pick(&["ip", "/sbin/ip"]), run_as]),
        8 => {
            let mut d = s(&[
                "EnvFilter",
                *rng.pick(&["env", "/usr/bin/env", "sort", "environ"]),
                run_as,
            ]);
            for _ in 0..rng.below(3) {
                d.push((*rng.pick(&["A=", "B=x", "LC_ALL=", "A="])).into());
            }
            if rng.chance(70) {
                d.push((*rng.pick(&["ls", "cat", "sort"])).into());
            }
            d
        }
        9 => s(&["ChainingFilter", "nice", run_as]),
        10 => s(&["IpNetnsExecFilter", "ip", run_as]),
        11 => {
            let mut d = s(&[
                "ChainingRegExpFilter",
                *rng.pick(&["nice", "ionice"]),
                run_as,
            ]);
            let prefix = [["nice", "-n", "-?\\d+"], ["ionice", "-c[0-3]", "-n[0-7]"]][rng.below(2)];
            d.extend(prefix.iter().take(rng.below(4)).map(|p| (*p).to_owned()));
            d
        }
        _ => {
            let mut d = s(&[
                *rng.pick(&["Bogus", "commandfilter", "", "CommandFilter"]),
                exec,
            ]);
            if rng.chance(50) {
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
    if rng.chance(10) {
        out.push_str("[DEFAULT]\ndefault_ls: CommandFilter, cat, root\n");
        defs.push(vec!["CommandFilter".into(), "cat".into(), "root".into()]);
    }
    out.push_str(if rng.chance(5) {
        "[filters]\n"
    } else {
        "[Filters]\n"
    });
    for i in 0..rng.below(6) + 1 {
        let def = gen_definition(rng);
        let name = (*rng.pick(&["ls", "Cat_1", "f", "ID", "privsep-helper", "x"])).to_owned()
            + &i.to_string();
        let name = if rng.chance(10) {
            "dup".to_owned()
        } else {
            name
        };
        let sep = *rng.pick(&[": ", "=", " : ", ":"]);
        let mut value = def.join(", ");
        if rng.chance(8) {
            value.push(',');
        }
        if rng.chance(10) && value.contains(", ") {
            value = value.replacen(", ", ",\n    ", 1);
        }
        if rng.chance(8) {
            out.push_str("# a comment: CommandFilter, sh, root\n");
        }
        if rng.chance(5) {
            out.push_str("    ; indented comment\n");
        }
        if rng.chance(3) {
            out.push_str("no delimiter here\n");
        }
        out.push_str(&format!("{name}{sep}{value}\n"));
        if rng.chance(8) {
            out.push('\n');
        }
        defs.push(def);
    }
    if rng.chance(10) {
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
        if rng.chance(40) {
            let extra = *rng.pick::<&str>(&extras);
            c.push_str(extra);
            c.push('\n');
        }
    }
    if rng.chance(5) {
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
    if !defs.is_empty() && rng.chance(60) {
        // Aim at a definition: its executable's basename (or full path) plus
        // as many arguments as it expects.
        let def = rng.pick(defs);
        let exec = def.get(1).cloned().unwrap_or_default();
        let base = exec.rsplit('/').next().unwrap_or_default().to_owned();
        let first = match def[0].as_str() {
            "KillFilter" => "kill".to_owned(),
            "ReadFileFilter" => "cat".to_owned(),
            "IpFilter" | "IpNetnsExecFilter" => "ip".to_owned(),
            "EnvFilter" if rng.chance(50) => "env".to_owned(),
            _ if rng.chance(20) => exec.clone(),
            _ => base,
        };
        argv.push(first.into_bytes());
        let wanted = def.len().saturating_sub(3) + rng.below(2);
        for i in 0..wanted {
            let tok = match (def[0].as_str(), i) {
                ("IpNetnsExecFilter", 0) | ("IpFilter", 0) => {
                    *rng.pick(&["netns", "net", "a", "-s"])
                }
                ("IpNetnsExecFilter", 1) => *rng.pick(&["exec", "e", "list"]),
                ("KillFilter", _) => *rng.pick(&["-9", "-TERM", "{LIVE}", "{DEAD}", "{LIVE}"]),
                ("EnvFilter", _) => *rng.pick(&["A=1", "B=2", "LC_ALL=C", "ls", "cat", "sort"]),
                ("ReadFileFilter", _) => *rng.pick(&["/etc/hosts", "{DIR}/file"]),
                _ => *rng.pick(&tokens),
            };
            argv.push(subst(tok, dir, fx).into_bytes());
        }
        if def[0] == "KillFilter" && argv.len() == 1 {
            argv.push(fx.live_pid.clone().into_bytes());
        }
    } else {
        let first = *rng.pick(&[
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
            let token = *rng.pick::<&str>(&tokens);
            argv.push(subst(token, dir, fx).into_bytes());
        }
    }
    if rng.chance(5) {
        argv.push(b"\xff\xfe-x".to_vec());
    }
    if rng.chance(3) {
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
            let name = *rng.pick(&["a.filters", "b.filters", "README", "x.filters~", "z"]);
            let path = dir.join("d").join(format!("{j}{name}"));
            write(&path, text.as_bytes(), 0o644);
            files.push((path, text.into_bytes()));
        }
        if rng.chance(10) {
            write(&dir.join("d/.hidden"), b"garbage", 0o644);
        }
        if rng.chance(10) {
            fs::create_dir_all(dir.join("d/subdir")).unwrap();
            fs::set_permissions(dir.join("d/subdir"), fs::Permissions::from_mode(0o755)).unwrap();
        }
        if rng.chance(10) {
            std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("d/dangling")).unwrap();
        }
        if rng.chance(10) {
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
                cwd: if rng.chance(20) {
                    dir.join("real")
                } else {
                    dir.clone()
                },
                files: files.clone(),
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
            if rng.chance(10) {
                push(vec![format!("/usr/local/{exec_base}")], label.clone());
            }
        }
    }
    cases
}

// ----------------------------------------------------------------- runner

fn run_reference(python: &Path, cases: &[Case]) -> Vec<(String, i32)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/rootwrap_oracle.py");
    let mut child = Command::new(python)
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

fn run_ours(case: &Case) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_oslo-rootwrap"))
        .args(["--dry-run", "--json"])
        .arg(&case.config)
        .arg("--")
        .args(case.argv.iter().map(|a| std::ffi::OsStr::from_bytes(a)))
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

fn compare(python: &Path, cases: &[Case], what: &str) {
    let reference = run_reference(python, cases);
    assert_eq!(reference.len(), cases.len());
    let mut mismatches = Vec::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for (case, expected) in cases.iter().zip(&reference) {
        let got = run_ours(case);
        let reason: serde_json::Value = serde_json::from_str(&expected.0).unwrap_or_default();
        let key = if reason["allowed"] == true {
            "allowed".to_owned()
        } else {
            reason["reason"].as_str().unwrap_or("?").to_owned()
        };
        *outcomes.entry(key).or_default() += 1;
        if &got != expected {
            mismatches.push((case, expected.clone(), got));
        }
    }
    eprintln!(
        "differential ({what}): {} cases, outcomes {outcomes:?}",
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
    let Some(python) = common::reference_python("differential::generated") else {
        return;
    };
    let (_procs, live, dead) = processes();
    let mut fx = Fixture::new(live, dead);
    let cases = generated_cases(&mut fx, 700);
    compare(&python, &cases, "generated");
}

#[test]
fn corpus_cases_agree_with_reference() {
    let Some(python) = common::reference_python("differential::corpus") else {
        return;
    };
    let Some(corpus) = common::corpus() else {
        eprintln!("SKIPPED: differential::corpus: ../shared/corpus/rootwrap is absent");
        return;
    };
    let (_procs, live, dead) = processes();
    let mut fx = Fixture::new(live, dead);
    let cases = corpus_cases(&mut fx, &corpus);
    assert!(cases.len() > 500, "only {} corpus cases", cases.len());
    compare(&python, &cases, "corpus");
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
    };
    let ok = run_ours(&case(dir.join("rootwrap.conf")));
    assert_eq!(ok.1, 0, "{}", ok.0);
    fs::set_permissions(dir.join("d/x.filters"), fs::Permissions::from_mode(0o664)).unwrap();
    assert_eq!(
        run_ours(&case(dir.join("rootwrap.conf"))),
        (
            r#"{"allowed": false, "reason": "badconfig"}"#.to_owned(),
            97
        )
    );
    fs::set_permissions(dir.join("d/x.filters"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(dir.join("rootwrap.conf"), fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(
        run_ours(&case(dir.join("rootwrap.conf"))),
        (
            r#"{"allowed": false, "reason": "badconfig"}"#.to_owned(),
            97
        )
    );
}
