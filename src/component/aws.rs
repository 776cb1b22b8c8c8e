//! AWS access shared by the `amazon-ebs` builder and the `amazon-ami` data source (Packer's
//! AccessConfig): credentials, profile and shared files, an assumed role, the region, the EC2
//! endpoint and retries, declared once and turned into an EC2 client.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2 as ec2;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::RunError;

/// `assume_role { … }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct AssumeRole {
    /// The role to assume.
    pub role_arn: String,
    /// The session name.
    pub session_name: Option<String>,
    /// Session length in seconds.
    pub duration_seconds: Option<i64>,
    /// An external id required by the role.
    pub external_id: Option<String>,
    /// An inline session policy.
    pub policy: Option<String>,
    /// Managed session policies.
    pub policy_arns: Option<Vec<String>>,
    /// Session tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Tags passed on to chained roles (not supported by forge).
    #[schemars(extend("x-forge-refused" = "remove `transitive_tag_keys`; session `tags` are passed"))]
    pub transitive_tag_keys: Option<Vec<String>>,
}

/// How to reach AWS.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Access {
    /// AWS access key (with `secret_key`); otherwise the SDK's standard chain (environment,
    /// shared files, SSO, instance metadata).
    pub access_key: Option<String>,
    /// AWS secret key.
    #[schemars(extend("writeOnly" = true))]
    pub secret_key: Option<String>,
    /// A session token.
    #[schemars(extend("writeOnly" = true))]
    pub token: Option<String>,
    /// A profile of the shared config files.
    pub profile: Option<String>,
    /// The shared credentials file (default `~/.aws/credentials`).
    pub shared_credentials_file: Option<String>,
    /// The region (default: `AWS_REGION`, `AWS_DEFAULT_REGION`).
    pub region: Option<String>,
    /// An EC2 endpoint, e.g. a local emulator.
    pub custom_endpoint_ec2: Option<String>,
    /// Do not check that the regions exist.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub skip_region_validation: Option<bool>,
    /// Accept any TLS certificate from the endpoints (a self-signed one).
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub insecure_skip_tls_verify: Option<bool>,
    /// Retries of a failed or throttled API call (10).
    #[serde(default, deserialize_with = "crate::component::weak::u32")]
    pub max_retries: Option<u32>,
    /// An MFA code for the credentials (not supported by forge).
    #[schemars(extend("x-forge-refused" = "get a session token with `aws sts get-session-token` and pass it as `token`"))]
    pub mfa_code: Option<String>,
    /// Do not validate the credentials with STS (forge never does before the first call).
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub skip_credential_validation: Option<bool>,
    /// Do not ask the instance metadata service for credentials.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub skip_metadata_api_check: Option<bool>,
    /// Decode authorization failure messages (not supported by forge).
    #[schemars(extend("x-forge-refused" = "decode a message with `aws sts decode-authorization-message`"))]
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub decode_authorization_messages: Option<bool>,
    /// Assume a role with the credentials found.
    #[serde(default, deserialize_with = "crate::component::weak::block")]
    pub assume_role: Option<AssumeRole>,
    /// Credentials from Vault's AWS engine (not supported by forge).
    #[schemars(extend("x-forge-refused" = "pass the credentials as sensitive variables, or use the environment or a profile"))]
    pub vault_aws_engine: Option<serde_json::Value>,
}

impl Access {
    /// Packer's Prepare rules for access (what forge refuses is declared on the fields).
    pub fn check(&self, cx: &mut PrepareCtx<'_>) {
        cx.together("access_key", "secret_key");
    }

    /// The region to work in: `region`, else `AWS_REGION` or `AWS_DEFAULT_REGION`.
    pub fn region(&self) -> Option<String> {
        self.region
            .clone()
            .filter(|r| !r.is_empty())
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .filter(|r| !r.is_empty())
    }
}

/// A setting, unless it is empty: an empty string leaves a setting unset (as in Packer, and
/// as `-var key_file=` means).
pub(crate) fn set(o: &Option<String>) -> Option<&str> {
    o.as_deref().filter(|s| !s.is_empty())
}

