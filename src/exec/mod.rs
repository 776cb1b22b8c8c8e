//! The engine: runs a [`Plan`] on tokio with Packer's semantics: builds in parallel up to
//! `-parallel-builds`, each build's steps in order, cleanups in reverse on success, failure and
//! interrupt, `-on-error`, retries, pauses and timeouts, post-processor chains and the rules
//! for which artifacts are kept.
//!
//! Architecture Invariant: the engine never parses; it evaluates step bodies against the
//! template's [`Snapshot`] when a step starts, so run-time values are known.

pub mod ui;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::component::node::{self, Node};
use crate::component::registry::{self, ComponentKind, Run};
use crate::component::runtime::{Artifact, Built, Produced, RunCx, RunError};
use crate::eval::{Ctx, Env, Snapshot};
use crate::gocompat::duration::format as go_duration;
use crate::plan::{BuildPlan, Plan, ProvisionerStep, Step};
use crate::source::RealFs;
use ui::{BuildUi, Printer};

/// What to do when a step fails (`-on-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Clean up what the build created, then fail (the default).
    #[default]
    Cleanup,
    /// Fail without cleaning up, leaving resources for inspection.
    Abort,
    /// Ask on the terminal: clean up, abort, or retry the step.
    Ask,
    /// Run the error-cleanup provisioner, then abort.
    RunCleanupProvisioner,
}

/// What to do about one failed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Cleanup,
    Abort,
    Retry,
    RunCleanupProvisioner,
}

/// Engine options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Builds at once; 0 for no limit.
    pub parallel: usize,
    /// `-on-error`.
    pub on_error: OnError,
    /// `-force`.
    pub force: bool,
    /// `-debug`: builds one at a time, pausing before each step.
    pub debug: bool,
}

/// How one build ended.
#[derive(Debug, Clone)]
pub struct BuildResult {
    /// Its name.
    pub name: String,
    /// Artifacts to report, in order.
    pub artifacts: Vec<Artifact>,
    /// Why it failed.
    pub error: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Every build, in plan order.
    pub results: Vec<BuildResult>,
    /// Whether Ctrl-C or SIGTERM stopped it.
    pub interrupted: bool,
    /// Wall time.
    pub elapsed: Duration,
}

impl Outcome {
    /// Whether every build succeeded.
    pub fn success(&self) -> bool {
        !self.interrupted && self.results.iter().all(|r| r.error.is_none())
    }
}

/// Runs every build of `plan`.
pub async fn run(
    plan: Plan,
    snapshot: Arc<Snapshot>,
    opts: Options,
    printer: Arc<Printer>,
    cancel: CancellationToken,
) -> Outcome {
    let start = Instant::now();
    let run_uuid = uuid::Uuid::new_v4().to_string();
    let limit = if opts.debug {
        1
    } else if opts.parallel == 0 {
        Semaphore::MAX_PERMITS
    } else {
        opts.parallel
    };
    let semaphore = Arc::new(Semaphore::new(limit));
    if printer.style().color && !printer.style().machine {
        for (i, b) in plan.builds.iter().enumerate() {
            printer.plain(&format!("\x1b[1;{}m{}: output will be in this color.\x1b[0m", ui::color_of(i), b.name));
        }
        if !plan.builds.is_empty() {
            printer.plain("");
        }
    }
    let mut handles = Vec::new();
    for (i, bp) in plan.builds.into_iter().enumerate() {
        let job = Job {
            bp,
            color: ui::color_of(i),
            snapshot: snapshot.clone(),
            printer: printer.clone(),
            cancel: cancel.clone(),
            opts: opts.clone(),
            run_uuid: run_uuid.clone(),
        };
        let semaphore = semaphore.clone();
        handles.push(tokio::spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            job.run().await
        }));
    }
    let mut results = Vec::new();
    for h in handles {
        match h.await {
            Ok(r) => results.push(r),
            Err(e) => results.push(BuildResult {
                name: String::new(),
                artifacts: Vec::new(),
                error: Some(format!("internal error: {e}")),
                elapsed: Duration::ZERO,
            }),
        }
    }
    Outcome { results, interrupted: cancel.is_cancelled(), elapsed: start.elapsed() }
}

