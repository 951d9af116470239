//! What the test-bed tests share (feature `testbed`): the bed's environment and kubectl, clients, polling,
//! namespaces, the seeded network and target groups in moto, manifests and the tgsync child process. Each
//! test binary declares it with `mod support;` and uses what it needs through the re-exports below.

// Each test binary uses part of this module: unused items, and re-exports of files it uses nothing from.
#![allow(dead_code, unused_imports)]

mod bed;
mod clients;
mod endpoints;
mod kubectl;
mod manifests;
mod namespace;
mod network;
mod poll;
mod stack;
mod target_group;
mod tgsync;

pub use bed::*;
pub use clients::*;
pub use endpoints::*;
pub use kubectl::*;
pub use manifests::*;
pub use namespace::*;
pub use network::*;
pub use poll::*;
pub use stack::*;
pub use target_group::*;
pub use tgsync::*;
