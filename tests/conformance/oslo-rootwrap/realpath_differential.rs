//! `oslo_rootwrap::pyos::realpath` against the reference's `filters.realpath`
//! (CPython 3.11 `os.path.realpath`, non-strict, '' on FileNotFoundError) on
//! random symlink mazes, byte for byte.
//!
//! PathFilter's decision is a string-prefix check on this value, so any
//! difference is a potential allow/deny difference. A seeded generator builds
//! thousands of small mazes in a temporary directory (directories, files,
//! relative and absolute links, `..`/`.`/`//`/trailing slashes in targets,
//! dangling links, self-loops and cycles, links to links, paths through
//! files, non-UTF-8 and 255-byte names), plus shared chains of exactly 1, 2,
//! 39, 40, 41, 63, 64, 65, 70, 100, 511, 512, 513, 600 and 1100 links with
//! various ends, a directory tree deeper than PATH_MAX and deleted working
//! directories. Every query runs in-process here and, with the same working
//! directory, in one batch reference process (oracle/realpath_oracle.py),
//! which also reports how deeply the reference's `_joinrealpath` nested.
//!
//! The rule: results are identical, except that our `Err` (refusal, i.e. the
//! reference's crash) is accepted where the reference nests deeper than
//! `MAX_LINK_DEPTH` or itself raises. An `Ok` must always equal the reference.
//!
//! The seed is fixed (deterministic); `OSLO_RS_TEST_SEED=<n>` explores
//! others. On a mismatch the seed is printed and the mazes are kept.
#![cfg(test)]

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::Mutex;

use oslo_rootwrap::pyos::{MAX_LINK_DEPTH, PyCrash, realpath};
use oslo_test_support::Rng;

/// Every test here changes the process's working directory.
static CWD: Mutex<()> = Mutex::new(());

const DEFAULT_SEED: u64 = 0x7265_616c_7061_7468;
const MAZES: usize = 2200;
const QUERIES_PER_MAZE: usize = 6;
/// Chain lengths of the shared chains (0-based depth = length when the
/// query names the first link).
const CHAIN_LENGTHS: &[usize] = &[
    1, 2, 39, 40, 41, 63, 64, 65, 70, 100, 511, 512, 513, 600, 1100,
];

fn p(b: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(b))
}

fn bytes(p: &Path) -> Vec<u8> {
    p.as_os_str().as_bytes().to_vec()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b)).replace('\u{fffd}', "\\x??")
        + &if std::str::from_utf8(b).is_err() {
            format!(" (hex {})", hex(b))
        } else {
            String::new()
        }
}

/// Entry names: plain, odd, non-UTF-8 and a maximal (255-byte) one.
fn names() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        "a", "b", "c", "d", "sub", "f", "lnk", "x y", "...", "-", "n\nl", "*", "\\", "..a",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    v.push(b"\xff".to_vec());
    v.push(b"caf\xc3\xa9".to_vec());
    v.push(b"\xe9t\xe9".to_vec());
    v.push(vec![b'L'; 255]);
    v
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Dir,
    File,
    Link,
}

struct Maze {
    base: Vec<u8>,
    /// Paths relative to `base` (`""` is `base` itself).
    entries: Vec<(Vec<u8>, Kind)>,
}

fn rel_join(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() {
        b.to_vec()
    } else {
        cat(&[a, b"/", b])
    }
}

/// `../` once per component of `rel`: from a directory `rel` back to the base.
fn up(rel: &[u8]) -> Vec<u8> {
    if rel.is_empty() {
        return Vec::new();
    }
    b"../".repeat(rel.split(|&c| c == b'/').count())
}

impl Maze {
    fn abs(&self, rel: &[u8]) -> Vec<u8> {
        if rel.is_empty() {
            self.base.clone()
        } else {
            cat(&[&self.base, b"/", rel])
        }
    }
    fn of_kind(&self, kind: Kind) -> Vec<Vec<u8>> {
        self.entries
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(r, _)| r.clone())
            .collect()
    }
    fn any(&self, rng: &mut Rng) -> Vec<u8> {
        rng.pick(&self.entries).0.clone()
    }
    fn basename(&self, rng: &mut Rng) -> Vec<u8> {
        let e = self.any(rng);
        e.rsplit(|&c| c == b'/').next().unwrap_or_default().to_vec()
    }
}

