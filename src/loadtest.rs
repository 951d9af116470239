//! `tgsync loadtest`: against the running test bed, N Deployments × M kwok pods with Services and
//! TargetGroupBindings, churned through the real kube-controller-manager, while `tgsync run` (a separate
//! process) keeps target groups in step against the ELB model served over HTTP. It records the EndpointSlice
//! changes it causes as a trace and reports the measured run beside the replay of that trace in virtual time.

mod churn;
mod daemon;
mod report;
mod settle;
mod slices;
mod workload;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams};
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_loadtest::http::HttpModel;
use tgsync_loadtest::model::{Call, StackCall};
use tgsync_loadtest::strategy::KubeModel;
use tgsync_loadtest::trace::Trace;
use tgsync_loadtest::{ModelConfig, RunReport, ScenarioKind, ScenarioParams};

use crate::cli::BatchingArgs;
use crate::simulate::{read_trace_file, simulate, simulate_scenario, Outcome, SimulateOptions};
use churn::{Phase, Plan};
use daemon::Daemon;
pub use report::LoadtestReport;
use report::{Agreement, BedFacts, FinalCheck, PhaseReport};
use settle::Bed;
use slices::Slices;
use workload::{Workload, TARGET_PORT};

/// `tgsync loadtest` flags.
#[derive(Args, Debug)]
pub struct LoadtestArgs {
    /// Deployments, each with a Service, a TargetGroupBinding and a target group in the model.
    #[arg(long, default_value_t = 40)]
    pub deployments: usize,
    /// Pods per Deployment.
    #[arg(long, default_value_t = 50)]
    pub pods: usize,
    /// The churn's phases, in order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "restart,scale,drip"
    )]
    pub phases: Vec<Phase>,
    /// Pods per Deployment at the top of the scale wave (default: a fifth more than --pods).
    #[arg(long)]
    pub scale_to: Option<usize>,
    /// Milliseconds between two Deployments' scale calls in the wave.
    #[arg(long, default_value_t = 250)]
    pub wave_step_ms: u64,
    /// Pods the drip deletes.
    #[arg(long, default_value_t = 20)]
    pub drip_count: usize,
    /// Milliseconds between two of the drip's deletions.
    #[arg(long, default_value_t = 3000)]
    pub drip_every_ms: u64,
    /// Seconds the bed must be quiet (no slice change, no ELB call) to count as settled, before the churn and
    /// between phases; at least 5 refills the Register/Deregister bucket, so each phase starts as its replay.
    #[arg(long, default_value_t = 10)]
    pub quiet_s: u64,
    /// Longest a phase (or the setup) may take to settle, in seconds.
    #[arg(long, default_value_t = 900)]
    pub phase_timeout_s: u64,
    /// Where the trace, the daemon's log and report.json go.
    #[arg(long, default_value = "target/loadtest")]
    pub out_dir: PathBuf,
    /// The `tgsync` binary to run as the daemon (default: this one).
    #[arg(long)]
    pub tgsync_bin: Option<PathBuf>,
    /// tgsync's batching and budget (the daemon's and the prediction's, in `loadtest`).
    #[command(flatten)]
    pub batching: BatchingArgs,
    /// Seed of the drip's choices, the model's latencies and the prediction.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Leave the namespace and its objects in the cluster.
    #[arg(long)]
    pub keep: bool,
    /// Print one JSON object on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Never draw a progress line.
    #[arg(long)]
    pub no_progress: bool,
}

/// What the bed produced, before it is compared with the replay.
struct Measurement {
    trace: PathBuf,
    ledger: Vec<Call>,
    stack_ledger: Vec<StackCall>,
    /// The trace's start on the model's clock.
    offset: Duration,
    registered: HashMap<TargetGroupKey, HashSet<Target>>,
    final_check: FinalCheck,
    facts: BedFacts,
}

