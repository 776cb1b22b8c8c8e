//! One function per command, wiring the phases: load → parse → check, and the inspect report.
//!
//! Architecture Invariant: the driver owns the choice of [`Vfs`] and the option structs; it
//! prints nothing (the CLI does) and returns data.

use std::path::Path;

use crate::diag::{Code, Diagnostic, did_you_mean_help};
use crate::ir::{self, Expr, ExprKind, Origin, Template};
use crate::source::{FileId, SourceDb, Span, Vfs};
use crate::syntax::{self, FileKind};
use crate::validate;

/// Everything one command loaded, and what is wrong with it.
#[derive(Debug, Default)]
pub struct Session {
    /// The text of every file read.
    pub db: SourceDb,
    /// The merged template.
    pub template: Template,
    /// Diagnostics so far, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Session {
    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn error_without_file(&mut self, name: &str, message: String, help: &str) {
        let file = self.db.add(name, "");
        self.diagnostics.push(Diagnostic::error(Code::CannotRead, Span::new(file, 0..0), message).with_help(help));
    }
}

/// What `validate` should do besides parsing.
#[derive(Debug, Default, Clone)]
pub struct ValidateOptions {
    /// `-syntax-only`: parse and check block shapes, resolve nothing.
    pub syntax_only: bool,
    /// `-var k=v`, in command-line order.
    pub vars: Vec<String>,
    /// `-var-file=f`, in command-line order.
    pub var_files: Vec<String>,
}

/// Reads every template file named by `paths` (files or folders) into one template.
pub fn load(vfs: &dyn Vfs, paths: &[String]) -> Session {
    let mut s = Session::default();
    for path in paths {
        load_path(vfs, path, &mut s);
    }
    s
}

