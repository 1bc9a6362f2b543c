//! `literal_eval`'s `_convert`, and `str()` of the result.

use super::grammar::{Kind, Node};
use super::tokens::{Const, PyInt};

/// A Python value `literal_eval` can return.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum PyVal {
    Int(PyInt),
    Bool(bool),
    Float(f64),
    Complex(f64, f64),
    Str(String),
    Bytes(Vec<u8>),
    None,
    Ellipsis,
    Tuple(Vec<PyVal>),
    List(Vec<PyVal>),
    /// Members in iteration order.
    Set(Vec<PyVal>),
    Dict(Vec<(PyVal, PyVal)>),
}

pub(super) enum Conv {
    /// `ValueError`: not a literal.
    Malformed,
    /// Another exception (`Class: message`).
    Raise(String),
    /// Not reproducible.
    Unsupported(String),
}

pub(super) fn conv_num(n: &Node) -> Result<PyVal, Conv> {
    match &n.kind {
        Kind::Const(Const::Int(i)) => Ok(PyVal::Int(i.clone())),
        Kind::Const(Const::Float(f)) => Ok(PyVal::Float(*f)),
        Kind::Const(Const::Imag(f)) => Ok(PyVal::Complex(0.0, *f)),
        _ => Err(Conv::Malformed),
    }
}

pub(super) fn conv_signed(n: &Node) -> Result<PyVal, Conv> {
    match &n.kind {
        Kind::Signed(plus, inner) => {
            let v = conv_num(inner)?;
            Ok(if *plus {
                v
            } else {
                match v {
                    PyVal::Int(i) => PyVal::Int(i.negate()),
                    PyVal::Float(f) => PyVal::Float(-f),
                    PyVal::Complex(r, i) => PyVal::Complex(-r, -i),
                    other => other,
                }
            })
        }
        _ => conv_num(n),
    }
}

pub(super) fn int_to_f64(i: &PyInt) -> f64 {
    match i.to_f64_exact() {
        Some(f) => f,
        None => {
            let mut f = 0.0f64;
            for &l in i.mag.iter().rev() {
                f = f * 4_294_967_296.0 + f64::from(l);
            }
            if i.neg { -f } else { f }
        }
    }
}

pub(super) fn convert(n: &Node) -> Result<PyVal, Conv> {
    match &n.kind {
        Kind::Const(c) => Ok(match c {
            Const::Int(i) => PyVal::Int(i.clone()),
            Const::Float(f) => PyVal::Float(*f),
            Const::Imag(f) => PyVal::Complex(0.0, *f),
            Const::Str(s) => PyVal::Str(s.clone()),
            Const::Bytes(b) => PyVal::Bytes(b.clone()),
            Const::Bool(b) => PyVal::Bool(*b),
            Const::None => PyVal::None,
            Const::Ellipsis => PyVal::Ellipsis,
        }),
        Kind::Tuple(items) => Ok(PyVal::Tuple(
            items.iter().map(convert).collect::<Result<_, _>>()?,
        )),
        Kind::List(items) => Ok(PyVal::List(
            items.iter().map(convert).collect::<Result<_, _>>()?,
        )),
        Kind::Set(items) => {
            let mut set = SetBuilder::new();
            for item in items {
                set.add(convert(item)?)?;
            }
            Ok(PyVal::Set(set.finish()?))
        }
        Kind::EmptySet => Ok(PyVal::Set(Vec::new())),
        Kind::Dict(entries) => {
            let mut out: Vec<(PyVal, PyVal)> = Vec::new();
            for (k, v) in entries {
                let Some(k) = k else {
                    return Err(Conv::Malformed);
                };
                let k = convert(k)?;
                let v = convert(v)?;
                hash_of(&k)?;
                match out.iter_mut().find(|(x, _)| py_eq(x, &k)) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            }
            Ok(PyVal::Dict(out))
        }
        Kind::AddSub(plus, l, r) => {
            let left = conv_signed(l)?;
            let right = conv_num(r)?;
            match (left, right) {
                (PyVal::Int(_) | PyVal::Float(_), PyVal::Complex(re, im)) => {
                    let lf = match conv_signed(l)? {
                        PyVal::Int(i) => int_to_f64(&i),
                        PyVal::Float(f) => f,
                        _ => 0.0,
                    };
                    Ok(if *plus {
                        PyVal::Complex(lf + re, im)
                    } else {
                        PyVal::Complex(lf - re, -im)
                    })
                }
                _ => Err(Conv::Malformed),
            }
        }
        Kind::Signed(..) | Kind::Other => conv_signed(n),
    }
}

