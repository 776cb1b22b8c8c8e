//! The command line: Packer's flag habits on top of clap, output on stdout/stderr, exit codes.
//!
//! Architecture Invariant: only this module prints or reads the terminal; it turns
//! [`driver`] results into text and exit codes (0 ok, 1 error, 3 `fmt -check`, 127 unknown command).

mod args;
mod console;
mod convert;
mod fmt;
mod log;
mod machine;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::diag::{self, render};
use crate::driver;
use crate::pipeline::{self, Analysis};
use crate::source::RealFs;

pub use args::{Cli, Command};

/// Runs forge with the process's arguments.
pub fn main() -> ExitCode {
    log::init();
    let args: Vec<String> = std::env::args().collect();
    // Not locked: build output comes from the engine's threads through its own handle.
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let term = Terminal { color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() };
    ExitCode::from(run(&args, &mut out, &mut err, term))
}

/// `forge lsp`: the language server over stdin/stdout (the one place the server's transport is
/// made, so only the CLI touches the standard streams).
fn lsp(err: &mut dyn Write) -> std::io::Result<u8> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let result = crate::lsp::run(&connection);
    drop(connection);
    match result {
        Ok(clean) => {
            // The reader thread ends when stdin closes; after `exit` the client closes it.
            let _ = io_threads.join();
            Ok(u8::from(!clean))
        }
        Err(e) => {
            writeln!(err, "forge lsp: {e}")?;
            Ok(1)
        }
    }
}

/// What the terminal can do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// Whether stderr takes colours.
    pub color: bool,
}

/// Runs forge with `args` (the first is the program name); returns the exit code.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write, term: Terminal) -> u8 {
    let (args, machine_readable) = args::packer_style(args);
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e, out, err),
    };
    let color_flag = cli.color();
    let ctx = Ctx { machine_readable, color: term.color && color_flag };
    let result = match cli.command {
        Command::Validate(a) => validate(&a, &ctx, out, err),
        Command::Inspect(a) => inspect(&a, &ctx, out, err),
        Command::Fmt(a) => fmt::run(&a, ctx.color, out, err),
        Command::Convert(a) => convert::convert(&a, ctx.color, out, err),
        Command::Hcl2Upgrade(a) => convert::hcl2_upgrade(&a, ctx.color, out, err),
        Command::Build(a) => build(&a, &ctx, color_flag, out, err),
        Command::Console(a) => {
            let opts = pipeline::Options {
                syntax_only: false,
                vars: a.vars.vars.clone(),
                var_files: a.vars.var_files.clone(),
                ..Default::default()
            };
            console::run(a.template.as_deref(), &opts, out, err)
        }
        Command::Schema(a) => schema(&a, out, err),
        Command::Lsp => lsp(err),
        Command::Version => writeln!(out, "forge v{}", env!("CARGO_PKG_VERSION")).map(|()| 0),
        Command::Explain { code } => explain(&code, out, err),
        Command::Other(words) => other_command(words.first().map_or("", String::as_str), err),
    };
    result.unwrap_or(1)
}

struct Ctx {
    machine_readable: bool,
    color: bool,
}

fn clap_error(e: &clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(out, "{e}");
            0
        }
        ErrorKind::InvalidSubcommand
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::MissingSubcommand => {
            let _ = write!(err, "{e}");
            127
        }
        _ => {
            let _ = write!(err, "{e}");
            1
        }
    }
}

fn print_diagnostics(s: &Analysis, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    if ctx.machine_readable {
        for d in &s.diagnostics {
            let text = render::human(&s.db, d, render::Style { color: false, width: 80 });
            let kind = if d.is_error() { "error" } else { "say" };
            machine::record(out, "", &["ui", kind, &text])?;
        }
        return Ok(());
    }
    let style = render::Style { color: ctx.color, width: 100 };
    for d in &s.diagnostics {
        write!(err, "{}", render::human(&s.db, d, style))?;
    }
    Ok(())
}

fn validate(a: &args::Validate, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let opts = pipeline::Options {
        syntax_only: a.syntax_only,
        vars: a.vars.vars.clone(),
        var_files: a.vars.var_files.clone(),
        filters: crate::plan::Filters { only: a.only.clone(), except: a.except.clone() },
        evaluate_datasources: a.evaluate_datasources,
    };
    let s = driver::validate(&RealFs, &a.templates, &opts);
    if a.format == args::Format::Json {
        let doc = render::json_report(&s.db, &s.diagnostics);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        return Ok(u8::from(s.has_errors()));
    }
    print_diagnostics(&s, ctx, out, err)?;
    if s.has_errors() {
        return Ok(1);
    }
    let message = if a.syntax_only {
        "Syntax-only check passed. Everything looks okay."
    } else {
        "Template validated successfully."
    };
    if ctx.machine_readable {
        machine::record(out, "", &["ui", "say", message])?;
    } else {
        writeln!(out, "{message}")?;
    }
    Ok(0)
}

