//! `deploy/rbac.yaml` is enough: tgsync running as the ServiceAccount it defines serves a gated, multi-cluster
//! binding (watches, status, finalizer, owned-targets ConfigMap, pod readiness gate, Events) and releases it on
//! deletion, and the API server forbids it nothing.

use std::path::PathBuf;

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;

use crate::multi_cluster::multi_binding;
use crate::readiness_gate::{expect_gates_open, gated_web};
use crate::support::*;

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

/// No AWS call before the finalizer: tgsync allowed everything but patching bindings (so it cannot add its
/// finalizer) registers nothing, and says why.
#[tokio::test]
async fn no_target_is_registered_before_the_finalizer_is_on_the_binding() {
    let ns = TestNamespace::create("tg-nofin");
    let rbac = shipped_rbac();
    let rule = r#"resources: ["targetgroupbindings"]
    verbs: ["get", "list", "watch", "patch", "create", "delete"]"#;
    assert!(rbac.contains(rule), "deploy/rbac.yaml changed shape");
    let narrowed = rbac
        .replace(
            rule,
            r#"resources: ["targetgroupbindings"]
    verbs: ["get", "list", "watch", "create", "delete"]"#,
        )
        .replace("tgsync-leader-election", "tgsync-nopatch-leader-election")
        .replace("name: tgsync\n", "name: tgsync-nopatch\n");
    let kubeconfig = kubeconfig_with(&narrowed, "tgsync-nopatch");
    let arn = create_target_group(&unique("nofin"), TargetTypeEnum::Ip).await;
    ns.apply(&web(3, "ClusterIP"));
    let tgsync = Tgsync::start_as(&ns.0, &kubeconfig);
    ns.apply(&binding("web", &arn, "ip"));
    poll_until(
        "tgsync reports the finalizer it cannot add",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let log = std::fs::read_to_string(&tgsync.log).map_err(|e| e.to_string())?;
            if log.matches("adding the finalizer failed").count() >= 3 {
                Ok(())
            } else {
                Err("not yet".into())
            }
        },
    )
    .await;
    let have = targets(&arn).await.expect("describe");
    assert!(
        have.is_empty(),
        "registered {have:?} without a finalizer on the binding"
    );
}

fn shipped_rbac() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/rbac.yaml");
    std::fs::read_to_string(path).expect("read deploy/rbac.yaml")
}

/// Applies `deploy/rbac.yaml` and writes a kubeconfig holding a token of its ServiceAccount.
fn service_account_kubeconfig() -> PathBuf {
    kubeconfig_with(&shipped_rbac(), "tgsync")
}

/// Applies `rbac` (whose objects live in tgsync-system) and writes a kubeconfig holding a token of its
/// ServiceAccount `account`.
fn kubeconfig_with(rbac: &str, account: &str) -> PathBuf {
    kubectl(
        &["apply", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tgsync-system\n"),
    );
    kubectl(&["apply", "-f", "-"], Some(rbac));
    // The authorizer learns new roles from a watch: wait until it grants the last rule of the file, so the
    // first list tgsync makes is not refused by a role still on its way.
    let who = format!("system:serviceaccount:tgsync-system:{account}");
    let granted = || {
        std::process::Command::new(kubectl_path())
            .args([
                "auth",
                "can-i",
                "list",
                "ingressclasses.networking.k8s.io",
                "--as",
                &who,
            ])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "yes")
    };
    let start = std::time::Instant::now();
    while !granted() && start.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let token = kubectl(
        &[
            "create",
            "token",
            account,
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
    let path = log_dir().join(format!("{}.kubeconfig", unique("tgsync-sa")));
    std::fs::write(&path, config).expect("write kubeconfig");
    path
}
