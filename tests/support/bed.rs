//! The bed's environment: the variables its env file sets, where tests leave logs, names unique to a run.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

pub const HOW_TO_RUN: &str =
    "these tests need the local test bed: run `deploy/local/testbed test`, \
     or `deploy/local/testbed up` and `source deploy/local/.run/env` first";

/// The variable `name` from the bed's env file; panics saying how to run the tests when it is not set.
pub fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{name} is not set: {HOW_TO_RUN}"),
    }
}

/// A name unique to this run, so tests never share a namespace or an AWS resource name.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!(
        "{prefix}-{:x}{:06x}",
        std::process::id(),
        nanos % 0x100_0000
    )
}

/// `target/e2e-logs` of the repository, created if missing: tgsync logs, kubeconfigs and figures.
pub fn log_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-logs");
    std::fs::create_dir_all(&dir).expect("create log dir");
    dir
}
