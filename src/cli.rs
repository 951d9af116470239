//! The command line: `tgsync run`, `tgsync crd` and (feature `simulate`) `tgsync simulate` and `tgsync loadtest`.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use tgsync_actors::budget::BudgetConfig;
use tgsync_actors::target_group::TgConfig;

#[cfg(feature = "simulate")]
use crate::loadtest::LoadtestArgs;
#[cfg(feature = "simulate")]
use crate::simulate::SimulateArgs;

/// Keeps AWS ELBv2 target groups in step with Kubernetes under heavy pod churn.
#[derive(Parser, Debug)]
#[command(name = "tgsync", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// tgsync's subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Drive a churn scenario through the real actor pipeline against an in-process ELB model with AWS's
    /// quotas, in virtual time; no cluster and no AWS credentials needed.
    #[cfg(feature = "simulate")]
    Simulate(SimulateArgs),
    /// Against the running test bed: Deployments of kwok pods with Services and bindings, churned through the
    /// real kube-controller-manager while `tgsync run` (a separate process) keeps target groups in step against
    /// the ELB model served over HTTP; reports the measured run beside the replay of its EndpointSlice trace.
    #[cfg(feature = "simulate")]
    Loadtest(LoadtestArgs),
    /// Print tgsync's CustomResourceDefinitions (TargetGroupBinding, IngressClassParams; elbv2.k8s.aws/v1beta1)
    /// as one YAML stream, or write one file each.
    Crd(CrdArgs),
    /// Run the TargetGroupBinding controller (Kubernetes from KUBECONFIG or in-cluster; AWS from the standard
    /// AWS configuration).
    Run(RunArgs),
}

/// `--ingress-class`'s default, the AWS controller's.
const fn crate_ingress_class() -> &'static str {
    tgsync::ingress::class::DEFAULT_CLASS
}

/// `tgsync crd` flags.
#[derive(Args, Debug)]
pub struct CrdArgs {
    /// Write each CRD to its file under this directory (as checked in under deploy/crds) instead of printing.
    #[arg(long)]
    pub out_dir: Option<std::path::PathBuf>,
}

