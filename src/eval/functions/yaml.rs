//! YAML for `yamldecode` and `yamlencode`, after go-cty-yaml: plain scalars resolve as YAML
//! 1.1 (`yes`/`no`/`on`/`off` are bools, timestamps become RFC 3339 strings); the encoder
//! quotes every string and key and writes multi-line strings as literal blocks.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use regex::Regex;
use yaml_rust2::parser::{Event, EventReceiver, Parser};
use yaml_rust2::scanner::TScalarStyle;

use crate::eval::value::{Kind, Value, format_number};

struct Collect(Vec<Event>);

impl EventReceiver for Collect {
    fn on_event(&mut self, ev: Event) {
        self.0.push(ev);
    }
}

/// Decodes the first document of `text`.
pub fn decode(text: &str) -> Result<Value, String> {
    let mut events = Collect(Vec::new());
    Parser::new_from_str(text).load(&mut events, false).map_err(|e| e.to_string())?;
    let mut it = events.0.into_iter().filter(|e| !matches!(e, Event::StreamStart | Event::DocumentStart));
    let mut anchors = HashMap::new();
    match it.next() {
        None | Some(Event::StreamEnd) => Err("on line 1, column 1: missing start of document".to_string()),
        Some(first) => node(first, &mut it, &mut anchors),
    }
}

fn node(ev: Event, it: &mut impl Iterator<Item = Event>, anchors: &mut HashMap<usize, Value>) -> Result<Value, String> {
    let (value, anchor) = match ev {
        Event::Scalar(s, style, anchor, tag) => (scalar(&s, style, tag.as_ref().map(|t| t.suffix.as_str()))?, anchor),
        Event::Alias(id) => return anchors.get(&id).cloned().ok_or_else(|| "unknown anchor".to_string()),
        Event::SequenceStart(anchor, _) => {
            let mut items = Vec::new();
            loop {
                match it.next() {
                    Some(Event::SequenceEnd) => break,
                    Some(e) => items.push(node(e, it, anchors)?),
                    None => return Err("unexpected end of sequence".to_string()),
                }
            }
            (Value::list(items), anchor)
        }
        Event::MappingStart(anchor, _) => {
            let mut map = BTreeMap::new();
            loop {
                match it.next() {
                    Some(Event::MappingEnd) => break,
                    Some(e) => {
                        let key = node(e, it, anchors)?;
                        let key = key.to_string_lossless().ok_or("mapping keys must be strings")?;
                        let next = it.next().ok_or("unexpected end of mapping")?;
                        map.insert(key, node(next, it, anchors)?);
                    }
                    None => return Err("unexpected end of mapping".to_string()),
                }
            }
            (Value::map(map), anchor)
        }
        _ => return Err("unexpected yaml event".to_string()),
    };
    if anchor > 0 {
        anchors.insert(anchor, value.clone());
    }
    Ok(value)
}

fn scalar(s: &str, style: TScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    match tag {
        Some("str") => return Ok(Value::string(s)),
        Some("null") => return Ok(Value::null()),
        _ => {}
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::string(s));
    }
    Ok(resolve_plain(s)?.unwrap_or_else(|| Value::string(s)))
}

