//! The policy language, parsed exactly as oslo.policy's `_parser.py` does.
//!
//! The reference does not have a grammar in the usual sense: it splits the
//! rule on Python whitespace, peels leading `(` and trailing `)` off each
//! chunk, and feeds the tokens to a greedy shift-reduce machine. Its
//! quirks follow from that and are reproduced here: `or` < `and` < `not`,
//! case-insensitive operators, a quoted chunk failing the whole rule, an
//! atom without `:` failing only itself, and a syntax error anywhere
//! turning the whole rule into `!`.
//!
//! Chunks are found with nom; the machine is iterative (no recursion, so
//! deep nesting cannot overflow the stack) and counts the reductions one
//! token triggers, because the reference recurses there and a chain of
//! more than `MAX_REDUCTIONS` makes it raise `RecursionError`, which
//! fails the whole policy file.

use nom::IResult;
use nom::Parser as _;
use nom::bytes::complete::{take_till1, take_while};

use pycompat::str::is_py_space;

use crate::value::Value;

/// The longest chain of reductions one token may trigger before the
/// reference's recursive `reduce()` hits Python's recursion limit (measured
/// through `Enforcer.load_rules`: 984 nested `not` parse, 985 do not).
pub(crate) const MAX_REDUCTIONS: usize = 984;

/// A parsed rule (`_checks.py`'s check classes).
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `@`, and the empty rule.
    True,
    /// `!`, atoms without `:`, and rules that fail to parse.
    False,
    /// `rule:NAME`.
    Rule(String),
    /// `role:NAME`.
    Role(String),
    /// `http:...` / `https:...` (external checks).
    External {
        /// `http` or `https`.
        kind: String,
        /// Everything after the first `:`.
        pattern: String,
    },
    /// Any other `kind:match`.
    Generic {
        /// Before the first `:`.
        kind: String,
        /// After it.
        pattern: String,
        /// What `ast.literal_eval(kind)` does, worked out once at parse
        /// time (the reference does it on every evaluation).
        literal: crate::literal::Literal,
    },
    /// `not X`.
    Not(Box<Check>),
    /// `A and B ...`.
    And(Vec<Check>),
    /// `A or B ...`.
    Or(Vec<Check>),
}

impl std::fmt::Display for Check {
    /// `str()` of the reference's check objects.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Check::True => f.write_str("@"),
            Check::False => f.write_str("!"),
            Check::Rule(m) => write!(f, "rule:{m}"),
            Check::Role(m) => write!(f, "role:{m}"),
            Check::External { kind, pattern } | Check::Generic { kind, pattern, .. } => {
                write!(f, "{kind}:{pattern}")
            }
            Check::Not(c) => write!(f, "not {c}"),
            Check::And(cs) | Check::Or(cs) => {
                let op = if matches!(self, Check::And(_)) {
                    " and "
                } else {
                    " or "
                };
                f.write_str("(")?;
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Something a tool should tell the operator about a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte offset in the rule text.
    pub offset: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

/// A rule string parsed, with what went wrong on the way (the check is
/// `!` when the whole rule failed).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The check tree, as the reference builds it.
    pub check: Check,
    /// Atoms that failed (each is `!`) or why the whole rule failed.
    pub diagnostics: Vec<Diagnostic>,
}

/// A rule the reference cannot even build: its parser recursed too deep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "maximum recursion depth exceeded while parsing the rule (more than {MAX_REDUCTIONS} nested reductions)"
)]
pub struct TooDeep;

/// Deepest check tree kept. The reference parses deeper trees but cannot
/// load them (its `check_rules` recursion fails past ~990 levels) nor
/// evaluate them (past 329); refusing them keeps every walk over a tree
/// (drop, clone, print) within the stack.
pub(crate) const MAX_TREE_DEPTH: usize = 1000;

