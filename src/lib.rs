//! tgsync: the daemon library (watchers, controllers, AWS adapter). It does not link the simulator: `tgsync
//! simulate` lives in the binary, behind feature `simulate`.
pub mod annotations;
#[cfg(test)]
mod arb_json;
pub mod aws;
pub mod controller;
pub mod crd;
pub mod ingress;
pub mod lookups;
pub mod names;
pub mod service;
pub mod watch;
