//! Date and time functions: cty's `formatdate` and `timeadd`, Packer's `timestamp`,
//! `legacy_isotime` (Go reference layouts), `legacy_strftime` (C strftime),
//! `rfc3339_parse` and `unix_timestamp_parse`. Calendar arithmetic is proleptic Gregorian.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::eval::functions::{Context, FnError, int_arg, string_arg};
use crate::eval::value::Value;
use crate::gocompat::civil::{from_days as civil_from_days, to_days as days_from_civil};

type R = Result<Value, FnError>;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// An instant with the UTC offset it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// The offset east of UTC, in seconds.
    pub offset: i32,
}

/// Calendar fields of a [`Time`] in its offset.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    weekday: u32,
    yday: u32,
}

impl Time {
    /// The time of a `SystemTime`, in UTC.
    pub fn from_system(t: SystemTime) -> Time {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Time { unix: i64::try_from(d.as_secs()).unwrap_or(i64::MAX), nanos: d.subsec_nanos(), offset: 0 },
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => Time { unix: -secs, nanos: 0, offset: 0 },
                    n => Time { unix: -secs - 1, nanos: 1_000_000_000 - n, offset: 0 },
                }
            }
        }
    }

    /// Now, in UTC.
    pub fn now() -> Time {
        Time::from_system(SystemTime::now())
    }

    fn civil(&self) -> Civil {
        let local = self.unix + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let secs = u32::try_from(local.rem_euclid(86_400)).unwrap_or(0);
        let (year, month, day) = civil_from_days(days);
        let yday = u32::try_from(days - days_from_civil(year, 1, 1) + 1).unwrap_or(1);
        let weekday = u32::try_from((days + 4).rem_euclid(7)).unwrap_or(0);
        Civil { year, month, day, hour: secs / 3600, minute: secs / 60 % 60, second: secs % 60, weekday, yday }
    }

    /// Go's `ISOWeek`: the ISO 8601 year and week.
    fn iso_week(&self) -> (i64, u32) {
        let local = self.unix + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let monday_based = (days + 3).rem_euclid(7);
        let thursday = days - monday_based + 3;
        let (y, _, _) = civil_from_days(thursday);
        let yday = thursday - days_from_civil(y, 1, 1);
        (y, u32::try_from(yday / 7 + 1).unwrap_or(1))
    }

    /// RFC 3339 at second precision, `Z` for UTC.
    pub fn rfc3339(&self) -> String {
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
            c.year,
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            self.zone(true, true, false)
        )
    }

    /// The offset as `Z`/`+hh:mm` (`z_for_utc`, `colon`), optionally with seconds.
    fn zone(&self, z_for_utc: bool, colon: bool, hours_only: bool) -> String {
        if self.offset == 0 && z_for_utc {
            return "Z".to_string();
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let a = self.offset.unsigned_abs();
        let (h, m) = (a / 3600, a / 60 % 60);
        match (hours_only, colon) {
            (true, _) => format!("{sign}{h:02}"),
            (false, true) => format!("{sign}{h:02}:{m:02}"),
            (false, false) => format!("{sign}{h:02}{m:02}"),
        }
    }
}

