//! Stage 1 and 2 for template files: the paths given (files, or folders of `*.pkr.*` files)
//! read into the workspace and parsed, each file once per text.

use std::path::Path;
use std::sync::Arc;

use crate::ir::Origin;
use crate::pipeline::{Analysis, Workspace};
use crate::source::Vfs;
use crate::syntax::{self, FileKind};

/// Loads one path: a template file, or every template file of a folder.
pub(super) fn path(ws: &mut Workspace, vfs: &dyn Vfs, path: &str, a: &mut Analysis) {
    let p = Path::new(path);
    if !vfs.is_dir(p) {
        return file(ws, vfs, path, a);
    }
    let entries = match vfs.read_dir(p) {
        Ok(e) => e,
        Err(e) => {
            let message = format!("cannot read folder `{path}`: {e}");
            return a.error_without_file(ws, path, message, "check the path and its permissions");
        }
    };
    let files: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            let name = e.file_name()?.to_str()?;
            (!name.starts_with('.') && syntax::is_folder_template(name)).then(|| e.to_string_lossy().into_owned())
        })
        .collect();
    if files.is_empty() {
        return a.error_without_file(
            ws,
            path,
            format!("could not find any template file in `{path}`"),
            "a folder's template files end in `.pkr.hcl`, `.pkr.json` or `.pkr.toml`",
        );
    }
    for f in files {
        file(ws, vfs, &f, a);
    }
}

fn file(ws: &mut Workspace, vfs: &dyn Vfs, path: &str, a: &mut Analysis) {
    let origin = match syntax::classify(path) {
        Some(FileKind::Template(origin)) => origin,
        Some(FileKind::VarFile(_)) => {
            return a.error_without_file(
                ws,
                path,
                format!("`{path}` is a variable file, not a template"),
                "pass variable files with `-var-file=PATH`",
            );
        }
        // Packer reads any other name as a legacy JSON template.
        None => Origin::LegacyJson,
    };
    let text = match vfs.read_to_string(Path::new(path)) {
        Ok(t) => t,
        Err(e) => {
            let help = if vfs.exists(Path::new(path)) {
                "check the file's permissions and that it is UTF-8 text"
            } else {
                "check the path"
            };
            return a.error_without_file(ws, path, format!("cannot read `{path}`: {e}"), help);
        }
    };
    tracing::debug!(path, ?origin, "loading template file");
    let id = ws.file(path, text);
    let parsed = match ws.templates.get(&id) {
        Some(p) => p.clone(),
        None => {
            let p = syntax::parse_template(&ws.db, id, origin);
            let p = Arc::new((p.value, p.diagnostics));
            ws.templates.insert(id, p.clone());
            p
        }
    };
    a.template.merge(parsed.0.clone());
    a.diagnostics.extend(parsed.1.iter().cloned());
}
