//! One test per planning case, each against the simulated ALB so the plan is also shown to apply.

use super::fixtures::{listener, model, paths, rule};
use super::sim::{apply_plan, Sim};
use crate::budget::ApiClass;
use crate::stack::model::{Action, Protocol, Scheme, StackModel, TgRef};
use crate::stack::plan::{plan, plan_with, Call, Limits, Move, NewId, Plan, Ref};

/// A simulated ALB holding `model`, deployed from nothing.
fn deployed(model: &StackModel, quota: usize) -> Sim {
    let mut sim = Sim::new(quota, true);
    let p = plan_with(model, &sim.deployed(), limits(quota));
    apply_plan(&mut sim, &p).expect("the first deploy applies");
    sim
}

fn limits(quota: usize) -> Limits {
    Limits {
        rules_per_load_balancer: quota,
    }
}

/// Plans `model` against `sim`, applies it, and checks it converged.
fn step(sim: &mut Sim, model: &StackModel) -> Plan {
    let p = plan_with(model, &sim.deployed(), limits(sim.quota));
    apply_plan(sim, &p).expect("the plan applies");
    assert!(plan_with(model, &sim.deployed(), limits(sim.quota)).is_empty());
    p
}

fn rule_arn(sim: &Sim, port: u16, priority: u32) -> String {
    let d = sim.deployed();
    d.listeners[&port]
        .rules
        .iter()
        .find(|r| r.priority == priority)
        .map(|r| r.arn.clone())
        .expect("a rule at that priority")
}

fn moves(sim: &Sim, port: u16, m: &[(u32, u32)]) -> Vec<Move> {
    m.iter()
        .map(|&(from, to)| Move {
            rule: rule_arn(sim, port, from),
            from,
            to,
        })
        .collect()
}

