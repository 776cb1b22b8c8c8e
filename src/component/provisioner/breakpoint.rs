//! The `breakpoint` provisioner: pauses the build until Enter is pressed.

use schemars::JsonSchema;
use serde::Deserialize;

/// Configuration of the `breakpoint` provisioner.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// Shown when pausing.
    pub note: Option<String>,
    /// Skip the pause.
    pub disable: Option<bool>,
}

impl crate::component::registry::Config for Config {}
