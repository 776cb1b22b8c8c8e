//! The `none` communicator: no connection, for builders that need no machine.

use schemars::JsonSchema;
use serde::Deserialize;

/// The `none` communicator takes no arguments.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Config {}

impl crate::component::registry::Config for Config {}
