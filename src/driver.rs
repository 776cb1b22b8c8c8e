//! One function per command, wiring the phases: load → parse → check, and the inspect report.
//!
//! Architecture Invariant: the driver owns the choice of [`Vfs`] and the option structs; it
//! prints nothing (the CLI does) and returns data.

use std::path::Path;

use crate::diag::{Code, Diagnostic};
use crate::eval::{self, Inputs};
use crate::ir::{self, ExprKind, Origin, Template};
use crate::source::{FileId, SourceDb, Span, Vfs};
use crate::syntax::{self, FileKind};
use crate::validate;
use crate::validate::exprs;

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
    /// `-only` / `-except`: validate only the selected builds.
    pub filters: crate::plan::Filters,
    /// `-evaluate-datasources`: fetch data sources (network) instead of deferring them.
    pub evaluate_datasources: bool,
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
    tracing::debug!(path, ?origin, "loading template file");
    let file = s.db.add(path, text);
    let parsed = syntax::parse_template(&s.db, file, origin);
    s.template.merge(parsed.value);
    s.diagnostics.extend(parsed.diagnostics);
}

/// `forge validate`: syntax and block shapes, then (unless `syntax_only`) the whole-template
/// checks and the evaluation of every variable, local and expression.
pub fn validate(vfs: &dyn Vfs, paths: &[String], opts: &ValidateOptions) -> Session {
    let mut s = load(vfs, paths);
    // Whole-template checks on a template that did not parse would only repeat the damage.
    if opts.syntax_only || s.has_errors() {
        return s;
    }
    let found = validate::check(&s.template);
    s.diagnostics.extend(found);
    let inputs = inputs(vfs, &mut s, paths, opts);
    let selected = select_builds(&s.template, &opts.filters, &mut s.diagnostics);
    let env = eval::Env::new(&s.template, &inputs, vfs);
    if opts.evaluate_datasources {
        s.diagnostics.extend(fetch_data_sources(&env, &s.template));
    }
    exprs::check(&env, &selected);
    s.diagnostics.extend(env.take_diagnostics());
    s
}

/// The template with only the builds `-only`/`-except` select (sources of other builds are
/// still checked: a source may serve several builds).
fn select_builds(t: &Template, filters: &crate::plan::Filters, diags: &mut Vec<Diagnostic>) -> Template {
    if filters.only.is_empty() && filters.except.is_empty() {
        return t.clone();
    }
    let legacy = t.is_legacy();
    let matches = |p: &str, name: &str| if legacy { p == name } else { crate::plan::glob(p, name) };
    let mut out = t.clone();
    let mut names = Vec::new();
    for b in &mut out.builds {
        let block = b.name.as_ref().map(|n| n.value.clone());
        b.sources.retain(|u| {
            let Some((kind, name)) = u.target() else { return true };
            let local = u.name.as_ref().map_or(name, |n| n.value.as_str());
            let short = if legacy { local.to_string() } else { format!("{kind}.{local}") };
            let full = match (&block, legacy) {
                (Some(n), false) => format!("{n}.{short}"),
                _ => short,
            };
            names.push(full.clone());
            (filters.only.is_empty() || filters.only.iter().any(|p| matches(p, &full)))
                && !filters.except.iter().any(|p| matches(p, &full))
        });
    }
    out.builds.retain(|b| !b.sources.is_empty());
    for (kind, list) in [("only", &filters.only), ("except", &filters.except)] {
        for p in list {
            if !names.iter().any(|n| matches(p, n)) {
                diags.push(crate::plan::unmatched(kind, p, &names, t.builds.first().map(|b| b.span)));
            }
        }
    }
    out
}

/// Gathers what evaluation needs from outside the template: `-var`, var files, auto var
/// files (folder input only, as Packer), the environment, `path.root` and `path.cwd`.
pub fn inputs(vfs: &dyn Vfs, s: &mut Session, paths: &[String], opts: &ValidateOptions) -> Inputs {
    let first = paths.first().map_or(".", String::as_str);
    let folder = vfs.is_dir(Path::new(first));
    let root = if folder {
        Path::new(first).to_path_buf()
    } else {
        Path::new(first).parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let root = if root.as_os_str().is_empty() { std::path::PathBuf::from(".") } else { root };
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
        inputs.auto_var_files = autos.iter().filter_map(|p| var_file(vfs, s, p)).collect();
    }
    inputs.var_files = opts.var_files.iter().filter_map(|p| var_file(vfs, s, p)).collect();
    inputs.cli_vars = cli_vars(s, &opts.vars);
    inputs
}

