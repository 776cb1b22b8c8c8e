//! Evaluation: variables by Packer's precedence, locals in dependency order, expressions with
//! the function library, producing values that are known, deferred or sensitive.
//!
//! Architecture Invariant: evaluation is synchronous and deterministic apart from the clock and
//! files read through `Vfs`; it never starts a process or opens a socket.

pub mod functions;
pub mod value;
