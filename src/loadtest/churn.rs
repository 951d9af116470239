//! The churn, through the real kube-controller-manager: a rolling restart of every Deployment, a scale wave
//! up and back down, and one pod deleted every few seconds; each phase marked in the trace and settled before
//! the next.

use std::time::{Duration, Instant};

use serde::Serialize;
use tgsync_loadtest::rng::Rng;

use super::settle::Bed;

/// A phase of the churn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Phase {
    /// `kubectl rollout restart` of every Deployment.
    Restart,
    /// Every Deployment scaled to `--scale-to`, one every `--wave-step-ms`, then back.
    Scale,
    /// One running pod deleted every `--drip-every-ms`, `--drip-count` times.
    Drip,
}

/// How the churn is shaped.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The phases, in order.
    pub phases: Vec<Phase>,
    /// Pods per Deployment at rest.
    pub pods: usize,
    /// Pods per Deployment at the top of the scale wave.
    pub scale_to: usize,
    /// Between two Deployments' scale calls.
    pub wave_step: Duration,
    /// Pods deleted by the drip.
    pub drip_count: usize,
    /// Between two deletions.
    pub drip_every: Duration,
    /// How long the bed must be quiet to count as settled.
    pub quiet: Duration,
    /// The longest a phase may take to settle.
    pub limit: Duration,
    /// Seed of the drip's choice of pods.
    pub seed: u64,
}

/// When a phase began and how long it took to settle, from the trace's start.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseFigure {
    /// `restart`, `scale-up`, `scale-down` or `drip`.
    pub label: &'static str,
    /// Seconds from the trace's start to the phase's first change.
    pub started_s: f64,
    /// Seconds from its first change until the bed settled (quiet spell included).
    pub settled_s: f64,
}

/// Runs every phase of `plan`, each marked in the trace, each settled before the next.
pub async fn run(bed: &mut Bed<'_>, plan: &Plan) -> anyhow::Result<Vec<PhaseFigure>> {
    let mut figures = Vec::new();
    let mut rng = Rng::new(plan.seed);
    for phase in &plan.phases {
        match phase {
            Phase::Restart => {
                let started = begin(bed, "restart")?;
                let stamp = format!("tgsync-loadtest-{}", unix_seconds());
                bed.workload.restart(bed.client, &stamp).await?;
                figures.push(end(bed, plan, "restart", started, plan.pods).await?);
            }
            Phase::Scale => {
                let started = begin(bed, "scale-up")?;
                bed.workload
                    .scale(bed.client, plan.scale_to, plan.wave_step)
                    .await?;
                figures.push(end(bed, plan, "scale-up", started, plan.scale_to).await?);
                let started = begin(bed, "scale-down")?;
                bed.workload
                    .scale(bed.client, plan.pods, plan.wave_step)
                    .await?;
                figures.push(end(bed, plan, "scale-down", started, plan.pods).await?);
            }
            Phase::Drip => {
                let started = begin(bed, "drip")?;
                for i in 0..plan.drip_count {
                    if i > 0 {
                        tokio::time::sleep(plan.drip_every).await;
                    }
                    bed.daemon.check()?;
                    let deleted = bed
                        .workload
                        .delete_a_pod(bed.client, rng.next_u64())
                        .await?;
                    bed.bar.set_message(format!(
                        "drip: deleted {} ({}/{})",
                        deleted.as_deref().unwrap_or("nothing"),
                        i + 1,
                        plan.drip_count
                    ));
                }
                figures.push(end(bed, plan, "drip", started, plan.pods).await?);
            }
        }
    }
    Ok(figures)
}

fn begin(bed: &Bed<'_>, label: &'static str) -> anyhow::Result<(Instant, Duration)> {
    let at = bed.slices.mark(label)?;
    super::say(bed.bar, &format!("{label} at {:.1} s", at.as_secs_f64()));
    Ok((Instant::now(), at))
}

async fn end(
    bed: &mut Bed<'_>,
    plan: &Plan,
    label: &'static str,
    (started, at): (Instant, Duration),
    replicas: usize,
) -> anyhow::Result<PhaseFigure> {
    bed.settle(label, replicas, plan.quiet, plan.limit).await?;
    let settled = started.elapsed();
    super::say(
        bed.bar,
        &format!(
            "{label} settled {:.1} s after it began",
            settled.as_secs_f64()
        ),
    );
    Ok(PhaseFigure {
        label,
        started_s: at.as_secs_f64(),
        settled_s: settled.as_secs_f64(),
    })
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
