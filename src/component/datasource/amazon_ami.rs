//! The `amazon-ami` data source: finds an AMI (`data.amazon-ami.NAME.id`) when the build runs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

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
    /// The region to search.
    pub region: Option<String>,
    /// AWS access key.
    pub access_key: Option<String>,
    /// AWS secret key.
    pub secret_key: Option<String>,
    /// A session token.
    pub token: Option<String>,
    /// A profile of the shared config files.
    pub profile: Option<String>,
    /// The shared credentials file.
    pub shared_credentials_file: Option<String>,
    /// An EC2 endpoint.
    pub custom_endpoint_ec2: Option<String>,
    /// Skip TLS verification.
    pub insecure_skip_tls_verify: Option<bool>,
    /// Do not check the region.
    pub skip_region_validation: Option<bool>,
    /// Do not validate the credentials.
    pub skip_credential_validation: Option<bool>,
    /// Do not use the instance metadata service.
    pub skip_metadata_api_check: Option<bool>,
    /// Retries of throttled calls.
    pub max_retries: Option<i64>,
    /// Assume a role.
    pub assume_role: Option<crate::component::builder::amazon_ebs::AssumeRole>,
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
        cx.together("access_key", "secret_key");
    }
}
