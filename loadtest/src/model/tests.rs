use std::time::Duration;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{ElbError, ElbTargets, HealthState};
use tokio::task::{spawn_local, LocalSet};
use tokio::time::sleep;

use super::*;

fn t(i: u8) -> Target {
    Target::ip(format!("10.0.0.{i}").parse().unwrap(), 80)
}

fn tg() -> TargetGroupKey {
    TargetGroupKey::new("tg-a")
}

fn fixed_latency(ms: u64) -> ModelConfig {
    ModelConfig {
        latency_min: Duration::from_millis(ms),
        latency_max: Duration::from_millis(ms),
        ..ModelConfig::default()
    }
}

async fn burst(model: &ElbModel, n: u8) -> usize {
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let m = model.clone();
            spawn_local(async move { m.register(&tg(), vec![t(i)]).await })
        })
        .collect();
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert_eq!(e, ElbError::Throttled),
        }
    }
    ok
}

#[tokio::test(start_paused = true)]
async fn register_bucket_throttles_at_20_then_refills_4_per_second() {
    LocalSet::new()
        .run_until(async {
            let model = ElbModel::new(fixed_latency(100), [tg()]);
            assert_eq!(burst(&model, 25).await, 20);
            // 100 ms passed during the calls: 0.4 tokens. 900 ms more make 4.
            sleep(Duration::from_millis(900)).await;
            assert_eq!(burst(&model, 6).await, 4);
            // Describe has its own bucket.
            assert!(model.describe_health(&tg()).await.is_ok());
            let ledger = model.ledger();
            assert_eq!(ledger.len(), 32);
            let throttled = ledger
                .iter()
                .filter(|c| c.outcome == CallOutcome::Throttled)
                .count();
            assert_eq!(throttled, 7);
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn health_moves_initial_healthy_draining_gone() {
    let model = ElbModel::new(fixed_latency(100), [tg()]);
    model.register(&tg(), vec![t(1)]).await.unwrap();
    let state = |rows: Vec<tgsync_actors::elb::TargetHealth>| {
        rows.iter().find(|r| r.target == t(1)).map(|r| r.state)
    };
    assert_eq!(
        state(model.describe_health(&tg()).await.unwrap()),
        Some(HealthState::Initial)
    );
    sleep(Duration::from_secs(20)).await;
    assert_eq!(
        state(model.describe_health(&tg()).await.unwrap()),
        Some(HealthState::Healthy)
    );
    model.deregister(&tg(), vec![t(1)]).await.unwrap();
    assert!(model.registered(&tg()).is_empty());
    assert_eq!(
        state(model.describe_health(&tg()).await.unwrap()),
        Some(HealthState::Draining)
    );
    sleep(Duration::from_secs(300)).await;
    assert_eq!(state(model.describe_health(&tg()).await.unwrap()), None);
}

#[tokio::test(start_paused = true)]
async fn register_applies_at_end_of_latency() {
    LocalSet::new()
        .run_until(async {
            let model = ElbModel::new(fixed_latency(100), [tg()]);
            let m = model.clone();
            let h = spawn_local(async move { m.register(&tg(), vec![t(1)]).await });
            sleep(Duration::from_millis(99)).await;
            assert!(model.registered(&tg()).is_empty());
            h.await.unwrap().unwrap();
            assert!(model.registered(&tg()).contains(&t(1)));
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn too_many_targets_applies_nothing() {
    let model = ElbModel::new(
        ModelConfig {
            max_targets_per_tg: 3,
            ..fixed_latency(50)
        },
        [tg()],
    );
    model.register(&tg(), vec![t(1), t(2)]).await.unwrap();
    let err = model.register(&tg(), vec![t(3), t(4)]).await.unwrap_err();
    assert_eq!(err, ElbError::QuotaExceeded(TOO_MANY_TARGETS.to_owned()));
    assert_eq!(model.registered(&tg()).len(), 2);
    // Re-registering known targets costs no quota.
    model.register(&tg(), vec![t(1), t(2), t(3)]).await.unwrap();
    assert_eq!(model.registered(&tg()).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_call_past_the_per_call_maximum_is_refused_whole() {
    let model = ElbModel::new(
        ModelConfig {
            max_targets_per_call: 2,
            ..fixed_latency(50)
        },
        [tg()],
    );
    let err = model
        .register(&tg(), vec![t(1), t(2), t(3)])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ElbError::Other(m) if m.contains("ValidationError")),
        "{err:?}"
    );
    assert!(model.registered(&tg()).is_empty());
    model.register(&tg(), vec![t(1), t(2)]).await.unwrap();
    model
        .deregister(&tg(), vec![t(1), t(2), t(3)])
        .await
        .unwrap_err();
    assert_eq!(model.registered(&tg()).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn ledger_records_every_call_with_times_and_outcomes() {
    let gone = TargetGroupKey::new("tg-gone");
    let model = ElbModel::new(
        ModelConfig {
            deletions: vec![TgDeletion {
                tg: gone.clone(),
                at: Duration::from_secs(1),
            }],
            ..fixed_latency(100)
        },
        [tg(), gone.clone()],
    );
    model.register(&tg(), vec![t(1), t(2)]).await.unwrap();
    model.register(&gone, vec![t(1)]).await.unwrap();
    sleep(Duration::from_secs(1)).await;
    assert!(matches!(
        model.deregister(&gone, vec![t(1)]).await,
        Err(ElbError::TargetGroupNotFound(_))
    ));
    let unknown = TargetGroupKey::new("nope");
    assert!(matches!(
        model.describe_health(&unknown).await,
        Err(ElbError::TargetGroupNotFound(_))
    ));
    model.describe_health(&tg()).await.unwrap();

    let l = model.ledger();
    assert_eq!(l.len(), 5);
    assert_eq!(l[0].kind, CallKind::RegisterTargets);
    assert_eq!(l[0].start, Duration::ZERO);
    assert_eq!(l[0].end, Duration::from_millis(100));
    assert_eq!(l[0].target_count, 2);
    assert_eq!(l[0].targets, vec![t(1), t(2)]);
    assert_eq!(l[1].start, Duration::from_millis(100));
    assert_eq!(l[2].kind, CallKind::DeregisterTargets);
    assert_eq!(l[2].outcome, CallOutcome::NotFound);
    assert_eq!(l[3].outcome, CallOutcome::NotFound);
    assert_eq!(l[4].kind, CallKind::DescribeTargetHealth);
    assert_eq!(l[4].target_count, 2);
    assert!(model.registered(&gone).is_empty());
}

#[tokio::test(start_paused = true)]
async fn injected_throttles_follow_the_fraction_and_the_seed() {
    let cfg = ModelConfig {
        throttle_fraction: 0.3,
        seed: 42,
        register_bucket: BucketConfig {
            capacity: 10_000,
            refill_per_s: 10_000.0,
        },
        ..ModelConfig::default()
    };
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let model = ElbModel::new(cfg.clone(), [tg()]);
        let mut throttled = 0;
        for i in 0..200u8 {
            if model.register(&tg(), vec![t(i)]).await.is_err() {
                throttled += 1;
            }
        }
        outcomes.push(throttled);
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert!((40..80).contains(&outcomes[0]), "{outcomes:?}");
}

#[tokio::test(start_paused = true)]
async fn health_check_intervals_are_one_describe_target_groups_for_up_to_20_groups() {
    let many: Vec<TargetGroupKey> = (0..21)
        .map(|i| TargetGroupKey::new(format!("tg-{i}")))
        .collect();
    let model = ElbModel::new(fixed_latency(10), many.clone());
    let every = HealthCheck::SCENARIO_DEFAULT.interval;
    let twenty = model.health_check_intervals(&many[..20]).await.unwrap();
    assert_eq!(twenty.len(), 20);
    assert!(twenty
        .iter()
        .all(|(tg, i)| many.contains(tg) && *i == every));
    assert!(matches!(
        model.health_check_intervals(&many).await,
        Err(ElbError::Other(m)) if m.contains("ValidationError")
    ));
    let gone = [many[0].clone(), TargetGroupKey::new("tg-gone")];
    assert!(matches!(
        model.health_check_intervals(&gone).await,
        Err(ElbError::TargetGroupNotFound(_))
    ));
    let actions: Vec<&str> = model.stack_ledger().iter().map(|c| c.action).collect();
    assert_eq!(actions, ["DescribeTargetGroups"; 3]);
    assert!(model.ledger().is_empty(), "no target call");
}
