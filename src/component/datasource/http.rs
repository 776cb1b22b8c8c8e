//! The `http` data source: fetches a URL (only when the build runs; `validate` never does).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

/// Configuration of the `http` data source.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// The URL.
    pub url: String,
    /// `GET` (default), `HEAD`, `POST`, `PUT`, `DELETE`, `OPTIONS` or `PATCH`.
    pub method: Option<String>,
    /// Request headers.
    pub request_headers: Option<BTreeMap<String, String>>,
    /// Request body.
    pub request_body: Option<String>,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        cx.one_of_values("method", &["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]);
        if !cx.node.is_deferred("url") && !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            cx.error(
                "url",
                format!("`url` must start with http:// or https://, not {:?}", self.url),
                "write a full URL",
            );
        }
    }
}
