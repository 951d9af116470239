//! The manager against in-memory Kubernetes writes and ELBv2, on a paused clock: watch events in, calls and
//! writes out. Objects are built from the JSON the API server would send.

mod fakes;
mod gates;
mod instance;
mod lifecycle;
mod refusals;

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use actix::prelude::*;
use k8s_openapi::api::core::v1::{Node, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::runtime::reflector::store::Writer;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;
use serde_json::{json, Value};
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::domain::Target;
use tgsync_actors::target_group::TgConfig;

use super::{object_key, Lead, Manager, Watched};
use crate::controller::stores::{stores, Writers};
use crate::controller::watchers::keys;
use crate::crd::TargetGroupBinding;
use crate::watch::{SlimEndpointSlice, SlimPod};
use fakes::{FakeElb, FakeKube, Log};

const NS: &str = "shop";
const ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

/// Runs `test` on an actix system over a paused current-thread runtime; every actor stops with it.
fn run<T, F: Future<Output = T>>(test: impl FnOnce() -> F) -> T {
    tgsync_loadtest::runtime::paused_system().block_on(test())
}

/// A manager over fakes that share one log, with one empty target group `ARN` named `web`.
struct Bed {
    kube: FakeKube,
    elb: FakeElb,
    log: Log,
    manager: Addr<Manager<FakeKube, FakeElb>>,
    /// The stores' write halves, as the binding and Service watchers hold them.
    writers: RefCell<Writers>,
}

impl Bed {
    fn start() -> Self {
        let log = Log::default();
        let kube = FakeKube {
            log: log.clone(),
            ..FakeKube::default()
        };
        let elb = FakeElb {
            log: log.clone(),
            ..FakeElb::default()
        };
        elb.state
            .borrow_mut()
            .groups
            .insert(ARN.into(), Default::default());
        elb.state
            .borrow_mut()
            .names
            .insert("web".into(), ARN.into());
        Self::over(kube, elb, log)
    }

    /// A manager over these fakes (a restart, when an earlier `run` used them).
    fn over(kube: FakeKube, elb: FakeElb, log: Log) -> Self {
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let (stores, writers) = stores();
        let manager = Manager::new(
            kube.clone(),
            elb.clone(),
            budget,
            TgConfig::default(),
            stores,
        )
        .start();
        Bed {
            kube,
            elb,
            log,
            manager,
            writers: RefCell::new(writers),
        }
    }

    /// Every watch lists once: these objects, and no Nodes or Pods unless given.
    fn list(&self, objects: Listed) {
        fn listed<T: Send + 'static>(m: &Addr<Manager<FakeKube, FakeElb>>, items: Vec<T>)
        where
            Manager<FakeKube, FakeElb>: Handler<Watched<T>>,
        {
            m.do_send(Watched(Event::Init));
            for o in items {
                m.do_send(Watched(Event::InitApply(o)));
            }
            m.do_send(Watched(Event::InitDone));
        }
        let mut w = self.writers.borrow_mut();
        listed(&self.manager, stored(&mut w.bindings, objects.bindings));
        listed(&self.manager, stored(&mut w.services, objects.services));
        listed(&self.manager, objects.slices);
        listed(&self.manager, objects.nodes);
        listed(&self.manager, objects.pods);
    }

    fn lead(&self) {
        self.manager.do_send(Lead);
    }

    /// A changed binding, through its store as its watcher would.
    fn apply_binding(&self, obj: TargetGroupBinding) {
        self.stored_event(Event::Apply(obj), |w| &mut w.bindings);
    }

    /// A deleted binding.
    fn delete_binding(&self, obj: TargetGroupBinding) {
        self.stored_event(Event::Delete(obj), |w| &mut w.bindings);
    }

    /// A changed Service.
    fn apply_service(&self, obj: Service) {
        self.stored_event(Event::Apply(obj), |w| &mut w.services);
    }

    fn stored_event<T>(&self, ev: Event<T>, writer: impl FnOnce(&mut Writers) -> &mut Writer<T>)
    where
        T: kube::Resource<DynamicType = ()> + Clone + Send + 'static,
        Manager<FakeKube, FakeElb>: Handler<Watched<ObjectRef<T>>>,
    {
        writer(&mut self.writers.borrow_mut()).apply_watcher_event(&ev);
        self.manager.do_send(Watched(keys(ev)));
    }

    /// A changed object of a kind the manager keeps itself (slices, nodes, pods).
    fn apply<T: Send + 'static>(&self, obj: T)
    where
        Manager<FakeKube, FakeElb>: Handler<Watched<T>>,
    {
        self.manager.do_send(Watched(Event::Apply(obj)));
    }

    fn log(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    /// Where `line` first appears in the log.
    fn position(&self, prefix: &str) -> Option<usize> {
        self.log.borrow().iter().position(|l| l.starts_with(prefix))
    }

    /// The landed `Ready` condition of binding `web`, if any.
    fn ready(&self) -> Option<Condition> {
        self.condition("web", "Ready")
    }

    fn condition(&self, binding: &str, kind: &str) -> Option<Condition> {
        let st = self.kube.state.borrow();
        let (_, conditions) = st.status.get(&format!("{NS}/{binding}"))?;
        conditions.iter().find(|c| c.type_ == kind).cloned()
    }
}

/// `items` written to `writer` as a first list; their list of keys.
fn stored<T>(writer: &mut Writer<T>, items: Vec<T>) -> Vec<ObjectRef<T>>
where
    T: kube::Resource<DynamicType = ()> + Clone,
{
    writer.apply_watcher_event(&Event::Init);
    let keys = items.iter().map(ObjectRef::from_obj).collect();
    for o in items {
        writer.apply_watcher_event(&Event::InitApply(o));
    }
    writer.apply_watcher_event(&Event::InitDone);
    keys
}

/// What the first list of each watch holds.
#[derive(Default)]
struct Listed {
    bindings: Vec<TargetGroupBinding>,
    services: Vec<Service>,
    slices: Vec<SlimEndpointSlice>,
    nodes: Vec<Node>,
    pods: Vec<SlimPod>,
}

/// Waits in virtual time (up to five minutes) until `done` holds; panics with `what` and the log otherwise.
async fn until(bed: &Bed, what: &str, done: impl Fn() -> bool) {
    for _ in 0..3000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 5 minutes; log: {:#?}", bed.log());
}

/// Lets virtual time run for `secs` seconds.
async fn idle(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

fn decode<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("test objects are valid")
}

/// Binding `name` of Service `web` port 80, with `spec` merged over an ip binding to `ARN`.
fn binding(name: &str, spec: Value) -> TargetGroupBinding {
    let mut doc = json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": name, "namespace": NS, "uid": format!("uid-{name}"), "generation": 1,
                     "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"serviceRef": {"name": "web", "port": 80}, "targetGroupARN": ARN, "targetType": "ip"},
    });
    for (k, v) in spec.as_object().expect("spec is an object") {
        doc["spec"][k] = v.clone();
    }
    decode(doc)
}

/// Service `web`: port 80 (`http`) to target port 8080, nodePort 30080.
fn service() -> Service {
    decode(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080}]},
    }))
}

/// Slice `name` of Service `web` with endpoints (address, ready, pod), port `http` 8080.
fn slice(name: &str, endpoints: &[(&str, bool, &str)]) -> SlimEndpointSlice {
    let endpoints: Vec<Value> = endpoints
        .iter()
        .map(|(ip, ready, pod)| {
            json!({"addresses": [ip], "conditions": {"ready": ready},
                   "targetRef": {"kind": "Pod", "name": pod, "namespace": NS}})
        })
        .collect();
    let doc = json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": name, "namespace": NS, "labels": {"kubernetes.io/service-name": "web"}},
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    });
    SlimEndpointSlice::from_slice(&serde_json::to_vec(&doc).expect("a Value serializes"))
        .expect("test slices decode")
}

/// `ip:8080`.
fn ip_target(ip: &str) -> Target {
    Target::ip(ip.parse().expect("test addresses parse"), 8080)
}

#[test]
fn cluster_scoped_objects_are_keyed_by_name_alone() {
    let mut node = Node::default();
    node.metadata.name = Some("n1".into());
    assert_eq!(object_key(&node), "n1");
    node.metadata.namespace = Some("ns".into());
    assert_eq!(object_key(&node), "ns/n1");
}
