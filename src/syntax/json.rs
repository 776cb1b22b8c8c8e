//! JSON templates: Packer's legacy JSON (`builders`, `{{user `x`}}`) and HCL2's JSON syntax
//! (`.pkr.json`), both read with jsonc-parser in strict mode so every key and value keeps its
//! byte range and duplicate keys can be reported with both places.

use jsonc_parser::ast::{self, ObjectPropName, Value};
use jsonc_parser::{CollectOptions, ParseOptions};

use crate::diag::{Code, Diagnostic, did_you_mean_help};
use crate::ir::{
    self, Attribute, Block, Body, Build, Chain, Expr, ExprKind, ObjectItem, Origin, Override, PackerSettings,
    PostProcessor, Provisioner, Source, SourceUse, Spanned, Template, Variable,
};
use crate::source::{FileId, Span};
use crate::syntax::spanmap::{Escapes, SpanMap};
use crate::syntax::structure::{self, BlockRule};
use crate::syntax::{gotmpl, hcl};

/// How the strings of a JSON document are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strings {
    /// As they are.
    Literal,
    /// As HCL string templates (`${...}`), the HCL-JSON rule.
    HclTemplate,
    /// As Go templates (`{{...}}`), the legacy rule.
    GoTemplate,
}

struct Reader<'a> {
    file: FileId,
    text: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

/// jsonc-parser set to plain JSON: no comments, no trailing commas, no JSON5 extensions.
pub fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses strict JSON; reports a syntax error or duplicate keys.
fn parse_json<'t>(file: FileId, text: &'t str, legacy: bool, diags: &mut Vec<Diagnostic>) -> Option<Value<'t>> {
    let options = strict_options();
    match jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options) {
        Ok(result) => {
            let value = result.value;
            if value.is_none() {
                diags.push(
                    Diagnostic::error(
                        Code::EmptyTemplate,
                        Span::new(file, 0..text.len()),
                        "the file holds no JSON value",
                    )
                    .with_help("a JSON template is an object: `{ \"builders\": [ ... ] }`"),
                );
            }
            // HCL's JSON syntax merges repeated block keys; legacy templates refuse them.
            if let (Some(v), true) = (&value, legacy) {
                duplicate_keys(file, v, diags);
            }
            value
        }
        Err(e) => {
            let r = e.range();
            let end = r.end.max(r.start + 1).min(text.len().max(r.start));
            diags.push(
                Diagnostic::error(
                    Code::SyntaxError,
                    Span::new(file, r.start..end),
                    format!("invalid JSON: {}", json_error_text(e.kind())),
                )
                .with_label_message("here")
                .with_help(json_error_help(e.kind())),
            );
            None
        }
    }
}

fn json_error_text(kind: &jsonc_parser::errors::ParseErrorKind) -> String {
    let text = kind.to_string();
    let mut chars = text.chars();
    chars.next().map_or(text.clone(), |c| c.to_lowercase().chain(chars).collect())
}

fn json_error_help(kind: &jsonc_parser::errors::ParseErrorKind) -> &'static str {
    use jsonc_parser::errors::ParseErrorKind as K;
    match kind {
        K::TrailingCommasNotAllowed => "remove the comma after the last element: JSON allows no trailing comma",
        K::CommentsNotAllowed => {
            "JSON has no comments; in a legacy template use a root key starting with `_`, in HCL-JSON a `\"//\"` key"
        }
        K::ExpectedComma | K::UnexpectedToken | K::UnexpectedTokenInObject => {
            "a comma is probably missing between two elements"
        }
        K::UnterminatedObject | K::UnterminatedArray => "a closing `}` or `]` is missing",
        K::SingleQuotedStringsNotAllowed => "JSON strings use double quotes",
        _ => "fix the JSON at this position",
    }
}

fn duplicate_keys(file: FileId, v: &Value<'_>, diags: &mut Vec<Diagnostic>) {
    match v {
        Value::Object(o) => {
            for (i, p) in o.properties.iter().enumerate() {
                let name = prop_name(p);
                if name == "//" {
                    continue;
                }
                if let Some(first) = o.properties[..i].iter().find(|q| prop_name(q) == name) {
                    diags.push(
                        Diagnostic::error(Code::DuplicateKey, name_span(file, p), format!("duplicate key `{name}`"))
                            .with_label(name_span(file, first), "first defined here")
                            .with_help("JSON templates may not repeat a key in one object; keep one of the two"),
                    );
                }
                duplicate_keys(file, &p.value, diags);
            }
        }
        Value::Array(a) => a.elements.iter().for_each(|e| duplicate_keys(file, e, diags)),
        _ => {}
    }
}

