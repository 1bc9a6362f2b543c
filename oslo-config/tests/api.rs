//! The library API through the precedence rules of oslo.config (each
//! expectation is the reference's behaviour, checked against oslo.config
//! 10.7.0; the randomized comparison is `dump_differential.rs`).
#![cfg(test)]

use std::collections::HashMap;
use std::path::Path;

use oslo_config::{CallArgs, ConfigOpts, DeprecatedOpt, Error, Locations, Opt};
use pycompat::value::Value;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
    vars.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn call(conf: &mut ConfigOpts, args: &[&str]) -> oslo_config::Result<()> {
    conf.call(
        CallArgs::new(args.iter().copied())
            .prog("test")
            .no_default_files(),
    )
}

#[test]
fn file_env_cli_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.conf", "[DEFAULT]\nin_file = file\n");
    let mut conf = ConfigOpts::new();
    conf.set_environment(env(&[
        ("OS_DEFAULT__IN_FILE", "env"),
        ("OS_DEFAULT__NOT_IN_FILE", "env"),
    ]));
    conf.register_cli_opt(Opt::string("in_file"), None).unwrap();
    conf.register_cli_opt(Opt::string("not_in_file"), None)
        .unwrap();
    call(
        &mut conf,
        &[
            "--config-file",
            &f,
            "--in_file",
            "cli",
            "--not_in_file",
            "cli",
        ],
    )
    .unwrap();
    // The option a file mentions: the environment beats the command line.
    assert_eq!(conf.get("in_file").unwrap(), Value::str("env"));
    // Not in any file: the command line wins.
    assert_eq!(conf.get("not_in_file").unwrap(), Value::str("cli"));
    let loc = conf.get_location("not_in_file", None).unwrap().unwrap();
    assert_eq!(loc.location, Locations::CommandLine);
    let loc = conf.get_location("in_file", None).unwrap().unwrap();
    assert_eq!(loc.location, Locations::Environment);
    assert_eq!(loc.detail, "OS_DEFAULT__IN_FILE");
}

#[test]
fn files_in_argv_order_and_dirs_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.conf", "[DEFAULT]\nx = a\ny = a\n");
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    write(&d, "9-y.conf", "[DEFAULT]\nx = 9\n");
    write(&d, "10-x.conf", "[DEFAULT]\nx = 10\ny = 10\n");
    write(&d, ".hidden.conf", "[DEFAULT]\nx = hidden\n");
    write(&d, "z.txt", "[DEFAULT]\nx = txt\n");
    let b = write(dir.path(), "b.conf", "[DEFAULT]\ny = b\n");
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opts(vec![Opt::string("x"), Opt::string("y")], None)
        .unwrap();
    call(
        &mut conf,
        &[
            "--config-file",
            &a,
            "--config-dir",
            d.to_str().unwrap(),
            "--config-file",
            &b,
        ],
    )
    .unwrap();
    // "10-x" < "9-y" in code-point order, so 9-y.conf is read last.
    assert_eq!(conf.get("x").unwrap(), Value::str("9"));
    assert_eq!(conf.get("y").unwrap(), Value::str("b"));
    let loc = conf.get_location("y", None).unwrap().unwrap();
    assert_eq!(loc.location, Locations::User);
    assert_eq!(loc.detail, b);
    assert_eq!(loc.value_at, Some((b.clone(), 2)));
}

#[test]
fn sections_normalized_keys_exact_deprecated_names() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.conf",
        "[Database]\nconnection = new\nold_conn = old\n[default]\nx = lower\n",
    );
    let b = write(dir.path(), "b.conf", "[database]\nold_conn = newer-old\n");
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opt(Opt::string("x").default("dflt"), None)
        .unwrap();
    conf.register_opt(
        Opt::string("connection").deprecated_opts(&[DeprecatedOpt::new(Some("old_conn"), None)]),
        Some("database"),
    )
    .unwrap();
    call(&mut conf, &["--config-file", &a]).unwrap();
    // `[default]` is not DEFAULT; `[Database]` is `database`; the new
    // name wins inside one file.
    assert_eq!(conf.get("x").unwrap(), Value::str("dflt"));
    assert_eq!(
        conf.get_in(Some("database"), "connection").unwrap(),
        Value::str("new")
    );
    // The section's spelling differs from the group name: no file in the
    // location, as in the reference.
    let loc = conf
        .get_location("connection", Some("database"))
        .unwrap()
        .unwrap();
    assert_eq!(loc.detail, "");
    // A deprecated name in a later file beats the new name in an earlier.
    call(&mut conf, &["--config-file", &a, "--config-file", &b]).unwrap();
    assert_eq!(
        conf.get_in(Some("database"), "connection").unwrap(),
        Value::str("newer-old")
    );
}

