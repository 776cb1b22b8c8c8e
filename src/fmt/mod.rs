//! Formatters, one per syntax: HCL exactly as `packer fmt` (hclwrite), legacy JSON and
//! HCL-JSON canonically indented, TOML canonically laid out.
//!
//! Architecture Invariant: formatters work on text and tokens, never on the IR; a file that
//! does not parse is never rewritten (the caller gets the syntax diagnostic instead).

pub mod hcl;
pub mod json;
mod lexer;
pub mod toml;

use crate::diag::{Code, Diagnostic};
use crate::source::FileId;

/// Formats an HCL file; `Err` with the syntax error when it does not parse.
///
/// # Errors
/// The file's syntax error.
pub fn format_hcl(file: FileId, src: &str) -> Result<String, Diagnostic> {
    match crate::syntax::hcl::check_syntax(file, src) {
        // hcl-edit refuses a repeated object key while parsing; HCL's own parser (and so
        // `packer fmt`) accepts it, so the file is still formatted.
        Err(d) if d.code != Code::DuplicateKey => Err(d),
        _ => Ok(hcl::format(src)),
    }
}