fn prop_name<'x>(p: &'x ast::ObjectProp<'_>) -> &'x str {
    match &p.name {
        ObjectPropName::String(s) => &s.value,
        ObjectPropName::Word(w) => w.value,
    }
}

fn name_span(file: FileId, p: &ast::ObjectProp<'_>) -> Span {
    let r = match &p.name {
        ObjectPropName::String(s) => s.range,
        ObjectPropName::Word(w) => w.range,
    };
    Span::new(file, r.start..r.end)
}

fn range(v: &Value<'_>) -> jsonc_parser::common::Range {
    match v {
        Value::StringLit(s) => s.range,
        Value::NumberLit(n) => n.range,
        Value::BooleanLit(b) => b.range,
        Value::Object(o) => o.range,
        Value::Array(a) => a.range,
        Value::NullKeyword(n) => n.range,
    }
}

fn kind_name(v: &Value<'_>) -> &'static str {
    match v {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

impl Reader<'_> {
    fn span(&self, v: &Value<'_>) -> Span {
        let r = range(v);
        Span::new(self.file, r.start..r.end)
    }

    fn shape(&mut self, v: &Value<'_>, expected: &str, what: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::WrongShape,
                self.span(v),
                format!("{what} must be {expected}, not {}", kind_name(v)),
            )
            .with_label_message(format!("expected {expected}")),
        );
    }

    fn string_map(&self, s: &ast::StringLit<'_>) -> SpanMap {
        let raw = self.text.get(s.range.start + 1..s.range.end.saturating_sub(1)).unwrap_or("");
        SpanMap::new(self.file, s.range.start + 1, raw, &s.value, Escapes::Backslash)
    }

    /// A JSON value as an expression; strings are read by `mode`.
    fn expr(&mut self, v: &Value<'_>, mode: Strings) -> Expr {
        let span = self.span(v);
        let kind = match v {
            Value::NullKeyword(_) => ExprKind::Null,
            Value::BooleanLit(b) => ExprKind::Bool(b.value),
            Value::NumberLit(n) => ExprKind::Number(n.value.parse().unwrap_or(f64::NAN)),
            Value::StringLit(s) => return self.string_expr(s, mode),
            Value::Array(a) => ExprKind::Tuple(a.elements.iter().map(|e| self.expr(e, mode)).collect()),
            Value::Object(o) => ExprKind::Object(
                o.properties
                    .iter()
                    .filter(|p| !(mode == Strings::HclTemplate && prop_name(p) == "//"))
                    .map(|p| ObjectItem {
                        key: Expr::new(ExprKind::String(prop_name(p).to_string()), name_span(self.file, p)),
                        value: self.expr(&p.value, mode),
                    })
                    .collect(),
            ),
        };
        Expr::new(kind, span)
    }

    fn string_expr(&mut self, s: &ast::StringLit<'_>, mode: Strings) -> Expr {
        let span = Span::new(self.file, s.range.start..s.range.end);
        let map = self.string_map(s);
        match mode {
            Strings::Literal => Expr::new(ExprKind::String(s.value.to_string()), span),
            Strings::HclTemplate => match hcl::parse_string_template(self.file, self.text, &s.value, &map) {
                Ok(e) => with_span(e, span),
                Err(d) => {
                    self.diags.push(d);
                    Expr::new(ExprKind::String(s.value.to_string()), span)
                }
            },
            Strings::GoTemplate => {
                if !gotmpl::has_action(&s.value) {
                    return Expr::new(ExprKind::String(s.value.to_string()), span);
                }
                match gotmpl::parse(&s.value, &map) {
                    Ok(parts) => with_span(hcl::template_or_single(parts, span), span),
                    Err(d) => {
                        self.diags.push(d);
                        Expr::new(ExprKind::String(s.value.to_string()), span)
                    }
                }
            }
        }
    }

    fn literal_string(&mut self, v: &Value<'_>, what: &str) -> Option<Spanned<String>> {
        if let Value::StringLit(s) = v {
            return Some(Spanned::new(s.value.to_string(), self.span(v)));
        }
        self.shape(v, "a string", what);
        None
    }

    fn string_list(&mut self, v: &Value<'_>, what: &str) -> Vec<Spanned<String>> {
        match v {
            Value::Array(a) => a.elements.iter().filter_map(|e| self.literal_string(e, what)).collect(),
            _ => {
                self.shape(v, "an array of strings", what);
                Vec::new()
            }
        }
    }

    /// A provisioner's or post-processor's `only`/`except`: Packer decodes those weakly, so a
    /// single string (`"except": "file"`) is a list of one.
    fn weak_string_list(&mut self, v: &Value<'_>, what: &str) -> Vec<Spanned<String>> {
        match v {
            Value::StringLit(_) => self.literal_string(v, what).into_iter().collect(),
            _ => self.string_list(v, what),
        }
    }
}

