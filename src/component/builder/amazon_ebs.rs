//! The `amazon-ebs` builder's configuration: every argument of Packer's amazon plugin and its
//! Prepare rules, including the arguments forge refuses rather than ignores. Running it is
//! `amazon_ebs_run` (launch to connect) and `amazon_ebs_image` (after provisioning).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::aws::Access;
use crate::component::communicator::ssh;
use crate::component::declared::{GoDuration, string_enum};
use crate::component::prepare::PrepareCtx;

string_enum! {
    /// An EBS volume type.
    VolumeType { Standard = "standard", Io1 = "io1", Io2 = "io2", Gp2 = "gp2", Gp3 = "gp3", Sc1 = "sc1", St1 = "st1" }
}

string_enum! {
    /// A metadata option that is on or off.
    Toggle { Enabled = "enabled", Disabled = "disabled" }
}

string_enum! {
    /// Whether the instance metadata service requires session tokens (IMDSv2).
    HttpTokens { Optional = "optional", Required = "required" }
}

string_enum! {
    /// What the instance does when it shuts itself down.
    ShutdownBehavior { Stop = "stop", Terminate = "terminate" }
}

string_enum! {
    /// An AMI's virtualization type.
    Virtualization { Paravirtual = "paravirtual", Hvm = "hvm" }
}

string_enum! {
    /// An AMI's boot mode.
    BootMode { LegacyBios = "legacy-bios", Uefi = "uefi", UefiPreferred = "uefi-preferred" }
}

string_enum! {
    /// The instance metadata service version an AMI's instances require (empty: none).
    ImdsSupport { V2 = "v2.0", Unset = "" }
}

/// A block device mapping (`launch_block_device_mappings`, `ami_block_device_mappings`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct BlockDevice {
    /// The device name, e.g. `/dev/sda1`.
    pub device_name: String,
    /// Size in GiB.
    pub volume_size: Option<i64>,
    /// `gp2`, `gp3`, `io1`, `io2`, `st1`, `sc1` or `standard`.
    pub volume_type: Option<VolumeType>,
    /// Provisioned IOPS (io1, io2, gp3).
    pub iops: Option<i64>,
    /// Throughput in MiB/s (gp3).
    pub throughput: Option<i64>,
    /// Delete the volume when the instance terminates.
    pub delete_on_termination: Option<bool>,
    /// Encrypt the volume.
    pub encrypted: Option<bool>,
    /// The KMS key of an encrypted launch volume.
    pub kms_key_id: Option<String>,
    /// Create the volume from this snapshot.
    pub snapshot_id: Option<String>,
    /// An instance-store volume name (`ephemeral0`).
    pub virtual_name: Option<String>,
    /// Suppress the device of the AMI.
    pub no_device: Option<bool>,
}

/// `source_ami_filter`, `vpc_filter`, `subnet_filter`, `security_group_filter`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Filter {
    /// EC2 filters, name to value.
    pub filters: Option<BTreeMap<String, String>>,
    /// AMI owners: account ids, `self`, `amazon`, `aws-marketplace` (source AMI filter).
    pub owners: Option<Vec<String>>,
    /// Take the newest match instead of requiring exactly one.
    pub most_recent: Option<bool>,
    /// Also match deprecated AMIs.
    pub include_deprecated: Option<bool>,
    /// Subnet filter: the subnet with the most free addresses.
    pub most_free: Option<bool>,
    /// Subnet filter: a random matching subnet.
    pub random: Option<bool>,
}

/// `tag { key = …, value = … }` and its twins.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct KeyValue {
    /// The tag key (`name` in `run_volume_tag`).
    #[serde(alias = "name")]
    pub key: String,
    /// The tag value.
    pub value: String,
}

/// `aws_polling { … }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Polling {
    /// How many times to poll.
    pub max_attempts: Option<i64>,
    /// Seconds between polls.
    pub delay_seconds: Option<i64>,
}

/// `metadata_options { … }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct MetadataOptions {
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<Toggle>,
    /// `optional` or `required` (IMDSv2).
    pub http_tokens: Option<HttpTokens>,
    /// 1 to 64.
    pub http_put_response_hop_limit: Option<i64>,
    /// `enabled` or `disabled`.
    pub instance_metadata_tags: Option<Toggle>,
}

/// `placement { … }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Placement {
    /// `default`, `dedicated` or `host`.
    pub tenancy: Option<String>,
    /// A dedicated host.
    pub host_id: Option<String>,
    /// A host resource group.
    pub host_resource_group_arn: Option<String>,
}

/// `deregistration_protection { … }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct DeregistrationProtection {
    /// Protect the AMI from deregistration.
    pub enabled: Option<bool>,
    /// Keep protection for 24 hours after it is disabled.
    pub with_cooldown: Option<bool>,
}

