//! The expression evaluator: `ir::Expr` → [`Value`], with errors at the span that caused them.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, did_you_mean_help};
use crate::eval::functions::{self, FnError};
use crate::eval::value::{Kind, Value, format_number};
use crate::eval::{Env, types};
use crate::ir::{BinaryOp, CallFlavor, Expr, ExprKind, ForExpr, TemplatePart, UnaryOp};
use crate::source::Span;

/// Why evaluation stopped.
#[derive(Debug, Clone)]
pub enum EvalError {
    /// A new problem, to report.
    Diag(Box<Diagnostic>),
    /// A problem already reported (a broken local referenced again): stop quietly.
    Reported,
}

impl From<Diagnostic> for EvalError {
    fn from(d: Diagnostic) -> EvalError {
        EvalError::Diag(Box::new(d))
    }
}

type R = Result<Value, EvalError>;

fn err(code: Code, span: Span, msg: impl Into<String>) -> EvalError {
    EvalError::from(Diagnostic::error(code, span, msg))
}

/// Where an expression is evaluated: which contextual names exist.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// `source.type` and `source.name`, inside a source, provisioner or post-processor.
    pub source: Option<(String, String)>,
    /// `build.name`, and whether run-time `build.*` values may be referenced (provisioners and
    /// post-processors).
    pub build: Option<BuildCtx>,
    /// `env()` is allowed only in variable defaults.
    pub allow_env: bool,
    /// Names bound by `for`, `dynamic` iterators and splats, innermost last.
    pub bindings: Vec<(String, Value)>,
    /// At run time a component renders its own `{{ .Path }}`-style variables: keep them as text.
    pub keep_component_vars: bool,
}

/// The build a provisioner or post-processor runs in.
#[derive(Debug, Clone, Default)]
pub struct BuildCtx {
    /// The build block's name.
    pub name: Option<String>,
    /// The full build name (`build.type.name` or the legacy builder name), for Go's `build_name`.
    pub full_name: String,
    /// The builder type, for Go's `build_type`.
    pub builder_type: String,
    /// Values the builder generated at run time (`build.ID`, `build.Host`, …).
    pub generated: BTreeMap<String, Value>,
}

impl Ctx {
    fn with(&self, name: &str, v: Value) -> Ctx {
        let mut c = self.clone();
        c.bindings.push((name.to_string(), v));
        c
    }

