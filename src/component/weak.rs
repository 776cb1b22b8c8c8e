//! Packer decodes configuration weakly (`"22"` is a fine port). Fields of a flattened struct
//! (the communicator's, inside every builder) reach serde through its buffered content, which
//! bypasses the coercions of [`crate::component::decode`]; these helpers restore them.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Num(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrText {
    Bool(bool),
    Text(String),
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Text(t)) if t.is_empty() => Ok(None),
        Some(NumOrText::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("expected a number, found the string {t:?}"))),
    }
}

/// An optional port or count given as a number or a numeric string.
pub fn u16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    number(d)?
        .map(|n| {
            if n.fract() == 0.0 && (0.0..=65535.0).contains(&n) {
                Ok(n as u16)
            } else {
                Err(serde::de::Error::custom(format!("{n} is not a port number")))
            }
        })
        .transpose()
}

/// An optional count given as a number or a numeric string.
pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    number(d)?
        .map(|n| {
            if n.fract() == 0.0 && n >= 0.0 {
                Ok(n as u32)
            } else {
                Err(serde::de::Error::custom(format!("{n} is not a whole number")))
            }
        })
        .transpose()
}

/// An optional flag given as a boolean or `"true"`/`"false"`.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<BoolOrText>::deserialize(d)? {
        None => Ok(None),
        Some(BoolOrText::Bool(b)) => Ok(Some(b)),
        Some(BoolOrText::Text(t)) if t.is_empty() => Ok(None),
        Some(BoolOrText::Text(t)) => match t.as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom(format!("expected true or false, found the string {t:?}"))),
        },
    }
}

/// An optional nested block (`assume_role { … }`): written once as a block (a list of one
/// object, as the body reader gives blocks) or as an object (`assume_role = { … }`, JSON).
pub fn block<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrList<T> {
        One(T),
        List(Vec<T>),
    }
    match Option::<OneOrList<T>>::deserialize(d)? {
        None => Ok(None),
        Some(OneOrList::One(t)) => Ok(Some(t)),
        Some(OneOrList::List(mut v)) if v.len() <= 1 => Ok(v.pop()),
        Some(OneOrList::List(v)) => {
            Err(serde::de::Error::custom(format!("expected one block, found {}: keep one", v.len())))
        }
    }
}
