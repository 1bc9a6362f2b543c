//! `oslo-policy lint`: what an operator should know about a policy file
//! that the reference never says (or says only in a log line, or as a
//! Python exception that stops the whole file).
//!
//! Every finding of the file is reported in one run, each with the line
//! and column it is about: values that stop oslo.policy from loading the
//! file, values that allow everyone by accident, atoms and rules that can
//! never be true, duplicate keys, check kinds that are near-misses of real
//! ones, undefined references, cycles, and reference chains deeper than
//! the reference can follow. The work is linear in the size of the file:
//! the reference graph is walked once (strongly connected components,
//! memoised heights), never path by path.

use crate::graph::{self, Reach, RuleGraph};
use crate::literal::Literal;
use crate::parser::{self, Check, RuleValueError};
use crate::rules::{MAX_EVAL_DEPTH, Rule, Rules};
use crate::value::Value;
use crate::yaml::KeyMark;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line of what the finding is about.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The rule's name (`repr()` for names that are not strings); `None`
    /// for findings about the whole file.
    pub rule: Option<String>,
    /// What is wrong, and what it does.
    pub message: String,
}

impl std::fmt::Display for Finding {
    /// `LINE:COLUMN: RULE: MESSAGE` (a tool prefixes the file name).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if let Some(rule) = &self.rule {
            write!(f, "{rule}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The kinds with a meaning of their own (everything else is a lookup in
/// the credentials).
const CHECK_KINDS: &[&str] = &["rule", "role", "http", "https"];

/// The credentials keys a check kind names in practice: what
/// oslo.context's `to_policy_values()` gives, `system` (which `enforce`
/// copies from `system_scope`) and `is_admin` (set by services and by
/// `oslopolicy-checker`).
const CREDENTIAL_KEYS: &[&str] = &[
    "user_id",
    "user_domain_id",
    "project_id",
    "project_domain_id",
    "domain_id",
    "system_scope",
    "system",
    "roles",
    "is_admin",
    "is_admin_project",
    "service_user_id",
    "service_user_domain_id",
    "service_project_id",
    "service_project_domain_id",
    "service_roles",
];

/// Optimal-string-alignment distance (insertions, deletions,
/// substitutions, adjacent transpositions), capped: `None` past `max`.
fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    let get = |d: &[usize], i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let (ca, cb) = (a.get(i - 1), b.get(j - 1));
            let cost = usize::from(ca != cb);
            let mut v = (get(&d, i - 1, j) + 1)
                .min(get(&d, i, j - 1) + 1)
                .min(get(&d, i - 1, j - 1) + cost);
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                v = v.min(get(&d, i - 2, j - 2) + 1);
            }
            if let Some(x) = d.get_mut(at(i, j)) {
                *x = v;
            }
        }
    }
    Some(get(&d, a.len(), b.len())).filter(|&v| v <= max)
}

/// The check kind or credentials key `kind` was probably meant to be, if
/// it is not one itself: the nearest one after lower-casing and reading
/// `-` as `_`, at most one edit away for names of up to five letters and
/// two for longer ones (so `rol`, `Role`, `roel`, `project-id`,
/// `projectid`, `user_di` are caught, while the credentials keys services
/// really use are not: `field`, `tenant_id`, `token.domain.id`...); ties
/// go to the check kinds.
pub(crate) fn near_miss(kind: &str) -> Option<&'static str> {
    if CHECK_KINDS.contains(&kind) || CREDENTIAL_KEYS.contains(&kind) {
        return None;
    }
    let norm = kind.to_lowercase().replace('-', "_");
    CHECK_KINDS
        .iter()
        .chain(CREDENTIAL_KEYS)
        .filter_map(|known| {
            let max = if known.chars().count() <= 5 { 1 } else { 2 };
            distance(&norm, known, max).map(|d| (d, *known))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| known)
}

/// Lines of the file, to turn an offset in a rule into a column.
struct Source<'a> {
    lines: Vec<&'a str>,
}

