//! The block structure of an HCL2 template, shared by the three HCL2-shaped syntaxes.
//!
//! HCL, HCL-JSON and TOML are first turned into a generic [`ir::Body`]; this module checks the
//! block types, label counts and meta-arguments and builds the typed [`Template`]. The
//! [`BlockRule`] tables also tell the JSON and TOML readers which keys stand for blocks.

use crate::diag::{Code, Diagnostic, did_you_mean_help};
use crate::ir::{
    Attribute, Block, Body, Build, Chain, DataSource, Expr, ExprKind, Local, Origin, Override, PackerSettings,
    PostProcessor, Provisioner, Source, SourceUse, Spanned, Template, Validation, Variable,
};

/// What a block type looks like: how many labels, and which nested keys are blocks.
#[derive(Debug)]
pub struct BlockRule {
    /// The block type.
    pub name: &'static str,
    /// How many labels it takes.
    pub labels: usize,
    /// Nested block types; `None` for component bodies, whose nesting the schema decides.
    pub children: Option<&'static [BlockRule]>,
}

const fn block_rule(name: &'static str, labels: usize, children: Option<&'static [BlockRule]>) -> BlockRule {
    BlockRule { name, labels, children }
}

const NONE: Option<&[BlockRule]> = Some(&[]);

/// Blocks allowed at the top level of an HCL2 template.
pub const TOP_LEVEL: &[BlockRule] = &[
    block_rule("packer", 0, Some(&[block_rule("required_plugins", 0, None)])),
    block_rule("variable", 1, Some(&[block_rule("validation", 0, NONE)])),
    block_rule("variables", 0, NONE),
    block_rule("locals", 0, NONE),
    block_rule("local", 1, NONE),
    block_rule("data", 2, None),
    block_rule("source", 2, None),
    block_rule("build", 0, Some(BUILD)),
    block_rule("hcp_packer_registry", 0, None),
    block_rule("communicator", 2, None),
];

/// Blocks allowed inside `build`.
pub const BUILD: &[BlockRule] = &[
    block_rule("source", 1, None),
    block_rule("provisioner", 1, None),
    block_rule("error-cleanup-provisioner", 1, None),
    block_rule("post-processor", 1, None),
    block_rule("post-processors", 0, Some(&[block_rule("post-processor", 1, None)])),
    block_rule("hcp_packer_registry", 0, None),
    block_rule("dynamic", 1, None),
];

const PACKER_CHILDREN: &[BlockRule] = &[block_rule("required_plugins", 0, None)];
const VARIABLE_CHILDREN: &[BlockRule] = &[block_rule("validation", 0, NONE)];
const CHAIN_CHILDREN: &[BlockRule] = &[block_rule("post-processor", 1, None)];

/// Attributes of a `build` block.
pub const BUILD_ATTRS: &[&str] = &["name", "description", "sources"];
/// Attributes of a `variable` block.
pub const VARIABLE_ATTRS: &[&str] = &["type", "default", "description", "sensitive", "nullable"];
/// Arguments every provisioner takes besides its own.
pub const PROVISIONER_META: &[&str] = &["name", "only", "except", "pause_before", "timeout", "max_retries", "override"];
/// Arguments every post-processor takes besides its own.
pub const POST_PROCESSOR_META: &[&str] = &["name", "only", "except", "keep_input_artifact"];

/// Finds the rule for `name` among `rules`.
pub fn find_rule(rules: &'static [BlockRule], name: &str) -> Option<&'static BlockRule> {
    rules.iter().find(|r| r.name == name)
}

/// Builds a template from the generic body of one file.
pub fn decode(body: &Body, origin: Origin, diags: &mut Vec<Diagnostic>) -> Template {
    let mut d = Decoder { origin, diags };
    d.top_level(body)
}

struct Decoder<'a> {
    origin: Origin,
    diags: &'a mut Vec<Diagnostic>,
}

