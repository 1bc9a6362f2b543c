//! Reduced ordered binary decision diagrams: the decision function of a
//! rule over its atoms, in a form where two functions are equal exactly
//! when their nodes are.
//!
//! Variables are atom numbers, ordered by number. Every node is unique
//! (hash-consed) and reduced, so `f == g` is function equality. Recursion
//! goes one level per variable; [`Bdd::MAX_VARS`] bounds it, and
//! [`Bdd::MAX_NODES`] bounds memory: both are checked where variables and
//! nodes are made, and a policy past them is refused, not half analysed.

use std::collections::HashMap;

/// A node: [`FALSE`], [`TRUE`] or an internal node of one [`Bdd`].
pub(crate) type NodeId = u32;

/// The constant false function.
pub(crate) const FALSE: NodeId = 0;
/// The constant true function.
pub(crate) const TRUE: NodeId = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Node {
    var: u32,
    lo: NodeId,
    hi: NodeId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
}

/// The diagram is larger than the analysis allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TooComplex {
    /// More distinct atoms than the analysis allows (4,096).
    #[error("more than {} distinct checks", Bdd::MAX_VARS)]
    Atoms,
    /// More diagram nodes than the analysis allows (4,000,000).
    #[error("the decision diagrams need more than {} nodes", Bdd::MAX_NODES)]
    Nodes,
}

/// A set of diagrams sharing nodes.
#[derive(Debug, Default)]
pub(crate) struct Bdd {
    nodes: Vec<Node>,
    unique: HashMap<Node, NodeId>,
    memo: HashMap<(Op, NodeId, NodeId), NodeId>,
    not_memo: HashMap<NodeId, NodeId>,
}

/// One satisfying path: the atoms it fixes, with their values, in
/// variable order. Atoms it does not name may take any value.
pub(crate) type Cube = Vec<(u32, bool)>;

impl Bdd {
    /// The most variables (atoms) a diagram may have.
    pub(crate) const MAX_VARS: u32 = 4096;
    /// The most nodes all diagrams together may have.
    pub(crate) const MAX_NODES: usize = 4_000_000;
    /// The longest term [`Bdd::prime_cover`] widens.
    const MAX_WIDENED: usize = 64;

    pub(crate) fn new() -> Bdd {
        // Slots 0 and 1 stand for the terminals.
        let terminal = Node {
            var: u32::MAX,
            lo: FALSE,
            hi: FALSE,
        };
        Bdd {
            nodes: vec![terminal, terminal],
            ..Bdd::default()
        }
    }

    fn node(&self, id: NodeId) -> Node {
        self.nodes.get(id as usize).copied().unwrap_or(Node {
            var: u32::MAX,
            lo: FALSE,
            hi: FALSE,
        })
    }

    /// The variable tested at `id` (`u32::MAX` at a terminal).
    fn var_of(&self, id: NodeId) -> u32 {
        if id <= TRUE {
            u32::MAX
        } else {
            self.node(id).var
        }
    }

    fn mk(&mut self, var: u32, lo: NodeId, hi: NodeId) -> Result<NodeId, TooComplex> {
        if lo == hi {
            return Ok(lo);
        }
        let node = Node { var, lo, hi };
        if let Some(&id) = self.unique.get(&node) {
            return Ok(id);
        }
        if self.nodes.len() >= Self::MAX_NODES {
            return Err(TooComplex::Nodes);
        }
        let id = NodeId::try_from(self.nodes.len()).map_err(|_| TooComplex::Nodes)?;
        self.nodes.push(node);
        self.unique.insert(node, id);
        Ok(id)
    }

    /// The function that is variable `var`.
    pub(crate) fn var(&mut self, var: u32) -> Result<NodeId, TooComplex> {
        if var >= Self::MAX_VARS {
            return Err(TooComplex::Atoms);
        }
        self.mk(var, FALSE, TRUE)
    }

    pub(crate) fn not(&mut self, f: NodeId) -> Result<NodeId, TooComplex> {
        match f {
            FALSE => return Ok(TRUE),
            TRUE => return Ok(FALSE),
            _ => {}
        }
        if let Some(&r) = self.not_memo.get(&f) {
            return Ok(r);
        }
        let n = self.node(f);
        let lo = self.not(n.lo)?;
        let hi = self.not(n.hi)?;
        let r = self.mk(n.var, lo, hi)?;
        self.not_memo.insert(f, r);
        Ok(r)
    }

    pub(crate) fn and(&mut self, f: NodeId, g: NodeId) -> Result<NodeId, TooComplex> {
        self.apply(Op::And, f, g)
    }

    pub(crate) fn or(&mut self, f: NodeId, g: NodeId) -> Result<NodeId, TooComplex> {
        self.apply(Op::Or, f, g)
    }

