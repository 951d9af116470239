use std::time::Duration;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{ElbError, ElbTargets};
use tgsync_actors::stack::plan::{Call, Move, Ref};
use tgsync_actors::stack::*;
use tokio::task::{spawn_local, LocalSet};

use super::*;
use crate::model::{CallOutcome, ElbModel, ModelConfig, StackQuotas};

fn model(quotas: StackQuotas) -> ElbModel {
    let config = ModelConfig {
        quotas,
        latency_min: Duration::from_millis(10),
        latency_max: Duration::from_millis(10),
        ..ModelConfig::default()
    };
    ElbModel::new(config, [])
}

fn create_lb(name: &str) -> Call {
    Call::CreateLoadBalancer {
        name: name.into(),
        kind: LbKind::Application,
        scheme: Scheme::Internal,
        ip_address_type: IpAddressType::Ipv4,
        subnets: vec!["subnet-a".into()],
        security_groups: vec![],
        tags: Tags::new(),
    }
}

fn listener(lb: &str, port: u16) -> Call {
    Call::CreateListener {
        load_balancer: Ref::Existing(lb.into()),
        port,
        protocol: Protocol::Http,
        certificate: None,
        ssl_policy: None,
        default_action: Action::fixed("404", None),
        tags: Tags::new(),
    }
}

fn rule(l: &str, priority: u32, paths: usize) -> Call {
    Call::CreateRule {
        listener: Ref::Existing(l.into()),
        priority,
        rule: RuleSpec {
            conditions: vec![Condition::PathPattern(
                (0..paths).map(|i| format!("/p{priority}/{i}")).collect(),
            )],
            actions: vec![Action::fixed("503", None)],
        },
        tags: Tags::new(),
    }
}

async fn ok(m: &ElbModel, c: Call) -> String {
    m.stack_call(&c).await.unwrap().unwrap_or_default()
}

async fn code(m: &ElbModel, c: Call) -> &'static str {
    m.stack_call(&c).await.unwrap_err().code
}

async fn priorities(m: &ElbModel, l: &str) -> Vec<(String, u32)> {
    let rules = m
        .describe("DescribeRules", |r| r.rules_of(l))
        .await
        .unwrap();
    rules.into_iter().map(|r| (r.arn, r.priority)).collect()
}

#[tokio::test(start_paused = true)]
async fn rules_past_the_quota_and_too_many_condition_values_are_refused() {
    let m = model(StackQuotas {
        rules_per_alb: 3,
        ..StackQuotas::default()
    });
    let lb = ok(&m, create_lb("a")).await;
    let (l1, l2) = (
        ok(&m, listener(&lb, 80)).await,
        ok(&m, listener(&lb, 443)).await,
    );
    assert_eq!(code(&m, listener(&lb, 80)).await, "DuplicateListener");
    ok(&m, rule(&l1, 1, 5)).await;
    assert_eq!(code(&m, rule(&l1, 2, 6)).await, "TooManyConditionValues");
    ok(&m, rule(&l1, 2, 1)).await;
    // The quota counts the load balancer's rules across its listeners.
    ok(&m, rule(&l2, 1, 1)).await;
    assert_eq!(code(&m, rule(&l2, 2, 1)).await, "TooManyRules");
    let failed = m
        .stack_ledger()
        .iter()
        .filter(|c| matches!(&c.outcome, CallOutcome::Failed(e) if e.starts_with("TooManyRules")))
        .count();
    assert_eq!(failed, 1);
}

#[tokio::test(start_paused = true)]
async fn priorities_are_unique_and_set_rule_priorities_is_all_or_nothing() {
    let m = model(StackQuotas::default());
    let lb = ok(&m, create_lb("a")).await;
    let l = ok(&m, listener(&lb, 80)).await;
    let (a, b, c) = (
        ok(&m, rule(&l, 1, 1)).await,
        ok(&m, rule(&l, 2, 1)).await,
        ok(&m, rule(&l, 3, 1)).await,
    );
    assert_eq!(code(&m, rule(&l, 2, 1)).await, "PriorityInUse");
    let mv = |rule: &str, from, to| Move {
        rule: rule.to_owned(),
        from,
        to,
    };
    // A swap is one atomic call on AWS.
    let swap = Call::SetRulePriorities {
        listener: l.clone(),
        moves: vec![mv(&a, 1, 2), mv(&b, 2, 1)],
    };
    ok(&m, swap).await;
    let want = vec![(b.clone(), 1), (a.clone(), 2), (c.clone(), 3)];
    assert_eq!(priorities(&m, &l).await, want);
    // Moving onto a rule that stays is refused, and nothing moves.
    let clash = Call::SetRulePriorities {
        listener: l.clone(),
        moves: vec![mv(&b, 1, 4), mv(&a, 2, 3)],
    };
    assert_eq!(code(&m, clash).await, "PriorityInUse");
    assert_eq!(priorities(&m, &l).await, want);
}