fn resolve_plain(s: &str) -> Result<Option<Value>, String> {
    Ok(Some(match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::null(),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Value::bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Value::bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::number(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::number(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Err("floating point NaN is not supported".to_string()),
        _ => return Ok(number(s).map(Value::number).or_else(|| timestamp(s).map(Value::string))),
    }))
}

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

fn number(s: &str) -> Option<f64> {
    static DEC: OnceLock<Option<Regex>> = OnceLock::new();
    static BIN: OnceLock<Option<Regex>> = OnceLock::new();
    let plain = s.replace('_', "");
    if re(&DEC, r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")?.is_match(&plain) {
        return plain.parse().ok();
    }
    if re(&BIN, r"^[-+]?0b[01]+$")?.is_match(&plain) {
        let neg = plain.starts_with('-');
        let digits = plain.trim_start_matches(['-', '+']).trim_start_matches("0b");
        let n = u64::from_str_radix(digits, 2).ok()?;
        #[allow(clippy::cast_precision_loss)]
        return Some(if neg { -(n as f64) } else { n as f64 });
    }
    None
}

fn timestamp(s: &str) -> Option<String> {
    static TS: OnceLock<Option<Regex>> = OnceLock::new();
    let pattern = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?$";
    let c = re(&TS, pattern)?.captures(s)?;
    let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (y, mo, d) = (n(1)?, n(2)?, n(3)?);
    let (h, mi, se, zone) = match (n(4), n(8)) {
        (Some(h), _) => (h, n(5)?, n(6)?, c.get(7).map_or("Z", |m| m.as_str())),
        (None, Some(h)) => (h, n(9)?, n(10)?, "Z"),
        (None, None) => (0, 0, 0, "Z"),
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let zone = if zone == "+00:00" { "Z" } else { zone };
    Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}{zone}"))
}

/// Encodes a value as a YAML document.
pub fn encode(v: &Value) -> String {
    let mut out = String::new();
    block(v, 0, &mut out);
    out.push('\n');
    out
}

fn is_block(v: &Value) -> bool {
    match &v.kind {
        Kind::List(items) => !items.is_empty(),
        Kind::Map(items) => !items.is_empty(),
        _ => false,
    }
}

/// Writes `v` starting at the current position; nested lines are indented by `indent`.
fn block(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match &v.kind {
        Kind::List(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&pad);
                }
                out.push_str("- ");
                block(item, indent + 2, out);
            }
        }
        Kind::Map(items) if !items.is_empty() => {
            for (i, (k, item)) in items.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&pad);
                }
                let column = current_column(out);
                out.push_str(&quoted(k, column, indent + 2));
                out.push(':');
                match &item.kind {
                    Kind::Map(_) if is_block(item) => {
                        out.push('\n');
                        out.push_str(&" ".repeat(indent + 2));
                        block(item, indent + 2, out);
                    }
                    Kind::List(_) if is_block(item) => {
                        out.push('\n');
                        out.push_str(&pad);
                        block(item, indent, out);
                    }
                    _ => {
                        out.push(' ');
                        block(item, indent + 2, out);
                    }
                }
            }
        }
        _ => scalar_text(v, indent, out),
    }
}

fn scalar_text(v: &Value, indent: usize, out: &mut String) {
    match &v.kind {
        Kind::List(_) => out.push_str("[]"),
        Kind::Map(_) => out.push_str("{}"),
        Kind::Null | Kind::Deferred(_) => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(&format_number(*n)),
        Kind::String(s) if s.contains('\n') => literal(s, indent, out),
        Kind::String(s) => {
            let column = current_column(out);
            out.push_str(&quoted(s, column, indent.max(2)));
        }
    }
}

fn literal(s: &str, indent: usize, out: &mut String) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    out.push_str(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    let pad = " ".repeat(indent.max(2));
    let body = s.strip_suffix('\n').unwrap_or(s);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
}

fn current_column(out: &str) -> usize {
    out.rsplit('\n').next().map_or(0, |line| line.chars().count())
}

/// go-yaml's preferred line width; double-quoted scalars fold at a space past it.
const BEST_WIDTH: usize = 80;

/// A double-quoted scalar as go-yaml writes it: YAML escapes for what is not printable, and
/// a line break (with `indent` spaces) at a single space once the line is past 80 columns.
fn quoted(s: &str, start_column: usize, indent: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::from("\"");
    let mut column = start_column + 1;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev_space = i > 0 && chars[i - 1] == ' ';
            let next_space = chars.get(i + 1) == Some(&' ');
            if i > 0 && !prev_space && !next_space && i + 1 < chars.len() && column > BEST_WIDTH {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                column = indent;
                continue;
            }
        }
        let piece = escape(c);
        column += piece.chars().count();
        out.push_str(&piece);
    }
    out.push('"');
    out
}

fn escape(c: char) -> String {
    let printable = matches!(c as u32, 0x0A | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0x1_0000..=0x10_FFFF)
        || (matches!(c as u32, 0xE000..=0xFFFD) && c != '\u{FEFF}');
    match c {
        '"' => "\\\"".to_string(),
        '\\' => "\\\\".to_string(),
        '\0' => "\\0".to_string(),
        '\u{7}' => "\\a".to_string(),
        '\u{8}' => "\\b".to_string(),
        '\t' => "\\t".to_string(),
        '\n' => "\\n".to_string(),
        '\u{b}' => "\\v".to_string(),
        '\u{c}' => "\\f".to_string(),
        '\r' => "\\r".to_string(),
        '\u{1b}' => "\\e".to_string(),
        '\u{85}' => "\\N".to_string(),
        '\u{2028}' => "\\L".to_string(),
        '\u{2029}' => "\\P".to_string(),
        c if printable => c.to_string(),
        c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
        c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
        c => format!("\\U{:08X}", c as u32),
    }
}
