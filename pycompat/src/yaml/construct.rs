//! The constructor: nodes to [`Value`]s as PyYAML's `SafeConstructor`
//! builds them, and its scalar constructors.

use std::collections::HashMap;

use crate::str::MAX_STR_DIGITS;
use crate::value::{DictBuilder, Value};

use super::compose::{Kind, Node};
use super::resolve::{NodeTag, parse_timestamp, resolve};
use super::{MAX_MERGE_DEPTH, MAX_NODES, Mark, YamlError};

/// A plain scalar's value as the full loader resolves and constructs it;
/// `None` where it fails (merge and value keys, constructor errors), for
/// the fast paths to leave such documents to it.
pub(super) fn plain_value(text: &str) -> Option<Value> {
    Some(match resolve(text) {
        NodeTag::Str => Value::Str(text.to_owned()),
        NodeTag::Null => Value::None,
        NodeTag::Bool => Value::Bool(match text {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => true,
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => false,
            _ => bool_value(text)?,
        }),
        NodeTag::Int => construct_int(text)?,
        NodeTag::Float => construct_float(text)?,
        NodeTag::Timestamp => construct_timestamp(text)?,
        _ => return None,
    })
}

/// `construct_yaml_bool`.
pub(super) fn bool_value(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "yes" | "true" | "on" => Some(true),
        "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Constructor

pub(super) struct Constructor {
    pub(super) nodes: Vec<Node>,
    pub(super) memo: HashMap<usize, (Value, usize)>,
    pub(super) budget: usize,
}

pub(super) enum Task {
    Enter(usize),
    Build(usize, BuildKind, usize),
}

#[derive(Clone, Copy)]
pub(super) enum BuildKind {
    List,
    Pairs,
    Dict,
}

pub(super) enum Entered {
    Value(Value),
    Children(BuildKind, Vec<usize>),
}

/// Collects a collection's constructed children.
pub(super) fn build(kind: BuildKind, children: Vec<Value>, mark: Mark) -> Result<Value, YamlError> {
    match kind {
        BuildKind::List => Ok(Value::List(children)),
        BuildKind::Pairs => {
            let mut out = Vec::with_capacity(children.len() / 2);
            let mut it = children.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                let repr = format!("({}, {})", k.py_repr(), v.py_repr());
                out.push(Value::Other {
                    str: repr.clone(),
                    repr,
                });
            }
            Ok(Value::List(out))
        }
        BuildKind::Dict => {
            let mut out = DictBuilder::default();
            let mut it = children.into_iter();
            while let (Some(key), Some(value)) = (it.next(), it.next()) {
                if matches!(key, Value::List(_) | Value::Dict(_)) {
                    return Err(YamlError::at(mark, "found unhashable key"));
                }
                out.insert(key, value);
            }
            Ok(Value::Dict(out.finish()))
        }
    }
}

