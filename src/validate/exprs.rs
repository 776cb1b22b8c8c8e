//! Evaluates every expression of a template once, in the context it will run in, so that an
//! undefined reference, an unknown function or a type error is found before any build starts.
//! Run-time values (`build.Host`, `{{ .Path }}`, data sources) evaluate to deferred values.

use std::collections::BTreeMap;

use crate::component::node;
use crate::component::registry::{self, ComponentKind};
use crate::eval::value::Value;
use crate::eval::{BuildCtx, Ctx, Env, eval, expr};
use crate::ir::{Block, Body, Build, Ident, Template};

/// Checks every local, data source, source, provisioner and post-processor body.
pub fn check(env: &Env<'_>, t: &Template) {
    env.eval_all_locals();
    for d in &t.data {
        component(env, &Ctx::default(), ComponentKind::DataSource, &d.kind, &d.body);
    }
    for s in &t.sources {
        let ctx = Ctx { source: Some((s.kind.value.clone(), s.name.value.clone())), ..Ctx::default() };
        component(env, &ctx, ComponentKind::Builder, &s.kind, &s.body);
    }
    for b in &t.builds {
        build(env, t, b);
    }
}

/// The evaluation context of a build's provisioners for one of its sources.
struct SourceCtx {
    /// `TYPE.NAME` (legacy: the builder name), as `only`/`except`/`override` name it.
    short: String,
    ctx: Ctx,
}

fn source_contexts(b: &Build) -> Vec<SourceCtx> {
    let legacy = b.origin.is_legacy();
    b.sources
        .iter()
        .filter_map(|u| {
            let (kind, name) = u.target()?;
            let local = u.name.as_ref().map_or(name, |n| n.value.as_str()).to_string();
            let short = if legacy { local.clone() } else { format!("{kind}.{local}") };
            let ctx = Ctx {
                source: Some((kind.to_string(), local.clone())),
                build: Some(BuildCtx {
                    name: b.name.as_ref().map(|n| n.value.clone()),
                    full_name: local,
                    builder_type: kind.to_string(),
                    generated: BTreeMap::new(),
                }),
                ..Ctx::default()
            };
            Some(SourceCtx { short, ctx })
        })
        .collect()
}

/// Whether an expression in `body` refers to `source.*`, so that its value differs per source.
fn mentions_source(body: &Body) -> bool {
    fn expr(e: &crate::ir::Expr) -> bool {
        let text = crate::ir::dump::expr(e);
        text.contains("source.") || text.contains("go::build_name") || text.contains("go::build_type")
    }
    body.attributes.iter().any(|a| expr(&a.value)) || body.blocks.iter().any(|b| mentions_source(&b.body))
}

fn applies(only: &[crate::ir::Spanned<String>], except: &[crate::ir::Spanned<String>], short: &str) -> bool {
    (only.is_empty() || only.iter().any(|o| o.value == short)) && !except.iter().any(|e| e.value == short)
}

fn build(env: &Env<'_>, t: &Template, b: &Build) {
    let sources = source_contexts(b);
    for u in &b.sources {
        // A nested `source` block may add to (and, in forge, override) the top-level source:
        // the merged body is what gets checked.
        if u.body.attributes.is_empty() && u.body.blocks.is_empty() {
            continue;
        }
        let Some((kind, name)) = u.target() else { continue };
        let Some(top) = t.sources.iter().find(|s| s.kind.value == kind && s.name.value == name) else { continue };
        let src_ctx = Ctx { source: Some((kind.to_string(), name.to_string())), ..Ctx::default() };
        let merged = merge(&top.body, &u.body);
        component(env, &src_ctx, ComponentKind::Builder, &top.kind, &merged);
    }
    // A provisioner is checked once per source that runs it when its values depend on the
    // source (or an override changes it), and once per build otherwise: the same template then
    // gives the same diagnostics, and a 500 × 500 cross product stays fast.
    for p in b.provisioners.iter().chain(&b.error_cleanup) {
        let per_source = mentions_source(&p.body) || !p.overrides.is_empty();
        let targets: Vec<&SourceCtx> = sources.iter().filter(|s| applies(&p.only, &p.except, &s.short)).collect();
        let targets = if per_source { targets } else { targets.into_iter().take(1).collect() };
        for s in targets {
            let mut body = p.body.clone();
            for o in p.overrides.iter().filter(|o| {
                o.target.value == s.short || s.short.rsplit_once('.').is_some_and(|(_, n)| n == o.target.value)
            }) {
                body = merge(&body, &o.body);
            }
            component(env, &s.ctx, ComponentKind::Provisioner, &p.kind, &body);
            meta_arguments(env, &s.ctx, p);
        }
    }
    for chain in &b.post_processors {
        for pp in &chain.steps {
            let targets: Vec<&SourceCtx> = sources.iter().filter(|s| applies(&pp.only, &pp.except, &s.short)).collect();
            let targets = if mentions_source(&pp.body) { targets } else { targets.into_iter().take(1).collect() };
            for s in targets {
                component(env, &s.ctx, ComponentKind::PostProcessor, &pp.kind, &pp.body);
                if let Some(k) = &pp.keep_input_artifact {
                    let _ = env.eval_reporting(&s.ctx, k);
                }
            }
        }
    }
    if let Some(first) = sources.first() {
        for d in &b.dynamic {
            dynamic(env, &first.ctx, d);
        }
    }
}

