//! The search for witnesses: argument vectors built from the catalogue
//! (and from the filter's own patterns) that the real matcher allows as
//! root. Nothing here decides by itself: every witness is handed to
//! [`decision::decide_installed`], the same matching, chaining and
//! command construction the real run uses, on a host where the filters'
//! executables are installed.

use crate::decision::{self, Outcome};
use crate::filters::{Filter, Kind, MatchEnv};
use pycompat::ospath;
use pycompat::re as pyre;

use super::catalogue::{self, Entry, Grant};

/// The placeholders shapes may use (see [`catalogue`]).
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "{prog}", "{file}", "{dir}", "{target}", "{device}", "{owner}", "{mode}", "{script}", "{any}",
];

/// A program or file the caller wrote, in a directory it owns.
pub const PAYLOAD: &str = "/tmp/x/payload";
/// A directory the caller owns.
const CALLER_DIR: &str = "/tmp/x";
/// Root files whose new content or owner gives root.
const TARGETS: &[&str] = &[
    "/etc/passwd",
    "/etc/shadow",
    "/etc/sudoers",
    "/etc/ld.so.preload",
    "/root/.ssh/authorized_keys",
    "/dev/sda",
];
/// Disks.
const DEVICES: &[&str] = &["/dev/sda", "/dev/vda", "/dev/nvme0n1"];
/// The caller as a new owner (its uid, or a service user's name).
const OWNERS: &[&str] = &[
    "1000",
    "nova",
    "1000:1000",
    "nova:nova",
    "cinder",
    "neutron",
];
/// Modes that open a file up.
const MODES: &[&str] = &["666", "0666", "a+w", "o+w", "777", "0777", "4755", "u+s"];
/// Shell command lines that run the caller's command (`id`), and fillers
/// that break out of the usual quoting.
const SCRIPTS: &[&str] = &[
    "id",
    "x;id;",
    "x'; id; echo '",
    "x$(id)",
    "x`id`",
    "x\nid\n",
];

/// A witness: the argument vector, and what it does as root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The command line the filter allows.
    pub argv: Vec<Vec<u8>>,
    /// How root is reached.
    pub message: String,
    /// What it gives.
    pub grant: Grant,
}

/// One candidate string, with what the reader should know about it.
#[derive(Debug, Clone)]
struct Cand {
    text: String,
    note: Option<String>,
}

fn plain(s: &str) -> Cand {
    Cand {
        text: s.to_owned(),
        note: None,
    }
}

/// Whether a shell running `script` runs the command `id` that one of
/// `SCRIPTS` put there: `id` as a command word, or in a command
/// substitution, outside single quotes.
pub fn runs_injected(script: &str) -> bool {
    let chars: Vec<char> = script.chars().collect();
    let mut single = false;
    let mut double = false;
    let mut command_start = true;
    let mut i = 0;
    let is_id_at = |k: usize| {
        chars.get(k) == Some(&'i')
            && chars.get(k + 1) == Some(&'d')
            && chars
                .get(k + 2)
                .is_none_or(|c| matches!(c, ';' | '\n' | ' ' | ')' | '`' | '&' | '|'))
    };
    while let Some(&c) = chars.get(i) {
        if single {
            if c == '\'' {
                single = false;
            }
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                i += 2;
                command_start = false;
                continue;
            }
            '\'' if !double => single = true,
            '"' => double = !double,
            '`' if is_id_at(i + 1) => return true,
            '$' if chars.get(i + 1) == Some(&'(') && is_id_at(i + 2) => return true,
            ';' | '\n' | '&' | '|' if !double => {
                command_start = true;
                i += 1;
                continue;
            }
            ' ' | '\t' if command_start => {
                i += 1;
                continue;
            }
            _ if command_start && !double && is_id_at(i) => return true,
            _ => {}
        }
        command_start = false;
        i += 1;
    }
    false
}

