//! Running `amazon-ebs` on aws-sdk-ec2, in Packer's step order and with Packer's messages:
//! pre-validate, source AMI, key pair, security group, launch, connect; after the
//! provisioners: stop, create the AMI, copy it to other regions, set permissions and tags.
//! Every resource created is removed by a registered cleanup, also when a later step fails.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_sdk_ec2 as ec2;
use ec2::types::{
    Filter, ImageState, InstanceStateName, InstanceType, IpPermission, IpRange, LaunchPermission,
    LaunchPermissionModifications, ResourceType, Tag, TagSpecification,
};

use crate::component::builder::amazon_ebs::Config;
use crate::component::communicator::ssh_client;
use crate::component::runtime::{Artifact, BoxFuture, Communicator, RunCx, RunError};

fn aws_err(what: &str, e: impl std::fmt::Display) -> RunError {
    // The SDK's Display is terse ("service error"); its Debug names the code and message.
    RunError::failed(format!("{what}: {e}"))
}

fn sdk_err<E: std::fmt::Debug>(what: &str, e: E) -> RunError {
    let text = format!("{e:?}");
    let code = text.split("code: Some(\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
    let message = text.split("message: Some(\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
    if code.is_empty() {
        RunError::failed(format!("{what}: {}", text.chars().take(300).collect::<String>()))
    } else {
        RunError::failed(format!("{what}: {code}: {message}"))
    }
}

/// A setting, unless it is empty: an empty string leaves a setting unset (as in Packer).
fn set(o: &Option<String>) -> Option<&str> {
    o.as_deref().filter(|s| !s.is_empty())
}

/// An EC2 client for `region`.
pub(crate) async fn client(cfg: &Config, region: &str) -> Result<ec2::Client, RunError> {
    if std::fs::metadata("/etc/ssl/certs/ca-certificates.crt").is_err()
        && cfg.custom_endpoint_ec2.as_deref().is_none_or(|e| e.starts_with("https"))
    {
        return Err(RunError::failed(
            "no CA certificates on this machine (install the ca-certificates package): HTTPS to AWS would fail",
        ));
    }
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).region(aws_config::Region::new(region.to_string()));
    if let (Some(a), Some(s)) = (&cfg.access_key, &cfg.secret_key) {
        loader =
            loader.credentials_provider(ec2::config::Credentials::new(a, s, cfg.token.clone(), None, "forge-template"));
    }
    if let Some(p) = &cfg.profile {
        loader = loader.profile_name(p);
    }
    if let Some(ep) = &cfg.custom_endpoint_ec2 {
        loader = loader.endpoint_url(ep);
    }
    let attempts = cfg.max_retries.map_or(10, |n| u32::try_from(n.max(0)).unwrap_or(10) + 1);
    loader = loader.retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts));
    let conf = loader.load().await;
    Ok(ec2::Client::new(&conf))
}

/// Polls `check` until it says done, every `delay` (no fixed multi-second sleeps), up to `attempts`.
async fn poll<F, Fut>(cx: &RunCx, what: &str, delay: Duration, attempts: u32, mut check: F) -> Result<(), RunError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, RunError>>,
{
    for _ in 0..attempts {
        if check().await? {
            return Ok(());
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = cx.cancel.cancelled() => return Err(RunError::Cancelled),
        }
    }
    Err(RunError::failed(format!("timeout while waiting for {what}")))
}

struct Run {
    cfg: Config,
    cx: RunCx,
    ec2: ec2::Client,
    region: String,
    delay: Duration,
    attempts: u32,
}

