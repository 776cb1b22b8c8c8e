//! The `null` builder: connects to an existing machine (or to none) and creates no image.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::communicator::{ssh, ssh_client};
use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{Artifact, BoxFuture, Built, RunCx, RunError};

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

impl crate::component::runtime::BuilderRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<Built, RunError>> {
        Box::pin(async move {
            let mut built = Built::artifact(Artifact {
                builder_id: "fnoeding.null".into(),
                id: "Null".into(),
                description: "Did not export anything. This is the null builder".into(),
                files: Vec::new(),
                ..Artifact::default()
            });
            built.generated = self.comm.connection_values(&cx.base_dir);
            if self.comm.kind() != "none" {
                let opts = ssh_client::ConnectOptions::from_config(&self.comm, &cx.base_dir)?;
                built.communicator = Some(ssh_client::connect_build(&cx, opts).await?);
            }
            Ok(built)
        })
    }
}
