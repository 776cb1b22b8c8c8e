//! The in-process protocol tests of the language server: a client speaks to [`super::run_with`]
//! over an in-memory connection, with the template folders on a [`MemFs`].

use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::{PublishDiagnosticsParams, Uri};
use serde_json::{Value as Json, json};

use crate::source::MemFs;

struct Client {
    conn: Connection,
    server: Option<std::thread::JoinHandle<Result<bool, String>>>,
    next: i32,
    /// Diagnostics published so far, in order.
    published: Vec<PublishDiagnosticsParams>,
}

fn uri(path: &str) -> Uri {
    super::text::path_to_uri(std::path::Path::new(path))
}

fn initialize() -> Message {
    Message::Request(Request::new(RequestId::from(0), "initialize".into(), json!({"capabilities": {}})))
}

fn notification(method: &str, params: Json) -> Message {
    Message::Notification(Notification::new(method.into(), params))
}

fn initialized() -> Message {
    notification("initialized", json!({}))
}

impl Client {
    /// A server over `fs`, started after `before` (messages queued before it reads any).
    fn start_with(fs: MemFs, before: Vec<Message>) -> Client {
        let (server, conn) = Connection::memory();
        for m in before {
            conn.sender.send(m).expect("the server's end is open");
        }
        let handle = std::thread::spawn(move || super::run_with(&server, Box::new(fs)));
        let mut c = Client { conn, server: Some(handle), next: 100, published: Vec::new() };
        let init = c.wait(|m| matches!(m, Message::Response(r) if r.id == RequestId::from(0)));
        let Message::Response(Response { response_result: Ok(result), .. }) = init else { panic!("{init:?}") };
        // An `InitializeResult`: incremental sync, and the server's name.
        assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2, "{result}");
        assert_eq!(result["serverInfo"]["name"], "forge", "{result}");
        c
    }

    fn start(fs: MemFs) -> Client {
        let c = Client::start_with(fs, vec![initialize()]);
        c.conn.sender.send(initialized()).expect("open");
        c
    }

    /// Receives until `pred` holds, keeping every diagnostics notification.
    fn wait(&mut self, pred: impl Fn(&Message) -> bool) -> Message {
        loop {
            let m = self.conn.receiver.recv_timeout(Duration::from_secs(20)).expect("the server answers in time");
            if let Message::Notification(n) = &m {
                if n.method == "textDocument/publishDiagnostics" {
                    self.published.push(serde_json::from_value(n.params.clone()).expect("diagnostics parse"));
                }
            }
            if pred(&m) {
                return m;
            }
        }
    }

    fn notify(&self, method: &str, params: Json) {
        self.conn.sender.send(notification(method, params)).expect("open");
    }

    fn request(&mut self, method: &str, params: Json) -> Json {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn.sender.send(Message::Request(Request::new(id.clone(), method.into(), params))).expect("open");
        match self.wait(|m| matches!(m, Message::Response(r) if r.id == id)) {
            Message::Response(Response { response_result: Ok(v), .. }) => v,
            other => panic!("{method} failed: {other:?}"),
        }
    }

    fn open(&self, path: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "packer", "version": 1, "text": text}}),
        );
    }

    fn change(&self, path: &str, version: i32, changes: Json) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": changes}),
        );
    }

    /// The diagnostics of `path` at `version` (`None`: a file that is not open).
    fn diagnostics(&mut self, path: &str, version: Option<i32>) -> Vec<lsp_types::Diagnostic> {
        let u = uri(path);
        let matches = |p: &PublishDiagnosticsParams| p.uri == u && p.version == version;
        if let Some(p) = self.published.iter().rev().find(|p| matches(p)) {
            return p.diagnostics.clone();
        }
        let m = self.wait(|m| match m {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                serde_json::from_value::<PublishDiagnosticsParams>(n.params.clone()).is_ok_and(|p| matches(&p))
            }
            _ => false,
        });
        let Message::Notification(n) = m else { unreachable!() };
        serde_json::from_value::<PublishDiagnosticsParams>(n.params).expect("parses").diagnostics
    }

    fn at(&mut self, method: &str, path: &str, line: u32, character: u32) -> Json {
        self.request(
            method,
            json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}}),
        )
    }

    /// `shutdown` then `exit`; the server must say it shut down cleanly.
    fn stop(mut self) {
        assert_eq!(self.request("shutdown", Json::Null), Json::Null);
        self.notify("exit", Json::Null);
        let clean = self.server.take().expect("running").join().expect("the server did not panic");
        assert_eq!(clean, Ok(true));
    }
}

