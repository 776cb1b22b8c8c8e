//! One shell kept running in the container for the docker communicator's commands: the daemon
//! spends about 70 ms on every API exec (runc starts a process in the container's namespaces),
//! so each command is sent to this shell on its attached input instead, and runs as a child
//! `/bin/sh -c` with its own input; its end is a marker line with the exit code on stdout and
//! one on stderr, so both streams are complete when the command is.

use std::sync::Arc;

use http::Method;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio_util::sync::CancellationToken;

use crate::component::docker_api::{self, Demux, Docker, segment};
use crate::component::runtime::{RunError, Ui};

type Io = TokioIo<hyper::upgrade::Upgraded>;

/// The attached shell.
pub struct Shell {
    write: WriteHalf<Io>,
    read: ReadHalf<Io>,
}

/// Input larger than this goes through a file instead of the command line.
pub const MAX_INLINE_INPUT: usize = 256 * 1024;

impl Shell {
    /// Starts `/bin/sh` in the container with its input, output and errors attached.
    pub async fn start(docker: &Docker, container: &str, user: Option<&str>) -> Result<Shell, RunError> {
        let mut create = json!({
            "AttachStdin": true, "AttachStdout": true, "AttachStderr": true, "Tty": false, "Cmd": ["/bin/sh"],
        });
        if let Some(u) = user.filter(|u| !u.is_empty()) {
            create["User"] = json!(u);
        }
        let created =
            docker.json(Method::POST, &format!("/containers/{}/exec", segment(container)), Some(&create)).await?;
        let id = created["Id"].as_str().unwrap_or_default().to_string();
        let headers = [
            ("content-type", "application/json".to_string()),
            ("connection", "Upgrade".to_string()),
            ("upgrade", "tcp".to_string()),
        ];
        let body = docker_api::full(json!({ "Detach": false, "Tty": false }).to_string());
        let response = docker.send(Method::POST, &format!("/exec/{id}/start"), &headers, body).await?;
        if response.status() != http::StatusCode::SWITCHING_PROTOCOLS {
            return Err(RunError::failed(format!("the daemon did not attach the shell ({})", response.status())));
        }
        let upgraded = hyper::upgrade::on(response)
            .await
            .map_err(|e| RunError::failed(format!("the daemon did not attach the shell: {e}")))?;
        let (read, write) = tokio::io::split(TokioIo::new(upgraded));
        Ok(Shell { write, read })
    }

    /// Runs `command` (with `input` as its standard input, else none); streams its lines to
    /// `ui`; `Ok(None)` when the shell went away before the command ended.
    pub async fn run(
        &mut self,
        command: &str,
        input: Option<&[u8]>,
        ui: &Arc<dyn Ui>,
        cancel: &CancellationToken,
    ) -> Result<Option<i32>, RunError> {
        let marker = format!("__forge_done_{}", uuid::Uuid::new_v4().simple());
        let invocation = match input {
            Some(bytes) => format!("printf '{}' | /bin/sh -c {}", printf_format(bytes), quote(command)),
            None => format!("/bin/sh -c {} </dev/null", quote(command)),
        };
        let script = format!("{invocation}; printf '{marker} %d\\n' \"$?\"; printf '{marker}\\n' >&2\n");
        self.write
            .write_all(script.as_bytes())
            .await
            .map_err(|e| RunError::failed(format!("cannot send the command to the container's shell: {e}")))?;
        let mut streams = [Stream::default(), Stream::default()];
        let mut demux = Demux::default();
        let mut buf = vec![0u8; 64 * 1024];
        let mut code = None;
        while !(streams[0].done && streams[1].done) {
            let n = tokio::select! {
                n = self.read.read(&mut buf) => n.map_err(|e| RunError::failed(format!("the container's shell broke off: {e}")))?,
                () = cancel.cancelled() => return Err(RunError::Cancelled),
            };
            if n == 0 {
                return Ok(None);
            }
            demux.push(&buf[..n], |stream, bytes| {
                let err = stream == 2;
                let s = &mut streams[usize::from(err)];
                for line in s.push(bytes) {
                    match line.find(&marker) {
                        Some(at) => {
                            if at > 0 {
                                emit(ui, err, &line[..at]);
                            }
                            if !err {
                                code = line[at + marker.len()..].trim().parse::<i32>().ok();
                            }
                            s.done = true;
                        }
                        None => emit(ui, err, &line),
                    }
                }
            });
        }
        Ok(Some(code.unwrap_or(-1)))
    }
}

fn emit(ui: &Arc<dyn Ui>, err: bool, line: &str) {
    if err { ui.error(line) } else { ui.message(line) }
}

/// One output stream's unfinished line, and whether its marker came.
#[derive(Default)]
struct Stream {
    pending: Vec<u8>,
    done: bool,
}

impl Stream {
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let mut lines = Vec::new();
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            lines.push(String::from_utf8_lossy(&self.pending[..i]).trim_end_matches('\r').to_string());
            self.pending.drain(..=i);
        }
        lines
    }
}

/// `s` as one single-quoted shell word.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Bytes as a `printf` format that prints exactly them: printable ASCII as it is, the rest
/// as octal escapes (`printf` is built into every shell, so this needs nothing in the image).
fn printf_format(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'%' => out.push_str("%%"),
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\047"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_formats_keep_every_byte() {
        assert_eq!(printf_format(b"a'b%c\\d\n\x01\xff"), "a\\047b%%c\\\\d\\n\\001\\377");
    }

    #[test]
    fn lines_are_split_and_kept_until_complete() {
        let mut s = Stream::default();
        assert_eq!(s.push(b"one\ntw"), vec!["one".to_string()]);
        assert_eq!(s.push(b"o\r\n"), vec!["two".to_string()]);
    }
}
