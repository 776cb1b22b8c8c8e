//! The conformance table: for every registered function, HCL expressions and the JSON of
//! their expected results (or the expected error). Rows written `pk(...)` were answered by
//! Packer 1.6.6 itself (`oracle.sh rows`, re-checked by `oracle.sh check`); rows written
//! `ok(...)` come from the cty / Packer 1.16 source, for functions that 1.6.6 lacks or where
//! 1.16 behaves differently (noted beside them). Expressions may nest calls; `go::name(...)`
//! calls a Go-template function.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use hcl_edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl_edit::template::Element;
use regex::Regex;

use crate::eval::functions::encoding::json_text;
use crate::eval::functions::{Context, FnError, GO_FUNCTIONS, HCL_FUNCTIONS, call, lookup, lookup_go};
use crate::eval::value::Value;
use crate::source::RealFs;

/// What a row expects.
enum Want {
    /// The result's JSON (as `jsonencode` writes it).
    Json(&'static str),
    /// A result whose JSON matches a regular expression (clocks and randomness).
    Matches(&'static str),
    /// An error about that argument (`None`: about the call) whose message contains the text.
    Error(Option<usize>, &'static str),
}

struct Row {
    expr: &'static str,
    want: Want,
}

/// A row answered by Packer 1.6.6.
const fn pk(expr: &'static str, json: &'static str) -> Row {
    Row { expr, want: Want::Json(json) }
}

/// A row derived from the cty / Packer 1.16 source.
const fn ok(expr: &'static str, json: &'static str) -> Row {
    Row { expr, want: Want::Json(json) }
}

/// A row whose result must match a pattern.
const fn re(expr: &'static str, pattern: &'static str) -> Row {
    Row { expr, want: Want::Matches(pattern) }
}

/// A row that must fail.
const fn err(expr: &'static str, arg: Option<usize>, text: &'static str) -> Row {
    Row { expr, want: Want::Error(arg, text) }
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/eval/functions/testdata")
}

fn eval(e: &Expression, ctx: &Context<'_>) -> Result<Value, FnError> {
    Ok(match e {
        Expression::Null(_) => Value::null(),
        Expression::Bool(b) => Value::bool(*b.value()),
        Expression::Number(n) => Value::number(n.as_f64().unwrap_or(f64::NAN)),
        Expression::String(s) => Value::string(s.value().clone()),
        Expression::Parenthesis(p) => eval(p.inner(), ctx)?,
        Expression::Array(a) => Value::list(a.iter().map(|x| eval(x, ctx)).collect::<Result<_, _>>()?),
        Expression::Object(o) => {
            let mut map = std::collections::BTreeMap::new();
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(id) => id.as_str().to_string(),
                    ObjectKey::Expression(x) => eval(x, ctx)?.to_string_lossless().unwrap_or_default(),
                };
                map.insert(key, eval(v.expr(), ctx)?);
            }
            Value::map(map)
        }
        Expression::StringTemplate(t) => {
            let mut s = String::new();
            for el in t.iter() {
                match el {
                    Element::Literal(l) => s.push_str(l.value()),
                    _ => return Err(FnError::call("the conformance evaluator takes no interpolations")),
                }
            }
            Value::string(s)
        }
        Expression::UnaryOp(u) if *u.operator.value() == UnaryOperator::Neg => {
            Value::number(-eval(&u.expr, ctx)?.as_number().unwrap_or(f64::NAN))
        }
        Expression::FuncCall(f) => {
            let name = f.name.name.as_str();
            let go = f.name.namespace.iter().any(|n| n.as_str() == "go");
            let func = if go { lookup_go(name) } else { lookup(name) };
            let func = func.unwrap_or_else(|| panic!("no function {name}"));
            let args = f.args.iter().map(|a| eval(a, ctx)).collect::<Result<Vec<_>, _>>()?;
            assert!(args.len() >= func.min_args, "{name}: too few arguments");
            assert!(func.max_args.is_none_or(|m| args.len() <= m), "{name}: too many arguments");
            call(func, ctx, &args)?
        }
        other => panic!("the conformance evaluator cannot evaluate {other:?}"),
    })
}

fn run(expr: &str) -> Result<Value, FnError> {
    let base = testdata();
    let ctx = Context {
        base_dir: &base,
        cwd: Path::new("/work/cwd"),
        start_time: UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789),
        vfs: &RealFs,
        build: Some(("b1", "amazon-ebs")),
        home: Some("/home/forge"),
    };
    let parsed = hcl_edit::parser::parse_expr(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    eval(&parsed, &ctx)
}

fn check(row: &Row) -> Option<String> {
    let got = run(row.expr);
    match (&row.want, got) {
        (Want::Json(want), Ok(v)) if json_text(&v) == *want => None,
        (Want::Matches(p), Ok(v)) if Regex::new(p).is_ok_and(|r| r.is_match(&json_text(&v))) => None,
        (Want::Error(arg, text), Err(e)) if e.arg == *arg && e.message.contains(text) => None,
        (Want::Json(w) | Want::Matches(w), got) => Some(format!("{}\n    want {w}\n    got  {}", row.expr, show(&got))),
        (Want::Error(arg, text), got) => {
            Some(format!("{}\n    want error {arg:?} containing {text:?}\n    got  {}", row.expr, show(&got)))
        }
    }
}

fn show(r: &Result<Value, FnError>) -> String {
    match r {
        Ok(v) => json_text(v),
        Err(e) => format!("error {:?}: {}", e.arg, e.message),
    }
}

#[test]
fn every_row_holds() {
    let failures: Vec<String> = ROWS.iter().filter_map(check).collect();
    assert!(failures.is_empty(), "{} of {} rows fail:\n{}", failures.len(), ROWS.len(), failures.join("\n"));
}

#[test]
fn every_function_has_a_row() {
    let called = |name: &str, go: bool| {
        let needle = if go { format!("go::{name}(") } else { format!("{name}(") };
        ROWS.iter().any(|r| {
            r.expr.match_indices(&needle).any(|(i, _)| {
                let before = r.expr[..i].chars().next_back();
                let is_go = r.expr[..i].ends_with("go::");
                (go || !is_go) && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        })
    };
    let missing: Vec<String> = HCL_FUNCTIONS
        .iter()
        .filter(|f| f.imp.is_some() && !called(f.name, false))
        .map(|f| f.name.to_string())
        .chain(
            GO_FUNCTIONS.iter().filter(|f| f.imp.is_some() && !called(f.name, true)).map(|f| format!("go::{}", f.name)),
        )
        .collect();
    assert!(missing.is_empty(), "functions without a conformance row: {missing:?}");
}

#[test]
fn counts_are_as_documented() {
    assert_eq!(HCL_FUNCTIONS.len(), 104, "Packer 1.16 has 103 functions plus env");
}

static ROWS: &[Row] = &[
    // ---- rows answered by Packer 1.6.6 (oracle.sh rows) ----
    pk(r#"abs(-3.5)"#, r#"3.5"#),
    pk(r#"abs("-2")"#, r#"2"#),
    pk(r#"abspath("/a/b/../c/")"#, r#""/a/c""#),
    pk(r#"basename("/a/b/c.txt")"#, r#""c.txt""#),
    pk(r#"basename("a/b/")"#, r#""b""#),
    pk(r#"basename("")"#, r#"".""#),
    pk(r#"dirname("/a/b/c.txt")"#, r#""/a/b""#),
    pk(r#"dirname("c.txt")"#, r#"".""#),
    pk(r#"dirname("/a//b/")"#, r#""/a/b""#),
    pk(r#"base64decode("aGVsbG8=")"#, r#""hello""#),
    pk(r#"base64encode("héllo")"#, r#""aMOpbGxv""#),
    pk(r#"ceil(1.2)"#, r#"2"#),
    pk(r#"ceil(-1.5)"#, r#"-1"#),
    pk(r#"chomp("a\n\r\n")"#, r#""a""#),
    pk(r#"chomp("a\nb")"#, r#""a\nb""#),
    pk(r#"chunklist(["a","b","c","d","e"], 2)"#, r#"[["a","b"],["c","d"],["e"]]"#),
    pk(r#"chunklist([], 3)"#, r#"[]"#),
    pk(r#"chunklist([1,2], 0)"#, r#"[[1,2]]"#),
    pk(r#"cidrhost("10.12.112.0/20", 16)"#, r#""10.12.112.16""#),
    pk(r#"cidrhost("10.12.112.0/20", 268)"#, r#""10.12.113.12""#),
    pk(r#"cidrhost("10.12.112.0/20", -1)"#, r#""10.12.127.255""#),
    pk(r#"cidrhost("fd00:fd12:3456:7890::/56", 34)"#, r#""fd00:fd12:3456:7800::22""#),
    pk(r#"cidrhost("10.0.0.5/8", 2)"#, r#""10.0.0.2""#),
    pk(r#"cidrnetmask("172.16.0.0/12")"#, r#""255.240.0.0""#),
    pk(r#"cidrnetmask("10.0.0.0/32")"#, r#""255.255.255.255""#),
    pk(r#"cidrsubnet("172.16.0.0/12", 4, 2)"#, r#""172.18.0.0/16""#),
    pk(r#"cidrsubnet("10.1.2.0/24", 4, 15)"#, r#""10.1.2.240/28""#),
    pk(r#"cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)"#, r#""fd00:fd12:3456:7800:a200::/72""#),
    pk(r#"cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)"#, r#"["10.1.0.0/20","10.1.16.0/20","10.1.32.0/24","10.1.48.0/20"]"#),
    pk(
        r#"cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)"#,
        r#"["fd00:fd12:3456:7800::/72","fd00:fd12:3456:7800:100::/72","fd00:fd12:3456:7800:200::/72","fd00:fd12:3456:7800:300::/88"]"#,
    ),
    pk(r#"cidrsubnets("10.0.0.0/8", 8, 4)"#, r#"["10.0.0.0/16","10.16.0.0/12"]"#),
    pk(r#"coalesce("", "b", "c")"#, r#""b""#),
    pk(r#"coalesce(null, 1, 2)"#, r#"1"#),
    pk(r#"coalesce(1, "a")"#, r#""1""#),
    pk(r#"coalescelist([], ["a"], ["b"])"#, r#"["a"]"#),
    pk(r#"compact(["a", "", "b", null])"#, r#"["a","b"]"#),
    pk(r#"concat(["a"], [], ["b", "c"])"#, r#"["a","b","c"]"#),
    pk(r#"concat([1], ["a"])"#, r#"[1,"a"]"#),
    pk(r#"contains(["a", "b"], "b")"#, r#"true"#),
    pk(r#"contains(["a", "b"], "c")"#, r#"false"#),
    pk(r#"contains([1, 2], "1")"#, r#"false"#),
    pk(r#"csvdecode("a,b\n1,2\n3,\"x\"\"y\"\n")"#, r#"[{"a":"1","b":"2"},{"a":"3","b":"x\"y"}]"#),
    pk(r#"csvdecode("a,b\r\n1,2\r\n\r\n3,4")"#, r#"[{"a":"1","b":"2"},{"a":"3","b":"4"}]"#),
    pk(r#"csvdecode("a\n")"#, r#"[]"#),
    pk(r#"distinct(["a", "b", "a", "c", "b"])"#, r#"["a","b","c"]"#),
    pk(r#"distinct(["a", 1, "1"])"#, r#"["a","1"]"#),
    pk(r#"element(["a", "b", "c"], 1)"#, r#""b""#),
    pk(r#"element(["a", "b", "c"], 4)"#, r#""b""#),
    pk(r#"file("files/a.txt")"#, r#""hello\n""#),
    pk(r#"file("files/b.txt")"#, r#""world""#),
    pk(r#"fileexists("files/a.txt")"#, r#"true"#),
    pk(r#"fileexists("files/nope.txt")"#, r#"false"#),
    pk(r#"fileset("files", "*.txt")"#, r#"["a.txt","b.txt","ct.txt"]"#),
    pk(r#"fileset("files", "**")"#, r#"["a.txt","b.txt","bin.dat","ct.txt","key1.pem","key8.pem","sub/c.txt"]"#),
    pk(r#"fileset("files", "**/*.txt")"#, r#"["a.txt","b.txt","ct.txt","sub/c.txt"]"#),
    pk(r#"fileset("files", "{a,b}.txt")"#, r#"["a.txt","b.txt"]"#),
    pk(r#"fileset("files", "[ab].txt")"#, r#"["a.txt","b.txt"]"#),
    pk(r#"fileset("files", "sub/*")"#, r#"["sub/c.txt"]"#),
    pk(r#"fileset("files", "?.txt")"#, r#"["a.txt","b.txt"]"#),
    pk(r#"fileset("nowhere", "*")"#, r#"[]"#),
    pk(r#"flatten([["a", "b"], [], ["c"]])"#, r#"["a","b","c"]"#),
    pk(r#"flatten([[1, [2, {a = [3]}]], []])"#, r#"[1,2,{"a":[3]}]"#),
    pk(r#"floor(1.7)"#, r#"1"#),
    pk(r#"floor(-1.2)"#, r#"-2"#),
    pk(r#"format("Hello, %s!", "Ander")"#, r#""Hello, Ander!""#),
    pk(r#"format("There are %d lights", 4)"#, r#""There are 4 lights""#),
    pk(
        r#"format("%5.1f|%-8.3e|%08.2f|%+.2f|%g|%G|%.3g", 3.14159, 1234.5, -3.14159, 2, 100000000, 1e-7, 1234.5)"#,
        r#""  3.1|1.234e+03|-0003.14|+2.00|1e+08|1E-07|1.23e+03""#,
    ),
    pk(
        r#"format("%v|%v|%v|%v|%v", 1234567, 123456, 0.0001, 0.00001, 1e21)"#,
        r#""1.234567e+06|123456|0.0001|1e-05|1e+21""#,
    ),
    pk(r#"format("%#v|%v|%v|%d", "a", true, null, "12")"#, r#""\"a\"|true|null|12""#),
    pk(r#"format("%[2]s %[1]s %s", "a", "b")"#, r#""b a b""#),
    pk(
        r#"format("%-5d|%5d|%x|%05s|%.0f|%.1f|%.2f", -3, -3, -255, "ab", 2.5, 0.25, 1.005)"#,
        r#""-3   |   -3|-ff|000ab|2|0.2|1.00""#,
    ),
    pk(
        r#"format("%5s|%-5s|%05d|%.3s|%x|%X|%o|%b|%e|%g|%+d|% d", "ab", "cd", 42, "abcdef", 255, 255, 8, 5, 1234.5678, 0.000012, 3, 4)"#,
        r#""   ab|cd   |00042|abc|ff|FF|10|101|1.234568e+03|1.2e-05|+3| 4""#,
    ),
    pk(r#"format("%q|%t|%%|%v", "a\"b<", "true", [1, "x"])"#, r#""\"a\\\"b\\u003c\"|true|%|[1,\"x\"]""#),
    pk(r#"format("%#v|%v", {a = 1}, {b = [true]})"#, r#""{\"a\":1}|{\"b\":[true]}""#),
    pk(r#"format("%s", 1.5)"#, r#""1.5""#),
    pk(r#"format("%.2s|%3.1s|%-4q|", "héllo", "xyz", "a")"#, r#""hé|  x|\"a\" |""#),
    pk(r#"format("%#x|%#o|%08.3f|%+05d|%x", 255, 8, -3.14159, 42, "10")"#, r#""0xff|010|-003.142|+0042|a""#),
    pk(r#"format("%d", 1e15)"#, r#""1000000000000000""#),
    pk(r#"format("%.3f|%10.4f|%-10.2f|", 2.0005, 3.14159, 2.5)"#, r#""2.001|    3.1416|2.50      |""#),
    pk(r#"format("%e|%E|%.0e", 0, 123456, 15)"#, r#""0.000000e+00|1.234560E+05|2e+01""#),
    pk(r#"format("%g|%g|%g|%g", 1.5, 100, 1e6, 0.0001)"#, r#""1.5|100|1e+06|0.0001""#),
    pk(r#"format("no verbs")"#, r#""no verbs""#),
    pk(r#"formatlist("%s=%d", ["a", "b"], [1, 2])"#, r#"["a=1","b=2"]"#),
    pk(r#"formatlist("%s-%s", "x", ["a", "b"])"#, r#"["x-a","x-b"]"#),
    pk(r#"formatlist("Hello, %s!", ["Valentina", "Ander"])"#, r#"["Hello, Valentina!","Hello, Ander!"]"#),
    pk(r#"formatlist("%s", [])"#, r#"[]"#),
    pk(r#"formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")"#, r#""02 Jan 2018 23:12 UTC""#),
    pk(r#"formatdate("EEEE, MMMM D, YYYY", "2018-01-02T23:12:01Z")"#, r#""Tuesday, January 2, 2018""#),
    pk(
        r#"formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")"#,
        r#""Tue, 02 Jan 2018 23:12:01 -0800""#,
    ),
    pk(
        r#"formatdate("YY M D h H AA aa m s Z ZZZZ ZZZZZ EEEE MMMM", "2018-01-02T03:04:05+05:30")"#,
        r#""18 1 2 3 3 AM am 4 5 +05:30 +0530 +05:30 Tuesday January""#,
    ),
    pk(r#"formatdate("'Today is' EEEE", "2018-01-02T23:12:01Z")"#, r#""Today is Tuesday""#),
    pk(r#"formatdate("''", "2018-01-02T00:12:01Z")"#, r#""'""#),
    pk(r#"formatdate("YYYY-MM-DD'T'hh:mm:ssZ", "2018-01-02T00:12:01.123Z")"#, r#""2018-01-02T00:12:01Z""#),
    pk(r#"formatdate("DD/MM/YY", "1999-12-31T23:59:59+23:59")"#, r#""31/12/99""#),
    pk(r#"indent(2, "a\nb\n c")"#, r#""a\n  b\n   c""#),
    pk(r#"indent(4, "[\n  \"a\"\n]")"#, r#""[\n      \"a\"\n    ]""#),
    pk(r#"join(", ", ["foo", "bar", "baz"])"#, r#""foo, bar, baz""#),
    pk(r#"join("-", ["a"], ["b", "c"])"#, r#""a-b-c""#),
    pk(r#"join(",", [1, true])"#, r#""1,true""#),
    pk(r#"join(",", [])"#, r#""""#),
    pk(r#"jsondecode("{\"a\":[1,2.5,null,true,\"x\"],\"b\":{}}")"#, r#"{"a":[1,2.5,null,true,"x"],"b":{}}"#),
    pk(r#"jsondecode("\"hello\"")"#, r#""hello""#),
    pk(r#"jsondecode("12")"#, r#"12"#),
    pk(
        r#"jsonencode({b = 1, a = ["<x>", 1.5, null, true]})"#,
        r#""{\"a\":[\"\\u003cx\\u003e\",1.5,null,true],\"b\":1}""#,
    ),
    pk(r#"jsonencode("a\tb\n\u00e9&")"#, r#""\"a\\tb\\né\\u0026\"""#),
    pk(r#"jsonencode([])"#, r#""[]""#),
    pk(r#"jsonencode(0.1)"#, r#""0.1""#),
    pk(r#"jsonencode(-12345678901)"#, r#""-12345678901""#),
    pk(r#"keys({b = 1, a = 2, c = 3})"#, r#"["a","b","c"]"#),
    pk(r#"keys({})"#, r#"[]"#),
    pk(r#"length("héllo")"#, r#"5"#),
    pk(r#"length([1, 2])"#, r#"2"#),
    pk(r#"length({a = 1})"#, r#"1"#),
    pk(r#"log(16, 2)"#, r#"4"#),
    pk(r#"log(1, 10)"#, r#"0"#),
    pk(r#"lookup({a = "ay", b = "bee"}, "a", "what?")"#, r#""ay""#),
    pk(r#"lookup({a = "ay", b = "bee"}, "c", "what?")"#, r#""what?""#),
    pk(r#"lower("HELLO Ünï")"#, r#""hello ünï""#),
    pk(r#"max(12, 54, 3)"#, r#"54"#),
    pk(r#"max("5", 3)"#, r#"5"#),
    pk(r#"md5("hello world")"#, r#""5eb63bbbe01eeed093cb22bb8f5acdc3""#),
    pk(r#"md5("")"#, r#""d41d8cd98f00b204e9800998ecf8427e""#),
    pk(r#"merge({a = "b", c = "d"}, {e = "f", c = "z"})"#, r#"{"a":"b","c":"z","e":"f"}"#),
    pk(r#"merge({a = 1}, null, {b = [2]})"#, r#"{"a":1,"b":[2]}"#),
    pk(r#"min(12, 54, 3)"#, r#"3"#),
    pk(r#"min(-1.5, 2)"#, r#"-1.5"#),
    pk(r#"parseint("100", 10)"#, r#"100"#),
    pk(r#"parseint("FF", 16)"#, r#"255"#),
    pk(r#"parseint("-10", 16)"#, r#"-16"#),
    pk(r#"parseint("1011111011101111", 2)"#, r#"48879"#),
    pk(r#"parseint("aA", 62)"#, r#"656"#),
    pk(r#"parseint("zz", 36)"#, r#"1295"#),
    pk(r#"pathexpand("/etc/hosts")"#, r#""/etc/hosts""#),
    pk(r#"pathexpand("a/~")"#, r#""a/~""#),
    pk(r#"pow(3, 2)"#, r#"9"#),
    pk(r#"pow(4, 0)"#, r#"1"#),
    pk(r#"pow(2, 0.5)"#, r#"1.4142135623730951"#),
    pk(r#"range(3)"#, r#"[0,1,2]"#),
    pk(r#"range(1, 4)"#, r#"[1,2,3]"#),
    pk(r#"range(1, 8, 2)"#, r#"[1,3,5,7]"#),
    pk(r#"range(3, 1)"#, r#"[3,2]"#),
    pk(r#"range(0, 1, 0.25)"#, r#"[0,0.25,0.5,0.75]"#),
    pk(r#"range(0)"#, r#"[]"#),
    pk(r#"range(10, 5, -2)"#, r#"[10,8,6]"#),
    pk(r#"regex_replace("hello world", "o", "0")"#, r#""hell0 w0rld""#),
    pk(r#"regex_replace("hello world", "(\\w+) (\\w+)", "$2 $1")"#, r#""world hello""#),
    pk(r#"replace("1 + 2 + 3", "+", "-")"#, r#""1 - 2 - 3""#),
    pk(r#"replace("hello world", "/w.*d/", "everybody")"#, r#""hello world""#),
    pk(r#"replace("aaa", "a", "bb")"#, r#""bbbbbb""#),
    pk(r#"replace("abc", "", "-")"#, r#""-a-b-c-""#),
    pk(r#"reverse([1, 2, 3])"#, r#"[3,2,1]"#),
    pk(r#"reverse([])"#, r#"[]"#),
    pk(r#"setintersection(["a", "b"], ["b", "c"], ["b", "d"])"#, r#"["b"]"#),
    pk(r#"setintersection([3, 1, 2], [2, 3])"#, r#"[2,3]"#),
    pk(
        r#"setproduct(["development", "staging"], ["app1", "app2"])"#,
        r#"[["development","app1"],["development","app2"],["staging","app1"],["staging","app2"]]"#,
    ),
    pk(r#"setproduct(["a", "b"], [1, 2])"#, r#"[["a",1],["a",2],["b",1],["b",2]]"#),
    pk(r#"setproduct([], ["a"])"#, r#"[]"#),
    pk(r#"setunion(["a", "b"], ["b", "c"], ["d"])"#, r#"["a","b","c","d"]"#),
    pk(r#"setunion(["b", "a"], ["c", 1])"#, r#"["1","a","b","c"]"#),
    pk(r#"setunion([3, 1], [2, 10])"#, r#"[1,2,3,10]"#),
    pk(r#"sha1("hello world")"#, r#""2aae6c35c94fcfb415dbe95f408b9ce91ee846ed""#),
    pk(r#"sha256("hello world")"#, r#""b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9""#),
    pk(
        r#"sha512("hello world")"#,
        r#""309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f""#,
    ),
    pk(r#"signum(-13)"#, r#"-1"#),
    pk(r#"signum(0)"#, r#"0"#),
    pk(r#"signum(344)"#, r#"1"#),
    pk(r#"slice(["a", "b", "c", "d"], 1, 3)"#, r#"["b","c"]"#),
    pk(r#"slice(["a", "b"], 0, 0)"#, r#"[]"#),
    pk(r#"slice([1, 2], 2, 2)"#, r#"[]"#),
    pk(r#"sort(["e", "d", "a", "x"])"#, r#"["a","d","e","x"]"#),
    pk(r#"sort([10, 9, "a"])"#, r#"["10","9","a"]"#),
    pk(r#"sort([])"#, r#"[]"#),
    pk(r#"split(",", "foo,bar,baz")"#, r#"["foo","bar","baz"]"#),
    pk(r#"split(",", "foo")"#, r#"["foo"]"#),
    pk(r#"split(",", "")"#, r#"[""]"#),
    pk(r#"split("", "abc")"#, r#"["a","b","c"]"#),
    pk(r#"split(",", "a,,b")"#, r#"["a","","b"]"#),
    pk(r#"strrev("hello")"#, r#""olleh""#),
    pk(r#"strrev("héllo")"#, r#""olléh""#),
    pk(r#"substr("hello world", 1, 4)"#, r#""ello""#),
    pk(r#"substr("hello world", -5, 3)"#, r#""wor""#),
    pk(r#"substr("hello world", 6, -1)"#, r#""world""#),
    pk(r#"substr("héllo", 1, 3)"#, r#""éll""#),
    pk(r#"substr("hello", 0, 0)"#, r#""""#),
    pk(r#"substr("hello", 10, 2)"#, r#""""#),
    pk(r#"substr("hello", 3, 10)"#, r#""lo""#),
    pk(r#"substr("hello", -10, 2)"#, r#""he""#),
    pk(r#"timeadd("2017-11-22T00:00:00Z", "10m")"#, r#""2017-11-22T00:10:00Z""#),
    pk(r#"timeadd("2017-11-22T00:00:00Z", "-1h30m")"#, r#""2017-11-21T22:30:00Z""#),
    pk(r#"timeadd("2017-11-22T23:59:59+01:00", "1.5s")"#, r#""2017-11-23T00:00:00+01:00""#),
    pk(r#"timeadd("2017-11-22T00:00:00.5Z", "500ms")"#, r#""2017-11-22T00:00:01Z""#),
    pk(r#"timeadd("2020-02-28T12:00:00Z", "24h")"#, r#""2020-02-29T12:00:00Z""#),
    pk(r#"timeadd("2017-11-22T00:00:00Z", "1h2m3s4ms5us6ns")"#, r#""2017-11-22T01:02:03Z""#),
    pk(r#"timeadd("1969-12-31T23:59:59Z", "2s")"#, r#""1970-01-01T00:00:01Z""#),
    pk(r#"title("hello world")"#, r#""Hello World""#),
    pk(r#"title("hello wORLD-foo bar_baz")"#, r#""Hello WORLD-Foo Bar_baz""#),
    pk(r#"title("élan vital")"#, r#""Élan Vital""#),
    pk(r#"trim("?!hello?!", "!?")"#, r#""hello""#),
    pk(r#"trim("  a  ", " ")"#, r#""a""#),
    pk(r#"trimprefix("helloworld", "hello")"#, r#""world""#),
    pk(r#"trimprefix("helloworld", "world")"#, r#""helloworld""#),
    pk(r#"trimspace("  \n hello\t\n ")"#, r#""hello""#),
    pk(r#"trimsuffix("helloworld", "world")"#, r#""hello""#),
    pk(r#"upper("hello Ünï")"#, r#""HELLO ÜNÏ""#),
    pk(r#"urlencode("Hello World")"#, r#""Hello+World""#),
    pk(r#"urlencode("a b&c/d~_.-é=?")"#, r#""a+b%26c%2Fd~_.-%C3%A9%3D%3F""#),
    pk(r#"uuidv5("dns", "www.terraform.io")"#, r#""a5008fae-b28c-5ba5-96cd-82b4c53552d6""#),
    pk(r#"uuidv5("url", "https://www.terraform.io/")"#, r#""9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5""#),
    pk(r#"uuidv5("oid", "1.2.3")"#, r#""42d5e23b-3a02-5135-85c6-52d1102f1f00""#),
    pk(r#"uuidv5("x500", "CN=Test")"#, r#""5e2003ce-30b7-5e3b-8c3a-a164acc5b21e""#),
    pk(
        r#"uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")"#,
        r#""a5008fae-b28c-5ba5-96cd-82b4c53552d6""#,
    ),
    pk(r#"values({a = 3, c = 2, d = 1})"#, r#"[3,2,1]"#),
    pk(r#"values({})"#, r#"[]"#),
    pk(r#"yamldecode("hello: world")"#, r#"{"hello":"world"}"#),
    pk(
        r#"yamldecode("a: yes\nb: 1.5\nc: ~\nd: 0x10\ne: \"x\"\nf: [1, two]\ng: 2001-12-14\nh: 012")"#,
        r#"{"a":true,"b":1.5,"c":null,"d":"0x10","e":"x","f":[1,"two"],"g":"2001-12-14T00:00:00Z","h":12}"#,
    ),
    pk(
        r#"yamldecode("a: &x 1\nb: *x\nc: |\n  foo\n  bar\nd: 1e3\nf: 0o17\ng: 1_000\nh: +12\ni: Off\nj: 0b11\nk: -0x1A\nl: 1.5e+3\nm: 0.5")"#,
        r#"{"a":1,"b":1,"c":"foo\nbar\n","d":1000,"f":"0o17","g":1000,"h":12,"i":false,"j":3,"k":"-0x1A","l":1500,"m":0.5}"#,
    ),
    pk(
        r#"yamldecode("- 1\n- !!str 2\n- ~\n- 2001-12-14t21:59:43.10-05:00\n- \"\"\n- null\n- Null\n- y\n- TRUE\n- n\n- 2001-12-14 21:59:43.10 -5")"#,
        r#"[1,"2",null,"2001-12-14T21:59:43-05:00","",null,null,true,true,false,"2001-12-14 21:59:43.10 -5"]"#,
    ),
    pk(r#"yamldecode("{}")"#, r#"{}"#),
    pk(r#"yamldecode("- a\n- b: c\n  d: [e]")"#, r#"["a",{"b":"c","d":["e"]}]"#),
    pk(r#"yamldecode("true")"#, r#"true"#),
    pk(
        r#"yamlencode({a = "b", c = [1, 2], d = {e = null}})"#,
        r#""\"a\": \"b\"\n\"c\":\n- 1\n- 2\n\"d\":\n  \"e\": null\n""#,
    ),
    pk(
        r#"yamlencode({a = "x\ny", b = [[1, 2], {c = "d", e = []}], f = {}, g = true, h = 1.5, i = "", j = "a\n"})"#,
        r#""\"a\": |-\n  x\n  y\n\"b\":\n- - 1\n  - 2\n- \"c\": \"d\"\n  \"e\": []\n\"f\": {}\n\"g\": true\n\"h\": 1.5\n\"i\": \"\"\n\"j\": |\n  a\n""#,
    ),
    pk(r#"yamlencode("a")"#, r#""\"a\"\n""#),
    pk(r#"yamlencode([])"#, r#""[]\n""#),
    pk(
        r#"yamlencode([{a = 1, b = {c = [true]}}, "x"])"#,
        r#""- \"a\": 1\n  \"b\":\n    \"c\":\n    - true\n- \"x\"\n""#,
    ),
    pk(r#"yamlencode({"key with: colon" = "it's \"quoted\""})"#, r#""\"key with: colon\": \"it's \\\"quoted\\\"\"\n""#),
    pk(r#"zipmap(["a", "b"], [1, 2])"#, r#"{"a":1,"b":2}"#),
    pk(r#"zipmap([], [])"#, r#"{}"#),
    pk(r#"zipmap(["a", "b"], [[1], {c = 2}])"#, r#"{"a":[1],"b":{"c":2}}"#),
    pk(r#"rsadecrypt(file("files/ct.txt"), file("files/key1.pem"))"#, r#""hi there""#),
    pk(
        r#"yamlencode({a = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii"})"#,
        r#""\"a\": \"aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg\n  hhhhhhhhhh iiiiiiiiii\"\n""#,
    ),
    pk(
        r#"yamlencode(["tab\there", "é", "null", "true", "1", ""])"#,
        r#""- \"tab\\there\"\n- \"é\"\n- \"null\"\n- \"true\"\n- \"1\"\n- \"\"\n""#,
    ),
    pk(r#"yamlencode({a = " lead", b = "x\n\ny\n\n"})"#, r#""\"a\": \" lead\"\n\"b\": |+\n  x\n\n  y\n\n""#),
    pk(
        r#"jsonencode(1e300)"#,
        r#""1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000""#,
    ),
    pk(r#"yamldecode("a: !!int \"3\"\nb: !!float 1\nc: 'quoted: yes'")"#, r#"{"a":"3","b":1,"c":"quoted: yes"}"#),
    pk(r#"csvdecode("a,b\n\"x\ny\",\" z \"")"#, r#"[{"a":"x\ny","b":" z "}]"#),
    pk(r#"sort(["b", "B", "a", "_"])"#, r#"["B","_","a","b"]"#),
    pk(r#"title("o'neil mcdonald 3rd")"#, r#""O'Neil Mcdonald 3rd""#),
    pk(r#"urlencode("~!*()'")"#, r#""~%21%2A%28%29%27""#),
    pk(r#"trimspace("\u00a0x\u00a0")"#, r#""x""#),
    pk(
        r#"yamlencode("aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii")"#,
        r#""\"aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh\n  iiiiiiiiii\"\n""#,
    ),
    pk(
        r#"yamlencode([{k = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii jjjjjjjjjj kkkkkkkkkk llllllllll mmmmmmmmmm nnnnnnnnnn oooooooooo pppppppppp"}])"#,
        r#""- \"k\": \"aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg\n    hhhhhhhhhh iiiiiiiiii jjjjjjjjjj kkkkkkkkkk llllllllll mmmmmmmmmm nnnnnnnnnn oooooooooo\n    pppppppppp\"\n""#,
    ),
    pk(
        r#"yamlencode(["a\u0085b", "nb\u00a0sp", "<&>", "\u0001"])"#,
        r#""- \"a\\Nb\"\n- \"nb sp\"\n- \"\u003c\u0026\u003e\"\n- \"\\x01\"\n""#,
    ),
    pk(r#"upper(true)"#, r#""TRUE""#),
    pk(r#"substr(12345, 1, 2)"#, r#""23""#),
    pk(r#"abs("-1.5")"#, r#"1.5"#),
    pk(r#"ceil("2.1")"#, r#"3"#),
    pk(r#"max("10", "9")"#, r#"10"#),
    pk(r#"format("%s|%d", 12, "3")"#, r#""12|3""#),
    pk(r#"formatlist("%d", ["1", "2"])"#, r#"["1","2"]"#),
    pk(r#"join("", ["a"], [1])"#, r#""a1""#),
    pk(r#"split(".", 1.5)"#, r#"["1","5"]"#),
    pk(r#"contains(["a", 1], 1)"#, r#"true"#),
    pk(r#"distinct([1, 2, 1])"#, r#"[1,2]"#),
    pk(r#"setunion([1, 2], [2, 3])"#, r#"[1,2,3]"#),
    pk(r#"setintersection(["a", "b"], ["b"])"#, r#"["b"]"#),
    pk(r#"setproduct(["a"], ["b"], ["c", "d"])"#, r#"[["a","b","c"],["a","b","d"]]"#),
    pk(r#"range("3")"#, r#"[0,1,2]"#),
    pk(r#"chunklist(["a", "b", "c"], "2")"#, r#"[["a","b"],["c"]]"#),
    pk(r#"element(["a", "b"], "1")"#, r#""b""#),
    pk(r#"slice(["a", "b", "c"], "1", "2")"#, r#"["b"]"#),
    pk(r#"cidrhost("10.0.0.0/8", "5")"#, r#""10.0.0.5""#),
    pk(r#"lookup({a = "x"}, "b", 1)"#, r#"1"#),
    pk(r#"zipmap(["a", "b"], ["x", 1])"#, r#"{"a":"x","b":1}"#),
    pk(r#"compact([])"#, r#"[]"#),
    pk(r#"flatten([])"#, r#"[]"#),
    pk(r#"keys({b = {c = 1}, a = [1]})"#, r#"["a","b"]"#),
    pk(r#"md5(1)"#, r#""c4ca4238a0b923820dcc509a6f75849b""#),
    pk(r#"base64encode(12)"#, r#""MTI=""#),
    pk(r#"trim("xxaxx", "x")"#, r#""a""#),
    pk(r#"indent(0, "a\nb")"#, r#""a\nb""#),
    pk(r#"reverse(["a", 1])"#, r#"[1,"a"]"#),
    pk(r#"sort(["b", "a"])"#, r#"["a","b"]"#),
    pk(r#"values({b = 2, a = 1})"#, r#"[1,2]"#),
    pk(r#"signum("-2")"#, r#"-1"#),
    pk(r#"log("100", "10")"#, r#"2"#),
    pk(r#"pow("2", "10")"#, r#"1024"#),
    pk(r#"floor(-0)"#, r#"0"#),
    pk(r#"uuidv5("dns", 1)"#, r#""b04965e6-a9bb-591f-8f8a-1adcb2c8dc39""#),
    pk(r#"sha256("")"#, r#""e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""#),
    pk(r#"jsonencode({a = {}, b = [], c = ""})"#, r#""{\"a\":{},\"b\":[],\"c\":\"\"}""#),
    pk(r#"jsondecode("[]")"#, r#"[]"#),
    pk(r#"yamldecode("a:\n  - b: 1\n    c: 2")"#, r#"{"a":[{"b":1,"c":2}]}"#),
    pk(r#"base64decode("4pyTIMOgIGxhIG1vZGU=")"#, r#""✓ à la mode""#),
    pk(r#"cidrsubnet("10.0.0.0/8", 8, 255)"#, r#""10.255.0.0/16""#),
    pk(r#"cidrhost("2001:db8::/32", 65535)"#, r#""2001:db8::ffff""#),
    pk(r#"cidrnetmask("10.0.0.0/0")"#, r#""0.0.0.0""#),
    pk(r#"timeadd("2017-11-22T00:00:00Z", "+0.5h")"#, r#""2017-11-22T00:30:00Z""#),
    pk(r#"formatdate("MMMM", "2017-09-22T00:00:00Z")"#, r#""September""#),
    pk(r#"formatdate("YYYY", "0099-01-01T00:00:00Z")"#, r#""0099""#),
    pk(r#"title("")"#, r#""""#),
    pk(r#"strrev("")"#, r#""""#),
    pk(r#"chomp("")"#, r#""""#),
    pk(r#"fileexists("/etc/hostname-nope")"#, r#"false"#),
    pk(r#"replace("a.b.c", ".", "")"#, r#""abc""#),
    pk(r#"regex_replace("a1b22", "[0-9]+", "<$0>")"#, r#""a\u003c1\u003eb\u003c22\u003e""#),
    pk(r#"urlencode("")"#, r#""""#),
    // ---- rows from the cty / Packer 1.16 source ----
    // 1.6.6 printed "12 " (a since-fixed cty bug with doubled quotes inside a literal)
    ok(r#"formatdate("HH 'o''clock'", "2018-01-02T00:12:01Z")"#, r#""12 o'clock""#),
    // 1.6.6 panics on a negative index; cty since 1.8 wraps it
    ok(r#"element(["a", "b", "c"], -1)"#, r#""c""#),
    // 1.6.6 used cty's generic `index`; Packer's own (1.7+) searches for a value
    ok(r#"index(["a", "b", "c"], "b")"#, r#"1"#),
    ok(r#"index([1, 2, 3], 3)"#, r#"2"#),
    err(r#"index([], 3)"#, None, "cannot search an empty list"),
    err(r#"index(["a"], "z")"#, None, "item not found"),
    err(r#"index("a", "a")"#, Some(0), "argument must be a list or tuple"),
    // 1.6.6 required the default; later cty makes it optional
    ok(r#"lookup({a = 1}, "a")"#, r#"1"#),
    err(r#"lookup({a = 1}, "b")"#, None, "lookup failed to find key \"b\""),
    ok(r#"merge()"#, r#"{}"#),
    // 1.6.6 rejected null arguments; cty now skips them
    ok(r#"coalescelist([], null, [1])"#, r#"[1]"#),
    ok(r#"regex_replace("abc", "(?P<x>b)", "[$${x}]")"#, r#""a[b]c""#),
    // go-cty-funcs reads PKCS #8 keys since 1.7 (ssh.ParseRawPrivateKey)
    ok(r#"rsadecrypt(file("files/ct.txt"), file("files/key8.pem"))"#, r#""hi there""#),
    err(r#"rsadecrypt("not base64!", file("files/key1.pem"))"#, Some(0), "cipher text must be base64-encoded"),
    err(r#"rsadecrypt(file("files/ct.txt"), "nope")"#, Some(1), "invalid private key"),
    // functions added after 1.6.6
    ok(r#"regex("[a-z]+", "53453453.345345aaabbbccc23454")"#, r#""aaabbbccc""#),
    ok(r#"regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01")"#, r#"["2019","02","01"]"#),
    ok(
        r#"regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")"#,
        r#"{"authority":"terraform.io","scheme":"https"}"#,
    ),
    ok(r#"regex("(a)|(b)", "b")"#, r#"[null,"b"]"#),
    err(r#"regex("[a-z]+", "123")"#, None, "pattern did not match any part of the given string"),
    err(r#"regex("(?P<a>x)(y)", "xy")"#, Some(0), "cannot mix both named and unnamed capture groups"),
    err(r#"regex("(", "x")"#, Some(0), "error parsing pattern"),
    ok(r#"regexall("[a-z]+", "1234abcd5678efgh9")"#, r#"["abcd","efgh"]"#),
    ok(r#"regexall("(\\d)(\\w)", "1a 2b")"#, r#"[["1","a"],["2","b"]]"#),
    ok(r#"regexall("[a-z]+", "1234")"#, r#"[]"#),
    ok(r#"length(regexall("x", "axbxc"))"#, r#"2"#),
    ok(r#"alltrue(["true", true])"#, r#"true"#),
    ok(r#"alltrue([true, false])"#, r#"false"#),
    ok(r#"alltrue([])"#, r#"true"#),
    ok(r#"alltrue([true, null])"#, r#"false"#),
    err(r#"alltrue([1])"#, Some(0), "a list of bool is required"),
    ok(r#"anytrue(["true", false])"#, r#"true"#),
    ok(r#"anytrue([false])"#, r#"false"#),
    ok(r#"anytrue([])"#, r#"false"#),
    ok(r#"base64gzip("")"#, r#""H4sIAAAAAAAA/wMAAAAAAAAAAAA=""#),
    re(r#"base64gzip("hello world")"#, r#"^"H4sIAAAAAAAA/[A-Za-z0-9+/=]+"$"#),
    ok(r#"strcontains("hello world", "wor")"#, r#"true"#),
    ok(r#"strcontains("hello world", "Wor")"#, r#"false"#),
    ok(r#"startswith("hello world", "hello")"#, r#"true"#),
    ok(r#"startswith("hello world", "world")"#, r#"false"#),
    ok(r#"endswith("hello world", "world")"#, r#"true"#),
    ok(r#"endswith("hello world", "")"#, r#"true"#),
    ok(r#"sum([1, 2, 3.5])"#, r#"6.5"#),
    ok(r#"sum(["1", 2])"#, r#"3"#),
    err(r#"sum([])"#, Some(0), "cannot sum an empty list"),
    err(r#"sum(["a"])"#, Some(0), "argument must be list, set, or tuple of number values"),
    err(r#"sum(1)"#, Some(0), "a list is required"),
    ok(r#"filebase64("files/b.txt")"#, r#""d29ybGQ=""#),
    ok(r#"filebase64("files/bin.dat")"#, r#""/wAB""#),
    err(r#"filebase64("files/nope")"#, Some(0), "no file exists at files/nope"),
    ok(r#"textencodebase64("Hello World", "UTF-16LE")"#, r#""SABlAGwAbABvACAAVwBvAHIAbABkAA==""#),
    ok(r#"textencodebase64("hé", "UTF-16BE")"#, r#""AGgA6Q==""#),
    ok(r#"textencodebase64("hé", "utf-8")"#, r#""aMOp""#),
    ok(r#"textencodebase64("hé", "ISO-8859-1")"#, r#""aOk=""#),
    err(r#"textencodebase64("hé", "US-ASCII")"#, Some(0), "cannot be represented in US-ASCII"),
    err(r#"textencodebase64("a", "EBCDIC-XYZ")"#, Some(1), "is not a supported IANA encoding name or alias"),
    ok(r#"textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")"#, r#""Hello World""#),
    ok(r#"textdecodebase64("aOk=", "latin1")"#, r#""hé""#),
    ok(r#"textdecodebase64(textencodebase64("日本", "UTF-16"), "UTF-16")"#, r#""日本""#),
    err(r#"textdecodebase64("!!", "UTF-8")"#, Some(0), "invalid base64"),
    ok(
        r#"rfc3339_parse("2023-07-25T23:43:16Z")"#,
        r#"{"day":25,"hour":23,"iso_week":30,"iso_year":2023,"minute":43,"month":7,"month_name":"July","second":16,"unix":1690328596,"weekday":2,"weekday_name":"Tuesday","year":2023,"year_day":206}"#,
    ),
    ok(
        r#"rfc3339_parse("2021-01-01 10:00:00.5+02:00")"#,
        r#"{"day":1,"hour":10,"iso_week":53,"iso_year":2020,"minute":0,"month":1,"month_name":"January","second":0,"unix":1609488000,"weekday":5,"weekday_name":"Friday","year":2021,"year_day":1}"#,
    ),
    err(r#"rfc3339_parse("2023-07-25")"#, Some(0), "is not a valid RFC3339 timestamp"),
    ok(
        r#"unix_timestamp_parse(1690328596)"#,
        r#"{"day":25,"hour":23,"iso_week":30,"iso_year":2023,"minute":43,"month":7,"month_name":"July","rfc3339":"2023-07-25T23:43:16Z","second":16,"weekday":2,"weekday_name":"Tuesday","year":2023,"year_day":206}"#,
    ),
    ok(
        r#"unix_timestamp_parse(-1)"#,
        r#"{"day":31,"hour":23,"iso_week":1,"iso_year":1970,"minute":59,"month":12,"month_name":"December","rfc3339":"1969-12-31T23:59:59Z","second":59,"weekday":3,"weekday_name":"Wednesday","year":1969,"year_day":365}"#,
    ),
    err(r#"unix_timestamp_parse(1.5)"#, Some(0), "unix_timestamp must be a whole number"),
    ok(r#"legacy_isotime()"#, r#""2023-11-14T22:13:20Z""#),
    ok(r#"legacy_isotime("2006-01-02")"#, r#""2023-11-14""#),
    ok(
        r#"legacy_isotime("Mon Jan _2 15:04:05.000 MST 2006 -0700 Z07:00 3PM .999999")"#,
        r#""Tue Nov 14 22:13:20.123 UTC 2023 +0000 Z 10PM .123456""#,
    ),
    ok(r#"legacy_isotime("January 2, 06 03:04:05pm 002")"#, r#""November 14, 23 10:13:20pm 318""#),
    ok(r#"legacy_strftime()"#, r#""2023-11-14T22:13:20Z""#),
    ok(r#"legacy_strftime("%Y-%m-%d %H:%M:%S %a %b %j %%")"#, r#""2023-11-14 22:13:20 Tue Nov %j %""#),
    // jehiah/go-strftime knows only a b A B d H I L m M p S y Y z Z; the rest stays verbatim
    ok(
        r#"legacy_strftime("%A %B %e %I %p %y %u %w %f %L %Z %z %D %T %F %R %Q")"#,
        r#""Tuesday November %e 10 PM 23 %u %w %f .123 UTC +0000 %D %T %F %R %Q""#,
    ),
    re(r#"timestamp()"#, r#"^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$"#),
    re(r#"uuidv4()"#, r#"^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$"#),
    re(r#"bcrypt("x")"#, r#"^"\$2a\$10\$[./A-Za-z0-9]{53}"$"#),
    re(r#"bcrypt("x", 4)"#, r#"^"\$2a\$04\$[./A-Za-z0-9]{53}"$"#),
    err(r#"bcrypt("x", 3)"#, Some(1), "cost 3 is outside allowed range (4,31)"),
    re(r#"pathexpand("~/x")"#, r#"^"/.*/x"$"#),
    err(r#"pathexpand("~bob/x")"#, Some(0), "cannot expand user-specific home dir"),
    ok(r#"abspath("a/../b")"#, r#""/work/cwd/b""#),
    ok(r#"fileset(".", "files/*.dat")"#, r#"["files/bin.dat"]"#),
    // secrets: forge never contacts these services
    err(r#"vault("secret/data/x", "key")"#, None, "`vault` needs a Vault server, which forge does not contact"),
    err(r#"consul_key("a/b")"#, None, "`consul_key` needs a Consul server"),
    err(r#"aws_secretsmanager("name", "key")"#, None, "`aws_secretsmanager` needs AWS Secrets Manager"),
    err(r#"aws_secretsmanager_raw("name")"#, None, "`aws_secretsmanager_raw` needs AWS Secrets Manager"),
    ok(r#"cidrhost("::/0", -1)"#, r#""ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff""#),
    ok(r#"cidrhost("8000::/1", -1)"#, r#""ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff""#),
    ok(r#"cidrsubnet("::/0", 128, 5)"#, r#""::5/128""#),
    err(r#"indent(-1, "a")"#, Some(0), "must not be negative"),
    err(r#"format("%99999999999s", "a")"#, None, "exceeds"),
    // Packer keeps numbers at arbitrary precision (1e400 decodes); forge's numbers are f64
    err(r#"jsondecode("1e400")"#, Some(0), "number out of range"),
    // errors: wrong types and values, with the argument at fault
    err(r#"abs("x")"#, Some(0), "a number is required, not string"),
    err(r#"abs([1])"#, Some(0), "a number is required, not list"),
    err(r#"pow(2, "y")"#, Some(1), "a number is required"),
    err(r#"max(1, "x")"#, Some(1), "a number is required"),
    err(r#"parseint(12, 10)"#, Some(0), "first argument must be a string, not number"),
    err(r#"parseint("12", 1)"#, Some(1), "base must be a whole number between 2 and 62"),
    err(r#"parseint("1g", 16)"#, Some(0), "cannot parse \"1g\" as a base 16 integer"),
    err(r#"upper([1])"#, Some(0), "a string is required, not list"),
    err(r#"substr("abc", "x", 1)"#, Some(1), "a number is required"),
    err(r#"substr("abc", 1.5, 1)"#, Some(1), "a whole number is required"),
    err(r#"join(",", ["a", null])"#, Some(1), "element 1 is null"),
    err(r#"join(",", "a")"#, Some(1), "a list is required"),
    err(r#"chunklist([1], -1)"#, Some(1), "the size argument must be positive"),
    err(r#"element([], 0)"#, None, "cannot use element function with an empty list"),
    err(r#"concat([1], "a")"#, Some(1), "all arguments must be lists or tuples"),
    err(r#"coalesce("", null)"#, None, "no non-null, non-empty-string arguments"),
    err(r#"coalescelist([], [])"#, None, "no non-null arguments"),
    err(r#"coalescelist("a")"#, Some(0), "coalescelist arguments must be lists or tuples"),
    err(r#"compact([[1]])"#, Some(0), "a string is required"),
    err(r#"contains("ab", "a")"#, Some(0), "argument must be list, tuple, or set"),
    err(r#"flatten("a")"#, Some(0), "can only flatten lists, sets and tuples"),
    err(r#"keys([1])"#, Some(0), "must have map or object type"),
    err(r#"values("a")"#, Some(0), "values() requires a map"),
    err(r#"lookup([1], "a", 1)"#, Some(0), "lookup() requires a map"),
    err(r#"merge({a = 1}, [1])"#, Some(1), "arguments must be maps or objects"),
    err(r#"range(1, 2, 0)"#, Some(2), "step must not be zero"),
    err(r#"range(1, 5, -1)"#, Some(1), "end must be less than start when step is negative"),
    err(r#"range(5, 1, 1)"#, Some(1), "end must be greater than start when step is positive"),
    err(r#"range(2000)"#, None, "more than 1024 values were generated"),
    err(r#"reverse("ab")"#, Some(0), "can only reverse list or tuple values"),
    err(r#"setunion(["a"], "b")"#, Some(1), "a list is required"),
    err(r#"setproduct(["a"], 1)"#, Some(1), "a list is required"),
    err(r#"setintersection("a")"#, Some(0), "a list is required"),
    err(r#"slice([1, 2], 1, 3)"#, Some(2), "end index must not be greater than the length of the list"),
    err(r#"slice([1, 2], -1, 1)"#, Some(1), "start index must not be less than zero"),
    err(r#"slice([1, 2], 2, 1)"#, Some(1), "start index must not be greater than end index"),
    err(r#"sort([[1]])"#, Some(0), "a string is required"),
    err(r#"zipmap(["a"], [1, 2])"#, None, "number of keys (1) does not match number of values (2)"),
    err(r#"zipmap(["a"], "b")"#, Some(1), "a list is required"),
    err(r#"distinct("a")"#, Some(0), "a list is required"),
    err(r#"format("%d", "x")"#, None, "unsupported value for \"%d\" at 0"),
    err(r#"format("%d", 1.5)"#, None, "an integer is required"),
    err(r#"format("%s %s", "a")"#, None, "not enough arguments for \"%s\" at 3: need index 2 but have 1 total"),
    err(r#"format("%s", "a", "b")"#, Some(2), "too many arguments; only 1 used by format string"),
    err(r#"format("x", "a")"#, Some(1), "too many arguments; no verbs in format string"),
    err(r#"format("%y", 1)"#, None, "unsupported format verb 'y'"),
    err(r#"format("%s", null)"#, None, "null value cannot be formatted"),
    err(r#"format("%s", [1])"#, None, "string required"),
    err(r#"format("%", 1)"#, None, "invalid format string starting at offset 0"),
    err(
        r#"formatlist("%s%s", ["a"], ["b", "c"])"#,
        Some(2),
        "argument 2 has length 2, which is inconsistent with argument 1 of length 1",
    ),
    err(r#"formatdate("h:mm a", "2018-01-02T15:04:05Z")"#, Some(0), "invalid date format verb \"a\": must be \"aa\""),
    err(r#"formatdate("YYY", "2018-01-02T15:04:05Z")"#, Some(0), "year must either be \"YY\" or \"YYYY\""),
    err(r#"formatdate("'abc", "2018-01-02T15:04:05Z")"#, Some(0), "unterminated literal '"),
    err(r#"formatdate("Q", "2018-01-02T15:04:05Z")"#, Some(0), "invalid date format verb \"Q\""),
    err(r#"formatdate("YYYY", "2018-01-02")"#, Some(1), "missing required time introducer 'T'"),
    err(r#"formatdate("YYYY", "2018-13-02T00:00:00Z")"#, Some(1), "not a valid RFC3339 timestamp"),
    err(r#"formatdate("YYYY", "2018-01-02T00:00:00")"#, Some(1), "end of string before UTC offset"),
    err(r#"timeadd("2017-11-22T00:00:00Z", "1d")"#, Some(1), "time: unknown unit \"d\" in duration \"1d\""),
    err(r#"timeadd("2017-11-22T00:00:00Z", "10")"#, Some(1), "time: missing unit in duration \"10\""),
    err(r#"timeadd("2017-11-22T00:00:00Z", "")"#, Some(1), "time: invalid duration \"\""),
    err(r#"timeadd("yesterday", "1h")"#, Some(0), "not a valid RFC3339 timestamp"),
    err(r#"cidrhost("10.0.0.0/30", 4)"#, Some(1), "prefix of 30 does not accommodate a host numbered 4"),
    err(r#"cidrhost("10.0.0.0", 1)"#, Some(0), "invalid CIDR expression"),
    err(r#"cidrnetmask("fd00::/8")"#, Some(0), "IPv6 addresses cannot have a netmask"),
    err(r#"cidrsubnet("10.0.0.0/30", 3, 0)"#, Some(1), "insufficient address space to extend prefix of 30 by 3"),
    err(
        r#"cidrsubnet("10.0.0.0/24", 2, 4)"#,
        Some(2),
        "prefix extension of 2 does not accommodate a subnet numbered 4",
    ),
    err(r#"cidrsubnets("10.0.0.0/24", 0)"#, Some(1), "must extend prefix by at least one bit"),
    err(
        r#"cidrsubnets("10.0.0.0/24", 9)"#,
        Some(1),
        "would extend prefix to 33 bits, which is too long for an IPv4 address",
    ),
    err(
        r#"cidrsubnets("10.0.0.0/24", 1, 1, 1)"#,
        Some(3),
        "not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25",
    ),
    err(r#"base64decode("not base64")"#, Some(0), "failed to decode base64 data"),
    err(r#"base64decode("/wAB")"#, Some(0), "not valid UTF-8"),
    err(r#"csvdecode("")"#, Some(0), "missing header line"),
    err(r#"csvdecode("a,a\n1,2")"#, Some(0), "duplicate column name \"a\""),
    err(r#"csvdecode("a,b\n1")"#, Some(0), "CSV parse error on line 2: wrong number of fields"),
    err(r#"csvdecode("a\nx\"y")"#, Some(0), "bare \" in non-quoted-field"),
    err(r#"jsondecode("{")"#, Some(0), "eof while parsing"),
    err(r#"jsonencode(yamldecode("a: .inf"))"#, Some(0), "cannot serialize infinity as JSON"),
    err(r#"yamldecode("")"#, Some(0), "missing start of document"),
    err(r#"yamldecode("a: .nan")"#, Some(0), "floating point NaN is not supported"),
    err(r#"yamldecode("a: [")"#, Some(0), ""),
    err(r#"file("files/nope.txt")"#, Some(0), "no file exists at files/nope.txt"),
    err(r#"file("files/bin.dat")"#, Some(0), "contents of files/bin.dat are not valid UTF-8"),
    err(r#"file("files")"#, Some(0), "no file exists at files"),
    err(r#"fileexists("files/sub")"#, Some(0), "is not a regular file"),
    err(r#"fileset("files", "[a")"#, Some(1), "failed to glob pattern"),
    err(r#"uuidv5("bogus", "x")"#, Some(0), "uuidv5() doesn't support namespace bogus"),
    // Go-template functions (legacy JSON templates)
    ok(r#"go::build_name()"#, r#""b1""#),
    ok(r#"go::build_type()"#, r#""amazon-ebs""#),
    ok(r#"go::clean_resource_name("a b:c/d(e)[f]'g@h_i.j-k!é")"#, r#""a b-c/d(e)[f]'g@h_i.j-k--""#),
    ok(r#"go::isotime()"#, r#""2023-11-14T22:13:20Z""#),
    ok(r#"go::isotime("20060102-1504")"#, r#""20231114-2213""#),
    ok(r#"go::lower("ABC")"#, r#""abc""#),
    ok(r#"go::upper("abc")"#, r#""ABC""#),
    ok(r#"go::replace("-", "/", 1, "a-b-c")"#, r#""a/b-c""#),
    ok(r#"go::replace("-", "/", -1, "a-b-c")"#, r#""a/b/c""#),
    ok(r#"go::replace_all("-", "_", "a-b-c")"#, r#""a_b_c""#),
    ok(r#"go::split("a-b-c", "-", 1)"#, r#""b""#),
    err(
        r#"go::split("a-b-c", "-", 3)"#,
        Some(2),
        "the substring 3 was unavailable using the separator value, -, only 3 values were found",
    ),
    err(
        r#"go::sed("s/a/b/", "a")"#,
        None,
        "template function `sed` is deprecated use `replace` or `replace_all` instead.",
    ),
    ok(r#"go::strftime("%Y-%m-%dT%H:%M:%S")"#, r#""2023-11-14T22:13:20""#),
    ok(r#"go::timestamp()"#, r#""1700000000""#),
    re(r#"go::uuid()"#, r#"^"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$"#),
    err(r#"go::vault("secret/x", "k")"#, None, "`vault` needs a Vault server"),
    err(r#"go::consul_key("k")"#, None, "`consul_key` needs a Consul server"),
    err(r#"go::aws_secretsmanager("n")"#, None, "`aws_secretsmanager` needs AWS Secrets Manager"),
    err(r#"go::aws_secretsmanager_raw("n")"#, None, "`aws_secretsmanager_raw` needs AWS Secrets Manager"),
];
