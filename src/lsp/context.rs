//! What the cursor is in, read from the text alone (so it works while the user is typing and
//! the file does not parse): the enclosing block (a component of a given type, `build`,
//! `variable`…), the keys already set in it, and whether the cursor is at a key, a value, a
//! component type, a reference (`var.`, `local.`…) or an expression. One small scanner per
//! syntax (HCL, TOML, JSON) feeds one [`Context`].

use crate::component::registry::ComponentKind;

/// The block the cursor is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The top level of a template.
    Top,
    /// A `build` block.
    Build,
    /// A `variable` block.
    Variable,
    /// A `packer` block.
    Packer,
    /// A component of a type (the type may be unknown or empty while typing).
    Component(ComponentKind, String),
    /// Anything else (`locals`, objects, nested blocks of a component).
    Other,
}

/// What may be written at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A key (argument or block name) of a block; `set` are the keys it already has.
    Key { block: Block, set: Vec<String> },
    /// A component type (`source "▮`, `"type": "▮`).
    ComponentType(ComponentKind),
    /// The value of `key` of a block.
    Value { block: Block, key: String },
    /// The members after a reference's dots: `["var"]`, `["data", "http"]`…
    Members(Vec<String>),
    /// A source reference inside `sources = [...]`.
    SourceRef,
    /// A legacy `{{user `▮` name.
    UserVar,
    /// An expression: function names and reference roots.
    Expression,
    /// Nothing to offer (a comment, a literal).
    Nothing,
}

/// The cursor's place and the start of the word it is completing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// What may be written.
    pub place: Place,
    /// Byte offset where the word being typed starts (the completion replaces from there).
    pub word_start: usize,
    /// Whether a key must be written quoted (JSON keys, where the cursor is not in a string yet).
    pub quote_key: bool,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The start of the word that ends at `offset` (letters, digits, `_`, `-`).
fn word_start(text: &str, offset: usize) -> usize {
    text[..offset].char_indices().rev().take_while(|&(_, c)| is_word(c)).last().map_or(offset, |(i, _)| i)
}

/// `var.`, `local.x.`, `data.http.` before the word being typed: the reference's segments.
fn reference_before(text: &str, word: usize) -> Option<Vec<String>> {
    let before = &text[..word];
    if !before.ends_with('.') {
        return None;
    }
    let chain_start = before.char_indices().rev().take_while(|&(_, c)| is_word(c) || c == '.').last()?.0;
    let chain = &before[chain_start..before.len() - 1];
    let segments: Vec<String> = chain.split('.').map(str::to_string).collect();
    let root = segments.first()?;
    matches!(root.as_str(), "var" | "local" | "source" | "data" | "path" | "build").then_some(segments)
}

/// The block a component header names: `source "TYPE" "NAME"` and friends.
fn block_of(keyword: &str, labels: &[String], in_build: bool) -> Block {
    let first = labels.first().cloned().unwrap_or_default();
    match keyword {
        "build" => Block::Build,
        "variable" => Block::Variable,
        "packer" => Block::Packer,
        "source" if in_build => {
            // `source "source.TYPE.NAME" { ... }` inside a build sets arguments of that source.
            let ty = first.strip_prefix("source.").unwrap_or(&first).split('.').next().unwrap_or("").to_string();
            Block::Component(ComponentKind::Builder, ty)
        }
        "source" => Block::Component(ComponentKind::Builder, first),
        "data" => Block::Component(ComponentKind::DataSource, first),
        "provisioner" | "error-cleanup-provisioner" => Block::Component(ComponentKind::Provisioner, first),
        "post-processor" => Block::Component(ComponentKind::PostProcessor, first),
        _ => Block::Other,
    }
}

