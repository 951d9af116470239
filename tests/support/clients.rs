//! Clients of the bed: Kubernetes from KUBECONFIG, AWS (moto) from AWS_ENDPOINT_URL and AWS_REGION.

use super::bed::{required_env, HOW_TO_RUN};

pub async fn kube_client() -> kube::Client {
    required_env("KUBECONFIG");
    kube::Client::try_default().await.unwrap_or_else(|e| {
        panic!("cannot build a Kubernetes client from KUBECONFIG ({e}): {HOW_TO_RUN}")
    })
}

/// The AWS SDK's configuration for moto, from the bed's env file.
pub async fn aws_config() -> aws_config::SdkConfig {
    required_env("AWS_ENDPOINT_URL");
    required_env("AWS_REGION");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
}

pub async fn elb() -> aws_sdk_elasticloadbalancingv2::Client {
    aws_sdk_elasticloadbalancingv2::Client::new(&aws_config().await)
}

pub async fn ec2() -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&aws_config().await)
}
