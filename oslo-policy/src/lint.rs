//! `oslo-policy lint`: what an operator should know about a policy file
//! that the reference never says (or says only in a log line).

use crate::literal::Literal;
use crate::parser::Check;
use crate::rules::Rules;
use crate::value::Value;

/// One finding about one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's name (`repr()` for names that are not strings).
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

fn walk<'a>(check: &'a Check, f: &mut dyn FnMut(&'a Check)) {
    f(check);
    match check {
        Check::Not(c) => walk(c, f),
        Check::And(cs) | Check::Or(cs) => cs.iter().for_each(|c| walk(c, f)),
        _ => {}
    }
}

/// Every finding, in file order.
pub fn lint(rules: &Rules) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules.rules() {
        let name = match &rule.name {
            Value::Str(s) => s.clone(),
            other => {
                out.push(Finding {
                    rule: other.py_repr(),
                    message: format!(
                        "the name is a YAML {} ({}), not a string: no request can reach this rule",
                        other.type_name(),
                        other.py_repr()
                    ),
                });
                other.py_repr()
            }
        };
        let mut push = |message: String| {
            out.push(Finding {
                rule: name.clone(),
                message,
            })
        };
        match &rule.source {
            Value::Str(s) if s.is_empty() => {
                push("the empty rule allows everyone".to_owned());
            }
            Value::Str(_) => {}
            v if !v.truthy() => push(format!(
                "YAML read the value as {} ({}): the rule allows everyone (quote it if you meant a string)",
                v.py_repr(),
                v.type_name()
            )),
            _ => {}
        }
        for d in &rule.diagnostics {
            push(format!("at byte {}: {}", d.offset, d.message));
        }
        walk(&rule.check, &mut |c| match c {
            Check::Rule(target) if rules.get(target).is_none() => {
                let msg = match rules.lookup(target) {
                    Some(_) => format!(
                        "rule:{target} refers to an undefined rule: the default rule {:?} is used",
                        rules.default_rule().unwrap_or_default()
                    ),
                    None => format!("rule:{target} refers to an undefined rule: always false"),
                };
                push(msg);
            }
            Check::Generic {
                kind,
                literal: Literal::Error(e) | Literal::Unsupported(e),
                ..
            } => push(format!(
                "the check kind {kind:?} is not a valid Python expression ({e}): evaluating it raises"
            )),
            _ => {}
        });
    }
    // Cycles through rule: references (the reference only looks outside
    // `not`; we look everywhere).
    let names: Vec<&str> = rules
        .rules()
        .iter()
        .filter_map(|r| match &r.name {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let mut reported = std::collections::BTreeSet::new();
    for start in &names {
        let mut stack = vec![(*start, vec![*start])];
        let mut seen = std::collections::BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            let Some(rule) = rules.get(at) else { continue };
            let mut refs = Vec::new();
            walk(&rule.check, &mut |c| {
                if let Check::Rule(t) = c {
                    refs.push(t.as_str());
                }
            });
            for r in refs {
                if r == *start {
                    let mut cycle = path.clone();
                    cycle.push(r);
                    let mut key: Vec<&str> = cycle.clone();
                    key.sort_unstable();
                    key.dedup();
                    if reported.insert(key) {
                        out.push(Finding {
                            rule: (*start).to_owned(),
                            message: format!(
                                "cyclic reference {}: evaluating it raises",
                                cycle.join(" -> ")
                            ),
                        });
                    }
                } else if seen.insert(r) {
                    let mut p = path.clone();
                    p.push(r);
                    stack.push((r, p));
                }
            }
        }
    }
    out
}
