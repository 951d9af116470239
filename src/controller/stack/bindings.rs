//! The TargetGroupBindings a stack makes for its target groups: created or updated with server-side apply,
//! deleted when the stack no longer has their group. The binding controller serves them like any other.

use std::collections::BTreeMap;
use std::time::Duration;

use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::Client;
use serde_json::json;

use crate::controller::retry::{within, OpError};
use crate::crd::TargetGroupBinding;

/// A binding to create or update for one target group.
pub struct BindingWrite<'a> {
    /// Its name (the target group's).
    pub name: &'a str,
    /// The Service's namespace.
    pub namespace: &'a str,
    /// The stack's labels.
    pub labels: &'a BTreeMap<String, String>,
    /// The target group.
    pub arn: &'a str,
    /// `ip` or `instance`.
    pub target_type: &'a str,
    /// The Service.
    pub service: &'a str,
    /// Its port, by number or name.
    pub port: &'a str,
    /// Labels of the nodes an instance-mode group takes (empty: every node).
    pub node_selector: &'a BTreeMap<String, String>,
}

/// Writes bindings as one field manager, each call with a deadline.
#[derive(Clone)]
pub struct BindingOps {
    client: Client,
    manager: &'static str,
    deadline: Duration,
}

impl BindingOps {
    /// Ops through `client` as field manager `manager`, each call given up after `deadline`.
    pub fn new(client: Client, manager: &'static str, deadline: Duration) -> Self {
        BindingOps {
            client,
            manager,
            deadline,
        }
    }

    /// Creates or updates the binding of one target group (server-side apply, so users' own fields stay).
    pub async fn apply(&self, b: &BindingWrite<'_>) -> Result<(), OpError> {
        let port = match b.port.parse::<i32>() {
            Ok(n) => json!(n),
            Err(_) => json!(b.port),
        };
        let mut doc = json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "TargetGroupBinding",
            "metadata": {"name": b.name, "namespace": b.namespace, "labels": b.labels},
            "spec": {
                "targetGroupARN": b.arn,
                "targetType": b.target_type,
                "serviceRef": {"name": b.service, "port": port},
            },
        });
        if !b.node_selector.is_empty() {
            doc["spec"]["nodeSelector"] = json!({"matchLabels": b.node_selector});
        }
        let api: Api<TargetGroupBinding> = Api::namespaced(self.client.clone(), b.namespace);
        within(
            self.deadline,
            api.patch(
                b.name,
                &PatchParams::apply(self.manager).force(),
                &Patch::Apply(&doc),
            ),
        )
        .await
        .map(drop)
    }

    /// Deletes a binding the stack no longer needs (gone already counts as done).
    pub async fn delete(&self, ns: &str, name: &str) -> Result<(), OpError> {
        let api: Api<TargetGroupBinding> = Api::namespaced(self.client.clone(), ns);
        match within(self.deadline, api.delete(name, &DeleteParams::default())).await {
            Err(e) if e.is_gone() => Ok(()),
            other => other.map(drop),
        }
    }
}
