//! Rules loaded from a policy file and `Enforcer.enforce`, with the
//! reference's semantics: a missing rule name (at the top or behind
//! `rule:`) evaluates the default rule when it exists, truthy
//! `system_scope` is copied to `system`, evaluation is lazy and
//! short-circuits, and errors the reference raises are errors here
//! (callers must treat them as deny).

use std::collections::HashMap;

use crate::literal::Literal;
use crate::parser::{self, Check, Diagnostic};
use crate::pyformat::{self, FormatError};
use crate::value::Value;

/// How deep checks may nest during one evaluation (rule hops included)
/// before the reference's recursion limit turns into
/// `TypeError: unsupported callable` (measured: 329 nested checks pass).
pub const MAX_EVAL_DEPTH: usize = 329;

/// `"PATH: "`, or nothing when no path is known (a message never starts
/// with an empty field).
pub(crate) fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

/// Why a policy file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("{}{message}", at(path))]
    Io {
        /// The file.
        path: String,
        /// The system error.
        message: String,
    },
    /// Not YAML as PyYAML reads it.
    #[error("{}{source}", at(path))]
    Yaml {
        /// The file.
        path: String,
        /// Line, column and what was expected.
        source: crate::yaml::YamlError,
    },
    /// The document is not a mapping of rules.
    #[error(
        "{}the policy document is a {found}, not a mapping of rule names to rules",
        at(path)
    )]
    NotAMapping {
        /// The file.
        path: String,
        /// Its Python type.
        found: &'static str,
    },
    /// A rule value the reference cannot parse at all.
    #[error("{}rule {name}: {message}", at(path))]
    Rule {
        /// The file.
        path: String,
        /// `repr()` of the rule name.
        name: String,
        /// Why.
        message: String,
    },
}

/// An evaluation error: what the reference raises (callers must deny),
/// as the Python exception class and its message. Displayed as the
/// reference's `Class: message` (the message alone when the reference
/// has no exception for it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if class.is_empty() { String::new() } else { format!("{class}: ") })]
pub struct EvalError {
    class: std::borrow::Cow<'static, str>,
    message: String,
}

impl EvalError {
    /// The exception `class` (`KeyError`, `TypeError`...; empty for an
    /// error the reference does not raise) with `message`.
    pub fn new(
        class: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> EvalError {
        EvalError {
            class: class.into(),
            message: message.into(),
        }
    }

    /// An error given as the reference's `Class: message` text (as the
    /// formatting and literal modules give theirs): the class is what
    /// precedes the first `: ` when it is a (dotted) Python name.
    pub fn from_text(text: impl Into<String>) -> EvalError {
        let text = text.into();
        let class_len = text.find(": ").filter(|&i| {
            text.get(..i).is_some_and(|c| {
                !c.is_empty()
                    && c.chars()
                        .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '.')
            })
        });
        match class_len {
            Some(i) => EvalError {
                class: text.get(..i).unwrap_or_default().to_owned().into(),
                message: text.get(i + 2..).unwrap_or_default().to_owned(),
            },
            None => EvalError::new("", text),
        }
    }

    /// The Python exception class (empty when the reference has none).
    pub fn class(&self) -> &str {
        &self.class
    }

