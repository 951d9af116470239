//! What the load test puts in the cluster: a namespace of its own, N Deployments of kwok pods, a Service
//! each and a TargetGroupBinding each (half by ARN, half by name), and how it removes them.

use std::time::Duration;

use anyhow::Context as _;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::CustomResourceExt;
use serde_json::json;
use tgsync::crd::TargetGroupBinding;
use tgsync_loadtest::trace::TraceBinding;

/// The field manager of everything the load test applies.
const MANAGER: &str = "tgsync-loadtest";
/// The container port every pod names `http`; the Services' port 80 targets it.
pub const TARGET_PORT: u16 = 8080;

/// One Deployment, its Service and its binding's target group.
#[derive(Clone, Debug)]
pub struct App {
    /// Deployment, Service and binding name.
    pub name: String,
    /// The target group's ARN.
    pub arn: String,
    /// The binding names the target group (`targetGroupName`) rather than giving its ARN.
    pub by_name: bool,
}

/// The load test's namespace and apps.
pub struct Workload {
    /// The namespace.
    pub namespace: String,
    /// The apps, in creation order.
    pub apps: Vec<App>,
}

impl Workload {
    /// `n` apps in namespace `namespace`; every second binding finds its target group by name.
    pub fn new(namespace: String, n: usize, salt: u64) -> Self {
        let apps = (0..n)
            .map(|i| {
                let tg = format!("load-{i:03}");
                App {
                    name: format!("app-{i:03}"),
                    arn: format!(
                        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/{tg}/{:016x}",
                        salt.wrapping_add(i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    ),
                    by_name: i % 2 == 1,
                }
            })
            .collect();
        Workload { namespace, apps }
    }

    /// The bindings as a trace records them.
    pub fn trace_bindings(&self) -> Vec<TraceBinding> {
        self.apps
            .iter()
            .map(|a| TraceBinding {
                service: format!("{}/{}", self.namespace, a.name),
                port_name: Some("http".into()),
                tg: a.arn.clone(),
            })
            .collect()
    }

    /// Installs the TargetGroupBinding CRD (if it is not), then creates the namespace and every app with
    /// `replicas` pods.
    pub async fn create(&self, client: &kube::Client, replicas: usize) -> anyhow::Result<()> {
        install_crd(client).await?;
        let pp = PatchParams::apply(MANAGER).force();
        let ns: Api<Namespace> = Api::all(client.clone());
        let obj =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}});
        ns.patch(&self.namespace, &pp, &Patch::Apply(obj))
            .await
            .with_context(|| format!("create namespace {}", self.namespace))?;
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), &self.namespace);
        let services: Api<Service> = Api::namespaced(client.clone(), &self.namespace);
        let bindings: Api<TargetGroupBinding> = Api::namespaced(client.clone(), &self.namespace);
        for app in &self.apps {
            services
                .patch(&app.name, &pp, &Patch::Apply(service(&app.name)))
                .await
                .with_context(|| format!("create Service {}", app.name))?;
            bindings
                .patch(&app.name, &pp, &Patch::Apply(binding(app)))
                .await
                .with_context(|| format!("create TargetGroupBinding {}", app.name))?;
            deployments
                .patch(
                    &app.name,
                    &pp,
                    &Patch::Apply(deployment(&app.name, replicas)),
                )
                .await
                .with_context(|| format!("create Deployment {}", app.name))?;
        }
        Ok(())
    }

    /// Releases the bindings (their finalizer would hold the namespace once tgsync is gone) and deletes the
    /// namespace without waiting.
    pub async fn delete(&self, client: &kube::Client) -> anyhow::Result<()> {
        let bindings: Api<TargetGroupBinding> = Api::namespaced(client.clone(), &self.namespace);
        let unfinalized = Patch::Merge(json!({"metadata": {"finalizers": null}}));
        for app in &self.apps {
            let _ = bindings
                .patch(&app.name, &PatchParams::default(), &unfinalized)
                .await;
        }
        let ns: Api<Namespace> = Api::all(client.clone());
        ns.delete(&self.namespace, &DeleteParams::background())
            .await
            .with_context(|| format!("delete namespace {}", self.namespace))?;
        Ok(())
    }

    /// Every Deployment's pod template changed, as `kubectl rollout restart` does.
    pub async fn restart(&self, client: &kube::Client, stamp: &str) -> anyhow::Result<()> {
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), &self.namespace);
        let patch = Patch::Merge(json!({"spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": stamp
        }}}}}));
        for app in &self.apps {
            deployments
                .patch(&app.name, &PatchParams::default(), &patch)
                .await
                .with_context(|| format!("restart Deployment {}", app.name))?;
        }
        Ok(())
    }

    /// Scales every Deployment to `replicas`, one every `step`.
    pub async fn scale(
        &self,
        client: &kube::Client,
        replicas: usize,
        step: Duration,
    ) -> anyhow::Result<()> {
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), &self.namespace);
        let patch = Patch::Merge(json!({"spec": {"replicas": replicas}}));
        for (i, app) in self.apps.iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(step).await;
            }
            deployments
                .patch(&app.name, &PatchParams::default(), &patch)
                .await
                .with_context(|| format!("scale Deployment {}", app.name))?;
        }
        Ok(())
    }

    /// Deletes the `pick`-th (modulo their number) of the namespace's pods that run and are not being deleted;
    /// answers its name.
    pub async fn delete_a_pod(
        &self,
        client: &kube::Client,
        pick: u64,
    ) -> anyhow::Result<Option<String>> {
        let pods: Api<Pod> = Api::namespaced(client.clone(), &self.namespace);
        let mut live: Vec<String> = pods
            .list(&ListParams::default())
            .await
            .context("list pods")?
            .items
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .filter_map(|p| p.metadata.name)
            .collect();
        if live.is_empty() {
            return Ok(None);
        }
        live.sort();
        let name = live.swap_remove((pick % live.len() as u64) as usize);
        pods.delete(&name, &DeleteParams::default())
            .await
            .with_context(|| format!("delete pod {name}"))?;
        Ok(Some(name))
    }

    /// Each Deployment's rollout is complete at `replicas`: observed, updated, available, nothing extra.
    pub async fn rolled_out(
        &self,
        client: &kube::Client,
        replicas: usize,
    ) -> anyhow::Result<usize> {
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), &self.namespace);
        let list = deployments
            .list(&ListParams::default())
            .await
            .context("list Deployments")?;
        let want = replicas as i32;
        Ok(list
            .items
            .iter()
            .filter(|d| {
                let Some(s) = d.status.as_ref() else {
                    return false;
                };
                s.observed_generation >= d.metadata.generation
                    && d.spec.as_ref().and_then(|s| s.replicas) == Some(want)
                    && s.replicas == Some(want)
                    && s.updated_replicas == Some(want)
                    && s.available_replicas == Some(want)
                    && s.ready_replicas == Some(want)
            })
            .count())
    }
}

