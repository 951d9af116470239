//! The warnings `simulate` counts instead of printing: a throttled run would otherwise print one line per
//! throttled call, where its report says "219 throttled calls retried".

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Every warning and error logged so far, by message. One process runs one simulation at a time, so a run
/// reads its own counts as the difference of two snapshots.
static COUNTS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// A tracing layer that counts warnings and errors by their message (filter it to WARN, so finer events
/// never reach it).
pub struct Tally;

impl<S: Subscriber> Layer<S> for Tally {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() > Level::WARN {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        *COUNTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(message.0)
            .or_default() += 1;
    }
}

/// Reads an event's `message` field.
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            value.clone_into(&mut self.0);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

/// The counts so far, to pass to [`since`] after a run.
pub fn snapshot() -> BTreeMap<String, u64> {
    COUNTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// What was logged since `before`, each message told as what it means for the run ("throttled calls
/// retried"); messages without a phrase are kept as logged.
pub fn since(before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (message, n) in snapshot() {
        let n = n - before.get(&message).copied().unwrap_or(0);
        if n > 0 {
            *out.entry(phrase(&message).to_owned()).or_default() += n;
        }
    }
    out
}

/// The actors' warnings and what each occurrence stands for, to be read after a count.
const PHRASES: [(&str, &str); 8] = [
    (
        "throttled; targets kept for the next call",
        "throttled calls retried",
    ),
    (
        "call failed; targets kept for the next call",
        "failed calls retried",
    ),
    (
        "ELB refused a target; isolating it",
        "calls refused for a target, split to find it",
    ),
    (
        "targets refused by ELB are held back until their endpoints change",
        "refused targets held back",
    ),
    (
        "ELB quota reached; registrations wait until the wanted set changes",
        "registrations refused at ELB's quota",
    ),
    (
        "more targets wanted than the target group may hold; the lowest that fit are registered",
        "times more targets were wanted than a group may hold",
    ),
    (
        "resync describe failed; the next period tries again",
        "resync reads failed",
    ),
    (
        "reconcile failed; retrying with backoff",
        "stack reconciles failed and retried",
    ),
];

fn phrase(message: &str) -> &str {
    PHRASES
        .iter()
        .find(|(m, _)| *m == message)
        .map_or(message, |(_, p)| p)
}

/// One line: "219 throttled calls retried, 2 failed calls retried" (empty when nothing was logged).
pub fn render(counts: &BTreeMap<String, u64>) -> String {
    let mut parts: Vec<(u64, &str)> = counts.iter().map(|(p, n)| (*n, p.as_str())).collect();
    // Most frequent first.
    parts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    parts
        .iter()
        .map(|(n, p)| format!("{n} {p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_messages_are_told_by_their_phrase_and_others_as_logged() {
        assert_eq!(phrase(PHRASES[0].0), "throttled calls retried");
        assert_eq!(phrase("something new"), "something new");
        let counts = BTreeMap::from([
            ("failed calls retried".to_owned(), 2),
            ("throttled calls retried".to_owned(), 219),
        ]);
        assert_eq!(
            render(&counts),
            "219 throttled calls retried, 2 failed calls retried"
        );
        assert_eq!(render(&BTreeMap::new()), "");
    }
}