impl Decoder<'_> {
    fn top_level(&mut self, body: &Body) -> Template {
        let mut t = Template::default();
        for attr in &body.attributes {
            self.diags.push(
                Diagnostic::error(Code::UnexpectedAttribute, attr.key.span, format!("an argument named `{}` is not expected at the top level", attr.key.value))
                    .with_help_opt(did_you_mean_help(&attr.key.value, TOP_LEVEL.iter().map(|r| r.name)).or_else(|| {
                        Some("the top level holds only blocks: packer, variable, variables, locals, local, data, source and build".into())
                    })),
            );
        }
        for block in &body.blocks {
            let Some(rule) = self.check_block(block, TOP_LEVEL, "the top level") else { continue };
            match rule.name {
                "packer" => t.packer.push(self.packer(block)),
                "variable" => t.variables.push(self.variable(block)),
                "variables" => t.variables.extend(self.variables(block)),
                "locals" => t.locals.extend(block.body.attributes.iter().map(|a| Local {
                    name: a.key.clone(),
                    expr: a.value.clone(),
                    sensitive: false,
                    span: a.span,
                })),
                "local" => t.locals.extend(self.local(block)),
                "data" => t.data.push(DataSource {
                    kind: block.labels[0].clone(),
                    name: block.labels[1].clone(),
                    body: block.body.clone(),
                    span: block.span,
                }),
                "source" => t.sources.push(Source {
                    kind: block.labels[0].clone(),
                    name: block.labels[1].clone(),
                    body: block.body.clone(),
                    span: block.span,
                }),
                "build" => t.builds.push(self.build(block)),
                // HCP Packer registry settings and the reserved `communicator` block are accepted and
                // ignored, as Packer does without an HCP account.
                _ => {}
            }
        }
        t
    }

    /// Checks type and label count; returns the rule when the block can be decoded further.
    fn check_block(&mut self, block: &Block, rules: &'static [BlockRule], place: &str) -> Option<&'static BlockRule> {
        let Some(rule) = find_rule(rules, &block.kind.value) else {
            let names = rules.iter().map(|r| r.name);
            let help = did_you_mean_help(&block.kind.value, names.clone())
                .unwrap_or_else(|| format!("blocks allowed here: {}", names.collect::<Vec<_>>().join(", ")));
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownBlock,
                    block.kind.span,
                    format!("blocks of type `{}` are not expected in {place}", block.kind.value),
                )
                .with_help(help),
            );
            return None;
        };
        if block.labels.len() != rule.labels {
            let span = block.labels.get(rule.labels).map_or(block.kind.span, |l| l.span);
            let expected = match rule.labels {
                0 => "no labels".to_string(),
                1 => "one label".to_string(),
                n => format!("{n} labels"),
            };
            self.diags.push(
                Diagnostic::error(
                    Code::WrongLabelCount,
                    span,
                    format!("a `{}` block takes {expected}, not {}", rule.name, block.labels.len()),
                )
                .with_help(label_help(rule.name)),
            );
            return None;
        }
        Some(rule)
    }

    fn unexpected_attr(&mut self, attr: &Attribute, block: &str, allowed: &[&str]) {
        let help = did_you_mean_help(&attr.key.value, allowed.iter().copied())
            .unwrap_or_else(|| format!("a `{block}` block takes: {}", allowed.join(", ")));
        self.diags.push(
            Diagnostic::error(
                Code::UnexpectedAttribute,
                attr.key.span,
                format!("an argument named `{}` is not expected in a `{block}` block", attr.key.value),
            )
            .with_help(help),
        );
    }

    fn packer(&mut self, block: &Block) -> PackerSettings {
        let mut out = PackerSettings { required_version: None, required_plugins: None, span: block.span };
        for a in &block.body.attributes {
            match a.key.value.as_str() {
                "required_version" => out.required_version = self.string(&a.value),
                "required_plugins" => out.required_plugins = Some(expr_to_body(&a.value)),
                _ => self.unexpected_attr(a, "packer", &["required_version"]),
            }
        }
        for b in &block.body.blocks {
            if self.check_block(b, PACKER_CHILDREN, "a `packer` block").is_some() {
                out.required_plugins = Some(b.body.clone());
            }
        }
        out
    }

    fn variable(&mut self, block: &Block) -> Variable {
        let mut v = Variable {
            name: block.labels[0].clone(),
            ty: None,
            default: None,
            description: None,
            sensitive: None,
            validations: Vec::new(),
            span: block.span,
        };
        for a in &block.body.attributes {
            match a.key.value.as_str() {
                "type" => v.ty = Some(a.value.clone()),
                "default" => v.default = Some(a.value.clone()),
                "description" => v.description = self.string(&a.value),
                "sensitive" => v.sensitive = self.bool(&a.value),
                "nullable" => {}
                _ => self.unexpected_attr(a, "variable", VARIABLE_ATTRS),
            }
        }
        for b in &block.body.blocks {
            if self.check_block(b, VARIABLE_CHILDREN, "a `variable` block").is_none() {
                continue;
            }
            let cond = b.body.attribute("condition");
            let msg = b.body.attribute("error_message");
            for a in &b.body.attributes {
                if !matches!(a.key.value.as_str(), "condition" | "error_message") {
                    self.unexpected_attr(a, "validation", &["condition", "error_message"]);
                }
            }
            match (cond, msg) {
                (Some(c), Some(m)) => {
                    v.validations.push(Validation {
                        condition: c.value.clone(),
                        error_message: m.value.clone(),
                        span: b.span,
                    });
                }
                _ => {
                    let missing = if cond.is_none() { "condition" } else { "error_message" };
                    self.diags.push(
                        Diagnostic::error(
                            Code::MissingKey,
                            b.kind.span,
                            format!("a `validation` block needs `{missing}`"),
                        )
                        .with_help("write both `condition = <bool expression>` and `error_message = \"...\"`"),
                    );
                }
            }
        }
        v
    }

    fn variables(&mut self, block: &Block) -> Vec<Variable> {
        block
            .body
            .attributes
            .iter()
            .map(|a| Variable {
                name: a.key.clone(),
                ty: None,
                default: Some(a.value.clone()),
                description: None,
                sensitive: None,
                validations: Vec::new(),
                span: a.span,
            })
            .collect()
    }

    fn local(&mut self, block: &Block) -> Option<Local> {
        let mut expr = None;
        let mut sensitive = false;
        for a in &block.body.attributes {
            match a.key.value.as_str() {
                "expression" => expr = Some(a.value.clone()),
                "sensitive" => sensitive = self.bool(&a.value).is_some_and(|b| b.value),
                _ => self.unexpected_attr(a, "local", &["expression", "sensitive"]),
            }
        }
        let Some(expr) = expr else {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingKey,
                    block.kind.span,
                    format!("local `{}` has no `expression`", block.labels[0].value),
                )
                .with_help("write `expression = <value>` inside the block"),
            );
            return None;
        };
        Some(Local { name: block.labels[0].clone(), expr, sensitive, span: block.span })
    }

    fn build(&mut self, block: &Block) -> Build {
        let mut b = Build {
            name: None,
            description: None,
            sources: Vec::new(),
            sources_expr: None,
            provisioners: Vec::new(),
            error_cleanup: None,
            post_processors: Vec::new(),
            dynamic: Vec::new(),
            span: block.span,
            origin: self.origin,
        };
        for a in &block.body.attributes {
            match a.key.value.as_str() {
                "name" => b.name = self.string(&a.value),
                "description" => b.description = self.string(&a.value),
                // Packer evaluates `sources` with the variables; a list of names is the usual form.
                "sources" if !is_literal(&a.value) => b.sources_expr = Some(a.value.clone()),
                "sources" => {
                    for item in self.list(&a.value) {
                        if let Some(reference) = self.string(&item) {
                            b.sources.push(SourceUse {
                                reference,
                                name: None,
                                body: Body::empty(item.span),
                                span: item.span,
                            });
                        }
                    }
                }
                _ => self.unexpected_attr(a, "build", BUILD_ATTRS),
            }
        }
        for inner in &block.body.blocks {
            let Some(rule) = self.check_block(inner, BUILD, "a `build` block") else { continue };
            match rule.name {
                "source" => b.sources.push(self.nested_source(inner)),
                "provisioner" => b.provisioners.push(self.provisioner(inner)),
                "error-cleanup-provisioner" => {
                    let p = self.provisioner(inner);
                    if let Some(first) = &b.error_cleanup {
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateBlock,
                                inner.kind.span,
                                "a build may have only one `error-cleanup-provisioner`",
                            )
                            .with_label(first.span, "the first one is here")
                            .with_help("merge the two into one provisioner"),
                        );
                    } else {
                        b.error_cleanup = Some(p);
                    }
                }
                "post-processor" => {
                    let pp = self.post_processor(inner);
                    b.post_processors.push(Chain { span: inner.span, steps: vec![pp] });
                }
                "post-processors" => {
                    for a in &inner.body.attributes {
                        self.unexpected_attr(a, "post-processors", &[]);
                    }
                    let rules = CHAIN_CHILDREN;
                    let mut steps = Vec::new();
                    for pp in &inner.body.blocks {
                        if self.check_block(pp, rules, "a `post-processors` block").is_some() {
                            steps.push(self.post_processor(pp));
                        }
                    }
                    b.post_processors.push(Chain { span: inner.span, steps });
                }
                "dynamic" => b.dynamic.push(inner.clone()),
                _ => {}
            }
        }
        b
    }

    fn nested_source(&mut self, block: &Block) -> SourceUse {
        let mut body = block.body.clone();
        let name = take_attr(&mut body, "name").and_then(|a| self.string(&a.value));
        SourceUse { reference: block.labels[0].clone(), name, body, span: block.span }
    }

    fn provisioner(&mut self, block: &Block) -> Provisioner {
        let mut body = block.body.clone();
        let name = take_attr(&mut body, "name").and_then(|a| self.string(&a.value));
        let (only, only_expr) = self.filter(take_attr(&mut body, "only"));
        let (except, except_expr) = self.filter(take_attr(&mut body, "except"));
        let pause_before = take_attr(&mut body, "pause_before").map(|a| a.value);
        let timeout = take_attr(&mut body, "timeout").map(|a| a.value);
        let max_retries = take_attr(&mut body, "max_retries").map(|a| a.value);
        let overrides = take_attr(&mut body, "override").map(|a| self.overrides(&a.value)).unwrap_or_default();
        let _ = PROVISIONER_META;
        Provisioner {
            kind: block.labels[0].clone(),
            name,
            only,
            except,
            only_expr,
            except_expr,
            pause_before,
            timeout,
            max_retries,
            overrides,
            body,
            span: block.span,
        }
    }

    fn overrides(&mut self, value: &Expr) -> Vec<Override> {
        let ExprKind::Object(items) = &value.kind else {
            self.shape(value, "`override` must be an object: `{ \"SOURCE\" = { key = value } }`");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| {
                let target = self.string(&item.key)?;
                if !matches!(item.value.kind, ExprKind::Object(_)) {
                    self.shape(&item.value, "each `override` entry must be an object of attributes");
                    return None;
                }
                Some(Override { target, body: expr_to_body(&item.value) })
            })
            .collect()
    }

    fn post_processor(&mut self, block: &Block) -> PostProcessor {
        let mut body = block.body.clone();
        let name = take_attr(&mut body, "name").and_then(|a| self.string(&a.value));
        let (only, only_expr) = self.filter(take_attr(&mut body, "only"));
        let (except, except_expr) = self.filter(take_attr(&mut body, "except"));
        let keep_input_artifact = take_attr(&mut body, "keep_input_artifact").map(|a| a.value);
        let _ = POST_PROCESSOR_META;
        PostProcessor {
            kind: block.labels[0].clone(),
            name,
            only,
            except,
            only_expr,
            except_expr,
            keep_input_artifact,
            body,
            span: block.span,
        }
    }

    fn shape(&mut self, e: &Expr, msg: &str) {
        self.diags.push(Diagnostic::error(Code::WrongShape, e.span, msg.to_string()));
    }

    fn string(&mut self, e: &Expr) -> Option<Spanned<String>> {
        if let ExprKind::String(s) = &e.kind {
            return Some(Spanned::new(s.clone(), e.span));
        }
        self.shape(e, "expected a literal string here");
        None
    }

    fn bool(&mut self, e: &Expr) -> Option<Spanned<bool>> {
        if let ExprKind::Bool(b) = e.kind {
            return Some(Spanned::new(b, e.span));
        }
        self.shape(e, "expected `true` or `false` here");
        None
    }

    fn list(&mut self, e: &Expr) -> Vec<Expr> {
        if let ExprKind::Tuple(items) = &e.kind {
            return items.clone();
        }
        self.shape(e, "expected a list here, such as `[\"a\", \"b\"]`");
        Vec::new()
    }

    fn string_list(&mut self, e: &Expr) -> Vec<Spanned<String>> {
        self.list(e).iter().filter_map(|item| self.string(item)).collect()
    }

    /// `only`/`except`: a list of names, or an expression Packer evaluates with the variables
    /// (`var.desktop ? ["x.y"] : []`), kept for the pipeline to evaluate.
    fn filter(&mut self, attr: Option<Attribute>) -> (Vec<Spanned<String>>, Option<Expr>) {
        let Some(a) = attr else { return (Vec::new(), None) };
        if is_literal(&a.value) { (self.string_list(&a.value), None) } else { (Vec::new(), Some(a.value)) }
    }
}

