//! Running `amazon-ebs` on aws-sdk-ec2, in Packer's step order and with Packer's messages:
//! pre-validate, source AMI, key pair, security group, launch, connect; after the
//! provisioners: stop, create the AMI, copy it to other regions, set permissions and tags.
//! Every resource created is removed by a registered cleanup, also when a later step fails.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ec2 as ec2;
use ec2::types::{Filter, InstanceStateName, InstanceType, IpPermission, IpRange, ResourceType, Tag, TagSpecification};

use crate::component::aws::{sdk_err, set, short_err};
use crate::component::builder::amazon_ebs::{Config, KeyValue, ShutdownBehavior};
use crate::component::builder::amazon_ebs_network::{self, Network};
use crate::component::communicator::ssh::{KeyPairType, SshInterface};
use crate::component::communicator::ssh_client;
use crate::component::retry::Backoff;
use crate::component::runtime::{BoxFuture, Built, Communicator, Produced, RunCx, RunError};

fn aws_err(what: &str, e: impl std::fmt::Display) -> RunError {
    // The SDK's Display is terse ("service error"); its Debug names the code and message.
    RunError::failed(format!("{what}: {e}"))
}

/// How often and how long to poll for a state change: `aws_polling`, else Packer's
/// `AWS_POLL_DELAY_SECONDS` and `AWS_MAX_ATTEMPTS`, else every 200 ms for 10 minutes (EC2's
/// own waiters poll every 15 s; moto and fast operations answer at once).
fn polling(p: Option<&crate::component::builder::amazon_ebs::Polling>) -> (Duration, u32) {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.trim().parse::<i64>().ok());
    let delay = p.and_then(|p| p.delay_seconds).or_else(|| env("AWS_POLL_DELAY_SECONDS"));
    let attempts = p.and_then(|p| p.max_attempts).or_else(|| env("AWS_MAX_ATTEMPTS"));
    let delay = delay.map_or(Duration::from_millis(200), |s| Duration::from_secs(u64::try_from(s.max(0)).unwrap_or(1)));
    let attempts = attempts.map_or(3000, |n| u32::try_from(n.max(1)).unwrap_or(40));
    (delay, attempts)
}

/// Polls `check` until it says done, every `delay` (no fixed multi-second sleeps), up to `attempts`.
pub(crate) async fn poll<T, F, Fut>(
    cx: &RunCx,
    what: &str,
    delay: Duration,
    attempts: u32,
    mut check: F,
) -> Result<T, RunError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, RunError>>,
{
    for _ in 0..attempts {
        if let Some(done) = check().await? {
            return Ok(done);
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = cx.cancel.cancelled() => return Err(RunError::Cancelled),
        }
    }
    Err(RunError::failed(format!("timeout while waiting for {what}")))
}

/// One `amazon-ebs` build while it runs.
pub(crate) struct Run {
    pub(crate) cfg: Config,
    pub(crate) cx: RunCx,
    pub(crate) ec2: ec2::Client,
    pub(crate) region: String,
    pub(crate) delay: Duration,
    pub(crate) attempts: u32,
    /// The instance being built, once launched.
    instance: std::sync::Mutex<String>,
    /// Clients of the other regions (copies, attributes, tags), made once each.
    pub(crate) regional: tokio::sync::Mutex<BTreeMap<String, ec2::Client>>,
    /// The instance's EBS volumes (id, device), for the extra-volume cleanup.
    volumes: Arc<std::sync::Mutex<Vec<(String, String)>>>,
    /// What the build learnt (`SourceAMI`, `Host`…), for `build.X` and the `{{ .X }}` of names and tags.
    generated: std::sync::Mutex<BTreeMap<String, String>>,
}

impl crate::component::runtime::BuilderRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<Built, RunError>> {
        Box::pin(async move {
            let Some(region) = self.access.region() else {
                return Err(RunError::failed("no region: set `region`, AWS_REGION or AWS_DEFAULT_REGION"));
            };
            let ec2 = crate::component::aws::client(&self.access, &region).await?;
            let (delay, attempts) = polling(self.aws_polling.as_ref());
            let run = Arc::new(Run {
                cfg: self,
                cx: cx.clone(),
                ec2,
                region,
                delay,
                attempts,
                volumes: Arc::default(),
                instance: std::sync::Mutex::default(),
                regional: tokio::sync::Mutex::default(),
                generated: std::sync::Mutex::default(),
            });
            let communicator = run.clone().start().await?;
            // What was learnt wins over the configured connection values.
            let mut generated = run.cfg.comm.connection_values(&cx.base_dir);
            generated.extend(run.generated.lock().map(|g| g.clone()).unwrap_or_default());
            Ok(Built {
                artifact: Produced::Finish(Box::new(move || {
                    Box::pin(async move { run.finish().await.map(Into::into) })
                })),
                communicator: Some(communicator),
                generated,
            })
        })
    }
}

