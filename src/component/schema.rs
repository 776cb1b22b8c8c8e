//! JSON Schemas of component configurations (generated from the config structs with schemars)
//! and the Markdown reference rendered from them.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::Value as Json;

/// The JSON Schema of a config type, with its definitions inlined where schemars refers to them.
pub fn of<T: JsonSchema>() -> Schema {
    let mut generator = SchemaGenerator::default();
    generator.root_schema_for::<T>()
}

/// Every property name a schema accepts (following `$ref`, `allOf` and flattened structs).
pub fn property_names(schema: &Schema) -> Vec<String> {
    let root = schema.as_value();
    let mut out: Vec<String> = properties_of(root, root).into_iter().map(|(k, _)| k).collect();
    out.sort();
    out.dedup();
    out
}

/// The properties of the object schema `s`, with their schemas (following `$ref`, `allOf`,
/// `anyOf` and `oneOf`, as flattened structs produce).
pub fn properties_of(root: &Json, s: &Json) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    collect(root, s, &mut out, 0);
    out
}

fn collect(root: &Json, s: &Json, out: &mut Vec<(String, Json)>, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(r) = s.get("$ref").and_then(Json::as_str) {
        if let Some(target) = resolve(root, r) {
            collect(root, target, out, depth + 1);
        }
    }
    if let Some(props) = s.get("properties").and_then(Json::as_object) {
        out.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = s.get(key).and_then(Json::as_array) {
            for sub in list {
                collect(root, sub, out, depth + 1);
            }
        }
    }
}

/// The schemas a property may be: itself, what it refers to, and the alternatives of an
/// optional value (`anyOf: [X, null]`).
fn alternatives<'a>(root: &'a Json, prop: &'a Json) -> Vec<&'a Json> {
    let mut out = vec![prop];
    if let Some(target) = prop.get("$ref").and_then(Json::as_str).and_then(|r| resolve(root, r)) {
        out.push(target);
    }
    for sub in prop.get("anyOf").and_then(Json::as_array).into_iter().flatten() {
        out.extend(alternatives(root, sub));
    }
    out
}

/// The values a property allows (its `enum`, null left out), when it declares them.
pub fn allowed_values(root: &Json, prop: &Json) -> Option<Vec<String>> {
    alternatives(root, prop).into_iter().find_map(|s| {
        s.get("enum")
            .and_then(Json::as_array)
            .map(|vals| vals.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
    })
}

/// A property's declared string `format`.
pub fn format<'a>(root: &'a Json, prop: &'a Json) -> Option<&'a str> {
    alternatives(root, prop).into_iter().find_map(|s| s.get("format").and_then(Json::as_str))
}

/// The object schema of a nested block property (one block, or the items of a list of blocks).
pub fn block_of<'a>(root: &'a Json, prop: &'a Json) -> Option<&'a Json> {
    let object = |s: &&'a Json| !properties_of(root, s).is_empty();
    let alts = alternatives(root, prop);
    alts.iter()
        .copied()
        .find(object)
        .or_else(|| alts.iter().filter_map(|s| s.get("items")).flat_map(|items| alternatives(root, items)).find(object))
}

fn resolve<'a>(root: &'a Json, reference: &str) -> Option<&'a Json> {
    let path = reference.strip_prefix("#/")?;
    path.split('/').try_fold(root, |node, part| node.get(part))
}

/// One argument of a component, as its schema declares it: what `forge schema`'s Markdown,
/// editor completion and hover show.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    /// Its key.
    pub name: String,
    /// Its type in words (`string`, `list of string`, `object (Filter)`, `` `a` \| `b` ``).
    pub ty: String,
    /// Whether a body must set it.
    pub required: bool,
    /// Its default, as JSON text.
    pub default: Option<String>,
    /// The doc comment of its field.
    pub description: String,
    /// The values it accepts, when they are a fixed list.
    pub values: Vec<String>,
    /// Whether it holds a secret (`writeOnly`).
    pub secret: bool,
}

