//! tgsync: the daemon library (watchers, controllers, AWS adapter). It does not link the simulator: `tgsync
//! simulate` lives in the binary, behind feature `simulate`.
#[cfg(test)]
mod arb_json;
pub mod aws;
pub mod controller;
pub mod crd;
pub mod ingress;
pub mod watch;