fn inspect(a: &args::Inspect, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let paths = std::slice::from_ref(&a.template);
    let opts =
        pipeline::Options { vars: a.vars.vars.clone(), var_files: a.vars.var_files.clone(), ..Default::default() };
    // Inspect shows the template as written: variables are read, nothing is checked.
    let s = pipeline::Workspace::new().load(&RealFs, paths, &opts);
    if s.has_errors() {
        print_diagnostics(&s, ctx, out, err)?;
        return Ok(1);
    }
    let env = crate::eval::Env::new(&s.template, &s.inputs, &RealFs);
    let sections = driver::inspect(&s, &env);
    if ctx.machine_readable {
        for record in driver::inspect_records(&s) {
            let fields: Vec<&str> = record.iter().map(String::as_str).collect();
            machine::record(out, "", &fields)?;
        }
        for section in &sections {
            machine::record(out, "", &["ui", "say", section])?;
        }
        return Ok(0);
    }
    for section in &sections {
        writeln!(out, "{section}")?;
    }
    Ok(0)
}

fn schema(a: &args::Schema, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    use crate::component::registry::{ComponentKind, REGISTRY, lookup};
    if let Some(dir) = &a.write {
        let dir = std::path::PathBuf::from(dir.clone().unwrap_or_else(|| "grammar".into()));
        for (rel, content) in crate::component::grammar::files() {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, content)?;
            writeln!(out, "{}", path.display())?;
        }
        return Ok(0);
    }
    let (Some(kind), Some(name)) = (&a.kind, &a.name) else {
        for c in REGISTRY {
            writeln!(out, "{:<15} {:<12} {}", c.kind.noun(), c.name, c.summary)?;
        }
        return Ok(0);
    };
    let Some(kind) = ComponentKind::parse(kind) else {
        writeln!(
            err,
            "unknown component kind `{kind}`; use builder, provisioner, post-processor, data-source or communicator"
        )?;
        return Ok(1);
    };
    let Some(def) = lookup(kind, name) else {
        let names: Vec<&str> = REGISTRY.iter().filter(|c| c.kind == kind).map(|c| c.name).collect();
        let hint = diag::did_you_mean_help(name, names.iter().copied())
            .unwrap_or_else(|| format!("built-in: {}", names.join(", ")));
        writeln!(err, "no built-in {} named `{name}`: {hint}", kind.noun())?;
        return Ok(1);
    };
    let schema = (def.schema)();
    if a.markdown {
        write!(out, "{}", crate::component::schema::markdown(kind.noun(), def.name, def.summary, &schema))?;
    } else {
        writeln!(out, "{}", serde_json::to_string_pretty(schema.as_value()).unwrap_or_default())?;
    }
    Ok(0)
}

fn build(
    a: &args::Build,
    ctx: &Ctx,
    color_flag: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    use crate::exec::{OnError, ui};
    let on_error = match a.on_error.as_str() {
        "cleanup" => OnError::Cleanup,
        "abort" => OnError::Abort,
        "ask" => OnError::Ask,
        "run-cleanup-provisioner" => OnError::RunCleanupProvisioner,
        other => {
            writeln!(err, "invalid value {other:?} for -on-error: use cleanup, abort, ask or run-cleanup-provisioner")?;
            return Ok(1);
        }
    };
    let opts = driver::BuildOptions {
        validate: pipeline::Options {
            syntax_only: false,
            vars: a.vars.vars.clone(),
            var_files: a.vars.var_files.clone(),
            ..Default::default()
        },
        filters: crate::plan::Filters { only: a.only.clone(), except: a.except.clone() },
        engine: crate::exec::Options {
            parallel: usize::try_from(a.parallel_builds.max(0)).unwrap_or(0),
            on_error,
            force: a.force,
            debug: a.debug,
        },
    };
    let paths = std::slice::from_ref(&a.template);
    let (s, prepared) = driver::prepare_build(&RealFs, paths, &opts);
    print_diagnostics(&s, ctx, out, err)?;
    let Some(prepared) = prepared else { return Ok(1) };
    if a.plan {
        if a.format == args::Format::Json {
            writeln!(out, "{}", serde_json::to_string_pretty(&prepared.plan_json).unwrap_or_default())?;
        } else {
            write!(out, "{}", prepared.plan_text)?;
        }
        return Ok(0);
    }
    if prepared.plan.builds.is_empty() {
        writeln!(err, "Error: No builds to run")?;
        return Ok(1);
    }
    if a.debug && !ctx.machine_readable {
        writeln!(out, "Debug mode enabled. Builds will not be parallelized.")?;
    }
    let no_color = std::env::var_os("PACKER_NO_COLOR").is_some() || std::env::var_os("NO_COLOR").is_some();
    let style = ui::Style {
        color: color_flag && !no_color && !ctx.machine_readable,
        timestamps: a.timestamp_ui,
        machine: ctx.machine_readable,
    };
    // One masker for the build's output and the debug log: secrets learnt while the build runs
    // are hidden in both.
    let masker = crate::secrets::process();
    masker.add(prepared.snapshot.secrets());
    let terminal = ui::Terminal {
        read_line: std::io::stdin().is_terminal().then(|| {
            std::sync::Arc::new(|| {
                let mut line = String::new();
                let _ = std::io::stdin().read_line(&mut line);
                line
            }) as std::sync::Arc<dyn Fn() -> String + Send + Sync>
        }),
        bars: std::io::stderr().is_terminal(),
    };
    let printer = std::sync::Arc::new(ui::Printer::new(Box::new(std::io::stdout()), style, masker, terminal));
    let outcome = driver::run_build(prepared, &opts, printer.clone());
    summary(&printer, &outcome);
    Ok(u8::from(!outcome.success()))
}

