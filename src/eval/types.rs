//! Type constraints (`string`, `list(number)`, `object({ a = optional(string, "x") })`) and
//! HCL's conversion rules for values assigned to typed variables.

use std::collections::BTreeMap;

use crate::eval::value::{Kind, Value};
use crate::ir::{Expr, ExprKind};

/// A type constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// Any value.
    Any,
    /// `string`.
    String,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `list(T)`.
    List(Box<Type>),
    /// `set(T)`.
    Set(Box<Type>),
    /// `map(T)`.
    Map(Box<Type>),
    /// `tuple([T, …])`.
    Tuple(Vec<Type>),
    /// `object({ name = T, … })`.
    Object(Vec<Attr>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// `optional(T)` / `optional(T, default)`: `Some(default)` (a null default when none given).
    pub optional: Option<Value>,
}

impl Type {
    /// Whether values of this type come from `-var`/env as literal strings (primitive types)
    /// rather than as HCL expressions.
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Any | Type::String | Type::Number | Type::Bool)
    }

    /// The type as written.
    pub fn name(&self) -> String {
        match self {
            Type::Any => "any".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list({})", t.name()),
            Type::Set(t) => format!("set({})", t.name()),
            Type::Map(t) => format!("map({})", t.name()),
            Type::Tuple(ts) => format!("tuple([{}])", ts.iter().map(Type::name).collect::<Vec<_>>().join(", ")),
            Type::Object(attrs) => {
                let inner: Vec<String> = attrs.iter().map(|a| format!("{} = {}", a.name, a.ty.name())).collect();
                format!("object({{ {} }})", inner.join(", "))
            }
        }
    }
}