/// The labels of completion items.
fn labels(items: &Json) -> Vec<String> {
    items.as_array().expect("a list").iter().map(|i| i["label"].as_str().unwrap_or_default().to_string()).collect()
}

/// The position of the first `needle` in `text` as (line, UTF-16 character).
fn pos(text: &str, needle: &str) -> (u32, u32) {
    let i = text.find(needle).expect("needle in text");
    let p = super::text::LineIndex::new(text).position(i);
    (p.line, p.character)
}

const VARS: &str = "variable \"region\" {\n  type        = string\n  default     = \"eu-west-1\"\n  description = \"Where to build.\"\n}\n\nvariable \"token\" {\n  default   = \"s3cr3t\"\n  sensitive = true\n}\n";
const BUILD: &str = "source \"null\" \"a\" {\n  communicator = \"none\"\n}\n\nbuild {\n  sources = [\"source.null.a\"]\n  provisioner \"shell-local\" {\n    inline = [\"echo ${var.region} ${var.token}\"]\n  }\n}\n";

fn folder() -> MemFs {
    let mut fs = MemFs::default();
    fs.insert("/t/vars.pkr.hcl", VARS);
    fs.insert("/t/build.pkr.hcl", BUILD);
    fs
}

#[test]
fn initialize_shutdown_exit() {
    let c = Client::start(MemFs::default());
    c.stop();
    // `exit` without `shutdown` is an unclean stop (exit status 1).
    let mut c = Client::start(MemFs::default());
    c.notify("exit", Json::Null);
    assert_eq!(c.server.take().expect("running").join().expect("no panic"), Ok(false));
}

#[test]
fn a_folder_is_one_template_and_diagnostics_are_validates() {
    let mut c = Client::start(folder());
    // Unsaved text: a typo in a reference; `var.region` is declared in a file that is not open.
    let text = BUILD.replace("${var.token}", "${var.tokn}");
    c.open("/t/build.pkr.hcl", &text);
    let diags = c.diagnostics("/t/build.pkr.hcl", Some(1));
    // The same diagnostics `forge validate --format json` reports on the same texts.
    let mut overlay_fs = folder();
    overlay_fs.insert("/t/build.pkr.hcl", text.as_str());
    let expected = crate::driver::validate(&overlay_fs, &["/t".to_string()], &crate::pipeline::Options::default());
    let report = crate::diag::render::json_report(&expected.db, &expected.diagnostics);
    let want = report["diagnostics"].as_array().expect("a list");
    assert_eq!(diags.len(), want.len(), "{diags:?}\n{want:?}");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let (d, w) = (&diags[0], &want[0]);
    assert_eq!(d.message, w["message"].as_str().unwrap());
    assert_eq!(d.code, Some(lsp_types::NumberOrString::String(w["code"].as_str().unwrap().into())));
    assert_eq!(d.severity, Some(lsp_types::DiagnosticSeverity::ERROR));
    assert_eq!(d.range.start.line as u64 + 1, w["start"]["line"].as_u64().unwrap());
    assert_eq!(d.range.start.character as u64 + 1, w["start"]["column"].as_u64().unwrap());
    assert_eq!(d.range.end.character as u64 + 1, w["end"]["column"].as_u64().unwrap());
    let related = d.related_information.as_ref().expect("the help as related information");
    assert!(related.iter().any(|r| r.message == "help: did you mean `var.token`?"), "{related:?}");
    // The sibling on disk gets its (empty) list too.
    assert!(c.diagnostics("/t/vars.pkr.hcl", None).is_empty());
    c.stop();
}

