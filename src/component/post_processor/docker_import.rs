//! The `docker-import` post-processor: imports an exported container tarball as an image.

use http::Method;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::builder::docker_run::{BUILDER_ID as DOCKER_ID, IMPORT_ID};
use crate::component::docker_api::{self, Docker, query};
use crate::component::post_processor::docker_tag::{accept, describe};
use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError};

/// Configuration of the `docker-import` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The repository of the new image.
    pub repository: String,
    /// Its tag.
    pub tag: Option<String>,
    /// Dockerfile instructions applied on import (`ENV A=b`, `CMD ["sh"]`).
    pub changes: Option<Vec<String>>,
    /// The platform of the image.
    pub platform: Option<String>,
    /// Keep the input artifact.
    pub keep_input_artifact: Option<bool>,
}

impl crate::component::registry::Config for Config {}

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            accept(
                &input,
                &[DOCKER_ID, "packer.post-processor.artifice"],
                "Can only import from Docker builder and Artifice post-processor artifacts. If you are getting this error after having run the docker builder, it may be because you set commit: true in your Docker builder, so the image is already imported. ",
            )?;
            let Some(file) = input.files.first().filter(|f| !f.is_empty()) else {
                return Err(RunError::failed("the input artifact has no file to import"));
            };
            let mut repo = self.repository.clone();
            if let Some(t) = self.tag.as_deref().filter(|t| !t.is_empty()) {
                repo = format!("{repo}:{t}");
            }
            cx.ui.message(&format!("Importing image: {}", input.id));
            cx.ui.message(&format!("Repository: {repo}"));
            let id = import(
                &Docker::from_env(),
                &cx.path(file),
                &repo,
                self.changes.as_deref().unwrap_or_default(),
                self.platform.as_deref(),
            )
            .await?;
            cx.ui.message(&format!("Imported ID: {id}"));
            let mut artifact = Artifact { builder_id: IMPORT_ID.into(), id: repo, ..Artifact::default() };
            artifact.description = describe(&artifact);
            Ok(PostProcessed { artifact, keep: false, force_keep: false })
        })
    }
}

/// Imports a root file system tarball as image `repo` (`name[:tag]`), streaming the file;
/// returns the image id.
pub async fn import(
    docker: &Docker,
    file: &std::path::Path,
    repo: &str,
    changes: &[String],
    platform: Option<&str>,
) -> Result<String, RunError> {
    let (name, tag) = docker_api::split_reference(repo);
    let mut pairs: Vec<(&str, &str)> = vec![("fromSrc", "-"), ("repo", &name), ("tag", &tag)];
    for c in changes {
        pairs.push(("changes", c));
    }
    if let Some(p) = platform.filter(|p| !p.is_empty()) {
        pairs.push(("platform", p));
    }
    let (mut writer, body) = docker_api::body_channel();
    let path = file.to_path_buf();
    let producer = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut f = std::fs::File::open(&path)?;
        match std::io::copy(&mut f, &mut writer) {
            Ok(_) => std::io::Write::flush(&mut writer),
            Err(e) => {
                let text = e.to_string();
                writer.fail(e);
                Err(std::io::Error::other(text))
            }
        }
    });
    let headers = [("content-type", "application/x-tar".to_string())];
    let statuses =
        docker.progress(Method::POST, &format!("/images/create?{}", query(&pairs)), &headers, body, |_| {}).await;
    producer
        .await
        .map_err(|e| RunError::failed(e.to_string()))?
        .map_err(|e| RunError::failed(format!("Error importing container: cannot read {}: {e}", file.display())))?;
    let statuses = statuses.map_err(|e| RunError::failed(format!("Error importing container: {e}")))?;
    Ok(statuses.into_iter().find(|s| s.starts_with("sha256:")).unwrap_or_default())
}
