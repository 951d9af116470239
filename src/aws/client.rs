use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_elasticloadbalancingv2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_elasticloadbalancingv2::Client;
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{CallFuture, ElbError, ElbTargets, TargetHealth};

use super::{classify, health_state, target_from_description, to_description};

/// How the adapter talks to AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsElbConfig {
    /// SDK attempts per call (1–2), default 1. The SDK's standard retry also retries `Throttling`, after its
    /// own backoff and without a permit from the ApiBudget, so each of its retries would be one more call on
    /// an account bucket that is already empty. With 1 every error comes back to the actor, and its retry
    /// is a new call with a new permit.
    pub max_attempts: u32,
    /// Deadline of every ELBv2 call, default 10 s; a call still unanswered then fails as `ElbError::Other`,
    /// which the actor retries with backoff. A RegisterTargets of 200 targets is a ~15 KB request that ELB
    /// answers in well under a second, a few seconds at worst, so 10 s does not cut healthy calls short;
    /// it bounds how long a hung call holds its target group's one batch per action in flight.
    pub call_timeout: Duration,
    /// Deadline for opening a connection to the endpoint, default 3 s (about the SDK's own default).
    pub connect_timeout: Duration,
}

impl Default for AwsElbConfig {
    fn default() -> Self {
        AwsElbConfig {
            max_attempts: 1,
            call_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
        }
    }
}

impl AwsElbConfig {
    /// The SDK retry config: standard mode, `max_attempts` clamped to 1–2.
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard().with_max_attempts(self.max_attempts.clamp(1, 2))
    }

    /// The SDK timeouts: `call_timeout` bounds the whole call and each attempt in it (a second attempt
    /// gets what the first left), `connect_timeout` each connection.
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_timeout(self.call_timeout)
            .operation_attempt_timeout(self.call_timeout)
            .build()
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
        let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
        Self::from_sdk_config(&sdk, config)
    }

    /// An adapter on `sdk`'s region, endpoint and credentials with `config`'s attempts and deadlines,
    /// which replace any `sdk` carries: every call this adapter makes has them.
    pub fn from_sdk_config(sdk: &SdkConfig, config: &AwsElbConfig) -> Self {
        let conf = aws_sdk_elasticloadbalancingv2::config::Builder::from(sdk)
            .retry_config(config.retry_config())
            .timeout_config(config.timeout_config())
            .build();
        AwsElb {
            client: Client::from_conf(conf),
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

    fn health_check_intervals(
        &self,
        tgs: &[TargetGroupKey],
    ) -> CallFuture<Vec<(TargetGroupKey, Duration)>> {
        let call = self
            .client
            .describe_target_groups()
            .set_target_group_arns(Some(tgs.iter().map(|tg| tg.as_str().to_owned()).collect()));
        Box::pin(async move {
            let out = call.send().await.map_err(sdk_error)?;
            Ok(out
                .target_groups()
                .iter()
                .filter_map(|tg| {
                    let arn = tg.target_group_arn()?;
                    let every = u64::try_from(tg.health_check_interval_seconds()?).ok()?;
                    Some((TargetGroupKey::new(arn), Duration::from_secs(every)))
                })
                .collect())
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::net::TcpListener;

    use aws_config::Region;
    use aws_sdk_elasticloadbalancingv2::config::{Credentials, SharedCredentialsProvider};

    use super::*;

    const ARN: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

    /// An endpoint that accepts connections and never answers: a hung ELB.
    fn hung_endpoint() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        // Holds every connection open (the thread outlives the test; the process ends it).
        std::thread::spawn(move || {
            let held: Vec<_> = listener.incoming().collect();
            drop(held);
        });
        url
    }

    /// An adapter on `endpoint` with test credentials in us-east-1.
    pub(in crate::aws) fn adapter(endpoint: String, config: &AwsElbConfig) -> AwsElb {
        let credentials = Credentials::new("AKIDTEST", "secret", None, None, "test");
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build();
        AwsElb::from_sdk_config(&sdk, config)
    }

    fn assert_timed_out(result: Result<impl std::fmt::Debug, ElbError>) {
        match result {
            Err(ElbError::Other(message)) => {
                assert!(message.contains("timeout"), "not a timeout: {message}")
            }
            other => panic!("expected a timeout as ElbError::Other, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_hung_call_ends_at_its_deadline_as_other() {
        let config = AwsElbConfig {
            call_timeout: Duration::from_millis(200),
            ..AwsElbConfig::default()
        };
        let elb = adapter(hung_endpoint(), &config);
        let tg = TargetGroupKey::new(ARN);
        let target = Target::ip("10.0.0.7".parse().expect("an IP"), 8080);
        // Only a guard: without the deadline the call never returns and this fails the test.
        let guard = Duration::from_secs(60);
        let calls = async {
            assert_timed_out(elb.register(&tg, vec![target]).await);
            assert_timed_out(elb.deregister(&tg, vec![target]).await);
            assert_timed_out(elb.describe_health(&tg).await);
            assert_timed_out(elb.check_target_group(ARN).await);
            assert_timed_out(elb.find_target_group("web").await);
        };
        tokio::time::timeout(guard, calls)
            .await
            .expect("every call ended at its deadline");
    }

    #[test]
    fn defaults_make_one_attempt_with_a_deadline() {
        let config = AwsElbConfig::default();
        assert_eq!(config.max_attempts, 1);
        assert_eq!(config.retry_config().max_attempts(), 1);
        let timeouts = config.timeout_config();
        assert_eq!(timeouts.operation_timeout(), Some(config.call_timeout));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(config.call_timeout)
        );
        assert_eq!(timeouts.connect_timeout(), Some(config.connect_timeout));
        let many = AwsElbConfig {
            max_attempts: 9,
            ..config
        };
        assert_eq!(many.retry_config().max_attempts(), 2);
    }
}
