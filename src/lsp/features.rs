//! The requests: completion, hover, go to definition, references, rename, document symbols,
//! formatting and quick fixes. Completion and hover of keys read the cursor's place from the
//! text ([`crate::lsp::context`]), so they work while the file does not parse; names and
//! definitions come from the IR of the last analysis; arguments and their docs from the
//! component registry's schemas; functions from `eval`'s table.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_server::Request;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionItem, CompletionItemKind,
    CompletionParams, CompletionTextEdit, DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams,
    GotoDefinitionParams, Hover, HoverContents, HoverParams, Location, MarkupContent, MarkupKind, Position,
    ReferenceParams, RenameParams, SymbolKind, TextEdit, Uri, WorkspaceEdit,
};
use serde_json::Value as Json;

use crate::component::registry::{self, ComponentKind};
use crate::component::schema;
use crate::ir::{Body, Expr, ExprKind, Origin, Template};
use crate::lsp::context::{self, Block, Context, Place};
use crate::lsp::text::{LineIndex, uri_to_path};
use crate::lsp::{Server, convert};
use crate::source::{FileId, SourceDb, Span};
use crate::syntax::{self, FileKind, structure};

/// Answers one request; `Err` is an invalid-params error.
pub(super) fn handle(server: &mut Server<'_>, req: &Request) -> Result<Json, String> {
    use lsp_types::request::{
        CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References,
        Rename, Request as _, SemanticTokensFullRequest, WorkspaceSymbolRequest,
    };
    fn params<P: serde::de::DeserializeOwned>(req: &Request) -> Result<P, String> {
        serde_json::from_value(req.params.clone()).map_err(|e| format!("invalid parameters: {e}"))
    }
    let out = match req.method.as_str() {
        Completion::METHOD => to_json(completion(server, &params(req)?)),
        HoverRequest::METHOD => to_json(hover(server, &params(req)?)),
        GotoDefinition::METHOD => to_json(definition(server, &params(req)?)),
        References::METHOD => to_json(references(server, &params(req)?)),
        Rename::METHOD => to_json(rename(server, &params(req)?)?),
        DocumentSymbolRequest::METHOD => to_json(symbols(server, &params(req)?)),
        Formatting::METHOD => to_json(formatting(server, &params(req)?)),
        CodeActionRequest::METHOD => to_json(code_actions(server, &params(req)?)),
        SemanticTokensFullRequest::METHOD => to_json(semantic_tokens(server, &params(req)?)),
        WorkspaceSymbolRequest::METHOD => to_json(workspace_symbols(server, &params(req)?)),
        _ => return Err(format!("forge does not answer `{}`", req.method)),
    };
    Ok(out)
}

fn to_json<T: serde::Serialize>(v: T) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

/// The syntax of a file by its name.
fn origin_of(path: &Path) -> Option<Origin> {
    match syntax::classify(path.to_str()?)? {
        FileKind::Template(o) | FileKind::VarFile(o) => Some(o),
    }
}

/// The text of an open document and the byte offset of a position in it.
fn doc_at(server: &Server<'_>, uri: &Uri, pos: Position) -> Option<(PathBuf, String, usize)> {
    let path = uri_to_path(uri)?;
    // A file of the template that is not open is read from disk (references asked from a list).
    let text = match server.docs.get(&path) {
        Some(doc) => doc.text.clone(),
        None => server.fs.read_to_string(&path).ok()?,
    };
    let offset = LineIndex::new(&text).offset(pos);
    Some((path, text, offset))
}

/// The cursor's place in a text of the given syntax.
fn context_of(origin: Origin, text: &str, offset: usize) -> Context {
    match origin {
        Origin::Hcl => context::hcl(text, offset),
        Origin::Toml => context::toml(text, offset),
        Origin::HclJson => context::json(text, offset, false),
        Origin::LegacyJson => context::json(text, offset, true),
    }
}

/// The file id of a path in an analysis.
fn file_id(db: &SourceDb, path: &Path) -> Option<FileId> {
    db.iter().find(|(_, f)| Path::new(&f.name) == path).map(|(id, _)| id)
}

// ---------------------------------------------------------------------------------------------
// Completion

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>, doc: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        documentation: doc
            .filter(|d| !d.is_empty())
            .map(|d| lsp_types::Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: d })),
        ..CompletionItem::default()
    }
}

/// The arguments of a component type, from its schema.
fn component_arguments(kind: ComponentKind, ty: &str) -> Vec<schema::Argument> {
    registry::lookup(kind, ty).map(|def| schema::arguments(&(def.schema)())).unwrap_or_default()
}

