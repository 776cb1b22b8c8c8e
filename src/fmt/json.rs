//! Canonical JSON templates: two-space indentation, every key in its order and every value
//! exactly as written (numbers as written, strings with their escapes); duplicate keys are a
//! diagnostic, never merged.

use jsonc_parser::CollectOptions;
use jsonc_parser::ast::{ObjectPropName, Value};

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Formats a JSON document.
///
/// # Errors
/// A syntax error or a duplicate key.
pub fn format(file: FileId, src: &str) -> Result<String, Diagnostic> {
    let options = crate::syntax::json::strict_options();
    let parsed = jsonc_parser::parse_to_ast(src, &CollectOptions::default(), &options).map_err(|e| {
        let r = e.range();
        Diagnostic::error(
            Code::SyntaxError,
            Span::new(file, r.start..r.end.max(r.start + 1).min(src.len())),
            format!("invalid JSON: {}", e.kind()),
        )
    })?;
    let Some(root) = parsed.value else {
        return Ok(String::new());
    };
    let mut out = String::with_capacity(src.len());
    write(&mut out, &root, 0, src, file)?;
    out.push('\n');
    Ok(out)
}

fn write(out: &mut String, v: &Value<'_>, depth: usize, src: &str, file: FileId) -> Result<(), Diagnostic> {
    let pad = |d: usize| "  ".repeat(d);
    match v {
        Value::Object(o) if o.properties.is_empty() => out.push_str("{}"),
        Value::Object(o) => {
            out.push_str("{\n");
            let mut seen: Vec<&str> = Vec::new();
            for (i, p) in o.properties.iter().enumerate() {
                let (name, range) = match &p.name {
                    ObjectPropName::String(s) => (s.value.as_ref(), s.range),
                    ObjectPropName::Word(w) => (w.value, w.range),
                };
                if seen.contains(&name) {
                    return Err(Diagnostic::error(
                        Code::DuplicateKey,
                        Span::new(file, range.start..range.end),
                        format!("duplicate key `{name}`"),
                    )
                    .with_help("keep one of the two; forge does not merge them"));
                }
                seen.push(name);
                out.push_str(&pad(depth + 1));
                out.push_str(&src[range.start..range.end]);
                out.push_str(": ");
                write(out, &p.value, depth + 1, src, file)?;
                if i + 1 < o.properties.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(a) if a.elements.is_empty() => out.push_str("[]"),
        Value::Array(a) => {
            out.push_str("[\n");
            for (i, e) in a.elements.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write(out, e, depth + 1, src, file)?;
                if i + 1 < a.elements.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        Value::StringLit(s) => out.push_str(&src[s.range.start..s.range.end]),
        Value::NumberLit(n) => out.push_str(&src[n.range.start..n.range.end]),
        Value::BooleanLit(b) => out.push_str(&src[b.range.start..b.range.end]),
        Value::NullKeyword(n) => out.push_str(&src[n.range.start..n.range.end]),
    }
    Ok(())
}
