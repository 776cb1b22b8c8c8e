//! String functions, after cty's stdlib and Packer's own (`startswith`, `endswith`,
//! `strcontains`, `length`). Positions and lengths count characters, not bytes.

use std::collections::BTreeMap;

use regex::Regex;

use crate::eval::functions::format::format_values;
use crate::eval::functions::{Context, FnError, count, int_arg, list_arg, string_arg};
use crate::eval::value::{Kind, Value};

type R = Result<Value, FnError>;

/// The most padding `indent` and format widths may ask for, so that a typo cannot exhaust memory.
pub const MAX_PAD: usize = 1 << 20;

/// `upper(s)`.
pub fn upper(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(string_arg(args, 0)?.to_uppercase()))
}

/// `lower(s)`.
pub fn lower(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(string_arg(args, 0)?.to_lowercase()))
}

/// `length(x)`: elements of a collection, characters of a string.
pub fn length(_: &Context<'_>, args: &[Value]) -> R {
    match &args[0].kind {
        Kind::List(items) => Ok(count(items.len())),
        Kind::Map(items) => Ok(count(items.len())),
        Kind::String(s) => Ok(count(s.chars().count())),
        _ => Err(FnError::arg(0, format!("a collection or string is required, not {}", args[0].type_name()))),
    }
}

/// `chomp(s)`: without trailing newlines.
pub fn chomp(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(string_arg(args, 0)?.trim_end_matches(['\r', '\n'])))
}

/// `startswith(s, prefix)`.
pub fn startswith(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::bool(string_arg(args, 0)?.starts_with(&string_arg(args, 1)?)))
}

/// `endswith(s, suffix)`.
pub fn endswith(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::bool(string_arg(args, 0)?.ends_with(&string_arg(args, 1)?)))
}

/// `strcontains(s, sub)`.
pub fn strcontains(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::bool(string_arg(args, 0)?.contains(&string_arg(args, 1)?)))
}

/// `strrev(s)`: characters in reverse order.
pub fn strrev(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(string_arg(args, 0)?.chars().rev().collect::<String>()))
}

/// `trimspace(s)`.
pub fn trimspace(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(string_arg(args, 0)?.trim()))
}

/// `trim(s, cutset)`: removes any of the characters of `cutset` from both ends.
pub fn trim(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let cut: Vec<char> = string_arg(args, 1)?.chars().collect();
    Ok(Value::string(s.trim_matches(|c| cut.contains(&c))))
}

/// `trimprefix(s, prefix)`.
pub fn trimprefix(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let p = string_arg(args, 1)?;
    Ok(Value::string(s.strip_prefix(p.as_str()).unwrap_or(&s)))
}

/// `trimsuffix(s, suffix)`.
pub fn trimsuffix(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let p = string_arg(args, 1)?;
    Ok(Value::string(s.strip_suffix(p.as_str()).unwrap_or(&s)))
}

/// `indent(n, s)`: every line but the first prefixed with `n` spaces.
pub fn indent(_: &Context<'_>, args: &[Value]) -> R {
    let n = int_arg(args, 0)?;
    let s = string_arg(args, 1)?;
    let n = usize::try_from(n).map_err(|_| FnError::arg(0, "the number of spaces must not be negative"))?;
    if n > MAX_PAD {
        return Err(FnError::arg(0, format!("the number of spaces must not exceed {MAX_PAD}")));
    }
    let pad = " ".repeat(n);
    Ok(Value::string(s.replace('\n', &format!("\n{pad}"))))
}

/// `title(s)`: the first letter of each word upper-cased, as Go's `strings.Title`.
pub fn title(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = is_word_separator(c);
    }
    Ok(Value::string(out))
}

fn is_word_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

