//! Packer's legacy JSON templates and HCL2's JSON syntax (with their string templates and Go
//! templates), into the IR, checked, diagnostics rendered.
#![no_main]

use forge::ir::Origin;
use forge::source::SourceDb;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for (name, origin) in [("fuzz.json", Origin::LegacyJson), ("fuzz.pkr.json", Origin::HclJson)] {
        let mut db = SourceDb::default();
        let file = db.add(name, text);
        let parsed = forge::syntax::parse_template(&db, file, origin);
        let mut diags = parsed.diagnostics;
        diags.extend(forge::validate::check(&parsed.value));
        let _ = forge::diag::render::json_report(&db, &diags);
        let _ = forge::ir::dump(&parsed.value);
    }
});
