//! An `amazon-ebs` build's work after provisioning, in Packer's order: stop the instance,
//! enhanced networking, deregister an AMI of the same name (`force_deregister`), create the
//! AMI, copy it to other regions (and to the build region when encrypting), deprecation and
//! deregistration protection, attributes, tags. Every AMI created is deregistered again, with
//! its snapshots, when a later step fails or the build is interrupted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_sdk_ec2 as ec2;
use ec2::types::{Filter, ImageState, InstanceStateName, LaunchPermission, LaunchPermissionModifications};

use crate::component::aws::{sdk_err, short_err};
use crate::component::builder::amazon_ebs::ImdsSupport;
use crate::component::builder::amazon_ebs_run::{Run, instance_state, poll, to_tags};
use crate::component::runtime::{Artifact, RunError};

/// AMIs created so far that a failed build must remove; emptied when the build succeeds.
type Pending = Arc<Mutex<BTreeSet<String>>>;

/// An AMI of the build and its snapshots (known from the wait for it, so no call is repeated).
#[derive(Debug, Clone)]
struct Ami {
    id: String,
    snapshots: Vec<String>,
}

impl Run {
    /// After the provisioners: everything from stopping the instance to the artifact.
    pub(crate) async fn finish(&self) -> Result<Artifact, RunError> {
        let instance = self.instance_id();
        self.stop(&instance).await?;
        self.go_on()?;
        self.enhanced_networking(&instance).await?;
        if self.cfg.skip_create_ami.unwrap_or(false) {
            self.say("Skipping AMI creation...");
            return Ok(artifact(&BTreeMap::new()));
        }
        if self.cfg.force_deregister.unwrap_or(false) {
            for region in self.all_regions() {
                let c = self.client_for(&region).await?;
                self.deregister_existing(&c).await?;
            }
        }
        let pending: Pending = Arc::default();
        let ami = self.create_ami(&instance, &pending).await?;
        self.go_on()?;
        let mut amis = self.copies(&ami, &pending).await?;
        self.go_on()?;
        self.deprecation(&amis).await?;
        self.attributes(&amis).await?;
        self.go_on()?;
        self.tags(&amis).await?;
        if self.cfg.skip_save_build_region.unwrap_or(false) && amis.len() > 1 {
            if let Some(original) = amis.remove(&self.region) {
                let id = original.id;
                self.say(&format!("Deregistering the AMI in the build region ({id}), as skip_save_build_region asks"));
                remove_ami(&self.ec2, &id).await.map_err(RunError::failed)?;
                pending.lock().map(|mut p| p.remove(&id)).ok();
            }
        }
        // Interrupted during the last call: the AMIs go too, as for any other step.
        self.go_on()?;
        pending.lock().map(|mut p| p.clear()).ok();
        Ok(artifact(&amis))
    }

    async fn stop(&self, instance: &str) -> Result<(), RunError> {
        if self.cfg.disable_stop_instance.unwrap_or(false) {
            self.say("Automatic instance stop disabled. Please stop instance manually.");
            return Ok(());
        }
        self.say("Stopping the source instance...");
        self.message("Stopping instance");
        self.ec2
            .stop_instances()
            .instance_ids(instance)
            .send()
            .await
            .map_err(|e| sdk_err("cannot stop the instance", e))?;
        self.say("Waiting for the instance to stop...");
        poll(&self.cx, "the instance to stop", self.delay, self.attempts, || async {
            Ok((instance_state(&self.ec2, instance).await? == Some(InstanceStateName::Stopped)).then_some(()))
        })
        .await
    }

    async fn enhanced_networking(&self, instance: &str) -> Result<(), RunError> {
        if self.cfg.ena_support == Some(true) {
            self.say("Enabling Enhanced Networking (ENA)...");
            self.ec2
                .modify_instance_attribute()
                .instance_id(instance)
                .ena_support(ec2::types::AttributeBooleanValue::builder().value(true).build())
                .send()
                .await
                .map_err(|e| sdk_err("cannot enable ENA", e))?;
        }
        if self.cfg.sriov_support == Some(true) {
            self.say("Enabling Enhanced Networking (SR-IOV)...");
            self.ec2
                .modify_instance_attribute()
                .instance_id(instance)
                .sriov_net_support(ec2::types::AttributeValue::builder().value("simple").build())
                .send()
                .await
                .map_err(|e| sdk_err("cannot enable SR-IOV", e))?;
        }
        Ok(())
    }

