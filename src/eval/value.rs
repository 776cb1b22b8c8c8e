//! Values: what an expression evaluates to. A value may be *deferred* (known only at run time,
//! such as `build.Host`) and may be *sensitive*; the sensitive mark travels with the value
//! through every operation and function, so every output can mask it.

use std::collections::BTreeMap;
use std::fmt;

/// A value with its marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// What the value is.
    pub kind: Kind,
    /// Whether the value (or anything it was computed from) is secret.
    pub sensitive: bool,
}

/// The kinds of value, after HCL's (cty's) model: lists, sets and tuples share one sequence
/// representation, maps and objects one key-sorted map.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number (HCL numbers are arbitrary precision; forge uses `f64`).
    Number(f64),
    /// A string.
    String(String),
    /// A list, set or tuple.
    List(Vec<Value>),
    /// A map or object; keys are kept sorted, as cty iterates them.
    Map(BTreeMap<String, Value>),
    /// Known only when the build runs.
    Deferred(Deferred),
}

/// Why a value is not known yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferred {
    /// What it stands for, such as `build.Host` or `{{ .Path }}`.
    pub what: String,
}

impl Value {
    /// A value without marks.
    pub fn new(kind: Kind) -> Value {
        Value { kind, sensitive: false }
    }

    /// `null`.
    pub fn null() -> Value {
        Value::new(Kind::Null)
    }

    /// A boolean.
    pub fn bool(b: bool) -> Value {
        Value::new(Kind::Bool(b))
    }

    /// A number.
    pub fn number(n: f64) -> Value {
        Value::new(Kind::Number(n))
    }

    /// A string.
    pub fn string(s: impl Into<String>) -> Value {
        Value::new(Kind::String(s.into()))
    }

    /// A list or tuple.
    pub fn list(items: Vec<Value>) -> Value {
        Value::new(Kind::List(items))
    }

    /// A map or object.
    pub fn map(items: BTreeMap<String, Value>) -> Value {
        Value::new(Kind::Map(items))
    }

    /// A run-time value.
    pub fn deferred(what: impl Into<String>) -> Value {
        Value::new(Kind::Deferred(Deferred { what: what.into() }))
    }

    /// The same value, marked sensitive when `sensitive` is true.
    #[must_use]
    pub fn mark(mut self, sensitive: bool) -> Value {
        self.sensitive |= sensitive;
        self
    }

    /// Whether the value or anything inside it is deferred.
    pub fn is_deferred(&self) -> bool {
        match &self.kind {
            Kind::Deferred(_) => true,
            Kind::List(items) => items.iter().any(Value::is_deferred),
            Kind::Map(items) => items.values().any(Value::is_deferred),
            _ => false,
        }
    }

    /// What the first deferred part of the value waits for (`data.http.ip.body`).
    pub fn first_deferred(&self) -> Option<&str> {
        match &self.kind {
            Kind::Deferred(d) => Some(&d.what),
            Kind::List(items) => items.iter().find_map(Value::first_deferred),
            Kind::Map(items) => items.values().find_map(Value::first_deferred),
            _ => None,
        }
    }

    /// Whether the value or anything inside it is sensitive.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
            || match &self.kind {
                Kind::List(items) => items.iter().any(Value::is_sensitive),
                Kind::Map(items) => items.values().any(Value::is_sensitive),
                _ => false,
            }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        self.kind == Kind::Null
    }

    /// The name of the value's type, for messages (`string`, `number`, `list`…).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "bool",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::List(_) => "list",
            Kind::Map(_) => "map",
            Kind::Deferred(_) => "unknown",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<f64> {
        match self.kind {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The items, if this is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is a map.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match &self.kind {
            Kind::Map(items) => Some(items),
            _ => None,
        }
    }

    /// HCL's conversion to string: strings as they are, numbers and bools printed; `None` for
    /// values that have no string form (collections, null, deferred).
    pub fn to_string_lossless(&self) -> Option<String> {
        match &self.kind {
            Kind::String(s) => Some(s.clone()),
            Kind::Number(n) => Some(format_number(*n)),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// HCL's conversion to number: numbers, and strings that parse as one.
    pub fn to_number(&self) -> Option<f64> {
        match &self.kind {
            Kind::Number(n) => Some(*n),
            Kind::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite() || s.contains("inf")),
            _ => None,
        }
    }

    /// HCL's conversion to bool: bools, and the strings `"true"` / `"false"`.
    pub fn to_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::String(s) if s == "true" => Some(true),
            Kind::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// The value as JSON (deferred values become `null`).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.kind {
            Kind::Null | Kind::Deferred(_) => serde_json::Value::Null,
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Number(n) => number_to_json(*n),
            Kind::String(s) => serde_json::Value::String(s.clone()),
            Kind::List(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
            Kind::Map(items) => {
                serde_json::Value::Object(items.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// A value from JSON.
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::null(),
            serde_json::Value::Bool(b) => Value::bool(*b),
            serde_json::Value::Number(n) => Value::number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::string(s.clone()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                Value::map(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        #[allow(clippy::cast_possible_truncation)]
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Formats a number as HCL prints it: integers without a fraction, others in shortest form.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 { format!("{n:.0}") } else { format!("{n}") }
}

/// Renders a value as HCL source (`inspect`, `console`): strings quoted, collections multi-line.
pub fn to_hcl(v: &Value) -> String {
    fn go(v: &Value, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth + 1);
        let close = "  ".repeat(depth);
        match &v.kind {
            Kind::Null => out.push_str("null"),
            Kind::Bool(b) => out.push_str(&b.to_string()),
            Kind::Number(n) => out.push_str(&format_number(*n)),
            Kind::String(s) => out.push_str(&quote(s)),
            Kind::Deferred(_) => out.push_str("(known after build)"),
            Kind::List(items) if items.is_empty() => out.push_str("[]"),
            Kind::List(items) => {
                out.push_str("[\n");
                for item in items {
                    out.push_str(&pad);
                    go(item, depth + 1, out);
                    out.push_str(",\n");
                }
                out.push_str(&close);
                out.push(']');
            }
            Kind::Map(items) if items.is_empty() => out.push_str("{}"),
            Kind::Map(items) => {
                out.push_str("{\n");
                let width = items.keys().map(|k| quote(k).len()).max().unwrap_or(0);
                for (k, item) in items {
                    out.push_str(&pad);
                    out.push_str(&format!("{:width$} = ", quote(k)));
                    go(item, depth + 1, out);
                    out.push('\n');
                }
                out.push_str(&close);
                out.push('}');
            }
        }
    }
    let mut out = String::new();
    go(v, 0, &mut out);
    out
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_sensitive() {
            return f.write_str("<sensitive>");
        }
        match self.to_string_lossless() {
            Some(s) => f.write_str(&s),
            None => f.write_str(&to_hcl(self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_hcl_does() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(-0.25), "-0.25");
    }

    #[test]
    fn sensitive_values_display_masked() {
        let v = Value::list(vec![Value::string("a"), Value::string("s").mark(true)]);
        assert_eq!(v.to_string(), "<sensitive>");
    }
}