impl Source<'_> {
    /// Where byte `offset` of the rule text `text`, written as a scalar
    /// starting at `line:column`, is: exact when the scalar is written on
    /// one line without escapes before that point, else the scalar's
    /// start.
    fn locate(&self, line: usize, column: usize, text: &str, offset: usize) -> (usize, usize) {
        let Some(prefix) = text.get(..offset) else {
            return (line, column);
        };
        let Some(src) = line.checked_sub(1).and_then(|l| self.lines.get(l)) else {
            return (line, column);
        };
        let rest: String = src.chars().skip(column.saturating_sub(1)).collect();
        let (skip, body) = match rest.strip_prefix(['"', '\'']) {
            Some(body) => (1, body),
            None => (0, rest.as_str()),
        };
        if !prefix.contains('\n') && body.starts_with(prefix) {
            (line, column + skip + prefix.chars().count())
        } else {
            (line, column)
        }
    }
}

/// Where each rule's key and value are.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    line: usize,
    column: usize,
    value_line: usize,
    value_column: usize,
}

struct Linter<'a> {
    source: Source<'a>,
    out: Vec<Finding>,
}

impl Linter<'_> {
    fn at(&mut self, (line, column): (usize, usize), rule: Option<&str>, message: String) {
        self.out.push(Finding {
            line,
            column,
            rule: rule.map(str::to_owned),
            message,
        });
    }
}

/// The rule's name as findings show it.
fn shown(name: &Value) -> String {
    match name {
        Value::Str(s) => s.clone(),
        other => other.py_repr(),
    }
}

/// Every finding about a policy file's contents (`bytes`), in file order
/// (findings about several rules, such as cycles, after the per-rule ones).
/// A file oslo.policy cannot read at all is one finding.
pub fn lint_source(bytes: &[u8]) -> Vec<Finding> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut l = Linter {
        source: Source {
            lines: text.split('\n').collect(),
        },
        out: Vec::new(),
    };
    let doc = match crate::yaml::safe_load(bytes) {
        Ok(doc) => doc,
        Err(e) => {
            l.at(
                (e.line.max(1), e.column.max(1)),
                None,
                format!(
                    "oslo.policy cannot read this file: {}; it refuses to load it",
                    e.message
                ),
            );
            return l.out;
        }
    };
    let items = match doc {
        v if !v.truthy() => return l.out,
        Value::Dict(items) => items,
        other => {
            l.at(
                (1, 1),
                None,
                format!(
                    "the document is a {}, not a mapping of rule names to rules: \
                     oslo.policy refuses to load the file",
                    other.type_name()
                ),
            );
            return l.out;
        }
    };
    let marks = crate::yaml::top_level_keys(bytes).unwrap_or_default();
    let places = places(&mut l, &items, &marks);
    let defined: std::collections::HashSet<String> = items
        .iter()
        .filter_map(|(k, _)| match k {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let names = Names {
        defined: &defined,
        default_rule: "default",
    };
    let mut parsed: Vec<Rule> = Vec::with_capacity(items.len());
    let mut keys: Vec<(usize, usize)> = Vec::with_capacity(items.len());
    for ((name, value), place) in items.into_iter().zip(places) {
        if let Some(rule) = lint_rule(&mut l, &names, name, value, place) {
            parsed.push(rule);
            keys.push((place.line, place.column));
        }
    }
    let rules = Rules::new(parsed, Some("default"));
    let key_of = |i: usize| keys.get(i).copied().unwrap_or((1, 1));
    lint_references(&mut l, &rules, &key_of);
    l.out.sort_by_key(|f| (f.line, f.column));
    l.out
}

/// Each rule's place (its last key: the one whose value counts), and a
/// finding for every key written more than once.
fn places(l: &mut Linter<'_>, items: &[(Value, Value)], marks: &[KeyMark]) -> Vec<Place> {
    // Marks by key: string keys through a map, others (rare) by equality.
    let mut by_str: std::collections::HashMap<&str, Vec<&KeyMark>> =
        std::collections::HashMap::new();
    let mut others: Vec<Vec<&KeyMark>> = Vec::new();
    for m in marks {
        match &m.key {
            Value::Str(s) => by_str.entry(s.as_str()).or_default().push(m),
            key => match others
                .iter_mut()
                .find(|g| g.first().is_some_and(|f| f.key.key_eq(key)))
            {
                Some(g) => g.push(m),
                None => others.push(vec![m]),
            },
        }
    }
    let mut out = Vec::with_capacity(items.len());
    for (name, _) in items {
        let group: &[&KeyMark] = match name {
            Value::Str(s) => by_str
                .get(s.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default(),
            key => others
                .iter()
                .find(|g| g.first().is_some_and(|f| f.key.key_eq(key)))
                .map(Vec::as_slice)
                .unwrap_or_default(),
        };
        let Some(last) = group.last() else {
            out.push(Place {
                line: 1,
                column: 1,
                value_line: 1,
                value_column: 1,
            });
            continue;
        };
        for earlier in group.iter().take(group.len() - 1) {
            l.at(
                (earlier.line, earlier.column),
                Some(&shown(name)),
                format!(
                    "duplicate key: defined again at line {}, column {}, which silently wins; \
                     this definition is ignored",
                    last.line, last.column
                ),
            );
        }
        out.push(Place {
            line: last.line,
            column: last.column,
            value_line: last.value_line,
            value_column: last.value_column,
        });
    }
    out
}

/// The rule names of the file, for `rule:` references.
struct Names<'a> {
    defined: &'a std::collections::HashSet<String>,
    default_rule: &'a str,
}

impl Names<'_> {
    /// What a `rule:` reference to an undefined `target` does.
    fn undefined(&self, target: &str) -> Option<String> {
        if self.defined.contains(target) {
            return None;
        }
        Some(if self.defined.contains(self.default_rule) {
            format!(
                "rule:{target} refers to an undefined rule: the default rule {:?} is used",
                self.default_rule
            )
        } else {
            format!("rule:{target} refers to an undefined rule: always false")
        })
    }
}