/// Parses a strict RFC 3339 timestamp (`T` separator, seconds required), or with a space
/// separator when `space_ok`.
pub fn parse_rfc3339(s: &str, space_ok: bool) -> Result<Time, String> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize, what: &str| -> Result<u32, String> {
        let part = s.get(from..from + len).ok_or_else(|| format!("end of string before {what}"))?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(format!("cannot use {part:?} as {what}"));
        }
        part.parse().map_err(|_| format!("cannot use {part:?} as {what}"))
    };
    let sep = |at: usize, want: u8| -> Result<(), String> {
        match b.get(at) {
            Some(c) if *c == want => Ok(()),
            Some(c) => Err(format!(
                "found {:?} where {:?} is expected",
                char::from(*c).to_string(),
                char::from(want).to_string()
            )),
            None => Err(format!("end of string where {:?} is expected", char::from(want).to_string())),
        }
    };
    let year = num(0, 4, "year")?;
    sep(4, b'-')?;
    let month = num(5, 2, "month")?;
    sep(7, b'-')?;
    let day = num(8, 2, "day of month")?;
    match b.get(10) {
        Some(b'T') => {}
        Some(b' ') if space_ok => {}
        _ => return Err("missing required time introducer 'T'".to_string()),
    }
    let hour = num(11, 2, "hour")?;
    sep(13, b':')?;
    let minute = num(14, 2, "minute")?;
    sep(16, b':')?;
    let second = num(17, 2, "second")?;
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err("cannot use \".\" as timestamp segment".to_string());
        }
        let frac = &s[i + 1..i + 1 + digits.min(9)];
        nanos = frac.parse::<u32>().unwrap_or(0) * 10u32.pow(u32::try_from(9 - frac.len()).unwrap_or(0));
        i += 1 + digits;
    }
    let offset = match s.get(i..) {
        Some("Z") => 0,
        Some(z) if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && z.as_bytes()[3] == b':' => {
            let h = num(i + 1, 2, "UTC offset")?;
            let m = num(i + 4, 2, "UTC offset")?;
            let v = i32::try_from(h * 3600 + m * 60).unwrap_or(0);
            if z.starts_with('-') { -v } else { v }
        }
        Some("") | None => return Err("end of string before UTC offset".to_string()),
        Some(z) => return Err(format!("cannot use {z:?} as UTC offset")),
    };
    let max_day = days_in_month(i64::from(year), month);
    if !(1..=12).contains(&month) {
        return Err("month out of range".to_string());
    }
    if day < 1 || day > max_day {
        return Err("day out of range".to_string());
    }
    if hour > 23 {
        return Err("hour must be between 0 and 23 inclusive".to_string());
    }
    if minute > 59 || second > 59 {
        return Err("minute or second out of range".to_string());
    }
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Ok(Time { unix: local - i64::from(offset), nanos, offset })
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn timestamp_arg(args: &[Value], i: usize) -> Result<Time, FnError> {
    let s = string_arg(args, i)?;
    parse_rfc3339(&s, false).map_err(|e| FnError::arg(i, format!("not a valid RFC3339 timestamp: {e}")))
}

/// `timestamp()`: now, RFC 3339 in UTC.
pub fn timestamp(_: &Context<'_>, _: &[Value]) -> R {
    Ok(Value::string(Time::now().rfc3339()))
}

/// `timeadd(timestamp, duration)`.
pub fn timeadd(_: &Context<'_>, args: &[Value]) -> R {
    let t = timestamp_arg(args, 0)?;
    let d = crate::gocompat::duration::parse(&string_arg(args, 1)?).map_err(|e| FnError::arg(1, e))?;
    let total = i128::from(t.unix) * 1_000_000_000 + i128::from(t.nanos) + d;
    let unix = i64::try_from(total.div_euclid(1_000_000_000)).map_err(|_| FnError::call("time out of range"))?;
    let nanos = u32::try_from(total.rem_euclid(1_000_000_000)).unwrap_or(0);
    Ok(Value::string(Time { unix, nanos, offset: t.offset }.rfc3339()))
}

/// `formatdate(spec, timestamp)`: cty's date spec (`YYYY`, `MM`, `DD`, `hh`, `mm`, `ss`,
/// `EEE`, `MMM`, `ZZZ`… and `'literal'`).
pub fn formatdate(_: &Context<'_>, args: &[Value]) -> R {
    let spec = string_arg(args, 0)?;
    let t = timestamp_arg(args, 1)?;
    let mut out = String::new();
    for tok in date_tokens(&spec) {
        out.push_str(&date_token(&tok, &t).map_err(|e| FnError::arg(0, e))?);
    }
    Ok(Value::string(out))
}

