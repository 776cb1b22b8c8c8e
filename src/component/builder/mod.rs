//! Builders: what turns a `source` into an artifact.

pub mod amazon_ebs;
mod amazon_ebs_image;
mod amazon_ebs_network;
pub(crate) mod amazon_ebs_run;
pub mod docker;
pub mod docker_run;
pub mod docker_run_command;
pub mod file;
pub mod null;
