//! Builders: what turns a `source` into an artifact.

pub mod amazon_ebs;
pub mod file;
pub mod null;
