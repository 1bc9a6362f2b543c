//! In-process cost of a rootwrap decision, on the real filter corpus.
//!
//! `cargo bench -p oslo-rootwrap --bench decide` (quick run: append
//! `-- --warm-up-time 1 --measurement-time 3`).
//!
//! The configuration lists every `rootwrap.d` directory of the corpus
//! (`<workspace>/../shared/corpus/rootwrap/<project>/<version>/rootwrap.d`,
//! 37 files, 523 filters; override the root with `OSLO_RS_ROOTWRAP_CORPUS`)
//! in sorted order, with `exec_dirs=/sbin,/usr/sbin,/bin,/usr/bin`. Without
//! the corpus a small inline filter set is written to a temporary directory
//! (and a SKIPPED line says so) so that the bench still runs.
//!
//! Benchmarks:
//! * `config/parse`: rootwrap.conf text to [`RootwrapConfig`];
//! * `load_filters/*`: every filter file, with and without the trust checks;
//! * `decide_with/*`: matching against the loaded filters —
//!   `allowed_command_filter` (`ip a`, a CommandFilter), `allowed_regexp_late`
//!   (`sleep 5`, a RegExpFilter near the end of the list),
//!   `unauthorized_full_scan` (no filter matches: every filter is tried) and
//!   `allowed_chaining` (`ionice -c2 -n7 ip a`, a ChainingRegExpFilter whose
//!   inner command is re-checked);
//! * `decide/*`: load + match, i.e. all the work of one CLI call apart from
//!   process start-up and the exec itself.
//!
//! The Python reference is not measured here: `scripts/bench-rootwrap.sh`
//! compares whole calls of both implementations.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use oslo_rootwrap::config::RootwrapConfig;
use oslo_rootwrap::decision::{self, Outcome};
use oslo_rootwrap::filters::MatchEnv;
use oslo_rootwrap::trust::Trust;
use oslo_rootwrap::wrapper;

const EXEC_DIRS: &str = "/sbin,/usr/sbin,/bin,/usr/bin";

/// What a benchmarked command is expected to resolve to.
enum Expect {
    /// Allowed by the filter of this name.
    Allowed(&'static str),
    /// No filter matches.
    Unauthorized,
}

/// The benchmarked command lines (see the module documentation).
const CASES: &[(&str, &[&str], Expect)] = &[
    (
        "allowed_command_filter",
        &["ip", "a"],
        Expect::Allowed("ip"),
    ),
    (
        "allowed_regexp_late",
        &["sleep", "5"],
        Expect::Allowed("sleep"),
    ),
    (
        "unauthorized_full_scan",
        &["definitely-not-allowed", "--flag", "value"],
        Expect::Unauthorized,
    ),
    (
        "allowed_chaining",
        &["ionice", "-c2", "-n7", "ip", "a"],
        Expect::Allowed("ionice_1"),
    ),
];

/// Used when the corpus is absent: same commands, same filter classes, with
/// filler filters so that a full scan still has something to scan.
const FALLBACK_FILTERS: &str = "[Filters]
ip: CommandFilter, ip, root
ionice_1: ChainingRegExpFilter, ionice, root, ionice, -c[0-3], -n[0-7]
kill_dnsmasq: KillFilter, root, /usr/sbin/dnsmasq, -9, -HUP
env_lvs: EnvFilter, env, root, LC_ALL=C, lvs
sleep: RegExpFilter, sleep, root, sleep, \\d+
";

fn fail(message: &str) -> ! {
    panic!("decide bench: {message}")
}

/// The filter directories to load, and the temporary directory that holds
/// them when the corpus is absent (kept alive for the whole run).
fn filter_dirs() -> (Vec<PathBuf>, Option<tempfile::TempDir>) {
    let root = std::env::var_os("OSLO_RS_ROOTWRAP_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/rootwrap"),
        PathBuf::from,
    );
    let mut dirs = Vec::new();
    for project in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for version in std::fs::read_dir(project.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let d = version.path().join("rootwrap.d");
            if d.is_dir() {
                dirs.push(d);
            }
        }
    }
    dirs.sort();
    if !dirs.is_empty() {
        return (dirs, None);
    }
    eprintln!(
        "\n*** SKIPPED: rootwrap corpus not found under {} — benchmarking a small INLINE filter set \
         instead; these figures are NOT the corpus figures ***\n",
        root.display()
    );
    let tmp = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("tempdir: {e}")));
    let d = tmp.path().join("rootwrap.d");
    let mut text = String::from(FALLBACK_FILTERS);
    for i in 0..100 {
        text.push_str(&format!(
            "filler{i}: CommandFilter, /usr/bin/filler{i}, root\n"
        ));
        text.push_str(&format!(
            "filler_re{i}: RegExpFilter, filler{i}, root, filler{i}, -x, \\d+\n"
        ));
    }
    std::fs::create_dir(&d)
        .and_then(|()| std::fs::write(d.join("bench.filters"), text))
        .unwrap_or_else(|e| fail(&format!("writing the inline filters: {e}")));
    (vec![d], Some(tmp))
}

