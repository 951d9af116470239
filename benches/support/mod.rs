//! Shared pieces of the benches: the churn models, an ELB that answers at once, and a paused actix runtime.
#![allow(dead_code, unused_imports)] // each bench uses a different part

pub mod fake_apiserver;
mod flip_ring;
mod instant_elb;
mod rolling_update;

use std::time::Duration;

pub use flip_ring::FlipRing;
pub use instant_elb::InstantElb;
pub use rolling_update::{Churn, ChurnTg, ENDPOINTS_PER_SLICE, PERIOD, PORT};
use tgsync_actors::target_group::TgConfig;
pub use tgsync_loadtest::runtime::paused_system;

/// The daemon's allocator (see `src/main.rs`): the benches measure what the binary would do.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs every actor until it has nothing left to do: paused tokio time only moves when no task is ready,
/// so a sleep returns once all mailboxes are drained.
pub async fn drain() {
    tokio::time::sleep(Duration::from_nanos(1)).await;
}

/// Lets actors run until the ELB sees no new calls, moving virtual time past every batch window.
pub async fn settle(elb: &InstantElb) {
    let window = TgConfig::default().max_window + Duration::from_millis(1);
    let mut quiet = 0;
    let mut last = u64::MAX;
    while quiet < 3 {
        tokio::time::sleep(window).await;
        let now = elb.calls.get();
        quiet = if now == last { quiet + 1 } else { 0 };
        last = now;
    }
}

/// Updates between two moves of virtual time: the actors drain their mailboxes then, and timers that fell
/// due in between fire in order.
const ADVANCE_EVERY: u32 = 256;

/// Sends the next `updates` updates of `churn` through `send`, moving virtual time with them at the model's
/// pace.
pub async fn play(
    churn: &mut Churn,
    updates: u64,
    mut send: impl FnMut(tgsync_actors::domain::EndpointSliceSnapshot),
) {
    let step = churn.step() * ADVANCE_EVERY;
    let mut due = tokio::time::Instant::now();
    for i in 1..=updates {
        send(churn.next_update());
        if i % ADVANCE_EVERY as u64 == 0 {
            due += step;
            tokio::time::sleep_until(due).await;
        }
    }
}

/// Panics unless the ELB holds exactly the ready endpoints of every target group of `churn`.
pub fn assert_converged(churn: &Churn, elb: &InstantElb) {
    for (i, tg) in churn.tgs.iter().enumerate() {
        assert!(
            elb.holds_exactly(&tg.key, churn.ready(i)),
            "{} holds exactly its ready endpoints",
            tg.key
        );
    }
}

/// Updates sent and ELB calls made over the samples of one bench.
#[derive(Default)]
pub struct Tally {
    /// Slice updates sent.
    pub updates: u64,
    /// ELB calls they caused.
    pub calls: u64,
}

impl Tally {
    /// Prints the calls per 1,000 updates under the bench's name.
    pub fn print(&self, name: &str) {
        if self.updates > 0 {
            let per_1000 = self.calls as f64 * 1000.0 / self.updates as f64;
            eprintln!(
                "{name}: {per_1000:.0} ELB calls per 1,000 slice updates ({} calls, {} updates)",
                self.calls, self.updates
            );
        }
    }
}
