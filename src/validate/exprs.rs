//! Evaluates every expression of a template once, in the context it will run in, so that an
//! undefined reference, an unknown function or a type error is found before any build starts.
//! Run-time values (`build.Host`, `{{ .Path }}`, data sources) evaluate to deferred values.

use std::collections::BTreeMap;

use crate::component::node;
use crate::component::registry::{self, ComponentKind};
use crate::eval::value::Value;
use crate::eval::{BuildCtx, Ctx, Env, eval, expr};
use crate::ir::instance::depends_on_source;
use crate::ir::{Block, Body, Build, Ident, Instance, Template};

/// Checks every local, data source and source body, and the provisioner and post-processor
/// bodies of the build instances `selected` keeps (`-only`/`-except`: the sources of other
/// builds are still checked, since a source may serve several builds).
pub fn check(env: &Env<'_>, t: &Template, selected: &dyn Fn(&Instance<'_>) -> bool) {
    env.eval_all_locals();
    for d in &t.data {
        component(env, &Ctx::default(), ComponentKind::DataSource, &d.kind, &d.body);
    }
    for s in &t.sources {
        let ctx = Ctx { source: Some((s.kind.value.clone(), s.name.value.clone())), ..Ctx::default() };
        component(env, &ctx, ComponentKind::Builder, &s.kind, &s.body);
    }
    for b in &t.builds {
        let instances: Vec<Instance<'_>> = t.instances_of(b).into_iter().filter(|i| selected(i)).collect();
        if !instances.is_empty() {
            build(env, b, &instances);
        }
    }
}

/// The evaluation context of an instance's provisioners and post-processors.
fn instance_ctx(i: &Instance<'_>) -> Ctx {
    let n = &i.names;
    Ctx {
        source: Some((n.kind.clone(), n.local.clone())),
        build: Some(BuildCtx {
            name: i.build.name.as_ref().map(|n| n.value.clone()),
            full_name: n.local.clone(),
            builder_type: n.kind.clone(),
            generated: BTreeMap::new(),
        }),
        ..Ctx::default()
    }
}

fn build(env: &Env<'_>, b: &Build, instances: &[Instance<'_>]) {
    for i in instances.iter().filter(|i| i.has_nested_body()) {
        // A nested `source` block may add to (and, in forge, override) the top-level source:
        // the merged body is what gets checked.
        let Some(top) = i.source else { continue };
        let ctx = Ctx { source: Some((top.kind.value.clone(), top.name.value.clone())), ..Ctx::default() };
        component(env, &ctx, ComponentKind::Builder, &top.kind, &i.body());
    }
    // A provisioner is checked once per instance that runs it when its values depend on the
    // source (or an override changes it), and once per build otherwise: the same template then
    // gives the same diagnostics, and a 500 × 500 cross product stays fast.
    for p in b.provisioners.iter().chain(&b.error_cleanup) {
        let per_source = depends_on_source(&p.body) || !p.overrides.is_empty();
        let targets = instances.iter().filter(|i| i.runs(&p.only, &p.except));
        for i in targets.take(if per_source { usize::MAX } else { 1 }) {
            let ctx = instance_ctx(i);
            component(env, &ctx, ComponentKind::Provisioner, &p.kind, &i.provisioner_body(p));
            meta_arguments(env, &ctx, p);
        }
    }
    for pp in b.post_processors.iter().flat_map(|c| &c.steps) {
        let targets = instances.iter().filter(|i| i.runs(&pp.only, &pp.except));
        for i in targets.take(if depends_on_source(&pp.body) { usize::MAX } else { 1 }) {
            let ctx = instance_ctx(i);
            component(env, &ctx, ComponentKind::PostProcessor, &pp.kind, &pp.body);
            if let Some(k) = &pp.keep_input_artifact {
                let _ = env.eval_reporting(&ctx, k);
            }
        }
    }
    if let Some(first) = instances.first() {
        for d in &b.dynamic {
            dynamic(env, &instance_ctx(first), d);
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
        let ok = v.as_str().is_some_and(|s| crate::gocompat::duration::parse_std(s).is_some());
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
