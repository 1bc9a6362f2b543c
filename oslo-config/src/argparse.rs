//! The command line, parsed as Python's `argparse` (3.11) parses it for
//! oslo.config: long options and their unique abbreviations, `--opt=value`,
//! `-sVALUE`, `--` , the negative-number rule, interleaved positionals,
//! append actions, and `--config-file`/`--config-dir` acted on at the
//! moment they are met (so files and options apply in argv order).
//!
//! Why not clap: clap parses whole command lines into matches; oslo.config
//! needs argparse's exact classification (which strings are options, how
//! abbreviations and negative numbers are read, how positionals share the
//! arguments between options) and side effects in argv order. The
//! binaries' own command lines do use clap.

use std::collections::HashMap;

use pycompat::hash::NameHashBuild;

/// The attributes argparse sets (Python's `argparse.Namespace`): name →
/// value.
pub(crate) type Attrs = HashMap<String, Attr, NameHashBuild>;

use crate::error::{Error, Result};

/// What an action does with its values.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Store the value.
    Store,
    /// Store `true` / `false`.
    StoreConst(bool),
    /// Append the value to a list.
    Append,
    /// `--config-file`: append, then parse the file.
    ConfigFile,
    /// `--config-dir`: store, then parse the directory's files.
    ConfigDir,
    /// `-h/--help`.
    Help,
    /// `--version`.
    Version(String),
    /// `add_subparsers`: the command word picks a parser for the rest.
    SubParsers(Vec<(String, Parser)>),
}

/// How many values an action takes (`nargs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Nargs {
    /// Exactly one (`None`).
    One,
    /// Zero or one (`'?'`).
    Optional,
    /// Any number (`'*'`).
    Any,
    /// None (flags).
    Zero,
    /// A command word and everything after it (`argparse.PARSER`).
    Parser,
}

/// One `add_argument`.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    /// `--name`, `-s`, deprecated spellings; empty for positionals.
    pub option_strings: Vec<String>,
    /// The namespace attribute.
    pub dest: String,
    /// What it does.
    pub kind: Kind,
    /// How many values.
    pub nargs: Nargs,
    /// Must be given (positionals with `nargs=None`).
    pub required: bool,
    /// The value placeholder in usage.
    pub metavar: Option<String>,
    /// The help text.
    pub help: Option<String>,
    /// The `--help` section (group title) it is listed under.
    pub section: Option<(String, Option<String>)>,
    /// The attribute's value when the action is not met.
    pub default: Attr,
}

/// An attribute argparse sets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Attr {
    /// `None`.
    None,
    /// A string.
    Str(String),
    /// `True` / `False` (flags).
    Bool(bool),
    /// A list of strings (append actions, `nargs='*'`).
    List(Vec<String>),
}

/// `(action index or None if unknown, option string, explicit argument)`.
type OptionTuple = (Option<usize>, String, Option<String>);

/// What a config file or dir action does, given the attributes so far.
pub(crate) type Effect<'e> = dyn FnMut(SideEffect<'_>, &mut Attrs) -> Result<()> + 'e;

/// The parser: actions in the order argparse would hold them.
#[derive(Debug, Default, Clone)]
pub(crate) struct Parser {
    pub prog: String,
    pub usage: Option<String>,
    /// `$COLUMNS` as the environment gives it (help and usage width).
    pub columns: Option<String>,
    pub actions: Vec<Action>,
    /// Option string → action index, in insertion order.
    options: Vec<(String, usize)>,
    lookup: HashMap<String, usize>,
    negative_number_options: bool,
}

