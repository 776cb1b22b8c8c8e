//! Canonical TOML templates and variable files, with taplo's formatter (comments kept,
//! idempotent). A file that does not parse is never formatted: taplo would reorder it.

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Formats a TOML document.
///
/// # Errors
/// The syntax error `toml` found.
pub fn format(file: FileId, src: &str) -> Result<String, Diagnostic> {
    if let Err(e) = toml::de::DeTable::parse(src) {
        let r = e.span().unwrap_or(0..0);
        let end = r.end.max(r.start + 1).min(src.len().max(r.start));
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim().to_string();
        return Err(Diagnostic::error(
            Code::SyntaxError,
            Span::new(file, r.start..end),
            format!("invalid TOML: {message}"),
        )
        .with_help("fix the syntax; forge does not format a file that does not parse"));
    }
    let options = taplo::formatter::Options { column_width: 100, ..taplo::formatter::Options::default() };
    Ok(taplo::formatter::format(src, options))
}
