use aws_config::retry::RetryConfig;
use aws_config::BehaviorVersion;
use aws_sdk_elasticloadbalancingv2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_elasticloadbalancingv2::Client;
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbError, ElbTargets, TargetHealth};

use super::{classify, health_state, target_from_description, to_description};

/// How the adapter talks to AWS.
#[derive(Clone, Debug)]
pub struct AwsElbConfig {
    /// SDK attempts per call (1–2): the ApiBudget owns retries, the SDK only covers a dropped connection.
    pub max_attempts: u32,
}

impl Default for AwsElbConfig {
    fn default() -> Self {
        AwsElbConfig { max_attempts: 2 }
    }
}

/// `ElbTargets` on the AWS SDK. Cheap to clone (the SDK client is shared).
#[derive(Clone, Debug)]
pub struct AwsElb {
    client: Client,
}

fn sdk_error<E, R>(e: aws_sdk_elasticloadbalancingv2::error::SdkError<E, R>) -> ElbError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.code() {
        Some(code) => classify(Some(code), e.message().unwrap_or_default().to_owned()),
        None => classify(None, DisplayErrorContext(&e).to_string()),
    }
}

impl AwsElb {
    /// An adapter from the standard AWS configuration (environment, profile, web identity, IMDS).
    pub async fn from_env(config: &AwsElbConfig) -> Self {
        let retry = RetryConfig::standard().with_max_attempts(config.max_attempts.clamp(1, 2));
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .load()
            .await;
        AwsElb {
            client: Client::new(&sdk),
        }
    }

    /// An adapter on an existing client.
    pub fn with_client(client: Client) -> Self {
        AwsElb { client }
    }

    /// The SDK client (tests create target groups with it).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The ARN of the target group called `name` (one DescribeTargetGroups; spend a Describe permit first).
    pub async fn find_target_group(&self, name: &str) -> Result<String, ElbError> {
        let out = self
            .client
            .describe_target_groups()
            .names(name)
            .send()
            .await
            .map_err(sdk_error)?;
        out.target_groups()
            .iter()
            .find_map(|tg| tg.target_group_arn().map(str::to_owned))
            .ok_or_else(|| ElbError::TargetGroupNotFound(name.to_owned()))
    }

    /// Whether the target group `arn` exists (one DescribeTargetGroups; spend a Describe permit first).
    pub async fn check_target_group(&self, arn: &str) -> Result<(), ElbError> {
        let out = self
            .client
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await
            .map_err(sdk_error)?;
        if out.target_groups().is_empty() {
            return Err(ElbError::TargetGroupNotFound(arn.to_owned()));
        }
        Ok(())
    }
}

impl ElbTargets for AwsElb {
    fn register(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self
            .client
            .register_targets()
            .target_group_arn(tg.as_str())
            .set_targets(Some(targets.iter().map(to_description).collect()));
        Box::pin(async move { call.send().await.map(|_| ()).map_err(sdk_error) })
    }

    fn deregister(&self, tg: &TargetGroupKey, targets: Vec<Target>) -> CallFuture<()> {
        let call = self
            .client
            .deregister_targets()
            .target_group_arn(tg.as_str())
            .set_targets(Some(targets.iter().map(to_description).collect()));
        Box::pin(async move { call.send().await.map(|_| ()).map_err(sdk_error) })
    }

    fn describe_health(&self, tg: &TargetGroupKey) -> CallFuture<Vec<TargetHealth>> {
        let call = self
            .client
            .describe_target_health()
            .target_group_arn(tg.as_str());
        Box::pin(async move {
            let out = call.send().await.map_err(sdk_error)?;
            Ok(out
                .target_health_descriptions()
                .iter()
                .filter_map(|d| {
                    let target = target_from_description(d.target()?)?;
                    let state = health_state(d.target_health().and_then(|h| h.state()));
                    Some(TargetHealth { target, state })
                })
                .collect())
        })
    }
}