struct Job {
    bp: BuildPlan,
    color: u8,
    snapshot: Arc<Snapshot>,
    printer: Arc<Printer>,
    cancel: CancellationToken,
    opts: Options,
    run_uuid: String,
}

impl Job {
    fn cx(&self, label: &str, cleanups: &Arc<Mutex<Vec<(String, crate::component::runtime::Cleanup)>>>) -> RunCx {
        RunCx {
            ui: Arc::new(BuildUi { printer: self.printer.clone(), label: label.to_string(), color: self.color }),
            cancel: self.cancel.clone(),
            build_name: self.bp.name.clone(),
            builder_type: self.bp.builder_type.clone(),
            base_dir: std::path::PathBuf::from(&self.snapshot.path_root),
            force: self.opts.force,
            debug: self.opts.debug,
            run_uuid: self.run_uuid.clone(),
            source_name: self.bp.source_name.clone(),
            cleanups: cleanups.clone(),
            comm: None,
        }
    }

    /// Evaluates a step's body now, with what the build knows so far.
    fn node(&self, ctx: &Ctx, step: &Step) -> Result<Node, RunError> {
        let env = Env::from_snapshot(&self.snapshot, &RealFs);
        let mut ctx = ctx.clone();
        ctx.keep_component_vars = true;
        let n = node::from_body(&env, &ctx, &step.body);
        let errors: Vec<String> =
            env.take_diagnostics().into_iter().filter(|d| d.is_error()).map(|d| d.message).collect();
        if !errors.is_empty() {
            return Err(RunError::failed(errors.join("; ")));
        }
        // Decoding would read a value still unknown as empty: say so instead.
        match n.value.first_deferred() {
            Some(what) => Err(RunError::failed(format!("`{what}` has no value when this step runs"))),
            None => Ok(n),
        }
    }

    async fn run(self) -> BuildResult {
        tracing::debug!(build = %self.bp.name, "build started");
        let start = Instant::now();
        let cleanups = Arc::new(Mutex::new(Vec::new()));
        let result = self.steps(&cleanups).await;
        let (artifacts, error) = match result {
            Ok(a) => (a, None),
            Err((e, skip_cleanup)) => {
                if !skip_cleanup {
                    self.cleanup(&cleanups).await;
                }
                return self.finish(start, Vec::new(), Some(e));
            }
        };
        self.cleanup(&cleanups).await;
        self.finish(start, artifacts, error)
    }

    fn finish(&self, start: Instant, artifacts: Vec<Artifact>, error: Option<RunError>) -> BuildResult {
        let elapsed = start.elapsed();
        let error = match error {
            Some(RunError::Cancelled) => {
                self.printer.plain(&format!("Build '{}' finished after {}.", self.bp.name, ui::durafmt(elapsed)));
                Some("build was cancelled".to_string())
            }
            Some(RunError::Failed(e)) => {
                self.printer.plain_error(&format!(
                    "Build '{}' errored after {}: {e}",
                    self.bp.name,
                    ui::durafmt(elapsed)
                ));
                Some(e)
            }
            None => {
                self.printer.plain(&format!("Build '{}' finished after {}.", self.bp.name, ui::durafmt(elapsed)));
                None
            }
        };
        BuildResult { name: self.bp.name.clone(), artifacts, error, elapsed }
    }

    async fn cleanup(&self, cleanups: &Arc<Mutex<Vec<(String, crate::component::runtime::Cleanup)>>>) {
        let list: Vec<_> = cleanups.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
        let ui = BuildUi { printer: self.printer.clone(), label: self.bp.name.clone(), color: self.color };
        for (what, undo) in list.into_iter().rev() {
            if let Err(e) = undo().await {
                crate::component::runtime::Ui::error(&ui, &format!("Error cleaning up {what}: {e}"));
            }
        }
    }

