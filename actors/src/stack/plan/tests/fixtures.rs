//! Models for the planner tests: a one-ALB Ingress stack with a few target groups and listeners, and a
//! small `Shape` that random edits change.

use std::collections::BTreeMap;

use crate::stack::model::{
    Action, Condition, HealthCheck, IpAddressType, LbKind, ListenerSpec, LoadBalancerSpec,
    Permission, Protocol, RuleSpec, Scheme, SecurityGroupSpec, SgRef, StackModel, TargetGroupSpec,
    TargetKind,
};
use crate::stack::tags::{StackId, StackKind, Tags};

pub const HOSTS: [&str; 3] = ["a.example.com", "b.example.com", "c.example.com"];
pub const PATHS: [&str; 5] = ["/api", "/web", "/img", "/v2", "/admin"];
pub const TGS: [&str; 3] = ["shop/web-a:80", "shop/web-b:80", "shop/web-c:80"];

fn stack() -> StackId {
    StackId {
        kind: StackKind::Ingress,
        id: "shop".into(),
    }
}

pub fn tags(resource: &str) -> Tags {
    stack().tags("c1", resource, &Tags::new())
}

pub fn target_group(id: &str, protocol: Protocol) -> TargetGroupSpec {
    TargetGroupSpec {
        name: format!("k8s-{}-{}", id.len(), protocol.as_str()),
        target_kind: TargetKind::Ip,
        protocol,
        protocol_version: Some("HTTP1".into()),
        port: 8080,
        ip_address_type: IpAddressType::Ipv4,
        health_check: HealthCheck {
            protocol,
            port: "traffic-port".into(),
            path: Some("/".into()),
            interval_seconds: 15,
            timeout_seconds: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 2,
            matcher: Some("200".into()),
        },
        attributes: BTreeMap::new(),
        tags: tags(id),
    }
}

/// A rule on a host and a path, forwarding to target group `tg` (an index into `TGS`), or a fixed 503 past them.
pub fn rule(host: usize, path: usize, tg: usize) -> RuleSpec {
    RuleSpec {
        conditions: vec![
            Condition::HostHeader(vec![HOSTS[host % HOSTS.len()].into()]),
            Condition::PathPattern(vec![PATHS[path % PATHS.len()].into()]),
        ],
        actions: vec![match TGS.get(tg) {
            Some(id) => Action::forward_to(id),
            None => Action::fixed("503", Some("Backend service does not exist")),
        }],
    }
}

pub fn listener(port: u16, rules: Vec<RuleSpec>) -> ListenerSpec {
    let https = port == 443;
    ListenerSpec {
        port,
        protocol: if https {
            Protocol::Https
        } else {
            Protocol::Http
        },
        certificates: if https {
            vec!["arn:cert/default".into(), "arn:cert/extra".into()]
        } else {
            vec![]
        },
        ssl_policy: https.then(|| "ELBSecurityPolicy-2016-08".into()),
        default_action: Action::fixed("404", None),
        rules,
        tags: tags(&port.to_string()),
    }
}

/// A stack with these listeners, every target group of `TGS` (with these protocols) and the managed group.
pub fn model(listeners: Vec<ListenerSpec>, protocols: [Protocol; 3], scheme: Scheme) -> StackModel {
    let ingress = listeners
        .iter()
        .map(|l| Permission {
            protocol: "tcp".into(),
            port: l.port,
            cidr: "0.0.0.0/0".into(),
        })
        .collect();
    StackModel {
        stack: stack(),
        load_balancer: Some(LoadBalancerSpec {
            name: "k8s-shop".into(),
            kind: LbKind::Application,
            scheme,
            ip_address_type: IpAddressType::Ipv4,
            subnets: vec!["subnet-a".into(), "subnet-b".into()],
            security_groups: vec![SgRef::Managed],
            attributes: [("idle_timeout.timeout_seconds".into(), "60".into())].into(),
            tags: tags("LoadBalancer"),
        }),
        security_group: Some(SecurityGroupSpec {
            name: "k8s-shop-sg".into(),
            ingress,
            tags: tags("ManagedLBSecurityGroup"),
        }),
        target_groups: TGS
            .iter()
            .zip(protocols)
            .map(|(id, p)| (id.to_string(), target_group(id, p)))
            .collect(),
        listeners: listeners.into_iter().map(|l| (l.port, l)).collect(),
        bindings: BTreeMap::new(),
    }
}

/// One listener on port 80 with paths `PATHS[i]` on host 0, each forwarding to target group `i % 3`.
pub fn paths(indices: &[usize]) -> StackModel {
    let rules = indices.iter().map(|&i| rule(0, i, i % 3)).collect();
    model(
        vec![listener(80, rules)],
        [Protocol::Http; 3],
        Scheme::Internal,
    )
}

/// What random edits change: whether the stack exists, its scheme, the target groups' protocols, and each
/// listener's rules as (host, path, target) triples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub alive: bool,
    pub internet: bool,
    pub https_tgs: [bool; 3],
    pub listeners: BTreeMap<u16, Vec<(u8, u8, u8)>>,
}

impl Shape {
    pub fn rules(&self) -> usize {
        self.listeners.values().map(Vec::len).sum()
    }

    pub fn model(&self) -> StackModel {
        let listeners = self
            .listeners
            .iter()
            .map(|(port, rules)| {
                let rules = rules
                    .iter()
                    .map(|&(h, p, t)| rule(h.into(), p.into(), t.into()))
                    .collect();
                listener(*port, rules)
            })
            .collect();
        let protocols = self
            .https_tgs
            .map(|h| if h { Protocol::Https } else { Protocol::Http });
        let scheme = if self.internet {
            Scheme::InternetFacing
        } else {
            Scheme::Internal
        };
        let mut m = model(listeners, protocols, scheme);
        if !self.alive {
            m.load_balancer = None;
        }
        m
    }
}
