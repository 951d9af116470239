//! A load balancer's life apart from its Service's: the user's own TargetGroupBinding (to a target group the
//! user made) on an NLB Service of ours is left alone when the Service is deleted, while tgsync removes its
//! own NLB, target group and binding; once the Service is created again, the same binding serves it.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use kube::api::Api;
use kube::ResourceExt;
use tgsync::crd::TargetGroupBinding;
use tgsync_actors::stack::{StackId, StackKind};

use crate::support::*;

const TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-type";
const TARGET_TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";

/// Polls until the user's target group and the stack's hold exactly the ready pods, `replicas` of them.
async fn both_hold(client: &kube::Client, ns: &str, users: &str, replicas: usize, tgsync: &Tgsync) {
    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Service,
        id: format!("{ns}/web"),
    };
    poll_until(
        &format!("the user's and tgsync's target groups hold the {replicas} ready pods"),
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let want = ready_endpoints(client, ns, "web", 8080).await?;
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            let ours = d
                .target_groups
                .values()
                .next()
                .ok_or("no target group of the NLB")?;
            let (mine, theirs) = (targets(users).await?, targets(&ours.arn).await?);
            if want.len() == replicas && mine == want && theirs == want {
                Ok(())
            } else {
                Err(format!(
                    "{} ready; the user's group holds {}, the NLB's {}",
                    want.len(),
                    mine.len(),
                    theirs.len()
                ))
            }
        },
    )
    .await;
}

#[actix_rt::test]
async fn a_users_binding_outlives_its_nlb_service_and_serves_it_again_when_recreated() {
    let ns = TestNamespace::create("nlb-own");
    let client = kube_client().await;
    let users = create_target_group(&unique("own"), TargetTypeEnum::Ip).await;
    let service = load_balancer_service("web", None, &[(TYPE, "external"), (TARGET_TYPE, "ip")]);
    ns.apply(&web(3, "LoadBalancer"));
    ns.apply(&service);
    ns.apply(&binding("mine", &users, "ip"));
    let tgsync = Tgsync::start(&ns.0);
    both_hold(&client, &ns.0, &users, 3, &tgsync).await;
    let bindings: Api<TargetGroupBinding> = Api::namespaced(client.clone(), &ns.0);
    let uid = bindings
        .get("mine")
        .await
        .expect("the user's binding")
        .uid();

    kubectl(
        &["delete", "service", "web", "-n", &ns.0, "--timeout=120s"],
        None,
    );
    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Service,
        id: format!("{}/web", ns.0),
    };
    until_stack_gone(&reader, &stack, CONVERGE, || tgsync.log_tail()).await;
    let left: Vec<String> = bindings
        .list(&Default::default())
        .await
        .expect("list bindings")
        .items
        .iter()
        .map(|b| b.name_any())
        .collect();
    assert_eq!(left, ["mine"], "only the user's binding is left");
    elb()
        .await
        .describe_target_groups()
        .target_group_arns(&users)
        .send()
        .await
        .expect("the user's target group is still there");

    ns.apply(&service);
    both_hold(&client, &ns.0, &users, 3, &tgsync).await;
    kubectl(
        &["scale", "deployment/web", "-n", &ns.0, "--replicas=5"],
        None,
    );
    both_hold(&client, &ns.0, &users, 5, &tgsync).await;
    assert_eq!(
        bindings
            .get("mine")
            .await
            .expect("the user's binding")
            .uid(),
        uid,
        "the same binding object throughout"
    );
}
