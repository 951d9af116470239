//! The actor pipeline in paused virtual time against the ELB model, one test per error class: throttling
//! storms, a missing target group, refused targets, transient failures; and budget priority under pressure.

use std::cell::{Cell, RefCell};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbError, ElbTargets, TargetHealth};
use tgsync_actors::target_group::{
    Drain, Router, SliceUpdate, TargetGroupActor, TgConfig, TgReport,
};
mod support;

use support::{ip, run_tgsync, slice, Reports};
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::strategy::KubeModel;
use tgsync_loadtest::{
    CallKind, CallOutcome, ElbModel, ModelConfig, Scenario, ScenarioKind, ScenarioParams,
};

/// The model, with extra failures layered on top for the error classes it does not produce by itself.
struct Faulty {
    model: ElbModel,
    /// Registering this IP is refused as an invalid target (say, outside the VPC).
    refuse: Option<IpAddr>,
    /// The first this-many calls fail with a transient error.
    transient: Cell<u32>,
}

impl Faulty {
    fn fault(&self, targets: &[Target]) -> Option<ElbError> {
        if self.transient.get() > 0 {
            self.transient.set(self.transient.get() - 1);
            return Some(ElbError::Other("connection reset by peer".into()));
        }
        let bad = self.refuse?;
        targets
            .iter()
            .any(|t| t.id == tgsync_actors::domain::TargetId::Ip(bad))
            .then(|| ElbError::InvalidTarget(format!("The IP address {bad} is not in the VPC")))
    }
}

impl ElbTargets for Faulty {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        match self.fault(&targets) {
            Some(e) => Box::pin(std::future::ready(Err(e))),
            None => self.model.register(tg, targets),
        }
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        self.model.deregister(tg, targets)
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        self.model.describe_health(tg)
    }
}

#[test]
fn a_storm_of_30_percent_throttling_still_converges_with_nothing_lost() {
    let scenario = Scenario::build(
        ScenarioKind::RollingUpdate,
        ScenarioParams {
            tgs: 30,
            pods: 30,
            seed: 5,
            ..ScenarioParams::default()
        },
    );
    let mut model = scenario.model_config();
    model.throttle_fraction = 0.3;
    let report = run_tgsync(&scenario, model, KubeModel::default());
    assert!(report.throttled > 0, "the storm happened: {report:?}");
    assert!(report.converged, "ELB equals the desired set: {report:?}");
}

