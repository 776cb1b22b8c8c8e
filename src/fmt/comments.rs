//! The comments of an HCL or TOML file, for `forge convert` to carry into another syntax: each
//! with the offset of the line it is on and its text without the comment markers. Heredocs and
//! strings are skipped (a `#` in a shell script is not a comment).

use crate::fmt::lexer::{Kind, lex};

/// One comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The offset of the start of its line: a comment after code belongs to the item on its line.
    pub line_start: usize,
    /// Its lines, markers removed.
    pub lines: Vec<String>,
}

fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn strip_marker(text: &str) -> Vec<String> {
    let one = |l: &str| l.strip_prefix(' ').unwrap_or(l).trim_end().to_string();
    if let Some(rest) = text.strip_prefix("/*") {
        let body = rest.strip_suffix("*/").unwrap_or(rest);
        return body
            .lines()
            .map(|l| {
                let t = l.trim_start();
                one(t.strip_prefix('*').filter(|_| !t.starts_with("*/")).unwrap_or(t))
            })
            .skip_while(String::is_empty)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .skip_while(String::is_empty)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
    }
    let l = text.trim_end_matches(['\n', '\r']);
    let l = l.strip_prefix("//").or_else(|| l.strip_prefix('#')).unwrap_or(l);
    vec![one(l)]
}

/// The comments of an HCL file, by hclsyntax's token rules.
pub fn hcl(src: &str) -> Vec<Comment> {
    lex(src)
        .into_iter()
        .filter(|t| t.kind == Kind::Comment)
        .map(|t| Comment { line_start: line_start(src, t.start), lines: strip_marker(t.text) })
        .collect()
}

/// The comments of a TOML file.
pub fn toml(src: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            let delim = &rest[..3];
            let mut j = i + 3;
            while j < b.len() && !src[j..].starts_with(delim) {
                j += if delim == "\"\"\"" && b[j] == b'\\' { 2 } else { 1 };
            }
            i = j + 3;
            continue;
        }
        match b[i] {
            q @ (b'"' | b'\'') => {
                let mut j = i + 1;
                while j < b.len() && b[j] != q && b[j] != b'\n' {
                    j += if q == b'"' && b[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
            }
            b'#' => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                out.push(Comment { line_start: line_start(src, i), lines: strip_marker(&src[i..end]) });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_comments_but_not_heredoc_lines() {
        let src = "# top\nx = 1 // after\n/*\n * block\n */\ny = <<EOT\n# not a comment\nEOT\n";
        let found: Vec<Vec<String>> = hcl(src).into_iter().map(|c| c.lines).collect();
        assert_eq!(found, vec![vec!["top".to_string()], vec!["after".to_string()], vec!["block".to_string()]]);
        assert_eq!(hcl(src)[1].line_start, 6);
    }

    #[test]
    fn toml_comments_but_not_strings() {
        let src = "# top\na = \"#no\" # yes\nb = \"\"\"\n# no\n\"\"\"\n";
        let found: Vec<Vec<String>> = toml(src).into_iter().map(|c| c.lines).collect();
        assert_eq!(found, vec![vec!["top".to_string()], vec!["yes".to_string()]]);
    }
}
