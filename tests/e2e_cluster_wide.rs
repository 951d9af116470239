//! `tgsync run` over every namespace of a cluster that already holds thousands of pods: 2,000 kwok pods in
//! 20 namespaces behind 40 bindings and 20 Ingresses in 5 groups (one ALB each, spanning 4 namespaces), all
//! created before tgsync starts, plus a binding with a bad ARN and one naming a target group another binding
//! serves. It must converge on its first list, again after a rolling
//! restart of every Deployment at once during which it is killed (SIGKILL) and started again, and release
//! every binding on deletion. Its own test binary, so no other test's tgsync runs beside the cluster-wide one:
//! `cargo test -p tgsync --features testbed --test e2e_cluster_wide` (the bed up, as for `e2e`).
//!
//! Figures (first-list convergence, convergence after the restart) are printed and written to
//! `target/e2e-logs/cluster-wide-figures.txt`.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;
use kube::api::Api;
use support::*;
use tgsync::crd::TargetGroupBinding;
use tgsync_actors::stack::{StackId, StackKind};

const NAMESPACES: usize = 20;
const PER_NAMESPACE: usize = 2;
const PODS: usize = 50;
/// Ingress groups, each with one member in every `GROUPS`th namespace.
const GROUPS: usize = 5;
/// The big list, the restart and the drain each take minutes on the 2-core bed; generous, not a target.
const LONG: Duration = Duration::from_secs(600);

/// Deployment + Service `name` with `replicas` kwok pods on container port 8080.
fn app(name: &str, replicas: usize) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  strategy: {{rollingUpdate: {{maxSurge: 25%, maxUnavailable: 25%}}}}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: web, image: web:1, ports: [{{name: http, containerPort: 8080}}]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"#
    )
}

/// Ingress `ing` in group `group`, routing host `<ns>.example.com` to Service app-0.
fn ingress(ns: &str, group: &str) -> String {
    format!(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
  annotations:
    kubernetes.io/ingress.class: alb
    alb.ingress.kubernetes.io/group.name: {group}
    alb.ingress.kubernetes.io/target-type: ip
spec:
  rules:
  - host: {ns}.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {{service: {{name: app-0, port: {{number: 80}}}}}}
"#
    )
}

/// Polls until every group's ALB routes its members' hosts; answers each member's target group as a
/// `Bound` (the namespace is the first part of the target group's resource id).
async fn ingress_stacks(groups: &[String], tgsync: &Tgsync) -> Vec<Bound> {
    let reader = stack_reader().await;
    let mut bound = Vec::new();
    for group in groups {
        let stack = StackId {
            kind: StackKind::Ingress,
            id: group.clone(),
        };
        let d = poll_until(
            &format!("group {group}: one ALB with a rule per member"),
            LONG,
            || tgsync.log_tail(),
            || async {
                let d = reader.read(&stack).await.map_err(|e| e.to_string())?;
                let rules = d.listeners.get(&80).map_or(0, |l| l.rules.len());
                if rules == NAMESPACES / GROUPS && d.target_groups.len() == rules {
                    Ok(d)
                } else {
                    Err(format!(
                        "{rules} rules, {} target groups",
                        d.target_groups.len()
                    ))
                }
            },
        )
        .await;
        for (resource, tg) in d.target_groups {
            let ns = resource.split('/').next().unwrap_or_default().to_owned();
            bound.push(Bound {
                ns,
                service: "app-0".into(),
                arn: tg.arn,
            });
        }
    }
    bound
}

fn bind(name: &str, service: &str, arn: &str) -> String {
    format!(
        r#"
apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata: {{name: {name}}}
spec:
  targetGroupARN: {arn}
  targetType: ip
  serviceRef: {{name: {service}, port: 80}}
"#
    )
}

/// One Service behind one target group.
struct Bound {
    ns: String,
    service: String,
    arn: String,
}

/// How many bound Services have their target group equal to their ready endpoints; the first mismatch.
async fn converged(client: &kube::Client, all: &[Bound]) -> Result<(), String> {
    let mut off = Vec::new();
    for b in all {
        let want = ready_endpoints(client, &b.ns, &b.service, 8080).await?;
        let have = targets(&b.arn).await?;
        if want.len() < PODS * 3 / 4 || want != have {
            let extra: BTreeSet<_> = have.difference(&want).collect();
            let missing: BTreeSet<_> = want.difference(&have).collect();
            off.push(format!(
                "{}/{}: {} ready, {} registered, {} missing, {} extra",
                b.ns,
                b.service,
                want.len(),
                have.len(),
                missing.len(),
                extra.len()
            ));
        }
    }
    match off.first() {
        None => Ok(()),
        Some(first) => Err(format!("{} of {} off, e.g. {first}", off.len(), all.len())),
    }
}