    fn binding(&self, name: &str) -> Option<&Value> {
        self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// Evaluates an expression.
///
/// # Errors
/// The first problem found; `try` and `can` catch it.
pub fn eval(env: &Env<'_>, ctx: &Ctx, e: &Expr) -> R {
    match &e.kind {
        ExprKind::Null => Ok(Value::null()),
        ExprKind::Bool(b) => Ok(Value::bool(*b)),
        ExprKind::Number(n) => Ok(Value::number(*n)),
        ExprKind::String(s) => Ok(Value::string(s.clone())),
        ExprKind::Template(parts) => template(env, ctx, parts),
        ExprKind::Tuple(items) => Ok(Value::list(items.iter().map(|x| eval(env, ctx, x)).collect::<Result<_, _>>()?)),
        ExprKind::Object(items) => {
            let mut out = BTreeMap::new();
            let mut sensitive = false;
            for item in items {
                let k = eval(env, ctx, &item.key)?;
                if k.is_deferred() {
                    return Ok(Value::deferred("an object key known at run time"));
                }
                sensitive |= k.sensitive;
                let Some(key) = k.to_string_lossless() else {
                    return Err(err(
                        Code::TypeMismatch,
                        item.key.span,
                        format!("an object key must be a string, not {}", k.type_name()),
                    ));
                };
                out.insert(key, eval(env, ctx, &item.value)?);
            }
            Ok(Value::map(out).mark(sensitive))
        }
        ExprKind::Variable(name) => root(env, ctx, &name.value, e.span),
        ExprKind::GetAttr(inner, attr) => get_attr(env, ctx, inner, &attr.value, attr.span, e.span),
        ExprKind::Index(inner, idx) => {
            let base = eval(env, ctx, inner)?;
            let key = eval(env, ctx, idx)?;
            index(&base, &key, idx.span)
        }
        ExprKind::Splat { source, each } => {
            let base = eval(env, ctx, source)?;
            if base.is_deferred() {
                return Ok(base);
            }
            let items = match &base.kind {
                Kind::Null => Vec::new(),
                Kind::List(items) => items.clone(),
                _ => vec![base.clone()],
            };
            let out = items.into_iter().map(|it| eval(env, &ctx.with("@splat", it), each)).collect::<Result<_, _>>()?;
            Ok(Value::list(out).mark(base.sensitive))
        }
        ExprKind::SplatItem => Ok(ctx.binding("@splat").cloned().unwrap_or_else(Value::null)),
        ExprKind::Call { name, args, expand_final, flavor } => {
            call(env, ctx, e, &name.value, name.span, args, *expand_final, *flavor)
        }
        ExprKind::Unary(op, inner) => unary(*op, &eval(env, ctx, inner)?, inner.span),
        ExprKind::Binary(op, a, b) => binary(env, ctx, *op, a, b),
        ExprKind::Conditional(c, a, b) => {
            let cond = eval(env, ctx, c)?;
            if cond.is_deferred() {
                return Ok(Value::deferred("a condition known at run time"));
            }
            let Some(truth) = cond.to_bool() else {
                return Err(err(
                    Code::TypeMismatch,
                    c.span,
                    format!("the condition must be a bool, not {}", cond.type_name()),
                ));
            };
            let v = if truth { eval(env, ctx, a)? } else { eval(env, ctx, b)? };
            Ok(v.mark(cond.sensitive))
        }
        ExprKind::For(f) => for_expr(env, ctx, f),
        ExprKind::ComponentVar(name) if ctx.keep_component_vars => {
            Ok(Value::string(format!("{{{{.{}}}}}", name.value)))
        }
        ExprKind::ComponentVar(name) => Ok(Value::deferred(format!("{{{{ .{} }}}}", name.value))),
    }
}

fn template(env: &Env<'_>, ctx: &Ctx, parts: &[TemplatePart]) -> R {
    let mut out = String::new();
    let mut sensitive = false;
    let mut deferred = None;
    render_parts(env, ctx, parts, &mut out, &mut sensitive, &mut deferred)?;
    if let Some(what) = deferred {
        return Ok(Value::deferred(what).mark(sensitive));
    }
    Ok(Value::string(out).mark(sensitive))
}

fn render_parts(
    env: &Env<'_>,
    ctx: &Ctx,
    parts: &[TemplatePart],
    out: &mut String,
    sensitive: &mut bool,
    deferred: &mut Option<String>,
) -> Result<(), EvalError> {
    for part in parts {
        match part {
            TemplatePart::Literal(s) => out.push_str(s),
            TemplatePart::Interpolation(e) => {
                let v = eval(env, ctx, e)?;
                *sensitive |= v.is_sensitive();
                if let Kind::Deferred(d) = &v.kind {
                    deferred.get_or_insert(d.what.clone());
                    continue;
                }
                match v.to_string_lossless() {
                    Some(s) => out.push_str(&s),
                    None if v.is_null() => {
                        return Err(err(
                            Code::TypeMismatch,
                            e.span,
                            "cannot include a null value in a string template",
                        )
                        .into_help("use `coalesce(x, \"\")` to give it a default"));
                    }
                    None => {
                        return Err(err(
                            Code::TypeMismatch,
                            e.span,
                            format!("cannot include a {} in a string template", v.type_name()),
                        )
                        .into_help("convert it first, for example with `join(\",\", …)` or `jsonencode(…)`"));
                    }
                }
            }
            TemplatePart::If { cond, then, otherwise } => {
                let c = eval(env, ctx, cond)?;
                if let Kind::Deferred(d) = &c.kind {
                    deferred.get_or_insert(d.what.clone());
                    continue;
                }
                let Some(truth) = c.to_bool() else {
                    return Err(err(
                        Code::TypeMismatch,
                        cond.span,
                        format!("a template `if` needs a bool, not {}", c.type_name()),
                    ));
                };
                render_parts(env, ctx, if truth { then } else { otherwise }, out, sensitive, deferred)?;
            }
            TemplatePart::For { key_var, value_var, collection, body } => {
                let coll = eval(env, ctx, collection)?;
                for (k, v) in iterate(&coll, collection.span)? {
                    let mut inner = ctx.with(&value_var.value, v);
                    if let Some(kv) = key_var {
                        inner = inner.with(&kv.value, k);
                    }
                    render_parts(env, &inner, body, out, sensitive, deferred)?;
                }
            }
        }
    }
    Ok(())
}

trait IntoHelp {
    fn into_help(self, help: &str) -> EvalError;
}

impl IntoHelp for EvalError {
    fn into_help(self, help: &str) -> EvalError {
        match self {
            EvalError::Diag(d) => EvalError::Diag(Box::new(d.with_help(help))),
            other => other,
        }
    }
}

/// `(key, value)` pairs of a collection, for `for` and `dynamic`.
pub fn iterate(coll: &Value, span: Span) -> Result<Vec<(Value, Value)>, EvalError> {
    match &coll.kind {
        #[allow(clippy::cast_precision_loss)]
        Kind::List(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::number(i as f64), v.clone().mark(coll.sensitive)))
            .collect()),
        Kind::Map(items) => {
            Ok(items.iter().map(|(k, v)| (Value::string(k.clone()), v.clone().mark(coll.sensitive))).collect())
        }
        Kind::Deferred(_) => Ok(Vec::new()),
        _ => Err(err(Code::TypeMismatch, span, format!("cannot iterate over {}", coll.type_name()))),
    }
}

