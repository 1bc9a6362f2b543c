//! `oslo-policy diff`: for every rule whose decision differs between two
//! policies, what is now allowed that was denied and the reverse, as an
//! exact condition over the request, with a request the real evaluator
//! decides that way on both sides.

use std::collections::BTreeSet;

use super::atom::{Atom, Atoms, Term};
use super::bdd::{Bdd, Cube, FALSE, NodeId, TooComplex};
use super::compile::{Compiler, NotAnalysed};
use super::matrix::{fix, targets};
use super::personas::Persona;
use super::witness::{Realized, Request, realize, realize_target};
use super::{AnalysisError, Policy};
#[cfg(test)]
use crate::value::Value;
use std::collections::HashMap;

/// How many paths of a difference are tried and shown at most.
const MAX_CUBES: usize = 64;

/// One direction of a rule's change.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Change {
    /// The condition, as terms one of which holds (disjoint, exact): the
    /// requests decided the new way. Terms shown to be impossible are
    /// left out.
    pub condition: Vec<Term>,
    /// Whether there were more terms than were worked through.
    pub truncated: bool,
    /// A request the evaluator decides this way on both sides.
    pub witness: Request,
    /// Whether an opaque atom (a policy server's answer) is part of the
    /// witness's term.
    pub opaque: bool,
}

/// What became of one rule.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// It decides differently: `gained` (now allowed, was denied) and
    /// `lost` (now denied, was allowed); at least one is set.
    Changed {
        /// Now allowed, was denied.
        gained: Option<Box<Change>>,
        /// Now denied, was allowed.
        lost: Option<Box<Change>>,
    },
    /// The decision may differ but no request was confirmed: why.
    Undecided(String),
    /// Renamed (see [`RuleDiff::moved_from`]), deciding as before.
    Moved,
}

/// One rule whose decision differs, or may.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RuleDiff {
    /// The rule name (on the new side).
    pub name: String,
    /// The name it had on the old side, when it was renamed with its
    /// deprecated alias.
    pub moved_from: Option<String>,
    /// What changed.
    pub outcome: Outcome,
    /// The personas whose decision changed on some target, each with a
    /// request (its credentials, such a target) the evaluator decides
    /// differently on the two sides.
    pub personas: Vec<(String, Request)>,
}

/// The result of [`diff`].
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DiffReport {
    /// Rules that differ or may, by name.
    pub rules: Vec<RuleDiff>,
    /// How many rule names were compared.
    pub compared: usize,
    /// Rules equal only once impossible requests are set aside.
    pub equal_on_possible_requests: usize,
    /// Rules compared by their text because their decision is not
    /// analysed (and the text is the same on both sides), with why.
    pub same_text: Vec<(String, NotAnalysed)>,
}

impl DiffReport {
    /// Whether anything differs (or may).
    pub fn changed(&self) -> bool {
        !self.rules.is_empty()
    }
}

