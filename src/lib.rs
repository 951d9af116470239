//! tgsync: the daemon library (CLI, watchers, AWS adapter, simulation driver).
#[cfg(test)]
mod arb_json;
pub mod aws;
pub mod cli;
pub mod controller;
pub mod crd;
pub mod simulate;
pub mod watch;