impl Run {
    /// The launched instance's id.
    pub(crate) fn instance_id(&self) -> String {
        self.instance.lock().map(|i| i.clone()).unwrap_or_default()
    }

    pub(crate) fn say(&self, text: &str) {
        self.cx.ui.say(text);
    }

    pub(crate) fn message(&self, text: &str) {
        self.cx.ui.message(text);
    }

    /// Stops between steps once the build is cancelled: a call in flight when Ctrl-C came is
    /// let finish (and what it created is cleaned up), but nothing new is started.
    pub(crate) fn go_on(&self) -> Result<(), RunError> {
        if self.cx.cancel.is_cancelled() { Err(RunError::Cancelled) } else { Ok(()) }
    }

    /// Everything up to a connected instance.
    async fn start(self: Arc<Self>) -> Result<Arc<dyn Communicator>, RunError> {
        self.prevalidate().await?;
        let source = self.source_ami().await?;
        if let Ok(mut g) = self.generated.lock() {
            g.insert("BuildRegion".into(), self.region.clone());
            g.insert("SourceAMI".into(), source.image_id().unwrap_or_default().to_string());
            g.insert("SourceAMIName".into(), source.name().unwrap_or_default().to_string());
            g.insert("SourceAMIOwner".into(), source.owner_id().unwrap_or_default().to_string());
            g.insert("SourceAMIOwnerName".into(), source.image_owner_alias().unwrap_or_default().to_string());
            g.insert("SourceAMICreationDate".into(), source.creation_date().unwrap_or_default().to_string());
            // `{{ .SourceAMITags.KEY }}`: each tag of the source AMI by its dotted path.
            for tag in source.tags() {
                g.insert(
                    format!("SourceAMITags.{}", tag.key().unwrap_or_default()),
                    tag.value().unwrap_or_default().to_string(),
                );
            }
        }
        self.go_on()?;
        let net = amazon_ebs_network::resolve(&self.cfg, &self.ec2, self.cx.ui.as_ref()).await?;
        let key = self.key_pair().await?;
        self.go_on()?;
        let groups = self.security_groups(net.vpc_id.as_deref()).await?;
        self.go_on()?;
        let instance = self.launch(&source, key.name.as_deref(), &groups, &net).await?;
        self.go_on()?;
        let host = self.wait_running(&instance).await?;
        self.go_on()?;
        let communicator = self.connect(&host, &key.private_key).await?;
        if let Ok(mut i) = self.instance.lock() {
            *i = instance;
        }
        Ok(communicator)
    }

    async fn prevalidate(&self) -> Result<(), RunError> {
        if self.cfg.access.skip_region_validation != Some(true) {
            let mut regions = vec![self.region.clone()];
            regions.extend(self.cfg.ami_regions.iter().flatten().cloned());
            crate::component::aws::validate_regions(&self.ec2, &regions).await?;
        }
        self.say("Prevalidating any provided VPC information");
        let name = &self.cfg.ami_name;
        self.say(&format!("Prevalidating AMI Name: {name}"));
        if self.cfg.force_deregister.unwrap_or(false) || self.cfg.skip_create_ami.unwrap_or(false) {
            return Ok(());
        }
        let images = self
            .ec2
            .describe_images()
            .owners("self")
            .filters(Filter::builder().name("name").values(name.clone()).build())
            .send()
            .await
            .map_err(|e| sdk_err("cannot look up existing AMIs", e))?;
        if let Some(existing) = images.images().first() {
            return Err(RunError::failed(format!(
                "Error: AMI Name: '{name}' is used by an existing AMI: {}",
                existing.image_id().unwrap_or_default()
            )));
        }
        Ok(())
    }