/// Polls until every bound Service's target group equals its ready endpoints; the tgsync log on failure.
async fn until_converged(what: &str, client: &kube::Client, all: &[Bound], tgsync: &Tgsync) {
    poll_until(what, LONG, || tgsync.log_tail(), || converged(client, all)).await;
}

async fn ready_reason(client: &kube::Client, ns: &str, name: &str) -> Result<String, String> {
    let api: Api<TargetGroupBinding> = Api::namespaced(client.clone(), ns);
    let b = api.get(name).await.map_err(|e| e.to_string())?;
    b.status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .map(|c| format!("{} {}", c.status, c.reason))
        .ok_or_else(|| "no Ready condition yet".into())
}

/// Whether `t` logged that it holds the lease.
fn leads(t: &Tgsync) -> Result<(), String> {
    let log = std::fs::read_to_string(&t.log).map_err(|e| e.to_string())?;
    if log.contains("lease acquired; leading") {
        Ok(())
    } else {
        Err("not leading".into())
    }
}

fn figures_path() -> std::path::PathBuf {
    log_dir().join("cluster-wide-figures.txt")
}

fn figure(line: &str) {
    println!("{line}");
    let path = figures_path();
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(line);
    text.push('\n');
    let _ = std::fs::write(&path, text);
}

#[actix_rt::test]
async fn a_big_cluster_converges_on_first_list_through_a_restart_and_a_kill() {
    let client = kube_client().await;
    let _ = std::fs::remove_file(figures_path());
    let mut namespaces = Vec::new();
    let mut all = Vec::new();
    let groups: Vec<String> = (0..GROUPS).map(|g| unique(&format!("bigg{g}"))).collect();
    for i in 0..NAMESPACES {
        let ns = TestNamespace::create(&format!("big{i:02}"));
        let mut yaml = String::new();
        for j in 0..PER_NAMESPACE {
            let service = format!("app-{j}");
            let arn =
                create_target_group(&unique(&format!("big{i:02}{j}")), TargetTypeEnum::Ip).await;
            yaml.push_str(&app(&service, PODS));
            yaml.push_str("---\n");
            yaml.push_str(&bind(&service, &service, &arn));
            yaml.push_str("---\n");
            all.push(Bound {
                ns: ns.0.clone(),
                service,
                arn,
            });
        }
        yaml.push_str(&ingress(&ns.0, &groups[i % GROUPS]));
        ns.apply(&yaml);
        namespaces.push(ns);
    }
    // Bad input among the good: an ARN that is no ARN, and a second binding of a group already bound.
    let first = &namespaces[0].0;
    namespaces[0].apply(&bind("garbage", "app-0", "not-an-arn"));
    namespaces[0].apply(&bind("twice", "app-1", &all[0].arn));

    let no_tgsync = || String::from("(tgsync not started yet)");
    poll_until(
        "2,000 pods ready before tgsync starts",
        LONG,
        no_tgsync,
        || async {
            let mut ready = 0;
            for b in &all {
                ready += ready_endpoints(&client, &b.ns, &b.service, 8080)
                    .await?
                    .len();
            }
            if ready == NAMESPACES * PER_NAMESPACE * PODS {
                Ok(())
            } else {
                Err(format!("{ready} ready endpoints"))
            }
        },
    )
    .await;

    // Two replicas with leader election, as deploy/deployment.yaml runs them; the first to start leads.
    let lease_ns = namespaces[0].0.clone();
    // A short sync period and AWS deadline, so drift repair and the ELBv2 outage below take seconds.
    let flags = [
        "--leader-elect",
        "--lease-namespace",
        lease_ns.as_str(),
        "--lease-duration-s",
        "5",
        "--sync-period-s",
        "20",
        "--aws-call-timeout-s",
        "5",
    ];
    let started = Instant::now();
    let tgsync = Tgsync::cluster_wide("cluster-wide-a", &flags);
    poll_until(
        "a leads",
        CONVERGE,
        || tgsync.log_tail(),
        || async { leads(&tgsync) },
    )
    .await;
    let standby = Tgsync::cluster_wide("cluster-wide-b", &flags);
    until_converged(
        "every target group == its Service's endpoints",
        &client,
        &all,
        &tgsync,
    )
    .await;
    figure(&format!(
        "first list: {} pods, {} bindings, {} namespaces converged {:.1} s after start",
        NAMESPACES * PER_NAMESPACE * PODS,
        all.len(),
        NAMESPACES,
        started.elapsed().as_secs_f64()
    ));
    // The Ingress groups' target groups join the check: from here on they must follow their pods too.
    let users = all.len();
    all.extend(ingress_stacks(&groups, &tgsync).await);
    until_converged(
        "every Ingress target group == its Service's endpoints",
        &client,
        &all,
        &tgsync,
    )
    .await;
    figure(&format!(
        "first list: {GROUPS} Ingress groups of {} members (one ALB each, their target groups holding the \
         pods) converged {:.1} s after start",
        NAMESPACES / GROUPS,
        started.elapsed().as_secs_f64()
    ));
    for (name, want) in [
        ("garbage", "False InvalidTargetGroupARN"),
        ("twice", "False TargetGroupInUse"),
    ] {
        poll_until(
            &format!("{name}: {want}"),
            CONVERGE,
            || tgsync.log_tail(),
            || async {
                let have = ready_reason(&client, first, name).await?;
                if have == want {
                    Ok(())
                } else {
                    Err(have)
                }
            },
        )
        .await;
    }

    assert!(
        leads(&standby).is_err(),
        "the standby must not lead while a leads"
    );

    // Every Deployment restarted at once; the leader killed (SIGKILL) mid-batch: the warm standby takes over
    // from the checkpoints and what ELB holds.
    let restarted = Instant::now();
    restart_some(&namespaces, NAMESPACES);
    tokio::time::sleep(Duration::from_secs(8)).await;
    tgsync.kill();
    let killed = Instant::now();
    let tgsync = standby;
    poll_until(
        "the standby takes over",
        CONVERGE,
        || tgsync.log_tail(),
        || async { leads(&tgsync) },
    )
    .await;
    figure(&format!(
        "failover: the standby led {:.1} s after the leader was killed (lease 5 s)",
        killed.elapsed().as_secs_f64()
    ));
    for b in &all[..users] {
        let deployment = format!("deployment/{}", b.service);
        kubectl(
            &[
                "rollout",
                "status",
                &deployment,
                "-n",
                &b.ns,
                "--timeout=600s",
            ],
            None,
        );
    }
    let rolled = restarted.elapsed();
    until_converged(
        "converged after the restart and the kill",
        &client,
        &all,
        &tgsync,
    )
    .await;
    figure(&format!(
        "rolling restart of {} Deployments with a SIGKILL 8 s in: rollouts done after {:.1} s, target groups \
         converged {:.1} s after the restart began",
        users,
        rolled.as_secs_f64(),
        restarted.elapsed().as_secs_f64()
    ));
    faults(&client, &all, &namespaces, &tgsync).await;
    for b in &all[..users] {
        let obj = Api::<TargetGroupBinding>::namespaced(client.clone(), &b.ns)
            .get(&b.service)
            .await
            .expect("binding");
        assert!(
            obj.metadata
                .finalizers
                .unwrap_or_default()
                .iter()
                .any(|f| f == "elbv2.k8s.aws/resources"),
            "{}/{} lost its finalizer",
            b.ns,
            b.service
        );
    }

    // Every Ingress deleted: each group's ALB and target groups go, and the bindings tgsync made for them.
    let reader = stack_reader().await;
    for ns in &namespaces {
        kubectl(
            &["delete", "ingress", "--all", "-n", &ns.0, "--wait=false"],
            None,
        );
    }
    for group in &groups {
        let stack = StackId {
            kind: StackKind::Ingress,
            id: group.clone(),
        };
        until_stack_gone(&reader, &stack, LONG, || tgsync.log_tail()).await;
    }
    all.truncate(users);

    // Every binding deleted while tgsync runs: all released, every target group left empty.
    for ns in &namespaces {
        kubectl(
            &[
                "delete",
                "targetgroupbindings",
                "--all",
                "-n",
                &ns.0,
                "--timeout=600s",
            ],
            None,
        );
    }
    for b in &all {
        let left = targets(&b.arn).await.expect("describe");
        assert!(left.is_empty(), "{}/{} left {left:?}", b.ns, b.service);
    }
}

