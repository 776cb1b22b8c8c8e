//! Go-template actions (`{{user `x`}}`, pipelines, field chains) parsed into expressions.
#![no_main]

use forge::source::FileId;
use forge::syntax::spanmap::SpanMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let map = SpanMap::identity(FileId(0), 0);
    if let Ok(parts) = forge::syntax::gotmpl::parse(text, &map) {
        let e = forge::ir::Expr::new(forge::ir::ExprKind::Template(parts), map.span(0, text.len()));
        let _ = forge::ir::dump::expr(&e);
    }
});
