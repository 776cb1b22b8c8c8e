//! The evaluator: an HCL expression (function calls included) evaluated against a small
//! template's variables and locals, on an in-memory file system.
#![no_main]

use forge::eval::{Ctx, Env, Inputs, eval};
use forge::ir::Origin;
use forge::source::{MemFs, SourceDb};
use libfuzzer_sys::fuzz_target;

const TEMPLATE: &str = r#"
variable "s" {
  default = "a,b,c"
}
variable "l" {
  default = [1, "2", true]
}
variable "m" {
  default = { a = "x", b = [1, 2] }
}
locals {
  n = 3
}
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // bcrypt's cost is exponential by design (cost 31 takes hours): not a finding.
    if text.contains("bcrypt") {
        return;
    }
    let mut db = SourceDb::default();
    let template_file = db.add("vars.pkr.hcl", TEMPLATE);
    let template = forge::syntax::parse_template(&db, template_file, Origin::Hcl).value;
    let mut fs = MemFs::default();
    fs.insert("file.txt", "hello\n");
    let env = Env::new(&template, &Inputs::default(), &fs);
    let file = db.add("fuzz", text);
    if let Ok(e) = forge::syntax::hcl::parse_expression(file, text) {
        if let Ok(v) = eval(&env, &Ctx::default(), &e) {
            let _ = forge::eval::value::to_hcl(&v);
            let _ = v.to_json();
        }
    }
    let _ = env.take_diagnostics();
});