    /// The message, without the class (what Python's `str(exception)`
    /// gives).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A policy (or defaults) file's document, as `yaml.safe_load` reads it
/// (YAML 1.1; JSON files are read as YAML too, as the reference does).
///
/// # Errors
/// Where and why PyYAML would refuse the text.
pub fn read_document(bytes: &[u8]) -> Result<Value, crate::yaml::YamlError> {
    crate::yaml::safe_load(bytes)
}

use pycompat::hash::NameHashBuild;

/// A check kind a service adds (the Rust form of oslo.policy's
/// `register()` and `oslo.policy.rule_checks` entry points, but per
/// enforcer instead of process-wide). It is called for every atom
/// `KIND:PATTERN` whose kind it was registered under, with the pattern as
/// written (apply [`crate::pyformat::format`] to it for `%(key)s`
/// substitution, as the built-in checks do). Returning an error denies.
pub trait CustomCheck: Send + Sync + std::fmt::Debug {
    /// Decides one atom.
    fn call(
        &self,
        kind: &str,
        pattern: &str,
        target: &Value,
        creds: &Value,
    ) -> Result<bool, EvalError>;
}

/// Custom check kinds by name; a registered `role` or `rule` replaces the
/// built-in one, as `register()` does.
pub type CheckRegistry = HashMap<String, std::sync::Arc<dyn CustomCheck>>;

/// What decides `http:` and `https:` atoms (`_external.py`'s
/// `HttpCheck`/`HttpsCheck`). The external-checks module implements it
/// (for the `[oslo_policy] remote_*` options, and for a caller without
/// configuration); the enforcer and the tools pass one in, so evaluation
/// does not depend on how, or whether, this build talks HTTP.
pub trait RemoteCheck: Send + Sync + std::fmt::Debug {
    /// Decides one atom `KIND:PATTERN`; `current_rule` is the name given
    /// to `enforce` (`None` when a check is called directly).
    ///
    /// # Errors
    /// What the reference raises (the caller denies).
    fn check(
        &self,
        kind: &str,
        pattern: &str,
        target: &Value,
        creds: &Value,
        current_rule: Option<&str>,
    ) -> Result<bool, EvalError>;

    /// Whether this build decides these atoms itself. When it does not, a
    /// custom check registered as `http`/`https` decides them instead.
    fn built_in(&self) -> bool;
}

/// One rule of a loaded policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The key as YAML read it (usually a `str`).
    pub name: Value,
    /// The value as written.
    pub source: Value,
    /// The parsed check.
    pub check: Check,
    /// What the parser had to say.
    pub diagnostics: Vec<Diagnostic>,
}

/// The rules of one policy file (`Rules`), in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// All rules.
    rules: Vec<Rule>,
    /// Index of the rules with `str` names.
    by_name: std::collections::HashMap<String, usize, NameHashBuild>,
    /// The default rule's name (`default_rule`).
    default_rule: Option<String>,
}

impl Rules {
    /// Parses a policy file's text (`Rules.load`).
    pub fn load(bytes: &[u8], path: &str, default_rule: Option<&str>) -> Result<Rules, LoadError> {
        let doc = read_document(bytes).map_err(|source| LoadError::Yaml {
            path: path.to_owned(),
            source,
        })?;
        let items = match doc {
            v if !v.truthy() => Vec::new(),
            Value::Dict(items) => items,
            other => {
                return Err(LoadError::NotAMapping {
                    path: path.to_owned(),
                    found: other.type_name(),
                });
            }
        };
        let mut rules = Vec::with_capacity(items.len());
        for (name, source) in items {
            let parsed = parser::parse_value(&source).map_err(|e| LoadError::Rule {
                path: path.to_owned(),
                name: name.py_repr(),
                message: e.to_string(),
            })?;
            rules.push(Rule {
                name,
                source,
                check: parsed.check,
                diagnostics: parsed.diagnostics,
            });
        }
        Ok(Rules::new(rules, default_rule))
    }

    /// Rules from already parsed entries (later duplicates of a name win,
    /// as dict assignment does).
    pub fn new(rules: Vec<Rule>, default_rule: Option<&str>) -> Rules {
        let mut by_name =
            std::collections::HashMap::with_capacity_and_hasher(rules.len(), NameHashBuild);
        for (i, r) in rules.iter().enumerate() {
            if let Value::Str(s) = &r.name {
                by_name.insert(s.clone(), i);
            }
        }
        Rules {
            rules,
            by_name,
            default_rule: default_rule.map(str::to_owned),
        }
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules, in file order, taken out.
    pub fn into_rules(self) -> Vec<Rule> {
        self.rules
    }

    /// The default rule's name.
    pub fn default_rule(&self) -> Option<&str> {
        self.default_rule.as_deref()
    }

    /// Reads and parses a policy file.
    pub fn load_file(
        path: &std::path::Path,
        default_rule: Option<&str>,
    ) -> Result<Rules, LoadError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        Rules::load(&bytes, &shown, default_rule)
    }