    /// `if c then t else e`.
    pub(crate) fn ite(&mut self, c: NodeId, t: NodeId, e: NodeId) -> Result<NodeId, TooComplex> {
        let ct = self.and(c, t)?;
        let nc = self.not(c)?;
        let ne = self.and(nc, e)?;
        self.or(ct, ne)
    }

    fn terminal_case(op: Op, f: NodeId, g: NodeId) -> Option<NodeId> {
        match op {
            Op::And => match (f, g) {
                (FALSE, _) | (_, FALSE) => Some(FALSE),
                (TRUE, x) | (x, TRUE) => Some(x),
                _ if f == g => Some(f),
                _ => None,
            },
            Op::Or => match (f, g) {
                (TRUE, _) | (_, TRUE) => Some(TRUE),
                (FALSE, x) | (x, FALSE) => Some(x),
                _ if f == g => Some(f),
                _ => None,
            },
        }
    }

    fn apply(&mut self, op: Op, f: NodeId, g: NodeId) -> Result<NodeId, TooComplex> {
        if let Some(r) = Self::terminal_case(op, f, g) {
            return Ok(r);
        }
        // Commutative: one memo entry per pair.
        let key = (op, f.min(g), f.max(g));
        if let Some(&r) = self.memo.get(&key) {
            return Ok(r);
        }
        let (vf, vg) = (self.var_of(f), self.var_of(g));
        let var = vf.min(vg);
        let (flo, fhi) = self.cofactors(f, var);
        let (glo, ghi) = self.cofactors(g, var);
        let lo = self.apply(op, flo, glo)?;
        let hi = self.apply(op, fhi, ghi)?;
        let r = self.mk(var, lo, hi)?;
        self.memo.insert(key, r);
        Ok(r)
    }

    /// `f` with `var` false and true (itself when it does not test `var`
    /// at its root).
    fn cofactors(&self, f: NodeId, var: u32) -> (NodeId, NodeId) {
        if self.var_of(f) == var {
            let n = self.node(f);
            (n.lo, n.hi)
        } else {
            (f, f)
        }
    }

    /// `f` with the variables of `fixed` set to their values.
    pub(crate) fn restrict(
        &mut self,
        f: NodeId,
        fixed: &HashMap<u32, bool>,
    ) -> Result<NodeId, TooComplex> {
        let mut memo = HashMap::new();
        self.restrict_memo(f, fixed, &mut memo)
    }

    /// [`Bdd::restrict`] with a memo the caller keeps: it may be shared by
    /// every call with the same `fixed`.
    pub(crate) fn restrict_memo(
        &mut self,
        f: NodeId,
        fixed: &HashMap<u32, bool>,
        memo: &mut HashMap<NodeId, NodeId>,
    ) -> Result<NodeId, TooComplex> {
        if f <= TRUE {
            return Ok(f);
        }
        if let Some(&r) = memo.get(&f) {
            return Ok(r);
        }
        let n = self.node(f);
        let r = match fixed.get(&n.var) {
            Some(false) => self.restrict_memo(n.lo, fixed, memo)?,
            Some(true) => self.restrict_memo(n.hi, fixed, memo)?,
            None => {
                let lo = self.restrict_memo(n.lo, fixed, memo)?;
                let hi = self.restrict_memo(n.hi, fixed, memo)?;
                self.mk(n.var, lo, hi)?
            }
        };
        memo.insert(f, r);
        Ok(r)
    }

    /// The conjunction of `cube`'s literals.
    pub(crate) fn cube(&mut self, cube: &[(u32, bool)]) -> Result<NodeId, TooComplex> {
        // Bottom-up in variable order: one node per literal.
        let mut sorted = cube.to_vec();
        sorted.sort_unstable();
        let mut f = TRUE;
        for &(var, value) in sorted.iter().rev() {
            if var >= Self::MAX_VARS {
                return Err(TooComplex::Atoms);
            }
            f = if value {
                self.mk(var, FALSE, f)?
            } else {
                self.mk(var, f, FALSE)?
            };
        }
        Ok(f)
    }

    /// Whether every assignment satisfying `f` satisfies `g`.
    pub(crate) fn implies(&mut self, f: NodeId, g: NodeId) -> Result<bool, TooComplex> {
        let not_g = self.not(g)?;
        Ok(self.and(f, not_g)? == FALSE)
    }

