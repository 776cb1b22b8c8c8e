//! A span-free text dump of a [`Template`], for snapshots and for comparing syntaxes.
//!
//! Two templates written in different syntaxes are "the same" when their dumps are equal.
//! Expressions print in a canonical HCL-like form; legacy-only naming shows as `origin: legacy`.

use std::fmt::Write;

use crate::ir::{Body, Build, Chain, Expr, ExprKind, PostProcessor, Provisioner, Template, TemplatePart};

/// The dump of a whole template.
pub fn dump(t: &Template) -> String {
    let mut out = String::new();
    let w = &mut out;
    for p in &t.packer {
        line(w, 0, "packer");
        if let Some(v) = &p.required_version {
            line(w, 1, &format!("required_version = {:?}", v.value));
        }
        if let Some(b) = &p.required_plugins {
            line(w, 1, "required_plugins");
            body(w, 2, b);
        }
    }
    if let Some(d) = &t.description {
        line(w, 0, &format!("description = {:?}", d.value));
    }
    for v in &t.variables {
        line(w, 0, &format!("variable {:?}", v.name.value));
        if let Some(ty) = &v.ty {
            line(w, 1, &format!("type = {}", expr(ty)));
        }
        if let Some(d) = &v.default {
            line(w, 1, &format!("default = {}", expr(d)));
        }
        if let Some(d) = &v.description {
            line(w, 1, &format!("description = {:?}", d.value));
        }
        if let Some(s) = &v.sensitive {
            line(w, 1, &format!("sensitive = {}", s.value));
        }
        for val in &v.validations {
            line(w, 1, "validation");
            line(w, 2, &format!("condition = {}", expr(&val.condition)));
            line(w, 2, &format!("error_message = {}", expr(&val.error_message)));
        }
    }
    for l in &t.locals {
        let sens = if l.sensitive { " (sensitive)" } else { "" };
        line(w, 0, &format!("local {:?}{sens} = {}", l.name.value, expr(&l.expr)));
    }
    for d in &t.data {
        line(w, 0, &format!("data {:?} {:?}", d.kind.value, d.name.value));
        body(w, 1, &d.body);
    }
    for s in &t.sources {
        line(w, 0, &format!("source {:?} {:?}", s.kind.value, s.name.value));
        body(w, 1, &s.body);
    }
    for b in &t.builds {
        build(w, b);
    }
    out
}

fn build(w: &mut String, b: &Build) {
    line(w, 0, "build");
    if b.origin.is_legacy() {
        line(w, 1, "origin: legacy");
    }
    if let Some(n) = &b.name {
        line(w, 1, &format!("name = {:?}", n.value));
    }
    if let Some(d) = &b.description {
        line(w, 1, &format!("description = {:?}", d.value));
    }
    if let Some(e) = &b.sources_expr {
        line(w, 1, &format!("sources = {}", expr(e)));
    }
    for s in &b.sources {
        let name = s.name.as_ref().map(|n| format!(" as {:?}", n.value)).unwrap_or_default();
        line(w, 1, &format!("source {:?}{name}", s.reference.value));
        body(w, 2, &s.body);
    }
    for p in &b.provisioners {
        provisioner(w, "provisioner", p);
    }
    if let Some(p) = &b.error_cleanup {
        provisioner(w, "error-cleanup-provisioner", p);
    }
    for c in &b.post_processors {
        chain(w, c);
    }
    for d in &b.dynamic {
        line(w, 1, &format!("dynamic {:?}", d.labels.iter().map(|l| &l.value).collect::<Vec<_>>()));
        body(w, 2, &d.body);
    }
}

fn names(list: &[crate::ir::Spanned<String>]) -> String {
    list.iter().map(|s| format!("{:?}", s.value)).collect::<Vec<_>>().join(", ")
}

fn provisioner(w: &mut String, what: &str, p: &Provisioner) {
    line(w, 1, &format!("{what} {:?}", p.kind.value));
    if let Some(n) = &p.name {
        line(w, 2, &format!("name = {:?}", n.value));
    }
    if !p.only.is_empty() {
        line(w, 2, &format!("only = [{}]", names(&p.only)));
    }
    if !p.except.is_empty() {
        line(w, 2, &format!("except = [{}]", names(&p.except)));
    }
    for (k, v) in [
        ("only", &p.only_expr),
        ("except", &p.except_expr),
        ("pause_before", &p.pause_before),
        ("timeout", &p.timeout),
        ("max_retries", &p.max_retries),
    ] {
        if let Some(v) = v {
            line(w, 2, &format!("{k} = {}", expr(v)));
        }
    }
    for o in &p.overrides {
        line(w, 2, &format!("override {:?}", o.target.value));
        body(w, 3, &o.body);
    }
    body(w, 2, &p.body);
}

fn chain(w: &mut String, c: &Chain) {
    line(w, 1, "post-processors");
    for pp in &c.steps {
        post_processor(w, pp);
    }
}

fn post_processor(w: &mut String, p: &PostProcessor) {
    line(w, 2, &format!("post-processor {:?}", p.kind.value));
    if let Some(n) = &p.name {
        line(w, 3, &format!("name = {:?}", n.value));
    }
    if !p.only.is_empty() {
        line(w, 3, &format!("only = [{}]", names(&p.only)));
    }
    if !p.except.is_empty() {
        line(w, 3, &format!("except = [{}]", names(&p.except)));
    }
    for (k, v) in [("only", &p.only_expr), ("except", &p.except_expr)] {
        if let Some(v) = v {
            line(w, 3, &format!("{k} = {}", expr(v)));
        }
    }
    if let Some(k) = &p.keep_input_artifact {
        line(w, 3, &format!("keep_input_artifact = {}", expr(k)));
    }
    body(w, 3, &p.body);
}