/// `-var` flags, placed in a `<command line>` pseudo-file so diagnostics can point at them.
fn cli_vars(s: &mut Session, vars: &[String]) -> Vec<eval::vars::CliVar> {
    if vars.is_empty() {
        return Vec::new();
    }
    let text: String = vars.iter().map(|v| format!("-var {v}\n")).collect();
    let file = s.db.add("<command line>", text);
    let mut out = Vec::new();
    let mut offset = 0;
    for v in vars {
        let start = offset + "-var ".len();
        offset = start + v.len() + 1;
        let Some((name, value)) = v.split_once('=') else {
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

fn var_file(vfs: &dyn Vfs, s: &mut Session, path: &str) -> Option<eval::vars::VarFile> {
    let text = match vfs.read_to_string(Path::new(path)) {
        Ok(t) => t,
        Err(e) => {
            s.error_without_file(path, format!("cannot read variable file `{path}`: {e}"), "check the path");
            return None;
        }
    };
    let file = s.db.add(path, text);
    let assignments = var_file_assignments(&s.db, file, path, &mut s.diagnostics);
    Some(eval::vars::VarFile { file, assignments })
}

/// The assignments of a variable file, read in its own syntax.
fn var_file_assignments(db: &SourceDb, file: FileId, path: &str, diags: &mut Vec<Diagnostic>) -> Vec<ir::Attribute> {
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

// ---------------------------------------------------------------------------------------------
// fmt

/// The syntax a file is formatted in, by its name; `None` for files `fmt` leaves alone.
pub fn fmt_syntax(name: &str, explicit: bool) -> Option<Origin> {
    let lower = name.to_ascii_lowercase();
    let base = std::path::Path::new(&lower).file_name().and_then(|n| n.to_str()).unwrap_or(&lower).to_string();
    // Hidden files and editor backups are skipped in folders.
    if !explicit && (base.starts_with('.') || base.ends_with('~') || (base.starts_with('#') && base.ends_with('#'))) {
        return None;
    }
    let template_like = lower.ends_with(".pkr.hcl")
        || lower.ends_with(".pkrvars.hcl")
        || lower.ends_with(".pkr.json")
        || lower.ends_with(".pkrvars.json")
        || lower.ends_with(".pkr.toml")
        || lower.ends_with(".pkrvars.toml");
    if !explicit && !template_like {
        return None;
    }
    if lower.ends_with(".hcl") {
        Some(Origin::Hcl)
    } else if lower.ends_with(".json") {
        Some(Origin::LegacyJson)
    } else if lower.ends_with(".toml") {
        Some(Origin::Toml)
    } else {
        None
    }
}

/// The files `fmt` works on: files as given, and the template files of folders.
pub fn fmt_files(vfs: &dyn Vfs, paths: &[String], recursive: bool) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        collect_fmt_files(vfs, Path::new(p), recursive, true, &mut out);
    }
    out
}

fn collect_fmt_files(vfs: &dyn Vfs, path: &Path, recursive: bool, top: bool, out: &mut Vec<String>) {
    if vfs.is_dir(path) {
        if !top && !recursive {
            return;
        }
        for entry in vfs.read_dir(path).unwrap_or_default() {
            let hidden = entry.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if vfs.is_dir(&entry) {
                if recursive && !hidden {
                    collect_fmt_files(vfs, &entry, recursive, false, out);
                }
            } else if fmt_syntax(&entry.to_string_lossy(), false).is_some() {
                out.push(entry.to_string_lossy().into_owned());
            }
        }
    } else {
        out.push(path.to_string_lossy().into_owned());
    }
}

/// Formats one text in the given syntax.
///
/// # Errors
/// The syntax error; the text must then not be rewritten.
pub fn format_text(file: FileId, text: &str, syntax: Origin) -> Result<String, Diagnostic> {
    match syntax {
        Origin::Hcl => crate::fmt::format_hcl(file, text),
        Origin::LegacyJson | Origin::HclJson => crate::fmt::json::format(file, text),
        Origin::Toml => crate::fmt::toml::format(file, text),
    }
}

// ---------------------------------------------------------------------------------------------
// build

/// What `forge build` needs besides the template.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Variables and var files.
    pub validate: ValidateOptions,
    /// `-only` / `-except`.
    pub filters: crate::plan::Filters,
    /// Engine options.
    pub engine: crate::exec::Options,
}

/// A template checked and lowered, ready to print or run.
pub struct Prepared {
    /// The plan.
    pub plan: crate::plan::Plan,
    /// What its steps evaluate against.
    pub snapshot: crate::eval::Snapshot,
    /// `--plan` text (built while the evaluation environment is alive).
    pub plan_text: String,
    /// `--plan --format json`.
    pub plan_json: serde_json::Value,
}

/// Validates and lowers a template for `forge build`; `None` when it has errors (they are in
/// the session's diagnostics, with the filter warnings).
pub fn prepare_build(vfs: &dyn Vfs, paths: &[String], opts: &BuildOptions) -> (Session, Option<Prepared>) {
    let mut s = validate(vfs, paths, &opts.validate);
    if s.has_errors() {
        return (s, None);
    }
    let inputs = inputs(vfs, &mut s, paths, &opts.validate);
    let env = eval::Env::new(&s.template, &inputs, vfs);
    s.diagnostics.extend(fetch_data_sources(&env, &s.template));
    if s.has_errors() {
        return (s, None);
    }
    let (plan, warnings) = crate::plan::lower(&s.template, &env, &opts.filters);
    let _ = env.take_diagnostics();
    let plan_text = crate::plan::to_text(&plan, &env);
    let plan_json = crate::plan::to_json(&plan, &env);
    let snapshot = env.snapshot();
    drop(env);
    s.diagnostics.extend(warnings);
    (s, Some(Prepared { plan, snapshot, plan_text, plan_json }))
}

/// Fetches the data sources that need the network (`amazon-ami`, `http`) and gives their
/// values to `env`; `validate` never calls this unless asked with `-evaluate-datasources`.
/// Returns the warnings, and the error that stopped it (last) if one did.
pub fn fetch_data_sources(env: &eval::Env<'_>, t: &Template) -> Vec<Diagnostic> {
    let mut pending: Vec<&ir::DataSource> =
        t.data.iter().filter(|d| crate::component::datasource::is_fetched(&d.kind.value)).collect();
    let Some(first) = pending.first() else { return Vec::new() };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            return vec![Diagnostic::error(
                Code::CannotRead,
                first.span,
                format!("cannot start the network runtime: {e}"),
            )];
        }
    };
    let mut out = Vec::new();
    // A data source may use another's output: each pass fetches those whose arguments are all known.
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        for d in std::mem::take(&mut pending) {
            let node = crate::component::node::from_body(env, &eval::Ctx::default(), &d.body);
            let at = d.kind.span.join(d.name.span);
            if let Some(what) = node.value.first_deferred() {
                waiting.push((d, what.to_string()));
                continue;
            }
            match runtime.block_on(crate::component::datasource::fetch(&d.kind.value, &node)) {
                Ok(fetched) => {
                    let warn = |w| Diagnostic::warning(Code::DataSourceNotText, at, w);
                    out.extend(fetched.warnings.into_iter().map(warn));
                    env.provide_data(&d.kind.value, &d.name.value, fetched.value);
                }
                Err(msg) => {
                    out.push(Diagnostic::error(Code::DataSourceFailed, at, msg));
                    return out;
                }
            }
        }
        if waiting.len() == before {
            let (d, what) = &waiting[0];
            out.push(Diagnostic::error(
                Code::DataSourceFailed,
                d.kind.span.join(d.name.span),
                format!("this data source needs `{what}`, which has no value before the build runs"),
            ));
            return out;
        }
        pending = waiting.into_iter().map(|(d, _)| d).collect();
    }
    out
}

