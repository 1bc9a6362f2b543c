//! `oslo-config-validator`: checks a config file against the option data
//! `oslo-config-generator --format yaml|json` writes. Same flags, output
//! and exit statuses as oslo.config's tool (see `oslo_config::validator`).

use std::io::Write;

fn main() {
    let mut argv = std::env::args_os();
    let prog = argv
        .next()
        .map(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| a.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "oslo-config-validator".to_owned());
    let args: Vec<String> = argv.map(|a| a.to_string_lossy().into_owned()).collect();
    let env: std::collections::HashMap<String, String> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let outcome = oslo_config::validator::run(&prog, &args, &env);
    // Nothing useful can be done if the standard streams are gone.
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    std::process::exit(outcome.code);
}
