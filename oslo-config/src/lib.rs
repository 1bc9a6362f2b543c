//! A drop-in replacement for OpenStack's `oslo.config` (10.7.0).

pub mod error;
pub mod generator;
pub mod ini;
pub mod types;
pub mod validator;

pub use error::{Error, Result};