/// Every argument a schema declares, sorted by name.
pub fn arguments(schema: &Schema) -> Vec<Argument> {
    let root = schema.as_value();
    let required: Vec<String> =
        gather(root, root, "required").into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    let mut rows = Vec::new();
    properties(root, root, &mut rows, 0);
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.dedup_by(|a, b| a.0 == b.0);
    rows.into_iter()
        .map(|(key, prop)| {
            let enumerated = prop.get("$ref").and_then(Json::as_str).and_then(|r| resolve(root, r)).unwrap_or(&prop);
            let values = enumerated
                .get("enum")
                .and_then(Json::as_array)
                .map(|vals| vals.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            Argument {
                ty: type_name(root, &prop),
                required: required.contains(&key),
                default: prop.get("default").map(ToString::to_string),
                description: prop.get("description").and_then(Json::as_str).unwrap_or("").to_string(),
                values,
                secret: prop.get("writeOnly").and_then(Json::as_bool) == Some(true),
                name: key,
            }
        })
        .collect()
}

/// The Markdown reference of one component: a table of its arguments.
pub fn markdown(kind: &str, name: &str, summary: &str, schema: &Schema) -> String {
    let mut out = format!(
        "# {kind} `{name}`\n\n{summary}\n\n| argument | type | required | default | description |\n| --- | --- | --- | --- | --- |\n"
    );
    for a in arguments(schema) {
        let req = if a.required { "yes" } else { "" };
        let default = a.default.map(|d| format!("`{d}`")).unwrap_or_default();
        let desc = a.description.replace('\n', " ");
        out.push_str(&format!("| `{}` | {} | {req} | {default} | {desc} |\n", a.name, a.ty));
    }
    out
}

fn gather(root: &Json, s: &Json, key: &str) -> Vec<Json> {
    let mut out: Vec<Json> = s.get(key).and_then(Json::as_array).cloned().unwrap_or_default();
    if let Some(r) = s.get("$ref").and_then(Json::as_str).and_then(|r| resolve(root, r)) {
        out.extend(gather(root, r, key));
    }
    for sub in s.get("allOf").and_then(Json::as_array).into_iter().flatten() {
        out.extend(gather(root, sub, key));
    }
    out
}

fn properties(root: &Json, s: &Json, out: &mut Vec<(String, Json)>, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(r) = s.get("$ref").and_then(Json::as_str).and_then(|r| resolve(root, r)) {
        properties(root, r, out, depth + 1);
    }
    if let Some(props) = s.get("properties").and_then(Json::as_object) {
        out.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for sub in s.get("allOf").and_then(Json::as_array).into_iter().flatten() {
        properties(root, sub, out, depth + 1);
    }
}

fn type_name(root: &Json, prop: &Json) -> String {
    if let Some(r) = prop.get("$ref").and_then(Json::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return resolve(root, r).and_then(|t| t.get("enum")).and_then(Json::as_array).map_or_else(
            || format!("object ({name})"),
            |vals| {
                vals.iter().map(|v| format!("`{}`", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(" \\| ")
            },
        );
    }
    let ty = match prop.get("type") {
        Some(Json::String(t)) => Some(t.as_str()),
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match ty {
        Some("array") => {
            format!("list of {}", prop.get("items").map_or_else(|| "any".to_string(), |i| type_name(root, i)))
        }
        Some("object") => prop
            .get("additionalProperties")
            .filter(|a| a.is_object())
            .map_or_else(|| "object".to_string(), |a| format!("map of {}", type_name(root, a))),
        Some("integer") => "number".into(),
        Some(t) => t.to_string(),
        _ => prop.get("anyOf").and_then(Json::as_array).map_or_else(
            || "any".into(),
            |alts| {
                alts.iter()
                    .filter(|a| a.get("type").and_then(Json::as_str) != Some("null"))
                    .map(|a| type_name(root, a))
                    .collect::<Vec<_>>()
                    .join(" or ")
            },
        ),
    }
}
