//! `forge lsp`: a language server for Packer templates in all four syntaxes (diagnostics,
//! completion, hover, definition, references, rename, symbols, formatting, quick fixes,
//! semantic tokens), over a
//! [`lsp_server::Connection`] the CLI hands in (stdio) or a test makes in memory.
//!
//! Architecture Invariant: the server is a client of [`crate::pipeline`], not another copy of
//! the phases: each template (a folder, or one legacy JSON file) keeps a
//! [`crate::pipeline::Workspace`], and every analysis is [`crate::driver::validate_in`] over an
//! [`Overlay`] of the editor's unsaved texts, so diagnostics are exactly `forge validate`'s and
//! only edited files are parsed again. Data sources are never fetched (no network).
//!
//! Architecture Invariant: one thread handles messages in order. Before analysing it takes
//! every message already waiting, so a burst of edits is analysed once, on the latest text;
//! a request cancelled while it waited is answered `RequestCancelled`; diagnostics are always
//! published with the version of the text they were computed from.
//! Nothing a template contains may panic the server: the features read text through
//! [`context`] (which never fails) and the IR through its spans.

mod context;
mod convert;
mod features;
pub mod text;
mod tokens;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, HoverProviderCapability, InitializeResult, OneOf,
    PublishDiagnosticsParams, RenameOptions, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use crate::ir::{Origin, Template};
use crate::pipeline::{Analysis, Options, Workspace};
use crate::source::{Overlay, RealFs, Vfs};
use crate::syntax::{self, FileKind};

/// One open document: the editor's text and its version.
struct Doc {
    uri: Uri,
    version: i32,
    text: String,
}

/// Whether every file of an analysis parsed (no `F1xxx` syntax or structure error).
fn parsed(a: &Analysis) -> bool {
    !a.diagnostics.iter().any(|d| d.code.id().starts_with("F1"))
}

/// What a file is to the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum UnitKey {
    /// The template made of a folder's `*.pkr.*` files (and its var files).
    Folder(PathBuf),
    /// A legacy JSON template, a template of its own.
    Legacy(PathBuf),
}

/// One template: its workspace (parses kept between analyses) and its last analysis.
struct Unit {
    ws: Workspace,
    analysis: Analysis,
    /// The template of the last analysis whose files all parsed, for completion while typing.
    last_good: Template,
    /// Files diagnostics were published for, to clear the ones that have none any more.
    published: BTreeSet<PathBuf>,
    dirty: bool,
}

/// The server's state.
struct Server<'c> {
    conn: &'c Connection,
    fs: Box<dyn Vfs>,
    docs: BTreeMap<PathBuf, Doc>,
    units: HashMap<UnitKey, Unit>,
    shutdown: bool,
}

