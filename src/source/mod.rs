//! Source files, byte spans and line/column maths, and the [`Vfs`] door to the file system.
//!
//! Architecture Invariant: this module imports nothing from the crate. Every other front-end
//! module reads files only through [`Vfs`], so tests can run on an in-memory tree.

mod vfs;

pub use vfs::{MemFs, Overlay, RealFs, Vfs};

/// Identifies one file loaded into a [`SourceDb`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range inside one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span over `range` in `file`.
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span { file, start: to_u32(range.start), end: to_u32(range.end.max(range.start)) }
    }

    /// The smallest span covering `self` and `other` (which must be in the same file).
    #[must_use]
    pub fn join(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// A span of the same file shifted `by` bytes to the right.
    #[must_use]
    pub fn shifted(self, by: usize) -> Span {
        let by = to_u32(by);
        Span { file: self.file, start: self.start + by, end: self.end + by }
    }

    /// The byte range as `usize`s.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// The nearest character boundary at or before `offset`, clamped to the text. Byte offsets that
/// do not come from iterating the text itself (another parser's error position, arithmetic on
/// spans) may fall inside a multi-byte character or past the end; every slice by such an
/// offset goes through this, [`char_at`] or [`slice`], so none can panic.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The byte range of the whole character containing `offset` (empty at the end of the text).
pub fn char_at(text: &str, offset: usize) -> std::ops::Range<usize> {
    let start = floor_char_boundary(text, offset);
    let len = text[start..].chars().next().map_or(0, char::len_utf8);
    start..start + len
}

/// `text[range]` with both ends moved back to character boundaries and clamped to the text.
pub fn slice(text: &str, range: std::ops::Range<usize>) -> &str {
    let start = floor_char_boundary(text, range.start);
    let end = floor_char_boundary(text, range.end).max(start);
    &text[start..end]
}

/// A path as a template means it: an absolute path as it is; a relative one against the
/// template's folder `base` — unless it already starts with `base`, because it was built from
/// `path.root` (`"${path.root}/files/x"`), which is itself relative to the working directory.
/// Every component argument, file function and file check resolves paths through this.
pub fn resolve_path(base: &std::path::Path, p: &std::path::Path) -> std::path::PathBuf {
    let base_is_cwd = base.as_os_str().is_empty() || base == std::path::Path::new(".");
    if p.is_absolute() || (base.is_relative() && !base_is_cwd && p.starts_with(base)) {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn to_u32(n: usize) -> u32 {
    // Files over 4 GiB are refused when loaded, so offsets always fit.
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// One loaded file: its name as the user gave it, its text and its line starts.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as given on the command line (or as found in a folder).
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(name: String, text: String) -> SourceFile {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceFile { name, text, line_starts }
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol { line: line + 1, column }
    }

    /// The byte offset of a 1-based line and column (column in characters).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices().nth(column.saturating_sub(1)).map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// Every file of one run, addressed by [`FileId`]. Cloning is cheap (the texts are shared), so
/// a long-lived workspace can hand each analysis its own copy.
#[derive(Debug, Default, Clone)]
pub struct SourceDb {
    files: Vec<std::sync::Arc<SourceFile>>,
}

impl SourceDb {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(std::sync::Arc::new(SourceFile::new(name.into(), text.into())));
        id
    }

    /// Replaces the text of a file, keeping its id (an editor's new version of it).
    ///
    /// # Panics
    /// When the id comes from another database (an internal error).
    pub fn set_text(&mut self, id: FileId, text: impl Into<String>) {
        let name = self.files[id.0 as usize].name.clone();
        self.files[id.0 as usize] = std::sync::Arc::new(SourceFile::new(name, text.into()));
    }

    /// The file behind an id.
    ///
    /// # Panics
    /// When the id comes from another database (an internal error).
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        slice(&self.get(span.file).text, span.range())
    }

    /// All files in load order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), &**f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let mut db = SourceDb::default();
        let id = db.add("a", "ab\né x\n");
        let f = db.get(id);
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // `é` is two bytes but one column.
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 3 });
        assert_eq!(f.offset_of(2, 3), 6);
        // An offset inside `é` (bytes 3..5 of line 2) counts as the character itself.
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(99), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn paths_resolve_against_the_template_folder_once() {
        use std::path::{Path, PathBuf};
        let base = Path::new("templates/web");
        assert_eq!(resolve_path(base, Path::new("files/x")), PathBuf::from("templates/web/files/x"));
        assert_eq!(resolve_path(base, Path::new("templates/web/files/x")), PathBuf::from("templates/web/files/x"));
        assert_eq!(resolve_path(base, Path::new("/etc/hosts")), PathBuf::from("/etc/hosts"));
        assert_eq!(resolve_path(Path::new("."), Path::new("x")), PathBuf::from("./x"));
        assert_eq!(resolve_path(Path::new("/abs/t"), Path::new("x")), PathBuf::from("/abs/t/x"));
    }

    #[test]
    fn offsets_inside_characters_or_past_the_end_never_panic() {
        let text = "a = [é日";
        for offset in 0..=text.len() + 2 {
            let at = floor_char_boundary(text, offset);
            assert!(text.is_char_boundary(at) && at <= offset.min(text.len()));
            let c = char_at(text, offset);
            assert!(text.get(c.clone()).is_some());
            assert!(c.contains(&offset.min(text.len())) || c.is_empty());
            for end in 0..=text.len() + 2 {
                let _ = slice(text, offset..end);
            }
        }
        assert_eq!(char_at(text, 6), 5..7);
        assert_eq!(char_at(text, 8), 7..10);
        assert_eq!(char_at(text, 10), 10..10);
        assert_eq!(slice(text, 6..9), "é");
    }
}