    /// The build region, then each other region of `ami_regions`.
    fn all_regions(&self) -> Vec<String> {
        let mut regions = vec![self.region.clone()];
        for r in self.cfg.ami_regions.iter().flatten() {
            if !regions.contains(r) {
                regions.push(r.clone());
            }
        }
        regions
    }

    /// The client for `region`: the build's own, or one per other region, made on first use.
    pub(crate) async fn client_for(&self, region: &str) -> Result<ec2::Client, RunError> {
        if region == self.region {
            return Ok(self.ec2.clone());
        }
        let mut regional = self.regional.lock().await;
        if let Some(c) = regional.get(region) {
            return Ok(c.clone());
        }
        let c = crate::component::aws::client(&self.cfg.access, region).await?;
        regional.insert(region.to_string(), c.clone());
        Ok(c)
    }

    fn description(&self) -> Option<String> {
        crate::component::aws::set(&self.cfg.ami_description).map(|d| self.render(d))
    }

    async fn create_ami(&self, instance: &str, pending: &Pending) -> Result<Ami, RunError> {
        let name = self.cfg.ami_name.clone();
        self.say(&format!("Creating AMI {name} from instance {instance}"));
        let out =
            self.ec2
                .create_image()
                .instance_id(instance)
                .name(&name)
                .set_description(self.description())
                .set_block_device_mappings(self.cfg.ami_block_device_mappings.as_ref().map(|v| {
                    v.iter().map(|b| crate::component::builder::amazon_ebs_run::block_device(b, false)).collect()
                }))
                .send()
                .await
                .map_err(|e| sdk_err("cannot create the AMI", e))?;
        let ami = out.image_id().unwrap_or_default().to_string();
        self.message(&format!("AMI: {ami}"));
        self.remove_on_failure(self.ec2.clone(), &ami, pending);
        self.say("Waiting for AMI to become ready...");
        let image = wait_image(self, &self.ec2, &ami).await?;
        Ok(Ami { id: ami, snapshots: image_snapshots(&image) })
    }

    /// Copies to `ami_regions` (and, with `encrypt_boot`, to the build region, replacing the
    /// unencrypted original); returns region → AMI.
    async fn copies(&self, source: &Ami, pending: &Pending) -> Result<BTreeMap<String, Ami>, RunError> {
        let ami = source.id.as_str();
        let mut amis = BTreeMap::from([(self.region.clone(), source.clone())]);
        let encrypt_here = self.cfg.encrypt_boot == Some(true);
        let mut targets: Vec<String> = self.all_regions().into_iter().skip(1).collect();
        if encrypt_here {
            targets.insert(0, self.region.clone());
        }
        if targets.is_empty() {
            return Ok(amis);
        }
        self.say(&format!("Copying/Encrypting AMI ({ami}) to other regions..."));
        let mut copies = Vec::new();
        for r in &targets {
            self.message(&format!("Copying to: {r}"));
            let c = self.client_for(r).await?;
            let kms = self
                .cfg
                .region_kms_key_ids
                .as_ref()
                .and_then(|m| m.get(r))
                .cloned()
                .or_else(|| (*r == self.region).then(|| self.cfg.kms_key_id.clone()).flatten())
                .filter(|k| !k.is_empty());
            let out = c
                .copy_image()
                .source_image_id(ami)
                .source_region(&self.region)
                .name(&self.cfg.ami_name)
                .set_description(self.description())
                .set_encrypted(self.cfg.encrypt_boot)
                .set_kms_key_id(kms)
                .set_snapshot_copy_completion_duration_minutes(self.cfg.snapshot_copy_duration_minutes)
                .send()
                .await
                .map_err(|e| sdk_err(&format!("cannot copy the AMI to {r}"), e))?;
            let copy = out.image_id().unwrap_or_default().to_string();
            self.remove_on_failure(c.clone(), &copy, pending);
            copies.push((r.clone(), c, copy));
        }
        self.message("Waiting for all copies to complete...");
        for (r, c, copy) in &copies {
            let image = wait_image(self, c, copy).await?;
            amis.insert(r.clone(), Ami { id: copy.clone(), snapshots: image_snapshots(&image) });
        }
        if encrypt_here {
            self.say(&format!("Deregistering the unencrypted AMI ({ami})"));
            remove_ami(&self.ec2, ami).await.map_err(RunError::failed)?;
            pending.lock().map(|mut p| p.remove(ami)).ok();
        }
        Ok(amis)
    }

