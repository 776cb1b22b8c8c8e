//! Meta-arguments that name sources, written as expressions, which Packer evaluates: a
//! build's `sources = var.enabled`, a step's `only = var.desktop ? ["x.y"] : []` and `except`.
//! Once the inputs are read they are evaluated with the variables and locals into the name
//! lists build instances use, before anything is checked.

use crate::diag::{Code, Diagnostic};
use crate::eval::{Ctx, Env, EvalError, eval};
use crate::ir::{Expr, Spanned, Template};
use crate::pipeline::Analysis;
use crate::source::Vfs;

/// Where a name-list expression sits: its build, and which list of it.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// The build's `sources`.
    Sources(usize),
    /// A step's `only` (`false`) or `except` (`true`); steps are numbered provisioners first,
    /// then the error-cleanup provisioner, then post-processors in chain order.
    Filter(usize, usize, bool),
}

impl Slot {
    /// The argument's name, for messages.
    fn argument(self) -> &'static str {
        match self {
            Slot::Sources(_) => "sources",
            Slot::Filter(_, _, false) => "only",
            Slot::Filter(_, _, true) => "except",
        }
    }
}

/// Evaluates every `only`/`except` expression of the analysis's template into its list.
pub(super) fn resolve(a: &mut Analysis, vfs: &dyn Vfs) {
    let pending = pending(&a.template);
    if pending.is_empty() {
        return;
    }
    let mut resolved: Vec<(Slot, Vec<Spanned<String>>)> = Vec::new();
    {
        let env = Env::new(&a.template, &a.inputs, vfs);
        // Problems of the variables themselves are reported when the template is checked.
        let _ = env.take_diagnostics();
        for (slot, e) in &pending {
            match names(&env, e, slot.argument()) {
                Ok(list) => resolved.push((*slot, list)),
                Err(mut found) => a.diagnostics.append(&mut found),
            }
        }
    }
    for (slot, list) in resolved {
        let (build, step, except) = match slot {
            Slot::Sources(build) => {
                let b = &mut a.template.builds[build];
                b.sources.extend(list.into_iter().map(|reference| crate::ir::SourceUse {
                    name: None,
                    body: crate::ir::Body::empty(reference.span),
                    span: reference.span,
                    reference,
                }));
                continue;
            }
            Slot::Filter(build, step, except) => (build, step, except),
        };
        let b = &mut a.template.builds[build];
        let n = b.provisioners.len() + usize::from(b.error_cleanup.is_some());
        if step < n {
            if let Some(p) = b.provisioners.iter_mut().chain(b.error_cleanup.as_mut()).nth(step) {
                *if except { &mut p.except } else { &mut p.only } = list;
            }
        } else if let Some(pp) = b.post_processors.iter_mut().flat_map(|c| &mut c.steps).nth(step - n) {
            *if except { &mut pp.except } else { &mut pp.only } = list;
        }
    }
}

fn pending(t: &Template) -> Vec<(Slot, Expr)> {
    let mut out = Vec::new();
    for (bi, b) in t.builds.iter().enumerate() {
        out.extend(b.sources_expr.iter().map(|e| (Slot::Sources(bi), e.clone())));
        let provisioners = b.provisioners.iter().chain(&b.error_cleanup).map(|p| (&p.only_expr, &p.except_expr));
        let post_processors = b.post_processors.iter().flat_map(|c| &c.steps).map(|p| (&p.only_expr, &p.except_expr));
        for (si, (only, except)) in provisioners.chain(post_processors).enumerate() {
            out.extend(only.iter().map(|e| (Slot::Filter(bi, si, false), e.clone())));
            out.extend(except.iter().map(|e| (Slot::Filter(bi, si, true), e.clone())));
        }
    }
    out
}

/// The names an expression gives: a list (or set) of strings known before the build runs.
fn names(env: &Env<'_>, e: &Expr, argument: &str) -> Result<Vec<Spanned<String>>, Vec<Diagnostic>> {
    let value = eval(env, &Ctx::default(), e).map_err(|err| match err {
        EvalError::Diag(d) => vec![*d],
        EvalError::Reported => env.take_diagnostics(),
    })?;
    let wrong = |what: String| {
        vec![
            Diagnostic::error(Code::WrongShape, e.span, what)
                .with_help("name sources as `\"source.TYPE.NAME\"` (`only`/`except`: `\"TYPE.NAME\"`): a list of strings known from the variables"),
        ]
    };
    if value.is_deferred() {
        return Err(wrong(format!("`{argument}` must be known before the build runs")));
    }
    let Some(items) = value.as_list() else {
        return Err(wrong(format!("`{argument}` must be a list of source names, not {}", value.type_name())));
    };
    items
        .iter()
        .map(|i| i.as_str().map(|s| Spanned::new(s.to_string(), e.span)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| wrong(format!("`{argument}` must list source names as strings")))
}
