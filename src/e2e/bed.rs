//! Test-bed plumbing: kubectl, clients, namespaces, target groups in moto and the tgsync child process.

use std::collections::BTreeSet;
use std::fs::File;
use std::future::Future;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetTypeEnum};

pub const HOW_TO_RUN: &str =
    "these tests need the local test bed: run `deploy/local/testbed test`, \
     or `deploy/local/testbed up` and `source deploy/local/.run/env` first";

/// How long tgsync and the bed may take to converge.
pub const CONVERGE: Duration = Duration::from_secs(90);

pub fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{name} is not set: {HOW_TO_RUN}"),
    }
}

fn kubectl_path() -> String {
    std::env::var("TGSYNC_TESTBED_KUBECTL").unwrap_or_else(|_| "kubectl".to_string())
}

/// Runs kubectl against the bed, feeding `stdin` if given; panics with its stderr when it fails.
pub fn kubectl(args: &[&str], stdin: Option<&str>) -> String {
    required_env("KUBECONFIG");
    let mut child = Command::new(kubectl_path())
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}): {HOW_TO_RUN}", kubectl_path()));
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes())
            .expect("write kubectl stdin");
    }
    let out = child.wait_with_output().expect("wait for kubectl");
    assert!(
        out.status.success(),
        "kubectl {} failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A name unique to this run.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!(
        "{prefix}-{:x}{:06x}",
        std::process::id(),
        nanos % 0x100_0000
    )
}

/// The test's own namespace (with the CRD applied first), deleted without waiting at the end.
pub struct TestNamespace(pub String);

impl TestNamespace {
    pub fn create(prefix: &str) -> Self {
        let crd = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("deploy/crds/elbv2.k8s.aws_targetgroupbindings.yaml");
        kubectl(&["apply", "-f", crd.to_str().expect("utf-8 path")], None);
        kubectl(
            &[
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                "crd/targetgroupbindings.elbv2.k8s.aws",
            ],
            None,
        );
        let name = unique(prefix);
        kubectl(&["create", "namespace", &name], None);
        TestNamespace(name)
    }

