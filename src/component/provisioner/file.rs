//! The `file` provisioner: uploads to (or downloads from) the machine.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

/// Configuration of the `file` provisioner.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// A local file or folder (trailing `/` copies the folder's contents).
    pub source: Option<String>,
    /// Several sources; `destination` must then be a folder ending in `/`.
    pub sources: Option<Vec<String>>,
    /// Text to write to `destination`.
    pub content: Option<String>,
    /// Where to put it.
    pub destination: String,
    /// `upload` (default) or `download`.
    pub direction: Option<String>,
    /// The source is created by an earlier step: do not check that it exists.
    pub generated: Option<bool>,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        cx.one_of_values("direction", &["upload", "download"]);
        let keys = ["source", "sources", "content"];
        if keys.iter().all(|k| !cx.node.has(k)) {
            cx.diags.push(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::MissingArgument,
                    cx.header,
                    "one of `source`, `sources` or `content` must be set",
                )
                .with_help("say what to upload"),
            );
        }
        cx.at_most_one(&keys);
        if self.sources.is_some() && !self.destination.ends_with('/') && !cx.node.is_deferred("destination") {
            cx.error(
                "destination",
                "with `sources`, `destination` must be a folder ending in `/`",
                "add a trailing `/` to `destination`",
            );
        }
        let uploading = self.direction.as_deref().unwrap_or("upload") == "upload";
        if uploading && !self.generated.unwrap_or(false) {
            cx.file_exists("source");
            cx.file_exists("sources");
        }
    }
}