fn for_expr(env: &Env<'_>, ctx: &Ctx, f: &ForExpr) -> R {
    let coll = eval(env, ctx, &f.collection)?;
    if coll.is_deferred() && matches!(coll.kind, Kind::Deferred(_)) {
        return Ok(coll);
    }
    let mut list = Vec::new();
    let mut map: BTreeMap<String, Value> = BTreeMap::new();
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in iterate(&coll, f.collection.span)? {
        let mut inner = ctx.with(&f.value_var.value, v);
        if let Some(kv) = &f.key_var {
            inner = inner.with(&kv.value, k);
        }
        if let Some(cond) = &f.cond {
            let c = eval(env, &inner, cond)?;
            match c.to_bool() {
                Some(false) => continue,
                Some(true) => {}
                None if c.is_deferred() => return Ok(Value::deferred("a `for` filter known at run time")),
                None => {
                    return Err(err(
                        Code::TypeMismatch,
                        cond.span,
                        format!("a `for` filter must be a bool, not {}", c.type_name()),
                    ));
                }
            }
        }
        let value = eval(env, &inner, &f.value)?;
        match &f.key {
            None => list.push(value),
            Some(key_expr) => {
                let key = eval(env, &inner, key_expr)?;
                let Some(key) = key.to_string_lossless() else {
                    return Err(err(Code::TypeMismatch, key_expr.span, "a `for` key must be a string"));
                };
                if f.grouping {
                    groups.entry(key).or_default().push(value);
                } else if map.insert(key.clone(), value).is_some() {
                    return Err(err(Code::TypeMismatch, key_expr.span, format!("two elements have the key `{key}`"))
                        .into_help("use `...` after the value to group elements with the same key"));
                }
            }
        }
    }
    let out = match (&f.key, f.grouping) {
        (None, _) => Value::list(list),
        (Some(_), true) => Value::map(groups.into_iter().map(|(k, v)| (k, Value::list(v))).collect()),
        (Some(_), false) => Value::map(map),
    };
    Ok(out.mark(coll.sensitive))
}

