//! `oslo_policy_rs._native`: oslo-policy's evaluator for Python's
//! oslo.policy. The package around it (`oslo_policy_rs/__init__.py`)
//! installs `hook::Hook` as `oslo_policy._checks._check`; `rules`
//! offers oslo-policy's `Rules` directly.
//!
//! Our code is safe Rust (the workspace forbids `unsafe`; PyO3's macros
//! expand their own unsafe blocks at their call sites, which the lint
//! accepts).

mod compile;
mod convert;
mod hook;
mod rules;

use pyo3::prelude::*;

#[pymodule(gil_used = true)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<hook::Hook>()?;
    m.add_class::<hook::State>()?;
    m.add_class::<rules::Rules>()?;
    m.add_function(wrap_pyfunction!(hook::bump, m)?)?;
    m.add_function(wrap_pyfunction!(hook::generation, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("VERSION", oslo_policy::VERSION)?;
    Ok(())
}
