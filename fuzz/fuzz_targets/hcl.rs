//! The HCL front end: hcl-edit's parse, the lowering into the IR, the structural checks and the
//! diagnostics' rendering, on any text.
#![no_main]

use forge::ir::Origin;
use forge::source::SourceDb;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut db = SourceDb::default();
    let file = db.add("fuzz.pkr.hcl", text);
    let parsed = forge::syntax::parse_template(&db, file, Origin::Hcl);
    let mut diags = parsed.diagnostics;
    diags.extend(forge::validate::check(&parsed.value));
    let _ = forge::diag::render::human_all(&db, &diags, forge::diag::render::Style::default());
    let _ = forge::diag::render::json_report(&db, &diags);
    let _ = forge::ir::dump(&parsed.value);
});
