//! HCL2 native syntax (`.pkr.hcl`), parsed with hcl-edit and lowered to [`ir::Body`] and
//! [`ir::Expr`] with every span kept.
//!
//! hcl-edit stops at the first syntax error, so a file with one reports exactly one `F1001`.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::{Ident as HclIdent, Span as _};

use crate::diag::{Code, Diagnostic};
use crate::ir::{self, BinaryOp, CallFlavor, Expr, ExprKind, Spanned, TemplatePart, UnaryOp};
use crate::source::{FileId, Span};
use crate::syntax::gotmpl;
use crate::syntax::spanmap::{Escapes, SpanMap};

/// Parses a whole HCL file into a generic body.
///
/// # Errors
/// The syntax error hcl-edit found, as a diagnostic.
pub fn parse_body(file: FileId, text: &str) -> Result<ir::Body, Diagnostic> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| syntax_error(file, text, &e, 0))?;
    let lower = Lower { file, text, base: 0 };
    Ok(lower.body(&body, Span::new(file, 0..text.len())))
}

/// Parses one expression (a `console` line).
///
/// # Errors
/// The syntax error hcl-edit found.
pub fn parse_expression(file: FileId, text: &str) -> Result<Expr, Diagnostic> {
    let expr = hcl_edit::parser::parse_expr(text).map_err(|e| syntax_error(file, text, &e, 0))?;
    let lower = Lower { file, text, base: 0 };
    Ok(lower.expr(&expr, Span::new(file, 0..text.len())))
}

/// Parses a string template (the content of an HCL-JSON or TOML string) into an expression.
///
/// `raw` is the string as written between its quotes, starting at byte `base` of the file;
/// `decoded` is its value. A template that is exactly one interpolation yields that expression.
///
/// # Errors
/// A malformed interpolation or directive.
pub fn parse_string_template(file: FileId, file_text: &str, decoded: &str, map: &SpanMap) -> Result<Expr, Diagnostic> {
    let whole = map.span(0, decoded.len());
    if !decoded.contains("${") && !decoded.contains("%{") {
        return Ok(literal_string(decoded, map, whole));
    }
    let template = hcl_edit::parser::parse_template(decoded).map_err(|e| {
        let at = map.span(e.location().offset(), e.location().offset() + 1);
        Diagnostic::error(Code::InvalidTemplate, at, format!("malformed string template: {}", first_line(e.message())))
            .with_help("interpolations are written `${expr}` and directives `%{if cond}`…`%{endif}`; write `$${` for a literal `${`")
    })?;
    let lower = Lower { file, text: file_text, base: 0 };
    Ok(lower.template_expr(&template, Some(map), whole, Quoting::Raw))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn syntax_error(file: FileId, text: &str, e: &hcl_edit::parser::Error, base: usize) -> Diagnostic {
    // hcl-edit's offset can point inside a multi-byte character: underline the whole character.
    let at = crate::source::char_at(text, base + e.location().offset());
    let (offset, end) = (at.start, at.end);
    let message = e.message().trim();
    if message.contains("redefined object key") {
        return duplicate_object_key(file, text, offset);
    }
    let message = if message.is_empty() {
        "invalid HCL syntax".to_string()
    } else {
        format!("invalid HCL syntax: {}", first_line(message))
    };
    Diagnostic::error(Code::SyntaxError, Span::new(file, offset..end), message)
        .with_label_message("here")
        .with_help("fix the syntax at this position; forge neither formats nor runs a file that does not parse")
}

/// hcl-edit refuses `{ a = 1, a = 2 }` while parsing; HCL refuses it when evaluating. Either
/// way the template is wrong, so say what is wrong rather than "syntax error".
fn duplicate_object_key(file: FileId, text: &str, offset: usize) -> Diagnostic {
    let rest = &text[offset..];
    let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '"')).unwrap_or(rest.len());
    let key = rest[..len].trim_matches('"');
    Diagnostic::error(
        Code::DuplicateKey,
        Span::new(file, offset..offset + len),
        format!("duplicate key `{key}` in object"),
    )
    .with_label_message("defined again here")
    .with_help("an object may name each key once; remove one of the two")
}

