//! `tgsync run` as a separate process, pointed at the HTTP model for ELBv2 and at the cluster from KUBECONFIG.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use anyhow::Context as _;

/// The daemon under test; killed on drop.
pub struct Daemon {
    child: Child,
    /// Its log (stdout and stderr).
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `binary run --namespace <namespace> <flags>` with ELBv2 at `endpoint`. The Ingress and NLB
    /// controllers are left off (bindings only), and AWS's region and credentials get stand-ins when unset.
    pub fn start(
        binary: &Path,
        namespace: &str,
        endpoint: &str,
        flags: &[String],
        log: PathBuf,
    ) -> anyhow::Result<Daemon> {
        let out = File::create(&log).with_context(|| format!("create {}", log.display()))?;
        let mut cmd = Command::new(binary);
        cmd.arg("run")
            .args(["--namespace", namespace])
            .args(flags)
            .env("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // Empty means unset: with both, `run` would also serve Ingresses and NLB Services.
            .env("TGSYNC_CLUSTER_NAME", "")
            .env("TGSYNC_AWS_VPC_ID", "")
            .env_remove("TGSYNC_NAMESPACE")
            .env("NO_COLOR", "1");
        for (k, v) in [
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "loadtest"),
            ("AWS_SECRET_ACCESS_KEY", "loadtest"),
            ("RUST_LOG", "info"),
        ] {
            if std::env::var_os(k).is_none() {
                cmd.env(k, v);
            }
        }
        let child = cmd
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("start {} run", binary.display()))?;
        Ok(Daemon { child, log })
    }

    /// `Err` with its exit status and the end of its log once it has exited.
    pub fn check(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => {
                let text = std::fs::read_to_string(&self.log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(20)..].join("\n");
                anyhow::bail!(
                    "tgsync run exited ({status}); the end of {}:\n{tail}",
                    self.log.display()
                )
            }
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
