//! What a component gets and gives when a build runs: the UI, cancellation, the build's
//! identity, cleanups to register, and what it produced (a builder's [`Built`]: artifact or
//! finish step, communicator, learnt values; a post-processor's [`PostProcessed`]).
//!
//! Architecture Invariant: components never print; they talk through [`Ui`]. The engine (`exec`)
//! owns ordering, parallelism, cleanup order and output formatting.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How a component reports to the user.
pub trait Ui: Send + Sync {
    /// A step heading: `==> name: text`.
    fn say(&self, text: &str);
    /// Command output: `    name: text`.
    fn message(&self, text: &str);
    /// An error line.
    fn error(&self, text: &str);
    /// Waits for the user to press Enter (when there is a terminal); returns at once otherwise.
    fn pause(&self, prompt: &str) -> BoxFuture<'static, ()>;
    /// Asks a question on the terminal and returns the answer line (empty without a terminal).
    fn ask(&self, question: &str) -> BoxFuture<'static, String>;
    /// A progress bar for a transfer of `total` bytes, when the output is a terminal.
    fn progress(&self, what: &str, total: u64) -> Option<Box<dyn Progress>> {
        let _ = (what, total);
        None
    }
}

/// A running progress bar.
pub trait Progress: Send {
    /// Counts `n` more bytes done.
    fn advance(&self, n: u64);
    /// Removes the bar.
    fn done(&self);
}

/// Why a step failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RunError {
    /// The step failed; the message says why.
    #[error("{0}")]
    Failed(String),
    /// The build was interrupted.
    #[error("build was cancelled")]
    Cancelled,
}

impl RunError {
    /// A failure with a message.
    pub fn failed(msg: impl Into<String>) -> RunError {
        RunError::Failed(msg.into())
    }
}

/// What a build produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artifact {
    /// The producer's id (`packer.file`), as Packer reports it.
    pub builder_id: String,
    /// The artifact's id (`File`, `us-east-1:ami-…`).
    pub id: String,
    /// The human description (`Stored file: out.txt`).
    pub description: String,
    /// Files that make it up.
    pub files: Vec<String>,
    /// Packer's state data a later post-processor reads (`docker_tags`: the tags docker-tag
    /// made, which docker-push pushes).
    pub state: std::collections::BTreeMap<String, Vec<String>>,
}

/// Undoes something a step created, once, at the end of the build.
pub type Cleanup = Box<dyn FnOnce() -> BoxFuture<'static, Result<(), String>> + Send>;

/// The context of one step of one build.
#[derive(Clone)]
pub struct RunCx {
    /// Where output goes.
    pub ui: Arc<dyn Ui>,
    /// Cancelled on Ctrl-C, SIGTERM or a failed sibling step.
    pub cancel: CancellationToken,
    /// The build's full name (`file.b`, JSON: the builder name).
    pub build_name: String,
    /// The builder type (`file`).
    pub builder_type: String,
    /// The template's folder: relative paths resolve against it.
    pub base_dir: PathBuf,
    /// `-force`.
    pub force: bool,
    /// `-debug`.
    pub debug: bool,
    /// This run's UUID (`packer_run_uuid`).
    pub run_uuid: String,
    /// The source's own name (the manifest's `name`).
    pub source_name: String,
    /// Cleanups registered by steps, run in reverse order.
    pub cleanups: Arc<Mutex<Vec<(String, Cleanup)>>>,
    /// The connection to the machine the builder returned, for the provisioners.
    pub comm: Option<Arc<dyn Communicator>>,
}

/// What a builder produced: its artifact (or the work that makes it), the connection to the
/// machine and the values it learnt. The engine takes them from here.
pub struct Built {
    /// The artifact, or the builder's work after provisioning that makes it.
    pub artifact: Produced,
    /// The connection to the machine, for the provisioners (`None`: communicator `none`).
    pub communicator: Option<Arc<dyn Communicator>>,
    /// Values the builder learnt (`SourceAMI`, `BuildRegion`, `Host`…), for `build.X` and `{{ .X }}`.
    pub generated: BTreeMap<String, String>,
}

impl Built {
    /// A finished artifact, without a communicator or learnt values.
    pub fn artifact(artifact: Artifact) -> Built {
        Built { artifact: Produced::Artifact(artifact), communicator: None, generated: BTreeMap::new() }
    }
}

/// A builder's artifact, now or after the provisioners ran.
pub enum Produced {
    /// The artifact, ready.
    Artifact(Artifact),
    /// What the builder does after the provisioners ran (stop the instance, create the
    /// image): it returns the final artifact. The engine runs it before the post-processors.
    Finish(Finish),
}

/// A builder's work after provisioning.
pub type Finish = Box<dyn FnOnce() -> BoxFuture<'static, Result<Finished, RunError>> + Send>;

/// What a builder's work after provisioning produced: the final artifact, and the values it
/// learnt then (docker's `ImageSha256`), which the post-processors see as `build.X`.
pub struct Finished {
    /// The final artifact.
    pub artifact: Artifact,
    /// Values learnt while finishing.
    pub generated: BTreeMap<String, String>,
}

impl From<Artifact> for Finished {
    fn from(artifact: Artifact) -> Finished {
        Finished { artifact, generated: BTreeMap::new() }
    }
}

