//! A token bucket read at explicit instants: AWS's server-side throttle.

use tokio::time::Instant;

/// A token bucket that never waits: a call either takes a token now or is refused.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    capacity: f64,
    refill_per_s: f64,
    tokens: f64,
    at: Instant,
}

// Sleeps are rounded to tokio's millisecond ticks, so a caller that waited "exactly enough" can be a hair short.
const EPSILON: f64 = 1e-6;

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(capacity: u32, refill_per_s: f64, now: Instant) -> Self {
        TokenBucket {
            capacity: capacity as f64,
            refill_per_s,
            tokens: capacity as f64,
            at: now,
        }
    }

    /// Takes one token at `now` if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens + EPSILON >= 1.0 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            true
        } else {
            false
        }
    }

    /// Refills as if `quiet` more had passed without a call.
    pub fn idle(&mut self, quiet: std::time::Duration) {
        self.tokens = (self.tokens + quiet.as_secs_f64() * self.refill_per_s).min(self.capacity);
    }

    /// Tokens available at `now`.
    pub fn available(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }

    fn refill(&mut self, now: Instant) {
        if now > self.at {
            let dt = now.duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + dt * self.refill_per_s).min(self.capacity);
            self.at = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn takes_capacity_then_refills_at_rate() {
        let mut b = TokenBucket::new(20, 4.0, Instant::now());
        let now = Instant::now();
        assert_eq!((0..25).filter(|_| b.try_take(now)).count(), 20);
        tokio::time::sleep(Duration::from_millis(249)).await;
        assert!(!b.try_take(Instant::now()));
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(b.try_take(Instant::now()));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!((0..10).filter(|_| b.try_take(Instant::now())).count(), 4);
    }
}
