//! One target group's gate clock: which waiting targets ELB may call healthy by now, and whether a
//! DescribeTargetHealth now could tell anything the last one did not.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::{GATE_EVERY, INTERVAL_RETRY, INTERVAL_TTL};

/// What a target group's gate check does at a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateStep {
    /// Nothing: no waiting target can have turned healthy since the last describe.
    Wait,
    /// Read the group's health-check interval first (DescribeTargetGroups, with other groups' reads).
    ReadInterval,
    /// One DescribeTargetHealth.
    Describe,
}

/// A health-check interval and until when it is trusted.
#[derive(Clone, Copy, Debug)]
struct Interval {
    every: Duration,
    until: Instant,
}

/// A target group's readiness-gate bookkeeping between ticks.
///
/// ELB checks each target once per health-check interval, so a target's state changes only at its checks; an
/// ALB calls a new target healthy after its first passing check, which comes within one interval of its
/// registration. So a waiting target is worth a describe at each whole interval after its registration (as
/// first seen, which is no earlier) that no describe has looked past yet: the first one interval after it.
#[derive(Debug, Default)]
pub struct GateClock {
    /// The waiting targets ELB holds, by IP, with the first tick that found each registered: no earlier than
    /// its registration, so the describe its interval calls for is never too early.
    registered: HashMap<IpAddr, Instant>,
    interval: Option<Interval>,
    /// When the last describe that answered was made.
    described: Option<Instant>,
}

impl GateClock {
    /// One tick over the targets waiting now: each IP, and whether ELB holds it (this process registered it
    /// and still owns it). Forgets the targets no longer waiting, notes the newly registered ones, and says
    /// what to do.
    pub fn tick(
        &mut self,
        now: Instant,
        waiting: impl IntoIterator<Item = (IpAddr, bool)>,
    ) -> GateStep {
        let before = std::mem::take(&mut self.registered);
        let mut any = false;
        for (ip, registered) in waiting {
            any = true;
            if registered {
                let since = before.get(&ip).copied().unwrap_or(now);
                self.registered.insert(ip, since);
            }
        }
        match self.interval {
            _ if !any => GateStep::Wait,
            Some(i) if now < i.until => match self.due(now, i.every) {
                true => GateStep::Describe,
                false => GateStep::Wait,
            },
            // Read while targets are still on their way to ELB, so the read is not what gates wait for.
            _ => GateStep::ReadInterval,
        }
    }

    /// Whether a waiting target has had a check that no describe has looked past.
    fn due(&self, now: Instant, every: Duration) -> bool {
        self.registered
            .values()
            .any(|&since| next_check(since, self.described, every) <= now)
    }

    /// The group's health-check interval, read at `now`; `None` when the read failed, which paces the group
    /// by the tick until the read is tried again.
    pub fn interval_read(&mut self, now: Instant, every: Option<Duration>) {
        self.interval = Some(match every {
            // Checks more often than the tick cannot be followed more closely than the tick.
            Some(every) => Interval {
                every: every.max(GATE_EVERY),
                until: now + INTERVAL_TTL,
            },
            None => Interval {
                every: GATE_EVERY,
                until: now + INTERVAL_RETRY,
            },
        });
    }

    /// A describe made at `at` answered. One that failed is not reported: the next tick may try again.
    pub fn described(&mut self, at: Instant) {
        self.described = Some(self.described.map_or(at, |d| d.max(at)));
    }
}

