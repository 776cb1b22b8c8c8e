//! The `manifest` post-processor: records each build's artifact in a JSON file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError};

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

/// Serialises writers of the same manifest file within one run (builds append in parallel).
static WRITE_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            let output = self.output.clone().unwrap_or_else(default_output);
            let path = cx.path(&output);
            let _guard = WRITE_LOCK.lock().await;
            let mut doc = match tokio::fs::read_to_string(&path).await {
                Ok(text) => serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| RunError::failed(format!("{output} is not a manifest: {e}")))?,
                Err(_) => serde_json::json!({ "builds": [], "last_run_uuid": "" }),
            };
            // `-force` starts the manifest afresh on the first write of a new run.
            if cx.force && doc.get("last_run_uuid").and_then(serde_json::Value::as_str) != Some(cx.run_uuid.as_str()) {
                doc = serde_json::json!({ "builds": [], "last_run_uuid": "" });
            }
            let entry = self.entry(&cx, &input).await;
            if let Some(builds) = doc.get_mut("builds").and_then(serde_json::Value::as_array_mut) {
                builds.push(entry);
            }
            doc["last_run_uuid"] = serde_json::Value::from(cx.run_uuid.clone());
            let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            write_atomic(&path, text.as_bytes())
                .await
                .map_err(|e| RunError::failed(format!("Unable to write {output}: {e}")))?;
            Ok(PostProcessed { artifact: input, keep: true, force_keep: true })
        })
    }
}

impl Config {
    async fn entry(&self, cx: &RunCx, input: &Artifact) -> serde_json::Value {
        let mut files = Vec::new();
        for f in &input.files {
            let size = tokio::fs::metadata(cx.path(f)).await.map_or(0, |m| m.len());
            let name = if self.strip_path.unwrap_or(false) {
                std::path::Path::new(f).file_name().map_or_else(|| f.clone(), |n| n.to_string_lossy().into_owned())
            } else {
                f.clone()
            };
            files.push(serde_json::json!({ "name": name, "size": size }));
        }
        let mut entry = serde_json::Map::new();
        entry.insert("name".into(), cx.source_name.clone().into());
        entry.insert("builder_type".into(), cx.builder_type.clone().into());
        if !self.strip_time.unwrap_or(false) {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            entry.insert("build_time".into(), now.into());
        }
        entry.insert("files".into(), if files.is_empty() { serde_json::Value::Null } else { files.into() });
        entry.insert("artifact_id".into(), input.id.clone().into());
        entry.insert("packer_run_uuid".into(), cx.run_uuid.clone().into());
        entry.insert(
            "custom_data".into(),
            self.custom_data.as_ref().map_or(serde_json::Value::Null, |m| serde_json::to_value(m).unwrap_or_default()),
        );
        serde_json::Value::Object(entry)
    }
}

/// Writes through a temporary file in the same folder and renames it over the target, so an
/// interrupted write never leaves a truncated manifest. Creates the folder (Packer does not).
pub async fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent).await?;
    }
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    tokio::fs::write(&tmp, bytes).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tokio::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o664)).await;
    }
    match tokio::fs::rename(&tmp, path).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            Err(e)
        }
    }
}
