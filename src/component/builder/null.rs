//! The `null` builder: connects to an existing machine (or to none) and creates no image.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::communicator::ssh;
use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{Artifact, BoxFuture, RunCx, RunError};

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
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<Artifact, RunError>> {
        Box::pin(async move {
            if self.comm.kind() != "none" {
                let host = self.comm.ssh_host.clone().unwrap_or_default();
                let opts =
                    crate::component::communicator::ssh_client::ConnectOptions::from_config(&self.comm, &cx.base_dir)?;
                cx.ui.say(&format!("Using SSH communicator to connect: {host}"));
                cx.ui.say("Waiting for SSH to become available...");
                let cancel = cx.cancel.clone();
                let session = tokio::task::spawn_blocking(move || {
                    crate::component::communicator::ssh_client::connect(&opts, &cancel)
                })
                .await
                .map_err(|e| RunError::failed(e.to_string()))??;
                cx.ui.say("Connected to SSH!");
                session.set_ui(cx.ui.clone());
                let comm: std::sync::Arc<dyn crate::component::runtime::Communicator> =
                    std::sync::Arc::new(std::sync::Arc::new(session));
                if let Ok(mut slot) = cx.comm.lock() {
                    *slot = Some(comm);
                }
            }
            Ok(Artifact {
                builder_id: "fnoeding.null".into(),
                id: "Null".into(),
                description: "Did not export anything. This is the null builder".into(),
                files: Vec::new(),
            })
        })
    }
}
