//! The stack reader against moto: a stack's ALB, listeners, rules, target groups and managed security group,
//! made with the SDK, read back as exactly the expected `Deployed`, with resources of other clusters and
//! stacks and deleted ones left out; subnet discovery finds the subnets the bed seeded.

use std::collections::BTreeMap;

use actix::Actor;
use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, ResourceType, Tag as Ec2Tag, TagSpecification,
};
use aws_sdk_elasticloadbalancingv2::types::{
    Action as SdkAction, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig,
    HostHeaderConditionConfig, HttpHeaderConditionConfig, LoadBalancerSchemeEnum,
    LoadBalancerTypeEnum, Matcher, PathPatternConditionConfig, ProtocolEnum, RuleCondition, Tag,
    TargetGroupStickinessConfig, TargetGroupTuple, TargetTypeEnum,
};
use aws_sdk_elasticloadbalancingv2::Client as Elb;
use tgsync::aws::stack::{BudgetPermits, StackReader, INTERNAL_ROLE_TAG, PUBLIC_ROLE_TAG};
use tgsync_actors::budget::{ApiBudget, BudgetConfig, Priority};
use tgsync_actors::stack::{
    Action, Condition, Deployed, HealthCheck, IpAddressType, LbKind, ListenerSpec, LiveListener,
    LiveLoadBalancer, LiveRule, LiveSecurityGroup, LiveTargetGroup, LoadBalancerSpec, Permission,
    Protocol, RuleSpec, Scheme, SecurityGroupSpec, SgRef, StackId, StackKind, Tags,
    TargetGroupSpec, TargetKind, TgRef, WeightedTg,
};

use crate::support::*;