impl crate::component::runtime::BuilderRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<Artifact, RunError>> {
        Box::pin(async move {
            let region = self
                .region
                .clone()
                .or_else(|| std::env::var("AWS_REGION").ok())
                .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok());
            let Some(region) = region else { return Err(RunError::failed("no region: set `region` or AWS_REGION")) };
            let ec2 = client(&self, &region).await?;
            let delay = self
                .aws_polling
                .as_ref()
                .and_then(|p| p.delay_seconds)
                .map_or(Duration::from_millis(200), |s| Duration::from_secs(u64::try_from(s.max(0)).unwrap_or(1)));
            let attempts = self
                .aws_polling
                .as_ref()
                .and_then(|p| p.max_attempts)
                .map_or(3000, |n| u32::try_from(n.max(1)).unwrap_or(40));
            let run = Arc::new(Run { cfg: self, cx: cx.clone(), ec2, region, delay, attempts });
            run.clone().start().await?;
            let finisher = run.clone();
            if let Ok(mut slot) = cx.finish.lock() {
                *slot = Some(Box::new(move || Box::pin(async move { finisher.finish().await })));
            }
            // The real artifact comes from `finish`; this one stands in until then.
            Ok(Artifact {
                builder_id: "mitchellh.amazonebs".into(),
                id: String::new(),
                description: String::new(),
                files: Vec::new(),
            })
        })
    }
}

impl Run {
    fn say(&self, text: &str) {
        self.cx.ui.say(text);
    }

    fn message(&self, text: &str) {
        self.cx.ui.message(text);
    }

    /// Everything up to a connected instance.
    async fn start(self: Arc<Self>) -> Result<(), RunError> {
        self.prevalidate().await?;
        let source = self.source_ami().await?;
        if let Ok(mut g) = self.cx.generated.lock() {
            g.insert("BuildRegion".into(), self.region.clone());
            g.insert("SourceAMI".into(), source.image_id().unwrap_or_default().to_string());
            g.insert("SourceAMIName".into(), source.name().unwrap_or_default().to_string());
            g.insert("SourceAMIOwner".into(), source.owner_id().unwrap_or_default().to_string());
            g.insert("SourceAMIOwnerName".into(), source.image_owner_alias().unwrap_or_default().to_string());
            g.insert("SourceAMICreationDate".into(), source.creation_date().unwrap_or_default().to_string());
        }
        let key = self.key_pair().await?;
        let sg = self.security_group().await?;
        let instance = self.launch(&source, key.name.as_deref(), sg.as_deref()).await?;
        let host = self.wait_running(&instance).await?;
        self.connect(&host, &key.private_key).await?;
        if let Ok(mut i) = INSTANCES.lock() {
            i.insert(self.cx.build_name.clone(), instance);
        }
        Ok(())
    }