async fn install_crd(client: &kube::Client) -> anyhow::Result<()> {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd = TargetGroupBinding::crd();
    let name = crd.metadata.name.clone().unwrap_or_default();
    crds.patch(
        &name,
        &PatchParams::apply(MANAGER).force(),
        &Patch::Apply(&crd),
    )
    .await
    .with_context(|| format!("install CRD {name}"))?;
    for _ in 0..120 {
        let established = crds
            .get(&name)
            .await
            .ok()
            .and_then(|c| c.status)
            .is_some_and(|s| {
                s.conditions
                    .unwrap_or_default()
                    .iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
            });
        if established {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    anyhow::bail!("CRD {name} was not established within a minute")
}

fn deployment(name: &str, replicas: usize) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{
                    "name": "web",
                    "image": "web:1",
                    "ports": [{"name": "http", "containerPort": TARGET_PORT}]
                }]}
            }
        }
    })
}

fn service(name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {
            "selector": {"app": name},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}]
        }
    })
}

fn binding(app: &App) -> serde_json::Value {
    let tg = if app.by_name {
        json!({"targetGroupName": tgsync_loadtest::model::name_of(&app.arn)})
    } else {
        json!({"targetGroupARN": app.arn})
    };
    let mut spec = json!({"targetType": "ip", "serviceRef": {"name": app.name, "port": 80}});
    if let (Some(spec), Some(tg)) = (spec.as_object_mut(), tg.as_object()) {
        spec.extend(tg.clone());
    }
    json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": app.name},
        "spec": spec
    })
}