fn completion(server: &mut Server<'_>, p: &CompletionParams) -> Option<Vec<CompletionItem>> {
    let pos = &p.text_document_position;
    let (path, text, offset) = doc_at(server, &pos.text_document.uri, pos.position)?;
    let origin = origin_of(&path)?;
    let ctx = context_of(origin, &text, offset);
    let templates: Vec<Template> = match server.analysis_of(&path) {
        Some(unit) => vec![unit.analysis.template.clone(), unit.last_good.clone()],
        None => Vec::new(),
    };
    let mut items = items_for(&ctx, origin, &templates);
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.label.clone()));
    let index = LineIndex::new(&text);
    let range = index.range(ctx.word_start..offset);
    for i in &mut items {
        let mut insert = i.insert_text.take().unwrap_or_else(|| i.label.clone());
        if ctx.quote_key {
            insert = format!("\"{insert}\"");
        }
        i.text_edit = Some(CompletionTextEdit::Edit(TextEdit { range, new_text: insert }));
    }
    Some(items)
}

fn items_for(ctx: &Context, origin: Origin, templates: &[Template]) -> Vec<CompletionItem> {
    let kw = |names: &[&str]| -> Vec<CompletionItem> {
        names.iter().map(|n| item(n, CompletionItemKind::KEYWORD, None, None)).collect()
    };
    match &ctx.place {
        Place::Nothing => Vec::new(),
        Place::Key { block, set } => {
            let free = |n: &str| !set.iter().any(|s| s == n);
            let mut out = match block {
                Block::Top if origin == Origin::LegacyJson => kw(&[
                    "builders",
                    "provisioners",
                    "post-processors",
                    "variables",
                    "sensitive-variables",
                    "description",
                    "min_packer_version",
                ]),
                Block::Top => {
                    structure::TOP_LEVEL.iter().map(|r| item(r.name, CompletionItemKind::KEYWORD, None, None)).collect()
                }
                Block::Build => {
                    let mut v = kw(structure::BUILD_ATTRS);
                    v.extend(structure::BUILD.iter().map(|r| item(r.name, CompletionItemKind::KEYWORD, None, None)));
                    v
                }
                Block::Variable => {
                    let mut v = kw(structure::VARIABLE_ATTRS);
                    v.extend(kw(&["validation"]));
                    v
                }
                Block::Packer => kw(&["required_version", "required_plugins"]),
                Block::Component(kind, ty) => {
                    let mut args = component_arguments(*kind, ty);
                    args.sort_by_key(|a| !a.required);
                    let mut v: Vec<CompletionItem> = args
                        .into_iter()
                        .enumerate()
                        .map(|(n, a)| {
                            let detail = format!("{}{}", a.ty, if a.required { " (required)" } else { "" });
                            let mut i = item(&a.name, CompletionItemKind::PROPERTY, Some(detail), Some(a.description));
                            i.sort_text = Some(format!("{n:04}"));
                            i
                        })
                        .collect();
                    let meta: &[&str] = match kind {
                        ComponentKind::Provisioner => structure::PROVISIONER_META,
                        ComponentKind::PostProcessor => structure::POST_PROCESSOR_META,
                        _ => &[],
                    };
                    let mut extra = meta.to_vec();
                    if matches!(origin, Origin::LegacyJson | Origin::Toml)
                        && !matches!(kind, ComponentKind::Builder | ComponentKind::DataSource)
                        || origin == Origin::LegacyJson
                    {
                        extra.push("type");
                    }
                    for m in extra {
                        let mut i = item(m, CompletionItemKind::KEYWORD, None, None);
                        i.sort_text = Some(format!("9{m}"));
                        v.push(i);
                    }
                    v
                }
                Block::Other => Vec::new(),
            };
            out.retain(|i| free(&i.label));
            out
        }
        Place::ComponentType(kind) => registry::REGISTRY
            .iter()
            .filter(|d| d.kind == *kind)
            .map(|d| item(d.name, CompletionItemKind::CLASS, Some(d.summary.to_string()), None))
            .collect(),
        Place::Value { block, key } => match block {
            Block::Component(kind, ty) => component_arguments(*kind, ty)
                .into_iter()
                .find(|a| &a.name == key)
                .map(|a| a.values.iter().map(|v| item(v, CompletionItemKind::ENUM_MEMBER, None, None)).collect())
                .unwrap_or_default(),
            Block::Variable if key == "type" => kw(&["string", "number", "bool", "list(string)", "map(string)", "any"]),
            Block::Variable if key == "sensitive" => kw(&["true", "false"]),
            _ if origin == Origin::Hcl => expression_items(),
            _ => Vec::new(),
        },
        Place::Members(segments) => member_items(segments, templates),
        Place::SourceRef => templates
            .iter()
            .flat_map(|t| t.sources.iter())
            .map(|s| {
                item(&format!("source.{}.{}", s.kind.value, s.name.value), CompletionItemKind::REFERENCE, None, None)
            })
            .collect(),
        Place::UserVar => templates
            .iter()
            .flat_map(|t| t.variables.iter())
            .map(|v| item(&v.name.value, CompletionItemKind::VARIABLE, None, None))
            .collect(),
        Place::Expression => expression_items(),
    }
}