    async fn source_ami(&self) -> Result<ec2::types::Image, RunError> {
        let mut req = self.ec2.describe_images();
        if let Some(id) = &self.cfg.source_ami {
            req = req.image_ids(id);
        }
        if let Some(f) = &self.cfg.source_ami_filter {
            for (k, v) in f.filters.iter().flatten() {
                req = req.filters(Filter::builder().name(k).values(v).build());
            }
            for o in f.owners.iter().flatten() {
                req = req.owners(o);
            }
        }
        let out = req.send().await.map_err(|e| sdk_err("cannot find the source AMI", e))?;
        let mut images: Vec<ec2::types::Image> = out.images().to_vec();
        let most_recent = self.cfg.source_ami_filter.as_ref().and_then(|f| f.most_recent).unwrap_or(false);
        if images.len() > 1 && !most_recent {
            return Err(RunError::failed(
                "your query returned more than one result; set `most_recent = true` in `source_ami_filter` or narrow the filters",
            ));
        }
        images.sort_by(|a, b| b.creation_date().unwrap_or_default().cmp(a.creation_date().unwrap_or_default()));
        let image = images
            .into_iter()
            .next()
            .ok_or_else(|| RunError::failed("no AMI was found matching the source AMI or filters"))?;
        self.message(&format!("Found Image ID: {}", image.image_id().unwrap_or_default()));
        Ok(image)
    }

