//! The Go-template functions of legacy JSON templates that are not shared with HCL2:
//! `build_name`, `build_type`, `clean_resource_name`, `isotime`, `replace`, `replace_all`,
//! `sed`, `split`, `strftime`, `timestamp` and `uuid`. Times are the process start time in UTC.

use crate::eval::functions::datetime::{Time, go_format, strftime as c_strftime};
use crate::eval::functions::strings::go_replace;
use crate::eval::functions::{Context, FnError, int_arg, string_arg};
use crate::eval::value::Value;

type R = Result<Value, FnError>;

fn build<'a>(ctx: &Context<'a>, what: &str) -> Result<(&'a str, &'a str), FnError> {
    ctx.build.ok_or_else(|| FnError::call(format!("{what} is only available inside a build")))
}

/// `build_name`.
pub fn build_name(ctx: &Context<'_>, _: &[Value]) -> R {
    Ok(Value::string(build(ctx, "build_name")?.0))
}

/// `build_type`.
pub fn build_type(ctx: &Context<'_>, _: &[Value]) -> R {
    Ok(Value::string(build(ctx, "build_type")?.1))
}

/// `clean_resource_name s`: the amazon plugin's, characters outside
/// `[A-Za-z0-9()[] ./-'@_]` replaced by `-`.
pub fn clean_resource_name(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let out: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() || "()[] ./-'@_".contains(c) { c } else { '-' }).collect();
    Ok(Value::string(out))
}

/// `isotime [layout]`: the start time, RFC 3339 or by a Go layout.
pub fn isotime(ctx: &Context<'_>, args: &[Value]) -> R {
    let t = Time::from_system(ctx.start_time);
    match args.first() {
        None => Ok(Value::string(t.rfc3339())),
        Some(_) => Ok(Value::string(go_format(&t, &string_arg(args, 0)?))),
    }
}

/// `strftime spec`: the start time by a C strftime spec.
pub fn strftime(ctx: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(c_strftime(&Time::from_system(ctx.start_time), &string_arg(args, 0)?)))
}

/// `timestamp`: the start time in Unix seconds.
pub fn timestamp(ctx: &Context<'_>, _: &[Value]) -> R {
    Ok(Value::string(Time::from_system(ctx.start_time).unix.to_string()))
}

/// `replace old new n s`.
pub fn replace(_: &Context<'_>, args: &[Value]) -> R {
    let (old, new, n, s) = (string_arg(args, 0)?, string_arg(args, 1)?, int_arg(args, 2)?, string_arg(args, 3)?);
    Ok(Value::string(go_replace(&s, &old, &new, n)))
}

/// `replace_all old new s`.
pub fn replace_all(_: &Context<'_>, args: &[Value]) -> R {
    let (old, new, s) = (string_arg(args, 0)?, string_arg(args, 1)?, string_arg(args, 2)?);
    Ok(Value::string(go_replace(&s, &old, &new, -1)))
}

/// `split s sep n`: the `n`th piece.
pub fn split(_: &Context<'_>, args: &[Value]) -> R {
    let (s, sep, n) = (string_arg(args, 0)?, string_arg(args, 1)?, int_arg(args, 2)?);
    let parts: Vec<String> = if sep.is_empty() {
        s.chars().map(String::from).collect()
    } else {
        s.split(sep.as_str()).map(String::from).collect()
    };
    usize::try_from(n).ok().and_then(|i| parts.get(i)).map(|p| Value::string(p.clone())).ok_or_else(|| {
        FnError::arg(
            2,
            format!(
                "the substring {n} was unavailable using the separator value, {sep}, only {} values were found",
                parts.len()
            ),
        )
    })
}

/// `sed`: removed from Packer; always an error.
pub fn sed(_: &Context<'_>, _: &[Value]) -> R {
    Err(FnError::call("template function `sed` is deprecated use `replace` or `replace_all` instead."))
}

/// `uuid`: Packer's time-ordered UUID (Unix seconds, then random bits).
pub fn uuid(_: &Context<'_>, _: &[Value]) -> R {
    let r = ::uuid::Uuid::new_v4();
    let b = r.as_bytes();
    let unix = u32::try_from(Time::now().unix & 0xFFFF_FFFF).unwrap_or(0);
    let hex = |s: &[u8]| s.iter().map(|x| format!("{x:02x}")).collect::<String>();
    Ok(Value::string(format!("{unix:08x}-{}-{}-{}-{}", hex(&b[0..2]), hex(&b[2..4]), hex(&b[4..6]), hex(&b[6..12]))))
}
