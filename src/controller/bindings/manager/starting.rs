//! Starting a binding's actor: the target group looked up (or its checkpoint trusted), what it holds adopted,
//! the Service's slices or nodes sent; and the checkpoint written once its set holds still.

use std::collections::HashSet;
use std::sync::Arc;

use actix::prelude::*;
use kube::ResourceExt;
use tgsync_actors::domain::{AddressType, EndpointSliceSnapshot, Target, TargetGroupKey};
use tgsync_actors::elb::ElbError;
use tgsync_actors::target_group::{Adopt, SliceUpdate, SourceUpdate, TargetGroupActor};
use tracing::{debug, info};

use super::{service_key, Manager, Owner, Started, NODES_SOURCE};
use crate::controller::bindings::binding::{Mode, Phase, Running};
use crate::controller::bindings::checkpoint::desired_ip;
use crate::controller::bindings::kube_writes::KubeWrites;
use crate::controller::bindings::start::{find, Found};
use crate::controller::bindings::tg_lookup::TgLookup;
use crate::controller::selector;
use crate::controller::service::ServiceInfo;
use crate::controller::stores::object_ref;
use crate::crd::{BindingError, TargetGroupBinding, TargetType};
use tgsync_actors::tracked::hash_targets;

impl<K: KubeWrites, E: TgLookup> Manager<K, E> {
    /// Looks the binding's target group up (and what it holds) in the background; `Started` answers.
    pub(super) fn kick_start(&mut self, key: &str, ctx: &mut Context<Self>) {
        if let Some(found) = self.checkpoint_matches(key) {
            let b = &self.bindings[key];
            let _g = b.span.enter();
            info!(tg = %found.tg, targets = found.registered.len(), "checkpoint matches; skipping DescribeTargetHealth");
            drop(_g);
            self.elb.set_clean(&found.tg, true);
            self.start_actor(key, found, ctx);
            return;
        }
        let Some(b) = self.bindings.get_mut(key) else {
            return;
        };
        self.attempts += 1;
        let attempt = self.attempts;
        b.phase = Phase::Starting { attempt };
        let (elb, budget, ops) = (self.elb.clone(), self.budget.clone(), self.ops.clone());
        // The target group served before (a changed immutable field is refused, and a deleted binding drains
        // the group it used).
        let spec = b.accepted.as_ref().unwrap_or(&b.obj.spec);
        let (arn, name) = (
            spec.target_group_arn.clone(),
            spec.target_group_name.clone(),
        );
        let multi = spec.multi_cluster_target_group == Some(true);
        let (ns, binding) = (b.obj.namespace().unwrap_or_default(), b.obj.name_any());
        let (addr, key) = (ctx.address(), key.to_owned());
        actix::spawn(async move {
            let mut result = find(elb.inner(), &budget, arn, name).await;
            if let (true, Ok(found)) = (multi, &mut result) {
                // Only what this binding recorded is ours; the rest belongs to other clusters.
                match ops.load_owned(&ns, &binding).await {
                    Ok(recorded) => {
                        let recorded: HashSet<Target> = recorded.into_iter().flatten().collect();
                        found.registered.retain(|t| recorded.contains(t));
                    }
                    Err(e) => {
                        result = Err(ElbError::Other(format!(
                            "cannot read the binding's owned-targets ConfigMap: {e}"
                        )))
                    }
                }
            }
            addr.do_send(Started {
                key,
                attempt,
                result,
            });
        });
    }

    /// What the target group holds, without asking ELB, when the binding's checkpoint equals the hash of what
    /// it should hold now (ARN bindings of single-cluster target groups only, not being deleted).
    pub(super) fn checkpoint_matches(&self, key: &str) -> Option<Found> {
        let b = self.bindings.get(key)?;
        let spec = &b.obj.spec;
        if b.obj.metadata.deletion_timestamp.is_some()
            || spec.multi_cluster_target_group == Some(true)
        {
            return None;
        }
        let arn = spec.target_group_arn.as_deref().filter(|a| !a.is_empty())?;
        let checkpoint = b.checkpoint()?;
        let desired = match self.resolve_mode(&b.obj).ok()? {
            Mode::Ip { port_name } => {
                let service: Arc<str> = service_key(&b.obj).into();
                let family = family_of(&b.obj);
                let slices: Vec<EndpointSliceSnapshot> = self
                    .slices
                    .get(&service)
                    .into_iter()
                    .flat_map(|m| m.values())
                    .filter(|s| s.address_type == family)
                    .map(|snap| self.effective(snap))
                    .collect();
                desired_ip(&slices, port_name.as_deref())
            }
            Mode::Instance {
                node_port,
                selector,
            } => self.node_targets(node_port, selector.as_ref()),
        };
        (hash_targets(&desired) == checkpoint).then(|| Found {
            tg: TargetGroupKey::new(arn),
            registered: desired,
        })
    }

    /// Instance mode: the eligible nodes matching `selector`, on `node_port`.
    pub(super) fn node_targets(
        &self,
        node_port: u16,
        selector: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
    ) -> Vec<Target> {
        self.nodes
            .values()
            .filter(|n| n.eligible() && selector::matches(selector, &n.labels))
            .filter_map(|n| n.instance.map(|i| Target::instance(i, node_port)))
            .collect()
    }

