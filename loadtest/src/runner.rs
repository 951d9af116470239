//! Drives a scenario through a strategy against the ELB model in virtual time and measures the result.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tgsync_actors::domain::{EndpointSliceSnapshot, Target, TargetGroupKey};
use tokio::time::{sleep, sleep_until, Instant};

use crate::memory::{self, Memory};
use crate::model::{ElbModel, ModelConfig};
use crate::report::{BoundRules, RunInput, RunReport};
use crate::scenario::{Scenario, Topology};

/// Something that keeps ELB in step with slices: tgsync's actor pipeline or the baseline.
pub trait Strategy {
    /// The name reports use (`tgsync`, `baseline`).
    fn name(&self) -> &'static str;
    /// A slice changed (an empty snapshot: it was deleted). Must not block: start work and return.
    fn on_slice(&mut self, snapshot: EndpointSliceSnapshot);

    /// A pod of `service` that carries readiness gates changed. Nothing by default.
    fn on_pod_update(&mut self, _service: &Arc<str>) {}

    /// The cluster has been quiet for `quiet` since the strategy took in the initial slices: whatever it
    /// keeps for less than that has expired. Nothing by default.
    fn idle(&mut self, _quiet: Duration) {}

    /// Kubernetes writes the strategy made (annotations, pod conditions); `None` when it does not model them.
    fn kube_writes(&self) -> Option<u64> {
        None
    }

    /// How long each gated pod that turned ready waited for its readiness gate to open, in milliseconds;
    /// `None` when the strategy does not model the gates' writes.
    fn gate_waits(&self) -> Option<Vec<f64>> {
        None
    }

    /// Stops whatever the strategy runs, so that dropping it frees all it holds. `false` (the default) when it
    /// cannot: its memory is then not reported.
    fn stop(&mut self) -> bool {
        false
    }
}

impl<S: Strategy + ?Sized> Strategy for Box<S> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn on_slice(&mut self, snapshot: EndpointSliceSnapshot) {
        (**self).on_slice(snapshot)
    }

    fn on_pod_update(&mut self, service: &Arc<str>) {
        (**self).on_pod_update(service)
    }

    fn idle(&mut self, quiet: Duration) {
        (**self).idle(quiet)
    }

    fn kube_writes(&self) -> Option<u64> {
        (**self).kube_writes()
    }

    fn gate_waits(&self) -> Option<Vec<f64>> {
        (**self).gate_waits()
    }

    fn stop(&mut self) -> bool {
        (**self).stop()
    }
}

/// One run's settings; build with [`Runner::new`], then [`Runner::run`].
pub struct Runner<'a> {
    scenario: &'a Scenario,
    model: ModelConfig,
    timeout: Duration,
    warmup_max: Duration,
    progress: Option<Box<dyn FnMut(f64) + 'a>>,
}

/// How often convergence is checked once every event has been fed.
const POLL: Duration = Duration::from_millis(100);
/// Warm-up is over when no call has been answered for this long.
const QUIET: Duration = Duration::from_secs(3);
/// A cold start's quiet spell before the first event: longer than the AWS controller's 5-minute targets cache.
pub const QUIET_BEFORE_COLD_START: Duration = Duration::from_secs(600);

impl<'a> Runner<'a> {
    /// A run of `scenario` against a model configured with `model` (see [`Scenario::model_config`]).
    pub fn new(scenario: &'a Scenario, model: ModelConfig) -> Self {
        Runner {
            scenario,
            model,
            timeout: Duration::from_secs(3600),
            warmup_max: Duration::from_secs(600),
            progress: None,
        }
    }

