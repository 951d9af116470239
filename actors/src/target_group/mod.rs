//! One actor per target group: a pure core that batches slice deltas, and the actix shell around it.
