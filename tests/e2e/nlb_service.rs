//! Services of type LoadBalancer end to end: an ip-mode Service with two ports becomes one NLB in moto with
//! two listeners whose target groups hold the ready pod IPs through a scale 3 → 20 → 2; `kubectl get svc`
//! shows the NLB; removing a port removes its listener and target group; deleting the Service leaves nothing
//! tgsync made.

use std::collections::BTreeSet;

use kube::api::Api;
use tgsync_actors::stack::{Action, StackId, StackKind, TgRef};

use crate::support::*;

/// The Deployment `web` (kwok pods, port 8080 `http`, port 9090 `admin`) and Service `web` of type
/// LoadBalancer, class `service.k8s.aws/nlb`, ip targets, exposing `ports` (YAML list items).
fn app(replicas: u32, ports: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{{name: http, containerPort: 8080}}, {{name: admin, containerPort: 9090}}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  selector: {{app: web}}
  ports: {ports}
"#
    )
}

const TWO_PORTS: &str =
    "[{name: http, port: 80, targetPort: http}, {name: admin, port: 9090, targetPort: admin}]";
const ONE_PORT: &str = "[{name: http, port: 80, targetPort: http}]";

/// Polls until the stack has a listener on each of `ports` and every target group holds the ready pods'
/// IPs (`replicas` of them) on its target port; answers the target groups' ARNs by port.
async fn converged(
    client: &kube::Client,
    ns: &str,
    ports: &[u16],
    replicas: usize,
    tgsync: &Tgsync,
) -> Vec<String> {
    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Service,
        id: format!("{ns}/web"),
    };
    poll_until(
        &format!("an NLB on {ports:?} whose target groups hold {replicas} pods"),
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
            let have: Vec<u16> = d.listeners.keys().copied().collect();
            if have != ports || d.target_groups.len() != ports.len() {
                return Err(format!(
                    "listeners {have:?}, {} target groups",
                    d.target_groups.len()
                ));
            }
            let mut arns = Vec::new();
            for (port, target_port) in [(80u16, 8080u16), (9090, 9090)] {
                if !ports.contains(&port) {
                    continue;
                }
                let want: BTreeSet<String> =
                    ready_endpoints(client, ns, "web", target_port).await?;
                let arn = match &d.listeners[&port].spec.default_action {
                    Action::Forward { groups, .. } => match groups.first().map(|g| &g.tg) {
                        Some(TgRef::Arn(arn)) => arn.clone(),
                        other => return Err(format!("port {port} forwards to {other:?}")),
                    },
                    other => return Err(format!("port {port}: {other:?}")),
                };
                let have = targets(&arn).await?;
                if want.len() != replicas || have != want {
                    return Err(format!(
                        "port {port}: {} ready, {} registered",
                        want.len(),
                        have.len()
                    ));
                }
                arns.push(arn);
            }
            Ok(arns)
        },
    )
    .await
}

#[actix_rt::test]
async fn an_ip_mode_service_gets_an_nlb_that_follows_its_pods_ports_and_deletion() {
    let ns = TestNamespace::create("nlb");
    let client = kube_client().await;
    ns.apply(&app(3, TWO_PORTS));
    let tgsync = Tgsync::start(&ns.0);
    converged(&client, &ns.0, &[80, 9090], 3, &tgsync).await;

    let svc: k8s_openapi::api::core::v1::Service = Api::namespaced(client.clone(), &ns.0)
        .get("web")
        .await
        .expect("the Service");
    let shown = serde_json::to_value(&svc.status).expect("status");
    assert!(
        shown.pointer("/loadBalancer/ingress/0/hostname").is_some(),
        "kubectl get svc shows the NLB: {shown}"
    );
    assert!(
        svc.metadata
            .finalizers
            .unwrap_or_default()
            .iter()
            .any(|f| f == "service.k8s.aws/resources"),
        "the finalizer"
    );

    for replicas in [20, 2] {
        kubectl(
            &[
                "scale",
                "deployment/web",
                "-n",
                &ns.0,
                &format!("--replicas={replicas}"),
            ],
            None,
        );
        converged(&client, &ns.0, &[80, 9090], replicas as usize, &tgsync).await;
    }

    ns.apply(&app(2, ONE_PORT));
    converged(&client, &ns.0, &[80], 2, &tgsync).await;

    kubectl(
        &["delete", "service", "web", "-n", &ns.0, "--timeout=120s"],
        None,
    );
    let reader = stack_reader().await;
    let stack = StackId {
        kind: StackKind::Service,
        id: format!("{}/web", ns.0),
    };
    let d = reader.read(&stack).await.expect("reads");
    assert!(
        d.load_balancer.is_none() && d.target_groups.is_empty() && d.security_group.is_none(),
        "left after the Service went: {d:?}"
    );
    let bindings = kubectl(
        &["get", "targetgroupbindings", "-n", &ns.0, "-o", "name"],
        None,
    );
    assert!(bindings.trim().is_empty(), "bindings left: {bindings}");
}
