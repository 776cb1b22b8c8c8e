//! The `compress` post-processor: packs the artifact's files into an archive.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError, render_component_template};

crate::component::declared::string_enum! {
    /// An archive format, by `format` or by the output's extension.
    Format { TarGz = "tar.gz", Tgz = "tgz", Tar = "tar", Gz = "gz", Zip = "zip", Lz4 = "lz4", TarLz4 = "tar.lz4" }
}

/// Configuration of the `compress` post-processor.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The archive; its extension picks the format.
    #[schemars(default = "default_output")]
    pub output: Option<String>,
    /// The format, overriding the extension.
    pub format: Option<Format>,
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
        if let Some(level) = self.compression_level.filter(|l| !(-1..=9).contains(l)) {
            cx.error(
                "compression_level",
                format!("`compression_level` must be between 1 and 9, not {level}"),
                "use 1 for speed, 9 for size, 6 by default",
            );
        }
    }
}

/// The archive format of an output name (Packer's rules: unknown extensions give tar.gz).
pub fn format_of(output: &str, format: Option<&str>) -> &'static str {
    let pick = |s: &str| -> &'static str {
        if s.ends_with("tar.gz") || s.ends_with("tgz") {
            "tar.gz"
        } else if s.ends_with("tar.lz4") {
            "tar.lz4"
        } else if s.ends_with("zip") {
            "zip"
        } else if s.ends_with("tar") {
            "tar"
        } else if s.ends_with("lz4") {
            "lz4"
        } else if s.ends_with("gz") {
            "gz"
        } else {
            "tar.gz"
        }
    };
    format.map_or_else(|| pick(output), pick)
}

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            let template = self.output.clone().unwrap_or_else(default_output);
            let output = render_component_template(
                &template,
                &[("BuildName", &cx.source_name), ("BuilderType", &cx.builder_type)],
            );
            let format = format_of(&output, self.format.map(Format::as_str));
            #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
            let level = self.compression_level.filter(|l| (1..=9).contains(l)).unwrap_or(6) as u32;
            let out_path = cx.path(&output);
            let inputs: Vec<std::path::PathBuf> = input.files.iter().map(|f| cx.path(f)).collect();
            cx.ui.say(&format!("Using {format} compression (level {level}) for {output}"));
            if format.starts_with("tar") {
                let codec = match format {
                    "tar.gz" => "gzip",
                    "tar.lz4" => "lz4",
                    _ => "no compression",
                };
                cx.ui.say(&format!("Tarring {output} with {codec}"));
            }
            let out_for_task = out_path.clone();
            tokio::task::spawn_blocking(move || write_archive(&out_for_task, &inputs, format, level))
                .await
                .map_err(|e| RunError::failed(e.to_string()))?
                .map_err(|e| RunError::failed(format!("cannot write {output}: {e}")))?;
            cx.ui.say(&format!("Archive {output} completed"));
            let artifact = Artifact {
                builder_id: "packer.post-processor.compress".into(),
                id: output.clone(),
                description: format!("compressed artifacts in: {output}"),
                files: vec![output],
                ..Artifact::default()
            };
            Ok(PostProcessed { artifact, keep: self.keep_input_artifact.unwrap_or(false), force_keep: false })
        })
    }
}

/// Writes `inputs` into an archive; entries carry the bare file name, the file's mode and a
/// zero modification time, as Packer's archives do.
fn write_archive(
    out: &std::path::Path,
    inputs: &[std::path::PathBuf],
    format: &str,
    level: u32,
) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(out)?);
    let single = || -> std::io::Result<&std::path::PathBuf> {
        match inputs {
            [one] => Ok(one),
            _ => Err(std::io::Error::other(format!(
                "the {format} format holds one file, but the artifact has {}; use tar.gz or zip",
                inputs.len()
            ))),
        }
    };
    match format {
        "tar" => tar_into(file, inputs)?.flush(),
        "tar.gz" => {
            tar_into(flate2::write::GzEncoder::new(file, flate2::Compression::new(level)), inputs)?.finish()?.flush()
        }
        "tar.lz4" => {
            tar_into(lz4_flex::frame::FrameEncoder::new(file), inputs)?.finish().map_err(std::io::Error::other)?.flush()
        }
        "gz" => {
            let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::new(level));
            std::io::copy(&mut std::fs::File::open(single()?)?, &mut enc)?;
            enc.finish()?.flush()
        }
        "lz4" => {
            let mut enc = lz4_flex::frame::FrameEncoder::new(file);
            std::io::copy(&mut std::fs::File::open(single()?)?, &mut enc)?;
            enc.finish().map_err(std::io::Error::other)?.flush()
        }
        "zip" => {
            let mut zip = zip::ZipWriter::new(file);
            for path in inputs {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(i64::from(level)));
                zip.start_file(name, options).map_err(std::io::Error::other)?;
                std::io::copy(&mut std::fs::File::open(path)?, &mut zip)?;
            }
            zip.finish().map_err(std::io::Error::other)?.flush()
        }
        other => Err(std::io::Error::other(format!("unknown format {other}"))),
    }
}

fn tar_into<W: std::io::Write>(w: W, inputs: &[std::path::PathBuf]) -> std::io::Result<W> {
    let mut builder = tar::Builder::new(w);
    for path in inputs {
        let meta = std::fs::metadata(path)?;
        let mut header = tar::Header::new_gnu();
        header.set_size(meta.len());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            header.set_mode(meta.permissions().mode() & 0o7777);
        }
        header.set_mtime(0);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        builder.append_data(&mut header, name, std::fs::File::open(path)?)?;
    }
    builder.into_inner()
}