fn expression_items() -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = ["var", "local", "source", "data", "path", "build"]
        .iter()
        .map(|n| item(n, CompletionItemKind::KEYWORD, None, None))
        .collect();
    out.extend(crate::eval::functions::HCL_FUNCTIONS.iter().map(|f| {
        let mut i = item(f.name, CompletionItemKind::FUNCTION, Some(signature(f)), Some(f.doc.to_string()));
        i.insert_text = Some(format!("{}(", f.name));
        i
    }));
    out
}

fn signature(f: &crate::eval::functions::Function) -> String {
    let args = match f.max_args {
        Some(max) if max == f.min_args => format!("{max} argument{}", if max == 1 { "" } else { "s" }),
        Some(max) => format!("{} to {max} arguments", f.min_args),
        None => format!("{} or more arguments", f.min_args),
    };
    format!("{}(…): {args}", f.name)
}

fn member_items(segments: &[String], templates: &[Template]) -> Vec<CompletionItem> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let names = |f: &dyn Fn(&Template) -> Vec<String>, kind| -> Vec<CompletionItem> {
        templates.iter().flat_map(f).map(|n| item(&n, kind, None, None)).collect()
    };
    match s.as_slice() {
        ["var"] => templates
            .iter()
            .flat_map(|t| t.variables.iter())
            .map(|v| {
                let doc = v.description.as_ref().map(|d| d.value.clone());
                item(&v.name.value, CompletionItemKind::VARIABLE, Some("variable".into()), doc)
            })
            .collect(),
        ["local"] => names(&|t| t.locals.iter().map(|l| l.name.value.clone()).collect(), CompletionItemKind::VARIABLE),
        ["data"] => names(&|t| t.data.iter().map(|d| d.kind.value.clone()).collect(), CompletionItemKind::CLASS),
        ["data", ty] => names(
            &|t| t.data.iter().filter(|d| d.kind.value == *ty).map(|d| d.name.value.clone()).collect(),
            CompletionItemKind::REFERENCE,
        ),
        ["source"] => ["name", "type"].iter().map(|n| item(n, CompletionItemKind::FIELD, None, None)).collect(),
        ["path"] => ["root", "cwd"].iter().map(|n| item(n, CompletionItemKind::FIELD, None, None)).collect(),
        ["build"] => [
            "ID",
            "Host",
            "Port",
            "User",
            "Password",
            "ConnType",
            "PackerRunUUID",
            "SSHPublicKey",
            "SSHPrivateKey",
            "name",
        ]
        .iter()
        .map(|n| item(n, CompletionItemKind::FIELD, None, None))
        .collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Symbols of the IR: what a position names

/// A named thing of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sym {
    Var(String),
    Local(String),
    Source(String, String),
    Data(String, String),
}

/// Narrows a span to the occurrence of `name` in its text (drops quotes, `${`, backticks…).
fn narrow(db: &SourceDb, span: Span, name: &str) -> Span {
    let text = db.slice(span);
    match text.rfind(name) {
        Some(i) if !name.is_empty() => {
            Span::new(span.file, span.start as usize + i..span.start as usize + i + name.len())
        }
        _ => span,
    }
}

/// Calls `f` on every expression of a body, blocks included.
fn each_body_expr(body: &Body, f: &mut dyn FnMut(&Expr)) {
    for a in &body.attributes {
        each_expr(&a.value, f);
    }
    for b in &body.blocks {
        each_body_expr(&b.body, f);
    }
}

fn each_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    e.any(&mut |x| {
        f(x);
        false
    });
}

