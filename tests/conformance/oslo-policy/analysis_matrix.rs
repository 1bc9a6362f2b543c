//! `oslo-policy matrix` judged by the reference (`oracle/matrix_oracle.py`)
//! and by a real browser:
//!
//! * every cell of the five real services' matrices (defaults, with and
//!   without `enforce_new_defaults`) is decided by the real oslo.policy
//!   Enforcer as the matrix says, on the persona's own target and on
//!   another's (and, for a target-dependent cell, on the targets it was
//!   confirmed on, and as its condition says);
//! * the HTML page, loaded in headless Debian chromium: the filters in
//!   the address work, the condition is on the cell, a screenshot is made;
//! * the formats say the same thing, personas files extend, replace and
//!   fail with a message, `--rule` globs select.

#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value as Json, json};

const OURS: &str = env!("CARGO_BIN_EXE_oslo-policy");
const SERVICES: [&str; 5] = ["keystone", "nova", "neutron", "cinder", "glance"];

fn matrix(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::new(OURS)
        .arg("matrix")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn matrix_ok(args: &[&std::ffi::OsStr]) -> String {
    let (code, out, err) = matrix(args);
    assert_eq!(code, 0, "matrix {args:?}: {err}");
    out
}

fn decisions(m: &Json) -> Vec<String> {
    m["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["cells"].as_array().unwrap().iter())
        .map(|c| c["decision"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn cells_agree_with_the_reference_on_real_services() {
    let Some(dir) = common::service_dir("analysis_matrix services") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let none = tmp.path().join("no-policy-file.yaml");
    let mut jobs = Vec::new();
    for svc in SERVICES {
        for new_defaults in [true, false] {
            let defaults = dir.join(format!("{svc}-defaults.json"));
            let mut args: Vec<&std::ffi::OsStr> = vec![
                "--format".as_ref(),
                "json".as_ref(),
                "--defaults".as_ref(),
                defaults.as_os_str(),
                none.as_os_str(),
            ];
            if !new_defaults {
                args.push("--no-enforce-new-defaults".as_ref());
            }
            let m: Json = serde_json::from_str(&matrix_ok(&args)).unwrap();
            let d = decisions(&m);
            let count = |w: &str| d.iter().filter(|x| *x == w).count();
            eprintln!(
                "{svc} (enforce_new_defaults {new_defaults}): {} cells: {} allowed, {} denied, {} depend on the target",
                d.len(),
                count("allowed"),
                count("denied"),
                count("depends")
            );
            assert_eq!(count("undecided"), 0, "{svc}");
            assert!(count("allowed") > 0 && count("depends") > 0, "{svc}");
            jobs.push(json!({
                "label": format!("{svc} {new_defaults}"),
                "policy": {"policy": none, "defaults": defaults, "new_defaults": new_defaults},
                "matrix": m,
            }));
        }
    }
    let Some(python) = common::reference_python("analysis_matrix services") else {
        return;
    };
    let file = tmp.path().join("jobs.json");
    std::fs::write(&file, json!({"jobs": jobs}).to_string()).unwrap();
    oslo_test_support::oracle_agrees(
        "analysis_matrix services",
        &python,
        &common::oracle("matrix_oracle.py"),
        &[file.as_os_str()],
        ", 0 mismatches",
    );
}

/// Debian's chromium, or `None` with a SKIPPED line.
fn chromium(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("OSLO_RS_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {test}: no chromium at {} (apt-get install chromium, or set OSLO_RS_CHROMIUM)",
            path.display()
        );
        None
    }
}

fn headless(chromium: &Path, extra: &[&str], url: &str) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1400,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The width and height a PNG's header gives.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(png.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]), "not a PNG");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[test]
fn html_page_in_a_real_browser() {
    let Some(dir) = common::service_dir("analysis_matrix html") else {
        return;
    };
    let Some(chromium) = chromium("analysis_matrix html") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let none = tmp.path().join("no-policy-file.yaml");
    let defaults = dir.join("nova-defaults.json");
    let base: Vec<&std::ffi::OsStr> = vec![
        "--defaults".as_ref(),
        defaults.as_os_str(),
        none.as_os_str(),
    ];
    let html = matrix_ok(&[&base[..], &["--format".as_ref(), "html".as_ref()]].concat());
    let page = tmp.path().join("nova.html");
    std::fs::write(&page, &html).unwrap();
    let m: Json = serde_json::from_str(&matrix_ok(
        &[&base[..], &["--format".as_ref(), "json".as_ref()]].concat(),
    ))
    .unwrap();
    let rules: Vec<&str> = m["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let matching = rules
        .iter()
        .filter(|r| r.contains("servers:create"))
        .count();
    assert!(matching >= 5);

    let url = format!(
        "file://{}#rule=servers:create&persona=project",
        page.display()
    );
    // The page as the browser leaves it after its script ran.
    let dom = String::from_utf8(headless(&chromium, &["--dump-dom"], &url).stdout).unwrap();
    assert!(
        dom.contains(&format!("<span id=\"count\">{matching}</span>")),
        "the rule filter shows {matching} rules"
    );
    let visible_rows: Vec<&str> = dom
        .split("<tr data-rule=\"")
        .skip(1)
        .filter(|row| !row.split('>').next().unwrap_or("").contains("hidden"))
        .collect();
    assert_eq!(visible_rows.len(), matching);
    assert!(visible_rows.iter().all(|r| r.starts_with("os_compute_api:servers:create")
        || r.contains("servers:create")));
    let visible_heads = dom.matches("<th class=\"p\">").count();
    let hidden_heads = dom.matches("<th class=\"p hidden\">").count();
    assert_eq!(visible_heads, 6, "the project personas");
    assert_eq!(visible_heads + hidden_heads, 16);
    // The condition is on the cell, for hovering.
    let create = visible_rows
        .iter()
        .find(|r| r.starts_with("os_compute_api:servers:create\""))
        .unwrap();
    assert!(
        create.contains(
            "title=\"project-member: if target.project_id == &quot;p1&quot; (creds.project_id)\""
        ),
        "{create}"
    );

    let shot = tmp.path().join("matrix.png");
    headless(
        &chromium,
        &[&format!("--screenshot={}", shot.display())],
        &url,
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(png_size(&png), (1400, 900));
    assert!(
        png.len() > 20_000,
        "a page, not a blank: {} bytes",
        png.len()
    );
    if let Some(keep) = std::env::var_os("OSLO_RS_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

const SMALL: &str = r#"
default: "role:admin"
owner: "project_id:%(project_id)s"
get: "role:reader and rule:owner"
delete: "role:admin and system_scope:all"
"#;

#[test]
fn formats_personas_files_and_rule_globs() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("p.yaml");
    std::fs::write(&policy, SMALL).unwrap();
    let personas = tmp.path().join("personas.yaml");
    std::fs::write(
        &personas,
        "replace: true\npersonas:\n\
         - {name: mine, creds: {roles: [reader], project_id: p1}, target: own}\n\
         - {name: theirs, creds: {roles: [reader], project_id: p1}, target: other}\n\
         - {name: any, creds: {roles: [reader], project_id: p1}}\n\
         - {name: root, creds: {roles: [admin], system_scope: all}}\n",
    )
    .unwrap();
    let run = |format: &str, rule: &str| {
        matrix_ok(&[
            "--personas".as_ref(),
            personas.as_os_str(),
            "--rule".as_ref(),
            rule.as_ref(),
            "--format".as_ref(),
            format.as_ref(),
            policy.as_os_str(),
        ])
    };
    let m: Json = serde_json::from_str(&run("json", "*")).unwrap();
    let row = |name: &str| -> Vec<String> {
        m["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["decision"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(row("get"), ["allowed", "denied", "depends", "denied"]);
    assert_eq!(row("delete"), ["denied", "denied", "denied", "allowed"]);
    let csv = run("csv", "g?t");
    assert_eq!(
        csv,
        "rule,mine,theirs,any,root\n\
         get,allowed,denied,\"if target.project_id == \"\"p1\"\" (creds.project_id)\",denied\n"
    );
    let md = run("markdown", "delete");
    assert!(md.starts_with("| rule | mine | theirs | any | root |\n|---|---|---|---|---|\n"));
    assert!(md.contains("| `delete` | ❌ | ❌ | ❌ | ✅ |"), "{md}");
    let text = run("text", "get");
    assert!(
        text.contains("get  Y.?.\n    any: if target.project_id == \"p1\""),
        "{text}"
    );
    // The default personas come first unless replaced.
    let extended = tmp.path().join("more.yaml");
    std::fs::write(&extended, "personas:\n- {name: x, creds: {roles: []}}\n").unwrap();
    let m: Json = serde_json::from_str(&matrix_ok(&[
        "--personas".as_ref(),
        extended.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        policy.as_os_str(),
    ]))
    .unwrap();
    assert_eq!(m["personas"].as_array().unwrap().len(), 17);
    // A bad personas file: one line naming it, exit 2.
    let bad = tmp.path().join("bad.yaml");
    std::fs::write(&bad, "personas:\n- {name: x, creds: {roles: admin}}\n").unwrap();
    let (code, out, err) = matrix(&["--personas".as_ref(), bad.as_os_str(), policy.as_os_str()]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        format!(
            "oslo-policy: {}: persona 1: `creds.roles` must be a list of strings\n",
            bad.display()
        )
    );
    let (code, _, err) = matrix(&[tmp.path().join("absent.yaml").as_os_str()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("oslo-policy: POLICY "), "{err}");
}