    async fn prevalidate(&self) -> Result<(), RunError> {
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
        if let (Some(name), Some(file)) = (&self.cfg.comm.ssh_keypair_name, &self.cfg.comm.ssh_private_key_file) {
            self.say("Using existing SSH private key");
            return Ok(KeyPair {
                name: Some(name.clone()),
                private_key: Some(self.cx.path(file).to_string_lossy().into_owned()),
            });
        }
        if let Some(file) = &self.cfg.comm.ssh_private_key_file {
            self.say("Using existing SSH private key");
            return Ok(KeyPair { name: None, private_key: Some(self.cx.path(file).to_string_lossy().into_owned()) });
        }
        if self.cfg.comm.ssh_password.is_some() || self.cfg.comm.ssh_agent_auth == Some(true) {
            return Ok(KeyPair { name: self.cfg.comm.ssh_keypair_name.clone(), private_key: None });
        }
        let name =
            self.cfg.comm.temporary_key_pair_name.clone().unwrap_or_else(|| format!("packer_{}", uuid::Uuid::new_v4()));
        self.say(&format!("Creating temporary keypair: {name}"));
        let mut req = self.ec2.create_key_pair().key_name(&name);
        if self.cfg.comm.temporary_key_pair_type.as_deref() == Some("ed25519") {
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
                        .map_err(|e| format!("{key_name}: {e:?}"))
                })
            }),
        );
        Ok(KeyPair { name: Some(name), private_key: Some(path.to_string_lossy().into_owned()) })
    }

    async fn security_group(&self) -> Result<Option<String>, RunError> {
        if let Some(id) = &self.cfg.security_group_id {
            return Ok(Some(id.clone()));
        }
        if let Some(first) = self.cfg.security_group_ids.as_ref().and_then(|v| v.first()) {
            return Ok(Some(first.clone()));
        }
        let name = format!("packer_{}", uuid::Uuid::new_v4());
        self.say(&format!("Creating temporary security group for this instance: {name}"));
        let out = self
            .ec2
            .create_security_group()
            .group_name(&name)
            .description("Temporary group for Packer")
            .set_vpc_id(self.cfg.vpc_id.clone())
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
                    ec2.delete_security_group()
                        .group_id(&gid)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| format!("{gid}: {e:?}"))
                })
            }),
        );
        let cidrs = self.cfg.temporary_security_group_source_cidrs.clone().unwrap_or_else(|| vec!["0.0.0.0/0".into()]);
        let port = i32::from(self.cfg.comm.ssh_port.unwrap_or(22));
        self.say(&format!("Authorizing access to port {port} from {cidrs:?} in the temporary security groups..."));
        let mut perm = IpPermission::builder().ip_protocol("tcp").from_port(port).to_port(port);
        for c in &cidrs {
            perm = perm.ip_ranges(IpRange::builder().cidr_ip(c).build());
        }
        self.ec2
            .authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(perm.build())
            .send()
            .await
            .map_err(|e| sdk_err("cannot open the communicator port", e))?;
        Ok(Some(id))
    }

    async fn launch(
        &self,
        source: &ec2::types::Image,
        key: Option<&str>,
        sg: Option<&str>,
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
            .set_subnet_id(self.cfg.subnet_id.clone())
            .set_ebs_optimized(self.cfg.ebs_optimized);
        if let Some(sg) = sg {
            req = req.security_group_ids(sg);
        }
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
                    .set_http_endpoint(m.http_endpoint.as_deref().map(ec2::types::InstanceMetadataEndpointState::from))
                    .set_http_tokens(m.http_tokens.as_deref().map(ec2::types::HttpTokensState::from))
                    .set_http_put_response_hop_limit(m.http_put_response_hop_limit.and_then(|n| i32::try_from(n).ok()))
                    .set_instance_metadata_tags(
                        m.instance_metadata_tags.as_deref().map(ec2::types::InstanceMetadataTagsState::from),
                    )
                    .build(),
            );
        }
        if let Some(p) = &self.cfg.iam_instance_profile {
            req = req.iam_instance_profile(ec2::types::IamInstanceProfileSpecification::builder().name(p).build());
        }
        for (resource, tags) in
            [(ResourceType::Instance, &self.cfg.run_tags), (ResourceType::Volume, &self.cfg.run_volume_tags)]
        {
            if let Some(tags) = tags {
                req = req.tag_specifications(
                    TagSpecification::builder().resource_type(resource).set_tags(Some(to_tags(tags))).build(),
                );
            }
        }
        let out = req.send().await.map_err(|e| sdk_err("cannot launch the source instance", e))?;
        let id = out.instances().first().and_then(|i| i.instance_id()).unwrap_or_default().to_string();
        self.message(&format!("Instance ID: {id}"));
        let ec2 = self.ec2.clone();
        let ui = self.cx.ui.clone();
        let iid = id.clone();
        let (delay, attempts) = (self.delay, self.attempts);
        self.cx.on_cleanup(
            format!("instance {id}"),
            Box::new(move || {
                Box::pin(async move {
                    ui.say("Terminating the source AWS instance...");
                    ec2.terminate_instances().instance_ids(&iid).send().await.map_err(|e| format!("{iid}: {e:?}"))?;
                    for _ in 0..attempts {
                        let state = instance_state(&ec2, &iid).await.map_err(|e| e.to_string())?;
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

    async fn wait_running(&self, id: &str) -> Result<String, RunError> {
        self.say(&format!("Waiting for instance ({id}) to become ready..."));
        poll(&self.cx, "the instance to run", self.delay, self.attempts, || async {
            Ok(instance_state(&self.ec2, id).await? == Some(InstanceStateName::Running))
        })
        .await?;
        let out = self
            .ec2
            .describe_instances()
            .instance_ids(id)
            .send()
            .await
            .map_err(|e| sdk_err("cannot describe the instance", e))?;
        let inst = out
            .reservations()
            .first()
            .and_then(|r| r.instances().first())
            .cloned()
            .unwrap_or_else(|| ec2::types::Instance::builder().build());
        if let Some(ip) = inst.public_ip_address() {
            self.message(&format!("Public IP: {ip}"));
        }
        if let Some(ip) = inst.private_ip_address() {
            self.message(&format!("Private IP: {ip}"));
        }
        let host = match (set(&self.cfg.comm.ssh_host), self.cfg.comm.ssh_interface.as_deref()) {
            (Some(h), _) => h.to_string(),
            (None, Some("private_ip")) => inst.private_ip_address().unwrap_or_default().to_string(),
            (None, Some("public_dns")) => inst.public_dns_name().unwrap_or_default().to_string(),
            (None, Some("private_dns")) => inst.private_dns_name().unwrap_or_default().to_string(),
            _ => inst.public_ip_address().or(inst.private_ip_address()).unwrap_or_default().to_string(),
        };
        Ok(host)
    }

    async fn connect(&self, host: &str, key: &Option<String>) -> Result<(), RunError> {
        let mut comm = self.cfg.comm.clone();
        comm.ssh_host = Some(host.to_string());
        if let Some(k) = key {
            comm.ssh_private_key_file = Some(k.clone());
        }
        let opts = ssh_client::ConnectOptions::from_config(&comm, &self.cx.base_dir)?;
        self.say(&format!("Using SSH communicator to connect: {host}"));
        self.say("Waiting for SSH to become available...");
        let cancel = self.cx.cancel.clone();
        let session = tokio::task::spawn_blocking(move || ssh_client::connect(&opts, &cancel))
            .await
            .map_err(|e| RunError::failed(e.to_string()))??;
        self.say("Connected to SSH!");
        session.set_ui(self.cx.ui.clone());
        let comm: Arc<dyn Communicator> = Arc::new(Arc::new(session));
        if let Ok(mut slot) = self.cx.comm.lock() {
            *slot = Some(comm);
        }
        Ok(())
    }

    /// After the provisioners: stop, create the AMI, copy it, permissions and tags.
    async fn finish(&self) -> Result<Artifact, RunError> {
        let instance = INSTANCES.lock().ok().and_then(|i| i.get(&self.cx.build_name).cloned()).unwrap_or_default();
        if self.cfg.disable_stop_instance.unwrap_or(false) {
            self.say("Automatic instance stop disabled. Please stop instance manually.");
        } else {
            self.say("Stopping the source instance...");
            self.ec2
                .stop_instances()
                .instance_ids(&instance)
                .send()
                .await
                .map_err(|e| sdk_err("cannot stop the instance", e))?;
            self.say("Waiting for the instance to stop...");
            poll(&self.cx, "the instance to stop", self.delay, self.attempts, || async {
                Ok(instance_state(&self.ec2, &instance).await? == Some(InstanceStateName::Stopped))
            })
            .await?;
        }
        if self.cfg.ena_support == Some(true) {
            self.say("Enabling Enhanced Networking (ENA)...");
            self.ec2
                .modify_instance_attribute()
                .instance_id(&instance)
                .ena_support(ec2::types::AttributeBooleanValue::builder().value(true).build())
                .send()
                .await
                .map_err(|e| sdk_err("cannot enable ENA", e))?;
        }
        if self.cfg.sriov_support == Some(true) {
            self.say("Enabling Enhanced Networking (SR-IOV)...");
            self.ec2
                .modify_instance_attribute()
                .instance_id(&instance)
                .sriov_net_support(ec2::types::AttributeValue::builder().value("simple").build())
                .send()
                .await
                .map_err(|e| sdk_err("cannot enable SR-IOV", e))?;
        }
        if self.cfg.skip_create_ami.unwrap_or(false) {
            self.say("Skipping AMI creation...");
            return Ok(Artifact {
                builder_id: "mitchellh.amazonebs".into(),
                id: String::new(),
                description: "No AMIs to report.".into(),
                files: Vec::new(),
            });
        }
        if self.cfg.force_deregister.unwrap_or(false) {
            self.deregister_existing(&self.ec2).await?;
        }
        let name = self.cfg.ami_name.clone();
        self.say(&format!("Creating AMI {name} from instance {instance}"));
        let out = self
            .ec2
            .create_image()
            .instance_id(&instance)
            .name(&name)
            .set_description(self.cfg.ami_description.clone())
            .set_block_device_mappings(
                self.cfg.ami_block_device_mappings.as_ref().map(|v| v.iter().map(|b| block_device(b, false)).collect()),
            )
            .send()
            .await
            .map_err(|e| sdk_err("cannot create the AMI", e))?;
        let ami = out.image_id().unwrap_or_default().to_string();
        self.message(&format!("AMI: {ami}"));
        // Removed again if a later step fails: the build then leaves nothing behind.
        let done = Arc::new(AtomicBool::new(false));
        self.register_ami_cleanup(self.ec2.clone(), ami.clone(), done.clone());
        self.say("Waiting for AMI to become ready...");
        wait_image(&self.cx, &self.ec2, &ami, self.delay, self.attempts).await?;
        let mut amis: BTreeMap<String, String> = BTreeMap::from([(self.region.clone(), ami.clone())]);
        let regions: Vec<String> =
            self.cfg.ami_regions.iter().flatten().filter(|r| **r != self.region).cloned().collect();
        if !regions.is_empty() {
            self.say(&format!("Copying/Encrypting AMI ({ami}) to other regions..."));
            let mut copies = Vec::new();
            for r in &regions {
                self.message(&format!("Copying to: {r}"));
                let c = client(&self.cfg, r).await?;
                let out = c
                    .copy_image()
                    .source_image_id(&ami)
                    .source_region(&self.region)
                    .name(&name)
                    .set_encrypted(self.cfg.encrypt_boot)
                    .set_kms_key_id(self.cfg.region_kms_key_ids.as_ref().and_then(|m| m.get(r)).cloned())
                    .send()
                    .await
                    .map_err(|e| sdk_err(&format!("cannot copy the AMI to {r}"), e))?;
                let copy = out.image_id().unwrap_or_default().to_string();
                self.register_ami_cleanup(c.clone(), copy.clone(), done.clone());
                copies.push((r.clone(), c, copy));
            }
            self.say("Waiting for all copies to complete...");
            for (r, c, copy) in &copies {
                wait_image(&self.cx, c, copy, self.delay, self.attempts).await?;
                amis.insert(r.clone(), copy.clone());
            }
        }
        self.attributes(&amis).await?;
        self.tags(&amis).await?;
        done.store(true, Ordering::SeqCst);
        let id = amis.iter().map(|(r, a)| format!("{r}:{a}")).collect::<Vec<_>>().join(",");
        let description = std::iter::once("AMIs were created:".to_string())
            .chain(amis.iter().map(|(r, a)| format!("{r}: {a}")))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        Ok(Artifact { builder_id: "mitchellh.amazonebs".into(), id, description, files: Vec::new() })
    }

    fn register_ami_cleanup(&self, ec2: ec2::Client, ami: String, done: Arc<AtomicBool>) {
        let ui = self.cx.ui.clone();
        self.cx.on_cleanup(
            format!("AMI {ami}"),
            Box::new(move || {
                Box::pin(async move {
                    if done.load(Ordering::SeqCst) {
                        return Ok(());
                    }
                    ui.say(&format!("Deregistering the AMI and deleting associated snapshots because of cancellation, or error... ({ami})"));
                    let snaps = snapshots(&ec2, &ami).await.unwrap_or_default();
                    ec2.deregister_image().image_id(&ami).send().await.map_err(|e| format!("{ami}: {e:?}"))?;
                    for s in snaps {
                        let _ = ec2.delete_snapshot().snapshot_id(&s).send().await;
                    }
                    Ok(())
                })
            }),
        );
    }

    async fn deregister_existing(&self, ec2: &ec2::Client) -> Result<(), RunError> {
        let images = ec2
            .describe_images()
            .owners("self")
            .filters(Filter::builder().name("name").values(self.cfg.ami_name.clone()).build())
            .send()
            .await
            .map_err(|e| sdk_err("cannot look up existing AMIs", e))?;
        for img in images.images() {
            let id = img.image_id().unwrap_or_default().to_string();
            let snaps: Vec<String> = img
                .block_device_mappings()
                .iter()
                .filter_map(|b| b.ebs().and_then(|e| e.snapshot_id()).map(str::to_string))
                .collect();
            ec2.deregister_image()
                .image_id(&id)
                .send()
                .await
                .map_err(|e| sdk_err("cannot deregister the existing AMI", e))?;
            self.say(&format!("Deregistered AMI {}, id: {id}", self.cfg.ami_name));
            if self.cfg.force_delete_snapshot.unwrap_or(false) {
                for s in snaps {
                    ec2.delete_snapshot()
                        .snapshot_id(&s)
                        .send()
                        .await
                        .map_err(|e| sdk_err("cannot delete the snapshot", e))?;
                    self.say(&format!("Deleted snapshot: {s}"));
                }
            }
        }
        Ok(())
    }

    async fn attributes(&self, amis: &BTreeMap<String, String>) -> Result<(), RunError> {
        let users = self.cfg.ami_users.clone().unwrap_or_default();
        let groups = self.cfg.ami_groups.clone().unwrap_or_default();
        let snap_users = self.cfg.snapshot_users.clone().unwrap_or_default();
        let snap_groups = self.cfg.snapshot_groups.clone().unwrap_or_default();
        if !snap_users.is_empty() || !snap_groups.is_empty() {
            for (r, ami) in amis {
                let c = if *r == self.region { self.ec2.clone() } else { client(&self.cfg, r).await? };
                for snap in snapshots(&c, ami).await? {
                    self.message(&format!("Modifying: createVolumePermission on {snap}"));
                    let mut add = ec2::types::CreateVolumePermissionModifications::builder();
                    for u in &snap_users {
                        add = add.add(ec2::types::CreateVolumePermission::builder().user_id(u).build());
                    }
                    for g in &snap_groups {
                        add = add.add(
                            ec2::types::CreateVolumePermission::builder()
                                .group(ec2::types::PermissionGroup::from(g.as_str()))
                                .build(),
                        );
                    }
                    c.modify_snapshot_attribute()
                        .snapshot_id(&snap)
                        .create_volume_permission(add.build())
                        .send()
                        .await
                        .map_err(|e| sdk_err("cannot modify the snapshot's permissions", e))?;
                }
            }
        }
        if users.is_empty() && groups.is_empty() {
            return Ok(());
        }
        for (r, ami) in amis {
            self.say(&format!("Modifying attributes on AMI ({ami})..."));
            let c = if *r == self.region { self.ec2.clone() } else { client(&self.cfg, r).await? };
            let mut add = LaunchPermissionModifications::builder();
            for u in &users {
                add = add.add(LaunchPermission::builder().user_id(u).build());
            }
            for g in &groups {
                add = add.add(LaunchPermission::builder().group(ec2::types::PermissionGroup::from(g.as_str())).build());
            }
            c.modify_image_attribute()
                .image_id(ami)
                .launch_permission(add.build())
                .send()
                .await
                .map_err(|e| sdk_err("cannot modify the AMI's launch permissions", e))?;
        }
        Ok(())
    }

    async fn tags(&self, amis: &BTreeMap<String, String>) -> Result<(), RunError> {
        // Tag values may use the build's values as Go templates (`{{ .SourceAMIName }}`).
        let learnt = self.cx.generated.lock().map(|g| g.clone()).unwrap_or_default();
        let vars: Vec<(&str, &str)> = learnt.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let render = |m: BTreeMap<String, String>| -> BTreeMap<String, String> {
            m.into_iter().map(|(k, v)| (k, crate::component::runtime::render_component_template(&v, &vars))).collect()
        };
        let mut tags = self.cfg.tags.clone().unwrap_or_default();
        for kv in self.cfg.tag.iter().flatten() {
            tags.insert(kv.key.clone(), kv.value.clone());
        }
        let mut snapshot_tags = self.cfg.snapshot_tags.clone().unwrap_or_default();
        for kv in self.cfg.snapshot_tag.iter().flatten() {
            snapshot_tags.insert(kv.key.clone(), kv.value.clone());
        }
        if tags.is_empty() && snapshot_tags.is_empty() {
            return Ok(());
        }
        let tags = render(tags);
        let snapshot_tags = render(snapshot_tags);
        for (r, ami) in amis {
            let c = if *r == self.region { self.ec2.clone() } else { client(&self.cfg, r).await? };
            self.say(&format!("Adding tags to AMI ({ami})..."));
            if !tags.is_empty() {
                self.message("Creating AMI tags");
                c.create_tags()
                    .resources(ami)
                    .set_tags(Some(to_tags(&tags)))
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot tag the AMI", e))?;
            }
            let snaps = snapshots(&c, ami).await?;
            if !snapshot_tags.is_empty() && !snaps.is_empty() {
                self.message("Creating snapshot tags");
                for s in &snaps {
                    self.message(&format!("Tagging snapshot: {s}"));
                }
                c.create_tags()
                    .set_resources(Some(snaps))
                    .set_tags(Some(to_tags(&snapshot_tags)))
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot tag the snapshots", e))?;
            }
        }
        Ok(())
    }
}

/// Instance ids of running builds, for their finishing steps.
static INSTANCES: std::sync::LazyLock<std::sync::Mutex<BTreeMap<String, String>>> =
    std::sync::LazyLock::new(|| std::sync::Mutex::new(BTreeMap::new()));

struct KeyPair {
    name: Option<String>,
    private_key: Option<String>,
}

/// A block device mapping for `run_instances` (`launch`, with a KMS key) or `create_image`.
fn block_device(
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
            .set_volume_type(b.volume_type.as_deref().map(ec2::types::VolumeType::from))
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

fn to_tags(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

async fn instance_state(ec2: &ec2::Client, id: &str) -> Result<Option<InstanceStateName>, RunError> {
    let out = ec2
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .map_err(|e| sdk_err("cannot describe the instance", e))?;
    Ok(out
        .reservations()
        .first()
        .and_then(|r| r.instances().first())
        .and_then(|i| i.state())
        .and_then(|s| s.name())
        .cloned())
}

async fn wait_image(cx: &RunCx, ec2: &ec2::Client, ami: &str, delay: Duration, attempts: u32) -> Result<(), RunError> {
    poll(cx, "the AMI to become available", delay, attempts, || async {
        let out =
            ec2.describe_images().image_ids(ami).send().await.map_err(|e| sdk_err("cannot describe the AMI", e))?;
        match out.images().first().and_then(|i| i.state()) {
            Some(ImageState::Available) => Ok(true),
            Some(ImageState::Failed) => Err(RunError::failed(format!("AMI {ami} failed"))),
            _ => Ok(false),
        }
    })
    .await
}

async fn snapshots(ec2: &ec2::Client, ami: &str) -> Result<Vec<String>, RunError> {
    let out = ec2.describe_images().image_ids(ami).send().await.map_err(|e| sdk_err("cannot describe the AMI", e))?;
    Ok(out
        .images()
        .iter()
        .flat_map(|i| i.block_device_mappings())
        .filter_map(|b| b.ebs().and_then(|e| e.snapshot_id()).map(str::to_string))
        .collect())
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