/// Calls `f` on every expression of a template.
fn each_template_expr(t: &Template, f: &mut dyn FnMut(&Expr)) {
    for v in &t.variables {
        for e in v.default.iter().chain(v.ty.iter()) {
            each_expr(e, f);
        }
        for val in &v.validations {
            each_expr(&val.condition, f);
            each_expr(&val.error_message, f);
        }
    }
    for l in &t.locals {
        each_expr(&l.expr, f);
    }
    for d in &t.data {
        each_body_expr(&d.body, f);
    }
    for s in &t.sources {
        each_body_expr(&s.body, f);
    }
    for b in &t.builds {
        for u in &b.sources {
            each_body_expr(&u.body, f);
        }
        for p in b.provisioners.iter().chain(b.error_cleanup.iter()) {
            each_body_expr(&p.body, f);
            for o in &p.overrides {
                each_body_expr(&o.body, f);
            }
            for e in p.pause_before.iter().chain(p.timeout.iter()).chain(p.max_retries.iter()) {
                each_expr(e, f);
            }
        }
        for c in &b.post_processors {
            for pp in &c.steps {
                each_body_expr(&pp.body, f);
                for e in pp.keep_input_artifact.iter() {
                    each_expr(e, f);
                }
            }
        }
    }
}

/// Every reference to a symbol in a template: the span of the name that refers.
fn references_of(t: &Template, db: &SourceDb, sym: &Sym) -> Vec<Span> {
    let mut out = Vec::new();
    each_template_expr(t, &mut |e| {
        if let ExprKind::GetAttr(inner, attr) = &e.kind {
            let hit = match (&inner.kind, sym) {
                (ExprKind::Variable(root), Sym::Var(n)) => root.value == "var" && &attr.value == n,
                (ExprKind::Variable(root), Sym::Local(n)) => root.value == "local" && &attr.value == n,
                (ExprKind::GetAttr(r, ty), Sym::Data(dt, dn)) => {
                    matches!(&r.kind, ExprKind::Variable(root) if root.value == "data")
                        && &ty.value == dt
                        && &attr.value == dn
                }
                _ => false,
            };
            if hit {
                out.push(narrow(db, attr.span, &attr.value));
            }
        }
    });
    if let Sym::Source(ty, name) = sym {
        for b in &t.builds {
            for u in &b.sources {
                if u.target() == Some((ty.as_str(), name.as_str())) {
                    out.push(u.reference.span);
                }
            }
        }
    }
    out
}

/// Where a symbol is declared: the span of its name.
fn definition_of(t: &Template, db: &SourceDb, sym: &Sym) -> Option<Span> {
    match sym {
        Sym::Var(n) => t.variables.iter().find(|v| &v.name.value == n).map(|v| narrow(db, v.name.span, n)),
        Sym::Local(n) => t.locals.iter().find(|l| &l.name.value == n).map(|l| narrow(db, l.name.span, n)),
        Sym::Source(ty, n) => {
            t.sources.iter().find(|s| &s.kind.value == ty && &s.name.value == n).map(|s| narrow(db, s.name.span, n))
        }
        Sym::Data(ty, n) => {
            t.data.iter().find(|d| &d.kind.value == ty && &d.name.value == n).map(|d| narrow(db, d.name.span, n))
        }
    }
}

fn contains(span: Span, file: FileId, offset: usize) -> bool {
    span.file == file && (span.start as usize) <= offset && offset <= span.end as usize
}

/// The symbol at a position: a declaration's name or a reference to it.
fn symbol_at(t: &Template, db: &SourceDb, file: FileId, offset: usize) -> Option<Sym> {
    for v in &t.variables {
        if contains(v.name.span, file, offset) {
            return Some(Sym::Var(v.name.value.clone()));
        }
    }
    for l in &t.locals {
        if contains(l.name.span, file, offset) {
            return Some(Sym::Local(l.name.value.clone()));
        }
    }
    for s in &t.sources {
        if contains(s.name.span, file, offset) {
            return Some(Sym::Source(s.kind.value.clone(), s.name.value.clone()));
        }
    }
    for d in &t.data {
        if contains(d.name.span, file, offset) {
            return Some(Sym::Data(d.kind.value.clone(), d.name.value.clone()));
        }
    }
    for b in &t.builds {
        for u in &b.sources {
            if contains(u.reference.span, file, offset) {
                let (ty, name) = u.target()?;
                return Some(Sym::Source(ty.to_string(), name.to_string()));
            }
        }
    }
    let mut found = None;
    each_template_expr(t, &mut |e| {
        if found.is_some() || !contains(e.span, file, offset) {
            return;
        }
        if let Some((root, path)) = e.as_traversal() {
            found = match (root.as_str(), path.as_slice()) {
                ("var", [n, ..]) => Some(Sym::Var(n.clone())),
                ("local", [n, ..]) => Some(Sym::Local(n.clone())),
                ("data", [ty, n, ..]) => Some(Sym::Data(ty.clone(), n.clone())),
                _ => None,
            };
        }
    });
    let _ = db;
    found
}

