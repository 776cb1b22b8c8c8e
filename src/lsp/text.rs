//! Text positions and document addresses: byte offsets ↔ LSP positions (lines and UTF-16
//! code units, as the protocol says), incremental edits, and `file://` URIs ↔ paths.
//!
//! Architecture Invariant: every conversion between forge's byte offsets and the protocol's
//! positions goes through [`LineIndex`], so non-ASCII text, tabs and CRLF line ends are
//! handled in one tested place.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

/// The line starts of one text, for converting offsets and positions.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text` (lines end at `\n`; a `\r` before it belongs to the line end).
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, moved back to a character start).
    pub fn position(&self, offset: usize) -> Position {
        let offset = crate::source::floor_char_boundary(self.text, offset);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character = self.text[start..offset].encode_utf16().count();
        Position::new(to_u32(line), to_u32(character))
    }

    /// The range of a byte range.
    pub fn range(&self, range: std::ops::Range<usize>) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of a position; a character past the end of its line means the line's
    /// end (before `\r\n`), a line past the end of the text means the text's end.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else { return self.text.len() };
        let end = self.starts.get(pos.line as usize + 1).map_or(self.text.len(), |&e| e - 1);
        let line = &self.text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Applies one `didChange` event: a whole new text, or a range replaced.
pub fn apply_change(text: &mut String, change: &TextDocumentContentChangeEvent) {
    match change.range {
        None => change.text.clone_into(text),
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(range.start);
            let end = index.offset(range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// The path of a `file://` URI (percent-escapes decoded); `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` names a host; only local files are read.
    let path = &rest[rest.find('/')?..];
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(b) = path.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// The `file://` URI of an absolute path, with the characters a URI path may not hold escaped.
pub fn path_to_uri(path: &Path) -> Uri {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.parse().unwrap_or_else(|_| "file:///".parse().expect("a constant URI parses"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_skip_crlf() {
        // `é` is one UTF-16 unit and two bytes, `😀` two units and four bytes; a tab is one.
        let text = "a = \"é😀x\"\r\n\tb = 1\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x), Position::new(0, 8));
        assert_eq!(index.offset(Position::new(0, 8)), x);
        let b = text.find('b').unwrap();
        assert_eq!(index.position(b), Position::new(1, 1));
        assert_eq!(index.offset(Position::new(1, 1)), b);
        // Past the end of a CRLF line: the line's end, before `\r`.
        assert_eq!(index.offset(Position::new(0, 99)), text.find('\r').unwrap());
        assert_eq!(index.position(text.find('\r').unwrap()), Position::new(0, 10));
        // Past the last line: the end of the text.
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        assert_eq!(index.position(text.len()), Position::new(2, 0));
        // An offset inside a character is moved back to its start.
        let e = text.find('é').unwrap();
        assert_eq!(index.position(e + 1), Position::new(0, 5));
        // Every character start round-trips.
        for (i, _) in text.char_indices().filter(|&(_, c)| c != '\n') {
            assert_eq!(index.offset(index.position(i)), i, "offset {i}");
        }
    }

    #[test]
    fn incremental_changes_replace_utf16_ranges() {
        let mut text = "é = 1\nb = 2\n".to_string();
        let change = |range: Option<Range>, t: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: t.to_string(),
        };
        apply_change(&mut text, &change(Some(Range::new(Position::new(0, 4), Position::new(0, 5))), "10"));
        assert_eq!(text, "é = 10\nb = 2\n");
        apply_change(&mut text, &change(Some(Range::new(Position::new(1, 0), Position::new(2, 0))), ""));
        assert_eq!(text, "é = 10\n");
        apply_change(&mut text, &change(None, "new"));
        assert_eq!(text, "new");
    }

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/my templates/é.pkr.hcl");
        let uri = path_to_uri(path);
        assert_eq!(uri.as_str(), "file:///tmp/my%20templates/%C3%A9.pkr.hcl");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        assert_eq!(uri_to_path(&"untitled:1".parse().unwrap()), None);
    }
}
