//! Packer's machine-readable records on the CLI's own output (validate, inspect); the format
//! is `crate::gocompat::machine`'s, the same the build printer writes.

use std::io::Write;

/// Writes one record line.
pub fn record(out: &mut dyn Write, target: &str, fields: &[&str]) -> std::io::Result<()> {
    writeln!(out, "{}", crate::gocompat::machine::record(target, fields))
}
