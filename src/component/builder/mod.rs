//! Builders: what turns a `source` into an artifact.

pub mod file;
pub mod null;
