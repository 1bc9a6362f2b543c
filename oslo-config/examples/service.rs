//! A small service built on oslo-config: it registers its options,
//! reads `etc/demo.conf` and `etc/demo.conf.d/*.conf` (or the files given
//! with `--config-file` / `--config-dir`), takes command-line flags, and
//! re-reads its mutable options when it receives SIGHUP.
//!
//! ```text
//! cargo run -p oslo-config --example service -- \
//!     --config-file oslo-config/examples/etc/demo.conf \
//!     --config-dir oslo-config/examples/etc/demo.conf.d --debug --once
//! ```
//!
//! Without `--once` it waits for signals: edit `demo.conf`, then
//! `kill -HUP <pid>` and it prints what changed.
//!
//! The database connection is `secret`: it is shown as `****` unless
//! `--show-secrets` is given. A configuration it cannot use is refused
//! with every problem, one line each (`FILE:LINE: [group] name: what is
//! wrong`, as `oslo-config check` prints them), and exit status 1.

use nix::sys::signal::{SigSet, Signal};
use oslo_config::check::check;
use oslo_config::report::Secrets;
use oslo_config::{CallArgs, ConfigOpts, Opt, OptGroup};

fn register(conf: &mut ConfigOpts) -> oslo_config::Result<()> {
    conf.register_cli_opt(
        Opt::boolean("debug")
            .mutable(true)
            .help("Log at debug level"),
        None,
    )?;
    conf.register_cli_opt(
        Opt::boolean("once").help("Print the configuration and exit"),
        None,
    )?;
    conf.register_cli_opt(
        Opt::boolean("show-secrets").help("Show the values of secret options"),
        None,
    )?;
    conf.register_opts(
        vec![
            Opt::integer("workers").default(1).mutable(true),
            Opt::port("bind_port").default(80),
            Opt::string("state_path").default("/var/lib/demo"),
            Opt::string("lock_path").default("$state_path/lock"),
        ],
        None,
    )?;
    conf.register_group(OptGroup::new("database").help("Database access"));
    conf.register_opts(
        vec![
            Opt::string("connection").secret(true).required(true),
            Opt::integer("max_retries").default(10).mutable(true),
        ],
        Some("database"),
    )?;
    Ok(())
}

fn show(conf: &ConfigOpts, secrets: Secrets) -> oslo_config::Result<()> {
    for (group, name) in [
        (None, "debug"),
        (None, "workers"),
        (None, "bind_port"),
        (None, "lock_path"),
        (Some("database"), "connection"),
        (Some("database"), "max_retries"),
    ] {
        let value = conf.get_in(group, name)?;
        let secret = conf.opt(name, group)?.secret;
        let from = conf.get_location(name, group)?;
        let from = from.map_or("unset".to_owned(), |l| match l.value_at {
            Some((file, line)) => format!("{:?} {file}:{line}", l.location),
            None => format!("{:?} {}", l.location, l.detail),
        });
        println!(
            "{}.{name} = {}    ({from})",
            group.unwrap_or("DEFAULT"),
            secrets.show(secret, || value.py_repr())
        );
    }
    Ok(())
}

/// Every problem of the configuration `call` gives, on stderr.
fn refuse(conf: &ConfigOpts, call: &CallArgs, secrets: Secrets, what: &str) {
    eprintln!("{what}:");
    for problem in check(conf, call.clone(), secrets).problems {
        eprintln!("  {problem}");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut conf = ConfigOpts::new();
    register(&mut conf)?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Before the command line is parsed (it may be what is wrong).
    let mut secrets = if args.iter().any(|a| a == "--show-secrets") {
        Secrets::Shown
    } else {
        Secrets::Masked
    };
    // `project("demo")` would search ~/.demo/demo.conf, /etc/demo/demo.conf,
    // /etc/demo/demo.conf.d/… as every OpenStack service does.
    let call = CallArgs::new(args).project("demo").prog("demo");
    if conf.call(call.clone()).is_err() {
        refuse(&conf, &call, secrets, "demo: cannot start");
        std::process::exit(1);
    }
    if conf.get_bool(None, "show_secrets")? == Some(true) {
        secrets = Secrets::Shown;
    }
    if show(&conf, secrets).is_err() {
        refuse(&conf, &call, secrets, "demo: cannot start");
        std::process::exit(1);
    }
    if conf.get_bool(None, "once")? == Some(true) {
        return Ok(());
    }
    // Block SIGHUP in every thread and wait for it synchronously: no
    // signal handler, no unsafe code.
    let mut hup = SigSet::empty();
    hup.add(Signal::SIGHUP);
    hup.thread_block()?;
    println!("pid {}: waiting for SIGHUP", std::process::id());
    loop {
        hup.wait()?;
        match conf.mutate_config_files() {
            Ok(changes) => {
                for ((group, name), (old, new)) in &changes {
                    let secret = conf.opt(name, group.as_deref()).is_ok_and(|o| o.secret);
                    println!(
                        "changed {}.{name}: {} -> {}",
                        group.as_deref().unwrap_or("DEFAULT"),
                        secrets.show(secret, || old.py_repr()),
                        secrets.show(secret, || new.py_repr())
                    );
                }
                if show(&conf, secrets).is_err() {
                    refuse(&conf, &call, secrets, "reloaded values cannot be read");
                }
            }
            Err(_) => refuse(
                &conf,
                &call,
                secrets,
                "reload failed, keeping the old values",
            ),
        }
    }
}
