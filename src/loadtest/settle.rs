//! Waiting until the bed has settled: every rollout done, every Service's slices holding exactly its replicas,
//! all ready, ELB holding exactly those, and neither the slices nor the calls moving for a while.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use tgsync_actors::domain::Target;
use tgsync_loadtest::http::HttpModel;

use super::daemon::Daemon;
use super::slices::Slices;
use super::workload::Workload;

/// How often the bed is looked at.
const POLL: Duration = Duration::from_millis(500);

/// Everything a wait looks at.
pub struct Bed<'a> {
    /// The cluster.
    pub client: &'a kube::Client,
    /// The load test's objects.
    pub workload: &'a Workload,
    /// The slice watch.
    pub slices: &'a Slices,
    /// The ELB model.
    pub model: &'a HttpModel,
    /// The daemon under test.
    pub daemon: &'a mut Daemon,
    /// Where progress goes.
    pub bar: &'a ProgressBar,
}

impl Bed<'_> {
    /// Waits until settled at `replicas` pods per Deployment and quiet for `quiet`; answers how long it took.
    /// Fails when `limit` passes first (saying what was still off), or the daemon or the watch stops.
    pub async fn settle(
        &mut self,
        phase: &str,
        replicas: usize,
        quiet: Duration,
        limit: Duration,
    ) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let mut calls = usize::MAX;
        let mut calm_since = Instant::now();
        loop {
            self.daemon.check()?;
            if let Some(why) = self.slices.failed() {
                anyhow::bail!("{why}");
            }
            let activity = self.model.activity().await?;
            if activity.calls != calls {
                (calls, calm_since) = (activity.calls, Instant::now());
            }
            let (events, since_event) = self.slices.activity();
            let status = self.status(replicas).await?;
            let calm = since_event.min(calm_since.elapsed());
            self.bar.set_message(format!(
                "{phase}: {status}; {events} slice events, {calls} ELB calls, quiet {:.0} s",
                calm.as_secs_f64()
            ));
            if status.settled() && activity.in_flight == 0 && calm >= quiet {
                return Ok(start.elapsed());
            }
            if start.elapsed() > limit {
                anyhow::bail!("{phase}: not settled within {limit:?}: {status}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn status(&self, replicas: usize) -> anyhow::Result<Status> {
        let apps = self.workload.apps.len();
        let rolled = self.workload.rolled_out(self.client, replicas).await?;
        let counts = self.slices.counts();
        let ready = self.slices.ready_targets("http");
        let registered = self.model.registered().await?;
        let mut status = Status {
            apps,
            rolled,
            ..Status::default()
        };
        for app in &self.workload.apps {
            let service = format!("{}/{}", self.workload.namespace, app.name);
            let c = counts.get(&service).copied().unwrap_or_default();
            status.ready += c.ready;
            if c.endpoints == replicas && c.ready == replicas {
                status.services_settled += 1;
            }
            let want = ready.get(&service).cloned().unwrap_or_default();
            let have: HashSet<Target> = registered
                .get(&tgsync_actors::domain::TargetGroupKey::new(
                    app.arn.as_str(),
                ))
                .cloned()
                .unwrap_or_default();
            status.registered += have.len();
            if want == have {
                status.groups_synced += 1;
            }
        }
        Ok(status)
    }
}

/// The bed at one look.
#[derive(Clone, Copy, Debug, Default)]
struct Status {
    apps: usize,
    rolled: usize,
    services_settled: usize,
    groups_synced: usize,
    ready: usize,
    registered: usize,
}

impl Status {
    fn settled(&self) -> bool {
        self.rolled == self.apps
            && self.services_settled == self.apps
            && self.groups_synced == self.apps
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{} rolled out, {}/{} Services settled ({} ready endpoints), {}/{} target groups in step ({} targets)",
            self.rolled,
            self.apps,
            self.services_settled,
            self.apps,
            self.ready,
            self.groups_synced,
            self.apps,
            self.registered
        )
    }
}
