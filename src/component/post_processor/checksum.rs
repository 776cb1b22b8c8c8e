//! The `checksum` post-processor: writes checksums of the artifact's files.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

/// The checksum types `checksum` knows.
pub const TYPES: &[&str] = &["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

/// Configuration of the `checksum` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// Which checksums to write, `["md5"]` by default.
    pub checksum_types: Option<Vec<String>>,
    /// The output file; `{{.BuildName}}`, `{{.BuilderType}}`, `{{.ChecksumType}}` are replaced.
    #[schemars(default = "default_output")]
    pub output: Option<String>,
    /// Accepted for compatibility; the input artifact is always kept.
    pub keep_input_artifact: Option<bool>,
}

fn default_output() -> String {
    "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum".into()
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        let Some(n) = cx.node.get("checksum_types") else { return };
        let bad: Vec<(String, crate::source::Span)> = n
            .items
            .iter()
            .filter_map(|i| i.value.as_str().filter(|t| !TYPES.contains(t)).map(|t| (t.to_string(), i.span)))
            .collect();
        for (t, span) in bad {
            cx.diags.push(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::InvalidComponentValue,
                    span,
                    format!("unknown checksum type {t:?}"),
                )
                .with_help(
                    crate::diag::did_you_mean_help(&t, TYPES.iter().copied())
                        .unwrap_or_else(|| format!("use one of {}", TYPES.join(", "))),
                ),
            );
        }
    }
}
