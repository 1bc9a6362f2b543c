//! What our own tools and the library tell operators (issue 14, "Config
//! tools"): each error names the file and line (and column) and says what
//! is wrong in operator words; secret values are never shown unless asked
//! for; `dump` and the generator keep the reference's texts.
#![cfg(test)]

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use oslo_config::report::{Secrets, describe};
use oslo_config::{CallArgs, ConfigOpts, Error, Opt, OptGroup};

const OPTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/check-opts.yaml"
);
const SECRET: &str = "S3cretPass";

fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

/// The options of `tests/fixtures/check-opts.yaml`, in code.
fn registry() -> ConfigOpts {
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_cli_opt(Opt::boolean("debug"), None).unwrap();
    conf.register_cli_opt(Opt::integer("count"), None).unwrap();
    conf.register_opts(
        vec![
            Opt::new(
                "workers",
                oslo_config::Type::Integer(oslo_config::types::IntegerType::between(
                    Some(1),
                    Some(64),
                )),
            )
            .default(1),
            Opt::string("state_path").default("/var/lib/demo"),
            Opt::string("lock_path").default("$state_path/lock"),
        ],
        None,
    )
    .unwrap();
    conf.register_group(OptGroup::new("database"));
    conf.register_opts(
        vec![
            Opt::string("connection").secret(true),
            Opt::integer("pool_size").secret(true).mutable(true),
        ],
        Some("database"),
    )
    .unwrap();
    conf
}

fn call(conf: &mut ConfigOpts, args: &[&str]) -> oslo_config::Result<()> {
    conf.call(
        CallArgs::new(args.iter().copied())
            .prog("test")
            .no_default_files(),
    )
}

fn lines(e: &Error, secrets: Secrets) -> Vec<String> {
    describe(e, secrets)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_bad_file_value_of_a_command_line_option_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.conf", b"[DEFAULT]\ndebug = yes2\n");
    let mut conf = registry();
    let e = call(&mut conf, &["--config-file", &f]).unwrap_err();
    // The reference's text stays what `dump` prints.
    assert_eq!(
        e.to_string(),
        "argument --debug: Invalid Boolean value: yes2\n"
    );
    assert_eq!(
        lines(&e, Secrets::Masked),
        vec![format!(
            "{f}:2: [DEFAULT] debug: expected a boolean (true/false, yes/no, on/off or 1/0), got 'yes2'"
        )]
    );
    // Given on the command line after the file: the command line's.
    let g = write(dir.path(), "b.conf", b"[DEFAULT]\ncount = 2\n");
    let e = call(&mut conf, &["--config-file", &g, "--count", "x"]).unwrap_err();
    assert_eq!(
        lines(&e, Secrets::Masked),
        vec!["command line: [DEFAULT] count: expected an integer, got 'x'"]
    );
}

#[test]
fn an_out_of_range_value_says_the_bounds_not_a_location_repr() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.conf", b"[DEFAULT]\n\nworkers = 0\n");
    let mut conf = registry();
    call(&mut conf, &["--config-file", &f]).unwrap();
    let e = conf.get("workers").unwrap_err();
    assert_eq!(e.python_class(), "ConfigFileValueError");
    assert!(
        e.to_string()
            .contains("LocationInfo(location=<Locations.user: (4, True)>")
    );
    let shown = lines(&e, Secrets::Masked);
    assert_eq!(
        shown,
        vec![format!(
            "{f}:3: [DEFAULT] workers: 0 is out of range: must be between 1 and 64"
        )]
    );
    // From the environment: the variable, not the file.
    let mut conf = registry();
    conf.set_environment(HashMap::from([(
        "OS_DEFAULT__WORKERS".to_owned(),
        "65".to_owned(),
    )]));
    call(&mut conf, &["--config-file", &f]).unwrap();
    let e = conf.get("workers").unwrap_err();
    assert_eq!(
        lines(&e, Secrets::Masked),
        vec![
            "environment OS_DEFAULT__WORKERS: [DEFAULT] workers: 65 is out of range: must be between 1 and 64"
        ]
    );
}