/// The bed's run directory (where `up` keeps pid files), next to the kubeconfig it wrote.
fn run_dir() -> std::path::PathBuf {
    let kubeconfig = std::path::PathBuf::from(required_env("KUBECONFIG"));
    kubeconfig
        .parent()
        .expect("kubeconfig in the run dir")
        .to_owned()
}

/// Sends `signal` to a bed component by its pid file.
fn signal(component: &str, signal: &str) {
    let pidfile = run_dir().join("pids").join(format!("{component}.pid"));
    let text = std::fs::read_to_string(&pidfile).expect("pid file");
    let pid = text.split_whitespace().next().expect("pid").to_owned();
    let ok = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill {signal} {component} ({pid})");
}

/// `kubectl rollout restart` of every Deployment in the first `n` namespaces.
fn restart_some(namespaces: &[TestNamespace], n: usize) {
    for ns in namespaces.iter().take(n) {
        kubectl(&["rollout", "restart", "deployment", "-n", &ns.0], None);
    }
}

/// Faults under a converged cluster, each followed by convergence without restarting tgsync: ELBv2 frozen for
/// 30 s during churn, the API server restarted after an etcd compaction during churn, a target deregistered
/// behind tgsync's back.
async fn faults(
    client: &kube::Client,
    all: &[Bound],
    namespaces: &[TestNamespace],
    tgsync: &Tgsync,
) {
    // ELBv2 outage: moto frozen (SIGSTOP), so calls hang until their deadline, then thawed.
    restart_some(namespaces, 5);
    tokio::time::sleep(Duration::from_secs(3)).await;
    signal("moto", "-STOP");
    tokio::time::sleep(Duration::from_secs(30)).await;
    signal("moto", "-CONT");
    let thawed = Instant::now();
    until_converged("converged after a 30 s ELBv2 outage", client, all, tgsync).await;
    figure(&format!(
        "ELBv2 frozen 30 s during a restart of 10 Deployments: converged {:.1} s after it came back",
        thawed.elapsed().as_secs_f64()
    ));
    let log = std::fs::read_to_string(&tgsync.log).unwrap_or_default();
    assert!(
        log.contains("call failed; targets kept for the next call"),
        "no call met the outage:\n{}",
        tgsync.log_tail()
    );

    // API server restart after compacting etcd: watches drop and resume from versions etcd no longer has.
    compact_etcd();
    restart_some(&namespaces[5..], 5);
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(repo.join("deploy/local/testbed"))
        .arg("restart-apiserver")
        .output()
        .expect("testbed restart-apiserver");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = Instant::now();
    until_converged("converged after an API server restart", client, all, tgsync).await;
    figure(&format!(
        "API server restarted (etcd compacted) during a restart of 10 Deployments: converged {:.1} s after",
        back.elapsed().as_secs_f64()
    ));

    // Drift: a target deregistered by hand comes back within one sync period (20 s here).
    let b = &all[all.len() - 1];
    let victim = targets(&b.arn)
        .await
        .expect("describe")
        .into_iter()
        .next()
        .expect("a target");
    let (ip, port) = victim.rsplit_once(':').expect("ip:port");
    elb()
        .await
        .deregister_targets()
        .target_group_arn(&b.arn)
        .targets(
            aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                .id(ip)
                .port(port.parse().expect("port"))
                .build(),
        )
        .send()
        .await
        .expect("DeregisterTargets by hand");
    let drifted = Instant::now();
    poll_until(
        "the hand-removed target is back",
        CONVERGE,
        || tgsync.log_tail(),
        || async {
            let have = targets(&b.arn).await?;
            if have.contains(&victim) {
                Ok(())
            } else {
                Err(format!("{victim} still missing"))
            }
        },
    )
    .await;
    figure(&format!(
        "drift: a target deregistered by hand was registered again {:.1} s later (sync period 20 s)",
        drifted.elapsed().as_secs_f64()
    ));
}

/// Compacts etcd to its current revision (its JSON gateway), so watches resuming from older versions get 410.
fn compact_etcd() {
    let port: u16 = std::env::var("TGSYNC_TESTBED_PORT_BASE")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(16400);
    let url = |path: &str| format!("http://127.0.0.1:{port}/v3/{path}");
    let curl = |path: &str, body: &str| {
        let out = std::process::Command::new("curl")
            .args(["-sf", "-X", "POST", &url(path), "-d", body])
            .output()
            .expect("curl");
        assert!(
            out.status.success(),
            "etcd {path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let range = curl("kv/range", r#"{"key": "AA=="}"#);
    let doc: serde_json::Value = serde_json::from_str(&range).expect("etcd answer");
    let revision = doc["header"]["revision"]
        .as_str()
        .expect("revision")
        .to_owned();
    curl(
        "kv/compaction",
        &format!(r#"{{"revision": "{revision}", "physical": true}}"#),
    );
}
