//! tgsync's actor layer: one actor per target group, the account-wide API budget, and the pure cores
//! behind them. This crate does no Kubernetes and no AWS SDK work: only domain types, traits and actors.

pub mod budget;
pub mod domain;
pub mod elb;
pub mod fnv;
pub mod gates;
pub mod stack;
pub mod target_group;
pub mod tracked;
