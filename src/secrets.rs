//! The one secret masker: the values no output may show (sensitive variables, and values learnt
//! while a build runs: a generated password, a temporary private key). Build lines,
//! machine-readable records, error lines and the debug log all mask through the same
//! [`Masker`], so a secret added at run time is hidden everywhere from then on.
//!
//! Architecture Invariant: imports nothing from the crate (layer 0).

use std::sync::{Arc, OnceLock, RwLock};

/// What replaces a secret in output.
pub const MASK: &str = "<sensitive>";

/// A growing list of secret values, longest first (so a secret containing another is replaced
/// whole).
#[derive(Debug, Default)]
pub struct Masker {
    secrets: RwLock<Vec<String>>,
}

impl Masker {
    /// A masker hiding `secrets`.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Masker {
        let m = Masker::default();
        m.add(secrets);
        m
    }

    /// Hides these values too from now on (empty ones mean nothing and are left out).
    pub fn add(&self, more: impl IntoIterator<Item = String>) {
        let Ok(mut secrets) = self.secrets.write() else { return };
        secrets.extend(more.into_iter().filter(|s| !s.trim().is_empty()));
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
    }

    /// `text` with every secret replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        if let Ok(secrets) = self.secrets.read() {
            for s in secrets.iter() {
                if out.contains(s.as_str()) {
                    out = out.replace(s.as_str(), MASK);
                }
            }
        }
        out
    }
}

/// The masker of this process's run: the build printer and the debug log share it.
pub fn process() -> Arc<Masker> {
    static PROCESS: OnceLock<Arc<Masker>> = OnceLock::new();
    PROCESS.get_or_init(|| Arc::new(Masker::default())).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_added_later_are_masked_longest_first() {
        let m = Masker::new(["hunter22".to_string(), " ".to_string()]);
        assert_eq!(m.mask("pw hunter22 ab"), "pw <sensitive> ab");
        m.add(["hunter2".to_string(), "key-line-1".to_string()]);
        assert_eq!(m.mask("hunter22 hunter2 key-line-1"), "<sensitive> <sensitive> <sensitive>");
    }
}
