//! The four template syntaxes, each read into the shared [`ir::Template`].
//!
//! Architecture Invariant: a format module never imports another format module; what they
//! share (the HCL2 block structure, string templates, Go templates, span maps) lives in
//! `structure`, `gotmpl`, `spanmap` and the HCL expression lowering.

pub mod gotmpl;
pub mod hcl;
pub mod json;
pub mod spanmap;
pub mod structure;
pub mod toml;

use crate::diag::{Code, Diagnostic, Parsed};
use crate::ir::{Origin, Template, TemplateFile};
use crate::source::{FileId, SourceDb, Span};

/// What kind of file a path is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A template in the given syntax.
    Template(Origin),
    /// A variable file in the given syntax (`.pkrvars.hcl`, `.pkrvars.json`, `.pkrvars.toml`).
    VarFile(Origin),
}

/// Classifies a file name, as Packer does by suffix.
pub fn classify(name: &str) -> Option<FileKind> {
    let lower = name.to_ascii_lowercase();
    let kind = if lower.ends_with(".pkrvars.hcl") {
        FileKind::VarFile(Origin::Hcl)
    } else if lower.ends_with(".pkrvars.json") {
        FileKind::VarFile(Origin::HclJson)
    } else if lower.ends_with(".pkrvars.toml") {
        FileKind::VarFile(Origin::Toml)
    } else if lower.ends_with(".pkr.hcl") || lower.ends_with(".hcl") {
        FileKind::Template(Origin::Hcl)
    } else if lower.ends_with(".pkr.json") {
        FileKind::Template(Origin::HclJson)
    } else if lower.ends_with(".json") {
        FileKind::Template(Origin::LegacyJson)
    } else if lower.ends_with(".toml") {
        FileKind::Template(Origin::Toml)
    } else {
        return None;
    };
    Some(kind)
}

/// Whether a file found in a folder is part of the template (variable files are not).
pub fn is_folder_template(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(classify(&lower), Some(FileKind::Template(_)))
        && (lower.ends_with(".pkr.hcl") || lower.ends_with(".pkr.json") || lower.ends_with(".pkr.toml"))
}

/// Parses one template file of the given syntax.
pub fn parse_template(db: &SourceDb, file: FileId, origin: Origin) -> Parsed<Template> {
    let text = &db.get(file).text;
    let mut diagnostics = Vec::new();
    let mut template = match origin {
        Origin::Hcl => match hcl::parse_body(file, text) {
            Ok(body) => structure::decode(&body, origin, &mut diagnostics),
            Err(d) => {
                diagnostics.push(d);
                Template::default()
            }
        },
        Origin::HclJson => json::parse_hcl_json(file, text, &mut diagnostics),
        Origin::LegacyJson => json::parse_legacy(file, text, &mut diagnostics),
        Origin::Toml => toml::parse(file, text, &mut diagnostics),
    };
    let empty = text.trim().is_empty()
        || (template.variables.is_empty()
            && template.locals.is_empty()
            && template.sources.is_empty()
            && template.builds.is_empty()
            && template.data.is_empty()
            && template.packer.is_empty()
            && diagnostics.is_empty());
    template.files.push(TemplateFile { file, origin, empty });
    Parsed { value: template, diagnostics }
}

/// A diagnostic for a file that cannot be read.
pub fn cannot_read(file: FileId, what: &str) -> Diagnostic {
    Diagnostic::error(Code::CannotRead, Span::new(file, 0..0), what.to_string())
}
