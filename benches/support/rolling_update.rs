//! The churn model of benches (a) and (b): a rolling update that never ends.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use tgsync_actors::domain::{
    AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort, Target, TargetGroupKey,
};

/// Most endpoints in one slice, as the EndpointSlice controller cuts them.
pub const ENDPOINTS_PER_SLICE: usize = 100;

/// How often each target group sees a slice update, in virtual time.
pub const PERIOD: Duration = Duration::from_millis(50);

/// The target port every slice carries.
pub const PORT: u16 = 8080;

/// One target group of the model: its Service and slices.
pub struct ChurnTg {
    /// The target group the bench binds to the Service.
    pub key: TargetGroupKey,
    /// The Service the target group is bound to.
    pub service: Arc<str>,
    /// Its slice keys.
    pub keys: Vec<Arc<str>>,
}

/// One slice as the EndpointSlice controller last wrote it.
struct Slice {
    endpoints: Arc<[Endpoint]>,
    /// Where its terminating pod sits.
    terminating: usize,
    /// Pods this slice has held so far: the next one's IP comes from the count.
    born: u32,
}

/// A rolling update of every target group at once, forever. Each update of a slice retires one pod and
/// adds one: the pod that was terminating leaves the slice, a ready pod at a pseudo-random place turns
/// terminating (a ReplicaSet deletes pods in no order of the slice's), and a new pod with a new IP is
/// appended ready (the EndpointSlice controller keeps endpoints in place and appends new ones). So a slice
/// of `n` endpoints always holds `n - 1` ready ones, and every update is one deregistration and one
/// registration. Target groups have their own slices and IPs: no endpoint array is shared.
///
/// Updates go to the target groups in turn, each one's slices in turn, and each target group gets one
/// update per [`PERIOD`]: [`Churn::step`] is the virtual time between two updates.
pub struct Churn {
    /// The target groups.
    pub tgs: Vec<ChurnTg>,
    slices: Vec<Slice>,
    per_tg: usize,
    ports: Arc<[SlicePort]>,
    /// IPs set aside for each slice; an IP comes back only after that many pods of its slice.
    ips_per_slice: u32,
    next: usize,
    rng: u64,
    /// Where the next update's endpoints are put together.
    buffer: Vec<Endpoint>,
}

impl Churn {
    /// `tgs` target groups of `size` endpoints each, in slices of at most [`ENDPOINTS_PER_SLICE`].
    pub fn new(tgs: usize, size: usize) -> Self {
        let per_tg = size.div_ceil(ENDPOINTS_PER_SLICE);
        let per_slice = size.min(ENDPOINTS_PER_SLICE);
        let ips_per_slice = u32::MAX / (tgs * per_tg) as u32;
        let tgs: Vec<ChurnTg> = (0..tgs)
            .map(|i| ChurnTg {
                key: TargetGroupKey::new(format!("tg-{i}")),
                service: Arc::from(format!("ns/svc-{i}")),
                keys: (0..per_tg)
                    .map(|s| Arc::from(format!("ns/svc-{i}-{s:05}")))
                    .collect(),
            })
            .collect();
        let slices = (0..tgs.len() * per_tg)
            .map(|g| Slice {
                endpoints: (0..per_slice)
                    .map(|i| {
                        let conditions = if i == 0 {
                            Conditions::terminating()
                        } else {
                            Conditions::ready()
                        };
                        endpoint(g, ips_per_slice, i as u32, conditions)
                    })
                    .collect(),
                terminating: 0,
                born: per_slice as u32,
            })
            .collect();
        Churn {
            tgs,
            slices,
            per_tg,
            ports: Arc::from(vec![SlicePort {
                name: None,
                port: PORT,
            }]),
            ips_per_slice,
            next: 0,
            rng: 0x9e37_79b9_7f4a_7c15,
            buffer: Vec::with_capacity(per_slice + 1),
        }
    }

    /// Virtual time between two updates: each target group sees one per [`PERIOD`].
    pub fn step(&self) -> Duration {
        PERIOD / self.tgs.len() as u32
    }

    fn snapshot(&self, g: usize) -> EndpointSliceSnapshot {
        let tg = &self.tgs[g / self.per_tg];
        EndpointSliceSnapshot {
            key: tg.keys[g % self.per_tg].clone(),
            service: tg.service.clone(),
            address_type: AddressType::Ipv4,
            ports: self.ports.clone(),
            endpoints: self.slices[g].endpoints.clone(),
        }
    }

    /// Every slice as it is now: what a watcher lists at start-up.
    pub fn initial(&self) -> Vec<EndpointSliceSnapshot> {
        (0..self.slices.len()).map(|g| self.snapshot(g)).collect()
    }

    /// The target group the next update goes to.
    pub fn next_tg(&self) -> usize {
        self.next % self.tgs.len()
    }

    /// The next update: target groups in turn, each one's slices in turn.
    pub fn next_update(&mut self) -> EndpointSliceSnapshot {
        let tg = self.next % self.tgs.len();
        let round = self.next / self.tgs.len();
        self.next += 1;
        let g = tg * self.per_tg + round % self.per_tg;
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let ips = self.ips_per_slice;
        let slice = &mut self.slices[g];
        let old = &slice.endpoints;
        let t = slice.terminating;
        // The terminating pod leaves, another turns terminating, a new one comes last.
        let retire = (self.rng % (old.len() as u64 - 1)) as usize;
        let born = endpoint(g, ips, slice.born, Conditions::ready());
        // Built in a buffer and copied into the `Arc` in one go, as a decoder that reads a slice into a
        // vector of its own would: an iterator chain collected into the `Arc` costs more than the copy.
        let next = &mut self.buffer;
        next.clear();
        next.extend_from_slice(&old[..t]);
        next.extend_from_slice(&old[t + 1..]);
        next[retire] = next[retire].with_conditions(Conditions::terminating());
        next.push(born);
        slice.endpoints = Arc::from(next.as_slice());
        slice.terminating = retire;
        slice.born = slice.born.wrapping_add(1);
        self.snapshot(g)
    }

    /// The targets target group `tg` should hold now: every ready endpoint of its slices.
    pub fn ready(&self, tg: usize) -> impl Iterator<Item = Target> + '_ {
        self.slices[tg * self.per_tg..(tg + 1) * self.per_tg]
            .iter()
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.conditions().wants_traffic())
            .map(|e| Target::ip(e.addr(), PORT))
    }

    /// Targets wanted over all target groups.
    pub fn ready_count(&self) -> usize {
        self.slices.iter().map(|s| s.endpoints.len() - 1).sum()
    }
}

/// Pod number `n` of slice `g`: its IP is its own among every slice's.
fn endpoint(g: usize, ips_per_slice: u32, n: u32, conditions: Conditions) -> Endpoint {
    let ip = g as u32 * ips_per_slice + n % ips_per_slice;
    Endpoint::new(IpAddr::V4(Ipv4Addr::from(ip)), conditions, None)
}