/// How the literal text of a template was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// A heredoc, or a string already decoded (HCL-JSON, TOML): backslashes are text.
    Raw,
    /// The top level of a quoted HCL string: hcl-edit has decoded its escapes.
    Quoted,
    /// A directive body inside a quoted HCL string: its escapes are still to decode.
    QuotedBody,
}

/// HCL's backslash escapes (`\n`, `\t`, `\"`, `\\`, `\uXXXX`, `\UXXXXXXXX`); anything else
/// stays as written.
fn decode_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some(u @ ('u' | 'U')) => {
                let len = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.clone().skip(1).take(len).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).filter(|_| hex.len() == len) {
                    Some(decoded) => {
                        out.push(decoded);
                        for _ in 0..len {
                            chars.next();
                        }
                    }
                    None => {
                        out.push('\\');
                        continue;
                    }
                }
            }
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    out
}

/// Trims the whitespace at the start of the first part, when it is literal text.
fn trim_start(parts: &mut [TemplatePart]) {
    if let Some(TemplatePart::Literal(s)) = parts.first_mut() {
        *s = s.trim_start().to_string();
    }
}

/// Trims the whitespace at the end of the last part, when it is literal text.
fn trim_end(parts: &mut [TemplatePart]) {
    if let Some(TemplatePart::Literal(s)) = parts.last_mut() {
        *s = s.trim_end().to_string();
    }
}

/// A string without interpolation: Go-template actions in it (`{{timestamp}}`) become parts,
/// since the components of Packer render them; anything else stays literal text.
fn literal_string(decoded: &str, map: &SpanMap, whole: Span) -> Expr {
    if gotmpl::has_action(decoded) {
        if let Ok(parts) = gotmpl::parse(decoded, map) {
            return template_or_single(parts, whole);
        }
    }
    Expr::new(ExprKind::String(decoded.to_string()), whole)
}

/// A template of one interpolation is that expression; of one literal, a string.
pub(crate) fn template_or_single(mut parts: Vec<TemplatePart>, span: Span) -> Expr {
    match parts.as_slice() {
        [] => Expr::new(ExprKind::String(String::new()), span),
        [TemplatePart::Interpolation(_)] => {
            let Some(TemplatePart::Interpolation(e)) = parts.pop() else { unreachable!("matched above") };
            e
        }
        [TemplatePart::Literal(s)] => Expr::new(ExprKind::String(s.clone()), span),
        _ => Expr::new(ExprKind::Template(parts), span),
    }
}

struct Lower<'a> {
    file: FileId,
    text: &'a str,
    base: usize,
}