    /// Registers the removal of `ami` (and its snapshots) should the build not succeed.
    fn remove_on_failure(&self, ec2: ec2::Client, ami: &str, pending: &Pending) {
        pending.lock().map(|mut p| p.insert(ami.to_string())).ok();
        let ui = self.cx.ui.clone();
        let pending = pending.clone();
        let ami = ami.to_string();
        self.cx.on_cleanup(
            format!("AMI {ami}"),
            Box::new(move || {
                Box::pin(async move {
                    if !pending.lock().is_ok_and(|p| p.contains(&ami)) {
                        return Ok(());
                    }
                    ui.say(&format!(
                        "Deregistering the AMI and deleting associated snapshots because of cancellation, or error... ({ami})"
                    ));
                    remove_ami(&ec2, &ami).await
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
            ec2.deregister_image()
                .image_id(&id)
                .send()
                .await
                .map_err(|e| sdk_err("cannot deregister the existing AMI", e))?;
            self.say(&format!("Deregistered AMI {}, id: {id}", self.cfg.ami_name));
            if self.cfg.force_delete_snapshot.unwrap_or(false) {
                for s in image_snapshots(img) {
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

    /// `deprecate_at` and `deregistration_protection`, on every AMI of the build.
    async fn deprecation(&self, amis: &BTreeMap<String, Ami>) -> Result<(), RunError> {
        let deprecate_at = self.cfg.deprecate_at.as_deref().filter(|d| !d.is_empty());
        let protection = self.cfg.deregistration_protection.as_ref().filter(|p| p.enabled == Some(true));
        if deprecate_at.is_none() && protection.is_none() {
            return Ok(());
        }
        for (r, made) in amis {
            let ami = &made.id;
            let c = self.client_for(r).await?;
            if let Some(at) = deprecate_at {
                self.say(&format!("Enabling deprecation on AMI ({ami}) in region {r:?} ..."));
                let when = ec2::primitives::DateTime::from_str(at, ec2::primitives::DateTimeFormat::DateTime)
                    .map_err(|e| RunError::failed(format!("`deprecate_at` is not an RFC 3339 time: {e}")))?;
                c.enable_image_deprecation()
                    .image_id(ami)
                    .deprecate_at(when)
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot enable the AMI's deprecation", e))?;
            }
            if let Some(p) = protection {
                self.say(&format!("Enabling deregistration protection on AMI ({ami}) in region {r:?} ..."));
                c.enable_image_deregistration_protection()
                    .image_id(ami)
                    .set_with_cooldown(p.with_cooldown)
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot protect the AMI from deregistration", e))?;
            }
        }
        Ok(())
    }

    async fn attributes(&self, amis: &BTreeMap<String, Ami>) -> Result<(), RunError> {
        let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
        let (users, groups) = (list(&self.cfg.ami_users), list(&self.cfg.ami_groups));
        let (orgs, ous) = (list(&self.cfg.ami_org_arns), list(&self.cfg.ami_ou_arns));
        let codes = list(&self.cfg.ami_product_codes);
        let imds = self.cfg.imds_support.map(ImdsSupport::as_str).filter(|s| !s.is_empty());
        let (snap_users, snap_groups) = (list(&self.cfg.snapshot_users), list(&self.cfg.snapshot_groups));
        for (r, made) in amis {
            let ami = &made.id;
            let c = self.client_for(r).await?;
            let launch = [("users", &users), ("groups", &groups), ("org arns", &orgs), ("ou arns", &ous)];
            if launch.iter().any(|(_, v)| !v.is_empty()) || !codes.is_empty() || imds.is_some() {
                self.say(&format!("Modifying attributes on AMI ({ami})..."));
            }
            if launch.iter().any(|(_, v)| !v.is_empty()) {
                let mut add = LaunchPermissionModifications::builder();
                for (what, values) in launch {
                    if !values.is_empty() {
                        self.message(&format!("Modifying: {what}"));
                    }
                    for v in values {
                        let p = LaunchPermission::builder();
                        add = add.add(match what {
                            "users" => p.user_id(v).build(),
                            "groups" => p.group(ec2::types::PermissionGroup::from(v.as_str())).build(),
                            "org arns" => p.organization_arn(v).build(),
                            _ => p.organizational_unit_arn(v).build(),
                        });
                    }
                }
                c.modify_image_attribute()
                    .image_id(ami)
                    .launch_permission(add.build())
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot modify the AMI's launch permissions", e))?;
            }
            if !codes.is_empty() {
                self.message("Modifying: product codes");
                c.modify_image_attribute()
                    .image_id(ami)
                    .set_product_codes(Some(codes.clone()))
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot set the AMI's product codes", e))?;
            }
            if let Some(v) = imds {
                self.message("Modifying: imds_support");
                c.modify_image_attribute()
                    .image_id(ami)
                    .imds_support(ec2::types::AttributeValue::builder().value(v).build())
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot set the AMI's IMDS support", e))?;
            }
            if snap_users.is_empty() && snap_groups.is_empty() {
                continue;
            }
            for snap in made.snapshots.clone() {
                self.say(&format!("Modifying attributes on snapshot ({snap})..."));
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
        Ok(())
    }

    /// `tags` go on every AMI and its snapshots, `snapshot_tags` on the snapshots, as Packer
    /// does; values may use the build's values (`{{ .SourceAMIName }}`).
    async fn tags(&self, amis: &BTreeMap<String, Ami>) -> Result<(), RunError> {
        let tags = self.merged_tags(&self.cfg.tags, &self.cfg.tag);
        let snapshot_tags = self.merged_tags(&self.cfg.snapshot_tags, &self.cfg.snapshot_tag);
        if tags.is_empty() && snapshot_tags.is_empty() {
            return Ok(());
        }
        for (r, made) in amis {
            let ami = &made.id;
            let c = self.client_for(r).await?;
            self.say(&format!("Adding tags to AMI ({ami})..."));
            let snaps = made.snapshots.clone();
            for s in &snaps {
                self.say(&format!("Tagging snapshot: {s}"));
            }
            if !tags.is_empty() {
                self.say("Creating AMI tags");
                self.say_tags(&tags);
                let resources: Vec<String> = std::iter::once(ami.clone()).chain(snaps.iter().cloned()).collect();
                c.create_tags()
                    .set_resources(Some(resources))
                    .set_tags(Some(to_tags(&tags)))
                    .send()
                    .await
                    .map_err(|e| sdk_err("cannot tag the AMI", e))?;
            }
            if !snapshot_tags.is_empty() && !snaps.is_empty() {
                self.say("Creating snapshot tags");
                self.say_tags(&snapshot_tags);
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

/// Packer's artifact: id `region:ami,…` (sorted), and `AMIs were created:` with a line each.
fn artifact(amis: &BTreeMap<String, Ami>) -> Artifact {
    let id = amis.iter().map(|(r, a)| format!("{r}:{}", a.id)).collect::<Vec<_>>().join(",");
    let description = if amis.is_empty() {
        "No AMIs to report.".to_string()
    } else {
        std::iter::once("AMIs were created:".to_string())
            .chain(amis.iter().map(|(r, a)| format!("{r}: {}", a.id)))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    Artifact { builder_id: "mitchellh.amazonebs".into(), id, description, ..Artifact::default() }
}

/// Deregisters an AMI and deletes its snapshots; the error names what was left.
async fn remove_ami(ec2: &ec2::Client, ami: &str) -> Result<(), String> {
    let snaps = snapshots(ec2, ami).await.unwrap_or_default();
    ec2.deregister_image().image_id(ami).send().await.map_err(|e| short_err(ami, &e))?;
    let mut left = Vec::new();
    for s in snaps {
        if let Err(e) = ec2.delete_snapshot().snapshot_id(&s).send().await {
            left.push(short_err(&s, &e));
        }
    }
    if left.is_empty() { Ok(()) } else { Err(left.join("; ")) }
}

/// Waits for the AMI to become available; returns it as then described (with its snapshots).
async fn wait_image(run: &Run, ec2: &ec2::Client, ami: &str) -> Result<ec2::types::Image, RunError> {
    poll(&run.cx, "the AMI to become available", run.delay, run.attempts, || async {
        let out =
            ec2.describe_images().image_ids(ami).send().await.map_err(|e| sdk_err("cannot describe the AMI", e))?;
        let image = out.images().first();
        match image.and_then(|i| i.state()) {
            Some(ImageState::Available) => Ok(image.cloned()),
            Some(ImageState::Failed) => Err(RunError::failed(format!("AMI {ami} failed"))),
            _ => Ok(None),
        }
    })
    .await
}

fn image_snapshots(img: &ec2::types::Image) -> Vec<String> {
    img.block_device_mappings()
        .iter()
        .filter_map(|b| b.ebs().and_then(|e| e.snapshot_id()).map(str::to_string))
        .collect()
}

async fn snapshots(ec2: &ec2::Client, ami: &str) -> Result<Vec<String>, RunError> {
    let out = ec2.describe_images().image_ids(ami).send().await.map_err(|e| sdk_err("cannot describe the AMI", e))?;
    Ok(out.images().iter().flat_map(image_snapshots).collect())
}