/// Rewrites the separators of `path`: `//`, `/./`, `X/../` detours (X may
/// be a link, a file or missing) and trailing `/`, `/.`, `//`.
fn decorate(rng: &mut Rng, path: &[u8], names: &[Vec<u8>]) -> Vec<u8> {
    let parts: Vec<&[u8]> = path.split(|&c| c == b'/').collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            match rng.below(12) {
                0 => out.extend_from_slice(b"//"),
                1 => out.extend_from_slice(b"/./"),
                2 => {
                    out.push(b'/');
                    out.extend_from_slice(rng.pick(names).as_slice());
                    out.extend_from_slice(b"/../");
                }
                _ => out.push(b'/'),
            }
        }
        out.extend_from_slice(part);
    }
    match rng.below(10) {
        0 => out.push(b'/'),
        1 => out.extend_from_slice(b"/."),
        2 => out.extend_from_slice(b"//"),
        _ => {}
    }
    out
}

struct Chain {
    len: usize,
    end: &'static str,
    dir: Vec<u8>,
}

impl Chain {
    fn start(&self) -> Vec<u8> {
        cat(&[&self.dir, b"/l0"])
    }
}

struct Shared {
    chains: Vec<Chain>,
}

impl Shared {
    fn chain(&self, rng: &mut Rng) -> &Chain {
        // Mostly the short and boundary ones; deep ones are costly but needed.
        loop {
            let c = &self.chains[rng.below(self.chains.len())];
            if c.len <= 100 || rng.pct(25) {
                return c;
            }
        }
    }
}

/// Chains `l0 -> l1 -> ... -> l{n-1} -> END` in `root/chains/<n>-<end>/`,
/// each link written in a random style (plain, `./`, a `s/../` detour,
/// `../<dir>/`, absolute, absolute with `//` and `/./`).
fn build_chains(rng: &mut Rng, root: &[u8]) -> Vec<Chain> {
    let top = cat(&[root, b"/chains"]);
    fs::create_dir(p(&top)).unwrap();
    let mut chains = Vec::new();
    for &len in CHAIN_LENGTHS {
        let ends: &[&'static str] = if len > 100 {
            &["file", "dir", "dangling", "cycle"]
        } else {
            &[
                "file", "dir", "dangling", "cycle", "thrufile", "slash", "chain41", "up",
            ]
        };
        for &end in ends {
            let name = format!("{len}-{end}");
            let dir = cat(&[&top, b"/", name.as_bytes()]);
            fs::create_dir(p(&dir)).unwrap();
            fs::create_dir(p(&cat(&[&dir, b"/s"]))).unwrap();
            fs::create_dir(p(&cat(&[&dir, b"/end_dir"]))).unwrap();
            fs::write(p(&cat(&[&dir, b"/end_file"])), b"x").unwrap();
            for i in 0..len {
                let target: Vec<u8> = if i + 1 < len {
                    let next = format!("l{}", i + 1).into_bytes();
                    match rng.below(6) {
                        0 => next,
                        1 => cat(&[b"./", &next]),
                        2 => cat(&[b"s/../", &next]),
                        3 => cat(&[b"../", name.as_bytes(), b"/", &next]),
                        4 => cat(&[&dir, b"/", &next]),
                        _ => cat(&[b"/", &top, b"//", name.as_bytes(), b"/./", &next]),
                    }
                } else {
                    match end {
                        "file" => b"end_file".to_vec(),
                        "dir" => b"end_dir".to_vec(),
                        "dangling" => b"missing".to_vec(),
                        "cycle" => b"l0".to_vec(),
                        "thrufile" => b"end_file/x".to_vec(),
                        "slash" => b"end_dir/".to_vec(),
                        "chain41" => cat(&[&top, b"/41-file/l0"]),
                        _ => b"../../..".to_vec(),
                    }
                };
                symlink(p(&target), p(&cat(&[&dir, format!("/l{i}").as_bytes()]))).unwrap();
            }
            chains.push(Chain { len, end, dir });
        }
    }
    chains
}

