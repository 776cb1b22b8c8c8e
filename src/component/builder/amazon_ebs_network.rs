//! Where an `amazon-ebs` instance runs: the VPC, subnet and availability zone from ids or
//! filters (Packer's StepNetworkInfo), and the security groups given by id or by filter.

use aws_sdk_ec2 as ec2;
use ec2::types::Filter;

use crate::component::aws::{sdk_err, set};
use crate::component::builder::amazon_ebs::{self, Config};
use crate::component::runtime::{RunError, Ui};

/// The network an instance is launched into.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Network {
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub availability_zone: Option<String>,
}

fn filters(f: &amazon_ebs::Filter) -> Vec<Filter> {
    f.filters.iter().flatten().map(|(k, v)| Filter::builder().name(k).values(v).build()).collect()
}

/// Resolves `vpc_id`/`vpc_filter`, `subnet_id`/`subnet_filter` and `availability_zone`.
pub(crate) async fn resolve(cfg: &Config, ec2: &ec2::Client, ui: &dyn Ui) -> Result<Network, RunError> {
    let mut net = Network {
        vpc_id: set(&cfg.vpc_id).map(str::to_string),
        subnet_id: set(&cfg.subnet_id).map(str::to_string),
        availability_zone: set(&cfg.availability_zone).map(str::to_string),
    };
    if net.vpc_id.is_none()
        && let Some(f) = cfg.vpc_filter.as_ref().filter(|f| f.filters.as_ref().is_some_and(|m| !m.is_empty()))
    {
        let out = ec2
            .describe_vpcs()
            .set_filters(Some(filters(f)))
            .send()
            .await
            .map_err(|e| sdk_err("cannot find the VPC", e))?;
        let vpcs = out.vpcs();
        if vpcs.len() != 1 {
            return Err(RunError::failed(format!(
                "exactly one VPC should match the filter, but {} did: make `vpc_filter` more specific",
                vpcs.len()
            )));
        }
        let id = vpcs[0].vpc_id().unwrap_or_default().to_string();
        ui.message(&format!("Found VPC ID: {id}"));
        net.vpc_id = Some(id);
    }
    if net.subnet_id.is_none() {
        let wanted = cfg.subnet_filter.as_ref().filter(|f| f.filters.as_ref().is_some_and(|m| !m.is_empty()));
        if wanted.is_some() || net.vpc_id.is_some() {
            let subnet = pick_subnet(ec2, ui, &net, wanted).await?;
            net.availability_zone = subnet.availability_zone().map(str::to_string);
            if net.vpc_id.is_none() {
                net.vpc_id = subnet.vpc_id().map(str::to_string);
            }
            net.subnet_id = subnet.subnet_id().map(str::to_string);
        }
    }
    Ok(net)
}

async fn pick_subnet(
    ec2: &ec2::Client,
    ui: &dyn Ui,
    net: &Network,
    wanted: Option<&amazon_ebs::Filter>,
) -> Result<ec2::types::Subnet, RunError> {
    let mut req = ec2.describe_subnets();
    match wanted {
        Some(f) => req = req.set_filters(Some(filters(f))),
        None => {
            ui.message(&format!("Inferring subnet from the selected VPC {:?}", net.vpc_id.clone().unwrap_or_default()))
        }
    }
    if let Some(vpc) = &net.vpc_id {
        req = req.filters(Filter::builder().name("vpc-id").values(vpc).build());
    }
    if let Some(az) = &net.availability_zone {
        req = req.filters(Filter::builder().name("availability-zone").values(az).build());
    }
    let out = req.send().await.map_err(|e| sdk_err("cannot find the subnet", e))?;
    let mut subnets = out.subnets().to_vec();
    let most_free = wanted.and_then(|f| f.most_free).unwrap_or(wanted.is_none());
    let random = wanted.and_then(|f| f.random).unwrap_or(false);
    if subnets.is_empty() {
        return Err(RunError::failed("no subnet matched: check `subnet_filter`, `vpc_id` and `availability_zone`"));
    }
    if subnets.len() > 1 && !most_free && !random {
        return Err(RunError::failed(format!(
            "your filter matched {} subnets: make `subnet_filter` more specific, or set `random` or `most_free` to true",
            subnets.len()
        )));
    }
    if random {
        let pick = usize::try_from(uuid::Uuid::new_v4().as_u128() % subnets.len() as u128).unwrap_or(0);
        subnets.swap(0, pick);
    } else {
        // The most free addresses first; ties keep EC2's order.
        subnets.sort_by_key(|s| std::cmp::Reverse(s.available_ip_address_count().unwrap_or(0)));
    }
    let subnet = subnets.swap_remove(0);
    let id = subnet.subnet_id().unwrap_or_default();
    ui.message(&format!("Found Subnet ID: {id}"));
    Ok(subnet)
}

/// The security groups to launch with: `security_group_id(s)` as given, or those matching
/// `security_group_filter` (in the instance's VPC); `None` asks for a temporary group.
pub(crate) async fn security_groups(
    cfg: &Config,
    ec2: &ec2::Client,
    vpc_id: Option<&str>,
) -> Result<Option<Vec<String>>, RunError> {
    let mut ids: Vec<String> = set(&cfg.security_group_id).map(str::to_string).into_iter().collect();
    ids.extend(cfg.security_group_ids.iter().flatten().filter(|s| !s.is_empty()).cloned());
    if !ids.is_empty() {
        return Ok(Some(ids));
    }
    let Some(f) = cfg.security_group_filter.as_ref().filter(|f| f.filters.as_ref().is_some_and(|m| !m.is_empty()))
    else {
        return Ok(None);
    };
    let mut req = ec2.describe_security_groups().set_filters(Some(filters(f)));
    if let Some(vpc) = vpc_id {
        req = req.filters(Filter::builder().name("vpc-id").values(vpc).build());
    }
    let out = req.send().await.map_err(|e| sdk_err("cannot find the security groups", e))?;
    let found: Vec<String> = out.security_groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect();
    if found.is_empty() {
        return Err(RunError::failed("no security group matched `security_group_filter`"));
    }
    Ok(Some(found))
}
