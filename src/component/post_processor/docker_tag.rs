//! The `docker-tag` post-processor: tags the image a docker build committed (or imported).

use http::Method;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::docker_api::{self, Docker, query, segment};
use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError};

/// Its artifacts' builder id.
pub const BUILDER_ID: &str = "packer.post-processor.docker-tag";

/// Configuration of the `docker-tag` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The repository to tag into (`registry:5000/team/app`).
    pub repository: String,
    /// Tags to give the image; without any, the repository alone (`latest`).
    pub tags: Option<Vec<String>>,
    /// The old name of `tags`.
    pub tag: Option<Vec<String>>,
    /// Ignored, as by Packer since Docker 1.12 (a tag always moves).
    pub force: Option<bool>,
    /// Keep the input artifact (Packer always keeps it).
    pub keep_input_artifact: Option<bool>,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        if self.repository.is_empty() && !cx.node.is_deferred("repository") {
            cx.error("repository", "`repository` cannot be empty", "name the repository to tag into");
        }
    }
}

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            if self.tag.as_ref().is_some_and(|t| !t.is_empty()) {
                cx.ui.say("Deprecation warning: \"tag\" option has been replaced with \"tags\". In future versions of Packer, this configuration may not work. Please call `packer fix` on your template to update.");
            }
            accept(
                &input,
                &[BUILDER_ID, crate::component::builder::docker_run::IMPORT_ID],
                "Can only tag from Docker builder artifacts.",
            )?;
            let docker = Docker::from_env();
            let tags: Vec<String> = self.tags.iter().flatten().chain(self.tag.iter().flatten()).cloned().collect();
            let names: Vec<String> = if tags.is_empty() {
                vec![self.repository.clone()]
            } else {
                tags.iter().map(|t| format!("{}:{t}", self.repository)).collect()
            };
            for name in &names {
                cx.ui.message(&format!("Tagging image: {}", input.id));
                cx.ui.message(&format!("Repository: {name}"));
                tag(&docker, &input.id, name).await?;
            }
            let id = names.last().cloned().unwrap_or_default();
            let mut artifact = Artifact { builder_id: BUILDER_ID.into(), id, ..Artifact::default() };
            if !tags.is_empty() {
                artifact.state.insert("docker_tags".into(), names);
            }
            artifact.description = describe(&artifact);
            // Packer: tagging an image and then deleting it would be pointless.
            Ok(PostProcessed { artifact, keep: true, force_keep: true })
        })
    }
}

/// Gives image `id` the name `name` (`repo[:tag]`).
pub async fn tag(docker: &Docker, id: &str, name: &str) -> Result<(), RunError> {
    let (repo, tag) = docker_api::split_reference(name);
    let path = format!("/images/{}/tag?{}", segment(id), query(&[("repo", &repo), ("tag", &tag)]));
    docker
        .json(Method::POST, &path, None)
        .await
        .map(|_| ())
        .map_err(|e| RunError::failed(format!("Error tagging image: {e}")))
}

/// Packer's words for an image artifact: `Imported Docker image: ID[ with tags A B]`.
pub fn describe(a: &Artifact) -> String {
    match a.state.get("docker_tags") {
        Some(tags) => format!("Imported Docker image: {} with tags {}", a.id, tags.join(" ")),
        None => format!("Imported Docker image: {}", a.id),
    }
}

/// Refuses an input artifact of another kind, in Packer's words.
pub fn accept(input: &Artifact, ids: &[&str], what: &str) -> Result<(), RunError> {
    if ids.contains(&input.builder_id.as_str()) {
        Ok(())
    } else {
        Err(RunError::failed(format!("Unknown artifact type: {}\n{what}", input.builder_id)))
    }
}
