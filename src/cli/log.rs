//! The debug log: `PACKER_LOG=1` (as Packer) or `FORGE_LOG=error|warn|info|debug|trace` turn it
//! on; it goes to stderr, or to `PACKER_LOG_PATH`. Sensitive values are masked through the
//! process's one masker (`crate::secrets::process`), the one build output uses, so a secret
//! learnt at run time is hidden here too.

use std::io::Write;

/// A log writer that masks secrets in each write.
struct Masking {
    target: Option<std::fs::File>,
}

impl Write for Masking {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = crate::secrets::process().mask(&String::from_utf8_lossy(buf));
        match &mut self.target {
            Some(f) => f.write_all(text.as_bytes())?,
            None => std::io::stderr().write_all(text.as_bytes())?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the log when the environment asks for it.
pub fn init() {
    let packer = std::env::var("PACKER_LOG").ok().filter(|v| !v.is_empty() && v != "0");
    let forge = std::env::var("FORGE_LOG").ok().filter(|v| !v.is_empty());
    let level = match (forge.as_deref(), packer) {
        (Some("error"), _) => tracing::Level::ERROR,
        (Some("warn"), _) => tracing::Level::WARN,
        (Some("info"), _) => tracing::Level::INFO,
        (Some("trace"), _) => tracing::Level::TRACE,
        (Some(_), _) | (None, Some(_)) => tracing::Level::DEBUG,
        (None, None) => return,
    };
    let path = std::env::var("PACKER_LOG_PATH").ok().filter(|p| !p.is_empty());
    let make = move || Masking {
        target: path.as_ref().and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok()),
    };
    let _ = tracing_subscriber::fmt().with_max_level(level).with_ansi(false).with_writer(make).try_init();
}