fn gen_target(
    rng: &mut Rng,
    m: &Maze,
    parent: &[u8],
    own: &[u8],
    shared: &Shared,
    names: &[Vec<u8>],
) -> Vec<u8> {
    let t = match rng.below(17) {
        0..=2 => walk(rng, m, names),
        3 | 4 => cat(&[&up(parent), &m.any(rng)]),
        5 | 6 => m.abs(&m.any(rng)),
        7 => own.to_vec(),
        8 => cat(&[own, b"/", rng.pick(names).as_slice()]),
        9 => (rng.pick(&[
            &b"."[..],
            b"..",
            b"/",
            b"//",
            b"///",
            b"/tmp/",
            b"/proc/self/cwd",
            b"/nonexistent/x",
            b"./",
            b"../..",
        ]))
        .to_vec(),
        10 | 11 => {
            let c = shared.chain(rng);
            let suffix = rng.pick(&[&b""[..], b"/", b"/x", b"/..", b"/../..", b"/.", b"/l0"]);
            cat(&[&c.start(), suffix])
        }
        12 => rng.pick(names).clone(),
        13 => cat(&[
            &up(parent),
            &m.any(rng),
            b"/../",
            rng.pick(names).as_slice(),
        ]),
        14 => cat(&[b"/", &m.abs(&m.any(rng))]),
        _ => {
            let links = m.of_kind(Kind::Link);
            if links.is_empty() {
                rng.pick(names).clone()
            } else {
                cat(&[&up(parent), rng.pick(&links).as_slice()])
            }
        }
    };
    if t.is_empty() {
        return b".".to_vec();
    }
    if rng.pct(30) {
        decorate(rng, &t, names)
    } else {
        t
    }
}

/// A relative path of 1..4 pieces: existing entries, their names, `..`,
/// `.`, empty pieces, missing and over-long (256-byte) names.
fn walk(rng: &mut Rng, m: &Maze, names: &[Vec<u8>]) -> Vec<u8> {
    let k = 1 + rng.below(4);
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for _ in 0..k {
        let part = match rng.below(12) {
            0..=4 => m.any(rng),
            5 => m.basename(rng),
            6 | 7 => b"..".to_vec(),
            8 => b".".to_vec(),
            9 => Vec::new(),
            10 => b"nope".to_vec(),
            _ => {
                if rng.pct(20) {
                    vec![b'L'; 256]
                } else {
                    rng.pick(names).clone()
                }
            }
        };
        parts.push(part);
    }
    let out = parts.join(&b'/');
    if out.is_empty() { b".".to_vec() } else { out }
}

fn gen_maze(rng: &mut Rng, base: Vec<u8>, shared: &Shared, names: &[Vec<u8>]) -> Maze {
    fs::create_dir(p(&base)).unwrap();
    let mut m = Maze {
        base,
        entries: vec![(Vec::new(), Kind::Dir)],
    };
    for _ in 0..2 + rng.below(13) {
        let dirs = m.of_kind(Kind::Dir);
        let parent = rng.pick(&dirs).clone();
        let name = rng.pick(names).clone();
        let rel = rel_join(&parent, &name);
        let full = m.abs(&rel);
        if fs::symlink_metadata(p(&full)).is_ok() {
            continue;
        }
        match rng.below(20) {
            0..=4 => {
                if fs::create_dir(p(&full)).is_ok() {
                    m.entries.push((rel, Kind::Dir));
                }
            }
            5..=7 => {
                if fs::write(p(&full), b"f").is_ok() {
                    m.entries.push((rel, Kind::File));
                }
            }
            8 | 9 => {
                // A local chain name.0 -> name.1 -> ... -> END (or a cycle).
                let n = 2 + rng.below(12);
                let link = |j: usize| cat(&[&name, format!(".{j}").as_bytes()]);
                for j in 0..n {
                    let target = if j + 1 < n {
                        match rng.below(4) {
                            0 => link(j + 1),
                            1 => cat(&[b"./", &link(j + 1)]),
                            2 => m.abs(&rel_join(&parent, &link(j + 1))),
                            _ => cat(&[&up(&parent), &rel_join(&parent, &link(j + 1))]),
                        }
                    } else if rng.pct(20) {
                        link(0)
                    } else {
                        gen_target(rng, &m, &parent, &link(j), shared, names)
                    };
                    let lrel = rel_join(&parent, &link(j));
                    if symlink(p(&target), p(&m.abs(&lrel))).is_ok() {
                        m.entries.push((lrel, Kind::Link));
                    }
                }
            }
            _ => {
                let target = gen_target(rng, &m, &parent, &name, shared, names);
                if symlink(p(&target), p(&full)).is_ok() {
                    m.entries.push((rel, Kind::Link));
                }
            }
        }
    }
    m
}

