//! `oslo-rootwrap lint` over every project of the real filter corpus
//! (`../shared/corpus/rootwrap`), compared with the reviewed findings in
//! `tests/lint-expected/<project>-<version>.txt` (see `REVIEW.md` there),
//! so that any change in what lint finds shows up as a diff.
//!
//! Regenerate after a deliberate change, then review the diff:
//! `OSLO_RS_BLESS=1 cargo test -p oslo-rootwrap --test lint_corpus`.
//!
//! Every finding with a witness is then decided again by the real
//! decision function (`decision::decide_with`, the real executable
//! lookup) with every executable of the project installed as a stub:
//! each witness must be allowed, and run as root.
//!
//! Findings that depend on the host (executables missing from
//! `exec_dirs`, file ownership) are not part of the comparison; the trust
//! checks have their own tests.
#![cfg(test)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use oslo_rootwrap::config::RootwrapConfig;
use oslo_rootwrap::decision::{Outcome, decide_with};
use oslo_rootwrap::filters::{Filter, MatchEnv};
use oslo_rootwrap::lint::{self, Finding, Severity};
use oslo_rootwrap::wrapper::{FilterSet, parse_filter_file};

const DEFAULT_EXEC_DIRS: &str = "/sbin,/usr/sbin,/bin,/usr/bin,/usr/local/sbin,/usr/local/bin";

/// Every `<project>/<version>` of the corpus with a `rootwrap.d`.
fn projects(corpus: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for project in fs::read_dir(corpus).unwrap().flatten() {
        let Ok(versions) = fs::read_dir(project.path()) else {
            continue;
        };
        for v in versions.flatten() {
            if v.path().join("rootwrap.d").is_dir() {
                let name = format!(
                    "{}-{}",
                    project.file_name().to_string_lossy(),
                    v.file_name().to_string_lossy()
                );
                out.push((name, v.path()));
            }
        }
    }
    out.sort();
    out
}

/// The project's filters, files in name order (the real run uses
/// directory order, which differs between file systems), named
/// `rootwrap.d/<file>`, the built-in `privsep-helper` last; and lines for
/// files the reference cannot load.
fn load(dir: &Path) -> (FilterSet, Vec<String>) {
    let mut set = FilterSet::default();
    let mut errors = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("rootwrap.d"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in files {
        let shown = format!("rootwrap.d/{}", f.file_name().unwrap().to_string_lossy());
        if let Err(e) = parse_filter_file(&fs::read(&f).unwrap(), &shown, &mut set) {
            errors.push(format!("{shown}: never-matches: {e}"));
        }
    }
    if let Ok(Some(privsep)) = Filter::build(
        "privsep-helper",
        "CommandFilter",
        &["privsep-helper".to_owned(), "root".to_owned()],
    ) {
        set.filters.push(privsep);
    }
    (set, errors)
}

fn exec_dirs(dir: &Path) -> Vec<Vec<u8>> {
    let conf = fs::read(dir.join("rootwrap.conf")).unwrap_or_default();
    let path = DEFAULT_EXEC_DIRS.replace(',', ":");
    match RootwrapConfig::parse(&conf, "rootwrap.conf", Some(path.as_bytes())) {
        Ok(c) => c.exec_dirs,
        Err(_) => DEFAULT_EXEC_DIRS
            .split(',')
            .map(|d| d.as_bytes().to_vec())
            .collect(),
    }
}

/// The project's filters again, every executable installed as a stub
/// under `stubs`, and the `exec_dirs` that find them.
fn installed(dir: &Path, stubs: &Path) -> (FilterSet, Vec<Vec<u8>>) {
    let (mut set, _) = load(dir);
    let bin = stubs.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let stub = |path: &Path| {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "#!/bin/sh\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    };
    for f in &mut set.filters {
        if f.exec_path.starts_with('/') {
            // An absolute executable of this project's hosts: installed
            // under the stub root (its basename, which is what witnesses
            // use, is unchanged).
            let moved = format!("{}{}", stubs.join("abs").display(), f.exec_path);
            stub(Path::new(&moved));
            f.exec_path = moved;
        } else if !f.exec_path.is_empty() {
            stub(&bin.join(&f.exec_path));
        }
    }
    (set, vec![bin.as_os_str().as_encoded_bytes().to_vec()])
}

/// Decides `witness` with the real decision function over `installed`.
fn check_witness(installed: &(FilterSet, Vec<Vec<u8>>), finding: &Finding, witness: &[Vec<u8>]) {
    let mut argv = witness.to_vec();
    match decide_with(
        &installed.0.filters,
        &mut argv,
        &installed.1,
        &MatchEnv::default(),
    ) {
        Outcome::Allowed(a) if a.run_as == "root" => {}
        other => panic!(
            "{}: witness not allowed as root by the real decision: {other:?}",
            finding.line()
        ),
    }
}

#[test]
fn corpus_findings_are_the_reviewed_ones() {
    let Some(corpus) = oslo_test_support::rootwrap_corpus() else {
        eprintln!("SKIPPED: lint_corpus: no filter corpus at ../shared/corpus/rootwrap");
        return;
    };
    let bless = std::env::var_os("OSLO_RS_BLESS").is_some_and(|v| v == "1");
    let expected_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint-expected");
    let stubs = tempfile::tempdir().unwrap();
    let mut mismatches = Vec::new();
    let mut counts: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut witnesses = 0;
    for (name, dir) in projects(&corpus) {
        let (set, mut lines) = load(&dir);
        let stubbed = installed(&dir, &stubs.path().join(&name));
        let findings: Vec<Finding> =
            lint::lint_filters(&set, &exec_dirs(&dir), &MatchEnv::default())
                .into_iter()
                .filter(|f| f.code != "missing-executable")
                .collect();
        for f in &findings {
            *counts
                .entry(name.clone())
                .or_default()
                .entry(f.severity.as_str())
                .or_default() += 1;
            if let Some(w) = &f.witness {
                check_witness(&stubbed, f, w);
                witnesses += 1;
            }
            lines.push(f.line());
        }
        let got = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        let path = expected_dir.join(format!("{name}.txt"));
        if bless {
            fs::create_dir_all(&expected_dir).unwrap();
            fs::write(&path, &got).unwrap();
            continue;
        }
        let want = fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            let missing: Vec<&str> = want
                .lines()
                .filter(|l| !lines.iter().any(|g| g == l))
                .collect();
            let new: Vec<&String> = lines
                .iter()
                .filter(|g| !want.lines().any(|l| l == g.as_str()))
                .collect();
            mismatches.push(format!(
                "{name}: lint findings changed (OSLO_RS_BLESS=1 to regenerate, then review)\n  gone: {missing:#?}\n  new: {new:#?}"
            ));
        }
    }
    for (name, c) in &counts {
        eprintln!("{name}: {c:?}");
    }
    eprintln!("{witnesses} witnesses allowed as root by the real decision");
    assert!(
        witnesses > 50,
        "the corpus has many dangerous filters: {witnesses}"
    );
    assert!(
        counts
            .get("nova-17.0.13")
            .and_then(|c| c.get(Severity::Root.as_str()))
            > Some(&3),
        "nova 17: ip, qemu-img, mkfs, cp at least"
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
