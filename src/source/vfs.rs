//! The file-system door: [`RealFs`] for the CLI, [`MemFs`] for tests.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Everything the front end may ask of a file system.
pub trait Vfs {
    /// The whole text of a file.
    ///
    /// # Errors
    /// When the file cannot be read or is not UTF-8.
    fn read_to_string(&self, path: &Path) -> io::Result<String>;
    /// The entries directly inside a folder, sorted by name.
    ///
    /// # Errors
    /// When the folder cannot be read.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// Whether `path` is a folder.
    fn is_dir(&self, path: &Path) -> bool;
    /// Whether `path` exists.
    fn exists(&self, path: &Path) -> bool;
    /// The whole content of a file as bytes (`filebase64` reads files that are not UTF-8).
    ///
    /// # Errors
    /// When the file cannot be read.
    fn read_bytes(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.read_to_string(path).map(String::into_bytes)
    }
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl Vfs for RealFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<io::Result<Vec<_>>>()?;
        out.sort();
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn read_bytes(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
}

/// An in-memory file tree for tests; folders exist implicitly above each file.
#[derive(Debug, Default, Clone)]
pub struct MemFs {
    files: BTreeMap<PathBuf, String>,
}

impl MemFs {
    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }
}

impl Vfs for MemFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.files.get(path).cloned().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out: Vec<PathBuf> = self
            .files
            .keys()
            .filter_map(|p| {
                let rest = p.strip_prefix(path).ok()?;
                let first = rest.components().next()?;
                Some(path.join(first))
            })
            .collect();
        out.dedup();
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p != path && p.starts_with(path))
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path) || self.is_dir(path)
    }
}

/// Another file system with some files replaced or added: an editor's unsaved text over the
/// files on disk.
pub struct Overlay<'a> {
    base: &'a dyn Vfs,
    files: BTreeMap<PathBuf, String>,
}

impl<'a> Overlay<'a> {
    /// `base` as it is, until files are set.
    pub fn new(base: &'a dyn Vfs) -> Overlay<'a> {
        Overlay { base, files: BTreeMap::new() }
    }

    /// Makes `path` read as `text`, whatever is on disk.
    pub fn set(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }
}

impl Vfs for Overlay<'_> {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        match self.files.get(path) {
            Some(text) => Ok(text.clone()),
            None => self.base.read_to_string(path),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = self.base.read_dir(path).unwrap_or_default();
        out.extend(self.files.keys().filter(|p| p.parent() == Some(path)).cloned());
        out.sort();
        out.dedup();
        if out.is_empty() && !self.base.is_dir(path) {
            return self.base.read_dir(path);
        }
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.base.is_dir(path)
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path) || self.base.exists(path)
    }

    fn read_bytes(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.files.get(path) {
            Some(text) => Ok(text.clone().into_bytes()),
            None => self.base.read_bytes(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlay_replaces_and_adds_files() {
        let mut disk = MemFs::default();
        disk.insert("d/a.pkr.hcl", "on disk");
        let mut o = Overlay::new(&disk);
        o.set("d/a.pkr.hcl", "unsaved");
        o.set("d/new.pkr.hcl", "new");
        assert_eq!(o.read_to_string(Path::new("d/a.pkr.hcl")).ok().as_deref(), Some("unsaved"));
        assert_eq!(
            o.read_dir(Path::new("d")).ok(),
            Some(vec![PathBuf::from("d/a.pkr.hcl"), PathBuf::from("d/new.pkr.hcl")])
        );
        assert!(o.exists(Path::new("d/new.pkr.hcl")));
        assert!(o.read_to_string(Path::new("d/missing")).is_err());
    }
}