/// The component kind a block keyword's first label names.
fn label_kind(keyword: &str) -> Option<ComponentKind> {
    match keyword {
        "source" => Some(ComponentKind::Builder),
        "data" => Some(ComponentKind::DataSource),
        "provisioner" | "error-cleanup-provisioner" => Some(ComponentKind::Provisioner),
        "post-processor" => Some(ComponentKind::PostProcessor),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// HCL

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Eq,
    Other,
}

#[derive(Debug, Clone)]
struct Frame {
    block: Block,
    keys: Vec<String>,
    is_block: bool,
    // The bracket depth when the frame opened: a new line at this depth ends a statement.
    depth: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Code,
    Str,
    Interp(usize),
}

struct Snapshot {
    frames: Vec<usize>,
    statement: Vec<Tok>,
    mode: Mode,
    in_comment: bool,
}

/// The context of `offset` in an HCL text.
pub fn hcl(text: &str, offset: usize) -> Context {
    let offset = offset.min(text.len());
    let mut frames = vec![Frame { block: Block::Top, keys: Vec::new(), is_block: true, depth: 0 }];
    let mut open: Vec<usize> = vec![0];
    let mut modes: Vec<Mode> = vec![Mode::Code];
    let mut statement: Vec<Tok> = Vec::new();
    let mut depth = 0usize;
    let mut snap: Option<Snapshot> = None;
    let mut current_str = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let take = |frames_open: &Vec<usize>, statement: &Vec<Tok>, mode: Mode, in_comment: bool, _depth: usize| Snapshot {
        frames: frames_open.clone(),
        statement: statement.clone(),
        mode,
        in_comment,
    };
    while i < bytes.len() {
        let mode = *modes.last().unwrap_or(&Mode::Code);
        if snap.is_none() && i >= offset {
            snap = Some(take(&open, &statement, mode, false, depth));
        }
        let c = bytes[i];
        match mode {
            Mode::Str => {
                match c {
                    b'\\' => i += 1,
                    b'"' => {
                        modes.pop();
                        if modes.len() == 1 {
                            statement.push(Tok::Str(std::mem::take(&mut current_str)));
                        }
                    }
                    b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                        modes.push(Mode::Interp(0));
                        i += 1;
                    }
                    b'\n' => {
                        // An unterminated string ends at the line end.
                        modes.pop();
                        continue;
                    }
                    _ => {
                        if modes.len() == 2 {
                            current_str.push(char::from(c));
                        }
                    }
                }
                i += 1;
            }
            Mode::Code | Mode::Interp(_) => {
                // Comments.
                if c == b'#' || (c == b'/' && bytes.get(i + 1) == Some(&b'/')) {
                    let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
                    if snap.is_none() && offset > i && offset <= end {
                        snap = Some(take(&open, &statement, mode, true, depth));
                    }
                    i = end;
                    continue;
                }
                if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
                    let end = text[i + 2..].find("*/").map_or(text.len(), |e| i + 2 + e + 2);
                    if snap.is_none() && offset > i && offset < end {
                        snap = Some(take(&open, &statement, mode, true, depth));
                    }
                    i = end;
                    continue;
                }
                if c == b'<' && bytes.get(i + 1) == Some(&b'<') {
                    // A heredoc: skip to its closing marker.
                    let rest = &text[i + 2..];
                    let rest = rest.strip_prefix('-').unwrap_or(rest);
                    let marker: String = rest.chars().take_while(|&c| is_word(c)).collect();
                    if !marker.is_empty() {
                        let body_start = text[i..].find('\n').map_or(text.len(), |e| i + e + 1);
                        let mut end = text.len();
                        let mut pos = body_start;
                        for line in text[body_start..].split_inclusive('\n') {
                            if line.trim() == marker {
                                // The line end after the marker ends the statement.
                                end = pos + line.trim_end_matches(['\n', '\r']).len();
                                break;
                            }
                            pos += line.len();
                        }
                        if snap.is_none() && offset > i && offset < end {
                            snap = Some(take(&open, &statement, Mode::Str, false, depth));
                        }
                        statement.push(Tok::Other);
                        i = end;
                        continue;
                    }
                }
                if (c as char).is_ascii_alphabetic() || c == b'_' {
                    let start = i;
                    while i < bytes.len() && is_word(char::from(bytes[i])) {
                        i += 1;
                    }
                    if snap.is_none() && offset > start && offset <= i {
                        snap = Some(take(&open, &statement, mode, false, depth));
                    }
                    if mode == Mode::Code {
                        statement.push(Tok::Ident(text[start..i].to_string()));
                    }
                    continue;
                }
                match c {
                    b'"' => {
                        modes.push(Mode::Str);
                        current_str.clear();
                    }
                    b'{' => {
                        if let Mode::Interp(n) = mode {
                            // `mode` is the top of `modes`, so there is one to update.
                            if let Some(top) = modes.last_mut() {
                                *top = Mode::Interp(n + 1);
                            }
                        } else {
                            let in_build = open.iter().any(|&f| frames[f].block == Block::Build);
                            let parent = *open.last().unwrap_or(&0);
                            let header = match statement.split_first() {
                                Some((Tok::Ident(k), rest))
                                    if frames[parent].is_block
                                        && rest.iter().all(|t| matches!(t, Tok::Str(_) | Tok::Ident(_))) =>
                                {
                                    let labels: Vec<String> = rest
                                        .iter()
                                        .map(|t| match t {
                                            Tok::Str(s) | Tok::Ident(s) => s.clone(),
                                            _ => String::new(),
                                        })
                                        .collect();
                                    Some((k.clone(), labels))
                                }
                                _ => None,
                            };
                            let frame = match header {
                                Some((k, labels)) => {
                                    frames[parent].keys.push(k.clone());
                                    Frame {
                                        block: block_of(&k, &labels, in_build),
                                        keys: Vec::new(),
                                        is_block: true,
                                        depth,
                                    }
                                }
                                None => Frame { block: Block::Other, keys: Vec::new(), is_block: false, depth },
                            };
                            frames.push(frame);
                            open.push(frames.len() - 1);
                            statement.clear();
                        }
                    }
                    b'}' => match mode {
                        Mode::Interp(0) => {
                            modes.pop();
                        }
                        Mode::Interp(n) => {
                            if let Some(top) = modes.last_mut() {
                                *top = Mode::Interp(n - 1);
                            }
                        }
                        _ => {
                            if open.len() > 1 {
                                open.pop();
                            }
                            statement.clear();
                            statement.push(Tok::Other);
                        }
                    },
                    b'(' | b'[' => {
                        depth += 1;
                        if mode == Mode::Code {
                            statement.push(Tok::Other);
                        }
                    }
                    b')' | b']' => {
                        depth = depth.saturating_sub(1);
                    }
                    b'=' if mode == Mode::Code => {
                        let next = bytes.get(i + 1);
                        let prev = i.checked_sub(1).map(|p| bytes[p]);
                        if next != Some(&b'=') && !matches!(prev, Some(b'=' | b'!' | b'<' | b'>')) {
                            if let [Tok::Ident(k)] = statement.as_slice() {
                                let f = *open.last().unwrap_or(&0);
                                frames[f].keys.push(k.clone());
                            }
                            statement.push(Tok::Eq);
                        } else {
                            statement.push(Tok::Other);
                        }
                    }
                    b'\n' if mode == Mode::Code => {
                        let f = *open.last().unwrap_or(&0);
                        if depth <= frames[f].depth {
                            statement.clear();
                        }
                    }
                    b' ' | b'\t' | b'\r' => {}
                    _ => {
                        if mode == Mode::Code {
                            statement.push(Tok::Other);
                        }
                    }
                }
                i += 1;
            }
        }
    }
    let mode = *modes.last().unwrap_or(&Mode::Code);
    let snap = snap.unwrap_or_else(|| take(&open, &statement, mode, false, depth));
    let word = word_start(text, offset);
    let ctx = |place| Context { place, word_start: word, quote_key: false };
    if snap.in_comment {
        return ctx(Place::Nothing);
    }
    let frame = &frames[*snap.frames.last().unwrap_or(&0)];
    let in_build = snap.frames.iter().any(|&f| frames[f].block == Block::Build);
    match snap.mode {
        Mode::Str => {
            let quote = text[..offset].rfind('"').map_or(word, |q| q + 1);
            let at = |place| Context { place, word_start: quote, quote_key: false };
            match snap.statement.as_slice() {
                [Tok::Ident(k)] if frame.is_block => match label_kind(k) {
                    Some(kind) if !(in_build && k == "source") => at(Place::ComponentType(kind)),
                    _ if k == "source" => at(Place::SourceRef),
                    _ => at(Place::Nothing),
                },
                [Tok::Ident(k), Tok::Eq, rest @ ..] if k == "sources" && frame.block == Block::Build => {
                    let _ = rest;
                    at(Place::SourceRef)
                }
                [Tok::Ident(k), Tok::Eq] => at(Place::Value { block: frame.block.clone(), key: k.clone() }),
                _ => at(Place::Nothing),
            }
        }
        Mode::Interp(_) => match reference_before(text, word) {
            Some(segments) => ctx(Place::Members(segments)),
            None => ctx(Place::Expression),
        },
        Mode::Code => {
            if let Some(segments) = reference_before(text, word) {
                return ctx(Place::Members(segments));
            }
            if snap.statement.is_empty() && frame.is_block {
                return ctx(Place::Key { block: frame.block.clone(), set: frame.keys.clone() });
            }
            match snap.statement.as_slice() {
                [Tok::Ident(k), Tok::Eq] => ctx(Place::Value { block: frame.block.clone(), key: k.clone() }),
                s if s.contains(&Tok::Eq) || !frame.is_block => ctx(Place::Expression),
                _ => ctx(Place::Nothing),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TOML

fn toml_header(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    let inner =
        t.strip_prefix("[[").and_then(|r| r.split("]]").next()).or_else(|| t.strip_prefix('[')?.split(']').next())?;
    Some(inner.split('.').map(|s| s.trim().trim_matches('"').to_string()).collect())
}

fn toml_key(line: &str) -> Option<String> {
    let (k, _) = line.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty() && k.chars().all(|c| is_word(c) || c == '.')).then(|| k.to_string())
}

/// The context of `offset` in a TOML text.
pub fn toml(text: &str, offset: usize) -> Context {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    // The section: from the last header above the cursor to the next header.
    let mut header: Vec<String> = Vec::new();
    let mut section_start = 0;
    let mut pos = 0;
    for line in text[..line_start].split_inclusive('\n') {
        if let Some(h) = toml_header(line) {
            header = h;
            section_start = pos + line.len();
        }
        pos += line.len();
    }
    let mut keys = Vec::new();
    let mut type_value = String::new();
    for line in text[section_start..].split_inclusive('\n').filter(|l| !l.trim_start().starts_with('#')) {
        if toml_header(line).is_some() && !line.trim().starts_with("[\"") {
            break;
        }
        if let Some(k) = toml_key(line) {
            if k == "type" {
                type_value =
                    line.split_once('=').map(|(_, v)| v.trim().trim_matches('"').to_string()).unwrap_or_default();
            }
            keys.push(k);
        }
    }
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let block = match h.as_slice() {
        [] => Block::Top,
        ["source", ty, ..] => Block::Component(ComponentKind::Builder, (*ty).to_string()),
        ["data", ty, ..] => Block::Component(ComponentKind::DataSource, (*ty).to_string()),
        ["variable", _] => Block::Variable,
        ["packer"] => Block::Packer,
        ["build"] => Block::Build,
        [.., "provisioner" | "error-cleanup-provisioner"] => Block::Component(ComponentKind::Provisioner, type_value),
        [.., "post-processor"] => Block::Component(ComponentKind::PostProcessor, type_value),
        _ => Block::Other,
    };
    let word = word_start(text, offset);
    let ctx = |place| Context { place, word_start: word, quote_key: false };
    if let Some(header) = prefix.trim_start().strip_prefix('[') {
        // `[source.▮` and `[data.▮`: a component type; `[[build.provisioner]]` names its type
        // in a `type` key instead.
        let header = header.trim_start_matches('[');
        let kind = match header.split('.').collect::<Vec<_>>().as_slice() {
            ["source", ty] if ty.chars().all(is_word) => Some(ComponentKind::Builder),
            ["data", ty] if ty.chars().all(is_word) => Some(ComponentKind::DataSource),
            _ => None,
        };
        return ctx(kind.map_or(Place::Nothing, Place::ComponentType));
    }
    if prefix.trim_start().starts_with('#') {
        return ctx(Place::Nothing);
    }
    let quotes = prefix.matches('"').count() - prefix.matches("\\\"").count();
    let in_string = quotes % 2 == 1;
    if let Some(segments) = reference_before(text, word) {
        if in_string && prefix.contains("${") {
            return ctx(Place::Members(segments));
        }
    }
    let key = prefix.split_once('=').map(|(k, _)| k.trim().trim_matches('"').to_string());
    match key {
        None if prefix[..word - line_start].trim().is_empty() => ctx(Place::Key { block, set: keys }),
        None => ctx(Place::Nothing),
        Some(k) if in_string => {
            let quote = text[..offset].rfind('"').map_or(word, |q| q + 1);
            let at = |place| Context { place, word_start: quote, quote_key: false };
            let open_interp = prefix.rfind("${").is_some_and(|i| !prefix[i..].contains('}'));
            if open_interp {
                return ctx(Place::Expression);
            }
            match (&block, k.as_str()) {
                (Block::Component(kind, _), "type") => at(Place::ComponentType(*kind)),
                (Block::Build, "sources") => at(Place::SourceRef),
                _ => at(Place::Value { block, key: k }),
            }
        }
        Some(_) => ctx(Place::Nothing),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

#[derive(Debug, Clone)]
struct JObj {
    path: Vec<String>,
    keys: Vec<String>,
    type_value: String,
}

#[derive(Debug, Clone)]
enum JFrame {
    Obj { id: usize, key: Option<String>, expect_key: bool },
    Arr { index: usize },
}

/// The context of `offset` in a JSON text; `legacy` for Packer's legacy templates.
pub fn json(text: &str, offset: usize, legacy: bool) -> Context {
    let offset = offset.min(text.len());
    let bytes = text.as_bytes();
    let mut objs: Vec<JObj> = Vec::new();
    let mut stack: Vec<JFrame> = Vec::new();
    let mut snap: Option<(Vec<JFrame>, Option<(usize, bool)>)> = None;
    let path_of = |stack: &Vec<JFrame>| -> Vec<String> {
        stack
            .iter()
            .filter_map(|f| match f {
                JFrame::Obj { key, .. } => key.clone(),
                JFrame::Arr { index } => Some(index.to_string()),
            })
            .collect()
    };
    let mut last_key_is_type = false;
    let mut i = 0;
    while i < bytes.len() {
        if snap.is_none() && i >= offset {
            snap = Some((stack.clone(), None));
        }
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = i.min(bytes.len());
                let value = text.get(start + 1..end).unwrap_or("").to_string();
                let is_key = matches!(stack.last(), Some(JFrame::Obj { expect_key: true, .. }));
                if snap.is_none() && offset > start && offset <= end {
                    snap = Some((stack.clone(), Some((start + 1, is_key))));
                }
                if let Some(JFrame::Obj { id, key, expect_key }) = stack.last_mut() {
                    if *expect_key {
                        objs[*id].keys.push(value.clone());
                        last_key_is_type = value == "type";
                        *key = Some(value);
                        *expect_key = false;
                    } else if last_key_is_type {
                        objs[*id].type_value = value;
                        last_key_is_type = false;
                    }
                }
            }
            b'{' => {
                let path = path_of(&stack);
                objs.push(JObj { path, keys: Vec::new(), type_value: String::new() });
                stack.push(JFrame::Obj { id: objs.len() - 1, key: None, expect_key: true });
            }
            b'[' => stack.push(JFrame::Arr { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(JFrame::Obj { key, expect_key, .. }) => {
                    *key = None;
                    *expect_key = true;
                }
                Some(JFrame::Arr { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let (stack, in_string) = snap.unwrap_or((stack, None));
    let word = word_start(text, offset);
    let ctx = |place, start, quote_key| Context { place, word_start: start, quote_key };
    let Some(JFrame::Obj { id, key, expect_key }) = stack.last().cloned() else {
        return match in_string {
            Some((start, _)) => string_value(text, offset, start, legacy, None, word),
            None => ctx(Place::Nothing, word, false),
        };
    };
    let obj = &objs[id];
    let path: Vec<&str> = obj.path.iter().map(String::as_str).collect();
    let block = json_block(&path, &obj.type_value, legacy);
    match in_string {
        Some((start, true)) => ctx(Place::Key { block, set: obj.keys.clone() }, start, false),
        None if expect_key => ctx(Place::Key { block, set: obj.keys.clone() }, word, true),
        Some((start, false)) => {
            let key = key.unwrap_or_default();
            if key == "type" {
                if let Block::Component(kind, _) = block {
                    return ctx(Place::ComponentType(kind), start, false);
                }
            }
            string_value(text, offset, start, legacy, Some((block, key)), word)
        }
        None => ctx(Place::Nothing, word, false),
    }
}

fn string_value(
    text: &str,
    offset: usize,
    start: usize,
    legacy: bool,
    key: Option<(Block, String)>,
    word: usize,
) -> Context {
    let inside = &text[start..offset];
    let ctx = |place, s| Context { place, word_start: s, quote_key: false };
    if legacy {
        if let Some(i) = inside.rfind("{{") {
            if !inside[i..].contains("}}") {
                let action = inside[i + 2..].trim_start();
                if action.starts_with("user `") && !action["user `".len()..].contains('`') {
                    return ctx(Place::UserVar, word);
                }
                return ctx(Place::Nothing, word);
            }
        }
    } else if let Some(i) = inside.rfind("${") {
        if !inside[i..].contains('}') {
            return match reference_before(text, word) {
                Some(segments) => ctx(Place::Members(segments), word),
                None => ctx(Place::Expression, word),
            };
        }
    }
    match key {
        Some((Block::Build, k)) if k == "sources" => ctx(Place::SourceRef, start),
        Some((block, key)) => ctx(Place::Value { block, key }, start),
        None => ctx(Place::Nothing, word),
    }
}

fn json_block(path: &[&str], type_value: &str, legacy: bool) -> Block {
    // Array indices say nothing about the block.
    let path: Vec<&str> = path.iter().copied().filter(|s| s.parse::<usize>().is_err()).collect();
    let component = |kind| Block::Component(kind, type_value.to_string());
    if legacy {
        return match path.as_slice() {
            [] => Block::Top,
            ["builders"] => component(ComponentKind::Builder),
            ["provisioners"] => component(ComponentKind::Provisioner),
            ["post-processors"] => component(ComponentKind::PostProcessor),
            _ => Block::Other,
        };
    }
    match path.as_slice() {
        [] => Block::Top,
        ["source", ty, _] => Block::Component(ComponentKind::Builder, (*ty).to_string()),
        ["data", ty, _] => Block::Component(ComponentKind::DataSource, (*ty).to_string()),
        ["variable", _] => Block::Variable,
        ["packer"] => Block::Packer,
        ["build"] => Block::Build,
        [.., "provisioner" | "error-cleanup-provisioner", ty] => {
            Block::Component(ComponentKind::Provisioner, (*ty).to_string())
        }
        [.., "post-processor", ty] => Block::Component(ComponentKind::PostProcessor, (*ty).to_string()),
        _ => Block::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> (String, usize) {
        let i = text.find('▮').expect("a cursor");
        (text.replace('▮', ""), i)
    }

    fn hcl_place(text: &str) -> Place {
        let (t, i) = at(text);
        hcl(&t, i).place
    }

    #[test]
    fn hcl_places() {
        assert_eq!(hcl_place("sou▮"), Place::Key { block: Block::Top, set: vec![] });
        assert_eq!(hcl_place("source \"am▮"), Place::ComponentType(ComponentKind::Builder));
        assert_eq!(
            hcl_place("source \"null\" \"a\" {\n  communicator = \"none\"\n  ▮\n}\n"),
            Place::Key {
                block: Block::Component(ComponentKind::Builder, "null".into()),
                set: vec!["communicator".into()]
            }
        );
        // The keys after the cursor count as set too, and the file need not parse.
        assert_eq!(
            hcl_place("build {\n  provisioner \"shell\" {\n    ▮\n    inline = [\n  }\n"),
            Place::Key {
                block: Block::Component(ComponentKind::Provisioner, "shell".into()),
                set: vec!["inline".into()]
            }
        );
        assert_eq!(hcl_place("build {\n  provisioner \"sh▮"), Place::ComponentType(ComponentKind::Provisioner));
        assert_eq!(hcl_place("locals {\n  a = var.▮\n}"), Place::Members(vec!["var".into()]));
        assert_eq!(
            hcl_place("locals {\n  a = \"${data.http.▮}\"\n}"),
            Place::Members(vec!["data".into(), "http".into()])
        );
        assert_eq!(hcl_place("locals {\n  a = up▮\n}"), Place::Value { block: Block::Other, key: "a".into() });
        assert_eq!(hcl_place("locals {\n  a = \"${up▮}\"\n}"), Place::Expression);
        assert_eq!(hcl_place("build {\n  sources = [\"source.null.a\", \"▮\"]\n}"), Place::SourceRef);
        assert_eq!(hcl_place("# source \"▮"), Place::Nothing);
        assert_eq!(
            hcl_place("source \"file\" \"a\" {\n  content = <<EOF\n  x { y\nEOF\n  ▮\n}"),
            Place::Key { block: Block::Component(ComponentKind::Builder, "file".into()), set: vec!["content".into()] }
        );
        assert_eq!(hcl_place("build {\n  ▮\n}"), Place::Key { block: Block::Build, set: vec![] });
    }

    #[test]
    fn toml_places() {
        let (t, i) = at("[source.null.a]\ncommunicator = \"none\"\n▮\n[[build]]\n");
        assert_eq!(
            toml(&t, i).place,
            Place::Key {
                block: Block::Component(ComponentKind::Builder, "null".into()),
                set: vec!["communicator".into()]
            }
        );
        let (t, i) = at("[[build.provisioner]]\ntype = \"shell\"\nin▮");
        assert_eq!(
            toml(&t, i).place,
            Place::Key {
                block: Block::Component(ComponentKind::Provisioner, "shell".into()),
                set: vec!["type".into()]
            }
        );
        let (t, i) = at("[[build.provisioner]]\ntype = \"sh▮\"");
        assert_eq!(toml(&t, i).place, Place::ComponentType(ComponentKind::Provisioner));
        let (t, i) = at("[source.am▮]");
        assert_eq!(toml(&t, i).place, Place::ComponentType(ComponentKind::Builder));
        let (t, i) = at("[data.▮");
        assert_eq!(toml(&t, i).place, Place::ComponentType(ComponentKind::DataSource));
        let (t, i) = at("[source.null.▮");
        assert_eq!(toml(&t, i).place, Place::Nothing);
        let (t, i) = at("[locals]\na = \"${var.▮}\"");
        assert_eq!(toml(&t, i).place, Place::Members(vec!["var".into()]));
    }

    #[test]
    fn json_places() {
        let (t, i) = at("{\"builders\": [{\"type\": \"null\", \"▮\"}]}");
        let c = json(&t, i, true);
        assert_eq!(
            c.place,
            Place::Key {
                block: Block::Component(ComponentKind::Builder, "null".into()),
                set: vec!["type".into(), "".into()]
            }
        );
        let (t, i) = at("{\"provisioners\": [{\"type\": \"sh▮\"}]}");
        assert_eq!(json(&t, i, true).place, Place::ComponentType(ComponentKind::Provisioner));
        let (t, i) = at("{\"builders\": [{\"type\": \"null\", \"x\": \"{{user `▮\"}]}");
        assert_eq!(json(&t, i, true).place, Place::UserVar);
        let (t, i) = at("{\"source\": {\"null\": {\"a\": {\n▮\n}}}}");
        let c = json(&t, i, false);
        assert_eq!(c.place, Place::Key { block: Block::Component(ComponentKind::Builder, "null".into()), set: vec![] });
        assert!(c.quote_key);
        let (t, i) = at("{\"locals\": {\"a\": \"${var.▮}\"}}");
        assert_eq!(json(&t, i, false).place, Place::Members(vec!["var".into()]));
    }
}
