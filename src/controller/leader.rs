//! Leader election on a `coordination.k8s.io/v1` Lease (kube-lease-manager): only the holder makes AWS calls
//! and writes to Kubernetes; a standby keeps its caches warm from the watches and takes over when the lease
//! expires, starting from the checkpoints.

use std::time::Duration;

use actix::Recipient;
use kube::Client;
use kube_lease_manager::{LeaseCreateMode, LeaseManagerBuilder, LeaseParams};
use tracing::{info, warn};

/// Which Lease to hold, and how long a holder that stops renewing keeps it.
#[derive(Clone, Debug)]
pub struct LeaseConfig {
    /// The Lease's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// How long the lease lasts without renewal: a standby takes over this long after the leader died.
    pub duration: Duration,
    /// This process's identity (the pod's name in a cluster).
    pub identity: String,
}

/// Why leading stopped: the process must exit, since calls made under a lost lease could race the new leader.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// The lease could not be read or created.
    #[error("leader election: {0}")]
    Lease(#[from] kube_lease_manager::LeaseManagerError),
    /// The lease was held and then lost (not renewed in time, or taken).
    #[error("leader election: lost the lease {0}")]
    Lost(String),
    /// The election's own client or thread could not be set up.
    #[error("leader election: {0}")]
    Setup(String),
}

/// This process holds the lease (or runs without leader election): from now on it calls AWS and writes.
#[derive(actix::Message)]
#[rtype(result = "()")]
pub struct Lead;

/// `follow` on a thread of its own, with its own runtime and Kubernetes client: renewals never queue behind
/// the controllers' work, so a busy leader does not lose a short lease. Returns only if the lease is lost.
pub async fn follow_apart(cfg: LeaseConfig, leads: Vec<Recipient<Lead>>) -> LeaseError {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("tgsync-lease".into())
        .spawn(move || {
            let why = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(async {
                    match Client::try_default().await {
                        Ok(client) => follow(client, cfg, leads).await,
                        Err(e) => LeaseError::Setup(format!("no Kubernetes client: {e}")),
                    }
                }),
                Err(e) => LeaseError::Setup(format!("no runtime: {e}")),
            };
            let _ = tx.send(why);
        });
    if let Err(e) = spawned {
        return LeaseError::Setup(format!("no thread: {e}"));
    }
    rx.await
        .unwrap_or_else(|_| LeaseError::Setup("the lease thread died".into()))
}

/// Waits for the lease, tells every controller in `leads` to lead once it is held, and returns only if it is
/// lost.
async fn follow(client: Client, cfg: LeaseConfig, leads: Vec<Recipient<Lead>>) -> LeaseError {
    let secs = cfg.duration.as_secs().max(2);
    // Renew a third of the duration before it runs out: two renewals may fail before the lease is lost.
    let params = LeaseParams::new(cfg.identity.clone(), secs, (secs / 3).max(1));
    let lease = LeaseManagerBuilder::new(client, cfg.name.clone())
        .with_namespace(cfg.namespace.clone())
        .with_parameters(params)
        .with_create_mode(LeaseCreateMode::AutoCreate)
        .build()
        .await;
    let lease = match lease {
        Ok(l) => l,
        Err(e) => return e.into(),
    };
    let (mut held, task) = lease.watch().await;
    info!(lease = %cfg.name, namespace = %cfg.namespace, identity = %cfg.identity, "standing by for the lease");
    let mut leading = false;
    loop {
        if held.changed().await.is_err() {
            let why = match task.await {
                Ok(Err(e)) => return e.into(),
                Ok(Ok(_)) => "the lease manager stopped".to_owned(),
                Err(e) => e.to_string(),
            };
            return LeaseError::Lost(why);
        }
        let now = *held.borrow_and_update();
        match (leading, now) {
            (false, true) => {
                info!(lease = %cfg.name, identity = %cfg.identity, "lease acquired; leading");
                leading = true;
                for r in &leads {
                    r.do_send(Lead);
                }
            }
            (true, false) => {
                warn!(lease = %cfg.name, identity = %cfg.identity, "lease lost; stopping");
                return LeaseError::Lost(cfg.name);
            }
            _ => {}
        }
    }
}