/// Configuration of the `amazon-ebs` builder.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Config {
    /// How to reach AWS.
    #[serde(flatten)]
    pub access: Access,
    /// How to wait for EC2 state changes.
    pub aws_polling: Option<Polling>,
    // Source.
    /// The AMI to start from.
    pub source_ami: Option<String>,
    /// Find the AMI to start from.
    pub source_ami_filter: Option<Filter>,
    // Instance.
    /// The instance type.
    pub instance_type: Option<String>,
    /// Spot instance types (instead of `instance_type`).
    #[schemars(extend("x-forge-refused" = "forge launches on-demand instances only: set `instance_type`"))]
    pub spot_instance_types: Option<Vec<String>>,
    /// A spot price, or `auto`.
    #[schemars(extend("x-forge-refused" = "forge launches on-demand instances only: remove `spot_price`"))]
    pub spot_price: Option<String>,
    /// The spot allocation strategy.
    #[schemars(extend("x-forge-refused" = "forge launches on-demand instances only"))]
    pub spot_allocation_strategy: Option<String>,
    /// Tags of the spot request.
    #[schemars(extend("x-forge-refused" = "forge launches on-demand instances only"))]
    pub spot_tags: Option<BTreeMap<String, String>>,
    /// Tags of the EC2 fleet.
    #[schemars(extend("x-forge-refused" = "forge launches on-demand instances only"))]
    pub fleet_tags: Option<BTreeMap<String, String>>,
    /// Volumes of the build instance.
    pub launch_block_device_mappings: Option<Vec<BlockDevice>>,
    /// Tags of the build instance.
    pub run_tags: Option<BTreeMap<String, String>>,
    /// `run_tag { key, value }` blocks.
    pub run_tag: Option<Vec<KeyValue>>,
    /// Tags of the build instance's volumes.
    pub run_volume_tags: Option<BTreeMap<String, String>>,
    /// `run_volume_tag { name, value }` blocks.
    pub run_volume_tag: Option<Vec<KeyValue>>,
    /// User data.
    pub user_data: Option<String>,
    /// A file of user data.
    pub user_data_file: Option<String>,
    /// An IAM instance profile for the build instance.
    pub iam_instance_profile: Option<String>,
    /// A policy for a temporary instance profile.
    #[schemars(extend("x-forge-refused" = "create the instance profile beforehand and name it in `iam_instance_profile`"))]
    pub temporary_iam_instance_profile_policy_document: Option<serde_json::Value>,
    /// Do not check the instance profile.
    pub skip_profile_validation: Option<bool>,
    /// Instance metadata service options.
    pub metadata_options: Option<MetadataOptions>,
    /// EBS-optimized instance.
    pub ebs_optimized: Option<bool>,
    /// `stop` (default) or `terminate`.
    pub shutdown_behavior: Option<ShutdownBehavior>,
    /// Do not stop the instance before creating the AMI.
    pub disable_stop_instance: Option<bool>,
    /// Unlimited CPU credits for burstable types.
    pub enable_unlimited_credits: Option<bool>,
    /// Nitro Enclaves.
    pub enable_nitro_enclave: Option<bool>,
    /// Placement of the instance.
    pub placement: Option<Placement>,
    /// Tenancy (deprecated: use `placement`).
    pub tenancy: Option<String>,
    /// Capacity reservation preference: `none`, `open`.
    pub capacity_reservation_preference: Option<String>,
    /// A capacity reservation.
    pub capacity_reservation_id: Option<String>,
    /// A capacity reservation group.
    pub capacity_reservation_group_arn: Option<String>,
    /// Wait this long for a Windows password.
    pub windows_password_timeout: Option<GoDuration>,
    /// Wait before connecting with Session Manager.
    #[schemars(extend("x-forge-refused" = "Session Manager is not supported: connect over SSH"))]
    pub pause_before_ssm: Option<GoDuration>,
    /// The local port of a Session Manager tunnel.
    #[schemars(extend("x-forge-refused" = "Session Manager is not supported: connect over SSH"))]
    pub session_manager_port: Option<i64>,
    // Network.
    /// The VPC.
    pub vpc_id: Option<String>,
    /// Find the VPC.
    pub vpc_filter: Option<Filter>,
    /// The subnet.
    pub subnet_id: Option<String>,
    /// Find the subnet.
    pub subnet_filter: Option<Filter>,
    /// The availability zone.
    pub availability_zone: Option<String>,
    /// Give the instance a public IP.
    pub associate_public_ip_address: Option<bool>,
    /// A security group to use.
    pub security_group_id: Option<String>,
    /// Security groups to use.
    pub security_group_ids: Option<Vec<String>>,
    /// Find security groups.
    pub security_group_filter: Option<Filter>,
    /// Who may connect through the temporary security group.
    #[schemars(default = "default_cidrs")]
    pub temporary_security_group_source_cidrs: Option<Vec<String>>,
    /// Open the temporary security group to forge's public IP only.
    #[schemars(extend("x-forge-refused" = "list your address in `temporary_security_group_source_cidrs`"))]
    pub temporary_security_group_source_public_ip: Option<bool>,
    // AMI.
    /// The AMI's name.
    pub ami_name: String,
    /// The AMI's description.
    pub ami_description: Option<String>,
    /// Volumes of the AMI.
    pub ami_block_device_mappings: Option<Vec<BlockDevice>>,
    /// `paravirtual` or `hvm`.
    pub ami_virtualization_type: Option<Virtualization>,
    /// Regions to copy the AMI to.
    pub ami_regions: Option<Vec<String>>,
    /// Accounts that may launch the AMI.
    pub ami_users: Option<Vec<String>>,
    /// Groups that may launch the AMI (`all` makes it public).
    pub ami_groups: Option<Vec<String>>,
    /// Organizations that may launch the AMI.
    pub ami_org_arns: Option<Vec<String>>,
    /// Organizational units that may launch the AMI.
    pub ami_ou_arns: Option<Vec<String>>,
    /// Product codes of the AMI.
    pub ami_product_codes: Option<Vec<String>>,
    /// Accounts that may use the snapshots.
    pub snapshot_users: Option<Vec<String>>,
    /// Groups that may use the snapshots.
    pub snapshot_groups: Option<Vec<String>>,
    /// Tags of the AMI.
    pub tags: Option<BTreeMap<String, String>>,
    /// `tag { key, value }` blocks.
    pub tag: Option<Vec<KeyValue>>,
    /// Tags of the snapshots.
    pub snapshot_tags: Option<BTreeMap<String, String>>,
    /// `snapshot_tag { key, value }` blocks.
    pub snapshot_tag: Option<Vec<KeyValue>>,
    /// Do not copy the run tags to the AMI.
    pub skip_ami_run_tags: Option<bool>,
    /// Deregister an existing AMI of the same name.
    pub force_deregister: Option<bool>,
    /// Also delete its snapshots.
    pub force_delete_snapshot: Option<bool>,
    /// Encrypt the AMI's boot volume.
    pub encrypt_boot: Option<bool>,
    /// The KMS key of the boot volume.
    pub kms_key_id: Option<String>,
    /// KMS keys per copy region.
    pub region_kms_key_ids: Option<BTreeMap<String, String>>,
    /// Run everything but the AMI creation.
    pub skip_create_ami: Option<bool>,
    /// Do not keep the AMI in the build region.
    pub skip_save_build_region: Option<bool>,
    /// Enhanced networking (ENA).
    pub ena_support: Option<bool>,
    /// Enhanced networking (SR-IOV).
    pub sriov_support: Option<bool>,
    /// `v2.0` to require IMDSv2 on instances of the AMI.
    pub imds_support: Option<ImdsSupport>,
    /// When the AMI becomes deprecated (RFC 3339).
    pub deprecate_at: Option<String>,
    /// `legacy-bios`, `uefi` or `uefi-preferred`.
    #[schemars(extend("x-forge-refused" = "use a source AMI that has the boot mode you want"))]
    pub boot_mode: Option<BootMode>,
    /// Protection against deregistration.
    pub deregistration_protection: Option<DeregistrationProtection>,
    /// Minutes to wait for a snapshot copy.
    pub snapshot_copy_duration_minutes: Option<i64>,
    /// How to reach the instance.
    #[serde(flatten)]
    pub comm: ssh::Config,
}