    /// The build's steps; `Err((error, skip_cleanup))` on failure.
    async fn steps(
        &self,
        cleanups: &Arc<Mutex<Vec<(String, crate::component::runtime::Cleanup)>>>,
    ) -> Result<Vec<Artifact>, (RunError, bool)> {
        let mut cx = self.cx(&self.bp.name, cleanups);
        let source_ctx =
            Ctx { source: Some((self.bp.builder_type.clone(), self.bp.source_name.clone())), ..Ctx::default() };
        let built = self.builder(&cx, &source_ctx).await.map_err(|e| (e, false))?;
        cx.comm = built.communicator;
        let learnt = built.generated.clone();
        let ctx = self.with_generated(self.bp.ctx(), &built.artifact, built.generated);
        for p in &self.bp.provisioners {
            loop {
                match self.provision(&cx, &ctx, p).await {
                    Ok(()) => break,
                    Err(RunError::Cancelled) => return Err((RunError::Cancelled, false)),
                    Err(e) => match self.decide(&cx, &e).await {
                        Decision::Retry => cx.ui.say("Retrying the failed step..."),
                        decision => return Err(self.on_provision_error(&cx, &ctx, e, decision).await),
                    },
                }
            }
        }
        // A builder that has work after provisioning (stop the instance, create the image)
        // gives the final artifact then.
        let (builder, ctx) = match built.artifact {
            Produced::Finish(f) => {
                let done = self.cancellable(f()).await.map_err(|e| (e, false))?;
                if done.generated.is_empty() {
                    (done.artifact, ctx)
                } else {
                    // What the builder learnt while finishing (docker's `ImageSha256`) reaches
                    // the post-processors; `ID` stays what the provisioners saw.
                    let mut all = learnt;
                    all.extend(done.generated);
                    let unfinished = Produced::Artifact(Artifact::default());
                    (done.artifact, self.with_generated(self.bp.ctx(), &unfinished, all))
                }
            }
            Produced::Artifact(a) => (a, ctx),
        };
        self.post_process(&ctx, builder, cleanups).await.map_err(|e| (e, false))
    }

    /// What `-on-error` says to do; `ask` asks on the terminal (and cleans up without one).
    async fn decide(&self, cx: &RunCx, e: &RunError) -> Decision {
        match self.opts.on_error {
            OnError::Cleanup => Decision::Cleanup,
            OnError::Abort => Decision::Abort,
            OnError::RunCleanupProvisioner => Decision::RunCleanupProvisioner,
            OnError::Ask => {
                if !self.printer.interactive() {
                    cx.ui.error("-on-error=ask needs a terminal to ask on; cleaning up");
                    return Decision::Cleanup;
                }
                cx.ui.error(&format!("Step failed: {e}"));
                let answer = cx.ui.ask("[c] Clean up and exit, [a] abort without cleanup, or [r] retry step (build may fail even if retry succeeds)?").await;
                match answer.trim().chars().next() {
                    Some('a' | 'A') => Decision::Abort,
                    Some('r' | 'R') => Decision::Retry,
                    _ => Decision::Cleanup,
                }
            }
        }
    }

    async fn on_provision_error(&self, cx: &RunCx, ctx: &Ctx, e: RunError, decision: Decision) -> (RunError, bool) {
        match decision {
            Decision::Cleanup | Decision::Retry => {
                self.run_cleanup_provisioner(cx, ctx).await;
                (e, false)
            }
            Decision::Abort => {
                cx.ui.error(&format!("Step failed, aborting without cleanup: {e}"));
                (e, true)
            }
            Decision::RunCleanupProvisioner => {
                self.run_cleanup_provisioner(cx, ctx).await;
                cx.ui.error("Aborting without further cleanup (-on-error=run-cleanup-provisioner)");
                (e, true)
            }
        }
    }