fn conf_text(dirs: &[PathBuf]) -> String {
    let paths: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    format!(
        "[DEFAULT]\nfilters_path={}\nexec_dirs={EXEC_DIRS}\n",
        paths.join(",")
    )
}

fn args(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// Checks (once, outside the timings) that each case resolves as expected
/// and says where its filter sits in the list; a mismatch is reported
/// loudly but does not stop the bench.
fn check_cases(set: &wrapper::FilterSet, config: &RootwrapConfig, env: &MatchEnv) {
    for (name, words, expect) in CASES {
        let mut userargs = args(words);
        let outcome = decision::decide_with(&set.filters, &mut userargs, &config.exec_dirs, env);
        let (ok, what) = match (&outcome, expect) {
            (Outcome::Allowed(a), Expect::Allowed(want)) => {
                // Which filter matched first (the chaining case reports the
                // outer filter).
                let (at, class) = match wrapper::match_filter(
                    &set.filters,
                    &mut args(words),
                    &config.exec_dirs,
                    env,
                ) {
                    Ok(wrapper::Match::Allowed(i)) => (
                        i.to_string(),
                        set.filters.get(i).map_or("?", |f| f.kind.class_name()),
                    ),
                    other => (format!("{other:?}"), "?"),
                };
                (
                    a.filter == *want,
                    format!(
                        "allowed by {} ({class}, filter #{at} of {})",
                        a.filter,
                        set.filters.len()
                    ),
                )
            }
            (Outcome::Unauthorized { .. }, Expect::Unauthorized) => (
                true,
                format!(
                    "unauthorized after scanning all {} filters",
                    set.filters.len()
                ),
            ),
            (other, _) => (false, other.to_json()),
        };
        if ok {
            eprintln!("decide bench: {name}: `{}` -> {what}", words.join(" "));
        } else {
            eprintln!(
                "\n*** WARNING: decide bench case {name}: `{}` resolved to {what}, not as expected; \
                 its figure measures something else ***\n",
                words.join(" ")
            );
        }
    }
}

fn benches(c: &mut Criterion) {
    let (dirs, _tmp) = filter_dirs();
    let text = conf_text(&dirs);
    let config = RootwrapConfig::parse(text.as_bytes(), "bench-rootwrap.conf", None)
        .unwrap_or_else(|e| fail(&format!("rootwrap.conf: {e}")));
    let env = MatchEnv {
        path: Some(b"/usr/bin:/bin".to_vec()),
    };
    let set = wrapper::load_filters(&config.filters_path, Trust::Assume)
        .unwrap_or_else(|e| fail(&format!("load_filters: {e}")));
    eprintln!(
        "decide bench: {} filter files in {} directories, {} filters (built-in privsep-helper included)",
        set.files.len(),
        dirs.len(),
        set.filters.len()
    );
    check_cases(&set, &config, &env);

    c.bench_function("config/parse", |b| {
        b.iter(|| RootwrapConfig::parse(black_box(text.as_bytes()), "bench-rootwrap.conf", None))
    });

    let mut g = c.benchmark_group("load_filters");
    g.bench_function("all_files", |b| {
        b.iter(|| wrapper::load_filters(black_box(&config.filters_path), Trust::Assume))
    });
    // The CLI verifies every file on its descriptor when it runs as root;
    // that needs root-owned, non-writable directories and files.
    match wrapper::load_filters(&config.filters_path, Trust::Verify) {
        Ok(_) => {
            g.bench_function("all_files_trust_checked", |b| {
                b.iter(|| wrapper::load_filters(black_box(&config.filters_path), Trust::Verify))
            });
        }
        Err(e) => eprintln!(
            "decide bench: SKIPPED load_filters/all_files_trust_checked (trust check fails here: {e})"
        ),
    }
    g.finish();

    // Warm: the filters are loaded once (and cache their resolved
    // executables across iterations, as the daemon's would).
    let mut g = c.benchmark_group("decide_with");
    for (name, words, _) in CASES {
        let userargs = args(words);
        g.bench_function(*name, |b| {
            b.iter_batched_ref(
                || userargs.clone(),
                |a| decision::decide_with(black_box(&set.filters), a, &config.exec_dirs, &env),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    // Cold: load + match, what one CLI invocation computes.
    let mut g = c.benchmark_group("decide");
    for (name, words, _) in CASES {
        let userargs = args(words);
        g.bench_function(*name, |b| {
            b.iter_batched(
                || userargs.clone(),
                |mut a| {
                    let set = wrapper::load_filters(black_box(&config.filters_path), Trust::Assume);
                    set.map(|s| decision::decide_with(&s.filters, &mut a, &config.exec_dirs, &env))
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(decide_benches, benches);
criterion_main!(decide_benches);
