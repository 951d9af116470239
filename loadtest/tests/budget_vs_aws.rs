//! The budget's permits against AWS's server-side bucket in virtual time: whatever the phase of the server's
//! refill and however call latency varies, tgsync alone is never throttled with the default margin.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use actix::prelude::*;
use tgsync_actors::budget::{
    Acquire, ApiBudget, ApiClass, BucketConfig, BudgetConfig, LastChange, Priority, Request,
};
use tgsync_loadtest::model::TokenBucket;
use tgsync_loadtest::runtime::paused_system;
use tokio::time::Instant;

/// AWS's bucket if it adds whole tokens at ticks `phase + k / rate` rather than continuously.
struct SteppedBucket {
    capacity: f64,
    tokens: f64,
    period: Duration,
    next_tick: Instant,
}

impl SteppedBucket {
    fn new(cfg: BucketConfig, start: Instant, phase: Duration) -> Self {
        SteppedBucket {
            capacity: cfg.burst as f64,
            tokens: cfg.burst as f64,
            period: Duration::from_secs_f64(1.0 / cfg.per_second),
            next_tick: start + phase,
        }
    }

    fn try_take(&mut self, now: Instant) -> bool {
        while self.next_tick <= now {
            self.tokens = (self.tokens + 1.0).min(self.capacity);
            self.next_tick += self.period;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// When each permit of `class` was handed out over `run`, with requesters that always want more.
fn permits(budget: BudgetConfig, class: ApiClass, run: Duration) -> (Instant, Vec<Instant>) {
    paused_system().block_on(async move {
        let start = Instant::now();
        let budget = ApiBudget::new(budget).start();
        let times = Rc::new(RefCell::new(Vec::new()));
        for _ in 0..3 {
            let (budget, times) = (budget.clone(), times.clone());
            actix_rt::spawn(async move {
                loop {
                    let (reply, permit) = tokio::sync::oneshot::channel();
                    let now = Instant::now();
                    budget.do_send(Acquire {
                        request: Request {
                            class,
                            priority: Priority::Normal,
                            waiting_since: now,
                            last_change: LastChange::new(now),
                        },
                        reply,
                    });
                    if permit.await.is_err() {
                        return;
                    }
                    times.borrow_mut().push(Instant::now());
                }
            });
        }
        tokio::time::sleep(run).await;
        let t = times.borrow().clone();
        (start, t)
    })
}

/// A small deterministic generator for latencies.
fn latencies(seed: u64) -> impl FnMut() -> Duration {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Duration::from_millis(50 + x % 101)
    }
}

/// Calls AWS would have throttled, over a sweep of refill phases and latency draws (50–150 ms, the model's).
fn throttled(aws: BucketConfig, start: Instant, granted: &[Instant]) -> usize {
    let period = 1.0 / aws.per_second;
    let mut refused = 0;
    for seed in 0..8 {
        let mut latency = latencies(seed);
        let mut arrivals: Vec<Instant> = granted.iter().map(|&t| t + latency()).collect();
        arrivals.sort();
        let mut smooth = TokenBucket::new(aws.burst, aws.per_second, start);
        refused += arrivals.iter().filter(|&&a| !smooth.try_take(a)).count();
        for step in 0..20 {
            let phase = Duration::from_secs_f64(period * step as f64 / 20.0);
            let mut stepped = SteppedBucket::new(aws, start, phase);
            refused += arrivals.iter().filter(|&&a| !stepped.try_take(a)).count();
        }
    }
    refused
}

#[test]
fn the_default_margin_is_never_throttled_by_aws_buckets_in_any_phase() {
    let aws = BudgetConfig::default();
    for class in [ApiClass::Targets, ApiClass::Describe] {
        let (start, granted) = permits(aws.clone(), class, Duration::from_secs(120));
        assert!(granted.len() > 100, "the requesters kept the budget busy");
        assert_eq!(
            throttled(aws.bucket(class), start, &granted),
            0,
            "{class:?}"
        );
    }
}

#[test]
fn without_the_margin_spending_at_aws_rate_is_throttled() {
    // The check above can fail: spending AWS's exact numbers lands on the server's bucket short of a token.
    let exact = BudgetConfig {
        burst_margin: 0,
        rate_margin: 0.0,
        ..BudgetConfig::default()
    };
    let (start, granted) = permits(exact.clone(), ApiClass::Targets, Duration::from_secs(120));
    assert!(throttled(exact.bucket(ApiClass::Targets), start, &granted) > 0);
}