    /// How long (virtual) to wait for convergence after the last event; 1 h by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called with the fraction done (0..=1) as the run advances, e.g. to draw a progress bar.
    pub fn on_progress(mut self, f: impl FnMut(f64) + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Runs inside an already running paused runtime with a `LocalSet` (an actix System): builds the model
    /// (warm: the initial desired targets registered and healthy), builds the strategy, lets it see the initial
    /// slices and settle, then (unless the scenario asks for a warm start) lets the model and the strategy
    /// idle for [`QUIET_BEFORE_COLD_START`], then feeds each event at its time and waits until ELB equals the
    /// final desired set.
    pub async fn run<S, F>(mut self, factory: F) -> RunReport
    where
        S: Strategy,
        F: FnOnce(&Topology, ElbModel) -> S,
    {
        let sc = self.scenario;
        let model = ElbModel::new(self.model.clone(), sc.tgs().cloned());
        let initial = sc.initial_desired();
        for (tg, targets) in &initial {
            model.seed_registered(tg, targets.iter().copied());
        }
        let before = memory::live_bytes();
        let mut strategy = factory(&sc.topology, model.clone());

        for snap in &sc.initial {
            strategy.on_slice(snap.clone());
        }
        self.warm_up(&model, &initial).await;
        let settled = memory::live_bytes();
        if !sc.params.warm_start {
            // Without moving the clock: the timers of either strategy keep their phase.
            model.idle(QUIET_BEFORE_COLD_START);
            strategy.idle(QUIET_BEFORE_COLD_START);
        }

        let writes_before = strategy.kube_writes();
        let t0 = Instant::now();
        let offset = model.elapsed();
        let n = sc.events.len().max(1) as f64;
        // A pod's update reaches its watch before the slice it changes.
        let mut pods = sc.pod_updates.iter().peekable();
        for (i, (at, snap)) in sc.events.iter().enumerate() {
            while let Some((when, service)) = pods.next_if(|(when, _)| when <= at) {
                sleep_until(t0 + *when).await;
                strategy.on_pod_update(service);
            }
            sleep_until(t0 + *at).await;
            strategy.on_slice(snap.clone());
            self.report(0.9 * (i + 1) as f64 / n);
        }
        for (when, service) in pods {
            sleep_until(t0 + *when).await;
            strategy.on_pod_update(service);
        }

        let (transitions, final_desired) = sc.transitions();
        let deadline = Instant::now() + self.timeout;
        let mut seen_calls = usize::MAX;
        let converged = loop {
            let calls = model.ledger_len();
            if calls != seen_calls && model.mutating_in_flight() == 0 {
                seen_calls = calls;
                if matches(&model, &final_desired) {
                    break true;
                }
            }
            if Instant::now() >= deadline {
                break matches(&model, &final_desired);
            }
            sleep(POLL).await;
            let waited = 1.0
                - deadline.duration_since(Instant::now()).as_secs_f64()
                    / self.timeout.as_secs_f64().max(1e-9);
            self.report(0.9 + 0.1 * waited);
        };
        self.report(1.0);
        let kube_writes = strategy
            .kube_writes()
            .map(|w| w - writes_before.unwrap_or(0));
        let gate_waits = strategy.gate_waits();
        let tracked = final_desired.values().map(HashSet::len).sum::<usize>() as u64;
        let name = strategy.name();
        let memory = measure_memory(strategy, before, settled, tracked).await;

        let mut report = RunReport::build(RunInput {
            strategy: name,
            scenario: sc,
            ledger: model.ledger(),
            offset,
            initial,
            transitions,
            converged,
            rules: BoundRules::of(&self.model),
            memory,
            kube_writes,
            gate_waits,
        });
        // The readiness gates' reads of a health-check interval (DescribeTargetGroups) are stack calls.
        report.count_stack_calls(&model.stack_ledger(), offset);
        report
    }

    /// Lets the strategy take in the initial slices until ELB matches them and calls have stopped.
    async fn warm_up(&self, model: &ElbModel, initial: &HashMap<TargetGroupKey, HashSet<Target>>) {
        let start = Instant::now();
        let mut last_len = model.ledger_len();
        let mut last_change = Instant::now();
        while start.elapsed() < self.warmup_max {
            sleep(POLL).await;
            let len = model.ledger_len();
            if len != last_len {
                (last_len, last_change) = (len, Instant::now());
            }
            if last_change.elapsed() >= QUIET
                && model.mutating_in_flight() == 0
                && matches(model, initial)
            {
                return;
            }
        }
        tracing::warn!("warm-up did not settle; measuring anyway");
    }

    fn report(&mut self, fraction: f64) {
        if let Some(p) = self.progress.as_mut() {
            p(fraction.clamp(0.0, 1.0));
        }
    }
}

/// Stops `strategy` and counts what that freed (with the heap counted since `before` and at `settled`); `None`
/// when the heap is not counted or the strategy cannot stop.
async fn measure_memory<S: Strategy>(
    mut strategy: S,
    before: Option<usize>,
    settled: Option<usize>,
    tracked: u64,
) -> Option<Memory> {
    let with = memory::live_bytes()?;
    if !strategy.stop() {
        return None;
    }
    drop(strategy);
    // Stopped actors are dropped by their arbiter, and the budget once the last of them is: let both run.
    for _ in 0..3 {
        sleep(Duration::from_millis(1)).await;
    }
    let without = memory::live_bytes()?;
    let daemon_bytes = with.saturating_sub(without) as u64;
    Some(Memory {
        daemon_bytes,
        settled_daemon_bytes: settled?.saturating_sub(before?) as u64,
        tracked_targets: tracked,
        bytes_per_target: daemon_bytes as f64 / tracked.max(1) as f64,
        peak_rss_bytes: memory::peak_rss_bytes(),
    })
}

/// [`Runner`] with defaults: 1 h timeout, no progress callback.
pub async fn run<S, F>(scenario: &Scenario, factory: F, model: ModelConfig) -> RunReport
where
    S: Strategy,
    F: FnOnce(&Topology, ElbModel) -> S,
{
    Runner::new(scenario, model).run(factory).await
}

fn matches(model: &ElbModel, desired: &HashMap<TargetGroupKey, HashSet<Target>>) -> bool {
    desired
        .iter()
        .all(|(tg, want)| &model.registered(tg) == want)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use tokio::task::LocalSet;

    use super::*;
    use crate::scenario::{ScenarioKind, ScenarioParams};

    struct Idle;

    impl Strategy for Idle {
        fn name(&self) -> &'static str {
            "idle"
        }

        fn on_slice(&mut self, _: EndpointSliceSnapshot) {}
    }

