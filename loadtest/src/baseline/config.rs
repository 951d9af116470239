//! The baseline's settings, defaulting to the AWS Load Balancer Controller's.

use std::time::Duration;

/// The AWS Load Balancer Controller's knobs that matter on the target path.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineConfig {
    /// `--targetgroupbinding-max-concurrent-reconciles` (3).
    pub workers: usize,
    /// Targets per Register/DeregisterTargets call (200).
    pub chunk: usize,
    /// DescribeTargetHealth cache lifetime (5 min).
    pub cache_ttl: Duration,
    /// `--aws-api-throttle` default for `^RegisterTargets|^DeregisterTargets`: (rate/s, burst) = (4, 20).
    pub register_limit: (f64, u32),
    /// `--aws-api-throttle` default for `^Describe.*`: (50, 200). Since v3.2 no limiter covers every call,
    /// so a register takes a token from one limiter only.
    pub describe_limit: (f64, u32),
    /// `--aws-max-retries` (10): the SDK's attempts per operation, the first included.
    pub max_attempts: u32,
    /// The SDK's longest backoff between attempts (20 s).
    pub max_sdk_backoff: Duration,
    /// controller-runtime's per-key requeue backoff: base (5 ms) …
    pub requeue_base: Duration,
    /// … and cap (1000 s).
    pub requeue_max: Duration,
    /// Requeue period while readiness gates are pending (15 s).
    pub readiness_requeue: Duration,
    /// Seed of the SDK's jitter.
    pub seed: u64,
}

impl Default for BaselineConfig {
    fn default() -> Self {
        BaselineConfig {
            workers: 3,
            chunk: 200,
            cache_ttl: Duration::from_secs(300),
            register_limit: (4.0, 20),
            describe_limit: (50.0, 200),
            max_attempts: 10,
            max_sdk_backoff: Duration::from_secs(20),
            requeue_base: Duration::from_millis(5),
            requeue_max: Duration::from_secs(1000),
            readiness_requeue: Duration::from_secs(15),
            seed: 0,
        }
    }
}