struct Query {
    label: String,
    /// `chdir` steps: the first absolute, the others relative.
    cwd: Vec<Vec<u8>>,
    /// Create this directory in the working directory, enter it, remove it.
    gone: Option<Vec<u8>>,
    query: Vec<u8>,
}

fn gen_queries(rng: &mut Rng, m: &Maze, id: usize, names: &[Vec<u8>], out: &mut Vec<Query>) {
    let mut gone_done = false;
    for k in 0..QUERIES_PER_MAZE {
        let label = format!("maze {id} query {k}");
        let q = match rng.below(12) {
            0..=5 => {
                let w = walk(rng, m, names);
                let w = decorate(rng, &w, names);
                let q = cat(&[&m.base, b"/", &w]);
                let q = match rng.below(12) {
                    0 => cat(&[b"/", &q]),
                    1 => cat(&[b"//", &q]),
                    _ => q,
                };
                Query {
                    label,
                    cwd: vec![m.base.clone()],
                    gone: None,
                    query: q,
                }
            }
            6..=9 => {
                // Relative, from a directory of the maze (maybe entered
                // through a link to it).
                let mut cands: Vec<Vec<u8>> = m
                    .entries
                    .iter()
                    .filter(|(r, _)| fs::metadata(p(&m.abs(r))).is_ok_and(|md| md.is_dir()))
                    .map(|(r, _)| m.abs(r))
                    .collect();
                cands.retain(|c| c.len() < 4000);
                let cwd = if cands.is_empty() {
                    m.base.clone()
                } else {
                    rng.pick(&cands).clone()
                };
                let mut q = walk(rng, m, names);
                if rng.pct(25) {
                    q = cat(&[&b"../".repeat(1 + rng.below(12)), &q]);
                }
                if rng.pct(5) {
                    q = (rng.pick(&[&b""[..], b".", b"..", b"./", b"../"])).to_vec();
                }
                Query {
                    label,
                    cwd: vec![cwd],
                    gone: None,
                    query: decorate(rng, &q, names),
                }
            }
            10 if !gone_done => {
                gone_done = true;
                let dirs = m.of_kind(Kind::Dir);
                let cwd = m.abs(rng.pick(&dirs).as_slice());
                let q = match rng.below(6) {
                    0 => Vec::new(),
                    1 => b".".to_vec(),
                    2 => b"x/..".to_vec(),
                    3 => cat(&[b"../", &m.basename(rng)]),
                    4 => cat(&[b"../", &m.basename(rng), b"/../", &m.basename(rng)]),
                    _ => cat(&[b"../../", &walk(rng, m, names)]),
                };
                Query {
                    label: label + " (deleted cwd)",
                    cwd: vec![cwd],
                    gone: Some(format!("gone-{id}").into_bytes()),
                    query: q,
                }
            }
            _ => {
                // An entry exactly, or with a `..`/trailing slash after it.
                let e = m.any(rng);
                let suffix = rng.pick(&[&b""[..], b"/", b"/..", b"/../..", b"/x/.."]);
                Query {
                    label,
                    cwd: vec![m.base.clone()],
                    gone: None,
                    query: cat(&[&m.abs(&e), suffix]),
                }
            }
        };
        out.push(q);
    }
}

