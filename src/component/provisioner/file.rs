//! The `file` provisioner: uploads to (or downloads from) the machine.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{BoxFuture, RunCx, RunError};

crate::component::declared::string_enum! {
    /// Which way files go.
    Direction { Upload = "upload", Download = "download" }
}

/// Configuration of the `file` provisioner.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// A local file or folder (trailing `/` copies the folder's contents).
    pub source: Option<String>,
    /// Several sources; `destination` must then be a folder ending in `/`.
    pub sources: Option<Vec<String>>,
    /// Text to write to `destination`.
    pub content: Option<String>,
    /// Where to put it.
    pub destination: String,
    /// `upload` (default) or `download`.
    pub direction: Option<Direction>,
    /// The source is created by an earlier step: do not check that it exists.
    pub generated: Option<bool>,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        let keys = ["source", "sources", "content"];
        if keys.iter().all(|k| !cx.node.has(k)) {
            cx.diags.push(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::MissingArgument,
                    cx.header,
                    "one of `source`, `sources` or `content` must be set",
                )
                .with_help("say what to upload"),
            );
        }
        cx.at_most_one(&keys);
        if self.sources.is_some() && !self.destination.ends_with('/') && !cx.node.is_deferred("destination") {
            cx.error(
                "destination",
                "with `sources`, `destination` must be a folder ending in `/`",
                "add a trailing `/` to `destination`",
            );
        }
        // An invalid `direction` (reported by its declaration) is neither: no upload checks.
        let uploading = cx.node.str("direction").unwrap_or("upload") == "upload";
        if uploading && !self.generated.unwrap_or(false) {
            cx.file_exists("source");
            cx.file_exists("sources");
        }
    }
}

impl crate::component::runtime::ProvisionerRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<(), RunError>> {
        Box::pin(async move {
            let comm = cx.communicator()?;
            if self.direction == Some(Direction::Download) {
                let source = self.source.clone().unwrap_or_default();
                cx.ui.say(&format!("Downloading {source} => {}", self.destination));
                let local = if self.destination.ends_with('/') {
                    std::path::PathBuf::from(format!("{}/", cx.path(&self.destination).display()))
                } else {
                    cx.path(&self.destination)
                };
                return comm.download(source, local).await;
            }
            if let Some(content) = &self.content {
                let target = if self.destination.ends_with('/') {
                    format!("{}pkr-file-content", self.destination)
                } else {
                    self.destination.clone()
                };
                cx.ui.say(&format!("Uploading content => {target}"));
                return comm.upload_bytes(content.clone().into_bytes(), target, 0o644).await;
            }
            for source in self.source.iter().chain(self.sources.iter().flatten()) {
                cx.ui.say(&format!("Uploading {source} => {}", self.destination));
                // Keep a trailing slash: it means "the folder's contents".
                let mut local = cx.path(source).to_string_lossy().into_owned();
                if source.ends_with('/') && !local.ends_with('/') {
                    local.push('/');
                }
                comm.upload(std::path::PathBuf::from(local), self.destination.clone()).await?;
            }
            Ok(())
        })
    }
}
