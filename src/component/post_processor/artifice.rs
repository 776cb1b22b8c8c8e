//! The `artifice` post-processor: makes the listed files the new artifact.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError};

/// Configuration of the `artifice` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The files of the new artifact.
    pub files: Vec<String>,
    /// Keep the input artifact too (true by default).
    pub keep_input_artifact: Option<bool>,
}

impl crate::component::registry::Config for Config {}

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, _cx: RunCx, _input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            let artifact = Artifact {
                builder_id: "packer.post-processor.artifice".into(),
                id: String::new(),
                description: format!("Created artifact from files: {}", self.files.join(", ")),
                files: self.files.clone(),
                ..Artifact::default()
            };
            Ok(PostProcessed { artifact, keep: self.keep_input_artifact.unwrap_or(true), force_keep: false })
        })
    }
}