/// A single-interpolation template keeps the span of the whole string.
fn with_span(mut e: Expr, span: Span) -> Expr {
    if matches!(e.kind, ExprKind::Template(_) | ExprKind::String(_)) {
        e.span = span;
    }
    e
}

// ---------------------------------------------------------------------------------------------
// HCL2 in JSON syntax.

/// Parses a `.pkr.json` file.
pub fn parse_hcl_json(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Template {
    let Some(root) = parse_json(file, text, false, diags) else { return Template::default() };
    let mut r = Reader { file, text, diags };
    let Value::Object(obj) = &root else {
        r.shape(&root, "an object", "an HCL JSON file");
        return Template::default();
    };
    let body = r.hcl_body(obj, Some(structure::TOP_LEVEL), Strings::HclTemplate);
    structure::decode(&body, Origin::HclJson, r.diags)
}

impl Reader<'_> {
    /// An object as a block body: keys in `children` are blocks, the rest attributes.
    fn hcl_body(&mut self, obj: &ast::Object<'_>, children: Option<&'static [BlockRule]>, mode: Strings) -> Body {
        let mut body = Body::empty(Span::new(self.file, obj.range.start..obj.range.end));
        for p in &obj.properties {
            let name = prop_name(p);
            if name == "//" {
                continue;
            }
            let key = Spanned::new(name.to_string(), name_span(self.file, p));
            let rule = children.and_then(|c| structure::find_rule(c, name));
            match (rule, children) {
                (Some(rule), _) => self.hcl_blocks(&key, &p.value, rule, Vec::new(), &mut body),
                // At the top level and inside `build`, every key must be a block type or a known
                // attribute; structure::decode reports the unknown ones.
                _ => {
                    let value = self.expr(&p.value, mode);
                    let span = key.span.join(value.span);
                    body.attributes.push(Attribute { key, value, span });
                }
            }
        }
        body
    }

    /// Expands `"type": {"label": {...}}` (or arrays of those) into blocks.
    fn hcl_blocks(
        &mut self,
        kind: &ir::Ident,
        v: &Value<'_>,
        rule: &'static BlockRule,
        labels: Vec<ir::Ident>,
        out: &mut Body,
    ) {
        match v {
            Value::Array(a) => {
                for e in &a.elements {
                    self.hcl_blocks(kind, e, rule, labels.clone(), out);
                }
            }
            Value::Object(o) if labels.len() < rule.labels => {
                for p in &o.properties {
                    if prop_name(p) == "//" {
                        continue;
                    }
                    let mut more = labels.clone();
                    more.push(Spanned::new(prop_name(p).to_string(), name_span(self.file, p)));
                    self.hcl_blocks(kind, &p.value, rule, more, out);
                }
            }
            Value::Object(o) => {
                // Packer reads variable arguments literally; forge reads them as templates, like every
                // other HCL-JSON string, so `env()` works in a default as it does in HCL.
                let mut body = self.hcl_body(o, rule.children, Strings::HclTemplate);
                if rule.name == "variable" {
                    self.variable_type_expression(o, &mut body);
                }
                let span = kind.span.join(self.span(v));
                out.blocks.push(Block { kind: kind.clone(), labels, body, span });
            }
            other => self.shape(other, "an object", &format!("a `{}` block", rule.name)),
        }
    }

    /// In HCL-JSON a variable's `type` is a string holding a type expression.
    fn variable_type_expression(&mut self, o: &ast::Object<'_>, body: &mut Body) {
        let Some(p) = o.properties.iter().find(|p| prop_name(p) == "type") else { return };
        let Value::StringLit(s) = &p.value else { return };
        let map = self.string_map(s);
        let parsed = hcl::parse_string_template(self.file, self.text, &format!("${{{}}}", s.value), &map);
        if let (Ok(mut e), Some(attr)) = (parsed, body.attributes.iter_mut().find(|a| a.key.value == "type")) {
            e.span = attr.value.span;
            attr.value = e;
        }
    }
}

