//! One target group's targets and their health, moved along by time as ELB moves them.

use std::collections::HashMap;
use std::time::Duration;

use tgsync_actors::domain::Target;
use tgsync_actors::elb::{HealthState, TargetHealth};
use tokio::time::Instant;

use super::HealthCheck;

#[derive(Clone, Copy, Debug)]
struct Record {
    registered_at: Instant,
    deregistered_at: Option<Instant>,
}

/// A target group's targets, including those still draining.
#[derive(Debug, Default)]
pub(crate) struct TgState {
    targets: HashMap<Target, Record>,
}

impl TgState {
    /// Targets not draining.
    pub(crate) fn active_count(&self) -> usize {
        self.targets
            .values()
            .filter(|r| r.deregistered_at.is_none())
            .count()
    }

    /// How many of `targets` are not active yet (what a register would add).
    pub(crate) fn count_new(&self, targets: &[Target]) -> usize {
        let mut seen = std::collections::HashSet::new();
        targets
            .iter()
            .filter(|t| seen.insert(**t))
            .filter(|t| {
                self.targets
                    .get(t)
                    .is_none_or(|r| r.deregistered_at.is_some())
            })
            .count()
    }

    /// RegisterTargets: idempotent for active targets; a draining target starts over at `initial`.
    pub(crate) fn register(&mut self, targets: &[Target], now: Instant) {
        for t in targets {
            let fresh = Record {
                registered_at: now,
                deregistered_at: None,
            };
            let rec = self.targets.entry(*t).or_insert(fresh);
            if rec.deregistered_at.is_some() {
                *rec = fresh;
            }
        }
    }

    /// A target registered long ago and healthy, for a model that starts warm.
    pub(crate) fn seed(&mut self, target: Target, long_ago: Instant) {
        self.targets.insert(
            target,
            Record {
                registered_at: long_ago,
                deregistered_at: None,
            },
        );
    }

    /// DeregisterTargets: active targets start draining; unknown or draining ones are left as they are
    /// (ELB accepts them without error).
    pub(crate) fn deregister(&mut self, targets: &[Target], now: Instant) {
        for t in targets {
            if let Some(rec) = self.targets.get_mut(t) {
                rec.deregistered_at.get_or_insert(now);
            }
        }
    }

    /// Forgets targets whose draining is over.
    pub(crate) fn expire(&mut self, now: Instant, delay: Duration) {
        self.targets
            .retain(|_, r| r.deregistered_at.is_none_or(|at| now < at + delay));
    }

    /// Active (not draining) targets.
    pub(crate) fn active(&self) -> impl Iterator<Item = Target> + '_ {
        self.targets
            .iter()
            .filter(|(_, r)| r.deregistered_at.is_none())
            .map(|(t, _)| *t)
    }

    /// DescribeTargetHealth rows at `now` (call `expire` first).
    pub(crate) fn describe(&self, now: Instant, health: HealthCheck) -> Vec<TargetHealth> {
        self.targets
            .iter()
            .map(|(t, r)| {
                let state = if r.deregistered_at.is_some() {
                    HealthState::Draining
                } else if now >= r.registered_at + health.time_to_healthy() {
                    HealthState::Healthy
                } else {
                    HealthState::Initial
                };
                TargetHealth { target: *t, state }
            })
            .collect()
    }
}