#[test]
fn an_interpolation_cycle_is_called_a_cycle_not_no_such_option() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "a.conf",
        b"[DEFAULT]\nstate_path = $lock_path/x\nlock_path = $state_path/lock\n",
    );
    let mut conf = registry();
    call(&mut conf, &["--config-file", &f]).unwrap();
    let e = conf.get("state_path").unwrap_err();
    // What `dump` keeps: the reference's class and text.
    assert_eq!(e.python_class(), "NoSuchOptError");
    assert_eq!(
        e.to_string(),
        "no such option state_path in group [DEFAULT]"
    );
    assert_eq!(
        lines(&e, Secrets::Masked),
        vec!["[DEFAULT] state_path: interpolation cycle: state_path -> lock_path -> state_path"]
    );
    // `oslo-config check` puts it on the lines.
    let report = oslo_config::check::check(
        &registry(),
        CallArgs::new(["--config-file", f.as_str()]).no_default_files(),
        Secrets::Masked,
    );
    let shown: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            format!(
                "{f}:2: [DEFAULT] state_path: interpolation cycle: state_path -> lock_path -> state_path"
            ),
            format!(
                "{f}:3: [DEFAULT] lock_path: interpolation cycle: lock_path -> state_path -> lock_path"
            ),
        ]
    );
}

#[test]
fn undecodable_bytes_are_reported_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "a.conf",
        b"[DEFAULT]\r\n# comment\r\nstate_path = /caf\xe9\xff\r\nworkers = 2\n",
    );
    let mut conf = registry();
    let e = call(&mut conf, &["--config-file", &f]).unwrap_err();
    // `dump` keeps Python's exception.
    assert_eq!(e.python_class(), "UnicodeDecodeError");
    assert!(e.to_string().contains("position 39"), "{e}");
    let report = oslo_config::check::check(
        &registry(),
        CallArgs::new(["--config-file", f.as_str()]).no_default_files(),
        Secrets::Masked,
    );
    let shown: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![format!(
            "{f}:3:18: not UTF-8: bytes 0xe9 0xff at byte 18 of the line cannot be decoded (config files must be UTF-8)"
        )]
    );
}

#[test]
fn secret_values_are_never_shown_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "a.conf",
        format!("[database]\nconnection = mysql://nova:{SECRET}@db\npool_size = {SECRET}\n")
            .as_bytes(),
    );
    let mut conf = registry();
    call(&mut conf, &["--config-file", &f]).unwrap();
    let e = conf.get_in(Some("database"), "pool_size").unwrap_err();
    // The reference's text quotes it (dump's contract)...
    assert!(e.to_string().contains(SECRET));
    // ...the operator's message does not.
    assert_eq!(
        lines(&e, Secrets::Masked),
        vec![format!(
            "{f}:3: [database] pool_size: expected an integer, got ****"
        )]
    );
    assert_eq!(
        lines(&e, Secrets::Shown),
        vec![format!(
            "{f}:3: [database] pool_size: expected an integer, got '{SECRET}'"
        )]
    );
    // log_opt_values.
    let mut conf = registry();
    let g = write(
        dir.path(),
        "b.conf",
        format!("[database]\nconnection = mysql://nova:{SECRET}@db\n").as_bytes(),
    );
    call(&mut conf, &["--config-file", &g]).unwrap();
    let logged = conf.opt_values_lines().unwrap().join("\n");
    assert!(
        logged.contains("database.connection            = ****"),
        "{logged}"
    );
    assert!(!logged.contains(SECRET), "{logged}");
}