fn chain_queries(shared: &Shared, out: &mut Vec<Query>) {
    for c in &shared.chains {
        let label = format!("chain {}-{}", c.len, c.end);
        for suffix in [&b""[..], b"/", b"/x", b"/..", b"/../l0", b"/./y/../z"] {
            out.push(Query {
                label: label.clone(),
                cwd: vec![c.dir.clone()],
                gone: None,
                query: cat(&[&c.start(), suffix]),
            });
        }
        for rel in [&b"l0"[..], b"l0/..", b"./l0/x", b"s/../l0"] {
            out.push(Query {
                label: label.clone() + " (relative)",
                cwd: vec![c.dir.clone()],
                gone: None,
                query: rel.to_vec(),
            });
        }
    }
}

/// A directory tree deeper than PATH_MAX (18 levels of 255-byte names), with
/// links at level 15 (path still under 4096 bytes) and at the bottom (over).
fn deep_tree(root: &[u8], shared: &Shared, start: &Path, out: &mut Vec<Query>) {
    let long = vec![b'L'; 255];
    let top = cat(&[root, b"/deep"]);
    fs::create_dir(p(&top)).unwrap();
    std::env::set_current_dir(p(&top)).unwrap();
    let mut steps = vec![top.clone()];
    let mut full = top.clone();
    let target40 = shared
        .chains
        .iter()
        .find(|c| c.len == 40 && c.end == "dir")
        .unwrap()
        .start();
    for level in 1..=18 {
        fs::create_dir(p(&long)).unwrap();
        std::env::set_current_dir(p(&long)).unwrap();
        steps.push(long.clone());
        full = cat(&[&full, b"/", &long]);
        if level == 15 {
            symlink("../../..", "mid").unwrap();
            let q = cat(&[&full, b"/mid/x"]);
            assert!(q.len() < 4096);
            out.push(Query {
                label: "deep tree, level 15 link".into(),
                cwd: vec![top.clone()],
                gone: None,
                query: q,
            });
        }
    }
    symlink(p(&target40), "lnk").unwrap();
    symlink("../..", "up").unwrap();
    fs::write("f", b"f").unwrap();
    std::env::set_current_dir(start).unwrap();
    for q in [
        &b"lnk"[..],
        b"lnk/..",
        b"up",
        b"up/../f",
        b".",
        b"",
        b"f",
        b"nope/../lnk",
        b"../../../../../../../../../../../../../../../../../../../lnk",
    ] {
        out.push(Query {
            label: "deep tree, relative".into(),
            cwd: steps.clone(),
            gone: None,
            query: q.to_vec(),
        });
    }
    for q in [&b"lnk"[..], b"../L", b".", b"../up"] {
        out.push(Query {
            label: "deep tree, deleted cwd".into(),
            cwd: steps.clone(),
            gone: Some(b"gone".to_vec()),
            query: q.to_vec(),
        });
    }
    out.push(Query {
        label: "deep tree, absolute over PATH_MAX".into(),
        cwd: vec![top.clone()],
        gone: None,
        query: cat(&[&full, b"/lnk/x"]),
    });
}

fn run_ours(q: &Query, start: &Path) -> Result<Vec<u8>, PyCrash> {
    for step in &q.cwd {
        std::env::set_current_dir(p(step)).unwrap();
    }
    if let Some(g) = &q.gone {
        fs::create_dir(p(g)).unwrap();
        std::env::set_current_dir(p(g)).unwrap();
        fs::remove_dir(p(&cat(&[b"../", g]))).unwrap();
    }
    let r = realpath(&q.query);
    std::env::set_current_dir(start).unwrap();
    r
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    result: Result<Vec<u8>, String>,
    depth: usize,
}

