//! Parser (CPython 3.11's PEG grammar for `eval` input, first pass).

use super::error::{PyErr, syntax};
use super::lex::{Lexed, Lexer, Tk, Tok};
use super::tokens::{Const, StrValue, number, parse_string};

/// The parser's stack limit (`MAXSTACK` in CPython 3.11's parser): past
/// it, `MemoryError`.
pub(super) const MAX_PARSER_LEVEL: usize = 6000;

#[derive(Debug)]
pub(super) enum Kind {
    Const(Const),
    Tuple(Vec<Node>),
    List(Vec<Node>),
    Set(Vec<Node>),
    /// `None` keys are `**x` entries.
    Dict(Vec<(Option<Node>, Node)>),
    /// `+x` / `-x` (other unary operators are `Other`).
    Signed(bool, Box<Node>),
    /// `a + b` / `a - b` (`true`: `+`).
    AddSub(bool, Box<Node>, Box<Node>),
    /// `set()`.
    EmptySet,
    /// Any other expression: valid, never a literal.
    Other,
}

#[derive(Debug)]
pub(super) struct Node {
    pub(super) kind: Kind,
    /// Depth of the Python AST below and including this node.
    pub(super) depth: usize,
}

pub(super) fn node(kind: Kind, children: &[usize]) -> Node {
    Node {
        kind,
        depth: 1 + children.iter().copied().max().unwrap_or(0),
    }
}

pub(super) fn other(children: &[usize]) -> Node {
    node(Kind::Other, children)
}

/// `Ok(None)`: the rule does not match here (backtrack); `Err`: an
/// exception that stops the parse.
pub(super) type PResult = Result<Option<Node>, Box<PyErr>>;

pub(super) struct Parser<'t> {
    toks: &'t [Tok],
    /// The tokenizer's error, met when the parser asks for the token after
    /// the last one.
    error: Option<&'t PyErr>,
    pos: usize,
    /// The furthest token asked for.
    furthest: usize,
    level: usize,
    /// An escape this recogniser cannot decode (`\N{...}`).
    fail: Option<String>,
}

impl<'t> Parser<'t> {
    /// A parser at the start of `lexed`'s tokens.
    pub(super) fn new(lexed: &'t Lexed) -> Parser<'t> {
        Parser {
            toks: &lexed.toks,
            error: lexed.error.as_ref(),
            pos: 0,
            furthest: 0,
            level: 0,
            fail: None,
        }
    }

    /// Why the input uses what this port does not support, if it does.
    pub(super) fn take_unsupported(&mut self) -> Option<String> {
        self.fail.take()
    }

    /// The exception for a parse that did not match.
    pub(super) fn failure(&self) -> PyErr {
        let tok = self.toks.get(self.furthest);
        match tok.map(|t| &t.tk) {
            Some(Tk::Indent) => PyErr {
                class: "IndentationError",
                msg: "unexpected indent".to_owned(),
                line: tok.map_or(1, |t| t.line),
            },
            Some(Tk::Dedent) => PyErr {
                class: "IndentationError",
                msg: "unexpected unindent".to_owned(),
                line: tok.map_or(1, |t| t.line),
            },
            // The reference tokenizes the rest of the source and reports
            // its error instead of a generic one.
            _ => match self.error {
                Some(e) => e.clone(),
                None => syntax("invalid syntax", tok.map_or(1, |t| t.line)),
            },
        }
    }

    fn peek(&mut self) -> Result<&'t Tk, Box<PyErr>> {
        self.furthest = self.furthest.max(self.pos);
        match self.toks.get(self.pos) {
            Some(t) => Ok(&t.tk),
            None => {
                Err(Box::new(self.error.cloned().unwrap_or_else(|| {
                    syntax("unexpected EOF while parsing", 1)
                })))
            }
        }
    }

    fn is_op(&mut self, op: &str) -> Result<bool, Box<PyErr>> {
        Ok(matches!(self.peek()?, Tk::Op(o) if *o == op))
    }

    fn is_kw(&mut self, kw: &str) -> Result<bool, Box<PyErr>> {
        Ok(matches!(self.peek()?, Tk::Kw(k) if *k == kw))
    }

    fn eat_op(&mut self, op: &str) -> Result<bool, Box<PyErr>> {
        let yes = self.is_op(op)?;
        if yes {
            self.pos += 1;
        }
        Ok(yes)
    }

    fn eat_kw(&mut self, kw: &str) -> Result<bool, Box<PyErr>> {
        let yes = self.is_kw(kw)?;
        if yes {
            self.pos += 1;
        }
        Ok(yes)
    }

