//! Post-processors: steps that turn one artifact into another.

pub mod artifice;
pub mod checksum;
pub mod compress;
pub mod manifest;
pub mod shell_local;
