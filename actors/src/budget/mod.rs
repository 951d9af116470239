//! The account-wide API budget: AWS ELBv2 token buckets, shared fairly by every actor.
