//! A small Docker Engine API client shared by the `docker` builder, its communicator and the
//! docker post-processors: HTTP/1.1 over the daemon's unix socket (or `tcp://`) with the hyper
//! crates the AWS SDK already brings, so it costs the build nothing. One connection per request
//! (a unix socket connects in microseconds), JSON answers, progress streams, streamed bodies in
//! both directions and the multiplexed output of `exec`.

use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Frame, Incoming};

use crate::component::runtime::{RunError, Ui};

/// A request body: small JSON or a stream of bytes.
pub type Body = BoxBody<Bytes, std::io::Error>;

/// Where the daemon listens.
#[derive(Debug, Clone)]
enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
}

/// A Docker daemon, reached through `DOCKER_HOST` (else `/var/run/docker.sock`).
#[derive(Debug, Clone)]
pub struct Docker {
    endpoint: Endpoint,
}

/// `Error response from daemon: …` with the daemon's message, as the docker CLI words it.
fn daemon_error(status: http::StatusCode, body: &[u8]) -> RunError {
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string());
    let message = if message.is_empty() { status.to_string() } else { message };
    RunError::failed(format!("Error response from daemon: {message}"))
}

impl Docker {
    /// The daemon `DOCKER_HOST` names, else the default socket.
    pub fn from_env() -> Docker {
        let host = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty());
        let endpoint = match host.as_deref() {
            Some(h) if h.starts_with("tcp://") || h.starts_with("http://") => {
                Endpoint::Tcp(h.trim_start_matches("tcp://").trim_start_matches("http://").to_string())
            }
            Some(h) => Endpoint::Unix(PathBuf::from(h.trim_start_matches("unix://"))),
            None => Endpoint::Unix(PathBuf::from("/var/run/docker.sock")),
        };
        Docker { endpoint }
    }

    /// The daemon's address as users write it (`unix:///var/run/docker.sock`).
    pub fn address(&self) -> String {
        match &self.endpoint {
            Endpoint::Unix(p) => format!("unix://{}", p.display()),
            Endpoint::Tcp(a) => format!("tcp://{a}"),
        }
    }

    fn unreachable(&self, e: &std::io::Error) -> RunError {
        RunError::failed(format!(
            "Cannot connect to the Docker daemon at {}: {e}. Is the docker daemon running? (set DOCKER_HOST to use another)",
            self.address()
        ))
    }

    /// Sends one request on a new connection and returns the answer's head and streaming body.
    /// A status of 400 or more is an error with the daemon's message.
    pub async fn send(
        &self,
        method: http::Method,
        path: &str,
        headers: &[(&str, String)],
        body: Body,
    ) -> Result<http::Response<Incoming>, RunError> {
        let mut sender = self.connect().await?;
        let mut req = http::Request::builder().method(method).uri(path).header(http::header::HOST, "docker");
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let req = req.body(body).map_err(|e| RunError::failed(format!("invalid Docker API request {path}: {e}")))?;
        let response = sender
            .send_request(req)
            .await
            .map_err(|e| RunError::failed(format!("the Docker daemon at {} failed to answer: {e}", self.address())))?;
        let status = response.status();
        if status.as_u16() >= 400 {
            let bytes = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            return Err(daemon_error(status, &bytes));
        }
        Ok(response)
    }

    async fn connect(&self) -> Result<hyper::client::conn::http1::SendRequest<Body>, RunError> {
        match &self.endpoint {
            Endpoint::Unix(path) => {
                let stream = tokio::net::UnixStream::connect(path).await.map_err(|e| self.unreachable(&e))?;
                self.handshake(stream).await
            }
            Endpoint::Tcp(addr) => {
                let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| self.unreachable(&e))?;
                self.handshake(stream).await
            }
        }
    }

    async fn handshake<T>(&self, io: T) -> Result<hyper::client::conn::http1::SendRequest<Body>, RunError>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
            .await
            .map_err(|e| RunError::failed(format!("cannot talk to the Docker daemon at {}: {e}", self.address())))?;
        // With upgrades, so an exec's input can be attached to the connection.
        tokio::spawn(async move {
            let _ = conn.with_upgrades().await;
        });
        Ok(sender)
    }

    /// A request with an optional JSON body; the answer parsed as JSON (`null` when empty).
    pub async fn json(
        &self,
        method: http::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, RunError> {
        let (headers, body) = match body {
            Some(v) => (vec![("content-type", "application/json".to_string())], full(v.to_string())),
            None => (Vec::new(), empty()),
        };
        let response = self.send(method, path, &headers, body).await?;
        let bytes = read_all(response).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| RunError::failed(format!("the Docker daemon answered {path} with something not JSON: {e}")))
    }

    /// Checks that the daemon answers (`/_ping`).
    pub async fn ping(&self) -> Result<(), RunError> {
        let response = self.send(http::Method::GET, "/_ping", &[], empty()).await?;
        read_all(response).await.map(|_| ())
    }

    /// A request whose answer is a stream of JSON progress messages (pull, push, import, load):
    /// each finished message that is not a progress bar goes to `line`; a message with an
    /// `error` fails the call with it. Returns the messages' `status` values, last first.
    pub async fn progress(
        &self,
        method: http::Method,
        path: &str,
        headers: &[(&str, String)],
        body: Body,
        mut line: impl FnMut(&str),
    ) -> Result<Vec<String>, RunError> {
        let response = self.send(method, path, headers, body).await?;
        let mut body = response.into_body();
        let mut pending: Vec<u8> = Vec::new();
        let mut statuses = Vec::new();
        let mut handle = |raw: &[u8], statuses: &mut Vec<String>| -> Result<(), RunError> {
            let Ok(msg) = serde_json::from_slice::<serde_json::Value>(raw) else { return Ok(()) };
            if let Some(e) = msg.get("error").and_then(|e| e.as_str()) {
                return Err(RunError::failed(e.to_string()));
            }
            let status = msg.get("status").and_then(|s| s.as_str()).unwrap_or_default();
            if msg.get("progress").is_none() && !status.is_empty() {
                let id = msg.get("id").and_then(|s| s.as_str()).unwrap_or_default();
                line(&if id.is_empty() { status.to_string() } else { format!("{id}: {status}") });
            }
            if let Some(s) = msg.get("stream").and_then(|s| s.as_str()) {
                statuses.push(s.trim().to_string());
            }
            statuses.push(status.to_string());
            Ok(())
        };
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| RunError::failed(format!("the Docker daemon's answer broke off: {e}")))?;
            if let Ok(data) = frame.into_data() {
                pending.extend_from_slice(&data);
                while let Some(i) = pending.iter().position(|b| *b == b'\n') {
                    let raw: Vec<u8> = pending.drain(..=i).collect();
                    handle(&raw, &mut statuses)?;
                }
            }
        }
        if !pending.iter().all(u8::is_ascii_whitespace) {
            handle(&pending, &mut statuses)?;
        }
        statuses.reverse();
        Ok(statuses)
    }
}

