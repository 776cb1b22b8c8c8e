//! Input variables: types, defaults, and assignment by Packer's precedence as its code does it
//! (not as its docs say): default < `PKR_VAR_name` < `*.auto.pkrvars.*` < each `-var-file` in
//! order < every `-var`. Then required values and `validation` blocks.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::diag::{Code, Diagnostic, did_you_mean_help};
use crate::eval::types::{self, Type};
use crate::eval::value::Value;
use crate::eval::{Ctx, Env, EvalError, eval, literal};
use crate::ir::{Attribute, Expr, ExprKind, Template, Variable};
use crate::source::{FileId, Span};

/// Everything outside the template that evaluation needs.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `path.root`: the folder of the template file, or the folder given.
    pub path_root: PathBuf,
    /// `path.cwd`.
    pub cwd: PathBuf,
    /// The process environment (`PKR_VAR_*`, `env()`).
    pub env: BTreeMap<String, String>,
    /// When the run started.
    pub start_time: SystemTime,
    /// `*.auto.pkrvars.*` files of a folder input, in lexical order.
    pub auto_var_files: Vec<VarFile>,
    /// `-var-file` files in command-line order.
    pub var_files: Vec<VarFile>,
    /// `-var NAME=VALUE` flags.
    pub cli_vars: Vec<CliVar>,
}

impl Default for Inputs {
    fn default() -> Inputs {
        Inputs {
            path_root: PathBuf::from("."),
            cwd: PathBuf::from("."),
            env: BTreeMap::new(),
            start_time: SystemTime::now(),
            auto_var_files: Vec::new(),
            var_files: Vec::new(),
            cli_vars: Vec::new(),
        }
    }
}

/// The assignments of one variable file.
#[derive(Debug, Clone)]
pub struct VarFile {
    /// The file.
    pub file: FileId,
    /// Its `name = value` lines.
    pub assignments: Vec<Attribute>,
}

/// One `-var NAME=VALUE`.
#[derive(Debug, Clone)]
pub struct CliVar {
    /// The name.
    pub name: String,
    /// The value as typed.
    pub value: String,
    /// Where the name stands in the `<command line>` pseudo-file.
    pub name_span: Span,
    /// Where the value stands.
    pub value_span: Span,
}

/// Where a variable's value came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarOrigin {
    /// Its default.
    Default(Span),
    /// `PKR_VAR_name`.
    Env,
    /// A variable file (the value's span).
    VarFile(Span),
    /// `-var` (the value's span).
    Cli(Span),
}

impl VarOrigin {
    fn span(&self) -> Option<Span> {
        match self {
            VarOrigin::Default(s) | VarOrigin::VarFile(s) | VarOrigin::Cli(s) => Some(*s),
            VarOrigin::Env => None,
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            VarOrigin::Default(_) => "its default",
            VarOrigin::Env => "the environment",
            VarOrigin::VarFile(_) => "a variable file",
            VarOrigin::Cli(_) => "`-var`",
        }
    }
}

struct Decl<'t> {
    var: &'t Variable,
    ty: Option<Type>,
}