#[test]
fn a_missing_target_group_is_reported_and_not_retried_forever() {
    paused_system().block_on(async {
        let present = TargetGroupKey::new("tg-present");
        let missing = TargetGroupKey::new("tg-missing");
        let model = ElbModel::new(ModelConfig::default(), [present.clone()]);
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let reports = Rc::new(RefCell::new(Vec::new()));
        let reporter = Reports(reports.clone()).start().recipient();
        let elb = Rc::new(model.clone());
        let mut router = Router::default();
        for (tg, svc) in [(&present, "ns/a"), (&missing, "ns/b")] {
            let actor =
                TargetGroupActor::new(tg.clone(), TgConfig::default(), elb.clone(), budget.clone())
                    .with_reporter(reporter.clone())
                    .start();
            router.bind(Arc::from(svc), actor);
        }
        router.route(slice("ns/a", "1", 0..5));
        router.route(slice("ns/b", "1", 10..15));
        tokio::time::sleep(Duration::from_secs(5)).await;
        // More churn on the missing group after it was found missing: no more calls for it.
        for round in 0..20 {
            router.route(slice("ns/b", "1", 10..16 + round));
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        let calls_on_missing = model.ledger().iter().filter(|c| c.tg == missing).count();
        assert_eq!(calls_on_missing, 1, "one call found it missing; none after");
        assert!(reports
            .borrow()
            .iter()
            .any(|r| matches!(r, TgReport::Gone { tg, .. } if *tg == missing)));
        assert_eq!(
            model.registered(&present).len(),
            5,
            "the other target group is served"
        );
    });
}

#[test]
fn a_refused_target_is_reported_and_every_other_target_registered() {
    paused_system().block_on(async {
        let tg = TargetGroupKey::new("tg");
        let model = ElbModel::new(ModelConfig::default(), [tg.clone()]);
        let faulty = Rc::new(Faulty {
            model: model.clone(),
            refuse: Some(ip(7)),
            transient: Cell::new(0),
        });
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let reports = Rc::new(RefCell::new(Vec::new()));
        let actor = TargetGroupActor::new(tg.clone(), TgConfig::default(), faulty, budget)
            .with_reporter(Reports(reports.clone()).start().recipient())
            .start();
        actor.do_send(SliceUpdate(slice("ns/a", "1", 0..20)));
        tokio::time::sleep(Duration::from_secs(60)).await;
        let registered = model.registered(&tg);
        assert_eq!(registered.len(), 19);
        assert!(!registered.contains(&Target::ip(ip(7), 80)));
        assert_eq!(
            *reports.borrow(),
            vec![TgReport::Rejected {
                tg: tg.clone(),
                targets: vec![Target::ip(ip(7), 80)]
            }]
        );
    });
}

#[test]
fn transient_failures_are_retried_with_backoff_until_applied() {
    paused_system().block_on(async {
        let tg = TargetGroupKey::new("tg");
        let model = ElbModel::new(ModelConfig::default(), [tg.clone()]);
        let faulty = Rc::new(Faulty {
            model: model.clone(),
            refuse: None,
            transient: Cell::new(4),
        });
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let actor =
            TargetGroupActor::new(tg.clone(), TgConfig::default(), faulty.clone(), budget).start();
        actor.do_send(SliceUpdate(slice("ns/a", "1", 0..10)));
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(model.registered(&tg).is_empty(), "still backing off");
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(faulty.transient.get(), 0);
        assert_eq!(model.registered(&tg).len(), 10);
    });
}

#[test]
fn deregistrations_go_first_when_the_budget_is_short() {
    // A window that does not widen, so every group asks at the same instant and the budget must choose.
    let fixed_window = TgConfig {
        max_window: TgConfig::default().window,
        ..TgConfig::default()
    };
    paused_system().block_on(async {
        let tgs: Vec<TargetGroupKey> = (0..40)
            .map(|i| TargetGroupKey::new(format!("tg-{i}")))
            .collect();
        let model = ElbModel::new(ModelConfig::default(), tgs.clone());
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let elb = Rc::new(model.clone());
        let mut router = Router::default();
        for (i, tg) in tgs.iter().enumerate() {
            let actor = TargetGroupActor::new(
                tg.clone(),
                fixed_window.clone(),
                elb.clone(),
                budget.clone(),
            )
            .start();
            router.bind(Arc::from(format!("ns/s{i}")), actor);
        }
        for i in 0..40 {
            router.route(slice(&format!("ns/s{i}"), "1", 0..10));
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
        let settled = model.ledger_len();
        // Half the groups lose a pod, the other half gain one, at the same moment.
        for i in 0..40u32 {
            let eps = if i % 2 == 0 { 0..9 } else { 0..11 };
            router.route(slice(&format!("ns/s{i}"), "1", eps));
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
        let after: Vec<_> = model
            .ledger()
            .into_iter()
            .skip(settled)
            .filter(|c| c.outcome == CallOutcome::Ok)
            .collect();
        assert_eq!(after.len(), 40);
        let first_register = after
            .iter()
            .position(|c| c.kind == CallKind::RegisterTargets)
            .unwrap();
        assert!(
            after[first_register..]
                .iter()
                .all(|c| c.kind == CallKind::RegisterTargets),
            "every deregistration was sent before any registration"
        );
    });
}

#[test]
fn drain_answers_once_every_registered_target_is_deregistered() {
    paused_system().block_on(async {
        let tg = TargetGroupKey::new("tg");
        let model = ElbModel::new(ModelConfig::default(), [tg.clone()]);
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let actor = TargetGroupActor::new(
            tg.clone(),
            TgConfig::default(),
            Rc::new(model.clone()),
            budget,
        )
        .start();
        actor.do_send(SliceUpdate(slice("ns/a", "1", 0..8)));
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(model.registered(&tg).len(), 8);

        actor.do_send(SliceUpdate(slice("ns/a", "1", [])));
        let (tx, rx) = tokio::sync::oneshot::channel();
        actor.do_send(Drain(tx));
        let asked = tokio::time::Instant::now();
        rx.await.expect("the actor answers");
        assert!(
            model.registered(&tg).is_empty(),
            "answered only when ELB holds nothing"
        );
        let deregistered = model
            .ledger()
            .iter()
            .any(|c| c.kind == CallKind::DeregisterTargets && c.outcome == CallOutcome::Ok);
        assert!(deregistered, "by a DeregisterTargets call");
        assert!(
            asked.elapsed() >= Duration::from_millis(250),
            "after the window"
        );
    });
}

/// One actor for `tg` with default batching, reporting into the returned list.
fn quota_actor(
    tg: &TargetGroupKey,
    model: &ElbModel,
) -> (Addr<TargetGroupActor<ElbModel>>, Rc<RefCell<Vec<TgReport>>>) {
    let budget = ApiBudget::new(BudgetConfig::default()).start();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let actor = TargetGroupActor::new(
        tg.clone(),
        TgConfig::default(),
        Rc::new(model.clone()),
        budget,
    )
    .with_reporter(Reports(reports.clone()).start().recipient())
    .start();
    (actor, reports)
}

fn quota_refusals(model: &ElbModel) -> usize {
    model
        .ledger()
        .iter()
        .filter(|c| matches!(&c.outcome, CallOutcome::Failed(m) if m.contains("TooManyTargets")))
        .count()
}

#[test]
fn more_ready_endpoints_than_the_quota_fill_the_group_without_a_refused_call() {
    paused_system().block_on(async {
        let tg = TargetGroupKey::new("tg");
        let model = ElbModel::new(ModelConfig::default(), [tg.clone()]);
        let (actor, reports) = quota_actor(&tg, &model);
        for s in 0..12 {
            actor.do_send(SliceUpdate(slice(
                "ns/a",
                &s.to_string(),
                s * 100..s * 100 + 100,
            )));
        }
        tokio::time::sleep(Duration::from_secs(120)).await;
        let lowest: std::collections::HashSet<Target> =
            (0..1000).map(|n| Target::ip(ip(n), 80)).collect();
        assert_eq!(
            model.registered(&tg),
            lowest,
            "the lowest 1,000 fill the group"
        );
        assert_eq!(quota_refusals(&model), 0);
        let calls = model.ledger_len();
        assert!(calls <= 6, "no calls spent on what cannot fit: {calls}");
        // Once, when the 11th slice made it more than fits; not per slice or call after that.
        assert_eq!(
            *reports.borrow(),
            vec![TgReport::QuotaExceeded {
                tg: tg.clone(),
                wanted: 1100,
                limit: 1000
            }]
        );
        // Three slices go: deregistrations still flow, and the targets that were waiting take their place.
        for s in 0..3 {
            actor.do_send(SliceUpdate(slice("ns/a", &s.to_string(), [])));
        }
        tokio::time::sleep(Duration::from_secs(120)).await;
        let wanted: std::collections::HashSet<Target> =
            (300..1200).map(|n| Target::ip(ip(n), 80)).collect();
        assert_eq!(model.registered(&tg), wanted);
        assert_eq!(quota_refusals(&model), 0);
        assert_eq!(
            reports.borrow().last(),
            Some(&TgReport::WithinQuota { tg: tg.clone() })
        );
    });
}

#[test]
fn a_quota_refusal_is_not_retried_until_the_wanted_set_changes() {
    paused_system().block_on(async {
        let tg = TargetGroupKey::new("tg");
        let model = ElbModel::new(ModelConfig::default(), [tg.clone()]);
        // Another cluster's targets share the group, so ELB refuses before `max_targets` is reached.
        model.seed_registered(&tg, (5000..5100).map(|n| Target::ip(ip(n), 80)));
        let (actor, reports) = quota_actor(&tg, &model);
        for s in 0..10 {
            actor.do_send(SliceUpdate(slice(
                "ns/a",
                &s.to_string(),
                s * 100..s * 100 + 100,
            )));
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(quota_refusals(&model), 1, "refused once, then left alone");
        let ours = model.registered(&tg).len() - 100;
        assert_eq!(
            reports.borrow().last(),
            Some(&TgReport::QuotaExceeded {
                tg: tg.clone(),
                wanted: 1000,
                limit: ours
            })
        );
        // A slice goes: its deregistration is made, and the change is worth one more try at most.
        actor.do_send(SliceUpdate(slice("ns/a", "0", [])));
        tokio::time::sleep(Duration::from_secs(600)).await;
        let held = model.registered(&tg);
        assert!((0..100).all(|n| !held.contains(&Target::ip(ip(n), 80))));
        assert!(
            (5000..5100).all(|n| held.contains(&Target::ip(ip(n), 80))),
            "foreign targets stay"
        );
        assert!(held.len() <= 1000);
        assert!(quota_refusals(&model) <= 2);
    });
}