/// The first check of a target registered at `since` (one interval apart, the first an interval after
/// `since`) after the describe at `described`.
fn next_check(since: Instant, described: Option<Instant>, every: Duration) -> Instant {
    let first = since + every;
    match described {
        Some(d) if d >= first => {
            let past = (d - since).as_nanos() / every.as_nanos();
            since + every * u32::try_from(past + 1).unwrap_or(u32::MAX)
        }
        _ => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN: Duration = Duration::from_secs(10);

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    /// A clock that knows its interval (10 s), with `t0` before anything happened.
    fn clock() -> (GateClock, Instant) {
        let t0 = Instant::now();
        let mut c = GateClock::default();
        assert_eq!(c.tick(t0, [(ip(1), false)]), GateStep::ReadInterval);
        c.interval_read(t0, Some(TEN));
        (c, t0)
    }

    fn at(t0: Instant, secs: u64) -> Instant {
        t0 + Duration::from_secs(secs)
    }

    #[test]
    fn nothing_waiting_asks_for_nothing() {
        let mut c = GateClock::default();
        assert_eq!(c.tick(Instant::now(), []), GateStep::Wait);
    }

    #[test]
    fn no_describe_before_a_registered_target_had_an_interval() {
        let (mut c, t0) = clock();
        // Waiting for registration: ELB does not hold it, so it cannot be healthy.
        assert_eq!(c.tick(at(t0, 2), [(ip(1), false)]), GateStep::Wait);
        // Registered (first seen at 4 s): nothing until 14 s.
        for s in [4, 6, 12] {
            assert_eq!(c.tick(at(t0, s), [(ip(1), true)]), GateStep::Wait, "{s} s");
        }
        assert_eq!(c.tick(at(t0, 14), [(ip(1), true)]), GateStep::Describe);
    }

    #[test]
    fn each_target_is_looked_at_after_each_of_its_checks_and_not_between() {
        let (mut c, t0) = clock();
        c.tick(at(t0, 0), [(ip(1), true)]);
        assert_eq!(c.tick(at(t0, 10), [(ip(1), true)]), GateStep::Describe);
        c.described(at(t0, 10));
        assert_eq!(c.tick(at(t0, 12), [(ip(1), true)]), GateStep::Wait);
        // ip 1 is checked at 10, 20, 30 s; ip 2, registered by 14 s, at 24, 34 s.
        let both = [(ip(1), true), (ip(2), true)];
        let mut described = Vec::new();
        for s in (14..=36).step_by(2) {
            if c.tick(at(t0, s), both) == GateStep::Describe {
                c.described(at(t0, s));
                described.push(s);
            }
        }
        assert_eq!(described, [20, 24, 30, 34]);
    }

    #[test]
    fn a_failed_describe_is_tried_again_at_the_next_tick() {
        let (mut c, t0) = clock();
        c.tick(at(t0, 0), [(ip(1), true)]);
        assert_eq!(c.tick(at(t0, 10), [(ip(1), true)]), GateStep::Describe);
        assert_eq!(c.tick(at(t0, 12), [(ip(1), true)]), GateStep::Describe);
    }

    #[test]
    fn a_target_that_leaves_and_comes_back_starts_over() {
        let (mut c, t0) = clock();
        c.tick(at(t0, 0), [(ip(1), true)]);
        c.tick(at(t0, 2), [(ip(1), false)]);
        assert_eq!(c.tick(at(t0, 4), [(ip(1), true)]), GateStep::Wait);
        assert_eq!(c.tick(at(t0, 12), [(ip(1), true)]), GateStep::Wait);
        assert_eq!(c.tick(at(t0, 14), [(ip(1), true)]), GateStep::Describe);
    }

    #[test]
    fn the_interval_is_read_again_once_stale_and_a_failed_read_paces_by_the_tick() {
        let (mut c, t0) = clock();
        let late = t0 + INTERVAL_TTL;
        assert_eq!(c.tick(late, [(ip(1), true)]), GateStep::ReadInterval);
        c.interval_read(late, None);
        assert_eq!(
            c.tick(late + GATE_EVERY, [(ip(1), true)]),
            GateStep::Describe
        );
        c.described(late + GATE_EVERY);
        let next = late + 2 * GATE_EVERY;
        assert_eq!(c.tick(next, [(ip(1), true)]), GateStep::Describe);
        assert_eq!(
            c.tick(late + INTERVAL_RETRY, [(ip(1), true)]),
            GateStep::ReadInterval
        );
    }
}