impl CrdArgs {
    /// Prints every CRD, or writes each to `out_dir`.
    pub fn run(&self) -> anyhow::Result<()> {
        let Some(dir) = &self.out_dir else {
            print!("{}", tgsync::crd::crd_yaml()?);
            return Ok(());
        };
        for file in tgsync::crd::crd_files() {
            let name = std::path::Path::new(file.path)
                .file_name()
                .ok_or_else(|| anyhow::anyhow!("{} names no file", file.path))?;
            let path = dir.join(name);
            std::fs::write(&path, file.render()?)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// `tgsync run` flags.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Batch window of each target group, in milliseconds.
    #[arg(long, env = "TGSYNC_WINDOW_MS", default_value_t = TgConfig::default().window.as_millis() as u64)]
    pub window_ms: u64,
    /// Most targets per Register/DeregisterTargets call.
    #[arg(long, env = "TGSYNC_MAX_PER_CALL", default_value_t = TgConfig::default().max_per_call)]
    pub max_per_call: usize,
    /// Fraction of the account's ELBv2 budget left to other clients (0..1).
    #[arg(long, env = "TGSYNC_HEADROOM", default_value_t = BudgetConfig::default().headroom)]
    pub headroom: f64,
    /// AWS SDK attempts per call (1 or 2). Keep 1: a retry is then a new call with a new permit of the API
    /// budget, while the SDK's own retries (of `Throttling` too) would spend tokens the budget never granted.
    #[arg(long, env = "TGSYNC_SDK_MAX_ATTEMPTS", default_value_t = tgsync::aws::AwsElbConfig::default().max_attempts)]
    pub sdk_max_attempts: u32,
    /// How often each target group is read again (DescribeTargetHealth at background priority, spread evenly,
    /// at most half the Describe bucket) so drift — a target deregistered by hand — is repaired; 0 turns it off.
    #[arg(long, env = "TGSYNC_SYNC_PERIOD_S", default_value_t = 600)]
    pub sync_period_s: u64,
    /// Deadline of each ELBv2 call, in seconds: a call that misses it fails, and its targets go in the next
    /// call (a new permit), so a hung call never stalls its target group.
    #[arg(long, env = "TGSYNC_AWS_CALL_TIMEOUT_S", default_value_t = tgsync::aws::AwsElbConfig::default().call_timeout.as_secs())]
    pub aws_call_timeout_s: u64,
    /// Deadline of each Kubernetes call other than watches (writes, reads, Events), in seconds; a call that
    /// misses it counts as failed and is tried again with backoff.
    #[arg(long, env = "TGSYNC_KUBE_TIMEOUT_S", default_value_t = 15)]
    pub kube_timeout_s: u64,
    /// Watch bindings, Services and EndpointSlices in this namespace only (default: all namespaces).
    #[arg(long, env = "TGSYNC_NAMESPACE")]
    pub namespace: Option<String>,
    /// Elect a leader on a Lease, so several replicas can run: only the holder calls AWS and writes, the
    /// others keep their caches warm and take over when it goes.
    #[arg(long, env = "TGSYNC_LEADER_ELECT", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub leader_elect: bool,
    /// How long the lease lasts unrenewed, in seconds: a standby takes over this long after the leader dies.
    #[arg(long, env = "TGSYNC_LEASE_DURATION_S", default_value_t = 15)]
    pub lease_duration_s: u64,
    /// Namespace of the Lease (default: the pod's own, from POD_NAMESPACE, else `tgsync-system`).
    #[arg(long, env = "TGSYNC_LEASE_NAMESPACE")]
    pub lease_namespace: Option<String>,
    /// Name of the Lease.
    #[arg(long, env = "TGSYNC_LEASE_NAME", default_value = "tgsync-leader")]
    pub lease_name: String,
    /// The cluster's name, as the AWS Load Balancer Controller's `--cluster-name`: load balancers, target
    /// groups and security groups are tagged `elbv2.k8s.aws/cluster=<name>`, and subnets tagged
    /// `kubernetes.io/cluster/<name>` are preferred. Needed by Ingresses and NLB Services, not by bindings.
    #[arg(long, env = "TGSYNC_CLUSTER_NAME")]
    pub cluster_name: Option<String>,
    /// The cluster's VPC, as the AWS Load Balancer Controller's `--aws-vpc-id`: where load balancers, target
    /// groups and subnets are looked for. Needed by Ingresses and NLB Services, not by bindings.
    #[arg(long, env = "TGSYNC_AWS_VPC_ID")]
    pub aws_vpc_id: Option<String>,
    /// The Ingress class served, as the AWS Load Balancer Controller's `--ingress-class`: Ingresses annotated
    /// `kubernetes.io/ingress.class` with it, or whose IngressClass (named, or the cluster's default) has
    /// `spec.controller: ingress.k8s.aws/alb`.
    #[arg(long, env = "TGSYNC_INGRESS_CLASS", default_value = crate_ingress_class())]
    pub ingress_class: String,
    /// The `spec.loadBalancerClass` of the Services of type LoadBalancer served (as the AWS Load Balancer
    /// Controller's `--load-balancer-class`); Services without a class are served when annotated
    /// `service.beta.kubernetes.io/aws-load-balancer-type: external` (or `nlb-ip`).
    #[arg(long, env = "TGSYNC_LOAD_BALANCER_CLASS", default_value = tgsync::service::DEFAULT_LOAD_BALANCER_CLASS)]
    pub load_balancer_class: String,
}

impl RunArgs {
    /// The options these flags stand for.
    pub fn options(&self) -> anyhow::Result<tgsync::controller::RunOptions> {
        let (mut tg, budget) = batching(self.window_ms, self.max_per_call, self.headroom)?;
        tg.sync_period = (self.sync_period_s > 0).then(|| Duration::from_secs(self.sync_period_s));
        anyhow::ensure!(
            (1..=2).contains(&self.sdk_max_attempts),
            "--sdk-max-attempts must be 1 or 2"
        );
        Ok(tgsync::controller::RunOptions {
            tg,
            budget,
            aws: tgsync::aws::AwsElbConfig {
                max_attempts: self.sdk_max_attempts,
                call_timeout: Duration::from_secs(self.aws_call_timeout_s.max(1)),
                ..Default::default()
            },
            namespace: self.namespace.clone(),
            kube_timeout: Duration::from_secs(self.kube_timeout_s.max(1)),
            leader: self.leader_elect.then(|| self.lease()).transpose()?,
            cluster_name: nonempty(&self.cluster_name),
            aws_vpc_id: nonempty(&self.aws_vpc_id),
            ingress_class: self.ingress_class.clone(),
            load_balancer_class: self.load_balancer_class.clone(),
        })
    }

    fn lease(&self) -> anyhow::Result<tgsync::controller::LeaseConfig> {
        anyhow::ensure!(
            self.lease_duration_s >= 2,
            "--lease-duration-s must be at least 2"
        );
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        // A pod's name is unique among the replicas; by hand, the host and process stand in for it.
        let identity = env("POD_NAME").unwrap_or_else(|| {
            let host = env("HOSTNAME").unwrap_or_else(|| "tgsync".into());
            format!("{host}-{}", std::process::id())
        });
        Ok(tgsync::controller::LeaseConfig {
            name: self.lease_name.clone(),
            namespace: self
                .lease_namespace
                .clone()
                .or_else(|| env("POD_NAMESPACE"))
                .unwrap_or_else(|| "tgsync-system".into()),
            duration: Duration::from_secs(self.lease_duration_s),
            identity,
        })
    }
}

/// An optional flag, with an empty value (`TGSYNC_CLUSTER_NAME=`) meaning unset.
fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The batching and budget flags of `simulate` and `loadtest` (`run` has its own, with environment variables).
#[derive(Args, Debug, Clone, Copy)]
pub struct BatchingArgs {
    /// tgsync's batch window in milliseconds.
    #[arg(long, default_value_t = TgConfig::default().window.as_millis() as u64)]
    pub window_ms: u64,
    /// Most targets per Register/DeregisterTargets call.
    #[arg(long, default_value_t = TgConfig::default().max_per_call)]
    pub max_per_call: usize,
    /// Fraction of the account's ELBv2 budget tgsync leaves to other clients (0..1).
    #[arg(long, default_value_t = BudgetConfig::default().headroom)]
    pub headroom: f64,
}

impl BatchingArgs {
    /// The flags checked and turned into configurations.
    pub fn configs(&self) -> anyhow::Result<(TgConfig, BudgetConfig)> {
        batching(self.window_ms, self.max_per_call, self.headroom)
    }
}

/// The batching and budget flags `run` and `simulate` share, checked and turned into configurations.
pub(crate) fn batching(
    window_ms: u64,
    max_per_call: usize,
    headroom: f64,
) -> anyhow::Result<(TgConfig, BudgetConfig)> {
    anyhow::ensure!(
        (0.0..1.0).contains(&headroom),
        "--headroom must be in [0, 1)"
    );
    anyhow::ensure!(max_per_call > 0, "--max-per-call must be at least 1");
    let tg = TgConfig {
        window: Duration::from_millis(window_ms),
        max_per_call,
        ..TgConfig::default()
    };
    let budget = BudgetConfig {
        headroom,
        ..BudgetConfig::default()
    };
    Ok((tg, budget))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn every_command_and_flag_is_well_formed() {
        // clap checks a command's definition only when it is built: a flag that lost its `#[arg(long)]` would
        // otherwise surface as a panic the first time a user runs that subcommand.
        Cli::command().debug_assert();
    }

    #[test]
    fn cluster_name_and_vpc_reach_the_run_options() {
        let cli = Cli::parse_from([
            "tgsync",
            "run",
            "--cluster-name",
            "prod",
            "--aws-vpc-id",
            "vpc-1",
        ]);
        let Command::Run(args) = cli.command else {
            panic!("not run: {:?}", cli.command)
        };
        let opts = args.options().unwrap();
        assert_eq!(opts.cluster_name.as_deref(), Some("prod"));
        assert_eq!(opts.aws_vpc_id.as_deref(), Some("vpc-1"));
    }

    #[test]
    fn an_empty_value_is_unset() {
        assert_eq!(nonempty(&Some(" ".into())), None);
        assert_eq!(nonempty(&None), None);
        assert_eq!(nonempty(&Some("c1".into())).as_deref(), Some("c1"));
    }
}