/// What a `--config-file` / `--config-dir` action asks of the caller.
pub(crate) enum SideEffect<'a> {
    /// Parse this config file.
    ConfigFile(&'a str),
    /// Parse this config dir.
    ConfigDir(&'a str),
}

pub(crate) fn is_negative_number(s: &str) -> bool {
    // `^-\d+$|^-\d*\.\d+$` (Python `\d` is any Unicode decimal digit;
    // `$` also matches before a final newline).
    let s = s.strip_suffix('\n').unwrap_or(s);
    let Some(rest) = s.strip_prefix('-') else {
        return false;
    };
    // Python's `\d`: any Unicode decimal digit.
    let digit = |c: char| pycompat::str::decimal_value(c).is_some();
    if !rest.is_empty() && rest.chars().all(digit) {
        return true;
    }
    match rest.split_once('.') {
        Some((a, b)) => a.chars().all(digit) && !b.is_empty() && b.chars().all(digit),
        None => false,
    }
}

fn no_append(kind: &str) -> Error {
    Error::Python {
        class: "AttributeError",
        message: format!("'{kind}' object has no attribute 'append'"),
    }
}

fn clen(s: &str) -> i64 {
    i64::try_from(s.chars().count()).unwrap_or(i64::MAX)
}

fn spaces(n: i64) -> String {
    " ".repeat(usize::try_from(n).unwrap_or(0))
}

impl Parser {
    /// A parser with `-h/--help`.
    pub fn new(prog: &str, usage: Option<String>) -> Parser {
        let mut p = Parser {
            prog: prog.to_owned(),
            usage,
            ..Parser::default()
        };
        // Cannot clash on an empty parser.
        let _ = p.add(Action {
            option_strings: vec!["-h".into(), "--help".into()],
            dest: "help".into(),
            kind: Kind::Help,
            nargs: Nargs::Zero,
            required: false,
            metavar: None,
            help: Some("show this help message and exit".into()),
            section: None,
            default: Attr::None,
        });
        p
    }

    /// `add_argument`; a clashing option string is `DuplicateOptError`
    /// naming all of the new action's strings.
    pub fn add(&mut self, mut action: Action) -> Result<()> {
        // One name without a dash is a positional; several names must all
        // be options.
        match action.option_strings.as_slice() {
            [only] if !only.starts_with('-') => action.option_strings.clear(),
            names => {
                if let Some(bad) = names.iter().find(|n| !n.starts_with('-')) {
                    return Err(Error::Value(format!(
                        "invalid option string {}: must start with a character '-'",
                        pycompat::value::str_repr(bad)
                    )));
                }
            }
        }
        if action
            .option_strings
            .iter()
            .any(|s| self.lookup.contains_key(s))
        {
            return Err(Error::DuplicateOpt(action.option_strings.join(",")));
        }
        let index = self.actions.len();
        for s in &action.option_strings {
            // One entry per option string (a deprecated spelling may repeat
            // the name; argparse's dict keeps it once).
            if self.lookup.insert(s.clone(), index).is_none() {
                self.options.push((s.clone(), index));
            }
            if is_negative_number(s) {
                self.negative_number_options = true;
            }
        }
        self.actions.push(action);
        Ok(())
    }

    /// The line width argparse formats for (`$COLUMNS - 2`, 78 by
    /// default): `shutil.get_terminal_size` reads `$COLUMNS` with
    /// `int()`. Deviation: a width past `i64::MAX` saturates there, where
    /// Python keeps the big int (no line is that long either way).
    fn width(&self) -> i64 {
        let columns = self
            .columns
            .as_deref()
            .and_then(|c| pycompat::str::py_int_saturating(c).ok())
            .filter(|&c| c > 0)
            .unwrap_or(80);
        columns.saturating_sub(2)
    }

    fn metavar(&self, a: &Action) -> String {
        match (&a.metavar, &a.kind) {
            (Some(m), _) => m.clone(),
            (None, Kind::SubParsers(parsers)) => {
                let names: Vec<&str> = parsers.iter().map(|(n, _)| n.as_str()).collect();
                format!("{{{}}}", names.join(","))
            }
            (None, _) if a.option_strings.is_empty() => a.dest.clone(),
            (None, _) => a.dest.to_uppercase(),
        }
    }

    /// One action in the usage line.
    fn usage_part(&self, a: &Action) -> String {
        let m = self.metavar(a);
        match a.option_strings.first() {
            Some(first) => match a.nargs {
                Nargs::Zero => format!("[{first}]"),
                Nargs::Optional => format!("[{first} [{m}]]"),
                Nargs::Any => format!("[{first} [{m} ...]]"),
                _ => format!("[{first} {m}]"),
            },
            None => match a.nargs {
                Nargs::Optional => format!("[{m}]"),
                Nargs::Any => format!("[{m} ...]"),
                Nargs::Parser => format!("{m} ..."),
                _ => m,
            },
        }
    }

    /// An action's invocation in `--help` (`-h, --help`, `--x X`).
    fn invocation(&self, a: &Action) -> String {
        let m = self.metavar(a);
        if a.option_strings.is_empty() {
            return m;
        }
        let args = match a.nargs {
            Nargs::Zero => return a.option_strings.join(", "),
            Nargs::Optional => format!("[{m}]"),
            Nargs::Any => format!("[{m} ...]"),
            _ => m,
        };
        a.option_strings
            .iter()
            .map(|s| format!("{s} {args}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `usage: ...` (argparse's `_format_usage`, wrapped to the width).
    pub fn usage_line(&self) -> String {
        let prefix = "usage: ";
        if let Some(u) = &self.usage {
            return format!("{prefix}{}", u.replace("%(prog)s", &self.prog));
        }
        let opt_parts: Vec<String> = self
            .actions
            .iter()
            .filter(|a| !a.option_strings.is_empty())
            .map(|a| self.usage_part(a))
            .collect();
        let pos_parts: Vec<String> = self
            .actions
            .iter()
            .filter(|a| a.option_strings.is_empty())
            .map(|a| self.usage_part(a))
            .collect();
        let all: Vec<String> = opt_parts.iter().chain(&pos_parts).cloned().collect();
        let usage = std::iter::once(self.prog.clone())
            .chain(all.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        let text_width = self.width();
        if clen(prefix) + clen(&usage) <= text_width {
            return format!("{prefix}{usage}");
        }
        let get_lines = |parts: &[String], indent: &str, prefix: Option<&str>| {
            let mut lines: Vec<String> = Vec::new();
            let mut line: Vec<&str> = Vec::new();
            let mut line_len = prefix.map_or(clen(indent), clen) - 1;
            for part in parts {
                if line_len + 1 + clen(part) > text_width && !line.is_empty() {
                    lines.push(format!("{indent}{}", line.join(" ")));
                    line.clear();
                    line_len = clen(indent) - 1;
                }
                line.push(part);
                line_len += clen(part) + 1;
            }
            if !line.is_empty() {
                lines.push(format!("{indent}{}", line.join(" ")));
            }
            if prefix.is_some() {
                if let Some(first) = lines.first_mut() {
                    *first = first.chars().skip(indent.chars().count()).collect();
                }
            }
            lines
        };
        let lines = if 4 * (clen(prefix) + clen(&self.prog)) <= 3 * text_width {
            let indent = spaces(clen(prefix) + clen(&self.prog) + 1);
            let with_prog = |parts: &[String]| {
                std::iter::once(self.prog.clone())
                    .chain(parts.iter().cloned())
                    .collect::<Vec<String>>()
            };
            if !opt_parts.is_empty() {
                let mut lines = get_lines(&with_prog(&opt_parts), &indent, Some(prefix));
                lines.extend(get_lines(&pos_parts, &indent, None));
                lines
            } else if !pos_parts.is_empty() {
                get_lines(&with_prog(&pos_parts), &indent, Some(prefix))
            } else {
                vec![self.prog.clone()]
            }
        } else {
            let indent = spaces(clen(prefix));
            let mut lines = get_lines(&all, &indent, None);
            if lines.len() > 1 {
                lines = get_lines(&opt_parts, &indent, None);
                lines.extend(get_lines(&pos_parts, &indent, None));
            }
            let mut with = vec![self.prog.clone()];
            with.extend(lines);
            with
        };
        format!("{prefix}{}", lines.join("\n"))
    }

    fn usage_text(&self) -> String {
        format!("{}\n", self.usage_line())
    }

    /// An action's help with `%(default)s` and `%(prog)s` filled in, as
    /// argparse's `_expand_help` does.
    pub fn expanded_help(&self, a: &Action) -> String {
        let Some(help) = a.help.as_deref() else {
            return String::new();
        };
        let default = match &a.default {
            Attr::None => "None".to_owned(),
            Attr::Str(s) => s.clone(),
            Attr::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
            Attr::List(items) => pycompat::value::Value::List(
                items
                    .iter()
                    .map(|s| pycompat::value::Value::str(s.as_str()))
                    .collect(),
            )
            .py_str(),
        };
        help.replace("%(default)s", &default)
            .replace("%(prog)s", &self.prog)
    }

    /// The `--help` text, as argparse's `HelpFormatter` lays it out.
    pub fn help_text(&self) -> String {
        let width = self.width();
        let indent = 2;
        let max_help_position = 24.min((width - 20).max(4));
        let action_max = self
            .actions
            .iter()
            .map(|a| clen(&self.invocation(a)) + indent)
            .max()
            .unwrap_or(0);
        let help_position = (action_max + 2).min(max_help_position);
        let help_width = (width - help_position).max(11);
        let action_width = help_position - indent - 2;
        let item = |a: &Action| -> String {
            let header = self.invocation(a);
            let help = self.expanded_help(a);
            let help = help
                .split(pycompat::str::is_py_space)
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if help.is_empty() {
                return format!("{}{header}\n", spaces(indent));
            }
            let mut out = String::new();
            let first_at = if clen(&header) <= action_width {
                out.push_str(&spaces(indent));
                out.push_str(&header);
                out.push_str(&spaces(action_width - clen(&header) + 2));
                0
            } else {
                out.push_str(&spaces(indent));
                out.push_str(&header);
                out.push('\n');
                help_position
            };
            let lines =
                pycompat::textwrap::wrap(&help, usize::try_from(help_width).unwrap_or(11), "", "");
            for (i, line) in lines.iter().enumerate() {
                out.push_str(&spaces(if i == 0 { first_at } else { help_position }));
                out.push_str(line);
                out.push('\n');
            }
            out
        };
        let mut text = format!("{}\n\n", self.usage_line());
        let section = |title: &str, description: Option<&str>, items: &[&Action]| -> String {
            let mut body = String::new();
            if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
                let d = d
                    .split(pycompat::str::is_py_space)
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                let w = usize::try_from((width - indent).max(11)).unwrap_or(11);
                for line in pycompat::textwrap::wrap(&d, w, "  ", "  ") {
                    body.push_str(&line);
                    body.push('\n');
                }
                body.push('\n');
            }
            for a in items {
                body.push_str(&item(a));
            }
            if body.is_empty() {
                String::new()
            } else {
                format!("\n{title}:\n{body}\n")
            }
        };
        let positionals: Vec<&Action> = self
            .actions
            .iter()
            .filter(|a| a.option_strings.is_empty() && a.section.is_none())
            .collect();
        text.push_str(&section("positional arguments", None, &positionals));
        let optionals: Vec<&Action> = self
            .actions
            .iter()
            .filter(|a| !a.option_strings.is_empty() && a.section.is_none())
            .collect();
        text.push_str(&section("options", None, &optionals));
        let mut sections: Vec<&(String, Option<String>)> = Vec::new();
        for a in &self.actions {
            if let Some(s) = &a.section {
                if !sections.contains(&s) {
                    sections.push(s);
                }
            }
        }
        for s in sections {
            let items: Vec<&Action> = self
                .actions
                .iter()
                .filter(|a| a.section.as_ref() == Some(s))
                .collect();
            text.push_str(&section(&s.0, s.1.as_deref(), &items));
        }
        // `_long_break_matcher`: no more than one blank line in a row.
        while text.contains("\n\n\n") {
            text = text.replace("\n\n\n", "\n\n");
        }
        format!("{}\n", text.trim_matches('\n'))
    }

    /// argparse's `error()`: usage, `prog: error: message`, status 2.
    pub fn usage_error(&self, message: &str) -> Error {
        self.error(message)
    }

    fn error(&self, message: &str) -> Error {
        Error::Exit {
            status: 2,
            message: format!("{}{}: error: {message}\n", self.usage_text(), self.prog),
            stdout: false,
            bad: None,
        }
    }

    fn action_name(a: &Action) -> String {
        if a.option_strings.is_empty() {
            a.metavar.clone().unwrap_or_else(|| a.dest.clone())
        } else {
            a.option_strings.join("/")
        }
    }

    /// `_parse_optional`: `Some((action, option_string, explicit_arg))`
    /// for an option (action `None` if unknown), `None` for a positional.
    fn parse_optional(&self, arg: &str) -> Result<Option<OptionTuple>> {
        if !arg.starts_with('-') {
            return Ok(None);
        }
        if let Some(&i) = self.lookup.get(arg) {
            return Ok(Some((Some(i), arg.to_owned(), None)));
        }
        if arg.chars().count() == 1 {
            return Ok(None);
        }
        if let Some((opt, value)) = arg.split_once('=') {
            if let Some(&i) = self.lookup.get(opt) {
                return Ok(Some((Some(i), opt.to_owned(), Some(value.to_owned()))));
            }
        }
        let tuples = self.option_tuples(arg);
        if tuples.len() > 1 {
            let names: Vec<&str> = tuples.iter().map(|t| t.1.as_str()).collect();
            return Err(self.error(&format!(
                "ambiguous option: {arg} could match {}",
                names.join(", ")
            )));
        }
        if let Some((i, s, e)) = tuples.into_iter().next() {
            return Ok(Some((Some(i), s, e)));
        }
        if is_negative_number(arg) && !self.negative_number_options {
            return Ok(None);
        }
        if arg.contains(' ') {
            return Ok(None);
        }
        Ok(Some((None, arg.to_owned(), None)))
    }

    fn option_tuples(&self, arg: &str) -> Vec<(usize, String, Option<String>)> {
        let mut result = Vec::new();
        if arg.starts_with("--") {
            let (prefix, explicit) = match arg.split_once('=') {
                Some((p, e)) => (p, Some(e.to_owned())),
                None => (arg, None),
            };
            for (s, i) in &self.options {
                if s.starts_with(prefix) {
                    result.push((*i, s.clone(), explicit.clone()));
                }
            }
        } else {
            let mut chars = arg.char_indices();
            let split = chars.nth(2).map_or(arg.len(), |(i, _)| i);
            let (short_prefix, short_explicit) = arg.split_at(split);
            for (s, i) in &self.options {
                if s == short_prefix {
                    result.push((*i, s.clone(), Some(short_explicit.to_owned())));
                } else if s.starts_with(arg) {
                    result.push((*i, s.clone(), None));
                }
            }
        }
        result
    }

    /// Parses `args` into `attrs`, calling `effect` for config files and
    /// dirs as they are met. Unknown arguments are an error (status 2).
    pub fn parse(&self, args: &[String], attrs: &mut Attrs, effect: &mut Effect<'_>) -> Result<()> {
        let extras = self.parse_known(args, attrs, effect)?;
        if !extras.is_empty() {
            return Err(self.error(&format!("unrecognized arguments: {}", extras.join(" "))));
        }
        Ok(())
    }

    /// `parse_known_args`: what could not be placed is returned.
    fn parse_known(
        &self,
        args: &[String],
        attrs: &mut Attrs,
        effect: &mut Effect<'_>,
    ) -> Result<Vec<String>> {
        for a in &self.actions {
            if !matches!(a.kind, Kind::Help | Kind::Version(_)) && !attrs.contains_key(&a.dest) {
                attrs.insert(a.dest.clone(), a.default.clone());
            }
        }
        // Classify every argument: 'O' option, 'A' argument, '-' for `--`.
        let mut pattern: Vec<u8> = Vec::with_capacity(args.len());
        let mut options: HashMap<usize, OptionTuple> = HashMap::new();
        let mut iter = args.iter().enumerate();
        while let Some((i, arg)) = iter.next() {
            if arg == "--" {
                pattern.push(b'-');
                pattern.extend(std::iter::repeat_n(b'A', iter.by_ref().count()));
                break;
            }
            match self.parse_optional(arg)? {
                Some(t) => {
                    options.insert(i, t);
                    pattern.push(b'O');
                }
                None => pattern.push(b'A'),
            }
        }
        let mut state = State {
            parser: self,
            args,
            pattern: &pattern,
            extras: Vec::new(),
            seen: vec![false; self.actions.len()],
            positionals: self
                .actions
                .iter()
                .enumerate()
                .filter(|(_, a)| a.option_strings.is_empty())
                .map(|(i, _)| i)
                .collect(),
        };
        let mut start = 0;
        let max_option = options.keys().copied().max();
        while max_option.is_some_and(|m| start <= m) {
            let next = options
                .keys()
                .copied()
                .filter(|&i| i >= start)
                .min()
                .unwrap_or(start);
            if start != next {
                let end = state.consume_positionals(start, attrs, effect)?;
                if end > start {
                    start = end;
                    continue;
                }
                start = end;
            }
            if !options.contains_key(&start) {
                state
                    .extras
                    .extend(args.get(start..next).unwrap_or_default().iter().cloned());
                start = next;
            }
            let Some(option) = options.get(&start).cloned() else {
                break;
            };
            start = state.consume_optional(start, option, attrs, effect)?;
        }
        let stop = state.consume_positionals(start, attrs, effect)?;
        state
            .extras
            .extend(args.get(stop..).unwrap_or_default().iter().cloned());
        let missing: Vec<String> = self
            .actions
            .iter()
            .zip(&state.seen)
            .filter(|(a, seen)| a.required && !**seen)
            .map(|(a, _)| Self::action_name(a))
            .collect();
        if !missing.is_empty() {
            return Err(self.error(&format!(
                "the following arguments are required: {}",
                missing.join(", ")
            )));
        }
        Ok(state.extras)
    }
}

struct State<'p> {
    parser: &'p Parser,
    args: &'p [String],
    pattern: &'p [u8],
    extras: Vec<String>,
    seen: Vec<bool>,
    positionals: Vec<usize>,
}

/// How many of the classified arguments at the start of `pattern` an
/// action takes, as argparse's nargs regexes (`-*A-*` …) would match;
/// `None` if it cannot match. Optionals never take `-`.
fn match_count(nargs: Nargs, pattern: &[u8], optional: bool) -> Option<usize> {
    let count_dashes = |p: &[u8], at: usize| {
        if optional {
            0
        } else {
            p.iter().skip(at).take_while(|&&c| c == b'-').count()
        }
    };
    match nargs {
        Nargs::Zero => Some(count_dashes(pattern, 0)),
        Nargs::One | Nargs::Optional => {
            let lead = count_dashes(pattern, 0);
            match pattern.get(lead) {
                Some(b'A') => Some(lead + 1 + count_dashes(pattern, lead + 1)),
                _ if nargs == Nargs::Optional => Some(lead),
                _ => None,
            }
        }
        Nargs::Any => Some(
            pattern
                .iter()
                .take_while(|&&c| c == b'A' || (!optional && c == b'-'))
                .count(),
        ),
        // `-*A[-AO]*`: a word, then everything.
        Nargs::Parser => {
            let lead = count_dashes(pattern, 0);
            (pattern.get(lead) == Some(&b'A')).then_some(pattern.len())
        }
    }
}

impl State<'_> {
    fn take(
        &mut self,
        index: usize,
        mut values: Vec<String>,
        attrs: &mut Attrs,
        effect: &mut Effect<'_>,
    ) -> Result<()> {
        let Some(action) = self.parser.actions.get(index) else {
            return Ok(());
        };
        if let Some(seen) = self.seen.get_mut(index) {
            *seen = true;
        }
        if action.nargs != Nargs::Parser {
            if let Some(pos) = values.iter().position(|v| v == "--") {
                values.remove(pos);
            }
        }
        let positional = action.option_strings.is_empty();
        // `_get_values`.
        let single = || values.first().cloned();
        match &action.kind {
            Kind::Help => {
                return Err(Error::Exit {
                    status: 0,
                    message: self.parser.help_text(),
                    stdout: true,
                    bad: None,
                });
            }
            Kind::Version(v) => {
                return Err(Error::Exit {
                    status: 0,
                    message: format!("{v}\n"),
                    stdout: true,
                    bad: None,
                });
            }
            Kind::SubParsers(parsers) => {
                let name = values.first().cloned().unwrap_or_default();
                attrs.insert(action.dest.clone(), Attr::Str(name.clone()));
                let Some((_, parser)) = parsers.iter().find(|(n, _)| *n == name) else {
                    let choices: Vec<&str> = parsers.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(self.parser.error(&format!(
                        "argument {}: unknown parser {} (choices: {})",
                        Parser::action_name(action),
                        pycompat::value::str_repr(&name),
                        choices.join(", ")
                    )));
                };
                let mut sub = Attrs::default();
                let rest = values.get(1..).unwrap_or_default();
                let extras = parser.parse_known(rest, &mut sub, effect)?;
                attrs.extend(sub);
                self.extras.extend(extras);
            }
            Kind::StoreConst(b) => {
                attrs.insert(action.dest.clone(), Attr::Bool(*b));
            }
            Kind::Store => {
                let value = match action.nargs {
                    Nargs::Any
                        if values.is_empty() && positional && action.default != Attr::None =>
                    {
                        action.default.clone()
                    }
                    Nargs::Any => Attr::List(values),
                    Nargs::Optional if values.is_empty() && positional => action.default.clone(),
                    Nargs::Optional if values.is_empty() => Attr::None,
                    _ => single().map_or(Attr::None, Attr::Str),
                };
                attrs.insert(action.dest.clone(), value);
            }
            Kind::Append | Kind::ConfigFile => {
                let value = single().unwrap_or_default();
                match attrs.get_mut(&action.dest) {
                    Some(Attr::List(items)) => items.push(value.clone()),
                    None | Some(Attr::None) => {
                        attrs.insert(action.dest.clone(), Attr::List(vec![value.clone()]));
                    }
                    // A config file set this attribute to a single value
                    // (an option sharing the dest): Python's `.append`
                    // fails on it.
                    Some(Attr::Str(_)) => return Err(no_append("str")),
                    Some(Attr::Bool(_)) => return Err(no_append("bool")),
                }
                if matches!(action.kind, Kind::ConfigFile) {
                    effect(SideEffect::ConfigFile(&value), attrs)?;
                }
            }
            Kind::ConfigDir => {
                let value = single().unwrap_or_default();
                attrs.insert(action.dest.clone(), Attr::Str(value.clone()));
                effect(SideEffect::ConfigDir(&value), attrs)?;
            }
        }
        Ok(())
    }

    fn consume_optional(
        &mut self,
        start: usize,
        option: OptionTuple,
        attrs: &mut Attrs,
        effect: &mut Effect<'_>,
    ) -> Result<usize> {
        let (mut action, mut option_string, mut explicit) = option;
        let mut todo: Vec<(usize, Vec<String>)> = Vec::new();
        let stop;
        loop {
            let Some(index) = action else {
                if let Some(a) = self.args.get(start) {
                    self.extras.push(a.clone());
                }
                return Ok(start + 1);
            };
            let nargs = self
                .parser
                .actions
                .get(index)
                .map_or(Nargs::Zero, |a| a.nargs);
            let name = self
                .parser
                .actions
                .get(index)
                .map(Parser::action_name)
                .unwrap_or_default();
            if let Some(arg) = explicit.take() {
                let count = match_count(nargs, b"A", true);
                let second = option_string.chars().nth(1);
                if count == Some(0) && second != Some('-') && !arg.is_empty() {
                    todo.push((index, Vec::new()));
                    let mut chars = arg.chars();
                    let first = chars.next().unwrap_or_default();
                    let rest: String = chars.collect();
                    option_string = format!("-{first}");
                    if let Some(&i) = self.parser.lookup.get(&option_string) {
                        action = Some(i);
                        explicit = if rest.is_empty() { None } else { Some(rest) };
                        continue;
                    }
                    return Err(self.parser.error(&format!(
                        "argument {name}: ignored explicit argument {}",
                        pycompat::value::str_repr(&arg)
                    )));
                } else if count == Some(1) {
                    stop = start + 1;
                    todo.push((index, vec![arg]));
                    break;
                } else {
                    return Err(self.parser.error(&format!(
                        "argument {name}: ignored explicit argument {}",
                        pycompat::value::str_repr(&arg)
                    )));
                }
            }
            let from = start + 1;
            let rest = self.pattern.get(from..).unwrap_or_default();
            let Some(count) = match_count(nargs, rest, true) else {
                let msg = match nargs {
                    Nargs::Optional => "expected at most one argument",
                    _ => "expected one argument",
                };
                return Err(self.parser.error(&format!("argument {name}: {msg}")));
            };
            stop = from + count;
            todo.push((
                index,
                self.args.get(from..stop).unwrap_or_default().to_vec(),
            ));
            break;
        }
        for (index, values) in todo {
            self.take(index, values, attrs, effect)?;
        }
        Ok(stop)
    }

    fn consume_positionals(
        &mut self,
        start: usize,
        attrs: &mut Attrs,
        effect: &mut Effect<'_>,
    ) -> Result<usize> {
        let pattern = self.pattern.get(start..).unwrap_or_default();
        // `_match_arguments_partial`: the longest prefix of the remaining
        // positionals that matches, each taking as much as it can (the
        // regex is greedy left to right).
        let mut counts: Vec<usize> = Vec::new();
        for n in (1..=self.positionals.len()).rev() {
            let first_n = self.positionals.get(..n).unwrap_or_default();
            if let Some(c) = self.match_positionals(first_n, pattern) {
                counts = c;
                break;
            }
        }
        let mut at = start;
        let taken: Vec<usize> = self.positionals.drain(..counts.len()).collect();
        for (index, count) in taken.into_iter().zip(counts) {
            let values = self.args.get(at..at + count).unwrap_or_default().to_vec();
            at += count;
            self.take(index, values, attrs, effect)?;
        }
        Ok(at)
    }

    /// Greedy left-to-right match of the positionals' patterns with
    /// backtracking, as Python's regex engine does.
    fn match_positionals(&self, actions: &[usize], pattern: &[u8]) -> Option<Vec<usize>> {
        let (&first, rest) = actions.split_first()?;
        let nargs = self.parser.actions.get(first)?.nargs;
        let dashes = pattern.iter().take_while(|&&c| c == b'-').count();
        // Candidate lengths, most greedy first.
        let mut candidates: Vec<usize> = Vec::new();
        match nargs {
            Nargs::One => {
                if pattern.get(dashes) == Some(&b'A') {
                    let trail = pattern
                        .iter()
                        .skip(dashes + 1)
                        .take_while(|&&c| c == b'-')
                        .count();
                    for t in (0..=trail).rev() {
                        candidates.push(dashes + 1 + t);
                    }
                }
            }
            Nargs::Optional => {
                for lead in (0..=dashes).rev() {
                    if pattern.get(lead) == Some(&b'A') && lead == dashes {
                        let trail = pattern
                            .iter()
                            .skip(lead + 1)
                            .take_while(|&&c| c == b'-')
                            .count();
                        for t in (0..=trail).rev() {
                            candidates.push(lead + 1 + t);
                        }
                    }
                }
                for t in (0..=dashes).rev() {
                    candidates.push(t);
                }
            }
            Nargs::Any => {
                let run = pattern
                    .iter()
                    .take_while(|&&c| c == b'A' || c == b'-')
                    .count();
                for n in (0..=run).rev() {
                    candidates.push(n);
                }
            }
            Nargs::Zero => candidates.push(dashes),
            Nargs::Parser => {
                if pattern.get(dashes) == Some(&b'A') {
                    candidates.push(pattern.len());
                }
            }
        }
        for c in candidates {
            if rest.is_empty() {
                return Some(vec![c]);
            }
            if let Some(mut more) =
                self.match_positionals(rest, pattern.get(c..).unwrap_or_default())
            {
                more.insert(0, c);
                return Some(more);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{Parser, is_negative_number};

    #[test]
    fn columns_read_as_python_int_reads_them() {
        // `shutil.get_terminal_size`: `int(os.environ['COLUMNS'])`, 80
        // when that raises or gives no positive number; argparse takes 2.
        let width = |c: &str| {
            Parser {
                columns: Some(c.to_owned()),
                ..Parser::default()
            }
            .width()
        };
        for (columns, expected) in [
            ("1_00", 98),
            ("\u{669}\u{660}", 88),
            (" 100\n", 98),
            ("+90", 88),
            ("abc", 78),
            ("0", 78),
            ("-5", 78),
            ("99999999999999999999999", i64::MAX - 2),
        ] {
            assert_eq!(width(columns), expected, "{columns:?}");
        }
    }

    #[test]
    fn negative_numbers_as_argparse_matches_them() {
        // `_negative_number_matcher` is `^-\d+$|^-\d*\.\d+$`: Python's `$`
        // also matches before a final newline.
        for yes in ["-1", "-1\n", "-.5", "-0.5\n", "-١٢"] {
            assert!(is_negative_number(yes), "{yes:?}");
        }
        for no in ["-", "-1\n\n", "-1.", "1", "-\n", "--1", "-1 "] {
            assert!(!is_negative_number(no), "{no:?}");
        }
    }
}