/// `pause_before` and `timeout` must be durations, `max_retries` a whole number.
fn meta_arguments(env: &Env<'_>, ctx: &Ctx, p: &crate::ir::Provisioner) {
    for (key, e) in [("pause_before", &p.pause_before), ("timeout", &p.timeout)] {
        let Some(e) = e else { continue };
        let Some(v) = env.eval_reporting(ctx, e) else { continue };
        if v.is_deferred() {
            continue;
        }
        let ok = v.as_str().is_some_and(|s| crate::component::prepare::parse_duration(s).is_some());
        if !ok {
            env.report(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::InvalidComponentValue,
                    e.span,
                    format!("`{key}` is not a duration: {v}"),
                )
                .with_help("write a duration such as `30s`, `5m` or `1h30m`"),
            );
        }
    }
    if let Some(e) = &p.max_retries {
        if let Some(v) = env.eval_reporting(ctx, e) {
            if !v.is_deferred() && !v.to_number().is_some_and(|n| n >= 0.0 && n.fract() == 0.0) {
                env.report(
                    crate::diag::Diagnostic::error(
                        crate::diag::Code::InvalidComponentValue,
                        e.span,
                        format!("`max_retries` must be a whole number, not {v}"),
                    )
                    .with_help("write how many times to retry, for example `max_retries = 3`"),
                );
            }
        }
    }
}

/// Evaluates a component's body and checks it against the component's declaration.
fn component(env: &Env<'_>, ctx: &Ctx, kind: ComponentKind, name: &Ident, b: &Body) {
    let n = node::from_body(env, ctx, b);
    let base = std::path::PathBuf::from(&env.path_root);
    for d in registry::check_body(kind, &name.value, name.span, &n, &base, env.vfs()) {
        env.report(d);
    }
    for blk in b.blocks.iter().filter(|blk| blk.kind.value == "dynamic") {
        dynamic(env, ctx, blk);
    }
}

/// The top-level body with the nested block's attributes added or replacing.
fn merge(top: &Body, nested: &Body) -> Body {
    let mut out = top.clone();
    for a in &nested.attributes {
        out.attributes.retain(|x| x.key.value != a.key.value);
        out.attributes.push(a.clone());
    }
    out.blocks.extend(nested.blocks.iter().cloned());
    out
}

fn body(env: &Env<'_>, ctx: &Ctx, b: &Body) {
    for a in &b.attributes {
        let _ = env.eval_reporting(ctx, &a.value);
    }
    for blk in &b.blocks {
        if blk.kind.value == "dynamic" {
            dynamic(env, ctx, blk);
        } else {
            body(env, ctx, &blk.body);
        }
    }
}

/// `dynamic "x" { for_each = …, iterator = it, content { … } }`: the content is checked with
/// the iterator bound to the first element (or to a deferred value).
fn dynamic(env: &Env<'_>, ctx: &Ctx, blk: &Block) {
    let iterator = blk
        .body
        .attribute("iterator")
        .and_then(|a| a.value.as_traversal().map(|t| t.0))
        .or_else(|| blk.labels.first().map(|l| l.value.clone()))
        .unwrap_or_default();
    let mut element = Value::map(BTreeMap::from([
        ("key".to_string(), Value::deferred("each key")),
        ("value".to_string(), Value::deferred("each value")),
    ]));
    if let Some(fe) = blk.body.attribute("for_each") {
        if let Some(coll) = env.eval_reporting(ctx, &fe.value) {
            match expr::iterate(&coll, fe.value.span) {
                Ok(pairs) => {
                    if let Some((k, v)) = pairs.into_iter().next() {
                        element = Value::map(BTreeMap::from([("key".to_string(), k), ("value".to_string(), v)]));
                    }
                }
                Err(e) => env.report_error(e),
            }
        }
    }
    let mut inner = ctx.clone();
    inner.bindings.push((iterator, element));
    for a in &blk.body.attributes {
        if !matches!(a.key.value.as_str(), "for_each" | "iterator" | "labels") {
            let _ = eval(env, &inner, &a.value).map_err(|e| env.report_error(e));
        }
        if a.key.value == "labels" {
            let _ = env.eval_reporting(&inner, &a.value);
        }
    }
    for content in blk.body.blocks.iter().filter(|b| b.kind.value == "content") {
        body(env, &inner, &content.body);
    }
}
