//! Data sources: values fetched when the build runs (`data.TYPE.NAME.attr`).

pub mod amazon_ami;
pub mod http;
pub mod null;

use crate::component::node::Node;
use crate::eval::value::Value;

/// What fetching a data source gave.
pub struct Fetched {
    /// Its output, `data.TYPE.NAME`.
    pub value: Value,
    /// What the user should know (a body that is not text).
    pub warnings: Vec<String>,
}

/// Whether data sources of this type are fetched when the build runs; `null` is known from the
/// template alone.
pub fn is_fetched(kind: &str) -> bool {
    matches!(kind, "amazon-ami" | "http")
}

/// Fetches a data source of type `kind` from its evaluated arguments. When an argument is
/// sensitive (a token in a header), so is the whole output.
///
/// # Errors
/// Arguments that do not decode, or the service's answer when it failed.
pub async fn fetch(kind: &str, node: &Node) -> Result<Fetched, String> {
    let mut fetched = fetch_unmarked(kind, node).await?;
    fetched.value = fetched.value.mark(node.value.is_sensitive());
    Ok(fetched)
}

async fn fetch_unmarked(kind: &str, node: &Node) -> Result<Fetched, String> {
    use crate::component::decode::decode;
    match kind {
        "amazon-ami" => {
            let cfg: amazon_ami::Config = decode(node).map_err(|e| e.message)?;
            let value = amazon_ami::fetch(&cfg).await.map_err(|e| e.to_string())?;
            Ok(Fetched { value, warnings: Vec::new() })
        }
        "http" => {
            let cfg: http::Config = decode(node).map_err(|e| e.message)?;
            let answer = http::fetch(&cfg).await.map_err(|e| format!("http: {e}"))?;
            Ok(Fetched { value: answer.value, warnings: answer.warning.into_iter().collect() })
        }
        _ => Err(format!("a `{kind}` data source is not fetched")),
    }
}
