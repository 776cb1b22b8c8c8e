//! The function library: every HCL2 function Packer ships, and the Go-template functions of
//! legacy JSON templates, each declared once in a table with its arity and documentation.
//!
//! The evaluator calls [`call`]; deferred arguments make a deferred result and sensitive
//! arguments a sensitive one, so no function has to think about marks.

mod collections;
#[cfg(test)]
mod conformance;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod format;
mod gotemplate;
mod network;
mod numeric;
mod secrets;
mod strings;
mod yaml;

use std::path::Path;
use std::time::SystemTime;

use std::collections::BTreeMap;

use crate::eval::value::{Kind, Value, format_number};
use crate::source::Vfs;

/// What a function may know about its surroundings.
pub struct Context<'a> {
    /// `path.root`: relative file functions resolve against it.
    pub base_dir: &'a Path,
    /// `path.cwd`.
    pub cwd: &'a Path,
    /// When the process started (`legacy_isotime`, Go `{{timestamp}}`).
    pub start_time: SystemTime,
    /// The only door to files.
    pub vfs: &'a dyn Vfs,
    /// The build name and builder type, where a Go template is rendered for one build.
    pub build: Option<(&'a str, &'a str)>,
    /// The home folder (`HOME` of the environment handed in), for `~` in paths.
    pub home: Option<&'a str>,
}

/// A function failed: which argument (0-based) was wrong, if one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnError {
    /// The offending argument.
    pub arg: Option<usize>,
    /// What is wrong, lowercase, no full stop.
    pub message: String,
}

impl FnError {
    /// An error about argument `arg`.
    pub fn arg(arg: usize, message: impl Into<String>) -> FnError {
        FnError { arg: Some(arg), message: message.into() }
    }

    /// An error about the call as a whole.
    pub fn call(message: impl Into<String>) -> FnError {
        FnError { arg: None, message: message.into() }
    }
}

