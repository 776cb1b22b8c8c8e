//! The `file` builder: writes `content` or copies `source` to `target`; the artifact is that file.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

/// Configuration of the `file` builder.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The file to create.
    pub target: String,
    /// A file to copy to `target` (exclusive with `content`).
    pub source: Option<String>,
    /// Text to write to `target` (exclusive with `source`).
    pub content: Option<String>,
    /// Accepted for compatibility; the file builder needs no machine.
    pub communicator: Option<String>,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        if cx.node.has("source") && cx.node.has("content") {
            cx.at_most_one(&["source", "content"]);
        }
        if !cx.node.has("source") && !cx.node.has("content") {
            cx.diags.push(
                crate::diag::Diagnostic::warning(
                    crate::diag::Code::MissingArgument,
                    cx.header,
                    "both `source` and `content` are blank",
                )
                .with_help("the builder will create an empty file; set `content` or `source`"),
            );
        }
        cx.file_exists("source");
    }
}
