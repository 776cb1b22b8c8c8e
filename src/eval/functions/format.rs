//! The printf-style formatting of `format` and `formatlist`, after cty's: verbs `%v %#v %t
//! %d %b %o %x %X %e %E %f %g %G %s %q %%`, flags `+ - # 0` and space, width, precision and
//! explicit argument indexes `%[n]v`.

use crate::eval::functions::FnError;
use crate::eval::functions::encoding::json_text;
use crate::eval::functions::strings::MAX_PAD;
use crate::eval::value::{Kind, Value, format_number};

/// One parsed verb.
#[derive(Default, Clone)]
struct Verb {
    plus: bool,
    minus: bool,
    sharp: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
    mode: char,
    raw: String,
    offset: usize,
}

/// Formats `args` by `spec`.
pub fn format_values(spec: &str, args: &[Value]) -> Result<String, FnError> {
    let mut out = String::new();
    let mut next_arg = 1;
    let mut highest = 0;
    let bytes: Vec<(usize, char)> = spec.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (offset, c) = bytes[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        if bytes.get(i + 1).map(|b| b.1) == Some('%') {
            out.push('%');
            i += 2;
            continue;
        }
        let (verb, arg_num, end) = parse_verb(spec, &bytes, i, next_arg)?;
        let verb = Verb { offset, ..verb };
        highest = highest.max(arg_num);
        let arg = args.get(arg_num - 1).ok_or_else(|| {
            FnError::call(format!(
                "not enough arguments for {:?} at {offset}: need index {arg_num} but have {} total",
                verb.raw,
                args.len()
            ))
        })?;
        out.push_str(&append(&verb, arg)?);
        next_arg = arg_num + 1;
        i = end;
    }
    if highest < args.len() {
        let first_bad = highest + 1;
        let msg = if highest == 0 {
            "too many arguments; no verbs in format string".to_string()
        } else {
            format!("too many arguments; only {highest} used by format string")
        };
        return Err(FnError::arg(first_bad, msg));
    }
    Ok(out)
}

fn parse_verb(
    spec: &str,
    chars: &[(usize, char)],
    start: usize,
    next_arg: usize,
) -> Result<(Verb, usize, usize), FnError> {
    let mut v = Verb::default();
    let mut i = start + 1;
    let at = |i: usize| chars.get(i).map(|c| c.1);
    while let Some(c) = at(i) {
        match c {
            '+' => v.plus = true,
            '-' => v.minus = true,
            '#' => v.sharp = true,
            '0' => v.zero = true,
            ' ' => v.space = true,
            _ => break,
        }
        i += 1;
    }
    let (width, j) = digits(chars, i);
    v.width = width;
    i = j;
    if at(i) == Some('.') {
        let (prec, j) = digits(chars, i + 1);
        v.prec = Some(prec.unwrap_or(0));
        i = j;
    }
    let mut arg_num = next_arg;
    if at(i) == Some('[') {
        let (n, j) = digits(chars, i + 1);
        if at(j) != Some(']') || n.unwrap_or(0) == 0 {
            return Err(unrecognized(spec, chars, j));
        }
        arg_num = n.unwrap_or(1);
        i = j + 1;
    }
    if v.width.unwrap_or(0) > MAX_PAD || v.prec.unwrap_or(0) > MAX_PAD {
        return Err(FnError::call(format!("width or precision at offset {} exceeds {MAX_PAD}", chars[start].0)));
    }
    match at(i) {
        Some(c) if c.is_ascii_alphabetic() => v.mode = c,
        Some(_) => return Err(unrecognized(spec, chars, i)),
        None => return Err(FnError::call(format!("invalid format string starting at offset {}", chars[start].0))),
    }
    let end_byte = chars.get(i + 1).map_or(spec.len(), |c| c.0);
    v.raw = spec[chars[start].0..end_byte].to_string();
    Ok((v, arg_num, i + 1))
}

fn unrecognized(spec: &str, chars: &[(usize, char)], i: usize) -> FnError {
    match chars.get(i) {
        Some(&(off, c)) => FnError::call(format!("unrecognized format character {c:?} at offset {off}")),
        None => FnError::call(format!("invalid format string starting at offset {}", spec.len())),
    }
}

fn digits(chars: &[(usize, char)], mut i: usize) -> (Option<usize>, usize) {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.get(i).and_then(|c| c.1.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        i += 1;
    }
    (n, i)
}

fn bad(verb: &Verb, why: &str) -> FnError {
    FnError::call(format!("unsupported value for {:?} at {}: {why}", verb.raw, verb.offset))
}

fn append(verb: &Verb, arg: &Value) -> Result<String, FnError> {
    if verb.mode != 'v' && arg.is_null() {
        return Err(bad(verb, "null value cannot be formatted"));
    }
    match verb.mode {
        'v' => Ok(as_is(verb, arg)),
        't' => {
            let b = arg.to_bool().ok_or_else(|| bad(verb, "bool required"))?;
            Ok(b.to_string())
        }
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = arg.to_number().ok_or_else(|| bad(verb, "number required"))?;
            integer(verb, n)
        }
        'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = arg.to_number().ok_or_else(|| bad(verb, "number required"))?;
            Ok(pad_number(verb, float(verb, n)))
        }
        's' | 'q' => {
            let s = arg.to_string_lossless().ok_or_else(|| bad(verb, "string required"))?;
            Ok(string(verb, &s))
        }
        m => Err(FnError::call(format!("unsupported format verb {m:?} in {:?} at offset {}", verb.raw, verb.offset))),
    }
}

fn as_is(verb: &Verb, arg: &Value) -> String {
    if !verb.sharp {
        match &arg.kind {
            Kind::String(s) => return pad_text(verb, s.clone()),
            Kind::Number(n) => return pad_text(verb, go_number_g(*n)),
            _ => {}
        }
    }
    pad_text(verb, json_text(arg))
}

