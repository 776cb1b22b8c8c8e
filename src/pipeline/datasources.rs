//! Fetching the data sources that need the network (`amazon-ami`, `http`) when a build runs
//! (or `validate -evaluate-datasources` asks): in passes, since one may use another's output.

use crate::diag::{Code, Diagnostic};
use crate::eval;
use crate::ir::{self, Template};

/// Fetches the fetched data sources of `t` and gives their values to `env`. Returns the
/// warnings, and the error that stopped it (last) if one did.
pub(super) fn fetch(env: &eval::Env<'_>, t: &Template) -> Vec<Diagnostic> {
    let mut pending: Vec<&ir::DataSource> =
        t.data.iter().filter(|d| crate::component::registry::is_fetched(&d.kind.value)).collect();
    let Some(first) = pending.first() else { return Vec::new() };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            return vec![Diagnostic::error(
                Code::CannotRead,
                first.span,
                format!("cannot start the network runtime: {e}"),
            )];
        }
    };
    let mut out = Vec::new();
    // Each pass fetches the data sources whose arguments are all known.
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        for d in std::mem::take(&mut pending) {
            let node = crate::component::node::from_body(env, &eval::Ctx::default(), &d.body);
            let at = d.kind.span.join(d.name.span);
            if let Some(what) = node.value.first_deferred() {
                waiting.push((d, what.to_string()));
                continue;
            }
            match runtime.block_on(crate::component::registry::fetch_data(&d.kind.value, &node)) {
                Ok(fetched) => {
                    let warn = |w| Diagnostic::warning(Code::DataSourceNotText, at, w);
                    out.extend(fetched.warnings.into_iter().map(warn));
                    env.provide_data(&d.kind.value, &d.name.value, fetched.value);
                }
                Err(msg) => {
                    out.push(Diagnostic::error(Code::DataSourceFailed, at, msg));
                    return out;
                }
            }
        }
        if waiting.len() == before {
            let (d, what) = &waiting[0];
            out.push(Diagnostic::error(
                Code::DataSourceFailed,
                d.kind.span.join(d.name.span),
                format!("this data source needs `{what}`, which has no value before the build runs"),
            ));
            return out;
        }
        pending = waiting.into_iter().map(|(d, _)| d).collect();
    }
    out
}