/// Records the message of every `tracing` event.
struct Capture(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut m = Message(String::new());
        event.record(&mut m);
        self.0.lock().unwrap().push(m.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn the_library_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.conf", b"[database]\npool_size = 5\n");
    let mut conf = registry();
    call(&mut conf, &["--config-file", &f]).unwrap();
    let logs = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::with_default(Capture(logs.clone()), || {
        // A mutable secret changes on SIGHUP.
        std::fs::write(&f, "[database]\npool_size = 4242\n").unwrap();
        let changes = conf.mutate_config_files().unwrap();
        assert_eq!(changes.len(), 1);
        // A reload that fails on a secret's value.
        let g = write(dir.path(), "b.conf", b"");
        let mut cli_secret = ConfigOpts::new();
        cli_secret.set_environment(HashMap::new());
        cli_secret
            .register_cli_opt(Opt::boolean("debug").secret(true), None)
            .unwrap();
        call(&mut cli_secret, &["--config-file", &g]).unwrap();
        std::fs::write(&g, format!("[DEFAULT]\ndebug = {SECRET}\n")).unwrap();
        assert!(!cli_secret.reload_config_files());
    });
    let logs = logs.lock().unwrap().join("\n");
    assert!(
        logs.contains("Option database.pool_size changed from [****] to [****]"),
        "{logs}"
    );
    assert!(logs.contains("debug: expected a boolean"), "{logs}");
    assert!(!logs.contains("4242") && !logs.contains(SECRET), "{logs}");
}

fn run(dir: &Path, program: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn explain_masks_secrets_unless_asked_and_reports_problems_in_operator_words() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.conf",
        format!("[DEFAULT]\nworkers = 0\n[database]\nconnection = mysql://nova:{SECRET}@db\n")
            .as_bytes(),
    );
    let bin = env!("CARGO_BIN_EXE_oslo-config");
    write(
        dir.path(),
        "ok.conf",
        format!("[database]\nconnection = mysql://nova:{SECRET}@db\n").as_bytes(),
    );
    let (code, out, err) = run(
        dir.path(),
        bin,
        &["explain", "--opt-data", OPTS, "--config-file", "ok.conf"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("[database] connection = ****    # from file ok.conf:2"),
        "{out}"
    );
    assert!(!out.contains(SECRET), "{out}");
    let (code, out, _) = run(
        dir.path(),
        bin,
        &[
            "explain",
            "--show-secrets",
            "--opt-data",
            OPTS,
            "--config-file",
            "ok.conf",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("connection = 'mysql://nova:{SECRET}@db'")),
        "{out}"
    );
    // A value the reference reports with a LocationInfo repr.
    let (code, out, err) = run(
        dir.path(),
        bin,
        &["explain", "--opt-data", OPTS, "--config-file", "a.conf"],
    );
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert_eq!(
        err,
        "a.conf:2: [DEFAULT] workers: 0 is out of range: must be between 1 and 64\n\
         oslo-config explain: 1 error, 0 warnings\n"
    );
}

#[test]
fn dump_keeps_the_reference_texts() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.conf",
        format!("[DEFAULT]\ndebug = yes2\n[database]\nconnection = {SECRET}\n").as_bytes(),
    );
    let (code, out, err) = run(
        dir.path(),
        env!("CARGO_BIN_EXE_oslo-config"),
        &["dump", "--opt-data", OPTS, "--config-file", "a.conf"],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "argument --debug: Invalid Boolean value: yes2\nSystemExit: 1\n"
    );
    // The contract shows values, secret or not.
    write(
        dir.path(),
        "b.conf",
        format!("[database]\nconnection = {SECRET}\n").as_bytes(),
    );
    let (code, out, _) = run(
        dir.path(),
        env!("CARGO_BIN_EXE_oslo-config"),
        &["dump", "--opt-data", OPTS, "--config-file", "b.conf"],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("\"connection\": \"{SECRET}\"")),
        "{out}"
    );
}

