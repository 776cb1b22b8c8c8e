//! Expressions: HCL2's expression language, which every syntax lowers into (Go templates too).

use crate::ir::Ident;
use crate::source::Span;

/// An expression with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

impl Expr {
    /// Builds an expression.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The text of a string literal, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a boolean literal, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ExprKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Whether this expression or any inside it (template parts, arguments, `for` bodies…)
    /// satisfies `pred`.
    pub fn any(&self, pred: &mut impl FnMut(&Expr) -> bool) -> bool {
        if pred(self) {
            return true;
        }
        match &self.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Variable(_)
            | ExprKind::SplatItem
            | ExprKind::ComponentVar(_) => false,
            ExprKind::Template(parts) => parts.iter().any(|p| p.any(pred)),
            ExprKind::Tuple(items) => items.iter().any(|e| e.any(pred)),
            ExprKind::Object(items) => items.iter().any(|i| i.key.any(pred) || i.value.any(pred)),
            ExprKind::GetAttr(inner, _) | ExprKind::Unary(_, inner) => inner.any(pred),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => a.any(pred) || b.any(pred),
            ExprKind::Splat { source, each } => source.any(pred) || each.any(pred),
            ExprKind::Call { args, .. } => args.iter().any(|e| e.any(pred)),
            ExprKind::Conditional(c, a, b) => c.any(pred) || a.any(pred) || b.any(pred),
            ExprKind::For(f) => {
                f.collection.any(pred)
                    || f.key.as_ref().is_some_and(|k| k.any(pred))
                    || f.value.any(pred)
                    || f.cond.as_ref().is_some_and(|c| c.any(pred))
            }
        }
    }

    /// The root name and attribute path of a plain traversal (`var.a.b` → `("var", ["a", "b"])`).
    pub fn as_traversal(&self) -> Option<(String, Vec<String>)> {
        match &self.kind {
            ExprKind::Variable(name) => Some((name.value.clone(), Vec::new())),
            ExprKind::GetAttr(inner, attr) => {
                let (root, mut path) = inner.as_traversal()?;
                path.push(attr.value.clone());
                Some((root, path))
            }
            _ => None,
        }
    }
}

/// Which function table a call resolves against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFlavor {
    /// An HCL2 function (`upper(x)`).
    Hcl,
    /// A Go-template function of a legacy template (`{{timestamp}}`), whose semantics differ.
    GoTemplate,
}

/// The kinds of expression.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number literal.
    Number(f64),
    /// A string with no interpolation.
    String(String),
    /// A string template or heredoc with interpolations or directives.
    Template(Vec<TemplatePart>),
    /// `[a, b]`.
    Tuple(Vec<Expr>),
    /// `{ k = v }`; identifier keys are string literals.
    Object(Vec<ObjectItem>),
    /// A root name: `var`, `local`, `each`, a `for` variable.
    Variable(Ident),
    /// `x.name`.
    GetAttr(Box<Expr>, Ident),
    /// `x[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `x[*].a` / `x.*.a`: `each` is evaluated with [`ExprKind::SplatItem`] bound to every element.
    Splat {
        /// The collection.
        source: Box<Expr>,
        /// What to take of each element.
        each: Box<Expr>,
    },
    /// The element a splat is applied to.
    SplatItem,
    /// `f(a, b...)`.
    Call {
        /// Function name.
        name: Ident,
        /// Arguments.
        args: Vec<Expr>,
        /// `...` after the last argument.
        expand_final: bool,
        /// Which function table.
        flavor: CallFlavor,
    },
    /// `-x`, `!x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a + b`, `a && b`, `a == b`…
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[for k, v in c : v if cond]` / `{for ...: k => v}`.
    For(Box<ForExpr>),
    /// A Go-template component variable such as `{{ .Path }}`: known only to the component at run time.
    ComponentVar(Ident),
}

/// An object entry.
#[derive(Debug, Clone)]
pub struct ObjectItem {
    /// The key expression (an identifier key is a string literal).
    pub key: Expr,
    /// The value.
    pub value: Expr,
}

/// A `for` expression.
#[derive(Debug, Clone)]
pub struct ForExpr {
    /// Key (or index) variable.
    pub key_var: Option<Ident>,
    /// Value variable.
    pub value_var: Ident,
    /// The collection.
    pub collection: Expr,
    /// Key expression: present for an object result.
    pub key: Option<Expr>,
    /// Value expression.
    pub value: Expr,
    /// `...` grouping mode.
    pub grouping: bool,
    /// `if` filter.
    pub cond: Option<Expr>,
}

/// One piece of a string template.
#[derive(Debug, Clone)]
pub enum TemplatePart {
    /// Literal text.
    Literal(String),
    /// `${expr}` (or a Go-template action).
    Interpolation(Expr),
    /// `%{if c}...%{else}...%{endif}`.
    If {
        /// The condition.
        cond: Expr,
        /// Parts when true.
        then: Vec<TemplatePart>,
        /// Parts when false.
        otherwise: Vec<TemplatePart>,
    },
    /// `%{for k, v in c}...%{endfor}`.
    For {
        /// Key variable.
        key_var: Option<Ident>,
        /// Value variable.
        value_var: Ident,
        /// Collection.
        collection: Expr,
        /// Parts per element.
        body: Vec<TemplatePart>,
    },
}

impl TemplatePart {
    /// Whether an expression of this part satisfies `pred` (see [`Expr::any`]).
    pub fn any(&self, pred: &mut impl FnMut(&Expr) -> bool) -> bool {
        match self {
            TemplatePart::Literal(_) => false,
            TemplatePart::Interpolation(e) => e.any(pred),
            TemplatePart::If { cond, then, otherwise } => {
                cond.any(pred) || then.iter().any(|p| p.any(pred)) || otherwise.iter().any(|p| p.any(pred))
            }
            TemplatePart::For { collection, body, .. } => collection.any(pred) || body.iter().any(|p| p.any(pred)),
        }
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`.
    Neg,
    /// `!`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<=`
    LessEq,
    /// `>=`
    GreaterEq,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::LessEq => "<=",
            BinaryOp::GreaterEq => ">=",
            BinaryOp::Less => "<",
            BinaryOp::Greater => ">",
            BinaryOp::Plus => "+",
            BinaryOp::Minus => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}
