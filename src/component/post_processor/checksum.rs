//! The `checksum` post-processor: writes checksums of the artifact's files.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError, render_component_template};

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

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            let types = self.checksum_types.clone().unwrap_or_else(|| vec!["md5".into()]);
            let template = self.output.clone().unwrap_or_else(default_output);
            let mut files = input.files.clone();
            for ty in &types {
                let output = render_component_template(
                    &template,
                    &[("BuildName", &cx.source_name), ("BuilderType", &cx.builder_type), ("ChecksumType", ty)],
                );
                let out_path = cx.path(&output);
                let existed = out_path.exists();
                let mut lines = String::new();
                for f in &input.files {
                    let path = cx.path(f);
                    let ty = ty.clone();
                    let hex = tokio::task::spawn_blocking(move || hash_file(&path, &ty))
                        .await
                        .map_err(|e| RunError::failed(e.to_string()))?
                        .map_err(|e| RunError::failed(format!("cannot checksum {f}: {e}")))?;
                    let base = std::path::Path::new(f)
                        .file_name()
                        .map_or_else(|| f.clone(), |n| n.to_string_lossy().into_owned());
                    lines.push_str(&format!("{hex}\t{base}\n"));
                }
                append(&out_path, &lines).await.map_err(|e| RunError::failed(format!("cannot write {output}: {e}")))?;
                // As Packer: a checksum file that already existed is not part of the new artifact.
                if !existed {
                    files.push(output);
                }
            }
            let artifact = Artifact {
                builder_id: "packer.post-processor.checksum".into(),
                id: String::new(),
                description: format!("Created artifact from files: {}", files.join(", ")),
                files,
                ..Artifact::default()
            };
            Ok(PostProcessed { artifact, keep: true, force_keep: true })
        })
    }
}

async fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut f = tokio::fs::OpenOptions::new().create(true).append(true).open(path).await?;
    f.write_all(text.as_bytes()).await?;
    f.flush().await
}

/// The hex digest of a file, streamed in 256 KiB blocks.
pub fn hash_file(path: &std::path::Path, ty: &str) -> std::io::Result<String> {
    use std::io::Read;
    fn stream<D: sha2::Digest>(mut reader: impl Read, mut digest: D) -> std::io::Result<String> {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            digest.update(&buf[..n]);
        }
        Ok(digest.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
    let f = std::fs::File::open(path)?;
    match ty {
        "md5" => stream(f, md5::Md5::default()),
        "sha1" => stream(f, sha1::Sha1::default()),
        "sha224" => stream(f, sha2::Sha224::default()),
        "sha256" => stream(f, sha2::Sha256::default()),
        "sha384" => stream(f, sha2::Sha384::default()),
        "sha512" => stream(f, sha2::Sha512::default()),
        other => Err(std::io::Error::other(format!("unknown checksum type {other}"))),
    }
}
