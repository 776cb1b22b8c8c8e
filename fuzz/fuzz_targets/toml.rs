//! forge's TOML form and TOML variable files, into the IR, checked, diagnostics rendered.
#![no_main]

use forge::ir::Origin;
use forge::source::SourceDb;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut db = SourceDb::default();
    let file = db.add("fuzz.pkr.toml", text);
    let parsed = forge::syntax::parse_template(&db, file, Origin::Toml);
    let mut diags = parsed.diagnostics;
    diags.extend(forge::validate::check(&parsed.value));
    let _ = forge::syntax::toml::parse_var_file(file, text, &mut diags);
    let _ = forge::diag::render::json_report(&db, &diags);
});
