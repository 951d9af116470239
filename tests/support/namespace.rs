//! A namespace of the test's own, deleted without waiting when the test ends, pass or fail.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::bed::unique;
use super::kubectl::{kubectl, kubectl_path};

/// The test's own namespace; its name is the field.
pub struct TestNamespace(pub String);

impl TestNamespace {
    /// A namespace for bindings and Ingresses: tgsync's CRDs (TargetGroupBinding, IngressClassParams) are
    /// applied (and established) first.
    pub fn create(prefix: &str) -> Self {
        Self::crd("targetgroupbindings");
        Self::crd("ingressclassparams");
        Self::bare(prefix)
    }

    fn crd(plural: &str) {
        let crd = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("deploy/crds/elbv2.k8s.aws_{plural}.yaml"));
        // Tests start side by side on a fresh bed: two first applies race, and the loser's create answers
        // AlreadyExists; applying again then updates what the winner made.
        let crd = crd.to_str().expect("utf-8 path");
        let applied = (0..3).any(|_| {
            Command::new(kubectl_path())
                .args(["apply", "-f", crd])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        if !applied {
            kubectl(&["apply", "-f", crd], None);
        }
        kubectl(
            &[
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                &format!("crd/{plural}.elbv2.k8s.aws"),
            ],
            None,
        );
    }

    /// A namespace and nothing else, for checks of the bed itself, which must not depend on tgsync's CRD.
    pub fn bare(prefix: &str) -> Self {
        let name = unique(prefix);
        kubectl(&["create", "namespace", &name], None);
        TestNamespace(name)
    }

    /// `kubectl apply -n <ns> -f -`.
    pub fn apply(&self, yaml: &str) {
        kubectl(&["apply", "-n", &self.0, "-f", "-"], Some(yaml));
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        // Bindings keep their finalizer once tgsync is gone: drop it so the namespace can go.
        let _ = Command::new(kubectl_path())
            .args([
                "patch",
                "targetgroupbindings",
                "--all",
                "-n",
                &self.0,
                "--type=merge",
                "-p",
                r#"{"metadata":{"finalizers":null}}"#,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = Command::new(kubectl_path())
            .args(["delete", "namespace", &self.0, "--wait=false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
