//! An NLB Service through a kill and a scheme change: tgsync, its budget squeezed so the first plan's calls
//! come one by one, is SIGKILLed once a target group exists and the NLB does not; started again it finishes
//! the stack with nothing made twice. Then the scheme changes: a new NLB in the public subnets replaces the
//! old one, which is deleted, and the Service shows the new name. Deleting the Service leaves nothing.

use k8s_openapi::api::core::v1::Service;
use kube::api::Api;
use tgsync_actors::stack::{Deployed, Scheme, StackId, StackKind};

use crate::support::*;

const TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-type";
const TARGET_TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
const SCHEME: &str = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const STACK_TAG: &str = "service.k8s.aws/stack";

/// Polls until the stack has its NLB with `scheme`, a listener on 80, and a target group holding the ready
/// pods, and the Service shows the NLB's name.
async fn served(client: &kube::Client, ns: &str, scheme: Scheme, tgsync: &Tgsync) -> Deployed {
    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Service,
        id: format!("{ns}/front"),
    };
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    poll_until(
        &format!("a {scheme:?} NLB serving the pods, shown on the Service"),
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            let lb = d.load_balancer.as_ref().ok_or("no NLB")?;
            if lb.spec.scheme != scheme || !d.listeners.contains_key(&80) {
                return Err(format!(
                    "{:?}, listeners {:?}",
                    lb.spec.scheme,
                    d.listeners.keys()
                ));
            }
            let tg = d.target_groups.values().next().ok_or("no target group")?;
            let want = ready_endpoints(client, ns, "front", 8080).await?;
            let have = targets(&tg.arn).await?;
            if want.len() != 2 || have != want {
                return Err(format!("{} ready, registered {have:?}", want.len()));
            }
            let svc = services.get("front").await.map_err(|e| e.to_string())?;
            let shown = svc
                .status
                .and_then(|s| s.load_balancer)
                .and_then(|l| l.ingress)
                .and_then(|i| i.into_iter().next())
                .and_then(|i| i.hostname);
            if shown.as_deref() != Some(lb.dns_name.to_lowercase().as_str()) {
                return Err(format!("the Service shows {shown:?}, not {}", lb.dns_name));
            }
            Ok(d)
        },
    )
    .await
}

#[actix_rt::test]
async fn an_nlb_survives_a_kill_mid_plan_and_is_replaced_when_its_scheme_changes() {
    let ns = TestNamespace::create("nlb-life");
    let client = kube_client().await;
    let stack_value = format!("{}/front", ns.0);
    ns.apply(&web(2, "ClusterIP"));
    ns.apply(&load_balancer_service(
        "front",
        None,
        &[(TYPE, "external"), (TARGET_TYPE, "ip")],
    ));
    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Service,
        id: stack_value.clone(),
    };

    kill_mid_plan(&ns.0, &reader, &stack).await;
    assert_eq!(
        tagged(STACK_TAG, &stack_value).await,
        (0, 1),
        "cut mid-plan (NLBs, target groups)"
    );

    let tgsync = Tgsync::start(&ns.0);
    let first = served(&client, &ns.0, Scheme::Internal, &tgsync).await;
    assert_eq!(
        tagged(STACK_TAG, &stack_value).await,
        (1, 1),
        "nothing was made twice (NLBs, target groups)"
    );
    let old = first.load_balancer.expect("the NLB");

    kubectl(
        &[
            "annotate",
            "service",
            "front",
            "-n",
            &ns.0,
            &format!("{SCHEME}=internet-facing"),
        ],
        None,
    );
    let second = served(&client, &ns.0, Scheme::InternetFacing, &tgsync).await;
    let new = second.load_balancer.expect("the NLB");
    assert_ne!(new.arn, old.arn, "a new scheme is a new NLB");
    let mut public = public_subnets();
    public.sort();
    assert_eq!(new.spec.subnets, public, "placed in the public subnets");
    assert!(
        !load_balancer_arns().await.contains(&old.arn),
        "the old NLB is deleted"
    );
    assert_eq!(
        tagged(STACK_TAG, &stack_value).await,
        (1, 1),
        "one NLB and one target group after the replacement"
    );

    kubectl(
        &["delete", "service", "front", "-n", &ns.0, "--timeout=120s"],
        None,
    );
    until_stack_gone(&reader, &stack, CONVERGE, || tgsync.log_tail()).await;
    assert_eq!(tagged(STACK_TAG, &stack_value).await, (0, 0));
}