/// A failed SDK call as `what: Code: message` (the SDK's Display is terse, "service error";
/// its Debug names the code and the message).
pub(crate) fn sdk_err<E: std::fmt::Debug>(what: &str, e: E) -> RunError {
    let text = format!("{e:?}");
    let code = text.split("code: Some(\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
    let message = text.split("message: Some(\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
    if code.is_empty() {
        RunError::failed(format!("{what}: {}", text.chars().take(300).collect::<String>()))
    } else {
        RunError::failed(format!("{what}: {code}: {message}"))
    }
}

/// `id: Code: message` of a failed call, for a cleanup's error line.
pub(crate) fn short_err<E: std::fmt::Debug>(id: &str, e: &E) -> String {
    match sdk_err(id, e) {
        RunError::Failed(m) => m,
        RunError::Cancelled => format!("{id}: cancelled"),
    }
}

/// An EC2 client for `region` with this access.
///
/// # Errors
/// No CA certificates for HTTPS (aws-config would panic), or an unreadable credentials file.
pub async fn client(access: &Access, region: &str) -> Result<ec2::Client, RunError> {
    let insecure = access.insecure_skip_tls_verify == Some(true);
    if !insecure
        && std::fs::metadata("/etc/ssl/certs/ca-certificates.crt").is_err()
        && set(&access.custom_endpoint_ec2).is_none_or(|e| e.starts_with("https"))
    {
        return Err(RunError::failed(
            "no CA certificates on this machine (install the ca-certificates package): HTTPS to AWS would fail",
        ));
    }
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).region(aws_config::Region::new(region.to_string()));
    if let (Some(a), Some(s)) = (set(&access.access_key), set(&access.secret_key)) {
        loader = loader.credentials_provider(ec2::config::Credentials::new(
            a,
            s,
            access.token.clone(),
            None,
            "forge-template",
        ));
    }
    if let Some(p) = set(&access.profile) {
        loader = loader.profile_name(p);
    }
    if insecure {
        loader = loader.http_client(crate::component::aws_insecure::client().map_err(RunError::failed)?);
    }
    let files = match set(&access.shared_credentials_file) {
        Some(file) => {
            let path = expand_home(file);
            if std::fs::metadata(&path).is_err() {
                return Err(RunError::failed(format!("`shared_credentials_file` {path:?} cannot be read")));
            }
            Some(profile_files(path))
        }
        None => None,
    };
    if let Some(f) = &files {
        loader = loader.profile_files(f.clone());
    }
    let static_keys = set(&access.access_key).is_some() && set(&access.secret_key).is_some();
    if access.skip_metadata_api_check == Some(true) && !static_keys {
        // The standard chain without the instance metadata service: environment, then profile.
        let mut profile = aws_config::profile::ProfileFileCredentialsProvider::builder();
        if let Some(p) = set(&access.profile) {
            profile = profile.profile_name(p);
        }
        if let Some(f) = files {
            profile = profile.profile_files(f);
        }
        let chain = aws_config::meta::credentials::CredentialsProviderChain::first_try(
            "Environment",
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        )
        .or_else("Profile", profile.build());
        loader = loader.credentials_provider(chain);
    }
    let attempts = access.max_retries.map_or(11, |n| n.saturating_add(1));
    loader = loader.retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts));
    let conf = loader.load().await;
    let mut builder = ec2::config::Builder::from(&conf);
    if let Some(role) = &access.assume_role {
        builder = builder.credentials_provider(assumed(role, &conf).await);
    }
    // Set on the client, so that it wins over AWS_ENDPOINT_URL_EC2 as Packer's setting does.
    if let Some(ep) = set(&access.custom_endpoint_ec2) {
        builder = builder.endpoint_url(ep);
    }
    Ok(ec2::Client::from_conf(builder.build()))
}

/// The role's credentials, got with the credentials found first.
async fn assumed(role: &AssumeRole, conf: &aws_config::SdkConfig) -> aws_config::sts::AssumeRoleProvider {
    let mut b = aws_config::sts::AssumeRoleProvider::builder(role.role_arn.clone())
        .configure(conf)
        .session_name(role.session_name.clone().unwrap_or_else(|| format!("forge-{}", uuid::Uuid::new_v4().simple())));
    if let Some(id) = set(&role.external_id) {
        b = b.external_id(id);
    }
    if let Some(p) = set(&role.policy) {
        b = b.policy(p);
    }
    if let Some(arns) = &role.policy_arns {
        b = b.policy_arns(arns.clone());
    }
    if let Some(secs) = role.duration_seconds.and_then(|s| u64::try_from(s).ok()) {
        b = b.session_length(Duration::from_secs(secs));
    }
    if let Some(tags) = &role.tags {
        b = b.tags(tags.clone());
    }
    b.build().await
}

/// The default config file plus `path` as the credentials file.
// aws-config names these types through deprecated aliases of aws-runtime's.
#[allow(deprecated)]
fn profile_files(path: std::path::PathBuf) -> aws_config::profile::profile_file::ProfileFiles {
    aws_config::profile::profile_file::ProfileFiles::builder()
        .include_default_config_file(true)
        .with_file(aws_config::profile::profile_file::ProfileFileKind::Credentials, path)
        .build()
}

fn expand_home(p: &str) -> std::path::PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => std::path::PathBuf::from(p),
    }
}

/// Checks that `regions` exist (Packer's region validation), with one DescribeRegions call.
///
/// # Errors
/// A region EC2 does not know, or a failed call.
pub async fn validate_regions(ec2: &ec2::Client, regions: &[String]) -> Result<(), RunError> {
    let out =
        ec2.describe_regions().all_regions(true).send().await.map_err(|e| sdk_err("error validating regions", e))?;
    let known: Vec<&str> = out.regions().iter().filter_map(|r| r.region_name()).collect();
    let unknown: Vec<&String> = regions.iter().filter(|r| !known.contains(&r.as_str())).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let hints: Vec<String> = unknown
        .iter()
        .map(|r| match crate::diag::did_you_mean(r, known.iter().copied()) {
            Some(k) => format!("{r:?} (did you mean {k:?}?)"),
            None => format!("{r:?}"),
        })
        .collect();
    Err(RunError::failed(format!(
        "error validating regions: not a valid AWS region: {}; set `skip_region_validation = true` for an emulator or a new region",
        hints.join(", ")
    )))
}
