//! The `[oslo_policy]` options (`oslo_policy/opts.py`), registered into
//! an oslo-config [`ConfigOpts`] and read back as an [`enforcer::Config`](crate::enforcer::Config):
//! a service reads its policy settings from its own config files, and
//! `oslopolicy-checker --enforcer_config FILE` reads the `remote_*`
//! options of `http:`/`https:` checks.

use std::path::PathBuf;

use oslo_config::{ConfigOpts, Opt, Type};
use pycompat::value::Value;

use crate::enforcer::Config;
use crate::external::{ContentType, RemoteOptions};

/// The group the options live in.
pub const GROUP: &str = "oslo_policy";

/// The options, as oslo.policy defines them (same names, types,
/// defaults and help text, so generated samples are identical).
pub fn list_opts() -> Vec<Opt> {
    vec![
        Opt::boolean("enforce_new_defaults").default(true).help(
            "This option controls whether or not to use old deprecated defaults when \
             evaluating policies. If ``True``, the old deprecated defaults are not going to \
             be evaluated. This means if any existing token is allowed for old defaults but \
             is disallowed for new defaults, it will be disallowed. If ``False``, the \
             deprecated policy check string is logically OR'd with the new policy check \
             string, allowing for a graceful upgrade experience between releases with new \
             policies, which is the default behavior.",
        ),
        Opt::string("policy_file").default("policy.yaml").help(
            "The relative or absolute path of a file that maps roles to permissions for a \
             given service. Relative paths must be specified in relation to the \
             configuration file setting this option.",
        ),
        Opt::string("policy_default_rule")
            .default("default")
            .help("Default rule. Enforced when a requested rule is not found."),
        Opt::multi_string("policy_dirs")
            .default(vec!["policy.d"])
            .help(
                "Directories where policy configuration files are stored. They can be \
                 relative to any directory in the search path defined by the config_dir \
                 option, or absolute paths. The file defined by policy_file must exist for \
                 these directories to be searched.  Missing or empty directories are ignored.",
            ),
        Opt::string_choices(
            "remote_content_type",
            &["application/x-www-form-urlencoded", "application/json"],
        )
        .default("application/x-www-form-urlencoded")
        .help("Content Type to send and receive data for REST based policy check"),
        Opt::boolean("remote_ssl_verify_server_crt")
            .default(false)
            .help("server identity verification for REST based policy check"),
        Opt::string("remote_ssl_ca_crt_file")
            .help("Absolute path to ca cert file for REST based policy check"),
        Opt::string("remote_ssl_client_crt_file")
            .help("Absolute path to client cert for REST based policy check"),
        Opt::string("remote_ssl_client_key_file")
            .help("Absolute path client key file REST based policy check"),
        Opt::new(
            "remote_timeout",
            Type::Float(oslo_config::types::FloatType {
                min: Some(0.0),
                max: None,
            }),
        )
        .default(60)
        .help("Timeout in seconds for REST based policy check"),
    ]
}

/// Registers the options in `[oslo_policy]`.
pub fn register(conf: &mut ConfigOpts) -> oslo_config::Result<()> {
    conf.register_opts(list_opts(), Some(GROUP))
}

fn text(conf: &ConfigOpts, name: &str) -> oslo_config::Result<Option<String>> {
    conf.get_str(Some(GROUP), name)
}

/// The `remote_*` options.
pub fn remote_options(conf: &ConfigOpts) -> oslo_config::Result<RemoteOptions> {
    let content_type = match text(conf, "remote_content_type")?.as_deref() {
        Some("application/json") => ContentType::Json,
        _ => ContentType::Form,
    };
    let timeout = match conf.get_in(Some(GROUP), "remote_timeout")? {
        Value::Float(f) => f,
        _ => RemoteOptions::DEFAULT.timeout,
    };
    Ok(RemoteOptions {
        content_type,
        ssl_verify_server_crt: conf.get_bool(Some(GROUP), "remote_ssl_verify_server_crt")?
            == Some(true),
        ssl_ca_crt_file: text(conf, "remote_ssl_ca_crt_file")?.map(PathBuf::from),
        ssl_client_crt_file: text(conf, "remote_ssl_client_crt_file")?.map(PathBuf::from),
        ssl_client_key_file: text(conf, "remote_ssl_client_key_file")?.map(PathBuf::from),
        timeout,
        invalid: None,
    })
}

/// The enforcer's settings from a parsed `ConfigOpts`: relative
/// `policy_file` and `policy_dirs` are looked up as the reference's
/// `conf.find_file` does (config dirs, beside the config files, the
/// project's standard directories), and kept as given if not found.
pub fn enforcer_config(conf: &ConfigOpts) -> oslo_config::Result<Config> {
    let find = |p: String| -> oslo_config::Result<PathBuf> {
        Ok(PathBuf::from(conf.find_file(&p)?.unwrap_or(p)))
    };
    let policy_file = find(text(conf, "policy_file")?.unwrap_or_else(|| "policy.yaml".to_owned()))?;
    let policy_dirs = match conf.get_in(Some(GROUP), "policy_dirs")? {
        Value::List(items) => items
            .iter()
            .map(|d| find(d.py_str()))
            .collect::<oslo_config::Result<Vec<PathBuf>>>()?,
        _ => Vec::new(),
    };
    Ok(Config {
        policy_file,
        policy_dirs,
        default_rule: text(conf, "policy_default_rule")?.unwrap_or_default(),
        enforce_new_defaults: conf.get_bool(Some(GROUP), "enforce_new_defaults")? != Some(false),
        remote: remote_options(conf)?,
    })
}
