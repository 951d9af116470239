//! Realistic EndpointSlice watch events, as kube-controller-manager's endpointslice controller writes them
//! (Go field order, sorted map keys, full metadata with managedFields), for tests and benches.

use std::collections::VecDeque;
use std::fmt::Write;
use std::net::{IpAddr, Ipv4Addr};

use tgsync_actors::domain::Conditions;

use crate::rng::Rng;

/// What to generate. The default is a 100-endpoint slice of a Deployment mid rolling update (~29 KB).
#[derive(Clone, Debug)]
pub struct SampleParams {
    /// Namespace of the Service and its pods.
    pub namespace: String,
    /// Service (and Deployment) name.
    pub service: String,
    /// Endpoints in the slice.
    pub endpoints: usize,
    /// How many of them are not ready yet (new pods).
    pub not_ready: usize,
    /// How many are terminating (old pods draining).
    pub terminating: usize,
    /// Write `hostname` on endpoints (pods with spec.hostname + subdomain).
    pub hostnames: bool,
    /// Write topology-aware routing `hints` (off unless the Service opts in).
    pub hints: bool,
    /// Seed for names, uids and addresses; the same seed gives the same bytes.
    pub seed: u64,
}

impl Default for SampleParams {
    fn default() -> Self {
        SampleParams {
            namespace: "shop".into(),
            service: "web".into(),
            endpoints: 100,
            not_ready: 2,
            terminating: 1,
            hostnames: false,
            hints: false,
            seed: 1,
        }
    }
}

/// A pod's state as the endpointslice controller turns it into conditions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PodState {
    /// Running, readiness probe not yet passing.
    NotReady,
    /// Ready.
    Ready,
    /// Deleted, draining (still serving).
    Terminating,
}

impl PodState {
    /// The conditions the controller writes: ready = podReady && !terminating, serving = podReady.
    pub fn conditions(self) -> Conditions {
        match self {
            PodState::NotReady => Conditions::new(false, false, false),
            PodState::Ready => Conditions::ready(),
            PodState::Terminating => Conditions::terminating(),
        }
    }
}

/// One endpoint of the sample slice.
#[derive(Clone, Debug)]
pub struct SamplePod {
    /// Pod name (`targetRef.name`).
    pub name: String,
    /// Pod IP.
    pub ip: IpAddr,
    /// Node name.
    pub node: String,
    /// Zone of the node.
    pub zone: &'static str,
    /// Current state.
    pub state: PodState,
    uid: String,
    born: u64,
}

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
const NODES: u64 = 30;

/// One EndpointSlice that evolves like a rolling update and renders as watch-event JSON.
#[derive(Clone, Debug)]
pub struct SampleSlice {
    params: SampleParams,
    name: String,
    uid: String,
    service_uid: String,
    pods: Vec<SamplePod>,
    draining: VecDeque<usize>,
    rng: Rng,
    pods_made: u64,
    resource_version: u64,
    generation: u64,
    clock: u64,
}

impl SampleSlice {
    /// A slice laid out as `params` says: terminating pods first, then ready, then not ready.
    pub fn new(params: SampleParams) -> Self {
        let mut s = SampleSlice {
            name: String::new(),
            uid: String::new(),
            service_uid: String::new(),
            pods: Vec::with_capacity(params.endpoints),
            draining: VecDeque::new(),
            rng: Rng::new(params.seed ^ 0x9e37_79b9_7f4a_7c15),
            pods_made: 0,
            resource_version: 0,
            generation: 1,
            clock: 0,
            params,
        };
        let suffix = s.suffix();
        s.name = format!("{}-{suffix}", s.params.service);
        s.uid = s.uuid();
        s.service_uid = s.uuid();
        s.resource_version = 10_000_000 + s.rng.next_u64() % 80_000_000;
        let n = s.params.endpoints;
        for slot in 0..n {
            let state = if slot < s.params.terminating {
                PodState::Terminating
            } else if slot + s.params.not_ready >= n {
                PodState::NotReady
            } else {
                PodState::Ready
            };
            let pod = s.make_pod(state);
            s.pods.push(pod);
            if state == PodState::Terminating {
                s.draining.push_back(slot);
            }
        }
        s
    }

    /// The endpoints as they stand.
    pub fn pods(&self) -> &[SamplePod] {
        &self.pods
    }

