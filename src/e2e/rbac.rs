//! `deploy/rbac.yaml` is enough: tgsync running as the ServiceAccount it defines serves a gated, multi-cluster
//! binding (watches, status, finalizer, owned-targets ConfigMap, pod readiness gate, Events) and releases it on
//! deletion, and the API server forbids it nothing.

use std::path::PathBuf;

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;

use crate::bed::*;
use crate::multi_cluster::multi_binding;
use crate::readiness_gate::{expect_gates_open, gated_web};

#[tokio::test]
async fn tgsync_runs_with_the_shipped_rbac() {
    let ns = TestNamespace::create("tg-rbac");
    let client = kube_client().await;
    let kubeconfig = service_account_kubeconfig();
    let arn = create_target_group(&unique("rbac"), TargetTypeEnum::Ip).await;
    ns.apply(&gated_web(3));
    let tgsync = Tgsync::start_as(&ns.0, &kubeconfig);
    ns.apply(&multi_binding(&arn));
    expect_gates_open(&client, &ns.0, &arn, 3, &tgsync).await;

    delete_binding(&ns.0, "web");
    poll_until(
        "target group empty",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let have = targets(&arn).await?;
            if have.is_empty() {
                Ok(())
            } else {
                Err(format!("{have:?}"))
            }
        },
    )
    .await;
    let log = std::fs::read_to_string(&tgsync.log).expect("tgsync log");
    assert!(
        !log.to_lowercase().contains("forbidden"),
        "the API server refused tgsync something:\n{}",
        tgsync.log_tail()
    );
}

/// Applies `deploy/rbac.yaml` and writes a kubeconfig holding a token of its ServiceAccount.
fn service_account_kubeconfig() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    kubectl(
        &["apply", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tgsync-system\n"),
    );
    let rbac = repo.join("deploy/rbac.yaml");
    kubectl(&["apply", "-f", rbac.to_str().expect("utf-8 path")], None);
    let token = kubectl(
        &[
            "create",
            "token",
            "tgsync",
            "-n",
            "tgsync-system",
            "--duration=1h",
        ],
        None,
    );
    let cluster = |field: &str| {
        kubectl(
            &[
                "config",
                "view",
                "--minify",
                "--raw",
                "-o",
                &format!("jsonpath={{.clusters[0].cluster.{field}}}"),
            ],
            None,
        )
    };
    let (server, ca) = (cluster("server"), cluster("certificate-authority"));
    let config = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: bed\n  cluster: {{server: {server}, certificate-authority: {ca}}}\n\
         users:\n- name: tgsync\n  user: {{token: {token}}}\ncontexts:\n- name: tgsync\n  context: {{cluster: bed, user: tgsync}}\n\
         current-context: tgsync\n",
        token = token.trim()
    );
    let dir = repo.join("target/e2e-logs");
    std::fs::create_dir_all(&dir).expect("create log dir");
    let path = dir.join(format!("{}.kubeconfig", unique("tgsync-sa")));
    std::fs::write(&path, config).expect("write kubeconfig");
    path
}