    /// Writes the checkpoint of every running binding whose target group held still since the last tick with
    /// no call in flight.
    pub(super) fn checkpoint_tick(&mut self) {
        let mut writes = Vec::new();
        for b in self.bindings.values_mut() {
            let Phase::Running(r) = &b.phase else {
                continue;
            };
            let Some(hash) = self.elb.checkpoint_due(&r.tg, &mut b.last_version) else {
                continue;
            };
            if b.checkpoint() != Some(hash.as_str()) {
                let ns = b.obj.namespace().unwrap_or_default();
                writes.push((ns, b.obj.name_any(), r.tg.clone(), hash));
            }
        }
        for (ns, name, tg, hash) in writes {
            let (ops, lock, elb) = (
                self.ops.clone(),
                self.checkpoint_locks.get(&tg),
                self.elb.clone(),
            );
            actix::spawn(async move {
                let _held = lock.lock().await;
                if !ops.set_checkpoint(&ns, &name, Some(&hash)).await {
                    elb.set_clean(&tg, false);
                }
            });
        }
    }

    /// The Service port a binding follows, in actor terms.
    pub(super) fn resolve_mode(&self, obj: &TargetGroupBinding) -> Result<Mode, BindingError> {
        let svc_key = service_key(obj);
        let svc = self
            .stores
            .services
            .get(&object_ref(&svc_key))
            .map(|s| ServiceInfo::from_service(&s))
            .ok_or_else(|| BindingError::ServiceNotFound(svc_key.clone()))?;
        let wanted = &obj.spec.service_ref.port;
        let port = svc
            .port(wanted)
            .ok_or_else(|| BindingError::ServicePortNotFound {
                service: svc_key.clone(),
                port: match wanted {
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => {
                        n.to_string()
                    }
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => {
                        s.clone()
                    }
                },
            })?;
        match obj.spec.target_type {
            Some(TargetType::Instance) => Ok(Mode::Instance {
                node_port: port
                    .node_port
                    .ok_or_else(|| BindingError::NoNodePort(svc_key.clone()))?,
                selector: obj.spec.node_selector.clone(),
            }),
            _ => Ok(Mode::Ip {
                port_name: port.name.as_deref().map(Arc::from),
            }),
        }
    }

    pub(super) fn start_actor(&mut self, key: &str, found: Found, ctx: &mut Context<Self>) {
        let Some(b) = self.bindings.get(key) else {
            return;
        };
        let deleting = b.obj.metadata.deletion_timestamp.is_some();
        let mode = match self.resolve_mode(&b.obj) {
            Ok(m) => m,
            // Deleted while its Service is gone too: no endpoints, so draining deregisters everything adopted.
            Err(_) if deleting => Mode::Ip { port_name: None },
            Err(e) => {
                self.fail(key, &e);
                return;
            }
        };
        let service: Arc<str> = service_key(&b.obj).into();
        let multi = b.obj.spec.multi_cluster_target_group.unwrap_or(false);
        let mut config = self.tg_config.clone();
        if let Mode::Ip { port_name } = &mode {
            config.port_name = port_name.clone();
        }
        let actor = TargetGroupActor::new(
            found.tg.clone(),
            config,
            self.elb.clone(),
            self.budget.clone(),
        )
        .with_reporter(ctx.address().recipient())
        .start();
        // Multi-cluster target groups: `found` holds only what this binding recorded as its own.
        self.elb.set_multi(&found.tg, multi);
        if !found.registered.is_empty() {
            self.elb.adopt(&found.tg, &found.registered);
            actor.do_send(Adopt(found.registered));
        }
        match &mode {
            Mode::Ip { .. } => {
                let family = family_of(&b.obj);
                self.router
                    .bind_family(service.clone(), actor.clone(), family);
                for snap in self
                    .slices
                    .get(&service)
                    .into_iter()
                    .flat_map(|m| m.values())
                    .filter(|s| s.address_type == family)
                {
                    actor.do_send(SliceUpdate(self.effective(snap)));
                }
            }
            Mode::Instance { .. } => {}
        }
        let networking = b.obj.spec.networking.is_some();
        let b = self.bindings.get_mut(key).expect("looked up above");
        b.accepted.get_or_insert_with(|| b.obj.spec.clone());
        {
            let _g = b.span.enter();
            info!(tg = %found.tg, service = %service, ?mode, "target group actor started");
        }
        let owner = Owner {
            ns: b.obj.namespace().unwrap_or_default(),
            name: b.obj.name_any(),
            uid: b.obj.uid().unwrap_or_default(),
        };
        self.names.borrow_mut().insert(found.tg.clone(), owner);
        b.phase = Phase::Running(Running {
            actor,
            tg: found.tg,
            service,
            mode,
        });
        self.send_nodes(key);
        if !deleting {
            self.ok(key, networking);
        }
    }

    /// Instance mode: the eligible nodes matching the selector, to the binding's actor.
    pub(super) fn send_nodes(&self, key: &str) {
        let Some(r) = self.bindings.get(key).and_then(|b| match &b.phase {
            Phase::Running(r) => Some(r),
            _ => None,
        }) else {
            return;
        };
        let Mode::Instance {
            node_port,
            selector,
        } = &r.mode
        else {
            return;
        };
        let targets = self.node_targets(*node_port, selector.as_ref());
        debug!(
            binding = key,
            nodes = self.nodes.len(),
            targets = targets.len(),
            "instance targets"
        );
        r.actor.do_send(SourceUpdate {
            key: NODES_SOURCE.into(),
            targets,
        });
    }
}

/// The address family a binding's target group holds (`spec.ipAddressType`, IPv4 unless set): only slices of
/// that family feed it.
pub(super) fn family_of(obj: &TargetGroupBinding) -> AddressType {
    match obj.spec.ip_address_type {
        Some(crate::crd::IpAddressType::Ipv6) => AddressType::Ipv6,
        _ => AddressType::Ipv4,
    }
}
