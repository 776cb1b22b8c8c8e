//! Provisioners: steps that configure the machine (or, for `shell-local`, run locally).

pub mod breakpoint;
pub mod file;
pub mod shell;
pub mod shell_local;

use crate::component::prepare::PrepareCtx;

/// `environment_vars` entries must be `NAME=VALUE` with a valid name.
pub fn check_environment_vars(cx: &mut PrepareCtx<'_>) {
    let Some(n) = cx.node.get("environment_vars") else { return };
    let bad: Vec<(String, crate::source::Span)> = n
        .items
        .iter()
        .filter_map(|i| {
            let s = i.value.as_str()?;
            let ok = s
                .split_once('=')
                .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            (!ok && !i.value.is_deferred()).then(|| (s.to_string(), i.span))
        })
        .collect();
    for (s, span) in bad {
        cx.diags.push(
            crate::diag::Diagnostic::error(
                crate::diag::Code::InvalidComponentValue,
                span,
                format!("environment variable {s:?} is not `NAME=VALUE`"),
            )
            .with_help("write entries such as `\"FOO=bar\"`; names use letters, digits and `_`"),
        );
    }
}
