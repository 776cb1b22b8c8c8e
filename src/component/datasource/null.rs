//! The `null` data source: its `output` is its `input`.

use schemars::JsonSchema;
use serde::Deserialize;

/// Configuration of the `null` data source.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// Any value; `output` returns it.
    pub input: serde_json::Value,
}

impl crate::component::registry::Config for Config {}
