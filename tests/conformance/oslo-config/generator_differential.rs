//! Differential tests of `oslo_config::generator` against the reference
//! `oslo-config-generator` (oslo.config 10.7.0):
//!
//! * `real_services`: keystone, nova, neutron, cinder and glance with the
//!   libraries their generator config files name (from `.venv-services`,
//!   which `scripts/gen-service-policies.sh` installs): the Python
//!   generator's `--format yaml` output is our `--opt-data`; every variant
//!   (INI at several wrap widths, `--minimal`, `--summarize`, YAML, JSON,
//!   a generator config file) must match the Python output byte for byte —
//!   or, where opt-data cannot say what Python looked at, the Python
//!   output for the options as opt-data describes them (the oracle writes
//!   both and reports how many lines that costs);
//! * `synthetic`: thousands of random options through the reference and
//!   through us, from opt-data and from a registry of `Opt`s.
//!
//! Python outputs are cached under the cargo target tmp dir.
#![cfg(test)]

use std::collections::hash_map::DefaultHasher;
use std::ffi::OsString;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use oslo_config::generator::{self, Format, GeneratorOptions, NamespaceRegistry, OptDataFile};
use pycompat::value::Value;

/// `(name, namespaces, generator config file options)`, from the services'
/// own generator config files.
const SERVICES: &[(&str, &str, &str)] = &[
    (
        "keystone",
        "keystone,oslo.cache,oslo.log,oslo.messaging,oslo.policy,oslo.db,oslo.middleware,osprofiler",
        "wrap_width=79",
    ),
    (
        "nova",
        "nova.conf,oslo.log,oslo.messaging,oslo.policy,oslo.privsep,oslo.service.periodic_task,\
         oslo.service.service,oslo.middleware,oslo.concurrency,keystonemiddleware.auth_token,osprofiler",
        "wrap_width=80;summarize=true",
    ),
    (
        "neutron",
        "neutron,neutron.agent,neutron.db,neutron.experimental,neutron.extensions,nova.auth,ironic.auth,\
         placement.auth,designate.auth,oslo.log,oslo.cache,oslo.db,oslo.policy,oslo.privsep,\
         oslo.concurrency,oslo.messaging,oslo.middleware.cors,oslo.middleware.healthcheck,\
         oslo.middleware.http_proxy_to_wsgi,oslo.reports,oslo.service.periodic_task,oslo.service.service,\
         oslo.service.sslutils,oslo.service.wsgi,oslo.versionedobjects,keystonemiddleware.auth_token,osprofiler",
        "wrap_width=79",
    ),
    (
        "neutron-agents",
        "neutron.ml2,neutron.ml2.ovn,neutron.ml2.ovs.agent,neutron.ml2.sriov.agent,neutron.l3.agent,\
         neutron.dhcp.agent,neutron.metadata.agent,neutron.ovn.metadata.agent,neutron.base.agent,\
         neutron.az.agent,oslo.log",
        "wrap_width=79",
    ),
    (
        "cinder",
        "castellan.config,cinder,keystonemiddleware.auth_token,osprofiler,oslo.config,oslo.concurrency,\
         oslo.db,oslo.log,oslo.messaging,oslo.middleware,oslo.policy,oslo.privsep,oslo.reports,\
         oslo.service.periodic_task,oslo.service.service,oslo.service.sslutils,oslo.service.wsgi,\
         oslo.versionedobjects",
        "wrap_width=79",
    ),
    (
        "glance",
        "castellan.config,glance.api,glance.store,glance.multi_store,oslo.concurrency,oslo.messaging,\
         oslo.db,oslo.policy,keystonemiddleware.auth_token,oslo.log,oslo.middleware.cors,\
         oslo.middleware.healthcheck,oslo.middleware.http_proxy_to_wsgi,oslo.reports",
        "wrap_width=80",
    ),
    (
        "glance-all",
        "glance,glance.api,glance.cache,glance.manage,glance.scrubber,glance.store,glance.multi_store,\
         oslo.log,oslo.limit,os_brick,os_vif,cotyledon,keystonemiddleware.audit",
        "",
    ),
];

fn workspace() -> PathBuf {
    oslo_test_support::workspace()
}

fn oracle_dir() -> PathBuf {
    oslo_test_support::conformance("oslo-config").join("oracle")
}