    /// The slice's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One rolling-update step: the oldest not-ready pod becomes ready and the oldest ready pod terminates
    /// (one register, one deregister). The longest-draining pod is replaced by a new not-ready pod, which
    /// changes no target, so the slice keeps its size and mix.
    pub fn rolling_step(&mut self) {
        if let Some(i) = self.oldest(PodState::NotReady) {
            self.pods[i].state = PodState::Ready;
        }
        if let Some(i) = self.oldest(PodState::Ready) {
            self.pods[i].state = PodState::Terminating;
            self.draining.push_back(i);
        }
        while self.draining.len() > self.params.terminating.max(1) {
            if let Some(i) = self.draining.pop_front() {
                self.pods[i] = self.make_pod(PodState::NotReady);
            }
        }
        self.generation += 1;
        self.resource_version += 1 + self.rng.next_u64() % 500;
        self.clock += 1 + self.rng.next_u64() % 5;
    }

    /// One watch line, `{"type":kind,"object":{...}}`, as the API server sends it.
    pub fn watch_event(&self, kind: &str) -> String {
        let mut out = String::with_capacity(300 * self.pods.len() + 2500);
        // Writing to a String cannot fail.
        let _ = self.write_event(&mut out, kind);
        out
    }

    fn write_event(&self, o: &mut String, kind: &str) -> std::fmt::Result {
        let p = &self.params;
        let (ns, svc) = (&p.namespace, &p.service);
        let created = timestamp(0);
        let changed = timestamp(self.clock);
        write!(
            o,
            r#"{{"type":"{kind}","object":{{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","#
        )?;
        write!(
            o,
            r#""metadata":{{"name":"{}","generateName":"{svc}-","namespace":"{ns}","#,
            self.name
        )?;
        write!(
            o,
            r#""uid":"{}","resourceVersion":"{}","generation":{},"#,
            self.uid, self.resource_version, self.generation
        )?;
        write!(
            o,
            r#""creationTimestamp":"{created}","labels":{{"app.kubernetes.io/component":"frontend","#
        )?;
        write!(
            o,
            r#""app.kubernetes.io/instance":"{svc}","app.kubernetes.io/managed-by":"Helm","#
        )?;
        write!(
            o,
            r#""app.kubernetes.io/name":"{svc}","app.kubernetes.io/part-of":"{ns}","#
        )?;
        write!(
            o,
            r#""endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io","#
        )?;
        write!(
            o,
            r#""helm.sh/chart":"{svc}-1.4.2","kubernetes.io/service-name":"{svc}"}},"#
        )?;
        write!(
            o,
            r#""annotations":{{"endpoints.kubernetes.io/last-change-trigger-time":"{changed}"}},"#
        )?;
        write!(
            o,
            r#""ownerReferences":[{{"apiVersion":"v1","kind":"Service","name":"{svc}","#
        )?;
        write!(
            o,
            r#""uid":"{}","controller":true,"blockOwnerDeletion":true}}],"#,
            self.service_uid
        )?;
        write!(
            o,
            r#""managedFields":[{{"manager":"kube-controller-manager","operation":"Update","#
        )?;
        write!(
            o,
            r#""apiVersion":"discovery.k8s.io/v1","time":"{changed}","fieldsType":"FieldsV1","#
        )?;
        write!(
            o,
            r#""fieldsV1":{{"f:addressType":{{}},"f:endpoints":{{}},"f:metadata":{{"#
        )?;
        write!(
            o,
            r#""f:annotations":{{".":{{}},"f:endpoints.kubernetes.io/last-change-trigger-time":{{}}}},"#
        )?;
        write!(
            o,
            r#""f:generateName":{{}},"f:labels":{{".":{{}},"f:app.kubernetes.io/component":{{}},"#
        )?;
        write!(
            o,
            r#""f:app.kubernetes.io/instance":{{}},"f:app.kubernetes.io/managed-by":{{}},"#
        )?;
        write!(
            o,
            r#""f:app.kubernetes.io/name":{{}},"f:app.kubernetes.io/part-of":{{}},"#
        )?;
        write!(
            o,
            r#""f:endpointslice.kubernetes.io/managed-by":{{}},"f:helm.sh/chart":{{}},"#
        )?;
        write!(
            o,
            r#""f:kubernetes.io/service-name":{{}}}},"f:ownerReferences":{{".":{{}},"#
        )?;
        write!(
            o,
            r#""k:{{\"uid\":\"{}\"}}":{{}}}}}},"f:ports":{{}}}}}}]}},"#,
            self.service_uid
        )?;
        write!(o, r#""addressType":"IPv4","endpoints":["#)?;
        for (i, pod) in self.pods.iter().enumerate() {
            let c = pod.state.conditions();
            let sep = if i == 0 { "" } else { "," };
            write!(
                o,
                r#"{sep}{{"addresses":["{}"],"conditions":{{"ready":{},"#,
                pod.ip,
                c.is_ready()
            )?;
            write!(
                o,
                r#""serving":{},"terminating":{}}},"#,
                c.is_serving(),
                c.is_terminating()
            )?;
            if p.hostnames {
                write!(o, r#""hostname":"{}","#, pod.name)?;
            }
            write!(
                o,
                r#""targetRef":{{"kind":"Pod","namespace":"{ns}","name":"{}","#,
                pod.name
            )?;
            write!(
                o,
                r#""uid":"{}"}},"nodeName":"{}","zone":"{}""#,
                pod.uid, pod.node, pod.zone
            )?;
            if p.hints {
                write!(o, r#","hints":{{"forZones":[{{"name":"{}"}}]}}"#, pod.zone)?;
            }
            o.push('}');
        }
        write!(
            o,
            r#"],"ports":[{{"name":"http","protocol":"TCP","port":8080}}]}}}}"#
        )
    }

    fn oldest(&self, state: PodState) -> Option<usize> {
        (0..self.pods.len())
            .filter(|&i| self.pods[i].state == state)
            .min_by_key(|&i| self.pods[i].born)
    }

    fn make_pod(&mut self, state: PodState) -> SamplePod {
        let born = self.pods_made;
        self.pods_made += 1;
        // Old pods (initially ready or terminating) and new ones carry different pod-template hashes.
        let template = if state == PodState::NotReady {
            0x5d8f
        } else {
            0x7b9c
        };
        let suffix = self.suffix();
        let hash = self.params.seed & 0xff_ffff;
        let name = format!("{}-{template:x}{hash:06x}-{suffix}", self.params.service);
        // Pods live in the VPC's 10.0.0.0/16; an odd multiplier is a bijection mod 2^16, so addresses
        // do not repeat within 65,536 pods.
        let offset = (self.params.seed.wrapping_mul(0x2545_f491) & 0xffff) as u32;
        let host = offset.wrapping_add((born as u32).wrapping_mul(7919)) & 0xffff;
        let node = self.rng.next_u64() % NODES;
        SamplePod {
            name,
            ip: IpAddr::V4(Ipv4Addr::from((10 << 24) | host)),
            node: format!("ip-10-0-{}-{}.ec2.internal", 16 + node / 4, 10 + node * 7),
            zone: ZONES[(node % 3) as usize],
            state,
            uid: self.uuid(),
            born,
        }
    }

    fn suffix(&mut self) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let mut r = self.rng.next_u64();
        (0..5)
            .map(|_| {
                let c = ALPHABET[(r % ALPHABET.len() as u64) as usize] as char;
                r /= ALPHABET.len() as u64;
                c
            })
            .collect()
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

fn timestamp(seconds: u64) -> String {
    let (h, m, s) = (10 + seconds / 3600 % 12, seconds / 60 % 60, seconds % 60);
    format!("2025-06-02T{h:02}:{m:02}:{s:02}Z")
}

/// `updates` successive MODIFIED events of one slice under rolling-update churn (two target changes each).
pub fn rolling_update_events(params: SampleParams, updates: usize) -> Vec<Vec<u8>> {
    let mut slice = SampleSlice::new(params);
    (0..updates)
        .map(|_| {
            slice.rolling_step();
            slice.watch_event("MODIFIED").into_bytes()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_endpoint_event_is_28_kb_or_so() {
        let len = SampleSlice::new(SampleParams::default())
            .watch_event("MODIFIED")
            .len();
        assert!((26_000..30_000).contains(&len), "{len} bytes");
    }

    #[test]
    fn same_seed_same_bytes() {
        let a = rolling_update_events(SampleParams::default(), 3);
        assert_eq!(a, rolling_update_events(SampleParams::default(), 3));
        let other = SampleParams {
            seed: 2,
            ..Default::default()
        };
        assert_ne!(a, rolling_update_events(other, 3));
    }

    #[test]
    fn a_rolling_step_readies_one_pod_and_terminates_one() {
        let mut slice = SampleSlice::new(SampleParams::default());
        for _ in 0..150 {
            let before: Vec<_> = slice.pods().iter().map(|p| (p.ip, p.state)).collect();
            slice.rolling_step();
            let after: Vec<_> = slice.pods().iter().map(|p| (p.ip, p.state)).collect();
            let wanted = |v: &[(IpAddr, PodState)]| -> std::collections::BTreeSet<IpAddr> {
                v.iter()
                    .filter(|p| p.1 == PodState::Ready)
                    .map(|p| p.0)
                    .collect()
            };
            let (b, a) = (wanted(&before), wanted(&after));
            assert_eq!((a.difference(&b).count(), b.difference(&a).count()), (1, 1));
            assert_eq!(after.len(), 100);
        }
    }
}
