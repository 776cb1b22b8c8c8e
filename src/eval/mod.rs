//! Evaluation: variables by Packer's precedence, locals in dependency order, expressions with
//! the function library, producing values that are known, deferred or sensitive.
//!
//! Architecture Invariant: evaluation is synchronous and deterministic apart from the clock and
//! files read through `Vfs`; it never starts a process or opens a socket. The process
//! environment arrives as data ([`Inputs::env`]), not through `std::env`.

pub mod expr;
pub mod functions;
pub mod types;
pub mod value;
pub mod vars;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use expr::{BuildCtx, Ctx, EvalError, eval};
pub use vars::{Inputs, VarOrigin};

use crate::diag::{Code, Diagnostic};
use crate::eval::value::Value;
use crate::ir::{DataSource, Expr, ExprKind, Local, Template};
use crate::source::{Span, Vfs};

/// The evaluated top level of a template: variables, locals and the context functions need.
pub struct Env<'t> {
    /// Final variable values.
    pub vars: BTreeMap<String, Value>,
    /// Where each variable's value came from.
    pub var_origins: BTreeMap<String, VarOrigin>,
    /// `path.root`.
    pub path_root: String,
    /// `path.cwd`.
    pub cwd: String,
    locals: BTreeMap<String, &'t Local>,
    local_state: RefCell<BTreeMap<String, LocalState>>,
    stack: RefCell<Vec<String>>,
    data: RefCell<BTreeMap<String, BTreeMap<String, Value>>>,
    data_defs: BTreeMap<(String, String), &'t DataSource>,
    data_in_progress: RefCell<Vec<String>>,
    env: BTreeMap<String, String>,
    start_time: SystemTime,
    vfs: &'t dyn Vfs,
    pub(crate) diags: RefCell<Vec<Diagnostic>>,
    seen: RefCell<std::collections::HashSet<(Span, String)>>,
}

#[derive(Debug, Clone)]
enum LocalState {
    InProgress,
    Done(Option<Value>),
}

