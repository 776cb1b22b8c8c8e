//! Writes [`Node`]s as HCL2 native syntax, and expressions as HCL2 source text (also used by the
//! JSON and TOML writers inside `${...}`). Layout is left to `fmt::hcl`.

use std::fmt::Write;

use crate::convert::expr::go_action;
use crate::convert::{DocBlock, Node};
use crate::ir::{BinaryOp, CallFlavor, Expr, ExprKind, TemplatePart, UnaryOp};

/// A number as HCL, JSON and TOML write it: whole numbers without a fraction.
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        i.to_string()
    } else {
        n.to_string()
    }
}

/// Whether `s` is an HCL identifier (and so a bare attribute or object key).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !matches!(s, "true" | "false" | "null" | "for" | "in" | "if")
}

/// The nodes as an HCL2 file.
pub fn write(nodes: &[Node]) -> String {
    let mut out = String::new();
    body(&mut out, nodes, 0, true);
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn body(out: &mut String, nodes: &[Node], depth: usize, top: bool) {
    let mut previous: Option<&Node> = None;
    for n in nodes {
        let blank = match (previous, n) {
            (_, Node::Comment(l)) if l.is_empty() => false,
            (None, _) => false,
            (Some(Node::Comment(_)), _) => false,
            (Some(_), Node::Block(_) | Node::Comment(_)) => true,
            (Some(Node::Block(_)), _) => true,
            _ => top,
        };
        if blank {
            out.push('\n');
        }
        match n {
            Node::Attr(k, v) => {
                indent(out, depth);
                if is_identifier(k) {
                    out.push_str(k);
                } else {
                    out.push_str(&quoted_literal(k));
                }
                out.push_str(" = ");
                value(out, v, depth);
                out.push('\n');
            }
            Node::Block(b) => block(out, b, depth),
            Node::Comment(lines) if lines.is_empty() => out.push('\n'),
            Node::Comment(lines) => {
                for l in lines {
                    indent(out, depth);
                    out.push('#');
                    if !l.is_empty() {
                        out.push(' ');
                        out.push_str(l);
                    }
                    out.push('\n');
                }
            }
        }
        previous = Some(n);
    }
}

fn block(out: &mut String, b: &DocBlock, depth: usize) {
    indent(out, depth);
    out.push_str(&b.kind);
    for l in &b.labels {
        out.push(' ');
        out.push_str(&quoted_literal(l));
    }
    if b.body.is_empty() {
        out.push_str(" {\n");
    } else {
        out.push_str(" {\n");
        body(out, &b.body, depth + 1, false);
    }
    indent(out, depth);
    out.push_str("}\n");
}

/// An attribute value: objects and long lists over several lines, multi-line text as a heredoc.
fn value(out: &mut String, e: &Expr, depth: usize) {
    match &e.kind {
        ExprKind::Object(items) if !items.is_empty() => {
            out.push_str("{\n");
            for i in items {
                indent(out, depth + 1);
                out.push_str(&object_key(&i.key));
                out.push_str(" = ");
                value(out, &i.value, depth + 1);
                out.push('\n');
            }
            indent(out, depth);
            out.push('}');
        }
        ExprKind::Tuple(items)
            if !items.is_empty() && {
                let inline = expr(e);
                inline.len() > 80
                    || inline.contains('\n')
                    || items.iter().any(|i| matches!(i.kind, ExprKind::Object(_)))
            } =>
        {
            out.push_str("[\n");
            for i in items {
                indent(out, depth + 1);
                // A heredoc's closing marker must end its line: no heredoc before a comma.
                match i.kind {
                    ExprKind::String(_) | ExprKind::Template(_) => out.push_str(&expr(i)),
                    _ => value(out, i, depth + 1),
                }
                out.push_str(",\n");
            }
            indent(out, depth);
            out.push(']');
        }
        ExprKind::String(_) | ExprKind::Template(_) => match heredoc(e) {
            Some(h) => out.push_str(&h),
            None => out.push_str(&expr(e)),
        },
        _ => out.push_str(&expr(e)),
    }
}

fn object_key(k: &Expr) -> String {
    match k.as_str() {
        Some(s) if is_identifier(s) => s.to_string(),
        Some(s) => quoted_literal(s),
        None => format!("({})", expr(k)),
    }
}

/// Multi-line text ending in a newline, written as a heredoc (no escapes are read in one).
fn heredoc(e: &Expr) -> Option<String> {
    let parts = match &e.kind {
        ExprKind::String(s) => vec![TemplatePart::Literal(s.clone())],
        ExprKind::Template(p) => p.clone(),
        _ => return None,
    };
    let mut text = String::new();
    parts_text(&mut text, &parts, false);
    let plain = text.ends_with('\n')
        && text.lines().count() > 1
        && !text.lines().any(|l| l.trim() == "EOT")
        && !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    plain.then(|| format!("<<EOT\n{text}EOT"))
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Conditional(..) => 0,
        ExprKind::Binary(op, ..) => op_prec(*op),
        ExprKind::Unary(..) => 7,
        _ => 8,
    }
}

fn op_prec(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq | BinaryOp::NotEq => 3,
        BinaryOp::Less | BinaryOp::LessEq | BinaryOp::Greater | BinaryOp::GreaterEq => 4,
        BinaryOp::Plus | BinaryOp::Minus => 5,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 6,
    }
}