/// A root name on its own: `var`, `local`, a `for` variable…
fn root(env: &Env<'_>, ctx: &Ctx, name: &str, span: Span) -> R {
    if let Some(v) = ctx.binding(name) {
        return Ok(v.clone());
    }
    match name {
        "var" => Ok(Value::map(env.vars.clone())),
        "local" => {
            let names: Vec<String> = env.local_names();
            let mut out = BTreeMap::new();
            for n in names {
                out.insert(n.clone(), env.local(&n, span)?);
            }
            Ok(Value::map(out))
        }
        "path" => Ok(Value::map(BTreeMap::from([
            ("root".to_string(), Value::string(env.path_root.clone())),
            ("cwd".to_string(), Value::string(env.cwd.clone())),
        ]))),
        "packer" => Ok(Value::map(BTreeMap::from([
            ("version".to_string(), Value::string(env!("CARGO_PKG_VERSION"))),
            // HCP Packer values: forge has no HCP registry, so they are unknown until run time.
            ("iterationID".to_string(), Value::deferred("packer.iterationID")),
            ("versionFingerprint".to_string(), Value::deferred("packer.versionFingerprint")),
        ]))),
        "source" => match &ctx.source {
            Some((t, n)) => Ok(Value::map(BTreeMap::from([
                ("type".to_string(), Value::string(t)),
                ("name".to_string(), Value::string(n)),
            ]))),
            None => Err(err(
                Code::UnknownReference,
                span,
                "`source` is only available inside a source, provisioner or post-processor",
            )),
        },
        "build" => match &ctx.build {
            Some(_) => Ok(Value::deferred("build")),
            None => Err(err(
                Code::UnknownReference,
                span,
                "`build` is only available inside a provisioner or post-processor",
            )),
        },
        "data" => Ok(Value::map(env.data_object())),
        "count" | "each" | "self" | "terraform" => {
            Err(err(Code::UnknownReference, span, format!("`{name}` does not exist in a Packer template")))
        }
        _ => {
            let mut known: Vec<&str> = vec!["var", "local", "path", "packer", "data", "source", "build"];
            known.extend(ctx.bindings.iter().map(|(n, _)| n.as_str()));
            Err(EvalError::from(
                Diagnostic::error(Code::UnknownReference, span, format!("unknown name `{name}`")).with_help(
                    did_you_mean_help(name, known).unwrap_or_else(|| {
                        "references start with var., local., data., path., source. or build.".into()
                    }),
                ),
            ))
        }
    }
}

