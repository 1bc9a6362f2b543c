//! What the workspace's test suites share (a dev-dependency only, never
//! linked into a shipped binary): finding the Python reference, running
//! oracle scripts, a seeded [`Rng`] and the one seed variable
//! ([`SEED_VAR`]). These panic on failure, as test code does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod reference;
mod rng;

pub use reference::{
    conformance, oracle_agrees, oracle_lines, reference_python, reference_python_exact,
    rootwrap_corpus, rootwrap_reference_python, workspace,
};
pub use rng::{Rng, SEED_VAR, seed, seed_override};
