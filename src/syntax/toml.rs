//! forge's TOML form (`.pkr.toml`, `.toml`): HCL2's block model written as TOML tables, read
//! with the `toml` crate's spanned document parser. See `grammar/README.md` for the mapping.

use std::borrow::Cow;

use toml::Spanned as TSpanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Code, Diagnostic};
use crate::ir::{self, Attribute, Block, Body, Expr, ExprKind, ObjectItem, Origin, Spanned, Template};
use crate::source::{FileId, Span};
use crate::syntax::hcl;
use crate::syntax::spanmap::{Escapes, SpanMap};
use crate::syntax::structure::{self, BlockRule};

/// Parses a TOML template.
pub fn parse(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Template {
    let Some(root) = parse_table(file, text, diags) else { return Template::default() };
    let mut r = Reader { file, text, diags };
    let span = Span::new(file, 0..text.len());
    let body = r.body(root.get_ref(), span, Some(structure::TOP_LEVEL));
    structure::decode(&body, Origin::Toml, r.diags)
}

/// Parses a `.pkrvars.toml` file into `name = value` attributes.
pub fn parse_var_file(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Attribute> {
    let Some(root) = parse_table(file, text, diags) else { return Vec::new() };
    let mut r = Reader { file, text, diags };
    r.body(root.get_ref(), Span::new(file, 0..text.len()), None).attributes
}

fn parse_table<'t>(file: FileId, text: &'t str, diags: &mut Vec<Diagnostic>) -> Option<TSpanned<DeTable<'t>>> {
    match DeTable::parse(text) {
        Ok(t) => Some(t),
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let at = if range.is_empty() { crate::source::char_at(text, range.start) } else { range };
            let message = e.message().lines().next().unwrap_or("invalid TOML").trim().to_string();
            let d = if message.contains("duplicate key") {
                duplicate_key(file, text, at)
            } else {
                Diagnostic::error(Code::SyntaxError, Span::new(file, at), format!("invalid TOML: {message}"))
                    .with_label_message("here")
                    .with_help("fix the TOML at this position")
            };
            diags.push(d);
            None
        }
    }
}

/// A key or table defined twice, named: `table `variable.a` is defined twice`.
fn duplicate_key(file: FileId, text: &str, at: std::ops::Range<usize>) -> Diagnostic {
    let key = crate::source::slice(text, at.clone()).trim().trim_matches('"').to_string();
    let line_start = text[..crate::source::floor_char_boundary(text, at.start)].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or_default().trim();
    let (message, help) = match line.strip_prefix('[') {
        Some(header) => {
            let table = header.trim_start_matches('[').split(']').next().unwrap_or(header).trim();
            (format!("table `{table}` is defined twice"), "merge the two tables into one, or rename one")
        }
        None => (format!("duplicate key `{key}`"), "a key may be set once per table; remove one of the two"),
    };
    Diagnostic::error(Code::DuplicateKey, Span::new(file, at), message)
        .with_label_message("defined again here")
        .with_help(help)
}

struct Reader<'a> {
    file: FileId,
    text: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

/// The key that carries a block's label inside its own table, for ordered blocks.
fn label_key(rule: &BlockRule) -> Option<&'static str> {
    match (rule.name, rule.labels) {
        ("provisioner" | "post-processor" | "error-cleanup-provisioner", 1) => Some("type"),
        ("source", 1) => Some("from"),
        _ => None,
    }
}