fn default_cidrs() -> Vec<String> {
    vec!["0.0.0.0/0".into()]
}

/// Characters an AMI name may contain.
fn ami_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "()[] ./-'@_".contains(c)
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        self.check_ami_name(cx);
        cx.one_of("instance_type", "spot_instance_types");
        cx.one_of("source_ami", "source_ami_filter");
        if let Some(f) = &self.source_ami_filter {
            if f.owners.as_ref().is_none_or(Vec::is_empty) && !cx.node.is_deferred("source_ami_filter") {
                cx.error(
                    "source_ami_filter",
                    "for security reasons, your source AMI filter must declare an owner",
                    "add `owners = [\"ACCOUNT_ID\"]` (or \"self\", \"amazon\") to `source_ami_filter`",
                );
            }
        }
        self.access.check(cx);
        cx.at_most_one(&["user_data", "user_data_file"]);
        cx.file_exists("user_data_file");
        cx.at_most_one(&["security_group_id", "security_group_ids", "security_group_filter"]);
        self.comm.check(cx, true, true);
    }
}

impl Config {
    fn check_ami_name(&self, cx: &mut PrepareCtx<'_>) {
        let name = &self.ami_name;
        // Templates ({{timestamp}}) and run-time values are checked once rendered.
        if cx.node.is_deferred("ami_name") || name.contains("{{") {
            return;
        }
        if !(3..=128).contains(&name.chars().count()) {
            cx.error(
                "ami_name",
                format!("`ami_name` must be 3 to 128 characters long, not {}", name.chars().count()),
                "shorten or lengthen the name",
            );
        } else if let Some(c) = name.chars().find(|c| !ami_name_char(*c)) {
            cx.error(
                "ami_name",
                format!("`ami_name` cannot contain {c:?}"),
                "AMI names use letters, digits, spaces and ( ) [ ] . / - ' @ _; `clean_resource_name` replaces the rest",
            );
        }
    }
}
