//! `forge inspect`'s report, as Packer 1.6.6 prints it: JSON mode for legacy templates, HCL2
//! mode otherwise, sensitive values shown as `<sensitive>`.

use crate::eval;
use crate::ir::{self, ExprKind, Template};
use crate::pipeline::Analysis;
use crate::source::SourceDb;

/// `forge inspect` as Packer prints it: JSON mode for legacy templates, HCL2 mode otherwise.
pub fn inspect(s: &Analysis, env: &eval::Env<'_>) -> Vec<String> {
    if s.template.is_legacy() { inspect_legacy(s) } else { inspect_hcl(&s.template, env) }
}

/// One machine-readable record of `inspect -machine-readable` (after the timestamp and target).
pub fn inspect_records(s: &Analysis) -> Vec<Vec<String>> {
    let t = &s.template;
    let mut out = Vec::new();
    if t.is_legacy() {
        for v in sorted_variables(t) {
            let default = if is_sensitive(v) {
                "<sensitive>".to_string()
            } else {
                if v.default.is_some() { raw_default(&s.db, v) } else { String::new() }
            };
            out.push(vec![
                "template-variable".into(),
                v.name.value.clone(),
                default,
                if v.default.is_none() { "1" } else { "0" }.into(),
            ]);
        }
        for src in sorted_sources(t) {
            out.push(vec!["template-builder".into(), src.name.value.clone(), src.kind.value.clone()]);
        }
        for b in &t.builds {
            for p in &b.provisioners {
                out.push(vec!["template-provisioner".into(), p.kind.value.clone()]);
            }
        }
    }
    out
}

fn sorted_variables(t: &Template) -> Vec<&ir::Variable> {
    let mut v: Vec<_> = t.variables.iter().collect();
    v.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    v
}

fn sorted_sources(t: &Template) -> Vec<&ir::Source> {
    let mut v: Vec<_> = t.sources.iter().collect();
    v.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    v
}

fn is_sensitive(v: &ir::Variable) -> bool {
    v.sensitive.as_ref().is_some_and(|s| s.value)
}

/// A legacy default as written (Go templates unrendered), as Packer's inspect shows it: the
/// JSON string value after the variable's name.
fn raw_default(db: &SourceDb, v: &ir::Variable) -> String {
    if let Some(ExprKind::String(s)) = v.default.as_ref().map(|d| &d.kind) {
        return s.clone();
    }
    let whole = db.slice(v.span);
    let value = whole.split_once(':').map_or(whole, |(_, rest)| rest).trim();
    serde_json::from_str::<String>(value).unwrap_or_else(|_| value.to_string())
}

fn inspect_legacy(s: &Analysis) -> Vec<String> {
    let t = &s.template;
    let mut out = vec!["Packer Inspect: JSON mode".to_string()];
    if let Some(d) = &t.description {
        out.push(format!("Description:\n\n{}\n", d.value));
    }
    let vars = sorted_variables(t);
    if vars.is_empty() {
        out.push("Variables:\n\n  <No variables>\n".into());
    } else {
        let required: Vec<_> = vars.iter().filter(|v| v.default.is_none()).collect();
        let optional: Vec<_> = vars.iter().filter(|v| v.default.is_some()).collect();
        if !required.is_empty() {
            let lines: String = required.iter().map(|v| format!("  {}\n", v.name.value)).collect();
            out.push(format!("Required variables:\n\n{lines}"));
        }
        if !optional.is_empty() {
            let width = optional.iter().map(|v| v.name.value.len()).max().unwrap_or(0);
            let lines: String = optional
                .iter()
                .map(|v| {
                    let value = if is_sensitive(v) {
                        "<sensitive>".to_string()
                    } else {
                        if v.default.is_some() { raw_default(&s.db, v) } else { String::new() }
                    };
                    format!("  {:width$} = {value}\n", v.name.value)
                })
                .collect();
            out.push(format!("Optional variables and their defaults:\n\n{lines}"));
        }
    }
    let sources = sorted_sources(t);
    let width = sources.iter().map(|s| s.name.value.len()).max().unwrap_or(0);
    let builders: String = sources
        .iter()
        .map(|s| {
            if s.name.value == s.kind.value {
                format!("  {}\n", s.name.value)
            } else {
                format!("  {:width$} ({})\n", s.name.value, s.kind.value)
            }
        })
        .collect();
    out.push(format!("Builders:\n\n{builders}"));
    let provisioners: String =
        t.builds.iter().flat_map(|b| &b.provisioners).map(|p| format!("  {}\n", p.kind.value)).collect();
    if provisioners.is_empty() {
        out.push("Provisioners:\n\n  <No provisioners>\n".into());
    } else {
        out.push(format!("Provisioners:\n\n{provisioners}"));
    }
    out.push(
        "Note: If your build names contain user variables or template\nfunctions such as 'timestamp', these are processed at build time,\nand therefore only show in their raw form here."
            .into(),
    );
    out
}

fn inspect_hcl(t: &Template, env: &eval::Env<'_>) -> Vec<String> {
    let shown = |v: Option<eval::value::Value>| match v {
        Some(v) if v.is_sensitive() => "<sensitive>".to_string(),
        Some(v) if v.is_deferred() => "<unknown>".to_string(),
        Some(v) => v.to_string_lossless().unwrap_or_else(|| eval::value::to_hcl(&v)),
        None => "<unknown>".to_string(),
    };
    let vars: String = sorted_variables(t)
        .iter()
        .map(|v| {
            format!(
                "var.{}: {}\n",
                v.name.value,
                crate::gocompat::strconv::quote(&shown(env.vars.get(&v.name.value).cloned()))
            )
        })
        .collect();
    let mut locals: Vec<_> = t.locals.iter().collect();
    locals.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    let locals: String = locals
        .iter()
        .map(|l| {
            format!(
                "local.{}: {}\n",
                l.name.value,
                crate::gocompat::strconv::quote(&shown(env.local(&l.name.value, l.name.span).ok()))
            )
        })
        .collect();
    let mut builds = String::from("> builds:\n");
    for (i, b) in t.builds.iter().enumerate() {
        let name = b.name.as_ref().map_or_else(|| format!("<unnamed build {i}>"), |n| n.value.clone());
        builds.push_str(&format!("\n  > {name}:\n\n    sources:\n\n"));
        for src in &b.sources {
            // Packer lists a renamed nested source under its original name.
            let shown =
                src.target().map_or_else(|| src.reference.value.clone(), |(kind, name)| format!("{kind}.{name}"));
            builds.push_str(&format!("      {shown}\n\n"));
        }
        builds.push_str("    provisioners:\n\n");
        if b.provisioners.is_empty() {
            builds.push_str("      <no provisioner>\n\n");
        }
        for p in &b.provisioners {
            builds.push_str(&format!("      {}\n\n", p.kind.value));
        }
        builds.push_str("    post-processors:\n\n");
        if b.post_processors.is_empty() {
            builds.push_str("      <no post-processor>\n");
        }
        let chains: Vec<String> = b
            .post_processors
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let steps: String = c.steps.iter().map(|pp| format!("        {}\n", pp.kind.value)).collect();
                format!("      {i}:\n{steps}")
            })
            .collect();
        builds.push_str(&chains.join("\n"));
    }
    vec![
        "Packer Inspect: HCL2 mode\n".into(),
        format!("> input-variables:\n\n{vars}\n> local-variables:\n\n{locals}"),
        builds,
    ]
}