/// Compares every rule name of `old` and `new` (a name missing on one side
/// is decided there as the enforcer decides it: by the default rule). A
/// rule registered on one side with the other side's rule as its
/// deprecated name is compared with that rule (moved). For each changed
/// rule, the `personas` whose decision changed on some target are named.
///
/// # Errors
/// A policy past the analysis's size limits.
pub fn diff(old: &Policy, new: &Policy, personas: &[Persona]) -> Result<DiffReport, AnalysisError> {
    let names: BTreeSet<&str> = old.names().chain(new.names()).collect();
    let mut bdd = Bdd::new();
    let mut atoms = Atoms::default();
    let old_f = compile_all(&mut bdd, &mut atoms, old, &names);
    let new_f = compile_all(&mut bdd, &mut atoms, new, &names);
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let moves = moves(old, new);
    let fixed: Vec<HashMap<u32, bool>> = personas
        .iter()
        .map(|p| fix(&atoms, p, &targets(&atoms, p)))
        .collect();
    let mut report = DiffReport::default();
    for (i, name) in names.iter().enumerate() {
        if moves.iter().any(|(from, _)| from == name) {
            continue; // compared under its new name
        }
        report.compared += 1;
        let moved_from = moves.iter().find(|(_, to)| to == name).map(|(f, _)| *f);
        let o = match moved_from.and_then(|f| index.get(f)) {
            Some(&j) => old_f.get(j),
            None => old_f.get(i),
        };
        let (Some(o), Some(n)) = (o.cloned(), new_f.get(i).cloned()) else {
            continue;
        };
        let outcome = match (o, n) {
            (Ok(o), Ok(n)) if o == n => moved_from.map(|_| (Outcome::Moved, Vec::new())),
            (Ok(o), Ok(n)) => {
                let pair = Pair {
                    old,
                    new,
                    old_name: moved_from.unwrap_or(name),
                    name,
                    o,
                    n,
                };
                compare(&mut bdd, &atoms, &pair)?
                    .map(|outcome| {
                        changed_personas(&mut bdd, &atoms, &pair, personas, &fixed)
                            .map(|p| (outcome, p))
                    })
                    .transpose()?
            }
            (Err(e), _) | (_, Err(e)) => {
                if let NotAnalysed::TooComplex(t) = e {
                    return Err(AnalysisError::TooComplex(t));
                }
                if moved_from.is_none() && old.same_rule_text(new, name) {
                    report.same_text.push(((*name).to_owned(), e));
                    continue;
                }
                Some((Outcome::Undecided(format!("not analysed: {e}")), Vec::new()))
            }
        };
        match outcome {
            Some((outcome, personas)) => report.rules.push(RuleDiff {
                name: (*name).to_owned(),
                moved_from: moved_from.map(str::to_owned),
                outcome,
                personas,
            }),
            None => report.equal_on_possible_requests += 1,
        }
    }
    Ok(report)
}