#[test]
fn dump_reports_undecodable_bytes_at_the_reference_position() {
    // Python decodes in 8192-byte chunks: the position is in the chunk
    // (the reference prints `position 832` for this file).
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"[DEFAULT]\n# ".to_vec();
    text.extend(std::iter::repeat_n(b'x', 9000));
    text.extend_from_slice(b"\nworkers = 3\xff\n");
    write(dir.path(), "big.conf", &text);
    let (code, _, err) = run(
        dir.path(),
        env!("CARGO_BIN_EXE_oslo-config"),
        &["dump", "--opt-data", OPTS, "--config-file", "big.conf"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 832: invalid start byte\n"
    );
    let (code, out, _) = run(
        dir.path(),
        env!("CARGO_BIN_EXE_oslo-config"),
        &["check", "--opt-data", OPTS, "--config-file", "big.conf"],
    );
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "big.conf:3:12: not UTF-8: byte 0xff at byte 12 of the line cannot be decoded"
        ),
        "{out}"
    );
}

#[test]
fn an_unwritable_output_file_is_named_with_the_operation() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        dir.path(),
        env!("CARGO_BIN_EXE_oslo-config-generator"),
        &[
            "--opt-data",
            OPTS,
            "--output-file",
            "no/such/dir/sample.conf",
        ],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "oslo-config-generator: cannot open --output-file 'no/such/dir/sample.conf' for writing: \
         No such file or directory\n\
         FileNotFoundError: [Errno 2] No such file or directory: 'no/such/dir/sample.conf'\n"
    );
    // Opened before the namespaces are looked at, as the reference does.
    let (code, _, err) = run(
        dir.path(),
        env!("CARGO_BIN_EXE_oslo-config-generator"),
        &[
            "--opt-data",
            OPTS,
            "--namespace",
            "nosuch",
            "--output-file",
            ".",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.ends_with(
            "cannot open --output-file '.' for writing: Is a directory\n\
             IsADirectoryError: [Errno 21] Is a directory: '.'\n"
        ),
        "{err}"
    );
    let (code, _, err) = run(
        dir.path(),
        env!("CARGO_BIN_EXE_oslo-config-generator"),
        &["--opt-data", OPTS, "--output-file", "/dev/full"],
    );
    assert_eq!(code, 1);
    assert!(
        err.ends_with(
            "oslo-config-generator: cannot write --output-file '/dev/full': No space left on device\n\
             OSError: [Errno 28] No space left on device\n"
        ),
        "{err}"
    );
}

#[test]
fn the_example_service_masks_secrets_and_refuses_with_every_problem() {
    let exe = std::env::current_exe().unwrap();
    let service = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|d| d.join("examples/service"))
        .unwrap();
    if !service.exists() {
        eprintln!("SKIPPED: service: {} was not built", service.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "demo.conf",
        format!("[DEFAULT]\nworkers = 2\n[database]\nconnection = mysql://nova:{SECRET}@db\n")
            .as_bytes(),
    );
    let service = service.to_str().unwrap();
    let (code, out, err) = run(
        dir.path(),
        service,
        &["--config-file", "demo.conf", "--once"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("database.connection = ****"), "{out}");
    assert!(!out.contains(SECRET), "{out}");
    let (code, out, _) = run(
        dir.path(),
        service,
        &["--config-file", "demo.conf", "--once", "--show-secrets"],
    );
    assert_eq!(code, 0);
    assert!(out.contains(SECRET), "{out}");
    write(
        dir.path(),
        "bad.conf",
        b"[DEFAULT]\ndebug = yes2\nworkers = many\nbind_prt = 1\n",
    );
    let (code, out, err) = run(
        dir.path(),
        service,
        &["--config-file", "bad.conf", "--once"],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "demo: cannot start:\n\
         \x20 bad.conf:2: [DEFAULT] debug: expected a boolean (true/false, yes/no, on/off or 1/0), got 'yes2'\n\
         \x20 bad.conf:3: [DEFAULT] workers: expected an integer, got 'many'\n\
         \x20 bad.conf:4: [DEFAULT] bind_prt: unknown option, ignored; did you mean bind_port?\n\
         \x20 [database] connection: required, but no value is set (set it in [database] of a config file, or with OS_DATABASE__CONNECTION)\n"
    );
}
