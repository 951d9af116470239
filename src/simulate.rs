//! `tgsync simulate`: a scenario through the real actor pipeline (and, with `--compare`, through the baseline)
//! against the ELB model, in paused virtual time. Needs no cluster and no AWS credentials.

use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tgsync_actors::budget::BudgetConfig;
use tgsync_actors::target_group::TgConfig;
use tgsync_loadtest::runtime::paused_system;
use tgsync_loadtest::strategy::{KubeModel, Tgsync};
use tgsync_loadtest::trace::{read_trace, Trace};
use tgsync_loadtest::{
    Baseline, BaselineConfig, Comparison, ElbModel, ModelConfig, RunReport, Runner, Scenario,
    ScenarioKind, ScenarioParams, Strategy, Topology,
};

use crate::cli::BatchingArgs;

pub mod ingress_churn;
pub mod plot;
pub mod warnings;

/// A `--scenario`: one of the target-group scenarios, or `ingress-churn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimScenario {
    /// A scenario of the loadtest crate (pods churning behind target groups).
    Targets(ScenarioKind),
    /// Ingress groups edited while their backends roll.
    IngressChurn,
}

impl std::str::FromStr for SimScenario {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "ingress-churn" {
            return Ok(SimScenario::IngressChurn);
        }
        s.parse().map(SimScenario::Targets).map_err(
            |e: tgsync_loadtest::scenario::UnknownScenario| format!("{e}, or ingress-churn"),
        )
    }
}

/// `tgsync simulate` flags.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// rolling-update, scale-up, scale-down, steady-drip, node-drain, mass-restart or ingress-churn.
    #[arg(long, default_value = "rolling-update")]
    pub scenario: SimScenario,
    /// Target groups (one Service and Deployment each).
    #[arg(long, default_value_t = 20)]
    pub tgs: usize,
    /// Pods per Deployment.
    #[arg(long, default_value_t = 20)]
    pub pods: usize,
    /// Seed of every random choice in the scenario and the model.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also run the baseline (the AWS Load Balancer Controller's behaviour) and compare.
    #[arg(long)]
    pub compare: bool,
    /// Print one JSON object on stdout instead of a table: `{"scenario", "runs": [...]}` (tgsync's run, then
    /// the baseline's with --compare, beside the ratios), each run with its per-second `timeline`.
    #[arg(long)]
    pub json: bool,
    /// Also draw the runs over simulated time to this SVG file: ELBv2 calls per second by action (a panel per
    /// strategy), targets pending registration and deregistration, the lower bound and each completion.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// tgsync's batching and budget (the daemon's and the prediction's, in `loadtest`).
    #[command(flatten)]
    pub batching: BatchingArgs,
    /// Fraction of calls the model answers `Throttling` on top of its buckets (fault injection).
    #[arg(long, default_value_t = 0.0)]
    pub throttle_fraction: f64,
    /// Pods carry readiness gates: tgsync then reads a target group's health (one DescribeTargetHealth) after
    /// each health check of a waiting target, and its health-check interval once (DescribeTargetGroups, 20
    /// groups a call); the baseline reconciles on every update of a pod, and every 15 s while any target is
    /// not healthy.
    #[arg(long)]
    pub readiness_gates: bool,
    /// Start right after the initial slices were taken in (the baseline's targets cache filled seconds
    /// before the first event), not after a quiet spell longer than that cache's 5 minutes.
    #[arg(long)]
    pub warm_start: bool,
    /// ingress-churn: Ingresses at the start.
    #[arg(long, default_value_t = ingress_churn::ChurnParams::default().ingresses)]
    pub ingresses: usize,
    /// ingress-churn: groups (one ALB each).
    #[arg(long, default_value_t = ingress_churn::ChurnParams::default().groups)]
    pub groups: usize,
    /// ingress-churn: Services the Ingresses route to (one rolling Deployment of `--pods` each).
    #[arg(long, default_value_t = ingress_churn::ChurnParams::default().services)]
    pub services: usize,
    /// ingress-churn: Ingress edits, additions and deletions, one every `--edit-every-ms`.
    #[arg(long, default_value_t = ingress_churn::ChurnParams::default().edits)]
    pub edits: usize,
    /// ingress-churn: milliseconds between edits.
    #[arg(long, default_value_t = ingress_churn::ChurnParams::default().every.as_millis() as u64)]
    pub edit_every_ms: u64,
    /// Milliseconds one Kubernetes write takes in the simulated daemon (checkpoints, readiness gates).
    #[arg(long, default_value_t = KubeModel::default().write_latency.as_millis() as u64)]
    pub kube_write_ms: u64,
    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Replay the EndpointSlice changes of a trace (`tgsync loadtest` writes one) instead of a built scenario:
    /// its bindings, its slices at the start and each change at its time.
    #[arg(long, value_name = "TRACE", conflicts_with_all = ["scenario", "tgs", "pods", "readiness_gates"])]
    pub replay: Option<std::path::PathBuf>,
}