impl<'t> Env<'t> {
    /// Evaluates variables (with every error reported) and prepares locals, which are evaluated
    /// on first use or by [`Env::eval_all_locals`].
    pub fn new(t: &'t Template, inputs: &Inputs, vfs: &'t dyn Vfs) -> Env<'t> {
        let mut env = Env {
            vars: BTreeMap::new(),
            var_origins: BTreeMap::new(),
            path_root: inputs.path_root.to_string_lossy().replace('\\', "/"),
            cwd: inputs.cwd.to_string_lossy().replace('\\', "/"),
            locals: t.locals.iter().map(|l| (l.name.value.clone(), l)).collect(),
            local_state: RefCell::new(BTreeMap::new()),
            stack: RefCell::new(Vec::new()),
            data: RefCell::new(BTreeMap::new()),
            data_defs: t.data.iter().map(|d| ((d.kind.value.clone(), d.name.value.clone()), d)).collect(),
            data_in_progress: RefCell::new(Vec::new()),
            env: inputs.env.clone(),
            start_time: inputs.start_time,
            vfs,
            diags: RefCell::new(Vec::new()),
            seen: RefCell::new(std::collections::HashSet::new()),
        };
        vars::resolve(&mut env, t, inputs);
        env
    }

    /// An environment where only `var.<name>` exists, for validation conditions.
    pub fn scoped_to(&self, name: &str, value: &Value) -> Env<'t> {
        Env {
            vars: BTreeMap::from([(name.to_string(), value.clone())]),
            var_origins: BTreeMap::new(),
            path_root: self.path_root.clone(),
            cwd: self.cwd.clone(),
            locals: BTreeMap::new(),
            local_state: RefCell::new(BTreeMap::new()),
            stack: RefCell::new(Vec::new()),
            data: RefCell::new(BTreeMap::new()),
            data_defs: BTreeMap::new(),
            data_in_progress: RefCell::new(Vec::new()),
            env: BTreeMap::new(),
            start_time: self.start_time,
            vfs: self.vfs,
            diags: RefCell::new(Vec::new()),
            seen: RefCell::new(std::collections::HashSet::new()),
        }
    }

    /// Everything evaluated so far, as plain data that can cross threads (build tasks evaluate
    /// their bodies against it at run time).
    pub fn snapshot(&self) -> Snapshot {
        self.eval_all_locals();
        let locals = self
            .local_state
            .borrow()
            .iter()
            .filter_map(|(k, v)| match v {
                LocalState::Done(Some(v)) => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect();
        Snapshot {
            vars: self.vars.clone(),
            locals,
            data: self.data_object().into_iter().map(|(k, v)| (k, v.as_map().cloned().unwrap_or_default())).collect(),
            path_root: self.path_root.clone(),
            cwd: self.cwd.clone(),
            env: self.env.clone(),
            start_time: self.start_time,
        }
    }

    /// An environment over a snapshot: every local already has its value.
    pub fn from_snapshot(s: &Snapshot, vfs: &'t dyn Vfs) -> Env<'t> {
        Env {
            vars: s.vars.clone(),
            var_origins: BTreeMap::new(),
            path_root: s.path_root.clone(),
            cwd: s.cwd.clone(),
            locals: BTreeMap::new(),
            local_state: RefCell::new(
                s.locals.iter().map(|(k, v)| (k.clone(), LocalState::Done(Some(v.clone())))).collect(),
            ),
            stack: RefCell::new(Vec::new()),
            data: RefCell::new(s.data.clone()),
            data_defs: BTreeMap::new(),
            data_in_progress: RefCell::new(Vec::new()),
            env: s.env.clone(),
            start_time: s.start_time,
            vfs,
            diags: RefCell::new(Vec::new()),
            seen: RefCell::new(std::collections::HashSet::new()),
        }
    }

    /// Evaluates every local, so each error is reported once.
    pub fn eval_all_locals(&self) {
        for name in self.local_names() {
            let span = self.locals.get(&name).map(|l| l.name.span);
            if let Some(span) = span {
                let _ = self.local(&name, span);
            }
        }
    }

    /// Records a diagnostic (once: checking a body for every source finds the same mistake
    /// at the same place many times).
    pub fn report(&self, d: Diagnostic) {
        let key = (d.span(), d.message.clone());
        if self.seen.borrow_mut().insert(key) {
            self.diags.borrow_mut().push(d);
        }
    }

    /// Records an evaluation error (already-reported ones are dropped).
    pub fn report_error(&self, e: EvalError) {
        if let EvalError::Diag(d) = e {
            self.report(*d);
        }
    }

    /// Takes the diagnostics found so far.
    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.diags.borrow_mut())
    }

    /// Names of all locals, sorted.
    pub fn local_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.locals.keys().cloned().collect();
        names.extend(self.local_state.borrow().keys().filter(|k| !self.locals.contains_key(*k)).cloned());
        names.sort();
        names
    }

    /// Whether a local exists.
    pub fn has_local(&self, name: &str) -> bool {
        self.locals.contains_key(name) || self.local_state.borrow().contains_key(name)
    }

    /// The value of a local, evaluating it (and what it needs) on first use.
    ///
    /// # Errors
    /// `Reported` when the local failed; its error was recorded once.
    pub fn local(&self, name: &str, _used_at: Span) -> Result<Value, EvalError> {
        let state = self.local_state.borrow().get(name).cloned();
        if let Some(state) = state {
            return match state {
                LocalState::Done(Some(v)) => Ok(v),
                LocalState::Done(None) => Err(EvalError::Reported),
                LocalState::InProgress => {
                    self.report_cycle(name);
                    Err(EvalError::Reported)
                }
            };
        }
        let Some(local) = self.locals.get(name).copied() else {
            return Err(EvalError::Reported);
        };
        self.local_state.borrow_mut().insert(name.to_string(), LocalState::InProgress);
        self.stack.borrow_mut().push(name.to_string());
        let result = eval(self, &Ctx::default(), &local.expr);
        self.stack.borrow_mut().pop();
        let value = match result {
            Ok(v) => Some(v.mark(local.sensitive)),
            Err(e) => {
                self.report_error(e);
                None
            }
        };
        // A cycle may have marked this local failed while it was in progress.
        let failed = matches!(self.local_state.borrow().get(name), Some(LocalState::Done(None)));
        let value = if failed { None } else { value };
        self.local_state.borrow_mut().insert(name.to_string(), LocalState::Done(value.clone()));
        value.ok_or(EvalError::Reported)
    }

    /// One diagnostic for a whole cycle, with a label on each member.
    fn report_cycle(&self, name: &str) {
        let stack = self.stack.borrow().clone();
        let start = stack.iter().position(|n| n == name).unwrap_or(0);
        let members = &stack[start..];
        let path: Vec<String> =
            members.iter().chain(std::iter::once(&name.to_string())).map(|n| format!("local.{n}")).collect();
        let Some(first) = self.locals.get(name) else { return };
        let mut d = Diagnostic::error(
            Code::LocalCycle,
            first.name.span,
            format!("locals depend on each other in a cycle: {}", path.join(" → ")),
        )
        .with_label_message("part of the cycle")
        .with_help("break the cycle: one of these locals must not refer (directly or indirectly) to the others");
        for m in members.iter().filter(|m| *m != name) {
            if let Some(l) = self.locals.get(m) {
                d = d.with_label(l.name.span, "part of the cycle");
            }
        }
        self.report(d);
        let mut state = self.local_state.borrow_mut();
        for m in members {
            state.insert(m.clone(), LocalState::Done(None));
        }
    }

    /// Every data source as `data.TYPE.NAME` objects (evaluating those not evaluated yet).
    pub fn data_object(&self) -> BTreeMap<String, Value> {
        let keys: Vec<(String, String)> = self.data_defs.keys().cloned().collect();
        for (ty, name) in keys {
            let _ = self.data_source(&ty, &name, None);
        }
        self.data.borrow().iter().map(|(k, v)| (k.clone(), Value::map(v.clone()))).collect()
    }

    /// Gives a data source its value, fetched when the build runs (or with
    /// `validate -evaluate-datasources`); later references see it instead of a deferred value.
    pub fn provide_data(&self, ty: &str, name: &str, value: Value) {
        // What was evaluated before this value was known holds a deferred value: let locals and
        // data sources be evaluated again (evaluation has no effects, so this only costs time).
        self.local_state.borrow_mut().retain(|name, s| {
            !(self.locals.contains_key(name) && matches!(s, LocalState::Done(Some(v)) if v.is_deferred()))
        });
        let mut data = self.data.borrow_mut();
        for by_name in data.values_mut() {
            by_name.retain(|_, v| !v.is_deferred());
        }
        data.entry(ty.to_string()).or_default().insert(name.to_string(), value);
    }

    /// A data source, evaluated on first use (locals and data sources form one dependency
    /// graph). `null` is known before the build (its `output` is its `input`); the others
    /// are deferred until the build runs them.
    ///
    /// # Errors
    /// An unknown data source, a cycle, or an error in its arguments.
    pub fn data_source(&self, ty: &str, name: &str, used_at: Option<Span>) -> Result<Value, EvalError> {
        if let Some(v) = self.data.borrow().get(ty).and_then(|m| m.get(name)) {
            return Ok(v.clone());
        }
        let key = (ty.to_string(), name.to_string());
        let Some(def) = self.data_defs.get(&key).copied() else {
            let Some(span) = used_at else { return Err(EvalError::Reported) };
            let known: Vec<String> = self.data_defs.keys().map(|(t, n)| format!("{t}.{n}")).collect();
            return Err(EvalError::from(
                Diagnostic::error(Code::UnknownReference, span, format!("undefined data source `data.{ty}.{name}`"))
                    .with_help(
                        crate::diag::did_you_mean(&format!("{ty}.{name}"), known.iter().map(String::as_str))
                            .map_or_else(
                                || format!("declare it with `data \"{ty}\" \"{name}\" {{ }}`"),
                                |near| format!("did you mean `data.{near}`?"),
                            ),
                    ),
            ));
        };
        let id = format!("{ty}.{name}");
        if self.data_in_progress.borrow().contains(&id) {
            self.report(
                Diagnostic::error(
                    Code::LocalCycle,
                    def.name.span,
                    format!("data source `data.{id}` depends on itself"),
                )
                .with_help("break the cycle between this data source and the locals it uses"),
            );
            return Err(EvalError::Reported);
        }
        self.data_in_progress.borrow_mut().push(id.clone());
        let value = if ty == "null" {
            let input = match def.body.attribute("input") {
                Some(a) => eval(self, &Ctx::default(), &a.value),
                None => Ok(Value::null()),
            };
            input.map(|i| Value::map(BTreeMap::from([("input".to_string(), i.clone()), ("output".to_string(), i)])))
        } else {
            Ok(Value::deferred(format!("data.{id}")))
        };
        self.data_in_progress.borrow_mut().retain(|x| x != &id);
        let value = value?;
        self.data.borrow_mut().entry(ty.to_string()).or_default().insert(name.to_string(), value.clone());
        Ok(value)
    }

    /// The file system evaluation reads through.
    pub fn vfs(&self) -> &'t dyn Vfs {
        self.vfs
    }

    /// An environment variable of the process that runs forge.
    pub fn getenv(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    /// The context handed to functions.
    pub fn fn_context<'a>(&'a self, ctx: &'a Ctx) -> functions::Context<'a> {
        functions::Context {
            base_dir: Path::new(&self.path_root),
            cwd: Path::new(&self.cwd),
            start_time: self.start_time,
            vfs: self.vfs,
            // A builder's own strings know the build too (Go's `{{build_name}}` in a legacy builder).
            build: ctx
                .build
                .as_ref()
                .map(|b| (b.full_name.as_str(), b.builder_type.as_str()))
                .or_else(|| ctx.source.as_ref().map(|(t, n)| (n.as_str(), t.as_str()))),
            home: self.env.get("HOME").map(String::as_str),
        }
    }

    /// Evaluates an expression and records its error, if any.
    pub fn eval_reporting(&self, ctx: &Ctx, e: &Expr) -> Option<Value> {
        match eval(self, ctx, e) {
            Ok(v) => Some(v),
            Err(err) => {
                self.report_error(err);
                None
            }
        }
    }
}

