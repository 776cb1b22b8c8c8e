//! Renders diagnostics: a miette code frame for people, a documented JSON document for tools.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde_json::{Value as Json, json};

use crate::diag::{Diagnostic, Severity};
use crate::source::{SourceDb, Span};

/// How human output looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Style {
        Style { color: false, width: 80 }
    }
}

/// Renders one diagnostic with a code frame of its source, always.
pub fn human(db: &SourceDb, diag: &Diagnostic, style: Style) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    let adapter = Adapter::new(db, diag);
    if handler.render_report(&mut out, &adapter).is_err() {
        out = format!("{}: {}\n", diag.code.id(), diag.message);
    }
    out
}

/// Renders every diagnostic, one after the other.
pub fn human_all(db: &SourceDb, diags: &[Diagnostic], style: Style) -> String {
    diags.iter().map(|d| human(db, d, style)).collect()
}

/// The `--format json` document of a validate run.
pub fn json_report(db: &SourceDb, diags: &[Diagnostic]) -> Json {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    json!({
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": diags.len() - errors,
        "diagnostics": diags.iter().map(|d| json_diagnostic(db, d)).collect::<Vec<_>>(),
    })
}

fn json_diagnostic(db: &SourceDb, d: &Diagnostic) -> Json {
    let span = d.span();
    let mut obj = json!({
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "code": d.code.id(),
        "name": d.code.name(),
        "message": d.message,
        "help": d.help,
    });
    if let Json::Object(map) = &mut obj {
        if let Json::Object(pos) = json_span(db, span) {
            map.extend(pos);
        }
        let labels = d
            .labels
            .iter()
            .map(|l| {
                let mut v = json_span(db, l.span);
                if let Json::Object(m) = &mut v {
                    m.insert("message".into(), Json::from(l.message.clone()));
                    m.insert("primary".into(), Json::from(l.primary));
                }
                v
            })
            .collect::<Vec<_>>();
        map.insert("labels".into(), Json::from(labels));
    }
    obj
}

fn json_span(db: &SourceDb, span: Span) -> Json {
    let file = db.get(span.file);
    let pos = |offset: usize| {
        let lc = file.line_col(offset);
        json!({"line": lc.line, "column": lc.column, "offset": offset})
    };
    json!({"file": file.name, "start": pos(span.start as usize), "end": pos(span.end as usize)})
}

/// miette's view of a [`Diagnostic`]: labels in the primary file, others as related reports.
struct Adapter {
    code: String,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Adapter>,
}

impl Adapter {
    fn new(db: &SourceDb, d: &Diagnostic) -> Adapter {
        let main_file = d.span().file;
        let file = db.get(main_file);
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for l in &d.labels {
            let msg = (!l.message.is_empty()).then(|| l.message.clone());
            if l.span.file == main_file {
                labels.push(labeled(msg, l.span, l.primary));
            } else {
                let other = db.get(l.span.file);
                related.push(Adapter {
                    code: String::new(),
                    message: l.message.clone(),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: NamedSource::new(other.name.clone(), other.text.clone()),
                    labels: vec![labeled(None, l.span, true)],
                    related: Vec::new(),
                });
            }
        }
        Adapter {
            code: d.code.id().to_string(),
            message: d.message.clone(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: d.help.clone(),
            source: NamedSource::new(file.name.clone(), file.text.clone()),
            labels,
            related,
        }
    }
}

fn labeled(msg: Option<String>, span: Span, primary: bool) -> LabeledSpan {
    let s = SourceSpan::new(span.range().start.into(), span.len());
    if primary { LabeledSpan::new_primary_with_span(msg, s) } else { LabeledSpan::new_with_span(msg, s) }
}

impl fmt::Debug for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Adapter {}

impl miette::Diagnostic for Adapter {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}
