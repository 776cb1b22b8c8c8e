//! The `file` builder: writes `content` or copies `source` to `target`; the artifact is that file.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{Artifact, BoxFuture, Built, RunCx, RunError};

/// Configuration of the `file` builder.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The file to create.
    pub target: String,
    /// A file to copy to `target` (exclusive with `content`).
    pub source: Option<String>,
    /// Text to write to `target` (exclusive with `source`).
    pub content: Option<String>,
    /// Accepted for compatibility; the file builder needs no machine.
    pub communicator: Option<String>,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        if cx.node.has("source") && cx.node.has("content") {
            cx.at_most_one(&["source", "content"]);
        }
        if !cx.node.has("source") && !cx.node.has("content") {
            cx.diags.push(
                crate::diag::Diagnostic::warning(
                    crate::diag::Code::MissingArgument,
                    cx.header,
                    "both `source` and `content` are blank",
                )
                .with_help("the builder will create an empty file; set `content` or `source`"),
            );
        }
        cx.file_exists("source");
    }
}

impl crate::component::runtime::BuilderRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<Built, RunError>> {
        Box::pin(async move {
            let target = cx.path(&self.target);
            if let Some(parent) = target.parent() {
                tokio::fs::create_dir_all(parent)
                    .await
                    .map_err(|e| RunError::failed(format!("cannot create {}: {e}", parent.display())))?;
            }
            let bytes = match &self.source {
                Some(source) => tokio::fs::read(cx.path(source))
                    .await
                    .map_err(|e| RunError::failed(format!("cannot read source file {source}: {e}")))?,
                None => self.content.clone().unwrap_or_default().into_bytes(),
            };
            write_private(&target, &bytes)
                .await
                .map_err(|e| RunError::failed(format!("cannot write {}: {e}", self.target)))?;
            Ok(Built::artifact(Artifact {
                builder_id: "packer.file".into(),
                id: "File".into(),
                description: format!("Stored file: {}", self.target),
                files: vec![self.target.clone()],
                ..Artifact::default()
            }))
        })
    }
}

/// Writes a file readable only by its owner, as Packer's file builder does.
async fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut f = options.open(path).await?;
    f.write_all(bytes).await?;
    f.flush().await
}
