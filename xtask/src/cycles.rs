//! `xtask cycles`: fails on a dependency cycle between modules of a crate.
//!
//! Every crate target of the workspace (a library's `src/lib.rs`, a binary's
//! `src/main.rs`, `src/bin/NAME.rs` or `src/bin/NAME/main.rs`) is read from
//! its root down through its `mod` declarations (all of them, whatever their
//! `#[cfg]`: a feature-gated module is part of the layering too).
//!
//! A module depends on another when its code names it or an item in it:
//! in a `use` (`crate::a::b`, `super::x`, `self::c`, a child module, or a
//! module alias brought in by an earlier `use`), or in any other path of
//! its code (`crate::a::f()`, `super::x::T`). The code of a module is what
//! it holds outside its own submodules.
//!
//! What counts as a cycle: a parent declaring `mod child` and the child
//! using `super::` is ordinary Rust layering, so a dependency between a
//! module and its ancestor or descendant is never counted. Every other
//! dependency is lifted to the two sibling subtrees it connects (`a::x`
//! using `b::y` makes `a` depend on `b`, both children of the crate root),
//! and a cycle is a group of sibling modules that depend on each other.
//! Each one is reported with one `use` line (or path) per dependency.
//!
//! Not seen: paths inside macro invocations, and a dependency routed through
//! an ancestor's re-export (`crate::Foo` where the root has `pub use a::Foo`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's absolute path inside its crate (`[]` is the crate root).
type ModPath = Vec<String>;

/// The dependencies between sibling subtrees: `parent -> (from child, to
/// child) -> where`.
type Deps = BTreeMap<ModPath, BTreeMap<(String, String), Vec<Witness>>>;

/// Why the module tree could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse { path: String, source: syn::Error },
    #[error("{path}: `mod {name};` has no file ({tried})")]
    MissingModule {
        path: String,
        name: String,
        tried: String,
    },
}

/// One reason a module depends on another: where it names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Witness {
    pub file: PathBuf,
    pub line: usize,
    /// The `use` or path as written, e.g. `use crate::rules::Rules`.
    pub text: String,
}

/// A cycle between sibling modules of one crate target.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The crate target, e.g. `oslo-policy (lib)`.
    pub target: String,
    /// The modules of the cycle (absolute paths, `::`-joined).
    pub modules: Vec<String>,
    /// One witness per dependency inside the cycle: `(from, to, witness)`.
    pub edges: Vec<(String, String, Witness)>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "cycle in {}: {}",
            self.target,
            self.modules.join(" <-> ")
        )?;
        for (from, to, w) in &self.edges {
            writeln!(
                f,
                "  {from} -> {to}: {}:{}: {}",
                w.file.display(),
                w.line,
                w.text
            )?;
        }
        Ok(())
    }
}

/// Reads a source file; a trait so that tests can give files from memory.
pub trait Sources {
    fn read(&self, path: &Path) -> Option<String>;
}

/// The real file system.
pub struct Disk;

impl Sources for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