/// Renamed rules, `(old name, new name)`: one side registers a rule with
/// the other side's rule as its deprecated name, and neither side has the
/// other's name as a rule.
fn moves<'p>(old: &'p Policy, new: &'p Policy) -> Vec<(&'p str, &'p str)> {
    let has = |p: &Policy, name: &str| p.rules.get(name).is_some();
    let mut out = Vec::new();
    for d in new.enforcer.registered_rules() {
        if let Some(dep) = &d.deprecated_rule {
            let (from, to) = (dep.name.as_str(), d.name.as_str());
            if from != to && has(old, from) && !has(new, from) && !has(old, to) {
                out.push((from, to));
            }
        }
    }
    for d in old.enforcer.registered_rules() {
        if let Some(dep) = &d.deprecated_rule {
            // Registered on the old side under the name that replaced the
            // new side's: the rule moved back.
            let (from, to) = (d.name.as_str(), dep.name.as_str());
            if from != to && has(new, to) && !has(old, to) && !has(new, from) {
                out.push((from, to));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// One rule on both sides: its name there and its diagram.
struct Pair<'a> {
    old: &'a Policy,
    new: &'a Policy,
    /// The name on the old side (another one when the rule moved).
    old_name: &'a str,
    name: &'a str,
    o: NodeId,
    n: NodeId,
}

impl Pair<'_> {
    /// What the evaluator decides on each side.
    fn decide(&self, request: &Request) -> (Option<bool>, Option<bool>) {
        (
            self.old.decide(self.old_name, request),
            self.new.decide(self.name, request),
        )
    }
}

/// The personas whose decision of the rule changed on some target, each
/// shown by a target the evaluator decides differently on the two sides.
fn changed_personas(
    bdd: &mut Bdd,
    atoms: &Atoms,
    pair: &Pair<'_>,
    personas: &[Persona],
    fixed: &[HashMap<u32, bool>],
) -> Result<Vec<(String, Request)>, TooComplex> {
    let mut out = Vec::new();
    for (persona, fixed) in personas.iter().zip(fixed) {
        let ro = bdd.restrict(pair.o, fixed)?;
        let rn = bdd.restrict(pair.n, fixed)?;
        if ro == rn {
            continue;
        }
        let not_ro = bdd.not(ro)?;
        let not_rn = bdd.not(rn)?;
        let gained = bdd.and(rn, not_ro)?;
        let lost = bdd.and(ro, not_rn)?;
        let differs = bdd.or(gained, lost)?;
        let confirmed = bdd.cubes(differs, MAX_CUBES).into_iter().find_map(|cube| {
            match realize_target(&cube, atoms, &persona.creds) {
                Realized::Request(r) => {
                    let (o, n) = pair.decide(&r);
                    (o != n).then_some(r)
                }
                _ => None,
            }
        });
        if let Some(r) = confirmed {
            out.push((persona.name.clone(), r));
        }
    }
    Ok(out)
}

fn compile_all(
    bdd: &mut Bdd,
    atoms: &mut Atoms,
    policy: &Policy,
    names: &BTreeSet<&str>,
) -> Vec<Result<NodeId, NotAnalysed>> {
    let mut c = Compiler::new(bdd, atoms, &policy.rules);
    names
        .iter()
        .map(|name| c.decision(name, policy.scope_types(name)))
        .collect()
}

/// What one direction of a difference comes to.
enum Direction {
    /// No request goes this way.
    Impossible,
    /// A confirmed change.
    Change(Change),
    /// Possible, but not confirmed: why.
    Unconfirmed(String),
}

/// `None`: the decisions differ only on impossible requests.
fn compare(
    bdd: &mut Bdd,
    atoms: &Atoms,
    pair: &Pair<'_>,
) -> Result<Option<Outcome>, AnalysisError> {
    let not_o = bdd.not(pair.o)?;
    let not_n = bdd.not(pair.n)?;
    let gained = bdd.and(pair.n, not_o)?;
    let lost = bdd.and(pair.o, not_n)?;
    let gained = direction(bdd, atoms, pair, gained, true)?;
    let lost = direction(bdd, atoms, pair, lost, false)?;
    Ok(match (gained, lost) {
        (Direction::Impossible, Direction::Impossible) => None,
        (Direction::Unconfirmed(why), _) | (_, Direction::Unconfirmed(why)) => {
            Some(Outcome::Undecided(why))
        }
        (g, l) => {
            let keep = |d| match d {
                Direction::Change(c) => Some(Box::new(c)),
                _ => None,
            };
            Some(Outcome::Changed {
                gained: keep(g),
                lost: keep(l),
            })
        }
    })
}

/// The requests `f` describes (now allowed if `allowed_now`, else now
/// denied): a confirmed witness and the condition, or why not.
fn direction(
    bdd: &mut Bdd,
    atoms: &Atoms,
    pair: &Pair<'_>,
    f: NodeId,
    allowed_now: bool,
) -> Result<Direction, TooComplex> {
    if f == FALSE {
        return Ok(Direction::Impossible);
    }
    let cubes = bdd.cubes(f, MAX_CUBES + 1);
    let truncated = cubes.len() > MAX_CUBES;
    let mut possible = Vec::new();
    let mut witness = None;
    let mut unconfirmed = None;
    for cube in cubes.iter().take(MAX_CUBES) {
        match realize(cube, atoms) {
            Realized::Impossible(_) => continue,
            Realized::Unsettled(why) => {
                unconfirmed.get_or_insert(format!("a request for {why} was not settled"));
            }
            Realized::Request(request) => {
                if witness.is_none() {
                    let (o, n) = pair.decide(&request);
                    if o == Some(!allowed_now) && n == Some(allowed_now) {
                        witness = Some((request, opaque(cube, atoms)));
                    } else {
                        unconfirmed.get_or_insert(format!(
                            "the evaluator decided {o:?} / {n:?} on the request for a difference"
                        ));
                    }
                }
            }
        }
        possible.push(cube.clone());
    }
    Ok(match witness {
        Some((witness, opaque)) => Direction::Change(Change {
            condition: bdd
                .prime_cover(f, possible)?
                .iter()
                .map(|c| atoms.term(c))
                .collect(),
            truncated,
            witness,
            opaque,
        }),
        None if possible.is_empty() && !truncated => Direction::Impossible,
        None => Direction::Unconfirmed(
            unconfirmed.unwrap_or_else(|| "no request was confirmed".to_owned()),
        ),
    })
}

fn opaque(cube: &Cube, atoms: &Atoms) -> bool {
    cube.iter()
        .any(|&(n, _)| atoms.get(n).is_some_and(Atom::is_opaque))
}

/// For tests: the diagram of every rule, to evaluate directly.
#[cfg(test)]
pub(crate) fn diagrams(policy: &Policy) -> (Bdd, Atoms, std::collections::HashMap<String, NodeId>) {
    let mut bdd = Bdd::new();
    let mut atoms = Atoms::default();
    let names: BTreeSet<&str> = policy.names().collect();
    let fs = compile_all(&mut bdd, &mut atoms, policy, &names);
    let map = names
        .iter()
        .zip(fs)
        .filter_map(|(n, f)| f.ok().map(|f| ((*n).to_owned(), f)))
        .collect();
    (bdd, atoms, map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::RuleDefault;
    use crate::enforcer::{Config, Enforcer};

    fn policy(dir: &std::path::Path, file: &str, text: &str, scoped: &[(&str, &[&str])]) -> Policy {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let mut e = Enforcer::new(Config {
            policy_file: path,
            policy_dirs: Vec::new(),
            ..Config::default()
        });
        for (name, scopes) in scoped {
            let d = RuleDefault::new(name, "!")
                .unwrap()
                .with_scope_types(scopes)
                .unwrap();
            e.register_default(d).unwrap();
        }
        Policy::new(e).unwrap()
    }

    const TEXT: &str = r#"
default: "role:admin"
owner: "project_id:%(project_id)s"
sys: "system:all"
mixed: "(role:Reader and rule:owner) or (is_admin:True and not role:member)"
lit: "True:%(enabled)s or domain_id:d1"
missing: "rule:nowhere or user_id:%(user_id)s"
scoped: "role:reader"
system_only: "@"
"#;

    /// On every path of every rule's diagram, and of its negation, the
    /// request the path realizes is decided by the evaluator as the
    /// diagram says: the compilation is the evaluator's function.
    #[test]
    fn diagrams_decide_as_the_evaluator() {
        let dir = tempfile::tempdir().unwrap();
        let p = policy(
            dir.path(),
            "p.yaml",
            TEXT,
            &[
                ("scoped", &["project", "domain"]),
                ("system_only", &["system"]),
            ],
        );
        let (mut bdd, atoms, fs) = diagrams(&p);
        assert_eq!(fs.len(), 8);
        let mut checked = 0;
        for (name, &f) in &fs {
            let not_f = bdd.not(f).unwrap();
            for (g, want) in [(f, true), (not_f, false)] {
                for cube in bdd.cubes(g, 1000) {
                    if let Realized::Request(r) = realize(&cube, &atoms) {
                        assert_eq!(p.decide(name, &r), Some(want), "{name} on {r:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 28, "{checked}");
    }

    #[test]
    fn a_difference_comes_with_a_confirmed_witness_and_an_exact_condition() {
        let dir = tempfile::tempdir().unwrap();
        let old = policy(dir.path(), "old.yaml", TEXT, &[]);
        let new_text = TEXT.replace(
            r#"owner: "project_id:%(project_id)s""#,
            r#"owner: "project_id:%(project_id)s and role:member""#,
        );
        let new = policy(dir.path(), "new.yaml", &new_text, &[]);
        let report = diff(&old, &new, &[]).unwrap();
        let changed: Vec<&str> = report.rules.iter().map(|r| r.name.as_str()).collect();
        // `owner` and the rules reaching it; nothing else.
        assert_eq!(changed, ["mixed", "owner"]);
        for rule in &report.rules {
            let Outcome::Changed { gained, lost } = &rule.outcome else {
                panic!("{rule:?}");
            };
            assert!(gained.is_none());
            let lost = lost.as_ref().unwrap();
            assert_eq!(old.decide(&rule.name, &lost.witness), Some(true));
            assert_eq!(new.decide(&rule.name, &lost.witness), Some(false));
        }
        let owner = report.rules.iter().find(|r| r.name == "owner").unwrap();
        let Outcome::Changed {
            lost: Some(lost), ..
        } = &owner.outcome
        else {
            panic!("{owner:?}");
        };
        let shown: Vec<String> = lost.condition[0]
            .iter()
            .map(|(a, v)| a.describe(*v))
            .collect();
        assert_eq!(
            shown,
            [
                "creds.project_id == target.project_id",
                "no role \"member\""
            ]
        );
        assert!(diff(&old, &old, &[]).unwrap().rules.is_empty());
    }

    #[test]
    fn renamed_rules_are_compared_under_their_new_name() {
        use crate::defaults::DeprecatedRule;
        let dir = tempfile::tempdir().unwrap();
        let old = policy(
            dir.path(),
            "old.yaml",
            "default: \"!\"\na:old: \"role:admin\"\nb:old: \"role:admin\"\n",
            &[],
        );
        let path = dir.path().join("new.yaml");
        std::fs::write(&path, "default: \"!\"\n").unwrap();
        let mut e = Enforcer::new(Config {
            policy_file: path,
            policy_dirs: Vec::new(),
            ..Config::default()
        });
        for (name, check) in [("a:new", "role:admin"), ("b:new", "role:member")] {
            let was = name.replace("new", "old");
            let d = RuleDefault::new(name, check)
                .unwrap()
                .with_deprecated_rule(DeprecatedRule::new(&was, "role:admin", None, None).unwrap());
            e.register_default(d).unwrap();
        }
        let new = Policy::new(e).unwrap();
        let personas = crate::analysis::default_personas();
        let report = diff(&old, &new, &personas).unwrap();
        let shown: Vec<(&str, Option<&str>, bool)> = report
            .rules
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.moved_from.as_deref(),
                    matches!(r.outcome, Outcome::Moved),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("a:new", Some("a:old"), true),
                ("b:new", Some("b:old"), false)
            ]
        );
        // b: admin lost it and member gained it, for every scope.
        let b = &report.rules[1];
        let affected: Vec<&str> = b.personas.iter().map(|(p, _)| p.as_str()).collect();
        assert!(affected.contains(&"project-member"), "{b:?}");
        assert!(!affected.contains(&"project-admin"), "{b:?}");
        assert!(!affected.contains(&"project-reader"), "{b:?}");
        for (_, r) in &b.personas {
            assert_eq!(old.decide("b:old", r), Some(false));
            assert_eq!(new.decide("b:new", r), Some(true));
        }
        // Backwards, the same pairs.
        let back = diff(&new, &old, &personas).unwrap();
        let names: Vec<(&str, Option<&str>)> = back
            .rules
            .iter()
            .map(|r| (r.name.as_str(), r.moved_from.as_deref()))
            .collect();
        assert_eq!(names, [("a:old", Some("a:new")), ("b:old", Some("b:new"))]);
    }

    /// A difference only a policy server's answer decides is reported as
    /// such, with the answer it assumes, and confirmed with that answer.
    #[test]
    fn an_opaque_atom_deciding_a_difference_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let old = policy(
            dir.path(),
            "o.yaml",
            "r: \"http://pdp.example/check or role:admin\"\n",
            &[],
        );
        let new = policy(dir.path(), "n.yaml", "r: \"role:admin\"\n", &[]);
        let report = diff(&old, &new, &[]).unwrap();
        let Outcome::Changed {
            gained: None,
            lost: Some(lost),
        } = &report.rules[0].outcome
        else {
            panic!("{report:?}");
        };
        assert!(lost.opaque);
        assert_eq!(
            lost.witness.answers,
            [("http".to_owned(), "//pdp.example/check".to_owned(), true)]
        );
        assert_eq!(old.decide("r", &lost.witness), Some(true));
        assert_eq!(new.decide("r", &lost.witness), Some(false));
    }

    /// Rule chains: analysed up to the evaluator's depth limit, not
    /// beyond (it raises there), and a 20,000-rule chain through `not`
    /// (which loads: the load-time check does not follow `not`) neither
    /// overflows the stack nor takes long.
    #[test]
    fn deep_and_wide_policies_stay_bounded() {
        use std::fmt::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("r0: \"@\"\n");
        for i in 1..400 {
            let _ = writeln!(text, "r{i}: \"rule:r{}\"", i - 1);
        }
        let p = policy(dir.path(), "chain.yaml", &text, &[]);
        let (_, _, fs) = diagrams(&p);
        let r = Request {
            creds: Value::Dict(Vec::new()),
            target: Value::Dict(Vec::new()),
            answers: Vec::new(),
        };
        for i in [1, 327, 328, 329, 330, 399] {
            let name = format!("r{i}");
            let evaluator = p.decide(&name, &r);
            assert_eq!(
                fs.contains_key(&name),
                evaluator.is_some(),
                "{name}: {evaluator:?}"
            );
        }
        assert!(fs.contains_key("r328") && !fs.contains_key("r329"));

        let mut text = String::from("n0: \"@\"\n");
        for i in 1..20_000 {
            let _ = writeln!(text, "n{i}: \"not rule:n{}\"", i - 1);
        }
        let p = policy(dir.path(), "long.yaml", &text, &[]);
        let started = std::time::Instant::now();
        let report = diff(&p, &p, &[]).unwrap();
        assert!(report.rules.is_empty());
        assert!(
            report.same_text.len() > 19_000,
            "{}",
            report.same_text.len()
        );
        assert!(started.elapsed().as_secs() < 60);

        // 4,000 atoms in one rule: linear diagrams (no quadratic fold,
        // no quadratic term comparison), and past 4,096 atoms a refusal.
        let roles = |n: usize, sep: &str, neg: &str| {
            (0..n)
                .map(|i| format!("{neg}role:r{i}"))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let wide = format!(
            "a: \"{}\"\nb: \"{}\"\n",
            roles(4000, " or ", ""),
            roles(4000, " and ", "not ")
        );
        let w = policy(dir.path(), "wide.yaml", &wide, &[]);
        let narrow = policy(dir.path(), "narrow.yaml", "a: \"role:r1\"\nb: \"!\"\n", &[]);
        let personas = crate::analysis::default_personas();
        let report = diff(&w, &narrow, &personas).unwrap();
        assert_eq!(report.rules.len(), 2);
        let wider = format!("a: \"{}\"\n", roles(5000, " or ", ""));
        let w = policy(dir.path(), "wider.yaml", &wider, &[]);
        assert_eq!(
            diff(&w, &narrow, &[]).unwrap_err(),
            AnalysisError::TooComplex(TooComplex::Atoms)
        );
    }

    #[test]
    fn impossible_paths_are_proven_and_not_reported() {
        let mut atoms = Atoms::default();
        let a = atoms.number(Atom::TargetEq {
            attr: "enabled".into(),
            value: "True".into(),
        });
        let b = atoms.number(Atom::TargetEq {
            attr: "enabled".into(),
            value: "False".into(),
        });
        let c = atoms.number(Atom::CredEq {
            path: "system".into(),
            value: "all".into(),
        });
        let d = atoms.number(Atom::Truthy("system".into()));
        assert!(matches!(
            realize(&vec![(a, true), (b, true)], &atoms),
            Realized::Impossible(_)
        ));
        assert!(matches!(
            realize(&vec![(c, true), (d, false)], &atoms),
            Realized::Impossible(_)
        ));
        // Two values of one credential at once: a list holds both.
        let e = atoms.number(Atom::CredEq {
            path: "system".into(),
            value: "x".into(),
        });
        let Realized::Request(r) = realize(&vec![(c, true), (e, true)], &atoms) else {
            panic!("realizable");
        };
        assert_eq!(
            r.creds.get("system"),
            Some(&Value::List(vec![Value::str("all"), Value::str("x")]))
        );
        // A policy where the two rules differ only on such a path is equal.
        let dir = tempfile::tempdir().unwrap();
        let old = policy(
            dir.path(),
            "o.yaml",
            "r: \"True:%(enabled)s and False:%(enabled)s\"\n",
            &[],
        );
        let new = policy(dir.path(), "n.yaml", "r: \"!\"\n", &[]);
        let report = diff(&old, &new, &[]).unwrap();
        assert!(report.rules.is_empty(), "{report:?}");
        assert_eq!(report.equal_on_possible_requests, 1);
    }
}
