//! The plan as text (`forge build --plan`) and as JSON (`--plan --format json`), with values
//! evaluated where known, run-time values marked and sensitive values masked.

use std::fmt::Write;

use serde_json::{Value as Json, json};

use crate::component::node;
use crate::component::registry::{self, ComponentKind};
use crate::eval::value::{Value, to_hcl};
use crate::eval::{Ctx, Env};
use crate::plan::{Plan, Step};

fn shown(v: &Value) -> String {
    if v.is_sensitive() {
        return "<sensitive>".into();
    }
    if v.is_deferred() {
        return "(known at run time)".into();
    }
    to_hcl(v).replace('\n', "\n      ")
}

fn shown_json(v: &Value) -> Json {
    if v.is_sensitive() {
        return json!("<sensitive>");
    }
    if v.is_deferred() {
        return json!({ "deferred": true });
    }
    v.to_json()
}

/// A step's evaluated arguments; those its component declares secret are marked sensitive,
/// so a password written literally is masked like a sensitive variable.
fn values(env: &Env<'_>, ctx: &Ctx, kind: ComponentKind, step: &Step) -> Vec<(String, Value)> {
    let n = node::from_body(env, ctx, &step.body);
    let _ = env.take_diagnostics();
    let secret = registry::secret_arguments(kind, &step.kind);
    n.entries
        .into_iter()
        .map(|(k, _, v)| {
            let is_secret = secret.contains(&k);
            (k, v.value.mark(is_secret))
        })
        .collect()
}

/// The plan as text.
pub fn text(plan: &Plan, env: &Env<'_>) -> String {
    let mut out = String::new();
    for b in &plan.builds {
        let _ = writeln!(out, "build {:?} (builder {})", b.name, b.builder_type);
        let source_ctx = Ctx { source: Some((b.builder_type.clone(), b.source_name.clone())), ..Ctx::default() };
        for (k, v) in values(env, &source_ctx, ComponentKind::Builder, &b.builder) {
            let _ = writeln!(out, "    {k} = {}", shown(&v));
        }
        let ctx = b.ctx();
        for (i, p) in b.provisioners.iter().enumerate() {
            let mut meta = String::new();
            if let Some(d) = p.pause_before {
                let _ = write!(meta, " pause_before={d:?}");
            }
            if let Some(d) = p.timeout {
                let _ = write!(meta, " timeout={d:?}");
            }
            if p.max_retries > 0 {
                let _ = write!(meta, " max_retries={}", p.max_retries);
            }
            let _ = writeln!(out, "  {}. provisioner {}{meta}", i + 1, p.step.kind);
            for (k, v) in values(env, &ctx, ComponentKind::Provisioner, &p.step) {
                let _ = writeln!(out, "      {k} = {}", shown(&v));
            }
        }
        if let Some(p) = &b.error_cleanup {
            let _ = writeln!(out, "  on error: provisioner {}", p.step.kind);
        }
        for (i, chain) in b.chains.iter().enumerate() {
            let names: Vec<&str> = chain.iter().map(|pp| pp.step.kind.as_str()).collect();
            let _ = writeln!(out, "  post-processor chain {}: {}", i + 1, names.join(" -> "));
            for pp in chain {
                for (k, v) in values(env, &ctx, ComponentKind::PostProcessor, &pp.step) {
                    let _ = writeln!(out, "      {}.{k} = {}", pp.step.kind, shown(&v));
                }
            }
        }
        out.push('\n');
    }
    if plan.builds.is_empty() {
        out.push_str("no builds selected\n");
    }
    out
}

/// The plan as a JSON document.
pub fn json(plan: &Plan, env: &Env<'_>) -> Json {
    let obj = |env: &Env<'_>, ctx: &Ctx, kind: ComponentKind, step: &Step| -> Json {
        Json::Object(values(env, ctx, kind, step).into_iter().map(|(k, v)| (k, shown_json(&v))).collect())
    };
    let builds: Vec<Json> = plan
        .builds
        .iter()
        .map(|b| {
            let ctx = b.ctx();
            let source_ctx = Ctx { source: Some((b.builder_type.clone(), b.source_name.clone())), ..Ctx::default() };
            json!({
                "name": b.name,
                "builder": { "type": b.builder_type, "config": obj(env, &source_ctx, ComponentKind::Builder, &b.builder) },
                "provisioners": b.provisioners.iter().map(|p| json!({
                    "type": p.step.kind,
                    "name": p.name,
                    "pause_before_seconds": p.pause_before.map(|d| d.as_secs_f64()),
                    "timeout_seconds": p.timeout.map(|d| d.as_secs_f64()),
                    "max_retries": p.max_retries,
                    "config": obj(env, &ctx, ComponentKind::Provisioner, &p.step),
                })).collect::<Vec<_>>(),
                "error_cleanup_provisioner": b.error_cleanup.as_ref().map(|p| json!({ "type": p.step.kind, "config": obj(env, &ctx, ComponentKind::Provisioner, &p.step) })),
                "post_processor_chains": b.chains.iter().map(|c| c.iter().map(|pp| json!({
                    "type": pp.step.kind,
                    "name": pp.name,
                    "keep_input_artifact": pp.keep_input_artifact,
                    "config": obj(env, &ctx, ComponentKind::PostProcessor, &pp.step),
                })).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "builds": builds })
}
