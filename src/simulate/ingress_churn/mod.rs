//! `tgsync simulate --scenario ingress-churn`: Ingresses in explicit groups, each group's ALB kept by a
//! `StackSupervisor` whose work builds the model with the daemon's Ingress builder and reads, plans and
//! applies it against the ELB model; members are edited, added and deleted at a steady rate while the
//! Services' Deployments roll, so rule changes and target registrations compete for one budget.

mod objects;
mod report;
mod timeline;
mod work;
mod world;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tgsync_actors::budget::{ApiBudget, BudgetConfig, Priority};
use tgsync_actors::domain::{EndpointSliceSnapshot, Target};
use tgsync_actors::stack::supervisor::{Changed, StackSupervisor, SupervisorConfig};
use tgsync_actors::target_group::TgConfig;
use tgsync_loadtest::rng::Rng;
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::stack::{ModelApplier, ModelReader, Permits};
use tgsync_loadtest::{
    CallOutcome, ElbModel, LatencyStats, Scenario, ScenarioKind, ScenarioParams,
};
use tokio::time::{sleep, sleep_until, Instant};

pub use report::ChurnReport;
pub use timeline::ChurnParams;

use objects::service;
use timeline::Edit;
use work::GroupWork;
use world::{EditRecord, World};

/// What to run and how tgsync is tuned.
#[derive(Clone, Debug)]
pub struct ChurnOptions {
    /// The scenario's size and seed.
    pub params: ChurnParams,
    /// tgsync's batching.
    pub tg: TgConfig,
    /// tgsync's budget.
    pub budget: BudgetConfig,
    /// Fraction of calls the model answers `Throttling` regardless of its buckets.
    pub throttle_fraction: f64,
}

/// How long to wait for convergence after the last event (virtual).
const TIMEOUT: Duration = Duration::from_secs(3600);
const POLL: Duration = Duration::from_millis(500);

/// Runs the scenario on its own paused actix system.
pub fn simulate(opts: &ChurnOptions) -> anyhow::Result<ChurnReport> {
    paused_system().block_on(run(opts))
}

enum Event {
    Slice(EndpointSliceSnapshot),
    Edit(Edit),
}