    /// The rule named `name` (a `str` key).
    pub fn get(&self, name: &str) -> Option<&Rule> {
        self.by_name.get(name).and_then(|&i| self.rules.get(i))
    }

    /// `rules[name]` with `__missing__`: the default rule when `name` is
    /// absent and the default rule exists.
    pub fn lookup(&self, name: &str) -> Option<&Check> {
        if let Some(r) = self.get(name) {
            return Some(&r.check);
        }
        let default = self.default_rule.as_deref().filter(|d| !d.is_empty())?;
        self.get(default).map(|r| &r.check)
    }

    /// Calls a check directly, as `oslopolicy-checker` does (`rule(target,
    /// creds, enforcer, current_rule)`): no `system_scope` copy and no
    /// empty-policy shortcut; `current_rule` is what `http:` checks send
    /// as the rule's name, and `remote` decides them.
    ///
    /// # Errors
    /// What the reference raises (the caller denies).
    pub fn check_with_remote(
        &self,
        check: &Check,
        target: &Value,
        creds: &Value,
        current_rule: Option<&str>,
        remote: &dyn RemoteCheck,
    ) -> Result<bool, EvalError> {
        self.check_custom(check, target, creds, current_rule, None, remote)
    }

    /// [`Rules::check_with_remote`] with custom check kinds: what
    /// `_checks._check(check, target, creds, enforcer, current_rule)`
    /// does for one check of these rules (the Python accelerator's entry).
    ///
    /// # Errors
    /// What the reference raises (the caller denies).
    pub fn check_custom(
        &self,
        check: &Check,
        target: &Value,
        creds: &Value,
        current_rule: Option<&str>,
        custom: Option<&CheckRegistry>,
        remote: &dyn RemoteCheck,
    ) -> Result<bool, EvalError> {
        Ctx {
            rules: self,
            target,
            creds,
            custom,
            current_rule,
            remote,
        }
        .eval(check, 1, None)
    }

    /// `Enforcer.enforce`'s decision, with credentials whose `system` the
    /// caller already set from `system_scope` (see
    /// [`system_scope`]); `trace` collects an [`Rules::explain`] tree.
    pub(crate) fn decide(
        &self,
        name: &str,
        target: &Value,
        creds: &Value,
        trace: Option<&mut TraceNode>,
        custom: Option<&CheckRegistry>,
        remote: &dyn RemoteCheck,
    ) -> Result<bool, EvalError> {
        if !matches!(creds, Value::Dict(_)) {
            return Err(EvalError::new(
                "InvalidContextObject",
                format!("expected a dict of credentials, got {}", creds.type_name()),
            ));
        }
        if self.rules.is_empty() {
            return Ok(false);
        }
        let Some(check) = self.lookup(name) else {
            return Ok(false);
        };
        let ctx = Ctx {
            rules: self,
            target,
            creds,
            custom,
            current_rule: Some(name),
            remote,
        };
        ctx.eval(check, 1, trace)
    }
}

/// A truthy `creds["system_scope"]`, which `enforce` copies to `system`.
pub(crate) fn system_scope(creds: &Value) -> Option<Value> {
    creds.get("system_scope").filter(|v| v.truthy()).cloned()
}

struct Ctx<'a> {
    rules: &'a Rules,
    target: &'a Value,
    creds: &'a Value,
    custom: Option<&'a CheckRegistry>,
    /// The name given to `enforce` (what `http:` checks send as `rule`).
    current_rule: Option<&'a str>,
    /// What decides `http:`/`https:` checks.
    remote: &'a dyn RemoteCheck,
}

/// One evaluated check of an [`Rules::explain`] tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceNode {
    /// The check, as `str()` prints it.
    pub check: String,
    /// `Some(Ok(..))` decided, `Some(Err(..))` raised, `None` never
    /// evaluated (short-circuit).
    pub outcome: Option<Result<bool, EvalError>>,
    /// Why, for atoms (what was compared with what).
    pub detail: String,
    /// Sub-checks (operands, or the rule a `rule:` check refers to).
    pub children: Vec<TraceNode>,
}

