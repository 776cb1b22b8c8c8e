//! forge's one diagnostic type, its codes, and the two renderers (human and JSON).
//!
//! Architecture Invariant: a [`Diagnostic`] is plain data. miette is only a renderer
//! ([`render`]), and the JSON wire format is built here from the data, so the same value can
//! become terminal output, `--format json` and (later) LSP diagnostics.

mod codes;
pub mod render;

pub use codes::Code;

use crate::source::Span;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The template cannot be used as written.
    Error,
    /// Worth fixing, but the run goes on.
    Warning,
}

/// A span with a short message ("defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it; may be empty.
    pub message: String,
    /// The primary label is where the problem is; secondary ones give context.
    pub primary: bool,
}

/// One problem found in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code (`F3001`).
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong: lowercase, no full stop, names the offending thing in backticks.
    pub message: String,
    /// Where; the first primary label is the diagnostic's position.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, span, message.into())
    }

    /// A warning at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, span, message.into())
    }

    fn new(severity: Severity, code: Code, span: Span, message: String) -> Diagnostic {
        let primary = Label { span, message: String::new(), primary: true };
        Diagnostic { code, severity, message, labels: vec![primary], help: None }
    }

    /// Sets the message of the primary label.
    #[must_use]
    pub fn with_label_message(mut self, message: impl Into<String>) -> Diagnostic {
        if let Some(first) = self.labels.first_mut() {
            first.message = message.into();
        }
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into(), primary: false });
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the help text when there is one.
    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// The span of the first primary label.
    pub fn span(&self) -> Span {
        self.labels.iter().find(|l| l.primary).or(self.labels.first()).map(|l| l.span).unwrap_or(Span {
            file: crate::source::FileId(0),
            start: 0,
            end: 0,
        })
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A value produced by a phase, with the diagnostics found on the way; phases never fail.
#[derive(Debug, Default)]
pub struct Parsed<T> {
    /// What could be made of the input.
    pub value: T,
    /// Everything wrong with it.
    pub diagnostics: Vec<Diagnostic>,
}

/// The closest candidate to `name` by edit distance, for did-you-mean help.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1) + usize::from(name.len() > 8);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, c)| d <= limit && d < c.chars().count().max(2))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// `help` text "did you mean `x`?" for the closest candidate, if any is close.
pub fn did_you_mean_help<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Edit distance over characters, counting a swap of two neighbours as one edit
/// (optimal string alignment), so `sha265` is nearer `sha256` than `sha224`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_near_names_only() {
        assert_eq!(did_you_mean("instance_typ", ["instance_type", "region"]), Some("instance_type"));
        assert_eq!(did_you_mean("amazon-ebz", ["amazon-ebs", "null", "file"]), Some("amazon-ebs"));
        assert_eq!(did_you_mean("zzz", ["amazon-ebs", "null"]), None);
        assert_eq!(did_you_mean("local", ["locals", "source"]), Some("locals"));
        assert_eq!(did_you_mean("sha265", ["sha224", "sha256"]), Some("sha256"));
    }
}
