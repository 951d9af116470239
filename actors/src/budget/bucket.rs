use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, FakeRelativeClock};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::time::Instant;

use super::BucketConfig;

type Limiter = RateLimiter<NotKeyed, InMemoryState, FakeRelativeClock, NoOpMiddleware<Nanos>>;

/// One governor token bucket driven by tokio time: governor's own clock is advanced to the `now` we are
/// given, so the bucket follows paused virtual time in tests and simulations.
pub struct Bucket {
    limiter: Limiter,
    clock: FakeRelativeClock,
    epoch: Instant,
    advanced: Duration,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn new(cfg: BucketConfig, now: Instant) -> Self {
        let burst = NonZeroU32::new(cfg.burst).unwrap_or(NonZeroU32::MIN);
        let period =
            Duration::from_secs_f64(1.0 / cfg.per_second.max(1e-9)).max(Duration::from_nanos(1));
        // with_period only refuses a zero period, which the max above rules out.
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        let clock = FakeRelativeClock::default();
        Bucket {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            epoch: now,
            advanced: Duration::ZERO,
        }
    }

    fn sync(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.epoch);
        if elapsed > self.advanced {
            self.clock.advance(elapsed - self.advanced);
            self.advanced = elapsed;
        }
    }

    /// Takes one token, or says when the next one arrives.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Instant> {
        self.sync(now);
        self.limiter
            .check()
            .map(|_| ())
            .map_err(|not_until| now + not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_at_the_configured_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::new(
            BucketConfig {
                burst: 20,
                per_second: 4.0,
            },
            t0,
        );
        for _ in 0..20 {
            assert!(b.try_take(t0).is_ok());
        }
        let next = b.try_take(t0).unwrap_err();
        assert_eq!(next - t0, Duration::from_millis(250));
        assert!(b.try_take(next - Duration::from_millis(1)).is_err());
        assert!(b.try_take(next).is_ok());
        // Ten seconds later: 40 tokens' worth of refill, but the bucket holds 20.
        let later = next + Duration::from_secs(10);
        assert_eq!((0..30).filter(|_| b.try_take(later).is_ok()).count(), 20);
    }
}
