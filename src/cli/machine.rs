//! Packer's machine-readable records: `<unix time>,<target>,<type>,<data...>`.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Escapes one field as Packer does: commas become `%!(PACKER_COMMA)`, newlines `\n`.
pub fn escape(field: &str) -> String {
    field.replace(',', "%!(PACKER_COMMA)").replace('\n', "\\n").replace('\r', "\\r")
}

/// Writes one record line.
pub fn record(out: &mut dyn Write, target: &str, fields: &[&str]) -> std::io::Result<()> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let data: Vec<String> = fields.iter().map(|f| escape(f)).collect();
    writeln!(out, "{now},{target},{}", data.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_and_newlines_are_escaped() {
        assert_eq!(escape("a,b\nc"), "a%!(PACKER_COMMA)b\\nc");
    }
}
