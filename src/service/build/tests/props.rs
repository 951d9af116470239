//! Property test: any sequence of Service edits (ports added and removed, TCP/UDP/TCP_UDP, TLS, scheme,
//! target type, attributes, proxy protocol, deletion), each built, planned against what the actors'
//! in-memory load balancer holds and applied, leaves it equal to the model with nothing left to plan,
//! and never names the listener or target group of a port whose pieces did not change.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;
use proptest::prelude::*;
use serde_json::json;
use tgsync_actors::stack::plan::plan;
use tgsync_actors::stack::sim::{apply_plan, Sim};
use tgsync_actors::stack::{Action, Deployed, StackModel, TgRef};

use super::fixtures::{build_with, svc};
use crate::lookups::Lookups;
use crate::service::empty_model;

const PORTS: [u16; 4] = [53, 80, 443, 8080];

/// What the edits change on the Service.
#[derive(Clone, Debug, Default)]
struct Shape {
    deleted: bool,
    /// Port → 0 TCP, 1 UDP, 2 both.
    ports: BTreeMap<u16, u8>,
    /// `None` leaves the scheme to the existing NLB.
    internet: Option<bool>,
    ip: bool,
    tls: bool,
    proxy: bool,
    delay: Option<u8>,
    cross_zone: Option<bool>,
}

#[derive(Clone, Debug)]
enum Edit {
    AddPort(u8, u8),
    RemovePort(u8),
    Scheme(Option<bool>),
    TargetType,
    Tls,
    Proxy,
    Delay(Option<u8>),
    CrossZone(Option<bool>),
    Delete,
}

impl Edit {
    fn apply(&self, s: &mut Shape) {
        if !matches!(self, Edit::Delete) {
            s.deleted = false;
        }
        let port = |p: &u8| PORTS[usize::from(*p) % PORTS.len()];
        match self {
            Edit::AddPort(p, proto) => {
                s.ports.insert(port(p), proto % 3);
            }
            Edit::RemovePort(p) if s.ports.len() > 1 => {
                s.ports.remove(&port(p));
            }
            Edit::RemovePort(_) => {}
            Edit::Scheme(v) => s.internet = *v,
            Edit::TargetType => s.ip = !s.ip,
            Edit::Tls => s.tls = !s.tls,
            Edit::Proxy => s.proxy = !s.proxy,
            Edit::Delay(d) => s.delay = *d,
            Edit::CrossZone(c) => s.cross_zone = *c,
            Edit::Delete => s.deleted = true,
        }
    }
}

impl Shape {
    fn service(&self) -> Service {
        let mut ports = Vec::new();
        for (port, proto) in &self.ports {
            let protocols: &[&str] = match proto {
                0 => &["TCP"],
                1 => &["UDP"],
                _ => &["TCP", "UDP"],
            };
            for p in protocols {
                ports.push(json!({
                    "name": format!("{}-{port}", p.to_lowercase()),
                    "port": port, "protocol": p,
                    "targetPort": port + 1000, "nodePort": 30000 + port,
                }));
            }
        }
        let spec = json!({"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb", "ports": ports});
        let mut a: Vec<(&str, String)> = vec![(
            "aws-load-balancer-nlb-target-type",
            if self.ip { "ip" } else { "instance" }.into(),
        )];
        if let Some(internet) = self.internet {
            let scheme = if internet {
                "internet-facing"
            } else {
                "internal"
            };
            a.push(("aws-load-balancer-scheme", scheme.into()));
        }
        if self.tls {
            a.push(("aws-load-balancer-ssl-cert", "arn:cert/a".into()));
            a.push(("aws-load-balancer-ssl-ports", "443".into()));
        }
        if self.proxy {
            a.push(("aws-load-balancer-proxy-protocol", "*".into()));
        }
        if let Some(d) = self.delay {
            let v = format!("deregistration_delay.timeout_seconds={}", u32::from(d) * 10);
            a.push(("aws-load-balancer-target-group-attributes", v));
        }
        if let Some(c) = self.cross_zone {
            let v = format!("load_balancing.cross_zone.enabled={c}");
            a.push(("aws-load-balancer-attributes", v));
        }
        let pairs: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
        svc(spec, &pairs)
    }

