//! Semantic tokens for HCL and TOML templates, read from the text (so a file that does not
//! parse is still highlighted): block types, component types, argument keys, references
//! (`var.x`, `local.y`…), function calls, strings, interpolation delimiters, numbers, comments.
//! Editors without a Packer grammar highlight templates from these.

use lsp_types::{SemanticToken, SemanticTokenType, SemanticTokensLegend};

use crate::lsp::text::LineIndex;

/// The token types, in the order of the legend.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::TYPE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::STRING,
    SemanticTokenType::MACRO,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Keyword,
    Type,
    Property,
    Variable,
    Function,
    Str,
    Interpolation,
    Number,
    Comment,
}

/// The legend the server declares.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: Vec::new() }
}

/// The keywords whose first label is a component type.
const COMPONENT_BLOCKS: &[&str] = &["source", "data", "provisioner", "post-processor", "error-cleanup-provisioner"];
const ROOTS: &[&str] = &["var", "local", "source", "data", "path", "build", "each", "count"];

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

struct Lexer<'a> {
    text: &'a str,
    out: Vec<(usize, usize, Kind)>,
}

impl Lexer<'_> {
    fn push(&mut self, start: usize, end: usize, kind: Kind) {
        if end > start {
            self.out.push((start, end, kind));
        }
    }

    /// An HCL expression or body from `i` until `stop` (a closing `}` at depth 0 when inside an
    /// interpolation); returns where it stopped.
    fn code(&mut self, mut i: usize, interpolation: bool) -> usize {
        let b = self.text.as_bytes();
        let mut depth = 0usize;
        let mut statement_start = true;
        let mut header: Option<String> = None;
        let mut labels = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'#' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
                let end = self.text[i..].find('\n').map_or(b.len(), |e| i + e);
                self.push(i, end, Kind::Comment);
                i = end;
                continue;
            }
            if c == b'/' && b.get(i + 1) == Some(&b'*') {
                let end = self.text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                self.push(i, end, Kind::Comment);
                i = end;
                continue;
            }
            if c == b'"' {
                let first_label = header.as_deref().is_some_and(|h| COMPONENT_BLOCKS.contains(&h)) && labels == 0;
                let end = self.string(i, if first_label { Kind::Type } else { Kind::Str });
                if header.is_some() {
                    labels += 1;
                }
                i = end;
                statement_start = false;
                continue;
            }
            if c == b'<' && b.get(i + 1) == Some(&b'<') {
                let rest = self.text[i + 2..].trim_start_matches('-');
                let marker: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !marker.is_empty() {
                    let body = self.text[i..].find('\n').map_or(b.len(), |e| i + e + 1);
                    let mut end = b.len();
                    let mut pos = body;
                    for line in self.text[body..].split_inclusive('\n') {
                        if line.trim() == marker {
                            end = pos + line.trim_end().len();
                            break;
                        }
                        pos += line.len();
                    }
                    self.push(i, end, Kind::Str);
                    i = end;
                    continue;
                }
            }
            if c.is_ascii_digit() {
                let start = i;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'e') {
                    i += 1;
                }
                self.push(start, i, Kind::Number);
                statement_start = false;
                continue;
            }
            if c.is_ascii_alphabetic() || c == b'_' {
                let start = i;
                while i < b.len() && is_word(b[i]) {
                    i += 1;
                }
                let word = &self.text[start..i];
                let next = self.text[i..].trim_start_matches([' ', '\t']).as_bytes().first().copied();
                let kind = if statement_start && depth == 0 && !interpolation {
                    match next {
                        Some(b'=') => Some(Kind::Property),
                        Some(b'{' | b'"') => {
                            header = Some(word.to_string());
                            labels = 0;
                            Some(Kind::Keyword)
                        }
                        _ => None,
                    }
                } else if next == Some(b'(') {
                    Some(Kind::Function)
                } else if ROOTS.contains(&word) && b.get(i) == Some(&b'.') {
                    // The whole reference: `var.name`, `data.http.x.body`.
                    while i < b.len() && (is_word(b[i]) || b[i] == b'.') {
                        i += 1;
                    }
                    Some(Kind::Variable)
                } else if matches!(word, "true" | "false" | "null" | "for" | "in" | "if" | "endif" | "endfor" | "else")
                {
                    Some(Kind::Keyword)
                } else {
                    None
                };
                if let Some(kind) = kind {
                    self.push(start, i, kind);
                }
                statement_start = false;
                continue;
            }
            match c {
                b'{' | b'(' | b'[' => {
                    if c == b'{' && header.take().is_some() {
                        statement_start = true;
                        i += 1;
                        continue;
                    }
                    depth += 1;
                }
                b'}' | b')' | b']' => {
                    if depth == 0 {
                        if interpolation && c == b'}' {
                            return i;
                        }
                    } else {
                        depth -= 1;
                    }
                }
                b'\n' if depth == 0 => {
                    statement_start = true;
                    header = None;
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// A quoted string from its opening quote, interpolations lexed as code; returns the
    /// offset after the closing quote.
    fn string(&mut self, open: usize, kind: Kind) -> usize {
        let b = self.text.as_bytes();
        let mut i = open + 1;
        let mut run = open;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => {
                    self.push(run, i + 1, kind);
                    return i + 1;
                }
                b'\n' => {
                    self.push(run, i, kind);
                    return i;
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    self.push(run, i, kind);
                    self.push(i, i + 2, Kind::Interpolation);
                    let end = self.code(i + 2, true);
                    if end < b.len() {
                        self.push(end, end + 1, Kind::Interpolation);
                    }
                    i = end + 1;
                    run = i;
                }
                _ => i += 1,
            }
        }
        self.push(run, b.len(), kind);
        b.len()
    }

    /// A TOML text: headers, keys, strings (with interpolations), numbers, comments.
    fn toml(&mut self) {
        let mut pos = 0;
        for line in self.text.split_inclusive('\n') {
            let start = pos;
            pos += line.len();
            let trimmed = line.trim_start();
            let lead = start + (line.len() - trimmed.len());
            if trimmed.starts_with('#') {
                self.push(lead, start + line.trim_end().len(), Kind::Comment);
                continue;
            }
            if trimmed.starts_with('[') {
                // `[source.TYPE.NAME]`: the block keyword, then the component type.
                let inner_start = lead + trimmed.find(|c: char| c != '[').unwrap_or(0);
                let inner_end = start + line.find(']').unwrap_or(line.trim_end().len());
                let mut at = inner_start;
                for (n, part) in self.text[inner_start..inner_end].split('.').enumerate() {
                    let kind = match n {
                        0 => Some(Kind::Keyword),
                        1 if ["source", "data"].iter().any(|k| self.text[inner_start..].starts_with(k)) => {
                            Some(Kind::Type)
                        }
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        self.push(at, at + part.len(), kind);
                    }
                    at += part.len() + 1;
                }
                continue;
            }
            if let Some(eq) = trimmed.find('=') {
                let key = trimmed[..eq].trim_end();
                self.push(lead, lead + key.len(), Kind::Property);
                let mut i = lead + eq + 1;
                let b = self.text.as_bytes();
                while i < pos {
                    match b[i] {
                        b'"' => i = self.string(i, Kind::Str).max(i + 1),
                        b'#' => {
                            self.push(i, start + line.trim_end().len(), Kind::Comment);
                            break;
                        }
                        c if c.is_ascii_digit() => {
                            let s = i;
                            while i < pos && (b[i].is_ascii_digit() || b[i] == b'.') {
                                i += 1;
                            }
                            self.push(s, i, Kind::Number);
                        }
                        b't' | b'f' if self.text[i..].starts_with("true") || self.text[i..].starts_with("false") => {
                            let len = if b[i] == b't' { 4 } else { 5 };
                            self.push(i, i + len, Kind::Keyword);
                            i += len;
                        }
                        _ => i += 1,
                    }
                }
            }
        }
    }
}