/// The symbol a reference written at the cursor names, read from the text (for a file that
/// does not parse): `var.x`, `local.x`, `data.T.N`, `source.T.N`.
fn symbol_in_text(text: &str, offset: usize) -> Option<Sym> {
    let is = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let start = text[..offset].char_indices().rev().take_while(|&(_, c)| is(c)).last().map_or(offset, |(i, _)| i);
    let end = text[offset..].char_indices().find(|&(_, c)| !is(c)).map_or(text.len(), |(i, _)| offset + i);
    let parts: Vec<&str> = text[start..end].split('.').collect();
    match parts.as_slice() {
        ["var", n, ..] => Some(Sym::Var((*n).to_string())),
        ["local", n, ..] => Some(Sym::Local((*n).to_string())),
        ["data", t, n, ..] => Some(Sym::Data((*t).to_string(), (*n).to_string())),
        ["source", t, n] => Some(Sym::Source((*t).to_string(), (*n).to_string())),
        _ => None,
    }
}

/// The analysis, file and symbol at a text position.
fn resolve(server: &mut Server<'_>, uri: &Uri, pos: Position) -> Option<(Template, SourceDb, Sym)> {
    let (path, text, offset) = doc_at(server, uri, pos)?;
    let unit = server.analysis_of(&path)?;
    let a = &unit.analysis;
    let sym = file_id(&a.db, &path)
        .and_then(|file| symbol_at(&a.template, &a.db, file, offset))
        .or_else(|| symbol_in_text(&text, offset))?;
    Some((a.template.clone(), a.db.clone(), sym))
}

fn definition(server: &mut Server<'_>, p: &GotoDefinitionParams) -> Option<Location> {
    let pos = &p.text_document_position_params;
    let (t, db, sym) = resolve(server, &pos.text_document.uri, pos.position)?;
    definition_of(&t, &db, &sym).map(|s| convert::location(&db, s))
}

fn references(server: &mut Server<'_>, p: &ReferenceParams) -> Option<Vec<Location>> {
    let pos = &p.text_document_position;
    let (t, db, sym) = resolve(server, &pos.text_document.uri, pos.position)?;
    let mut spans = Vec::new();
    if p.context.include_declaration {
        spans.extend(definition_of(&t, &db, &sym));
    }
    spans.extend(references_of(&t, &db, &sym));
    Some(spans.into_iter().map(|s| convert::location(&db, s)).collect())
}

fn rename(server: &mut Server<'_>, p: &RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let pos = &p.text_document_position;
    let Some((t, db, sym)) = resolve(server, &pos.text_document.uri, pos.position) else { return Ok(None) };
    if !matches!(sym, Sym::Var(_) | Sym::Local(_)) {
        return Err("only variables and locals can be renamed".into());
    }
    let valid = p.new_name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && p.new_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(format!("`{}` is not a valid name", p.new_name));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for span in definition_of(&t, &db, &sym).into_iter().chain(references_of(&t, &db, &sym)) {
        let loc = convert::location(&db, span);
        changes.entry(loc.uri).or_default().push(TextEdit { range: loc.range, new_text: p.new_name.clone() });
    }
    Ok(Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
}

// ---------------------------------------------------------------------------------------------
// Hover

fn markdown(value: String) -> Hover {
    Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }), range: None }
}

