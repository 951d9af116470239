//! Load balancers. The kind comes from `Type`, never from the ARN (moto's NLB ARNs say `app/`).

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::LoadBalancer;
use tgsync_actors::stack::{LbKind, LiveLoadBalancer, LoadBalancerSpec, Scheme, SgRef, Tags};

use super::{ip_address_type, required, Unmodelled};

/// A load balancer with its attributes (all AWS reports, defaults included) and tags.
pub(in crate::aws::stack) fn load_balancer(
    lb: &LoadBalancer,
    attributes: BTreeMap<String, String>,
    tags: Tags,
) -> Result<LiveLoadBalancer, Unmodelled> {
    let kind = match required(lb.r#type(), "load balancer type")?.as_str() {
        "application" => LbKind::Application,
        "network" => LbKind::Network,
        other => return Err(Unmodelled(format!("load balancer type {other}"))),
    };
    let scheme = match required(lb.scheme(), "scheme")?.as_str() {
        "internal" => Scheme::Internal,
        "internet-facing" => Scheme::InternetFacing,
        other => return Err(Unmodelled(format!("scheme {other}"))),
    };
    let ip_address_type = match lb.ip_address_type() {
        Some(t) => ip_address_type(t.as_str())?,
        None => Default::default(),
    };
    let mut subnets: Vec<String> = lb
        .availability_zones()
        .iter()
        .filter_map(|az| az.subnet_id())
        .map(str::to_owned)
        .collect();
    subnets.sort();
    let mut security_groups: Vec<SgRef> = lb
        .security_groups()
        .iter()
        .cloned()
        .map(SgRef::Id)
        .collect();
    security_groups.sort();
    Ok(LiveLoadBalancer {
        arn: required(lb.load_balancer_arn(), "load balancer ARN")?.to_owned(),
        dns_name: lb.dns_name().unwrap_or_default().to_owned(),
        spec: LoadBalancerSpec {
            name: required(lb.load_balancer_name(), "load balancer name")?.to_owned(),
            kind,
            scheme,
            ip_address_type,
            subnets,
            security_groups,
            attributes,
            tags,
        },
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        AvailabilityZone, IpAddressType as SdkIpType, LoadBalancerSchemeEnum, LoadBalancerTypeEnum,
    };
    use tgsync_actors::stack::IpAddressType;

    use super::*;

    fn nlb_as_moto_answers() -> LoadBalancer {
        LoadBalancer::builder()
            .load_balancer_arn(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-web/1",
            )
            .load_balancer_name("k8s-web")
            .dns_name("k8s-web-1.us-east-1.elb.amazonaws.com")
            .r#type(LoadBalancerTypeEnum::Network)
            .scheme(LoadBalancerSchemeEnum::InternetFacing)
            .ip_address_type(SdkIpType::Dualstack)
            .availability_zones(
                AvailabilityZone::builder()
                    .zone_name("us-east-1b")
                    .subnet_id("subnet-b")
                    .build(),
            )
            .availability_zones(
                AvailabilityZone::builder()
                    .zone_name("us-east-1a")
                    .subnet_id("subnet-a")
                    .build(),
            )
            .security_groups("sg-2")
            .security_groups("sg-1")
            .build()
    }

    #[test]
    fn the_kind_comes_from_the_type_not_the_arn() {
        let tags: Tags = [("k".to_owned(), "v".to_owned())].into();
        let attrs: BTreeMap<String, String> =
            [("deletion_protection.enabled".to_owned(), "false".to_owned())].into();
        let live = load_balancer(&nlb_as_moto_answers(), attrs.clone(), tags.clone()).unwrap();
        assert_eq!(live.dns_name, "k8s-web-1.us-east-1.elb.amazonaws.com");
        assert_eq!(
            live.spec,
            LoadBalancerSpec {
                name: "k8s-web".into(),
                kind: LbKind::Network,
                scheme: Scheme::InternetFacing,
                ip_address_type: IpAddressType::Dualstack,
                subnets: vec!["subnet-a".into(), "subnet-b".into()],
                security_groups: vec![SgRef::Id("sg-1".into()), SgRef::Id("sg-2".into())],
                attributes: attrs,
                tags,
            }
        );
    }

    #[test]
    fn gateway_load_balancers_and_missing_fields_are_unmodelled() {
        let gateway = LoadBalancer::builder()
            .load_balancer_arn("arn:lb/gw")
            .load_balancer_name("gw")
            .r#type(LoadBalancerTypeEnum::Gateway)
            .scheme(LoadBalancerSchemeEnum::Internal)
            .build();
        assert!(load_balancer(&gateway, BTreeMap::new(), Tags::new()).is_err());
        let nameless = LoadBalancer::builder()
            .load_balancer_arn("arn:lb")
            .r#type(LoadBalancerTypeEnum::Application)
            .scheme(LoadBalancerSchemeEnum::Internal)
            .build();
        assert_eq!(
            load_balancer(&nameless, BTreeMap::new(), Tags::new()),
            Err(Unmodelled("load balancer name is missing".into()))
        );
    }
}
