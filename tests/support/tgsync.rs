//! `tgsync run` as a child process: the binary cargo built for the test, killed on drop.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use super::bed::{log_dir, required_env, unique};

/// `tgsync run --namespace <ns>` as a child process (the binary cargo built for this test), killed on drop.
/// Its log goes to `target/e2e-logs/<ns>-<n>.log`.
pub struct Tgsync {
    child: Child,
    pub log: PathBuf,
}

impl Tgsync {
    pub fn start(ns: &str) -> Self {
        Self::start_with(ns, None, &["--namespace", ns])
    }

    /// `start` with `extra` flags.
    pub fn start_in(ns: &str, extra: &[&str]) -> Self {
        let mut args = vec!["--namespace", ns];
        args.extend_from_slice(extra);
        Self::start_with(ns, None, &args)
    }

    /// Runs it as the identity in `kubeconfig` instead of the bed's admin.
    pub fn start_as(ns: &str, kubeconfig: &Path) -> Self {
        Self::start_with(ns, Some(kubeconfig), &["--namespace", ns])
    }

    /// Runs it over every namespace, as in a real cluster, with `extra` flags; `label` names its log.
    pub fn cluster_wide(label: &str, extra: &[&str]) -> Self {
        Self::start_with(label, None, extra)
    }

    fn start_with(ns: &str, kubeconfig: Option<&Path>, args: &[&str]) -> Self {
        required_env("KUBECONFIG");
        required_env("AWS_ENDPOINT_URL");
        let log = log_dir().join(format!("{}.log", unique(ns)));
        let out = File::create(&log).expect("create tgsync log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tgsync"));
        if let Some(k) = kubeconfig {
            cmd.env("KUBECONFIG", k);
        }
        let child = cmd
            .arg("run")
            .args(args)
            .env("RUST_LOG", "info,tgsync=debug,tgsync_actors=debug")
            .env("NO_COLOR", "1")
            .stdout(out.try_clone().expect("dup log"))
            .stderr(out)
            .spawn()
            .expect("start tgsync run");
        Tgsync { child, log }
    }

    /// Kills it at once (SIGKILL): nothing is drained.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The last 30 lines of its log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Tgsync {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
