//! The shared, span-carrying model of a template, the same whatever syntax it was written in.
//!
//! Architecture Invariant: `ir` is plain data and format-agnostic. Everything that differs
//! between HCL, HCL-JSON, legacy JSON and TOML is settled in `syntax::*`; a construct that only
//! one format can express carries its [`Origin`]. `ir` knows nothing of components.

pub mod dump;
mod expr;
pub mod instance;

pub use dump::dump;
pub use expr::{BinaryOp, CallFlavor, Expr, ExprKind, ForExpr, ObjectItem, TemplatePart, UnaryOp};
pub use instance::{Instance, InstanceNames};

use crate::source::{FileId, Span};

/// A value with the span of the syntax it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value.
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// A name as written, with its span.
pub type Ident = Spanned<String>;

/// Which syntax a file (and the nodes made from it) was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// HCL2 native syntax (`.pkr.hcl`).
    Hcl,
    /// HCL2 in HCL's JSON syntax (`.pkr.json`).
    HclJson,
    /// Packer's legacy JSON template (`.json`).
    LegacyJson,
    /// forge's TOML form (`.pkr.toml`, `.toml`).
    Toml,
}

impl Origin {
    /// Whether names follow legacy JSON rules (build name = builder name).
    pub fn is_legacy(self) -> bool {
        self == Origin::LegacyJson
    }
}

/// A whole template: every file of a folder merged, in load order.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// Files that make up the template.
    pub files: Vec<TemplateFile>,
    /// `packer {}` settings (JSON: `min_packer_version`).
    pub packer: Vec<PackerSettings>,
    /// Template description (JSON `description`).
    pub description: Option<Spanned<String>>,
    /// Input variables.
    pub variables: Vec<Variable>,
    /// Locals, from `locals {}` and `local "x" {}`.
    pub locals: Vec<Local>,
    /// Data sources.
    pub data: Vec<DataSource>,
    /// Sources (JSON: builders).
    pub sources: Vec<Source>,
    /// Builds.
    pub builds: Vec<Build>,
}

/// One file of a template.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Its id in the source database.
    pub file: FileId,
    /// Its syntax.
    pub origin: Origin,
    /// Whether it held no block or key at all.
    pub empty: bool,
}

impl Template {
    /// Appends another file's template to this one.
    pub fn merge(&mut self, other: Template) {
        self.files.extend(other.files);
        self.packer.extend(other.packer);
        if self.description.is_none() {
            self.description = other.description;
        }
        self.variables.extend(other.variables);
        self.locals.extend(other.locals);
        self.data.extend(other.data);
        self.sources.extend(other.sources);
        self.builds.extend(other.builds);
    }

    /// Whether any file is a legacy JSON template.
    pub fn is_legacy(&self) -> bool {
        self.files.iter().any(|f| f.origin.is_legacy())
    }
}

/// `packer { required_version = "..." required_plugins {...} }`.
#[derive(Debug, Clone)]
pub struct PackerSettings {
    /// The version constraint.
    pub required_version: Option<Spanned<String>>,
    /// `required_plugins`, kept as written.
    pub required_plugins: Option<Body>,
    /// The whole block.
    pub span: Span,
}

/// An input variable declaration.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Its name.
    pub name: Ident,
    /// The type constraint expression (`list(string)`), if any.
    pub ty: Option<Expr>,
    /// The default value; `None` makes the variable required.
    pub default: Option<Expr>,
    /// Description.
    pub description: Option<Spanned<String>>,
    /// Whether the value is masked in every output.
    pub sensitive: Option<Spanned<bool>>,
    /// `validation` blocks.
    pub validations: Vec<Validation>,
    /// The declaration.
    pub span: Span,
}

/// A `validation { condition, error_message }` block.
#[derive(Debug, Clone)]
pub struct Validation {
    /// Must be true for the value to be accepted.
    pub condition: Expr,
    /// Shown when it is not.
    pub error_message: Expr,
    /// The block.
    pub span: Span,
}

/// A local value.
#[derive(Debug, Clone)]
pub struct Local {
    /// Its name.
    pub name: Ident,
    /// Its expression.
    pub expr: Expr,
    /// `local "x" { sensitive = true }`.
    pub sensitive: bool,
    /// The attribute or block.
    pub span: Span,
}

/// A `data "TYPE" "NAME" {}` block.
#[derive(Debug, Clone)]
pub struct DataSource {
    /// The data source type.
    pub kind: Ident,
    /// Its name.
    pub name: Ident,
    /// Its configuration.
    pub body: Body,
    /// The block.
    pub span: Span,
}

/// A `source "TYPE" "NAME" {}` block, or a legacy JSON builder.
#[derive(Debug, Clone)]
pub struct Source {
    /// The builder type.
    pub kind: Ident,
    /// Its name (JSON: `name`, defaulting to the type).
    pub name: Ident,
    /// Builder configuration (without the meta keys `type` and `name`).
    pub body: Body,
    /// The block or object.
    pub span: Span,
}