#[test]
fn edits_are_applied_in_utf16_and_the_latest_version_wins() {
    let mut c = Client::start(folder());
    let text = "# ünïcödé 😀\nlocals {\n  a = \"😀\" + var.nope\n}\n";
    c.open("/t/extra.pkr.hcl", text);
    let d = c.diagnostics("/t/extra.pkr.hcl", Some(1));
    assert_eq!(d.len(), 1, "{d:?}");
    // `var.nope` starts after `  a = "😀" + `: the emoji is two UTF-16 units.
    let (line, character) = pos(text, "var.nope");
    assert_eq!((d[0].range.start.line, d[0].range.start.character), (line, character));
    assert_eq!(character, 13);
    // Two quick edits: only the newest text's diagnostics are published for version 3.
    c.change("/t/extra.pkr.hcl", 2, json!([{"range": {"start": {"line": 2, "character": 17}, "end": {"line": 2, "character": 21}}, "text": "regin"}]));
    c.change("/t/extra.pkr.hcl", 3, json!([{"range": {"start": {"line": 2, "character": 17}, "end": {"line": 2, "character": 22}}, "text": "region"}]));
    let d = c.diagnostics("/t/extra.pkr.hcl", Some(3));
    // `"😀" + var.region` adds a string to a string: a type error, not an unknown name.
    assert!(d.iter().all(|d| !d.message.contains("region`")), "{d:?}");
    c.stop();
}

#[test]
fn cancelled_requests_are_answered_cancelled() {
    let hover = Request::new(
        RequestId::from(7),
        "textDocument/hover".into(),
        json!({"textDocument": {"uri": uri("/t/build.pkr.hcl")}, "position": {"line": 0, "character": 0}}),
    );
    let later = Request::new(
        RequestId::from(8),
        "textDocument/documentSymbol".into(),
        json!({"textDocument": {"uri": uri("/t/build.pkr.hcl")}}),
    );
    let before = vec![
        initialize(),
        initialized(),
        Message::Request(hover),
        Message::Request(later),
        notification("$/cancelRequest", json!({"id": 7})),
    ];
    let mut c = Client::start_with(folder(), before);
    let m = c.wait(|m| matches!(m, Message::Response(r) if r.id == RequestId::from(7)));
    let Message::Response(r) = m else { unreachable!() };
    assert_eq!(r.response_result.map_err(|e| e.code), Err(lsp_server::ErrorCode::RequestCanceled as i32));
    // The request after it is still answered.
    let m = c.wait(|m| matches!(m, Message::Response(r) if r.id == RequestId::from(8)));
    assert!(matches!(m, Message::Response(Response { response_result: Ok(_), .. })));
    c.stop();
}

#[test]
fn auto_var_files_apply_and_var_files_get_diagnostics() {
    let mut fs = folder();
    fs.insert("/t/x.auto.pkrvars.hcl", "regon = \"us-east-1\"\n");
    let mut c = Client::start(fs);
    c.open("/t/build.pkr.hcl", BUILD);
    let d = c.diagnostics("/t/x.auto.pkrvars.hcl", None);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].severity, Some(lsp_types::DiagnosticSeverity::WARNING));
    assert_eq!(d[0].code, Some(lsp_types::NumberOrString::String("F2001".into())));
    c.stop();
}

#[test]
fn a_file_that_does_not_parse_gets_one_error_and_still_completes() {
    let mut c = Client::start(folder());
    let text = "source \"null\" \"b\" {\n  \n";
    c.open("/t/new.pkr.hcl", text);
    let d = c.diagnostics("/t/new.pkr.hcl", Some(1));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Some(lsp_types::NumberOrString::String("F1001".into())));
    let items = c.at("textDocument/completion", "/t/new.pkr.hcl", 1, 2);
    let l = labels(&items);
    assert!(l.contains(&"communicator".to_string()), "{l:?}");
    // Formatting leaves it alone.
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri("/t/new.pkr.hcl")}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, Json::Null);
    c.stop();
}