fn get_attr(env: &Env<'_>, ctx: &Ctx, inner: &Expr, attr: &str, attr_span: Span, whole: Span) -> R {
    // `data.TYPE.NAME`: evaluated on first use, in dependency order with the locals.
    if let ExprKind::GetAttr(data_root, ty) = &inner.kind {
        if matches!(&data_root.kind, ExprKind::Variable(r) if r.value == "data" && ctx.binding("data").is_none()) {
            return env.data_source(&ty.value, attr, Some(whole));
        }
    }
    // Fast, well-explained paths for the common roots.
    if let ExprKind::Variable(root_name) = &inner.kind {
        if ctx.binding(&root_name.value).is_none() {
            match root_name.value.as_str() {
                "var" => {
                    return env.vars.get(attr).cloned().ok_or_else(|| {
                        EvalError::from(
                            Diagnostic::error(
                                Code::UnknownReference,
                                whole,
                                format!("undefined variable `var.{attr}`"),
                            )
                            .with_help(
                                crate::diag::did_you_mean(attr, env.vars.keys().map(String::as_str)).map_or_else(
                                    || format!("declare it with `variable \"{attr}\" {{}}`"),
                                    |near| format!("did you mean `var.{near}`?"),
                                ),
                            ),
                        )
                    });
                }
                "local" => {
                    if !env.has_local(attr) {
                        let names = env.local_names();
                        return Err(EvalError::from(
                            Diagnostic::error(Code::UnknownReference, whole, format!("undefined local `local.{attr}`"))
                                .with_help(
                                    crate::diag::did_you_mean(attr, names.iter().map(String::as_str)).map_or_else(
                                        || "define it in a `locals` block".into(),
                                        |near| format!("did you mean `local.{near}`?"),
                                    ),
                                ),
                        ));
                    }
                    return env.local(attr, whole);
                }
                "build" if ctx.build.is_some() => {
                    let b = ctx.build.as_ref().map(|b| (b.name.clone(), b.full_name.clone())).unwrap_or_default();
                    if let Some(v) = ctx.build.as_ref().and_then(|b| b.generated.get(attr)) {
                        return Ok(v.clone());
                    }
                    return Ok(match attr {
                        "name" => b.0.map_or_else(|| Value::string(""), Value::string),
                        "SSHPrivateKey" | "Password" | "WinRMPassword" => {
                            Value::deferred(format!("build.{attr}")).mark(true)
                        }
                        _ => Value::deferred(format!("build.{attr}")),
                    });
                }
                _ => {}
            }
        }
    }
    let base = eval(env, ctx, inner)?;
    match &base.kind {
        Kind::Deferred(d) => Ok(Value::deferred(format!("{}.{attr}", d.what)).mark(base.sensitive)),
        Kind::Map(items) => items.get(attr).cloned().map(|v| v.mark(base.sensitive)).ok_or_else(|| {
            EvalError::from(
                Diagnostic::error(Code::UnknownReference, attr_span, format!("this object has no attribute `{attr}`"))
                    .with_help_opt(did_you_mean_help(attr, items.keys().map(String::as_str))),
            )
        }),
        _ => Err(err(Code::TypeMismatch, attr_span, format!("cannot take attribute `{attr}` of {}", base.type_name()))),
    }
}

fn index(base: &Value, key: &Value, span: Span) -> R {
    if base.is_deferred() || key.is_deferred() {
        return Ok(Value::deferred("an index known at run time"));
    }
    let sensitive = base.sensitive || key.sensitive;
    match &base.kind {
        Kind::List(items) => {
            let Some(n) = key.to_number() else {
                return Err(err(
                    Code::TypeMismatch,
                    span,
                    format!("a list index must be a number, not {}", key.type_name()),
                ));
            };
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let i = n as usize;
            if n < 0.0 || n.fract() != 0.0 || i >= items.len() {
                return Err(err(
                    Code::TypeMismatch,
                    span,
                    format!("index {} is out of range for a list of {} elements", format_number(n), items.len()),
                ));
            }
            Ok(items[i].clone().mark(sensitive))
        }
        Kind::Map(items) => {
            let Some(k) = key.to_string_lossless() else {
                return Err(err(
                    Code::TypeMismatch,
                    span,
                    format!("a map key must be a string, not {}", key.type_name()),
                ));
            };
            items.get(&k).cloned().map(|v| v.mark(sensitive)).ok_or_else(|| {
                EvalError::from(
                    Diagnostic::error(Code::UnknownReference, span, format!("the map has no element `{k}`"))
                        .with_help_opt(did_you_mean_help(&k, items.keys().map(String::as_str))),
                )
            })
        }
        _ => Err(err(Code::TypeMismatch, span, format!("cannot index {}", base.type_name()))),
    }
}

fn unary(op: UnaryOp, v: &Value, span: Span) -> R {
    if v.is_deferred() {
        return Ok(v.clone());
    }
    let out = match op {
        UnaryOp::Neg => Value::number(
            -v.to_number()
                .ok_or_else(|| err(Code::TypeMismatch, span, format!("`-` needs a number, not {}", v.type_name())))?,
        ),
        UnaryOp::Not => Value::bool(
            !v.to_bool()
                .ok_or_else(|| err(Code::TypeMismatch, span, format!("`!` needs a bool, not {}", v.type_name())))?,
        ),
    };
    Ok(out.mark(v.sensitive))
}

