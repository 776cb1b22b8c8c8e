//! The `amazon-ami` data source: finds an AMI (`data.amazon-ami.NAME.id`) when the build runs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::Fetched;

/// Configuration of the `amazon-ami` data source.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// EC2 image filters, name to value.
    pub filters: Option<BTreeMap<String, String>>,
    /// Image owners: account ids, `self`, `amazon`, `aws-marketplace`.
    pub owners: Option<Vec<String>>,
    /// Take the newest match instead of requiring exactly one.
    pub most_recent: Option<bool>,
    /// Also match deprecated AMIs.
    pub include_deprecated: Option<bool>,
    /// How to reach AWS.
    #[serde(flatten)]
    pub access: crate::component::aws::Access,
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        if self.filters.is_none() && self.owners.is_none() {
            cx.diags.push(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::MissingArgument,
                    cx.header,
                    "an `amazon-ami` data source needs `filters` or `owners`",
                )
                .with_help("for example `filters = { name = \"ubuntu/images/*\" }` and `owners = [\"099720109477\"]`"),
            );
        }
        if self.filters.is_some() && self.owners.as_ref().is_none_or(Vec::is_empty) {
            cx.error(
                "filters",
                "for security reasons, the AMI filter must declare an owner",
                "add `owners = [\"ACCOUNT_ID\"]`",
            );
        }
        self.access.check(cx);
    }
}

impl crate::component::runtime::DataSourceRun for Config {
    fn fetch(self) -> crate::component::runtime::BoxFuture<'static, Result<Fetched, String>> {
        Box::pin(async move {
            let value = fetch(&self).await.map_err(|e| e.to_string())?;
            Ok(Fetched { value, warnings: Vec::new() })
        })
    }
}

/// Looks the AMI up (when the build runs, or for `validate -evaluate-datasources`): the newest
/// match with `most_recent`, else exactly one. Outputs `id`, `name`, `creation_date`, `owner`,
/// `owner_name` and `tags`, as Packer's data source does.
///
/// # Errors
/// No match, several matches without `most_recent`, or an API error.
pub async fn fetch(cfg: &Config) -> Result<crate::eval::value::Value, crate::component::runtime::RunError> {
    use crate::component::runtime::RunError;
    use crate::eval::value::Value;
    let region = cfg.access.region().unwrap_or_else(|| "us-east-1".into());
    let ec2 = crate::component::aws::client(&cfg.access, &region).await?;
    let mut req = ec2.describe_images();
    for (k, v) in cfg.filters.iter().flatten() {
        req = req.filters(aws_sdk_ec2::types::Filter::builder().name(k).values(v).build());
    }
    for o in cfg.owners.iter().flatten() {
        req = req.owners(o);
    }
    let out = req
        .send()
        .await
        .map_err(|e| RunError::failed(format!("amazon-ami: {e:?}").chars().take(300).collect::<String>()))?;
    let mut images = out.images().to_vec();
    if images.len() > 1 && !cfg.most_recent.unwrap_or(false) {
        return Err(RunError::failed(
            "amazon-ami: your query returned more than one result; set `most_recent = true` or narrow the filters",
        ));
    }
    images.sort_by(|a, b| b.creation_date().unwrap_or_default().cmp(a.creation_date().unwrap_or_default()));
    let Some(img) = images.into_iter().next() else {
        return Err(RunError::failed("amazon-ami: no AMI matches the filters and owners"));
    };
    let tags: BTreeMap<String, Value> = img
        .tags()
        .iter()
        .map(|t| (t.key().unwrap_or_default().to_string(), Value::string(t.value().unwrap_or_default())))
        .collect();
    let s = |v: Option<&str>| Value::string(v.unwrap_or_default());
    Ok(Value::map(BTreeMap::from([
        ("id".to_string(), s(img.image_id())),
        ("name".to_string(), s(img.name())),
        ("creation_date".to_string(), s(img.creation_date())),
        ("owner".to_string(), s(img.owner_id())),
        ("owner_name".to_string(), s(img.image_owner_alias())),
        ("tags".to_string(), Value::map(tags)),
    ])))
}