#[test]
fn completion_in_hcl() {
    let mut c = Client::start(folder());
    let text =
        "source \"file\" \"f\" {\n  content = \"x\"\n  \n}\nsource \"\" \"g\" {}\nlocals {\n  a = var.\n  b = up\n}\n";
    c.open("/t/c.pkr.hcl", text);
    // Inside a component: its arguments from the schema, required first, set ones left out.
    let items = c.at("textDocument/completion", "/t/c.pkr.hcl", 2, 2);
    let l = labels(&items);
    assert!(!l.contains(&"content".to_string()), "{l:?}");
    assert_eq!(l.first().map(String::as_str), Some("target"), "required first: {l:?}");
    let target = &items.as_array().unwrap()[0];
    assert!(target["detail"].as_str().unwrap().contains("required"), "{target}");
    // Component types after `source "`.
    let l = labels(&c.at("textDocument/completion", "/t/c.pkr.hcl", 4, 8));
    assert!(l.contains(&"amazon-ebs".to_string()) && l.contains(&"null".to_string()), "{l:?}");
    // `var.` members come from every file of the folder.
    let l = labels(&c.at("textDocument/completion", "/t/c.pkr.hcl", 6, 10));
    assert_eq!(l, ["region", "token"]);
    // Functions in expressions.
    let items = c.at("textDocument/completion", "/t/c.pkr.hcl", 7, 8);
    let upper = items.as_array().unwrap().iter().find(|i| i["label"] == "upper").expect("upper");
    assert_eq!(upper["detail"], "upper(…): 1 argument");
    // Top-level block types.
    c.change("/t/c.pkr.hcl", 2, json!([{"text": "va"}]));
    let l = labels(&c.at("textDocument/completion", "/t/c.pkr.hcl", 0, 2));
    assert!(l.contains(&"variable".to_string()) && l.contains(&"build".to_string()), "{l:?}");
    c.stop();
}

#[test]
fn completion_in_json_and_toml() {
    let mut fs = MemFs::default();
    fs.insert("/j/t.json", "{\"builders\": [{\"type\": \"null\"}]}");
    fs.insert("/k/a.pkr.toml", "");
    let mut c = Client::start(fs);
    let legacy = "{\n  \"variables\": {\"who\": \"me\"},\n  \"builders\": [{\"type\": \"file\", \"content\": \"{{user `\", \"\"}],\n  \"provisioners\": [{\"type\": \"\"}]\n}\n";
    // The last text that parsed gives the names while the user types a broken one.
    c.open("/j/t.json", "{\"variables\": {\"who\": \"me\"}, \"builders\": [{\"type\": \"null\"}]}");
    let _ = c.diagnostics("/j/t.json", Some(1));
    c.change("/j/t.json", 2, json!([{"text": legacy}]));
    let (line, ch) = pos(legacy, "`\"");
    let l = labels(&c.at("textDocument/completion", "/j/t.json", line, ch + 1));
    assert_eq!(l, ["who"]);
    let (line, ch) = pos(legacy, "\"\"}],");
    let l = labels(&c.at("textDocument/completion", "/j/t.json", line, ch + 1));
    assert!(l.contains(&"target".to_string()) && !l.contains(&"content".to_string()), "{l:?}");
    let (line, ch) = pos(legacy, "\"\"}]\n}");
    let l = labels(&c.at("textDocument/completion", "/j/t.json", line, ch + 1));
    assert!(l.contains(&"shell-local".to_string()), "{l:?}");

    let toml = "[source.file.f]\ncontent = \"x\"\n\n[[build.provisioner]]\ntype = \"shell-local\"\n\n";
    c.open("/k/a.pkr.toml", toml);
    let l = labels(&c.at("textDocument/completion", "/k/a.pkr.toml", 2, 0));
    assert!(l.contains(&"target".to_string()) && !l.contains(&"content".to_string()), "{l:?}");
    let l = labels(&c.at("textDocument/completion", "/k/a.pkr.toml", 5, 0));
    assert!(l.contains(&"inline".to_string()) && l.contains(&"only".to_string()), "{l:?}");
    c.stop();
}

