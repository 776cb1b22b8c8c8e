//! `forge fmt`: Packer's flags and output (changed file names, `-check` exit 3, `-diff`), writes
//! that are atomic and keep the file's permissions, and a syntax error that leaves the file alone.

use std::io::{Read, Write};
use std::path::Path;

use crate::cli::args;
use crate::diag::render;
use crate::driver;
use crate::ir::Origin;
use crate::source::{RealFs, SourceDb};

/// Runs `forge fmt`; returns the exit code.
pub fn run(a: &args::Fmt, color: bool, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let mut db = SourceDb::default();
    let style = render::Style { color, width: 100 };
    if a.paths.iter().any(|p| p == "-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        let file = db.add("<stdin>", text.clone());
        return match driver::format_text(file, &text, Origin::Hcl) {
            Ok(formatted) => {
                out.write_all(formatted.as_bytes())?;
                Ok(0)
            }
            Err(d) => {
                write!(err, "{}", render::human(&db, &d, style))?;
                Ok(1)
            }
        };
    }
    let mut needs_formatting = false;
    let mut failed = false;
    for path in driver::fmt_files(&RealFs, &a.paths, a.recursive) {
        let Some(syntax) = driver::fmt_syntax(&path, true) else {
            writeln!(err, "forge fmt: `{path}` is not a template file (.hcl, .json or .toml)")?;
            failed = true;
            continue;
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                writeln!(err, "forge fmt: cannot read `{path}`: {e}")?;
                failed = true;
                continue;
            }
        };
        let file = db.add(path.clone(), text.clone());
        let formatted = match driver::format_text(file, &text, syntax) {
            Ok(f) => f,
            Err(d) => {
                write!(err, "{}", render::human(&db, &d, style))?;
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        needs_formatting = true;
        writeln!(out, "{path}")?;
        if a.diff {
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            write!(out, "{}", diff.unified_diff().header(&format!("old/{path}"), &format!("new/{path}")))?;
        }
        if a.write && !a.check {
            if let Err(e) = write_atomic(Path::new(&path), formatted.as_bytes(), true) {
                writeln!(err, "forge fmt: cannot write `{path}`: {e}")?;
                failed = true;
            }
        }
    }
    Ok(if failed {
        1
    } else if a.check && needs_formatting {
        3
    } else {
        0
    })
}

/// Writes a temporary file beside `path` with its permissions, then renames it over `path`:
/// an interrupted `fmt` never leaves a truncated file. Without `replace`, an existing `path` is
/// left alone (`AlreadyExists`): the temporary file is linked to `path`, which never clobbers.
pub(super) fn write_atomic(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.forge-fmt-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        if replace { std::fs::rename(&tmp, path) } else { std::fs::hard_link(&tmp, path) }
    })();
    if result.is_err() || !replace {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
