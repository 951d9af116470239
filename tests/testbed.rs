//! Checks, as a user would, that the local test bed (`deploy/local/testbed`) works: a real Kubernetes control
//! plane whose EndpointSlices follow a Deployment's kwok pods, fake nodes that match EC2 instances in moto, and
//! ELBv2 in moto driven by the AWS SDK for Rust.
//!
//! Run with `deploy/local/testbed test` (brings the bed up and down around the whole workspace's tests), or by
//! hand: `deploy/local/testbed up`, `source deploy/local/.run/env`, then
//! `cargo test -p tgsync --features testbed --test testbed`.
//! Without the bed these tests fail, and say what is missing.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
    TargetDescription, TargetTypeEnum,
};
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams};
use support::*;

/// The endpoints of a Service's EndpointSlices: (ready addresses, all addresses).
async fn service_endpoints(
    slices: &Api<EndpointSlice>,
    service: &str,
) -> Result<(BTreeSet<String>, BTreeSet<String>), String> {
    let list = slices
        .list(&ListParams::default().labels(&format!("kubernetes.io/service-name={service}")))
        .await
        .map_err(|e| format!("list EndpointSlices: {e}"))?;
    let mut ready = BTreeSet::new();
    let mut all = BTreeSet::new();
    for slice in list.items {
        for ep in slice.endpoints {
            let is_ready = ep
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .unwrap_or(false);
            for addr in ep.addresses {
                if is_ready {
                    ready.insert(addr.clone());
                }
                all.insert(addr);
            }
        }
    }
    Ok((ready, all))
}

/// IPs of the namespace's pods that run and are not being deleted.
async fn live_pod_ips(pods: &Api<Pod>) -> Result<BTreeSet<String>, String> {
    let list = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .map_err(|e| format!("list pods: {e}"))?;
    Ok(list
        .items
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter_map(|p| p.status.and_then(|s| s.pod_ip))
        .collect())
}

/// Waits until the Service `web` has exactly `n` endpoints, all ready, and they are the pods' IPs.
async fn expect_ready_endpoints(client: &kube::Client, ns: &str, n: usize) -> Duration {
    let slices: Api<EndpointSlice> = Api::namespaced(client.clone(), ns);
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let start = Instant::now();
    let ready = poll_until(
        &format!("{n} ready endpoints for service web in {ns}"),
        CONVERGE,
        String::new,
        || async {
            let (ready, all) = service_endpoints(&slices, "web").await?;
            let pod_ips = live_pod_ips(&pods).await?;
            if ready.len() == n && all == ready && ready == pod_ips {
                Ok(ready)
            } else {
                Err(format!(
                    "{} ready of {} endpoints, {} live pod IPs",
                    ready.len(),
                    all.len(),
                    pod_ips.len()
                ))
            }
        },
    )
    .await;
    for ip in &ready {
        assert!(
            ip.starts_with("10.244."),
            "endpoint {ip} is not from a fake node's podCIDR (10.244.0.0/16)"
        );
    }
    start.elapsed()
}

#[tokio::test]
async fn endpoint_slices_follow_a_deployment_as_it_scales() {
    let ns = TestNamespace::bare("tb-scale");
    let client = kube_client().await;

    ns.apply(&web(20, "ClusterIP"));
    let took = expect_ready_endpoints(&client, &ns.0, 20).await;
    eprintln!("20 pods -> 20 ready endpoints in {took:?}");

    kubectl(
        &["scale", "-n", &ns.0, "deployment/web", "--replicas=5"],
        None,
    );
    let took = expect_ready_endpoints(&client, &ns.0, 5).await;
    eprintln!("scaled to 5 -> 5 ready endpoints in {took:?}");

    let rollout = kubectl(
        &[
            "rollout",
            "status",
            "-n",
            &ns.0,
            "deployment/web",
            "--timeout=60s",
        ],
        None,
    );
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
}

#[tokio::test]
async fn fake_nodes_are_ready_and_match_ec2_instances() {
    let client = kube_client().await;
    let ec2 = ec2().await;
    let nodes: Api<Node> = Api::all(client);
    let list = nodes
        .list(&ListParams::default().labels("type=kwok"))
        .await
        .expect("list nodes");
    let expected: usize = std::env::var("TGSYNC_TESTBED_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    assert!(
        list.items.len() >= expected,
        "expected {expected} kwok nodes, found {}",
        list.items.len()
    );
    for node in list.items {
        let name = node.metadata.name.clone().unwrap_or_default();
        let spec = node.spec.expect("node spec");
        let status = node.status.expect("node status");
        let ready = status
            .conditions
            .unwrap_or_default()
            .into_iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        assert!(ready, "node {name} is not Ready");
        assert!(spec.pod_cidr.is_some(), "node {name} has no podCIDR");
        let provider_id = spec.provider_id.expect("providerID");
        // aws:///<availability zone>/<instance id>
        let rest = provider_id
            .strip_prefix("aws:///")
            .unwrap_or_else(|| panic!("node {name}: providerID {provider_id} is not aws:///az/id"));
        let (az, instance_id) = rest.split_once('/').expect("aws:///az/id");
        let internal_ip = status
            .addresses
            .unwrap_or_default()
            .into_iter()
            .find(|a| a.type_ == "InternalIP")
            .map(|a| a.address)
            .unwrap_or_else(|| panic!("node {name} has no InternalIP"));

        let out = ec2
            .describe_instances()
            .instance_ids(instance_id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("describe instance {instance_id} of node {name}: {e:?}"));
        let instance = out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .next()
            .unwrap_or_else(|| panic!("node {name}: no EC2 instance {instance_id} in moto"));
        assert_eq!(
            instance.placement().and_then(|p| p.availability_zone()),
            Some(az),
            "node {name}: zone"
        );
        assert_eq!(
            instance.private_ip_address(),
            Some(internal_ip.as_str()),
            "node {name}: InternalIP is the instance's private IP"
        );
    }
}

