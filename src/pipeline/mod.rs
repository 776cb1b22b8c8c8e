//! The staged pipeline every command, the tests and the language server share: files → IR
//! (a [`Workspace`] loads an [`Analysis`]) → evaluated and checked ([`Analysis::check`] gives a
//! [`Checked`] template with its diagnostics) → plan ([`Checked::lower`]). Each stage runs
//! once per analysis and keeps its result for the next.
//!
//! Architecture Invariant: a [`Workspace`] outlives analyses: it keeps one [`FileId`] per path
//! and the parse of every file, so a new analysis (an editor's unsaved text, given through an
//! [`crate::source::Overlay`]) parses again only the files whose text changed.
//! The pipeline prints nothing; it returns data and diagnostics.

mod datasources;
mod filters;
mod inputs;
mod load;

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::eval::{Env, Inputs};
use crate::ir::{Attribute, Instance, Template};
use crate::plan::{Filters, Plan};
use crate::source::{FileId, SourceDb, Span, Vfs};

/// What a command asks of the pipeline besides the paths.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `-syntax-only`: parse and check block shapes, resolve nothing.
    pub syntax_only: bool,
    /// `-var k=v`, in command-line order.
    pub vars: Vec<String>,
    /// `-var-file=f`, in command-line order.
    pub var_files: Vec<String>,
    /// `-only` / `-except`: check only the selected builds.
    pub filters: Filters,
    /// `-evaluate-datasources`: fetch data sources (network) instead of deferring them.
    pub evaluate_datasources: bool,
}

/// Files read so far, by path, each with a stable id and its last parse.
#[derive(Default)]
pub struct Workspace {
    db: SourceDb,
    ids: HashMap<String, FileId>,
    templates: HashMap<FileId, Arc<(Template, Vec<Diagnostic>)>>,
    var_files: HashMap<FileId, Arc<(Vec<Attribute>, Vec<Diagnostic>)>>,
}

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Stages 1 and 2: reads every template file `paths` names (files or folders) into one
    /// template, then, unless `syntax_only` or the template has errors, the variable inputs
    /// (var files, auto var files, `-var`, the environment), and evaluates `only`/`except`
    /// written as expressions.
    pub fn load(&mut self, vfs: &dyn Vfs, paths: &[String], opts: &Options) -> Analysis {
        let mut a = Analysis::default();
        for path in paths {
            load::path(self, vfs, path, &mut a);
        }
        if !opts.syntax_only && !a.has_errors() {
            a.inputs = inputs::gather(self, vfs, &mut a, paths, opts);
            filters::resolve(&mut a, vfs);
        }
        a.db = self.db.clone();
        a
    }

    /// The id of `name`, its text replaced by `text` when it changed (its parses forgotten).
    fn file(&mut self, name: &str, text: String) -> FileId {
        match self.ids.get(name) {
            Some(&id) if self.db.get(id).text == text => id,
            Some(&id) => {
                self.db.set_text(id, text);
                self.templates.remove(&id);
                self.var_files.remove(&id);
                id
            }
            None => {
                let id = self.db.add(name, text);
                self.ids.insert(name.to_string(), id);
                id
            }
        }
    }

    /// The texts of every file read so far.
    pub fn db(&self) -> &SourceDb {
        &self.db
    }
}

/// One template loaded: its files, its model, the inputs of its variables, and every problem
/// found so far.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The text of every file read.
    pub db: SourceDb,
    /// The merged template.
    pub template: Template,
    /// Variable values from outside the template (empty for `-syntax-only`).
    pub inputs: Inputs,
    /// Diagnostics so far, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// An error about a path that has no text to point into (it could not be read).
    fn error_without_file(&mut self, ws: &mut Workspace, name: &str, message: String, help: &str) {
        let file = ws.file(name, String::new());
        self.diagnostics.push(Diagnostic::error(Code::CannotRead, Span::new(file, 0..0), message).with_help(help));
    }

    /// Stage 3: the whole-template checks, the evaluation of variables and locals, and the
    /// check of every expression and component body of the instances `filters` selects
    /// (with `fetch`, data sources are fetched first, as `-evaluate-datasources` asks).
    pub fn check<'a>(&'a self, vfs: &'a dyn Vfs, filters: &Filters, fetch: bool) -> Checked<'a> {
        let t = &self.template;
        let mut diagnostics = crate::validate::check(t);
        let legacy = t.is_legacy();
        if !filters.is_empty() {
            let names: Vec<String> = t.instances().into_iter().map(|i| i.names.full).collect();
            diagnostics.extend(filters.unmatched(&names, legacy, t.builds.first().map(|b| b.span), &|_| false));
        }
        let env = Env::new(t, &self.inputs, vfs);
        let mut checked = Checked { analysis: self, env, diagnostics, fetched: false };
        if fetch {
            checked.fetch_data_sources();
        }
        let selected = |i: &Instance<'_>| filters.selects(&i.names.full, legacy);
        crate::validate::exprs::check(&checked.env, t, &selected);
        checked.diagnostics.extend(checked.env.take_diagnostics());
        checked
    }
}

