//! `forge convert` and `forge hcl2_upgrade`: a template read from any syntax, written in another
//! in `forge fmt`'s canonical layout, and read back as a check that the output parses.

use crate::convert::{self, Target};
use crate::diag::{Code, Diagnostic};
use crate::ir::Origin;
use crate::pipeline::{Analysis, Options, Workspace};
use crate::source::{Span, Vfs};

/// Reads the template `paths` name (files or one folder) and converts it; `None` when it does
/// not parse (the errors are in the analysis) or the output would not read back.
pub fn convert(vfs: &dyn Vfs, paths: &[String], opts: &convert::Options) -> (Analysis, Option<String>) {
    let mut a = Workspace::new().load(vfs, paths, &Options { syntax_only: true, ..Default::default() });
    if a.has_errors() {
        return (a, None);
    }
    let converted = convert::convert(&a.template, &a.db, opts);
    a.diagnostics.extend(converted.diagnostics);
    let origin = match opts.target {
        Target::Hcl => Origin::Hcl,
        Target::HclJson => Origin::HclJson,
        Target::Toml => Origin::Toml,
    };
    let file = a.db.add(format!("<converted>{}", opts.target.suffix()), converted.text.clone());
    let text = match super::format_text(file, &converted.text, origin) {
        Ok(t) => t,
        Err(d) => {
            a.diagnostics.push(not_read_back(d));
            return (a, None);
        }
    };
    a.db.set_text(file, text.clone());
    let back = crate::syntax::parse_template(&a.db, file, origin);
    let errors: Vec<Diagnostic> = back.diagnostics.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        a.diagnostics.extend(errors.into_iter().map(not_read_back));
        return (a, None);
    }
    (a, Some(text))
}

fn not_read_back(d: Diagnostic) -> Diagnostic {
    let span: Span = d.span();
    Diagnostic::error(Code::NoEquivalent, span, format!("the converted template does not read back: {}", d.message))
        .with_help("this is a bug in forge's converter; please report it with the template")
}