impl Lower<'_> {
    fn span(&self, range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
        range.map_or(fallback, |r| Span::new(self.file, self.base + r.start..self.base + r.end))
    }

    fn ident(&self, id: &hcl_edit::Decorated<HclIdent>, fallback: Span) -> ir::Ident {
        Spanned::new(id.as_str().to_string(), self.span(id.span(), fallback))
    }

    fn body(&self, body: &hcl_edit::structure::Body, span: Span) -> ir::Body {
        let mut out = ir::Body::empty(self.span(body.span(), span));
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let s = self.span(attr.span(), span);
                    out.attributes.push(ir::Attribute {
                        key: self.ident(&attr.key, s),
                        value: self.expr(&attr.value, s),
                        span: s,
                    });
                }
                Structure::Block(block) => {
                    let s = self.span(block.span(), span);
                    let labels = block
                        .labels
                        .iter()
                        .map(|l| {
                            let value = match l {
                                BlockLabel::Ident(i) => i.as_str().to_string(),
                                BlockLabel::String(st) => st.as_str().to_string(),
                            };
                            Spanned::new(value, self.span(l.span(), s))
                        })
                        .collect();
                    let body_span = self.span(block.body.span(), s);
                    out.blocks.push(ir::Block {
                        kind: self.ident(&block.ident, s),
                        labels,
                        body: self.body(&block.body, body_span),
                        span: s,
                    });
                }
            }
        }
        out
    }

    fn expr(&self, e: &Expression, fallback: Span) -> Expr {
        let span = self.span(e.span(), fallback);
        let kind = match e {
            Expression::Null(_) => ExprKind::Null,
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Number(n) => ExprKind::Number(n.as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => {
                let raw = self.text.get(span.start as usize + 1..(span.end as usize).saturating_sub(1)).unwrap_or("");
                let map = SpanMap::new(self.file, span.start as usize + 1, raw, s.value(), Escapes::Backslash);
                return literal_string(s.value(), &map, span);
            }
            Expression::Array(a) => ExprKind::Tuple(a.iter().map(|x| self.expr(x, span)).collect()),
            Expression::Object(o) => ExprKind::Object(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            ObjectKey::Ident(id) => {
                                let ks = self.span(id.span(), span);
                                Expr::new(ExprKind::String(id.as_str().to_string()), ks)
                            }
                            ObjectKey::Expression(x) => self.expr(x, span),
                        };
                        ir::ObjectItem { key, value: self.expr(v.expr(), span) }
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => return self.template_expr(t, None, span, Quoting::Quoted),
            Expression::HeredocTemplate(h) => return self.template_expr(&h.template, None, span, Quoting::Raw),
            Expression::Parenthesis(p) => return self.expr(p.inner(), span),
            Expression::Variable(v) => ExprKind::Variable(self.ident(v, span)),
            Expression::Conditional(c) => ExprKind::Conditional(
                Box::new(self.expr(&c.cond_expr, span)),
                Box::new(self.expr(&c.true_expr, span)),
                Box::new(self.expr(&c.false_expr, span)),
            ),
            Expression::FuncCall(f) => {
                let mut name = f.name.name.as_str().to_string();
                for ns in f.name.namespace.iter().rev() {
                    name = format!("{}::{name}", ns.as_str());
                }
                let name_span = self.span(f.name.name.span(), span);
                ExprKind::Call {
                    name: Spanned::new(name, name_span),
                    args: f.args.iter().map(|a| self.expr(a, span)).collect(),
                    expand_final: f.args.expand_final(),
                    flavor: CallFlavor::Hcl,
                }
            }
            Expression::Traversal(t) => return self.traversal(&t.expr, &t.operators, span),
            Expression::UnaryOp(u) => {
                let op = match u.operator.value() {
                    hcl_edit::expr::UnaryOperator::Neg => UnaryOp::Neg,
                    hcl_edit::expr::UnaryOperator::Not => UnaryOp::Not,
                };
                ExprKind::Unary(op, Box::new(self.expr(&u.expr, span)))
            }
            Expression::BinaryOp(b) => ExprKind::Binary(
                binary_op(*b.operator.value()),
                Box::new(self.expr(&b.lhs_expr, span)),
                Box::new(self.expr(&b.rhs_expr, span)),
            ),
            Expression::ForExpr(f) => ExprKind::For(Box::new(ir::ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| self.ident(k, span)),
                value_var: self.ident(&f.intro.value_var, span),
                collection: self.expr(&f.intro.collection_expr, span),
                key: f.key_expr.as_ref().map(|k| self.expr(k, span)),
                value: self.expr(&f.value_expr, span),
                grouping: f.grouping,
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr, span)),
            })),
        };
        Expr::new(kind, span)
    }

    /// Folds traversal operators left to right; a splat takes the rest of the chain as `each`.
    fn traversal(&self, root: &Expression, ops: &[hcl_edit::Decorated<TraversalOperator>], span: Span) -> Expr {
        let mut current = self.expr(root, span);
        let mut i = 0;
        while i < ops.len() {
            let op = &ops[i];
            let op_span = self.span(op.span(), span);
            let whole = current.span.join(op_span);
            match op.value() {
                TraversalOperator::GetAttr(id) => {
                    current = Expr::new(ExprKind::GetAttr(Box::new(current), self.ident(id, op_span)), whole);
                }
                TraversalOperator::Index(idx) => {
                    current = Expr::new(ExprKind::Index(Box::new(current), Box::new(self.expr(idx, op_span))), whole);
                }
                TraversalOperator::LegacyIndex(n) => {
                    #[allow(clippy::cast_precision_loss)]
                    let idx = Expr::new(ExprKind::Number(*n.value() as f64), op_span);
                    current = Expr::new(ExprKind::Index(Box::new(current), Box::new(idx)), whole);
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let attr_only = matches!(op.value(), TraversalOperator::AttrSplat(_));
                    let mut each = Expr::new(ExprKind::SplatItem, op_span);
                    let mut j = i + 1;
                    while j < ops.len() {
                        let next = &ops[j];
                        let ns = self.span(next.span(), span);
                        match next.value() {
                            TraversalOperator::GetAttr(id) => {
                                let s = each.span.join(ns);
                                each = Expr::new(ExprKind::GetAttr(Box::new(each), self.ident(id, ns)), s);
                            }
                            TraversalOperator::Index(idx) if !attr_only => {
                                let s = each.span.join(ns);
                                each = Expr::new(ExprKind::Index(Box::new(each), Box::new(self.expr(idx, ns))), s);
                            }
                            _ => break,
                        }
                        j += 1;
                    }
                    let s = current.span.join(each.span);
                    current = Expr::new(ExprKind::Splat { source: Box::new(current), each: Box::new(each) }, s);
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
        Expr::new(current.kind, span)
    }

    fn template_expr(&self, t: &Template, map: Option<&SpanMap>, span: Span, quoting: Quoting) -> Expr {
        let parts = self.template_parts(t, map, span, quoting);
        template_or_single(parts, span)
    }

    /// The parts of a template. hcl-edit decodes backslash escapes in the top-level text of a
    /// quoted string but not in the bodies of its `%{for}`/`%{if}` directives: those are decoded
    /// here (`Quoting::QuotedBody`), so `"%{for x in xs}${x}\n%{endfor}"` has real line breaks.
    fn template_parts(&self, t: &Template, map: Option<&SpanMap>, span: Span, quoting: Quoting) -> Vec<TemplatePart> {
        let body_quoting = if quoting == Quoting::Raw { Quoting::Raw } else { Quoting::QuotedBody };
        // Inside HCL-JSON and TOML strings, hcl-edit's offsets are relative to the decoded string.
        let sub = |range: Option<std::ops::Range<usize>>| match (map, range) {
            (Some(m), Some(r)) => m.span(r.start, r.end),
            (None, r) => self.span(r, span),
            (Some(_), None) => span,
        };
        let mut parts: Vec<TemplatePart> = Vec::new();
        // `~` strip markers: `${~ x}` / `%{~ …}` trim the whitespace before the marker, `~}` the
        // whitespace after it (HCL's template syntax).
        let mut trim_next = false;
        for el in t.iter() {
            let before = parts.len();
            match el {
                Element::Literal(lit) => {
                    let s = sub(lit.span());
                    let map_here = map.cloned().unwrap_or_else(|| SpanMap::identity(self.file, s.start as usize));
                    let pieces = if gotmpl::has_action(lit.value()) {
                        let local = if map.is_some() {
                            // Offsets of the literal inside the decoded string.
                            let start = lit.span().map_or(0, |r| r.start);
                            map_here.shifted(start)
                        } else {
                            map_here
                        };
                        gotmpl::parse(lit.value(), &local).ok()
                    } else {
                        None
                    };
                    match pieces {
                        Some(p) => parts.extend(p),
                        None if quoting == Quoting::QuotedBody => {
                            parts.push(TemplatePart::Literal(decode_escapes(lit.value())));
                        }
                        None => parts.push(TemplatePart::Literal(lit.value().clone())),
                    }
                    if std::mem::take(&mut trim_next) {
                        trim_start(&mut parts[before..]);
                    }
                    continue;
                }
                Element::Interpolation(interp) => {
                    if interp.strip.strip_start() {
                        trim_end(&mut parts);
                    }
                    let e = self.sub_expr(&interp.expr, map, span);
                    parts.push(TemplatePart::Interpolation(e));
                    trim_next = interp.strip.strip_end();
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        if ifd.if_expr.strip.strip_start() {
                            trim_end(&mut parts);
                        }
                        let mut then = self.template_parts(&ifd.if_expr.template, map, span, body_quoting);
                        if ifd.if_expr.strip.strip_end() {
                            trim_start(&mut then);
                        }
                        let mut otherwise = Vec::new();
                        if let Some(e) = &ifd.else_expr {
                            if e.strip.strip_start() {
                                trim_end(&mut then);
                            }
                            otherwise = self.template_parts(&e.template, map, span, body_quoting);
                            if e.strip.strip_end() {
                                trim_start(&mut otherwise);
                            }
                        }
                        if ifd.endif_expr.strip.strip_start() {
                            trim_end(if ifd.else_expr.is_some() { &mut otherwise } else { &mut then });
                        }
                        let cond = self.sub_expr(&ifd.if_expr.cond_expr, map, span);
                        parts.push(TemplatePart::If { cond, then, otherwise });
                        trim_next = ifd.endif_expr.strip.strip_end();
                    }
                    Directive::For(f) => {
                        if f.for_expr.strip.strip_start() {
                            trim_end(&mut parts);
                        }
                        let mut body = self.template_parts(&f.for_expr.template, map, span, body_quoting);
                        if f.for_expr.strip.strip_end() {
                            trim_start(&mut body);
                        }
                        if f.endfor_expr.strip.strip_start() {
                            trim_end(&mut body);
                        }
                        parts.push(TemplatePart::For {
                            key_var: f.for_expr.key_var.as_ref().map(|k| self.sub_ident(k, map, span)),
                            value_var: self.sub_ident(&f.for_expr.value_var, map, span),
                            collection: self.sub_expr(&f.for_expr.collection_expr, map, span),
                            body,
                        });
                        trim_next = f.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        merge_literals(parts)
    }

    /// Lowers an expression found inside a decoded string, fixing up its spans through `map`.
    fn sub_expr(&self, e: &Expression, map: Option<&SpanMap>, span: Span) -> Expr {
        let mut out = self.expr(e, span);
        if let Some(m) = map {
            remap(&mut out, m);
        }
        out
    }

    fn sub_ident(&self, id: &hcl_edit::Decorated<HclIdent>, map: Option<&SpanMap>, span: Span) -> ir::Ident {
        match (map, id.span()) {
            (Some(m), Some(r)) => Spanned::new(id.as_str().to_string(), m.span(r.start, r.end)),
            _ => self.ident(id, span),
        }
    }
}

/// Rewrites spans produced relative to a decoded string (file-offset 0) into file spans.
fn remap(e: &mut Expr, map: &SpanMap) {
    let fix = |s: &mut Span| *s = map.span(s.start as usize, s.end as usize);
    fix(&mut e.span);
    match &mut e.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_) | ExprKind::SplatItem => {}
        ExprKind::Template(parts) => parts.iter_mut().for_each(|p| remap_part(p, map)),
        ExprKind::Tuple(items) => items.iter_mut().for_each(|x| remap(x, map)),
        ExprKind::Object(items) => items.iter_mut().for_each(|it| {
            remap(&mut it.key, map);
            remap(&mut it.value, map);
        }),
        ExprKind::Variable(id) | ExprKind::ComponentVar(id) => fix(&mut id.span),
        ExprKind::GetAttr(inner, id) => {
            remap(inner, map);
            fix(&mut id.span);
        }
        ExprKind::Index(a, b) => {
            remap(a, map);
            remap(b, map);
        }
        ExprKind::Splat { source, each } => {
            remap(source, map);
            remap(each, map);
        }
        ExprKind::Call { name, args, .. } => {
            fix(&mut name.span);
            args.iter_mut().for_each(|x| remap(x, map));
        }
        ExprKind::Unary(_, x) => remap(x, map),
        ExprKind::Binary(_, a, b) => {
            remap(a, map);
            remap(b, map);
        }
        ExprKind::Conditional(a, b, c) => {
            remap(a, map);
            remap(b, map);
            remap(c, map);
        }
        ExprKind::For(f) => {
            if let Some(k) = &mut f.key_var {
                fix(&mut k.span);
            }
            fix(&mut f.value_var.span);
            remap(&mut f.collection, map);
            if let Some(k) = &mut f.key {
                remap(k, map);
            }
            remap(&mut f.value, map);
            if let Some(c) = &mut f.cond {
                remap(c, map);
            }
        }
    }
}

fn remap_part(p: &mut TemplatePart, map: &SpanMap) {
    match p {
        TemplatePart::Literal(_) => {}
        TemplatePart::Interpolation(e) => remap(e, map),
        TemplatePart::If { cond, then, otherwise } => {
            remap(cond, map);
            then.iter_mut().chain(otherwise.iter_mut()).for_each(|x| remap_part(x, map));
        }
        TemplatePart::For { key_var, value_var, collection, body } => {
            if let Some(k) = key_var {
                k.span = map.span(k.span.start as usize, k.span.end as usize);
            }
            value_var.span = map.span(value_var.span.start as usize, value_var.span.end as usize);
            remap(collection, map);
            body.iter_mut().for_each(|x| remap_part(x, map));
        }
    }
}

fn merge_literals(parts: Vec<TemplatePart>) -> Vec<TemplatePart> {
    let mut out: Vec<TemplatePart> = Vec::with_capacity(parts.len());
    for p in parts {
        if let (TemplatePart::Literal(new), Some(TemplatePart::Literal(prev))) = (&p, out.last_mut()) {
            prev.push_str(new);
            continue;
        }
        out.push(p);
    }
    out
}

fn binary_op(op: hcl_edit::expr::BinaryOperator) -> BinaryOp {
    use hcl_edit::expr::BinaryOperator as B;
    match op {
        B::Eq => BinaryOp::Eq,
        B::NotEq => BinaryOp::NotEq,
        B::LessEq => BinaryOp::LessEq,
        B::GreaterEq => BinaryOp::GreaterEq,
        B::Less => BinaryOp::Less,
        B::Greater => BinaryOp::Greater,
        B::Plus => BinaryOp::Plus,
        B::Minus => BinaryOp::Minus,
        B::Mul => BinaryOp::Mul,
        B::Div => BinaryOp::Div,
        B::Mod => BinaryOp::Mod,
        B::And => BinaryOp::And,
        B::Or => BinaryOp::Or,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dumped(text: &str) -> String {
        let e = parse_expression(FileId(0), text).expect("parses");
        crate::ir::dump::expr(&e)
    }

    #[test]
    fn strip_markers_trim_the_whitespace_beside_them() {
        assert_eq!(dumped(r#""a  ${~ 1 ~}  b""#), r#""a${1}b""#);
        assert_eq!(
            dumped("\"%{ for i in [1, 2] ~}\\n- ${i}\\n%{ endfor ~}\\n\""),
            r#""%{for i in [1, 2]}- ${i}\n%{endfor}""#
        );
        assert_eq!(
            dumped(r#""x %{~ if true ~} y %{~ else ~} n %{~ endif ~} z""#),
            r#""x%{if true}y%{else}n%{endif}z""#
        );
    }

    #[test]
    fn escapes_in_directive_bodies_of_quoted_strings_are_decoded() {
        assert_eq!(
            dumped(r#""%{ for i in [1] }${i}\n\t\"\u00e9%{ endfor }""#),
            r#""%{for i in [1]}${i}\n\t\"é%{endfor}""#
        );
        assert_eq!(decode_escapes(r"a\qb\u12"), r"a\qb\u12");
    }
}
