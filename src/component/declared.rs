//! Types that declare a value's rules in a config struct, so serde checks them when decoding
//! and schemars writes them into the schemas (editors offer the values): string enums with
//! Packer's exact spellings ([`string_enum!`]) and Go durations ([`GoDuration`]). Arguments
//! forge refuses are declared on their field with `#[schemars(extend("x-forge-refused" =
//! "the way around"))]`. `registry` reads all three from the schema when it checks a body.

use std::borrow::Cow;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

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

/// A Go duration (`1h30m`, `500ms`), checked when decoded. The empty string a run-time value
/// still unknown decodes as is zero (validation reports an empty duration itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub struct GoDuration(pub Duration);

impl TryFrom<String> for GoDuration {
    type Error = String;

    fn try_from(s: String) -> Result<GoDuration, String> {
        if s.is_empty() {
            return Ok(GoDuration::default());
        }
        crate::gocompat::duration::parse_std(&s).map(GoDuration).ok_or_else(|| format!("not a duration: {s:?}"))
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
