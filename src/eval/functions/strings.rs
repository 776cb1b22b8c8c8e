//! String functions.

use crate::eval::functions::{Context, FnError, string_arg};
use crate::eval::value::{Kind, Value};

/// `upper(s)`.
pub fn upper(_: &Context<'_>, args: &[Value]) -> Result<Value, FnError> {
    Ok(Value::string(string_arg(args, 0)?.to_uppercase()))
}

/// `lower(s)`.
pub fn lower(_: &Context<'_>, args: &[Value]) -> Result<Value, FnError> {
    Ok(Value::string(string_arg(args, 0)?.to_lowercase()))
}

/// `length(x)`: elements of a collection, characters of a string.
pub fn length(_: &Context<'_>, args: &[Value]) -> Result<Value, FnError> {
    #[allow(clippy::cast_precision_loss)]
    let n = match &args[0].kind {
        Kind::List(items) => items.len(),
        Kind::Map(items) => items.len(),
        Kind::String(s) => s.chars().count(),
        _ => return Err(FnError::arg(0, format!("a collection or string is required, not {}", args[0].type_name()))),
    };
    #[allow(clippy::cast_precision_loss)]
    Ok(Value::number(n as f64))
}
