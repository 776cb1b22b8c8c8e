//! Stage 2 for variables: what evaluation needs from outside the template — `-var`, var
//! files, auto var files (folder input only, as Packer), the environment, `path.root` and
//! `path.cwd`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::eval::{self, Inputs};
use crate::ir;
use crate::pipeline::{Analysis, Options, Workspace};
use crate::source::{FileId, SourceDb, Span, Vfs};
use crate::syntax;

/// Reads every input the options and the folder name.
pub(super) fn gather(ws: &mut Workspace, vfs: &dyn Vfs, a: &mut Analysis, paths: &[String], opts: &Options) -> Inputs {
    let first = paths.first().map_or(".", String::as_str);
    let folder = vfs.is_dir(Path::new(first));
    let root = if folder {
        Path::new(first).to_path_buf()
    } else {
        Path::new(first).parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
    let mut inputs = Inputs {
        path_root: root.clone(),
        cwd: std::env::current_dir().unwrap_or_default(),
        env: std::env::vars().collect(),
        ..Inputs::default()
    };
    if folder {
        let mut autos: Vec<String> = vfs
            .read_dir(&root)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.to_str().map(str::to_string))
            .filter(|p| {
                let l = p.to_ascii_lowercase();
                l.ends_with(".auto.pkrvars.hcl")
                    || l.ends_with(".auto.pkrvars.json")
                    || l.ends_with(".auto.pkrvars.toml")
            })
            .collect();
        autos.sort();
        inputs.auto_var_files = autos.iter().filter_map(|p| var_file(ws, vfs, a, p)).collect();
    }
    inputs.var_files = opts.var_files.iter().filter_map(|p| var_file(ws, vfs, a, p)).collect();
    inputs.cli_vars = cli_vars(ws, a, &opts.vars);
    inputs
}

/// `-var` flags, placed in a `<command line>` pseudo-file so diagnostics can point at them.
fn cli_vars(ws: &mut Workspace, a: &mut Analysis, vars: &[String]) -> Vec<eval::vars::CliVar> {
    if vars.is_empty() {
        return Vec::new();
    }
    let text: String = vars.iter().map(|v| format!("-var {v}\n")).collect();
    let file = ws.file("<command line>", text);
    let mut out = Vec::new();
    let mut offset = 0;
    for v in vars {
        let start = offset + "-var ".len();
        offset = start + v.len() + 1;
        let Some((name, value)) = v.split_once('=') else {
            a.diagnostics.push(
                Diagnostic::error(
                    Code::WrongShape,
                    Span::new(file, start..start + v.len()),
                    format!("no `=` in `-var {v}`"),
                )
                .with_help("write `-var NAME=VALUE`"),
            );
            continue;
        };
        let value_start = start + name.len() + 1;
        out.push(eval::vars::CliVar {
            name: name.to_string(),
            value: value.to_string(),
            name_span: Span::new(file, start..start + name.len()),
            value_span: Span::new(file, value_start..value_start + value.len()),
        });
    }
    out
}

fn var_file(ws: &mut Workspace, vfs: &dyn Vfs, a: &mut Analysis, path: &str) -> Option<eval::vars::VarFile> {
    let text = match vfs.read_to_string(Path::new(path)) {
        Ok(t) => t,
        Err(e) => {
            a.error_without_file(ws, path, format!("cannot read variable file `{path}`: {e}"), "check the path");
            return None;
        }
    };
    let file = ws.file(path, text);
    let parsed = match ws.var_files.get(&file) {
        Some(p) => p.clone(),
        None => {
            let mut diags = Vec::new();
            let assignments = assignments(&ws.db, file, path, &mut diags);
            let p = Arc::new((assignments, diags));
            ws.var_files.insert(file, p.clone());
            p
        }
    };
    a.diagnostics.extend(parsed.1.iter().cloned());
    Some(eval::vars::VarFile { file, assignments: parsed.0.clone() })
}

/// The assignments of a variable file, read in its own syntax.
fn assignments(db: &SourceDb, file: FileId, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<ir::Attribute> {
    let text = &db.get(file).text;
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".toml") {
        return syntax::toml::parse_var_file(file, text, diags);
    }
    if lower.ends_with(".json") {
        return syntax::json::parse_var_file(file, text, diags);
    }
    match syntax::hcl::parse_body(file, text) {
        Ok(body) => {
            for b in &body.blocks {
                diags.push(
                    Diagnostic::error(
                        Code::UnknownBlock,
                        b.kind.span,
                        format!("a variable file holds only `name = value` lines, not a `{}` block", b.kind.value),
                    )
                    .with_help("declare variables in the template; set their values here"),
                );
            }
            body.attributes
        }
        Err(d) => {
            diags.push(d);
            Vec::new()
        }
    }
}