#[tokio::test(start_paused = true)]
async fn each_action_draws_from_its_bucket_and_an_empty_one_answers_throttling() {
    LocalSet::new()
        .run_until(async {
            let m = model(StackQuotas::default());
            let lb = ok(&m, create_lb("a")).await;
            let burst = |call: Call, n: usize| {
                let handles: Vec<_> = (0..n)
                    .map(|_| {
                        let (m, c) = (m.clone(), call.clone());
                        spawn_local(async move { m.stack_call(&c).await })
                    })
                    .collect();
                async move {
                    let mut throttled = 0;
                    for h in handles {
                        if let Err(e) = h.await.unwrap() {
                            assert!(e.is_throttling(), "{e}");
                            throttled += 1;
                        }
                    }
                    throttled
                }
            };
            let tag = Call::AddTags {
                resource: lb.clone(),
                tags: Tags::new(),
            };
            // Mutating: 20 burst.
            assert_eq!(burst(tag, 22).await, 2);
            // LoadBalancers: 10 burst, one spent on the create above.
            let set = Call::SetSubnets {
                load_balancer: lb.clone(),
                subnets: vec!["subnet-b".into()],
            };
            assert_eq!(burst(set, 10).await, 1);
            // EC2 has no ELBv2 bucket here.
            let sg = Call::CreateSecurityGroup {
                name: "sg".into(),
                tags: Tags::new(),
            };
            assert_eq!(burst(sg, 30).await, 0);
            let actions: Vec<&str> = m.stack_ledger().iter().map(|c| c.action).collect();
            assert_eq!(actions.iter().filter(|a| **a == "AddTags").count(), 22);
            assert_eq!(actions.iter().filter(|a| **a == "SetSubnets").count(), 10);
        })
        .await;
    assert_eq!(bucket_of("DescribeRules"), StackBucket::Describe);
    assert_eq!(bucket_of("CreateRule"), StackBucket::Mutating);
    assert_eq!(bucket_of("CreateLoadBalancer"), StackBucket::LoadBalancers);
}

#[tokio::test(start_paused = true)]
async fn created_target_groups_take_targets_and_one_in_use_is_not_deleted() {
    let m = model(StackQuotas {
        target_groups_per_region: 1,
        ..StackQuotas::default()
    });
    let spec = |name: &str| TargetGroupSpec {
        name: name.into(),
        target_kind: TargetKind::Ip,
        protocol: Protocol::Http,
        protocol_version: None,
        port: 8080,
        ip_address_type: IpAddressType::Ipv4,
        health_check: HealthCheck {
            protocol: Protocol::Http,
            port: "traffic-port".into(),
            path: Some("/".into()),
            interval_seconds: 10,
            timeout_seconds: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 2,
            matcher: None,
        },
        attributes: Default::default(),
        tags: Tags::new(),
    };
    let create = |name: &str| Call::CreateTargetGroup {
        id: name.into(),
        spec: spec(name),
    };
    let tg = ok(&m, create("tg-a")).await;
    assert_eq!(code(&m, create("tg-b")).await, "TooManyTargetGroups");
    let key = TargetGroupKey::new(tg.clone());
    let t = Target::ip("10.0.0.1".parse().unwrap(), 8080);
    m.register(&key, vec![t]).await.unwrap();
    assert!(m.registered(&key).contains(&t));

    let lb = ok(&m, create_lb("a")).await;
    let l = ok(&m, listener(&lb, 80)).await;
    let forward = Call::ModifyListener {
        listener: l.clone(),
        protocol: None,
        certificate: None,
        ssl_policy: None,
        default_action: Some(Action::Forward {
            groups: vec![WeightedTg {
                tg: TgRef::Arn(tg.clone()),
                weight: None,
            }],
            stickiness_seconds: None,
        }),
    };
    ok(&m, forward).await;
    let delete = Call::DeleteTargetGroup {
        target_group: tg.clone(),
    };
    assert_eq!(code(&m, delete.clone()).await, "ResourceInUse");
    ok(&m, Call::DeleteListener { listener: l }).await;
    ok(&m, delete).await;
    assert!(matches!(
        m.register(&key, vec![t]).await,
        Err(ElbError::TargetGroupNotFound(_))
    ));
}