/// A query string from pairs, each value percent-encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Characters of a container or image name that go into a path as they are (an image name's
/// registry, folders, tag and digest route as written).
const NAME_SAFE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b':').remove(b'.').remove(b'-').remove(b'_').remove(b'@');

/// A container or image name for a request path, percent-encoded where it must be.
pub fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, NAME_SAFE).to_string()
}

/// A body of bytes known in advance.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

/// No body.
pub fn empty() -> Body {
    full(Bytes::new())
}

/// Reads a whole answer.
pub async fn read_all(response: http::Response<Incoming>) -> Result<Bytes, RunError> {
    response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|e| RunError::failed(format!("the Docker daemon's answer broke off: {e}")))
}

/// A body fed chunk by chunk from another task or thread (a tar built while it is sent).
pub struct ChannelBody(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(|r| r.map(Frame::data)))
    }
}

/// A `std::io::Write` whose bytes become a streamed request body (blocking; use it on a
/// blocking thread): a tar archive is written straight into the request.
pub struct BodyWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

/// How much a [`BodyWriter`] gathers before sending a chunk.
const CHUNK: usize = 256 * 1024;

/// A writer and the body it feeds.
pub fn body_channel() -> (BodyWriter, Body) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    (BodyWriter { tx, buf: Vec::with_capacity(CHUNK) }, ChannelBody(rx).boxed())
}

impl BodyWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::other("the Docker daemon stopped reading"))
    }

    /// Ends the body with an error (the request then fails rather than sending a cut archive).
    pub fn fail(self, e: std::io::Error) {
        let _ = self.tx.blocking_send(Err(e));
    }
}

impl std::io::Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// A `std::io::Read` over an answer's body (blocking; use it on a blocking thread), so a tar
/// archive is unpacked while it arrives.
pub struct BodyReader {
    rx: tokio::sync::mpsc::Receiver<Result<Bytes, String>>,
    current: Bytes,
}