/// Reads a type expression; `Err` names what is wrong, at the expression to blame.
///
/// # Errors
/// A keyword or call that is not a type.
pub fn parse(e: &Expr) -> Result<Type, (Expr, String)> {
    let bad = |e: &Expr, msg: &str| Err((e.clone(), msg.to_string()));
    match &e.kind {
        ExprKind::Variable(name) => match name.value.as_str() {
            "any" => Ok(Type::Any),
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            other => bad(
                e,
                &format!(
                    "`{other}` is not a type; use string, number, bool, any, list(…), set(…), map(…), object({{…}}) or tuple([…])"
                ),
            ),
        },
        // Old Terraform-style quoted types.
        ExprKind::String(s) if matches!(s.as_str(), "string" | "list" | "map") => Ok(match s.as_str() {
            "string" => Type::String,
            "list" => Type::List(Box::new(Type::Any)),
            _ => Type::Map(Box::new(Type::Any)),
        }),
        ExprKind::Call { name, args, .. } => {
            let one = |args: &[Expr]| -> Result<Type, (Expr, String)> {
                match args {
                    [a] => parse(a),
                    _ => Err((e.clone(), format!("`{}(…)` takes one type", name.value))),
                }
            };
            match name.value.as_str() {
                "list" => Ok(Type::List(Box::new(one(args)?))),
                "set" => Ok(Type::Set(Box::new(one(args)?))),
                "map" => Ok(Type::Map(Box::new(one(args)?))),
                "tuple" => match args.as_slice() {
                    [Expr { kind: ExprKind::Tuple(items), .. }] => {
                        Ok(Type::Tuple(items.iter().map(parse).collect::<Result<_, _>>()?))
                    }
                    _ => bad(e, "`tuple` takes a list of types: `tuple([string, number])`"),
                },
                "object" => match args.as_slice() {
                    [Expr { kind: ExprKind::Object(items), .. }] => {
                        let mut attrs = Vec::new();
                        for item in items {
                            let Some(key) =
                                item.key.as_str().map(str::to_string).or_else(|| item.key.as_traversal().map(|t| t.0))
                            else {
                                return bad(&item.key, "an object type's attribute names must be names");
                            };
                            attrs.push(attribute(key, &item.value)?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    _ => bad(e, "`object` takes an object of types: `object({ name = string })`"),
                },
                "optional" => bad(e, "`optional(…)` may only be used for an attribute of an object type"),
                other => bad(e, &format!("`{other}(…)` is not a type constructor")),
            }
        }
        _ => bad(e, "expected a type such as string, list(string) or object({ name = string })"),
    }
}

fn attribute(name: String, e: &Expr) -> Result<Attr, (Expr, String)> {
    if let ExprKind::Call { name: f, args, .. } = &e.kind {
        if f.value == "optional" {
            return match args.as_slice() {
                [t] => Ok(Attr { name, ty: parse(t)?, optional: Some(Value::null()) }),
                [t, default] => {
                    let ty = parse(t)?;
                    let d = crate::eval::literal(default).ok_or_else(|| {
                        (default.clone(), "an optional attribute's default must be a literal".to_string())
                    })?;
                    let d = convert(&d, &ty).map_err(|m| (default.clone(), m))?;
                    Ok(Attr { name, ty, optional: Some(d) })
                }
                _ => Err((e.clone(), "`optional` takes a type and an optional default".into())),
            };
        }
    }
    Ok(Attr { name, ty: parse(e)?, optional: None })
}

/// Converts a value to a type as HCL does (numbers and bools to strings, numeric strings to
/// numbers, `"true"` to bool, tuples to lists…).
///
/// # Errors
/// A message naming the expected type and what was found.
pub fn convert(v: &Value, ty: &Type) -> Result<Value, String> {
    if matches!(v.kind, Kind::Null | Kind::Deferred(_)) || *ty == Type::Any {
        return Ok(v.clone());
    }
    let mismatch = || format!("{} required, but got {}", ty.name(), v.type_name());
    let out = match ty {
        Type::Any => v.clone(),
        Type::String => Value::string(v.to_string_lossless().ok_or_else(mismatch)?),
        Type::Number => Value::number(v.to_number().ok_or_else(mismatch)?),
        Type::Bool => Value::bool(v.to_bool().ok_or_else(mismatch)?),
        Type::List(t) | Type::Set(t) => {
            let items = v.as_list().ok_or_else(mismatch)?;
            let mut out = items
                .iter()
                .enumerate()
                .map(|(i, x)| convert(x, t).map_err(|m| format!("element {i}: {m}")))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(ty, Type::Set(_)) {
                let mut seen = Vec::new();
                out.retain(|x| {
                    if seen.contains(x) {
                        false
                    } else {
                        seen.push(x.clone());
                        true
                    }
                });
                sort_set(&mut out);
            }
            Value::list(out)
        }
        Type::Map(t) => {
            let items = v.as_map().ok_or_else(mismatch)?;
            Value::map(
                items
                    .iter()
                    .map(|(k, x)| convert(x, t).map(|c| (k.clone(), c)).map_err(|m| format!("element {k:?}: {m}")))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Tuple(ts) => {
            let items = v.as_list().ok_or_else(mismatch)?;
            if items.len() != ts.len() {
                return Err(format!("{} required, but got a list of {} elements", ty.name(), items.len()));
            }
            Value::list(items.iter().zip(ts).map(|(x, t)| convert(x, t)).collect::<Result<_, _>>()?)
        }
        Type::Object(attrs) => {
            let items = v.as_map().ok_or_else(mismatch)?;
            let mut out = BTreeMap::new();
            for a in attrs {
                match (items.get(&a.name), &a.optional) {
                    (Some(x), _) if !(x.is_null() && a.optional.is_some()) => {
                        out.insert(
                            a.name.clone(),
                            convert(x, &a.ty).map_err(|m| format!("attribute {:?}: {m}", a.name))?,
                        );
                    }
                    (_, Some(default)) => {
                        out.insert(a.name.clone(), default.clone());
                    }
                    (None, None) => return Err(format!("attribute {:?} is required", a.name)),
                    (Some(x), None) => {
                        out.insert(a.name.clone(), x.clone());
                    }
                }
            }
            Value::map(out)
        }
    };
    Ok(out.mark(v.sensitive))
}

/// cty keeps a set of strings in lexical order, of numbers in numeric order and of bools
/// false first; a set of other values keeps the order it was made in.
fn sort_set(items: &mut [Value]) {
    if items.iter().all(|v| matches!(v.kind, Kind::String(_))) {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if items.iter().all(|v| matches!(v.kind, Kind::Number(_))) {
        items.sort_by(|a, b| a.as_number().partial_cmp(&b.as_number()).unwrap_or(std::cmp::Ordering::Equal));
    } else if items.iter().all(|v| matches!(v.kind, Kind::Bool(_))) {
        items.sort_by_key(|v| v.to_bool());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_hcl() {
        assert_eq!(convert(&Value::number(3.0), &Type::String), Ok(Value::string("3")));
        assert_eq!(convert(&Value::string("2.5"), &Type::Number), Ok(Value::number(2.5)));
        assert!(convert(&Value::string("abc"), &Type::Number).is_err());
        let set =
            convert(&Value::list(vec![Value::string("a"), Value::string("a")]), &Type::Set(Box::new(Type::String)));
        assert_eq!(set, Ok(Value::list(vec![Value::string("a")])));
        // Packer's documented example: `convert(["c", "b", "b"], set)` is `["b", "c"]`.
        let strings = ["c", "b", "b"].iter().map(|s| Value::string(*s)).collect();
        let set = convert(&Value::list(strings), &Type::Set(Box::new(Type::String)));
        assert_eq!(set, Ok(Value::list(vec![Value::string("b"), Value::string("c")])));
        let numbers = [10.0, 2.0, 10.0].iter().map(|n| Value::number(*n)).collect();
        let set = convert(&Value::list(numbers), &Type::Set(Box::new(Type::Number)));
        assert_eq!(set, Ok(Value::list(vec![Value::number(2.0), Value::number(10.0)])));
        let obj = Type::Object(vec![Attr { name: "a".into(), ty: Type::Number, optional: Some(Value::number(1.0)) }]);
        assert_eq!(convert(&Value::map(BTreeMap::new()), &obj).ok().and_then(|v| v.as_map().map(|m| m.len())), Some(1));
    }
}
