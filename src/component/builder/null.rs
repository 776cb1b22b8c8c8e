//! The `null` builder: connects to an existing machine (or to none) and creates no image.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::communicator::ssh;
use crate::component::prepare::PrepareCtx;

/// The `null` builder takes only communicator arguments.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// How to reach the machine (`communicator = "none"` for no machine).
    #[serde(flatten)]
    pub comm: ssh::Config,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        self.comm.check(cx, false, false);
    }
}
