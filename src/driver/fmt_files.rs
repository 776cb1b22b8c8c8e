//! Which files `forge fmt` works on, in which syntax, and formatting one text.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::ir::Origin;
use crate::source::{FileId, Vfs};

/// The syntax a file is formatted in, by its name; `None` for files `fmt` leaves alone.
pub fn fmt_syntax(name: &str, explicit: bool) -> Option<Origin> {
    let lower = name.to_ascii_lowercase();
    let base = std::path::Path::new(&lower).file_name().and_then(|n| n.to_str()).unwrap_or(&lower).to_string();
    // Hidden files and editor backups are skipped in folders.
    if !explicit && (base.starts_with('.') || base.ends_with('~') || (base.starts_with('#') && base.ends_with('#'))) {
        return None;
    }
    let template_like = lower.ends_with(".pkr.hcl")
        || lower.ends_with(".pkrvars.hcl")
        || lower.ends_with(".pkr.json")
        || lower.ends_with(".pkrvars.json")
        || lower.ends_with(".pkr.toml")
        || lower.ends_with(".pkrvars.toml");
    if !explicit && !template_like {
        return None;
    }
    if lower.ends_with(".hcl") {
        Some(Origin::Hcl)
    } else if lower.ends_with(".json") {
        Some(Origin::LegacyJson)
    } else if lower.ends_with(".toml") {
        Some(Origin::Toml)
    } else {
        None
    }
}

/// The files `fmt` works on: files as given, and the template files of folders.
pub fn fmt_files(vfs: &dyn Vfs, paths: &[String], recursive: bool) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        collect_fmt_files(vfs, Path::new(p), recursive, true, &mut out);
    }
    out
}

fn collect_fmt_files(vfs: &dyn Vfs, path: &Path, recursive: bool, top: bool, out: &mut Vec<String>) {
    if vfs.is_dir(path) {
        if !top && !recursive {
            return;
        }
        for entry in vfs.read_dir(path).unwrap_or_default() {
            let hidden = entry.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if vfs.is_dir(&entry) {
                if recursive && !hidden {
                    collect_fmt_files(vfs, &entry, recursive, false, out);
                }
            } else if fmt_syntax(&entry.to_string_lossy(), false).is_some() {
                out.push(entry.to_string_lossy().into_owned());
            }
        }
    } else {
        out.push(path.to_string_lossy().into_owned());
    }
}

/// Formats one text in the given syntax.
///
/// # Errors
/// The syntax error; the text must then not be rewritten.
pub fn format_text(file: FileId, text: &str, syntax: Origin) -> Result<String, Diagnostic> {
    match syntax {
        Origin::Hcl => crate::fmt::format_hcl(file, text),
        Origin::LegacyJson | Origin::HclJson => crate::fmt::json::format(file, text),
        Origin::Toml => crate::fmt::toml::format(file, text),
    }
}