fn string(verb: &Verb, s: &str) -> String {
    let s: String = match verb.prec {
        Some(p) if p > 0 => s.chars().take(p).collect(),
        _ => s.to_string(),
    };
    if verb.mode == 'q' { pad_text(verb, json_text(&Value::string(s))) } else { pad_text(verb, s) }
}

/// cty's width padding for text: spaces, or zeros with the `0` flag, left with `-`.
fn pad_text(verb: &Verb, s: String) -> String {
    let Some(width) = verb.width else { return s };
    let len = s.chars().count();
    if len >= width {
        return s;
    }
    let pad = (if verb.zero { "0" } else { " " }).repeat(width - len);
    if verb.minus { s + &pad } else { pad + &s }
}

/// Go's `fmt` width padding for numbers: zeros go after the sign.
fn pad_number(verb: &Verb, s: String) -> String {
    let Some(width) = verb.width else { return s };
    let len = s.chars().count();
    if len >= width {
        return s;
    }
    let fill = width - len;
    if verb.minus {
        return s + &" ".repeat(fill);
    }
    if verb.zero {
        let sign_len = usize::from(s.starts_with(['+', '-', ' ']));
        let (sign, rest) = s.split_at(sign_len);
        return format!("{sign}{}{rest}", "0".repeat(fill));
    }
    " ".repeat(fill) + &s
}

fn sign(verb: &Verb, negative: bool) -> &'static str {
    if negative {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    }
}

fn integer(verb: &Verb, n: f64) -> Result<String, FnError> {
    if n.fract() != 0.0 || !n.is_finite() {
        return Err(bad(verb, "an integer is required"));
    }
    if n.abs() >= 1.7e38 {
        return Err(bad(verb, "integer is too large"));
    }
    #[allow(clippy::cast_possible_truncation)]
    let i = n as i128;
    let m = i.unsigned_abs();
    let (mut digits, prefix) = match verb.mode {
        'b' => (format!("{m:b}"), "0b"),
        'o' => (format!("{m:o}"), "0"),
        'x' => (format!("{m:x}"), "0x"),
        'X' => (format!("{m:X}"), "0X"),
        _ => (m.to_string(), ""),
    };
    if let Some(p) = verb.prec {
        if digits.len() < p {
            digits = "0".repeat(p - digits.len()) + &digits;
        }
    }
    let prefix = if verb.sharp { prefix } else { "" };
    let text = format!("{}{prefix}{digits}", sign(verb, i < 0));
    Ok(if verb.prec.is_some() {
        pad_number(&Verb { zero: false, ..verb.clone() }, text)
    } else {
        pad_number(verb, text)
    })
}

fn float(verb: &Verb, n: f64) -> String {
    let s = sign(verb, n.is_sign_negative() && n != 0.0);
    if n.is_infinite() {
        return format!("{s}Inf");
    }
    let a = n.abs();
    let body = match verb.mode {
        'f' => format!("{a:.*}", verb.prec.unwrap_or(6)),
        'e' | 'E' => exp_form(a, verb.prec.unwrap_or(6)),
        _ => match verb.prec {
            None => go_number_g(a),
            Some(p) => g_form(a, p.max(1)),
        },
    };
    let body = if verb.mode.is_ascii_uppercase() { body.to_uppercase() } else { body };
    format!("{s}{body}")
}

/// `d.ddde±XX` with `prec` decimals, Go style (exponent of at least two digits).
fn exp_form(a: f64, prec: usize) -> String {
    go_exponent(&format!("{a:.prec$e}"))
}

fn go_exponent(rust: &str) -> String {
    let Some((mant, exp)) = rust.split_once('e') else { return rust.to_string() };
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}e{sign}{:02}", exp.abs())
}

/// The decimal digits of `a` (significant, without trailing zeros) and the position of the
/// decimal point, from Rust's shortest (or `sig`-digit) scientific form.
fn decimal(a: f64, sig: Option<usize>) -> (String, i32) {
    let sci = match sig {
        Some(p) => format!("{a:.*e}", p.saturating_sub(1)),
        None => format!("{a:e}"),
    };
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0').to_string();
    let digits = if digits.is_empty() { "0".to_string() } else { digits };
    (digits, exp + 1)
}

fn layout_g(digits: &str, dp: i32, eprec: i32) -> String {
    let exp = dp - 1;
    if exp < -4 || exp >= eprec {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() { first.to_string() } else { format!("{first}.{rest}") };
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if dp <= 0 {
        return format!("0.{}{digits}", "0".repeat(usize::try_from(-dp).unwrap_or(0)));
    }
    if dp >= nd {
        return format!("{digits}{}", "0".repeat(usize::try_from(dp - nd).unwrap_or(0)));
    }
    let (int, frac) = digits.split_at(usize::try_from(dp).unwrap_or(0));
    format!("{int}.{frac}")
}

fn g_form(a: f64, p: usize) -> String {
    if a == 0.0 {
        return "0".to_string();
    }
    let (digits, dp) = decimal(a, Some(p));
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let mut eprec = i32::try_from(p).unwrap_or(i32::MAX);
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    layout_g(&digits, dp, eprec)
}

/// A number as Go's `%v` (shortest `%g`) prints it: `123456`, `1.234567e+06`, `1e-05`.
pub fn go_number_g(n: f64) -> String {
    if n == 0.0 {
        return "0".to_string();
    }
    if !n.is_finite() {
        return format_number(n);
    }
    let (digits, dp) = decimal(n.abs(), None);
    let body = layout_g(&digits, dp, 6);
    if n < 0.0 { format!("-{body}") } else { body }
}