/// The candidates for one shape token at a position whose pattern (for
/// regex positions) is `pattern`.
fn candidates(token: &str, entry: &Entry, pattern: Option<&str>) -> Vec<Cand> {
    let from_pattern = |fillers: &[&str]| -> Vec<String> {
        pattern
            .map(|p| pyre::samples(p, fillers))
            .unwrap_or_default()
    };
    let caller_paths = |fillers: &[&str]| -> Vec<Cand> {
        from_pattern(fillers)
            .into_iter()
            .filter(|s| s.starts_with("/tmp/x/"))
            .map(|text| Cand { text, note: None })
            .collect()
    };
    let mut out: Vec<Cand> = match token {
        "{prog}" | "{file}" => {
            let mut v = vec![plain(PAYLOAD)];
            v.extend(caller_paths(&[PAYLOAD, CALLER_DIR]));
            v
        }
        "{dir}" => {
            let mut v = vec![plain(CALLER_DIR)];
            v.extend(caller_paths(&[CALLER_DIR]));
            v
        }
        "{target}" => {
            let mut v: Vec<Cand> = TARGETS.iter().map(|t| plain(t)).collect();
            if entry.follows_links {
                for text in from_pattern(&[CALLER_DIR, "/tmp/x/link"]) {
                    if text.starts_with("/tmp/x/") {
                        v.push(Cand {
                            note: Some(format!(
                                "{text} is a symlink the caller puts in its own directory: the write lands on any file"
                            )),
                            text,
                        });
                    }
                }
            }
            v
        }
        "{device}" => DEVICES.iter().map(|t| plain(t)).collect(),
        "{owner}" => OWNERS.iter().map(|t| plain(t)).collect(),
        "{mode}" => MODES.iter().map(|t| plain(t)).collect(),
        "{script}" => {
            let mut v: Vec<Cand> = SCRIPTS.iter().map(|t| plain(t)).collect();
            v.extend(
                from_pattern(SCRIPTS)
                    .into_iter()
                    .filter(|s| runs_injected(s))
                    .map(|text| Cand { text, note: None }),
            );
            v
        }
        "{any}" => {
            let mut v = vec![plain("x")];
            v.extend(
                from_pattern(&["x"])
                    .into_iter()
                    .map(|text| Cand { text, note: None }),
            );
            v
        }
        literal => {
            // Embedded placeholders take their first candidate.
            let mut text = literal.to_owned();
            for p in PLACEHOLDERS {
                if text.contains(p) {
                    let first = candidates(p, entry, None)
                        .first()
                        .map(|c| c.text.clone())
                        .unwrap_or_default();
                    text = text.replace(p, &first);
                }
            }
            vec![plain(&text)]
        }
    };
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert(c.text.clone()));
    out
}

/// At most this many argument vectors are tried per shape.
const TRIES: usize = 64;

/// The first combinations of per-position candidates, in order.
fn combinations(lists: &[Vec<Cand>]) -> Vec<Vec<Cand>> {
    let mut acc: Vec<Vec<Cand>> = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::new();
        'outer: for head in &acc {
            for c in list {
                if next.len() >= TRIES {
                    break 'outer;
                }
                let mut v = head.clone();
                v.push(c.clone());
                next.push(v);
            }
        }
        acc = next;
    }
    acc
}

fn bytes(v: &[Cand]) -> Vec<Vec<u8>> {
    v.iter().map(|c| c.text.as_bytes().to_vec()).collect()
}

