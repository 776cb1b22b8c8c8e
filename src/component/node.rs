//! A component body as evaluated values that still know their spans: the input of decoding.

use std::collections::BTreeMap;

use crate::eval::value::{Kind, Value};
use crate::eval::{Ctx, Env};
use crate::ir::{Body, Expr, ExprKind};
use crate::source::Span;

/// An evaluated value with the span of the syntax it came from, and the same for its parts
/// when they were written literally.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub span: Span,
    /// For a map: `(key, key span, value)` in written order.
    pub entries: Vec<(String, Span, Node)>,
    /// For a list: its elements.
    pub items: Vec<Node>,
}

impl Node {
    /// A leaf node.
    pub fn leaf(value: Value, span: Span) -> Node {
        let mut n = Node { value, span, entries: Vec::new(), items: Vec::new() };
        n.fill_from_value();
        n
    }

    /// Children from the value alone, all at the node's span.
    fn fill_from_value(&mut self) {
        match &self.value.kind {
            Kind::List(items) if self.items.is_empty() => {
                self.items = items.iter().map(|v| Node::leaf(v.clone(), self.span)).collect();
            }
            Kind::Map(items) if self.entries.is_empty() => {
                self.entries =
                    items.iter().map(|(k, v)| (k.clone(), self.span, Node::leaf(v.clone(), self.span))).collect();
            }
            _ => {}
        }
    }

    /// A node for an expression and its value, with precise spans for literal parts.
    pub fn from_expr(e: &Expr, value: Value) -> Node {
        let mut n = Node { value: value.clone(), span: e.span, entries: Vec::new(), items: Vec::new() };
        match (&e.kind, &value.kind) {
            (ExprKind::Tuple(exprs), Kind::List(values)) if exprs.len() == values.len() => {
                n.items = exprs.iter().zip(values).map(|(x, v)| Node::from_expr(x, v.clone())).collect();
            }
            (ExprKind::Object(items), Kind::Map(values)) => {
                for item in items {
                    let Some(key) = item.key.as_str() else { continue };
                    if let Some(v) = values.get(key) {
                        n.entries.push((key.to_string(), item.key.span, Node::from_expr(&item.value, v.clone())));
                    }
                }
            }
            _ => n.fill_from_value(),
        }
        n
    }

    /// The entry named `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|(k, _, _)| k == key).map(|(_, _, n)| n)
    }

    /// The span of the key `key`, or of the node.
    pub fn key_span(&self, key: &str) -> Span {
        self.entries.iter().find(|(k, _, _)| k == key).map_or(self.span, |(_, s, _)| *s)
    }

    /// Whether `key` is set (to something other than null).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some_and(|n| !n.value.is_null())
    }

    /// The string value of `key`, if it is a known string.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|n| n.value.as_str())
    }

    /// Whether `key` is known only at run time.
    pub fn is_deferred(&self, key: &str) -> bool {
        self.get(key).is_some_and(|n| n.value.is_deferred())
    }
}

/// Evaluates a body into a node: attributes become entries, nested blocks become entries
/// holding a list of block nodes (a schema field may take one block or many). Evaluation
/// errors are reported through `env`, and such attributes are left out.
pub fn from_body(env: &Env<'_>, ctx: &Ctx, body: &Body) -> Node {
    let mut node = Node { value: Value::null(), span: body.span, entries: Vec::new(), items: Vec::new() };
    let mut map = BTreeMap::new();
    for a in &body.attributes {
        // A value that failed to evaluate was reported; decode it as unknown so it is not also
        // reported as missing.
        let v = env.eval_reporting(ctx, &a.value).unwrap_or_else(|| Value::deferred("a value that failed to evaluate"));
        map.insert(a.key.value.clone(), v.clone());
        node.entries.push((a.key.value.clone(), a.key.span, Node::from_expr(&a.value, v)));
    }
    let mut kinds: Vec<&str> = Vec::new();
    for b in &body.blocks {
        if b.kind.value != "dynamic" && !kinds.contains(&b.kind.value.as_str()) {
            kinds.push(&b.kind.value);
        }
    }
    for kind in kinds {
        let blocks: Vec<Node> = body
            .blocks
            .iter()
            .filter(|b| b.kind.value == kind)
            .map(|b| {
                let mut n = from_body(env, ctx, &b.body);
                n.span = b.kind.span;
                n
            })
            .collect();
        let span = blocks.first().map_or(body.span, |b| b.span);
        let list = Value::list(blocks.iter().map(|b| b.value.clone()).collect());
        map.insert(kind.to_string(), list.clone());
        node.entries.push((kind.to_string(), span, Node { value: list, span, entries: Vec::new(), items: blocks }));
    }
    node.value = Value::map(map);
    node
}