/// Every crate target under `root`'s immediate subdirectories and under
/// `root/tests/*`: `(name, root file)`.
pub fn workspace_targets(root: &Path) -> Result<Vec<(String, PathBuf)>, CycleError> {
    let mut crates = Vec::new();
    for dir in [root.to_path_buf(), root.join("tests")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.join("Cargo.toml").is_file() && path.join("src").is_dir() {
                crates.push(path);
            }
        }
    }
    crates.sort();
    let mut targets = Vec::new();
    for krate in crates {
        let name = krate
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let src = krate.join("src");
        for (kind, file) in [("lib", src.join("lib.rs")), ("bin", src.join("main.rs"))] {
            if file.is_file() {
                targets.push((format!("{name} ({kind})"), file));
            }
        }
        let mut bins: Vec<PathBuf> = std::fs::read_dir(src.join("bin"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        bins.sort();
        for bin in bins {
            let file = if bin.is_dir() {
                bin.join("main.rs")
            } else {
                bin.clone()
            };
            if file.is_file() {
                let stem = bin
                    .file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                targets.push((format!("{name} (bin {stem})"), file));
            }
        }
    }
    Ok(targets)
}

/// The cycles of one crate target whose root file is `root`.
pub fn cycles_of(target: &str, root: &Path, src: &dyn Sources) -> Result<Vec<Cycle>, CycleError> {
    let tree = Tree::load(root, src)?;
    let deps = tree.dependencies();
    Ok(find_cycles(target, &deps))
}

/// A module of the tree: where it is and what it holds.
struct Module {
    path: ModPath,
    file: PathBuf,
    items: Vec<syn::Item>,
}

struct Tree {
    modules: Vec<Module>,
    /// Every module's path, for resolving.
    paths: BTreeSet<ModPath>,
}

impl Tree {
    fn load(root: &Path, src: &dyn Sources) -> Result<Tree, CycleError> {
        let mut tree = Tree {
            modules: Vec::new(),
            paths: BTreeSet::new(),
        };
        let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
        let items = parse(root, src)?;
        tree.add(Vec::new(), root.to_path_buf(), dir, items, src)?;
        Ok(tree)
    }

    /// Adds the module `path` (its `items` read from `file`; its child
    /// modules' files are looked for in `dir`), then its submodules.
    fn add(
        &mut self,
        path: ModPath,
        file: PathBuf,
        dir: PathBuf,
        items: Vec<syn::Item>,
        src: &dyn Sources,
    ) -> Result<(), CycleError> {
        let mut subs = Vec::new();
        for item in &items {
            let syn::Item::Mod(m) = item else { continue };
            let name = m.ident.to_string();
            let mut child = path.clone();
            child.push(name.clone());
            let (child_file, child_dir, child_items) = match &m.content {
                Some((_, inline)) => (file.clone(), dir.join(&name), inline.clone()),
                None => {
                    let candidates = match path_attr(m) {
                        Some(p) => vec![dir.join(p)],
                        None => vec![
                            dir.join(format!("{name}.rs")),
                            dir.join(&name).join("mod.rs"),
                        ],
                    };
                    let found = candidates.iter().find(|c| src.read(c).is_some());
                    let Some(found) = found else {
                        return Err(CycleError::MissingModule {
                            path: file.display().to_string(),
                            name,
                            tried: candidates
                                .iter()
                                .map(|c| c.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    };
                    let owns_dir = found.file_name().is_some_and(|n| n == "mod.rs");
                    let child_dir = if owns_dir {
                        found.parent().map(Path::to_path_buf).unwrap_or_default()
                    } else {
                        dir.join(&name)
                    };
                    (found.clone(), child_dir, parse(found, src)?)
                }
            };
            subs.push((child, child_file, child_dir, child_items));
        }
        self.paths.insert(path.clone());
        self.modules.push(Module { path, file, items });
        for (child, child_file, child_dir, child_items) in subs {
            self.add(child, child_file, child_dir, child_items, src)?;
        }
        Ok(())
    }

    fn is_module(&self, path: &[String]) -> bool {
        self.paths.contains(path)
    }

    /// The deepest module `segs` names, seen from module `cur` with
    /// `aliases` (names `use`d there that are modules); `None` for paths
    /// outside the crate (std, other crates) and local names.
    fn resolve(
        &self,
        cur: &[String],
        aliases: &BTreeMap<String, ModPath>,
        segs: &[String],
    ) -> Option<ModPath> {
        let (first, rest) = segs.split_first()?;
        let (mut base, mut rest): (ModPath, &[String]) = match first.as_str() {
            "crate" => (Vec::new(), rest),
            "self" => (cur.to_vec(), rest),
            "super" => {
                let mut base = cur.to_vec();
                base.pop();
                let mut rest = rest;
                while let Some(("super", tail)) = rest.split_first().map(|(h, t)| (h.as_str(), t)) {
                    base.pop();
                    rest = tail;
                }
                (base, rest)
            }
            name => {
                let mut child = cur.to_vec();
                child.push(name.to_owned());
                if self.is_module(&child) {
                    (child, rest)
                } else {
                    (aliases.get(name)?.clone(), rest)
                }
            }
        };
        while let Some((next, tail)) = rest.split_first() {
            let mut deeper = base.clone();
            deeper.push(next.clone());
            if !self.is_module(&deeper) {
                break;
            }
            base = deeper;
            rest = tail;
        }
        Some(base)
    }

    /// Every dependency between sibling subtrees.
    fn dependencies(&self) -> Deps {
        let mut deps = Deps::new();
        for module in &self.modules {
            // Module aliases: `use crate::a::b;` lets `b::f()` name module b.
            let mut aliases = BTreeMap::new();
            for item in &module.items {
                if let syn::Item::Use(u) = item {
                    for Import { segs, binds, .. } in flatten_use(&u.tree) {
                        let Some(alias) = binds else { continue };
                        if resolves_fully(self, &module.path, &segs) {
                            if let Some(target) =
                                self.resolve(&module.path, &BTreeMap::new(), &segs)
                            {
                                aliases.insert(alias, target);
                            }
                        }
                    }
                }
            }
            let mut refs = Refs::default();
            for item in &module.items {
                refs.visit_item(item);
            }
            for (segs, line, text) in refs.found {
                let Some(target) = self.resolve(&module.path, &aliases, &segs) else {
                    continue;
                };
                let Some((parent, from, to)) = siblings(&module.path, &target) else {
                    continue;
                };
                deps.entry(parent)
                    .or_default()
                    .entry((from, to))
                    .or_default()
                    .push(Witness {
                        file: module.file.clone(),
                        line,
                        text,
                    });
            }
        }
        deps
    }
}

/// True if every segment of `segs` past its start names a module.
fn resolves_fully(tree: &Tree, cur: &[String], segs: &[String]) -> bool {
    let Some(target) = tree.resolve(cur, &BTreeMap::new(), segs) else {
        return false;
    };
    let Some(last) = segs.last() else {
        return false;
    };
    match last.as_str() {
        "crate" => target.is_empty(),
        "self" | "super" => true,
        name => target.last().is_some_and(|t| t == name),
    }
}

/// The parent and the two sibling subtrees a dependency from `from` to `to`
/// connects; `None` if one is the other's ancestor (or they are the same).
fn siblings(from: &[String], to: &[String]) -> Option<(ModPath, String, String)> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let a = from.get(common)?;
    let b = to.get(common)?;
    Some((from.get(..common)?.to_vec(), a.clone(), b.clone()))
}

/// The groups of sibling modules that depend on each other.
fn find_cycles(target: &str, deps: &Deps) -> Vec<Cycle> {
    let mut cycles = Vec::new();
    for (parent, edges) in deps {
        let nodes: BTreeSet<&String> = edges.keys().flat_map(|(a, b)| [a, b]).collect();
        let reach = |start: &String| -> BTreeSet<String> {
            let mut seen = BTreeSet::new();
            let mut todo = vec![start.clone()];
            while let Some(n) = todo.pop() {
                for (a, b) in edges.keys() {
                    if *a == n && seen.insert(b.clone()) {
                        todo.push(b.clone());
                    }
                }
            }
            seen
        };
        let reaches: BTreeMap<&String, BTreeSet<String>> =
            nodes.iter().map(|n| (*n, reach(n))).collect();
        let mut done = BTreeSet::new();
        for n in &nodes {
            if done.contains(*n) {
                continue;
            }
            let group: BTreeSet<String> = nodes
                .iter()
                .filter(|m| {
                    reaches.get(*n).is_some_and(|r| r.contains(**m))
                        && reaches.get(**m).is_some_and(|r| r.contains(*n))
                })
                .map(|m| (*m).clone())
                .collect();
            if group.len() < 2 {
                continue;
            }
            done.extend(group.iter().cloned());
            let full = |m: &String| {
                let mut p = parent.clone();
                p.push(m.clone());
                p.join("::")
            };
            let edges = edges
                .iter()
                .filter(|((a, b), _)| group.contains(a) && group.contains(b))
                .filter_map(|((a, b), ws)| {
                    let first = ws.iter().min()?;
                    Some((full(a), full(b), first.clone()))
                })
                .collect();
            cycles.push(Cycle {
                target: target.to_owned(),
                modules: group.iter().map(full).collect(),
                edges,
            });
        }
    }
    cycles
}

fn parse(path: &Path, src: &dyn Sources) -> Result<Vec<syn::Item>, CycleError> {
    let text = src.read(path).ok_or_else(|| CycleError::Read {
        path: path.display().to_string(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    })?;
    syn::parse_file(&text)
        .map(|f| f.items)
        .map_err(|source| CycleError::Parse {
            path: path.display().to_string(),
            source,
        })
}

/// `#[path = "..."]` on a `mod` item.
fn path_attr(m: &syn::ItemMod) -> Option<String> {
    m.attrs.iter().find_map(|a| {
        let syn::Meta::NameValue(nv) = &a.meta else {
            return None;
        };
        if !nv.path.is_ident("path") {
            return None;
        }
        match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        }
    })
}

/// One path a `use` imports.
struct Import {
    segs: Vec<String>,
    /// The name it binds (none for a glob).
    binds: Option<String>,
    line: usize,
}

/// The paths a `use` tree imports: `use a::b::{self, c}` gives `a::b`
/// (bound as `b`) and `a::b::c`.
fn flatten_use(tree: &syn::UseTree) -> Vec<Import> {
    fn walk(
        tree: &syn::UseTree,
        prefix: &mut Vec<String>,
        line: Option<usize>,
        out: &mut Vec<Import>,
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                let line = line.or(Some(p.ident.span().start().line));
                prefix.push(p.ident.to_string());
                walk(&p.tree, prefix, line, out);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let line = line.unwrap_or(n.ident.span().start().line);
                let name = n.ident.to_string();
                if name == "self" {
                    out.push(Import {
                        segs: prefix.clone(),
                        binds: prefix.last().cloned(),
                        line,
                    });
                } else {
                    let mut segs = prefix.clone();
                    segs.push(name.clone());
                    out.push(Import {
                        segs,
                        binds: Some(name),
                        line,
                    });
                }
            }
            syn::UseTree::Rename(r) => {
                let line = line.unwrap_or(r.ident.span().start().line);
                let mut segs = prefix.clone();
                let name = r.ident.to_string();
                if name != "self" {
                    segs.push(name);
                }
                out.push(Import {
                    segs,
                    binds: Some(r.rename.to_string()),
                    line,
                });
            }
            syn::UseTree::Glob(g) => {
                let line = line
                    .or_else(|| g.star_token.spans.first().map(|s| s.start().line))
                    .unwrap_or_default();
                out.push(Import {
                    segs: prefix.clone(),
                    binds: None,
                    line,
                });
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    walk(t, prefix, line, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(tree, &mut Vec::new(), None, &mut out);
    out
}

/// The paths a module's own code names (not its submodules'):
/// `(segments, line, text)`.
#[derive(Default)]
struct Refs {
    found: Vec<(Vec<String>, usize, String)>,
}

impl<'ast> Visit<'ast> for Refs {
    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // A submodule is a module of its own.
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        for Import { segs, line, .. } in flatten_use(&u.tree) {
            let text = format!("use {}", segs.join("::"));
            self.found.push((segs, line, text));
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() && p.segments.len() > 1 {
            let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
            let line = p
                .segments
                .first()
                .map(|s| s.ident.span().start().line)
                .unwrap_or_default();
            let text = segs.join("::");
            self.found.push((segs, line, text));
        }
        syn::visit::visit_path(self, p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mem(BTreeMap<PathBuf, String>);

    impl Sources for Mem {
        fn read(&self, path: &Path) -> Option<String> {
            self.0.get(path).cloned()
        }
    }

    fn cycles(files: &[(&str, &str)]) -> Vec<Cycle> {
        let mem = Mem(files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
            .collect());
        cycles_of("t (lib)", Path::new("src/lib.rs"), &mem).unwrap()
    }

    fn pairs(cycles: &[Cycle]) -> Vec<Vec<String>> {
        cycles.iter().map(|c| c.modules.clone()).collect()
    }

    #[test]
    fn siblings_using_each_other_are_a_cycle() {
        let found = cycles(&[
            ("src/lib.rs", "mod a;\nmod b;\n"),
            ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
            (
                "src/b.rs",
                "pub struct B;\n\nfn f() -> crate::a::A { crate::a::A }\n",
            ),
        ]);
        assert_eq!(pairs(&found), [["a", "b"]]);
        let c = &found[0];
        assert_eq!(c.edges.len(), 2);
        assert_eq!(c.edges[0].0, "a");
        assert_eq!(c.edges[0].2.text, "use crate::b::B");
        assert_eq!(c.edges[0].2.line, 1);
        assert_eq!(c.edges[0].2.file, PathBuf::from("src/a.rs"));
        assert_eq!(c.edges[1].2.text, "crate::a::A");
        assert_eq!(c.edges[1].2.line, 3);
        let shown = c.to_string();
        assert!(shown.starts_with("cycle in t (lib): a <-> b\n"), "{shown}");
        assert!(
            shown.contains("  a -> b: src/a.rs:1: use crate::b::B\n"),
            "{shown}"
        );
    }

    #[test]
    fn parent_and_child_are_layering_not_a_cycle() {
        let found = cycles(&[
            (
                "src/lib.rs",
                "mod a;\npub use a::A;\nfn f() { a::inner::g() }\n",
            ),
            (
                "src/a/mod.rs",
                "pub mod inner;\npub struct A;\nuse self::inner::g;\n",
            ),
            (
                "src/a/inner.rs",
                "use super::A;\nuse crate::a::A as B;\npub fn g() {}\n",
            ),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn one_way_dependencies_are_no_cycle() {
        let found = cycles(&[
            ("src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("src/a.rs", "use crate::b::B;\n"),
            ("src/b.rs", "use crate::c::C;\npub struct B;\n"),
            (
                "src/c.rs",
                "pub struct C;\nuse std::path::Path;\nuse serde::Serialize;\n",
            ),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn dependencies_are_lifted_to_sibling_subtrees() {
        // a::x uses b, b uses a (through super:: from b's child): a <-> b.
        let found = cycles(&[
            ("src/lib.rs", "mod a;\nmod b;\n"),
            ("src/a.rs", "mod x { use crate::b::B; }\npub struct A;\n"),
            ("src/b.rs", "pub struct B;\nmod y;\n"),
            ("src/b/y.rs", "use super::super::a::A;\n"),
        ]);
        assert_eq!(pairs(&found), [["a", "b"]]);
        assert_eq!(found[0].edges[0].2.file, PathBuf::from("src/a.rs"));
        assert_eq!(found[0].edges[1].2.file, PathBuf::from("src/b/y.rs"));
    }

    #[test]
    fn cycles_below_the_root_and_longer_ones() {
        let found = cycles(&[
            ("src/lib.rs", "pub mod g;\n"),
            ("src/g.rs", "mod m;\nmod n;\nmod o;\n"),
            ("src/g/m.rs", "use super::n::N;\n"),
            (
                "src/g/n.rs",
                "use super::{o::{self}};\npub struct N;\nfn f() { o::g() }\n",
            ),
            ("src/g/o.rs", "pub fn g() { super::m::h() }\n"),
        ]);
        assert_eq!(pairs(&found), [["g::m", "g::n", "g::o"]]);
        assert_eq!(found[0].edges.len(), 3);
    }

    #[test]
    fn relative_paths_aliases_and_cfg_gated_modules_count() {
        let found = cycles(&[
            (
                "src/lib.rs",
                "mod rules;\n#[cfg(feature = \"http\")]\nmod external;\n",
            ),
            (
                "src/rules.rs",
                "#[cfg(feature = \"http\")]\nuse crate::external;\nfn f() { external::ask() }\n",
            ),
            (
                "src/external.rs",
                "pub fn ask() {}\nimpl crate::rules::Check for X {}\n",
            ),
        ]);
        assert_eq!(pairs(&found), [["external", "rules"]]);
        assert_eq!(found[0].edges[1].2.text, "use crate::external");
    }

    #[test]
    fn path_attributes_and_missing_files() {
        let found = cycles(&[
            ("src/lib.rs", "#[path = \"other/x.rs\"]\nmod x;\nmod y;\n"),
            ("src/other/x.rs", "use crate::y::Y;\n"),
            ("src/y.rs", "pub struct Y;\n"),
        ]);
        assert!(found.is_empty());
        let mem = Mem(BTreeMap::from([(
            PathBuf::from("src/lib.rs"),
            "mod gone;".to_owned(),
        )]));
        let err = cycles_of("t", Path::new("src/lib.rs"), &mem).unwrap_err();
        assert!(err.to_string().contains("`mod gone;` has no file"), "{err}");
    }
}