    /// Records the quiet spells it is told of.
    struct Quiet<'a>(&'a Cell<Option<Duration>>);

    impl Strategy for Quiet<'_> {
        fn name(&self) -> &'static str {
            "quiet"
        }

        fn on_slice(&mut self, _: EndpointSliceSnapshot) {}

        fn idle(&mut self, quiet: Duration) {
            self.0.set(Some(quiet));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_cold_start_is_a_quiet_spell_longer_than_five_minutes_and_a_warm_one_none() {
        LocalSet::new()
            .run_until(async {
                for warm_start in [false, true] {
                    let sc = Scenario::build(
                        ScenarioKind::ScaleDown,
                        ScenarioParams {
                            tgs: 1,
                            pods: 2,
                            warm_start,
                            ..ScenarioParams::default()
                        },
                    );
                    let told = Cell::new(None);
                    Runner::new(&sc, sc.model_config())
                        .timeout(Duration::from_secs(1))
                        .run(|_, _| Quiet(&told))
                        .await;
                    match told.get() {
                        Some(q) => assert!(!warm_start && q > Duration::from_secs(300)),
                        None => assert!(warm_start),
                    }
                }
            })
            .await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_strategy_that_does_nothing_does_not_converge_and_progress_reaches_one() {
        LocalSet::new()
            .run_until(async {
                let sc = Scenario::build(
                    ScenarioKind::ScaleDown,
                    ScenarioParams {
                        tgs: 2,
                        pods: 4,
                        ..ScenarioParams::default()
                    },
                );
                let last = Cell::new(0.0);
                let r = Runner::new(&sc, sc.model_config())
                    .timeout(Duration::from_secs(60))
                    .on_progress(|f| {
                        assert!(f >= last.get());
                        last.set(f);
                    })
                    .run(|_, _| Idle)
                    .await;
                assert_eq!(last.get(), 1.0);
                assert!(!r.converged);
                assert_eq!(r.completion_seconds, None);
                assert_eq!((r.total_calls, r.target_changes), (0, 4));
                assert_eq!(r.latency_ms.samples, 0);
                let json = serde_json::to_value(&r).unwrap();
                for key in [
                    "strategy",
                    "target_changes",
                    "calls",
                    "total_calls",
                    "calls_per_1000_changes",
                    "throttled",
                    "converged",
                    "latency_ms",
                    "deregister_latency_ms",
                    "completion_seconds",
                    "lower_bound_seconds",
                ] {
                    assert!(json.get(key).is_some(), "{key}");
                }
                assert_eq!(json["calls"]["DescribeTargetHealth"], 0);
            })
            .await;
    }
}