fn run_reference(python: &Path, queries: &[Query]) -> Vec<Reference> {
    let script = oslo_test_support::conformance("oslo-rootwrap").join("oracle/realpath_oracle.py");
    let input: Vec<String> = queries
        .iter()
        .map(|q| {
            serde_json::json!({
                "cwd_hex": q.cwd.iter().map(|c| hex(c)).collect::<Vec<_>>(),
                "gone": q.gone.as_deref().map(hex),
                "query_hex": hex(&q.query),
            })
            .to_string()
        })
        .collect();
    oslo_test_support::oracle_lines(python, &script, &input)
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let result = match v["ok"].as_str() {
                Some(h) => Ok(unhex(h)),
                None => Err(v["err"].as_str().unwrap_or("?").to_owned()),
            };
            Reference {
                result,
                depth: v["depth"].as_u64().unwrap() as usize,
            }
        })
        .collect()
}

#[derive(Default, Debug)]
struct Tally {
    equal: usize,
    both_refused: usize,
    deep_refused: usize,
    deep_equal: usize,
    /// Resolved exactly `MAX_LINK_DEPTH` links deep, identically.
    boundary_equal: usize,
    relative: usize,
    deleted_cwd: usize,
    max_depth: usize,
}

/// Compares, returns the tally and the mismatch descriptions.
fn compare(
    queries: &[Query],
    ours: &[Result<Vec<u8>, PyCrash>],
    reference: &[Reference],
) -> (Tally, Vec<String>) {
    assert_eq!(queries.len(), reference.len());
    let mut t = Tally::default();
    let mut bad = Vec::new();
    for ((q, o), r) in queries.iter().zip(ours).zip(reference) {
        let deep = r.depth > MAX_LINK_DEPTH;
        t.max_depth = t.max_depth.max(r.depth);
        t.relative += usize::from(!q.query.starts_with(b"/"));
        t.deleted_cwd += usize::from(q.gone.is_some());
        let verdict = match (o, &r.result) {
            (Ok(a), Ok(b)) if a == b => {
                if deep {
                    t.deep_equal += 1;
                }
                if r.depth == MAX_LINK_DEPTH {
                    t.boundary_equal += 1;
                }
                t.equal += 1;
                None
            }
            (Ok(_), _) => Some("our Ok differs from the reference"),
            (Err(_), Err(_)) => {
                t.both_refused += 1;
                None
            }
            (Err(_), Ok(_)) if deep => {
                t.deep_refused += 1;
                None
            }
            (Err(_), Ok(_)) => Some("Err although the reference nests at most MAX_LINK_DEPTH"),
        };
        if let Some(why) = verdict {
            bad.push(format!(
                "--- {why}: {}\ncwd steps: {:?}{}\nquery: {}\nours:      {}\nreference: {} (depth {})",
                q.label,
                q.cwd.iter().map(|c| show(c)).collect::<Vec<_>>(),
                if q.gone.is_some() { " (deleted)" } else { "" },
                show(&q.query),
                match o {
                    Ok(v) => show(v),
                    Err(e) => format!("Err({e})"),
                },
                match &r.result {
                    Ok(v) => show(v),
                    Err(e) => format!("raises {e}"),
                },
                r.depth
            ));
        }
    }
    (t, bad)
}

/// Lists a maze (for mismatch reports).
fn listing(dir: &Path, out: &mut String, depth: usize) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for e in entries {
        let name = show(e.file_name().map(OsStrExt::as_bytes).unwrap_or_default());
        let indent = "  ".repeat(depth);
        match fs::read_link(&e) {
            Ok(t) => out.push_str(&format!("{indent}{name} -> {}\n", show(&bytes(&t)))),
            Err(_) if e.is_dir() => {
                out.push_str(&format!("{indent}{name}/\n"));
                listing(&e, out, depth + 1);
            }
            Err(_) => out.push_str(&format!("{indent}{name}\n")),
        }
    }
}

/// A scratch directory, on tmpfs when there is one: tens of thousands of
/// links are created, which is slow on a disk-backed VM filesystem.
fn scratch(prefix: &str) -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let b = tempfile::Builder::new().prefix(prefix).to_owned();
    if shm.is_dir() {
        if let Ok(d) = b.tempdir_in(shm) {
            return d;
        }
    }
    b.tempdir().unwrap()
}