async fn run(opts: &ChurnOptions) -> anyhow::Result<ChurnReport> {
    let p = &opts.params;
    anyhow::ensure!(
        p.groups > 0 && p.ingresses >= 2 * p.groups && p.services > 0 && p.pods > 0,
        "ingress-churn needs at least one group, two Ingresses per group, one Service and one pod"
    );
    let rolling = Scenario::build(
        ScenarioKind::RollingUpdate,
        ScenarioParams {
            tgs: p.services,
            pods: p.pods,
            seed: p.seed,
            ..ScenarioParams::default()
        },
    );
    let mut config = rolling.model_config();
    config.throttle_fraction = opts.throttle_fraction;
    // No target group exists at the start: the stacks create them.
    let model = ElbModel::new(config, []);
    let budget = ApiBudget::new(opts.budget.clone()).start();
    let services = (0..p.services)
        .map(service)
        .collect::<Result<Vec<_>, _>>()?;
    let world = Rc::new(RefCell::new(World::new(
        services,
        model.clone(),
        budget.clone(),
        opts.tg.clone(),
    )));

    let mut rng = Rng::new(p.seed ^ 0x1A6E55);
    let start = timeline::initial(p, &mut rng);
    let edits = timeline::edits(p, &start, &mut rng);
    for m in &start {
        let ingress = objects::ingress(m)?;
        world
            .borrow_mut()
            .members
            .insert(m.name.clone(), (m.clone(), ingress));
    }
    for s in &rolling.initial {
        world.borrow_mut().slice(s.clone());
    }
    // Stack work asks at Normal, as registrations: an edit waits on a user as a new pod does.
    let permits = Permits::new(budget.clone(), Priority::Normal);
    // One reader for every group, as the daemon's controller has: they share its cache.
    let reader = ModelReader::new(model.clone(), permits.clone(), world::CLUSTER);
    let supervisors: Vec<_> = (0..p.groups)
        .map(|g| {
            let work = GroupWork {
                group: g,
                world: world.clone(),
                reader: reader.clone(),
                applier: ModelApplier::new(model.clone(), permits.clone()),
            };
            StackSupervisor::new(World::stack(g), SupervisorConfig::default(), work).start()
        })
        .collect();
    world.borrow_mut().wake = supervisors.iter().map(|a| a.clone().recipient()).collect();

    let by_service = |d: HashMap<_, HashSet<Target>>| -> HashMap<Arc<str>, HashSet<Target>> {
        let tg_service: HashMap<_, _> = rolling
            .topology
            .bindings
            .iter()
            .map(|b| (b.tg.clone(), b.service.clone()))
            .collect();
        d.into_iter()
            .filter_map(|(tg, set)| Some((tg_service.get(&tg)?.clone(), set)))
            .collect()
    };
    let warm_start = Instant::now();
    let initial = by_service(rolling.initial_desired());
    wait(&world, p.groups, &initial, TIMEOUT).await;
    let warmup_calls = (model.ledger_len() + model.stack_ledger().len()) as u64;
    let warmup_s = warm_start.elapsed().as_secs_f64();

    let mut events: Vec<(Duration, Event)> = rolling
        .events
        .iter()
        .map(|(at, s)| (*at, Event::Slice(s.clone())))
        .chain(edits.into_iter().map(|(at, e)| (at, Event::Edit(e))))
        .collect();
    events.sort_by_key(|(at, _)| *at);
    let scenario_seconds = events.last().map_or(0.0, |(at, _)| at.as_secs_f64());
    let edit_count = events
        .iter()
        .filter(|(_, e)| matches!(e, Event::Edit(_)))
        .count();

    let t0 = Instant::now();
    let offset = model.elapsed();
    for (at, event) in events {
        sleep_until(t0 + at).await;
        let mut w = world.borrow_mut();
        match event {
            Event::Slice(s) => w.slice(s),
            Event::Edit(edit) => {
                let group = match &edit {
                    Edit::Upsert(m) => {
                        let ingress = objects::ingress(m)?;
                        w.members.insert(m.name.clone(), (m.clone(), ingress));
                        Some(m.group)
                    }
                    Edit::Delete(name) => w.members.remove(name).map(|(m, _)| m.group),
                };
                if let Some(g) = group {
                    w.edits.push(EditRecord {
                        group: g,
                        at: Instant::now(),
                        done: None,
                    });
                    supervisors[g].do_send(Changed);
                }
            }
        }
    }
    let desired = by_service(rolling.final_desired());
    let converged = wait(&world, p.groups, &desired, TIMEOUT).await;
    let completion = converged.then(|| t0.elapsed().as_secs_f64());

    let mut calls = std::collections::BTreeMap::new();
    let (mut throttled, mut failed) = (0, 0);
    let mut count = |name: &str, outcome: &CallOutcome| {
        *calls.entry(name.to_owned()).or_insert(0u64) += 1;
        match outcome {
            CallOutcome::Ok => {}
            CallOutcome::Throttled => throttled += 1,
            _ => failed += 1,
        }
    };
    for c in model.stack_ledger().iter().filter(|c| c.start >= offset) {
        count(c.action, &c.outcome);
    }
    for c in model.ledger().iter().filter(|c| c.start >= offset) {
        count(c.kind.as_str(), &c.outcome);
    }
    let w = world.borrow();
    let latencies = w
        .edits
        .iter()
        .filter_map(|e| Some((e.done? - e.at).as_secs_f64() * 1000.0))
        .collect();
    Ok(ChurnReport {
        scenario: "ingress-churn".into(),
        groups: p.groups,
        ingresses: (start.len(), w.members.len()),
        services: p.services,
        edits: edit_count,
        total_calls: calls.values().sum(),
        calls,
        throttled,
        failed,
        edit_latency_ms: LatencyStats::of(latencies),
        reconciles: (w.reconciles, w.failed_reconciles),
        warmup: (warmup_calls, warmup_s),
        target_groups: w.bound(),
        converged,
        completion_seconds: completion,
        scenario_seconds,
        log_warnings: std::collections::BTreeMap::new(),
    })
}

/// Polls until the world converges on `desired` or `timeout` passes; answers whether it did.
async fn wait(
    world: &Rc<RefCell<World>>,
    groups: usize,
    desired: &HashMap<Arc<str>, HashSet<Target>>,
    timeout: Duration,
) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if world.borrow().converged(groups, desired) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(POLL).await;
    }
}