    /// The paths `cubes` of `f`, each widened to a prime implicant of `f`
    /// (a literal is dropped while the term stays inside `f`), without
    /// repeats or terms another one covers: a shorter condition, still
    /// exactly `f` on the requests the paths cover.
    pub(crate) fn prime_cover(
        &mut self,
        f: NodeId,
        cubes: Vec<Cube>,
    ) -> Result<Vec<Cube>, TooComplex> {
        let mut out: Vec<Cube> = Vec::new();
        for mut cube in cubes {
            let mut i = 0;
            // Widening costs a diagram per literal: a very long term
            // (hundreds of atoms) is shown as its path, still exact.
            while i < cube.len() && cube.len() <= Self::MAX_WIDENED {
                let mut shorter = cube.clone();
                shorter.remove(i);
                let node = self.cube(&shorter)?;
                if self.implies(node, f)? {
                    cube = shorter;
                } else {
                    i += 1;
                }
            }
            if !out.contains(&cube) {
                out.push(cube);
            }
        }
        // Drop a term whose literals include all of another's (terms are
        // in variable order, so inclusion is one merge).
        let subsumed = |a: &Cube, b: &Cube| {
            if a == b || b.len() > a.len() {
                return false;
            }
            let mut rest = a.iter();
            b.iter().all(|l| rest.any(|m| m == l))
        };
        let keep: Vec<bool> = out
            .iter()
            .map(|a| !out.iter().any(|b| subsumed(a, b)))
            .collect();
        Ok(out
            .into_iter()
            .zip(keep)
            .filter_map(|(c, k)| k.then_some(c))
            .collect())
    }

    /// Up to `limit` paths from `f` to [`TRUE`], each a [`Cube`]; the
    /// paths of a BDD are disjoint and together are exactly `f`.
    pub(crate) fn cubes(&self, f: NodeId, limit: usize) -> Vec<Cube> {
        let mut out = Vec::new();
        let mut path = Vec::new();
        self.walk(f, limit, &mut path, &mut out);
        out
    }

    fn walk(&self, f: NodeId, limit: usize, path: &mut Cube, out: &mut Vec<Cube>) {
        if out.len() >= limit || f == FALSE {
            return;
        }
        if f == TRUE {
            out.push(path.clone());
            return;
        }
        let n = self.node(f);
        path.push((n.var, false));
        self.walk(n.lo, limit, path, out);
        path.pop();
        path.push((n.var, true));
        self.walk(n.hi, limit, path, out);
        path.pop();
    }

    /// Whether `f` is true under `values` (a missing variable is false).
    #[cfg(test)]
    pub(crate) fn eval(&self, mut f: NodeId, values: &dyn Fn(u32) -> bool) -> bool {
        while f > TRUE {
            let n = self.node(f);
            f = if values(n.var) { n.hi } else { n.lo };
        }
        f == TRUE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function of three variables built two ways is the same node,
    /// and evaluates as the truth table says.
    #[test]
    fn canonical_and_correct() -> Result<(), TooComplex> {
        let mut b = Bdd::new();
        let (x, y, z) = (b.var(0)?, b.var(1)?, b.var(2)?);
        // (x and y) or (x and z) == x and (y or z)
        let xy = b.and(x, y)?;
        let xz = b.and(x, z)?;
        let left = b.or(xy, xz)?;
        let yz = b.or(y, z)?;
        let right = b.and(x, yz)?;
        assert_eq!(left, right);
        // De Morgan.
        let nx = b.not(x)?;
        let ny = b.not(y)?;
        let a = b.and(nx, ny)?;
        let o = b.or(x, y)?;
        let no = b.not(o)?;
        assert_eq!(a, no);
        assert_eq!(b.and(x, nx)?, FALSE);
        assert_eq!(b.or(x, nx)?, TRUE);
        for bits in 0..8u32 {
            let v = |i: u32| bits & (1 << i) != 0;
            assert_eq!(b.eval(left, &v), v(0) && (v(1) || v(2)));
            let ite = b.ite(x, y, z)?;
            assert_eq!(b.eval(ite, &v), if v(0) { v(1) } else { v(2) });
        }
        Ok(())
    }

    #[test]
    fn cubes_cover_the_function_disjointly() -> Result<(), TooComplex> {
        let mut b = Bdd::new();
        let (x, y, z) = (b.var(0)?, b.var(1)?, b.var(2)?);
        let yz = b.and(y, z)?;
        let f = b.or(x, yz)?;
        let mut fixed = HashMap::new();
        fixed.insert(0, false);
        assert_eq!(b.restrict(f, &fixed)?, yz);
        let cubes = b.cubes(f, 100);
        for bits in 0..8u32 {
            let v = |i: u32| bits & (1 << i) != 0;
            let matching = cubes
                .iter()
                .filter(|c| c.iter().all(|&(var, val)| v(var) == val))
                .count();
            assert_eq!(matching, usize::from(b.eval(f, &v)));
        }
        Ok(())
    }

    #[test]
    fn too_many_atoms_is_refused() {
        let mut b = Bdd::new();
        assert_eq!(b.var(Bdd::MAX_VARS), Err(TooComplex::Atoms));
    }
}