    async fn key_pair(&self) -> Result<KeyPair, RunError> {
        // Empty settings are unset (`-var key_file=`), as in Packer.
        let keypair_name = set(&self.cfg.comm.ssh_keypair_name);
        let key_file = set(&self.cfg.comm.ssh_private_key_file);
        if let Some(file) = key_file {
            self.say("Using existing SSH private key");
            return Ok(KeyPair {
                name: keypair_name.map(str::to_string),
                private_key: Some(self.cx.path(file).to_string_lossy().into_owned()),
            });
        }
        if set(&self.cfg.comm.ssh_password).is_some() || self.cfg.comm.ssh_agent_auth == Some(true) {
            if self.cfg.comm.ssh_agent_auth == Some(true) {
                self.say("Using SSH Agent for existing key pair");
            }
            return Ok(KeyPair { name: keypair_name.map(str::to_string), private_key: None });
        }
        let name = set(&self.cfg.comm.temporary_key_pair_name)
            .map_or_else(|| format!("packer_{}", uuid::Uuid::new_v4()), str::to_string);
        self.say(&format!("Creating temporary keypair: {name}"));
        let mut req = self.ec2.create_key_pair().key_name(&name);
        if self.cfg.comm.temporary_key_pair_type == Some(KeyPairType::Ed25519) {
            req = req.key_type(ec2::types::KeyType::Ed25519);
        }
        let out = req.send().await.map_err(|e| sdk_err("cannot create the temporary key pair", e))?;
        let material = out.key_material().unwrap_or_default().to_string();
        let path = std::env::temp_dir().join(format!("forge-{name}.pem"));
        write_private_key(&path, &material).map_err(|e| aws_err("cannot write the temporary private key", e))?;
        let ec2 = self.ec2.clone();
        let ui = self.cx.ui.clone();
        let key_name = name.clone();
        let key_path = path.clone();
        self.cx.on_cleanup(
            format!("key pair {name}"),
            Box::new(move || {
                Box::pin(async move {
                    ui.say("Deleting temporary keypair...");
                    let _ = std::fs::remove_file(&key_path);
                    ec2.delete_key_pair()
                        .key_name(&key_name)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| short_err(&key_name, &e))
                })
            }),
        );
        Ok(KeyPair { name: Some(name), private_key: Some(path.to_string_lossy().into_owned()) })
    }

    async fn security_groups(&self, vpc_id: Option<&str>) -> Result<Vec<String>, RunError> {
        if let Some(ids) = amazon_ebs_network::security_groups(&self.cfg, &self.ec2, vpc_id).await? {
            return Ok(ids);
        }
        let name = format!("packer_{}", uuid::Uuid::new_v4());
        self.say(&format!("Creating temporary security group for this instance: {name}"));
        let out = self
            .ec2
            .create_security_group()
            .group_name(&name)
            .description("Temporary group for Packer")
            .set_vpc_id(vpc_id.map(str::to_string))
            .send()
            .await
            .map_err(|e| sdk_err("cannot create the temporary security group", e))?;
        let id = out.group_id().unwrap_or_default().to_string();
        let ec2 = self.ec2.clone();
        let ui = self.cx.ui.clone();
        let gid = id.clone();
        self.cx.on_cleanup(
            format!("security group {id}"),
            Box::new(move || {
                Box::pin(async move {
                    ui.say("Deleting temporary security group...");
                    delete_security_group(&ec2, &gid).await
                })
            }),
        );
        let cidrs = self.cfg.temporary_security_group_source_cidrs.clone().unwrap_or_else(|| vec!["0.0.0.0/0".into()]);
        let port = i32::from(self.cfg.comm.ssh_port.unwrap_or(22));
        self.say(&format!("Authorizing access to port {port} from {cidrs:?} in the temporary security groups..."));
        let mut perm = IpPermission::builder().ip_protocol("tcp").from_port(port).to_port(port);
        for c in &cidrs {
            if c.contains(':') {
                perm = perm.ipv6_ranges(ec2::types::Ipv6Range::builder().cidr_ipv6(c).build());
            } else {
                perm = perm.ip_ranges(IpRange::builder().cidr_ip(c).build());
            }
        }
        self.ec2
            .authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(perm.build())
            .send()
            .await
            .map_err(|e| sdk_err("cannot open the communicator port", e))?;
        Ok(vec![id])
    }

    /// The instance's tags: `run_tags` and `run_tag` blocks (Go templates rendered with the
    /// build's values), plus `Name = "Packer Builder"` unless a name is given, as Packer does.
    fn run_tags(&self) -> BTreeMap<String, String> {
        let mut tags = self.merged_tags(&self.cfg.run_tags, &self.cfg.run_tag);
        tags.entry("Name".into()).or_insert_with(|| "Packer Builder".into());
        tags
    }

    /// A tag map and its repeatable block twin (`tags` and `tag { … }`) merged, the values
    /// rendered with the build's values (`{{ .SourceAMIName }}`).
    pub(crate) fn merged_tags(
        &self,
        map: &Option<BTreeMap<String, String>>,
        blocks: &Option<Vec<KeyValue>>,
    ) -> BTreeMap<String, String> {
        let mut tags = map.clone().unwrap_or_default();
        for kv in blocks.iter().flatten() {
            tags.insert(kv.key.clone(), kv.value.clone());
        }
        tags.into_iter().map(|(k, v)| (k, self.render(&v))).collect()
    }

    /// Renders `{{ .SourceAMIName }}` and the other build values in `text`.
    pub(crate) fn render(&self, text: &str) -> String {
        let learnt = self.generated.lock().map(|g| g.clone()).unwrap_or_default();
        let vars: Vec<(&str, &str)> = learnt.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        crate::component::runtime::render_component_template(text, &vars)
    }

    pub(crate) fn say_tags(&self, tags: &BTreeMap<String, String>) {
        for (k, v) in tags {
            self.message(&format!("Adding tag: {k:?}: {v:?}"));
        }
    }

    async fn launch(
        &self,
        source: &ec2::types::Image,
        key: Option<&str>,
        groups: &[String],
        net: &Network,
    ) -> Result<String, RunError> {
        self.say("Launching a source AWS instance...");
        let mut req = self
            .ec2
            .run_instances()
            .image_id(source.image_id().unwrap_or_default())
            .instance_type(InstanceType::from(
                self.cfg.instance_type.clone().unwrap_or_else(|| "t2.micro".into()).as_str(),
            ))
            .min_count(1)
            .max_count(1)
            .set_key_name(key.map(str::to_string))
            .set_ebs_optimized(self.cfg.ebs_optimized)
            .instance_initiated_shutdown_behavior(ec2::types::ShutdownBehavior::from(
                self.cfg.shutdown_behavior.map_or("stop", ShutdownBehavior::as_str),
            ));
        if let Some(public) = self.cfg.associate_public_ip_address {
            // A public address is asked for on the network interface, which then carries the
            // subnet and the groups.
            req = req.network_interfaces(
                ec2::types::InstanceNetworkInterfaceSpecification::builder()
                    .device_index(0)
                    .associate_public_ip_address(public)
                    .delete_on_termination(true)
                    .set_subnet_id(net.subnet_id.clone())
                    .set_groups(Some(groups.to_vec()))
                    .build(),
            );
        } else {
            req = req.set_subnet_id(net.subnet_id.clone()).set_security_group_ids(Some(groups.to_vec()));
        }
        req = req.set_placement(self.placement(net));
        if self.cfg.enable_unlimited_credits == Some(true) {
            req = req.credit_specification(
                ec2::types::CreditSpecificationRequest::builder().cpu_credits("unlimited").build(),
            );
        }
        if self.cfg.enable_nitro_enclave == Some(true) {
            req = req.enclave_options(ec2::types::EnclaveOptionsRequest::builder().enabled(true).build());
        }
        req = req.set_capacity_reservation_specification(self.capacity_reservation());
        let user_data = match (&self.cfg.user_data, &self.cfg.user_data_file) {
            (Some(d), _) => Some(d.clone()),
            (None, Some(f)) => {
                Some(std::fs::read_to_string(self.cx.path(f)).map_err(|e| aws_err("cannot read user_data_file", e))?)
            }
            _ => None,
        };
        if let Some(d) = user_data {
            use base64::Engine as _;
            req = req.user_data(base64::engine::general_purpose::STANDARD.encode(d));
        }
        for b in self.cfg.launch_block_device_mappings.iter().flatten() {
            req = req.block_device_mappings(block_device(b, true));
        }
        if let Some(m) = &self.cfg.metadata_options {
            req = req.metadata_options(
                ec2::types::InstanceMetadataOptionsRequest::builder()
                    .set_http_endpoint(
                        m.http_endpoint.map(|v| ec2::types::InstanceMetadataEndpointState::from(v.as_str())),
                    )
                    .set_http_tokens(m.http_tokens.map(|v| ec2::types::HttpTokensState::from(v.as_str())))
                    .set_http_put_response_hop_limit(m.http_put_response_hop_limit.and_then(|n| i32::try_from(n).ok()))
                    .set_instance_metadata_tags(
                        m.instance_metadata_tags.map(|v| ec2::types::InstanceMetadataTagsState::from(v.as_str())),
                    )
                    .build(),
            );
        }
        if let Some(p) = &self.cfg.iam_instance_profile {
            req = req.iam_instance_profile(ec2::types::IamInstanceProfileSpecification::builder().name(p).build());
        }
        let run_tags = self.run_tags();
        self.say("Adding tags to source instance");
        self.say_tags(&run_tags);
        let volume_tags = self.merged_tags(&self.cfg.run_volume_tags, &self.cfg.run_volume_tag);
        for (resource, tags) in [(ResourceType::Instance, &run_tags), (ResourceType::Volume, &volume_tags)] {
            if !tags.is_empty() {
                req = req.tag_specifications(
                    TagSpecification::builder().resource_type(resource).set_tags(Some(to_tags(tags))).build(),
                );
            }
        }
        let out = req.send().await.map_err(|e| sdk_err("cannot launch the source instance", e))?;
        let id = out.instances().first().and_then(|i| i.instance_id()).unwrap_or_default().to_string();
        self.message(&format!("Instance ID: {id}"));
        self.register_volume_cleanup(&id);
        let ec2 = self.ec2.clone();
        let ui = self.cx.ui.clone();
        let iid = id.clone();
        let (delay, attempts) = (self.delay, self.attempts);
        self.cx.on_cleanup(
            format!("instance {id}"),
            Box::new(move || {
                Box::pin(async move {
                    ui.say("Terminating the source AWS instance...");
                    ec2.terminate_instances().instance_ids(&iid).send().await.map_err(|e| short_err(&iid, &e))?;
                    for _ in 0..attempts {
                        let state = instance_state(&ec2, &iid).await.map_err(|e| format!("{iid}: {e}"))?;
                        if state == Some(InstanceStateName::Terminated) {
                            return Ok(());
                        }
                        tokio::time::sleep(delay).await;
                    }
                    Err(format!("{iid} did not terminate"))
                })
            }),
        );
        Ok(id)
    }

    fn placement(&self, net: &Network) -> Option<ec2::types::Placement> {
        let p = self.cfg.placement.as_ref();
        let tenancy = p.and_then(|p| p.tenancy.clone()).or_else(|| self.cfg.tenancy.clone()).filter(|t| !t.is_empty());
        let host_id = p.and_then(|p| p.host_id.clone());
        let group = p.and_then(|p| p.host_resource_group_arn.clone());
        if net.availability_zone.is_none() && tenancy.is_none() && host_id.is_none() && group.is_none() {
            return None;
        }
        Some(
            ec2::types::Placement::builder()
                .set_availability_zone(net.availability_zone.clone())
                .set_tenancy(tenancy.as_deref().map(ec2::types::Tenancy::from))
                .set_host_id(host_id)
                .set_host_resource_group_arn(group)
                .build(),
        )
    }

    fn capacity_reservation(&self) -> Option<ec2::types::CapacityReservationSpecification> {
        let target = match (&self.cfg.capacity_reservation_id, &self.cfg.capacity_reservation_group_arn) {
            (None, None) => None,
            (id, arn) => Some(
                ec2::types::CapacityReservationTarget::builder()
                    .set_capacity_reservation_id(id.clone())
                    .set_capacity_reservation_resource_group_arn(arn.clone())
                    .build(),
            ),
        };
        let preference = self.cfg.capacity_reservation_preference.as_deref().filter(|p| !p.is_empty());
        if target.is_none() && preference.is_none() {
            return None;
        }
        Some(
            ec2::types::CapacityReservationSpecification::builder()
                .set_capacity_reservation_preference(preference.map(ec2::types::CapacityReservationPreference::from))
                .set_capacity_reservation_target(target)
                .build(),
        )
    }

    /// Packer's StepCleanupVolumes: after the instance is gone, the volumes it had from the
    /// source AMI that outlived it (not deleted on termination) are deleted; volumes of
    /// `launch_block_device_mappings` follow their own `delete_on_termination`. Registered
    /// before the instance's own cleanup, so it runs after the termination.
    fn register_volume_cleanup(&self, instance: &str) {
        let ec2 = self.ec2.clone();
        let ui = self.cx.ui.clone();
        let launch: Vec<String> =
            self.cfg.launch_block_device_mappings.iter().flatten().map(|b| b.device_name.clone()).collect();
        let volumes = self.volumes.clone();
        self.cx.on_cleanup(
            format!("the volumes of instance {instance}"),
            Box::new(move || {
                Box::pin(async move {
                    let attached: Vec<(String, String)> = volumes.lock().map(|v| v.clone()).unwrap_or_default();
                    ui.say("Cleaning up any extra volumes...");
                    let ids: Vec<String> = attached.iter().map(|(id, _)| id.clone()).collect();
                    if ids.is_empty() {
                        ui.say("No volumes to clean up, skipping");
                        return Ok(());
                    }
                    let out = ec2
                        .describe_volumes()
                        .filters(Filter::builder().name("volume-id").set_values(Some(ids)).build())
                        .send()
                        .await
                        .map_err(|e| short_err("describe volumes", &e))?;
                    let leftover: Vec<String> = out
                        .volumes()
                        .iter()
                        .filter(|v| v.state() == Some(&ec2::types::VolumeState::Available))
                        .filter_map(|v| v.volume_id().map(str::to_string))
                        .filter(|id| attached.iter().any(|(v, dev)| v == id && !launch.contains(dev)))
                        .collect();
                    if leftover.is_empty() {
                        ui.say("No volumes to clean up, skipping");
                    }
                    let mut failed = Vec::new();
                    for id in leftover {
                        ui.say(&format!("Destroying volume ({id})..."));
                        if let Err(e) = ec2.delete_volume().volume_id(&id).send().await {
                            failed.push(short_err(&id, &e));
                        }
                    }
                    if failed.is_empty() { Ok(()) } else { Err(failed.join("; ")) }
                })
            }),
        );
    }

    async fn wait_running(&self, id: &str) -> Result<String, RunError> {
        self.say(&format!("Waiting for instance ({id}) to become ready..."));
        // The instance as described when it runs: its addresses and volumes, in one call a poll.
        let inst = poll(&self.cx, "the instance to run", self.delay, self.attempts, || async {
            let inst = describe_instance(&self.ec2, id).await?;
            let running =
                inst.as_ref().and_then(|i| i.state()).and_then(|s| s.name()) == Some(&InstanceStateName::Running);
            Ok(inst.filter(|_| running))
        })
        .await?;
        if let Ok(mut v) = self.volumes.lock() {
            *v = inst
                .block_device_mappings()
                .iter()
                .filter_map(|b| Some((b.ebs()?.volume_id()?.to_string(), b.device_name()?.to_string())))
                .collect();
        }
        if let Some(ip) = inst.public_ip_address() {
            self.message(&format!("Public IP: {ip}"));
        }
        if let Some(ip) = inst.private_ip_address() {
            self.message(&format!("Private IP: {ip}"));
        }
        let host = match (set(&self.cfg.comm.ssh_host), self.cfg.comm.ssh_interface) {
            (Some(h), _) => h.to_string(),
            (None, Some(SshInterface::PrivateIp)) => inst.private_ip_address().unwrap_or_default().to_string(),
            (None, Some(SshInterface::PublicDns)) => inst.public_dns_name().unwrap_or_default().to_string(),
            (None, Some(SshInterface::PrivateDns)) => inst.private_dns_name().unwrap_or_default().to_string(),
            _ => inst.public_ip_address().or(inst.private_ip_address()).unwrap_or_default().to_string(),
        };
        Ok(host)
    }

    async fn connect(&self, host: &str, key: &Option<String>) -> Result<Arc<dyn Communicator>, RunError> {
        let mut comm = self.cfg.comm.clone();
        comm.ssh_host = Some(host.to_string());
        // The key step's choice: a file, the temporary key, or none (password or agent).
        comm.ssh_private_key_file.clone_from(key);
        let mut opts = ssh_client::ConnectOptions::from_config(&comm, &self.cx.base_dir)?;
        if comm.ssh_handshake_attempts.is_none() {
            // The instance's key arrives with cloud-init, maybe after sshd answers (Packer's 10).
            opts.handshake_attempts = 10;
        }
        if let Ok(mut g) = self.generated.lock() {
            g.insert("Host".into(), host.to_string());
            if let Some(material) = key.as_ref().and_then(|k| std::fs::read_to_string(k).ok()) {
                g.insert("SSHPrivateKey".into(), material);
            }
        }
        ssh_client::connect_build(&self.cx, opts).await
    }
}

