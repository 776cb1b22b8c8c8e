//! Packer's machine-readable records: `<unix time>,<target>,<type>,<data...>`, each field
//! escaped.

use std::time::{SystemTime, UNIX_EPOCH};

/// Escapes one field as Packer does: commas become `%!(PACKER_COMMA)`, line breaks `\n`/`\r`.
pub fn escape(field: &str) -> String {
    field.replace(',', "%!(PACKER_COMMA)").replace('\r', "\\r").replace('\n', "\\n")
}

/// One record line (without the line break), stamped with the current time.
pub fn record(target: &str, fields: &[&str]) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let data: Vec<String> = fields.iter().map(|f| escape(f)).collect();
    format!("{now},{target},{}", data.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_and_line_breaks_are_escaped() {
        assert_eq!(escape("a,b\nc\r"), "a%!(PACKER_COMMA)b\\nc\\r");
        let line = record("file.a", &["ui", "say", "x,y"]);
        assert!(line.ends_with(",file.a,ui,say,x%!(PACKER_COMMA)y"), "{line}");
    }
}
