//! The controller's view of a target group: DescribeTargetHealth cached 5 minutes, with targets that are
//! not healthy (including those it deregistered, until ELB stops listing them) described again on every
//! read, as the controller's cached targets manager does.

use std::collections::HashMap;
use std::time::Duration;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{HealthState, TargetHealth};
use tokio::time::Instant;

/// One target group's cached targets; `None` health = registered by us, not described since.
#[derive(Clone, Debug)]
pub struct CachedTargets {
    fetched: Instant,
    targets: HashMap<Target, Option<HealthState>>,
}

impl CachedTargets {
    /// The cached targets and their last known health.
    pub fn targets(&self) -> &HashMap<Target, Option<HealthState>> {
        &self.targets
    }

    /// Whether any cached target is not known healthy (the next read describes again).
    pub fn has_unhealthy(&self) -> bool {
        self.targets
            .values()
            .any(|h| *h != Some(HealthState::Healthy))
    }
}

/// Every target group's cached view.
#[derive(Debug, Default)]
pub struct TargetsCache {
    entries: HashMap<TargetGroupKey, CachedTargets>,
}

/// What a read needs before it can answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Fresh and all healthy: no call.
    Hit,
    /// Fresh but some targets not healthy: describe again and refresh those.
    RefreshUnhealthy,
    /// Missing or expired: describe the whole target group.
    Miss,
}

impl TargetsCache {
    /// What reading `tg` at `now` costs.
    pub fn lookup(&self, tg: &TargetGroupKey, now: Instant, ttl: Duration) -> Lookup {
        match self.entries.get(tg) {
            Some(e) if now < e.fetched + ttl => {
                if e.has_unhealthy() {
                    Lookup::RefreshUnhealthy
                } else {
                    Lookup::Hit
                }
            }
            _ => Lookup::Miss,
        }
    }

    /// Ages every entry by `quiet` (the clock does not move); an entry older than the clock can say is gone.
    pub fn idle(&mut self, quiet: Duration) {
        self.entries
            .retain(|_, e| match e.fetched.checked_sub(quiet) {
                Some(at) => {
                    e.fetched = at;
                    true
                }
                None => false,
            });
    }

    /// The cached view of `tg`.
    pub fn get(&self, tg: &TargetGroupKey) -> Option<&CachedTargets> {
        self.entries.get(tg)
    }

    /// A full describe: replaces the entry and restarts its lifetime.
    pub fn fill(&mut self, tg: &TargetGroupKey, rows: Vec<TargetHealth>, now: Instant) {
        let targets = rows
            .into_iter()
            .map(|r| (r.target, Some(r.state)))
            .collect();
        self.entries.insert(
            tg.clone(),
            CachedTargets {
                fetched: now,
                targets,
            },
        );
    }

    /// A refresh of the targets not healthy: those ELB no longer lists are dropped; the lifetime is kept.
    pub fn refresh_unhealthy(&mut self, tg: &TargetGroupKey, rows: Vec<TargetHealth>) {
        let Some(e) = self.entries.get_mut(tg) else {
            return;
        };
        let fresh: HashMap<Target, HealthState> =
            rows.into_iter().map(|r| (r.target, r.state)).collect();
        e.targets.retain(|t, h| {
            if *h == Some(HealthState::Healthy) {
                return true;
            }
            match fresh.get(t) {
                Some(s) => {
                    *h = Some(*s);
                    true
                }
                None => false,
            }
        });
    }

    /// After a successful RegisterTargets: the targets join the view with unknown health.
    pub fn registered(&mut self, tg: &TargetGroupKey, targets: &[Target]) {
        if let Some(e) = self.entries.get_mut(tg) {
            for t in targets {
                e.targets.insert(*t, None);
            }
        }
    }

    /// After a successful DeregisterTargets: the targets stay in the view with unknown health, so every read
    /// describes them again; ELB answers `draining` until the deregistration delay is over, then no longer
    /// lists them, and they leave.
    pub fn deregistered(&mut self, tg: &TargetGroupKey, targets: &[Target]) {
        if let Some(e) = self.entries.get_mut(tg) {
            for t in targets {
                if let Some(h) = e.targets.get_mut(t) {
                    *h = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: u8, state: HealthState) -> TargetHealth {
        TargetHealth {
            target: Target::ip(format!("10.0.0.{i}").parse().unwrap(), 80),
            state,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn describes_again_while_unhealthy_and_after_ttl() {
        let tg = TargetGroupKey::new("tg");
        let ttl = Duration::from_secs(300);
        let mut c = TargetsCache::default();
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::Miss);
        c.fill(&tg, vec![row(1, HealthState::Healthy)], Instant::now());
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::Hit);
        c.registered(&tg, &[row(2, HealthState::Initial).target]);
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::RefreshUnhealthy);
        c.refresh_unhealthy(
            &tg,
            vec![row(1, HealthState::Healthy), row(2, HealthState::Healthy)],
        );
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::Hit);
        tokio::time::sleep(ttl).await;
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::Miss);
    }

    #[tokio::test(start_paused = true)]
    async fn a_deregistered_target_is_described_again_until_elb_forgets_it() {
        let tg = TargetGroupKey::new("tg");
        let ttl = Duration::from_secs(300);
        let (kept, gone) = (row(1, HealthState::Healthy), row(2, HealthState::Healthy));
        let mut c = TargetsCache::default();
        c.fill(&tg, vec![kept.clone(), gone.clone()], Instant::now());
        c.deregistered(&tg, &[gone.target]);
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::RefreshUnhealthy);
        assert_eq!(c.get(&tg).unwrap().targets().get(&gone.target), Some(&None));
        // Draining: still there, still not healthy.
        c.refresh_unhealthy(&tg, vec![kept.clone(), row(2, HealthState::Draining)]);
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::RefreshUnhealthy);
        // The delay is over: ELB no longer lists it.
        c.refresh_unhealthy(&tg, vec![kept]);
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::Hit);
        assert_eq!(c.get(&tg).unwrap().targets().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_spell_longer_than_the_ttl_expires_the_entry() {
        let tg = TargetGroupKey::new("tg");
        let ttl = Duration::from_secs(300);
        let mut c = TargetsCache::default();
        c.fill(&tg, vec![row(1, HealthState::Healthy)], Instant::now());
        c.idle(ttl - Duration::from_secs(1));
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::Hit);
        c.idle(Duration::from_secs(1));
        assert_eq!(c.lookup(&tg, Instant::now(), ttl), Lookup::Miss);
    }
}
