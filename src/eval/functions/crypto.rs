//! Hash, crypto and UUID functions: `md5`, `sha1`, `sha256`, `sha512` (hex of the UTF-8
//! bytes), `bcrypt` (`$2a$`, cost 10 by default), `rsadecrypt` (PKCS #1 v1.5 with a PKCS #1
//! or PKCS #8 PEM key), `uuidv4` and `uuidv5`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::Md5;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::eval::functions::{Context, FnError, int_arg, string_arg};
use crate::eval::value::Value;

type R = Result<Value, FnError>;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest<D: Digest>(args: &[Value]) -> R {
    Ok(Value::string(hex(&D::digest(string_arg(args, 0)?.as_bytes()))))
}

/// `md5(s)`.
pub fn md5(_: &Context<'_>, args: &[Value]) -> R {
    digest::<Md5>(args)
}

/// `sha1(s)`.
pub fn sha1(_: &Context<'_>, args: &[Value]) -> R {
    digest::<Sha1>(args)
}

/// `sha256(s)`.
pub fn sha256(_: &Context<'_>, args: &[Value]) -> R {
    digest::<Sha256>(args)
}

/// `sha512(s)`.
pub fn sha512(_: &Context<'_>, args: &[Value]) -> R {
    digest::<Sha512>(args)
}

/// `bcrypt(s, cost?)`.
pub fn bcrypt(_: &Context<'_>, args: &[Value]) -> R {
    let s = string_arg(args, 0)?;
    let cost = if args.len() > 1 { int_arg(args, 1)? } else { 10 };
    let cost = u32::try_from(cost)
        .ok()
        .filter(|c| (4..=31).contains(c))
        .ok_or_else(|| FnError::arg(1, format!("crypto/bcrypt: cost {cost} is outside allowed range (4,31)")))?;
    if s.len() > 72 {
        return Err(FnError::arg(0, "bcrypt: password length exceeds 72 bytes"));
    }
    let parts = ::bcrypt::hash_with_result(&s, cost)
        .map_err(|e| FnError::call(format!("error occurred generating password {e}")))?;
    Ok(Value::string(parts.format_for_version(::bcrypt::Version::TwoA)))
}

/// `rsadecrypt(ciphertext, key)`: Base64 ciphertext decrypted with a PEM private key.
pub fn rsadecrypt(_: &Context<'_>, args: &[Value]) -> R {
    let ct = string_arg(args, 0)?;
    let pem = string_arg(args, 1)?;
    let bytes = STANDARD
        .decode(&ct)
        .map_err(|_| FnError::arg(0, format!("failed to decode input {ct:?}: cipher text must be base64-encoded")))?;
    let key = RsaPrivateKey::from_pkcs1_pem(&pem).or_else(|_| RsaPrivateKey::from_pkcs8_pem(&pem)).map_err(|_| {
        FnError::arg(1, "invalid private key: failed to parse a PKCS #1 or PKCS #8 RSA key in PEM form")
    })?;
    let plain = key
        .decrypt(Pkcs1v15Encrypt, &bytes)
        .map_err(|_| FnError::call("failed to decrypt: crypto/rsa: decryption error"))?;
    String::from_utf8(plain).map(Value::string).map_err(|_| FnError::call("the decrypted text is not valid UTF-8"))
}

/// `uuidv4()`.
pub fn uuidv4(_: &Context<'_>, _: &[Value]) -> R {
    Ok(Value::string(uuid::Uuid::new_v4().to_string()))
}

/// `uuidv5(namespace, name)`: `namespace` is `dns`, `url`, `oid`, `x500` or a UUID.
pub fn uuidv5(_: &Context<'_>, args: &[Value]) -> R {
    let ns = string_arg(args, 0)?;
    let name = string_arg(args, 1)?;
    let namespace = match ns.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other)
            .map_err(|e| FnError::arg(0, format!("uuidv5() doesn't support namespace {other} ({e})")))?,
    };
    Ok(Value::string(uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string()))
}