/// A template evaluated and checked: its evaluation environment and the diagnostics of the
/// checks (the analysis's own are not repeated here).
pub struct Checked<'a> {
    /// What was loaded.
    pub analysis: &'a Analysis,
    /// Variables, locals and (once fetched) data sources.
    pub env: Env<'a>,
    /// What the checks found.
    pub diagnostics: Vec<Diagnostic>,
    fetched: bool,
}

/// A template lowered: what `forge build` runs or prints.
pub struct Lowered {
    /// The plan.
    pub plan: Plan,
    /// What its steps evaluate against.
    pub snapshot: crate::eval::Snapshot,
    /// `--plan` text.
    pub plan_text: String,
    /// `--plan --format json`.
    pub plan_json: serde_json::Value,
}

impl Checked<'_> {
    /// Whether the checks (or the analysis before them) found an error.
    pub fn has_errors(&self) -> bool {
        self.analysis.has_errors() || self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Fetches the data sources that need the network (`amazon-ami`, `http`) once, and gives
    /// their values to the environment.
    pub fn fetch_data_sources(&mut self) {
        if !self.fetched {
            self.fetched = true;
            let found = datasources::fetch(&self.env, &self.analysis.template);
            self.diagnostics.extend(found);
        }
    }

    /// Stage 4: the plan of the builds `filters` selects, with the filter warnings.
    pub fn lower(&self, filters: &Filters) -> (Lowered, Vec<Diagnostic>) {
        let (plan, warnings) = crate::plan::lower(&self.analysis.template, &self.env, filters);
        // Lowering evaluates meta-arguments the checks have already reported on.
        let _ = self.env.take_diagnostics();
        let plan_text = crate::plan::to_text(&plan, &self.env);
        let plan_json = crate::plan::to_json(&plan, &self.env);
        let snapshot = self.env.snapshot();
        (Lowered { plan, snapshot, plan_text, plan_json }, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{MemFs, Overlay};

    fn folder() -> MemFs {
        let mut fs = MemFs::default();
        fs.insert("t/vars.pkr.hcl", "variable \"name\" {\n  default = \"disk\"\n}\n");
        fs.insert(
            "t/build.pkr.hcl",
            "source \"null\" \"a\" {\n  communicator = \"none\"\n}\nbuild {\n  sources = [\"source.null.a\"]\n}\n",
        );
        fs
    }

    #[test]
    fn a_new_analysis_parses_only_the_files_whose_text_changed() {
        let disk = folder();
        let mut ws = Workspace::new();
        let paths = ["t".to_string()];
        let first = ws.load(&disk, &paths, &Options::default());
        assert!(!first.has_errors(), "{:?}", first.diagnostics);
        let parse_of = |ws: &Workspace, path: &str| ws.templates[&ws.ids[path]].clone();
        let (vars, build) = (parse_of(&ws, "t/vars.pkr.hcl"), parse_of(&ws, "t/build.pkr.hcl"));

        // An editor's unsaved text for one file of the folder.
        let mut edited = Overlay::new(&disk);
        edited.set("t/build.pkr.hcl", "build {\n  sources = [\"source.null.b\"]\n}\n");
        let second = ws.load(&edited, &paths, &Options::default());
        assert!(Arc::ptr_eq(&vars, &parse_of(&ws, "t/vars.pkr.hcl")), "an unchanged file was parsed again");
        assert!(!Arc::ptr_eq(&build, &parse_of(&ws, "t/build.pkr.hcl")), "the edited file kept its old parse");
        assert_eq!(ws.ids["t/build.pkr.hcl"], second.template.builds[0].span.file, "a file keeps its id");

        // The checks see the unsaved text: the build now names a source that does not exist.
        let checked = second.check(&edited, &Filters::default(), false);
        let messages: Vec<&str> = checked.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&"unknown source `source.null.b`"), "{messages:?}");
    }

    #[test]
    fn the_stages_give_a_plan() {
        let disk = folder();
        let a = Workspace::new().load(&disk, &["t".to_string()], &Options::default());
        let checked = a.check(&disk, &Filters::default(), false);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let (lowered, warnings) = checked.lower(&Filters::default());
        assert!(warnings.is_empty());
        let names: Vec<&str> = lowered.plan.builds.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["null.a"]);
    }
}
