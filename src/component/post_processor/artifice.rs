//! The `artifice` post-processor: makes the listed files the new artifact.

use schemars::JsonSchema;
use serde::Deserialize;

/// Configuration of the `artifice` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The files of the new artifact.
    pub files: Vec<String>,
    /// Keep the input artifact too (true by default).
    pub keep_input_artifact: Option<bool>,
}

impl crate::component::registry::Config for Config {}