/// Findings about one rule on its own; the parsed rule unless its value
/// stops the whole file from loading.
fn lint_rule(
    l: &mut Linter<'_>,
    names: &Names<'_>,
    name: Value,
    source: Value,
    place: Place,
) -> Option<Rule> {
    let shown_name = shown(&name);
    let rule = Some(shown_name.as_str());
    lint_yaml_types(l, &name, &source, rule, &place);
    let parsed = parse_or_report(l, &source, rule, &place)?;
    let text = match &source {
        Value::Str(s) => Some(s.as_str()),
        _ => None,
    };
    for d in &parsed.diagnostics {
        let pos = locate(l, &place, text, Some(d.offset));
        l.at(pos, rule, d.message.clone());
    }
    lint_atoms(l, names, &parsed.check, text, rule, &place);
    Some(Rule {
        name,
        source,
        check: parsed.check,
        diagnostics: parsed.diagnostics,
    })
}

/// Where `offset` in the rule's text is in the file (the value's place
/// when the text or the offset is not known).
fn locate(
    l: &Linter<'_>,
    place: &Place,
    text: Option<&str>,
    offset: Option<usize>,
) -> (usize, usize) {
    match (text, offset) {
        (Some(t), Some(o)) => l.source.locate(place.value_line, place.value_column, t, o),
        _ => (place.value_line, place.value_column),
    }
}

/// A name that is not a string, and values YAML read as something that
/// allows everyone.
fn lint_yaml_types(
    l: &mut Linter<'_>,
    name: &Value,
    source: &Value,
    rule: Option<&str>,
    place: &Place,
) {
    let value_at = (place.value_line, place.value_column);
    if !matches!(name, Value::Str(_)) {
        l.at(
            (place.line, place.column),
            rule,
            format!(
                "the name is a YAML {} ({}), not a string: no request can reach this rule \
                 (quote it)",
                name.type_name(),
                name.py_repr()
            ),
        );
    }
    match source {
        Value::Str(s) if s.is_empty() => {
            l.at(value_at, rule, "the empty rule allows everyone".to_owned());
        }
        Value::Str(_) => {}
        v if !v.truthy() => l.at(
            value_at,
            rule,
            format!(
                "YAML read the value as {} ({}): the rule allows everyone \
                 (quote it if you meant a string)",
                v.py_repr(),
                v.type_name()
            ),
        ),
        _ => {}
    }
}

