//! `forge convert` and `forge hcl2_upgrade`: diagnostics to stderr, the converted template to
//! stdout or to a file written atomically, never over an existing file without `-force`.

use std::io::Write;
use std::path::Path;

use crate::cli::args;
use crate::cli::fmt::write_atomic;
use crate::convert::{Options, Target};
use crate::diag::render;
use crate::driver;
use crate::source::RealFs;

/// Runs `forge convert`; returns the exit code.
pub fn convert(a: &args::Convert, color: bool, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let target = match a.to {
        args::Syntax::Hcl => Target::Hcl,
        args::Syntax::HclJson => Target::HclJson,
        args::Syntax::Toml => Target::Toml,
    };
    let opts = Options { target, upgrade: false, annotations: false };
    run("convert", &a.templates, &opts, a.output_file.as_deref(), a.force, color, out, err)
}

/// Runs `forge hcl2_upgrade`; returns the exit code.
pub fn hcl2_upgrade(
    a: &args::Hcl2Upgrade,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let opts = Options { target: Target::Hcl, upgrade: true, annotations: a.with_annotations };
    let output = a.output_file.clone().unwrap_or_else(|| format!("{}{}", a.template, Target::Hcl.suffix()));
    let to_file = (output != "-").then_some(output.as_str());
    let code = run("hcl2_upgrade", std::slice::from_ref(&a.template), &opts, to_file, a.force, color, out, err)?;
    if code == 0 {
        if let Some(path) = to_file {
            writeln!(out, "Successfully created {path}")?;
        }
    }
    Ok(code)
}

#[allow(clippy::too_many_arguments)]
fn run(
    command: &str,
    templates: &[String],
    opts: &Options,
    output: Option<&str>,
    force: bool,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    if let Some(path) = output {
        if !force && Path::new(path).exists() {
            writeln!(err, "forge {command}: `{path}` exists already; add -force to replace it (F6002)")?;
            return Ok(1);
        }
    }
    let (a, text) = driver::convert(&RealFs, templates, opts);
    let style = render::Style { color, width: 100 };
    for d in &a.diagnostics {
        write!(err, "{}", render::human(&a.db, d, style))?;
    }
    let Some(text) = text else { return Ok(1) };
    match output {
        None => out.write_all(text.as_bytes())?,
        Some(path) => {
            if let Err(e) = write_atomic(Path::new(path), text.as_bytes(), force) {
                let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
                    "it exists already; add -force to replace it (F6002)".to_string()
                } else {
                    e.to_string()
                };
                writeln!(err, "forge {command}: cannot write `{path}`: {why}")?;
                return Ok(1);
            }
        }
    }
    Ok(0)
}