impl SimulateArgs {
    /// Runs what these flags ask for.
    pub fn run(&self) -> anyhow::Result<Outcome> {
        if let Some(path) = &self.replay {
            let trace = read_trace_file(path)?;
            let opts = self.options(ScenarioKind::RollingUpdate)?;
            return Ok(simulate_scenario(
                &opts,
                &trace.scenario(opts.params.clone()),
            ));
        }
        let SimScenario::Targets(scenario) = self.scenario else {
            anyhow::ensure!(
                !self.compare,
                "ingress-churn has no baseline to --compare with"
            );
            anyhow::ensure!(
                self.plot.is_none(),
                "--plot draws the target-group scenarios; ingress-churn keeps no per-second series to draw"
            );
            let (tg, budget) = self.batching.configs()?;
            let opts = ingress_churn::ChurnOptions {
                params: ingress_churn::ChurnParams {
                    ingresses: self.ingresses,
                    groups: self.groups,
                    services: self.services,
                    pods: self.pods,
                    edits: self.edits,
                    every: Duration::from_millis(self.edit_every_ms),
                    seed: self.seed,
                },
                tg,
                budget,
                throttle_fraction: self.throttle_fraction,
            };
            let before = warnings::snapshot();
            let mut report = ingress_churn::simulate(&opts)?;
            report.log_warnings = warnings::since(&before);
            return Ok(Outcome::IngressChurn(report));
        };
        Ok(simulate(&self.options(scenario)?))
    }

    /// Draws `outcome` to `--plot`'s file, if given.
    pub fn write_plot(&self, outcome: &Outcome) -> anyhow::Result<()> {
        let Some(path) = &self.plot else {
            return Ok(());
        };
        let runs = match outcome {
            Outcome::Single(r) => std::slice::from_ref(r),
            Outcome::Compared(c) => &c.runs[..],
            Outcome::IngressChurn(_) => {
                anyhow::bail!("ingress-churn keeps no per-second series to draw")
            }
        };
        let title = match &self.replay {
            Some(trace) => format!("replay of {}", trace.display()),
            None => format!(
                "{}: {} target groups × {} pods, seed {}",
                runs[0].scenario, self.tgs, self.pods, self.seed
            ),
        };
        let frame = plot::Frame {
            title,
            refill_per_s: ModelConfig::default().register_bucket.refill_per_s,
        };
        plot::write_svg(path, runs, &frame)
    }

    /// The options these flags stand for, for a target-group scenario.
    pub fn options(&self, scenario: ScenarioKind) -> anyhow::Result<SimulateOptions> {
        anyhow::ensure!(
            self.tgs > 0 && self.pods > 0,
            "--tgs and --pods must be at least 1"
        );
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.throttle_fraction),
            "--throttle-fraction must be in [0, 1]"
        );
        let (tg, budget) = self.batching.configs()?;
        Ok(SimulateOptions {
            scenario,
            params: ScenarioParams {
                tgs: self.tgs,
                pods: self.pods,
                seed: self.seed,
                readiness_gates: self.readiness_gates,
                warm_start: self.warm_start,
                ..ScenarioParams::default()
            },
            compare: self.compare,
            tg,
            budget,
            throttle_fraction: self.throttle_fraction,
            kube: KubeModel {
                write_latency: Duration::from_millis(self.kube_write_ms),
            },
            progress: !self.no_progress && !self.json,
        })
    }
}

/// What to simulate and how tgsync is tuned.
#[derive(Clone, Debug)]
pub struct SimulateOptions {
    /// The scenario.
    pub scenario: ScenarioKind,
    /// Its size and seed.
    pub params: ScenarioParams,
    /// Also run the baseline and print both side by side.
    pub compare: bool,
    /// tgsync's batching.
    pub tg: TgConfig,
    /// tgsync's budget.
    pub budget: BudgetConfig,
    /// Fraction of calls the model answers `Throttling` regardless of its buckets.
    pub throttle_fraction: f64,
    /// The simulated daemon's Kubernetes API.
    pub kube: KubeModel,
    /// Draw a progress bar on stderr for runs longer than a second.
    pub progress: bool,
}