#[test]
fn hover_shows_schema_docs_variables_and_functions() {
    let mut c = Client::start(folder());
    c.open("/t/build.pkr.hcl", BUILD);
    let (line, ch) = pos(BUILD, "communicator");
    let h = c.at("textDocument/hover", "/t/build.pkr.hcl", line, ch + 2);
    let text = h["contents"]["value"].as_str().expect("markdown").to_string();
    assert!(text.starts_with("**communicator**"), "{text}");
    let (line, ch) = pos(BUILD, "var.region");
    let h = c.at("textDocument/hover", "/t/build.pkr.hcl", line, ch + 5);
    let text = h["contents"]["value"].as_str().unwrap().to_string();
    assert!(text.contains("eu-west-1") && text.contains("Where to build."), "{text}");
    let (line, ch) = pos(BUILD, "var.token");
    let h = c.at("textDocument/hover", "/t/build.pkr.hcl", line, ch + 5);
    let text = h["contents"]["value"].as_str().unwrap().to_string();
    assert!(text.contains("<sensitive>") && !text.contains("s3cr3t"), "{text}");
    let (line, ch) = pos(BUILD, "\"null\"");
    let h = c.at("textDocument/hover", "/t/build.pkr.hcl", line, ch + 2);
    assert!(h["contents"]["value"].as_str().unwrap().starts_with("builder `null`"), "{h}");
    c.change(
        "/t/build.pkr.hcl",
        2,
        json!([{"text": "locals {\n  a = upper(\"x\")\n  b = local.a\n  c = var.token\n}\n"}]),
    );
    let h = c.at("textDocument/hover", "/t/build.pkr.hcl", 1, 7);
    assert!(h["contents"]["value"].as_str().unwrap().starts_with("`upper(…)"), "{h}");
    // A local: its expression and its value; a sensitive value stays masked.
    let h = c.at("textDocument/hover", "/t/build.pkr.hcl", 2, 13);
    assert_eq!(h["contents"]["value"], "local `a` = `upper(\"x\")`\n\nvalue: `\"X\"`");
    let h = c.at("textDocument/hover", "/t/build.pkr.hcl", 3, 3);
    assert_eq!(h["contents"]["value"], "local `c` = `var.token`\n\nvalue: `<sensitive>`");
    c.stop();
}

#[test]
fn definition_references_and_rename_across_the_folder() {
    let mut c = Client::start(folder());
    c.open("/t/build.pkr.hcl", BUILD);
    let (line, ch) = pos(BUILD, "var.region");
    let def = c.at("textDocument/definition", "/t/build.pkr.hcl", line, ch + 5);
    assert_eq!(def["uri"], json!(uri("/t/vars.pkr.hcl")));
    let (vl, vc) = pos(VARS, "region");
    assert_eq!(def["range"]["start"], json!({"line": vl, "character": vc}));
    assert_eq!(def["range"]["end"], json!({"line": vl, "character": vc + 6}));
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri("/t/vars.pkr.hcl")}, "position": {"line": vl, "character": vc}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 2, "{refs}");
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri("/t/build.pkr.hcl")}, "position": {"line": line, "character": ch + 5}, "newName": "zone"}),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2, "{edit}");
    let in_build = &changes[uri("/t/build.pkr.hcl").as_str()][0];
    assert_eq!(in_build["newText"], "zone");
    assert_eq!(in_build["range"]["start"]["character"], ch + 4);
    // A source used in `sources`.
    let (line, ch) = pos(BUILD, "source.null.a");
    let def = c.at("textDocument/definition", "/t/build.pkr.hcl", line, ch + 3);
    assert_eq!(def["range"]["start"], json!({"line": 0, "character": 15}));
    c.stop();
}