#[test]
fn overrides_defaults_and_interpolation() {
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opt(Opt::string("state_path").default("/var/lib/x"), None)
        .unwrap();
    conf.register_opt(Opt::string("lock_path").default("$state_path/lock"), None)
        .unwrap();
    conf.register_opt(Opt::integer("workers").default(2), Some("api"))
        .unwrap();
    conf.register_opt(
        Opt::string("where").default("${api.workers} workers, \\$5"),
        None,
    )
    .unwrap();
    call(&mut conf, &[]).unwrap();
    assert_eq!(
        conf.get("lock_path").unwrap(),
        Value::str("/var/lib/x/lock")
    );
    assert_eq!(conf.get("where").unwrap(), Value::str("2 workers, $5"));
    conf.set_override("state_path", "/srv", None).unwrap();
    assert_eq!(conf.get("lock_path").unwrap(), Value::str("/srv/lock"));
    conf.set_default("workers", "7", Some("api")).unwrap();
    assert_eq!(
        conf.get_in(Some("api"), "workers").unwrap(),
        Value::int("7").unwrap()
    );
    assert!(matches!(
        conf.set_override("workers", "many", Some("api")),
        Err(Error::Value(_))
    ));
    conf.clear_override("state_path", None).unwrap();
    assert_eq!(
        conf.get("lock_path").unwrap(),
        Value::str("/var/lib/x/lock")
    );
    assert_eq!(
        conf.get_location("workers", Some("api"))
            .unwrap()
            .unwrap()
            .location,
        Locations::SetDefault
    );
}

#[test]
fn errors_have_the_reference_classes() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.conf", "[DEFAULT]\nn = x\n");
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opt(Opt::integer("n"), None).unwrap();
    call(&mut conf, &["--config-file", &bad]).unwrap();
    let e = conf.get("n").unwrap_err();
    assert_eq!(e.python_class(), "ConfigFileValueError");
    assert_eq!(
        e.to_string(),
        format!(
            "Value for option n from LocationInfo(location=<Locations.user: (4, True)>, \
             detail='{bad}') is not valid: invalid literal for int() with base 10: 'x'"
        )
    );
    let missing = dir.path().join("missing.conf");
    let e = call(&mut conf, &["--config-file", missing.to_str().unwrap()]).unwrap_err();
    assert_eq!(e.python_class(), "ConfigFilesNotFoundError");
    let e = call(&mut conf, &["--unknown"]).unwrap_err();
    assert!(matches!(e, Error::Exit { status: 2, .. }));
    let mut conf = ConfigOpts::new();
    conf.register_opt(Opt::string("a").required(true), Some("g"))
        .unwrap();
    let e = call(&mut conf, &[]).unwrap_err();
    assert_eq!(e.to_string(), "value required for option a in group [g]");
    assert!(matches!(
        conf.register_opt(Opt::integer("a"), Some("g")),
        Err(Error::DuplicateOpt(_))
    ));
    assert_eq!(
        conf.register_opt(Opt::string("a").required(true), Some("g")),
        Ok(false)
    );
}

#[test]
fn mutate_reports_only_mutable_changes() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.conf", "[DEFAULT]\ndebug = false\nport = 1\n");
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opt(Opt::boolean("debug").mutable(true), None)
        .unwrap();
    conf.register_opt(Opt::integer("port"), None).unwrap();
    call(&mut conf, &["--config-file", &f]).unwrap();
    std::fs::write(&f, "[DEFAULT]\ndebug = true\nport = 2\n").unwrap();
    let changes = conf.mutate_config_files().unwrap();
    assert_eq!(
        changes,
        vec![(
            (None, "debug".to_owned()),
            (Value::str("false"), Value::str("true"))
        )]
    );
    assert_eq!(conf.get("debug").unwrap(), Value::Bool(true));
    assert_eq!(conf.get("port").unwrap(), Value::int("1").unwrap());
    assert!(conf.reload_config_files());
    assert_eq!(conf.get("port").unwrap(), Value::int("2").unwrap());
}

