use std::collections::hash_map::Entry;
use std::sync::Arc;

use actix::Addr;
use rustc_hash::FxHashMap;

use super::{SliceUpdate, TargetGroupActor};
use crate::domain::{AddressType, EndpointSliceSnapshot};
use crate::elb::ElbTargets;

/// An actor and the address family it takes (`None`: any).
type Bound<E> = (Addr<TargetGroupActor<E>>, Option<AddressType>);

/// The actors bound to one Service. The first is held in the map's own slot: almost every Service has one
/// target group, and reaching it then costs no second allocation (a cache miss per slice update when
/// thousands of Services take turns).
struct Bindings<E: ElbTargets> {
    first: Bound<E>,
    more: Vec<Bound<E>>,
}

impl<E: ElbTargets> Bindings<E> {
    fn iter(&self) -> impl Iterator<Item = &Bound<E>> {
        std::iter::once(&self.first).chain(&self.more)
    }
}

/// Sends each slice snapshot to the target group actors bound to its Service (`namespace/name`) that take its
/// address family: a dual-stack Service has slices of both, and a target group holds one.
///
/// A plain map behind `&mut self`: its one owner (the manager actor, the simulator, a bench) uses it from the
/// thread of a current-thread runtime, so a concurrent map would only add locking.
pub struct Router<E: ElbTargets> {
    // Fx rather than SipHash: keys are Service names from our own watch, and every slice update looks one up.
    bindings: FxHashMap<Arc<str>, Bindings<E>>,
}

impl<E: ElbTargets> Default for Router<E> {
    fn default() -> Self {
        Router {
            bindings: FxHashMap::default(),
        }
    }
}

impl<E: ElbTargets> Router<E> {
    /// Binds a Service to one more target group actor, which gets slices of every address family.
    pub fn bind(&mut self, service: Arc<str>, actor: Addr<TargetGroupActor<E>>) {
        self.add(service, (actor, None));
    }

    /// Binds a Service to one more target group actor, which gets only the slices of `family`.
    pub fn bind_family(
        &mut self,
        service: Arc<str>,
        actor: Addr<TargetGroupActor<E>>,
        family: AddressType,
    ) {
        self.add(service, (actor, Some(family)));
    }

    fn add(&mut self, service: Arc<str>, bound: Bound<E>) {
        match self.bindings.entry(service) {
            Entry::Occupied(mut e) => e.get_mut().more.push(bound),
            Entry::Vacant(e) => {
                e.insert(Bindings {
                    first: bound,
                    more: Vec::new(),
                });
            }
        }
    }

    /// Removes a target group actor from a Service.
    pub fn unbind(&mut self, service: &str, actor: &Addr<TargetGroupActor<E>>) {
        let Some(b) = self.bindings.get_mut(service) else {
            return;
        };
        b.more.retain(|(a, _)| a != actor);
        if b.first.0 == *actor {
            if b.more.is_empty() {
                self.bindings.remove(service);
            } else {
                b.first = b.more.remove(0);
            }
        }
    }

    /// Delivers a snapshot to every actor bound to its Service. Returns how many got it.
    pub fn route(&self, snap: EndpointSliceSnapshot) -> usize {
        let Some(actors) = self.bindings.get(&*snap.service) else {
            return 0;
        };
        let family = snap.address_type;
        let mut takers = actors
            .iter()
            .filter(|(_, f)| f.is_none_or(|f| f == family))
            .map(|(a, _)| a);
        let Some(mut current) = takers.next() else {
            return 0;
        };
        let mut n = 1;
        // The last taker gets the snapshot itself: a clone is four reference counts up and later down.
        for next in takers {
            current.do_send(SliceUpdate(snap.clone()));
            current = next;
            n += 1;
        }
        current.do_send(SliceUpdate(snap));
        n
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use actix::Actor;

    use super::*;
    use crate::budget::{ApiBudget, BudgetConfig};
    use crate::domain::{Target, TargetGroupKey};
    use crate::elb::{CallFuture, TargetHealth};
    use crate::target_group::TgConfig;

    struct NoElb;

    impl ElbTargets for NoElb {
        fn register(&self, _: &TargetGroupKey, _: Vec<Target>) -> CallFuture<()> {
            Box::pin(async { Ok(()) })
        }
        fn deregister(&self, _: &TargetGroupKey, _: Vec<Target>) -> CallFuture<()> {
            Box::pin(async { Ok(()) })
        }
        fn describe_health(&self, _: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
            Box::pin(async { Ok(Vec::new()) })
        }
    }

    fn snap(family: AddressType) -> EndpointSliceSnapshot {
        EndpointSliceSnapshot {
            key: Arc::from("default/web-x"),
            service: Arc::from("default/web"),
            address_type: family,
            ports: Arc::from([]),
            endpoints: Arc::from([]),
        }
    }

    #[actix_rt::test]
    async fn a_dual_stack_service_feeds_each_target_group_its_own_family() {
        let budget = ApiBudget::new(BudgetConfig::default()).start();
        let elb = Rc::new(NoElb);
        let actor = |n: &str| {
            TargetGroupActor::new(
                TargetGroupKey::new(n),
                TgConfig::default(),
                elb.clone(),
                budget.clone(),
            )
            .start()
        };
        let mut router = Router::default();
        let (v4, v6, any) = (actor("v4"), actor("v6"), actor("any"));
        router.bind_family("default/web".into(), v4.clone(), AddressType::Ipv4);
        router.bind_family("default/web".into(), v6, AddressType::Ipv6);
        router.bind("default/web".into(), any);
        assert_eq!(router.route(snap(AddressType::Ipv4)), 2);
        assert_eq!(router.route(snap(AddressType::Ipv6)), 2);
        router.unbind("default/web", &v4);
        assert_eq!(router.route(snap(AddressType::Ipv4)), 1);
    }
}
