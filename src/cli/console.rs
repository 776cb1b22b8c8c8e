//! `forge console`: evaluates expressions against a template's variables and locals, one
//! result per input line (Packer prints only the last one when input is piped).

use std::io::{BufRead, IsTerminal, Write};

use crate::diag::render;
use crate::eval::value::{Value, to_hcl};
use crate::eval::{Ctx, Env};
use crate::pipeline;
use crate::source::RealFs;

/// Runs the console; returns the exit code (1 when any line failed).
pub fn run(
    template: Option<&str>,
    opts: &pipeline::Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let paths: Vec<String> = template.map(str::to_string).into_iter().collect();
    let a = pipeline::Workspace::new().load(&RealFs, &paths, opts);
    if a.has_errors() {
        write!(err, "{}", render::human_all(&a.db, &a.diagnostics, render::Style::default()))?;
        return Ok(1);
    }
    // Console lines are added to a copy of the source database while the environment borrows
    // the template.
    let mut db = a.db.clone();
    let env = Env::new(&a.template, &a.inputs, &RealFs);
    env.eval_all_locals();
    let setup = env.take_diagnostics();
    write!(err, "{}", render::human_all(&db, &setup, render::Style::default()))?;
    let mut failed = false;
    let mut each = |line: &str, out: &mut dyn Write, err: &mut dyn Write| -> std::io::Result<bool> {
        let line = line.trim();
        match line {
            "" => {}
            "exit" => return Ok(false),
            "help" => writeln!(
                out,
                "Type an expression (`var.region`, `upper(local.name)`), `variables` to list them, `exit` to leave."
            )?,
            "variables" => {
                for (name, v) in &env.vars {
                    writeln!(out, "var.{name}: {}", shown(v))?;
                }
                for name in env.local_names() {
                    if let Ok(v) = env.local(&name, crate::source::Span::new(crate::source::FileId(0), 0..0)) {
                        writeln!(out, "local.{name}: {}", shown(&v))?;
                    }
                }
            }
            _ => {
                let file = db.add("<console-input>", line);
                let result = crate::syntax::hcl::parse_expression(file, line).map_err(|d| vec![d]).and_then(|e| {
                    crate::eval::eval(&env, &Ctx::default(), &e).map_err(|e| match e {
                        crate::eval::EvalError::Diag(d) => vec![*d],
                        crate::eval::EvalError::Reported => env.take_diagnostics(),
                    })
                });
                match result {
                    Ok(v) => writeln!(out, "{}", shown(&v))?,
                    Err(diags) => {
                        failed = true;
                        write!(err, "{}", render::human_all(&db, &diags, render::Style::default()))?;
                    }
                }
            }
        }
        Ok(true)
    };
    if std::io::stdin().is_terminal() {
        let Ok(mut editor) = rustyline::DefaultEditor::new() else { return Ok(1) };
        while let Ok(line) = editor.readline("> ") {
            let _ = editor.add_history_entry(line.as_str());
            if !each(&line, out, err)? {
                break;
            }
        }
    } else {
        for line in std::io::stdin().lock().lines() {
            if !each(&line?, out, err)? {
                break;
            }
        }
    }
    Ok(u8::from(failed))
}

/// A value as the console prints it: strings bare, collections as HCL, secrets masked.
fn shown(v: &Value) -> String {
    if v.is_sensitive() {
        return "<sensitive>".into();
    }
    if v.is_deferred() {
        return "(known after build)".into();
    }
    v.to_string_lossless().unwrap_or_else(|| to_hcl(v))
}