fn load_path(vfs: &dyn Vfs, path: &str, s: &mut Session) {
    let p = Path::new(path);
    if vfs.is_dir(p) {
        let entries = match vfs.read_dir(p) {
            Ok(e) => e,
            Err(e) => {
                return s.error_without_file(
                    path,
                    format!("cannot read folder `{path}`: {e}"),
                    "check the path and its permissions",
                );
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
            return s.error_without_file(
                path,
                format!("could not find any template file in `{path}`"),
                "a folder's template files end in `.pkr.hcl`, `.pkr.json` or `.pkr.toml`",
            );
        }
        for f in files {
            load_file(vfs, &f, s);
        }
    } else {
        load_file(vfs, path, s);
    }
}

fn load_file(vfs: &dyn Vfs, path: &str, s: &mut Session) {
    let origin = match syntax::classify(path) {
        Some(FileKind::Template(origin)) => origin,
        Some(FileKind::VarFile(_)) => {
            return s.error_without_file(
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
            return s.error_without_file(path, format!("cannot read `{path}`: {e}"), help);
        }
    };
    let file = s.db.add(path, text);
    let parsed = syntax::parse_template(&s.db, file, origin);
    s.template.merge(parsed.value);
    s.diagnostics.extend(parsed.diagnostics);
}

/// `forge validate`: syntax and block shapes, then (unless `syntax_only`) the whole-template checks.
pub fn validate(vfs: &dyn Vfs, paths: &[String], opts: &ValidateOptions) -> Session {
    let mut s = load(vfs, paths);
    // Whole-template checks on a template that did not parse would only repeat the damage.
    if opts.syntax_only || s.has_errors() {
        return s;
    }
    let found = validate::check(&s.template);
    s.diagnostics.extend(found);
    check_var_flags(vfs, &mut s, opts);
    s
}

/// `-var` must be `NAME=VALUE` and name a declared variable; var-file keys should too.
fn check_var_flags(vfs: &dyn Vfs, s: &mut Session, opts: &ValidateOptions) {
    let declared: Vec<String> = s.template.variables.iter().map(|v| v.name.value.clone()).collect();
    if !opts.vars.is_empty() {
        let text: String = opts.vars.iter().map(|v| format!("-var {v}\n")).collect();
        let file = s.db.add("<command line>", text);
        let mut offset = 0;
        for v in &opts.vars {
            let start = offset + "-var ".len();
            offset = start + v.len() + 1;
            let Some((name, _)) = v.split_once('=') else {
                s.diagnostics.push(
                    Diagnostic::error(
                        Code::WrongShape,
                        Span::new(file, start..start + v.len()),
                        format!("no `=` in `-var {v}`"),
                    )
                    .with_help("write `-var NAME=VALUE`"),
                );
                continue;
            };
            if !declared.iter().any(|d| d == name) {
                let span = Span::new(file, start..start + name.len());
                s.diagnostics.push(
                    Diagnostic::error(
                        Code::UndeclaredVariable,
                        span,
                        format!("`-var` sets `{name}`, which the template does not declare"),
                    )
                    .with_help(
                        did_you_mean_help(name, declared.iter().map(String::as_str)).unwrap_or_else(|| {
                            format!("declare it with `variable \"{name}\" {{}}` or remove the flag")
                        }),
                    ),
                );
            }
        }
    }
    for path in &opts.var_files {
        check_var_file(vfs, s, path, &declared);
    }
}

fn check_var_file(vfs: &dyn Vfs, s: &mut Session, path: &str, declared: &[String]) {
    let text = match vfs.read_to_string(Path::new(path)) {
        Ok(t) => t,
        Err(e) => {
            return s.error_without_file(path, format!("cannot read variable file `{path}`: {e}"), "check the path");
        }
    };
    let file = s.db.add(path, text);
    let keys = var_file_keys(&s.db, file, path, &mut s.diagnostics);
    for key in keys {
        if !declared.iter().any(|d| d == &key.value) {
            s.diagnostics.push(
                Diagnostic::warning(
                    Code::UndeclaredVariable,
                    key.span,
                    format!("`{}` is set in a variable file but not declared", key.value),
                )
                .with_help_opt(did_you_mean_help(&key.value, declared.iter().map(String::as_str))),
            );
        }
    }
}

/// The names a variable file assigns, read in its own syntax.
fn var_file_keys(db: &SourceDb, file: FileId, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<ir::Ident> {
    let text = &db.get(file).text;
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".toml") {
        return syntax::toml::parse_var_file(file, text, diags).into_iter().map(|a| a.key).collect();
    }
    if lower.ends_with(".json") {
        return syntax::json::parse_var_file(file, text, diags).into_iter().map(|a| a.key).collect();
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
            body.attributes.into_iter().map(|a| a.key).collect()
        }
        Err(d) => {
            diags.push(d);
            Vec::new()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// inspect

/// `forge inspect` as Packer prints it: JSON mode for legacy templates, HCL2 mode otherwise.
pub fn inspect(s: &Session) -> Vec<String> {
    if s.template.is_legacy() { inspect_legacy(s) } else { inspect_hcl(&s.template) }
}

/// One machine-readable record of `inspect -machine-readable` (after the timestamp and target).
pub fn inspect_records(s: &Session) -> Vec<Vec<String>> {
    let t = &s.template;
    let mut out = Vec::new();
    if t.is_legacy() {
        for v in sorted_variables(t) {
            let default = if is_sensitive(v) {
                "<sensitive>".to_string()
            } else {
                v.default.as_ref().map(|d| raw_default(&s.db, d)).unwrap_or_default()
            };
            out.push(vec![
                "template-variable".into(),
                v.name.value.clone(),
                default,
                if v.default.is_none() { "1" } else { "0" }.into(),
            ]);
        }
        for src in sorted_sources(t) {
            out.push(vec!["template-builder".into(), src.name.value.clone(), src.kind.value.clone()]);
        }
        for b in &t.builds {
            for p in &b.provisioners {
                out.push(vec!["template-provisioner".into(), p.kind.value.clone()]);
            }
        }
    }
    out
}

fn sorted_variables(t: &Template) -> Vec<&ir::Variable> {
    let mut v: Vec<_> = t.variables.iter().collect();
    v.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    v
}

fn sorted_sources(t: &Template) -> Vec<&ir::Source> {
    let mut v: Vec<_> = t.sources.iter().collect();
    v.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    v
}

fn is_sensitive(v: &ir::Variable) -> bool {
    v.sensitive.as_ref().is_some_and(|s| s.value)
}

/// A legacy default as written (Go templates unrendered), as Packer's inspect shows it.
fn raw_default(db: &SourceDb, e: &Expr) -> String {
    match &e.kind {
        ExprKind::String(s) => s.clone(),
        _ => {
            let raw = db.slice(e.span);
            serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string())
        }
    }
}

fn inspect_legacy(s: &Session) -> Vec<String> {
    let t = &s.template;
    let mut out = vec!["Packer Inspect: JSON mode".to_string()];
    if let Some(d) = &t.description {
        out.push(format!("Description:\n\n{}\n", d.value));
    }
    let vars = sorted_variables(t);
    if vars.is_empty() {
        out.push("Variables:\n\n  <No variables>\n".into());
    } else {
        let required: Vec<_> = vars.iter().filter(|v| v.default.is_none()).collect();
        let optional: Vec<_> = vars.iter().filter(|v| v.default.is_some()).collect();
        if !required.is_empty() {
            let lines: String = required.iter().map(|v| format!("  {}\n", v.name.value)).collect();
            out.push(format!("Required variables:\n\n{lines}"));
        }
        if !optional.is_empty() {
            let width = optional.iter().map(|v| v.name.value.len()).max().unwrap_or(0);
            let lines: String = optional
                .iter()
                .map(|v| {
                    let value = if is_sensitive(v) {
                        "<sensitive>".to_string()
                    } else {
                        v.default.as_ref().map(|d| raw_default(&s.db, d)).unwrap_or_default()
                    };
                    format!("  {:width$} = {value}\n", v.name.value)
                })
                .collect();
            out.push(format!("Optional variables and their defaults:\n\n{lines}"));
        }
    }
    let sources = sorted_sources(t);
    let width = sources.iter().map(|s| s.name.value.len()).max().unwrap_or(0);
    let builders: String = sources
        .iter()
        .map(|s| {
            if s.name.value == s.kind.value {
                format!("  {}\n", s.name.value)
            } else {
                format!("  {:width$} ({})\n", s.name.value, s.kind.value)
            }
        })
        .collect();
    out.push(format!("Builders:\n\n{builders}"));
    let provisioners: String =
        t.builds.iter().flat_map(|b| &b.provisioners).map(|p| format!("  {}\n", p.kind.value)).collect();
    if provisioners.is_empty() {
        out.push("Provisioners:\n\n  <No provisioners>\n".into());
    } else {
        out.push(format!("Provisioners:\n\n{provisioners}"));
    }
    out.push(
        "Note: If your build names contain user variables or template\nfunctions such as 'timestamp', these are processed at build time,\nand therefore only show in their raw form here."
            .into(),
    );
    out
}

fn inspect_hcl(t: &Template) -> Vec<String> {
    let vars: String = sorted_variables(t)
        .iter()
        .map(|v| {
            let value = if is_sensitive(v) {
                "<sensitive>".to_string()
            } else {
                v.default.as_ref().and_then(literal_value).unwrap_or_else(|| "<unknown>".into())
            };
            format!("var.{}: {}\n", v.name.value, go_quote(&value))
        })
        .collect();
    let mut locals: Vec<_> = t.locals.iter().collect();
    locals.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    let locals: String = locals
        .iter()
        .map(|l| {
            let value = if l.sensitive {
                "<sensitive>".into()
            } else {
                literal_value(&l.expr).unwrap_or_else(|| "<unknown>".into())
            };
            format!("local.{}: {}\n", l.name.value, go_quote(&value))
        })
        .collect();
    let mut builds = String::from("> builds:\n");
    for (i, b) in t.builds.iter().enumerate() {
        let name = b.name.as_ref().map_or_else(|| format!("<unnamed build {i}>"), |n| n.value.clone());
        builds.push_str(&format!("\n  > {name}:\n\n    sources:\n\n"));
        for src in &b.sources {
            let shown = match (src.target(), &src.name) {
                (Some((kind, _)), Some(n)) => format!("{kind}.{}", n.value),
                (Some((kind, name)), None) => format!("{kind}.{name}"),
                (None, _) => src.reference.value.clone(),
            };
            builds.push_str(&format!("      {shown}\n\n"));
        }
        builds.push_str("    provisioners:\n\n");
        if b.provisioners.is_empty() {
            builds.push_str("      <no provisioner>\n\n");
        }
        for p in &b.provisioners {
            builds.push_str(&format!("      {}\n\n", p.kind.value));
        }
        builds.push_str("    post-processors:\n\n");
        if b.post_processors.is_empty() {
            builds.push_str("      <no post-processor>\n");
        }
        let chains: Vec<String> = b
            .post_processors
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let steps: String = c.steps.iter().map(|pp| format!("        {}\n", pp.kind.value)).collect();
                format!("      {i}:\n{steps}")
            })
            .collect();
        builds.push_str(&chains.join("\n"));
    }
    vec![
        "Packer Inspect: HCL2 mode\n".into(),
        format!("> input-variables:\n\n{vars}\n> local-variables:\n\n{locals}"),
        builds,
    ]
}

/// A literal expression rendered as Packer's inspect renders a value; `None` when it needs
/// evaluation.
fn literal_value(e: &Expr) -> Option<String> {
    fn render(e: &Expr, depth: usize, top: bool) -> Option<String> {
        let pad = "  ".repeat(depth + 1);
        let close = "  ".repeat(depth);
        Some(match &e.kind {
            ExprKind::String(s) if top => s.clone(),
            ExprKind::String(s) => format!("{s:?}"),
            ExprKind::Number(n) => format!("{n}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Null => "null".into(),
            ExprKind::Tuple(items) => {
                let inner: Option<Vec<String>> =
                    items.iter().map(|x| render(x, depth + 1, false).map(|r| format!("{pad}{r},\n"))).collect();
                format!("[\n{}{close}]", inner?.concat())
            }
            ExprKind::Object(items) => {
                let inner: Option<Vec<String>> = items
                    .iter()
                    .map(|it| Some(format!("{pad}{:?} = {}\n", it.key.as_str()?, render(&it.value, depth + 1, false)?)))
                    .collect();
                format!("{{\n{}{close}}}", inner?.concat())
            }
            _ => return None,
        })
    }
    render(e, 0, true)
}

/// Go's `%q`: a double-quoted string with Go escapes.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
