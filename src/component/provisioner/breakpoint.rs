//! The `breakpoint` provisioner: pauses the build until Enter is pressed.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::runtime::{BoxFuture, RunCx, RunError};

/// Configuration of the `breakpoint` provisioner.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// Shown when pausing.
    pub note: Option<String>,
    /// Skip the pause.
    pub disable: Option<bool>,
}

impl crate::component::registry::Config for Config {}

impl crate::component::runtime::ProvisionerRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<(), RunError>> {
        Box::pin(async move {
            if self.disable.unwrap_or(false) {
                cx.ui.say("Breakpoint provisioner disabled; continuing...");
                return Ok(());
            }
            cx.ui.say(&format!(
                "Pausing at breakpoint provisioner with note {:?}.",
                self.note.clone().unwrap_or_default()
            ));
            tokio::select! {
                () = cx.ui.pause("Press enter to continue.") => Ok(()),
                () = cx.cancel.cancelled() => Err(RunError::Cancelled),
            }
        })
    }
}
