//! Expressions on their way to HCL2: Go-template calls mapped to the HCL2 function or reference
//! with the same value, renamed variables redirected to their locals, and the Go-template text
//! of a call that has no HCL2 counterpart (kept in a string, where forge reads it back).

use std::collections::BTreeSet;

use crate::diag::{Code, Diagnostic};
use crate::ir::{CallFlavor, Expr, ExprKind, ForExpr, Ident, ObjectItem, Spanned, TemplatePart};
use crate::source::Span;

/// The name of the local `{{timestamp}}` becomes, as `packer hcl2_upgrade` names it.
pub const TIMESTAMP_LOCAL: &str = "timestamp";

/// The rewriting state shared by every expression of one conversion.
#[derive(Debug, Default)]
pub struct Rewriter {
    /// Variables read through a local of the same name (`var.x` → `local.x`).
    pub renamed: BTreeSet<String>,
    /// Whether some `{{timestamp}}` became `local.timestamp`.
    pub needs_timestamp: bool,
    /// Whether `local.timestamp` is free to define.
    pub timestamp_free: bool,
    /// What could not be carried.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the expression being rewritten is a local's, where HCL2 refuses `env`.
    pub in_local: bool,
    /// Variables made for `env("X")` calls met in locals: (variable name, environment variable).
    pub env_vars: Vec<(String, String)>,
    /// Variables the template declares with exactly `default = env("X")`, reused for `env("X")`.
    pub env_declared: Vec<(String, String)>,
    /// Every variable name declared, so a made one does not collide.
    pub declared: BTreeSet<String>,
}

fn var(root: &str, attr: &str, span: Span) -> Expr {
    let root = Expr::new(ExprKind::Variable(Spanned::new(root.to_string(), span)), span);
    Expr::new(ExprKind::GetAttr(Box::new(root), Spanned::new(attr.to_string(), span)), span)
}

fn call(name: &str, args: Vec<Expr>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Call {
            name: Spanned::new(name.to_string(), span),
            args,
            expand_final: false,
            flavor: CallFlavor::Hcl,
        },
        span,
    )
}

fn string(s: &str, span: Span) -> Expr {
    Expr::new(ExprKind::String(s.to_string()), span)
}

/// Whether a Go-template call is left anywhere in `e`.
pub fn has_go(e: &Expr) -> bool {
    e.any(&mut |x| matches!(x.kind, ExprKind::Call { flavor: CallFlavor::GoTemplate, .. }))
}

/// The value of `{{timestamp}}` (Unix seconds of the start time, as a string) in HCL2.
pub fn timestamp_expr(span: Span) -> Expr {
    let parsed = call("rfc3339_parse", vec![call("legacy_isotime", Vec::new(), span)], span);
    let unix = Expr::new(ExprKind::GetAttr(Box::new(parsed), Spanned::new("unix".into(), span)), span);
    call("format", vec![string("%d", span), unix], span)
}

