//! Writes [`Node`]s as forge's TOML form (`grammar/README.md`): labelled top-level blocks as
//! nested tables (`[source.amazon-ebs.web]`), the ordered blocks of a build as arrays of tables
//! with their label in `type` (`from` for a nested source), nested blocks as arrays of tables,
//! values as TOML where literal and `"${...}"` otherwise.

use std::fmt::Write;

use crate::convert::hcl::{expr, literal, number, parts_text};
use crate::convert::{DocBlock, Node};
use crate::diag::{Code, Diagnostic};
use crate::ir::{CallFlavor, Expr, ExprKind, TemplatePart};
use crate::source::{FileId, Span};

/// The nodes as a TOML document.
pub fn write(nodes: &[Node], diags: &mut Vec<Diagnostic>) -> String {
    let mut w = Writer { out: String::new(), diags };
    let mut locals: Vec<Node> = Vec::new();
    let mut pending_comments: Vec<&Node> = Vec::new();
    for n in nodes {
        match n {
            Node::Block(b) if b.kind == "locals" => locals.extend(b.body.iter().cloned()),
            _ => {}
        }
    }
    let mut locals_written = false;
    for n in nodes {
        match n {
            Node::Comment(_) => {
                if pending_comments.is_empty() && !w.out.is_empty() {
                    w.out.push('\n');
                }
                pending_comments.push(n);
            }
            Node::Attr(k, v) => {
                w.comments(&pending_comments);
                pending_comments.clear();
                w.attr(k, v, false);
            }
            Node::Block(b) => {
                w.comments(&pending_comments);
                pending_comments.clear();
                match b.kind.as_str() {
                    "locals" if locals_written => {}
                    "locals" => {
                        locals_written = true;
                        w.table(&["locals".into()], false, &[], &locals, Context::Body);
                    }
                    "build" => w.table(&["build".into()], true, &[], &b.body, Context::Build),
                    "variable" => {
                        let path = path_of(b);
                        w.table(&path, false, &[], &b.body, Context::Variable);
                    }
                    _ => {
                        let path = path_of(b);
                        w.table(&path, false, &[], &b.body, Context::Body);
                    }
                }
            }
        }
    }
    w.comments(&pending_comments);
    w.out
}

fn path_of(b: &DocBlock) -> Vec<String> {
    let mut p = vec![b.kind.clone()];
    p.extend(b.labels.iter().cloned());
    p
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Body,
    Variable,
    Build,
    Chain,
}

struct Writer<'a> {
    out: String,
    diags: &'a mut Vec<Diagnostic>,
}

/// A TOML key: bare when it can be.
fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        basic_string(k)
    }
}

fn basic_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML string holding HCL template text.
fn template_text(parts: &[TemplatePart]) -> String {
    let mut raw = String::new();
    parts_text(&mut raw, parts, false);
    basic_string(&raw)
}

/// A value: TOML where the expression is literal, a `${...}` template string otherwise.
fn value(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) if n.is_finite() => number(*n),
        ExprKind::String(s) => {
            let mut raw = String::new();
            literal(&mut raw, s, false);
            basic_string(&raw)
        }
        ExprKind::Tuple(items) => format!("[{}]", items.iter().map(value).collect::<Vec<_>>().join(", ")),
        ExprKind::Object(items) if items.iter().all(|i| i.key.as_str().is_some()) => {
            if items.is_empty() {
                return "{}".into();
            }
            let fields: Vec<String> = items
                .iter()
                .map(|i| format!("{} = {}", key(i.key.as_str().unwrap_or_default()), value(&i.value)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        ExprKind::Template(parts) => template_text(parts),
        ExprKind::Call { flavor: CallFlavor::GoTemplate, .. } | ExprKind::ComponentVar(_) => {
            template_text(&[TemplatePart::Interpolation(e.clone())])
        }
        _ => basic_string(&format!("${{{}}}", expr(e))),
    }
}

impl Writer<'_> {
    fn comments(&mut self, nodes: &[&Node]) {
        for n in nodes {
            if let Node::Comment(lines) = n {
                for l in lines {
                    self.out.push('#');
                    if !l.is_empty() {
                        self.out.push(' ');
                        self.out.push_str(l);
                    }
                    self.out.push('\n');
                }
            }
        }
    }

    fn attr(&mut self, k: &str, v: &Expr, type_expression: bool) {
        let text = if type_expression { basic_string(&expr(v)) } else { value(v) };
        let _ = writeln!(self.out, "{} = {text}", key(k));
    }

    /// `[path]` (or `[[path]]`) with `extra` keys first, then the attributes, then sub-tables.
    fn table(&mut self, path: &[String], array: bool, extra: &[(&str, &str)], body: &[Node], cx: Context) {
        let after_comment = self.out.lines().last().is_some_and(|l| l.starts_with('#'));
        if !self.out.is_empty() && !after_comment {
            self.out.push('\n');
        }
        let header = path.iter().map(|p| key(p)).collect::<Vec<_>>().join(".");
        if array {
            let _ = writeln!(self.out, "[[{header}]]");
        } else {
            let _ = writeln!(self.out, "[{header}]");
        }
        for (k, v) in extra {
            let _ = writeln!(self.out, "{} = {}", key(k), basic_string(v));
        }
        // A comment goes with the next attribute, or above the header of the next block.
        let before_block = |i: usize| {
            body[i..].iter().find(|n| !matches!(n, Node::Comment(_))).is_some_and(|n| matches!(n, Node::Block(_)))
        };
        for (i, n) in body.iter().enumerate() {
            match n {
                Node::Attr(k, v) => self.attr(k, v, cx == Context::Variable && k == "type"),
                Node::Comment(_) if !before_block(i) => self.comments(&[n]),
                _ => {}
            }
        }
        let mut pending: Vec<&Node> = Vec::new();
        for (i, n) in body.iter().enumerate() {
            if matches!(n, Node::Comment(_)) && before_block(i) {
                if pending.is_empty() {
                    self.out.push('\n');
                }
                pending.push(n);
                continue;
            }
            let Node::Block(b) = n else { continue };
            self.comments(&pending);
            pending.clear();
            let mut sub = path.to_vec();
            sub.push(b.kind.clone());
            let label = b.labels.first().map(String::as_str).unwrap_or_default();
            match (cx, b.kind.as_str()) {
                (Context::Build, "provisioner" | "post-processor") => {
                    self.table(&sub, true, &[("type", label)], &b.body, Context::Body);
                }
                (Context::Build, "error-cleanup-provisioner") => {
                    self.table(&sub, false, &[("type", label)], &b.body, Context::Body);
                }
                (Context::Build, "post-processors") => self.table(&sub, true, &[], &b.body, Context::Chain),
                (Context::Chain, "post-processor") => {
                    self.table(&sub, true, &[("type", label)], &b.body, Context::Body);
                }
                (Context::Build, "source") => self.table(&sub, true, &[("from", label)], &b.body, Context::Body),
                _ if b.labels.is_empty() => {
                    self.table(&sub, b.kind != "required_plugins", &[], &b.body, Context::Body);
                }
                _ => self.diags.push(
                    Diagnostic::warning(
                        Code::NoEquivalent,
                        b.span.unwrap_or(Span::new(FileId(0), 0..0)),
                        format!("the labelled block `{}` has no table in the TOML form and was left out", b.kind),
                    )
                    .with_help("convert this template to HCL2 or HCL-JSON instead"),
                ),
            }
        }
    }
}
