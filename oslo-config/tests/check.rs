//! `oslo-config check`: every problem of a configuration in one run, one
//! line each, `FILE:LINE: [group] name: what is wrong`, sorted by file
//! and line; exit status 1 on an error (on a warning too with `--strict`).
#![cfg(test)]

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use oslo_config::check::check;
use oslo_config::report::{Kind, Secrets, Severity};
use oslo_config::{CallArgs, ConfigOpts, Opt, OptGroup};

const OPTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/check-opts.yaml"
);

/// Every kind of problem a file can have.
const BROKEN: &[u8] = b"[DEFAULT]
debug = yes2
workers = 0
workers = 2
state_path = $lock_path/x
lock_path = $state_path/lock
lockdir = /run/x
bindport = 80
connection = x
log_dir = /var/log
backends = a
backends = b
bind_port = $nosuch
# caf\xe9
\xff[database]
no separator here
[databse]
max_retries = 1

[database]
connection = mysql+pymysql://nova:S3cretPass@db/nova
max_retries = abc
pool_size = S3cretPass
password = S3cret Pass
max_retries = ${database}

  orphan
";

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oslo-config"))
        .args(args)
        .current_dir(dir)
        .env_remove("OS_DEFAULT__WORKERS")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_problem_in_one_run_sorted_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.conf"), BROKEN).unwrap();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(
        dir.path().join("conf.d/10-more.conf"),
        "[DEFAULT]\nworkers = 65\n[default]\ndebug = true\n",
    )
    .unwrap();
    let (code, out, err) = run(
        dir.path(),
        &[
            "check",
            "--opt-data",
            OPTS,
            "--config-file",
            "broken.conf",
            "--config-file",
            "missing.conf",
            "--config-dir",
            "conf.d",
            "--config-dir",
            "nodir",
        ],
        &[("OS_DATABASE__POOL_SIZE", "0")],
    );
    let expected = "\
broken.conf:2: [DEFAULT] debug: expected a boolean (true/false, yes/no, on/off or 1/0), got 'yes2'
broken.conf:3: [DEFAULT] workers: warning: set again on line 4; only the last value counts
broken.conf:3: [DEFAULT] workers: 0 is out of range: must be between 1 and 64
broken.conf:5: [DEFAULT] state_path: interpolation cycle: state_path -> lock_path -> state_path
broken.conf:6: [DEFAULT] lock_path: interpolation cycle: lock_path -> state_path -> lock_path
broken.conf:7: [DEFAULT] lockdir: warning: deprecated name: use [DEFAULT] lock_path instead; this file also sets lock_path (line 6), which wins, so this line is ignored
broken.conf:8: [DEFAULT] bindport: unknown option, ignored; did you mean bind_port?
broken.conf:9: [DEFAULT] connection: unknown option in [DEFAULT], ignored; did you mean [database] connection?
broken.conf:10: [DEFAULT] log_dir: warning: deprecated for removal since Zed (Logs go to the journal.): its value may be silently ignored in the future
broken.conf:13: [DEFAULT] bind_port: $nosuch names no option
broken.conf:14:6: not UTF-8: byte 0xe9 at byte 6 of the line cannot be decoded (config files must be UTF-8)
broken.conf:15:1: not UTF-8: byte 0xff at byte 1 of the line cannot be decoded (config files must be UTF-8)
broken.conf:16: expected `name = value` (there is no '=' or ':')
broken.conf:17: [databse]: unknown group, its options are ignored; did you mean [database]?
broken.conf:22: [database] max_retries: warning: set again on line 25; only the last value counts
broken.conf:22: [database] max_retries: expected an integer, got 'abc'
broken.conf:23: [database] pool_size: expected an integer, got ****
broken.conf:24: [database] password: the value is not a valid string value (not shown: the option is secret; --show-secrets shows it)
broken.conf:25: [database] max_retries: $database names the group [database], not an option (write $database.OPTION)
broken.conf:27: an indented line continues a value only right after `name = value` (remove the indentation, or the blank or comment line before it)
missing.conf: cannot read it: no such file
conf.d/10-more.conf:2: [DEFAULT] workers: 65 is out of range: must be between 1 and 64
conf.d/10-more.conf:3: [default]: unknown group, its options are ignored; did you mean [DEFAULT]? (section names ignore case, except DEFAULT)
nodir: no such directory (--config-dir)
environment OS_DATABASE__POOL_SIZE: [database] pool_size: **** is out of range: must be at least 1
";
    assert_eq!(out, expected);
    assert_eq!(err, "oslo-config check: 21 errors, 4 warnings\n");
    assert_eq!(code, 1);
    // No secret anywhere; all of them with --show-secrets.
    assert!(!out.contains("S3cret"));
    let (_, shown, _) = run(
        dir.path(),
        &[
            "check",
            "--show-secrets",
            "--opt-data",
            OPTS,
            "--config-file",
            "broken.conf",
        ],
        &[],
    );
    assert!(
        shown.contains(
            "broken.conf:23: [database] pool_size: expected an integer, got 'S3cretPass'"
        ),
        "{shown}"
    );
    assert!(
        shown.contains(
            "broken.conf:24: [database] password: 'S3cret Pass' is not a valid string value: \
             Value 'S3cret Pass' doesn't match regex '^\\\\S+$'"
        ),
        "{shown}"
    );
}