/// A connection to the machine being built (SSH).
pub trait Communicator: Send + Sync {
    /// Runs a command, streaming its output lines to `ui`; returns the exit status, or
    /// `Ok(None)` when the connection dropped before the command finished.
    fn exec(
        &self,
        command: String,
        ui: Arc<dyn Ui>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, Result<Option<i32>, RunError>>;
    /// Runs a command with `input` as its standard input (then end of file); otherwise as
    /// [`Communicator::exec`]. `None` when the connection cannot carry input faithfully (a
    /// pseudo-terminal): the caller then uploads instead.
    fn exec_with_input(
        &self,
        command: String,
        input: Vec<u8>,
        ui: Arc<dyn Ui>,
        cancel: CancellationToken,
    ) -> Option<BoxFuture<'static, Result<Option<i32>, RunError>>>;
    /// Uploads a local file or folder (Packer's trailing-slash rule for folders).
    fn upload(&self, local: PathBuf, remote: String) -> BoxFuture<'static, Result<(), RunError>>;
    /// Writes bytes to a remote file.
    fn upload_bytes(&self, bytes: Vec<u8>, remote: String, mode: i32) -> BoxFuture<'static, Result<(), RunError>>;
    /// Downloads a remote file or folder.
    fn download(&self, remote: String, local: PathBuf) -> BoxFuture<'static, Result<(), RunError>>;
}

impl RunCx {
    /// The communicator the builder connected, if any.
    pub fn communicator(&self) -> Result<Arc<dyn Communicator>, RunError> {
        self.comm.clone().ok_or_else(|| {
            RunError::failed(
                "this provisioner needs a communicator, but the builder has none (communicator = \"none\")",
            )
        })
    }
}

impl RunCx {
    /// Registers `undo`, described by `what`, to run when the build ends.
    pub fn on_cleanup(&self, what: impl Into<String>, undo: Cleanup) {
        if let Ok(mut list) = self.cleanups.lock() {
            list.push((what.into(), undo));
        }
    }

    /// A path relative to the template's folder (`source::resolve_path`).
    pub fn path(&self, p: &str) -> PathBuf {
        crate::source::resolve_path(&self.base_dir, std::path::Path::new(p))
    }

    /// The environment variables Packer gives every script.
    pub fn packer_env(&self) -> Vec<(String, String)> {
        // Packer passes the source's own name, in HCL2 as in JSON.
        vec![
            ("PACKER_BUILD_NAME".into(), self.source_name.clone()),
            ("PACKER_BUILDER_TYPE".into(), self.builder_type.clone()),
        ]
    }
}

/// What a post-processor returns: the new artifact, whether to keep the input, and whether
/// that choice overrides the user's `keep_input_artifact`.
pub struct PostProcessed {
    /// The new artifact.
    pub artifact: Artifact,
    /// Keep the input artifact.
    pub keep: bool,
    /// `keep` wins over the user's setting.
    pub force_keep: bool,
}

/// Runs a builder.
pub trait BuilderRun: Send + Sync + 'static {
    /// Builds, returning what it produced.
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<Built, RunError>>;
}

/// Runs a provisioner.
pub trait ProvisionerRun: Send + Sync + 'static {
    /// Provisions.
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<(), RunError>>;
}

/// Runs a post-processor.
pub trait PostProcessorRun: Send + Sync + 'static {
    /// Turns `input` into a new artifact.
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>>;
}

/// What fetching a data source gave.
pub struct Fetched {
    /// Its output, `data.TYPE.NAME`.
    pub value: crate::eval::value::Value,
    /// What the user should know (a body that is not text).
    pub warnings: Vec<String>,
}

/// Fetches a data source when the build runs (`null` needs no fetching: `eval` knows it).
pub trait DataSourceRun: Send + Sync + 'static {
    /// Fetches its output; the error is the message shown at the `data` block.
    fn fetch(self) -> BoxFuture<'static, Result<Fetched, String>>;
}

/// The `{{ .Name }}` placeholders of a component's own Go templates, replaced with `vars`.
pub fn render_component_template(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in vars {
        for form in [
            format!("{{{{.{name}}}}}"),
            format!("{{{{ .{name} }}}}"),
            format!("{{{{ .{name}}}}}"),
            format!("{{{{.{name} }}}}"),
        ] {
            out = out.replace(&form, value);
        }
    }
    out
}

/// Runs a local command, streaming each line of stdout and stderr to the UI as it arrives;
/// returns the exit code. Cancellation kills the process.
pub async fn run_local(cx: &RunCx, program: &str, args: &[String], env: &[(String, String)]) -> Result<i32, RunError> {
    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::process::Command;
    tracing::debug!(build = %cx.build_name, program, ?args, "starting a local command");
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        // Its own process group, so that cancelling kills the script's children too.
        .process_group(0)
        .spawn()
        .map_err(|e| RunError::failed(format!("cannot run `{program}`: {e}")))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let ui_out = cx.ui.clone();
    let ui_err = cx.ui.clone();
    let out_task = tokio::spawn(async move {
        if let Some(s) = stdout {
            let mut lines = BufReader::new(s).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                ui_out.message(&line);
            }
        }
    });
    let err_task = tokio::spawn(async move {
        if let Some(s) = stderr {
            let mut lines = BufReader::new(s).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                ui_err.error(&line);
            }
        }
    });
    let status = tokio::select! {
        status = child.wait() => status.map_err(|e| RunError::failed(format!("`{program}` failed: {e}")))?,
        () = cx.cancel.cancelled() => {
            kill_group(&mut child).await;
            return Err(RunError::Cancelled);
        }
    };
    let _ = out_task.await;
    let _ = err_task.await;
    tracing::debug!(build = %cx.build_name, program, code = status.code(), "local command finished");
    Ok(status.code().unwrap_or(-1))
}

/// Kills a child and everything in its process group (`sh -c` leaves grandchildren otherwise).
async fn kill_group(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        // `kill` the program avoids unsafe code for a signal to a process group.
        let _ = tokio::process::Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status().await;
    }
    let _ = child.kill().await;
}