fn hash_of(parts: &[&[u8]]) -> u64 {
    let mut h = DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// `generator-oracle/{prefix}-{key}` under the cargo tmp dir, older keys of
/// the same prefix removed.
fn cache_dir(prefix: &str, key: u64) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generator-oracle");
    let dir = root.join(format!("{prefix}-{key:016x}"));
    if !dir.exists() {
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let stale = name
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('-'))
                    .is_some_and(|r| r.len() == 16 && r.bytes().all(|b| b.is_ascii_hexdigit()));
                if stale {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first difference between two texts, with context, for a failure.
fn first_difference(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.split('\n').collect();
    let g: Vec<&str> = got.split('\n').collect();
    let i = e
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(e.len().min(g.len()));
    let from = i.saturating_sub(3);
    format!(
        "first difference at line {} ({} vs {} lines)\n--- python\n{}\n--- ours\n{}",
        i + 1,
        e.len(),
        g.len(),
        e.get(from..(i + 4).min(e.len()))
            .unwrap_or_default()
            .join("\n"),
        g.get(from..(i + 4).min(g.len()))
            .unwrap_or_default()
            .join("\n"),
    )
}

/// One service: reference outputs (cached), then every variant.
fn check_service(python: &Path, name: &str, namespaces: &str, conf: &str) -> String {
    let script = oracle_dir().join("generator_services.py");
    let site = workspace().join(".venv-services/lib");
    let stamp = std::fs::metadata(&site)
        .and_then(|m| m.modified())
        .map(|t| format!("{t:?}"))
        .unwrap_or_default();
    let key = hash_of(&[
        read(&script).as_bytes(),
        namespaces.as_bytes(),
        conf.as_bytes(),
        stamp.as_bytes(),
    ]);
    let dir = cache_dir(name, key);
    if !dir.join("summary.json").exists() {
        let out = Command::new(python)
            .arg(&script)
            .arg(&dir)
            .arg(namespaces)
            .arg(conf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: the reference generator failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("summary.json"))).unwrap();
    let ns: Vec<String> = namespaces.split(',').map(str::to_owned).collect();
    let registry = NamespaceRegistry::new();
    let yaml = OptDataFile::read(&dir.join("yaml.out")).unwrap();
    let json = OptDataFile::read(&dir.join("json.out")).unwrap();
    let base = GeneratorOptions {
        namespaces: ns.clone(),
        ..GeneratorOptions::default()
    };
    let width = |w: &str| Value::Int(w.to_owned());
    let variants: Vec<(&str, GeneratorOptions)> = vec![
        (
            "yaml",
            GeneratorOptions {
                format: Format::Yaml,
                ..base.clone()
            },
        ),
        (
            "json",
            GeneratorOptions {
                format: Format::Json,
                namespaces: Vec::new(),
                ..base.clone()
            },
        ),
        (
            "yaml-opts",
            GeneratorOptions {
                format: Format::Yaml,
                wrap_width: width("0"),
                minimal: true,
                summarize: true,
                output_file: Some(dir.join("written.conf").to_string_lossy().into_owned()),
                ..base.clone()
            },
        ),
        (
            "ini",
            GeneratorOptions {
                namespaces: Vec::new(),
                ..base.clone()
            },
        ),
        (
            "ini-w80",
            GeneratorOptions {
                wrap_width: width("80"),
                ..base.clone()
            },
        ),
        (
            "ini-w0",
            GeneratorOptions {
                wrap_width: width("0"),
                ..base.clone()
            },
        ),
        (
            "ini-w12",
            GeneratorOptions {
                wrap_width: width("12"),
                ..base.clone()
            },
        ),
        (
            "ini-minimal",
            GeneratorOptions {
                minimal: true,
                ..base.clone()
            },
        ),
        (
            "ini-summarize",
            GeneratorOptions {
                summarize: true,
                wrap_width: width("79"),
                ..base.clone()
            },
        ),
    ];
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let mut compare = |variant: &str, input: &str, got: &str| {
        let exact = read(&dir.join(format!("{variant}.out")));
        let seen_path = dir.join(format!("{variant}.optdata.out"));
        let expected = if seen_path.exists() {
            read(&seen_path)
        } else {
            exact.clone()
        };
        let lossy = summary[variant]["lossy_lines"].as_u64().unwrap_or(0);
        if got == expected {
            report.push(format!(
                "{variant}<-{input}: {} ({lossy} lines opt-data cannot carry)",
                if got == exact {
                    "identical"
                } else {
                    "identical to the opt-data view"
                }
            ));
        } else {
            failures.push(format!(
                "{name} {variant} (from {input}): {}",
                first_difference(&expected, got)
            ));
        }
    };
    // YAML opt-data keeps anchors (the YAML outputs need them); JSON
    // opt-data reads faster and carries the same options otherwise.
    for (variant, options) in &variants {
        let (input, file) = if matches!(*variant, "yaml" | "yaml-opts" | "ini" | "json") {
            ("yaml", &yaml)
        } else {
            ("json", &json)
        };
        let out = generator::generate_with(options, &registry, std::slice::from_ref(file)).unwrap();
        compare(variant, input, &out.text);
    }
    for variant in ["json", "ini"] {
        let (_, options) = variants.iter().find(|(v, _)| *v == variant).unwrap();
        let out =
            generator::generate_with(options, &registry, std::slice::from_ref(&json)).unwrap();
        compare(variant, "json", &out.text);
    }
    // The command line with the generator config file.
    for (variant, extra) in [
        ("conf-ini", &[][..]),
        ("conf-json", &["--format", "json"][..]),
    ] {
        let written = dir.join("ours-conf.out");
        let _ = std::fs::remove_file(&written);
        let mut args: Vec<OsString> = vec!["oslo-config-generator".into(), "--config-file".into()];
        args.push(dir.join("gen.conf").into_os_string());
        args.push("--opt-data".into());
        args.push(dir.join("json.out").into_os_string());
        args.extend(extra.iter().map(OsString::from));
        let status = generator::main(args, &registry);
        assert_eq!(status, 0, "{name} {variant}: exit status");
        compare(variant, "json via --config-file", &read(&written));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    format!(
        "{name}: {} groups, {} opts{}\n  {}",
        summary["groups"],
        summary["opts"],
        match summary["stubbed"].as_array() {
            Some(s) if !s.is_empty() => format!(" (stubbed imports: {s:?})"),
            _ => String::new(),
        },
        report.join("\n  ")
    )
}

#[test]
fn real_services() {
    let python = workspace().join(".venv-services/bin/python");
    let usable = Command::new(&python)
        .args([
            "-c",
            "import oslo_config.generator, keystone, nova, neutron, cinder, glance",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !usable {
        eprintln!(
            "SKIPPED: real_services: no {} with keystone, nova, neutron, cinder and glance \
             (run scripts/gen-service-policies.sh)",
            python.display()
        );
        return;
    }
    let handles: Vec<_> = SERVICES
        .iter()
        .map(|&(name, ns, conf)| {
            let python = python.clone();
            std::thread::spawn(move || check_service(&python, name, ns, conf))
        })
        .collect();
    let mut reports = Vec::new();
    let mut panics = Vec::new();
    for h in handles {
        match h.join() {
            Ok(r) => reports.push(r),
            Err(e) => panics.push(
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default(),
            ),
        }
    }
    eprintln!("{}", reports.join("\n"));
    assert!(panics.is_empty(), "{}", panics.join("\n\n"));
}

/// Seeds of the synthetic runs and the options each listing is drawn with.
const SYNTHETIC_SEEDS: &[u64] = &[1, 2, 3, 4, 5, 6];
const SYNTHETIC_OPTS: usize = 1200;

/// The options of `listing.json` as a registry of `list_opts` functions.
fn registry_from_listing(listing: &Value) -> NamespaceRegistry {
    use oslo_config::generator::GroupSpec;
    use oslo_config::{DeprecatedOpt, OptGroup};
    let mut registry = NamespaceRegistry::new();
    let Value::List(namespaces) = listing else {
        panic!("listing")
    };
    for ns in namespaces {
        let name = ns.get("namespace").unwrap().py_str();
        let Some(Value::List(groups)) = ns.get("groups") else {
            panic!("groups")
        };
        let mut built: Vec<(GroupSpec, Vec<oslo_config::Opt>)> = Vec::new();
        for g in groups {
            let spec = match g.get("kind").unwrap().py_str().as_str() {
                "none" => GroupSpec::Default,
                "str" => GroupSpec::Name(g.get("name").unwrap().py_str()),
                _ => {
                    let mut group = OptGroup::new(&g.get("name").unwrap().py_str());
                    if let Some(Value::Str(help)) = g.get("help") {
                        group.help = Some(help.clone());
                    }
                    GroupSpec::Group(group)
                }
            };
            let Some(Value::List(entries)) = g.get("opts") else {
                panic!("opts")
            };
            let mut opts = Vec::new();
            for entry in entries {
                let doc = Value::Dict(vec![(
                    Value::str("options"),
                    Value::Dict(vec![(
                        Value::str("DEFAULT"),
                        Value::Dict(vec![(Value::str("opts"), Value::List(vec![entry.clone()]))]),
                    )]),
                )]);
                let data = oslo_config::optdata::from_value(&doc).unwrap();
                let mut opt = data.groups[0].opts[0].opt.clone();
                let Some(Value::List(deps)) = entry.get("x_deprecated") else {
                    panic!("x_deprecated")
                };
                opt.deprecated_opts = deps
                    .iter()
                    .map(|d| {
                        let Value::List(pair) = d else { panic!("pair") };
                        let text = |v: &Value| match v {
                            Value::None => None,
                            other => Some(other.py_str()),
                        };
                        DeprecatedOpt {
                            name: text(&pair[0]),
                            group: text(&pair[1]),
                        }
                    })
                    .collect();
                opts.push(opt);
            }
            built.push((spec, opts));
        }
        registry.register(&name, move || built.clone());
    }
    registry
}

fn synthetic_case(python: &Path, seed: u64) -> String {
    let script = oracle_dir().join("generator_synthetic.py");
    let key = hash_of(&[
        read(&script).as_bytes(),
        &seed.to_le_bytes(),
        &SYNTHETIC_OPTS.to_le_bytes(),
    ]);
    let dir = cache_dir(&format!("synthetic-{seed}"), key);
    if !dir.join("summary.json").exists() {
        let out = Command::new(python)
            .arg(&script)
            .arg(&dir)
            .arg(seed.to_string())
            .arg(SYNTHETIC_OPTS.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "seed {seed}: the oracle failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("summary.json"))).unwrap();
    let mut failures = Vec::new();
    let mut compared = 0usize;
    for which in ["data", "reg"] {
        let d = dir.join(which);
        let width = Value::Int(summary[which]["width"].as_str().unwrap().to_owned());
        let (registry, files, namespaces) = if which == "data" {
            (
                NamespaceRegistry::new(),
                vec![OptDataFile::read(&d.join("yaml.out")).unwrap()],
                Vec::new(),
            )
        } else {
            let listing =
                Value::from_json(&serde_json::from_str(&read(&d.join("listing.json"))).unwrap());
            let names: Vec<String> =
                serde_json::from_str(&read(&d.join("namespaces.json"))).unwrap();
            (registry_from_listing(&listing), Vec::new(), names)
        };
        let base = GeneratorOptions {
            namespaces,
            ..GeneratorOptions::default()
        };
        let variants: Vec<(&str, GeneratorOptions)> = vec![
            (
                "yaml",
                GeneratorOptions {
                    format: Format::Yaml,
                    ..base.clone()
                },
            ),
            (
                "json",
                GeneratorOptions {
                    format: Format::Json,
                    ..base.clone()
                },
            ),
            (
                "yaml-opts",
                GeneratorOptions {
                    format: Format::Yaml,
                    wrap_width: width.clone(),
                    minimal: true,
                    summarize: true,
                    ..base.clone()
                },
            ),
            ("ini", base.clone()),
            (
                "ini-w0",
                GeneratorOptions {
                    wrap_width: Value::Int("0".into()),
                    ..base.clone()
                },
            ),
            (
                "ini-wn",
                GeneratorOptions {
                    wrap_width: width.clone(),
                    ..base.clone()
                },
            ),
            (
                "ini-minimal",
                GeneratorOptions {
                    minimal: true,
                    ..base.clone()
                },
            ),
            (
                "ini-summarize",
                GeneratorOptions {
                    summarize: true,
                    wrap_width: width.clone(),
                    ..base.clone()
                },
            ),
        ];
        // Opt-data as JSON too (no anchors: not for YAML output).
        let from_json = if which == "data" {
            vec![OptDataFile::read(&d.join("json.out")).unwrap()]
        } else {
            Vec::new()
        };
        for (variant, options) in &variants {
            if from_json.is_empty() || variant.starts_with("yaml") {
                continue;
            }
            let expected = read(&d.join(format!("{variant}.out")));
            let got = generator::generate_with(options, &registry, &from_json)
                .unwrap()
                .text;
            compared += 1;
            if got != expected {
                failures.push(format!(
                    "seed {seed} {which} {variant} from JSON: {}",
                    first_difference(&expected, &got)
                ));
            }
        }
        for (variant, options) in variants {
            let expected = read(&d.join(format!("{variant}.out")));
            // A registry has no Python object identity: YAML anchors of
            // shared defaults cannot come out of it.
            if which == "reg" && expected.contains("&id0") {
                continue;
            }
            let got = generator::generate_with(&options, &registry, &files)
                .unwrap()
                .text;
            compared += 1;
            if got != expected {
                failures.push(format!(
                    "seed {seed} {which} {variant}: {}",
                    first_difference(&expected, &got)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    format!(
        "seed {seed}: {} opts from opt-data, {} from a registry, {compared} outputs identical",
        summary["data"]["opts"], summary["reg"]["opts"]
    )
}

#[test]
fn synthetic() {
    let Some(python) = oslo_test_support::reference_python("oslo_config.generator", "synthetic")
    else {
        return;
    };
    let handles: Vec<_> = SYNTHETIC_SEEDS
        .iter()
        .map(|&seed| {
            let python = python.clone();
            std::thread::spawn(move || synthetic_case(&python, seed))
        })
        .collect();
    let mut reports = Vec::new();
    let mut panics = Vec::new();
    for h in handles {
        match h.join() {
            Ok(r) => reports.push(r),
            Err(e) => panics.push(
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default(),
            ),
        }
    }
    eprintln!("{}", reports.join("\n"));
    assert!(panics.is_empty(), "{}", panics.join("\n\n"));
}

/// One command line for both tools: `(args, env, files in the work dir)`.
type CliCase = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const CLI_CASES: &[CliCase] = &[
    (
        &[
            "--namespace",
            "oslo.config",
            "--format",
            "json",
            "--wrap-width",
            "50",
        ],
        &[],
    ),
    (
        &[
            "--config-file",
            "g.conf",
            "--wrap-width",
            "44",
            "--format",
            "json",
        ],
        &[],
    ),
    (
        &[
            "--wrap-width",
            "44",
            "--config-file",
            "g.conf",
            "--format",
            "json",
        ],
        &[],
    ),
    (
        &["--config-file", "g.conf", "--wrap-width", "44"],
        &[("OS_DEFAULT__WRAP_WIDTH", "33")],
    ),
    (
        &["--namespace", "oslo.config", "--format", "json"],
        &[
            ("OS_DEFAULT__WRAP_WIDTH", "33"),
            ("OS_DEFAULT__MINIMAL", "yes"),
        ],
    ),
    (
        &[
            "--namespace",
            "oslo.config",
            "--form",
            "json",
            "--wrap",
            "5",
            "--minimal",
            "--nominimal",
            "--summarize",
        ],
        &[],
    ),
    (
        &[
            "--namespace=oslo.config",
            "--format=yaml",
            "--config-dir",
            "d",
            "--nosummarize",
        ],
        &[],
    ),
    (
        &[
            "--config-dir",
            "d",
            "--namespace",
            "oslo.config",
            "--wrap-width",
            "90",
        ],
        &[],
    ),
    (&["--namespace", "oslo.config", "--wrap-width", ""], &[]),
    (
        &[
            "--namespace",
            "oslo.config",
            "--format",
            "json",
            "--wrap-width",
            "",
        ],
        &[],
    ),
    (
        &[
            "--namespace",
            "oslo.config",
            "--namespace",
            "oslo.config",
            "--format",
            "json",
            "--output-file",
            "out.txt",
        ],
        &[],
    ),
    // The output file is opened first: its error comes before any other.
    (
        &[
            "--namespace",
            "oslo.config",
            "--output-file",
            "nodir/out.txt",
        ],
        &[],
    ),
    (
        &["--namespace", "nosuch", "--output-file", "nodir/out.txt"],
        &[],
    ),
    (&["--namespace", "oslo.config", "--output-file", "d"], &[]),
    (&["--namespace", "oslo.config", "--format", "xml"], &[]),
    (&["--namespace", "oslo.config", "--wrap-width", "-1"], &[]),
    (&["--namespace", "oslo.config", "--wrap-width", "x1"], &[]),
    (&["--config-file", "bad.conf"], &[]),
    (
        &["--config-file", "g.conf", "--config-file", "missing.conf"],
        &[],
    ),
    (
        &[
            "--namespace",
            "oslo.config",
            "--format",
            "json",
            "--config-dir",
            "d",
            "--config-dir",
            "d2",
        ],
        &[],
    ),
    (&["--version"], &[]),
];

/// The command line, generator config files and environment, against
/// `python -m oslo_config.generator` (the options of `oslo.config` itself,
/// which the reference environment has, through our `--opt-data`).
#[test]
fn cli_matches_reference() {
    let Some(python) =
        oslo_test_support::reference_python("oslo_config.generator", "cli_matches_reference")
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(
        dir.join("g.conf"),
        "[DEFAULT]\nnamespace = oslo.config\nwrap_width=60\nformat = yaml\nformat_ = json\nminimal = true\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.conf"),
        "[DEFAULT]\nnamespace = oslo.config\nno separator\n",
    )
    .unwrap();
    std::fs::create_dir(dir.join("d")).unwrap();
    std::fs::create_dir(dir.join("d2")).unwrap();
    std::fs::write(dir.join("d2/z.conf"), "[DEFAULT]\nwrap_width = 30\n").unwrap();
    std::fs::write(
        dir.join("d/b.conf"),
        "[DEFAULT]\nwrap_width = 12\nsummarize = on\n",
    )
    .unwrap();
    std::fs::write(dir.join("d/a.conf"), "[DEFAULT]\nwrap_width = 20\n").unwrap();
    std::fs::write(dir.join("d/.hidden.conf"), "[DEFAULT]\nwrap_width = 21\n").unwrap();
    let data = Command::new(&python)
        .args([
            "-m",
            "oslo_config.generator",
            "--namespace",
            "oslo.config",
            "--format",
            "yaml",
        ])
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(data.status.success());
    std::fs::write(dir.join("optdata.yaml"), &data.stdout).unwrap();
    let run = |program: &Path, pre: &[&str], args: &[&str], env: &[(&str, &str)]| {
        let _ = std::fs::remove_file(dir.join("out.txt"));
        let out = Command::new(program)
            .args(pre)
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let written = std::fs::read_to_string(dir.join("out.txt")).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.starts_with("WARNING:"))
            .unwrap_or_default()
            .to_owned();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            written,
            last,
        )
    };
    let ours = Path::new(env!("CARGO_BIN_EXE_oslo-config-generator"));
    let mut failures = Vec::new();
    for (args, env) in CLI_CASES {
        let (py_code, py_out, py_file, py_err) =
            run(&python, &["-m", "oslo_config.generator"], args, env);
        let (code, out, file, err) = run(ours, &["--opt-data", "optdata.yaml"], args, env);
        let what = format!("{args:?} {env:?}");
        if py_code != code {
            failures.push(format!(
                "{what}: exit {py_code:?} vs {code:?} ({py_err} / {err})"
            ));
        } else if py_code == Some(0) && args != &["--version"] && (py_out != out || py_file != file)
        {
            failures.push(format!(
                "{what}: {}",
                first_difference(&(py_out + &py_file), &(out + &file))
            ));
        } else if args == &["--version"] && py_out != out {
            failures.push(format!("{what}: {py_out:?} vs {out:?}"));
        } else if py_code == Some(1) && py_err != err {
            // The reference's message: a traceback's last line, or argparse's.
            failures.push(format!("{what}: stderr {py_err:?} vs {err:?}"));
        }
    }
    // No arguments at all: the help, exit 1 (as `conf()` raising
    // RequiredOptError with an empty argv does).
    let (code, out, _, _) = run(ours, &[], &[], &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("--namespace"), "{out}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