impl TraceNode {
    fn new(check: &Check) -> TraceNode {
        TraceNode {
            check: check.to_string(),
            outcome: None,
            detail: String::new(),
            children: Vec::new(),
        }
    }

    /// An indented text rendering, one check per line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out, 0);
        out
    }

    fn render_into(&self, out: &mut String, indent: usize) {
        let verdict = match &self.outcome {
            Some(Ok(true)) => "TRUE ".to_owned(),
            Some(Ok(false)) => "false".to_owned(),
            Some(Err(e)) => format!("ERROR ({e})"),
            None => "-    ".to_owned(),
        };
        out.push_str(&format!("{}{verdict}  {}", "  ".repeat(indent), self.check));
        if !self.detail.is_empty() {
            out.push_str(&format!("    # {}", self.detail));
        }
        out.push('\n');
        for c in &self.children {
            c.render_into(out, indent + 1);
        }
    }
}

impl Ctx<'_> {
    /// `match % target`: `None` (the check is false) for a missing key,
    /// an error for any other formatting error.
    fn substitute<'p>(
        &self,
        pattern: &'p str,
        note: Note<'_>,
    ) -> Result<Option<std::borrow::Cow<'p, str>>, EvalError> {
        match pyformat::format(pattern, self.target) {
            Ok(s) => Ok(Some(s)),
            Err(FormatError::MissingKey(k)) => {
                note(&|| format!("the target has no key {k:?}: false"));
                Ok(None)
            }
            Err(FormatError::Invalid(m)) => Err(EvalError::from_text(m)),
        }
    }

    fn eval(
        &self,
        check: &Check,
        depth: usize,
        trace: Option<&mut TraceNode>,
    ) -> Result<bool, EvalError> {
        let Some(parent) = trace else {
            return self.eval_inner(check, depth, None, &mut None);
        };
        let mut node = TraceNode::new(check);
        let mut detail = Some(String::new());
        let result = self.eval_inner(check, depth, Some(&mut node), &mut detail);
        node.detail = detail.unwrap_or_default();
        node.outcome = Some(result.clone());
        parent.children.push(node);
        result
    }

    /// One check: the depth limit, a custom check kind registered for
    /// the atom, else the built-in check.
    fn eval_inner(
        &self,
        check: &Check,
        depth: usize,
        mut trace: Option<&mut TraceNode>,
        detail: &mut Option<String>,
    ) -> Result<bool, EvalError> {
        // Details are only built when tracing.
        let tracing = detail.is_some();
        let mut note = |make: &dyn Fn() -> String| {
            if let Some(d) = detail.as_mut() {
                *d = make();
            }
        };
        if depth > MAX_EVAL_DEPTH {
            return Err(EvalError::new("TypeError", "unsupported callable"));
        }
        if let Some(result) = self.custom_check(check, &mut note) {
            return result;
        }
        match check {
            Check::True => Ok(true),
            Check::False => Ok(false),
            Check::Not(c) => Ok(!self.eval(c, depth + 1, trace.as_deref_mut())?),
            Check::And(cs) => self.eval_operands(cs, false, depth, trace),
            Check::Or(cs) => self.eval_operands(cs, true, depth, trace),
            Check::Rule(name) => self.eval_rule(name, depth, trace, tracing, &mut note),
            Check::Role(pattern) => self.eval_role(pattern, &mut note),
            Check::External { kind, pattern } => self.eval_external(kind, pattern, &mut note),
            Check::Generic {
                kind,
                pattern,
                literal,
            } => self.eval_generic(kind, pattern, literal, &mut note),
        }
    }

    /// The custom check registered for the kind of `check`'s atom, if
    /// any (`None`: the built-in check decides).
    fn custom_check(&self, check: &Check, note: Note<'_>) -> Option<Result<bool, EvalError>> {
        let registry = self.custom?;
        let (kind, pattern) = match check {
            Check::Rule(p) => ("rule", p.as_str()),
            Check::Role(p) => ("role", p.as_str()),
            Check::Generic { kind, pattern, .. } => (kind.as_str(), pattern.as_str()),
            // Built-in external checks come first, as the reference's
            // entry points do; a build without them may plug its own.
            Check::External { kind, pattern } if !self.remote.built_in() => {
                (kind.as_str(), pattern.as_str())
            }
            _ => return None,
        };
        let custom = registry.get(kind)?;
        note(&|| format!("custom check {kind:?}"));
        Some(custom.call(kind, pattern, self.target, self.creds))
    }

    /// `AndCheck` (`decisive` false) and `OrCheck` (true): the operands in
    /// order until one is `decisive`; the rest are never evaluated.
    fn eval_operands(
        &self,
        operands: &[Check],
        decisive: bool,
        depth: usize,
        mut trace: Option<&mut TraceNode>,
    ) -> Result<bool, EvalError> {
        for (i, c) in operands.iter().enumerate() {
            if self.eval(c, depth + 1, trace.as_deref_mut())? == decisive {
                if let Some(t) = trace.as_deref_mut() {
                    t.children
                        .extend(operands.iter().skip(i + 1).map(TraceNode::new));
                }
                return Ok(decisive);
            }
        }
        Ok(!decisive)
    }

    /// `RuleCheck`: the named rule, else the default rule, else false.
    fn eval_rule(
        &self,
        name: &str,
        depth: usize,
        trace: Option<&mut TraceNode>,
        tracing: bool,
        note: Note<'_>,
    ) -> Result<bool, EvalError> {
        let Some(c) = self.rules.lookup(name) else {
            note(&|| format!("no rule {name:?} and no default rule: false"));
            return Ok(false);
        };
        if tracing && self.rules.get(name).is_none() {
            note(&|| {
                format!(
                    "no rule {name:?}: the default rule {:?} applies",
                    self.rules.default_rule().unwrap_or_default()
                )
            });
        }
        // `RuleCheck.__call__` is `try: ... except KeyError: return
        // False` around the whole sub-evaluation.
        match self.eval(c, depth + 1, trace) {
            Err(e) if e.class() == "KeyError" => {
                note(&|| format!("{name:?} raised KeyError: {}: false", e.message()));
                Ok(false)
            }
            decided => decided,
        }
    }

    /// `RoleCheck`: the substituted pattern among the credentials' roles.
    fn eval_role(&self, pattern: &str, note: Note<'_>) -> Result<bool, EvalError> {
        let Some(wanted) = self.substitute(pattern, note)? else {
            return Ok(false);
        };
        let Some(roles) = self.creds.get("roles") else {
            note(&|| "the credentials have no \"roles\"".to_owned());
            return Ok(false);
        };
        let found = role_in(&wanted, roles)?;
        note(&|| {
            format!(
                "roles {} {} {wanted:?} (compared lower-cased)",
                roles.py_str(),
                if found { "include" } else { "do not include" }
            )
        });
        Ok(found)
    }

    /// `HttpCheck`/`HttpsCheck`: what the policy server answers.
    fn eval_external(&self, kind: &str, pattern: &str, note: Note<'_>) -> Result<bool, EvalError> {
        let allowed =
            self.remote
                .check(kind, pattern, self.target, self.creds, self.current_rule)?;
        note(&|| {
            format!(
                "the policy server at {kind}:{pattern} answered {}",
                if allowed {
                    "True"
                } else {
                    "something else than True"
                }
            )
        });
        Ok(allowed)
    }

    /// `GenericCheck`: a Python literal kind compared with the
    /// substituted pattern, else the kind's dotted path in the
    /// credentials.
    fn eval_generic(
        &self,
        kind: &str,
        pattern: &str,
        literal: &Literal,
        note: Note<'_>,
    ) -> Result<bool, EvalError> {
        let Some(wanted) = self.substitute(pattern, note)? else {
            return Ok(false);
        };
        match literal {
            Literal::Value(v) => {
                note(&|| {
                    format!(
                        "{kind} is a Python literal: {v:?} compared with {wanted:?}, credentials ignored"
                    )
                });
                Ok(wanted == *v)
            }
            Literal::Error(e) => Err(EvalError::from_text(e.clone())),
            // Not the reference's (it evaluates these): no class.
            Literal::Unsupported(e) => Err(EvalError::new(
                "",
                format!("unsupported Python expression as a check kind ({e}): {kind:?}"),
            )),
            Literal::NotLiteral => {
                let found = find_in(self.creds, Some(kind), &wanted)?;
                note(&|| {
                    format!(
                        "credentials {kind} {} {wanted:?}",
                        if found {
                            "match"
                        } else {
                            "are missing or do not match"
                        }
                    )
                });
                Ok(found)
            }
        }
    }
}

