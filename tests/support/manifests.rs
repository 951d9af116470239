//! The manifests tests apply: a Deployment of kwok pods behind a Service, and a binding of it.

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

/// A Service `name` of type LoadBalancer selecting `app: web` on port 80 (`http`), of `class` if given, with
/// `annotations`.
pub fn load_balancer_service(
    name: &str,
    class: Option<&str>,
    annotations: &[(&str, &str)],
) -> String {
    let annotations: Vec<String> = annotations
        .iter()
        .map(|(k, v)| format!("{k}: \"{v}\""))
        .collect();
    let annotations = annotations.join(", ");
    let class = class.map_or(String::new(), |c| format!("\n  loadBalancerClass: {c}"));
    format!(
        r#"
apiVersion: v1
kind: Service
metadata:
  name: {name}
  annotations: {{{annotations}}}
spec:
  type: LoadBalancer{class}
  selector: {{app: web}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"#
    )
}
