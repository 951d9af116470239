//! What every scenario starts from: one Service, Deployment and target group per binding, all pods ready.

use std::net::IpAddr;
use std::time::Duration;

use tgsync_actors::domain::TargetGroupKey;

use super::cluster::ServiceId;
use super::pod_sim::PodSim;
use super::{Binding, ScenarioParams, Topology};

/// The Service port name and container port every scenario uses.
const PORT_NAME: &str = "http";
const PORT: u16 = 8080;

/// A started scenario: the simulator, each deployment's service and ready pods, and the topology.
pub(crate) struct Setup {
    pub(crate) sim: PodSim,
    pub(crate) services: Vec<ServiceId>,
    pub(crate) pods: Vec<Vec<IpAddr>>,
    pub(crate) topology: Topology,
}

pub(crate) fn setup(params: &ScenarioParams, salt: u64) -> Setup {
    let mut sim = PodSim::new(params.seed ^ salt.wrapping_mul(0x2545_F491_4F6C_DD1D));
    sim.gated = params.readiness_gates;
    let mut services = Vec::new();
    let mut pods = Vec::new();
    let mut bindings = Vec::new();
    for i in 0..params.tgs {
        let name = format!("apps/svc-{i:04}");
        let svc = sim.cluster.add_service(&name, PORT_NAME, PORT);
        pods.push((0..params.pods).map(|_| sim.existing_pod(svc)).collect());
        services.push(svc);
        bindings.push(Binding {
            service: name.into(),
            port_name: Some(PORT_NAME.into()),
            tg: TargetGroupKey::new(format!(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/k8s-apps-svc{i:04}/{:016x}",
                (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            )),
        });
    }
    sim.mark_initial();
    Setup {
        sim,
        services,
        pods,
        topology: Topology {
            bindings,
            readiness_gates: params.readiness_gates,
        },
    }
}

/// Containers ready 2–8 s after creation.
pub(crate) fn ready_ms(sim: &mut PodSim) -> u64 {
    ms(sim, 2_000, 8_000)
}

/// A deleted pod leaves its slice 3–15 s later (SIGTERM handling, preStop hooks).
pub(crate) fn gone_ms(sim: &mut PodSim) -> u64 {
    ms(sim, 3_000, 15_000)
}

/// The deployment / replica-set controllers react within 5–50 ms.
pub(crate) fn lag_ms(sim: &mut PodSim) -> u64 {
    ms(sim, 5, 50)
}

pub(crate) fn ms(sim: &mut PodSim, lo: u64, hi: u64) -> u64 {
    sim.rng
        .millis_between(Duration::from_millis(lo), Duration::from_millis(hi))
        .as_millis() as u64
}
