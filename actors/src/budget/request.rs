use std::sync::{Arc, Mutex};

use tokio::time::Instant;

/// Which AWS throttle bucket a call draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiClass {
    /// RegisterTargets and DeregisterTargets.
    Targets,
    /// Describe* calls.
    Describe,
    /// Listener and rule changes.
    Mutating,
    /// Load balancer creation and the like.
    LoadBalancers,
}

impl ApiClass {
    /// Every class, in bucket order.
    pub const ALL: [ApiClass; 4] = [
        ApiClass::Targets,
        ApiClass::Describe,
        ApiClass::Mutating,
        ApiClass::LoadBalancers,
    ];

    /// The class's index into per-class arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Who goes first inside one bucket. Deregistering a terminating pod beats registering a ready one: traffic
/// sent to a stopped pod is an outage, a late registration is only lost capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Resync describes and other work nobody waits on.
    Background,
    /// Registrations, readiness-gate describes.
    Normal,
    /// Deregistrations.
    Urgent,
}

/// The time of a requester's latest change, shared so the budget sees changes that arrive while it waits.
/// The budget serves the requester that has been quiet longest: a call made for a target group that is still
/// changing would have to be made again.
#[derive(Clone, Debug)]
pub struct LastChange(Arc<Mutex<Instant>>);

impl LastChange {
    /// A clock reading `at`.
    pub fn new(at: Instant) -> Self {
        LastChange(Arc::new(Mutex::new(at)))
    }

    /// Records a change at `at`.
    pub fn set(&self, at: Instant) {
        // A poisoned lock only means another thread panicked mid-store of a Copy value: the value is still whole.
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// The latest change.
    pub fn get(&self) -> Instant {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Identifies one outstanding request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// A request for one call's worth of budget.
#[derive(Clone, Debug)]
pub struct Request {
    /// The bucket to draw from.
    pub class: ApiClass,
    /// Its priority within the bucket.
    pub priority: Priority,
    /// When the oldest change this call would carry happened (for starvation).
    pub waiting_since: Instant,
    /// When the requester last changed (for picking the quietest).
    pub last_change: LastChange,
}