/// What an [`Env`] knows, as plain sendable data.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Variables.
    pub vars: BTreeMap<String, Value>,
    /// Locals that evaluated.
    pub locals: BTreeMap<String, Value>,
    data: BTreeMap<String, BTreeMap<String, Value>>,
    /// `path.root`.
    pub path_root: String,
    cwd: String,
    env: BTreeMap<String, String>,
    start_time: SystemTime,
}

impl Snapshot {
    /// Every sensitive string in variables and locals, longest first, for masking output.
    pub fn secrets(&self) -> Vec<String> {
        fn walk(v: &Value, inherited: bool, out: &mut Vec<String>) {
            let sensitive = inherited || v.sensitive;
            match &v.kind {
                value::Kind::List(items) => items.iter().for_each(|i| walk(i, sensitive, out)),
                value::Kind::Map(items) => items.values().for_each(|i| walk(i, sensitive, out)),
                _ if sensitive => {
                    if let Some(s) = v.to_string_lossless().filter(|s| !s.is_empty()) {
                        out.push(s);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        for v in self.vars.values().chain(self.locals.values()) {
            walk(v, false, &mut out);
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }
}

/// The value of a literal expression (no references, no calls), for defaults that must be literal.
pub fn literal(e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Null => Value::null(),
        ExprKind::Bool(b) => Value::bool(*b),
        ExprKind::Number(n) => Value::number(*n),
        ExprKind::String(s) => Value::string(s.clone()),
        ExprKind::Unary(crate::ir::UnaryOp::Neg, inner) => Value::number(-literal(inner)?.as_number()?),
        ExprKind::Tuple(items) => Value::list(items.iter().map(literal).collect::<Option<_>>()?),
        ExprKind::Object(items) => Value::map(
            items
                .iter()
                .map(|it| Some((literal(&it.key)?.to_string_lossless()?, literal(&it.value)?)))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// `templatefile(path, vars)`: renders a file as a string template with only `vars` in scope.
pub(crate) fn templatefile(env: &Env<'_>, ctx: &Ctx, call: &Expr, args: &[Expr]) -> Result<Value, EvalError> {
    let [path_e, vars_e] = args else {
        return Err(EvalError::from(Diagnostic::error(
            Code::WrongArgumentCount,
            call.span,
            format!("`templatefile` takes 2 arguments, not {}", args.len()),
        )));
    };
    let path = eval(env, ctx, path_e)?;
    let vars = eval(env, ctx, vars_e)?;
    if path.is_deferred() || vars.is_deferred() {
        return Ok(Value::deferred("templatefile(…)"));
    }
    let Some(p) = path.as_str() else {
        return Err(EvalError::from(Diagnostic::error(
            Code::FunctionError,
            path_e.span,
            "`templatefile`: the path must be a string",
        )));
    };
    let Some(bindings) = vars.as_map() else {
        return Err(EvalError::from(Diagnostic::error(
            Code::FunctionError,
            vars_e.span,
            "`templatefile`: the variables must be an object",
        )));
    };
    let full: PathBuf = crate::source::resolve_path(Path::new(&env.path_root), Path::new(p));
    let text = env.vfs.read_to_string(&full).map_err(|e| {
        EvalError::from(Diagnostic::error(
            Code::FunctionError,
            path_e.span,
            format!("`templatefile`: cannot read `{}`: {e}", full.display()),
        ))
    })?;
    let map = crate::syntax::spanmap::SpanMap::identity(path_e.span.file, path_e.span.start as usize);
    let parsed = crate::syntax::hcl::parse_string_template(path_e.span.file, "", &text, &map).map_err(|d| {
        EvalError::from(Diagnostic::error(
            Code::FunctionError,
            path_e.span,
            format!("`templatefile`: `{p}` is not a valid template: {}", d.message),
        ))
    })?;
    if contains_call(&parsed, "templatefile") {
        return Err(EvalError::from(Diagnostic::error(
            Code::FunctionError,
            path_e.span,
            "`templatefile` may not call itself from a template file",
        )));
    }
    // Spans inside the file point at the call: the file is not in the source database.
    let inner = Ctx { bindings: bindings.iter().map(|(k, v)| (k.clone(), v.clone())).collect(), ..Ctx::default() };
    eval(env, &inner, &respan(parsed, path_e.span)).map(|v| {
        let s = v.to_string_lossless().map_or(v.clone(), Value::string);
        s.mark(v.sensitive)
    })
}

fn contains_call(e: &Expr, name: &str) -> bool {
    crate::ir::dump::expr(e).contains(&format!("{name}("))
}

fn respan(mut e: Expr, span: Span) -> Expr {
    e.span = span;
    match &mut e.kind {
        ExprKind::Template(parts) => {
            for p in parts {
                if let crate::ir::TemplatePart::Interpolation(x) = p {
                    *x = respan(x.clone(), span);
                }
            }
        }
        ExprKind::Call { args, name, .. } => {
            name.span = span;
            for a in args {
                *a = respan(a.clone(), span);
            }
        }
        ExprKind::GetAttr(inner, id) => {
            id.span = span;
            **inner = respan((**inner).clone(), span);
        }
        ExprKind::Variable(id) => id.span = span,
        _ => {}
    }
    e
}
