//! Maps byte offsets inside a decoded string back to the raw source, so that an error inside
//! `"a\"b{{ bad }}"` points at the right column even though escapes changed the lengths.

use crate::source::{FileId, Span};

/// How a string literal escapes characters in its syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// No escapes: decoded text equals raw text (TOML literal strings, heredocs).
    None,
    /// Backslash escapes (`\n`, `\"`, `\uXXXX`) as in JSON, HCL and TOML basic strings.
    Backslash,
}

/// Where the decoded bytes of one string literal came from.
#[derive(Debug, Clone)]
pub struct SpanMap {
    file: FileId,
    /// Raw offset of each decoded byte, plus one entry for the end; empty when identity.
    table: Vec<usize>,
    base: usize,
}

impl SpanMap {
    /// The identity map for text starting at `base` in `file`.
    pub fn identity(file: FileId, base: usize) -> SpanMap {
        SpanMap { file, table: Vec::new(), base }
    }

    /// A map for `decoded`, whose raw form `raw` (without quotes) starts at `base`.
    pub fn new(file: FileId, base: usize, raw: &str, decoded: &str, escapes: Escapes) -> SpanMap {
        if escapes == Escapes::None || raw == decoded {
            return SpanMap::identity(file, base);
        }
        let mut table = Vec::with_capacity(decoded.len() + 1);
        let mut r = 0;
        for ch in decoded.chars() {
            let start = r;
            // A raw text that does not match the decoded one (a nested string's offsets) must not
            // panic: past its end, or off a character boundary, positions simply advance.
            let rest = raw.get(r..).unwrap_or("");
            if rest.starts_with('\\') {
                r += escape_len(rest);
            } else {
                r += rest.chars().next().map_or(1, char::len_utf8);
            }
            for _ in 0..ch.len_utf8() {
                table.push(base + start);
            }
        }
        table.push(base + r.min(raw.len()));
        SpanMap { file, table, base }
    }

    /// The raw span of decoded bytes `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if self.table.is_empty() {
            return Span::new(self.file, self.base + start..self.base + end);
        }
        let at = |i: usize| self.table.get(i).or(self.table.last()).copied().unwrap_or(self.base);
        Span::new(self.file, at(start)..at(end))
    }

    /// The same map for the text starting `by` decoded bytes further on.
    #[must_use]
    pub fn shifted(&self, by: usize) -> SpanMap {
        if self.table.is_empty() {
            return SpanMap::identity(self.file, self.base + by);
        }
        let table = self.table.get(by..).map_or_else(|| vec![self.base], <[usize]>::to_vec);
        SpanMap { file: self.file, table, base: self.base }
    }

    /// The file.
    pub fn file(&self) -> FileId {
        self.file
    }
}

fn escape_len(s: &str) -> usize {
    let b = s.as_bytes();
    match b.get(1) {
        Some(b'u') => 6.min(s.len()),
        Some(b'U') => 10.min(s.len()),
        Some(_) => 2,
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_shift_offsets() {
        let m = SpanMap::new(FileId(0), 10, r#"a\"b{{x}}"#, "a\"b{{x}}", Escapes::Backslash);
        // Decoded `{{` starts at 3; raw at 4.
        assert_eq!(m.span(3, 5), Span::new(FileId(0), 14..16));
    }

    #[test]
    fn a_raw_text_shorter_than_the_decoded_one_does_not_panic() {
        let m = SpanMap::new(FileId(0), 0, "", "api_key", Escapes::Backslash);
        assert_eq!(m.span(0, 1).file, FileId(0));
        let m = SpanMap::new(FileId(0), 0, "\\é", "xé", Escapes::Backslash);
        assert_eq!(m.span(0, 1).file, FileId(0));
    }
}
