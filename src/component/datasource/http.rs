//! The `http` data source: fetches a URL (only when the build runs; `validate` never does,
//! unless asked with `-evaluate-datasources`). Outputs `url`, `body` and the response headers
//! under Packer's name for them, `request_headers`.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::Fetched;
use crate::eval::value::Value;

crate::component::declared::string_enum! {
    /// An HTTP method.
    Method { Get = "GET", Head = "HEAD", Post = "POST", Put = "PUT", Delete = "DELETE", Options = "OPTIONS", Patch = "PATCH" }
}

/// How many redirects are followed before giving up, as Go's HTTP client (Packer's).
const MAX_REDIRECTS: usize = 10;

/// Configuration of the `http` data source.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The URL. It must answer with a 2xx status; a body that is not text (`text/*`,
    /// `application/json`) is kept but warned about.
    pub url: String,
    /// `GET` (default), `HEAD`, `POST`, `PUT`, `DELETE`, `OPTIONS` or `PATCH`.
    pub method: Option<Method>,
    /// Request headers.
    pub request_headers: Option<BTreeMap<String, String>>,
    /// Request body.
    pub request_body: Option<String>,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        if !cx.node.is_deferred("url") && !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            cx.error(
                "url",
                format!("`url` must start with http:// or https://, not {:?}", self.url),
                "write a full URL",
            );
        }
    }
}

impl crate::component::runtime::DataSourceRun for Config {
    fn fetch(self) -> crate::component::runtime::BoxFuture<'static, Result<Fetched, String>> {
        Box::pin(async move {
            let answer = fetch(&self).await.map_err(|e| format!("http: {e}"))?;
            Ok(Fetched { value: answer.value, warnings: answer.warning.into_iter().collect() })
        })
    }
}

/// The answer to a request that succeeded: its output value and what to warn the user about.
pub struct Response {
    /// `url`, `body` and `request_headers` (the response's headers, Packer's name).
    pub value: Value,
    /// A body whose type is not text, as Packer warns.
    pub warning: Option<String>,
}

type Client = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// Sends the request, following redirects as Go's client does, and reads the whole answer.
///
/// # Errors
/// A URL or header that is not valid, a server that cannot be reached, a status outside
/// 2xx (`HTTP request error. Response code: 404`, Packer's words), or too many redirects.
pub async fn fetch(cfg: &Config) -> Result<Response, String> {
    let client = client(cfg.url.starts_with("https://"))?;
    let mut method: http::Method =
        cfg.method.map_or("GET", Method::as_str).parse().map_err(|_| format!("invalid method {:?}", cfg.method))?;
    let mut body = Bytes::from(cfg.request_body.clone().unwrap_or_default());
    let mut url = cfg.url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let uri: http::Uri = url.parse().map_err(|e| format!("invalid URL {url:?}: {e}"))?;
        let request = request(&method, &uri, cfg.request_headers.iter().flatten(), body.clone())?;
        let response = client.request(request).await.map_err(|e| format!("cannot fetch {url}: {}", causes(&e)))?;
        let status = response.status();
        if let Some(next) = redirect_target(&uri, &response) {
            // Go turns a redirected POST into a GET for 301, 302 and 303; 307 and 308 keep it.
            if matches!(status.as_u16(), 301..=303) && method != http::Method::HEAD {
                method = http::Method::GET;
                body = Bytes::new();
            }
            url = next;
            continue;
        }
        if !status.is_success() {
            return Err(format!("HTTP request error. Response code: {}", status.as_u16()));
        }
        let headers = response_headers(response.headers());
        let content_type = response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let warning = (!content_type.is_some_and(is_text)).then(|| {
            format!(
                "Content-Type is not recognized as a text type, got {:?}; if the content is binary data, \
                 forge may not handle it properly",
                content_type.unwrap_or_default()
            )
        });
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("cannot read the answer from {url}: {}", causes(&e)))?
            .to_bytes();
        let value = Value::map(BTreeMap::from([
            ("url".to_string(), Value::string(&cfg.url)),
            ("body".to_string(), Value::string(String::from_utf8_lossy(&bytes))),
            ("request_headers".to_string(), Value::map(headers)),
        ]));
        return Ok(Response { value, warning });
    }
    Err(format!("stopped after {MAX_REDIRECTS} redirects from {}", cfg.url))
}