/// Whether the real decision, over the filters `candidates`, allows
/// `argv` through the filter at `index` as root.
fn allowed_as_root(
    filters: &[Filter],
    candidates: &[usize],
    index: usize,
    argv: &[Vec<u8>],
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> bool {
    let Some(f) = filters.get(index) else {
        return false;
    };
    let mut args = argv.to_vec();
    match decision::decide_installed(filters, candidates, &mut args, exec_dirs, env) {
        Outcome::Allowed(a) => a.filter == f.name && a.run_as == "root",
        _ => false,
    }
}

/// The executable's basename, as the catalogue knows commands.
pub fn exec_base(f: &Filter) -> String {
    String::from_utf8_lossy(ospath::basename(f.exec_path.as_bytes())).into_owned()
}

/// What the caller puts before the command's own arguments, and the
/// arguments' first position in `f.args` (regex positions).
fn heads(f: &Filter) -> Vec<(Vec<Cand>, usize)> {
    let base = exec_base(f);
    match f.kind {
        Kind::Command | Kind::Path => {
            let mut v = vec![(vec![plain(&base)], 0)];
            if base != f.exec_path {
                v.push((vec![plain(&f.exec_path)], 0));
            }
            v
        }
        Kind::Ip => vec![(vec![plain("ip")], 0)],
        Kind::Env => {
            let mut head = vec![plain("env")];
            for arg in f.args.iter().take_while(|a| a.contains('=')) {
                let name = arg.split('=').next().unwrap_or_default();
                head.push(plain(&format!("{name}=x")));
            }
            head.push(plain(&base));
            vec![(head, 0)]
        }
        Kind::RegExp => {
            let Some(first) = f.args.first() else {
                return Vec::new();
            };
            let mut names: Vec<String> = vec![base.clone(), f.exec_path.clone()];
            names.extend(pyre::samples(first, &[&base]));
            names.dedup();
            names
                .into_iter()
                .filter(|n| f.pattern_accepts(0, n.as_bytes()))
                .map(|n| (vec![plain(&n)], 1))
                .take(1)
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A catalogue witness for the filter at `index`: the first shape of its
/// command's entry whose arguments the filter allows as root.
pub fn catalogue_witness(
    filters: &[Filter],
    index: usize,
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> Option<Witness> {
    let f = filters.get(index)?;
    let entry = catalogue::lookup(&exec_base(f))?;
    for (head, first_pattern) in heads(f) {
        for shape in entry.shapes {
            let lists: Vec<Vec<Cand>> = shape
                .args
                .iter()
                .enumerate()
                .map(|(i, token)| {
                    let position = first_pattern + i;
                    if f.kind == Kind::RegExp {
                        let pattern = f.args.get(position).map(String::as_str);
                        let mut list = candidates(token, entry, pattern);
                        list.retain(|c| f.pattern_accepts(position, c.text.as_bytes()));
                        list
                    } else {
                        candidates(token, entry, None)
                    }
                })
                .collect();
            if f.kind == Kind::RegExp && first_pattern + lists.len() != f.args.len() {
                continue;
            }
            if lists.iter().any(Vec::is_empty) {
                continue;
            }
            for combo in combinations(&lists) {
                let mut argv = bytes(&head);
                argv.extend(bytes(&combo));
                if allowed_as_root(filters, &[index], index, &argv, exec_dirs, env) {
                    let notes: Vec<&str> = combo.iter().filter_map(|c| c.note.as_deref()).collect();
                    let mut message = shape.how.to_owned();
                    if !notes.is_empty() {
                        message.push_str(&format!(" ({})", notes.join("; ")));
                    }
                    return Some(Witness {
                        argv,
                        message,
                        grant: entry.grant,
                    });
                }
            }
        }
    }
    None
}

/// A command line some non-chaining filter allows, its first element a
/// bare command name (for chaining witnesses).
fn leaf_sample(f: &Filter) -> Option<Vec<String>> {
    match f.kind {
        Kind::Command => Some(vec![exec_base(f)]),
        Kind::Ip => Some(vec!["ip".to_owned()]),
        Kind::RegExp => {
            let base = exec_base(f);
            let mut out = Vec::new();
            for (i, pattern) in f.args.iter().enumerate() {
                let fillers: &[&str] = if i == 0 { &[&base] } else { &["x"] };
                let mut cands = pyre::samples(pattern, fillers);
                if i == 0 {
                    cands.insert(0, base.clone());
                }
                let pick = cands
                    .into_iter()
                    .find(|c| f.pattern_accepts(i, c.as_bytes()) && (i > 0 || !c.contains('/')))?;
                out.push(pick);
            }
            Some(out)
        }
        _ => None,
    }
}

/// The prefixes a chaining filter accepts before the command it re-checks.
fn chain_prefixes(f: &Filter) -> Vec<Vec<String>> {
    match f.kind {
        Kind::IpNetnsExec => vec![vec!["ip".into(), "netns".into(), "exec".into(), "x".into()]],
        Kind::ChainingRegExp => {
            let base = exec_base(f);
            let mut prefix = Vec::new();
            for (i, pattern) in f.args.iter().enumerate() {
                let fillers: &[&str] = if i == 0 { &[&base] } else { &["x"] };
                let mut cands = pyre::samples(pattern, fillers);
                if i == 0 {
                    cands.insert(0, base.clone());
                }
                match cands
                    .into_iter()
                    .find(|c| f.pattern_accepts(i, c.as_bytes()))
                {
                    Some(c) => prefix.push(c),
                    None => return Vec::new(),
                }
            }
            vec![prefix]
        }
        _ => Vec::new(),
    }
}

/// The non-chaining filters a chaining filter re-checks its command
/// against (same `run_as`), in load order.
pub fn leaves(filters: &[Filter], index: usize) -> Vec<usize> {
    let Some(f) = filters.get(index) else {
        return Vec::new();
    };
    filters
        .iter()
        .enumerate()
        .filter(|(_, g)| g.run_as == f.run_as && !g.kind.is_chaining())
        .map(|(i, _)| i)
        .collect()
}

/// A witness for a chaining filter: its prefix, then a program of the
/// caller's named like a command some leaf filter allows. The leaf is
/// checked on the basename; the caller's path is what runs.
pub fn chain_witness(
    filters: &[Filter],
    index: usize,
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> Option<Witness> {
    let f = filters.get(index)?;
    let leaves = leaves(filters, index);
    let mut order = vec![index];
    order.extend(leaves.iter().copied());
    for prefix in chain_prefixes(f) {
        for &l in &leaves {
            let Some(leaf) = filters.get(l) else { continue };
            let Some(mut inner) = leaf_sample(leaf) else {
                continue;
            };
            let Some(first) = inner.first_mut() else {
                continue;
            };
            let name = first.clone();
            *first = format!("{CALLER_DIR}/{name}");
            let argv: Vec<Vec<u8>> = prefix
                .iter()
                .chain(inner.iter())
                .map(|s| s.as_bytes().to_vec())
                .collect();
            if allowed_as_root(filters, &order, index, &argv, exec_dirs, env) {
                return Some(Witness {
                    argv,
                    message: format!(
                        "the command after the prefix is checked by its basename only: {CALLER_DIR}/{name}, a program of the caller's, passes as `{name}` (filter {}) and runs as root",
                        leaf.name
                    ),
                    grant: Grant::Exec,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::runs_injected;

    #[test]
    fn shell_injection_is_judged_by_quoting() {
        assert!(runs_injected("id"));
        assert!(runs_injected("echo 'x'; id; echo '' > /x"));
        assert!(runs_injected("rm -f /x;id;/*.conf"));
        assert!(runs_injected("echo \"x$(id)\""));
        assert!(runs_injected("x`id`"));
        assert!(!runs_injected("echo 'x;id;'"));
        assert!(!runs_injected("echo 'x$(id)'"));
        assert!(!runs_injected("echo \"x;id;\""));
        assert!(!runs_injected("idx"));
        assert!(!runs_injected("echo id"));
    }
}
