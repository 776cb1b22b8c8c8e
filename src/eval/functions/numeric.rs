//! Numeric functions: `abs`, `ceil`, `floor`, `log`, `max`, `min`, `parseint`, `pow`, `signum`
//! and `sum`, after cty's stdlib (numbers given as strings are converted).

use crate::eval::functions::{Context, FnError, int_arg, list_arg, number_arg, string_arg};
use crate::eval::value::Value;

type R = Result<Value, FnError>;

/// `abs(n)`.
pub fn abs(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::number(number_arg(args, 0)?.abs()))
}

/// `ceil(n)`.
pub fn ceil(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::number(number_arg(args, 0)?.ceil()))
}

/// `floor(n)`.
pub fn floor(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::number(number_arg(args, 0)?.floor()))
}

/// `log(n, base)`.
pub fn log(_: &Context<'_>, args: &[Value]) -> R {
    let n = number_arg(args, 0)?;
    let base = number_arg(args, 1)?;
    Ok(Value::number(n.ln() / base.ln()))
}

/// `pow(n, p)`.
pub fn pow(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::number(number_arg(args, 0)?.powf(number_arg(args, 1)?)))
}

/// `signum(n)`.
pub fn signum(_: &Context<'_>, args: &[Value]) -> R {
    let n = number_arg(args, 0)?;
    Ok(Value::number(if n > 0.0 {
        1.0
    } else if n < 0.0 {
        -1.0
    } else {
        0.0
    }))
}

/// `max(n...)`.
pub fn max(_: &Context<'_>, args: &[Value]) -> R {
    fold(args, f64::max)
}

/// `min(n...)`.
pub fn min(_: &Context<'_>, args: &[Value]) -> R {
    fold(args, f64::min)
}

fn fold(args: &[Value], op: fn(f64, f64) -> f64) -> R {
    let mut acc = number_arg(args, 0)?;
    for i in 1..args.len() {
        acc = op(acc, number_arg(args, i)?);
    }
    Ok(Value::number(acc))
}

/// `sum(list)`: the list's numbers added.
pub fn sum(_: &Context<'_>, args: &[Value]) -> R {
    let items = list_arg(args, 0)?;
    if items.is_empty() {
        return Err(FnError::arg(0, "cannot sum an empty list"));
    }
    let mut total = 0.0;
    for item in items {
        let n =
            item.to_number().ok_or_else(|| FnError::arg(0, "argument must be list, set, or tuple of number values"))?;
        total += n;
    }
    if total.is_nan() {
        return Err(FnError::call("can't compute sum of opposing infinities"));
    }
    Ok(Value::number(total))
}

/// `parseint(s, base)`: a whole number written in base 2 to 62.
pub fn parseint(_: &Context<'_>, args: &[Value]) -> R {
    if args[0].as_number().is_some() {
        return Err(FnError::arg(0, "first argument must be a string, not number"));
    }
    let s = string_arg(args, 0)?;
    let base = int_arg(args, 1)?;
    if !(2..=62).contains(&base) {
        return Err(FnError::arg(1, "base must be a whole number between 2 and 62 inclusive"));
    }
    parse_in_base(&s, u32::try_from(base).unwrap_or(10))
        .map(Value::number)
        .ok_or_else(|| FnError::arg(0, format!("cannot parse {s:?} as a base {base} integer")))
}

fn parse_in_base(s: &str, base: u32) -> Option<f64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n = 0.0_f64;
    for c in digits.chars() {
        let d = digit_value(c, base)?;
        n = n * f64::from(base) + f64::from(d);
    }
    Some(if neg { -n } else { n })
}

/// Go's `big.Int.SetString` digits: 0-9, then a-z, then A-Z for bases over 36 (case-folded
/// up to 36).
fn digit_value(c: char, base: u32) -> Option<u32> {
    let d = match c {
        '0'..='9' => c as u32 - '0' as u32,
        'a'..='z' => c as u32 - 'a' as u32 + 10,
        'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
        'A'..='Z' => c as u32 - 'A' as u32 + 36,
        _ => return None,
    };
    (d < base).then_some(d)
}