/// Whether a list-of-names meta-argument (`sources`, `only`, `except`) is written literally
/// (a list of strings, or a value of the wrong shape to report now) rather than as an
/// expression to evaluate with the variables.
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Tuple(items) => items.iter().all(|i| matches!(i.kind, ExprKind::String(_))),
        ExprKind::String(_) | ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Null | ExprKind::Object(_) => true,
        _ => false,
    }
}

fn label_help(block: &str) -> String {
    match block {
        "source" => "write `source \"TYPE\" \"NAME\" { ... }`, for example `source \"null\" \"example\"`".into(),
        "data" => "write `data \"TYPE\" \"NAME\" { ... }`".into(),
        "variable" | "local" => format!("write `{block} \"NAME\" {{ ... }}`"),
        "provisioner" | "post-processor" | "error-cleanup-provisioner" => format!("write `{block} \"TYPE\" {{ ... }}`"),
        "dynamic" => "write `dynamic \"BLOCK_TYPE\" { for_each = ... content { ... } }`".into(),
        _ => format!("write `{block} {{ ... }}` with no labels"),
    }
}

/// Removes and returns the attribute named `key`.
fn take_attr(body: &mut Body, key: &str) -> Option<Attribute> {
    let idx = body.attributes.iter().position(|a| a.key.value == key)?;
    Some(body.attributes.remove(idx))
}

/// Reads an object expression as a body of attributes (for `override` and JSON objects).
pub fn expr_to_body(e: &Expr) -> Body {
    let mut body = Body::empty(e.span);
    if let ExprKind::Object(items) = &e.kind {
        for item in items {
            let key = match &item.key.kind {
                ExprKind::String(s) => s.clone(),
                _ => crate::ir::dump::expr(&item.key),
            };
            body.attributes.push(Attribute {
                key: Spanned::new(key, item.key.span),
                value: item.value.clone(),
                span: item.key.span.join(item.value.span),
            });
        }
    }
    body
}
