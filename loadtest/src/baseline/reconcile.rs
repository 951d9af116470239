//! One reconcile of one binding, as the controller's ip-mode reconcile does it.

use rustc_hash::FxHashSet;
use std::future::Future;
use std::time::Duration;

use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{ElbError, HealthState, TargetHealth};
use tokio::time::{sleep, Instant};

use super::backoff::{sdk_delay, sdk_retryable};
use super::checkpoint::checkpoint_of;
use super::targets_cache::Lookup;
use super::State;
use crate::scenario::desired_of;

/// Which API a call is, for the client-side throttle.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Mutating,
    Describe,
}

/// Recomputes the whole desired set and stops there if the binding's checkpoint already holds its hash;
/// otherwise diffs it against the (cached) ELB view, deregisters then registers in serial chunks, and
/// writes the checkpoint. Returns a requeue delay when readiness gates are still pending.
pub(super) async fn reconcile(state: &State, key: usize) -> Result<Option<Duration>, ElbError> {
    let binding = &state.bindings[key];
    let tg = &binding.tg;
    let desired: FxHashSet<Target> = {
        let slices = state.slices.borrow();
        match slices.get(&binding.service) {
            Some(s) => desired_of(s.values(), binding),
            None => FxHashSet::default(),
        }
    };
    let hash = checkpoint_of(&desired, binding);
    if state.checkpoints.borrow().holds(key, hash) {
        return Ok(None);
    }
    list_targets(state, tg).await?;
    let (to_deregister, to_register) = {
        let cache = state.cache.borrow();
        let current: FxHashSet<Target> = cache
            .get(tg)
            .map(|c| {
                c.targets()
                    .iter()
                    .filter(|(_, h)| **h != Some(HealthState::Draining))
                    .map(|(t, _)| *t)
                    .collect()
            })
            .unwrap_or_default();
        let mut dereg: Vec<Target> = current.difference(&desired).copied().collect();
        let mut reg: Vec<Target> = desired.difference(&current).copied().collect();
        // Sorted, as the controller lists its sets.
        dereg.sort();
        reg.sort();
        (dereg, reg)
    };
    if !to_deregister.is_empty() || !to_register.is_empty() {
        // Cleared before any change, so a reconcile that fails halfway is never skipped afterwards.
        set_checkpoint(state, key, None);
    }
    let chunk = state.config.chunk.max(1);
    for part in to_deregister.chunks(chunk) {
        let elb = state.elb.clone();
        let (tg2, targets) = (tg.clone(), part.to_vec());
        call(state, Api::Mutating, move || {
            elb.deregister(&tg2, targets.clone())
        })
        .await?;
        state.cache.borrow_mut().deregistered(tg, part);
    }
    for part in to_register.chunks(chunk) {
        let elb = state.elb.clone();
        let (tg2, targets) = (tg.clone(), part.to_vec());
        call(state, Api::Mutating, move || {
            elb.register(&tg2, targets.clone())
        })
        .await?;
        state.cache.borrow_mut().registered(tg, part);
    }
    let gates_pending = state.readiness_gates && write_pod_conditions(state, key, &desired);
    if gates_pending {
        // The controller returns its requeue before writing the checkpoint, so the next reconcile runs.
        set_checkpoint(state, key, None);
        return Ok(Some(state.config.readiness_requeue));
    }
    set_checkpoint(state, key, Some(hash));
    Ok(None)
}

/// Writes the target-health condition of the binding's gated pods from the health just read; returns
/// whether any is not true yet. A patched pod is a pod update, which the pod watch turns into another
/// reconcile of the binding.
fn write_pod_conditions(state: &State, key: usize, desired: &FxHashSet<Target>) -> bool {
    let cache = state.cache.borrow();
    let entry = cache.get(&state.bindings[key].tg);
    let health = |t: &Target| entry.and_then(|c| c.targets().get(t).copied().flatten());
    if state.conditions.borrow_mut().write(key, desired, health) {
        state.queue.add(key);
    }
    desired
        .iter()
        .any(|t| health(t) != Some(HealthState::Healthy))
}

/// Patches the binding's checkpoint annotation. The controller watches its bindings with no predicate, so
/// a patch that changes the annotation comes back as a reconcile request for the same binding.
fn set_checkpoint(state: &State, key: usize, hash: Option<u64>) {
    if state.checkpoints.borrow_mut().set(key, hash) {
        state.queue.add(key);
    }
}

/// `cachedTargetsManager.ListTargets`: the cache if fresh, describing again while any target is not healthy.
async fn list_targets(state: &State, tg: &TargetGroupKey) -> Result<(), ElbError> {
    let lookup = state
        .cache
        .borrow()
        .lookup(tg, Instant::now(), state.config.cache_ttl);
    if lookup == Lookup::Hit {
        return Ok(());
    }
    let elb = state.elb.clone();
    let tg2 = tg.clone();
    let rows: Vec<TargetHealth> =
        call(state, Api::Describe, move || elb.describe_health(&tg2)).await?;
    let mut cache = state.cache.borrow_mut();
    match lookup {
        Lookup::Miss => cache.fill(tg, rows, Instant::now()),
        _ => cache.refresh_unhealthy(tg, rows),
    }
    Ok(())
}

/// One SDK operation: the client-side throttle once, then the standard retryer around the attempts (the
/// controller adds its limiter to the SDK v2 middleware stack ahead of the retry step, so retries wait only
/// on the backoff). No retry quota: the controller turns it off.
pub(super) async fn call<T, F, Fut>(state: &State, api: Api, attempt: F) -> Result<T, ElbError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, ElbError>>,
{
    throttle(state, api).await;
    let mut attempts = 1;
    loop {
        match attempt().await {
            Err(e) if sdk_retryable(&e) && attempts < state.config.max_attempts => {
                let d = sdk_delay(
                    attempts,
                    state.config.max_sdk_backoff,
                    &mut state.rng.borrow_mut(),
                );
                attempts += 1;
                sleep(d).await;
            }
            other => return other,
        }
    }
}

/// The controller's `--aws-api-throttle` limiter for this API (one per call since v3.2).
async fn throttle(state: &State, api: Api) {
    let limiter = match api {
        Api::Mutating => &state.register_limiter,
        Api::Describe => &state.describe_limiter,
    };
    let wait = limiter.borrow_mut().reserve(Instant::now());
    if !wait.is_zero() {
        sleep(wait).await;
    }
}