#[test]
fn symbols_formatting_and_quick_fixes() {
    let mut c = Client::start(folder());
    c.open("/t/build.pkr.hcl", BUILD);
    let s = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri("/t/build.pkr.hcl")}}));
    let names: Vec<&str> = s.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["source.null.a", "build #1"]);
    assert_eq!(s[1]["children"][0]["name"], "provisioner \"shell-local\"");

    let messy = "source \"null\" \"a\" {\ncommunicator=\"none\"\n}\n";
    c.change("/t/build.pkr.hcl", 2, json!([{"text": messy}]));
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri("/t/build.pkr.hcl")}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let want = crate::driver::format_text(crate::source::FileId(0), messy, crate::ir::Origin::Hcl).unwrap();
    assert_eq!(edits[0]["newText"], want);

    let typo = "source \"null\" \"a\" {\n  comunicator = \"none\"\n}\n";
    c.change("/t/build.pkr.hcl", 3, json!([{"text": typo}]));
    let d = c.diagnostics("/t/build.pkr.hcl", Some(3));
    assert!(!d.is_empty());
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri("/t/build.pkr.hcl")}, "range": {"start": {"line": 1, "character": 3}, "end": {"line": 1, "character": 3}}, "context": {"diagnostics": []}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["title"], "Change to `communicator`", "{actions}");
    let edit = &fix["edit"]["changes"][uri("/t/build.pkr.hcl").as_str()][0];
    assert_eq!(edit["range"], json!({"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 13}}));
    c.stop();
}

#[test]
fn legacy_json_and_toml_templates_get_diagnostics() {
    let mut fs = MemFs::default();
    fs.insert("/j/t.json", "");
    fs.insert("/k/a.pkr.toml", "");
    fs.insert("/j/package.json", "{\"name\": \"x\"}");
    let mut c = Client::start(fs);
    c.open(
        "/j/t.json",
        "{\"builders\": [{\"type\": \"null\", \"communicator\": \"none\", \"x\": \"{{user `nope`}}\"}]}",
    );
    let d = c.diagnostics("/j/t.json", Some(1));
    assert!(!d.is_empty(), "{d:?}");
    c.open("/k/a.pkr.toml", "[source.null.a]\ncomunicator = \"none\"\n");
    let d = c.diagnostics("/k/a.pkr.toml", Some(1));
    let typo = d.iter().find(|d| d.message == "unknown argument `comunicator`").expect("the typo is reported");
    assert_eq!((typo.range.start.line, typo.range.start.character, typo.range.end.character), (1, 0, 11));
    // A JSON file that is not a template is not analysed.
    c.open("/j/package.json", "{\"name\": \"x\"}");
    let _ = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri("/j/package.json")}}));
    assert!(!c.published.iter().any(|p| p.uri == uri("/j/package.json")));
    c.stop();
}

#[test]
fn semantic_tokens_and_workspace_symbols() {
    let mut c = Client::start(folder());
    c.open("/t/build.pkr.hcl", BUILD);
    let t = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri("/t/build.pkr.hcl")}}));
    let data = t["data"].as_array().expect("tokens");
    // The first token is `source` (a keyword) at 0:0, six characters long.
    assert_eq!(data[..5], [json!(0), json!(0), json!(6), json!(0), json!(0)]);
    let s = c.request("workspace/symbol", json!({"query": "region"}));
    let names: Vec<&str> = s.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["var.region"]);
    assert_eq!(s[0]["location"]["uri"], json!(uri("/t/vars.pkr.hcl")));
    c.stop();
}

#[test]
fn a_quick_fix_adds_the_missing_required_arguments() {
    let mut fs = folder();
    fs.insert("/k/a.pkr.toml", "");
    let mut c = Client::start(fs);
    let hcl = "source \"file\" \"f\" {\n  content = \"x\"\n}\n";
    c.open("/t/build.pkr.hcl", hcl);
    let action = |c: &mut Client, path: &str| {
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(path)}, "range": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 9}}, "context": {"diagnostics": []}}),
        );
        let fix = actions
            .as_array()
            .expect("actions")
            .iter()
            .find(|a| a["title"] == "Add the missing required arguments")
            .cloned()
            .unwrap_or_else(|| panic!("no fix in {actions}"));
        fix["edit"]["changes"][uri(path).as_str()][0].clone()
    };
    let edit = action(&mut c, "/t/build.pkr.hcl");
    assert_eq!(edit["newText"], "  target = \"\"\n");
    assert_eq!(edit["range"]["start"], json!({"line": 1, "character": 0}));
    c.open("/k/a.pkr.toml", "[source.file.f]\ncontent = \"x\"\n");
    let edit = action(&mut c, "/k/a.pkr.toml");
    assert_eq!(edit["newText"], "target = \"\"\n");
    assert_eq!(edit["range"]["start"], json!({"line": 1, "character": 0}));
    c.stop();
}
