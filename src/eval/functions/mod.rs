//! The function library: every HCL2 function Packer ships, and the Go-template functions of
//! legacy JSON templates, each declared once in a table with its arity and documentation.
//!
//! The evaluator calls [`call`]; deferred arguments make a deferred result and sensitive
//! arguments a sensitive one, so no function has to think about marks.

mod strings;

use std::path::Path;
use std::time::SystemTime;

use crate::eval::value::{Kind, Value};
use crate::source::Vfs;

/// What a function may know about its surroundings.
pub struct Context<'a> {
    /// `path.root`: relative file functions resolve against it.
    pub base_dir: &'a Path,
    /// `path.cwd`.
    pub cwd: &'a Path,
    /// When the process started (`legacy_isotime`, Go `{{timestamp}}`).
    pub start_time: SystemTime,
    /// The only door to files.
    pub vfs: &'a dyn Vfs,
    /// The build name and builder type, where a Go template is rendered for one build.
    pub build: Option<(&'a str, &'a str)>,
}

/// A function failed: which argument (0-based) was wrong, if one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnError {
    /// The offending argument.
    pub arg: Option<usize>,
    /// What is wrong, lowercase, no full stop.
    pub message: String,
}

impl FnError {
    /// An error about argument `arg`.
    pub fn arg(arg: usize, message: impl Into<String>) -> FnError {
        FnError { arg: Some(arg), message: message.into() }
    }

    /// An error about the call as a whole.
    pub fn call(message: impl Into<String>) -> FnError {
        FnError { arg: None, message: message.into() }
    }
}

/// A function's implementation.
pub type Impl = fn(&Context<'_>, &[Value]) -> Result<Value, FnError>;

/// One function of a table.
pub struct Function {
    /// Its name.
    pub name: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments; `None` for variadic.
    pub max_args: Option<usize>,
    /// The implementation; `None` for the few the evaluator runs itself (`try`, `can`,
    /// `convert`, `templatefile`) because they need unevaluated arguments or the evaluator.
    pub imp: Option<Impl>,
    /// One-line description.
    pub doc: &'static str,
}

const fn f(name: &'static str, min_args: usize, max_args: Option<usize>, imp: Impl, doc: &'static str) -> Function {
    Function { name, min_args, max_args, imp: Some(imp), doc }
}

const fn special(name: &'static str, min_args: usize, max_args: Option<usize>, doc: &'static str) -> Function {
    Function { name, min_args, max_args, imp: None, doc }
}

/// The HCL2 functions, sorted by name.
pub static HCL_FUNCTIONS: &[Function] = &[
    special("can", 1, Some(1), "whether an expression evaluates without error"),
    special("convert", 2, Some(2), "converts a value to a type"),
    f("length", 1, Some(1), strings::length, "the number of elements, or characters of a string"),
    f("lower", 1, Some(1), strings::lower, "converts letters to lower case"),
    special("templatefile", 2, Some(2), "renders a template file with variables"),
    special("try", 1, None, "the first of its arguments that evaluates without error"),
    f("upper", 1, Some(1), strings::upper, "converts letters to upper case"),
];

/// The Go-template functions of legacy JSON templates (after `user`, `build`, `template_dir`,
/// `pwd` and `packer_version`, which the reader maps to HCL2 references).
pub static GO_FUNCTIONS: &[Function] = &[
    f("lower", 1, Some(1), strings::lower, "converts letters to lower case"),
    f("upper", 1, Some(1), strings::upper, "converts letters to upper case"),
];

/// Finds an HCL2 function.
pub fn lookup(name: &str) -> Option<&'static Function> {
    HCL_FUNCTIONS.iter().find(|f| f.name == name)
}

/// Finds a Go-template function.
pub fn lookup_go(name: &str) -> Option<&'static Function> {
    GO_FUNCTIONS.iter().find(|f| f.name == name)
}

/// Calls a function on evaluated arguments, carrying the marks of the arguments to the result.
///
/// # Errors
/// The function's own error; the arity is checked by the caller.
pub fn call(func: &Function, ctx: &Context<'_>, args: &[Value]) -> Result<Value, FnError> {
    let Some(imp) = func.imp else {
        return Err(FnError::call(format!("`{}` must be called by the evaluator", func.name)));
    };
    if let Some(d) = args.iter().find(|a| a.is_deferred()) {
        let what = match &d.kind {
            Kind::Deferred(d) => d.what.clone(),
            _ => "a run-time value".to_string(),
        };
        return Ok(Value::deferred(what).mark(args.iter().any(Value::is_sensitive)));
    }
    let sensitive = args.iter().any(Value::is_sensitive);
    imp(ctx, args).map(|v| v.mark(sensitive))
}

/// The string value of argument `i`, converting numbers and bools as HCL does.
pub fn string_arg(args: &[Value], i: usize) -> Result<String, FnError> {
    args.get(i).and_then(Value::to_string_lossless).ok_or_else(|| {
        FnError::arg(i, format!("a string is required, not {}", args.get(i).map_or("nothing", Value::type_name)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_unique() {
        for table in [HCL_FUNCTIONS, GO_FUNCTIONS] {
            for pair in table.windows(2) {
                assert!(pair[0].name < pair[1].name, "{} before {}", pair[0].name, pair[1].name);
            }
        }
    }
}