impl LoadtestArgs {
    /// Runs the load test, then the replay, and reports both.
    pub fn run(&self) -> anyhow::Result<LoadtestReport> {
        anyhow::ensure!(
            self.deployments > 0 && self.pods > 0,
            "--deployments and --pods must be at least 1"
        );
        anyhow::ensure!(!self.phases.is_empty(), "--phases names no phase");
        let (tg, budget) = self.batching.configs()?;
        std::fs::create_dir_all(&self.out_dir)
            .with_context(|| format!("create {}", self.out_dir.display()))?;
        let params = ScenarioParams {
            tgs: self.deployments,
            pods: self.pods,
            seed: self.seed,
            ..ScenarioParams::default()
        };
        // As `Scenario::model_config`, so the replay meets the same ELB.
        let model_config = ModelConfig {
            health: params.health,
            deregistration_delay: params.deregistration_delay,
            seed: params.seed,
            ..ModelConfig::default()
        };
        let bar = progress(!self.no_progress);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let m = rt.block_on(self.measure(&model_config, &bar))?;
        drop(rt);
        bar.finish_and_clear();

        let trace = read_trace_file(&m.trace)?;
        let scenario = trace.scenario(params.clone());
        let (_, final_desired) = scenario.transitions();
        let in_step = final_desired
            .iter()
            .all(|(tg, want)| m.registered.get(tg) == Some(want));
        let measured = RunReport::from_ledgers(
            "tgsync run",
            &scenario,
            m.ledger.clone(),
            &m.stack_ledger,
            m.offset,
            in_step && m.final_check.equal,
            &model_config,
        );
        let opts = SimulateOptions {
            scenario: ScenarioKind::RollingUpdate,
            params,
            compare: true,
            tg,
            budget,
            throttle_fraction: 0.0,
            kube: KubeModel::default(),
            progress: !self.no_progress && !self.json,
        };
        let Outcome::Compared(prediction) = simulate_scenario(&opts, &scenario) else {
            anyhow::bail!("the replay did not compare tgsync with the baseline");
        };
        let Outcome::Compared(synthetic) = simulate(&opts) else {
            anyhow::bail!("the rolling update did not compare tgsync with the baseline");
        };
        let phases = phase_reports(&trace, &m, &opts.params, &model_config, &opts)?;
        let report = LoadtestReport {
            scenario: "bed-churn",
            phases,
            agreement: Agreement::of(&measured, &prediction.runs[0]),
            runs: vec![measured],
            prediction,
            synthetic_rolling_update: synthetic,
            bed: m.facts,
            final_check: m.final_check,
        };
        let path = self.out_dir.join("report.json");
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("write {}", path.display()))?;
        Ok(report)
    }

    /// Sets the bed up, runs the churn, and always removes what it made (unless `--keep`).
    async fn measure(
        &self,
        model_config: &ModelConfig,
        bar: &ProgressBar,
    ) -> anyhow::Result<Measurement> {
        let client = kube::Client::try_default().await.context(
            "cannot reach Kubernetes (start the bed and `source deploy/local/.run/env`)",
        )?;
        let workload = Workload::new(unique_namespace(), self.deployments, self.seed);
        let result = self.measure_in(&client, &workload, model_config, bar).await;
        if self.keep {
            say(bar, &format!("namespace {} kept", workload.namespace));
        } else if let Err(e) = workload.delete(&client).await {
            say(bar, &format!("could not clean up: {e:#}"));
        }
        result
    }

    async fn measure_in(
        &self,
        client: &kube::Client,
        workload: &Workload,
        model_config: &ModelConfig,
        bar: &ProgressBar,
    ) -> anyhow::Result<Measurement> {
        let arns = workload
            .apps
            .iter()
            .map(|a| TargetGroupKey::new(a.arn.as_str()));
        let model = HttpModel::start(
            model_config.clone(),
            arns.collect(),
            ([127, 0, 0, 1], 0).into(),
        )
        .context("start the HTTP ELB model")?;
        let slices = Slices::watch(client, &workload.namespace);
        say(
            bar,
            &format!(
                "{} Deployments × {} pods in {}, ELB model at {}",
                self.deployments,
                self.pods,
                workload.namespace,
                model.endpoint()
            ),
        );
        let setup = Instant::now();
        workload.create(client, self.pods).await?;
        let binary = match &self.tgsync_bin {
            Some(p) => p.clone(),
            None => std::env::current_exe().context("find this tgsync binary")?,
        };
        let flags = vec![
            "--sync-period-s".to_owned(),
            "0".to_owned(),
            "--window-ms".to_owned(),
            self.batching.window_ms.to_string(),
            "--max-per-call".to_owned(),
            self.batching.max_per_call.to_string(),
            "--headroom".to_owned(),
            self.batching.headroom.to_string(),
        ];
        let log = absolute(&self.out_dir.join("tgsync-run.log"));
        let mut daemon = Daemon::start(
            &binary,
            &workload.namespace,
            &model.endpoint(),
            &flags,
            log.clone(),
        )?;
        let mut bed = Bed {
            client,
            workload,
            slices: &slices,
            model: &model,
            daemon: &mut daemon,
            bar,
        };
        let quiet = Duration::from_secs(self.quiet_s);
        let limit = Duration::from_secs(self.phase_timeout_s);
        bed.settle("setup", self.pods, quiet, limit).await?;
        let setup_seconds = setup.elapsed().as_secs_f64();
        say(bar, &format!("setup settled after {setup_seconds:.1} s"));

        let trace = absolute(&self.out_dir.join("trace.jsonl"));
        let t0 = slices.record(&trace, workload.trace_bindings())?;
        let plan = Plan {
            phases: self.phases.clone(),
            pods: self.pods,
            scale_to: self.scale_to.unwrap_or(self.pods + self.pods.div_ceil(5)),
            wave_step: Duration::from_millis(self.wave_step_ms),
            drip_count: self.drip_count,
            drip_every: Duration::from_millis(self.drip_every_ms),
            // The same quiet as before the churn: each phase starts with the account's buckets (and tgsync's
            // budget) full, as its replay does.
            quiet,
            limit,
            seed: self.seed,
        };
        let phases = churn::run(&mut bed, &plan).await?;
        let churn_seconds = t0.elapsed().as_secs_f64();
        let slice_changes = slices.finish()?;
        let (ledger, stack_ledger) = model.ledgers().await?;
        let registered = model.registered().await?;
        let final_check = final_check(client, workload, &registered).await?;
        drop(daemon);
        Ok(Measurement {
            trace: trace.clone(),
            ledger,
            stack_ledger,
            offset: t0.saturating_duration_since(model.started()),
            registered,
            final_check,
            facts: BedFacts {
                namespace: workload.namespace.clone(),
                deployments: self.deployments,
                pods: self.pods,
                scale_to: plan.scale_to,
                setup_seconds,
                phases,
                slice_changes,
                churn_seconds,
                trace: trace.display().to_string(),
                daemon_log: log.display().to_string(),
                daemon_binary: binary.display().to_string(),
            },
        })
    }
}

