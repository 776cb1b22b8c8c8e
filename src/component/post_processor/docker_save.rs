//! The `docker-save` post-processor: writes a docker image to a tar file (`docker save`).

use http::Method;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::builder::docker_run::{IMPORT_ID, save_body};
use crate::component::docker_api::{self, Docker, segment};
use crate::component::post_processor::docker_tag::{self, accept};
use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError};

/// Configuration of the `docker-save` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The tar file to write.
    pub path: String,
    /// Keep the input artifact.
    pub keep_input_artifact: Option<bool>,
}

impl crate::component::registry::Config for Config {}

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            accept(&input, &[IMPORT_ID, docker_tag::BUILDER_ID], "Can only save Docker builder artifacts.")?;
            let docker = Docker::from_env();
            cx.ui.message(&format!("Saving image: {}", input.id));
            let target = cx.path(&self.path);
            let response = docker
                .send(Method::GET, &format!("/images/{}/get", segment(&input.id)), &[], docker_api::empty())
                .await
                .map_err(|e| RunError::failed(format!("Error saving image: {e}")))?;
            save_body(response, &target).await.map_err(|e| RunError::failed(format!("Error saving image: {e}")))?;
            cx.ui.message(&format!("Saved to: {}", self.path));
            // Packer hands the image on, so a docker-push may follow.
            Ok(PostProcessed { artifact: input, keep: true, force_keep: false })
        })
    }
}