fn binary(env: &Env<'_>, ctx: &Ctx, op: BinaryOp, a: &Expr, b: &Expr) -> R {
    let l = eval(env, ctx, a)?;
    let r = eval(env, ctx, b)?;
    let sensitive = l.sensitive || r.sensitive;
    if l.is_deferred() || r.is_deferred() {
        return Ok(Value::deferred("a value known at run time").mark(sensitive));
    }
    let num = |v: &Value, e: &Expr| {
        v.to_number().ok_or_else(|| {
            err(Code::TypeMismatch, e.span, format!("`{}` needs numbers, not {}", op.as_str(), v.type_name()))
        })
    };
    let boolean = |v: &Value, e: &Expr| {
        v.to_bool().ok_or_else(|| {
            err(Code::TypeMismatch, e.span, format!("`{}` needs bools, not {}", op.as_str(), v.type_name()))
        })
    };
    let out = match op {
        BinaryOp::Eq => Value::bool(equal(&l, &r)),
        BinaryOp::NotEq => Value::bool(!equal(&l, &r)),
        BinaryOp::And => Value::bool(boolean(&l, a)? && boolean(&r, b)?),
        BinaryOp::Or => Value::bool(boolean(&l, a)? || boolean(&r, b)?),
        BinaryOp::Less => Value::bool(num(&l, a)? < num(&r, b)?),
        BinaryOp::LessEq => Value::bool(num(&l, a)? <= num(&r, b)?),
        BinaryOp::Greater => Value::bool(num(&l, a)? > num(&r, b)?),
        BinaryOp::GreaterEq => Value::bool(num(&l, a)? >= num(&r, b)?),
        BinaryOp::Plus => Value::number(num(&l, a)? + num(&r, b)?),
        BinaryOp::Minus => Value::number(num(&l, a)? - num(&r, b)?),
        BinaryOp::Mul => Value::number(num(&l, a)? * num(&r, b)?),
        BinaryOp::Div => {
            let d = num(&r, b)?;
            if d == 0.0 {
                return Err(err(Code::TypeMismatch, b.span, "division by zero"));
            }
            Value::number(num(&l, a)? / d)
        }
        BinaryOp::Mod => {
            let d = num(&r, b)?;
            if d == 0.0 {
                return Err(err(Code::TypeMismatch, b.span, "modulo by zero"));
            }
            Value::number(num(&l, a)? % d)
        }
    };
    Ok(out.mark(sensitive))
}

/// HCL equality: values of different types are unequal, except numbers compared numerically.
fn equal(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::List(x), Kind::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((kp, p), (kq, q))| kp == kq && equal(p, q))
        }
        (x, y) => x == y,
    }
}