/// Each phase measured from its mark until the next (the bed settled before each began, so it counts as
/// converged) and replayed from the slices at its mark.
fn phase_reports(
    trace: &Trace,
    m: &Measurement,
    params: &ScenarioParams,
    model_config: &ModelConfig,
    opts: &SimulateOptions,
) -> anyhow::Result<Vec<PhaseReport>> {
    let phases = trace.phases();
    let mut out = Vec::new();
    for (i, (start, label, sub)) in phases.iter().enumerate() {
        let end = phases.get(i + 1).map(|(at, _, _)| m.offset + *at);
        let before_end = |start: Duration| end.is_none_or(|end| start < end);
        let ledger: Vec<Call> = m
            .ledger
            .iter()
            .filter(|c| before_end(c.start))
            .cloned()
            .collect();
        let stack: Vec<StackCall> = m
            .stack_ledger
            .iter()
            .filter(|c| before_end(c.start))
            .cloned()
            .collect();
        let scenario = sub.scenario(params.clone());
        let mut measured = RunReport::from_ledgers(
            "tgsync run",
            &scenario,
            ledger,
            &stack,
            m.offset + *start,
            true,
            model_config,
        );
        measured.scenario = label.clone();
        let Outcome::Compared(mut prediction) = simulate_scenario(opts, &scenario) else {
            anyhow::bail!("the replay of {label} did not compare tgsync with the baseline");
        };
        prediction.scenario = label.clone();
        for r in &mut prediction.runs {
            r.scenario = label.clone();
        }
        out.push(PhaseReport {
            label: label.clone(),
            agreement: Agreement::of(&measured, &prediction.runs[0]),
            measured,
            prediction,
        });
    }
    Ok(out)
}

/// Lists the namespace's EndpointSlices afresh (full objects, not the slim decode) and compares every target
/// group with its Service's ready, not terminating endpoints.
async fn final_check(
    client: &kube::Client,
    workload: &Workload,
    registered: &HashMap<TargetGroupKey, HashSet<Target>>,
) -> anyhow::Result<FinalCheck> {
    let api: Api<EndpointSlice> = Api::namespaced(client.clone(), &workload.namespace);
    let list = api
        .list(&ListParams::default())
        .await
        .context("list EndpointSlices")?;
    let mut ready: HashMap<String, HashSet<Target>> = HashMap::new();
    for s in list.items {
        let Some(service) = s
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/service-name"))
        else {
            continue;
        };
        let set = ready.entry(service.clone()).or_default();
        for e in s.endpoints {
            let c = e.conditions.unwrap_or_default();
            if c.ready.unwrap_or(true) && !c.terminating.unwrap_or(false) {
                set.extend(
                    e.addresses
                        .first()
                        .and_then(|a| a.parse().ok())
                        .map(|ip| Target::ip(ip, TARGET_PORT)),
                );
            }
        }
    }
    let mut check = FinalCheck {
        ready_endpoints: 0,
        registered: 0,
        equal: true,
    };
    for app in &workload.apps {
        let want = ready.remove(&app.name).unwrap_or_default();
        let have = registered
            .get(&TargetGroupKey::new(app.arn.as_str()))
            .cloned()
            .unwrap_or_default();
        check.ready_endpoints += want.len();
        check.registered += have.len();
        check.equal &= want == have;
    }
    Ok(check)
}

/// A namespace name no earlier run used.
fn unique_namespace() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "tgsync-load-{:x}{:06x}",
        std::process::id(),
        nanos % 0x100_0000
    )
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_owned())
}

/// A spinner on stderr with the current phase's state (hidden when asked, or when stderr is no terminal).
fn progress(enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// A line on stderr, above the progress line if one is drawn.
fn say(bar: &ProgressBar, line: &str) {
    if bar.is_hidden() {
        eprintln!("loadtest: {line}");
    } else {
        bar.println(format!("loadtest: {line}"));
    }
}