    fn model(&self, deployed: &Deployed) -> StackModel {
        if self.deleted {
            return empty_model("shop", "web");
        }
        let existing = deployed.load_balancer.as_ref().map(|l| &l.spec);
        build_with(&self.service(), existing, &Lookups::default())
            .unwrap_or_else(|e| panic!("{e} building {self:?}"))
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    let flag = prop::option::of(any::<bool>());
    prop_oneof![
        4 => (any::<u8>(), any::<u8>()).prop_map(|(p, t)| Edit::AddPort(p, t)),
        3 => any::<u8>().prop_map(Edit::RemovePort),
        1 => flag.clone().prop_map(Edit::Scheme),
        1 => Just(Edit::TargetType),
        1 => Just(Edit::Tls),
        1 => Just(Edit::Proxy),
        1 => prop::option::of(0u8..4).prop_map(Edit::Delay),
        1 => flag.prop_map(Edit::CrossZone),
        1 => Just(Edit::Delete),
    ]
}

fn start() -> impl Strategy<Value = Shape> {
    (
        prop::collection::btree_map(prop::sample::select(PORTS.to_vec()), 0u8..3, 1..3),
        any::<bool>(),
    )
        .prop_map(|(ports, ip)| Shape {
            ports,
            ip,
            ..Shape::default()
        })
}

/// Desired attributes are set on the live resource (ELBv2 keeps ones the model stopped naming).
fn has_all(desired: &BTreeMap<String, String>, live: &BTreeMap<String, String>) -> bool {
    desired.iter().all(|(k, v)| live.get(k) == Some(v))
}

/// The in-memory load balancer holds exactly the model.
fn holds(m: &StackModel, d: &Deployed) -> Result<(), TestCaseError> {
    let Some(want) = &m.load_balancer else {
        prop_assert_eq!(d, &Deployed::default());
        return Ok(());
    };
    let lb = d.load_balancer.as_ref().expect("a load balancer");
    prop_assert_eq!(
        (
            &lb.spec.name,
            lb.spec.kind,
            lb.spec.scheme,
            &lb.spec.subnets,
            &lb.spec.tags
        ),
        (
            &want.name,
            want.kind,
            want.scheme,
            &want.subnets,
            &want.tags
        )
    );
    prop_assert!(has_all(&want.attributes, &lb.spec.attributes));
    prop_assert_eq!(lb.spec.security_groups.len(), want.security_groups.len());
    let sg = (m.security_group.as_ref(), d.security_group.as_ref());
    prop_assert_eq!(sg.0.map(|s| &s.ingress), sg.1.map(|s| &s.spec.ingress));
    prop_assert_eq!(
        d.target_groups.keys().collect::<Vec<_>>(),
        m.target_groups.keys().collect::<Vec<_>>()
    );
    for (id, tg) in &m.target_groups {
        let live = &d.target_groups[id].spec;
        prop_assert!(has_all(&tg.attributes, &live.attributes), "{}", id);
        let mut live = live.clone();
        live.attributes = tg.attributes.clone();
        prop_assert_eq!(&live, tg);
    }
    prop_assert_eq!(
        d.listeners.keys().collect::<Vec<_>>(),
        m.listeners.keys().collect::<Vec<_>>()
    );
    for (port, l) in &m.listeners {
        let live = &d.listeners[port];
        prop_assert!(live.rules.is_empty());
        let Action::Forward { groups, .. } = &l.default_action else {
            return Err(TestCaseError::fail("an NLB listener forwards"));
        };
        let TgRef::Model(id) = &groups[0].tg else {
            return Err(TestCaseError::fail("to the model's group"));
        };
        let mut want = l.clone();
        want.default_action = Action::Forward {
            groups: vec![tgsync_actors::stack::WeightedTg {
                tg: TgRef::Arn(d.target_groups[id].arn.clone()),
                weight: None,
            }],
            stickiness_seconds: None,
        };
        prop_assert_eq!(&live.spec, &want, "listener {}", port);
    }
    Ok(())
}

/// ARNs of the listeners and target groups whose ports are as they were: no call may name them.
fn unchanged(prev: &StackModel, next: &StackModel, d: &Deployed) -> Vec<String> {
    let same_lb = match (&prev.load_balancer, &next.load_balancer) {
        (Some(a), Some(b)) => a.kind == b.kind && a.scheme == b.scheme,
        _ => false,
    };
    if !same_lb {
        return vec![];
    }
    let mut arns = Vec::new();
    for (port, l) in &next.listeners {
        let id = format!("shop/web:{port}");
        if prev.listeners.get(port) == Some(l)
            && prev.target_groups.get(&id) == next.target_groups.get(&id)
        {
            arns.extend(d.listeners.get(port).map(|x| x.arn.clone()));
            arns.extend(d.target_groups.get(&id).map(|x| x.arn.clone()));
        }
    }
    arns
}

fn run(start: &Shape, edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut sim = Sim::new(100, true);
    let mut shape = start.clone();
    let mut prev = empty_model("shop", "web");
    for edit in std::iter::once(None).chain(edits.iter().map(Some)) {
        if let Some(e) = edit {
            e.apply(&mut shape);
        }
        let before = sim.deployed();
        let m = shape.model(&before);
        let p = plan(&m, &before);
        let applied = apply_plan(&mut sim, &p)
            .map_err(|e| TestCaseError::fail(format!("{e:?} applying {p:#?}")))?;
        let after = sim.deployed();
        holds(&m, &after)?;
        let kept = unchanged(&prev, &m, &before);
        let touched: Vec<_> = kept
            .iter()
            .filter(|a| applied.touched.contains(*a))
            .collect();
        prop_assert!(
            touched.is_empty(),
            "unchanged pieces touched: {:?} by {:#?}",
            touched,
            p
        );
        let again = plan(&shape.model(&after), &after);
        prop_assert!(again.is_empty(), "not converged: {:#?}", again);
        prev = m;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_service_edits_leave_the_nlb_equal_to_the_model(
        start in start(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        run(&start, &edits)?;
    }
}
