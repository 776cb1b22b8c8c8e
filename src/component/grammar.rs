//! The files of `grammar/`: one JSON Schema per component and one per template shape
//! (HCL-JSON `.pkr.json` and the TOML form), all generated from the component declarations.

use serde_json::{Map, Value as Json, json};

use crate::component::registry::{ComponentKind, REGISTRY};

/// `(path relative to grammar/, content)` of every generated file.
pub fn files() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = REGISTRY
        .iter()
        .map(|c| {
            let mut schema = (c.schema)().to_value();
            if let Json::Object(m) = &mut schema {
                m.insert("title".into(), Json::from(format!("{} {}", c.kind.noun(), c.name)));
                m.insert("description".into(), Json::from(c.summary));
            }
            (format!("component/{}/{}.schema.json", c.kind.dir(), c.name), pretty(&schema))
        })
        .collect();
    out.push(("template.pkr.json.schema.json".into(), pretty(&template_schema(false))));
    out.push(("template.pkr.toml.schema.json".into(), pretty(&template_schema(true))));
    out
}

fn pretty(v: &Json) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn component_ref(kind: ComponentKind, name: &str) -> Json {
    json!({ "$ref": format!("component/{}/{}.schema.json", kind.dir(), name) })
}

/// `{ "TYPE": { "NAME": <schema of TYPE> } }` for sources and data sources.
fn by_type_and_name(kind: ComponentKind) -> Json {
    let props: Map<String, Json> = REGISTRY
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| (c.name.to_string(), json!({ "type": "object", "additionalProperties": component_ref(kind, c.name) })))
        .collect();
    json!({ "type": "object", "properties": props, "additionalProperties": false })
}

/// One ordered block with a `type` key (TOML) choosing the component schema.
fn typed_block(kind: ComponentKind, meta: &[&str]) -> Json {
    let variants: Vec<Json> = REGISTRY
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| {
            json!({
                "if": { "properties": { "type": { "const": c.name } } },
                "then": { "allOf": [component_ref(kind, c.name)] }
            })
        })
        .collect();
    let names: Vec<&str> = REGISTRY.iter().filter(|c| c.kind == kind).map(|c| c.name).collect();
    let mut props = Map::new();
    props.insert("type".into(), json!({ "enum": names }));
    for m in meta {
        props.insert((*m).to_string(), json!({}));
    }
    json!({ "type": "object", "required": ["type"], "properties": props, "allOf": variants })
}

/// HCL-JSON `{"shell": {...}}` blocks.
fn labelled_block(kind: ComponentKind) -> Json {
    let props: Map<String, Json> =
        REGISTRY.iter().filter(|c| c.kind == kind).map(|c| (c.name.to_string(), component_ref(kind, c.name))).collect();
    json!({ "type": "object", "properties": props })
}

fn template_schema(toml: bool) -> Json {
    let provisioner_meta = ["name", "only", "except", "pause_before", "timeout", "max_retries", "override"];
    let pp_meta = ["name", "only", "except", "keep_input_artifact"];
    let (provisioner, pp) = if toml {
        (
            typed_block(ComponentKind::Provisioner, &provisioner_meta),
            typed_block(ComponentKind::PostProcessor, &pp_meta),
        )
    } else {
        (labelled_block(ComponentKind::Provisioner), labelled_block(ComponentKind::PostProcessor))
    };
    let list_of = |s: &Json| json!({ "oneOf": [s, { "type": "array", "items": s }] });
    let build = json!({
        "type": "object",
        "properties": {
            "name": { "type": "string" },
            "description": { "type": "string" },
            "sources": { "type": "array", "items": { "type": "string" } },
            "source": { "type": "array" },
            "provisioner": list_of(&provisioner),
            "error-cleanup-provisioner": provisioner,
            "post-processor": list_of(&pp),
            "post-processors": { "type": "array" },
            "dynamic": { "type": "object" },
            "hcp_packer_registry": { "type": "object" }
        },
        "additionalProperties": false
    });
    let variable = json!({
        "type": "object",
        "properties": {
            "type": { "type": "string" },
            "default": {},
            "description": { "type": "string" },
            "sensitive": { "type": "boolean" },
            "nullable": { "type": "boolean" },
            "validation": {}
        },
        "additionalProperties": false
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": if toml { "forge template (TOML form)" } else { "forge template (HCL2 JSON syntax)" },
        "type": "object",
        "properties": {
            "packer": { "type": "object" },
            "variable": { "type": "object", "additionalProperties": variable },
            "variables": { "type": "object" },
            "locals": { "type": "object" },
            "local": { "type": "object" },
            "data": by_type_and_name(ComponentKind::DataSource),
            "source": by_type_and_name(ComponentKind::Builder),
            "build": list_of(&build),
            "//": {}
        },
        "additionalProperties": false
    })
}
