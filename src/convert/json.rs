//! Writes [`Node`]s as HCL2's JSON syntax: blocks as objects keyed by type then labels (an array
//! when a type repeats, so order is kept), values as JSON where they are literal and as
//! `"${...}"` templates otherwise, comments as `"//"` keys.

use serde_json::{Map, Value};

use crate::convert::hcl::{expr, literal, number, parts_text};
use crate::convert::{DocBlock, Node};
use crate::diag::Diagnostic;
use crate::ir::{CallFlavor, Expr, ExprKind, TemplatePart};

/// The nodes as an HCL-JSON document.
pub fn write(nodes: &[Node], _diags: &mut [Diagnostic]) -> String {
    let v = Value::Object(body(nodes, false));
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn body(nodes: &[Node], in_variable: bool) -> Map<String, Value> {
    let mut map = Map::new();
    let mut comments: Vec<String> = Vec::new();
    let mut groups: Vec<(String, Vec<&DocBlock>)> = Vec::new();
    for n in nodes {
        match n {
            Node::Attr(k, v) if in_variable && k == "type" => {
                map.insert(k.clone(), Value::String(expr(v)));
            }
            Node::Attr(k, v) => {
                map.insert(k.clone(), value(v));
            }
            Node::Comment(lines) => comments.extend(lines.iter().cloned()),
            Node::Block(b) => match groups.iter_mut().find(|(k, _)| *k == b.kind) {
                Some((_, list)) => list.push(b),
                None => {
                    // Keeps the key's place in the object.
                    map.insert(b.kind.clone(), Value::Null);
                    groups.push((b.kind.clone(), vec![b]));
                }
            },
        }
    }
    for (k, list) in groups {
        let v = match (list.as_slice(), merged(&k, &list)) {
            ([single], _) => block(single),
            (_, Some(merged)) => merged,
            _ => Value::Array(list.iter().map(|b| block(b)).collect()),
        };
        map.insert(k, v);
    }
    if !comments.is_empty() {
        let mut with = Map::new();
        with.insert("//".into(), Value::String(comments.join("\n")));
        with.extend(map);
        return with;
    }
    map
}

/// Labelled blocks of one type as one object keyed by their labels (`"variable": {"a": {}, "b": {}}`),
/// when they have as many labels each and no two the same labels; the keys keep their order.
fn merged(kind: &str, blocks: &[&DocBlock]) -> Option<Value> {
    if matches!(kind, "provisioner" | "post-processor" | "post-processors") {
        return None;
    }
    let count = blocks.first()?.labels.len();
    if count == 0 || blocks.iter().any(|b| b.labels.len() != count) {
        return None;
    }
    let mut paths: Vec<&Vec<String>> = blocks.iter().map(|b| &b.labels).collect();
    paths.sort();
    paths.dedup();
    if paths.len() != blocks.len() {
        return None;
    }
    let mut out = Map::new();
    for b in blocks {
        let mut level = &mut out;
        for l in &b.labels[..count - 1] {
            let entry = level.entry(l.clone()).or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(next) = entry else { return None };
            level = next;
        }
        level.insert(b.labels[count - 1].clone(), Value::Object(body(&b.body, b.kind == "variable")));
    }
    Some(Value::Object(out))
}

fn block(b: &DocBlock) -> Value {
    let mut v = Value::Object(body(&b.body, b.kind == "variable"));
    for l in b.labels.iter().rev() {
        let mut m = Map::new();
        m.insert(l.clone(), v);
        v = Value::Object(m);
    }
    v
}

fn template_string(s: &str) -> Value {
    let mut out = String::new();
    literal(&mut out, s, false);
    Value::String(out)
}

/// A value: JSON where the expression is literal, a `${...}` template otherwise.
pub fn value(e: &Expr) -> Value {
    match &e.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Number(n) => serde_json::from_str(&number(*n)).unwrap_or(Value::Null),
        ExprKind::String(s) => template_string(s),
        ExprKind::Tuple(items) => Value::Array(items.iter().map(value).collect()),
        ExprKind::Object(items) if items.iter().all(|i| i.key.as_str().is_some()) => Value::Object(
            items.iter().map(|i| (i.key.as_str().unwrap_or_default().to_string(), value(&i.value))).collect(),
        ),
        ExprKind::Template(parts) => {
            let mut out = String::new();
            parts_text(&mut out, parts, false);
            Value::String(out)
        }
        ExprKind::Call { flavor: CallFlavor::GoTemplate, .. } | ExprKind::ComponentVar(_) => {
            let mut out = String::new();
            parts_text(&mut out, &[TemplatePart::Interpolation(e.clone())], false);
            Value::String(out)
        }
        _ => Value::String(format!("${{{}}}", expr(e))),
    }
}
