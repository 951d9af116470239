//! The client-side throttle the AWS Load Balancer Controller puts in front of the SDK: golang.org/x/time/rate
//! limiters, waited on before every attempt.

use std::time::Duration;

use tokio::time::Instant;

/// A `rate.Limiter` used through `Wait`: a caller reserves a token and sleeps until it is due.
#[derive(Debug)]
pub struct Limiter {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Limiter {
    /// A full limiter of `rate` tokens per second and `burst` capacity.
    pub fn new(rate: f64, burst: u32) -> Self {
        Limiter {
            rate,
            burst: burst as f64,
            tokens: burst as f64,
            at: Instant::now(),
        }
    }

    /// Refills as if `quiet` more had passed without a call (the clock does not move).
    pub fn idle(&mut self, quiet: Duration) {
        self.tokens = (self.tokens + quiet.as_secs_f64() * self.rate).min(self.burst);
    }

    /// Reserves one token at `now`; returns how long the caller must wait before using it.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        if now > self.at {
            let dt = now.duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + dt * self.rate).min(self.burst);
            self.at = now;
        }
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_evenly_spaced() {
        let mut l = Limiter::new(4.0, 20);
        let now = Instant::now();
        for _ in 0..20 {
            assert_eq!(l.reserve(now), Duration::ZERO);
        }
        assert_eq!(l.reserve(now), Duration::from_millis(250));
        assert_eq!(l.reserve(now), Duration::from_millis(500));
        l.idle(Duration::from_secs(60));
        assert_eq!(l.reserve(now), Duration::ZERO);
    }
}