fn seed() -> u64 {
    oslo_test_support::seed(DEFAULT_SEED)
}

#[test]
fn realpath_matches_reference_on_symlink_mazes() {
    let Some(python) = oslo_test_support::rootwrap_reference_python("realpath_differential::mazes")
    else {
        return;
    };
    let _cwd = CWD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let start = std::env::current_dir().unwrap();
    let seed = seed();
    let mut rng = Rng(seed);
    let root = scratch("realpath-mazes");
    let root_b = bytes(root.path());
    let names = names();
    let shared = Shared {
        chains: build_chains(&mut rng, &root_b),
    };
    let mut queries = Vec::new();
    let mut mazes = Vec::new();
    for id in 0..MAZES {
        let m = gen_maze(
            &mut rng,
            cat(&[&root_b, format!("/m{id}").as_bytes()]),
            &shared,
            &names,
        );
        gen_queries(&mut rng, &m, id, &names, &mut queries);
        mazes.push(m);
    }
    chain_queries(&shared, &mut queries);
    deep_tree(&root_b, &shared, &start, &mut queries);

    let ours: Vec<_> = queries.iter().map(|q| run_ours(q, &start)).collect();
    let reference = run_reference(&python, &queries);
    let (tally, bad) = compare(&queries, &ours, &reference);
    eprintln!(
        "realpath_differential: seed {seed}, {} mazes, {} queries: {tally:?}",
        mazes.len(),
        queries.len()
    );
    if !bad.is_empty() {
        let kept = root.keep();
        for b in bad.iter().take(10) {
            eprintln!("{b}");
            if let Some(id) = b
                .split("maze ")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .and_then(|s| s.parse::<usize>().ok())
            {
                let mut l = String::new();
                listing(&kept.join(format!("m{id}")), &mut l, 1);
                eprintln!("maze m{id}:\n{l}");
            }
        }
        panic!(
            "{} of {} realpath results differ from the reference (seed {seed}; mazes kept in {})",
            bad.len(),
            queries.len(),
            kept.display()
        );
    }
    // The boundary is exercised, both ways.
    assert!(tally.deep_refused > 0 && tally.max_depth > MAX_LINK_DEPTH);
    assert!(
        tally.boundary_equal > 0,
        "no query resolved exactly MAX_LINK_DEPTH links"
    );
    assert!(tally.both_refused > 0, "no query made the reference crash");
    assert!(tally.relative > 1000 && tally.deleted_cwd > 100);
}

/// Embedded NUL bytes cannot come from a command line, but can from a daemon
/// client. The reference raises ValueError when it `lstat`s such a name,
/// which it never does for the rest of a path after a symlink loop: there it
/// answers a path containing the NUL (and the command then fails to start).
#[test]
fn nul_bytes_match_reference() {
    let Some(python) = oslo_test_support::rootwrap_reference_python("realpath_differential::nul")
    else {
        return;
    };
    let _cwd = CWD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let start = std::env::current_dir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let r = bytes(root.path());
    symlink("loop", root.path().join("loop")).unwrap();
    fs::create_dir(root.path().join("d")).unwrap();
    let queries: Vec<Query> = [
        &b"/\0"[..],
        b"/d/\0/..",
        b"/loop/\0x",
        b"/loop/../\0",
        b"/d/\0",
    ]
    .iter()
    .map(|s| Query {
        label: "nul".into(),
        cwd: vec![r.clone()],
        gone: None,
        query: cat(&[&r, s]),
    })
    .chain(
        [b"loop/\0".to_vec(), b"\0".to_vec()]
            .into_iter()
            .map(|s| Query {
                label: "nul (relative)".into(),
                cwd: vec![r.clone()],
                gone: None,
                query: s,
            }),
    )
    .collect();
    let ours: Vec<_> = queries.iter().map(|q| run_ours(q, &start)).collect();
    let reference = run_reference(&python, &queries);
    let (_, bad) = compare(&queries, &ours, &reference);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