#[test]
fn multi_opts_accumulate_in_argv_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.conf", "[DEFAULT]\nm = 1\nold = 0\nm = 2\n");
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_cli_opt(Opt::multi_string("m").deprecated(Some("old"), None), None)
        .unwrap();
    call(&mut conf, &["--m", "x", "--config-file", &a, "--m", "y"]).unwrap();
    assert_eq!(
        conf.get("m").unwrap(),
        Value::List(
            ["x", "0", "1", "2", "y"]
                .iter()
                .map(|s| Value::str(*s))
                .collect()
        )
    );
    let mut conf = ConfigOpts::new();
    conf.set_environment(env(&[("OS_DEFAULT__M", "ab")]));
    conf.register_opt(Opt::multi_string("m"), None).unwrap();
    call(&mut conf, &[]).unwrap();
    // A string from the environment is iterated: one item per character.
    assert_eq!(
        conf.get("m").unwrap(),
        Value::List(vec![Value::str("a"), Value::str("b")])
    );
}

#[test]
fn typed_keys_read_rust_types() {
    use oslo_config::TypedOpt;
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "a.conf",
        "[DEFAULT]\nworkers = 8\nhosts = a, b\n[api]\ndebug = yes\nratio = 2\n",
    );
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    let workers = conf
        .register_typed(TypedOpt::integer("workers"), None)
        .unwrap();
    let hosts = conf.register_typed(TypedOpt::list("hosts"), None).unwrap();
    let debug = conf
        .register_typed(TypedOpt::boolean("debug"), Some("api"))
        .unwrap();
    let ratio = conf
        .register_typed(TypedOpt::float("ratio"), Some("api"))
        .unwrap();
    let name = conf
        .register_typed(
            TypedOpt::string("name").with(|o| o.default("n")),
            Some("api"),
        )
        .unwrap();
    let unset = conf
        .register_typed(TypedOpt::string("unset"), None)
        .unwrap();
    call(&mut conf, &["--config-file", &f]).unwrap();
    assert_eq!(conf.value(&workers).unwrap(), Some(8));
    assert_eq!(
        conf.value(&hosts).unwrap(),
        Some(vec!["a".to_owned(), "b".to_owned()])
    );
    assert_eq!(conf.value(&debug).unwrap(), Some(true));
    assert_eq!(conf.value(&ratio).unwrap(), Some(2.0));
    assert_eq!(conf.value(&name).unwrap(), Some("n".to_owned()));
    assert_eq!(conf.value(&unset).unwrap(), None);
}