    fn is_name(&mut self) -> Result<bool, Box<PyErr>> {
        Ok(matches!(self.peek()?, Tk::Name(_)))
    }

    /// Enters `n` rule frames (the parser's stack, `MAXSTACK`).
    fn enter(&mut self, n: usize) -> Result<(), Box<PyErr>> {
        self.level += n;
        if self.level > MAX_PARSER_LEVEL {
            return Err(Box::new(PyErr {
                class: "MemoryError",
                msg: String::new(),
                line: 0,
            }));
        }
        Ok(())
    }

    fn leave(&mut self, n: usize) {
        self.level = self.level.saturating_sub(n);
    }

    /// Runs `f` inside `n` rule frames, restoring the position when it
    /// does not match.
    fn rule(&mut self, n: usize, f: impl FnOnce(&mut Self) -> PResult) -> PResult {
        let start = self.pos;
        self.enter(n)?;
        let r = f(self);
        self.leave(n);
        if matches!(r, Ok(None)) {
            self.pos = start;
        }
        r
    }

    /// `eval: expressions NEWLINE* ENDMARKER`.
    pub(super) fn eval_input(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(e) = p.expressions()? else {
                return Ok(None);
            };
            while matches!(p.peek()?, Tk::Newline) {
                p.pos += 1;
            }
            if matches!(p.peek()?, Tk::End) {
                Ok(Some(e))
            } else {
                Ok(None)
            }
        })
    }

    /// `expression (',' expression)* [',']`, a tuple if there is a comma.
    fn expressions(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(first) = p.expression()? else {
                return Ok(None);
            };
            let mut items = vec![first];
            let mut comma = false;
            loop {
                let save = p.pos;
                if !p.eat_op(",")? {
                    break;
                }
                comma = true;
                match p.expression()? {
                    Some(e) => items.push(e),
                    None => {
                        // `a,` (trailing comma)
                        p.pos = save + 1;
                        break;
                    }
                }
            }
            if !comma {
                return Ok(items.pop());
            }
            let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
            Ok(Some(node(Kind::Tuple(items), &depths)))
        })
    }

    fn expression(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.is_kw("lambda")? {
                return p.lambdef();
            }
            let Some(d) = p.disjunction()? else {
                return Ok(None);
            };
            let save = p.pos;
            if p.eat_kw("if")? {
                if let Some(cond) = p.disjunction()? {
                    if p.eat_kw("else")? {
                        if let Some(alt) = p.expression()? {
                            return Ok(Some(other(&[d.depth, cond.depth, alt.depth])));
                        }
                    }
                }
                p.pos = save;
            }
            Ok(Some(d))
        })
    }

    fn lambdef(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_kw("lambda")? {
                return Ok(None);
            }
            let Some(params) = p.lambda_params()? else {
                return Ok(None);
            };
            if !p.eat_op(":")? {
                return Ok(None);
            }
            let Some(body) = p.expression()? else {
                return Ok(None);
            };
            Ok(Some(other(&[params, body.depth])))
        })
    }

    /// Lambda parameters up to (not including) the `:`; the depth of the
    /// `arguments` node.
    fn lambda_params(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        // Sections: 0 positional (before `/`), 1 after `/`, 2 after `*`,
        // 3 after `**NAME`.
        let start = self.pos;
        let mut depth = 1usize;
        let mut section = 0;
        let mut seen_default = false;
        let mut any = false;
        let mut bare_star = false;
        let mut after_star = 0usize;
        loop {
            if self.is_op(":")? {
                break;
            }
            if section == 3 {
                self.pos = start;
                return Ok(None);
            }
            if self.eat_op("/")? {
                if section != 0 || !any {
                    self.pos = start;
                    return Ok(None);
                }
                section = 1;
            } else if self.eat_op("**")? {
                if !self.is_name()? || (bare_star && after_star == 0) {
                    self.pos = start;
                    return Ok(None);
                }
                self.pos += 1;
                depth = depth.max(2);
                section = 3;
            } else if self.eat_op("*")? {
                if section >= 2 {
                    self.pos = start;
                    return Ok(None);
                }
                section = 2;
                if self.is_name()? {
                    self.pos += 1;
                    depth = depth.max(2);
                } else {
                    bare_star = true;
                }
            } else if self.is_name()? {
                self.pos += 1;
                depth = depth.max(2);
                if self.eat_op("=")? {
                    let Some(d) = self.expression()? else {
                        self.pos = start;
                        return Ok(None);
                    };
                    depth = depth.max(1 + d.depth);
                    if section < 2 {
                        seen_default = true;
                    }
                } else if section < 2 && seen_default {
                    self.pos = start;
                    return Ok(None);
                }
                if section == 2 {
                    after_star += 1;
                }
                any = true;
            } else {
                self.pos = start;
                return Ok(None);
            }
            if !self.eat_op(",")? {
                if !self.is_op(":")? {
                    self.pos = start;
                    return Ok(None);
                }
                break;
            }
        }
        if bare_star && after_star == 0 {
            self.pos = start;
            return Ok(None);
        }
        Ok(Some(depth))
    }

    fn disjunction(&mut self) -> PResult {
        self.bool_chain("or", 1, Self::conjunction)
    }

    fn conjunction(&mut self) -> PResult {
        self.bool_chain("and", 1, Self::inversion)
    }

    fn bool_chain(
        &mut self,
        kw: &'static str,
        n: usize,
        next: fn(&mut Self) -> PResult,
    ) -> PResult {
        self.rule(n, |p| {
            let Some(first) = next(p)? else {
                return Ok(None);
            };
            let mut depths = vec![first.depth];
            let mut first = Some(first);
            loop {
                let save = p.pos;
                if !p.eat_kw(kw)? {
                    break;
                }
                match next(p)? {
                    Some(e) => depths.push(e.depth),
                    None => {
                        p.pos = save;
                        break;
                    }
                }
            }
            if depths.len() == 1 {
                return Ok(first.take());
            }
            Ok(Some(other(&depths)))
        })
    }

    fn inversion(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.eat_kw("not")? {
                return Ok(p.inversion()?.map(|e| other(&[e.depth])));
            }
            p.comparison()
        })
    }

    fn comparison(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(first) = p.bitwise_or()? else {
                return Ok(None);
            };
            let mut depths = vec![first.depth];
            let mut first = Some(first);
            loop {
                let save = p.pos;
                let op = match p.peek()? {
                    Tk::Op("==" | "!=" | "<=" | "<" | ">=" | ">") => 1,
                    Tk::Kw("in") => 1,
                    Tk::Kw("not") => {
                        if matches!(p.toks.get(p.pos + 1).map(|t| &t.tk), Some(Tk::Kw("in"))) {
                            2
                        } else {
                            0
                        }
                    }
                    Tk::Kw("is") => {
                        if matches!(p.toks.get(p.pos + 1).map(|t| &t.tk), Some(Tk::Kw("not"))) {
                            2
                        } else {
                            1
                        }
                    }
                    _ => 0,
                };
                if op == 0 {
                    break;
                }
                p.pos += op;
                match p.bitwise_or()? {
                    Some(e) => depths.push(e.depth),
                    None => {
                        p.pos = save;
                        break;
                    }
                }
            }
            if depths.len() == 1 {
                return Ok(first.take());
            }
            Ok(Some(other(&depths)))
        })
    }

    /// A left-associative binary level (two frames: the rule and its
    /// left-recursive `_raw` helper).
    fn binary(&mut self, ops: &[&'static str], next: fn(&mut Self) -> PResult) -> PResult {
        self.rule(2, |p| {
            let Some(mut left) = next(p)? else {
                return Ok(None);
            };
            loop {
                let save = p.pos;
                let op = match p.peek()? {
                    Tk::Op(o) => ops.iter().find(|x| *x == o).copied(),
                    _ => None,
                };
                let Some(op) = op else { break };
                p.pos += 1;
                let Some(right) = next(p)? else {
                    p.pos = save;
                    break;
                };
                let depths = [left.depth, right.depth];
                left = match op {
                    "+" | "-" => node(
                        Kind::AddSub(op == "+", Box::new(left), Box::new(right)),
                        &depths,
                    ),
                    _ => other(&depths),
                };
            }
            Ok(Some(left))
        })
    }

    fn bitwise_or(&mut self) -> PResult {
        self.binary(&["|"], Self::bitwise_xor)
    }

    fn bitwise_xor(&mut self) -> PResult {
        self.binary(&["^"], Self::bitwise_and)
    }

    fn bitwise_and(&mut self) -> PResult {
        self.binary(&["&"], Self::shift_expr)
    }

    fn shift_expr(&mut self) -> PResult {
        self.binary(&["<<", ">>"], Self::sum)
    }

    fn sum(&mut self) -> PResult {
        self.binary(&["+", "-"], Self::term)
    }

    fn term(&mut self) -> PResult {
        self.binary(&["*", "/", "//", "%", "@"], Self::factor)
    }

    fn factor(&mut self) -> PResult {
        self.rule(1, |p| {
            let op = match p.peek()? {
                Tk::Op(o @ ("+" | "-" | "~")) => Some(*o),
                _ => None,
            };
            let Some(op) = op else {
                return p.power();
            };
            p.pos += 1;
            let Some(inner) = p.factor()? else {
                return Ok(None);
            };
            let d = [inner.depth];
            Ok(Some(match op {
                "~" => other(&d),
                _ => node(Kind::Signed(op == "+", Box::new(inner)), &d),
            }))
        })
    }

    fn power(&mut self) -> PResult {
        self.rule(1, |p| {
            let Some(base) = p.await_primary()? else {
                return Ok(None);
            };
            let save = p.pos;
            if p.eat_op("**")? {
                if let Some(exp) = p.factor()? {
                    return Ok(Some(other(&[base.depth, exp.depth])));
                }
                p.pos = save;
            }
            Ok(Some(base))
        })
    }

    fn await_primary(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.eat_kw("await")? {
                return Ok(p.primary()?.map(|e| other(&[e.depth])));
            }
            p.primary()
        })
    }

    fn primary(&mut self) -> PResult {
        self.rule(2, |p| {
            let set_name = matches!(p.peek()?, Tk::Name(n) if n == "set");
            let Some(mut e) = p.atom()? else {
                return Ok(None);
            };
            let mut bare = set_name;
            loop {
                let save = p.pos;
                if p.eat_op(".")? {
                    if p.is_name()? {
                        p.pos += 1;
                        e = other(&[e.depth]);
                        bare = false;
                        continue;
                    }
                    p.pos = save;
                    break;
                }
                if p.is_op("(")? {
                    if let Some(g) = p.genexp()? {
                        e = other(&[e.depth, g.depth]);
                        bare = false;
                        continue;
                    }
                    p.pos += 1;
                    if p.eat_op(")")? {
                        e = if bare {
                            node(Kind::EmptySet, &[e.depth])
                        } else {
                            other(&[e.depth])
                        };
                        bare = false;
                        continue;
                    }
                    match p.arguments()? {
                        Some(args) if p.eat_op(")")? => {
                            e = other(&[e.depth, args]);
                            bare = false;
                            continue;
                        }
                        _ => {
                            p.pos = save;
                            break;
                        }
                    }
                }
                if p.eat_op("[")? {
                    match p.slices()? {
                        Some(s) if p.eat_op("]")? => {
                            e = other(&[e.depth, s.depth]);
                            bare = false;
                            continue;
                        }
                        _ => {
                            p.pos = save;
                            break;
                        }
                    }
                }
                break;
            }
            Ok(Some(e))
        })
    }

    /// `slices`: one slice, or a tuple of slices and starred expressions.
    fn slices(&mut self) -> PResult {
        self.rule(1, |p| {
            let mut depths = Vec::new();
            let mut comma = false;
            loop {
                let item = if p.is_op("*")? {
                    p.starred_expression()?
                } else {
                    p.slice()?
                };
                let Some(item) = item else {
                    if comma && !depths.is_empty() {
                        break;
                    }
                    return Ok(None);
                };
                depths.push(item.depth);
                let save = p.pos;
                if !p.eat_op(",")? {
                    break;
                }
                comma = true;
                if p.is_op("]")? {
                    break;
                }
                let _ = save;
            }
            Ok(Some(other(&depths)))
        })
    }

    fn slice(&mut self) -> PResult {
        self.rule(1, |p| {
            let start = p.pos;
            let lower = p.expression()?;
            if p.eat_op(":")? {
                let mut depths = vec![lower.map_or(0, |l| l.depth)];
                if let Some(u) = p.expression()? {
                    depths.push(u.depth);
                }
                let save = p.pos;
                if p.eat_op(":")? {
                    match p.expression()? {
                        Some(s) => depths.push(s.depth),
                        None => {
                            let _ = save;
                        }
                    }
                }
                return Ok(Some(other(&depths)));
            }
            p.pos = start;
            p.named_expression()
        })
    }

    /// `starred_expression: '*' expression` (a lone `*` raises).
    fn starred_expression(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_op("*")? {
                return Ok(None);
            }
            match p.expression()? {
                Some(e) => Ok(Some(other(&[e.depth]))),
                None => Err(Box::new(syntax(
                    "Invalid star expression",
                    p.toks.get(p.pos).map_or(1, |t| t.line),
                ))),
            }
        })
    }

    /// Call arguments up to the `)` (not consumed); the deepest part.
    fn arguments(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        self.enter(2)?;
        let r = self.arguments_inner();
        self.leave(2);
        if !matches!(r, Ok(Some(_))) {
            self.pos = start;
        }
        r
    }

    fn arguments_inner(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        // 0: positional, 1: keywords and *args, 2: after **kwargs.
        let mut phase = 0;
        let mut depth = 0usize;
        loop {
            if self.is_op("**")? {
                self.pos += 1;
                let Some(e) = self.expression()? else {
                    return Ok(None);
                };
                depth = depth.max(1 + e.depth);
                phase = 2;
            } else if self.is_op("*")? {
                if phase == 2 {
                    return Ok(None);
                }
                let Some(e) = self.starred_expression()? else {
                    return Ok(None);
                };
                depth = depth.max(e.depth);
            } else if self.is_name()?
                && matches!(
                    self.toks.get(self.pos + 1).map(|t| &t.tk),
                    Some(Tk::Op("="))
                )
            {
                self.pos += 2;
                let Some(e) = self.expression()? else {
                    return Ok(None);
                };
                depth = depth.max(1 + e.depth);
                phase = phase.max(1);
            } else {
                if phase > 0 {
                    return Ok(None);
                }
                let Some(e) = self.named_expression()? else {
                    return Ok(None);
                };
                if self.is_op("=")? {
                    return Ok(None);
                }
                depth = depth.max(e.depth);
            }
            if !self.eat_op(",")? {
                break;
            }
            if self.is_op(")")? {
                break;
            }
        }
        if self.is_op(")")? {
            Ok(Some(depth))
        } else {
            Ok(None)
        }
    }

    fn named_expression(&mut self) -> PResult {
        self.rule(1, |p| {
            if p.is_name()? && matches!(p.toks.get(p.pos + 1).map(|t| &t.tk), Some(Tk::Op(":="))) {
                p.pos += 2;
                // The cut: past `:=` an expression must follow.
                return match p.expression()? {
                    Some(e) => Ok(Some(other(&[1, e.depth]))),
                    None => Err(Box::new(p.failure())),
                };
            }
            let Some(e) = p.expression()? else {
                return Ok(None);
            };
            if p.is_op(":=")? {
                return Ok(None);
            }
            Ok(Some(e))
        })
    }

    /// `'*' bitwise_or | named_expression`; the flag tells a starred one.
    fn star_named_expression(&mut self) -> Result<Option<(Node, bool)>, Box<PyErr>> {
        let start = self.pos;
        self.enter(1)?;
        let r = if self.eat_op("*")? {
            self.bitwise_or()?.map(|e| (other(&[e.depth]), true))
        } else {
            self.named_expression()?.map(|e| (e, false))
        };
        self.leave(1);
        if r.is_none() {
            self.pos = start;
        }
        Ok(r)
    }

    /// Items after a first one, up to `close` (consumed).
    fn more_items(
        &mut self,
        mut items: Vec<Node>,
        close: &str,
    ) -> Result<Option<Vec<Node>>, Box<PyErr>> {
        loop {
            if self.eat_op(close)? {
                return Ok(Some(items));
            }
            if !self.eat_op(",")? {
                return Ok(None);
            }
            if self.eat_op(close)? {
                return Ok(Some(items));
            }
            let Some((e, _)) = self.star_named_expression()? else {
                return Ok(None);
            };
            items.push(e);
        }
    }

    fn atom(&mut self) -> PResult {
        self.rule(1, |p| {
            let tk = p.peek()?.clone();
            match tk {
                Tk::Name(_) => {
                    p.pos += 1;
                    Ok(Some(other(&[])))
                }
                Tk::Kw("True") | Tk::Kw("False") | Tk::Kw("None") => {
                    p.pos += 1;
                    let c = match tk {
                        Tk::Kw("True") => Const::Bool(true),
                        Tk::Kw("False") => Const::Bool(false),
                        _ => Const::None,
                    };
                    Ok(Some(node(Kind::Const(c), &[])))
                }
                Tk::Op("...") => {
                    p.pos += 1;
                    Ok(Some(node(Kind::Const(Const::Ellipsis), &[])))
                }
                Tk::Number(text) => {
                    p.pos += 1;
                    let line = p.toks.get(p.pos - 1).map_or(1, |t| t.line);
                    Ok(Some(node(Kind::Const(number(&text, line)?), &[])))
                }
                Tk::Str(_) => p.strings(),
                Tk::Op("(") => p.rule(3, Self::paren),
                Tk::Op("[") => p.rule(2, Self::bracket),
                Tk::Op("{") => p.rule(2, Self::brace),
                _ => Ok(None),
            }
        })
    }

    /// `(` tuple | group | genexp.
    fn paren(&mut self) -> PResult {
        if !self.eat_op("(")? {
            return Ok(None);
        }
        if self.eat_op(")")? {
            return Ok(Some(node(Kind::Tuple(Vec::new()), &[])));
        }
        if self.is_kw("yield")? {
            let Some(y) = self.yield_expr()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op(")")? { Some(y) } else { None });
        }
        let Some((first, starred)) = self.star_named_expression()? else {
            return Ok(None);
        };
        if self.is_op(",")? {
            let Some(items) = self.more_items(vec![first], ")")? else {
                return Ok(None);
            };
            let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
            return Ok(Some(node(Kind::Tuple(items), &depths)));
        }
        if starred {
            return Ok(None);
        }
        if self.is_kw("for")? || self.is_kw("async")? {
            let Some(c) = self.for_if_clauses()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op(")")? {
                Some(other(&[first.depth, c]))
            } else {
                None
            });
        }
        Ok(if self.eat_op(")")? { Some(first) } else { None })
    }

    /// `genexp` right after a primary: `(` elt for ... `)`.
    fn genexp(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_op("(")? {
                return Ok(None);
            }
            let Some(e) = p.named_expression()? else {
                return Ok(None);
            };
            if !(p.is_kw("for")? || p.is_kw("async")?) {
                return Ok(None);
            }
            let Some(c) = p.for_if_clauses()? else {
                return Ok(None);
            };
            Ok(if p.eat_op(")")? {
                Some(other(&[e.depth, c]))
            } else {
                None
            })
        })
    }

    fn bracket(&mut self) -> PResult {
        if !self.eat_op("[")? {
            return Ok(None);
        }
        if self.eat_op("]")? {
            return Ok(Some(node(Kind::List(Vec::new()), &[])));
        }
        self.enter(2)?;
        let first = self.star_named_expression()?;
        self.leave(2);
        let Some((first, starred)) = first else {
            return Ok(None);
        };
        if !starred && (self.is_kw("for")? || self.is_kw("async")?) {
            let Some(c) = self.for_if_clauses()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op("]")? {
                Some(other(&[first.depth, c]))
            } else {
                None
            });
        }
        self.enter(3)?;
        let items = self.more_items(vec![first], "]");
        self.leave(3);
        let Some(items) = items? else {
            return Ok(None);
        };
        let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
        Ok(Some(node(Kind::List(items), &depths)))
    }

    fn brace(&mut self) -> PResult {
        if !self.eat_op("{")? {
            return Ok(None);
        }
        if self.eat_op("}")? {
            return Ok(Some(node(Kind::Dict(Vec::new()), &[])));
        }
        // A dict if it starts with `**` or `key:`.
        let start = self.pos;
        let first_key = if self.is_op("**")? || self.is_op("*")? {
            None
        } else {
            self.expression()?
        };
        if self.is_op("**")? || (first_key.is_some() && self.is_op(":")?) {
            self.pos = start;
            return self.dict_items();
        }
        self.pos = start;
        let Some((first, starred)) = self.star_named_expression()? else {
            return Ok(None);
        };
        if !starred && (self.is_kw("for")? || self.is_kw("async")?) {
            let Some(c) = self.for_if_clauses()? else {
                return Ok(None);
            };
            return Ok(if self.eat_op("}")? {
                Some(other(&[first.depth, c]))
            } else {
                None
            });
        }
        let Some(items) = self.more_items(vec![first], "}")? else {
            return Ok(None);
        };
        let depths: Vec<usize> = items.iter().map(|n| n.depth).collect();
        Ok(Some(node(Kind::Set(items), &depths)))
    }

    fn dict_items(&mut self) -> PResult {
        let mut entries: Vec<(Option<Node>, Node)> = Vec::new();
        let mut depths = Vec::new();
        loop {
            if self.eat_op("**")? {
                let Some(v) = self.bitwise_or()? else {
                    return Ok(None);
                };
                depths.push(v.depth);
                entries.push((None, v));
            } else {
                let Some(k) = self.expression()? else {
                    return Ok(None);
                };
                if !self.eat_op(":")? {
                    return Ok(None);
                }
                let Some(v) = self.expression()? else {
                    return Ok(None);
                };
                if entries.is_empty() && (self.is_kw("for")? || self.is_kw("async")?) {
                    let Some(c) = self.for_if_clauses()? else {
                        return Ok(None);
                    };
                    return Ok(if self.eat_op("}")? {
                        Some(other(&[k.depth, v.depth, c]))
                    } else {
                        None
                    });
                }
                depths.push(k.depth);
                depths.push(v.depth);
                entries.push((Some(k), v));
            }
            if self.eat_op("}")? {
                break;
            }
            if !self.eat_op(",")? {
                return Ok(None);
            }
            if self.eat_op("}")? {
                break;
            }
        }
        Ok(Some(node(Kind::Dict(entries), &depths)))
    }

    fn yield_expr(&mut self) -> PResult {
        self.rule(1, |p| {
            if !p.eat_kw("yield")? {
                return Ok(None);
            }
            if p.eat_kw("from")? {
                return Ok(p.expression()?.map(|e| other(&[e.depth])));
            }
            match p.star_expressions()? {
                Some(e) => Ok(Some(other(&[e.depth]))),
                None => Ok(Some(other(&[]))),
            }
        })
    }

    pub(super) fn star_expressions(&mut self) -> PResult {
        self.rule(1, |p| {
            let mut depths = Vec::new();
            let mut comma = false;
            let mut single = None;
            loop {
                let e = if p.eat_op("*")? {
                    p.bitwise_or()?.map(|e| other(&[e.depth]))
                } else {
                    p.expression()?
                };
                let Some(e) = e else {
                    if comma {
                        break;
                    }
                    return Ok(None);
                };
                depths.push(e.depth);
                single = Some(e);
                let save = p.pos;
                if !p.eat_op(",")? {
                    break;
                }
                comma = true;
                let _ = save;
            }
            if comma {
                Ok(Some(other(&depths)))
            } else {
                Ok(single)
            }
        })
    }

    /// `for_if_clauses`; the deepest `comprehension` node.
    fn for_if_clauses(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut any = false;
        loop {
            let save = self.pos;
            let _ = self.eat_kw("async")?;
            if !self.eat_kw("for")? {
                self.pos = save;
                break;
            }
            let Some(target) = self.star_targets()? else {
                self.pos = save;
                break;
            };
            if !self.eat_kw("in")? {
                self.pos = save;
                break;
            }
            // The cut: past `in` the clause must parse.
            let Some(iter) = self.disjunction()? else {
                self.pos = start;
                return Ok(None);
            };
            let mut d = target.max(iter.depth);
            loop {
                let s = self.pos;
                if !self.eat_kw("if")? {
                    break;
                }
                match self.disjunction()? {
                    Some(c) => d = d.max(c.depth),
                    None => {
                        self.pos = s;
                        break;
                    }
                }
            }
            depth = depth.max(1 + d);
            any = true;
        }
        if !any {
            self.pos = start;
            return Ok(None);
        }
        Ok(Some(depth))
    }

    /// `star_targets`; the depth of the target.
    fn star_targets(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        let Some(first) = self.star_target()? else {
            return Ok(None);
        };
        if !self.is_op(",")? {
            return Ok(Some(first));
        }
        let mut depth = first;
        while self.eat_op(",")? {
            match self.star_target()? {
                Some(d) => depth = depth.max(d),
                None => break,
            }
        }
        let _ = start;
        Ok(Some(1 + depth))
    }

    fn star_target(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        self.enter(1)?;
        let r = if self.is_op("*")? {
            self.pos += 1;
            if self.is_op("*")? {
                Ok(None)
            } else {
                self.star_target().map(|d| d.map(|d| d + 1))
            }
        } else {
            self.target_with_star_atom()
        };
        self.leave(1);
        if !matches!(r, Ok(Some(_))) {
            self.pos = start;
        }
        r
    }

    fn target_with_star_atom(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        // t_primary: an atom followed by trailers, ending in `.NAME` or
        // `[slices]` not followed by another trailer.
        if let Some(a) = self.atom()? {
            let mut depth = a.depth;
            let mut last_ok = false;
            let mut trailers = 0;
            loop {
                let save = self.pos;
                if self.eat_op(".")? {
                    if !self.is_name()? {
                        self.pos = save;
                        break;
                    }
                    self.pos += 1;
                    last_ok = true;
                } else if self.eat_op("[")? {
                    match self.slices()? {
                        Some(s) if self.eat_op("]")? => depth = depth.max(s.depth),
                        _ => {
                            self.pos = save;
                            break;
                        }
                    }
                    last_ok = true;
                } else if self.is_op("(")? {
                    if let Some(g) = self.genexp()? {
                        depth = depth.max(g.depth);
                    } else {
                        self.pos += 1;
                        if !self.eat_op(")")? {
                            match self.arguments()? {
                                Some(d) if self.eat_op(")")? => depth = depth.max(d),
                                _ => {
                                    self.pos = save;
                                    break;
                                }
                            }
                        }
                    }
                    last_ok = false;
                } else {
                    break;
                }
                depth += 1;
                trailers += 1;
            }
            if trailers > 0 && last_ok {
                return Ok(Some(depth));
            }
            self.pos = start;
        }
        self.star_atom()
    }

    fn star_atom(&mut self) -> Result<Option<usize>, Box<PyErr>> {
        let start = self.pos;
        if self.is_name()? {
            self.pos += 1;
            return Ok(Some(1));
        }
        if self.eat_op("(")? {
            if let Some(d) = self.target_with_star_atom()? {
                if self.eat_op(")")? {
                    return Ok(Some(d));
                }
            }
            self.pos = start + 1;
            if self.eat_op(")")? {
                return Ok(Some(1));
            }
            // star_targets_tuple_seq: at least one comma.
            let mut depth = 0;
            let mut commas = 0;
            while let Some(d) = self.star_target()? {
                depth = depth.max(d);
                if !self.eat_op(",")? {
                    break;
                }
                commas += 1;
            }
            if commas > 0 && self.eat_op(")")? {
                return Ok(Some(1 + depth));
            }
            self.pos = start;
            return Ok(None);
        }
        if self.eat_op("[")? {
            let mut depth = 0;
            loop {
                if self.is_op("]")? {
                    break;
                }
                let Some(d) = self.star_target()? else { break };
                depth = depth.max(d);
                if !self.eat_op(",")? {
                    break;
                }
            }
            if self.eat_op("]")? {
                return Ok(Some(1 + depth));
            }
            self.pos = start;
            return Ok(None);
        }
        Ok(None)
    }

    /// `STRING+`: concatenated literals (an f-string among them makes a
    /// `JoinedStr`, never a literal).
    fn strings(&mut self) -> PResult {
        let mut bytes_mode: Option<bool> = None;
        let mut text = String::new();
        let mut data: Vec<u8> = Vec::new();
        let mut fstring_depth: Option<usize> = None;
        while let Tk::Str(raw) = self.peek()?.clone() {
            let line = self.toks.get(self.pos).map_or(1, |t| t.line);
            self.pos += 1;
            let lit = parse_string(&raw, line, fstring_expr)?;
            if let Some(b) = bytes_mode {
                if b != lit.bytes {
                    return Err(Box::new(syntax(
                        "cannot mix bytes and nonbytes literals",
                        line,
                    )));
                }
            }
            bytes_mode = Some(lit.bytes);
            match lit.value {
                StrValue::Bytes(b) => data.extend(b),
                StrValue::Text(t) => text.push_str(&t),
                StrValue::FString(depth) => {
                    fstring_depth = Some(fstring_depth.unwrap_or(1).max(depth));
                }
                StrValue::Unsupported(why) => self.fail = Some(why),
            }
        }
        if let Some(d) = fstring_depth {
            return Ok(Some(other(&[d])));
        }
        Ok(Some(node(
            Kind::Const(if bytes_mode == Some(true) {
                Const::Bytes(data)
            } else {
                Const::Str(text)
            }),
            &[],
        )))
    }
}

/// Parses an f-string expression as CPython does: `(expr)` with the
/// `fstring` start rule (`star_expressions`); the depth of its AST.
pub(super) fn fstring_expr(expr: &[char], line: usize) -> Result<usize, Box<PyErr>> {
    let mut src = Vec::with_capacity(expr.len() + 3);
    src.push('(');
    src.extend_from_slice(expr);
    src.push(')');
    src.push('\n');
    let lexed = Lexer::new(&src).run();
    let mut p = Parser::new(&lexed);
    match p.star_expressions() {
        Ok(Some(e)) => Ok(e.depth),
        Ok(None) => {
            let mut e = p.failure();
            e.msg = format!("f-string: {}", e.msg);
            e.line = line;
            Err(Box::new(e))
        }
        Err(mut e) => {
            if e.class == "SyntaxError" && !e.msg.starts_with("f-string") {
                e.msg = format!("f-string: {}", e.msg);
            }
            e.line = line;
            Err(e)
        }
    }
}