/// The parsed rule, or `None` after reporting why oslo.policy would
/// refuse the whole file.
fn parse_or_report(
    l: &mut Linter<'_>,
    source: &Value,
    rule: Option<&str>,
    place: &Place,
) -> Option<parser::Parsed> {
    let value_at = (place.value_line, place.value_column);
    let message = match parser::parse_value(source) {
        Ok(p) => return Some(p),
        Err(RuleValueError::NotIterable(t)) => format!(
            "YAML read the value as {} ({t}), which is not a rule (a string, or a list \
             of lists of strings): oslo.policy refuses to load the whole file \
             (quote it if you meant a string)",
            not_iterable_value(source)
        ),
        Err(RuleValueError::TooDeep(_)) => format!(
            "the rule nests deeper than oslo.policy's parser can follow ({} levels): \
             oslo.policy refuses to load the whole file",
            parser::MAX_REDUCTIONS
        ),
    };
    l.at(value_at, rule, message);
    None
}

/// Atoms that refer to undefined rules, check kinds that raise, and
/// check kinds that look like a misspelt built-in one; each at the place
/// its text is written.
fn lint_atoms(
    l: &mut Linter<'_>,
    names: &Names<'_>,
    check: &Check,
    text: Option<&str>,
    rule: Option<&str>,
    place: &Place,
) {
    let mut atoms: Vec<&Check> = Vec::new();
    graph::each_check(check, Reach::All, &mut |c| atoms.push(c));
    // Where each atom is written: the first occurrence of its text from
    // where the previous one was found.
    let mut from = 0usize;
    for c in atoms {
        let message = match c {
            Check::Rule(target) => names.undefined(target),
            Check::Generic {
                kind,
                literal: Literal::Error(e),
                ..
            } => Some(format!(
                "the check kind {kind:?} is not a valid Python expression ({}): evaluating \
                 the check raises an error, and the request is refused",
                python_message(e)
            )),
            Check::Generic {
                kind,
                literal: Literal::NotLiteral,
                ..
            } => near_miss_message(kind),
            _ => None,
        };
        let Some(message) = message else {
            continue;
        };
        let offset = text.and_then(|t| {
            let atom = c.to_string();
            let found = t.get(from..)?.find(&atom)? + from;
            from = found + atom.len();
            Some(found)
        });
        let pos = locate(l, place, text, offset);
        l.at(pos, rule, message);
    }
}

/// A Python exception's text without its class and location
/// (`SyntaxError: invalid syntax (<unknown>, line 1)` → `invalid syntax`).
fn python_message(e: &str) -> &str {
    let e = e.split_once(": ").map_or(e, |(_, m)| m);
    match e.rfind(" (<unknown>, line ") {
        Some(i) if e.ends_with(')') => e.get(..i).unwrap_or(e),
        _ => e,
    }
}

/// How the finding for a value that is not a rule shows it.
fn not_iterable_value(v: &Value) -> String {
    match v {
        Value::Other { str, .. } => str.clone(),
        other => other.py_repr(),
    }
}

/// A finding for a credentials lookup whose kind looks like a typo.
fn near_miss_message(kind: &str) -> Option<String> {
    if kind == "roles" {
        return Some(
            "roles:NAME compares each of the credentials' roles with NAME exactly (case \
             matters); role:NAME is the role check, which ignores case"
                .to_owned(),
        );
    }
    let meant = near_miss(kind)?;
    Some(if CHECK_KINDS.contains(&meant) {
        format!(
            "{kind:?} is not the check kind {meant:?} (kinds are case-sensitive and exact): \
             this atom looks up the credentials key {kind:?}, which requests do not carry, \
             so it is never true"
        )
    } else {
        format!(
            "{kind:?} looks like a misspelling of the credentials key {meant:?}: this atom \
             looks up the key {kind:?}, which requests do not carry, so it is never true"
        )
    })
}

