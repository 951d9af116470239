use tokio::time::Instant;

use super::BucketConfig;

/// A token count refilled continuously that can be looked at without taking from it: how much of a bucket
/// Background requests may still use. Pure: callers pass the time in.
pub(crate) struct Allowance {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    at: Instant,
}

impl Allowance {
    /// A full allowance at `now`.
    pub fn new(cfg: BucketConfig, now: Instant) -> Self {
        Allowance {
            capacity: cfg.burst as f64,
            per_second: cfg.per_second.max(1e-9),
            tokens: cfg.burst as f64,
            at: now,
        }
    }

    /// `Ok` if a token is there at `now`, else when the next one will be.
    pub fn ready(&mut self, now: Instant) -> Result<(), Instant> {
        if now > self.at {
            let dt = now.duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + dt * self.per_second).min(self.capacity);
            self.at = now;
        }
        // A hair of slack: the wake-up time below is rounded, and float refill may land just short of one.
        if self.tokens + 1e-9 >= 1.0 {
            return Ok(());
        }
        let wait = (1.0 - self.tokens) / self.per_second;
        Err(now + std::time::Duration::from_secs_f64(wait) + std::time::Duration::from_micros(1))
    }

    /// Uses one token (after `ready` said there is one).
    pub fn take(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }
}
