//! The target-group actor's periodic resync in paused virtual time against the ELB model: drift behind the
//! actor's back is repaired within one sync period, and targets it never registered are left alone.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use actix::prelude::*;
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::ElbTargets;
use tgsync_actors::target_group::{SliceUpdate, TargetGroupActor, TgConfig, TgReport};
mod support;

use support::{slice, t, Reports};
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::{CallKind, ElbModel, ModelConfig};

const PERIOD: Duration = Duration::from_secs(60);

fn describes(model: &ElbModel) -> usize {
    model
        .ledger()
        .iter()
        .filter(|c| c.kind == CallKind::DescribeTargetHealth)
        .count()
}

#[test]
fn a_target_removed_behind_the_actors_back_is_registered_again_within_one_period() {
    paused_system().block_on(async {
        let tg = TargetGroupKey::new("tg-drift");
        let model = ElbModel::new(ModelConfig::default(), [tg.clone()]);
        // Another cluster's target in the same group.
        model.seed_registered(&tg, [t(900)]);
        let reports = Rc::new(RefCell::new(Vec::new()));
        let config = TgConfig {
            sync_period: Some(PERIOD),
            ..TgConfig::default()
        };
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let actor = TargetGroupActor::new(tg.clone(), config, Rc::new(model.clone()), budget)
            .with_reporter(Reports(reports.clone()).start().recipient())
            .start();
        actor.do_send(SliceUpdate(slice("ns/web", "1", 0..10)));
        tokio::time::sleep(PERIOD * 2).await;
        let all: HashSet<Target> = (0..10).chain([900]).map(t).collect();
        assert_eq!(model.registered(&tg), all);
        assert!(reports.borrow().is_empty(), "nothing drifted yet");

        // Someone deregisters a target by hand.
        model
            .deregister(&tg, vec![t(3)])
            .await
            .expect("manual call");
        assert!(!model.registered(&tg).contains(&t(3)));
        tokio::time::sleep(PERIOD).await;
        assert_eq!(
            model.registered(&tg),
            all,
            "repaired; the foreign target untouched"
        );
        assert_eq!(
            *reports.borrow(),
            vec![TgReport::Repaired {
                tg: tg.clone(),
                registered: 1,
                deregistered: 0
            }]
        );
        // One describe per period, no more.
        let before = describes(&model);
        tokio::time::sleep(PERIOD * 5).await;
        assert_eq!(describes(&model) - before, 5);
        assert_eq!(model.registered(&tg), all);
    });
}

#[test]
fn no_resync_without_a_sync_period() {
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
        actor.do_send(SliceUpdate(slice("ns/web", "1", 0..3)));
        tokio::time::sleep(PERIOD * 3).await;
        model
            .deregister(&tg, vec![t(1)])
            .await
            .expect("manual call");
        tokio::time::sleep(PERIOD * 3).await;
        assert_eq!(describes(&model), 0);
        assert_eq!(
            model.registered(&tg).len(),
            2,
            "drift stays without a resync"
        );
    });
}
