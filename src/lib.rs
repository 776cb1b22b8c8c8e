//! forge: a declarative, Packer-compatible machine-image template compiler and build runner.
//!
//! The modules, in reading order and by layer (see `ARCHITECTURE.md`): `source` (files, spans),
//! `gocompat` (helpers that must behave as Packer's Go code) and `secrets` (the one masker),
//! `diag` (diagnostics), `ir` (the shared template model and build instances), `syntax` (the
//! four readers), `eval` (values, variables, functions) and `fmt` (formatters), `component`
//! (the registry of built-in components and their runs), `validate` and `plan` (checks and
//! lowering), `exec` (the build engine) and `pipeline` (the staged load → check → plan every
//! command shares), `driver` (one function per command), `lsp` (the language server) and `cli`.

pub mod cli;
pub mod component;
pub mod convert;
pub mod diag;
pub mod driver;
pub mod eval;
pub mod exec;
pub mod fmt;
pub mod gocompat;
pub mod ir;
pub mod lsp;
pub mod pipeline;
pub mod plan;
pub mod secrets;
pub mod source;
pub mod syntax;
pub mod validate;

#[cfg(test)]
mod tidy;
