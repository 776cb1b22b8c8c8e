//! Build output as Packer prints it: per-build colours, `==> name: …` for steps,
//! `    name: …` for command output, `-timestamp-ui`, `-machine-readable` records, and every
//! sensitive value masked on every path.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::component::runtime::{BoxFuture, Ui};
use crate::secrets::Masker;

/// Packer's build colours, in the order builds get them: green, cyan, magenta, yellow, blue.
const COLORS: [u8; 5] = [32, 36, 35, 33, 34];

/// How output looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// `-timestamp-ui`.
    pub timestamps: bool,
    /// `-machine-readable`.
    pub machine: bool,
}

/// Where all output of a run goes; lines are written whole, so parallel builds never interleave
/// within a line.
pub struct Printer {
    out: Mutex<Box<dyn Write + Send>>,
    style: Style,
    masker: Arc<Masker>,
    terminal: Terminal,
}

/// What the user's terminal allows, as the CLI found it (only the CLI looks at the terminal).
#[derive(Clone, Default)]
pub struct Terminal {
    /// Reads one line the user types; `None` when standard input is not a terminal.
    pub read_line: Option<Arc<dyn Fn() -> String + Send + Sync>>,
    /// Whether progress bars may be drawn on standard error (it is a terminal).
    pub bars: bool,
}

/// The kind of a UI line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A step heading.
    Say,
    /// Command output.
    Message,
    /// An error.
    Error,
}

impl Printer {
    /// A printer writing to `out`, masking what `masker` holds (it may grow while the build
    /// runs; the debug log shares it).
    pub fn new(out: Box<dyn Write + Send>, style: Style, masker: Arc<Masker>, terminal: Terminal) -> Printer {
        Printer { out: Mutex::new(out), style, masker, terminal }
    }

    /// The style.
    pub fn style(&self) -> Style {
        self.style
    }

    /// Whether the user can be asked something (a terminal, and output meant for people).
    pub fn interactive(&self) -> bool {
        self.terminal.read_line.is_some() && !self.style.machine
    }

    /// Waits for the line the user types (empty when nobody can answer).
    async fn read_line(&self) -> String {
        let Some(read) = self.terminal.read_line.clone().filter(|_| !self.style.machine) else {
            return String::new();
        };
        tokio::task::spawn_blocking(move || read()).await.unwrap_or_default()
    }

    fn bars(&self) -> bool {
        self.terminal.bars && !self.style.machine
    }

    /// Replaces every secret with `<sensitive>`.
    pub fn mask(&self, text: &str) -> String {
        self.masker.mask(text)
    }

    /// Adds secrets learnt at run time (a generated password, a private key's lines): every
    /// output sharing the masker hides them from now on.
    pub fn add_secrets(&self, more: impl IntoIterator<Item = String>) {
        self.masker.add(more);
    }