    /// The run-time `build.*` values provisioners and post-processors may use, known once the
    /// builder ran: `ID`, `PackerRunUUID`, and what the builder gave (`ConnType`, the
    /// connection's values, `SourceAMI`…); the connection's values are empty without SSH
    /// (Packer's communicator-less builds render them as placeholders a shell cannot parse).
    fn with_generated(&self, mut ctx: Ctx, artifact: &Produced, learnt: BTreeMap<String, String>) -> Ctx {
        use crate::eval::value::Value;
        let Some(b) = ctx.build.as_mut() else { return ctx };
        let g = &mut b.generated;
        // A builder that finishes after provisioning has no artifact id yet.
        let id = match artifact {
            Produced::Artifact(a) => a.id.clone(),
            Produced::Finish(_) => String::new(),
        };
        g.insert("ID".into(), Value::string(id));
        g.insert("PackerRunUUID".into(), Value::string(self.run_uuid.clone()));
        let mut known: BTreeMap<String, String> =
            ["ConnType", "Host", "Port", "User", "Password", "SSHPublicKey", "SSHPrivateKey", "WinRMPassword"]
                .into_iter()
                .map(|k| (k.to_string(), if k == "ConnType" { "none".into() } else { String::new() }))
                .collect();
        known.extend(learnt);
        for (key, value) in known {
            let secret = matches!(key.as_str(), "Password" | "SSHPrivateKey" | "WinRMPassword");
            if secret && !value.is_empty() {
                // Every line of a private key is a secret; very short lines (a key's padding)
                // would mask innocent text everywhere.
                self.printer.add_secrets(value.lines().filter(|l| l.trim().len() >= 4).map(str::to_string));
            }
            g.insert(key, Value::string(value).mark(secret));
        }
        ctx
    }

    async fn run_cleanup_provisioner(&self, cx: &RunCx, ctx: &Ctx) {
        if let Some(p) = &self.bp.error_cleanup {
            cx.ui.say("Provisioning step had errors: Running the cleanup provisioner, if present...");
            if let Err(err) = Box::pin(self.provision(cx, ctx, p)).await {
                cx.ui.error(&format!("Error running the cleanup provisioner: {err}"));
            }
        }
    }

    async fn builder(&self, cx: &RunCx, ctx: &Ctx) -> Result<Built, RunError> {
        let node = self.node(ctx, &self.bp.builder)?;
        let Some(def) = registry::lookup(ComponentKind::Builder, &self.bp.builder_type) else {
            return Err(RunError::failed(format!("unknown builder `{}`", self.bp.builder_type)));
        };
        let Run::Builder(run) = def.run else {
            return Err(RunError::failed(format!(
                "the `{}` builder cannot run in this version of forge yet",
                def.name
            )));
        };
        self.debug_pause(cx, &format!("Pausing before the `{}` builder.", def.name)).await;
        self.cancellable(run(&node, cx.clone())).await
    }

    /// Runs a step; on cancellation gives it a moment to stop what it started (kill its
    /// processes, close its channels) before dropping it.
    async fn cancellable<T>(
        &self,
        step: impl std::future::Future<Output = Result<T, RunError>>,
    ) -> Result<T, RunError> {
        tokio::pin!(step);
        tokio::select! {
            r = &mut step => r,
            () = self.cancel.cancelled() => {
                let _ = tokio::time::timeout(Duration::from_secs(10), &mut step).await;
                Err(RunError::Cancelled)
            }
        }
    }

    async fn debug_pause(&self, cx: &RunCx, what: &str) {
        if self.opts.debug {
            cx.ui.pause(&format!("{what} Press enter to continue.")).await;
        }
    }