/// A reader of the bed's cluster and VPC on a budget of its own (the test runs inside an actix System).
async fn reader_in(vpc: &str) -> StackReader<BudgetPermits> {
    let budget = ApiBudget::new(BudgetConfig::default()).start();
    StackReader::new(
        elb().await,
        ec2().await,
        BudgetPermits::new(budget, Priority::Normal),
        cluster_name(),
        vpc,
    )
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn create_lb(
    elb: &Elb,
    name: &str,
    kind: LoadBalancerTypeEnum,
    subnets: &[String],
    sg: Option<&str>,
    tags: &Tags,
) -> (String, String) {
    let out = elb
        .create_load_balancer()
        .name(name)
        .r#type(kind)
        .scheme(LoadBalancerSchemeEnum::Internal)
        .set_subnets(Some(subnets.to_vec()))
        .set_security_groups(sg.map(|sg| vec![sg.to_owned()]))
        .set_tags(Some(sdk_tags(tags)))
        .send()
        .await
        .expect("CreateLoadBalancer");
    let lb = &out.load_balancers()[0];
    (
        lb.load_balancer_arn().unwrap().to_owned(),
        lb.dns_name().unwrap().to_owned(),
    )
}

/// A target group with every health-check field set, so the expected values are the test's, not moto's.
async fn create_tg(
    elb: &Elb,
    name: &str,
    protocol: ProtocolEnum,
    port: i32,
    tags: &Tags,
) -> String {
    let http = protocol == ProtocolEnum::Http;
    let out = elb
        .create_target_group()
        .name(name)
        .protocol(protocol.clone())
        .set_protocol_version(http.then(|| "HTTP1".to_owned()))
        .port(port)
        .vpc_id(vpc_id())
        .target_type(TargetTypeEnum::Ip)
        .health_check_protocol(protocol)
        .health_check_port("traffic-port")
        .set_health_check_path(http.then(|| "/healthz".to_owned()))
        .health_check_interval_seconds(15)
        .health_check_timeout_seconds(5)
        .healthy_threshold_count(2)
        .unhealthy_threshold_count(2)
        .set_matcher(http.then(|| Matcher::builder().http_code("200").build()))
        .set_tags(Some(sdk_tags(tags)))
        .send()
        .await
        .expect("CreateTargetGroup");
    out.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned()
}

fn http_tg_spec(
    name: &str,
    port: u16,
    attributes: BTreeMap<String, String>,
    tags: Tags,
) -> TargetGroupSpec {
    TargetGroupSpec {
        name: name.to_owned(),
        target_kind: TargetKind::Ip,
        protocol: Protocol::Http,
        protocol_version: Some("HTTP1".into()),
        port,
        ip_address_type: IpAddressType::Ipv4,
        health_check: HealthCheck {
            protocol: Protocol::Http,
            port: "traffic-port".into(),
            path: Some("/healthz".into()),
            interval_seconds: 15,
            timeout_seconds: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 2,
            matcher: Some("200".into()),
        },
        attributes,
        tags,
    }
}

async fn lb_attributes(elb: &Elb, arn: &str) -> BTreeMap<String, String> {
    let out = elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .expect("attributes");
    out.attributes()
        .iter()
        .map(|a| {
            (
                a.key().unwrap().to_owned(),
                a.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn tg_attributes(elb: &Elb, arn: &str) -> BTreeMap<String, String> {
    let out = elb
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .expect("attributes");
    out.attributes()
        .iter()
        .map(|a| {
            (
                a.key().unwrap().to_owned(),
                a.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn create_listener(
    elb: &Elb,
    lb: &str,
    port: i32,
    protocol: ProtocolEnum,
    default: SdkAction,
    tags: &Tags,
) -> String {
    let out = elb
        .create_listener()
        .load_balancer_arn(lb)
        .port(port)
        .protocol(protocol)
        .default_actions(default)
        .set_tags(Some(sdk_tags(tags)))
        .send()
        .await
        .expect("CreateListener");
    out.listeners()[0].listener_arn().unwrap().to_owned()
}

async fn create_rule(
    elb: &Elb,
    listener: &str,
    priority: i32,
    conditions: Vec<RuleCondition>,
    action: SdkAction,
) -> String {
    let out = elb
        .create_rule()
        .listener_arn(listener)
        .priority(priority)
        .set_conditions(Some(conditions))
        .actions(action)
        .send()
        .await
        .expect("CreateRule");
    out.rules()[0].rule_arn().unwrap().to_owned()
}

fn forward_to(tg: &str) -> SdkAction {
    SdkAction::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(tg)
        .build()
}

fn fixed(status: &str, body: Option<&str>) -> SdkAction {
    SdkAction::builder()
        .r#type(ActionTypeEnum::FixedResponse)
        .fixed_response_config(
            FixedResponseActionConfig::builder()
                .status_code(status)
                .content_type("text/plain")
                .set_message_body(body.map(str::to_owned))
                .build(),
        )
        .build()
}

fn path(values: &[&str]) -> RuleCondition {
    let mut config = PathPatternConditionConfig::builder();
    for v in values {
        config = config.values(*v);
    }
    RuleCondition::builder()
        .field("path-pattern")
        .path_pattern_config(config.build())
        .build()
}

fn one(tg: &str) -> WeightedTg {
    WeightedTg {
        tg: TgRef::Arn(tg.to_owned()),
        weight: None,
    }
}

/// The stack's managed security group, allowing port 80 from anywhere.
async fn create_sg(name: &str, tags: &Tags) -> String {
    let ec2 = ec2().await;
    let ec2_tags: Vec<Ec2Tag> = tags
        .iter()
        .map(|(k, v)| Ec2Tag::builder().key(k).value(v).build())
        .collect();
    let id = ec2
        .create_security_group()
        .group_name(name)
        .description("tgsync stack reader test")
        .vpc_id(vpc_id())
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::SecurityGroup)
                .set_tags(Some(ec2_tags))
                .build(),
        )
        .send()
        .await
        .expect("CreateSecurityGroup")
        .group_id()
        .unwrap()
        .to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(&id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(80)
                .to_port(80)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("AuthorizeSecurityGroupIngress");
    id
}

async fn delete_all(elb: &Elb, lbs: &[&str], tgs: &[&str], sgs: &[&str]) {
    for lb in lbs {
        elb.delete_load_balancer()
            .load_balancer_arn(*lb)
            .send()
            .await
            .expect("DeleteLoadBalancer");
    }
    for tg in tgs {
        elb.delete_target_group()
            .target_group_arn(*tg)
            .send()
            .await
            .expect("DeleteTargetGroup");
    }
    let ec2 = ec2().await;
    for sg in sgs {
        ec2.delete_security_group()
            .group_id(*sg)
            .send()
            .await
            .expect("DeleteSecurityGroup");
    }
}

#[actix_rt::test]
async fn reads_exactly_the_stacks_alb_listeners_rules_target_groups_and_security_group() {
    let (cluster, elb) = (cluster_name(), elb().await);
    let name = unique("rdr");
    let stack = StackId {
        kind: StackKind::Ingress,
        id: name.clone(),
    };
    let none = Tags::new();

    let sg_tags = stack.tags(&cluster, "ManagedLBSecurityGroup", &none);
    let sg = create_sg(&name, &sg_tags).await;
    let web_tags = stack.tags(&cluster, "ns/web-web:80", &tags(&[("team", "a")]));
    let web = create_tg(
        &elb,
        &format!("{name}-w"),
        ProtocolEnum::Http,
        80,
        &web_tags,
    )
    .await;
    let api_tags = stack.tags(&cluster, "ns/web-api:8080", &none);
    let api = create_tg(
        &elb,
        &format!("{name}-a"),
        ProtocolEnum::Http,
        8080,
        &api_tags,
    )
    .await;
    // The same stack in another cluster, and another stack in ours: neither is this stack's.
    let theirs = stack.tags("another-cluster", "ns/web-web:80", &none);
    let their_tg = create_tg(&elb, &format!("{name}-t"), ProtocolEnum::Http, 80, &theirs).await;
    let other_stack = StackId {
        kind: StackKind::Ingress,
        id: format!("{name}-other"),
    };
    let other_tags = other_stack.tags(&cluster, "LoadBalancer", &none);
    let subnets = internal_subnets();
    let (their_lb, _) = create_lb(
        &elb,
        &format!("{name}-t"),
        LoadBalancerTypeEnum::Application,
        &subnets,
        None,
        &theirs,
    )
    .await;
    let (other_lb, _) = create_lb(
        &elb,
        &format!("{name}-o"),
        LoadBalancerTypeEnum::Application,
        &subnets,
        None,
        &other_tags,
    )
    .await;

    let lb_tags = stack.tags(&cluster, "LoadBalancer", &none);
    let (lb, dns_name) = create_lb(
        &elb,
        &name,
        LoadBalancerTypeEnum::Application,
        &subnets,
        Some(&sg),
        &lb_tags,
    )
    .await;
    let l80_tags = stack.tags(&cluster, "80", &none);
    let l80 = create_listener(
        &elb,
        &lb,
        80,
        ProtocolEnum::Http,
        fixed("404", None),
        &l80_tags,
    )
    .await;
    let l8080_tags = stack.tags(&cluster, "8080", &none);
    let l8080 = create_listener(
        &elb,
        &lb,
        8080,
        ProtocolEnum::Http,
        forward_to(&web),
        &l8080_tags,
    )
    .await;

    // Created out of priority order: moto lists rules as created, the reader sorts them.
    let r3 = create_rule(&elb, &l80, 3, vec![path(&["/api", "/api/*"])], {
        let single = ForwardActionConfig::builder()
            .target_groups(
                TargetGroupTuple::builder()
                    .target_group_arn(&api)
                    .weight(1)
                    .build(),
            )
            .build();
        SdkAction::builder()
            .r#type(ActionTypeEnum::Forward)
            .forward_config(single)
            .build()
    })
    .await;
    let host = RuleCondition::builder()
        .field("host-header")
        .host_header_config(
            HostHeaderConditionConfig::builder()
                .values("a.example.com")
                .build(),
        )
        .build();
    let r1 = create_rule(&elb, &l80, 1, vec![path(&["/*"]), host], forward_to(&web)).await;
    let canary = RuleCondition::builder()
        .field("http-header")
        .http_header_config(
            HttpHeaderConditionConfig::builder()
                .http_header_name("X-Canary")
                .values("on")
                .build(),
        )
        .build();
    let weighted = ForwardActionConfig::builder()
        .target_groups(
            TargetGroupTuple::builder()
                .target_group_arn(&web)
                .weight(80)
                .build(),
        )
        .target_groups(
            TargetGroupTuple::builder()
                .target_group_arn(&api)
                .weight(20)
                .build(),
        )
        .target_group_stickiness_config(
            TargetGroupStickinessConfig::builder()
                .enabled(true)
                .duration_seconds(60)
                .build(),
        )
        .build();
    let r2 = create_rule(
        &elb,
        &l80,
        2,
        vec![canary],
        SdkAction::builder()
            .r#type(ActionTypeEnum::Forward)
            .forward_config(weighted)
            .build(),
    )
    .await;
    let body = "Backend service does not exist";
    let r4 = create_rule(
        &elb,
        &l80,
        4,
        vec![path(&["/gone"])],
        fixed("503", Some(body)),
    )
    .await;

    let deployed = reader_in(&vpc_id())
        .await
        .read(&stack)
        .await
        .expect("read the stack");

    let mut weighted_groups = vec![
        WeightedTg {
            tg: TgRef::Arn(web.clone()),
            weight: Some(80),
        },
        WeightedTg {
            tg: TgRef::Arn(api.clone()),
            weight: Some(20),
        },
    ];
    weighted_groups.sort();
    let rule = |arn: &str, priority, conditions, actions| LiveRule {
        arn: arn.to_owned(),
        priority,
        spec: RuleSpec {
            conditions,
            actions,
        },
    };
    let forward = |groups, stickiness_seconds| Action::Forward {
        groups,
        stickiness_seconds,
    };
    let listener = |arn: &str, port, default_action, tags, rules| LiveListener {
        arn: arn.to_owned(),
        spec: ListenerSpec {
            port,
            protocol: Protocol::Http,
            certificates: vec![],
            ssl_policy: None,
            default_action,
            rules: vec![],
            tags,
        },
        rules,
    };
    let expected = Deployed {
        load_balancer: Some(LiveLoadBalancer {
            arn: lb.clone(),
            dns_name,
            spec: LoadBalancerSpec {
                name: name.clone(),
                kind: LbKind::Application,
                scheme: Scheme::Internal,
                ip_address_type: IpAddressType::Ipv4,
                subnets: subnets.clone(),
                security_groups: vec![SgRef::Id(sg.clone())],
                attributes: lb_attributes(&elb, &lb).await,
                tags: lb_tags,
            },
        }),
        security_group: Some(LiveSecurityGroup {
            id: sg.clone(),
            spec: SecurityGroupSpec {
                name: name.clone(),
                ingress: vec![Permission {
                    protocol: "tcp".into(),
                    port: 80,
                    cidr: "0.0.0.0/0".into(),
                }],
                tags: sg_tags,
            },
        }),
        target_groups: BTreeMap::from([
            (
                "ns/web-web:80".to_owned(),
                LiveTargetGroup {
                    arn: web.clone(),
                    spec: http_tg_spec(
                        &format!("{name}-w"),
                        80,
                        tg_attributes(&elb, &web).await,
                        web_tags,
                    ),
                },
            ),
            (
                "ns/web-api:8080".to_owned(),
                LiveTargetGroup {
                    arn: api.clone(),
                    spec: http_tg_spec(
                        &format!("{name}-a"),
                        8080,
                        tg_attributes(&elb, &api).await,
                        api_tags,
                    ),
                },
            ),
        ]),
        listeners: BTreeMap::from([
            (
                80,
                listener(
                    &l80,
                    80,
                    Action::fixed("404", None),
                    l80_tags,
                    vec![
                        rule(
                            &r1,
                            1,
                            vec![
                                Condition::HostHeader(vec!["a.example.com".into()]),
                                Condition::PathPattern(vec!["/*".into()]),
                            ],
                            vec![forward(vec![one(&web)], None)],
                        ),
                        rule(
                            &r2,
                            2,
                            vec![Condition::HttpHeader {
                                name: "X-Canary".into(),
                                values: vec!["on".into()],
                            }],
                            vec![forward(weighted_groups, Some(60))],
                        ),
                        rule(
                            &r3,
                            3,
                            vec![Condition::PathPattern(vec!["/api".into(), "/api/*".into()])],
                            vec![forward(vec![one(&api)], None)],
                        ),
                        rule(
                            &r4,
                            4,
                            vec![Condition::PathPattern(vec!["/gone".into()])],
                            vec![Action::fixed("503", Some(body))],
                        ),
                    ],
                ),
            ),
            (
                8080,
                listener(
                    &l8080,
                    8080,
                    forward(vec![one(&web)], None),
                    l8080_tags,
                    vec![],
                ),
            ),
        ]),
    };
    assert_eq!(deployed, expected);
    let attributes = &expected.load_balancer.as_ref().unwrap().spec.attributes;
    assert!(
        attributes.contains_key("deletion_protection.enabled"),
        "{attributes:?}"
    );

    delete_all(
        &elb,
        &[&lb, &their_lb, &other_lb],
        &[&web, &api, &their_tg],
        &[&sg],
    )
    .await;
}

#[actix_rt::test]
async fn an_nlb_stack_reads_as_network_with_its_listener_and_no_rules() {
    let (cluster, elb) = (cluster_name(), elb().await);
    let name = unique("rdn");
    let stack = StackId {
        kind: StackKind::Service,
        id: format!("ns/{name}"),
    };
    let none = Tags::new();
    let tg_tags = stack.tags(&cluster, &format!("ns/{name}:80"), &none);
    let tg = create_tg(&elb, &name, ProtocolEnum::Tcp, 30080, &tg_tags).await;
    let lb_tags = stack.tags(&cluster, "LoadBalancer", &none);
    let (lb, _) = create_lb(
        &elb,
        &name,
        LoadBalancerTypeEnum::Network,
        &internal_subnets(),
        None,
        &lb_tags,
    )
    .await;
    let l80 = create_listener(
        &elb,
        &lb,
        80,
        ProtocolEnum::Tcp,
        forward_to(&tg),
        &stack.tags(&cluster, "80", &none),
    )
    .await;

    let deployed = reader_in(&vpc_id())
        .await
        .read(&stack)
        .await
        .expect("read the stack");

    let live = deployed.load_balancer.expect("the NLB");
    assert_eq!(live.arn, lb);
    // moto names NLBs `loadbalancer/app/...`: the kind must come from the answer's Type.
    assert_eq!(live.spec.kind, LbKind::Network);
    assert_eq!(
        deployed.listeners.keys().copied().collect::<Vec<_>>(),
        vec![80]
    );
    let listener = &deployed.listeners[&80];
    assert_eq!(listener.arn, l80);
    assert_eq!(listener.spec.protocol, Protocol::Tcp);
    assert_eq!(
        listener.spec.default_action,
        Action::Forward {
            groups: vec![one(&tg)],
            stickiness_seconds: None
        }
    );
    assert!(listener.rules.is_empty());
    let found = &deployed.target_groups[&format!("ns/{name}:80")];
    assert_eq!(
        (found.arn.as_str(), found.spec.protocol, found.spec.port),
        (tg.as_str(), Protocol::Tcp, 30080)
    );
    assert_eq!(found.spec.health_check.path, None);
    assert_eq!(deployed.security_group, None);

    delete_all(&elb, &[&lb], &[&tg], &[]).await;
}

#[actix_rt::test]
async fn a_deleted_load_balancer_is_not_read_though_moto_keeps_its_tags() {
    let (cluster, elb) = (cluster_name(), elb().await);
    let name = unique("rdd");
    let stack = StackId {
        kind: StackKind::Ingress,
        id: name.clone(),
    };
    let lb_tags = stack.tags(&cluster, "LoadBalancer", &Tags::new());
    let (lb, _) = create_lb(
        &elb,
        &name,
        LoadBalancerTypeEnum::Application,
        &internal_subnets(),
        None,
        &lb_tags,
    )
    .await;
    let reader = reader_in(&vpc_id()).await;
    assert!(reader
        .read(&stack)
        .await
        .expect("read")
        .load_balancer
        .is_some());

    delete_all(&elb, &[&lb], &[], &[]).await;
    assert_eq!(
        reader.read(&stack).await.expect("read"),
        Deployed::default()
    );
}

#[actix_rt::test]
async fn discovery_finds_the_seeded_subnets_by_scheme() {
    let reader = reader_in(&vpc_id()).await;
    let public = reader
        .discover_subnets(LbKind::Application, Scheme::InternetFacing)
        .await
        .expect("public");
    assert_eq!(public, public_subnets());
    let internal = reader
        .discover_subnets(LbKind::Application, Scheme::Internal)
        .await
        .expect("internal");
    assert_eq!(internal, internal_subnets());
    let nlb = reader
        .discover_subnets(LbKind::Network, Scheme::Internal)
        .await
        .expect("nlb");
    assert_eq!(nlb, internal_subnets());
}

/// In a VPC of its own: a subnet of another cluster only is dropped, ours is preferred in its zone, an empty
/// role tag counts, and an untagged subnet is never considered.
#[actix_rt::test]
async fn discovery_drops_other_clusters_and_prefers_ours_in_a_zone() {
    let ec2 = ec2().await;
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.77.0.0/16")
        .send()
        .await
        .expect("CreateVpc")
        .vpc()
        .and_then(|v| v.vpc_id())
        .unwrap()
        .to_owned();
    let ours = format!("kubernetes.io/cluster/{}", cluster_name());
    let mut made = BTreeMap::new();
    for (label, cidr, zone, tags) in [
        (
            "theirs",
            "10.77.0.0/24",
            "us-east-1a",
            vec![
                (PUBLIC_ROLE_TAG, "1"),
                ("kubernetes.io/cluster/theirs", "owned"),
            ],
        ),
        (
            "plain",
            "10.77.1.0/24",
            "us-east-1b",
            vec![(PUBLIC_ROLE_TAG, "1")],
        ),
        (
            "ours",
            "10.77.2.0/24",
            "us-east-1b",
            vec![(PUBLIC_ROLE_TAG, "1"), (ours.as_str(), "shared")],
        ),
        (
            "empty-role",
            "10.77.3.0/24",
            "us-east-1c",
            vec![(PUBLIC_ROLE_TAG, "")],
        ),
        (
            "internal",
            "10.77.4.0/24",
            "us-east-1d",
            vec![(INTERNAL_ROLE_TAG, "1")],
        ),
        ("untagged", "10.77.5.0/24", "us-east-1e", vec![]),
    ] {
        let tags: Vec<Ec2Tag> = tags
            .iter()
            .map(|(k, v)| Ec2Tag::builder().key(*k).value(*v).build())
            .collect();
        let id = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(cidr)
            .availability_zone(zone)
            .set_tag_specifications((!tags.is_empty()).then(|| {
                vec![TagSpecification::builder()
                    .resource_type(ResourceType::Subnet)
                    .set_tags(Some(tags))
                    .build()]
            }))
            .send()
            .await
            .expect("CreateSubnet")
            .subnet()
            .and_then(|s| s.subnet_id())
            .unwrap()
            .to_owned();
        made.insert(label, id);
    }

    let reader = reader_in(&vpc).await;
    let mut expected = vec![made["ours"].clone(), made["empty-role"].clone()];
    expected.sort();
    let public = reader
        .discover_subnets(LbKind::Application, Scheme::InternetFacing)
        .await
        .expect("public");
    assert_eq!(public, expected);
    let internal = reader
        .discover_subnets(LbKind::Network, Scheme::Internal)
        .await
        .expect("internal");
    assert_eq!(internal, vec![made["internal"].clone()]);
    let too_few = reader
        .discover_subnets(LbKind::Application, Scheme::Internal)
        .await;
    assert!(
        too_few.is_err(),
        "one internal zone is not enough for an ALB: {too_few:?}"
    );

    let subnets = ec2
        .describe_subnets()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .send()
        .await;
    for s in subnets.expect("DescribeSubnets").subnets() {
        ec2.delete_subnet()
            .subnet_id(s.subnet_id().unwrap())
            .send()
            .await
            .expect("DeleteSubnet");
    }
    ec2.delete_vpc()
        .vpc_id(&vpc)
        .send()
        .await
        .expect("DeleteVpc");
}