/// Everything one `simulate` produced.
pub enum Outcome {
    /// tgsync alone.
    Single(RunReport),
    /// tgsync and the baseline.
    Compared(Comparison),
    /// The ingress-churn scenario.
    IngressChurn(ingress_churn::ChurnReport),
}

/// `--json` of a single run, in the shape `--compare` prints: `{"scenario", "runs": [run]}`.
#[derive(Serialize)]
struct OneRun<'a, R> {
    scenario: &'a str,
    runs: [&'a R; 1],
}

impl Outcome {
    /// One JSON object, always `{"scenario", "runs": [...], ...}` (a comparison adds its ratios), so a reader
    /// needs no flag to know its shape.
    pub fn to_json(&self) -> serde_json::Result<String> {
        match self {
            Outcome::Single(r) => serde_json::to_string(&OneRun {
                scenario: &r.scenario,
                runs: [r],
            }),
            Outcome::Compared(c) => serde_json::to_string(c),
            Outcome::IngressChurn(r) => serde_json::to_string(&OneRun {
                scenario: &r.scenario,
                runs: [r],
            }),
        }
    }

    /// A readable table, then what each run logged, counted.
    pub fn render(&self) -> String {
        let (mut out, logged) = match self {
            Outcome::Single(r) => (
                format!(
                    "scenario: {}\n{}",
                    r.scenario,
                    tgsync_loadtest::render_table(std::slice::from_ref(r))
                ),
                vec![(r.strategy.as_str(), &r.log_warnings)],
            ),
            Outcome::Compared(c) => (
                c.render(),
                c.runs
                    .iter()
                    .map(|r| (r.strategy.as_str(), &r.log_warnings))
                    .collect(),
            ),
            Outcome::IngressChurn(r) => (r.render(), vec![("tgsync", &r.log_warnings)]),
        };
        for (strategy, counts) in logged.into_iter().filter(|(_, c)| !c.is_empty()) {
            out.push_str(&format!(
                "{strategy} logged: {}\n",
                warnings::render(counts)
            ));
        }
        out
    }
}

/// Runs the simulation(s). Each strategy gets its own virtual clock, model and actix system.
pub fn simulate(opts: &SimulateOptions) -> Outcome {
    simulate_scenario(opts, &Scenario::build(opts.scenario, opts.params.clone()))
}

/// Runs `scenario` (built, or read from a trace) with `opts`' tuning; `opts.scenario` is not read.
pub fn simulate_scenario(opts: &SimulateOptions, scenario: &Scenario) -> Outcome {
    let tgsync = run_one(opts, scenario, "tgsync", |sc, model| {
        Tgsync::start(sc, model, opts.budget.clone(), opts.tg.clone(), opts.kube)
    });
    if !opts.compare {
        return Outcome::Single(tgsync);
    }
    let seed = opts.params.seed;
    let baseline = run_one(opts, scenario, "baseline", move |sc, model| {
        let config = BaselineConfig {
            seed,
            ..BaselineConfig::default()
        };
        Baseline::new(sc, Rc::new(model), config)
    });
    Outcome::Compared(Comparison::new(scenario.name(), tgsync, baseline))
}

/// Reads a trace file, naming the file in any error.
pub fn read_trace_file(path: &std::path::Path) -> anyhow::Result<Trace> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot open trace {}: {e}", path.display()))?;
    read_trace(std::io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn run_one<S: Strategy>(
    opts: &SimulateOptions,
    scenario: &Scenario,
    label: &str,
    factory: impl FnOnce(&Topology, ElbModel) -> S,
) -> RunReport {
    let mut model = scenario.model_config();
    model.throttle_fraction = opts.throttle_fraction;
    let bar = progress_bar(opts.progress, label);
    let started = Instant::now();
    let system = paused_system();
    // The warm-up's warnings count too (the report's calls do not): nothing logged goes unsaid.
    let logged_before = warnings::snapshot();
    let mut report = system.block_on(
        Runner::new(scenario, model)
            .on_progress(|f| {
                if started.elapsed() > Duration::from_secs(1) && bar.is_hidden() && opts.progress {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                }
                bar.set_position((f * 1000.0) as u64);
            })
            .run(factory),
    );
    bar.finish_and_clear();
    report.log_warnings = warnings::since(&logged_before);
    report
}

fn progress_bar(enabled: bool, label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::hidden());
    if enabled {
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>9} [{bar:40}] {percent:>3}% {elapsed}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label.to_owned());
    }
    bar
}

#[cfg(test)]
mod tests;