#[test]
fn clean_passes_warnings_fail_only_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.conf"),
        "[DEFAULT]\nworkers = 4\n[database]\nconnection = sqlite://\n",
    )
    .unwrap();
    let args = ["check", "--opt-data", OPTS, "--config-file", "ok.conf"];
    assert_eq!(
        run(dir.path(), &args, &[]),
        (0, String::new(), String::new())
    );
    std::fs::write(
        dir.path().join("old.conf"),
        "[DEFAULT]\nlockdir = /run\n[database]\nconnection = sqlite://\n",
    )
    .unwrap();
    let warned = "old.conf:2: [DEFAULT] lockdir: warning: deprecated name: use [DEFAULT] lock_path instead\n";
    let (code, out, err) = run(
        dir.path(),
        &["check", "--opt-data", OPTS, "--config-file", "old.conf"],
        &[],
    );
    assert_eq!((code, out.as_str()), (0, warned));
    assert_eq!(err, "oslo-config check: 0 errors, 1 warning\n");
    let (code, out, _) = run(
        dir.path(),
        &[
            "check",
            "--strict",
            "--opt-data",
            OPTS,
            "--config-file",
            "old.conf",
        ],
        &[],
    );
    assert_eq!((code, out.as_str()), (1, warned));
}

#[test]
fn the_command_line_and_required_options() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(dir.path(), &["check", "--opt-data", OPTS, "--nosuch"], &[]);
    assert_eq!(
        (code, out.as_str()),
        (1, "command line: unrecognized arguments: --nosuch\n")
    );
    let (code, out, _) = run(dir.path(), &["check", "--opt-data", OPTS], &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "[database] connection: required, but no value is set (set it in [database] of a \
             config file, or with OS_DATABASE__CONNECTION)\n"
        )
    );
    let (code, out, _) = run(
        dir.path(),
        &["check", "--opt-data", OPTS],
        &[
            ("OS_DATABASE__CONNECTION", "$nosuch"),
            ("OS_DEFAULT__STATE_PATH", "$lock_path"),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "environment OS_DATABASE__CONNECTION: [database] connection: $nosuch names no option\n\
         environment OS_DEFAULT__STATE_PATH: [DEFAULT] state_path: interpolation cycle: state_path -> lock_path -> state_path\n\
         [DEFAULT] lock_path: interpolation cycle: lock_path -> state_path -> lock_path\n"
    );
}

#[test]
fn json_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.conf"),
        "[DEFAULT]\nbindport = 1\n[database]\npool_size = secret!\n",
    )
    .unwrap();
    let (code, out, _) = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--opt-data",
            OPTS,
            "--config-file",
            "a.conf",
        ],
        &[],
    );
    assert_eq!(code, 1);
    let all: serde_json::Value = serde_json::from_str(&out).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3, "{out}");
    assert_eq!(all[0]["file"], "a.conf");
    assert_eq!(all[0]["line"], 2);
    assert_eq!(all[0]["severity"], "error");
    assert_eq!(all[0]["kind"], "unknown-option");
    assert_eq!(all[0]["group"], "DEFAULT");
    assert_eq!(all[0]["option"], "bindport");
    assert_eq!(
        all[0]["message"],
        "unknown option, ignored; did you mean bind_port?"
    );
    assert_eq!(all[1]["kind"], "invalid-value");
    assert!(!out.contains("secret!"), "{out}");
    assert_eq!(all[2]["kind"], "required");
    assert_eq!(all[2]["file"], serde_json::Value::Null);
}

#[test]
fn the_library_checks_options_registered_in_code() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("svc.conf");
    std::fs::write(
        &f,
        "[DEFAULT]\nhost = a b\nport = http\n[keystone_authtoken]\nwww_authenticate_uri = x\n",
    )
    .unwrap();
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opts(vec![Opt::string("host"), Opt::port("port")], None)
        .unwrap();
    conf.register_group(OptGroup::new("keystone_authtoken"));
    conf.register_opt(
        Opt::string("auth_uri").deprecated(Some("www_authenticate_uri"), None),
        Some("keystone_authtoken"),
    )
    .unwrap();
    let f = f.to_str().unwrap();
    let report = check(
        &conf,
        CallArgs::new(["--config-file", f]).no_default_files(),
        Secrets::Masked,
    );
    let summary: Vec<(Severity, Kind, String)> = report
        .problems
        .iter()
        .map(|p| (p.severity, p.kind, p.to_string()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Severity::Error,
                Kind::InvalidValue,
                format!(
                    "{f}:3: [DEFAULT] port: expected a port number (an integer from 0 to 65535), got 'http'"
                )
            ),
            (
                Severity::Warning,
                Kind::Deprecated,
                format!(
                    "{f}:5: [keystone_authtoken] www_authenticate_uri: warning: deprecated name: use \
                     [keystone_authtoken] auth_uri instead"
                )
            ),
        ]
    );
    assert_eq!((report.errors(), report.warnings()), (1, 1));
    assert!(report.failed(false));
    // The registry is not changed: it can still be called.
    conf.call(CallArgs::new(Vec::<String>::new()).no_default_files())
        .unwrap();
}