impl Rewriter {
    /// `e` with Go-template calls mapped and renamed variables redirected.
    pub fn expr(&mut self, e: &Expr) -> Expr {
        let span = e.span;
        let kind = match &e.kind {
            ExprKind::Call { name, args, expand_final, flavor: CallFlavor::GoTemplate } => {
                let mapped: Vec<Expr> = args.iter().map(|a| self.expr(a)).collect();
                if mapped.iter().any(has_go) {
                    // The inner call that has no counterpart was reported; keep the whole action.
                    return e.clone();
                }
                return match self.translate(name, &mapped, span) {
                    Ok(x) => x,
                    Err(why) => {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                Code::NoEquivalent,
                                name.span,
                                format!("the Go-template function `{}` has no HCL2 equivalent here", name.value),
                            )
                            .with_label_message(why)
                            .with_help("the output keeps this action as Go-template text inside the string; rewrite it by hand for Packer's HCL2"),
                        );
                        let _ = expand_final;
                        e.clone()
                    }
                };
            }
            ExprKind::GetAttr(inner, attr) => {
                if let ExprKind::Variable(root) = &inner.kind {
                    if root.value == "var" && self.renamed.contains(&attr.value) {
                        return var("local", &attr.value, span);
                    }
                }
                ExprKind::GetAttr(Box::new(self.expr(inner)), attr.clone())
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Variable(_)
            | ExprKind::SplatItem
            | ExprKind::ComponentVar(_) => return e.clone(),
            ExprKind::Template(parts) => ExprKind::Template(self.parts(parts)),
            ExprKind::Tuple(items) => ExprKind::Tuple(items.iter().map(|x| self.expr(x)).collect()),
            ExprKind::Object(items) => ExprKind::Object(
                items.iter().map(|i| ObjectItem { key: self.expr(&i.key), value: self.expr(&i.value) }).collect(),
            ),
            ExprKind::Index(a, b) => ExprKind::Index(Box::new(self.expr(a)), Box::new(self.expr(b))),
            ExprKind::Splat { source, each } => {
                ExprKind::Splat { source: Box::new(self.expr(source)), each: Box::new(self.expr(each)) }
            }
            ExprKind::Call { name, args, flavor: CallFlavor::Hcl, .. }
                if self.in_local && name.value == "env" && args.len() == 1 && args[0].as_str().is_some() =>
            {
                // HCL2 allows `env` only in a variable's default: the value comes through one.
                let env = args[0].as_str().unwrap_or_default().to_string();
                let existing =
                    self.env_declared.iter().chain(&self.env_vars).find(|(_, e)| *e == env).map(|(v, _)| v.clone());
                let var_name = existing.unwrap_or_else(|| {
                    let base: String = format!("env_{env}")
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
                        .collect();
                    let mut name = base.clone();
                    let mut n = 1;
                    while self.declared.contains(&name) {
                        n += 1;
                        name = format!("{base}_{n}");
                    }
                    self.declared.insert(name.clone());
                    self.env_vars.push((name.clone(), env.clone()));
                    name
                });
                return var("var", &var_name, span);
            }
            ExprKind::Call { name, args, expand_final, flavor } => ExprKind::Call {
                name: name.clone(),
                args: args.iter().map(|x| self.expr(x)).collect(),
                expand_final: *expand_final,
                flavor: *flavor,
            },
            ExprKind::Unary(op, inner) => ExprKind::Unary(*op, Box::new(self.expr(inner))),
            ExprKind::Binary(op, a, b) => ExprKind::Binary(*op, Box::new(self.expr(a)), Box::new(self.expr(b))),
            ExprKind::Conditional(c, a, b) => {
                ExprKind::Conditional(Box::new(self.expr(c)), Box::new(self.expr(a)), Box::new(self.expr(b)))
            }
            ExprKind::For(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.key_var.clone(),
                value_var: f.value_var.clone(),
                collection: self.expr(&f.collection),
                key: f.key.as_ref().map(|k| self.expr(k)),
                value: self.expr(&f.value),
                grouping: f.grouping,
                cond: f.cond.as_ref().map(|c| self.expr(c)),
            })),
        };
        Expr::new(kind, span)
    }

    fn parts(&mut self, parts: &[TemplatePart]) -> Vec<TemplatePart> {
        parts
            .iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => TemplatePart::Literal(s.clone()),
                TemplatePart::Interpolation(e) => TemplatePart::Interpolation(self.expr(e)),
                TemplatePart::If { cond, then, otherwise } => {
                    TemplatePart::If { cond: self.expr(cond), then: self.parts(then), otherwise: self.parts(otherwise) }
                }
                TemplatePart::For { key_var, value_var, collection, body } => TemplatePart::For {
                    key_var: key_var.clone(),
                    value_var: value_var.clone(),
                    collection: self.expr(collection),
                    body: self.parts(body),
                },
            })
            .collect()
    }

    /// The HCL2 expression with the value of the Go-template call `name args`, or why there is none.
    fn translate(&mut self, name: &Ident, args: &[Expr], span: Span) -> Result<Expr, String> {
        let n = args.len();
        let a = |i: usize| args[i].clone();
        Ok(match (name.value.as_str(), n) {
            ("timestamp", 0) => {
                if self.timestamp_free {
                    self.needs_timestamp = true;
                    var("local", TIMESTAMP_LOCAL, span)
                } else {
                    timestamp_expr(span)
                }
            }
            ("isotime", 0 | 1) => call("legacy_isotime", args.to_vec(), span),
            ("strftime", 1) => call("legacy_strftime", args.to_vec(), span),
            ("uuid", 0) => call("uuidv4", Vec::new(), span),
            ("build_name", 0) => var("source", "name", span),
            ("build_type", 0) => var("source", "type", span),
            ("upper" | "lower", 1) => call(&name.value, args.to_vec(), span),
            ("split", 3) => {
                let parts = call("split", vec![a(1), a(0)], span);
                Expr::new(ExprKind::Index(Box::new(parts), Box::new(a(2))), span)
            }
            ("replace_all", 3) => hcl_replace(a(2), a(0), a(1), span)?,
            ("replace", 4) => match args[2].kind {
                ExprKind::Number(count) if count < 0.0 => hcl_replace(a(3), a(0), a(1), span)?,
                _ => return Err("HCL2's `replace` replaces every occurrence; a count is not expressible".into()),
            },
            ("clean_resource_name", 1) => {
                call("regex_replace", vec![a(0), string("[^a-zA-Z0-9()\\[\\] ./'@_-]", span), string("-", span)], span)
            }
            ("aws_secretsmanager", 2) => call("aws_secretsmanager", args.to_vec(), span),
            ("aws_secretsmanager", 1) | ("aws_secretsmanager_raw", 1) => {
                call("aws_secretsmanager_raw", args.to_vec(), span)
            }
            ("vault", 2) => call("vault", args.to_vec(), span),
            ("consul_key", 1) => call("consul_key", args.to_vec(), span),
            ("sed", _) => return Err("`sed` is deprecated in Packer and has no HCL2 counterpart".into()),
            ("user" | "build", _) => return Err("its argument must be a literal name to become a reference".into()),
            (other, _) => return Err(format!("`{other}` with {n} argument(s) is not a Go-template function HCL2 has")),
        })
    }
}

