//! forge's [`Diagnostic`] as the protocol's: the same code, message and range `forge validate
//! --format json` reports, secondary labels as `relatedInformation`, the help as related
//! information at the diagnostic itself, and tags for arguments forge does not support.

use std::path::Path;

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString};

use crate::diag::{Code, Diagnostic, Severity};
use crate::lsp::text::{LineIndex, path_to_uri};
use crate::source::{SourceDb, Span};

/// The location of a span.
pub fn location(db: &SourceDb, span: Span) -> Location {
    let file = db.get(span.file);
    let index = LineIndex::new(&file.text);
    Location { uri: path_to_uri(Path::new(&file.name)), range: index.range(span.range()) }
}

/// One diagnostic in the protocol's terms.
pub fn diagnostic(db: &SourceDb, d: &Diagnostic) -> lsp_types::Diagnostic {
    let span = d.span();
    let here = location(db, span);
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.message.is_empty() || !l.primary)
        .map(|l| DiagnosticRelatedInformation {
            location: location(db, l.span),
            message: if l.message.is_empty() { "related".into() } else { l.message.clone() },
        })
        .collect();
    if let Some(help) = &d.help {
        related.push(DiagnosticRelatedInformation { location: here.clone(), message: format!("help: {help}") });
    }
    let tags = (d.code == Code::UnsupportedArgument).then(|| vec![DiagnosticTag::UNNECESSARY]);
    lsp_types::Diagnostic {
        range: here.range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.id().to_string())),
        code_description: None,
        source: Some("forge".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: Some(serde_json::json!({ "name": d.code.name(), "help": d.help })),
    }
}
