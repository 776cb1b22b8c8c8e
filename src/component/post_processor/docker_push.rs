//! The `docker-push` post-processor: pushes an image and its tags to the registry their names
//! point at, logging in first when asked (the password is sent to the daemon only).

use http::Method;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::builder::docker_run::IMPORT_ID;
use crate::component::docker_api::{self, Docker, query, segment};
use crate::component::post_processor::docker_tag::{self, accept, describe};
use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError};

/// Configuration of the `docker-push` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// Credentials to push with.
    #[serde(flatten)]
    pub login: crate::component::docker_api::Login,
    /// Log in to Amazon ECR (not supported).
    #[schemars(extend("x-forge-refused" = "log in to ECR beforehand and push with `login = true` and its password"))]
    pub ecr_login: Option<bool>,
    /// Keep the input artifact.
    pub keep_input_artifact: Option<bool>,
}

impl crate::component::registry::Config for Config {}

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            accept(
                &input,
                &[IMPORT_ID, docker_tag::BUILDER_ID],
                "Can only import from docker-import and docker-tag artifacts.",
            )?;
            let docker = Docker::from_env();
            let login = self.login.wanted();
            let auth = self
                .login
                .auth(&docker, cx.ui.as_ref())
                .await
                .map_err(|e| RunError::failed(format!("Error logging in to Docker: {e}")))?;
            let tags = input.state.get("docker_tags").cloned().unwrap_or_default();
            let mut names = vec![input.id.clone()];
            names.extend(tags.iter().cloned());
            let mut result = Ok(());
            for name in &names {
                cx.ui.message(&format!("Pushing: {name}"));
                result = push(&docker, name, &auth, |l| cx.ui.message(l)).await;
                if result.is_err() {
                    break;
                }
            }
            if login {
                cx.ui.message("Logging out...");
            }
            result?;
            let mut artifact = Artifact { builder_id: IMPORT_ID.into(), id: names[0].clone(), ..Artifact::default() };
            artifact.state.insert("docker_tags".into(), tags);
            artifact.description = describe(&artifact);
            Ok(PostProcessed { artifact, keep: true, force_keep: false })
        })
    }
}

/// Pushes `name` (`registry/repo[:tag]`); progress lines go to `line`.
pub async fn push(docker: &Docker, name: &str, auth: &str, line: impl FnMut(&str)) -> Result<(), RunError> {
    let (repo, tag) = docker_api::split_reference(name);
    let path = format!("/images/{}/push?{}", segment(&repo), query(&[("tag", &tag)]));
    docker
        .progress(Method::POST, &path, &[("x-registry-auth", auth.to_string())], docker_api::empty(), line)
        .await
        .map(|_| ())
        .map_err(|e| RunError::failed(format!("Error pushing {name}: {e}")))
}