/// A function's implementation.
pub type Impl = fn(&Context<'_>, &[Value]) -> Result<Value, FnError>;

/// One function of a table.
pub struct Function {
    /// Its name.
    pub name: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments; `None` for variadic.
    pub max_args: Option<usize>,
    /// The implementation; `None` for the few the evaluator runs itself (`try`, `can`,
    /// `convert`, `templatefile`) because they need unevaluated arguments or the evaluator.
    pub imp: Option<Impl>,
    /// One-line description.
    pub doc: &'static str,
}

const fn f(name: &'static str, min_args: usize, max_args: Option<usize>, imp: Impl, doc: &'static str) -> Function {
    Function { name, min_args, max_args, imp: Some(imp), doc }
}

const fn special(name: &'static str, min_args: usize, max_args: Option<usize>, doc: &'static str) -> Function {
    Function { name, min_args, max_args, imp: None, doc }
}

/// The HCL2 functions, sorted by name.
pub static HCL_FUNCTIONS: &[Function] = &[
    f("abs", 1, Some(1), numeric::abs, "the absolute value of a number"),
    f("abspath", 1, Some(1), filesystem::abspath, "an absolute path, relative paths taken from the working directory"),
    f("alltrue", 1, Some(1), collections::alltrue, "whether every element of a list is true"),
    f("anytrue", 1, Some(1), collections::anytrue, "whether any element of a list is true"),
    f(
        "aws_secretsmanager",
        1,
        Some(2),
        secrets::aws_secretsmanager,
        "a secret from AWS Secrets Manager (not contacted by forge)",
    ),
    f(
        "aws_secretsmanager_raw",
        1,
        Some(1),
        secrets::aws_secretsmanager_raw,
        "a raw secret from AWS Secrets Manager (not contacted by forge)",
    ),
    f("base64decode", 1, Some(1), encoding::base64decode, "decodes a Base64 string holding UTF-8 text"),
    f("base64encode", 1, Some(1), encoding::base64encode, "encodes a string's UTF-8 bytes as Base64"),
    f("base64gzip", 1, Some(1), encoding::base64gzip, "gzips a string and encodes the result as Base64"),
    f("basename", 1, Some(1), filesystem::basename, "the last element of a path"),
    f("bcrypt", 1, Some(2), crypto::bcrypt, "a bcrypt hash of a string, cost 10 by default"),
    special("can", 1, Some(1), "whether an expression evaluates without error"),
    f("ceil", 1, Some(1), numeric::ceil, "the smallest whole number not less than a number"),
    f("chomp", 1, Some(1), strings::chomp, "removes newlines at the end of a string"),
    f("chunklist", 2, Some(2), collections::chunklist, "splits a list into lists of a given size"),
    f("cidrhost", 2, Some(2), network::cidrhost, "the address of a numbered host in a network prefix"),
    f("cidrnetmask", 1, Some(1), network::cidrnetmask, "the dotted netmask of an IPv4 prefix"),
    f("cidrsubnet", 3, Some(3), network::cidrsubnet, "a numbered subnet of a network prefix"),
    f("cidrsubnets", 1, None, network::cidrsubnets, "consecutive subnets of a prefix with the given extra bits"),
    f("coalesce", 1, None, collections::coalesce, "the first argument that is neither null nor an empty string"),
    f("coalescelist", 1, None, collections::coalescelist, "the first argument that is a non-empty list"),
    f("compact", 1, Some(1), collections::compact, "a list of strings without the empty ones"),
    f("concat", 1, None, collections::concat, "lists joined into one"),
    f("consul_key", 1, Some(1), secrets::consul_key, "a key from Consul (not contacted by forge)"),
    f("contains", 2, Some(2), collections::contains, "whether a list holds a value"),
    special("convert", 2, Some(2), "converts a value to a type"),
    f("csvdecode", 1, Some(1), encoding::csvdecode, "a list of maps from CSV text with a header line"),
    f("dirname", 1, Some(1), filesystem::dirname, "a path without its last element"),
    f("distinct", 1, Some(1), collections::distinct, "a list without duplicates, first occurrences kept"),
    f("element", 2, Some(2), collections::element, "the element at an index, wrapping around"),
    f("endswith", 2, Some(2), strings::endswith, "whether a string ends with a suffix"),
    special("env", 1, Some(1), "an environment variable (variable defaults only)"),
    f("file", 1, Some(1), filesystem::file, "the UTF-8 text of a file"),
    f("filebase64", 1, Some(1), filesystem::filebase64, "the bytes of a file as Base64"),
    f("fileexists", 1, Some(1), filesystem::fileexists, "whether a file exists"),
    f("fileset", 2, Some(2), filesystem::fileset, "the files under a folder that match a glob"),
    f("flatten", 1, Some(1), collections::flatten, "nested lists made into one flat list"),
    f("floor", 1, Some(1), numeric::floor, "the largest whole number not greater than a number"),
    f("format", 1, None, strings::format, "a string formatted by printf-style verbs"),
    f("formatdate", 2, Some(2), datetime::formatdate, "an RFC 3339 timestamp formatted by a date spec"),
    f("formatlist", 1, None, strings::formatlist, "format applied element-wise over lists"),
    f("indent", 2, Some(2), strings::indent, "indents every line but the first"),
    f("index", 2, Some(2), collections::index, "the index of the first element equal to a value"),
    f("join", 2, None, strings::join, "the strings of lists joined by a separator"),
    f("jsondecode", 1, Some(1), encoding::jsondecode, "a value from JSON text"),
    f("jsonencode", 1, Some(1), encoding::jsonencode, "a value as compact JSON"),
    f("keys", 1, Some(1), collections::keys, "the sorted keys of a map"),
    f("legacy_isotime", 0, Some(1), datetime::legacy_isotime, "the start time formatted by a Go layout"),
    f("legacy_strftime", 0, Some(1), datetime::legacy_strftime, "the start time formatted by a C strftime spec"),
    f("length", 1, Some(1), strings::length, "the number of elements, or characters of a string"),
    f("log", 2, Some(2), numeric::log, "the logarithm of a number in a base"),
    f("lookup", 2, Some(3), collections::lookup, "the value of a map key, or a default"),
    f("lower", 1, Some(1), strings::lower, "converts letters to lower case"),
    f("max", 1, None, numeric::max, "the largest of numbers"),
    f("md5", 1, Some(1), crypto::md5, "the MD5 hash of a string, in hex"),
    f("merge", 0, None, collections::merge, "maps merged, later keys winning"),
    f("min", 1, None, numeric::min, "the smallest of numbers"),
    f("parseint", 2, Some(2), numeric::parseint, "a whole number parsed from a string in a base"),
    f("pathexpand", 1, Some(1), filesystem::pathexpand, "a path with a leading ~ replaced by the home folder"),
    f("pow", 2, Some(2), numeric::pow, "a number raised to a power"),
    f("range", 1, Some(3), collections::range, "a list of numbers from start to end by step"),
    f("regex", 2, Some(2), strings::regex, "the first match of a regular expression"),
    f("regex_replace", 3, Some(3), strings::regex_replace, "replaces matches of a regular expression"),
    f("regexall", 2, Some(2), strings::regexall, "every match of a regular expression"),
    f("replace", 3, Some(3), strings::replace, "replaces every occurrence of a substring"),
    f("reverse", 1, Some(1), collections::reverse, "a list in reverse order"),
    f("rfc3339_parse", 1, Some(1), datetime::rfc3339_parse, "the parts of an RFC 3339 timestamp"),
    f("rsadecrypt", 2, Some(2), crypto::rsadecrypt, "decrypts Base64 RSA ciphertext with a PEM private key"),
    f("setintersection", 1, None, collections::setintersection, "the elements every set holds"),
    f("setproduct", 2, None, collections::setproduct, "every combination of one element from each set"),
    f("setunion", 1, None, collections::setunion, "the elements any set holds"),
    f("sha1", 1, Some(1), crypto::sha1, "the SHA-1 hash of a string, in hex"),
    f("sha256", 1, Some(1), crypto::sha256, "the SHA-256 hash of a string, in hex"),
    f("sha512", 1, Some(1), crypto::sha512, "the SHA-512 hash of a string, in hex"),
    f("signum", 1, Some(1), numeric::signum, "the sign of a number: -1, 0 or 1"),
    f("slice", 3, Some(3), collections::slice, "the elements from a start index up to an end index"),
    f("sort", 1, Some(1), collections::sort, "a list of strings in lexical order"),
    f("split", 2, Some(2), strings::split, "a string split at a separator"),
    f("startswith", 2, Some(2), strings::startswith, "whether a string starts with a prefix"),
    f("strcontains", 2, Some(2), strings::strcontains, "whether a string contains a substring"),
    f("strrev", 1, Some(1), strings::strrev, "a string's characters in reverse order"),
    f("substr", 3, Some(3), strings::substr, "part of a string by character offset and length"),
    f("sum", 1, Some(1), numeric::sum, "the sum of a list of numbers"),
    special("templatefile", 2, Some(2), "renders a template file with variables"),
    f("textdecodebase64", 2, Some(2), encoding::textdecodebase64, "decodes Base64 bytes in a character encoding"),
    f("textencodebase64", 2, Some(2), encoding::textencodebase64, "encodes a string in a character encoding as Base64"),
    f("timeadd", 2, Some(2), datetime::timeadd, "an RFC 3339 timestamp plus a Go duration"),
    f("timestamp", 0, Some(0), datetime::timestamp, "the current time in RFC 3339, UTC"),
    f("title", 1, Some(1), strings::title, "the first letter of each word in upper case"),
    f("trim", 2, Some(2), strings::trim, "removes the given characters from both ends"),
    f("trimprefix", 2, Some(2), strings::trimprefix, "removes a prefix"),
    f("trimspace", 1, Some(1), strings::trimspace, "removes white space from both ends"),
    f("trimsuffix", 2, Some(2), strings::trimsuffix, "removes a suffix"),
    special("try", 1, None, "the first of its arguments that evaluates without error"),
    f("unix_timestamp_parse", 1, Some(1), datetime::unix_timestamp_parse, "the parts of a Unix timestamp"),
    f("upper", 1, Some(1), strings::upper, "converts letters to upper case"),
    f("urlencode", 1, Some(1), encoding::urlencode, "a string escaped for a URL query"),
    f("uuidv4", 0, Some(0), crypto::uuidv4, "a random UUID"),
    f("uuidv5", 2, Some(2), crypto::uuidv5, "a name-based UUID (SHA-1) in a namespace"),
    f("values", 1, Some(1), collections::values, "the values of a map, in key order"),
    f("vault", 2, Some(2), secrets::vault, "a secret from Vault (not contacted by forge)"),
    f("yamldecode", 1, Some(1), encoding::yamldecode, "a value from YAML text"),
    f("yamlencode", 1, Some(1), encoding::yamlencode, "a value as YAML"),
    f("zipmap", 2, Some(2), collections::zipmap, "a map from a list of keys and a list of values"),
];

/// The Go-template functions of legacy JSON templates (after `user`, `build`, `template_dir`,
/// `pwd` and `packer_version`, which the reader maps to HCL2 references).
pub static GO_FUNCTIONS: &[Function] = &[
    f(
        "aws_secretsmanager",
        1,
        Some(2),
        secrets::aws_secretsmanager,
        "a secret from AWS Secrets Manager (not contacted by forge)",
    ),
    f(
        "aws_secretsmanager_raw",
        1,
        Some(1),
        secrets::aws_secretsmanager_raw,
        "a raw secret from AWS Secrets Manager (not contacted by forge)",
    ),
    f("build_name", 0, Some(0), gotemplate::build_name, "the name of the current build"),
    f("build_type", 0, Some(0), gotemplate::build_type, "the builder type of the current build"),
    f(
        "clean_resource_name",
        1,
        Some(1),
        gotemplate::clean_resource_name,
        "a name with characters AWS rejects replaced by -",
    ),
    f("consul_key", 1, Some(1), secrets::consul_key, "a key from Consul (not contacted by forge)"),
    special("env", 1, Some(1), "an environment variable (variables section only)"),
    f("isotime", 0, Some(1), gotemplate::isotime, "the current time in RFC 3339 UTC, or by a Go layout"),
    f("lower", 1, Some(1), strings::lower, "converts letters to lower case"),
    f("replace", 4, Some(4), gotemplate::replace, "replaces the first n occurrences (all when n < 0)"),
    f("replace_all", 3, Some(3), gotemplate::replace_all, "replaces every occurrence"),
    f("sed", 0, None, gotemplate::sed, "deprecated: always an error"),
    f("split", 3, Some(3), gotemplate::split, "the nth piece of a string split at a separator"),
    f("strftime", 1, Some(1), gotemplate::strftime, "the start time formatted by a C strftime spec"),
    f("timestamp", 0, Some(0), gotemplate::timestamp, "the start time in Unix seconds"),
    f("upper", 1, Some(1), strings::upper, "converts letters to upper case"),
    f("uuid", 0, Some(0), gotemplate::uuid, "a time-ordered UUID"),
    f("vault", 2, Some(2), secrets::vault, "a secret from Vault (not contacted by forge)"),
];

/// Finds an HCL2 function.
pub fn lookup(name: &str) -> Option<&'static Function> {
    HCL_FUNCTIONS.iter().find(|f| f.name == name)
}