/// Findings across rules: undefined references, cycles, chains deeper
/// than the reference can load or evaluate.
fn lint_references(l: &mut Linter<'_>, rules: &Rules, key_of: &dyn Fn(usize) -> (usize, usize)) {
    // Cycles through rule: references (the reference's check_rules only
    // looks outside `not`; evaluation goes everywhere, and so do we).
    let all = RuleGraph::new(rules, Reach::All);
    let (comp, count) = graph::components(&all.succ);
    let cyclic = graph::cyclic_components(&all.succ, &comp, count);
    let mut reported = vec![false; count];
    for start in 0..all.names.len() {
        let Some(&c) = comp.get(start) else { continue };
        if cyclic.get(c) != Some(&true) || reported.get(c) == Some(&true) {
            continue;
        }
        if let Some(r) = reported.get_mut(c) {
            *r = true;
        }
        let cycle = find_cycle(&all.succ, &comp, start);
        let members = comp.iter().filter(|&&x| x == c).count();
        let names: Vec<&str> = cycle
            .iter()
            .filter_map(|&v| all.names.get(v).copied())
            .collect();
        let more = if members > cycle.len().saturating_sub(1) {
            format!(" ({members} rules refer to each other in a loop)")
        } else {
            String::new()
        };
        let at = all.index.get(start).map_or((1, 1), |&i| key_of(i));
        l.at(
            at,
            all.names.get(start).copied(),
            format!(
                "cyclic reference {}{more}: evaluating it raises an error",
                names.join(" -> ")
            ),
        );
    }
    // The reference's check_rules recursion: past its depth the whole
    // file does not load.
    if let Err(i) = crate::enforcer::check_rules_depth(rules) {
        let name = rules.rules().get(i).map(|r| shown(&r.name));
        l.at(
            key_of(i),
            name.as_deref(),
            format!(
                "rule: references from here nest deeper than oslo.policy's check_rules can \
                 follow ({} levels): Python's recursion limit stops the whole file from loading",
                crate::enforcer::CHECK_RULES_MAX_DEPTH
            ),
        );
        return;
    }
    // Evaluation: past MAX_EVAL_DEPTH nested checks the reference raises.
    let unsafe_nodes = graph::reaches_cycle(&all.succ);
    let heights = graph::rule_heights(rules, &all, Reach::All, &unsafe_nodes);
    let mut referenced = vec![false; all.names.len()];
    for s in &all.succ {
        for &w in s {
            if let Some(r) = referenced.get_mut(w) {
                *r = true;
            }
        }
    }
    for (v, h) in heights.iter().enumerate() {
        let Some(h) = *h else { continue };
        if h > MAX_EVAL_DEPTH && referenced.get(v) == Some(&false) {
            let at = all.index.get(v).map_or((1, 1), |&i| key_of(i));
            l.at(
                at,
                all.names.get(v).copied(),
                format!(
                    "evaluating this rule can nest {h} checks deep through rule: references; \
                     past {MAX_EVAL_DEPTH} oslo.policy raises an error (Python's recursion \
                     limit) and the request is refused"
                ),
            );
        }
    }
}