fn hover(server: &mut Server<'_>, p: &HoverParams) -> Option<Hover> {
    let pos = &p.text_document_position_params;
    let (path, text, offset) = doc_at(server, &pos.text_document.uri, pos.position)?;
    let origin = origin_of(&path)?;
    let is = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    let start = text[..offset].char_indices().rev().take_while(|&(_, c)| is(c)).last().map_or(offset, |(i, _)| i);
    let end = text[offset..].char_indices().find(|&(_, c)| !is(c)).map_or(text.len(), |(i, _)| offset + i);
    let word = &text[start..end];
    if word.is_empty() {
        return None;
    }
    let after = text[end..].trim_start_matches(['"', ' ', '\t']);
    // A key: `word =` (HCL, TOML) or `"word":` (JSON).
    if after.starts_with('=') && !after.starts_with("==") || after.starts_with(':') {
        let ctx = context_of(origin, &text, start);
        if let Place::Key { block: Block::Component(kind, ty), .. } = ctx.place {
            if let Some(a) = component_arguments(kind, &ty).into_iter().find(|a| a.name == word) {
                let mut s = format!(
                    "**{}** `{}`{}\n\n{}",
                    a.name,
                    a.ty,
                    if a.required { " (required)" } else { "" },
                    a.description
                );
                if let Some(d) = a.default {
                    s.push_str(&format!("\n\ndefault: `{d}`"));
                }
                return Some(markdown(s));
            }
        }
    }
    // A function call.
    if after.starts_with('(') {
        if let Some(f) = crate::eval::functions::lookup(word) {
            return Some(markdown(format!("`{}`\n\n{}", signature(f), f.doc)));
        }
    }
    // A component type.
    server.analysis_of(&path)?;
    let key = server.unit_of(&path)?;
    let unit = server.units.get(&key)?;
    let a = &unit.analysis;
    let file = file_id(&a.db, &path);
    if let Some(file) = file {
        let t = &a.template;
        let kinds = t
            .sources
            .iter()
            .map(|s| (ComponentKind::Builder, &s.kind))
            .chain(t.data.iter().map(|d| (ComponentKind::DataSource, &d.kind)))
            .chain(t.builds.iter().flat_map(|b| {
                b.provisioners.iter().chain(b.error_cleanup.iter()).map(|p| (ComponentKind::Provisioner, &p.kind))
            }))
            .chain(t.builds.iter().flat_map(|b| {
                b.post_processors.iter().flat_map(|c| c.steps.iter().map(|p| (ComponentKind::PostProcessor, &p.kind)))
            }));
        for (kind, ident) in kinds {
            if contains(ident.span, file, offset) {
                let def = registry::lookup(kind, &ident.value)?;
                return Some(markdown(format!("{} `{}`\n\n{}", kind.noun(), def.name, def.summary)));
            }
        }
    }
    let sym = file.and_then(|f| symbol_at(&a.template, &a.db, f, offset)).or_else(|| symbol_in_text(&text, offset))?;
    let t = &a.template;
    match sym {
        Sym::Var(n) => {
            let v = t.variables.iter().find(|v| v.name.value == n)?;
            let sensitive = v.sensitive.as_ref().is_some_and(|s| s.value);
            let mut s = format!("variable `{n}`");
            if let Some(ty) = &v.ty {
                s.push_str(&format!(": `{}`", a.db.slice(ty.span)));
            }
            if let Some(d) = &v.default {
                let shown = if sensitive { "<sensitive>" } else { a.db.slice(d.span) };
                s.push_str(&format!("\n\ndefault: `{shown}`"));
            }
            if sensitive {
                s.push_str("\n\nsensitive");
            }
            if let Some(d) = &v.description {
                s.push_str(&format!("\n\n{}", d.value));
            }
            Some(markdown(s))
        }
        Sym::Local(n) => {
            let l = t.locals.iter().find(|l| l.name.value == n)?;
            let shown = if l.sensitive { "<sensitive>" } else { a.db.slice(l.expr.span) };
            let mut s = format!("local `{n}` = `{shown}`");
            // Its value, when it is known without a build (no data source fetched, nothing deferred).
            if crate::lsp::parsed(a) {
                let overlay = server.overlay(&key);
                let env = crate::eval::Env::new(t, &a.inputs, &overlay);
                if let Ok(v) = env.local(&n, l.name.span) {
                    if !v.is_deferred() {
                        let value = if v.is_sensitive() || l.sensitive {
                            "<sensitive>".to_string()
                        } else {
                            crate::eval::value::to_hcl(&v)
                        };
                        s.push_str(&format!("\n\nvalue: `{value}`"));
                    }
                }
            }
            Some(markdown(s))
        }
        Sym::Source(ty, n) => {
            let summary = registry::lookup(ComponentKind::Builder, &ty).map_or("", |d| d.summary);
            Some(markdown(format!("source `{ty}.{n}`\n\n{summary}")))
        }
        Sym::Data(ty, n) => {
            let summary = registry::lookup(ComponentKind::DataSource, &ty).map_or("", |d| d.summary);
            Some(markdown(format!("data `{ty}.{n}`\n\n{summary}")))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Document symbols

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
fn symbol(
    db: &SourceDb,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    sel: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    let index = LineIndex::new(&db.get(span.file).text);
    let range = index.range(span.range());
    let mut selection_range = index.range(sel.range());
    if selection_range.start < range.start || selection_range.end > range.end {
        selection_range = range;
    }
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children: (!children.is_empty()).then_some(children),
    }
}

fn symbols(server: &mut Server<'_>, p: &DocumentSymbolParams) -> Option<Vec<DocumentSymbol>> {
    let path = uri_to_path(&p.text_document.uri)?;
    let unit = server.analysis_of(&path)?;
    let (t, db) = (&unit.analysis.template, &unit.analysis.db);
    let file = file_id(db, &path)?;
    let mine = |s: Span| s.file == file;
    let mut out = Vec::new();
    for v in t.variables.iter().filter(|v| mine(v.span)) {
        out.push(symbol(
            db,
            v.name.value.clone(),
            Some("variable".into()),
            SymbolKind::VARIABLE,
            v.span,
            v.name.span,
            Vec::new(),
        ));
    }
    for l in t.locals.iter().filter(|l| mine(l.span)) {
        out.push(symbol(
            db,
            l.name.value.clone(),
            Some("local".into()),
            SymbolKind::CONSTANT,
            l.span,
            l.name.span,
            Vec::new(),
        ));
    }
    for d in t.data.iter().filter(|d| mine(d.span)) {
        let name = format!("data.{}.{}", d.kind.value, d.name.value);
        out.push(symbol(db, name, Some("data source".into()), SymbolKind::STRUCT, d.span, d.name.span, Vec::new()));
    }
    for s in t.sources.iter().filter(|s| mine(s.span)) {
        let name = format!("source.{}.{}", s.kind.value, s.name.value);
        out.push(symbol(db, name, Some("source".into()), SymbolKind::CLASS, s.span, s.name.span, Vec::new()));
    }
    for (i, b) in t.builds.iter().enumerate().filter(|(_, b)| mine(b.span)) {
        let mut children = Vec::new();
        for p in b.provisioners.iter().chain(b.error_cleanup.iter()) {
            let name = format!("provisioner \"{}\"", p.kind.value);
            children.push(symbol(db, name, None, SymbolKind::FUNCTION, p.span, p.kind.span, Vec::new()));
        }
        for pp in b.post_processors.iter().flat_map(|c| c.steps.iter()) {
            let name = format!("post-processor \"{}\"", pp.kind.value);
            children.push(symbol(db, name, None, SymbolKind::EVENT, pp.span, pp.kind.span, Vec::new()));
        }
        let name = b.name.as_ref().map_or_else(|| format!("build #{}", i + 1), |n| format!("build \"{}\"", n.value));
        out.push(symbol(db, name, Some("build".into()), SymbolKind::MODULE, b.span, b.span, children));
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Formatting and quick fixes

fn formatting(server: &mut Server<'_>, p: &DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let path = uri_to_path(&p.text_document.uri)?;
    let text = &server.docs.get(&path)?.text;
    let origin = origin_of(&path)?;
    // A file that does not parse is left alone (the diagnostics say why).
    let formatted = crate::driver::format_text(FileId(0), text, origin).ok()?;
    if &formatted == text {
        return Some(Vec::new());
    }
    let range = LineIndex::new(text).range(0..text.len());
    Some(vec![TextEdit { range, new_text: formatted }])
}

/// The text a did-you-mean help proposes (`did you mean `x`?`).
fn suggestion(help: &str) -> Option<&str> {
    let rest = help.strip_prefix("did you mean `")?;
    rest.split('`').next()
}

fn code_actions(server: &mut Server<'_>, p: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let path = uri_to_path(&p.text_document.uri)?;
    let uri = p.text_document.uri.clone();
    let unit = server.analysis_of(&path)?;
    let a = &unit.analysis;
    let file = file_id(&a.db, &path)?;
    let index = LineIndex::new(&a.db.get(file).text);
    let want = index.offset(p.range.start)..index.offset(p.range.end);
    let mut out = Vec::new();
    for d in &a.diagnostics {
        let span = d.span();
        if span.file != file || (span.end as usize) < want.start || (span.start as usize) > want.end {
            continue;
        }
        let Some(new) = d.help.as_deref().and_then(suggestion) else { continue };
        // The name the message quotes, and where it is inside the span.
        let written = d.message.split('`').nth(1).unwrap_or("");
        let (old, new) = match (written.rsplit_once('.'), new.contains('.')) {
            (Some((_, last)), false) => (last, new),
            _ => (written, new),
        };
        let target = if old.is_empty() { span } else { narrow(&a.db, span, old) };
        if a.db.slice(target) != old && !old.is_empty() {
            continue;
        }
        let edit = TextEdit { range: index.range(target.range()), new_text: new.to_string() };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Change to `{new}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![convert::diagnostic(&a.db, d)]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    if let Some(origin @ (Origin::Hcl | Origin::Toml)) = origin_of(&path) {
        out.extend(add_required(&a.db, file, &a.diagnostics, &want, &uri, origin));
    }
    Some(out)
}

/// A placeholder value of an argument's type.
fn placeholder(ty: &str) -> &'static str {
    if ty.starts_with("number") {
        "0"
    } else if ty.starts_with("boolean") {
        "false"
    } else if ty.starts_with("list") {
        "[]"
    } else {
        "\"\""
    }
}

/// "Add the missing required arguments" on a component block whose header the range touches:
/// one line per `missing required argument` diagnostic of that block, with a placeholder value.
fn add_required(
    db: &SourceDb,
    file: FileId,
    diagnostics: &[crate::diag::Diagnostic],
    want: &std::ops::Range<usize>,
    uri: &Uri,
    origin: Origin,
) -> Option<CodeActionOrCommand> {
    let text = &db.get(file).text;
    let missing: Vec<&crate::diag::Diagnostic> = diagnostics
        .iter()
        .filter(|d| {
            d.code == crate::diag::Code::MissingArgument && d.message.starts_with("missing required argument `")
        })
        .filter(|d| {
            let s = d.span();
            s.file == file && (s.start as usize) <= want.end && want.start <= s.end as usize
        })
        .collect();
    let header = missing.first()?.span();
    let header =
        Span::new(header.file, crate::source::floor_char_boundary(text, header.start as usize)..header.end as usize);
    let line_start = text[..header.start as usize].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    // Insert after the line that opens the block (HCL: the line of its `{`; TOML: the header).
    let open = match origin {
        Origin::Hcl => header.start as usize + text[header.start as usize..].find('{')?,
        _ => header.start as usize,
    };
    let insert_at = text[open..].find('\n').map_or(text.len(), |i| open + i + 1);
    let place = match origin {
        Origin::Hcl => context::hcl(text, open + 1).place,
        _ => context::toml(text, insert_at).place,
    };
    let Place::Key { block: Block::Component(kind, ty), .. } = place else { return None };
    let args = component_arguments(kind, &ty);
    let inner = if origin == Origin::Hcl { format!("{indent}  ") } else { indent };
    let mut lines = String::new();
    for d in missing.iter().filter(|d| d.span() == header) {
        let name = d.message.split('`').nth(1)?;
        let ty = args.iter().find(|a| a.name == name).map_or("string", |a| a.ty.as_str());
        lines.push_str(&format!("{inner}{name} = {}\n", placeholder(ty)));
    }
    if !text[..insert_at].ends_with('\n') {
        lines.insert(0, '\n');
    }
    let index = LineIndex::new(text);
    let at = index.position(insert_at);
    let edit = TextEdit { range: lsp_types::Range::new(at, at), new_text: lines };
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: "Add the missing required arguments".into(),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    }))
}