/// Numeric equality across int, bool, float and complex; structural
/// equality otherwise (what set and dict members are compared with).
pub(super) fn py_eq(a: &PyVal, b: &PyVal) -> bool {
    fn num(v: &PyVal) -> Option<(f64, f64, Option<&PyInt>)> {
        match v {
            PyVal::Int(i) => Some((int_to_f64(i), 0.0, Some(i))),
            PyVal::Bool(b) => Some((f64::from(u8::from(*b)), 0.0, None)),
            PyVal::Float(f) => Some((*f, 0.0, None)),
            PyVal::Complex(r, i) => Some((*r, *i, None)),
            _ => None,
        }
    }
    match (a, b) {
        (PyVal::Int(x), PyVal::Int(y)) => x == y,
        (PyVal::Tuple(x), PyVal::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (PyVal::Str(x), PyVal::Str(y)) => x == y,
        (PyVal::Bytes(x), PyVal::Bytes(y)) => x == y,
        (PyVal::None, PyVal::None) | (PyVal::Ellipsis, PyVal::Ellipsis) => true,
        _ => match (num(a), num(b)) {
            (Some((ar, ai, an)), Some((br, bi, bn))) => {
                // Big ints compare exactly with each other (above);
                // with floats only if exactly representable.
                let big = |n: Option<&PyInt>| n.is_some_and(|i| i.to_f64_exact().is_none());
                if big(an) || big(bn) {
                    return false;
                }
                ar == br && ai == bi
            }
            _ => false,
        },
    }
}

/// `hash()`: an error for unhashable values, `None` when the hash is not
/// reproducible here (strings and bytes are salted per process; `None`
/// and `...` hash by address).
pub(super) fn hash_of(v: &PyVal) -> Result<Option<i64>, Conv> {
    Ok(match v {
        PyVal::List(_) => return Err(Conv::Raise("TypeError: unhashable type: 'list'".to_owned())),
        PyVal::Dict(_) => return Err(Conv::Raise("TypeError: unhashable type: 'dict'".to_owned())),
        PyVal::Set(_) => return Err(Conv::Raise("TypeError: unhashable type: 'set'".to_owned())),
        PyVal::Tuple(items) => {
            for i in items {
                hash_of(i)?;
            }
            None
        }
        PyVal::Int(i) => Some(i.hash()),
        PyVal::Bool(b) => Some(i64::from(*b)),
        PyVal::Float(f) if f.fract() == 0.0 && f.is_finite() && f.abs() < 9.0e15 => {
            let h = *f as i64;
            Some(if h == -1 { -2 } else { h })
        }
        _ => None,
    })
}

/// CPython 3.11's set table (`set_add_entry`, `set_table_resize`), for
/// members whose hashes are reproducible.
pub(super) struct SetBuilder {
    table: Vec<Option<(i64, PyVal)>>,
    fill: usize,
    /// Members whose hash cannot be reproduced: their order neither.
    unordered: Vec<PyVal>,
}

impl SetBuilder {
    fn new() -> SetBuilder {
        SetBuilder {
            table: vec![None; 8],
            fill: 0,
            unordered: Vec::new(),
        }
    }

    fn mask(&self) -> usize {
        self.table.len() - 1
    }

    fn add(&mut self, v: PyVal) -> Result<(), Conv> {
        let Some(hash) = hash_of(&v)? else {
            let present = self.unordered.iter().any(|u| py_eq(u, &v))
                || self.table.iter().flatten().any(|(_, u)| py_eq(u, &v));
            if !present {
                self.unordered.push(v);
            }
            return Ok(());
        };
        let mask = self.mask();
        let mut i = (hash as u64 as usize) & mask;
        let mut perturb = hash as u64;
        loop {
            let probes = if i + 9 <= mask { 9 } else { 0 };
            for k in 0..=probes {
                match self.table.get(i + k) {
                    Some(None) => {
                        if let Some(slot) = self.table.get_mut(i + k) {
                            *slot = Some((hash, v));
                        }
                        self.fill += 1;
                        if self.fill * 5 >= mask * 3 {
                            self.resize();
                        }
                        return Ok(());
                    }
                    Some(Some((h, u))) if *h == hash && py_eq(u, &v) => return Ok(()),
                    _ => {}
                }
            }
            perturb >>= 5;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn resize(&mut self) {
        let used = self.fill;
        let minused = if used > 50_000 { used * 2 } else { used * 4 };
        let mut size = 8;
        while size <= minused {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![None; size]);
        let mask = size - 1;
        for (hash, v) in old.into_iter().flatten() {
            let mut i = (hash as u64 as usize) & mask;
            let mut perturb = hash as u64;
            'probe: loop {
                let probes = if i + 9 <= mask { 9 } else { 0 };
                for k in 0..=probes {
                    if let Some(slot @ None) = self.table.get_mut(i + k) {
                        *slot = Some((hash, v));
                        break 'probe;
                    }
                }
                perturb >>= 5;
                i = (i
                    .wrapping_mul(5)
                    .wrapping_add(1)
                    .wrapping_add(perturb as usize))
                    & mask;
            }
        }
    }

    fn finish(self) -> Result<Vec<PyVal>, Conv> {
        let ordered: Vec<PyVal> = self.table.into_iter().flatten().map(|(_, v)| v).collect();
        if !self.unordered.is_empty() && ordered.len() + self.unordered.len() > 1 {
            return Err(Conv::Unsupported(
                "a set whose order (hash order) is not reproducible".to_owned(),
            ));
        }
        let mut all = ordered;
        all.extend(self.unordered);
        Ok(all)
    }
}

/// `str(value)`.
pub(super) fn py_str(v: &PyVal) -> Result<String, Conv> {
    match v {
        PyVal::Str(s) => Ok(s.clone()),
        other => py_repr(other),
    }
}

pub(super) fn float_part(f: f64) -> String {
    let r = crate::value::float_repr(f);
    r.strip_suffix(".0").map(str::to_owned).unwrap_or(r)
}

/// `repr(value)`; `Malformed` (a `ValueError`) for ints too long to print.
pub(super) fn py_repr(v: &PyVal) -> Result<String, Conv> {
    Ok(match v {
        PyVal::Int(i) => i.decimal().ok_or(Conv::Malformed)?,
        PyVal::Bool(true) => "True".to_owned(),
        PyVal::Bool(false) => "False".to_owned(),
        PyVal::Float(f) => crate::value::float_repr(*f),
        PyVal::Complex(re, im) => {
            if *re == 0.0 && re.is_sign_positive() {
                format!("{}j", float_part(*im))
            } else {
                let imag = float_part(*im);
                let imag = if imag.starts_with('-') {
                    imag
                } else {
                    format!("+{imag}")
                };
                format!("({}{imag}j)", float_part(*re))
            }
        }
        PyVal::Str(s) => pycompat::value::str_repr(s),
        PyVal::Bytes(b) => pycompat::str::bytes_repr(b),
        PyVal::None => "None".to_owned(),
        PyVal::Ellipsis => "Ellipsis".to_owned(),
        PyVal::Tuple(items) => {
            let parts = items.iter().map(py_repr).collect::<Result<Vec<_>, _>>()?;
            if parts.len() == 1 {
                format!("({},)", parts.concat())
            } else {
                format!("({})", parts.join(", "))
            }
        }
        PyVal::List(items) => {
            let parts = items.iter().map(py_repr).collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", parts.join(", "))
        }
        PyVal::Set(items) if items.is_empty() => "set()".to_owned(),
        PyVal::Set(items) => {
            let parts = items.iter().map(py_repr).collect::<Result<Vec<_>, _>>()?;
            format!("{{{}}}", parts.join(", "))
        }
        PyVal::Dict(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for (k, v) in items {
                parts.push(format!("{}: {}", py_repr(k)?, py_repr(v)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
    })
}