#[test]
fn a_first_deploy_goes_security_group_target_groups_load_balancer_listeners_rules() {
    let m = paths(&[0, 1]);
    let p = plan(&m, &Sim::new(100, true).deployed());
    let kinds: Vec<&str> = p
        .calls
        .iter()
        .map(|c| match c {
            Call::CreateSecurityGroup { .. } | Call::AuthorizeSecurityGroupIngress { .. } => "sg",
            Call::CreateTargetGroup { .. } => "tg",
            Call::CreateLoadBalancer { .. } | Call::ModifyLoadBalancerAttributes { .. } => "lb",
            Call::CreateListener { .. } => "listener",
            Call::CreateRule { .. } => "rule",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        ["sg", "sg", "tg", "tg", "tg", "lb", "lb", "listener", "rule", "rule"]
    );
    let Call::CreateLoadBalancer {
        security_groups, ..
    } = &p.calls[5]
    else {
        panic!("the load balancer is sixth");
    };
    assert_eq!(security_groups, &[Ref::New(NewId::SecurityGroup)]);
    let Call::CreateRule { listener, rule, .. } = &p.calls[8] else {
        panic!("rules come last");
    };
    assert_eq!(listener, &Ref::New(NewId::Listener(80)));
    assert_eq!(rule.actions, [Action::forward_to("shop/web-a:80")]);
}

#[test]
fn nothing_changed_plans_nothing() {
    let m = paths(&[0, 1, 2]);
    let sim = deployed(&m, 100);
    assert_eq!(plan(&m, &sim.deployed()), Plan::default());
}

#[test]
fn a_path_inserted_in_the_middle_shifts_later_rules_in_one_call_and_creates_one() {
    let mut sim = deployed(&paths(&[0, 1, 2, 3]), 100);
    let expected_moves = moves(&sim, 80, &[(4, 5), (3, 4)]);
    let p = step(&mut sim, &paths(&[0, 1, 4, 2, 3]));
    assert_eq!(p.calls.len(), 2, "{p:#?}");
    let Call::SetRulePriorities { moves, .. } = &p.calls[0] else {
        panic!("moves first: {p:#?}");
    };
    let mut moves = moves.clone();
    moves.sort_by_key(|m| std::cmp::Reverse(m.from));
    assert_eq!(moves, expected_moves);
    assert!(matches!(&p.calls[1], Call::CreateRule { priority: 3, .. }));
}

#[test]
fn a_path_removed_from_the_middle_shifts_later_rules_and_deletes_it_parked() {
    let mut sim = deployed(&paths(&[0, 1, 2, 3]), 100);
    let gone = rule_arn(&sim, 80, 2);
    let mut expected = moves(&sim, 80, &[(3, 2), (4, 3)]);
    expected.push(Move {
        rule: gone.clone(),
        from: 2,
        to: 50_000,
    });
    let p = step(&mut sim, &paths(&[0, 2, 3]));
    assert_eq!(
        p.calls,
        [
            Call::SetRulePriorities {
                listener: sim.deployed().listeners[&80].arn.clone(),
                moves: expected,
            },
            Call::DeleteRule { rule: gone },
        ]
    );
}

#[test]
fn the_last_path_removed_is_deleted_without_a_move() {
    let mut sim = deployed(&paths(&[0, 1, 2]), 100);
    let gone = rule_arn(&sim, 80, 3);
    let p = step(&mut sim, &paths(&[0, 1]));
    assert_eq!(p.calls, [Call::DeleteRule { rule: gone }]);
}

#[test]
fn a_changed_rule_is_modified_in_place() {
    let mut sim = deployed(&paths(&[0, 1, 2]), 100);
    let mut m = paths(&[0, 1, 2]);
    let changed = rule(1, 1, 2);
    if let Some(l) = m.listeners.get_mut(&80) {
        l.rules[1] = changed.clone();
    }
    let arn = rule_arn(&sim, 80, 2);
    let tg = sim.deployed().target_groups["shop/web-c:80"].arn.clone();
    let p = step(&mut sim, &m);
    let Call::ModifyRule { rule, spec } = &p.calls[..].first().expect("one call") else {
        panic!("{p:#?}");
    };
    assert_eq!(p.calls.len(), 1);
    assert_eq!(rule, &arn);
    assert_eq!(spec.conditions, changed.conditions);
    let Action::Forward { groups, .. } = &spec.actions[0] else {
        panic!("a forward");
    };
    assert_eq!(
        groups[0].tg,
        TgRef::Arn(tg),
        "an existing target group by ARN"
    );
}

#[test]
fn two_swapped_rules_move_in_one_call() {
    let mut sim = deployed(&paths(&[0, 1, 2, 3]), 100);
    let expected = moves(&sim, 80, &[(3, 2), (2, 3)]);
    let p = step(&mut sim, &paths(&[0, 2, 1, 3]));
    let [Call::SetRulePriorities { moves, .. }] = &p.calls[..] else {
        panic!("{p:#?}");
    };
    assert_eq!(moves, &expected);
}

#[test]
fn a_target_group_whose_protocol_changed_is_replaced_created_first_deleted_last() {
    let m = paths(&[0, 1, 3]);
    let mut sim = deployed(&m, 100);
    let old = sim.deployed().target_groups["shop/web-a:80"].arn.clone();
    let mut m2 = m.clone();
    if let Some(tg) = m2.target_groups.get_mut("shop/web-a:80") {
        tg.protocol = Protocol::Https;
    }
    let p = step(&mut sim, &m2);
    let first = p.calls.first().expect("calls");
    assert!(
        matches!(first, Call::CreateTargetGroup { id, .. } if id == "shop/web-a:80"),
        "{p:#?}"
    );
    assert_eq!(
        p.calls.last(),
        Some(&Call::DeleteTargetGroup { target_group: old })
    );
    // Paths 0 and 3 forwarded to it: both repointed in place, nothing else touched.
    let modified: Vec<_> = p
        .calls
        .iter()
        .filter_map(|c| match c {
            Call::ModifyRule { spec, .. } => Some(spec.actions.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(modified, vec![vec![Action::forward_to("shop/web-a:80")]; 2]);
    assert_eq!(p.calls.len(), 4, "{p:#?}");
}

#[test]
fn no_load_balancer_deletes_everything_the_stack_owns_in_a_safe_order() {
    let m = model(
        vec![
            listener(80, vec![rule(0, 0, 0)]),
            listener(443, vec![rule(1, 1, 1)]),
        ],
        [Protocol::Http; 3],
        Scheme::Internal,
    );
    let mut sim = deployed(&m, 100);
    let d = sim.deployed();
    let mut gone = m.clone();
    gone.load_balancer = None;
    let p = step(&mut sim, &gone);
    let lb = d
        .load_balancer
        .as_ref()
        .map(|l| l.arn.clone())
        .unwrap_or_default();
    let mut expected = vec![Call::DeleteLoadBalancer { load_balancer: lb }];
    expected.extend(d.target_groups.values().map(|t| Call::DeleteTargetGroup {
        target_group: t.arn.clone(),
    }));
    expected.push(Call::DeleteSecurityGroup {
        group: d.security_group.map(|s| s.id).unwrap_or_default(),
    });
    assert_eq!(p.calls, expected);
    assert_eq!(sim.deployed(), Default::default());
}

#[test]
fn a_scheme_change_replaces_the_load_balancer_and_recreates_its_listeners_and_rules() {
    let m = paths(&[0, 1]);
    let mut sim = deployed(&m, 100);
    let old = sim
        .deployed()
        .load_balancer
        .map(|l| l.arn)
        .unwrap_or_default();
    let mut m2 = m.clone();
    if let Some(lb) = m2.load_balancer.as_mut() {
        lb.scheme = Scheme::InternetFacing;
    }
    let p = step(&mut sim, &m2);
    assert_eq!(p.calls[0], Call::DeleteLoadBalancer { load_balancer: old });
    assert!(matches!(p.calls[1], Call::CreateLoadBalancer { .. }));
    assert_eq!(
        p.calls
            .iter()
            .filter(|c| matches!(c, Call::CreateRule { .. }))
            .count(),
        2
    );
}

#[test]
fn creates_come_before_deletes_unless_the_quota_needs_room_then_they_alternate() {
    let before = model(
        vec![
            listener(80, vec![rule(0, 0, 0), rule(0, 1, 1), rule(0, 2, 2)]),
            listener(8080, vec![rule(1, 0, 0), rule(1, 1, 1)]),
        ],
        [Protocol::Http; 3],
        Scheme::Internal,
    );
    let after = model(
        vec![
            listener(
                80,
                vec![
                    rule(0, 0, 0),
                    rule(0, 1, 1),
                    rule(0, 2, 2),
                    rule(2, 3, 0),
                    rule(2, 4, 1),
                ],
            ),
            listener(8080, vec![]),
        ],
        [Protocol::Http; 3],
        Scheme::Internal,
    );
    let kinds = |p: &Plan| -> String {
        p.calls
            .iter()
            .map(|c| match c {
                Call::CreateRule { .. } => 'c',
                Call::DeleteRule { .. } => 'd',
                _ => '.',
            })
            .collect()
    };
    let mut roomy = deployed(&before, 100);
    assert_eq!(kinds(&step(&mut roomy, &after)), "ccdd");
    let mut full = deployed(&before, 5);
    assert_eq!(kinds(&step(&mut full, &after)), "dcdc");
    assert_eq!(full.peak_rules, 5);
}

#[test]
fn a_listener_whose_default_action_changed_is_modified_without_its_protocol() {
    let m = paths(&[0]);
    let mut sim = deployed(&m, 100);
    let mut m2 = m.clone();
    if let Some(l) = m2.listeners.get_mut(&80) {
        l.default_action = Action::forward_to("shop/web-b:80");
    }
    let p = step(&mut sim, &m2);
    let [Call::ModifyListener {
        protocol: None,
        certificate: None,
        ssl_policy: None,
        default_action: Some(_),
        ..
    }] = &p.calls[..]
    else {
        panic!("{p:#?}");
    };
}

#[test]
fn changed_tags_on_existing_resources_are_added_and_removed() {
    let m = paths(&[0]);
    let mut sim = deployed(&m, 100);
    let mut m2 = m.clone();
    if let Some(lb) = m2.load_balancer.as_mut() {
        lb.tags.insert("team".into(), "a".into());
    }
    if let Some(l) = m2.listeners.get_mut(&80) {
        l.tags.remove(crate::stack::tags::CLUSTER_TAG);
    }
    let p = step(&mut sim, &m2);
    assert!(
        matches!(&p.calls[..], [Call::AddTags { .. }, Call::RemoveTags { keys, .. }]
        if keys == &[crate::stack::tags::CLUSTER_TAG.to_owned()])
    );
}

#[test]
fn load_balancer_calls_draw_from_their_bucket_and_the_rest_from_mutating() {
    let p = plan(&paths(&[0]), &Sim::new(100, true).deployed());
    for c in &p.calls {
        let want = match c {
            Call::CreateLoadBalancer { .. } | Call::ModifyLoadBalancerAttributes { .. } => {
                ApiClass::LoadBalancers
            }
            _ => ApiClass::Mutating,
        };
        assert_eq!(c.class(), want, "{c:?}");
    }
}

#[test]
fn on_moto_a_shift_falls_back_to_single_moves_from_the_highest() {
    let wide = |extra: bool| {
        let mut rules: Vec<_> = (0..20).map(|i| rule(i % 3, i, i % 3)).collect();
        if extra {
            rules.insert(2, rule(2, 4, 3));
        }
        model(
            vec![listener(80, rules)],
            [Protocol::Http; 3],
            Scheme::Internal,
        )
    };
    let mut sim = deployed(&wide(false), 100);
    sim.atomic_moves = false;
    let p = plan(&wide(true), &sim.deployed());
    assert_eq!(p.calls.len(), 2, "one SetRulePriorities, one CreateRule");
    let applied = apply_plan(&mut sim, &p).expect("the fallback applies");
    assert_eq!(
        applied.calls,
        1 + 18 + 1,
        "the refused call, 18 single moves, the create"
    );
    assert!(plan(&wide(true), &sim.deployed()).is_empty());
}

#[test]
fn held_target_group_deletes_wait_for_their_bindings_and_the_rest_applies() {
    let m = paths(&[0, 1]);
    let mut sim = deployed(&m, 100);
    let d = sim.deployed();
    let mut gone = m.clone();
    gone.load_balancer = None;
    let bound = d.target_groups.values().next().map(|t| t.arn.clone());
    let mut p = plan(&gone, &d);
    let held = p.hold_target_group_deletes(|arn| Some(arn) == bound.as_deref());
    assert_eq!(held, bound.iter().cloned().collect::<Vec<_>>());
    apply_plan(&mut sim, &p).expect("the rest applies");
    let left = sim.deployed();
    assert!(left.load_balancer.is_none());
    assert_eq!(
        left.target_groups
            .values()
            .map(|t| &t.arn)
            .collect::<Vec<_>>(),
        bound.iter().collect::<Vec<_>>()
    );
    // Once the binding drained, the next plan deletes the group and nothing else.
    let next = plan(&gone, &left);
    assert_eq!(
        next.calls,
        [Call::DeleteTargetGroup {
            target_group: bound.unwrap_or_default()
        }]
    );
}