/// Deletes a security group, retrying while EC2 still sees it in use (the terminated
/// instance's network interface goes away a little after the instance), as Packer does.
async fn delete_security_group(ec2: &ec2::Client, id: &str) -> Result<(), String> {
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5), Duration::from_secs(120));
    loop {
        let msg = match ec2.delete_security_group().group_id(id).send().await {
            Ok(_) => return Ok(()),
            Err(e) => short_err(id, &e),
        };
        match backoff.next_delay() {
            Some(delay) if msg.contains("DependencyViolation") => tokio::time::sleep(delay).await,
            _ => return Err(msg),
        }
    }
}

struct KeyPair {
    name: Option<String>,
    private_key: Option<String>,
}

/// A block device mapping for `run_instances` (`launch`, with a KMS key) or `create_image`.
pub(crate) fn block_device(
    b: &crate::component::builder::amazon_ebs::BlockDevice,
    launch: bool,
) -> ec2::types::BlockDeviceMapping {
    let mut m =
        ec2::types::BlockDeviceMapping::builder().device_name(&b.device_name).set_virtual_name(b.virtual_name.clone());
    if b.no_device == Some(true) {
        return m.no_device("").build();
    }
    if b.virtual_name.is_none() {
        let ebs = ec2::types::EbsBlockDevice::builder()
            .set_volume_size(b.volume_size.and_then(|n| i32::try_from(n).ok()))
            .set_volume_type(b.volume_type.map(|t| ec2::types::VolumeType::from(t.as_str())))
            .set_iops(b.iops.and_then(|n| i32::try_from(n).ok()))
            .set_throughput(b.throughput.and_then(|n| i32::try_from(n).ok()))
            .set_delete_on_termination(b.delete_on_termination)
            .set_encrypted(b.encrypted)
            .set_kms_key_id(if launch { b.kms_key_id.clone() } else { None })
            .set_snapshot_id(b.snapshot_id.clone())
            .build();
        m = m.ebs(ebs);
    }
    m.build()
}

pub(crate) fn to_tags(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

/// The instance `id` as EC2 describes it now.
pub(crate) async fn describe_instance(ec2: &ec2::Client, id: &str) -> Result<Option<ec2::types::Instance>, RunError> {
    let out = ec2
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .map_err(|e| sdk_err("cannot describe the instance", e))?;
    Ok(out.reservations().first().and_then(|r| r.instances().first()).cloned())
}

pub(crate) async fn instance_state(ec2: &ec2::Client, id: &str) -> Result<Option<InstanceStateName>, RunError> {
    Ok(describe_instance(ec2, id).await?.and_then(|i| i.state().and_then(|s| s.name()).cloned()))
}

/// Writes a private key readable only by its owner; it is never printed.
fn write_private_key(path: &std::path::Path, material: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(material.as_bytes())
}