/// `split(sep, s)`: as Go's `strings.Split` (an empty separator splits into characters).
pub fn split(_: &Context<'_>, args: &[Value]) -> R {
    let sep = string_arg(args, 0)?;
    let s = string_arg(args, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::string(c.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(Value::string).collect()
    };
    Ok(Value::list(parts))
}

/// `join(sep, lists...)`: the strings of every list joined by `sep`.
pub fn join(_: &Context<'_>, args: &[Value]) -> R {
    let sep = string_arg(args, 0)?;
    let mut parts = Vec::new();
    for i in 1..args.len() {
        for (n, item) in list_arg(args, i)?.iter().enumerate() {
            if item.is_null() {
                return Err(FnError::arg(i, format!("element {n} is null; cannot concatenate null values")));
            }
            let s = item.to_string_lossless().ok_or_else(|| {
                FnError::arg(i, format!("element {n}: a string is required, not {}", item.type_name()))
            })?;
            parts.push(s);
        }
    }
    Ok(Value::string(parts.join(&sep)))
}

/// `replace(s, old, new)`: every occurrence of `old` replaced (Packer's is plain text,
/// unlike Terraform's, which treats `/re/` as a regular expression).
pub fn replace(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let old = string_arg(args, 1)?;
    let new = string_arg(args, 2)?;
    Ok(Value::string(go_replace(&s, &old, &new, -1)))
}

/// Go's `strings.Replace`: an empty `old` matches before every character and at the end.
pub fn go_replace(s: &str, old: &str, new: &str, n: i64) -> String {
    if n < 0 && !old.is_empty() {
        return s.replace(old, new);
    }
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    if old.is_empty() {
        let mut out = String::new();
        let mut done = 0;
        for c in s.chars() {
            if done < limit {
                out.push_str(new);
                done += 1;
            }
            out.push(c);
        }
        if done < limit {
            out.push_str(new);
        }
        return out;
    }
    s.replacen(old, new, limit)
}

/// `substr(s, offset, length)`: characters from `offset` (negative counts from the end);
/// a negative length takes the rest.
pub fn substr(_: &Context<'_>, args: &[Value]) -> R {
    let chars: Vec<char> = string_arg(args, 0)?.chars().collect();
    let mut offset = int_arg(args, 1)?;
    let length = int_arg(args, 2)?;
    let total = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    if offset < 0 {
        offset += total;
    } else if length == 0 {
        return Ok(Value::string(""));
    }
    let start = usize::try_from(offset.clamp(0, total)).unwrap_or(0);
    let rest = chars.get(start..).unwrap_or(&[]);
    let taken = if length < 0 { rest.len() } else { usize::try_from(length).unwrap_or(0).min(rest.len()) };
    Ok(Value::string(rest[..taken].iter().collect::<String>()))
}

/// `format(spec, args...)`.
pub fn format(_: &Context<'_>, args: &[Value]) -> R {
    let spec = string_arg(args, 0)?;
    format_values(&spec, &args[1..]).map(Value::string)
}

/// `formatlist(spec, args...)`: `format` once per element of the list arguments, which
/// must have equal lengths; other arguments repeat.
pub fn formatlist(_: &Context<'_>, args: &[Value]) -> R {
    let spec = string_arg(args, 0)?;
    let mut len: Option<(usize, usize)> = None;
    for (i, a) in args.iter().enumerate().skip(1) {
        if let Some(items) = a.as_list() {
            match len {
                None => len = Some((items.len(), i)),
                Some((l, j)) if l != items.len() => {
                    return Err(FnError::arg(
                        i,
                        format!(
                            "argument {i} has length {}, which is inconsistent with argument {j} of length {l}",
                            items.len()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let n = len.map_or(1, |(l, _)| l);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let row: Vec<Value> =
            args[1..].iter().map(|a| a.as_list().map_or_else(|| a.clone(), |items| items[k].clone())).collect();
        let s = format_values(&spec, &row)
            .map_err(|e| FnError::call(format!("error on format iteration {k}: {}", e.message)))?;
        out.push(Value::string(s));
    }
    Ok(Value::list(out))
}

fn compile(args: &[Value], i: usize) -> Result<Regex, FnError> {
    let pattern = string_arg(args, i)?;
    Regex::new(&pattern).map_err(|e| FnError::arg(i, format!("error parsing pattern: {}", first_line(&e.to_string()))))
}

fn first_line(s: &str) -> String {
    s.lines().rev().find(|l| l.starts_with("error:")).unwrap_or(s).trim_start_matches("error: ").to_string()
}

/// What a match of `re` yields: the matched text without groups, a list for unnamed groups,
/// a map for named ones.
fn match_value(re: &Regex, caps: &regex::Captures<'_>) -> Value {
    let group = |i: usize| caps.get(i).map_or_else(Value::null, |m| Value::string(m.as_str()));
    if re.captures_len() == 1 {
        return group(0);
    }
    if re.capture_names().flatten().next().is_some() {
        let mut map = BTreeMap::new();
        for (i, name) in re.capture_names().enumerate() {
            if let Some(name) = name {
                map.insert(name.to_string(), group(i));
            }
        }
        return Value::map(map);
    }
    Value::list((1..re.captures_len()).map(group).collect())
}

fn check_groups(re: &Regex) -> Result<(), FnError> {
    let named = re.capture_names().skip(1).filter(Option::is_some).count();
    if named > 0 && named < re.captures_len() - 1 {
        return Err(FnError::arg(0, "invalid regexp pattern: cannot mix both named and unnamed capture groups"));
    }
    Ok(())
}

/// `regex(pattern, s)`: the first match.
pub fn regex(_: &Context<'_>, args: &[Value]) -> R {
    let re = compile(args, 0)?;
    check_groups(&re)?;
    let s = string_arg(args, 1)?;
    let caps = re.captures(&s).ok_or_else(|| FnError::call("pattern did not match any part of the given string"))?;
    Ok(match_value(&re, &caps))
}

/// `regexall(pattern, s)`: every match.
pub fn regexall(_: &Context<'_>, args: &[Value]) -> R {
    let re = compile(args, 0)?;
    check_groups(&re)?;
    let s = string_arg(args, 1)?;
    Ok(Value::list(re.captures_iter(&s).map(|c| match_value(&re, &c)).collect()))
}

/// `regex_replace(s, pattern, replacement)`: `$1`/`${name}` refer to groups.
pub fn regex_replace(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let re = compile(args, 1)?;
    let with = string_arg(args, 2)?;
    Ok(Value::string(re.replace_all(&s, with.as_str()).into_owned()))
}