/// Finds a Go-template function.
pub fn lookup_go(name: &str) -> Option<&'static Function> {
    GO_FUNCTIONS.iter().find(|f| f.name == name)
}

/// Calls a function on evaluated arguments, carrying the marks of the arguments to the result.
///
/// # Errors
/// The function's own error; the arity is checked by the caller.
pub fn call(func: &Function, ctx: &Context<'_>, args: &[Value]) -> Result<Value, FnError> {
    let Some(imp) = func.imp else {
        return Err(FnError::call(format!("`{}` must be called by the evaluator", func.name)));
    };
    if let Some(d) = args.iter().find(|a| a.is_deferred()) {
        let what = match &d.kind {
            Kind::Deferred(d) => d.what.clone(),
            _ => "a run-time value".to_string(),
        };
        return Ok(Value::deferred(what).mark(args.iter().any(Value::is_sensitive)));
    }
    let sensitive = args.iter().any(Value::is_sensitive);
    imp(ctx, args).map(|v| v.mark(sensitive))
}

/// The string value of argument `i`, converting numbers and bools as HCL does.
pub fn string_arg(args: &[Value], i: usize) -> Result<String, FnError> {
    args.get(i).and_then(Value::to_string_lossless).ok_or_else(|| {
        FnError::arg(i, format!("a string is required, not {}", args.get(i).map_or("nothing", Value::type_name)))
    })
}

