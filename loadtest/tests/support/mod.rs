//! Fixtures shared by the virtual-time tests: pod addresses, slice snapshots, a report collector, and a whole
//! scenario run with tgsync as the daemon runs it.

// Each test binary uses part of this module.
#![allow(dead_code)]

use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::sync::Arc;

use actix::prelude::*;
use tgsync_actors::budget::BudgetConfig;
use tgsync_actors::domain::{
    AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort, Target,
};
use tgsync_actors::target_group::{TgConfig, TgReport};
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::strategy::{KubeModel, Tgsync};
use tgsync_loadtest::{ModelConfig, RunReport, Runner, Scenario};

/// Pod `n`'s address, 10.1.x.y.
pub fn ip(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a01_0000 + n))
}

/// Pod `n` as a target on port 80.
pub fn t(n: u32) -> Target {
    Target::ip(ip(n), 80)
}

/// Slice `<service>-<name>` of `service` with pods `ready` ready on port 80.
pub fn slice(
    service: &str,
    name: &str,
    ready: impl IntoIterator<Item = u32>,
) -> EndpointSliceSnapshot {
    EndpointSliceSnapshot {
        key: Arc::from(format!("{service}-{name}")),
        service: Arc::from(service),
        address_type: AddressType::Ipv4,
        ports: Arc::from(vec![SlicePort {
            name: None,
            port: 80,
        }]),
        endpoints: ready
            .into_iter()
            .map(|n| Endpoint::new(ip(n), Conditions::ready(), None))
            .collect(),
    }
}

/// Collects the reports an actor sends its owner.
pub struct Reports(pub Rc<RefCell<Vec<TgReport>>>);

impl Actor for Reports {
    type Context = Context<Self>;
}

impl Handler<TgReport> for Reports {
    type Result = ();

    fn handle(&mut self, msg: TgReport, _: &mut Context<Self>) {
        self.0.borrow_mut().push(msg);
    }
}

/// One run of `sc` in paused virtual time against an ELB model set up by `model`, with tgsync as the daemon
/// runs it (the default API budget and batching) over a Kubernetes API modelled by `kube`.
pub fn run_tgsync(sc: &Scenario, model: ModelConfig, kube: KubeModel) -> RunReport {
    paused_system().block_on(Runner::new(sc, model).run(|topo, model| {
        Tgsync::start(
            topo,
            model,
            BudgetConfig::default(),
            TgConfig::default(),
            kube,
        )
    }))
}