/// A shortest cycle through `start` inside its component: the nodes from
/// `start` back to `start`.
fn find_cycle(succ: &[Vec<usize>], comp: &[usize], start: usize) -> Vec<usize> {
    let c = comp.get(start).copied();
    let mut parent: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in succ.get(v).map(Vec::as_slice).unwrap_or_default() {
            if comp.get(w).copied() != c {
                continue;
            }
            if w == start {
                let mut path = vec![start];
                let mut at = v;
                while at != start {
                    path.push(at);
                    at = parent.get(&at).copied().unwrap_or(start);
                }
                path.push(start);
                path.reverse();
                return path;
            }
            if w != start && !parent.contains_key(&w) {
                parent.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses() {
        for (kind, meant) in [
            ("rol", Some("role")),
            ("Role", Some("role")),
            ("ROLE", Some("role")),
            ("roel", Some("role")),
            ("rules", Some("rule")),
            ("htp", Some("http")),
            ("project-id", Some("project_id")),
            ("projectid", Some("project_id")),
            ("Project_ID", Some("project_id")),
            ("user_di", Some("user_id")),
            ("is-admin", Some("is_admin")),
            ("system_scop", Some("system_scope")),
            ("role", None),
            ("roles", None),
            ("project_id", None),
            ("domain_id", None),
            ("user_domain_id", None),
            ("service_roles", None),
            ("system", None),
            ("field", None),
            ("tenant_id", None),
            ("token.domain.id", None),
            ("volume_extension", None),
            ("name", None),
        ] {
            assert_eq!(near_miss(kind), meant, "{kind}");
        }
    }

    fn steps(text: &str) -> (u64, Vec<Finding>) {
        graph::STEPS.with(|s| s.set(0));
        let findings = lint_source(text.as_bytes());
        (graph::STEPS.with(std::cell::Cell::get), findings)
    }

    fn chain(n: usize) -> String {
        let mut t = String::new();
        for i in 0..n {
            t.push_str(&format!("\"r{i}\": \"rule:r{}\"\n", i + 1));
        }
        t.push_str(&format!("\"r{n}\": \"@\"\n"));
        t
    }

    /// Linting a `rule:` chain is linear: the old lint copied the path
    /// from every rule to every rule it reached (5.7 s on 3,000 rules,
    /// minutes on 10,000).
    #[test]
    fn chains_are_linted_in_linear_work() {
        let start = std::time::Instant::now();
        let (small, _) = steps(&chain(10_000));
        let (large, findings) = steps(&chain(100_000));
        assert!(small < 20 * 10_000, "{small} steps for 10,000 rules");
        assert!(large <= 11 * small, "{small} then {large} steps");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings.iter().all(|f| f.message.contains("check_rules")));
        // Long but loadable: the evaluation depth is reported once, at
        // the start of the chain.
        let (_, findings) = steps(&chain(400));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings.first().map(|f| (f.line, f.column)), Some((1, 1)));
        assert!(start.elapsed() < std::time::Duration::from_secs(60));
    }

    /// Fan-out: a lattice (every level refers twice to the next: 2^levels
    /// paths), and many rules sharing one rule that reaches a cycle.
    #[test]
    fn shared_rules_are_linted_in_linear_work() {
        let lattice = |levels: usize| {
            let mut t = String::new();
            for i in 0..levels {
                t.push_str(&format!("a{i}: rule:a{} or not rule:a{}\n", i + 1, i + 1));
            }
            t.push_str(&format!("a{levels}: role:x\n"));
            t
        };
        let (small, _) = steps(&lattice(200));
        let (large, _) = steps(&lattice(400));
        assert!(large <= 3 * small, "{small} then {large} steps");
        let hub = |n: usize| {
            let mut t = String::from("hub: rule:x0 or rule:x1\nx0: rule:x1\nx1: rule:x0\n");
            for i in 0..n {
                t.push_str(&format!("u{i}: rule:hub and rule:hub\n"));
            }
            t
        };
        let (small, findings) = steps(&hub(2_000));
        let (large, _) = steps(&hub(20_000));
        assert!(large <= 11 * small, "{small} then {large} steps");
        let cycles: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.message.contains("cyclic"))
            .collect();
        assert_eq!(cycles.len(), 1, "{findings:?}");
    }

    #[test]
    fn cycle_paths() {
        let succ = vec![vec![1], vec![2], vec![0, 3], vec![3]];
        let (comp, _) = graph::components(&succ);
        assert_eq!(find_cycle(&succ, &comp, 0), vec![0, 1, 2, 0]);
        assert_eq!(find_cycle(&succ, &comp, 3), vec![3, 3]);
    }
}