impl Reader<'_> {
    fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::new(self.file, r)
    }

    fn body(&mut self, table: &DeTable<'_>, span: Span, children: Option<&'static [BlockRule]>) -> Body {
        let mut body = Body::empty(span);
        for (k, v) in table {
            let key = Spanned::new(k.get_ref().to_string(), self.span(k.span()));
            match children.and_then(|c| structure::find_rule(c, k.get_ref())) {
                Some(rule) => self.blocks(&key, v, rule, Vec::new(), &mut body),
                None => {
                    let value = self.expr(v);
                    let span = key.span.join(value.span);
                    body.attributes.push(Attribute { key, value, span });
                }
            }
        }
        body
    }

    fn blocks(
        &mut self,
        kind: &ir::Ident,
        v: &TSpanned<DeValue<'_>>,
        rule: &'static BlockRule,
        labels: Vec<ir::Ident>,
        out: &mut Body,
    ) {
        match v.get_ref() {
            DeValue::Array(items) => {
                for item in items {
                    self.blocks(kind, item, rule, labels.clone(), out);
                }
            }
            DeValue::Table(t) if labels.len() < rule.labels && label_key(rule).is_some_and(|k| t.contains_key(k)) => {
                let key = label_key(rule).unwrap_or_default();
                let mut rest = t.clone();
                let label_value = rest.remove(key);
                let mut labels = labels;
                if let Some(l) = label_value {
                    match l.get_ref() {
                        DeValue::String(s) => labels.push(Spanned::new(s.to_string(), self.span(l.span()))),
                        _ => self.shape(l.span(), &format!("`{key}` must be a string")),
                    }
                }
                self.block(kind, &rest, v.span(), rule, labels, out);
            }
            DeValue::Table(_) if labels.len() < rule.labels && label_key(rule).is_some() => {
                let key = label_key(rule).unwrap_or_default();
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        kind.span,
                        format!("this `{}` table has no `{key}`", rule.name),
                    )
                    .with_help(format!("write `{key} = \"...\"` in the table, for example `{key} = \"shell\"`")),
                );
            }
            DeValue::Table(t) if labels.len() < rule.labels => {
                for (k, inner) in t {
                    let mut more = labels.clone();
                    more.push(Spanned::new(k.get_ref().to_string(), self.span(k.span())));
                    self.blocks(kind, inner, rule, more, out);
                }
            }
            DeValue::Table(t) => self.block(kind, t, v.span(), rule, labels, out),
            _ => self.shape(v.span(), &format!("a `{}` block must be a table", rule.name)),
        }
    }

    fn block(
        &mut self,
        kind: &ir::Ident,
        t: &DeTable<'_>,
        range: std::ops::Range<usize>,
        rule: &'static BlockRule,
        labels: Vec<ir::Ident>,
        out: &mut Body,
    ) {
        let span = kind.span.join(self.span(range));
        let mut body = self.body(t, span, rule.children);
        if rule.name == "variable" {
            if let Some(attr) = body.attributes.iter_mut().find(|a| a.key.value == "type") {
                attr.value = self.type_expression(&attr.value);
            }
        }
        out.blocks.push(Block { kind: kind.clone(), labels, body, span });
    }

    /// A variable's `type = "list(string)"` holds a type expression.
    fn type_expression(&mut self, value: &Expr) -> Expr {
        let ExprKind::String(s) = &value.kind else { return value.clone() };
        let map = SpanMap::identity(self.file, value.span.start as usize);
        match hcl::parse_string_template(self.file, self.text, &format!("${{{s}}}"), &map) {
            Ok(mut e) => {
                e.span = value.span;
                e
            }
            Err(d) => {
                self.diags.push(d);
                value.clone()
            }
        }
    }

    fn shape(&mut self, range: std::ops::Range<usize>, msg: &str) {
        self.diags.push(Diagnostic::error(Code::WrongShape, self.span(range), msg.to_string()));
    }

    fn expr(&mut self, v: &TSpanned<DeValue<'_>>) -> Expr {
        let span = self.span(v.span());
        let kind = match v.get_ref() {
            DeValue::String(s) => return self.string(s, span),
            DeValue::Integer(i) => ExprKind::Number(parse_integer(i.as_str(), i.radix())),
            DeValue::Float(f) => ExprKind::Number(parse_float(f.as_str())),
            DeValue::Boolean(b) => ExprKind::Bool(*b),
            DeValue::Datetime(_) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::UnsupportedValue,
                        span,
                        "TOML date-times have no counterpart in a template",
                    )
                    .with_help("write the value as a quoted string"),
                );
                ExprKind::Null
            }
            DeValue::Array(items) => ExprKind::Tuple(items.iter().map(|i| self.expr(i)).collect()),
            DeValue::Table(t) => ExprKind::Object(
                t.iter()
                    .map(|(k, val)| ObjectItem {
                        key: Expr::new(ExprKind::String(k.get_ref().to_string()), self.span(k.span())),
                        value: self.expr(val),
                    })
                    .collect(),
            ),
        };
        Expr::new(kind, span)
    }

    /// Every TOML string is an HCL template.
    fn string(&mut self, s: &Cow<'_, str>, span: Span) -> Expr {
        let raw_all = self.text.get(span.range()).unwrap_or("");
        let (quote, escapes) = if raw_all.starts_with("\"\"\"") {
            (3, Escapes::Backslash)
        } else if raw_all.starts_with("'''") {
            (3, Escapes::None)
        } else if raw_all.starts_with('\'') {
            (1, Escapes::None)
        } else {
            (1, Escapes::Backslash)
        };
        let raw = raw_all.get(quote..raw_all.len().saturating_sub(quote)).unwrap_or("");
        let map = SpanMap::new(self.file, span.start as usize + quote, raw, s, escapes);
        match hcl::parse_string_template(self.file, self.text, s, &map) {
            Ok(mut e) => {
                if matches!(e.kind, ExprKind::Template(_) | ExprKind::String(_)) {
                    e.span = span;
                }
                e
            }
            Err(d) => {
                self.diags.push(d);
                Expr::new(ExprKind::String(s.to_string()), span)
            }
        }
    }
}

fn parse_integer(text: &str, radix: u32) -> f64 {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let digits = clean.trim_start_matches("0x").trim_start_matches("0o").trim_start_matches("0b");
    #[allow(clippy::cast_precision_loss)]
    i64::from_str_radix(digits, radix).map_or(f64::NAN, |n| n as f64)
}

fn parse_float(text: &str) -> f64 {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    match clean.as_str() {
        "inf" | "+inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" | "+nan" | "-nan" => f64::NAN,
        other => other.parse().unwrap_or(f64::NAN),
    }
}