/// An HTTP(S) client trusting the system's certificate authorities. Without any (no
/// `ca-certificates`), a plain-HTTP URL still works and an HTTPS one says why it cannot.
fn client(https: bool) -> Result<Client, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_provider_and_native_roots(provider.clone()) {
        Ok(b) => b,
        Err(e) if https => {
            return Err(format!("cannot verify HTTPS servers: {e} (install the ca-certificates package)"));
        }
        Err(_) => {
            let tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls)
        }
    };
    let connector = builder.https_or_http().enable_http1().build();
    Ok(hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector))
}

fn request<'a>(
    method: &http::Method,
    uri: &http::Uri,
    headers: impl Iterator<Item = (&'a String, &'a String)>,
    body: Bytes,
) -> Result<http::Request<Full<Bytes>>, String> {
    let mut builder = http::Request::builder()
        .method(method.clone())
        .uri(uri.clone())
        .header(http::header::USER_AGENT, concat!("forge/", env!("CARGO_PKG_VERSION")));
    for (name, value) in headers {
        let name = http::HeaderName::try_from(name.as_str()).map_err(|_| format!("invalid header name {name:?}"))?;
        let value =
            http::HeaderValue::try_from(value.as_str()).map_err(|_| format!("invalid value for the header {name}"))?;
        builder.headers_mut().map(|h| h.insert(name, value));
    }
    builder.body(Full::new(body)).map_err(|e| e.to_string())
}

/// Where a redirect answer points, resolved against the URL that gave it.
fn redirect_target<B>(from: &http::Uri, response: &http::Response<B>) -> Option<String> {
    if !matches!(response.status().as_u16(), 301..=303 | 307 | 308) {
        return None;
    }
    let location = response.headers().get(http::header::LOCATION)?.to_str().ok()?;
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_string());
    }
    let origin = format!("{}://{}", from.scheme_str().unwrap_or("http"), from.authority()?);
    if location.starts_with("//") {
        return Some(format!("{}:{location}", from.scheme_str().unwrap_or("http")));
    }
    if location.starts_with('/') {
        return Some(format!("{origin}{location}"));
    }
    let dir = from.path().rsplit_once('/').map_or("", |(d, _)| d);
    Some(format!("{origin}{dir}/{location}"))
}

/// The response headers by Go's canonical names (`Content-Type`), repeated ones joined with
/// `, ` (RFC 2616 §4.2), as Packer's output has them.
fn response_headers(headers: &http::HeaderMap) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        out.entry(canonical_header_name(name.as_str()))
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    out.into_iter().map(|(k, v)| (k, Value::string(v))).collect()
}

/// `content-type` → `Content-Type`: each word capitalised, as Go's `CanonicalMIMEHeaderKey`.
fn canonical_header_name(name: &str) -> String {
    let mut upper = true;
    name.chars()
        .map(|c| {
            let c = if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
            upper = c == '-';
            c
        })
        .collect()
}

/// Packer's test for a body it can keep as text: `text/*`, `application/json` or SAML
/// metadata, in UTF-8 or ASCII.
fn is_text(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let textual = (media.starts_with("text/") && media.len() > "text/".len())
        || media == "application/json"
        || media.starts_with("application/samlmetadata+xml");
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
    textual && charset.as_deref().is_none_or(|c| c == "utf-8" || c == "us-ascii")
}

/// An error and its causes, `outer: inner: innermost`: hyper's own text is only "client error (Connect)".
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_canonical_as_in_go() {
        assert_eq!(canonical_header_name("content-type"), "Content-Type");
        assert_eq!(canonical_header_name("x-amz-REQUEST-id"), "X-Amz-Request-Id");
        assert_eq!(canonical_header_name("etag"), "Etag");
    }

    #[test]
    fn text_types_follow_packers_rule() {
        assert!(is_text("text/plain"));
        assert!(is_text("application/json; charset=UTF-8"));
        assert!(is_text("text/html; charset=\"us-ascii\""));
        assert!(!is_text("text/plain; charset=latin1"));
        assert!(!is_text("application/octet-stream"));
        assert!(!is_text("text/"));
    }

    #[test]
    fn redirects_resolve_against_the_url_that_gave_them() {
        let from: http::Uri = "http://h:8/a/b?q".parse().unwrap();
        let answer = |loc: &str| http::Response::builder().status(302).header("location", loc).body(()).unwrap();
        assert_eq!(redirect_target(&from, &answer("/x")).as_deref(), Some("http://h:8/x"));
        assert_eq!(redirect_target(&from, &answer("c")).as_deref(), Some("http://h:8/a/c"));
        assert_eq!(redirect_target(&from, &answer("https://o/p")).as_deref(), Some("https://o/p"));
        assert_eq!(redirect_target(&from, &answer("//o/p")).as_deref(), Some("http://o/p"));
    }
}