    fn write(&self, text: &str) {
        if let Ok(mut out) = self.out.lock() {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    /// One machine-readable record.
    pub fn record(&self, target: &str, fields: &[&str]) {
        let masked: Vec<String> = fields.iter().map(|f| self.mask(f)).collect();
        let fields: Vec<&str> = masked.iter().map(String::as_str).collect();
        self.write(&format!("{}\n", crate::gocompat::machine::record(target, &fields)));
    }

    /// A line of a build (or of one of its post-processors, `label` = `name (type)`).
    pub fn build_line(&self, label: &str, color: u8, kind: Kind, text: &str) {
        let text = self.mask(text);
        if self.style.machine {
            let (ty, prefix) = match kind {
                Kind::Say => ("say", "==> "),
                Kind::Message => ("message", "    "),
                Kind::Error => ("error", "==> "),
            };
            self.record("", &["ui", ty, &format!("{prefix}{label}: {text}")]);
            return;
        }
        let mut out = String::new();
        for line in text.split('\n') {
            let stamp = if self.style.timestamps { format!("{}: ", rfc3339_now()) } else { String::new() };
            let body = match kind {
                Kind::Say | Kind::Error => format!("==> {label}: {line}"),
                Kind::Message => format!("    {label}: {line}"),
            };
            let colored = match (self.style.color, kind) {
                (false, _) => body,
                (true, Kind::Say) => format!("\x1b[1;{color}m{body}\x1b[0m"),
                (true, Kind::Message) => format!("\x1b[0;{color}m{body}\x1b[0m"),
                (true, Kind::Error) => format!("\x1b[1;31m{body}\x1b[0m"),
            };
            out.push_str(&stamp);
            out.push_str(&colored);
            out.push('\n');
        }
        self.write(&out);
    }

    /// A line outside any build (the closing summary).
    pub fn plain(&self, text: &str) {
        let text = self.mask(text);
        if self.style.machine {
            self.record("", &["ui", "say", &text]);
        } else {
            self.write(&format!("{text}\n"));
        }
    }

    /// An error line outside any build.
    pub fn plain_error(&self, text: &str) {
        let text = self.mask(text);
        if self.style.machine {
            self.record("", &["ui", "error", &text]);
        } else if self.style.color {
            self.write(&format!("\x1b[1;31m{text}\x1b[0m\n"));
        } else {
            self.write(&format!("{text}\n"));
        }
    }
}

/// A progress bar on stderr for a wait of `d`, only when stderr is a terminal and the output
/// is not machine-readable (never when piped).
pub fn wait_bar(printer: &Printer, message: &str, d: Duration) -> Option<indicatif::ProgressBar> {
    if !printer.bars() || d < Duration::from_secs(2) {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {elapsed}/{duration}") {
        bar.set_style(style);
    }
    bar.set_message(message.to_string());
    let ticker = bar.clone();
    let start = std::time::Instant::now();
    // The bar follows the clock; it is cleared when the wait ends.
    std::thread::spawn(move || {
        while !ticker.is_finished() && start.elapsed() < d {
            ticker.set_position(u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX));
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    Some(bar)
}

/// The colour of the build at `index`.
pub fn color_of(index: usize) -> u8 {
    COLORS[index % COLORS.len()]
}

fn rfc3339_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    crate::gocompat::civil::rfc3339(secs)
}

/// A duration in Packer's words: the two largest non-zero units (`2 seconds 18 milliseconds`).
pub fn durafmt(d: Duration) -> String {
    let micros = d.as_micros();
    let units: [(&str, u128); 8] = [
        ("year", 365 * 24 * 3600 * 1_000_000),
        ("week", 7 * 24 * 3600 * 1_000_000),
        ("day", 24 * 3600 * 1_000_000),
        ("hour", 3600 * 1_000_000),
        ("minute", 60 * 1_000_000),
        ("second", 1_000_000),
        ("millisecond", 1000),
        ("microsecond", 1),
    ];
    let mut rest = micros;
    let mut parts = Vec::new();
    for (name, size) in units {
        let n = rest / size;
        rest %= size;
        if n > 0 {
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        return "0 microseconds".into();
    }
    parts.truncate(2);
    parts.join(" ")
}

/// The UI of one build (or of one post-processor of it).
pub struct BuildUi {
    /// Where lines go.
    pub printer: Arc<Printer>,
    /// `name` or `name (type)`.
    pub label: String,
    /// The build's colour.
    pub color: u8,
}

impl Ui for BuildUi {
    fn say(&self, text: &str) {
        self.printer.build_line(&self.label, self.color, Kind::Say, text);
    }

    fn message(&self, text: &str) {
        self.printer.build_line(&self.label, self.color, Kind::Message, text);
    }

    fn error(&self, text: &str) {
        self.printer.build_line(&self.label, self.color, Kind::Error, text);
    }

    fn ask(&self, question: &str) -> BoxFuture<'static, String> {
        if self.printer.interactive() {
            self.printer.build_line(&self.label, self.color, Kind::Say, question);
        }
        let printer = self.printer.clone();
        Box::pin(async move { printer.read_line().await })
    }

    fn progress(&self, what: &str, total: u64) -> Option<Box<dyn crate::component::runtime::Progress>> {
        if !self.printer.bars() || total < 1024 * 1024 {
            return None;
        }
        let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
        {
            bar.set_style(style);
        }
        bar.set_message(format!("{}: {what}", self.label));
        Some(Box::new(TransferBar(bar)))
    }

    fn pause(&self, prompt: &str) -> BoxFuture<'static, ()> {
        if self.printer.interactive() {
            self.printer.build_line(&self.label, self.color, Kind::Say, prompt);
        }
        let printer = self.printer.clone();
        Box::pin(async move {
            printer.read_line().await;
        })
    }
}

/// An indicatif bar for a file transfer.
struct TransferBar(indicatif::ProgressBar);

impl crate::component::runtime::Progress for TransferBar {
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn done(&self) {
        self.0.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_packers() {
        assert_eq!(durafmt(Duration::from_millis(2018)), "2 seconds 18 milliseconds");
        assert_eq!(durafmt(Duration::from_micros(7086)), "7 milliseconds 86 microseconds");
        assert_eq!(durafmt(Duration::from_millis(1518)), "1 second 518 milliseconds");
        assert_eq!(durafmt(Duration::from_secs(61)), "1 minute 1 second");
    }
}