    /// One provisioner with `pause_before`, `timeout` and `max_retries`.
    async fn provision(&self, cx: &RunCx, ctx: &Ctx, p: &ProvisionerStep) -> Result<(), RunError> {
        let Some(def) = registry::lookup(ComponentKind::Provisioner, &p.step.kind) else {
            return Err(RunError::failed(format!("unknown provisioner `{}`", p.step.kind)));
        };
        tracing::debug!(build = %self.bp.name, provisioner = %p.step.kind, "provisioner starting");
        let Run::Provisioner(run) = def.run else {
            return Err(RunError::failed(format!(
                "the `{}` provisioner cannot run in this version of forge yet",
                def.name
            )));
        };
        if let Some(d) = p.pause_before {
            cx.ui.say(&format!("Pausing {} before the next provisioner...", go_duration(d)));
            let bar = ui::wait_bar(&self.printer, &format!("{}: pausing before the next provisioner", self.bp.name), d);
            tokio::select! {
                () = tokio::time::sleep(d) => {}
                () = self.cancel.cancelled() => return Err(RunError::Cancelled),
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
        }
        // forge honours `timeout` with `pause_before` (Packer ignores it then) and in -debug.
        if let Some(d) = p.timeout {
            cx.ui.say(&format!("Setting a {} timeout for the next provisioner...", go_duration(d)));
        }
        self.debug_pause(cx, &format!("Pausing before the `{}` provisioner.", def.name)).await;
        let mut tries_left = p.max_retries;
        loop {
            let node = self.node(ctx, &p.step)?;
            let result = match p.timeout {
                Some(d) => {
                    // The step's own token is cancelled on timeout, so it stops its processes.
                    let step_cancel = self.cancel.child_token();
                    let mut step_cx = cx.clone();
                    step_cx.cancel = step_cancel.clone();
                    let attempt = run(&node, step_cx);
                    tokio::pin!(attempt);
                    match tokio::time::timeout(d, &mut attempt).await {
                        Ok(r) => r,
                        Err(_) => {
                            cx.ui.say("Cancelling provisioner after a timeout...");
                            step_cancel.cancel();
                            let _ = tokio::time::timeout(Duration::from_secs(10), &mut attempt).await;
                            if self.cancel.is_cancelled() {
                                Err(RunError::Cancelled)
                            } else {
                                Err(RunError::failed(format!("provisioner timed out after {}", go_duration(d))))
                            }
                        }
                    }
                }
                None => self.cancellable(run(&node, cx.clone())).await,
            };
            match result {
                Err(RunError::Failed(e)) if tries_left > 0 => {
                    cx.ui.say(&format!("Provisioner failed with {e:?}, retrying with {tries_left} trie(s) left"));
                    tries_left -= 1;
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(200)) => {}
                        () = self.cancel.cancelled() => return Err(RunError::Cancelled),
                    }
                }
                Err(RunError::Failed(e)) if p.max_retries > 0 => {
                    cx.ui.say("retry limit reached.");
                    return Err(RunError::Failed(e));
                }
                other => return other,
            }
        }
    }

    /// Runs each chain on the builder's artifact and applies Packer's keep rules.
    async fn post_process(
        &self,
        ctx: &Ctx,
        builder: Artifact,
        cleanups: &Arc<Mutex<Vec<(String, crate::component::runtime::Cleanup)>>>,
    ) -> Result<Vec<Artifact>, RunError> {
        let mut keep_original = self.bp.chains.is_empty();
        let mut out = Vec::new();
        for chain in &self.bp.chains {
            let mut prior = builder.clone();
            for (i, pp) in chain.iter().enumerate() {
                let Some(def) = registry::lookup(ComponentKind::PostProcessor, &pp.step.kind) else {
                    return Err(RunError::failed(format!("unknown post-processor `{}`", pp.step.kind)));
                };
                let Run::PostProcessor(run) = def.run else {
                    return Err(RunError::failed(format!(
                        "the `{}` post-processor cannot run in this version of forge yet",
                        def.name
                    )));
                };
                let build_cx = self.cx(&self.bp.name, cleanups);
                let line = if self.bp.name.contains('.') && !self_is_legacy(&self.bp) {
                    format!("Running post-processor: {} (type {})", pp.name.clone().unwrap_or_default(), pp.step.kind)
                } else {
                    format!("Running post-processor: {}", pp.name.clone().unwrap_or_else(|| pp.step.kind.clone()))
                };
                build_cx.ui.say(&line);
                let cx = self.cx(&format!("{} ({})", self.bp.name, pp.step.kind), cleanups);
                let node = self.node(ctx, &pp.step)?;
                let result = self.cancellable(run(&node, cx, prior.clone())).await;
                let done = result.map_err(|e| match e {
                    RunError::Failed(m) => RunError::failed(format!("Post-processor failed: {m}")),
                    other => other,
                })?;
                let keep = match (pp.keep_input_artifact, done.force_keep) {
                    (Some(user), false) => user,
                    _ => done.keep,
                };
                if i == 0 {
                    keep_original |= keep;
                } else if keep {
                    out.push(prior.clone());
                }
                prior = done.artifact;
            }
            out.push(prior);
        }
        if keep_original {
            out.insert(0, builder);
        }
        Ok(out)
    }
}

/// Legacy builds are named without dots unless the user put one in the name; HCL2 names always
/// have the `type.name` form, so this only decides the post-processor line's wording.
fn self_is_legacy(bp: &BuildPlan) -> bool {
    bp.name == bp.source_name
}