/// Records why a check decided as it did (only when tracing).
type Note<'n> = &'n mut dyn FnMut(&dyn Fn() -> String);

/// `match.lower() in [x.lower() for x in creds['roles']]`: every member
/// must be a string (the reference lower-cases them all before looking),
/// strings are iterated by character and dicts by key.
pub(crate) fn role_in(wanted: &str, roles: &Value) -> Result<bool, EvalError> {
    // ASCII on both sides (nearly always) compares without allocating.
    let wanted_ascii = wanted.is_ascii();
    let wanted_lower = std::cell::OnceCell::new();
    let same = |s: &str| {
        if wanted_ascii && s.is_ascii() {
            s.eq_ignore_ascii_case(wanted)
        } else {
            pycompat::str::lower(s) == *wanted_lower.get_or_init(|| pycompat::str::lower(wanted))
        }
    };
    let mut found = false;
    let mut member = |m: &Value| match m {
        Value::Str(s) => {
            found = found || same(s);
            Ok(())
        }
        other => Err(EvalError::new(
            "AttributeError",
            format!("'{}' object has no attribute 'lower'", other.type_name()),
        )),
    };
    match roles {
        Value::List(items) => items.iter().try_for_each(&mut member)?,
        Value::Dict(items) => items.iter().try_for_each(|(k, _)| member(k))?,
        Value::Str(s) => {
            let mut buf = [0u8; 4];
            for c in s.chars() {
                found = found || same(c.encode_utf8(&mut buf));
            }
        }
        other => {
            return Err(EvalError::new(
                "TypeError",
                format!("'{}' object is not iterable", other.type_name()),
            ));
        }
    }
    Ok(found)
}

