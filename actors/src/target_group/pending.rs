use tokio::time::Instant;

/// The targets waiting for one action, counted (each target's own wait is marked in the target table).
#[derive(Default)]
pub(crate) struct Pending {
    len: usize,
    opened_at: Option<Instant>,
    last_change: Option<Instant>,
}

impl Pending {
    /// A target waits from `since` (`again`: it already did); `fresh` marks a new change (not a retry) for
    /// quiet-time ordering.
    pub fn joined(&mut self, since: Instant, fresh: bool, again: bool) {
        if !again {
            self.len += 1;
        }
        self.opened_at = Some(self.opened_at.map_or(since, |o| o.min(since)));
        if fresh {
            self.last_change = Some(since.max(self.last_change.unwrap_or(since)));
        }
    }

    /// A target stopped waiting at `now` (a cancelled pair): a change too.
    pub fn left(&mut self, now: Instant) {
        self.len = self.len.saturating_sub(1);
        self.last_change = Some(now);
        if self.len == 0 {
            self.opened_at = None;
        }
    }

    /// `n` targets went into a call; `oldest` is when the longest-waiting of the rest started.
    pub fn taken(&mut self, n: usize, oldest: Option<Instant>) {
        self.len = self.len.saturating_sub(n);
        self.opened_at = oldest;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// When the oldest waiting target started waiting: the batch window opens then.
    pub fn opened_at(&self) -> Option<Instant> {
        self.opened_at
    }

    /// The latest change to this set.
    pub fn last_change(&self) -> Option<Instant> {
        self.last_change
    }
}