#[allow(clippy::too_many_arguments)]
fn call(
    env: &Env<'_>,
    ctx: &Ctx,
    e: &Expr,
    name: &str,
    name_span: Span,
    args: &[Expr],
    expand_final: bool,
    flavor: CallFlavor,
) -> R {
    if flavor == CallFlavor::Hcl {
        match name {
            "try" => return try_call(env, ctx, e, args),
            "can" => {
                let [arg] = args else { return Err(arity(name, name_span, 1, Some(1), args.len())) };
                return Ok(Value::bool(eval(env, ctx, arg).is_ok()));
            }
            "env" => return env_call(ctx, name_span, args, env),
            "convert" => {
                let [v, ty] = args else { return Err(arity(name, name_span, 2, Some(2), args.len())) };
                let value = eval(env, ctx, v)?;
                let ty = types::parse(ty).map_err(|(at, msg)| err(Code::InvalidType, at.span, msg))?;
                return types::convert(&value, &ty)
                    .map_err(|m| err(Code::FunctionError, v.span, format!("cannot convert: {m}")));
            }
            "templatefile" => return crate::eval::templatefile(env, ctx, e, args),
            _ => {}
        }
    }
    let func = match flavor {
        CallFlavor::Hcl => functions::lookup(name),
        CallFlavor::GoTemplate => functions::lookup_go(name),
    };
    let Some(func) = func else {
        let names: Vec<&str> = match flavor {
            CallFlavor::Hcl => functions::HCL_FUNCTIONS.iter().map(|f| f.name).collect(),
            CallFlavor::GoTemplate => functions::GO_FUNCTIONS.iter().map(|f| f.name).collect(),
        };
        let (what, default_help) = match flavor {
            CallFlavor::Hcl => ("function", "see the list of functions in Packer's documentation"),
            CallFlavor::GoTemplate => (
                "Go template function",
                "legacy templates have user, env, timestamp, isotime, uuid, build_name, build_type, split, replace, upper, lower…",
            ),
        };
        return Err(EvalError::from(
            Diagnostic::error(Code::UnknownFunction, name_span, format!("unknown {what} `{name}`"))
                .with_help(did_you_mean_help(name, names).unwrap_or_else(|| default_help.to_string())),
        ));
    };
    let mut values = Vec::with_capacity(args.len());
    let mut spans = Vec::with_capacity(args.len());
    for (i, a) in args.iter().enumerate() {
        let v = eval(env, ctx, a)?;
        if expand_final && i + 1 == args.len() {
            match &v.kind {
                Kind::List(items) => {
                    for it in items {
                        values.push(it.clone().mark(v.sensitive));
                        spans.push(a.span);
                    }
                }
                Kind::Deferred(_) => {
                    values.push(v);
                    spans.push(a.span);
                }
                _ => return Err(err(Code::TypeMismatch, a.span, "`...` needs a list")),
            }
        } else {
            values.push(v);
            spans.push(a.span);
        }
    }
    if values.len() < func.min_args || func.max_args.is_some_and(|m| values.len() > m) {
        return Err(arity(name, name_span, func.min_args, func.max_args, values.len()));
    }
    let fctx = env.fn_context(ctx);
    functions::call(func, &fctx, &values).map_err(|FnError { arg, message }| {
        let span = arg.and_then(|i| spans.get(i).copied()).unwrap_or(e.span);
        err(Code::FunctionError, span, format!("`{name}`: {message}"))
    })
}

fn arity(name: &str, span: Span, min: usize, max: Option<usize>, got: usize) -> EvalError {
    let expected = match max {
        Some(m) if m == min => format!("{min}"),
        Some(m) => format!("{min} to {m}"),
        None => format!("at least {min}"),
    };
    let plural = if expected == "1" { "" } else { "s" };
    err(Code::WrongArgumentCount, span, format!("`{name}` takes {expected} argument{plural}, not {got}"))
}

fn try_call(env: &Env<'_>, ctx: &Ctx, e: &Expr, args: &[Expr]) -> R {
    let mut last = None;
    for a in args {
        match eval(env, ctx, a) {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(EvalError::Diag(d)) => err(
            Code::FunctionError,
            e.span,
            format!("no argument of `try` could be evaluated; the last failed with: {}", d.message),
        ),
        _ => err(Code::WrongArgumentCount, e.span, "`try` needs at least one argument"),
    })
}

fn env_call(ctx: &Ctx, span: Span, args: &[Expr], env: &Env<'_>) -> R {
    if !ctx.allow_env {
        return Err(EvalError::from(
            Diagnostic::error(Code::UnknownFunction, span, "`env` may only be used in a variable's default")
                .with_help("declare a variable with `default = env(\"NAME\")` and use `var.NAME` here"),
        ));
    }
    let [arg] = args else { return Err(arity("env", span, 1, Some(1), args.len())) };
    let Some(name) = arg.as_str() else {
        return Err(err(Code::FunctionError, arg.span, "`env` takes the variable's name as a literal string"));
    };
    Ok(Value::string(env.getenv(name).unwrap_or_default()))
}