#[tokio::test]
async fn aws_sdk_builds_an_alb_with_a_target_group_in_moto() {
    let conf = aws_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&conf);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&conf);
    let region = conf.region().expect("AWS_REGION").to_string();

    let vpc_id = ec2
        .create_vpc()
        .cidr_block("10.77.0.0/16")
        .send()
        .await
        .expect("create VPC")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("VPC id")
        .to_string();
    let mut subnets = Vec::new();
    for (i, zone) in ["a", "b"].iter().enumerate() {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(format!("10.77.{i}.0/24"))
            .availability_zone(format!("{region}{zone}"))
            .send()
            .await
            .expect("create subnet")
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        subnets.push(subnet);
    }

    let tg_name = unique("tb-tg");
    let tg_arn = elb
        .create_target_group()
        .name(&tg_name)
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(&vpc_id)
        .target_type(TargetTypeEnum::Ip)
        .send()
        .await
        .expect("create target group")
        .target_groups()
        .first()
        .and_then(|tg| tg.target_group_arn())
        .expect("target group ARN")
        .to_string();

    let lb_name = unique("tb-alb");
    let lb_arn = elb
        .create_load_balancer()
        .name(&lb_name)
        .r#type(LoadBalancerTypeEnum::Application)
        .scheme(LoadBalancerSchemeEnum::Internal)
        .set_subnets(Some(subnets.clone()))
        .send()
        .await
        .expect("create load balancer")
        .load_balancers()
        .first()
        .and_then(|lb| lb.load_balancer_arn())
        .expect("load balancer ARN")
        .to_string();

    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .expect("create listener");

    let targets = ["10.77.0.10", "10.77.1.10"];
    let mut register = elb.register_targets().target_group_arn(&tg_arn);
    for ip in targets {
        register = register.targets(TargetDescription::builder().id(ip).port(8080).build());
    }
    register.send().await.expect("register targets");

    // Read everything back.
    let lbs = elb
        .describe_load_balancers()
        .names(&lb_name)
        .send()
        .await
        .expect("describe load balancers");
    let lb = lbs.load_balancers().first().expect("the ALB");
    assert_eq!(lb.load_balancer_arn(), Some(lb_arn.as_str()));
    assert_eq!(lb.r#type(), Some(&LoadBalancerTypeEnum::Application));
    assert_eq!(lb.scheme(), Some(&LoadBalancerSchemeEnum::Internal));
    assert_eq!(lb.vpc_id(), Some(vpc_id.as_str()));
    let lb_subnets: BTreeSet<&str> = lb
        .availability_zones()
        .iter()
        .filter_map(|az| az.subnet_id())
        .collect();
    assert_eq!(
        lb_subnets,
        subnets.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );

    let tgs = elb
        .describe_target_groups()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .expect("describe target groups");
    let tg = tgs.target_groups().first().expect("the target group");
    assert_eq!(tg.target_group_name(), Some(tg_name.as_str()));
    assert_eq!(tg.target_type(), Some(&TargetTypeEnum::Ip));
    assert_eq!(tg.vpc_id(), Some(vpc_id.as_str()));
    assert_eq!(tg.load_balancer_arns(), std::slice::from_ref(&lb_arn));

    let health = elb
        .describe_target_health()
        .target_group_arn(&tg_arn)
        .send()
        .await
        .expect("describe target health");
    let registered: BTreeSet<&str> = health
        .target_health_descriptions()
        .iter()
        .filter_map(|d| d.target().and_then(|t| t.id()))
        .collect();
    assert_eq!(registered, targets.into_iter().collect::<BTreeSet<_>>());

    // Clean up, so a long-lived bed does not fill up; failures here fail the test too.
    elb.delete_load_balancer()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .expect("delete load balancer");
    elb.delete_target_group()
        .target_group_arn(&tg_arn)
        .send()
        .await
        .expect("delete target group");
    for subnet in &subnets {
        ec2.delete_subnet()
            .subnet_id(subnet)
            .send()
            .await
            .expect("delete subnet");
    }
    ec2.delete_vpc()
        .vpc_id(&vpc_id)
        .send()
        .await
        .expect("delete VPC");
}
