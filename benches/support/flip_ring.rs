//! The churn of the old bench (a), kept only for its "diff alone" figure.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use tgsync_actors::domain::{AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort};

use super::{Churn, ENDPOINTS_PER_SLICE, PORT};

/// Slices that flip the same endpoints between ready and terminating: in state `u` of a slice of `n`,
/// endpoint `u mod n` terminates and the rest are ready, so neighbours differ in two endpoints and the ring
/// repeats forever. Every target group shares the same arrays. With virtual time standing still, almost every
/// deregistration is cancelled by the next update and no window closes: what it times is the slice diff and
/// the messaging alone.
pub struct FlipRing {
    rings: Vec<Vec<Arc<[Endpoint]>>>,
    ports: Arc<[SlicePort]>,
    /// The target groups' Services and slice keys (those of the rolling update of the same shape).
    pub churn: Churn,
    cursor: Vec<usize>,
    next: usize,
}

impl FlipRing {
    /// `tgs` target groups of `size` endpoints each.
    pub fn new(tgs: usize, size: usize) -> Self {
        let slices = size.div_ceil(ENDPOINTS_PER_SLICE);
        let per_slice = size.min(ENDPOINTS_PER_SLICE);
        FlipRing {
            rings: (0..slices).map(|s| ring(s, per_slice)).collect(),
            ports: Arc::from(vec![SlicePort {
                name: None,
                port: PORT,
            }]),
            churn: Churn::new(tgs, size),
            cursor: vec![0; tgs * slices],
            next: 0,
        }
    }

    /// The next update: target groups in turn, each one's slices in turn.
    pub fn next_update(&mut self) -> EndpointSliceSnapshot {
        let tgs = self.churn.tgs.len();
        let (tg, round) = (self.next % tgs, self.next / tgs);
        self.next += 1;
        let slice = round % self.rings.len();
        let c = &mut self.cursor[tg * self.rings.len() + slice];
        *c = (*c + 1) % self.rings[slice].len();
        EndpointSliceSnapshot {
            key: self.churn.tgs[tg].keys[slice].clone(),
            service: self.churn.tgs[tg].service.clone(),
            address_type: AddressType::Ipv4,
            ports: self.ports.clone(),
            endpoints: self.rings[slice][*c].clone(),
        }
    }
}

/// The `n` states of slice number `slice`.
fn ring(slice: usize, n: usize) -> Vec<Arc<[Endpoint]>> {
    (0..n)
        .map(|u| {
            (0..n)
                .map(|i| {
                    let ip = Ipv4Addr::from(0x0a00_0000 + (slice * ENDPOINTS_PER_SLICE + i) as u32);
                    let conditions = if i == u {
                        Conditions::terminating()
                    } else {
                        Conditions::ready()
                    };
                    Endpoint::new(IpAddr::V4(ip), conditions, None)
                })
                .collect()
        })
        .collect()
}