/// Resolves every variable into `env.vars`, reporting every problem.
pub(super) fn resolve(env: &mut Env<'_>, t: &Template, inputs: &Inputs) {
    let legacy = t.is_legacy();
    let decls: Vec<Decl<'_>> = t.variables.iter().map(|v| Decl { var: v, ty: declared_type(env, v) }).collect();
    let mut values: BTreeMap<String, (Value, VarOrigin)> = BTreeMap::new();
    let errors_before = env.diags.borrow().len();
    defaults(env, &decls, legacy, &mut values);
    // A variable whose default was wrong is not also reported as unset.
    let bad_defaults: Vec<Span> = env.diags.borrow()[errors_before..].iter().map(Diagnostic::span).collect();
    for d in &decls {
        let name = &d.var.name.value;
        if let Some(raw) = inputs.env.get(&format!("PKR_VAR_{name}")) {
            if let Some(v) = from_string(env, d, raw, d.var.name.span) {
                values.insert(name.clone(), (v, VarOrigin::Env));
            }
        }
    }
    for file in inputs.auto_var_files.iter().chain(&inputs.var_files) {
        assign_from_file(env, &decls, file, &mut values);
    }
    for cli in &inputs.cli_vars {
        let Some(d) = decls.iter().find(|d| d.var.name.value == cli.name) else {
            env.report(
                Diagnostic::error(
                    Code::UndeclaredVariable,
                    cli.name_span,
                    format!("`-var` sets `{}`, which the template does not declare", cli.name),
                )
                .with_help(
                    did_you_mean_help(&cli.name, decls.iter().map(|d| d.var.name.value.as_str())).unwrap_or_else(
                        || format!("declare it with `variable \"{}\" {{}}` or remove the flag", cli.name),
                    ),
                ),
            );
            continue;
        };
        if let Some(v) = from_string(env, d, &cli.value, cli.value_span) {
            values.insert(cli.name.clone(), (v, VarOrigin::Cli(cli.value_span)));
        }
    }
    for d in &decls {
        let name = &d.var.name.value;
        match values.remove(name) {
            Some((v, origin)) => {
                let sensitive = d.var.sensitive.as_ref().is_some_and(|s| s.value);
                env.vars.insert(name.clone(), v.mark(sensitive));
                env.var_origins.insert(name.clone(), origin);
            }
            None if d.var.default.as_ref().is_some_and(|x| {
                bad_defaults.iter().any(|s| s.file == x.span.file && s.start >= x.span.start && s.end <= x.span.end)
            }) =>
            {
                missing_value(env, name);
            }
            None => {
                missing_value(env, name);
                let how = if legacy {
                    format!("set it with `-var {name}=VALUE` or a `-var-file`")
                } else {
                    format!(
                        "set it with `-var {name}=VALUE`, a `-var-file`, a `*.auto.pkrvars.hcl` file or the environment variable `PKR_VAR_{name}`, or give it a default"
                    )
                };
                env.report(
                    Diagnostic::error(
                        Code::RequiredVariable,
                        d.var.name.span,
                        format!("variable `{name}` is required but has no value"),
                    )
                    .with_help(how),
                );
            }
        }
    }
    for d in &decls {
        validations(env, d);
    }
}

/// A variable without a usable value was reported once; references to it evaluate as unknown
/// so that each use is not reported again.
fn missing_value(env: &mut Env<'_>, name: &str) {
    env.vars.insert(name.to_string(), Value::deferred(format!("var.{name} (no value)")));
}

fn declared_type(env: &Env<'_>, v: &Variable) -> Option<Type> {
    let ty = v.ty.as_ref()?;
    match types::parse(ty) {
        Ok(t) => Some(t),
        Err((at, msg)) => {
            env.report(Diagnostic::error(Code::InvalidType, at.span, msg));
            None
        }
    }
}

/// Defaults: literals (and `env()`) in HCL2; Go templates that may use `env` and other
/// variables in legacy JSON, resolved in as many passes as their references need.
fn defaults(env: &mut Env<'_>, decls: &[Decl<'_>], legacy: bool, values: &mut BTreeMap<String, (Value, VarOrigin)>) {
    let ctx = Ctx { allow_env: true, ..Ctx::default() };
    let mut pending: Vec<&Decl<'_>> = decls.iter().filter(|d| d.var.default.is_some()).collect();
    loop {
        let before = pending.len();
        let mut still = Vec::new();
        let mut last_errors = Vec::new();
        for d in pending {
            let Some(default) = &d.var.default else { continue };
            if !legacy && !is_default_literal(default) {
                env.report(
                    Diagnostic::error(Code::InvalidDefault, default.span, format!("the default of `{}` must be a literal value", d.var.name.value))
                        .with_help("a default may use `env(\"NAME\")` but no variable, local or other function; compute the value in a local instead"),
                );
                continue;
            }
            match eval(env, &ctx, default) {
                Ok(v) if v.is_null() => {}
                Ok(v) => {
                    if let Some(v) = typed(env, d, v, default.span, "default") {
                        values.insert(d.var.name.value.clone(), (v.clone(), VarOrigin::Default(default.span)));
                        env.vars.insert(d.var.name.value.clone(), v);
                    }
                }
                Err(e) if legacy => {
                    still.push(d);
                    last_errors.push(e);
                }
                Err(e) => env.report_error(e),
            }
        }
        if still.is_empty() || still.len() == before {
            last_errors.into_iter().for_each(|e| env.report_error(e));
            break;
        }
        pending = still;
    }
    // Only fully resolved values are visible from here on; `resolve` fills `env.vars` again.
    env.vars.clear();
}

