//! kubectl against the bed, and the commands tests run through it.

use std::process::{Command, Stdio};

use super::bed::{required_env, HOW_TO_RUN};

/// The bed's kubectl (its env file names it), else the one on PATH.
pub fn kubectl_path() -> String {
    std::env::var("TGSYNC_TESTBED_KUBECTL").unwrap_or_else(|_| "kubectl".to_string())
}

/// Runs kubectl against the bed (KUBECONFIG from the env file), feeding `stdin` if given; panics with its
/// stderr when it fails.
pub fn kubectl(args: &[&str], stdin: Option<&str>) -> String {
    required_env("KUBECONFIG");
    let mut child = Command::new(kubectl_path())
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}): {HOW_TO_RUN}", kubectl_path()));
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes())
            .expect("write kubectl stdin");
    }
    let out = child.wait_with_output().expect("wait for kubectl");
    assert!(
        out.status.success(),
        "kubectl {} failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Deletes binding `name` and waits (up to a minute) until it is gone: tgsync's finalizer holds it until
/// its targets are deregistered.
pub fn delete_binding(ns: &str, name: &str) {
    kubectl(
        &[
            "delete",
            "targetgroupbinding",
            "-n",
            ns,
            name,
            "--timeout=60s",
        ],
        None,
    );
}

/// The Events of object `name` in `ns`, one `reason: message` per line.
pub fn events_of(ns: &str, name: &str) -> String {
    kubectl(
        &[
            "get",
            "events",
            "-n",
            ns,
            "--field-selector",
            &format!("involvedObject.name={name}"),
            "-o",
            "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}",
        ],
        None,
    )
}
