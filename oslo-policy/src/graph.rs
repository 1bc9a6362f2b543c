//! The graph of `rule:` references between the rules of a policy, and the
//! walks over it that must stay linear in the size of the policy (a
//! 100,000-rule chain, a wide fan-out of shared rules): strongly connected
//! components, and the depth of the reference's recursions.
//!
//! Nothing here recurses over the graph or over a check tree: chains and
//! trees of any depth are walked with explicit stacks.

use crate::parser::Check;
use crate::rules::Rules;
use crate::value::Value;

#[cfg(test)]
thread_local! {
    /// Steps taken by the walks of this thread (tests assert on the work
    /// done, not on the time taken).
    pub(crate) static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one step of a walk (tests only).
#[inline]
pub(crate) fn step() {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get() + 1));
}

/// Which sub-checks a walk looks into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// `and`/`or` operands only: what `check_rules` looks at (it never
    /// looks under `not`).
    AndOr,
    /// Every sub-check, `not` included: what evaluation can reach.
    All,
}

/// Calls `f` on every check of `check`'s tree that `reach` looks into,
/// `check` itself first (pre-order, left to right).
pub(crate) fn each_check<'a>(check: &'a Check, reach: Reach, f: &mut dyn FnMut(&'a Check)) {
    let mut stack = vec![check];
    while let Some(c) = stack.pop() {
        step();
        f(c);
        match c {
            Check::Not(inner) if reach == Reach::All => stack.push(inner),
            Check::And(cs) | Check::Or(cs) => stack.extend(cs.iter().rev()),
            _ => {}
        }
    }
}

/// The rules with `str` names, numbered in file order, and their
/// `rule:` references to each other.
pub(crate) struct RuleGraph<'a> {
    /// The rule of each node (the one `rules.get(name)` finds).
    pub names: Vec<&'a str>,
    /// The index in `rules.rules()` of each node.
    pub index: Vec<usize>,
    /// The nodes each node refers to (in tree order, repeats kept).
    pub succ: Vec<Vec<usize>>,
    node_of: std::collections::HashMap<&'a str, usize>,
}

impl<'a> RuleGraph<'a> {
    /// The graph of `rules`, following references as `reach` says.
    pub fn new(rules: &'a Rules, reach: Reach) -> RuleGraph<'a> {
        let mut node_of = std::collections::HashMap::new();
        let mut names = Vec::new();
        let mut index = Vec::new();
        for (i, r) in rules.rules().iter().enumerate() {
            if let Value::Str(name) = &r.name {
                // `rules.get` finds the last of duplicate names.
                if rules.get(name).is_some_and(|found| std::ptr::eq(found, r)) {
                    node_of.insert(name.as_str(), names.len());
                    names.push(name.as_str());
                    index.push(i);
                }
            }
        }
        let succ = index
            .iter()
            .map(|&i| {
                let mut out = Vec::new();
                if let Some(r) = rules.rules().get(i) {
                    each_check(&r.check, reach, &mut |c| {
                        if let Check::Rule(target) = c {
                            if let Some(&n) = node_of.get(target.as_str()) {
                                out.push(n);
                            }
                        }
                    });
                }
                out
            })
            .collect();
        RuleGraph {
            names,
            index,
            succ,
            node_of,
        }
    }

    /// The node of `name`, if it is a rule of the graph.
    pub fn node(&self, name: &str) -> Option<usize> {
        self.node_of.get(name).copied()
    }
}

/// Strongly connected components (Tarjan's algorithm, iterative): the
/// component of each node, components numbered so that every reference
/// goes to a component with a number no greater than its own (sinks
/// first), and the number of components.
pub(crate) fn components(succ: &[Vec<usize>]) -> (Vec<usize>, usize) {
    const NONE: usize = usize::MAX;
    let n = succ.len();
    let mut order = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut comp = vec![NONE; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next_order = 0usize;
    let mut count = 0usize;
    // (node, index of the next successor to look at)
    let mut calls: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if order.get(root) != Some(&NONE) {
            continue;
        }
        calls.push((root, 0));
        while let Some(&(v, i)) = calls.last() {
            step();
            if i == 0 {
                if let (Some(o), Some(l), Some(s)) =
                    (order.get_mut(v), low.get_mut(v), on_stack.get_mut(v))
                {
                    *o = next_order;
                    *l = next_order;
                    *s = true;
                }
                next_order += 1;
                stack.push(v);
            }
            let next = succ.get(v).and_then(|s| s.get(i)).copied();
            if let Some(top) = calls.last_mut() {
                top.1 += 1;
            }
            match next {
                Some(w) if order.get(w) == Some(&NONE) => calls.push((w, 0)),
                Some(w) => {
                    if on_stack.get(w) == Some(&true) {
                        let ow = order.get(w).copied().unwrap_or(NONE);
                        if let Some(l) = low.get_mut(v) {
                            *l = (*l).min(ow);
                        }
                    }
                }
                None => {
                    calls.pop();
                    let lv = low.get(v).copied().unwrap_or(NONE);
                    if let Some(&(parent, _)) = calls.last() {
                        if let Some(l) = low.get_mut(parent) {
                            *l = (*l).min(lv);
                        }
                    }
                    if Some(&lv) == order.get(v) {
                        while let Some(w) = stack.pop() {
                            if let Some(s) = on_stack.get_mut(w) {
                                *s = false;
                            }
                            if let Some(c) = comp.get_mut(w) {
                                *c = count;
                            }
                            if w == v {
                                break;
                            }
                        }
                        count += 1;
                    }
                }
            }
        }
    }
    (comp, count)
}

/// Whether each component contains a cycle (more than one node, or a node
/// that refers to itself).
pub(crate) fn cyclic_components(succ: &[Vec<usize>], comp: &[usize], count: usize) -> Vec<bool> {
    let mut size = vec![0usize; count];
    let mut cyclic = vec![false; count];
    for (v, &c) in comp.iter().enumerate() {
        if let Some(s) = size.get_mut(c) {
            *s += 1;
        }
        if succ.get(v).is_some_and(|s| s.contains(&v)) {
            if let Some(x) = cyclic.get_mut(c) {
                *x = true;
            }
        }
    }
    for (c, s) in size.iter().enumerate() {
        if *s > 1 {
            if let Some(x) = cyclic.get_mut(c) {
                *x = true;
            }
        }
    }
    cyclic
}

/// For each node, whether a cycle can be reached from it (itself
/// included).
pub(crate) fn reaches_cycle(succ: &[Vec<usize>]) -> Vec<bool> {
    let (comp, count) = components(succ);
    let mut bad = cyclic_components(succ, &comp, count);
    // Components are numbered sinks first: one pass in that order
    // settles each component after everything it refers to.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (v, &c) in comp.iter().enumerate() {
        if let Some(m) = members.get_mut(c) {
            m.push(v);
        }
    }
    for c in 0..count {
        let reaches = members.get(c).is_some_and(|m| {
            m.iter().any(|&v| {
                succ.get(v).is_some_and(|s| {
                    s.iter().any(|&w| {
                        let cw = comp.get(w).copied().unwrap_or(c);
                        cw != c && bad.get(cw) == Some(&true)
                    })
                })
            })
        });
        if reaches {
            if let Some(b) = bad.get_mut(c) {
                *b = true;
            }
        }
    }
    comp.iter()
        .map(|&c| bad.get(c).copied().unwrap_or(true))
        .collect()
}

