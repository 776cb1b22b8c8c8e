//! Builders: what turns a `source` into an artifact.

pub mod amazon_ebs;
pub(crate) mod amazon_ebs_run;
pub mod file;
pub mod null;