/// The number value of argument `i`, converting strings as HCL does.
pub fn number_arg(args: &[Value], i: usize) -> Result<f64, FnError> {
    args.get(i).and_then(Value::to_number).ok_or_else(|| type_error(args, i, "a number"))
}

/// The whole-number value of argument `i`.
pub fn int_arg(args: &[Value], i: usize) -> Result<i64, FnError> {
    let n = number_arg(args, i)?;
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9.007_199_254_740_992e15 {
        return Err(FnError::arg(i, format!("a whole number is required, not {}", format_number(n))));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(n as i64)
}

/// The boolean value of argument `i`, converting the strings `"true"` and `"false"`.
pub fn bool_arg(args: &[Value], i: usize) -> Result<bool, FnError> {
    args.get(i).and_then(Value::to_bool).ok_or_else(|| type_error(args, i, "a bool"))
}

/// The items of argument `i`, which must be a list, set or tuple.
pub fn list_arg(args: &[Value], i: usize) -> Result<&[Value], FnError> {
    args.get(i).and_then(Value::as_list).ok_or_else(|| type_error(args, i, "a list"))
}

/// The entries of argument `i`, which must be a map or object.
pub fn map_arg(args: &[Value], i: usize) -> Result<&BTreeMap<String, Value>, FnError> {
    args.get(i).and_then(Value::as_map).ok_or_else(|| type_error(args, i, "a map"))
}

/// The items of argument `i` as strings (a `list(string)` parameter).
pub fn string_list_arg(args: &[Value], i: usize) -> Result<Vec<String>, FnError> {
    list_arg(args, i)?
        .iter()
        .enumerate()
        .map(|(n, v)| {
            v.to_string_lossless()
                .ok_or_else(|| FnError::arg(i, format!("element {n}: a string is required, not {}", v.type_name())))
        })
        .collect()
}

/// "`what` is required, not `type`" about argument `i`.
pub fn type_error(args: &[Value], i: usize, what: &str) -> FnError {
    FnError::arg(i, format!("{what} is required, not {}", args.get(i).map_or("nothing", Value::type_name)))
}

/// Whether two values are equal, ignoring marks (cty's `==` for values of one type).
pub fn equal(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::List(x), Kind::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| k1 == k2 && equal(v1, v2))
        }
        (x, y) => x == y,
    }
}

#[allow(clippy::cast_precision_loss)]
/// A number value from a count or index.
pub fn count(n: usize) -> Value {
    Value::number(n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_unique() {
        for table in [HCL_FUNCTIONS, GO_FUNCTIONS] {
            for pair in table.windows(2) {
                assert!(pair[0].name < pair[1].name, "{} before {}", pair[0].name, pair[1].name);
            }
        }
    }
}
