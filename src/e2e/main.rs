//! End-to-end tests of `tgsync run` against the local test bed (`deploy/local/testbed`; feature `testbed`):
//! manifests applied with kubectl, the built `tgsync` binary started as a child process watching the test's
//! own namespace, and the target group read back from moto with the AWS SDK.
//!
//! Run with `deploy/local/testbed test`, or by hand: `deploy/local/testbed up`,
//! `source deploy/local/.run/env`, `cargo test -p tgsync --features testbed --test e2e`.

mod aws_adapter;
mod bed;
mod failures;
mod instance_mode;
mod ip_mode;
mod multi_cluster;
mod rbac;
mod readiness_gate;
mod restart;