fn is_default_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { name, args, .. } if name.value == "env" => args.iter().all(is_default_literal),
        ExprKind::Template(parts) => parts.iter().all(|p| match p {
            crate::ir::TemplatePart::Literal(_) => true,
            crate::ir::TemplatePart::Interpolation(x) => is_default_literal(x),
            _ => false,
        }),
        ExprKind::Tuple(items) => items.iter().all(is_default_literal),
        ExprKind::Object(items) => items.iter().all(|i| is_default_literal(&i.key) && is_default_literal(&i.value)),
        _ => literal(e).is_some(),
    }
}

fn typed(env: &Env<'_>, d: &Decl<'_>, v: Value, span: Span, what: &str) -> Option<Value> {
    let Some(ty) = &d.ty else { return Some(v) };
    match types::convert(&v, ty) {
        Ok(c) => Some(c),
        Err(msg) => {
            env.report(
                Diagnostic::error(
                    Code::InvalidVariableValue,
                    span,
                    format!("invalid {what} for variable `{}`: {msg}", d.var.name.value),
                )
                .with_label(d.var.name.span, format!("declared as {} here", ty.name())),
            );
            None
        }
    }
}

/// A value given as text (`-var`, `PKR_VAR_`): primitive and untyped variables take it as a
/// literal string; complex types parse it as an HCL expression.
fn from_string(env: &Env<'_>, d: &Decl<'_>, raw: &str, span: Span) -> Option<Value> {
    let primitive = d.ty.as_ref().is_none_or(Type::is_primitive);
    if primitive {
        return typed(env, d, Value::string(raw), span, "value");
    }
    let parsed = crate::syntax::hcl::parse_body(span.file, &format!("x = {raw}"))
        .ok()
        .and_then(|mut b| b.attributes.pop())
        .map(|a| a.value);
    match parsed.as_ref().and_then(literal) {
        Some(v) => typed(env, d, v, span, "value"),
        None => {
            env.report(
                Diagnostic::error(
                    Code::InvalidVariableValue,
                    span,
                    format!(
                        "the value of `{}` is not a valid {} expression",
                        d.var.name.value,
                        d.ty.as_ref().map_or_else(|| "HCL".into(), Type::name)
                    ),
                )
                .with_help("write it as HCL, for example `-var 'names=[\"a\",\"b\"]'`"),
            );
            None
        }
    }
}

