//! What a component's own checks (Packer's `Prepare`) may use: the decoded body with its spans,
//! the file system, and helpers for the common rules.

use std::path::{Path, PathBuf};

use crate::component::node::Node;
use crate::diag::{Code, Diagnostic};
use crate::source::{Span, Vfs};

/// The context of one component's checks.
pub struct PrepareCtx<'a> {
    /// The evaluated body.
    pub node: &'a Node,
    /// Where the component's type is named (for "missing key" errors).
    pub header: Span,
    /// The folder relative files are resolved against (`path.root`).
    pub base_dir: &'a Path,
    /// The file system.
    pub vfs: &'a dyn Vfs,
    /// What was found.
    pub diags: Vec<Diagnostic>,
}

impl PrepareCtx<'_> {
    /// An error at key `key` (or the block header when it is not set).
    pub fn error(&mut self, key: &str, message: impl Into<String>, help: impl Into<String>) {
        let span =
            if self.node.get(key).is_some() { self.node.get(key).map_or(self.header, |n| n.span) } else { self.header };
        self.diags.push(Diagnostic::error(Code::InvalidComponentValue, span, message).with_help(help));
    }

    /// Whether `key` is set to a known, non-null value.
    pub fn known(&self, key: &str) -> bool {
        self.node.has(key) && !self.node.is_deferred(key)
    }

    /// Requires `key`.
    pub fn require(&mut self, key: &str, help: &str) {
        if !self.node.has(key) {
            self.diags.push(
                Diagnostic::error(Code::MissingArgument, self.header, format!("missing required argument `{key}`"))
                    .with_help(help.to_string()),
            );
        }
    }

    /// Exactly one of `a` and `b` must be set.
    pub fn one_of(&mut self, a: &str, b: &str) {
        match (self.node.has(a), self.node.has(b)) {
            (true, true) => {
                let span = self.node.key_span(b);
                self.diags.push(
                    Diagnostic::error(Code::ConflictingArguments, span, format!("`{a}` and `{b}` cannot both be set"))
                        .with_label(self.node.key_span(a), format!("`{a}` is set here"))
                        .with_help(format!("keep `{a}` or `{b}`")),
                );
            }
            (false, false) => {
                self.diags.push(
                    Diagnostic::error(Code::MissingArgument, self.header, format!("either `{a}` or `{b}` must be set"))
                        .with_help(format!("set `{a}` or `{b}`")),
                );
            }
            _ => {}
        }
    }

    /// At most one of `keys` may be set.
    pub fn at_most_one(&mut self, keys: &[&str]) {
        let set: Vec<&&str> = keys.iter().filter(|k| self.node.has(k)).collect();
        if let [first, second, ..] = set.as_slice() {
            let span = self.node.key_span(second);
            self.diags.push(
                Diagnostic::error(
                    Code::ConflictingArguments,
                    span,
                    format!("`{first}` and `{second}` cannot both be set"),
                )
                .with_label(self.node.key_span(first), format!("`{first}` is set here"))
                .with_help(format!(
                    "use only one of {}",
                    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                )),
            );
        }
    }

    /// `a` and `b` must both be set or both unset.
    pub fn together(&mut self, a: &str, b: &str) {
        let (has_a, has_b) = (self.node.has(a), self.node.has(b));
        if has_a != has_b {
            let (set, missing) = if has_a { (a, b) } else { (b, a) };
            self.diags.push(
                Diagnostic::error(
                    Code::MissingArgument,
                    self.node.key_span(set),
                    format!("`{set}` is set but `{missing}` is not"),
                )
                .with_help(format!("set both `{a}` and `{b}`, or neither")),
            );
        }
    }

    /// A local file named by `key` (a string) must exist, relative to the template.
    pub fn file_exists(&mut self, key: &str) {
        if self.node.is_deferred(key) {
            return;
        }
        let Some(n) = self.node.get(key) else { return };
        let paths: Vec<(String, Span)> = match (&n.value.as_str(), n.value.as_list()) {
            // An empty path leaves the setting unset.
            (Some(s), _) if s.is_empty() => Vec::new(),
            (Some(s), _) => vec![((*s).to_string(), n.span)],
            (None, Some(_)) => {
                n.items.iter().filter_map(|i| i.value.as_str().map(|s| (s.to_string(), i.span))).collect()
            }
            _ => Vec::new(),
        };
        for (p, span) in paths {
            let full = self.resolve(&p);
            if !self.vfs.exists(&full) {
                self.diags.push(
                    Diagnostic::error(Code::FileNotFound, span, format!("`{key}`: no file `{p}`"))
                        .with_help(format!("paths are relative to the template's folder ({}); set `generated = true` if an earlier step creates it", self.base_dir.display())),
                );
            }
        }
    }

    /// A path relative to the template's folder.
    pub fn resolve(&self, p: &str) -> PathBuf {
        crate::source::resolve_path(&self.base_dir, Path::new(p))
    }
}
