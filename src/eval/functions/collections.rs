//! Collection functions, after cty's stdlib (and Packer's `index`, `alltrue`, `anytrue`).
//! Lists, sets and tuples are all `Kind::List`; sets come out deduplicated and sorted, as cty
//! orders string and number sets.

use std::collections::BTreeMap;

use crate::eval::functions::{
    Context, FnError, count, equal, int_arg, list_arg, number_arg, string_arg, string_list_arg, type_error,
};
use crate::eval::value::{Kind, Value};

type R = Result<Value, FnError>;

/// cty's type unification for a list: mixed strings, numbers and bools all become strings.
pub fn unify(items: &[Value]) -> Vec<Value> {
    let kinds = |f: fn(&Kind) -> bool| items.iter().any(|v| f(&v.kind));
    let strings = kinds(|k| matches!(k, Kind::String(_)));
    let numbers = kinds(|k| matches!(k, Kind::Number(_)));
    let bools = kinds(|k| matches!(k, Kind::Bool(_)));
    let nested = kinds(|k| matches!(k, Kind::List(_) | Kind::Map(_)));
    if nested || usize::from(strings) + usize::from(numbers) + usize::from(bools) < 2 {
        return items.to_vec();
    }
    items
        .iter()
        .map(|v| v.to_string_lossless().map_or_else(|| v.clone(), |s| Value::string(s).mark(v.sensitive)))
        .collect()
}

/// `alltrue(list)`: whether every element is true (nulls count as false).
pub fn alltrue(_: &Context<'_>, args: &[Value]) -> R {
    bools(args).map(|b| Value::bool(b.iter().all(|x| *x == Some(true))))
}

/// `anytrue(list)`: whether any element is true.
pub fn anytrue(_: &Context<'_>, args: &[Value]) -> R {
    bools(args).map(|b| Value::bool(b.contains(&Some(true))))
}

fn bools(args: &[Value]) -> Result<Vec<Option<bool>>, FnError> {
    list_arg(args, 0)?
        .iter()
        .map(|v| {
            if v.is_null() {
                return Ok(None);
            }
            v.to_bool()
                .map(Some)
                .ok_or_else(|| FnError::arg(0, format!("a list of bool is required, found {}", v.type_name())))
        })
        .collect()
}

/// `chunklist(list, size)`.
pub fn chunklist(_: &Context<'_>, args: &[Value]) -> R {
    let items = list_arg(args, 0)?;
    let size = int_arg(args, 1)?;
    if size < 0 {
        return Err(FnError::arg(1, "the size argument must be positive"));
    }
    if items.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    if size == 0 {
        return Ok(Value::list(vec![Value::list(items.to_vec())]));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::list(items.chunks(size).map(|c| Value::list(c.to_vec())).collect()))
}

/// `coalesce(args...)`: the first argument that is neither null nor `""`.
pub fn coalesce(_: &Context<'_>, args: &[Value]) -> R {
    let unified = unify(args);
    unified
        .into_iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| FnError::call("no non-null, non-empty-string arguments"))
}

/// `coalescelist(lists...)`: the first non-empty list.
pub fn coalescelist(_: &Context<'_>, args: &[Value]) -> R {
    for (i, a) in args.iter().enumerate() {
        if a.is_null() {
            continue;
        }
        let items = a.as_list().ok_or_else(|| FnError::arg(i, "coalescelist arguments must be lists or tuples"))?;
        if !items.is_empty() {
            return Ok(a.clone());
        }
    }
    Err(FnError::call("no non-null arguments"))
}

/// `compact(list)`: without empty strings and nulls.
pub fn compact(_: &Context<'_>, args: &[Value]) -> R {
    let items = list_arg(args, 0)?;
    let mut out = Vec::new();
    for (n, v) in items.iter().enumerate() {
        if v.is_null() {
            continue;
        }
        let s = v
            .to_string_lossless()
            .ok_or_else(|| FnError::arg(0, format!("element {n}: a string is required, not {}", v.type_name())))?;
        if !s.is_empty() {
            out.push(Value::string(s).mark(v.sensitive));
        }
    }
    Ok(Value::list(out))
}

/// `concat(lists...)`.
pub fn concat(_: &Context<'_>, args: &[Value]) -> R {
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let items = a
            .as_list()
            .ok_or_else(|| FnError::arg(i, format!("all arguments must be lists or tuples; got {}", a.type_name())))?;
        out.extend_from_slice(items);
    }
    Ok(Value::list(out))
}

