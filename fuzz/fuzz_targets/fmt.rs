//! `forge fmt` on HCL: whatever it accepts, formatting again changes nothing, and the formatted
//! text reads as the same template (the IR dump is unchanged).
#![no_main]

use forge::ir::Origin;
use forge::source::{FileId, SourceDb};
use libfuzzer_sys::fuzz_target;

fn model(text: &str) -> String {
    let mut db = SourceDb::default();
    let file = db.add("t.pkr.hcl", text);
    let parsed = forge::syntax::parse_template(&db, file, Origin::Hcl);
    let errors = parsed.diagnostics.iter().filter(|d| d.is_error()).count();
    format!("{errors} errors\n{}", forge::ir::dump(&parsed.value))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(once) = forge::fmt::format_hcl(FileId(0), text) else { return };
    let twice = forge::fmt::format_hcl(FileId(0), &once).expect("formatted text parses");
    assert_eq!(once, twice, "formatting twice changed the text");
    assert_eq!(model(text), model(&once), "formatting changed the template");
});
