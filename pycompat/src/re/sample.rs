//! Strings a pattern accepts, for `oslo-rootwrap lint`: it looks for
//! argument vectors a filter allows, and builds candidates from the
//! pattern's own tree (its literals, the first alternative of each
//! branch, the smallest repeat counts) with caller-chosen *fillers* put
//! where the pattern repeats without bound (`.*`, `\S+`, `(.|\n)*`).
//! Candidates are only candidates: [`super::samples`] keeps those the
//! compiled pattern really accepts.

use super::parser::{MAXREPEAT, Op};
use super::sets::{self, Case};

/// Characters preferred when a set or category must stand for itself.
const PREFERRED: &str = "xa0/1-._:=bcyzXA ";

/// How many candidates a node may multiply into.
const WIDTH: usize = 24;

/// A character of `ranges`, preferring readable ones.
fn pick(ranges: &[(u32, u32)]) -> Option<char> {
    PREFERRED
        .chars()
        .find(|&c| sets::contains(ranges, u32::from(c)))
        .or_else(|| {
            ranges
                .iter()
                .flat_map(|&(lo, hi)| lo..=hi.min(lo.saturating_add(64)))
                .find_map(char::from_u32)
        })
}

/// Appends every pairing of `heads` with `tails`, at most [`WIDTH`].
fn product(heads: &[String], tails: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for h in heads {
        for t in tails {
            if out.len() >= WIDTH {
                return out;
            }
            out.push(format!("{h}{t}"));
        }
    }
    out
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v.truncate(WIDTH);
    v
}

/// Candidates for a sequence of nodes.
pub(super) fn seq(ops: &[Op], fillers: &[&str]) -> Vec<String> {
    let mut acc = vec![String::new()];
    for op in ops {
        let next = node(op, fillers);
        if next.is_empty() {
            return Vec::new();
        }
        acc = product(&acc, &next);
    }
    acc
}

fn node(op: &Op, fillers: &[&str]) -> Vec<String> {
    match op {
        Op::Literal(c) => char::from_u32(*c)
            .map(|c| vec![c.to_string()])
            .unwrap_or_default(),
        Op::NotLiteral(c) => {
            let other = if *c == u32::from('x') { "y" } else { "x" };
            vec![other.to_owned()]
        }
        // An unescaped `.` in a filter is most often a literal dot.
        Op::Any => vec![".".to_owned(), "x".to_owned()],
        Op::In(items) => {
            let ranges = sets::set(items, Case::Sensitive, true).unwrap_or_default();
            pick(&ranges)
                .map(|c| vec![c.to_string()])
                .unwrap_or_default()
        }
        Op::At(_) | Op::Assert { .. } | Op::GroupRef(_) => vec![String::new()],
        Op::Branch(items) => dedup(items.iter().flat_map(|i| seq(i, fillers)).collect()),
        Op::Sub { p, .. } | Op::Atomic(p) => seq(p, fillers),
        Op::GroupRefExists { yes, no, .. } => {
            let mut out = seq(yes, fillers);
            if let Some(no) = no {
                out.extend(seq(no, fillers));
            }
            dedup(out)
        }
        Op::Repeat { min, max, item, .. } => {
            let once = seq(item, fillers);
            let mut out = Vec::new();
            let Some(first) = once.first() else {
                return if *min == 0 {
                    vec![String::new()]
                } else {
                    Vec::new()
                };
            };
            let times = |s: &str, n: u32| s.repeat(usize::try_from(n.min(64)).unwrap_or(64));
            if *max == MAXREPEAT {
                // Where anything may be repeated, the caller's fillers are
                // the interesting candidates.
                out.extend(fillers.iter().map(|f| (*f).to_owned()));
            }
            out.push(times(first, *min));
            if *max > *min {
                for s in &once {
                    out.push(format!("{}{s}", times(first, *min)));
                }
            }
            dedup(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::samples;

    #[test]
    fn candidates_are_accepted_strings() {
        assert_eq!(samples("-c[0-3]", &[]), vec!["-c0"]);
        assert!(samples("(--getsize64|--flushbufs)", &[]).contains(&"--flushbufs".to_owned()));
        assert!(
            samples(".*/strongswan.d", &["/tmp/x"]).contains(&"/tmp/x/strongswan.d".to_owned())
        );
        assert!(samples("blkio:\\S+", &[]).contains(&"blkio:x".to_owned()));
        assert!(
            samples("echo '((.|\\n)*)' > /.*", &["x'; id; echo '"])
                .contains(&"echo 'x'; id; echo '' > /x'; id; echo '".to_owned())
        );
        // A lookahead is ignored when building and enforced when checking.
        let etc = samples("/etc/(?!\\.\\.).*", &[".."]);
        assert!(
            etc.contains(&"/etc/x".to_owned()) && !etc.iter().any(|s| s.starts_with("/etc/.."))
        );
        assert!(samples("[^/]+", &[]).iter().all(|s| !s.contains('/')));
    }
}
