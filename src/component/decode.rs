//! A serde `Deserializer` over [`Node`]: component configs are plain `#[derive(Deserialize)]`
//! structs, and serde's "invalid type" and "missing field" errors come back with the span of
//! the offending value or block.
//!
//! Values follow HCL's conversions: numbers and bools where a string is wanted become strings,
//! numeric strings become numbers. A deferred (run-time) value decodes as the neutral value of
//! the wanted type, so run-time references never fail validation.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer as _, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use crate::component::node::Node;
use crate::eval::value::{Kind, format_number};
use crate::source::Span;

/// A decoding error, with the span it belongs to once known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong.
    pub message: String,
    /// Where; filled in by the innermost node that knows.
    pub span: Option<Span>,
    /// A missing required field (reported at the block, not at a value).
    pub missing: Option<String>,
    /// The argument the error is about, outermost first (`["launch_block_device_mappings",
    /// "volume_size"]`); empty for the block itself.
    pub path: Vec<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError { message: msg.to_string(), span: None, missing: None, path: Vec::new() }
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError {
            message: format!("missing required argument `{field}`"),
            span: None,
            missing: Some(field.to_string()),
            path: Vec::new(),
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        let found = match unexp {
            de::Unexpected::Map => "an object".to_string(),
            de::Unexpected::Seq => "a list".to_string(),
            de::Unexpected::Str(s) => format!("the string {s:?}"),
            de::Unexpected::Float(n) => format!("the number {}", format_number(n)),
            de::Unexpected::Signed(n) => format!("the number {n}"),
            de::Unexpected::Unsigned(n) => format!("the number {n}"),
            de::Unexpected::Bool(b) => format!("`{b}`"),
            de::Unexpected::Unit => "null".to_string(),
            other => other.to_string(),
        };
        let expected =
            exp.to_string().replace("a sequence", "a list").replace("a map", "an object").replace("struct ", "object ");
        DecodeError {
            message: format!("expected {expected}, found {found}"),
            span: None,
            missing: None,
            path: Vec::new(),
        }
    }
}