fn date_tokens(spec: &str) -> Vec<String> {
    let c: Vec<char> = spec.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let start = i;
        if c[i] == '\'' {
            if c.get(i + 1) == Some(&'\'') {
                i += 2;
            } else {
                i += 1;
                while i < c.len() {
                    if c[i] == '\'' && c.get(i + 1) == Some(&'\'') {
                        i += 2;
                    } else if c[i] == '\'' {
                        i += 1;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
        } else if c[i].is_ascii_alphabetic() {
            while i < c.len() && c[i] == c[start] {
                i += 1;
            }
        } else {
            while i < c.len() && c[i] != '\'' && !c[i].is_ascii_alphabetic() {
                i += 1;
            }
        }
        out.push(c[start..i].iter().collect());
    }
    out
}

fn date_token(tok: &str, t: &Time) -> Result<String, String> {
    let c = t.civil();
    let first = tok.chars().next().unwrap_or(' ');
    let len = tok.chars().count();
    let bad = |what: &str| Err(format!("invalid date format verb {tok:?}: {what}"));
    if first == '\'' {
        if len == 1 || !tok.ends_with('\'') {
            return Err("unterminated literal '".to_string());
        }
        if len == 2 {
            return Ok("'".to_string());
        }
        return Ok(tok[1..tok.len() - 1].replace("''", "'"));
    }
    if !first.is_ascii_alphabetic() {
        return Ok(tok.to_string());
    }
    let h12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
    Ok(match (first, len) {
        ('Y', 2) => format!("{:02}", c.year.rem_euclid(100)),
        ('Y', 4) => format!("{:04}", c.year),
        ('Y', _) => return bad("year must either be \"YY\" or \"YYYY\""),
        ('M', 1) => c.month.to_string(),
        ('M', 2) => format!("{:02}", c.month),
        ('M', 3) => MONTHS[c.month as usize - 1][..3].to_string(),
        ('M', 4) => MONTHS[c.month as usize - 1].to_string(),
        ('M', _) => return bad("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""),
        ('D', 1) => c.day.to_string(),
        ('D', 2) => format!("{:02}", c.day),
        ('D', _) => return bad("day of month must either be \"D\" or \"DD\""),
        ('E', 3) => WEEKDAYS[c.weekday as usize][..3].to_string(),
        ('E', 4) => WEEKDAYS[c.weekday as usize].to_string(),
        ('E', _) => return bad("day of week must either be \"EEE\" or \"EEEE\""),
        ('h', 1) => c.hour.to_string(),
        ('h', 2) => format!("{:02}", c.hour),
        ('h', _) => return bad("24-hour must either be \"h\" or \"hh\""),
        ('H', 1) => h12.to_string(),
        ('H', 2) => format!("{h12:02}"),
        ('H', _) => return bad("12-hour must either be \"H\" or \"HH\""),
        ('A' | 'a', 2) => {
            let s = if c.hour < 12 { "AM" } else { "PM" };
            if first == 'a' { s.to_lowercase() } else { s.to_string() }
        }
        ('A' | 'a', _) => return bad(&format!("must be \"{first}{first}\"")),
        ('m', 1) => c.minute.to_string(),
        ('m', 2) => format!("{:02}", c.minute),
        ('m', _) => return bad("minute must either be \"m\" or \"mm\""),
        ('s', 1) => c.second.to_string(),
        ('s', 2) => format!("{:02}", c.second),
        ('s', _) => return bad("second must either be \"s\" or \"ss\""),
        ('Z', 1) => t.zone(true, true, false),
        ('Z', 3) if t.offset == 0 => "UTC".to_string(),
        ('Z', 3 | 4) => t.zone(false, false, false),
        ('Z', 5) => t.zone(false, true, false),
        ('Z', _) => return bad("timezone must be Z, ZZZZ, or ZZZZZ"),
        _ => return Err(format!("invalid date format verb {tok:?}")),
    })
}

/// `legacy_isotime(layout?)`: the start time, UTC, by a Go reference layout.
pub fn legacy_isotime(ctx: &Context<'_>, args: &[Value]) -> R {
    let t = Time::from_system(ctx.start_time);
    if args.is_empty() {
        return Ok(Value::string(t.rfc3339()));
    }
    Ok(Value::string(go_format(&t, &string_arg(args, 0)?)))
}

/// `legacy_strftime(spec?)`: the start time, UTC, by a C strftime spec.
pub fn legacy_strftime(ctx: &Context<'_>, args: &[Value]) -> R {
    let t = Time::from_system(ctx.start_time);
    if args.is_empty() {
        return Ok(Value::string(t.rfc3339()));
    }
    Ok(Value::string(strftime(&t, &string_arg(args, 0)?)))
}

/// Formats a time by a Go reference layout (`2006-01-02T15:04:05Z07:00`).
pub fn go_format(t: &Time, layout: &str) -> String {
    let c = t.civil();
    let mut out = String::new();
    let mut rest = layout;
    while !rest.is_empty() {
        if let Some((text, n)) = go_chunk(t, &c, rest) {
            out.push_str(&text);
            rest = &rest[n..];
        } else {
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out
}

/// The expansion of the layout element at the start of `s`, and its length.
fn go_chunk(t: &Time, c: &Civil, s: &str) -> Option<(String, usize)> {
    let h12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
    let month = MONTHS[c.month as usize - 1];
    let weekday = WEEKDAYS[c.weekday as usize];
    let table: Vec<(&str, String)> = vec![
        ("January", month.to_string()),
        ("Jan", month[..3].to_string()),
        ("Monday", weekday.to_string()),
        ("Mon", weekday[..3].to_string()),
        ("MST", if t.offset == 0 { "UTC".to_string() } else { t.zone(false, false, false) }),
        ("2006", format!("{:04}", c.year)),
        ("002", format!("{:03}", c.yday)),
        ("01", format!("{:02}", c.month)),
        ("02", format!("{:02}", c.day)),
        ("03", format!("{h12:02}")),
        ("04", format!("{:02}", c.minute)),
        ("05", format!("{:02}", c.second)),
        ("06", format!("{:02}", c.year.rem_euclid(100))),
        ("15", format!("{:02}", c.hour)),
        ("1", c.month.to_string()),
        ("__2", format!("{:>3}", c.yday)),
        ("_2", format!("{:>2}", c.day)),
        ("2", c.day.to_string()),
        ("3", h12.to_string()),
        ("4", c.minute.to_string()),
        ("5", c.second.to_string()),
        ("PM", (if c.hour < 12 { "AM" } else { "PM" }).to_string()),
        ("pm", (if c.hour < 12 { "am" } else { "pm" }).to_string()),
        ("-07:00:00", format!("{}:00", t.zone(false, true, false))),
        ("-070000", format!("{}00", t.zone(false, false, false))),
        ("-07:00", t.zone(false, true, false)),
        ("-0700", t.zone(false, false, false)),
        ("-07", t.zone(false, false, true)),
        ("Z07:00:00", if t.offset == 0 { "Z".to_string() } else { format!("{}:00", t.zone(false, true, false)) }),
        ("Z070000", if t.offset == 0 { "Z".to_string() } else { format!("{}00", t.zone(false, false, false)) }),
        ("Z07:00", t.zone(true, true, false)),
        ("Z0700", t.zone(true, false, false)),
        ("Z07", if t.offset == 0 { "Z".to_string() } else { t.zone(false, false, true) }),
    ];
    if let Some(frac) = fraction(t, s) {
        return Some(frac);
    }
    table.into_iter().find(|(k, _)| s.starts_with(k)).map(|(k, v)| (v, k.len()))
}

/// `.000` (fixed digits) or `.999` (trailing zeros dropped) fractional seconds.
fn fraction(t: &Time, s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    if !matches!(b.first(), Some(b'.' | b',')) {
        return None;
    }
    let digit = *b.get(1)?;
    if digit != b'0' && digit != b'9' {
        return None;
    }
    let n = b[1..].iter().take_while(|c| **c == digit).count();
    if b.get(1 + n).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let digits = format!("{:09}", t.nanos);
    let digits = &digits[..n.min(9)];
    let sep = char::from(b[0]);
    let text = if digit == b'0' {
        format!("{sep}{digits}")
    } else {
        let trimmed = digits.trim_end_matches('0');
        if trimmed.is_empty() { String::new() } else { format!("{sep}{trimmed}") }
    };
    Some((text, 1 + n))
}

/// Formats a time by a strftime spec as jehiah/go-strftime (Packer's) does: only `%a %A %b
/// %B %d %H %I %L %m %M %p %S %y %Y %z %Z` and `%%`; any other directive is kept verbatim.
pub fn strftime(t: &Time, spec: &str) -> String {
    let mut out = String::new();
    let mut chars = spec.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let layout = match d {
            'B' => "January",
            'b' => "Jan",
            'm' => "01",
            'A' => "Monday",
            'a' => "Mon",
            'd' => "02",
            'H' => "15",
            'I' => "03",
            'M' => "04",
            'S' => "05",
            'Y' => "2006",
            'y' => "06",
            'p' => "PM",
            'Z' => "MST",
            'z' => "-0700",
            'L' => ".000",
            '%' => {
                out.push('%');
                continue;
            }
            other => {
                out.push('%');
                out.push(other);
                continue;
            }
        };
        out.push_str(&go_format(t, layout));
    }
    out
}

#[allow(clippy::cast_precision_loss)]
fn parts(t: &Time) -> BTreeMap<String, Value> {
    let c = t.civil();
    let (iso_year, iso_week) = t.iso_week();
    let n = |x: i64| Value::number(x as f64);
    let mut m = BTreeMap::new();
    m.insert("year".into(), n(c.year));
    m.insert("year_day".into(), n(i64::from(c.yday)));
    m.insert("day".into(), n(i64::from(c.day)));
    m.insert("month".into(), n(i64::from(c.month)));
    m.insert("month_name".into(), Value::string(MONTHS[c.month as usize - 1]));
    m.insert("weekday".into(), n(i64::from(c.weekday)));
    m.insert("weekday_name".into(), Value::string(WEEKDAYS[c.weekday as usize]));
    m.insert("hour".into(), n(i64::from(c.hour)));
    m.insert("minute".into(), n(i64::from(c.minute)));
    m.insert("second".into(), n(i64::from(c.second)));
    m.insert("iso_year".into(), n(iso_year));
    m.insert("iso_week".into(), n(i64::from(iso_week)));
    m
}

/// `rfc3339_parse(timestamp)`: the parts of a timestamp, in its own offset.
pub fn rfc3339_parse(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let t = parse_rfc3339(&s, true).map_err(|_| FnError::arg(0, format!("{s:?} is not a valid RFC3339 timestamp")))?;
    let mut m = parts(&t);
    #[allow(clippy::cast_precision_loss)]
    m.insert("unix".into(), Value::number(t.unix as f64));
    Ok(Value::map(m))
}

/// `unix_timestamp_parse(seconds)`: the parts of a Unix time, in UTC.
pub fn unix_timestamp_parse(_: &Context<'_>, args: &[Value]) -> R {
    let unix = int_arg(args, 0).map_err(|e| {
        FnError::arg(
            0,
            format!(
                "unix_timestamp must be a whole number of seconds representable as a 64-bit integer: {}",
                e.message
            ),
        )
    })?;
    let t = Time { unix, nanos: 0, offset: 0 };
    let mut m = parts(&t);
    m.insert("rfc3339".into(), Value::string(t.rfc3339()));
    Ok(Value::map(m))
}
