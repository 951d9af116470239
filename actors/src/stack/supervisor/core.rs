//! When a stack's supervisor reconciles: member edits coalesce inside a window, one reconcile runs at a time,
//! a failed one is retried with backoff, and a quiet stack is read again now and then so drift is repaired.
//! Pure: time is passed in.

use std::time::Duration;

use tokio::time::Instant;

/// The supervisor's timing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisorConfig {
    /// How long edits coalesce after the first one before a reconcile starts.
    pub window: Duration,
    /// The first retry's delay after a failure; doubled per failure.
    pub backoff: Duration,
    /// The longest retry delay.
    pub max_backoff: Duration,
    /// How often a settled stack is reconciled anyway (`None`: never).
    pub resync: Option<Duration>,
}

impl Default for SupervisorConfig {
    fn default() -> Self {
        SupervisorConfig {
            window: Duration::from_millis(500),
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            resync: Some(Duration::from_secs(600)),
        }
    }
}

/// What the supervisor should do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Start a reconcile.
    Reconcile,
    /// Nothing until this instant (or the next edit).
    WaitUntil(Instant),
    /// A reconcile is running: wait for it.
    Busy,
}

/// The scheduling state of one stack.
#[derive(Debug)]
pub struct SupervisorCore {
    config: SupervisorConfig,
    /// When the oldest edit not yet seen by a reconcile came in.
    dirty_since: Option<Instant>,
    running: bool,
    failures: u32,
    /// When a retry (after a failure) or a resync is due.
    due: Option<Instant>,
}

impl SupervisorCore {
    /// A stack that has never been reconciled: the first step reconciles at once.
    pub fn new(config: SupervisorConfig, now: Instant) -> Self {
        SupervisorCore {
            config,
            dirty_since: None,
            running: false,
            failures: 0,
            due: Some(now),
        }
    }

    /// A member (or anything the stack is built from) changed.
    pub fn changed(&mut self, now: Instant) {
        self.dirty_since.get_or_insert(now);
    }

    /// What to do at `now`.
    pub fn step(&self, now: Instant) -> Step {
        if self.running {
            return Step::Busy;
        }
        // An edit is served one window after it came, even during a backoff: the edit may be the fix.
        let edit_at = self.dirty_since.map(|t| t + self.config.window);
        let at = match (edit_at, self.due) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => return Step::WaitUntil(now + Duration::from_secs(3600)),
            },
        };
        if at <= now {
            Step::Reconcile
        } else {
            Step::WaitUntil(at)
        }
    }

    /// A reconcile starts: it sees every edit made so far.
    pub fn started(&mut self) {
        self.running = true;
        self.dirty_since = None;
        self.due = None;
    }

    /// The reconcile ended at `now`; `ok` when the stack now equals its model.
    pub fn finished(&mut self, now: Instant, ok: bool) {
        self.running = false;
        if ok {
            self.failures = 0;
            self.due = self.config.resync.map(|p| now + p);
        } else {
            self.failures = self.failures.saturating_add(1);
            let exp = self
                .config
                .backoff
                .saturating_mul(1 << self.failures.saturating_sub(1).min(16));
            self.due = Some(now + exp.min(self.config.max_backoff));
        }
    }

    /// Failed reconciles in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> SupervisorConfig {
        SupervisorConfig {
            resync: Some(Duration::from_secs(600)),
            ..SupervisorConfig::default()
        }
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn the_first_reconcile_is_at_once_and_edits_wait_one_window() {
        let t0 = Instant::now();
        let mut core = SupervisorCore::new(cfg(), t0);
        assert_eq!(core.step(t0), Step::Reconcile);
        core.started();
        assert_eq!(core.step(t0), Step::Busy);
        core.finished(t0 + secs(1.0), true);
        core.changed(t0 + secs(2.0));
        core.changed(t0 + secs(2.3));
        assert_eq!(core.step(t0 + secs(2.3)), Step::WaitUntil(t0 + secs(2.5)));
        assert_eq!(core.step(t0 + secs(2.5)), Step::Reconcile);
    }

    #[test]
    fn edits_during_a_reconcile_get_one_more() {
        let t0 = Instant::now();
        let mut core = SupervisorCore::new(cfg(), t0);
        core.started();
        core.changed(t0 + secs(0.1));
        assert_eq!(core.step(t0 + secs(0.7)), Step::Busy);
        core.finished(t0 + secs(1.0), true);
        assert_eq!(core.step(t0 + secs(1.0)), Step::Reconcile);
    }

    #[test]
    fn failures_back_off_doubling_to_the_cap_and_an_edit_does_not_wait_for_it() {
        let t0 = Instant::now();
        let mut core = SupervisorCore::new(cfg(), t0);
        let mut now = t0;
        let mut delays = Vec::new();
        for _ in 0..12 {
            core.started();
            core.finished(now, false);
            let Step::WaitUntil(at) = core.step(now) else {
                panic!("a failed stack waits before trying again");
            };
            delays.push((at - now).as_secs());
            now = at;
        }
        assert_eq!(&delays[..5], [1, 2, 4, 8, 16]);
        assert_eq!(*delays.last().expect("twelve"), 300);
        assert_eq!(core.failures(), 12);
        core.changed(now);
        assert_eq!(core.step(now + secs(0.5)), Step::Reconcile);
        core.started();
        core.finished(now + secs(1.0), true);
        assert_eq!(core.failures(), 0);
    }

    #[test]
    fn a_settled_stack_is_reconciled_again_after_the_resync_period() {
        let t0 = Instant::now();
        let mut core = SupervisorCore::new(cfg(), t0);
        core.started();
        core.finished(t0, true);
        assert_eq!(core.step(t0 + secs(1.0)), Step::WaitUntil(t0 + secs(600.0)));
        assert_eq!(core.step(t0 + secs(600.0)), Step::Reconcile);
    }
}
