//! Ctrl-C and SIGTERM during a build: the first cancels it, a second warns.

/// First signal: cancel the builds; a second one: warn that cleanup may leave resources behind.
pub(super) async fn watch_signals(
    cancel: tokio_util::sync::CancellationToken,
    printer: std::sync::Arc<crate::exec::ui::Printer>,
) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
            return;
        };
        let mut count = 0;
        loop {
            let what = tokio::select! {
                _ = int.recv() => "interrupt",
                _ = term.recv() => "terminated",
            };
            count += 1;
            if count == 1 {
                printer.plain(&format!("Cancelling build after receiving {what}"));
                cancel.cancel();
            } else {
                printer.plain_error(
                    "Interrupted again while cleaning up: resources may be left behind if forge stops now",
                );
            }
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_ok() {
            printer.plain("Cancelling build after receiving interrupt");
            cancel.cancel();
        }
    }
}