/// The semantic tokens of an HCL (`toml` false) or TOML text, encoded as the protocol says.
pub fn tokens(text: &str, toml: bool) -> Vec<SemanticToken> {
    let mut lexer = Lexer { text, out: Vec::new() };
    if toml {
        lexer.toml();
    } else {
        lexer.code(0, false);
    }
    let mut spans = lexer.out;
    spans.sort_by_key(|s| s.0);
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    let mut last_end = 0;
    for (start, end, kind) in spans {
        if start < last_end {
            continue;
        }
        last_end = end;
        // A token never spans lines: a multi-line string becomes one token per line.
        let mut s = start;
        while s < end {
            let line_end = text[s..end].find('\n').map_or(end, |e| s + e);
            let (a, b) = (index.position(s), index.position(line_end));
            if b.character > a.character {
                let delta_line = a.line - line;
                let delta_start = if delta_line == 0 { a.character - col } else { a.character };
                out.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: b.character - a.character,
                    token_type: kind as u32,
                    token_modifiers_bitset: 0,
                });
                line = a.line;
                col = a.character;
            }
            s = line_end + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens as (text, type) pairs.
    fn decoded(text: &str, toml: bool) -> Vec<(String, String)> {
        let index = LineIndex::new(text);
        let (mut line, mut col) = (0, 0);
        tokens(text, toml)
            .into_iter()
            .map(|t| {
                line += t.delta_line;
                col = if t.delta_line == 0 { col + t.delta_start } else { t.delta_start };
                let start = index.offset(lsp_types::Position::new(line, col));
                let end = index.offset(lsp_types::Position::new(line, col + t.length));
                (text[start..end].to_string(), TYPES[t.token_type as usize].as_str().to_string())
            })
            .collect()
    }

    #[test]
    fn hcl_tokens() {
        let text = "# é\nsource \"null\" \"a\" {\n  communicator = \"${var.x}-${upper(local.y)}\"\n  n = 3\n}\n";
        let got = decoded(text, false);
        let want: Vec<(&str, &str)> = vec![
            ("# é", "comment"),
            ("source", "keyword"),
            ("\"null\"", "type"),
            ("\"a\"", "string"),
            ("communicator", "property"),
            ("\"", "string"),
            ("${", "macro"),
            ("var.x", "variable"),
            ("}", "macro"),
            ("-", "string"),
            ("${", "macro"),
            ("upper", "function"),
            ("local.y", "variable"),
            ("}", "macro"),
            ("\"", "string"),
            ("n", "property"),
            ("3", "number"),
        ];
        let want: Vec<(String, String)> = want.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn toml_tokens() {
        let text = "[source.null.a]\ncommunicator = \"${var.x}\" # c\nn = true\n";
        let got = decoded(text, true);
        let names: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            names,
            [
                ("source", "keyword"),
                ("null", "type"),
                ("communicator", "property"),
                ("\"", "string"),
                ("${", "macro"),
                ("var.x", "variable"),
                ("}", "macro"),
                ("\"", "string"),
                ("# c", "comment"),
                ("n", "property"),
                ("true", "keyword"),
            ]
        );
    }
}