pub(super) fn value_size(v: &Value) -> usize {
    match v {
        Value::List(items) => 1 + items.iter().map(value_size).sum::<usize>(),
        Value::Dict(items) => {
            1 + items
                .iter()
                .map(|(k, v)| value_size(k) + value_size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

impl Constructor {
    pub(super) fn node(&self, idx: usize) -> Result<&Node, YamlError> {
        self.nodes
            .get(idx)
            .ok_or_else(|| YamlError::new(0, 0, "internal error: unknown node"))
    }

    fn spend(&mut self, n: usize, mark: Mark) -> Result<(), YamlError> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            YamlError::at(
                mark,
                format!("document expands to more than {MAX_NODES} values"),
            )
        })?;
        Ok(())
    }

    /// Builds the value of node `root` without recursion: `Enter` tasks
    /// construct scalars (or reuse an anchored node's value) and schedule
    /// their children before a `Build` task that collects them.
    pub(super) fn construct(&mut self, root: usize) -> Result<Value, YamlError> {
        let mut tasks = vec![Task::Enter(root)];
        let mut values: Vec<Value> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Enter(idx) => {
                    let node = self.node(idx)?;
                    let mark = node.mark;
                    if let Some((value, size)) = self.memo.get(&idx) {
                        let (value, size) = (value.clone(), *size);
                        self.spend(size, mark)?;
                        values.push(value);
                        continue;
                    }
                    self.spend(1, mark)?;
                    match self.enter(idx)? {
                        Entered::Value(v) => {
                            if self.node(idx)?.anchored {
                                self.memo.insert(idx, (v.clone(), 1));
                            }
                            values.push(v);
                        }
                        Entered::Children(kind, children) => {
                            tasks.push(Task::Build(idx, kind, children.len()));
                            tasks.extend(children.into_iter().rev().map(Task::Enter));
                        }
                    }
                }
                Task::Build(idx, kind, n) => {
                    let start = values.len().saturating_sub(n);
                    let children = values.split_off(start);
                    let mark = self.node(idx)?.mark;
                    let value = build(kind, children, mark)?;
                    if self.node(idx)?.anchored {
                        let size = value_size(&value);
                        self.memo.insert(idx, (value.clone(), size));
                    }
                    values.push(value);
                }
            }
        }
        values
            .pop()
            .ok_or_else(|| YamlError::new(0, 0, "internal error: no value"))
    }

    fn scalar(&self, idx: usize) -> Result<String, YamlError> {
        let node = self.node(idx)?;
        match &node.kind {
            Kind::Scalar(s) => Ok(s.clone()),
            _ => Err(YamlError::at(node.mark, "expected a scalar node")),
        }
    }

    /// A scalar's value, or the children a collection is built from.
    fn enter(&mut self, idx: usize) -> Result<Entered, YamlError> {
        let node = self.node(idx)?;
        let mark = node.mark;
        let tag = node.tag.clone();
        let bad = |what: &str| YamlError::at(mark, what.to_owned());
        let value = match tag {
            NodeTag::Null => self.scalar(idx).map(|_| Value::None)?,
            NodeTag::Str => Value::Str(self.scalar(idx)?),
            NodeTag::Bool => {
                Value::Bool(bool_value(&self.scalar(idx)?).ok_or_else(|| bad("not a boolean"))?)
            }
            NodeTag::Int => construct_int(&self.scalar(idx)?).ok_or_else(|| bad("invalid int"))?,
            NodeTag::Float => {
                construct_float(&self.scalar(idx)?).ok_or_else(|| bad("invalid float"))?
            }
            NodeTag::Timestamp => {
                construct_timestamp(&self.scalar(idx)?).ok_or_else(|| bad("invalid timestamp"))?
            }
            NodeTag::Binary => {
                construct_binary(&self.scalar(idx)?).ok_or_else(|| bad("invalid base64 data"))?
            }
            NodeTag::Seq => {
                let Kind::Seq(items) = &node.kind else {
                    return Err(bad("expected a sequence node"));
                };
                return Ok(Entered::Children(BuildKind::List, items.clone()));
            }
            NodeTag::Omap | NodeTag::Pairs => {
                let Kind::Seq(items) = &node.kind else {
                    return Err(bad("expected a sequence"));
                };
                let mut children = Vec::with_capacity(items.len() * 2);
                for &item in items {
                    match &self.node(item)?.kind {
                        Kind::Map(pairs) if pairs.len() == 1 => {
                            for &(k, v) in pairs {
                                children.push(k);
                                children.push(v);
                            }
                        }
                        _ => return Err(bad("expected a single mapping item")),
                    }
                }
                return Ok(Entered::Children(BuildKind::Pairs, children));
            }
            NodeTag::Map => {
                if !matches!(node.kind, Kind::Map(_)) {
                    return Err(bad("expected a mapping node"));
                }
                self.flatten(idx, 0)?;
                let Kind::Map(pairs) = &self.node(idx)?.kind else {
                    return Err(bad("expected a mapping node"));
                };
                let children = pairs.iter().flat_map(|&(k, v)| [k, v]).collect();
                return Ok(Entered::Children(BuildKind::Dict, children));
            }
            NodeTag::Set => {
                // A set iterates over its members (the mapping's keys);
                // Python's iteration order is hash order, not
                // reproducible: document order stands in for it.
                let Kind::Map(pairs) = &self.node(idx)?.kind else {
                    return Err(bad("expected a mapping node"));
                };
                let keys = pairs.iter().map(|&(k, _)| k).collect();
                return Ok(Entered::Children(BuildKind::List, keys));
            }
            NodeTag::Merge => {
                return Err(bad(
                    "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'",
                ));
            }
            NodeTag::ValueKey => {
                return Err(bad(
                    "could not determine a constructor for the tag 'tag:yaml.org,2002:value'",
                ));
            }
            NodeTag::Unknown(t) => {
                return Err(bad(&format!(
                    "could not determine a constructor for the tag {t:?}"
                )));
            }
        };
        Ok(Entered::Value(value))
    }

    /// PyYAML's merge-key flattening, done on the (shared) node.
    fn flatten(&mut self, idx: usize, depth: usize) -> Result<(), YamlError> {
        let node = self.node(idx)?;
        let mark = node.mark;
        if depth > MAX_MERGE_DEPTH {
            return Err(YamlError::at(mark, "merge keys nested too deep"));
        }
        let Kind::Map(pairs) = &node.kind else {
            return Ok(());
        };
        let pairs = pairs.clone();
        if !pairs.iter().any(|&(k, _)| {
            self.nodes
                .get(k)
                .is_some_and(|n| matches!(n.tag, NodeTag::Merge | NodeTag::ValueKey))
        }) {
            return Ok(());
        }
        let mut merge = Vec::new();
        let mut rest = Vec::new();
        for (k, v) in pairs {
            let key_tag = self.node(k)?.tag.clone();
            match key_tag {
                NodeTag::Merge => {
                    let value = self.node(v)?;
                    let value_mark = value.mark;
                    match &value.kind {
                        Kind::Map(_) => {
                            self.flatten(v, depth + 1)?;
                            if let Kind::Map(sub) = &self.node(v)?.kind {
                                merge.extend(sub.iter().copied());
                            }
                        }
                        Kind::Seq(items) => {
                            let items = items.clone();
                            let mut submerge = Vec::new();
                            for item in items {
                                if !matches!(self.node(item)?.kind, Kind::Map(_)) {
                                    return Err(YamlError::at(
                                        value_mark,
                                        "expected a mapping for merging",
                                    ));
                                }
                                self.flatten(item, depth + 1)?;
                                if let Kind::Map(sub) = &self.node(item)?.kind {
                                    submerge.push(sub.clone());
                                }
                            }
                            for sub in submerge.into_iter().rev() {
                                merge.extend(sub);
                            }
                        }
                        Kind::Scalar(_) => {
                            return Err(YamlError::at(
                                value_mark,
                                "expected a mapping or list of mappings for merging",
                            ));
                        }
                    }
                }
                NodeTag::ValueKey => {
                    if let Some(n) = self.nodes.get_mut(k) {
                        n.tag = NodeTag::Str;
                    }
                    rest.push((k, v));
                }
                _ => rest.push((k, v)),
            }
        }
        merge.extend(rest);
        if let Some(Node {
            kind: Kind::Map(pairs),
            ..
        }) = self.nodes.get_mut(idx)
        {
            *pairs = merge;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Scalar constructors

/// A non-negative big integer in base 10^9 limbs, little-endian.
#[derive(Debug, Clone, Default)]
pub(super) struct BigUint(pub(super) Vec<u32>);

pub(super) const LIMB: u64 = 1_000_000_000;

impl BigUint {
    fn mul_add(&mut self, mul: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let x = u64::from(*limb) * u64::from(mul) + carry;
            *limb = u32::try_from(x % LIMB).unwrap_or(0);
            carry = x / LIMB;
        }
        while carry > 0 {
            self.0.push(u32::try_from(carry % LIMB).unwrap_or(0));
            carry /= LIMB;
        }
    }

    fn add(&mut self, other: &BigUint) {
        let mut carry = 0u64;
        let n = self.0.len().max(other.0.len());
        self.0.resize(n, 0);
        for (i, limb) in self.0.iter_mut().enumerate() {
            let x = u64::from(*limb) + u64::from(other.0.get(i).copied().unwrap_or(0)) + carry;
            *limb = u32::try_from(x % LIMB).unwrap_or(0);
            carry = x / LIMB;
        }
        if carry > 0 {
            self.0.push(u32::try_from(carry).unwrap_or(0));
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn to_decimal(&self) -> String {
        let mut limbs = self.0.iter().rev().skip_while(|&&l| l == 0);
        let Some(first) = limbs.next() else {
            return "0".to_owned();
        };
        let mut out = first.to_string();
        for limb in limbs {
            out.push_str(&format!("{limb:09}"));
        }
        out
    }
}

/// Python's `int(text, base)` for bases 2, 8, 10 and 16 (no underscores:
/// PyYAML removed them), as a sign and magnitude.
pub(super) fn py_int(text: &str, base: u32) -> Option<(bool, BigUint)> {
    let t = crate::str::py_strip(text);
    let negative = t.starts_with('-');
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let t = match base {
        2 => t
            .strip_prefix("0b")
            .or_else(|| t.strip_prefix("0B"))
            .unwrap_or(t),
        8 => t
            .strip_prefix("0o")
            .or_else(|| t.strip_prefix("0O"))
            .unwrap_or(t),
        16 => t
            .strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .unwrap_or(t),
        _ => t,
    };
    if t.is_empty() || (base == 10 && t.len() > MAX_STR_DIGITS) {
        return None;
    }
    let mut n = BigUint::default();
    for c in t.chars() {
        let d = c.to_digit(base)?;
        n.mul_add(base, d);
    }
    Some((negative, n))
}

pub(super) fn int_value(negative: bool, n: &BigUint) -> Value {
    if negative && !n.is_zero() {
        Value::Int(format!("-{}", n.to_decimal()))
    } else {
        Value::Int(n.to_decimal())
    }
}

/// `construct_yaml_int`.
pub(super) fn construct_int(value: &str) -> Option<Value> {
    let v: String = value.chars().filter(|&c| c != '_').collect();
    let first = v.chars().next()?;
    let sign_negative = first == '-';
    let v = if first == '-' || first == '+' {
        v.get(1..)?
    } else {
        v.as_str()
    };
    let (negative, n) = if v == "0" {
        return Some(Value::Int("0".to_owned()));
    } else if let Some(d) = v.strip_prefix("0b") {
        py_int(d, 2)?
    } else if let Some(d) = v.strip_prefix("0x") {
        py_int(d, 16)?
    } else if v.starts_with('0') {
        py_int(v, 8)?
    } else if v.contains(':') {
        let mut acc = BigUint::default();
        for part in v.split(':') {
            let (neg, digit) = py_int(part, 10)?;
            if neg && !digit.is_zero() {
                // A negative part (explicit tags only): not worth exact
                // emulation.
                return None;
            }
            acc.mul_add(60, 0);
            acc.add(&digit);
        }
        (false, acc)
    } else {
        py_int(v, 10)?
    };
    Some(int_value(negative != sign_negative, &n))
}

/// Python's `float(text)` (no underscores).
pub(super) fn py_float(text: &str) -> Option<f64> {
    let t = crate::str::py_strip(text);
    let (negative, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan" {
        f64::NAN
    } else {
        let (mantissa, exp) = match lower.split_once('e') {
            Some((m, e)) => (m, Some(e)),
            None => (lower.as_str(), None),
        };
        let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        if (int_part.is_empty() && frac.is_empty()) || !digits(int_part) || !digits(frac) {
            return None;
        }
        let exp = match exp {
            None => "0",
            Some(e) => {
                let d = e.strip_prefix(['-', '+']).unwrap_or(e);
                if d.is_empty() || !digits(d) {
                    return None;
                }
                e
            }
        };
        let int_part = if int_part.is_empty() { "0" } else { int_part };
        let frac = if frac.is_empty() { "0" } else { frac };
        format!("{int_part}.{frac}e{exp}").parse::<f64>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `construct_yaml_float`.
pub(super) fn construct_float(value: &str) -> Option<Value> {
    let v: String = value
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_lowercase();
    let first = v.chars().next()?;
    let sign = if first == '-' { -1.0 } else { 1.0 };
    let v = if first == '-' || first == '+' {
        v.get(1..)?
    } else {
        v.as_str()
    };
    let f = if v == ".inf" {
        sign * f64::INFINITY
    } else if v == ".nan" {
        f64::NAN
    } else if v.contains(':') {
        let mut digits = Vec::new();
        for part in v.split(':') {
            digits.push(py_float(part)?);
        }
        let mut base = 1.0;
        let mut total = 0.0;
        for d in digits.iter().rev() {
            total += d * base;
            base *= 60.0;
        }
        sign * total
    } else {
        sign * py_float(v)?
    };
    Some(Value::Float(f))
}

pub(super) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

pub(super) fn timedelta_repr(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let mut parts = Vec::new();
    if days != 0 {
        parts.push(format!("days={days}"));
    }
    if secs != 0 {
        parts.push(format!("seconds={secs}"));
    }
    if parts.is_empty() {
        "datetime.timedelta(0)".to_owned()
    } else {
        format!("datetime.timedelta({})", parts.join(", "))
    }
}

/// `construct_yaml_timestamp`: a `datetime.date` or `datetime.datetime`.
pub(super) fn construct_timestamp(value: &str) -> Option<Value> {
    let ts = parse_timestamp(value, false)?;
    if ts.year < 1 || !(1..=12).contains(&ts.month) || ts.day < 1 {
        return None;
    }
    if ts.day > days_in_month(ts.year, ts.month) {
        return None;
    }
    let date = format!("{:04}-{:02}-{:02}", ts.year, ts.month, ts.day);
    let Some(time) = ts.time else {
        return Some(Value::Other {
            str: date,
            repr: format!("datetime.date({}, {}, {})", ts.year, ts.month, ts.day),
        });
    };
    if time.hour > 23 || time.minute > 59 || time.second > 59 {
        return None;
    }
    let micro: u32 = match &time.fraction {
        Some(f) if !f.is_empty() => {
            let mut f: String = f.chars().take(6).collect();
            while f.len() < 6 {
                f.push('0');
            }
            f.parse().ok()?
        }
        _ => 0,
    };
    let offset: Option<i64> = match time.tz {
        None => None,
        Some(None) => Some(0),
        Some(Some((negative, h, m))) => {
            let s = i64::from(h) * 3600 + i64::from(m) * 60;
            if s >= 86_400 {
                return None;
            }
            Some(if negative { -s } else { s })
        }
    };
    let mut text = format!(
        "{date} {:02}:{:02}:{:02}",
        time.hour, time.minute, time.second
    );
    if micro != 0 {
        text.push_str(&format!(".{micro:06}"));
    }
    let mut fields = vec![
        ts.year,
        ts.month,
        ts.day,
        time.hour,
        time.minute,
        time.second,
        micro,
    ];
    for _ in 0..2 {
        if fields.last() == Some(&0) {
            fields.pop();
        }
    }
    let fields: Vec<String> = fields.iter().map(u32::to_string).collect();
    let mut repr = format!("datetime.datetime({}", fields.join(", "));
    if let Some(off) = offset {
        let sign = if off < 0 { '-' } else { '+' };
        let abs = off.abs();
        text.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60));
        if off == 0 {
            repr.push_str(", tzinfo=datetime.timezone.utc");
        } else {
            repr.push_str(&format!(
                ", tzinfo=datetime.timezone({})",
                timedelta_repr(off)
            ));
        }
    }
    repr.push(')');
    Some(Value::Other { str: text, repr })
}

/// `construct_yaml_binary`.
pub(super) fn construct_binary(value: &str) -> Option<Value> {
    if !value.is_ascii() {
        return None;
    }
    let bytes = crate::base64::b64decode(value.as_bytes())?;
    let repr = crate::str::bytes_repr(&bytes);
    Some(Value::Other {
        str: repr.clone(),
        repr,
    })
}