/// Parses a `.pkrvars.json` (or legacy `-var-file`) flat object into `name = value` attributes.
pub fn parse_var_file(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Attribute> {
    let Some(root) = parse_json(file, text, true, diags) else { return Vec::new() };
    let mut r = Reader { file, text, diags };
    let Value::Object(obj) = &root else {
        r.shape(&root, "an object", "a variable file");
        return Vec::new();
    };
    r.hcl_body(obj, None, Strings::Literal).attributes
}

// ---------------------------------------------------------------------------------------------
// Legacy JSON templates.

const ROOT_KEYS: &[&str] = &[
    "builders",
    "provisioners",
    "post-processors",
    "variables",
    "sensitive-variables",
    "error-cleanup-provisioner",
    "description",
    "min_packer_version",
    "push",
];

/// Parses a legacy JSON template.
pub fn parse_legacy(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Template {
    let Some(root) = parse_json(file, text, true, diags) else { return Template::default() };
    let mut r = Reader { file, text, diags };
    let Value::Object(obj) = &root else {
        r.shape(&root, "an object", "a JSON template");
        return Template::default();
    };
    r.legacy(obj)
}

impl Reader<'_> {
    fn legacy(&mut self, obj: &ast::Object<'_>) -> Template {
        let mut t = Template::default();
        let whole = Span::new(self.file, obj.range.start..obj.range.end);
        let mut build = Build {
            name: None,
            description: None,
            sources: Vec::new(),
            sources_expr: None,
            provisioners: Vec::new(),
            error_cleanup: None,
            post_processors: Vec::new(),
            dynamic: Vec::new(),
            span: whole,
            origin: Origin::LegacyJson,
        };
        let mut sensitive: Vec<Spanned<String>> = Vec::new();
        let mut has_builders = false;
        for p in &obj.properties {
            let name = prop_name(p);
            let v = &p.value;
            match name {
                "builders" => {
                    has_builders = true;
                    self.builders(v, &mut t, &mut build);
                }
                "provisioners" => {
                    build.provisioners = self
                        .each_object(v, "`provisioners`")
                        .iter()
                        .filter_map(|o| self.legacy_provisioner(o))
                        .collect()
                }
                "post-processors" => build.post_processors = self.legacy_chains(v),
                "variables" => t.variables = self.legacy_variables(v),
                "sensitive-variables" => sensitive = self.string_list(v, "`sensitive-variables`"),
                "error-cleanup-provisioner" => {
                    if let Value::Object(o) = v {
                        build.error_cleanup = self.legacy_provisioner(o);
                    } else {
                        self.shape(v, "an object", "`error-cleanup-provisioner`");
                    }
                }
                "description" => t.description = self.literal_string(v, "`description`"),
                "min_packer_version" => {
                    if let Some(s) = self.literal_string(v, "`min_packer_version`") {
                        let value = format!(">= {}", s.value);
                        t.packer.push(PackerSettings {
                            required_version: Some(Spanned::new(value, s.span)),
                            required_plugins: None,
                            span: s.span,
                        });
                    }
                }
                "push" => {}
                _ if name.starts_with('_') => {
                    if !matches!(v, Value::StringLit(_)) {
                        self.shape(v, "a string", &format!("the root-level comment `{name}`"));
                    }
                }
                _ => {
                    let help = did_you_mean_help(name, ROOT_KEYS.iter().copied()).unwrap_or_else(|| {
                        format!(
                            "the root of a JSON template holds {}; comments are keys starting with `_`",
                            ROOT_KEYS.join(", ")
                        )
                    });
                    self.diags.push(
                        Diagnostic::error(
                            Code::UnexpectedAttribute,
                            name_span(self.file, p),
                            format!("unknown root level key `{name}` in template"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
        for s in &sensitive {
            match t.variables.iter_mut().find(|v| v.name.value == s.value) {
                Some(v) => v.sensitive = Some(Spanned::new(true, s.span)),
                // Packer accepts the name and masks nothing for it: a warning, since no value of
                // the template is left unmasked by it.
                None => self.diags.push(
                    Diagnostic::warning(
                        Code::UndeclaredVariable,
                        s.span,
                        format!("`sensitive-variables` names `{}`, which is not a variable", s.value),
                    )
                    .with_help(
                        did_you_mean_help(&s.value, t.variables.iter().map(|v| v.name.value.as_str()))
                            .unwrap_or_else(|| "declare it under `variables`, or remove the name".to_string()),
                    ),
                ),
            }
        }
        if has_builders || !build.provisioners.is_empty() || !build.post_processors.is_empty() {
            t.builds.push(build);
        }
        t
    }

    fn each_object<'v, 'a>(&mut self, v: &'v Value<'a>, what: &str) -> Vec<&'v ast::Object<'a>> {
        let Value::Array(a) = v else {
            self.shape(v, "an array of objects", what);
            return Vec::new();
        };
        a.elements
            .iter()
            .filter_map(|e| match e {
                Value::Object(o) => Some(o),
                other => {
                    self.shape(other, "an object", &format!("each element of {what}"));
                    None
                }
            })
            .collect()
    }

    fn builders(&mut self, v: &Value<'_>, t: &mut Template, build: &mut Build) {
        for (i, o) in self.each_object(v, "`builders`").into_iter().enumerate() {
            let span = Span::new(self.file, o.range.start..o.range.end);
            let mut body = self.legacy_body(o, &["type", "name"]);
            let kind = self.meta_string(o, "type");
            let name = self.meta_string(o, "name");
            let Some(kind) = kind else {
                self.diags.push(
                    Diagnostic::error(Code::MissingKey, span, format!("builder {} has no `type`", i + 1))
                        .with_help("every builder needs a type, for example `\"type\": \"amazon-ebs\"`"),
                );
                continue;
            };
            let name = name.unwrap_or_else(|| kind.clone());
            body.span = span;
            build.sources.push(SourceUse {
                reference: Spanned::new(format!("source.{}.{}", kind.value, name.value), name.span),
                name: None,
                body: Body::empty(span),
                span,
            });
            t.sources.push(Source { kind, name, body, span });
        }
    }

    fn meta_string(&mut self, o: &ast::Object<'_>, key: &str) -> Option<Spanned<String>> {
        let p = o.properties.iter().find(|p| prop_name(p) == key)?;
        self.literal_string(&p.value, &format!("`{key}`"))
    }

    /// Component configuration: every key but the meta keys, strings as Go templates.
    fn legacy_body(&mut self, o: &ast::Object<'_>, meta: &[&str]) -> Body {
        let mut body = Body::empty(Span::new(self.file, o.range.start..o.range.end));
        for p in &o.properties {
            let name = prop_name(p);
            if meta.contains(&name) {
                continue;
            }
            let key = Spanned::new(name.to_string(), name_span(self.file, p));
            let value = self.expr(&p.value, Strings::GoTemplate);
            let span = key.span.join(value.span);
            body.attributes.push(Attribute { key, value, span });
        }
        body
    }

    fn legacy_provisioner(&mut self, o: &ast::Object<'_>) -> Option<Provisioner> {
        const META: &[&str] = &["type", "only", "except", "override", "pause_before", "max_retries", "timeout"];
        let span = Span::new(self.file, o.range.start..o.range.end);
        let body = self.legacy_body(o, META);
        let Some(kind) = self.meta_string(o, "type") else {
            self.diags.push(
                Diagnostic::error(Code::MissingKey, span, "provisioner has no `type`")
                    .with_help("every provisioner needs a type, for example `\"type\": \"shell\"`"),
            );
            return None;
        };
        let mut p = Provisioner {
            kind,
            name: None,
            only: Vec::new(),
            except: Vec::new(),
            only_expr: None,
            except_expr: None,
            pause_before: None,
            timeout: None,
            max_retries: None,
            overrides: Vec::new(),
            body,
            span,
        };
        for prop in &o.properties {
            let v = &prop.value;
            match prop_name(prop) {
                "only" => p.only = self.weak_string_list(v, "`only`"),
                "except" => p.except = self.weak_string_list(v, "`except`"),
                "pause_before" => p.pause_before = Some(self.expr(v, Strings::GoTemplate)),
                "timeout" => p.timeout = Some(self.expr(v, Strings::GoTemplate)),
                "max_retries" => p.max_retries = Some(self.expr(v, Strings::GoTemplate)),
                "override" => p.overrides = self.legacy_overrides(v),
                _ => {}
            }
        }
        Some(p)
    }

    fn legacy_overrides(&mut self, v: &Value<'_>) -> Vec<Override> {
        let Value::Object(o) = v else {
            self.shape(v, "an object", "`override`");
            return Vec::new();
        };
        o.properties
            .iter()
            .filter_map(|p| {
                let target = Spanned::new(prop_name(p).to_string(), name_span(self.file, p));
                match &p.value {
                    Value::Object(inner) => Some(Override { target, body: self.legacy_body(inner, &[]) }),
                    other => {
                        self.shape(other, "an object", "an `override` entry");
                        None
                    }
                }
            })
            .collect()
    }

    fn legacy_chains(&mut self, v: &Value<'_>) -> Vec<Chain> {
        let Value::Array(a) = v else {
            self.shape(v, "an array", "`post-processors`");
            return Vec::new();
        };
        let mut chains = Vec::new();
        for e in &a.elements {
            let span = self.span(e);
            match e {
                Value::Array(inner) => {
                    let steps = inner
                        .elements
                        .iter()
                        .filter_map(|x| {
                            if matches!(x, Value::Array(_)) {
                                self.diags.push(
                                    Diagnostic::error(
                                        Code::WrongShape,
                                        self.span(x),
                                        "a post-processor sequence may not be nested in a sequence",
                                    )
                                    .with_help("flatten the inner list into the outer one"),
                                );
                                return None;
                            }
                            self.legacy_post_processor(x)
                        })
                        .collect();
                    chains.push(Chain { steps, span });
                }
                other => {
                    if let Some(pp) = self.legacy_post_processor(other) {
                        chains.push(Chain { steps: vec![pp], span });
                    }
                }
            }
        }
        chains
    }

    fn legacy_post_processor(&mut self, v: &Value<'_>) -> Option<PostProcessor> {
        let span = self.span(v);
        match v {
            Value::StringLit(s) => Some(PostProcessor {
                kind: Spanned::new(s.value.to_string(), span),
                name: None,
                only: Vec::new(),
                except: Vec::new(),
                only_expr: None,
                except_expr: None,
                keep_input_artifact: None,
                body: Body::empty(span),
                span,
            }),
            Value::Object(o) => {
                const META: &[&str] = &["type", "name", "only", "except", "keep_input_artifact"];
                let body = self.legacy_body(o, META);
                let Some(kind) = self.meta_string(o, "type") else {
                    self.diags.push(
                        Diagnostic::error(Code::MissingKey, span, "post-processor has no `type`")
                            .with_help("every post-processor needs a type, for example `\"type\": \"manifest\"`"),
                    );
                    return None;
                };
                let mut pp = PostProcessor {
                    kind,
                    name: None,
                    only: Vec::new(),
                    except: Vec::new(),
                    only_expr: None,
                    except_expr: None,
                    keep_input_artifact: None,
                    body,
                    span,
                };
                for prop in &o.properties {
                    match prop_name(prop) {
                        "name" => pp.name = self.literal_string(&prop.value, "`name`"),
                        "only" => pp.only = self.weak_string_list(&prop.value, "`only`"),
                        "except" => pp.except = self.weak_string_list(&prop.value, "`except`"),
                        "keep_input_artifact" => {
                            pp.keep_input_artifact = Some(self.expr(&prop.value, Strings::Literal))
                        }
                        _ => {}
                    }
                }
                Some(pp)
            }
            other => {
                self.shape(other, "a string or an object", "a post-processor");
                None
            }
        }
    }

    fn legacy_variables(&mut self, v: &Value<'_>) -> Vec<Variable> {
        let Value::Object(o) = v else {
            self.shape(v, "an object", "`variables`");
            return Vec::new();
        };
        o.properties
            .iter()
            .map(|p| {
                let name = Spanned::new(prop_name(p).to_string(), name_span(self.file, p));
                let default = match &p.value {
                    Value::NullKeyword(_) => None,
                    other => Some(self.expr(other, Strings::GoTemplate)),
                };
                Variable {
                    span: name.span.join(self.span(&p.value)),
                    name,
                    ty: None,
                    default,
                    description: None,
                    sensitive: None,
                    validations: Vec::new(),
                }
            })
            .collect()
    }
}
