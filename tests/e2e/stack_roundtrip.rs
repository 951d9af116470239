//! The stack layer end to end against moto: a model planned against what the reader finds, applied, and read
//! back until nothing is left to plan. A rule inserted in the middle moves the others (moto refuses the one
//! `SetRulePriorities`, so the collision-free fallback runs) and keeps their ARNs; an empty model deletes
//! everything the stack made.

use std::collections::BTreeMap;

use actix::Actor;
use tgsync::aws::stack::apply::StackApplier;
use tgsync::aws::stack::{BudgetPermits, StackReader};
use tgsync_actors::budget::{ApiBudget, BudgetConfig, Priority};
use tgsync_actors::stack::plan::{plan, Call};
use tgsync_actors::stack::{
    Action, Condition, Deployed, HealthCheck, IpAddressType, LbKind, ListenerSpec,
    LoadBalancerSpec, Permission, Protocol, RuleSpec, Scheme, SecurityGroupSpec, SgRef, StackId,
    StackKind, StackModel, Tags, TargetGroupSpec, TargetKind,
};

use crate::support::*;

struct Rig {
    reader: StackReader<BudgetPermits>,
    applier: StackApplier<BudgetPermits>,
    stack: StackId,
}

impl Rig {
    async fn new(stack: StackId) -> Self {
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        Rig {
            reader: StackReader::new(
                elb().await,
                ec2().await,
                BudgetPermits::new(budget.clone(), Priority::Normal),
                cluster_name(),
                vpc_id(),
            ),
            applier: StackApplier::new(
                elb().await,
                ec2().await,
                vpc_id(),
                BudgetPermits::new(budget, Priority::Normal),
            ),
            stack,
        }
    }

    async fn read(&self) -> Deployed {
        self.reader
            .read(&self.stack)
            .await
            .expect("the stack reads")
    }

    /// Plans against what AWS holds and applies; returns the plan's calls.
    async fn converge_once(&self, model: &StackModel) -> Vec<Call> {
        let deployed = self.read().await;
        let p = plan(model, &deployed);
        self.applier
            .apply(&p)
            .await
            .unwrap_or_else(|e| panic!("plan applies: {e}\nplan: {:#?}", p.calls));
        p.calls
    }

    /// Asserts that AWS now holds `model`: a fresh read plans nothing.
    async fn assert_converged(&self, model: &StackModel) {
        let left = plan(model, &self.read().await);
        assert!(
            left.is_empty(),
            "calls left after applying: {:#?}",
            left.calls
        );
    }
}

/// A stack of `name` with one internal ALB, its managed security group, two ip target groups and an HTTP
/// listener on 80 whose rules forward `paths` in order (each to `web` or `api`).
fn model(stack: &StackId, name: &str, paths: &[(&str, &str)]) -> StackModel {
    let cluster = cluster_name();
    let tags = |resource: &str| stack.tags(&cluster, resource, &Tags::new());
    let tg = |svc: &str| {
        let id = format!("shop/{name}-{svc}:80");
        let spec = TargetGroupSpec {
            name: format!("k8s-{name}-{svc}"),
            target_kind: TargetKind::Ip,
            protocol: Protocol::Http,
            protocol_version: Some("HTTP1".into()),
            port: 8080,
            ip_address_type: IpAddressType::Ipv4,
            health_check: HealthCheck {
                protocol: Protocol::Http,
                port: "traffic-port".into(),
                path: Some("/".into()),
                interval_seconds: 15,
                timeout_seconds: 5,
                healthy_threshold: 2,
                unhealthy_threshold: 2,
                matcher: Some("200".into()),
            },
            attributes: BTreeMap::new(),
            tags: tags(&id),
        };
        (id, spec)
    };
    let target_groups: BTreeMap<String, TargetGroupSpec> = [tg("web"), tg("api")].into();
    let rules = paths
        .iter()
        .map(|(path, svc)| RuleSpec {
            conditions: vec![Condition::PathPattern(vec![path.to_string()])],
            actions: vec![Action::forward_to(&format!("shop/{name}-{svc}:80"))],
        })
        .collect();
    let mut subnets = internal_subnets();
    subnets.sort();
    StackModel {
        stack: stack.clone(),
        load_balancer: Some(LoadBalancerSpec {
            name: format!("k8s-{name}"),
            kind: LbKind::Application,
            scheme: Scheme::Internal,
            ip_address_type: IpAddressType::Ipv4,
            subnets,
            security_groups: vec![SgRef::Managed],
            attributes: BTreeMap::new(),
            tags: tags("LoadBalancer"),
        }),
        security_group: Some(SecurityGroupSpec {
            name: format!("k8s-{name}-sg"),
            ingress: vec![Permission {
                protocol: "tcp".into(),
                port: 80,
                cidr: "0.0.0.0/0".into(),
            }],
            tags: tags("ManagedLBSecurityGroup"),
        }),
        target_groups,
        listeners: [(
            80,
            ListenerSpec {
                port: 80,
                protocol: Protocol::Http,
                certificates: vec![],
                ssl_policy: None,
                default_action: Action::fixed("404", None),
                rules,
                tags: tags("80"),
            },
        )]
        .into(),
        bindings: BTreeMap::new(),
    }
}