fn wrapped(e: &Expr, min: u8) -> String {
    let s = expr(e);
    if prec(e) < min { format!("({s})") } else { s }
}

/// An expression as HCL2 source text on one line.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => number(*n),
        ExprKind::String(s) => quoted_literal(s),
        ExprKind::Template(parts) => {
            let mut s = String::from("\"");
            parts_text(&mut s, parts, true);
            s.push('"');
            s
        }
        ExprKind::Tuple(items) => format!("[{}]", items.iter().map(expr).collect::<Vec<_>>().join(", ")),
        ExprKind::Object(items) => {
            if items.is_empty() {
                return "{}".into();
            }
            let fields: Vec<String> =
                items.iter().map(|i| format!("{} = {}", object_key(&i.key), expr(&i.value))).collect();
            format!("{{ {} }}", fields.join(", "))
        }
        ExprKind::Variable(name) => name.value.clone(),
        ExprKind::GetAttr(inner, attr) => format!("{}.{}", wrapped(inner, 8), attr.value),
        ExprKind::Index(inner, idx) => format!("{}[{}]", wrapped(inner, 8), expr(idx)),
        ExprKind::Splat { source, each } => {
            let rest = expr(each);
            format!("{}[*]{}", wrapped(source, 8), rest.strip_prefix("@").unwrap_or(&rest))
        }
        ExprKind::SplatItem => "@".into(),
        ExprKind::ComponentVar(name) => quoted_literal(&format!("{{{{ .{} }}}}", name.value)),
        ExprKind::Call { flavor: CallFlavor::GoTemplate, .. } => {
            let mut s = String::from("\"");
            go_text(&mut s, e, true);
            s.push('"');
            s
        }
        ExprKind::Call { name, args, expand_final, .. } => {
            let mut s = format!("{}(", name.value);
            s.push_str(&args.iter().map(expr).collect::<Vec<_>>().join(", "));
            if *expand_final {
                s.push_str("...");
            }
            s.push(')');
            s
        }
        ExprKind::Unary(op, inner) => {
            let sign = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "!",
            };
            format!("{sign}{}", wrapped(inner, 7))
        }
        ExprKind::Binary(op, a, b) => {
            let p = op_prec(*op);
            format!("{} {} {}", wrapped(a, p), op.as_str(), wrapped(b, p + 1))
        }
        ExprKind::Conditional(c, a, b) => format!("{} ? {} : {}", wrapped(c, 1), wrapped(a, 1), wrapped(b, 0)),
        ExprKind::For(f) => {
            let mut s = String::from(if f.key.is_some() { "{for " } else { "[for " });
            if let Some(k) = &f.key_var {
                let _ = write!(s, "{}, ", k.value);
            }
            let _ = write!(s, "{} in {} : ", f.value_var.value, expr(&f.collection));
            if let Some(k) = &f.key {
                let _ = write!(s, "{} => ", expr(k));
            }
            s.push_str(&expr(&f.value));
            if f.grouping {
                s.push_str("...");
            }
            if let Some(c) = &f.cond {
                let _ = write!(s, " if {}", expr(c));
            }
            s.push(if f.key.is_some() { '}' } else { ']' });
            s
        }
    }
}

/// A literal string as a quoted HCL2 string.
pub fn quoted_literal(s: &str) -> String {
    let mut out = String::from("\"");
    literal(&mut out, s, true);
    out.push('"');
    out
}

/// Literal template text: `${` and `%{` doubled; with `quoted`, the escapes of a quoted string.
pub fn literal(out: &mut String, s: &str, quoted: bool) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            '"' if quoted => out.push_str("\\\""),
            '\\' if quoted => out.push_str("\\\\"),
            '\n' if quoted => out.push_str("\\n"),
            '\r' if quoted => out.push_str("\\r"),
            '\t' if quoted => out.push_str("\\t"),
            c if quoted && c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// A Go-template action kept as text (see `expr::go_action`).
fn go_text(out: &mut String, e: &Expr, quoted: bool) {
    match go_action(e) {
        Some(text) => literal(out, &text, quoted),
        None => literal(out, &format!("${{{}}}", expr(e)), quoted),
    }
}

/// The parts of a template as template text (without quotes).
pub fn parts_text(out: &mut String, parts: &[TemplatePart], quoted: bool) {
    for p in parts {
        match p {
            TemplatePart::Literal(s) => literal(out, s, quoted),
            TemplatePart::Interpolation(e) => match &e.kind {
                ExprKind::Call { flavor: CallFlavor::GoTemplate, .. } => go_text(out, e, quoted),
                ExprKind::ComponentVar(name) => literal(out, &format!("{{{{ .{} }}}}", name.value), quoted),
                _ => {
                    let _ = write!(out, "${{{}}}", expr(e));
                }
            },
            TemplatePart::If { cond, then, otherwise } => {
                let _ = write!(out, "%{{ if {} }}", expr(cond));
                parts_text(out, then, quoted);
                if !otherwise.is_empty() {
                    out.push_str("%{ else }");
                    parts_text(out, otherwise, quoted);
                }
                out.push_str("%{ endif }");
            }
            TemplatePart::For { key_var, value_var, collection, body } => {
                out.push_str("%{ for ");
                if let Some(k) = key_var {
                    let _ = write!(out, "{}, ", k.value);
                }
                let _ = write!(out, "{} in {} }}", value_var.value, expr(collection));
                parts_text(out, body, quoted);
                out.push_str("%{ endfor }");
            }
        }
    }
}