/// `contains(list, value)`.
pub fn contains(_: &Context<'_>, args: &[Value]) -> R {
    let items = args[0].as_list().ok_or_else(|| FnError::arg(0, "argument must be list, tuple, or set"))?;
    Ok(Value::bool(items.iter().any(|v| equal(v, &args[1]))))
}

/// `distinct(list)`: first occurrences kept, in order.
pub fn distinct(_: &Context<'_>, args: &[Value]) -> R {
    let items = unify(list_arg(args, 0)?);
    Ok(Value::list(dedup(items)))
}

fn dedup(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in items {
        if !out.iter().any(|o| equal(o, &v)) {
            out.push(v);
        }
    }
    out
}

/// `element(list, index)`: wraps around; negative indexes count from the end.
pub fn element(_: &Context<'_>, args: &[Value]) -> R {
    let items = args[0]
        .as_list()
        .ok_or_else(|| FnError::arg(0, format!("cannot read elements from {}", args[0].type_name())))?;
    let index = int_arg(args, 1)?;
    if items.is_empty() {
        return Err(FnError::call("cannot use element function with an empty list"));
    }
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let i = usize::try_from(index.rem_euclid(len)).unwrap_or(0);
    Ok(items[i].clone())
}

/// `flatten(list)`: nested lists made flat, recursively.
pub fn flatten(_: &Context<'_>, args: &[Value]) -> R {
    let items = args[0].as_list().ok_or_else(|| FnError::arg(0, "can only flatten lists, sets and tuples"))?;
    let mut out = Vec::new();
    flatten_into(items, &mut out);
    Ok(Value::list(out))
}

fn flatten_into(items: &[Value], out: &mut Vec<Value>) {
    for v in items {
        match &v.kind {
            Kind::List(inner) => flatten_into(inner, out),
            _ => out.push(v.clone()),
        }
    }
}

/// `index(list, value)`: the index of the first equal element.
pub fn index(_: &Context<'_>, args: &[Value]) -> R {
    let items = args[0].as_list().ok_or_else(|| FnError::arg(0, "argument must be a list or tuple"))?;
    if items.is_empty() {
        return Err(FnError::call("cannot search an empty list"));
    }
    items.iter().position(|v| equal(v, &args[1])).map(count).ok_or_else(|| FnError::call("item not found"))
}

/// `keys(map)`: sorted.
pub fn keys(_: &Context<'_>, args: &[Value]) -> R {
    let map = args[0].as_map().ok_or_else(|| FnError::arg(0, "must have map or object type"))?;
    Ok(Value::list(map.keys().map(Value::string).collect()))
}

/// `values(map)`: in key order.
pub fn values(_: &Context<'_>, args: &[Value]) -> R {
    let map = args[0].as_map().ok_or_else(|| FnError::arg(0, "values() requires a map as the first argument"))?;
    Ok(Value::list(map.values().cloned().collect()))
}

/// `lookup(map, key, default?)`.
pub fn lookup(_: &Context<'_>, args: &[Value]) -> R {
    let map = args[0].as_map().ok_or_else(|| FnError::arg(0, "lookup() requires a map as the first argument"))?;
    let key = string_arg(args, 1)?;
    match (map.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(FnError::call(format!("lookup failed to find key {key:?}"))),
    }
}