/// Packer's closing block: wait time, errors, artifacts (and their machine-readable records).
fn summary(printer: &crate::exec::ui::Printer, outcome: &crate::exec::Outcome) {
    use crate::exec::ui::durafmt;
    printer.plain(&format!("\n==> Wait completed after {}", durafmt(outcome.elapsed)));
    if outcome.interrupted {
        printer.plain("Cleanly cancelled builds after being interrupted.");
        return;
    }
    let failed: Vec<_> = outcome.results.iter().filter(|r| r.error.is_some()).collect();
    if !failed.is_empty() {
        printer.plain("\n==> Some builds didn't complete successfully and had errors:");
        for r in &failed {
            printer.plain(&format!("--> {}: {}", r.name, r.error.clone().unwrap_or_default()));
        }
    }
    if outcome.results.iter().all(|r| r.artifacts.is_empty()) {
        printer.plain("\n==> Builds finished but no artifacts were created.");
        return;
    }
    printer.plain("\n==> Builds finished. The artifacts of successful builds are:");
    for r in &outcome.results {
        if printer.style().machine && !r.artifacts.is_empty() {
            printer.record(&r.name, &["artifact-count", &r.artifacts.len().to_string()]);
        }
        for (i, a) in r.artifacts.iter().enumerate() {
            if printer.style().machine {
                let i = i.to_string();
                printer.record(&r.name, &["artifact", &i, "builder-id", &a.builder_id]);
                printer.record(&r.name, &["artifact", &i, "id", &a.id]);
                printer.record(&r.name, &["artifact", &i, "string", &a.description]);
                printer.record(&r.name, &["artifact", &i, "files-count", &a.files.len().to_string()]);
                for (j, f) in a.files.iter().enumerate() {
                    printer.record(&r.name, &["artifact", &i, "file", &j.to_string(), f]);
                }
                printer.record(&r.name, &["artifact", &i, "end"]);
            }
            printer.plain(&format!("--> {}: {}", r.name, a.description));
        }
    }
}

fn explain(code: &str, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let Some(c) = diag::Code::parse(code) else {
        writeln!(err, "unknown diagnostic code `{code}`; codes look like F1001 or names like `syntax-error`")?;
        return Ok(1);
    };
    writeln!(out, "{} ({})\n\n{}", c.id(), c.name(), c.explanation())?;
    Ok(0)
}

/// Packer commands that forge will provide but does not yet.
const PACKER_COMMANDS: &[&str] = &["fix", "init", "plugins"];
const FORGE_COMMANDS: &[&str] = &[
    "build",
    "validate",
    "fmt",
    "inspect",
    "convert",
    "hcl2_upgrade",
    "console",
    "schema",
    "lsp",
    "version",
    "explain",
];

fn other_command(name: &str, err: &mut dyn Write) -> std::io::Result<u8> {
    if PACKER_COMMANDS.contains(&name) {
        writeln!(
            err,
            "forge {name}: this Packer command is not available in this version of forge yet; available: {}",
            FORGE_COMMANDS.join(", ")
        )?;
        return Ok(1);
    }
    let all = FORGE_COMMANDS.iter().chain(PACKER_COMMANDS).copied();
    let hint = diag::did_you_mean_help(name, all).map(|h| format!(" ({h})")).unwrap_or_default();
    writeln!(err, "forge: unknown command `{name}`{hint}; run `forge -h` for the list")?;
    Ok(127)
}
