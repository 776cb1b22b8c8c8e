//! forge: a declarative, Packer-compatible machine-image template compiler and build runner.
//!
//! The modules, in reading order and by layer (see `ARCHITECTURE.md`): `source` (files, spans),
//! `diag` (diagnostics), `ir` (the shared template model), `syntax` (the four readers),
//! `validate` (structural checks), `driver` (one function per command) and `cli`.

pub mod cli;
pub mod component;
pub mod diag;
pub mod driver;
pub mod eval;
pub mod exec;
pub mod fmt;
pub mod ir;
pub mod plan;
pub mod source;
pub mod syntax;
pub mod validate;

#[cfg(test)]
mod tidy;