/// The depth of a check tree when each `rule:NAME` atom counts as one
/// level plus `of_rule(NAME)` (the depth of that rule's own tree, `None`
/// if the name is not a rule), looking into sub-checks as `reach` says.
/// Iterative: any tree depth is fine.
pub(crate) fn tree_height(
    check: &Check,
    reach: Reach,
    of_rule: &dyn Fn(&str) -> Option<usize>,
) -> usize {
    // Post-order with explicit frames: (check, children done?).
    let mut stack: Vec<(&Check, bool)> = vec![(check, false)];
    let mut results: Vec<usize> = Vec::new();
    while let Some((c, expanded)) = stack.pop() {
        step();
        let children: &[Check] = match c {
            Check::Not(inner) if reach == Reach::All => std::slice::from_ref(inner),
            Check::And(cs) | Check::Or(cs) => cs,
            _ => &[],
        };
        if !expanded && !children.is_empty() {
            stack.push((c, true));
            stack.extend(children.iter().map(|k| (k, false)));
            continue;
        }
        let own = match c {
            Check::Rule(name) => 1 + of_rule(name).unwrap_or(0),
            _ => {
                let start = results.len().saturating_sub(children.len());
                let deepest = results.drain(start..).max().unwrap_or(0);
                1 + deepest
            }
        };
        results.push(own);
    }
    results.pop().unwrap_or(1)
}

/// The height of every rule's tree (`tree_height` with references
/// followed), for the rules from which no cycle can be reached; `None`
/// for the others.
pub(crate) fn rule_heights(
    rules: &Rules,
    graph: &RuleGraph<'_>,
    reach: Reach,
    unsafe_nodes: &[bool],
) -> Vec<Option<usize>> {
    let n = graph.names.len();
    let mut height: Vec<Option<usize>> = vec![None; n];
    // Iterative post-order over the (acyclic) safe part of the graph.
    for root in 0..n {
        if height.get(root).is_some_and(Option::is_some) || unsafe_nodes.get(root) != Some(&false) {
            continue;
        }
        let mut stack: Vec<(usize, bool)> = vec![(root, false)];
        while let Some((v, expanded)) = stack.pop() {
            step();
            if height.get(v).is_some_and(Option::is_some) {
                continue;
            }
            let succ = graph.succ.get(v).map(Vec::as_slice).unwrap_or_default();
            if !expanded {
                stack.push((v, true));
                for &w in succ {
                    if height.get(w) == Some(&None) {
                        stack.push((w, false));
                    }
                }
                continue;
            }
            let Some(rule) = graph.index.get(v).and_then(|&i| rules.rules().get(i)) else {
                continue;
            };
            let h = tree_height(&rule.check, reach, &|name| {
                rules.get(name)?;
                graph
                    .node(name)
                    .and_then(|w| height.get(w).copied().flatten())
            });
            if let Some(slot) = height.get_mut(v) {
                *slot = Some(h);
            }
        }
    }
    height
}