/// Runs a prepared build on a tokio runtime; Ctrl-C and SIGTERM cancel it (cleanups still run).
pub fn run_build(
    prepared: Prepared,
    opts: &BuildOptions,
    printer: std::sync::Arc<crate::exec::ui::Printer>,
) -> crate::exec::Outcome {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            printer.plain_error(&format!("cannot start the build engine: {e}"));
            return crate::exec::Outcome {
                results: Vec::new(),
                interrupted: false,
                elapsed: std::time::Duration::ZERO,
            };
        }
    };
    runtime.block_on(async move {
        let cancel = tokio_util::sync::CancellationToken::new();
        let watcher = tokio::spawn(watch_signals(cancel.clone(), printer.clone()));
        let outcome = crate::exec::run(
            prepared.plan,
            std::sync::Arc::new(prepared.snapshot),
            opts.engine.clone(),
            printer,
            cancel,
        )
        .await;
        watcher.abort();
        outcome
    })
}

/// First signal: cancel the builds; a second one: warn that cleanup may leave resources behind.
async fn watch_signals(cancel: tokio_util::sync::CancellationToken, printer: std::sync::Arc<crate::exec::ui::Printer>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
            return;
        };
        let mut count = 0;
        loop {
            let what = tokio::select! {
                _ = int.recv() => "interrupt",
                _ = term.recv() => "terminated",
            };
            count += 1;
            if count == 1 {
                printer.plain(&format!("Cancelling build after receiving {what}"));
                cancel.cancel();
            } else {
                printer.plain_error(
                    "Interrupted again while cleaning up: resources may be left behind if forge stops now",
                );
            }
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_ok() {
            printer.plain("Cancelling build after receiving interrupt");
            cancel.cancel();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// inspect

/// `forge inspect` as Packer prints it: JSON mode for legacy templates, HCL2 mode otherwise.
pub fn inspect(s: &Session, env: &eval::Env<'_>) -> Vec<String> {
    if s.template.is_legacy() { inspect_legacy(s) } else { inspect_hcl(&s.template, env) }
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
                if v.default.is_some() { raw_default(&s.db, v) } else { String::new() }
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

/// A legacy default as written (Go templates unrendered), as Packer's inspect shows it: the
/// JSON string value after the variable's name.
fn raw_default(db: &SourceDb, v: &ir::Variable) -> String {
    if let Some(ExprKind::String(s)) = v.default.as_ref().map(|d| &d.kind) {
        return s.clone();
    }
    let whole = db.slice(v.span);
    let value = whole.split_once(':').map_or(whole, |(_, rest)| rest).trim();
    serde_json::from_str::<String>(value).unwrap_or_else(|_| value.to_string())
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
                        if v.default.is_some() { raw_default(&s.db, v) } else { String::new() }
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

fn inspect_hcl(t: &Template, env: &eval::Env<'_>) -> Vec<String> {
    let shown = |v: Option<eval::value::Value>| match v {
        Some(v) if v.is_sensitive() => "<sensitive>".to_string(),
        Some(v) if v.is_deferred() => "<unknown>".to_string(),
        Some(v) => v.to_string_lossless().unwrap_or_else(|| eval::value::to_hcl(&v)),
        None => "<unknown>".to_string(),
    };
    let vars: String = sorted_variables(t)
        .iter()
        .map(|v| format!("var.{}: {}\n", v.name.value, go_quote(&shown(env.vars.get(&v.name.value).cloned()))))
        .collect();
    let mut locals: Vec<_> = t.locals.iter().collect();
    locals.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    let locals: String = locals
        .iter()
        .map(|l| format!("local.{}: {}\n", l.name.value, go_quote(&shown(env.local(&l.name.value, l.name.span).ok()))))
        .collect();
    let mut builds = String::from("> builds:\n");
    for (i, b) in t.builds.iter().enumerate() {
        let name = b.name.as_ref().map_or_else(|| format!("<unnamed build {i}>"), |n| n.value.clone());
        builds.push_str(&format!("\n  > {name}:\n\n    sources:\n\n"));
        for src in &b.sources {
            // Packer lists a renamed nested source under its original name.
            let shown =
                src.target().map_or_else(|| src.reference.value.clone(), |(kind, name)| format!("{kind}.{name}"));
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
