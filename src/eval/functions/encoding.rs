//! Encoding functions: Base64 (plain, gzipped, and of text in other character encodings),
//! CSV, JSON, URL query escaping and YAML, producing cty's exact text where it is specified.

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::eval::functions::yaml;
use crate::eval::functions::{Context, FnError, string_arg};
use crate::eval::value::{Kind, Value, format_number};

type R = Result<Value, FnError>;

/// `base64encode(s)`.
pub fn base64encode(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(STANDARD.encode(string_arg(args, 0)?)))
}

/// `base64decode(s)`: the decoded bytes must be UTF-8.
pub fn base64decode(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let bytes = STANDARD.decode(&s).map_err(|_| FnError::arg(0, format!("failed to decode base64 data {s:?}")))?;
    String::from_utf8(bytes)
        .map(Value::string)
        .map_err(|_| FnError::arg(0, "the result of decoding the provided string is not valid UTF-8"))
}

/// `base64gzip(s)`: gzip (no name, no time) then Base64.
pub fn base64gzip(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let mut gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::default());
    gz.write_all(s.as_bytes()).map_err(|e| FnError::call(format!("failed to write gzip raw data: {e}")))?;
    let bytes = gz.finish().map_err(|e| FnError::call(format!("failed to close gzip writer: {e}")))?;
    Ok(Value::string(STANDARD.encode(bytes)))
}

/// `urlencode(s)`: Go's `url.QueryEscape` (space becomes `+`).
pub fn urlencode(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::string(out))
}

/// `jsonencode(v)`: compact, keys sorted, `<`, `>` and `&` escaped as Go does.
pub fn jsonencode(_: &Context<'_>, args: &[Value]) -> R {
    check_json(&args[0])?;
    Ok(Value::string(json_text(&args[0])))
}

fn check_json(v: &Value) -> Result<(), FnError> {
    match &v.kind {
        Kind::Number(n) if !n.is_finite() => Err(FnError::arg(0, "cannot serialize infinity as JSON")),
        Kind::List(items) => items.iter().try_for_each(check_json),
        Kind::Map(items) => items.values().try_for_each(check_json),
        _ => Ok(()),
    }
}