fn assign_from_file(
    env: &Env<'_>,
    decls: &[Decl<'_>],
    file: &VarFile,
    values: &mut BTreeMap<String, (Value, VarOrigin)>,
) {
    for a in &file.assignments {
        let Some(d) = decls.iter().find(|d| d.var.name.value == a.key.value) else {
            env.report(
                Diagnostic::warning(
                    Code::UndeclaredVariable,
                    a.key.span,
                    format!("`{}` is set in a variable file but not declared", a.key.value),
                )
                .with_help_opt(did_you_mean_help(&a.key.value, decls.iter().map(|d| d.var.name.value.as_str()))),
            );
            continue;
        };
        match eval(env, &Ctx::default(), &a.value) {
            Ok(v) => {
                if let Some(v) = typed(env, d, v, a.value.span, "value") {
                    values.insert(a.key.value.clone(), (v, VarOrigin::VarFile(a.value.span)));
                }
            }
            Err(e) => env.report_error(e),
        }
    }
}

/// Packer's rule for `error_message`: a sentence, so that it reads well inside the larger
/// message it is shown in. Checked on a literal message only, as Packer decodes it without
/// variables.
fn check_error_message(env: &Env<'_>, message: &crate::ir::Expr) {
    let crate::ir::ExprKind::String(text) = &message.kind else { return };
    let text = text.trim();
    let problem = match (text.chars().next(), text.chars().last()) {
        (None, _) | (_, None) => "an empty `error_message` is not a useful message",
        (Some(first), _) if first.is_alphabetic() && !first.is_uppercase() => {
            "`error_message` must be a sentence starting with an uppercase letter"
        }
        (_, Some(last)) if !matches!(last, '.' | '?' | '!') => {
            "`error_message` must be a sentence ending with a period or question mark"
        }
        _ => return,
    };
    env.report(
        Diagnostic::error(Code::InvalidValidation, message.span, problem)
            .with_help("write a full sentence, for example `error_message = \"The name must start with ubuntu-.\"` (Packer requires it too)"),
    );
}

fn validations(env: &Env<'_>, d: &Decl<'_>) {
    let name = &d.var.name.value;
    for v in &d.var.validations {
        check_error_message(env, &v.error_message);
    }
    let Some(value) = env.vars.get(name).cloned() else { return };
    for v in &d.var.validations {
        if let Some(bad) = foreign_reference(&v.condition, name) {
            env.report(
                Diagnostic::error(
                    Code::InvalidValidation,
                    bad,
                    format!("a validation of `{name}` may refer only to `var.{name}`"),
                )
                .with_help("move checks that involve other values into the build"),
            );
            continue;
        }
        let only_self = env.scoped_to(name, &value);
        let result = eval(&only_self, &Ctx::default(), &v.condition);
        match result {
            Ok(c) if c.to_bool() == Some(true) || c.is_deferred() => {}
            Ok(c) if c.to_bool() == Some(false) => {
                let message = eval(&only_self, &Ctx::default(), &v.error_message)
                    .ok()
                    .and_then(|m| m.to_string_lossless())
                    .unwrap_or_default();
                let origin = env.var_origins.get(name);
                let from = origin.map_or("its value", VarOrigin::describe);
                let mut diag = Diagnostic::error(
                    Code::ValidationFailed,
                    v.condition.span,
                    format!("invalid value for variable `{name}` (from {from}): {message}"),
                )
                .with_label_message("this condition is false")
                .with_help("change the value, or the condition if the value is right");
                if let Some(span) = origin.and_then(VarOrigin::span) {
                    diag = diag.with_label(span, "the value comes from here");
                }
                env.report(diag);
            }
            Ok(c) => env.report(Diagnostic::error(
                Code::TypeMismatch,
                v.condition.span,
                format!("a validation condition must be a bool, not {}", c.type_name()),
            )),
            Err(EvalError::Diag(e)) => env.report(*e),
            Err(EvalError::Reported) => {}
        }
    }
}

/// The span of a reference other than `var.<name>` in a validation condition.
fn foreign_reference(e: &Expr, name: &str) -> Option<Span> {
    let mut found = None;
    visit_references(e, &mut |root, attr, span| {
        let ok = root != "var" && root != "local" && root != "data" || (root == "var" && attr == Some(name));
        let is_ref = matches!(root, "var" | "local" | "data");
        if is_ref && !ok && found.is_none() {
            found = Some(span);
        }
    });
    found
}

fn visit_references(e: &Expr, f: &mut dyn FnMut(&str, Option<&str>, Span)) {
    if let Some((root, path)) = e.as_traversal() {
        f(&root, path.first().map(String::as_str), e.span);
        return;
    }
    match &e.kind {
        ExprKind::Variable(id) => f(&id.value, None, e.span),
        ExprKind::GetAttr(inner, _) => visit_references(inner, f),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            visit_references(a, f);
            visit_references(b, f);
        }
        ExprKind::Splat { source, .. } => visit_references(source, f),
        ExprKind::Call { args, .. } | ExprKind::Tuple(args) => args.iter().for_each(|a| visit_references(a, f)),
        ExprKind::Object(items) => items.iter().for_each(|i| {
            visit_references(&i.key, f);
            visit_references(&i.value, f);
        }),
        ExprKind::Unary(_, x) => visit_references(x, f),
        ExprKind::Conditional(a, b, c) => {
            visit_references(a, f);
            visit_references(b, f);
            visit_references(c, f);
        }
        ExprKind::Template(parts) => parts.iter().for_each(|p| {
            if let crate::ir::TemplatePart::Interpolation(x) = p {
                visit_references(x, f);
            }
        }),
        ExprKind::For(fe) => {
            visit_references(&fe.collection, f);
        }
        _ => {}
    }
}
