//! A Service's ready endpoints, and waiting until a target group holds exactly them.

use std::collections::BTreeSet;

use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams};

use super::poll::{poll_until, CONVERGE};
use super::target_group::targets;
use super::tgsync::Tgsync;

/// `ip:port` of the ready, not-terminating endpoints of the Service's slices.
pub async fn ready_endpoints(
    client: &kube::Client,
    ns: &str,
    service: &str,
    port: u16,
) -> Result<BTreeSet<String>, String> {
    let api: Api<EndpointSlice> = Api::namespaced(client.clone(), ns);
    let list = api
        .list(&ListParams::default().labels(&format!("kubernetes.io/service-name={service}")))
        .await
        .map_err(|e| format!("list EndpointSlices: {e}"))?;
    Ok(list
        .items
        .into_iter()
        .flat_map(|s| s.endpoints)
        .filter(|e| {
            let c = e.conditions.as_ref();
            c.and_then(|c| c.ready).unwrap_or(false)
                && !c.and_then(|c| c.terminating).unwrap_or(false)
        })
        .flat_map(|e| e.addresses)
        .map(|a| format!("{a}:{port}"))
        .collect())
}

/// The target group holds exactly the Service's ready endpoints, and at least `min` of them.
pub async fn expect_synced(
    client: &kube::Client,
    ns: &str,
    arn: &str,
    min: usize,
    tgsync: &Tgsync,
) {
    poll_until(
        &format!("target group == ready endpoints (>= {min})"),
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let want = ready_endpoints(client, ns, "web", 8080).await?;
            let have = targets(arn).await?;
            if want.len() >= min && want == have {
                Ok(())
            } else {
                Err(format!(
                    "endpoints {} {want:?}, target group {} {have:?}",
                    want.len(),
                    have.len()
                ))
            }
        },
    )
    .await
}
