//! One function per command on top of the [`crate::pipeline`]: `validate`, `build` (prepare,
//! then run on tokio with signal handling), the `inspect` report, `fmt`'s file discovery and
//! `convert`.
//!
//! Architecture Invariant: the driver owns the choice of [`Vfs`] and the option structs; it
//! prints nothing (the CLI does) and returns data.

mod convert;
mod fmt_files;
mod inspect;
mod signals;

pub use convert::convert;
pub use fmt_files::{fmt_files, fmt_syntax, format_text};
pub use inspect::{inspect, inspect_records};

use crate::pipeline::{Analysis, Lowered, Options, Workspace};
use crate::source::Vfs;

/// `forge validate`: syntax and block shapes, then (unless `syntax_only`) the whole-template
/// checks and the evaluation of every variable, local and expression.
pub fn validate(vfs: &dyn Vfs, paths: &[String], opts: &Options) -> Analysis {
    validate_in(&mut Workspace::new(), vfs, paths, opts)
}

/// [`validate`] in a workspace that outlives it (the language server's), so only the files
/// whose text changed are parsed again.
pub fn validate_in(ws: &mut Workspace, vfs: &dyn Vfs, paths: &[String], opts: &Options) -> Analysis {
    let mut a = ws.load(vfs, paths, opts);
    // Whole-template checks on a template that did not parse would only repeat the damage.
    if opts.syntax_only || a.has_errors() {
        return a;
    }
    let found = a.check(vfs, &opts.filters, opts.evaluate_datasources).diagnostics;
    a.diagnostics.extend(found);
    a
}

/// What `forge build` needs besides the template.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Variables and var files.
    pub validate: Options,
    /// `-only` / `-except`.
    pub filters: crate::plan::Filters,
    /// Engine options.
    pub engine: crate::exec::Options,
}

/// Validates, fetches data sources and lowers a template for `forge build`; `None` when it has
/// errors (they are in the analysis's diagnostics, with the filter warnings).
pub fn prepare_build(vfs: &dyn Vfs, paths: &[String], opts: &BuildOptions) -> (Analysis, Option<Lowered>) {
    let mut a = Workspace::new().load(vfs, paths, &opts.validate);
    if a.has_errors() {
        return (a, None);
    }
    let (found, lowered) = {
        let mut checked = a.check(vfs, &opts.validate.filters, opts.validate.evaluate_datasources);
        if !checked.has_errors() {
            checked.fetch_data_sources();
        }
        if checked.has_errors() {
            (checked.diagnostics, None)
        } else {
            let (lowered, warnings) = checked.lower(&opts.filters);
            let mut found = checked.diagnostics;
            found.extend(warnings);
            (found, Some(lowered))
        }
    };
    a.diagnostics.extend(found);
    (a, lowered)
}

/// Runs a prepared build on a tokio runtime; Ctrl-C and SIGTERM cancel it (cleanups still run).
pub fn run_build(
    prepared: Lowered,
    opts: &BuildOptions,
    printer: std::sync::Arc<crate::exec::ui::Printer>,
) -> crate::exec::Outcome {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            printer.plain_error(&format!("cannot start the build engine: {e}"));
            return crate::exec::Outcome {
                results: Vec::new(),
                interrupted: false,
                elapsed: std::time::Duration::ZERO,
            };
        }
    };
    runtime.block_on(async move {
        let cancel = tokio_util::sync::CancellationToken::new();
        let watcher = tokio::spawn(signals::watch_signals(cancel.clone(), printer.clone()));
        let outcome = crate::exec::run(
            prepared.plan,
            std::sync::Arc::new(prepared.snapshot),
            opts.engine.clone(),
            printer,
            cancel,
        )
        .await;
        watcher.abort();
        outcome
    })
}
