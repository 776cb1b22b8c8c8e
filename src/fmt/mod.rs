//! Formatters, one per syntax: HCL exactly as `packer fmt` (hclwrite), legacy JSON and
//! HCL-JSON canonically indented, TOML canonically laid out.
//!
//! Architecture Invariant: formatters work on text and tokens, never on the IR; a file that
//! does not parse is never rewritten (the caller gets the syntax diagnostic instead).

mod check;
pub mod comments;
pub mod hcl;
pub mod json;
mod lexer;
pub mod toml;

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Formats an HCL file; `Err` with the syntax error when it does not parse.
///
/// The gate is [`check`], HCL's own grammar (`hclsyntax`) on the formatter's tokens, so forge
/// refuses exactly the files `packer fmt` refuses, and the file is lexed once for both.
///
/// # Errors
/// The file's first syntax error.
pub fn format_hcl(file: FileId, src: &str) -> Result<String, Diagnostic> {
    // Like hclsyntax, a UTF-8 byte-order mark is not part of the text (hclwrite drops it).
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let tokens = lexer::lex(text);
    match check::check(&tokens) {
        Ok(()) => Ok(hcl::format_tokens(text.len(), tokens)),
        Err(e) => Err(syntax_diagnostic(file, src.len() - text.len(), e)),
    }
}

/// The gate's error as a diagnostic; `base` is where the text checked starts in the file.
fn syntax_diagnostic(file: FileId, base: usize, e: check::SyntaxError) -> Diagnostic {
    let span = |r: std::ops::Range<usize>| Span::new(file, base + r.start..base + r.end);
    let summary = e.summary.to_lowercase();
    let d = Diagnostic::error(Code::SyntaxError, span(e.at), format!("invalid HCL syntax: {summary}"))
        .with_label_message("here")
        .with_help(format!("{} (forge fmt does not rewrite a file that does not parse)", e.detail));
    match e.related {
        Some((range, message)) => d.with_label(span(range), message),
        None => d,
    }
}
