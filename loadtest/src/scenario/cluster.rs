//! The EndpointSlice side of a cluster: services whose endpoints are packed into slices the way the
//! EndpointSlice controller packs them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use tgsync_actors::domain::{AddressType, Conditions, Endpoint, EndpointSliceSnapshot, SlicePort};

/// Endpoints per slice, the controller's default `--max-endpoints-per-slice`.
pub const MAX_PER_SLICE: usize = 100;

/// Index of a service in a [`Cluster`].
pub(crate) type ServiceId = usize;

struct Slice {
    key: Arc<str>,
    endpoints: Vec<Endpoint>,
}

struct Service {
    name: Arc<str>,
    ports: Arc<[SlicePort]>,
    slices: BTreeMap<u32, Slice>,
    next_slice: u32,
    where_is: HashMap<IpAddr, u32>,
    dirty: BTreeSet<u32>,
}

/// All services' slices, plus the snapshots that changed since the last flush.
pub(crate) struct Cluster {
    services: Vec<Service>,
    next_ip: u32,
}

impl Cluster {
    pub(crate) fn new() -> Self {
        Cluster {
            services: Vec::new(),
            // 10.0.0.0/8, skipping the network address; IPs are never reused within a scenario.
            next_ip: u32::from(Ipv4Addr::new(10, 0, 0, 1)),
        }
    }

    /// A service `ns/name` with one port.
    pub(crate) fn add_service(&mut self, name: &str, port_name: &str, port: u16) -> ServiceId {
        self.services.push(Service {
            name: name.into(),
            ports: Arc::new([SlicePort {
                name: Some(port_name.into()),
                port,
            }]),
            slices: BTreeMap::new(),
            next_slice: 0,
            where_is: HashMap::new(),
            dirty: BTreeSet::new(),
        });
        self.services.len() - 1
    }

    /// The `namespace/name` of a service.
    pub(crate) fn service_name(&self, svc: ServiceId) -> Arc<str> {
        self.services[svc].name.clone()
    }

    pub(crate) fn alloc_ip(&mut self) -> IpAddr {
        let ip = Ipv4Addr::from(self.next_ip);
        self.next_ip += 1;
        IpAddr::V4(ip)
    }

    /// Adds an endpoint to the first slice with room (the controller fills existing slices before making one).
    pub(crate) fn add_endpoint(&mut self, svc: ServiceId, addr: IpAddr, conditions: Conditions) {
        let s = &mut self.services[svc];
        let id = match s
            .slices
            .iter()
            .find(|(_, sl)| sl.endpoints.len() < MAX_PER_SLICE)
        {
            Some((id, _)) => *id,
            None => {
                let id = s.next_slice;
                s.next_slice += 1;
                let key = format!("{}-{:05x}", s.name, id.wrapping_mul(0x9E37) & 0xfffff);
                s.slices.insert(
                    id,
                    Slice {
                        key: key.into(),
                        endpoints: Vec::new(),
                    },
                );
                id
            }
        };
        if let Some(sl) = s.slices.get_mut(&id) {
            sl.endpoints.push(Endpoint::new(addr, conditions, None));
        }
        s.where_is.insert(addr, id);
        s.dirty.insert(id);
    }

    pub(crate) fn set_conditions(&mut self, svc: ServiceId, addr: IpAddr, conditions: Conditions) {
        let s = &mut self.services[svc];
        let Some(&id) = s.where_is.get(&addr) else {
            return;
        };
        if let Some(ep) = s
            .slices
            .get_mut(&id)
            .and_then(|sl| sl.endpoints.iter_mut().find(|e| e.addr() == addr))
        {
            if ep.conditions() != conditions {
                *ep = ep.with_conditions(conditions);
                s.dirty.insert(id);
            }
        }
    }

    pub(crate) fn remove_endpoint(&mut self, svc: ServiceId, addr: IpAddr) {
        let s = &mut self.services[svc];
        let Some(id) = s.where_is.remove(&addr) else {
            return;
        };
        if let Some(sl) = s.slices.get_mut(&id) {
            sl.endpoints.retain(|e| e.addr() != addr);
            s.dirty.insert(id);
        }
    }

    /// Snapshots of every slice changed since the last flush. A slice left empty is deleted (an empty
    /// snapshot) unless it is the service's last one, which the controller keeps.
    pub(crate) fn flush(&mut self) -> Vec<EndpointSliceSnapshot> {
        let mut out = Vec::new();
        for s in &mut self.services {
            for id in std::mem::take(&mut s.dirty) {
                let Some(sl) = s.slices.get(&id) else {
                    continue;
                };
                out.push(snapshot(&s.name, &s.ports, sl));
                if sl.endpoints.is_empty() && s.slices.len() > 1 {
                    s.slices.remove(&id);
                }
            }
        }
        out
    }

    /// Every current slice (the informer's initial list).
    pub(crate) fn all_slices(&self) -> Vec<EndpointSliceSnapshot> {
        self.services
            .iter()
            .flat_map(|s| s.slices.values().map(|sl| snapshot(&s.name, &s.ports, sl)))
            .collect()
    }
}

fn snapshot(service: &Arc<str>, ports: &Arc<[SlicePort]>, sl: &Slice) -> EndpointSliceSnapshot {
    EndpointSliceSnapshot {
        key: sl.key.clone(),
        service: service.clone(),
        address_type: AddressType::Ipv4,
        ports: ports.clone(),
        endpoints: sl.endpoints.as_slice().into(),
    }
}