// ---------------------------------------------------------------------------------------------
// Semantic tokens and workspace symbols

fn semantic_tokens(server: &mut Server<'_>, p: &lsp_types::SemanticTokensParams) -> Option<lsp_types::SemanticTokens> {
    let path = uri_to_path(&p.text_document.uri)?;
    let text = &server.docs.get(&path)?.text;
    let data = match origin_of(&path)? {
        Origin::Hcl => crate::lsp::tokens::tokens(text, false),
        Origin::Toml => crate::lsp::tokens::tokens(text, true),
        // JSON editors highlight JSON already; its strings hold the expressions.
        Origin::HclJson | Origin::LegacyJson => Vec::new(),
    };
    Some(lsp_types::SemanticTokens { result_id: None, data })
}

#[allow(deprecated)] // `SymbolInformation::deprecated` must still be given.
fn workspace_symbols(
    server: &mut Server<'_>,
    p: &lsp_types::WorkspaceSymbolParams,
) -> Option<Vec<lsp_types::SymbolInformation>> {
    let query = p.query.to_lowercase();
    let mut out = Vec::new();
    let mut keys: Vec<_> = server.units.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let Some(unit) = server.units.get(&key) else { continue };
        let (t, db) = (&unit.analysis.template, &unit.analysis.db);
        let named = t
            .variables
            .iter()
            .map(|v| (format!("var.{}", v.name.value), SymbolKind::VARIABLE, v.name.span))
            .chain(t.locals.iter().map(|l| (format!("local.{}", l.name.value), SymbolKind::CONSTANT, l.name.span)))
            .chain(
                t.sources
                    .iter()
                    .map(|s| (format!("source.{}.{}", s.kind.value, s.name.value), SymbolKind::CLASS, s.name.span)),
            )
            .chain(
                t.data
                    .iter()
                    .map(|d| (format!("data.{}.{}", d.kind.value, d.name.value), SymbolKind::STRUCT, d.name.span)),
            );
        for (name, kind, span) in named {
            if name.to_lowercase().contains(&query) {
                let location = convert::location(db, span);
                out.push(lsp_types::SymbolInformation {
                    name,
                    kind,
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: None,
                });
            }
        }
    }
    Some(out)
}