/// Pumps `response`'s body into a reader on the runtime; the reader is for a blocking thread.
pub fn body_reader(response: http::Response<Incoming>) -> BodyReader {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let mut body = response.into_body();
    tokio::spawn(async move {
        while let Some(frame) = body.frame().await {
            let chunk = match frame {
                Ok(f) => match f.into_data() {
                    Ok(d) => Ok(d),
                    Err(_) => continue,
                },
                Err(e) => Err(e.to_string()),
            };
            let stop = chunk.is_err();
            if tx.send(chunk).await.is_err() || stop {
                break;
            }
        }
    });
    BodyReader { rx, current: Bytes::new() }
}

impl std::io::Read for BodyReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

/// Demultiplexes the output of a container without a terminal: frames of an 8-byte header
/// (stream 1 stdout, 2 stderr; a big-endian length) and their bytes.
#[derive(Default)]
pub struct Demux {
    pending: Vec<u8>,
}

impl Demux {
    /// Feeds bytes; calls `out(stream, bytes)` for every complete frame.
    pub fn push(&mut self, data: &[u8], mut out: impl FnMut(u8, &[u8])) {
        self.pending.extend_from_slice(data);
        loop {
            if self.pending.len() < 8 {
                return;
            }
            let len = u32::from_be_bytes([self.pending[4], self.pending[5], self.pending[6], self.pending[7]]) as usize;
            if self.pending.len() < 8 + len {
                return;
            }
            out(self.pending[0], &self.pending[8..8 + len]);
            self.pending.drain(..8 + len);
        }
    }
}

/// Registry credentials, declared once for the `docker` builder (to pull) and `docker-push`.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
pub struct Login {
    /// Log in to the registry first.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub login: Option<bool>,
    /// The registry to log in to.
    pub login_server: Option<String>,
    /// The registry user.
    pub login_username: Option<String>,
    /// The registry password (sent to the daemon only, never printed).
    #[schemars(extend("writeOnly" = true))]
    pub login_password: Option<String>,
}

impl Login {
    /// Whether `login = true`.
    pub fn wanted(&self) -> bool {
        self.login == Some(true)
    }

    /// With `login = true`, checks the credentials with the registry through the daemon
    /// (Packer's `Logging in...`) and returns the `X-Registry-Auth` value; without, the
    /// header of no credentials (push wants one).
    pub async fn auth(&self, docker: &Docker, ui: &dyn Ui) -> Result<String, RunError> {
        if !self.wanted() {
            return Ok(registry_auth("", "", ""));
        }
        ui.message("Logging in...");
        let user = self.login_username.clone().unwrap_or_default();
        let password = self.login_password.clone().unwrap_or_default();
        let server = self.login_server.clone().unwrap_or_default();
        let body = serde_json::json!({ "username": user, "password": password, "serveraddress": server });
        docker.json(http::Method::POST, "/auth", Some(&body)).await?;
        Ok(registry_auth(&user, &password, &server))
    }
}

/// `X-Registry-Auth`: the credentials the daemon passes to a registry (base64url JSON).
pub fn registry_auth(username: &str, password: &str, server: &str) -> String {
    use base64::Engine;
    let json = serde_json::json!({ "username": username, "password": password, "serveraddress": server });
    base64::engine::general_purpose::URL_SAFE.encode(json.to_string())
}

/// Splits an image reference into repository and tag (or digest): `host:5000/a/b:v1` gives
/// `host:5000/a/b` and `v1`; no tag means `latest`.
pub fn split_reference(image: &str) -> (String, String) {
    if let Some((repo, digest)) = image.split_once('@') {
        return (repo.to_string(), digest.to_string());
    }
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo.to_string(), tag.to_string()),
        _ => (image.to_string(), "latest".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_tag_not_the_registry_port() {
        assert_eq!(split_reference("busybox"), ("busybox".into(), "latest".into()));
        assert_eq!(split_reference("127.0.0.1:5000/a/b:v1"), ("127.0.0.1:5000/a/b".into(), "v1".into()));
        assert_eq!(split_reference("127.0.0.1:5000/a/b"), ("127.0.0.1:5000/a/b".into(), "latest".into()));
        assert_eq!(split_reference("a@sha256:00"), ("a".into(), "sha256:00".into()));
    }

    #[test]
    fn frames_are_split_by_stream_even_across_pushes() {
        let mut d = Demux::default();
        let mut got = Vec::new();
        let mut bytes = vec![1, 0, 0, 0, 0, 0, 0, 3];
        bytes.extend_from_slice(b"abc");
        bytes.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 2]);
        bytes.extend_from_slice(b"de");
        d.push(&bytes[..5], |s, b| got.push((s, b.to_vec())));
        d.push(&bytes[5..], |s, b| got.push((s, b.to_vec())));
        assert_eq!(got, vec![(1, b"abc".to_vec()), (2, b"de".to_vec())]);
    }
}
