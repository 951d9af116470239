//! End-to-end tests of `tgsync run` against the local test bed (`deploy/local/testbed`; feature `testbed`):
//! manifests applied with kubectl, the built `tgsync` binary started as a child process watching the test's
//! own namespace, and the target group read back from moto with the AWS SDK.
//!
//! Run with `deploy/local/testbed test`, or by hand: `deploy/local/testbed up`,
//! `source deploy/local/.run/env`, `cargo test -p tgsync --features testbed --test e2e`.
//!
//! Layout of `tests/`: each top-level `.rs` file is a test binary, and so is this directory (`main.rs` and
//! one module per area beside it); `support/` is the code they share, not a binary. Every binary links kube
//! and the AWS SDK, slow to link, so all areas live in this one. Two others stand apart: `e2e_cluster_wide.rs`,
//! whose tgsync watches every namespace and so must not run beside these, and `testbed.rs`, checks of the bed
//! itself that need no tgsync and answer "does the bed work?" on their own.

// Shared with the other binaries, so it sits beside this directory, not in it.
#[path = "../support/mod.rs"]
mod support;

mod aws_adapter;
mod failures;
mod ingress_class_params;
mod ingress_group;
mod ingress_interrupted;
mod ingress_names;
mod instance_mode;
mod ip_mode;
mod loadtest;
mod multi_cluster;
mod nlb_instance;
mod nlb_lifecycle;
mod nlb_service;
mod nlb_user_binding;
mod rbac;
mod readiness_gate;
mod restart;
mod stack_reader;
mod stack_roundtrip;
