//! What Packer's Go code does that forge must do the same way, each written once: calendar
//! arithmetic, durations, POSIX shell quoting, machine-readable record fields, Go's `%q`.
//!
//! Architecture Invariant: imports nothing from the crate (layer 0), so every layer can share
//! these helpers instead of keeping its own copy.

pub mod civil;
pub mod duration;
pub mod machine;
pub mod shell;
pub mod strconv;