impl DecodeError {
    fn at(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    /// The error as it happened inside the value of argument `key`.
    fn within(mut self, key: &str) -> Self {
        self.path.insert(0, key.to_string());
        self
    }

    /// The message naming the argument it is about (`wrong value for `ami_regions`: expected a
    /// list, found an object`), as Packer names the attribute.
    pub fn describe(&self) -> String {
        if self.path.is_empty() || self.missing.is_some() {
            return self.message.clone();
        }
        format!("wrong value for `{}`: {}", self.path.join("."), self.message)
    }
}

/// Decodes a node into `T`.
///
/// # Errors
/// The first problem serde found, with its span.
pub fn decode<T: de::DeserializeOwned>(node: &Node) -> Result<T, DecodeError> {
    T::deserialize(node).map_err(|e| e.at(node.span))
}

/// One value of the wanted kind, for a deferred value.
fn is_deferred(n: &Node) -> bool {
    matches!(n.value.kind, Kind::Deferred(_))
}

/// A single block written where one value is wanted: `source_ami_filter { … }` decodes like
/// `source_ami_filter = { … }`.
fn single(n: &Node) -> &Node {
    match (&n.value.kind, n.items.as_slice()) {
        (Kind::List(_), [only]) if only.value.as_map().is_some() && n.entries.is_empty() => only,
        _ => n,
    }
}

impl<'de> de::Deserializer<'de> for &Node {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        let r = match &self.value.kind {
            Kind::Null => v.visit_unit(),
            Kind::Bool(b) => v.visit_bool(*b),
            Kind::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => {
                #[allow(clippy::cast_possible_truncation)]
                let i = *n as i64;
                v.visit_i64(i)
            }
            Kind::Number(n) => v.visit_f64(*n),
            Kind::String(s) => v.visit_str(s),
            Kind::List(_) => v.visit_seq(Seq { items: self.items.iter() }),
            Kind::Map(_) => v.visit_map(Map { entries: self.entries.iter(), value: None }),
            Kind::Deferred(_) => v.visit_unit(),
        };
        r.map_err(|e: DecodeError| e.at(self.span))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        if is_deferred(self) {
            return v.visit_bool(false);
        }
        match self.value.to_bool() {
            Some(b) => v.visit_bool(b).map_err(|e: DecodeError| e.at(self.span)),
            None => self.deserialize_any(v),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        if is_deferred(self) {
            return v.visit_f64(0.0);
        }
        match self.value.to_number() {
            Some(n) => v.visit_f64(n).map_err(|e: DecodeError| e.at(self.span)),
            None => self.deserialize_any(v),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(v)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        if is_deferred(self) {
            return v.visit_string(String::new());
        }
        match self.value.to_string_lossless() {
            Some(s) => v.visit_string(s).map_err(|e: DecodeError| e.at(self.span)),
            None => self.deserialize_any(v),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        if self.value.is_null() { v.visit_none() } else { v.visit_some(self) }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match &self.value.kind {
            Kind::List(_) => v.visit_seq(Seq { items: self.items.iter() }).map_err(|e: DecodeError| e.at(self.span)),
            Kind::Deferred(_) | Kind::Null => v.visit_seq(Seq { items: [].iter() }),
            // Packer decodes weakly: one value where a list is wanted is a list of one.
            Kind::String(_) | Kind::Number(_) | Kind::Bool(_) => {
                v.visit_seq(Seq { items: std::slice::from_ref(self).iter() }).map_err(|e: DecodeError| e.at(self.span))
            }
            // One object where a list of objects is wanted (a block written once in JSON).
            Kind::Map(_) => v.visit_seq(Seq { items: std::slice::from_ref(self).iter() }).map_err(|e: DecodeError| {
                // One object stands for a list of one object (a block written once); when that
                // does not fit either, the honest message is that a list was wanted.
                let message =
                    if e.missing.is_some() { e.message } else { "expected a list, found an object".to_string() };
                DecodeError { message, span: Some(self.span), missing: e.missing, path: e.path }
            }),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        let n = single(self);
        match &n.value.kind {
            Kind::Map(_) => v.visit_map(Map { entries: n.entries.iter(), value: None }).map_err(|e| e.at(n.span)),
            Kind::Deferred(_) => v.visit_map(Map { entries: [].iter(), value: None }),
            _ => n.deserialize_any(v),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        // A string enum: numbers and bools are written weakly; a deferred value is the first.
        let text = match &self.value.kind {
            Kind::Deferred(_) => variants.first().map(|s| (*s).to_string()),
            _ => self.value.to_string_lossless(),
        };
        match text {
            Some(s) => v.visit_enum(s.into_deserializer()).map_err(|e: DecodeError| e.at(self.span)),
            None => self.deserialize_any(v),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.number(v)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(v)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit_struct newtype_struct tuple tuple_struct identifier
    }
}

impl Node {
    fn number<'de, V: Visitor<'de>>(&self, v: V) -> Result<V::Value, DecodeError> {
        if is_deferred(self) {
            return v.visit_u64(0);
        }
        match self.value.to_number() {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(n) if n.fract() == 0.0 && n >= 0.0 => v.visit_u64(n as u64).map_err(|e: DecodeError| e.at(self.span)),
            #[allow(clippy::cast_possible_truncation)]
            Some(n) if n.fract() == 0.0 => v.visit_i64(n as i64).map_err(|e: DecodeError| e.at(self.span)),
            Some(n) => v.visit_f64(n).map_err(|e: DecodeError| e.at(self.span)),
            None => self.deserialize_any(v),
        }
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Node>,
}

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DecodeError> {
        match self.items.next() {
            Some(n) => seed.deserialize(n).map(Some).map_err(|e| e.at(n.span)),
            None => Ok(None),
        }
    }
}

struct Map<'a> {
    entries: std::slice::Iter<'a, (String, Span, Node)>,
    value: Option<(&'a str, &'a Node)>,
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        match self.entries.next() {
            Some((k, span, n)) => {
                self.value = Some((k, n));
                seed.deserialize(k.as_str().into_deserializer()).map(Some).map_err(|e: DecodeError| e.at(*span))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DecodeError> {
        let Some((key, n)) = self.value.take() else { return Err(de::Error::custom("value without a key")) };
        seed.deserialize(n).map_err(|e| e.at(n.span).within(key))
    }
}
