//! `tgsync run`: the shared runtime (watchers, reflector stores, leader election, write plumbing) and one
//! controller per kind. Today that is `bindings`: TargetGroupBindings, fed by bindings, Services,
//! EndpointSlices, Nodes and (for readiness gates) Pods. ARCHITECTURE.md says where a new kind goes.

pub mod bindings;
mod events;
pub mod ingress;
mod keyed_locks;
mod latest_wins;
mod leader;
pub mod nlb;
mod node;
mod retry;
mod selector;
mod service;
pub mod stack;
mod stores;
mod watchers;

use std::rc::Rc;

use actix::Actor as _;
use tgsync_actors::budget::{ApiBudget, BudgetConfig};
use tgsync_actors::target_group::TgConfig;
use tracing::info;

pub use bindings::{
    hash_targets, owned_configmap_name, parse_target, Manager, CHECKPOINT_ANNOTATION, OWNED_KEY,
};
pub use leader::{Lead, LeaseConfig};
pub use node::{instance_from_provider_id, NodeInfo, EXCLUDE_LABEL};
pub use selector::matches as selector_matches;
pub use stores::Stores;
pub use watchers::Watched;

use crate::aws::{AwsElb, AwsElbConfig};

/// What `tgsync run` is configured with.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Batching of every target-group actor.
    pub tg: TgConfig,
    /// The account-wide ELBv2 budget.
    pub budget: BudgetConfig,
    /// The AWS adapter.
    pub aws: AwsElbConfig,
    /// Watch bindings, Services and EndpointSlices in this namespace only (all namespaces when `None`).
    pub namespace: Option<String>,
    /// Deadline of every Kubernetes call other than watches (a timed-out write is tried again).
    pub kube_timeout: std::time::Duration,
    /// Leader election (`None`: this process leads at once).
    pub leader: Option<LeaseConfig>,
    /// The cluster's name (`--cluster-name`), for the ownership tags of load balancers and subnet discovery.
    pub cluster_name: Option<String>,
    /// The cluster's VPC (`--aws-vpc-id`), where load balancers, target groups and subnets are looked for.
    pub aws_vpc_id: Option<String>,
    /// The Ingress class served (`--ingress-class`, `alb`).
    pub ingress_class: String,
    /// `--load-balancer-class`: the Services of type LoadBalancer served.
    pub load_balancer_class: String,
}

/// Why the controller could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No Kubernetes client (no kubeconfig, no in-cluster config).
    #[error("cannot reach Kubernetes: {0}")]
    Kube(#[from] kube::Error),
    /// The runtime could not be built.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[from] std::io::Error),
    /// A watch ended: tgsync would run blind, so it stops (non-zero exit) and is restarted.
    #[error("{}", .0 .0)]
    WatchEnded(watchers::WatchEnded),
    /// The lease was lost (or never readable): calls now could race the new leader.
    #[error(transparent)]
    Lease(#[from] leader::LeaseError),
}

/// Runs the controller until SIGINT or SIGTERM, on one actix System over a current-thread tokio runtime.
pub fn run_blocking(opts: RunOptions) -> Result<(), RunError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let system = actix_rt::System::with_tokio_rt(|| rt);
    system.block_on(run(opts))
}

/// Starts the budget, the controllers and the watchers, then waits for a stop signal.
pub async fn run(opts: RunOptions) -> Result<(), RunError> {
    let client = kube::Client::try_default().await?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let elb = AwsElb::from_sdk_config(&sdk, &opts.aws);
    let budget = ApiBudget::new(opts.budget.clone()).start();
    let ops = bindings::KubeOps::new(client.clone(), opts.kube_timeout);
    let (ended_tx, mut ended) = futures::channel::mpsc::unbounded();
    let (stores, writers) = stores::stores();
    let network = opts.cluster_name.clone().zip(opts.aws_vpc_id.clone());
    let mut feeds = watchers::spawn_all(
        &client,
        opts.namespace.as_deref(),
        writers,
        network.is_some(),
        ended_tx,
    );
    let mut leads = Vec::new();
    match (network.clone(), feeds.ingress.take()) {
        (Some((cluster, vpc)), Some(ingress_feeds)) => {
            let shared = ingress::Shared::new(
                &client,
                &sdk,
                &opts,
                stores.clone(),
                budget.clone(),
                cluster,
                vpc,
            );
            let ctl = ingress::IngressController::create(move |ctx| {
                ingress_feeds.attach(ctx);
                ingress::IngressController::new(Rc::new(shared), Default::default())
            });
            leads.push(ctl.recipient());
            info!("serving Ingresses of class {:?}", opts.ingress_class);
        }
        _ => info!("Ingresses are not served: they need --cluster-name and --aws-vpc-id"),
    }
    if let (Some((cluster, vpc)), Some(nlb_feeds)) = (&network, feeds.nlb.take()) {
        let shared = nlb::Shared {
            stores: stores.clone(),
            class: opts.load_balancer_class.clone(),
            ops: stack::ObjectOps::new(client.clone(), opts.kube_timeout),
            deploy: stack::StackDeploy::new(
                &client,
                &sdk,
                &opts,
                budget.clone(),
                "tgsync-service",
                cluster,
                vpc,
            ),
            cluster: cluster.clone(),
            draining: Default::default(),
        };
        let ctl = nlb::NlbController::create(move |ctx| {
            nlb_feeds.attach(ctx);
            nlb::NlbController::new(Rc::new(shared), Default::default())
        });
        leads.push(ctl.recipient());
        info!(
            "serving Services of type LoadBalancer of class {:?}",
            opts.load_balancer_class
        );
    }
    let manager = Manager::create(move |ctx| {
        feeds.attach(ctx);
        Manager::new(ops, elb, budget, opts.tg, stores)
    });
    leads.push(manager.recipient());
    info!("tgsync run: watching TargetGroupBindings, Services, EndpointSlices, Nodes and Pods");
    let leading = async {
        match opts.leader {
            Some(cfg) => leader::follow_apart(cfg, leads).await,
            None => {
                for r in &leads {
                    r.do_send(Lead);
                }
                std::future::pending().await
            }
        }
    };
    tokio::select! {
        r = wait_for_signal() => r?,
        Some(why) = futures::StreamExt::next(&mut ended) => return Err(RunError::WatchEnded(why)),
        lost = leading => return Err(lost.into()),
    }
    info!("stopping; registered targets stay as they are and are adopted on the next start");
    Ok(())
}

async fn wait_for_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}