    /// `kubectl apply -n <ns> -f -`.
    pub fn apply(&self, yaml: &str) {
        kubectl(&["apply", "-n", &self.0, "-f", "-"], Some(yaml));
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        // Bindings keep their finalizer once tgsync is gone: drop it so the namespace can go.
        let _ = Command::new(kubectl_path())
            .args([
                "patch",
                "targetgroupbindings",
                "--all",
                "-n",
                &self.0,
                "--type=merge",
                "-p",
                r#"{"metadata":{"finalizers":null}}"#,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = Command::new(kubectl_path())
            .args(["delete", "namespace", &self.0, "--wait=false"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `tgsync run --namespace <ns>` as a child process (the binary cargo built for this test), killed on drop.
/// Its log goes to `target/e2e-logs/<ns>-<n>.log`.
pub struct Tgsync {
    child: Child,
    pub log: PathBuf,
}

impl Tgsync {
    pub fn start(ns: &str) -> Self {
        Self::start_with(ns, None, &["--namespace", ns])
    }

    /// Runs it as the identity in `kubeconfig` instead of the bed's admin.
    pub fn start_as(ns: &str, kubeconfig: &std::path::Path) -> Self {
        Self::start_with(ns, Some(kubeconfig), &["--namespace", ns])
    }

    /// Runs it over every namespace, as in a real cluster, with `extra` flags; `label` names its log.
    #[allow(dead_code)] // Used by the cluster-wide binary only.
    pub fn cluster_wide(label: &str, extra: &[&str]) -> Self {
        Self::start_with(label, None, extra)
    }

    fn start_with(ns: &str, kubeconfig: Option<&std::path::Path>, args: &[&str]) -> Self {
        required_env("KUBECONFIG");
        required_env("AWS_ENDPOINT_URL");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-logs");
        std::fs::create_dir_all(&dir).expect("create log dir");
        let log = dir.join(format!("{}.log", unique(ns)));
        let out = File::create(&log).expect("create tgsync log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tgsync"));
        if let Some(k) = kubeconfig {
            cmd.env("KUBECONFIG", k);
        }
        let child = cmd
            .arg("run")
            .args(args)
            .env("RUST_LOG", "info,tgsync=debug,tgsync_actors=debug")
            .env("NO_COLOR", "1")
            .stdout(out.try_clone().expect("dup log"))
            .stderr(out)
            .spawn()
            .expect("start tgsync run");
        Tgsync { child, log }
    }

    /// Kills it at once (SIGKILL): nothing is drained.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Tgsync {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn kube_client() -> kube::Client {
    required_env("KUBECONFIG");
    kube::Client::try_default()
        .await
        .unwrap_or_else(|e| panic!("cannot build a Kubernetes client ({e}): {HOW_TO_RUN}"))
}

pub async fn elb() -> aws_sdk_elasticloadbalancingv2::Client {
    aws_sdk_elasticloadbalancingv2::Client::new(&aws().await)
}

async fn aws() -> aws_config::SdkConfig {
    required_env("AWS_ENDPOINT_URL");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
}

/// Creates a target group in moto's default VPC; returns its ARN.
pub async fn create_target_group(name: &str, target_type: TargetTypeEnum) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&aws().await);
    let vpcs = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    let vpc = vpcs
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .or_else(|| vpcs.vpcs().first())
        .and_then(|v| v.vpc_id())
        .expect("moto has a default VPC")
        .to_owned();
    let out = elb()
        .await
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc)
        .target_type(target_type)
        .send()
        .await
        .expect("CreateTargetGroup");
    out.target_groups()[0]
        .target_group_arn()
        .expect("target group ARN")
        .to_owned()
}

/// The target group's targets as `id:port`.
pub async fn targets(arn: &str) -> Result<BTreeSet<String>, String> {
    let out = elb()
        .await
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| format!("DescribeTargetHealth: {e}"))?;
    Ok(out
        .target_health_descriptions()
        .iter()
        .filter_map(|d| d.target())
        .map(|t| {
            format!(
                "{}:{}",
                t.id().unwrap_or_default(),
                t.port().unwrap_or_default()
            )
        })
        .collect())
}

/// Polls `probe` until it returns `Ok`, or panics after `limit` with the last `Err` and `context()`.
pub async fn poll_until<T, F, Fut>(
    what: &str,
    limit: Duration,
    context: impl Fn() -> String,
    mut probe: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match probe().await {
            Ok(v) => return v,
            Err(last) if start.elapsed() >= limit => {
                panic!(
                    "{what}: not reached within {limit:?}; last seen: {last}\n{}",
                    context()
                )
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

/// `ip:port` of the ready, not-terminating endpoints of the Service's slices.
pub async fn ready_endpoints(
    client: &kube::Client,
    ns: &str,
    service: &str,
    port: u16,
) -> Result<BTreeSet<String>, String> {
    use k8s_openapi::api::discovery::v1::EndpointSlice;
    use kube::api::{Api, ListParams};
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

/// A Deployment `web` of `replicas` kwok pods with container port 8080 (`http`) and a Service `web` port 80.
pub fn web(replicas: u32, service_type: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  strategy:
    rollingUpdate: {{maxSurge: 25%, maxUnavailable: 25%}}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{{name: http, containerPort: 8080}}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: {service_type}
  selector: {{app: web}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"#
    )
}

/// Deletes binding `name` and waits (up to a minute) until it is gone: tgsync's finalizer holds it until
/// its targets are deregistered.
pub fn delete_binding(ns: &str, name: &str) {
    kubectl(
        &[
            "delete",
            "targetgroupbinding",
            "-n",
            ns,
            name,
            "--timeout=60s",
        ],
        None,
    );
}

/// A binding of Service `web` port 80 to `arn`.
pub fn binding(name: &str, arn: &str, target_type: &str) -> String {
    format!(
        r#"
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata:
  name: {name}
spec:
  targetGroupARN: {arn}
  targetType: {target_type}
  serviceRef: {{name: web, port: 80}}
"#
    )
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