/// Reads are memoized, and each parse looks every option up once for
/// them: whatever changes a value (overrides, defaults, a new parse, a
/// reload, a mutation, options registered or unregistered around the
/// parse) must be seen by the next read.
#[test]
fn memo_and_parse_index_follow_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.conf",
        "[DEFAULT]\nx = 1\nlate = a-late\n[g]\ny = a-y\nold_z = a-z\n[h]\nw = a-w\n[other]\nreal = a-real\n",
    );
    let b = write(
        dir.path(),
        "b.conf",
        "[DEFAULT]\nx = 2\nlate = b-late\n[g]\ny = b-y\nold_z = b-z\n[h]\nw = b-w\n[other]\nreal = b-real\n",
    );
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opt(Opt::integer("x").default(0i64), None)
        .unwrap();
    conf.register_opt(Opt::string("y").mutable(true), Some("g"))
        .unwrap();
    // Registered and unregistered before the parse: indices shift.
    conf.register_opt(Opt::string("gone"), Some("g")).unwrap();
    conf.register_opt(Opt::string("z").deprecated(Some("old_z"), None), Some("g"))
        .unwrap();
    conf.unregister_opt("gone", Some("g")).unwrap();
    call(&mut conf, &["--config-file", &a]).unwrap();
    let x = |conf: &ConfigOpts| conf.get("x").unwrap();
    let g = |conf: &ConfigOpts, name: &str| conf.get_in(Some("g"), name).unwrap();
    assert_eq!(x(&conf), Value::int("1").unwrap());
    assert_eq!(g(&conf, "y"), Value::str("a-y"));
    assert_eq!(g(&conf, "z"), Value::str("a-z"));

    // Registered after the parse (and after reads), in DEFAULT, in a
    // known group and in a new one.
    conf.register_opt(Opt::string("late"), None).unwrap();
    conf.register_opt(Opt::string("w").mutable(true), Some("h"))
        .unwrap();
    assert_eq!(conf.get("late").unwrap(), Value::str("a-late"));
    assert_eq!(conf.get_in(Some("h"), "w").unwrap(), Value::str("a-w"));

    // Overrides and defaults, set and cleared.
    conf.set_override("x", 7i64, None).unwrap();
    assert_eq!(x(&conf), Value::int("7").unwrap());
    conf.clear_override("x", None).unwrap();
    assert_eq!(x(&conf), Value::int("1").unwrap());
    conf.set_default("late", "d", None).unwrap();
    assert_eq!(conf.get("late").unwrap(), Value::str("a-late"));
    conf.clear_cache();
    assert_eq!(conf.get("late").unwrap(), Value::str("a-late"));

    // A copy reads what the original reads.
    let copy = conf.clone();
    assert_eq!(g(&copy, "z"), Value::str("a-z"));
    assert_eq!(copy.get_in(Some("h"), "w").unwrap(), Value::str("a-w"));

    // Mutation: mutable options (registered before or after the parse)
    // see the new file, the others do not until a reload.
    std::fs::copy(&b, &a).unwrap();
    conf.mutate_config_files().unwrap();
    assert_eq!(g(&conf, "y"), Value::str("b-y"));
    assert_eq!(conf.get_in(Some("h"), "w").unwrap(), Value::str("b-w"));
    assert_eq!(x(&conf), Value::int("1").unwrap());
    assert_eq!(g(&conf, "z"), Value::str("a-z"));
    // Registered after the mutation: mutable reads the mutated parse.
    conf.register_opt(Opt::string("v").mutable(true).default("dv"), Some("h"))
        .unwrap();
    assert_eq!(conf.get_in(Some("h"), "v").unwrap(), Value::str("dv"));
    assert!(conf.reload_config_files());
    assert_eq!(x(&conf), Value::int("2").unwrap());
    assert_eq!(g(&conf, "z"), Value::str("b-z"));
    assert_eq!(conf.get("late").unwrap(), Value::str("b-late"));

    // A new parse of other files, and no files at all.
    let c = write(dir.path(), "c.conf", "[DEFAULT]\nx = 3\n[g]\nold_z = c-z\n");
    call(&mut conf, &["--config-file", &c]).unwrap();
    assert_eq!(x(&conf), Value::int("3").unwrap());
    assert_eq!(g(&conf, "z"), Value::str("c-z"));
    assert_eq!(g(&conf, "y"), Value::None);
    assert_eq!(conf.get("late").unwrap(), Value::str("d"));
    conf.clear();
    assert_eq!(x(&conf), Value::int("0").unwrap());
    conf.reset();
    assert_eq!(conf.get("late").unwrap(), Value::None);

    // A deprecated name read in its own group finds the option of
    // another group (read under the name's group, as the reference does).
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opt(
        Opt::string("real").deprecated(Some("alias"), Some("old")),
        Some("other"),
    )
    .unwrap();
    conf.register_group(oslo_config::OptGroup::new("old"));
    let d = write(
        dir.path(),
        "d.conf",
        "[other]\nreal = d-real\n[old]\nalias = old-alias\n",
    );
    call(&mut conf, &["--config-file", &d]).unwrap();
    assert_eq!(
        conf.get_in(Some("other"), "real").unwrap(),
        Value::str("d-real")
    );
    assert_eq!(
        conf.get_in(Some("old"), "alias").unwrap(),
        Value::str("old-alias")
    );
}
