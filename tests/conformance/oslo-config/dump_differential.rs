//! Differential conformance test of `oslo-config dump` against the real
//! oslo.config 10.7.0:
//!
//! ```text
//! oslo-config dump --opt-data SCHEMA [APP-ARGS...]
//! ```
//!
//! registers SCHEMA's options (opt-data as `oslo-config-generator --format
//! yaml` writes it, plus the `x_cli` / `x_multi` / `x_type` extensions),
//! resolves them like `conf(args=APP-ARGS, prog='oslo-config',
//! default_config_files=[], default_config_dirs=[])` and prints every value
//! as one JSON object, or fails with the reference's `Class: message` as the
//! last stderr line.  The exact definition is the docstring of
//! `oracle/dump_oracle.py`, the reference implementation.
//!
//! `oracle/dump_fuzz.py` generates the cases (schemas of every type,
//! config files and directories, environment variables, argv; about a third
//! of them fail in the reference), runs both sides on each in its own
//! directory and compares them; the hand-written cases of
//! `oracle/dump_cases/` (one file per corner of `cfg.py`'s
//! `ConfigOpts._do_get`, `types.py` and `_list_opts`: see its README) run too.
//! `OSLO_RS_TEST_SEED` and `DUMP_DIFF_CASES` override the seed and the number
//! of random cases.  To look at one case:
//!
//! ```text
//! .venv/bin/python tests/conformance/oslo-config/oracle/dump_fuzz.py target/debug/oslo-config --case K
//! .venv/bin/python tests/conformance/oslo-config/oracle/dump_fuzz.py target/debug/oslo-config --shrink K
//! ```
//!
//! Needs the reference (`OSLO_RS_REFERENCE_PYTHON` or `<workspace>/.venv`,
//! see `scripts/setup-reference.sh`); skips loudly without it.

use std::ffi::OsString;

use oslo_test_support::{oracle_agrees, reference_python};

/// Random cases per run: about 40 s on two cores.
const CASES: &str = "1500";

#[test]
fn dump_agrees_with_oslo_config() {
    let Some(python) = reference_python("oslo_config", "dump_differential") else {
        return;
    };
    let script = oslo_test_support::conformance("oslo-config").join("oracle/dump_fuzz.py");
    let mut args: Vec<OsString> = vec![
        env!("CARGO_BIN_EXE_oslo-config").into(),
        "--cases".into(),
        std::env::var_os("DUMP_DIFF_CASES").unwrap_or_else(|| CASES.into()),
    ];
    if let Some(seed) = oslo_test_support::seed_override() {
        args.push("--seed".into());
        args.push(seed.to_string().into());
    }
    let args: Vec<&std::ffi::OsStr> = args.iter().map(OsString::as_os_str).collect();
    oracle_agrees(
        "dump_differential",
        &python,
        &script,
        &args,
        ", 0 mismatches",
    );
}