/// The listener's rules as (priority, path, ARN).
fn rules_of(deployed: &Deployed) -> Vec<(u32, String, String)> {
    let listener = deployed.listeners.get(&80).expect("the listener exists");
    listener
        .rules
        .iter()
        .map(|r| {
            let path = match r.spec.conditions.first() {
                Some(Condition::PathPattern(v)) => v.join(","),
                other => format!("{other:?}"),
            };
            (r.priority, path, r.arn.clone())
        })
        .collect()
}

#[actix_rt::test]
async fn a_model_converges_keeps_rule_arns_when_one_is_inserted_and_is_deleted_whole() {
    let name = unique("rt");
    let stack = StackId {
        kind: StackKind::Ingress,
        id: format!("rt-{name}"),
    };
    let rig = Rig::new(stack.clone()).await;

    let first = model(
        &stack,
        &name,
        &[("/api/*", "api"), ("/web/*", "web"), ("/static/*", "web")],
    );
    let calls = rig.converge_once(&first).await;
    assert!(
        matches!(calls.first(), Some(Call::CreateSecurityGroup { .. })),
        "the security group comes first: {calls:#?}"
    );
    rig.assert_converged(&first).await;
    let before = rules_of(&rig.read().await);
    let paths: Vec<(u32, &str)> = before
        .iter()
        .map(|(p, path, _)| (*p, path.as_str()))
        .collect();
    assert_eq!(paths, [(1, "/api/*"), (2, "/web/*"), (3, "/static/*")]);

    // A path inserted first: the three rules move down and keep their ARNs; one rule is created.
    let second = model(
        &stack,
        &name,
        &[
            ("/new/*", "web"),
            ("/api/*", "api"),
            ("/web/*", "web"),
            ("/static/*", "web"),
        ],
    );
    let calls = rig.converge_once(&second).await;
    let creates = calls
        .iter()
        .filter(|c| matches!(c, Call::CreateRule { .. }))
        .count();
    let moves = calls
        .iter()
        .filter(|c| matches!(c, Call::SetRulePriorities { .. }))
        .count();
    assert_eq!(
        (creates, moves, calls.len()),
        (1, 1, 2),
        "an insert costs a move and a create: {calls:#?}"
    );
    rig.assert_converged(&second).await;
    let after = rules_of(&rig.read().await);
    let kept: Vec<(u32, &str, &str)> = after
        .iter()
        .skip(1)
        .map(|(p, path, arn)| (*p, path.as_str(), arn.as_str()))
        .collect();
    let expected: Vec<(u32, &str, &str)> = before
        .iter()
        .map(|(p, path, arn)| (p + 1, path.as_str(), arn.as_str()))
        .collect();
    assert_eq!(kept, expected, "moved rules keep their ARNs");
    assert_eq!(after[0].1, "/new/*");

    // The last member gone: everything the stack made is deleted.
    let gone = StackModel {
        load_balancer: None,
        security_group: None,
        target_groups: BTreeMap::new(),
        listeners: BTreeMap::new(),
        ..second
    };
    rig.converge_once(&gone).await;
    let left = rig.read().await;
    assert_eq!(left, Deployed::default(), "the stack left resources behind");
}
