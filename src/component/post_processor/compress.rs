//! The `compress` post-processor: packs the artifact's files into an archive.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

/// Archive formats, by `format` or by the output's extension.
pub const FORMATS: &[&str] = &["tar.gz", "tgz", "tar", "gz", "zip", "lz4", "tar.lz4"];

/// Configuration of the `compress` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The archive; its extension picks the format.
    #[schemars(default = "default_output")]
    pub output: Option<String>,
    /// The format, overriding the extension.
    pub format: Option<String>,
    /// 1 (fastest) to 9 (smallest), 6 by default.
    pub compression_level: Option<i64>,
    /// Keep the uncompressed input artifact (default false).
    pub keep_input_artifact: Option<bool>,
}

fn default_output() -> String {
    "packer_{{.BuildName}}_{{.BuilderType}}".into()
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        cx.one_of_values("format", FORMATS);
        if let Some(level) = self.compression_level.filter(|l| !(-1..=9).contains(l)) {
            cx.error(
                "compression_level",
                format!("`compression_level` must be between 1 and 9, not {level}"),
                "use 1 for speed, 9 for size, 6 by default",
            );
        }
    }
}
