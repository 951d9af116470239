//! Churn scenarios: a topology of bindings, the slices at the start, and a timeline of slice snapshots,
//! all deterministic from a seed.

mod cluster;
mod desired;
mod mass_restart;
mod node_drain;
mod pod_sim;
mod rolling_update;
mod scale;
mod setup;
mod steady_drip;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tgsync_actors::domain::{EndpointSliceSnapshot, Target, TargetGroupKey};

pub use cluster::MAX_PER_SLICE;
pub(crate) use desired::desired_of;
pub use desired::{DesiredTracker, Transition};

use crate::model::{HealthCheck, ModelConfig};

/// One TargetGroupBinding: a Service port feeding a target group (ip mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The Service, `namespace/name`.
    pub service: Arc<str>,
    /// The Service port's name (`None` for a single unnamed port).
    pub port_name: Option<Arc<str>>,
    /// The target group.
    pub tg: TargetGroupKey,
}

/// What a strategy is told about the cluster before the first event.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// Every binding, one per target group.
    pub bindings: Vec<Binding>,
    /// Pods carry the `target-health.elbv2.k8s.aws` readiness gate (the baseline then requeues every 15 s).
    pub readiness_gates: bool,
}

/// The scenarios `tgsync simulate --scenario` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScenarioKind {
    /// Every deployment rolls at once, maxSurge 25 %, maxUnavailable 25 %.
    RollingUpdate,
    /// Every deployment doubles.
    ScaleUp,
    /// Every deployment halves.
    ScaleDown,
    /// One pod replaced every few seconds somewhere, for ten minutes.
    SteadyDrip,
    /// One node drained: its pods, spread over many target groups, terminate and are rescheduled.
    NodeDrain,
    /// Every pod deleted at once and recreated.
    MassRestart,
}

impl ScenarioKind {
    /// Every scenario, in CLI order.
    pub const ALL: [ScenarioKind; 6] = [
        ScenarioKind::RollingUpdate,
        ScenarioKind::ScaleUp,
        ScenarioKind::ScaleDown,
        ScenarioKind::SteadyDrip,
        ScenarioKind::NodeDrain,
        ScenarioKind::MassRestart,
    ];

    /// The CLI name, e.g. `rolling-update`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioKind::RollingUpdate => "rolling-update",
            ScenarioKind::ScaleUp => "scale-up",
            ScenarioKind::ScaleDown => "scale-down",
            ScenarioKind::SteadyDrip => "steady-drip",
            ScenarioKind::NodeDrain => "node-drain",
            ScenarioKind::MassRestart => "mass-restart",
        }
    }
}

impl fmt::Display for ScenarioKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scenario name that is not one of [`ScenarioKind::ALL`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown scenario {0:?} (known: rolling-update, scale-up, scale-down, steady-drip, node-drain, mass-restart)")]
pub struct UnknownScenario(pub String);

impl FromStr for ScenarioKind {
    type Err = UnknownScenario;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ScenarioKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownScenario(s.to_owned()))
    }
}

/// The knobs every scenario shares.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioParams {
    /// Target groups (one Service and one Deployment each).
    pub tgs: usize,
    /// Pods per Deployment at the start.
    pub pods: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Target-group health check (default 10 s × 2, not AWS's 30 s × 5: see [`HealthCheck::SCENARIO_DEFAULT`]).
    pub health: HealthCheck,
    /// Target-group deregistration delay (AWS default 300 s).
    pub deregistration_delay: Duration,
    /// Pods carry readiness gates (off by default: scenarios are open loop, pods turn ready on their own).
    pub readiness_gates: bool,
    /// The strategies start right after taking in the initial slices (the baseline's targets cache filled
    /// seconds before). Off by default: the services were quiet for longer than that cache's 5 minutes.
    pub warm_start: bool,
}

impl Default for ScenarioParams {
    fn default() -> Self {
        ScenarioParams {
            tgs: 20,
            pods: 20,
            seed: 1,
            health: HealthCheck::SCENARIO_DEFAULT,
            deregistration_delay: Duration::from_secs(300),
            readiness_gates: false,
            warm_start: false,
        }
    }
}

/// A built scenario: who is bound to what, the slices at the start, and what happens to them.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario's name: a [`ScenarioKind`]'s, or `replay` for one read from a trace.
    pub name: &'static str,
    /// Its parameters.
    pub params: ScenarioParams,
    /// The bindings.
    pub topology: Topology,
    /// Every slice before the first event (ELB starts with their ready endpoints registered and healthy).
    pub initial: Vec<EndpointSliceSnapshot>,
    /// Slice snapshots at offsets from the scenario's start, in time order.
    pub events: Vec<(Duration, EndpointSliceSnapshot)>,
    /// With readiness gates: every update of a pod (created, bound to a node, its IP and conditions set,
    /// deleted), by its Service, in time order. Empty without gates.
    pub pod_updates: Vec<(Duration, Arc<str>)>,
}

impl Scenario {
    /// Builds `kind` with `params`.
    pub fn build(kind: ScenarioKind, params: ScenarioParams) -> Scenario {
        let (timeline, topology) = match kind {
            ScenarioKind::RollingUpdate => rolling_update::build(&params),
            ScenarioKind::ScaleUp => scale::build(&params, scale::Direction::Up),
            ScenarioKind::ScaleDown => scale::build(&params, scale::Direction::Down),
            ScenarioKind::SteadyDrip => steady_drip::build(&params),
            ScenarioKind::NodeDrain => node_drain::build(&params),
            ScenarioKind::MassRestart => mass_restart::build(&params),
        };
        Scenario {
            name: kind.as_str(),
            params,
            topology,
            initial: timeline.initial,
            events: timeline.events,
            pod_updates: timeline.pod_updates,
        }
    }

    /// The scenario's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The target groups.
    pub fn tgs(&self) -> impl Iterator<Item = &TargetGroupKey> {
        self.topology.bindings.iter().map(|b| &b.tg)
    }

    /// The offset of the last event.
    pub fn duration(&self) -> Duration {
        self.events.last().map(|(t, _)| *t).unwrap_or_default()
    }

    /// The model configuration this scenario assumes: AWS defaults with its health check and seed.
    pub fn model_config(&self) -> ModelConfig {
        ModelConfig {
            health: self.params.health,
            deregistration_delay: self.params.deregistration_delay,
            seed: self.params.seed,
            ..ModelConfig::default()
        }
    }

    /// The desired target set of every target group at the start.
    pub fn initial_desired(&self) -> HashMap<TargetGroupKey, HashSet<Target>> {
        let mut d = DesiredTracker::new(&self.topology);
        for s in &self.initial {
            d.apply(Duration::ZERO, s);
        }
        d.desired()
    }

    /// The desired target set of every target group after the last event.
    pub fn final_desired(&self) -> HashMap<TargetGroupKey, HashSet<Target>> {
        self.transitions().1
    }

    /// Every desired-set change the events cause, in time order, and the desired sets after the last.
    pub fn transitions(&self) -> (Vec<Transition>, HashMap<TargetGroupKey, HashSet<Target>>) {
        let mut d = DesiredTracker::new(&self.topology);
        for s in &self.initial {
            d.apply(Duration::ZERO, s);
        }
        let transitions = self
            .events
            .iter()
            .flat_map(|(at, s)| d.apply(*at, s))
            .collect();
        (transitions, d.desired())
    }
}

#[cfg(test)]
mod tests;