/// A build: which sources to run and what to do with each.
#[derive(Debug, Clone)]
pub struct Build {
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// The sources it uses, in order.
    pub sources: Vec<SourceUse>,
    /// `sources` written as an expression (`sources = var.sources_enabled`); the pipeline
    /// evaluates it with the variables, into `sources`, before the template is checked.
    pub sources_expr: Option<Expr>,
    /// Provisioners, in order.
    pub provisioners: Vec<Provisioner>,
    /// `error-cleanup-provisioner`.
    pub error_cleanup: Option<Provisioner>,
    /// Post-processor chains; each runs on the builder's artifact.
    pub post_processors: Vec<Chain>,
    /// `dynamic` blocks written directly in the build, expanded at evaluation.
    pub dynamic: Vec<Block>,
    /// The block (JSON: the whole template object).
    pub span: Span,
    /// The syntax it came from (naming rules differ for legacy JSON).
    pub origin: Origin,
}

/// A build's use of a source: `sources = ["source.T.N"]` or a nested `source "T.N" {}`.
#[derive(Debug, Clone)]
pub struct SourceUse {
    /// The reference as written (`source.null.a`, `null.a`).
    pub reference: Spanned<String>,
    /// A local name given in a nested block.
    pub name: Option<Spanned<String>>,
    /// Extra attributes of a nested block.
    pub body: Body,
    /// The list element or nested block.
    pub span: Span,
}

impl SourceUse {
    /// The `(type, name)` the reference points at, if it is well formed.
    pub fn target(&self) -> Option<(&str, &str)> {
        let parts: Vec<&str> = self.reference.value.split('.').collect();
        match parts.as_slice() {
            [_, kind, name] | [kind, name] if !kind.is_empty() && !name.is_empty() => Some((kind, name)),
            _ => None,
        }
    }
}

/// A provisioner (or the error-cleanup provisioner).
#[derive(Debug, Clone)]
pub struct Provisioner {
    /// Its type.
    pub kind: Ident,
    /// Display name.
    pub name: Option<Spanned<String>>,
    /// Run only for these sources (builders in JSON).
    pub only: Vec<Spanned<String>>,
    /// Run for all but these.
    pub except: Vec<Spanned<String>>,
    /// `only` written as an expression (`var.desktop ? ["x.y"] : []`); the pipeline evaluates
    /// it with the variables, into `only`, before the template is checked.
    pub only_expr: Option<Expr>,
    /// `except` written as an expression, likewise.
    pub except_expr: Option<Expr>,
    /// `pause_before` duration.
    pub pause_before: Option<Expr>,
    /// `timeout` duration.
    pub timeout: Option<Expr>,
    /// `max_retries`.
    pub max_retries: Option<Expr>,
    /// `override`: per-source replacement attributes.
    pub overrides: Vec<Override>,
    /// Provisioner configuration without the meta-arguments.
    pub body: Body,
    /// The block or object.
    pub span: Span,
}

/// One entry of a provisioner's `override`.
#[derive(Debug, Clone)]
pub struct Override {
    /// The source (JSON: builder) name.
    pub target: Spanned<String>,
    /// The attributes that replace the provisioner's own for that source.
    pub body: Body,
}

/// A post-processor chain: each post-processor gets the artifact of the one before.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The post-processors in order.
    pub steps: Vec<PostProcessor>,
    /// The `post-processors` block, or the single post-processor.
    pub span: Span,
}

/// A post-processor.
#[derive(Debug, Clone)]
pub struct PostProcessor {
    /// Its type.
    pub kind: Ident,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// Run only for these sources.
    pub only: Vec<Spanned<String>>,
    /// Run for all but these.
    pub except: Vec<Spanned<String>>,
    /// `only` written as an expression (`var.desktop ? ["x.y"] : []`); the pipeline evaluates
    /// it with the variables, into `only`, before the template is checked.
    pub only_expr: Option<Expr>,
    /// `except` written as an expression, likewise.
    pub except_expr: Option<Expr>,
    /// `keep_input_artifact`.
    pub keep_input_artifact: Option<Expr>,
    /// Configuration without the meta-arguments.
    pub body: Body,
    /// The block or object.
    pub span: Span,
}

/// A block body: attributes and nested blocks, in order.
#[derive(Debug, Clone)]
pub struct Body {
    /// `key = value` entries.
    pub attributes: Vec<Attribute>,
    /// Nested blocks (including `dynamic`).
    pub blocks: Vec<Block>,
    /// The body (for an empty body, where it would be).
    pub span: Span,
}

impl Body {
    /// An empty body at `span`.
    pub fn empty(span: Span) -> Body {
        Body { attributes: Vec::new(), blocks: Vec::new(), span }
    }

    /// The attribute named `key`.
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.key.value == key)
    }
}

/// `key = value`.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// The key.
    pub key: Ident,
    /// The value.
    pub value: Expr,
    /// The whole attribute.
    pub span: Span,
}

/// A nested block: `launch_block_device_mappings { ... }`, `dynamic "x" { ... }`.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block type.
    pub kind: Ident,
    /// Its labels.
    pub labels: Vec<Ident>,
    /// Its body.
    pub body: Body,
    /// The whole block.
    pub span: Span,
}
