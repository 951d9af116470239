//! Target groups in moto: created in its default VPC, read back as `id:port`.

use std::collections::BTreeSet;

use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetTypeEnum};

use super::clients::{ec2, elb};

/// Creates a target group in moto's default VPC; returns its ARN.
pub async fn create_target_group(name: &str, target_type: TargetTypeEnum) -> String {
    let vpcs = ec2()
        .await
        .describe_vpcs()
        .send()
        .await
        .expect("DescribeVpcs");
    let vpc = vpcs
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .or_else(|| vpcs.vpcs().first())
        .and_then(|v| v.vpc_id())
        .expect("moto has a default VPC")
        .to_owned();
    let out = elb()
        .await
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc)
        .target_type(target_type)
        .send()
        .await
        .expect("CreateTargetGroup");
    out.target_groups()[0]
        .target_group_arn()
        .expect("target group ARN")
        .to_owned()
}

/// The target group's targets as `id:port`.
pub async fn targets(arn: &str) -> Result<BTreeSet<String>, String> {
    let out = elb()
        .await
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| format!("DescribeTargetHealth: {e}"))?;
    Ok(out
        .target_health_descriptions()
        .iter()
        .filter_map(|d| d.target())
        .map(|t| {
            format!(
                "{}:{}",
                t.id().unwrap_or_default(),
                t.port().unwrap_or_default()
            )
        })
        .collect())
}
