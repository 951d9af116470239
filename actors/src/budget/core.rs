use tokio::time::Instant;

use std::cmp::Reverse;

use super::allowance::Allowance;
use super::{ApiClass, Bucket, BudgetConfig, Priority, Request, RequestId};

struct Waiting {
    id: RequestId,
    request: Request,
}

/// Decides which waiting request gets the next token of each bucket. Pure: callers pass the time in.
///
/// Order inside a bucket: a request that has waited past the starvation limit first (oldest first), then by
/// priority, then the requester that has been quiet longest, then arrival order. Background requests also
/// need a token of their class's allowance (`background_share` of the bucket), starving or not.
pub struct BudgetCore {
    config: BudgetConfig,
    buckets: Vec<Bucket>,
    allowances: Vec<Allowance>,
    background: Vec<usize>,
    queues: Vec<Vec<Waiting>>,
    next_token: Vec<Option<Instant>>,
    next_id: u64,
    granted: Vec<u64>,
}

impl BudgetCore {
    /// Full buckets at `now`.
    pub fn new(config: BudgetConfig, now: Instant) -> Self {
        let buckets = ApiClass::ALL
            .iter()
            .map(|&c| Bucket::new(config.effective(c), now))
            .collect();
        let allowances = ApiClass::ALL
            .iter()
            .map(|&c| Allowance::new(config.background(c), now))
            .collect();
        BudgetCore {
            background: vec![0; ApiClass::ALL.len()],
            allowances,
            config,
            buckets,
            queues: ApiClass::ALL.iter().map(|_| Vec::new()).collect(),
            next_token: vec![None; ApiClass::ALL.len()],
            next_id: 0,
            granted: vec![0; ApiClass::ALL.len()],
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &BudgetConfig {
        &self.config
    }

    /// Queues a request; `grant_ready` decides when it runs.
    pub fn submit(&mut self, request: Request) -> RequestId {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        let i = request.class.index();
        if request.priority == Priority::Background {
            self.background[i] += 1;
        }
        self.queues[i].push(Waiting { id, request });
        id
    }

    /// Forgets a request whose requester went away, so no token is spent on it.
    pub fn cancel(&mut self, id: RequestId) {
        for (i, q) in self.queues.iter_mut().enumerate() {
            if let Some(pos) = q.iter().position(|w| w.id == id) {
                if q.remove(pos).request.priority == Priority::Background {
                    self.background[i] -= 1;
                }
            }
        }
    }

    /// Requests waiting in a class's queue.
    pub fn waiting(&self, class: ApiClass) -> usize {
        self.queues[class.index()].len()
    }

    /// Permits handed out so far in a class.
    pub fn granted(&self, class: ApiClass) -> u64 {
        self.granted[class.index()]
    }

    /// Hands out every token that is there to the requests that should have them, in order.
    pub fn grant_ready(&mut self, now: Instant) -> Vec<RequestId> {
        let mut out = Vec::new();
        for class in ApiClass::ALL {
            let i = class.index();
            self.next_token[i] = None;
            let mut ordered = false;
            while !self.queues[i].is_empty() {
                let background_ok = self.allowances[i].ready(now);
                let foreground = self.queues[i].len() > self.background[i];
                if let (false, Err(at)) = (foreground, background_ok) {
                    // Only Background requests wait and their share is spent: keep the bucket's token.
                    self.next_token[i] = Some(at);
                    break;
                }
                match self.buckets[i].try_take(now) {
                    Ok(()) => {
                        // Nothing a rank depends on moves while tokens are handed out, so one sort serves
                        // the whole round (a thousand groups asking at once must not cost a million looks).
                        if !ordered {
                            self.order(i, now);
                            ordered = true;
                        }
                        let q = &mut self.queues[i];
                        let pick = if background_ok.is_ok() {
                            q.len().checked_sub(1)
                        } else {
                            q.iter()
                                .rposition(|w| w.request.priority != Priority::Background)
                        };
                        if let Some(w) = pick.map(|p| q.remove(p)) {
                            if w.request.priority == Priority::Background {
                                self.allowances[i].take();
                                self.background[i] -= 1;
                            }
                            out.push(w.id);
                        }
                        self.granted[i] += 1;
                    }
                    Err(at) => {
                        self.next_token[i] = Some(at);
                        break;
                    }
                }
            }
        }
        out
    }

    /// When `grant_ready` should run again: the earliest next token of a bucket someone waits on.
    pub fn next_wake(&self) -> Option<Instant> {
        self.next_token.iter().flatten().min().copied()
    }

    /// Sorts a class's queue so the request to serve first is last.
    fn order(&mut self, class: usize, now: Instant) {
        let limit = self.config.starvation_limit;
        self.queues[class].sort_by_cached_key(|w| {
            let r = &w.request;
            let rank = if now.saturating_duration_since(r.waiting_since) >= limit {
                // Starving: oldest first, whatever its priority.
                (
                    false,
                    r.waiting_since,
                    Reverse(Priority::Urgent),
                    r.waiting_since,
                    w.id,
                )
            } else {
                (true, now, Reverse(r.priority), r.last_change.get(), w.id)
            };
            Reverse(rank)
        });
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::budget::{BucketConfig, LastChange, Priority};

    fn tiny(starvation: u64) -> BudgetConfig {
        BudgetConfig {
            targets: BucketConfig {
                burst: 1,
                per_second: 1.0,
            },
            starvation_limit: Duration::from_secs(starvation),
            // Exact one-second tokens keep these tests about order, not about the margin.
            burst_margin: 0,
            rate_margin: 0.0,
            ..BudgetConfig::default()
        }
    }

    fn req(priority: Priority, since: Instant, last: Instant) -> Request {
        Request {
            class: ApiClass::Targets,
            priority,
            waiting_since: since,
            last_change: LastChange::new(last),
        }
    }

    #[test]
    fn deregistrations_go_before_registrations() {
        let t0 = Instant::now();
        let mut core = BudgetCore::new(tiny(600), t0);
        let reg = core.submit(req(Priority::Normal, t0, t0));
        let dereg = core.submit(req(Priority::Urgent, t0, t0 + Duration::from_secs(1)));
        assert_eq!(core.grant_ready(t0), vec![dereg]);
        assert_eq!(core.next_wake(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(core.grant_ready(t0 + Duration::from_secs(1)), vec![reg]);
        assert_eq!(core.next_wake(), None);
    }

    #[test]
    fn the_quietest_requester_goes_first() {
        let t0 = Instant::now();
        let mut core = BudgetCore::new(tiny(600), t0);
        let busy = LastChange::new(t0);
        let a = core.submit(Request {
            last_change: busy.clone(),
            ..req(Priority::Normal, t0, t0)
        });
        let b = core.submit(req(Priority::Normal, t0, t0 + Duration::from_millis(10)));
        // `a` keeps changing while it waits, so `b` is now the quieter one.
        busy.set(t0 + Duration::from_millis(20));
        assert_eq!(core.grant_ready(t0), vec![b]);
        assert_eq!(core.grant_ready(t0 + Duration::from_secs(1)), vec![a]);
    }

    #[test]
    fn a_starving_request_overtakes_priority() {
        let t0 = Instant::now();
        let mut core = BudgetCore::new(tiny(5), t0);
        assert_eq!(core.grant_ready(t0).len(), 0);
        // Use up the only token so both requests have to wait.
        let first = core.submit(req(Priority::Urgent, t0, t0));
        assert_eq!(core.grant_ready(t0), vec![first]);
        let old_reg = core.submit(req(Priority::Normal, t0, t0));
        let later = t0 + Duration::from_secs(6);
        let new_dereg = core.submit(req(Priority::Urgent, later, later));
        assert_eq!(core.grant_ready(later), vec![old_reg]);
        assert_eq!(
            core.grant_ready(later + Duration::from_secs(1)),
            vec![new_dereg]
        );
    }

    #[test]
    fn fairness_every_waiting_target_group_is_served_once_per_round() {
        let t0 = Instant::now();
        let mut core = BudgetCore::new(tiny(600), t0);
        core.grant_ready(t0);
        let ids: Vec<_> = (0..5)
            .map(|i| core.submit(req(Priority::Normal, t0, t0 + Duration::from_millis(i))))
            .collect();
        let mut served = Vec::new();
        for s in 0..6 {
            served.extend(core.grant_ready(t0 + Duration::from_secs(s)));
        }
        assert_eq!(served, ids);
        assert_eq!(core.granted(ApiClass::Targets), 5);
    }

    fn describe(priority: Priority, at: Instant) -> Request {
        Request {
            class: ApiClass::Describe,
            ..req(priority, at, at)
        }
    }

    #[test]
    fn background_requests_use_at_most_their_share_of_the_bucket() {
        let t0 = Instant::now();
        let cfg = BudgetConfig::default();
        let mut core = BudgetCore::new(cfg.clone(), t0);
        let bg: Vec<_> = (0..400)
            .map(|_| core.submit(describe(Priority::Background, t0)))
            .collect();
        let mut granted = Vec::new();
        // Ten seconds, well past the starvation limit's reach too: starving does not lift the share.
        let step = Duration::from_millis(10);
        for n in 0..=1000 {
            granted.extend(core.grant_ready(t0 + step * n));
        }
        // Half of the effective bucket (38 burst, 9.8/s): 19 at once, then 4.9/s.
        let share = cfg.background(ApiClass::Describe);
        assert_eq!((share.burst, share.per_second), (19, 4.9));
        assert_eq!(granted.len(), 19 + 49);
        assert!(granted.iter().all(|id| bg.contains(id)));
        // The other half is there for a readiness-gate describe at once, however many resyncs wait.
        let later = t0 + Duration::from_secs(10);
        let gate = core.submit(describe(Priority::Normal, later));
        assert_eq!(core.grant_ready(later), vec![gate]);
    }

    #[test]
    fn normal_requests_are_served_while_background_ones_wait_for_their_share() {
        let t0 = Instant::now();
        let mut core = BudgetCore::new(BudgetConfig::default(), t0);
        let t1 = t0 + Duration::from_secs(600);
        // Starving Background requests (waiting since t0) that have spent their share...
        for _ in 0..19 {
            core.submit(describe(Priority::Background, t0));
        }
        assert_eq!(core.grant_ready(t1).len(), 19);
        let waiting: Vec<_> = (0..5)
            .map(|_| core.submit(describe(Priority::Background, t0)))
            .collect();
        let gates: Vec<_> = (0..3)
            .map(|_| core.submit(describe(Priority::Normal, t1)))
            .collect();
        // ...do not take the tokens left for the gates, and the next one comes when their share refills.
        let mut got = core.grant_ready(t1);
        got.sort();
        assert_eq!(got, gates);
        let next = core.next_wake().expect("background still waits");
        assert!(next > t1);
        assert_eq!(core.grant_ready(next).len(), 1);
        assert_eq!(core.waiting(ApiClass::Describe), waiting.len() - 1);
    }

    #[test]
    fn cancelled_requests_cost_nothing() {
        let t0 = Instant::now();
        let mut core = BudgetCore::new(tiny(600), t0);
        let gone = core.submit(req(Priority::Urgent, t0, t0));
        let kept = core.submit(req(Priority::Normal, t0, t0));
        core.cancel(gone);
        assert_eq!(core.grant_ready(t0), vec![kept]);
        assert_eq!(core.waiting(ApiClass::Targets), 0);
    }
}
