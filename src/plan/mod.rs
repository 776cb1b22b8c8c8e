//! Lowering: an evaluated template becomes a [`Plan`], per selected build × source the ordered
//! steps with `only`/`except`/`override` applied. A plan is data: `forge build --plan` prints it
//! and the engine (`exec`) runs it.
//!
//! Architecture Invariant: lowering starts nothing; bodies stay expressions so that run-time
//! values (`build.ID`, `{{ .Path }}`) are evaluated when the step runs.

mod display;
mod filter;

use std::time::Duration;

pub use display::{json as to_json, text as to_text};
pub use filter::{Filters, glob};

use crate::diag::{Code, Diagnostic};
use crate::eval::{BuildCtx, Ctx, Env};
use crate::gocompat::duration::parse_std as parse_duration;
use crate::ir::{Body, Instance, PostProcessor, Provisioner, Template};
use crate::source::Span;

/// Everything `forge build` will run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// One entry per build × source, in run order.
    pub builds: Vec<BuildPlan>,
    /// Whether names follow legacy JSON rules.
    pub legacy: bool,
}

/// One build of one source.
#[derive(Debug, Clone)]
pub struct BuildPlan {
    /// The full name (`file.b`, `web.amazon-ebs.x`, JSON: the builder name).
    pub name: String,
    /// The source's own name (`b`), as the manifest records it.
    pub source_name: String,
    /// The builder type.
    pub builder_type: String,
    /// The `build` block's name.
    pub build_block_name: Option<String>,
    /// The builder step (top-level source merged with the nested `source` block).
    pub builder: Step,
    /// Provisioners that apply to this source, overrides merged.
    pub provisioners: Vec<ProvisionerStep>,
    /// The provisioner that runs when provisioning fails.
    pub error_cleanup: Option<ProvisionerStep>,
    /// Post-processor chains.
    pub chains: Vec<Vec<PostProcessorStep>>,
}

impl BuildPlan {
    /// The evaluation context of this build's provisioners and post-processors.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            source: Some((self.builder_type.clone(), self.source_name.clone())),
            build: Some(BuildCtx {
                name: self.build_block_name.clone(),
                // Go's `build_name` is the source's own name, in HCL2 as in JSON.
                full_name: self.source_name.clone(),
                builder_type: self.builder_type.clone(),
                generated: std::collections::BTreeMap::new(),
            }),
            ..Ctx::default()
        }
    }
}

/// A component step: its type and its (unevaluated) body.
#[derive(Debug, Clone)]
pub struct Step {
    /// The component type.
    pub kind: String,
    /// Its configuration.
    pub body: Body,
    /// Where it is declared.
    pub span: Span,
}

/// A provisioner with its meta-arguments resolved.
#[derive(Debug, Clone)]
pub struct ProvisionerStep {
    /// The component.
    pub step: Step,
    /// `name`.
    pub name: Option<String>,
    /// `pause_before`.
    pub pause_before: Option<Duration>,
    /// `timeout`.
    pub timeout: Option<Duration>,
    /// `max_retries`.
    pub max_retries: u32,
}

/// A post-processor with its meta-arguments resolved.
#[derive(Debug, Clone)]
pub struct PostProcessorStep {
    /// The component.
    pub step: Step,
    /// `name`.
    pub name: Option<String>,
    /// `keep_input_artifact`.
    pub keep_input_artifact: Option<bool>,
}

/// Lowers a validated template.
pub fn lower(t: &Template, env: &Env<'_>, filters: &Filters) -> (Plan, Vec<Diagnostic>) {
    let legacy = t.is_legacy();
    let mut builds: Vec<BuildPlan> = t.instances().iter().filter_map(|i| build_plan(env, i)).collect();
    if legacy {
        // Packer starts legacy builds in name order.
        builds.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut warnings = Vec::new();
    let builds = filters.select(builds, legacy, &mut warnings, t.builds.first().map(|b| b.span));
    (Plan { builds, legacy }, warnings)
}

/// The plan of one instance; `None` when its source is not defined (validation said so).
fn build_plan(env: &Env<'_>, i: &Instance<'_>) -> Option<BuildPlan> {
    let top = i.source?;
    let mut plan = BuildPlan {
        name: i.names.full.clone(),
        source_name: i.names.local.clone(),
        builder_type: i.names.kind.clone(),
        build_block_name: i.build.name.as_ref().map(|n| n.value.clone()),
        builder: Step { kind: i.names.kind.clone(), body: i.body(), span: top.span },
        provisioners: Vec::new(),
        error_cleanup: None,
        chains: Vec::new(),
    };
    let ctx = plan.ctx();
    plan.provisioners = i.provisioners().map(|p| provisioner(env, &ctx, i, p)).collect();
    plan.error_cleanup = i.build.error_cleanup.as_ref().map(|p| provisioner(env, &ctx, i, p));
    plan.chains = i.chains().into_iter().map(|c| c.into_iter().map(post_processor).collect()).collect();
    Some(plan)
}

fn provisioner(env: &Env<'_>, ctx: &Ctx, i: &Instance<'_>, p: &Provisioner) -> ProvisionerStep {
    let duration = |e: &Option<crate::ir::Expr>| {
        e.as_ref().and_then(|e| env.eval_reporting(ctx, e)).and_then(|v| v.as_str().and_then(parse_duration))
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let max_retries = p
        .max_retries
        .as_ref()
        .and_then(|e| env.eval_reporting(ctx, e))
        .and_then(|v| v.to_number())
        .map_or(0, |n| n.max(0.0) as u32);
    ProvisionerStep {
        step: Step { kind: p.kind.value.clone(), body: i.provisioner_body(p), span: p.span },
        name: p.name.as_ref().map(|n| n.value.clone()),
        pause_before: duration(&p.pause_before),
        timeout: duration(&p.timeout),
        max_retries,
    }
}

fn post_processor(pp: &PostProcessor) -> PostProcessorStep {
    PostProcessorStep {
        step: Step { kind: pp.kind.value.clone(), body: pp.body.clone(), span: pp.span },
        name: pp.name.as_ref().map(|n| n.value.clone()),
        keep_input_artifact: pp.keep_input_artifact.as_ref().and_then(crate::ir::Expr::as_bool),
    }
}

/// The warning for a filter that matched nothing.
pub fn unmatched(kind: &str, pattern: &str, names: &[String], span: Option<Span>) -> Diagnostic {
    let span = span.unwrap_or(Span { file: crate::source::FileId(0), start: 0, end: 0 });
    Diagnostic::warning(
        Code::UnmatchedFilter,
        span,
        format!("an '{kind}' option was passed, but `{pattern}` matches no build"),
    )
    .with_help(format!("the builds are: {}", names.join(", ")))
}