/// The depth of a check tree, without recursion.
pub(crate) fn tree_depth(check: &Check) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(check, 1usize)];
    while let Some((c, d)) = stack.pop() {
        deepest = deepest.max(d);
        match c {
            Check::Not(inner) => stack.push((inner, d + 1)),
            Check::And(cs) | Check::Or(cs) => stack.extend(cs.iter().map(|c| (c, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Drops a tree of any depth without recursion.
fn drop_flat(check: Check) {
    let mut stack = vec![check];
    while let Some(c) = stack.pop() {
        match c {
            Check::Not(inner) => stack.push(*inner),
            Check::And(cs) | Check::Or(cs) => stack.extend(cs),
            _ => {}
        }
    }
}

fn drop_tokens(tokens: Vec<Token>) {
    for t in tokens {
        match t {
            Token::Check(c) => drop_flat(c),
            Token::AndExpr(cs) | Token::OrExpr(cs) => cs.into_iter().for_each(drop_flat),
            _ => {}
        }
    }
}

/// One whitespace-separated chunk and where it starts.
fn chunk(input: &str) -> IResult<&str, &str> {
    let (rest, _) = take_while(is_py_space).parse(input)?;
    take_till1(is_py_space).parse(rest)
}

/// Splits like `re.split(r'\s+', rule)`, dropping empty pieces.
fn chunks(rule: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut input = rule;
    while let Ok((rest, piece)) = chunk(input) {
        let offset = rule.len() - rest.len() - piece.len();
        out.push((offset, piece));
        input = rest;
    }
    out
}

#[derive(Debug, Clone)]
enum Token {
    Check(Check),
    AndExpr(Vec<Check>),
    OrExpr(Vec<Check>),
    And,
    Or,
    Not,
    LParen,
    RParen,
    Str,
}

/// An atom that is not a check (`_parse_check` logs it and makes it a
/// `FalseCheck`; the parsers report it as a [`Diagnostic`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a check: expected KIND:MATCH, @ or !")]
pub struct NotACheck {
    /// The atom's text.
    pub text: String,
}

/// `_parse_check`: one atom.
///
/// # Errors
/// [`NotACheck`] for text without `:` (other than `!` and `@`).
pub fn parse_atom(text: &str) -> Result<Check, NotACheck> {
    match text {
        "!" => return Ok(Check::False),
        "@" => return Ok(Check::True),
        _ => {}
    }
    let Some((kind, pattern)) = text.split_once(':') else {
        return Err(NotACheck {
            text: text.to_owned(),
        });
    };
    Ok(match kind {
        "rule" => Check::Rule(pattern.to_owned()),
        "role" => Check::Role(pattern.to_owned()),
        "http" | "https" => Check::External {
            kind: kind.to_owned(),
            pattern: pattern.to_owned(),
        },
        _ => Check::Generic {
            kind: kind.to_owned(),
            pattern: pattern.to_owned(),
            literal: crate::literal::literal_eval(kind),
        },
    })
}

fn tokenize(rule: &str, diags: &mut Vec<Diagnostic>) -> Vec<(usize, Token)> {
    let mut out = Vec::new();
    for (offset, tok) in chunks(rule) {
        let clean = tok.trim_start_matches('(');
        let lead = tok.len() - clean.len();
        for i in 0..lead {
            out.push((offset + i, Token::LParen));
        }
        if clean.is_empty() {
            continue;
        }
        let tok = clean;
        let at = offset + lead;
        let clean = tok.trim_end_matches(')');
        let trail = tok.len() - clean.len();
        let lowered = clean.to_ascii_lowercase();
        match lowered.as_str() {
            "and" => out.push((at, Token::And)),
            "or" => out.push((at, Token::Or)),
            "not" => out.push((at, Token::Not)),
            _ if !clean.is_empty() => {
                let quoted = tok.chars().count() >= 2
                    && ((tok.starts_with('"') && tok.ends_with('"'))
                        || (tok.starts_with('\'') && tok.ends_with('\'')));
                if quoted {
                    diags.push(Diagnostic {
                        offset: at,
                        message: format!(
                            "quoted string {tok} cannot stand in a rule: the whole rule fails"
                        ),
                    });
                    out.push((at, Token::Str));
                } else {
                    let check = parse_atom(clean).unwrap_or_else(|e| {
                        diags.push(Diagnostic {
                            offset: at,
                            message: format!("{e}; this atom is always false"),
                        });
                        Check::False
                    });
                    out.push((at, Token::Check(check)));
                }
            }
            _ => {}
        }
        for i in 0..trail {
            out.push((at + clean.len() + i, Token::RParen));
        }
    }
    out
}

/// One greedy reduction of the top of the stack, if any applies.
fn reduce_once(stack: &mut Vec<Token>) -> bool {
    let n = stack.len();
    if n >= 3 {
        let top: Vec<Token> = stack.split_off(n - 3);
        let mut it = top.into_iter();
        let (a, b, c) = match (it.next(), it.next(), it.next()) {
            (Some(a), Some(b), Some(c)) => (a, b, c),
            _ => return false,
        };
        let reduced = match (a, b, c) {
            (Token::LParen, Token::Check(x), Token::RParen) => Ok(Token::Check(x)),
            (Token::LParen, Token::AndExpr(x), Token::RParen) => Ok(Token::Check(Check::And(x))),
            (Token::LParen, Token::OrExpr(x), Token::RParen) => Ok(Token::Check(Check::Or(x))),
            (Token::Check(x), Token::And, Token::Check(y)) => Ok(Token::AndExpr(vec![x, y])),
            (Token::AndExpr(mut xs), Token::And, Token::Check(y)) => {
                xs.push(y);
                Ok(Token::AndExpr(xs))
            }
            (Token::OrExpr(mut xs), Token::And, Token::Check(y)) => {
                let last = xs.pop();
                let and = match last {
                    Some(Check::And(mut inner)) => {
                        inner.push(y);
                        Check::And(inner)
                    }
                    Some(other) => Check::And(vec![other, y]),
                    None => Check::And(vec![y]),
                };
                xs.push(and);
                Ok(Token::OrExpr(xs))
            }
            (Token::Check(x), Token::Or, Token::Check(y)) => Ok(Token::OrExpr(vec![x, y])),
            (Token::AndExpr(xs), Token::Or, Token::Check(y)) => {
                Ok(Token::OrExpr(vec![Check::And(xs), y]))
            }
            (Token::OrExpr(mut xs), Token::Or, Token::Check(y)) => {
                xs.push(y);
                Ok(Token::OrExpr(xs))
            }
            (a, b, c) => Err([a, b, c]),
        };
        match reduced {
            Ok(t) => {
                stack.push(t);
                return true;
            }
            Err(back) => stack.extend(back),
        }
    }
    let n = stack.len();
    if n >= 2 && matches!(stack.get(n - 2), Some(Token::Not)) {
        if let Some(Token::Check(_)) = stack.last() {
            if let Some(Token::Check(c)) = stack.pop() {
                stack.pop();
                stack.push(Token::Check(Check::Not(Box::new(c))));
                return true;
            }
        }
    }
    false
}

/// `parse_rule` for a text rule (`_parse_text_rule`).
pub fn parse_text(rule: &str) -> Result<Parsed, TooDeep> {
    let mut diagnostics = Vec::new();
    if rule.is_empty() {
        return Ok(Parsed {
            check: Check::True,
            diagnostics,
        });
    }
    let mut stack: Vec<Token> = Vec::new();
    let mut string_at = None;
    for (offset, token) in tokenize(rule, &mut diagnostics) {
        if matches!(token, Token::Str) && string_at.is_none() {
            string_at = Some(offset);
        }
        stack.push(token);
        let mut chain = 0usize;
        while reduce_once(&mut stack) {
            chain += 1;
            if chain > MAX_REDUCTIONS {
                drop_tokens(stack);
                return Err(TooDeep);
            }
        }
    }
    let check = match (stack.len(), stack.pop()) {
        (1, Some(Token::Check(c))) => Some(c),
        (1, Some(Token::AndExpr(cs))) => Some(Check::And(cs)),
        (1, Some(Token::OrExpr(cs))) => Some(Check::Or(cs)),
        _ => None,
    };
    drop_tokens(stack);
    if let Some(c) = &check {
        if tree_depth(c) > MAX_TREE_DEPTH {
            if let Some(c) = check {
                drop_flat(c);
            }
            return Err(TooDeep);
        }
    }
    Ok(match check {
        Some(check) => Parsed { check, diagnostics },
        None => {
            diagnostics.push(Diagnostic {
                offset: string_at.unwrap_or(rule.len()),
                message: "could not parse the rule (unbalanced parentheses, a missing operand, \
                          or a quoted string): the whole rule is false"
                    .to_owned(),
            });
            Parsed {
                check: Check::False,
                diagnostics,
            }
        }
    })
}

/// Why a policy value cannot be a rule at all (the reference then fails to
/// load the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleValueError {
    /// A truthy value that is neither a string nor iterable
    /// (`TypeError: 'int' object is not iterable`).
    #[error("'{0}' object is not iterable")]
    NotIterable(&'static str),
    /// The text parser recursed too deep.
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
}

/// `parse_rule(value)` for a value read from a policy file: text goes to
/// the policy language, anything else to the legacy list-of-lists form.
pub fn parse_value(value: &Value) -> Result<Parsed, RuleValueError> {
    match value {
        Value::Str(s) => Ok(parse_text(s)?),
        other => parse_list(other),
    }
}

/// Iterating a Python value: list items or dict keys; `None` when the value
/// is not iterable. Strings iterate over their characters.
fn iterate(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::List(items) => Some(items.clone()),
        Value::Dict(items) => Some(items.iter().map(|(k, _)| k.clone()).collect()),
        Value::Str(s) => Some(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        _ => None,
    }
}

/// `_parse_list_rule`: outer OR of inner ANDs of single atoms.
fn parse_list(value: &Value) -> Result<Parsed, RuleValueError> {
    let mut diagnostics = Vec::new();
    if !value.truthy() {
        return Ok(Parsed {
            check: Check::True,
            diagnostics,
        });
    }
    let outer = iterate(value).ok_or(RuleValueError::NotIterable(value.type_name()))?;
    let mut ors = Vec::new();
    for inner in outer {
        if !inner.truthy() {
            continue;
        }
        let atoms = match &inner {
            Value::Str(_) => vec![inner.clone()],
            other => iterate(other).ok_or(RuleValueError::NotIterable(other.type_name()))?,
        };
        let mut ands: Vec<Check> = atoms
            .iter()
            .map(|atom| match atom {
                Value::Str(s) => parse_atom(s).unwrap_or_else(|e| {
                    diagnostics.push(Diagnostic {
                        offset: 0,
                        message: e.to_string(),
                    });
                    Check::False
                }),
                other => {
                    diagnostics.push(Diagnostic {
                        offset: 0,
                        message: format!(
                            "{} in a list rule is not a check: always false",
                            other.py_repr()
                        ),
                    });
                    Check::False
                }
            })
            .collect();
        if ands.len() == 1 {
            ors.extend(ands.pop());
        } else {
            ors.push(Check::And(ands));
        }
    }
    let check = match ors.len() {
        0 => Check::False,
        1 => ors.pop().unwrap_or(Check::False),
        _ => Check::Or(ors),
    };
    Ok(Parsed { check, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(rule: &str) -> String {
        match parse_text(rule) {
            Ok(p) => p.check.to_string(),
            Err(_) => "TOO DEEP".to_owned(),
        }
    }

    #[test]
    fn reference_shapes() {
        assert_eq!(s(""), "@");
        assert_eq!(s(" "), "!");
        assert_eq!(s("a:1 or b:2 and c:3"), "(a:1 or (b:2 and c:3))");
        assert_eq!(s("a:1 and b:2 or c:3"), "((a:1 and b:2) or c:3)");
        assert_eq!(s("not a:1 and b:2"), "(not a:1 and b:2)");
        assert_eq!(s("NOT a:1 AnD b:2"), "(not a:1 and b:2)");
        assert_eq!(s("(role:a)and(role:b)"), "role:a)and(role:b");
        assert_eq!(s("not admin"), "not !");
        assert_eq!(s("'@'"), "!");
        assert_eq!(s("('x')"), "!");
        assert_eq!(s("@ @"), "!");
        assert_eq!(s("not (@ @)"), "!");
        assert_eq!(s("(((@)))"), "@");
        assert_eq!(s("a:1\u{1c}or\u{3000}b:2"), "(a:1 or b:2)");
        assert_eq!(s("a:1\u{200b}or b:2"), "!");
        assert_eq!(s("x:%(a)s"), "x:%(a)s");
        assert_eq!(
            s("a:1 or (b:2 and c:3) and d:4"),
            "(a:1 or (b:2 and c:3 and d:4))"
        );
    }

    #[test]
    fn deep_input_does_not_overflow() {
        let nested = format!("{}@{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(s(&nested), "@");
        assert_ne!(s(&format!("{}@", "not ".repeat(984))), "TOO DEEP");
        assert_eq!(s(&format!("{}@", "not ".repeat(985))), "TOO DEEP");
    }

    #[test]
    fn list_rules() -> Result<(), RuleValueError> {
        let l = |v: Value| parse_value(&v).map(|p| p.check.to_string());
        assert_eq!(l(Value::List(vec![]))?, "@");
        assert_eq!(l(Value::List(vec![Value::List(vec![])]))?, "!");
        assert_eq!(
            l(Value::List(vec![
                Value::List(vec![Value::str("role:a"), Value::str("role:b")]),
                Value::str("rule:c")
            ]))?,
            "((role:a and role:b) or rule:c)"
        );
        assert_eq!(
            l(Value::List(vec![Value::List(vec![Value::str(
                "role:a or role:b"
            )])]))?,
            "role:a or role:b"
        );
        assert!(matches!(
            l(Value::Int("5".into())),
            Err(RuleValueError::NotIterable("int"))
        ));
        assert_eq!(l(Value::Bool(false))?, "@");
        Ok(())
    }
}