/// `merge(maps...)`: later keys win; nulls are skipped.
pub fn merge(_: &Context<'_>, args: &[Value]) -> R {
    let mut out = BTreeMap::new();
    for (i, a) in args.iter().enumerate() {
        if a.is_null() {
            continue;
        }
        let map = a
            .as_map()
            .ok_or_else(|| FnError::arg(i, format!("arguments must be maps or objects, got {:?}", a.type_name())))?;
        out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(Value::map(out))
}

/// `range(end)`, `range(start, end)`, `range(start, end, step)`.
pub fn range(_: &Context<'_>, args: &[Value]) -> R {
    let (start, end) = match args.len() {
        1 => (0.0, number_arg(args, 0)?),
        _ => (number_arg(args, 0)?, number_arg(args, 1)?),
    };
    let step = match args.len() {
        3 => number_arg(args, 2)?,
        _ if end < start => -1.0,
        _ => 1.0,
    };
    if step == 0.0 {
        return Err(FnError::arg(2, "step must not be zero"));
    }
    if step < 0.0 && end > start {
        return Err(FnError::arg(1, "end must be less than start when step is negative"));
    }
    if step > 0.0 && end < start {
        return Err(FnError::arg(1, "end must be greater than start when step is positive"));
    }
    let mut out = Vec::new();
    let mut v = start;
    while (step > 0.0 && v < end) || (step < 0.0 && v > end) {
        if out.len() >= 1024 {
            return Err(FnError::call(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        out.push(Value::number(v));
        v += step;
    }
    Ok(Value::list(out))
}

/// `reverse(list)`.
pub fn reverse(_: &Context<'_>, args: &[Value]) -> R {
    let items = args[0].as_list().ok_or_else(|| {
        FnError::arg(0, format!("can only reverse list or tuple values, not {}", args[0].type_name()))
    })?;
    Ok(Value::list(items.iter().rev().cloned().collect()))
}

/// A set: unified, deduplicated, and sorted where cty sorts (all strings or all numbers).
fn as_set(items: &[Value]) -> Vec<Value> {
    let mut out = dedup(unify(items));
    if out.iter().all(|v| v.as_number().is_some()) {
        out.sort_by(|a, b| a.as_number().partial_cmp(&b.as_number()).unwrap_or(std::cmp::Ordering::Equal));
    } else if out.iter().all(|v| v.as_str().is_some()) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    out
}

fn set_args(args: &[Value]) -> Result<Vec<&[Value]>, FnError> {
    (0..args.len()).map(|i| list_arg(args, i)).collect()
}

/// `setunion(sets...)`.
pub fn setunion(_: &Context<'_>, args: &[Value]) -> R {
    let all: Vec<Value> = set_args(args)?.concat();
    Ok(Value::list(as_set(&all)))
}

/// `setintersection(sets...)`.
pub fn setintersection(_: &Context<'_>, args: &[Value]) -> R {
    let sets = set_args(args)?;
    let all: Vec<Value> = sets.concat();
    let unified = unify(&all);
    let mut offset = 0;
    let mut groups = Vec::new();
    for s in &sets {
        groups.push(&unified[offset..offset + s.len()]);
        offset += s.len();
    }
    let first = groups.first().copied().unwrap_or(&[]);
    let common: Vec<Value> =
        first.iter().filter(|v| groups.iter().all(|g| g.iter().any(|x| equal(x, v)))).cloned().collect();
    Ok(Value::list(as_set(&common)))
}

/// `setproduct(sets...)`: every combination, in order.
pub fn setproduct(_: &Context<'_>, args: &[Value]) -> R {
    let sets = set_args(args)?;
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for s in sets {
        let mut next = Vec::new();
        for prefix in &out {
            for v in s {
                let mut row = prefix.clone();
                row.push(v.clone());
                next.push(row);
            }
        }
        out = next;
    }
    Ok(Value::list(out.into_iter().map(Value::list).collect()))
}

/// `slice(list, start, end)`.
pub fn slice(_: &Context<'_>, args: &[Value]) -> R {
    let items = args[0].as_list().ok_or_else(|| FnError::arg(0, "must be a list or tuple value"))?;
    let start = int_arg(args, 1)?;
    let end = int_arg(args, 2)?;
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    if start < 0 {
        return Err(FnError::arg(1, "start index must not be less than zero"));
    }
    if start > len {
        return Err(FnError::arg(1, "start index must not be greater than the length of the list"));
    }
    if end < 0 {
        return Err(FnError::arg(2, "end index must not be less than zero"));
    }
    if end > len {
        return Err(FnError::arg(2, "end index must not be greater than the length of the list"));
    }
    if start > end {
        return Err(FnError::arg(1, "start index must not be greater than end index"));
    }
    let (s, e) = (usize::try_from(start).unwrap_or(0), usize::try_from(end).unwrap_or(0));
    Ok(Value::list(items[s..e].to_vec()))
}

/// `sort(list)`: strings in lexical (byte) order; numbers are sorted as their strings.
pub fn sort(_: &Context<'_>, args: &[Value]) -> R {
    let mut items = string_list_arg(args, 0)?;
    items.sort();
    Ok(Value::list(items.into_iter().map(Value::string).collect()))
}

/// `zipmap(keys, values)`.
pub fn zipmap(_: &Context<'_>, args: &[Value]) -> R {
    let keys = string_list_arg(args, 0)?;
    let vals = args[1].as_list().ok_or_else(|| type_error(args, 1, "a list"))?;
    if keys.len() != vals.len() {
        return Err(FnError::call(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            vals.len()
        )));
    }
    Ok(Value::map(keys.into_iter().zip(vals.iter().cloned()).collect()))
}
