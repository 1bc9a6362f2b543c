//! Command lines with sub-commands, positionals, flags, abbreviations and
//! deprecated spellings, and `log_opt_values`, against the real
//! oslo.config: `oracle/cli_oracle.py` writes the reference's
//! results for generated argvs; every one must be ours too.
#![cfg(test)]

use std::collections::HashMap;

use oslo_config::{
    CallArgs, ConfigOpts, Error, Opt, SubArg, SubArgAction, SubCommand, SubCommands,
};
use pycompat::value::Value;
use serde_json::{Value as Json, json};

fn build() -> ConfigOpts {
    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_cli_opts(
        vec![
            Opt::boolean("verbose").short("v"),
            Opt::string("name"),
            Opt::multi_string("tag"),
            Opt::integer("count").default(3),
        ],
        None,
    )
    .unwrap();
    conf.register_cli_opt(
        Opt::string("url").deprecated(Some("old-url"), None),
        Some("db"),
    )
    .unwrap();
    let commands = SubCommands {
        title: Some("Commands".into()),
        description: None,
        commands: vec![
            SubCommand::new("list")
                .arg(SubArg::positional("filter").nargs('?'))
                .arg(SubArg::flag(&["--long"])),
            SubCommand::new("show")
                .arg(SubArg::positional("id"))
                .arg(SubArg {
                    action: SubArgAction::Append,
                    ..SubArg::option(&["--fields"])
                }),
            SubCommand::new("delete")
                .arg(SubArg::positional("ids").nargs('*'))
                .arg(SubArg::flag(&["--force"]))
                .arg(SubArg {
                    dest: Some("yes".into()),
                    ..SubArg::flag(&["-y"])
                }),
        ],
    };
    conf.register_cli_opt(Opt::sub_command("action", commands), None)
        .unwrap();
    conf
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::None => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => serde_json::from_str(i).unwrap(),
        Value::Str(s) => json!(s),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        other => json!(other.py_repr()),
    }
}

fn ours(argv: &[String]) -> Json {
    let mut conf = build();
    match conf.call(
        CallArgs::new(argv.iter().cloned())
            .prog("tool")
            .no_default_files(),
    ) {
        Err(Error::Exit { status, .. }) => return json!({"exit": status}),
        Err(e) => return json!({"exit": "error", "class": e.python_class()}),
        Ok(()) => {}
    }
    let mut values = serde_json::Map::new();
    for name in ["verbose", "name", "tag", "count"] {
        values.insert(name.into(), to_json(&conf.get(name).unwrap()));
    }
    values.insert(
        "db.url".into(),
        to_json(&conf.get_in(Some("db"), "url").unwrap()),
    );
    values.insert(
        "action".into(),
        json!(conf.sub_command("action", None).unwrap()),
    );
    for a in ["filter", "long", "id", "fields", "ids", "force", "yes"] {
        if let Ok(v) = conf.sub_command_arg(a) {
            values.insert(format!("action.{a}"), to_json(&v));
        }
    }
    json!({"exit": 0, "values": values})
}

#[test]
fn command_lines_and_log_opt_values_agree_with_the_reference() {
    let Some(python) = oslo_test_support::reference_python("oslo_config", "cli_differential")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cli.json");
    let script = oslo_test_support::conformance("oslo-config").join("oracle/cli_oracle.py");
    let status = std::process::Command::new(python)
        .arg(script)
        .arg(&out)
        .args(["--cases", "1500"])
        .status()
        .unwrap();
    assert!(status.success());
    let reference: Json = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut mismatches = Vec::new();
    let cases = reference["cases"].as_array().unwrap();
    for case in cases {
        let argv: Vec<String> = serde_json::from_value(case["argv"].clone()).unwrap();
        let got = ours(&argv);
        if got != case["result"] {
            mismatches.push(format!(
                "{argv:?}\n  reference {}\n  ours      {got}",
                case["result"]
            ));
        }
    }
    for m in mismatches.iter().take(10) {
        eprintln!("{m}");
    }
    let parsed = cases.iter().filter(|c| c["result"]["exit"] == 0).count();
    eprintln!(
        "{} command lines ({parsed} parsed, the others refused), {} mismatches",
        cases.len(),
        mismatches.len()
    );
    assert!(
        parsed > 100 && cases.len() - parsed > 100,
        "a one-sided sample"
    );
    assert!(mismatches.is_empty());

    let mut conf = ConfigOpts::new();
    conf.set_environment(HashMap::new());
    conf.register_opts(
        vec![
            Opt::string("password").secret(true).default("s3cret"),
            Opt::list("hosts").default(vec!["a", "b"]),
            Opt::integer("n").default(5),
            Opt::boolean("flag"),
            Opt::new("ratio", oslo_config::Type::float()).default(0.5),
        ],
        None,
    )
    .unwrap();
    conf.register_opts(
        vec![
            Opt::string("connection").secret(true),
            Opt::new(
                "opts",
                oslo_config::Type::dict_of(oslo_config::Type::string()),
            )
            .default(Value::Dict(vec![(Value::str("k"), Value::str("v"))])),
        ],
        Some("database"),
    )
    .unwrap();
    conf.call(
        CallArgs::new(["--config-file", "/dev/null"])
            .prog("tool")
            .no_default_files(),
    )
    .unwrap();
    let lines = conf.opt_values_lines().unwrap();
    let expected: Vec<String> = serde_json::from_value(reference["log"].clone()).unwrap();
    assert_eq!(lines, expected);
}
