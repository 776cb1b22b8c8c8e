//! The `manifest` post-processor: records each build's artifact in a JSON file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// Configuration of the `manifest` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The manifest file, `packer-manifest.json` by default.
    #[schemars(default = "default_output")]
    pub output: Option<String>,
    /// Write only file names, without their folders.
    pub strip_path: Option<bool>,
    /// Leave `build_time` out.
    pub strip_time: Option<bool>,
    /// Extra data recorded with each build.
    pub custom_data: Option<BTreeMap<String, String>>,
    /// Accepted for compatibility; the input artifact is always kept.
    pub keep_input_artifact: Option<bool>,
}

fn default_output() -> String {
    "packer-manifest.json".into()
}

impl crate::component::registry::Config for Config {}
