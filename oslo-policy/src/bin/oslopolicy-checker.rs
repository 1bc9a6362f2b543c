//! `oslopolicy-checker`: oslo.policy's tool of the same name, same flags,
//! same output (`passed: RULE` / `failed: RULE`, or the error and
//! `exception: CHECK`).
//!
//! ```text
//! oslopolicy-checker --policy FILE --access FILE [--rule NAME] [--target FILE]
//!                    [--is_admin | --nois_admin] [--enforcer_config FILE]
//! ```
//! The access file is a Keystone token response (`{"token": {...}}`); the
//! credentials are the token plus `roles` (names), `user_id`, `project_id`,
//! `system_scope` ("all" for system tokens) and `is_admin`. The target is
//! the `--target` JSON flattened to dotted keys, else the token's user and
//! project ids. Without `--rule` every rule whose name contains `:` is
//! checked, in name order.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use oslo_policy::RemoteOptions;
use oslo_policy::Value;
use oslo_policy::cli::ToolError;
use oslo_policy::rules::Rules;
use oslo_policy::tools::checker::Cli;

fn read_json(path: &PathBuf) -> Result<Value, ToolError> {
    let text = std::fs::read_to_string(path).map_err(|e| ToolError::read(path, &e))?;
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|v| Value::from_json(&v))
        .map_err(|e| ToolError::Json(e.to_string()).in_file(path))
}

/// `flatten()`: nested dicts to dotted keys.
fn flatten(v: &Value, prefix: &str, out: &mut Vec<(Value, Value)>) {
    if let Value::Dict(items) = v {
        for (k, val) in items {
            let key = k.py_str();
            let key = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            if matches!(val, Value::Dict(_)) {
                flatten(val, &key, out);
            } else {
                Value::dict_insert(out, Value::Str(key), val.clone());
            }
        }
    }
}

fn set(items: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    Value::dict_insert(items, Value::str(key), value);
}

/// The credentials `oslopolicy-checker` builds from the access file: the
/// token plus `roles` (names), `user_id`, `project_id`, `system_scope`
/// and `is_admin`; and the user id.
fn credentials(access: &Value, is_admin: bool) -> Result<(Value, Value), ToolError> {
    let Some(Value::Dict(mut creds)) = access.get("token").cloned() else {
        return Err(ToolError::raised("KeyError", "'token'"));
    };
    let token = Value::Dict(creds.clone());
    let roles = match token.get("roles") {
        Some(Value::List(rs)) => rs
            .iter()
            .map(|r| {
                r.get("name")
                    .cloned()
                    .ok_or_else(|| ToolError::raised("KeyError", "'name'"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(ToolError::raised("KeyError", "'roles'")),
    };
    set(&mut creds, "roles", Value::List(roles));
    let user_id = token
        .get("user")
        .and_then(|u| u.get("id"))
        .cloned()
        .ok_or_else(|| ToolError::raised("KeyError", "'user'"))?;
    set(&mut creds, "user_id", user_id.clone());
    if let Some(project) = token.get("project").filter(|p| p.truthy()) {
        let id = project
            .get("id")
            .cloned()
            .ok_or_else(|| ToolError::raised("KeyError", "'id'"))?;
        set(&mut creds, "project_id", id);
    }
    if token.get("system").is_some_and(Value::truthy) {
        set(&mut creds, "system_scope", Value::str("all"));
    }
    set(&mut creds, "is_admin", Value::Bool(is_admin));
    Ok((Value::Dict(creds), user_id))
}

/// The `--target` JSON flattened to dotted keys, else the user's and the
/// project's ids.
fn target(path: Option<&PathBuf>, user_id: Value, creds: &Value) -> Result<Value, ToolError> {
    Ok(match path {
        Some(path) => {
            let mut flat = Vec::new();
            flatten(&read_json(path)?, "", &mut flat);
            Value::Dict(flat)
        }
        None => {
            let mut t = vec![(Value::str("user_id"), user_id)];
            if let Some(p) = creds.get("project_id").filter(|p| p.truthy()) {
                t.push((Value::str("project_id"), p.clone()));
            }
            Value::Dict(t)
        }
    })
}

/// `FakeEnforcer(rules, enforcer_config)`: with a config file, the
/// `[oslo_policy] remote_*` options reach http/https checks.
fn remote_options(path: &Path) -> Result<RemoteOptions, ToolError> {
    let mut conf = oslo_config::ConfigOpts::new();
    oslo_policy::opts::register(&mut conf).and_then(|()| {
        conf.call(
            oslo_config::CallArgs::new([format!("--config-file={}", path.display())])
                .prog("oslopolicy-checker"),
        )
    })?;
    // The reference reads the options when an http check runs: a bad
    // value fails each such check, not the run.
    Ok(match oslo_policy::opts::remote_options(&conf) {
        Ok(r) => r,
        Err(e) => RemoteOptions {
            invalid: Some(format!("{}: {e}", e.python_class())),
            ..RemoteOptions::DEFAULT
        },
    })
}

fn run(cli: &Cli) -> Result<(), ToolError> {
    oslo_policy::cli::read_config_files("oslopolicy-checker", &cli.config_file, &cli.config_dir)?;
    let access = read_json(&cli.access)?;
    let (creds, user_id) = credentials(&access, cli.is_admin && !cli.nois_admin)?;
    let rules = Rules::load_file(&cli.policy, Some("default"))?;
    let target = target(cli.target.as_ref(), user_id, &creds)?;
    let remote = cli
        .enforcer_config
        .as_deref()
        .map(remote_options)
        .transpose()?;
    let remote: &dyn oslo_policy::rules::RemoteCheck = match &remote {
        Some(options) => options,
        None => &oslo_policy::external::Unconfigured,
    };
    let try_rule = |name: &str, check: &oslo_policy::parser::Check| match rules.check_with_remote(
        check,
        &target,
        &creds,
        Some(name),
        remote,
    ) {
        Ok(true) => println!("passed: {name}"),
        Ok(false) => println!("failed: {name}"),
        Err(e) => {
            // Python prints str(exception): the message without its type.
            println!("{}", e.message());
            println!("exception: {check}");
        }
    };
    if let Some(name) = &cli.rule {
        let check = rules
            .lookup(name)
            .ok_or_else(|| ToolError::raised("KeyError", format!("'{name}'")))?;
        try_rule(name, check);
        return Ok(());
    }
    let mut named: Vec<(&str, &oslo_policy::parser::Check)> = rules
        .rules()
        .iter()
        .filter_map(|r| match &r.name {
            Value::Str(s) => Some((s.as_str(), &r.check)),
            _ => None,
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    for (name, check) in named {
        if name.contains(':') {
            try_rule(name, check);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oslopolicy-checker: {e}");
            ExitCode::from(1)
        }
    }
}
