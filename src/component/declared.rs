//! Types that declare a value's rules in a config struct, so serde checks them when decoding
//! and schemars writes them into the schemas (editors offer the values): string enums with
//! Packer's exact spellings ([`string_enum!`]) and Go durations ([`GoDuration`]). Arguments
//! forge refuses are declared on their field with `#[schemars(extend("x-forge-refused" =
//! "the way around"))]`. `registry` reads all three from the schema when it checks a body.

use std::borrow::Cow;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

/// The schema `format` of a Go duration (`5m`, `1h30s`).
pub const DURATION_FORMAT: &str = "go-duration";

/// The schema key that marks an argument forge refuses; its value says what to do instead.
pub const REFUSED: &str = "x-forge-refused";

/// Declares a string enum whose variants are exactly the given strings (serde and schemars
/// both see them), with `as_str`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
        #[allow(missing_docs)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The value as written in templates.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }
    };
}
pub(crate) use string_enum;

/// A Go duration (`1h30m`, `500ms`), checked when decoded. A run-time value still unknown
/// decodes as zero (validation accepts it; the engine decodes known values only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoDuration(pub Duration);

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = GoDuration;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a duration such as `30s`, `5m` or `1h30m`")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<GoDuration, E> {
                crate::gocompat::duration::parse_std(s)
                    .map(GoDuration)
                    .ok_or_else(|| E::custom(format!("not a duration: {s:?}")))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<GoDuration, E> {
                Ok(GoDuration::default())
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl JsonSchema for GoDuration {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "GoDuration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": DURATION_FORMAT })
    }
}