/// What the server offers, in `initialize`'s answer.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
            ..TextDocumentSyncOptions::default()
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into(), "`".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp_types::SemanticTokensOptions {
                legend: tokens::legend(),
                full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                ..lsp_types::SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// Serves one client until it sends `exit` (or the connection closes). Returns whether the
/// client shut down properly (`shutdown` before `exit`), which is the process's exit status.
///
/// # Errors
/// When the client breaks the protocol during initialisation.
pub fn run(conn: &Connection) -> Result<bool, String> {
    run_with(conn, Box::new(RealFs))
}

/// [`run`] over another file system (tests use [`crate::source::MemFs`]).
///
/// # Errors
/// When the client breaks the protocol during initialisation.
pub fn run_with(conn: &Connection, fs: Box<dyn Vfs>) -> Result<bool, String> {
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo { name: "forge".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
    };
    let init = serde_json::to_value(result).map_err(|e| e.to_string())?;
    let (id, _params) = conn.initialize_start().map_err(|e| e.to_string())?;
    conn.initialize_finish(id, init).map_err(|e| e.to_string())?;
    let mut server = Server { conn, fs, docs: BTreeMap::new(), units: HashMap::new(), shutdown: false };
    while let Ok(first) = conn.receiver.recv() {
        let mut batch = vec![first];
        batch.extend(conn.receiver.try_iter());
        let cancelled: BTreeSet<String> = batch
            .iter()
            .filter_map(|m| match m {
                Message::Notification(n) if n.method == lsp_types::notification::Cancel::METHOD => {
                    n.params.get("id").map(ToString::to_string)
                }
                _ => None,
            })
            .collect();
        for msg in batch {
            match msg {
                Message::Request(req) => {
                    if cancelled.contains(&serde_json::to_string(&req.id).unwrap_or_default()) {
                        server.reply_err(req.id, ErrorCode::RequestCanceled, "cancelled".into());
                    } else {
                        server.request(req);
                    }
                }
                Message::Notification(n) => {
                    if n.method == lsp_types::notification::Exit::METHOD {
                        return Ok(server.shutdown);
                    }
                    server.notification(n);
                }
                Message::Response(_) => {}
            }
        }
        server.publish_dirty();
    }
    Ok(server.shutdown)
}

impl Server<'_> {
    fn send(&self, msg: Message) {
        // The client has gone when this fails; the loop ends at the next receive.
        let _ = self.conn.sender.send(msg);
    }

    fn reply_err(&self, id: RequestId, code: ErrorCode, message: String) {
        self.send(Message::Response(Response::new_err(id, code as i32, message)));
    }

    fn request(&mut self, req: Request) {
        if self.shutdown {
            return self.reply_err(req.id, ErrorCode::InvalidRequest, "the server is shutting down".into());
        }
        if req.method == lsp_types::request::Shutdown::METHOD {
            self.shutdown = true;
            return self.send(Message::Response(Response::new_ok(req.id, ())));
        }
        let id = req.id.clone();
        // A bug in a feature must not take the server (and every open file's diagnostics) down.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| features::handle(self, &req)));
        match result {
            Ok(Ok(value)) => self.send(Message::Response(Response::new_ok(id, value))),
            Ok(Err(message)) => self.reply_err(id, ErrorCode::InvalidParams, message),
            Err(_) => self.reply_err(id, ErrorCode::InternalError, format!("forge failed to answer `{}`", req.method)),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::{
            DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
            DidSaveTextDocument,
        };
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else { return };
                let Some(path) = text::uri_to_path(&p.text_document.uri) else { return };
                let doc =
                    Doc { uri: p.text_document.uri, version: p.text_document.version, text: p.text_document.text };
                self.docs.insert(path.clone(), doc);
                self.touch(&path);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else { return };
                let Some(path) = text::uri_to_path(&p.text_document.uri) else { return };
                let Some(doc) = self.docs.get_mut(&path) else { return };
                for change in &p.content_changes {
                    text::apply_change(&mut doc.text, change);
                }
                doc.version = p.text_document.version;
                self.touch(&path);
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else { return };
                if let Some(path) = text::uri_to_path(&p.text_document.uri) {
                    self.touch(&path);
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else { return };
                let Some(path) = text::uri_to_path(&p.text_document.uri) else { return };
                self.docs.remove(&path);
                self.touch(&path);
            }
            DidChangeWatchedFiles::METHOD => {
                for unit in self.units.values_mut() {
                    unit.dirty = true;
                }
            }
            _ => {}
        }
    }

    /// Marks the template `path` belongs to for analysis.
    fn touch(&mut self, path: &Path) {
        let Some(key) = self.unit_of(path) else { return };
        if let Some(unit) = self.units.get_mut(&key) {
            unit.dirty = true;
            return;
        }
        if self.docs.contains_key(path) {
            let unit = Unit {
                ws: Workspace::new(),
                analysis: Analysis::default(),
                last_good: Template::default(),
                published: BTreeSet::new(),
                dirty: true,
            };
            self.units.insert(key, unit);
        }
    }

    /// The template a file belongs to; `None` for a file that is not a Packer file.
    fn unit_of(&self, path: &Path) -> Option<UnitKey> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let folder = || path.parent().map(|p| UnitKey::Folder(p.to_path_buf()));
        match syntax::classify(&name)? {
            FileKind::VarFile(_) => folder(),
            FileKind::Template(_) if syntax::is_folder_template(&name) => folder(),
            FileKind::Template(Origin::LegacyJson) => {
                // A JSON file is a legacy template when it has top-level `builders`.
                let text = match self.docs.get(path) {
                    Some(d) => d.text.clone(),
                    None => self.fs.read_to_string(path).ok()?,
                };
                text.contains("\"builders\"").then(|| UnitKey::Legacy(path.to_path_buf()))
            }
            FileKind::Template(_) => None,
        }
    }

    /// The editor's texts of a template's files over the file system.
    fn overlay(&self, key: &UnitKey) -> Overlay<'_> {
        let mut overlay = Overlay::new(&*self.fs);
        for (path, doc) in &self.docs {
            let mine = match key {
                UnitKey::Folder(dir) => path.parent() == Some(dir.as_path()),
                UnitKey::Legacy(file) => path == file,
            };
            if mine {
                overlay.set(path.clone(), doc.text.clone());
            }
        }
        overlay
    }

    /// Analyses every template with a change and publishes its diagnostics.
    fn publish_dirty(&mut self) {
        let mut keys: Vec<UnitKey> = self.units.iter().filter(|(_, u)| u.dirty).map(|(k, _)| k.clone()).collect();
        keys.sort();
        for key in keys {
            self.analyse(&key);
        }
    }

    /// Analyses one template now (if it changed) and publishes its diagnostics.
    fn analyse(&mut self, key: &UnitKey) {
        if !self.units.get(key).is_some_and(|u| u.dirty) {
            return;
        }
        let open_here = self.docs.keys().any(|p| self.unit_of(p).as_ref() == Some(key));
        if !open_here {
            // No file of this template is open any more: forget it and clear what it published.
            if let Some(unit) = self.units.remove(key) {
                for path in unit.published {
                    self.publish(&path, Vec::new());
                }
            }
            return;
        }
        let (paths, opts) = match key {
            UnitKey::Folder(dir) => {
                let var_files = self
                    .docs
                    .keys()
                    .filter(|p| p.parent() == Some(dir.as_path()))
                    .filter_map(|p| p.to_str())
                    .filter(|p| {
                        let l = p.to_ascii_lowercase();
                        matches!(syntax::classify(&l), Some(FileKind::VarFile(_))) && !l.contains(".auto.pkrvars.")
                    })
                    .map(str::to_string)
                    .collect();
                (vec![dir.to_string_lossy().into_owned()], Options { var_files, ..Options::default() })
            }
            UnitKey::Legacy(file) => (vec![file.to_string_lossy().into_owned()], Options::default()),
        };
        let Some(mut unit) = self.units.remove(key) else { return };
        // The pipeline does not panic on any input the corpus replay found; should one be left,
        // this template goes without diagnostics until its next edit and the server lives on.
        let overlay = self.overlay(key);
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::driver::validate_in(&mut unit.ws, &overlay, &paths, &opts)
        }));
        drop(overlay);
        let Ok(analysis) = run else {
            unit.ws = Workspace::new();
            unit.dirty = false;
            self.units.insert(key.clone(), unit);
            return;
        };
        if parsed(&analysis) {
            unit.last_good = analysis.template.clone();
        }
        // Group by file; every file of the template gets a (maybe empty) list.
        let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for (_, file) in analysis.db.iter() {
            let path = PathBuf::from(&file.name);
            if self.belongs(key, &path) {
                by_file.entry(path).or_default();
            }
        }
        for d in &analysis.diagnostics {
            let path = PathBuf::from(&analysis.db.get(d.span().file).name);
            if self.belongs(key, &path) {
                by_file.entry(path).or_default().push(convert::diagnostic(&analysis.db, d));
            }
        }
        for path in unit.published.iter().filter(|p| !by_file.contains_key(*p)).cloned().collect::<Vec<_>>() {
            self.publish(&path, Vec::new());
        }
        unit.published = by_file.keys().cloned().collect();
        for (path, diags) in by_file {
            self.publish(&path, diags);
        }
        unit.analysis = analysis;
        unit.dirty = false;
        self.units.insert(key.clone(), unit);
    }

    /// Whether a file named in an analysis is a file of the template (not `<command line>` or
    /// the folder itself in a "no template file" error).
    fn belongs(&self, key: &UnitKey, path: &Path) -> bool {
        if self.fs.is_dir(path) || (!self.docs.contains_key(path) && !self.fs.exists(path)) {
            return false;
        }
        match key {
            UnitKey::Folder(dir) => path.parent() == Some(dir.as_path()),
            UnitKey::Legacy(file) => path == file,
        }
    }

    fn publish(&self, path: &Path, diagnostics: Vec<lsp_types::Diagnostic>) {
        let (uri, version) = match self.docs.get(path) {
            Some(doc) => (doc.uri.clone(), Some(doc.version)),
            None => (text::path_to_uri(path), None),
        };
        let params = PublishDiagnosticsParams { uri, diagnostics, version };
        self.send(Message::Notification(Notification::new(
            lsp_types::notification::PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    /// The analysis of the template `path` belongs to, brought up to date first.
    fn analysis_of(&mut self, path: &Path) -> Option<&Unit> {
        let key = self.unit_of(path)?;
        if !self.units.contains_key(&key) {
            self.touch(path);
        }
        self.analyse(&key);
        self.units.get(&key)
    }
}

#[cfg(test)]
mod tests;
