//! Unit tests of the converter: Go-template functions, legacy names and variable defaults.

use super::*;
use crate::source::{FileId, SourceDb};

fn legacy(json: &str, target: Target) -> Converted {
    let mut db = SourceDb::default();
    let file: FileId = db.add("t.json", json);
    let parsed = crate::syntax::parse_template(&db, file, crate::ir::Origin::LegacyJson);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    convert(&parsed.value, &db, &Options { target, upgrade: false, annotations: false })
}

fn go(action: &str) -> String {
    let json = format!(
        r#"{{"builders":[{{"type":"null","name":"a","communicator":"none","x":"{}"}}]}}"#,
        action.replace('"', "\\\"")
    );
    let c = legacy(&json, Target::Hcl);
    let line = c.text.lines().find(|l| l.trim_start().starts_with("x =")).unwrap_or_default().trim().to_string();
    line.trim_start_matches("x = ").to_string()
}

#[test]
fn go_template_functions_become_hcl() {
    assert_eq!(go("{{user `region`}}"), "var.region");
    assert_eq!(go("{{isotime \"2006-01-02\"}}"), "legacy_isotime(\"2006-01-02\")");
    assert_eq!(go("{{uuid}}"), "uuidv4()");
    assert_eq!(go("{{build_name}}-{{build_type}}"), "\"${source.name}-${source.type}\"");
    assert_eq!(go("{{template_dir}}/{{pwd}}"), "\"${path.root}/${path.cwd}\"");
    assert_eq!(go("{{split `a-b` `-` 1}}"), "split(\"-\", \"a-b\")[1]");
    assert_eq!(go("{{replace_all `-` `_` (user `x`)}}"), "replace(var.x, \"-\", \"_\")");
    assert_eq!(go("{{replace `-` `_` -1 (user `x`)}}"), "replace(var.x, \"-\", \"_\")");
    assert_eq!(go("{{user `x` | upper}}"), "upper(var.x)");
    assert_eq!(go("{{lower `X`}}"), "lower(\"X\")");
    assert_eq!(go("{{packer_version}}"), "packer.version");
    assert_eq!(go("{{ .Name }}"), "\"{{ .Name }}\"");
    assert_eq!(go("{{vault `/a` `b`}}"), "vault(\"/a\", \"b\")");
    assert_eq!(go("{{aws_secretsmanager `a` `b`}}"), "aws_secretsmanager(\"a\", \"b\")");
    assert_eq!(go("{{timestamp}}"), "local.timestamp");
    assert!(go("{{isotime | clean_resource_name}}").starts_with("regex_replace(legacy_isotime(),"));
}

#[test]
fn a_function_without_equivalent_is_reported_at_its_column_and_kept_as_go() {
    let json = r#"{"builders":[{"type":"null","communicator":"none","x":"a{{replace `-` `_` 1 `a-b`}}"}]}"#;
    let c = legacy(json, Target::Hcl);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    let d = &c.diagnostics[0];
    assert_eq!(d.code, crate::diag::Code::NoEquivalent);
    assert_eq!(&json[d.span().start as usize..d.span().end as usize], "replace");
    assert!(
        c.text.contains("x            = \"a{{replace `-` `_` 1 `a-b`}}\"")
            || c.text.contains("\"a{{replace `-` `_` 1 `a-b`}}\""),
        "{}",
        c.text
    );
}

#[test]
fn legacy_names_become_type_dot_name() {
    let json = r#"{"builders":[{"type":"null","name":"a","communicator":"none"}],
      "provisioners":[{"type":"shell-local","inline":["x"],"only":["a"],"override":{"a":{"inline":["y"]}}}],
      "post-processors":[{"type":"manifest","except":["a"],"keep_input_artifact":true}]}"#;
    let c = legacy(json, Target::Hcl);
    assert!(c.text.contains("only = [\"null.a\"]"), "{}", c.text);
    assert!(c.text.contains("except = [\"null.a\"]"), "{}", c.text);
    assert!(c.text.contains("\"null.a\" = {"), "{}", c.text);
    assert!(c.text.contains("keep_input_artifact = true"), "{}", c.text);
}

#[test]
fn a_default_using_another_variable_becomes_a_local() {
    let json = r#"{"variables":{"a":"x","b":"{{user `a`}}-y"},
      "builders":[{"type":"null","communicator":"none","x":"{{user `b`}}"}]}"#;
    let c = legacy(json, Target::Hcl);
    assert!(c.text.contains("b = var.b != \"\" ? var.b : \"${var.a}-y\""), "{}", c.text);
    assert!(c.text.contains("x = local.b"), "{}", c.text);
}

#[test]
fn a_push_section_is_reported_not_dropped_silently() {
    let json = r#"{"builders":[{"type":"null","communicator":"none"}],"push":{"name":"x"}}"#;
    let c = legacy(json, Target::Toml);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    assert_eq!(&json[c.diagnostics[0].span().start as usize..c.diagnostics[0].span().end as usize], "\"push\"");
}