/// HCL2's `replace(s, old, new)`, unless `old` is written `/.../`, which HCL2 reads as a regex.
fn hcl_replace(s: Expr, old: Expr, new: Expr, span: Span) -> Result<Expr, String> {
    match old.as_str() {
        Some(o) if !(o.len() > 1 && o.starts_with('/') && o.ends_with('/')) => {
            Ok(call("replace", vec![s, old, new], span))
        }
        Some(_) => Err("HCL2's `replace` would read a substring written `/.../` as a regular expression".into()),
        None => Err("HCL2's `replace` reads a computed substring written `/.../` as a regular expression".into()),
    }
}

/// `{{...}}`: the Go-template text of an expression left as Go (a call with no HCL2 counterpart
/// and its arguments); `None` when part of it cannot be written in Go.
pub fn go_action(e: &Expr) -> Option<String> {
    Some(format!("{{{{{}}}}}", go_pipeline(e)?))
}

fn go_pipeline(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Call { name, args, .. } => {
            let mut s = name.value.clone();
            for a in args {
                s.push(' ');
                s.push_str(&go_operand(a)?);
            }
            Some(s)
        }
        _ => go_operand(e),
    }
}

fn go_operand(e: &Expr) -> Option<String> {
    Some(match &e.kind {
        ExprKind::String(s) if !s.contains('`') => format!("`{s}`"),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Number(n) => crate::convert::hcl::number(*n),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::ComponentVar(name) => format!(".{}", name.value),
        ExprKind::Call { args, .. } if args.is_empty() => go_pipeline(e)?,
        ExprKind::Call { .. } => format!("({})", go_pipeline(e)?),
        _ => {
            let (root, path) = e.as_traversal()?;
            match (root.as_str(), path.as_slice()) {
                ("var", [x]) => format!("(user `{x}`)"),
                ("build", [x]) => format!("(build `{x}`)"),
                ("path", [r]) if r == "root" => "template_dir".into(),
                ("path", [c]) if c == "cwd" => "pwd".into(),
                ("packer", [v]) if v == "version" => "packer_version".into(),
                _ => return None,
            }
        }
    })
}