/// `GenericCheck._find_in_dict` over `kind.split('.')`: whether a value
/// found at the dotted path equals `wanted` (as `str()`).
pub(crate) fn find_in(value: &Value, path: Option<&str>, wanted: &str) -> Result<bool, EvalError> {
    any_leaf(value, path, &mut |leaf| match leaf {
        Value::Str(s) => wanted == s,
        other => wanted == other.py_str(),
    })
}

/// The walk of `_find_in_dict`: `path` is what is left of the dotted path
/// (`None` when every segment is used); lists are searched member by
/// member; `found` is asked about each value reached, in order, until it
/// says yes.
pub(crate) fn any_leaf(
    value: &Value,
    path: Option<&str>,
    found: &mut dyn FnMut(&Value) -> bool,
) -> Result<bool, EvalError> {
    let Some(path) = path else {
        return Ok(found(value));
    };
    let (key, rest) = match path.split_once('.') {
        Some((k, r)) => (k, Some(r)),
        None => (path, None),
    };
    let next = match value {
        Value::Dict(_) => match value.get(key) {
            Some(v) => v,
            None => return Ok(false),
        },
        Value::List(_) => {
            return Err(EvalError::new(
                "TypeError",
                "list indices must be integers or slices, not str",
            ));
        }
        Value::Str(_) => {
            return Err(EvalError::new(
                "TypeError",
                "string indices must be integers, not 'str'",
            ));
        }
        other => {
            return Err(EvalError::new(
                "TypeError",
                format!("'{}' object is not subscriptable", other.type_name()),
            ));
        }
    };
    if let Value::List(items) = next {
        for item in items {
            if any_leaf(item, rest, found)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    any_leaf(next, rest, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Rules {
        Rules::load(yaml.as_bytes(), "test.yaml", Some("default")).unwrap_or_default()
    }

    fn json(s: &str) -> Value {
        Value::from_json(&serde_json::from_str(s).unwrap_or(serde_json::Value::Null))
    }

    fn enforce(r: &Rules, name: &str, target: &str, creds: &str) -> Result<bool, EvalError> {
        let mut c = json(creds);
        r.enforce(name, &json(target), &mut c)
    }

    #[test]
    fn reference_decisions() -> Result<(), EvalError> {
        let r = rules(
            r#"{
"default": "role:admin",
"owner": "project_id:%(project_id)s",
"admin_or_owner": "rule:admin or rule:owner",
"admin": "role:admin",
"sys": "system:all",
"deny": "not admin",
"lit": "True:%(enabled)s",
"nested": "a.b:x"
}"#,
        );
        assert!(enforce(
            &r,
            "owner",
            r#"{"project_id":"p"}"#,
            r#"{"project_id":"p"}"#
        )?);
        assert!(!enforce(&r, "owner", r#"{}"#, r#"{"project_id":"p"}"#)?);
        assert!(enforce(
            &r,
            "admin_or_owner",
            "{}",
            r#"{"roles":["ADMIN"]}"#
        )?);
        assert!(enforce(&r, "missing", "{}", r#"{"roles":["admin"]}"#)?);
        assert!(enforce(&r, "sys", "{}", r#"{"system_scope":"all"}"#)?);
        assert!(enforce(&r, "deny", "{}", "{}")?);
        assert!(enforce(&r, "lit", r#"{"enabled":true}"#, "{}")?);
        assert!(enforce(
            &r,
            "nested",
            "{}",
            r#"{"a":[{"b":"y"},{"b":"x"}]}"#
        )?);
        assert!(enforce(&r, "nested", "{}", r#"{"a":"str"}"#).is_err());
        Ok(())
    }

    /// `RuleCheck` wraps the whole evaluation of the rule it names in
    /// `except KeyError: return False`: a `KeyError` raised anywhere
    /// below a `rule:` hop (an `http:` URL with a missing target key, a
    /// custom check) makes that hop false instead of failing the call.
    /// Decisions from oslo.policy 6.0.1.
    #[test]
    fn a_key_error_under_a_rule_hop_is_false() {
        #[derive(Debug)]
        struct Raises;
        impl CustomCheck for Raises {
            fn call(&self, _: &str, p: &str, _: &Value, _: &Value) -> Result<bool, EvalError> {
                Err(EvalError::new(p.to_owned(), "'k'"))
            }
        }
        let r = rules(
            r#"{"a": "http://h/%(zz)s", "b": "not rule:a", "c": "rule:a or role:x",
                "k": "boom:KeyError", "t": "boom:TypeError", "nk": "not rule:k", "nt": "not rule:t"}"#,
        );
        assert_eq!(
            enforce(&r, "b", "{}", "{}"),
            Ok(true),
            "not (KeyError under rule:a)"
        );
        assert_eq!(enforce(&r, "c", "{}", r#"{"roles":["x"]}"#), Ok(true));
        // At the top there is no rule hop: the KeyError is raised.
        assert_eq!(
            enforce(&r, "a", "{}", "{}"),
            Err(EvalError::new("KeyError", "'zz'"))
        );
        let mut custom = CheckRegistry::new();
        custom.insert("boom".into(), std::sync::Arc::new(Raises));
        let run = |name: &str| r.enforce_custom(name, &json("{}"), &json("{}"), Some(&custom));
        assert_eq!(run("nk"), Ok(true));
        assert_eq!(run("k"), Err(EvalError::new("KeyError", "'k'")));
        assert_eq!(run("nt"), Err(EvalError::new("TypeError", "'k'")));
    }
}