fn body(w: &mut String, depth: usize, b: &Body) {
    for a in &b.attributes {
        line(w, depth, &format!("{} = {}", a.key.value, expr(&a.value)));
    }
    for blk in &b.blocks {
        let labels: String = blk.labels.iter().map(|l| format!(" {:?}", l.value)).collect();
        line(w, depth, &format!("{}{labels}", blk.kind.value));
        body(w, depth + 1, &blk.body);
    }
}

fn line(w: &mut String, depth: usize, text: &str) {
    let _ = writeln!(w, "{:width$}{text}", "", width = depth * 2);
}

/// An expression in canonical HCL-like text.
pub fn expr(e: &Expr) -> String {
    let mut s = String::new();
    write_expr(&mut s, e);
    s
}

fn write_expr(s: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Null => s.push_str("null"),
        ExprKind::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        ExprKind::Number(n) => {
            let _ = write!(s, "{n}");
        }
        ExprKind::String(v) => {
            let _ = write!(s, "{v:?}");
        }
        ExprKind::Template(parts) => {
            s.push('"');
            write_parts(s, parts);
            s.push('"');
        }
        ExprKind::Tuple(items) => {
            s.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_expr(s, it);
            }
            s.push(']');
        }
        ExprKind::Object(items) => {
            s.push('{');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_expr(s, &it.key);
                s.push_str(" = ");
                write_expr(s, &it.value);
            }
            s.push('}');
        }
        ExprKind::Variable(name) => s.push_str(&name.value),
        ExprKind::GetAttr(inner, attr) => {
            write_expr(s, inner);
            s.push('.');
            s.push_str(&attr.value);
        }
        ExprKind::Index(inner, idx) => {
            write_expr(s, inner);
            s.push('[');
            write_expr(s, idx);
            s.push(']');
        }
        ExprKind::Splat { source, each } => {
            write_expr(s, source);
            s.push_str("[*]");
            let mut rest = String::new();
            write_expr(&mut rest, each);
            s.push_str(rest.trim_start_matches('@'));
        }
        ExprKind::SplatItem => s.push('@'),
        ExprKind::Call { name, args, expand_final, flavor } => {
            if *flavor == crate::ir::CallFlavor::GoTemplate {
                s.push_str("go::");
            }
            s.push_str(&name.value);
            s.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_expr(s, a);
            }
            if *expand_final {
                s.push_str("...");
            }
            s.push(')');
        }
        ExprKind::Unary(op, inner) => {
            s.push_str(match op {
                crate::ir::UnaryOp::Neg => "-",
                crate::ir::UnaryOp::Not => "!",
            });
            write_expr(s, inner);
        }
        ExprKind::Binary(op, a, b) => {
            s.push('(');
            write_expr(s, a);
            let _ = write!(s, " {} ", op.as_str());
            write_expr(s, b);
            s.push(')');
        }
        ExprKind::Conditional(c, a, b) => {
            s.push('(');
            write_expr(s, c);
            s.push_str(" ? ");
            write_expr(s, a);
            s.push_str(" : ");
            write_expr(s, b);
            s.push(')');
        }
        ExprKind::For(f) => {
            s.push_str(if f.key.is_some() { "{for " } else { "[for " });
            if let Some(k) = &f.key_var {
                let _ = write!(s, "{}, ", k.value);
            }
            let _ = write!(s, "{} in ", f.value_var.value);
            write_expr(s, &f.collection);
            s.push_str(" : ");
            if let Some(k) = &f.key {
                write_expr(s, k);
                s.push_str(" => ");
            }
            write_expr(s, &f.value);
            if f.grouping {
                s.push_str("...");
            }
            if let Some(c) = &f.cond {
                s.push_str(" if ");
                write_expr(s, c);
            }
            s.push(if f.key.is_some() { '}' } else { ']' });
        }
        ExprKind::ComponentVar(name) => {
            let _ = write!(s, "{{{{ .{} }}}}", name.value);
        }
    }
}

fn write_parts(s: &mut String, parts: &[TemplatePart]) {
    for p in parts {
        match p {
            TemplatePart::Literal(text) => {
                let escaped = format!("{text:?}");
                s.push_str(&escaped[1..escaped.len() - 1]);
            }
            TemplatePart::Interpolation(e) => {
                s.push_str("${");
                write_expr(s, e);
                s.push('}');
            }
            TemplatePart::If { cond, then, otherwise } => {
                s.push_str("%{if ");
                write_expr(s, cond);
                s.push('}');
                write_parts(s, then);
                if !otherwise.is_empty() {
                    s.push_str("%{else}");
                    write_parts(s, otherwise);
                }
                s.push_str("%{endif}");
            }
            TemplatePart::For { key_var, value_var, collection, body } => {
                s.push_str("%{for ");
                if let Some(k) = key_var {
                    let _ = write!(s, "{}, ", k.value);
                }
                let _ = write!(s, "{} in ", value_var.value);
                write_expr(s, collection);
                s.push('}');
                write_parts(s, body);
                s.push_str("%{endfor}");
            }
        }
    }
}