/// The JSON text of a value, as cty (Go's `encoding/json`) writes it.
pub fn json_text(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    match &v.kind {
        Kind::Null | Kind::Deferred(_) => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(&format_number(*n)),
        Kind::String(s) => json_string(s, out),
        Kind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Kind::Map(items) => {
            out.push('{');
            for (i, (k, item)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `jsondecode(s)`.
pub fn jsondecode(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let j: serde_json::Value = serde_json::from_str(&s).map_err(|e| FnError::arg(0, format!("{e}").to_lowercase()))?;
    Ok(Value::from_json(&j))
}

/// `csvdecode(s)`: a list of maps keyed by the header line, as Go's `encoding/csv` reads.
pub fn csvdecode(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let records = csv_records(&s).map_err(|e| FnError::arg(0, e))?;
    let mut rows = records.into_iter();
    let header = rows.next().ok_or_else(|| FnError::arg(0, "missing header line"))?;
    for (i, name) in header.iter().enumerate() {
        if header[..i].contains(name) {
            return Err(FnError::arg(0, format!("duplicate column name {name:?}")));
        }
    }
    let out = rows
        .map(|r| Value::map(header.iter().cloned().zip(r.into_iter().map(Value::string)).collect::<BTreeMap<_, _>>()))
        .collect();
    Ok(Value::list(out))
}

fn csv_records(s: &str) -> Result<Vec<Vec<String>>, String> {
    let text = s.replace("\r\n", "\n");
    let chars: Vec<char> = text.chars().collect();
    let mut records: Vec<Vec<String>> = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        if chars[i] == '\n' {
            i += 1;
            line += 1;
            continue;
        }
        let start_line = line;
        let (record, next, lines) = csv_record(&chars, i, line)?;
        if let Some(first) = records.first() {
            if first.len() != record.len() {
                return Err(format!("CSV parse error on line {start_line}: wrong number of fields"));
            }
        }
        records.push(record);
        i = next;
        line = lines;
    }
    Ok(records)
}

/// One record from `i`: its fields, the index after its newline and the next line number.
fn csv_record(c: &[char], mut i: usize, mut line: usize) -> Result<(Vec<String>, usize, usize), String> {
    let mut fields = Vec::new();
    loop {
        let mut field = String::new();
        if c.get(i) == Some(&'"') {
            i += 1;
            loop {
                match c.get(i) {
                    None => {
                        return Err(format!(
                            "CSV parse error on line {line}: extraneous or missing \" in quoted-field"
                        ));
                    }
                    Some('"') if c.get(i + 1) == Some(&'"') => {
                        field.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        if ch == '\n' {
                            line += 1;
                        }
                        field.push(ch);
                        i += 1;
                    }
                }
            }
            if !matches!(c.get(i), None | Some(',' | '\n')) {
                return Err(format!("CSV parse error on line {line}: extraneous or missing \" in quoted-field"));
            }
        } else {
            while let Some(&ch) = c.get(i) {
                if ch == ',' || ch == '\n' {
                    break;
                }
                if ch == '"' {
                    return Err(format!("CSV parse error on line {line}: bare \" in non-quoted-field"));
                }
                field.push(ch);
                i += 1;
            }
        }
        fields.push(field);
        match c.get(i) {
            Some(',') => i += 1,
            Some('\n') => return Ok((fields, i + 1, line + 1)),
            _ => return Ok((fields, i, line)),
        }
    }
}

/// `yamldecode(s)`.
pub fn yamldecode(_: &Context<'_>, args: &[Value]) -> R {
    yaml::decode(&string_arg(args, 0)?).map_err(|e| FnError::arg(0, e))
}

/// `yamlencode(v)`.
pub fn yamlencode(_: &Context<'_>, args: &[Value]) -> R {
    Ok(Value::string(yaml::encode(&args[0])))
}

/// `textencodebase64(s, encoding)`.
pub fn textencodebase64(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let enc = encoding_arg(args, 1)?;
    let bytes = enc.encode(&s).ok_or_else(|| {
        FnError::arg(0, format!("the given string contains characters that cannot be represented in {}", enc.name()))
    })?;
    Ok(Value::string(STANDARD.encode(bytes)))
}

/// `textdecodebase64(s, encoding)`.
pub fn textdecodebase64(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let enc = encoding_arg(args, 1)?;
    let bytes = STANDARD
        .decode(&s)
        .map_err(|e| FnError::arg(0, format!("the given value has an invalid base64 symbol: {e}")))?;
    enc.decode(&bytes).map(Value::string).ok_or_else(|| {
        FnError::arg(0, format!("the given string contains symbols that are not defined for {}", enc.name()))
    })
}

/// The character encodings forge knows (a subset of the IANA registry).
#[derive(Clone, Copy)]
enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf16Bom,
    Latin1,
    Ascii,
}

fn encoding_arg(args: &[Value], i: usize) -> Result<TextEncoding, FnError> {
    let name = string_arg(args, i)?;
    let e = match name.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" | "csutf8" => TextEncoding::Utf8,
        "utf-16le" | "csutf16le" => TextEncoding::Utf16Le,
        "utf-16be" | "csutf16be" => TextEncoding::Utf16Be,
        "utf-16" | "csutf16" => TextEncoding::Utf16Bom,
        "iso-8859-1" | "iso_8859-1" | "iso_8859-1:1987" | "latin1" | "l1" | "ibm819" | "cp819" | "csisolatin1"
        | "iso-ir-100" => TextEncoding::Latin1,
        "us-ascii" | "ascii" | "iso646-us" | "us" | "csascii" | "ansi_x3.4-1968" | "iso-ir-6" | "cp367" | "ibm367" => {
            TextEncoding::Ascii
        }
        _ => return Err(FnError::arg(i, format!("{name:?} is not a supported IANA encoding name or alias"))),
    };
    Ok(e)
}

impl TextEncoding {
    fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Utf16Bom => "UTF-16",
            TextEncoding::Latin1 => "ISO-8859-1",
            TextEncoding::Ascii => "US-ASCII",
        }
    }

    fn encode(self, s: &str) -> Option<Vec<u8>> {
        let units = || s.encode_utf16();
        Some(match self {
            TextEncoding::Utf8 => s.as_bytes().to_vec(),
            TextEncoding::Utf16Le => units().flat_map(u16::to_le_bytes).collect(),
            TextEncoding::Utf16Be => units().flat_map(u16::to_be_bytes).collect(),
            TextEncoding::Utf16Bom => [0xFE, 0xFF].into_iter().chain(units().flat_map(u16::to_be_bytes)).collect(),
            TextEncoding::Latin1 => s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect::<Option<_>>()?,
            TextEncoding::Ascii => s.chars().map(|c| c.is_ascii().then_some(c as u8)).collect::<Option<_>>()?,
        })
    }

    fn decode(self, b: &[u8]) -> Option<String> {
        let utf16 = |b: &[u8], le: bool| -> Option<String> {
            if b.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|p| if le { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) })
                .collect();
            String::from_utf16(&units).ok()
        };
        match self {
            TextEncoding::Utf8 => String::from_utf8(b.to_vec()).ok(),
            TextEncoding::Utf16Le => utf16(b, true),
            TextEncoding::Utf16Be => utf16(b, false),
            TextEncoding::Utf16Bom => match b {
                [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
                [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
                _ => utf16(b, false),
            },
            TextEncoding::Latin1 => Some(b.iter().map(|&x| char::from(x)).collect()),
            TextEncoding::Ascii => b.iter().map(|&x| x.is_ascii().then_some(char::from(x))).collect(),
        }
    }
}
