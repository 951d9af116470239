//! What the ELB model is configured with: buckets, latency, quotas, health checks and injected faults.

use std::time::Duration;

use tgsync_actors::domain::TargetGroupKey;

/// One AWS throttle bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucketConfig {
    /// Burst.
    pub capacity: u32,
    /// Tokens added per second.
    pub refill_per_s: f64,
}

/// A target group's health check, as far as it decides when a new target turns `healthy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// `HealthCheckIntervalSeconds`.
    pub interval: Duration,
    /// `HealthyThresholdCount`.
    pub healthy_threshold: u32,
}

impl HealthCheck {
    /// AWS's ALB defaults: 30 s × 5, i.e. 2.5 minutes to healthy.
    pub const AWS_DEFAULT: HealthCheck = HealthCheck {
        interval: Duration::from_secs(30),
        healthy_threshold: 5,
    };

    /// The scenarios' default, 10 s × 2: what tuned production target groups use, and short enough that
    /// the baseline's "describe again while not healthy" costs what it costs in practice, not more.
    pub const SCENARIO_DEFAULT: HealthCheck = HealthCheck {
        interval: Duration::from_secs(10),
        healthy_threshold: 2,
    };

    /// Time from registration to `healthy`.
    pub fn time_to_healthy(&self) -> Duration {
        self.interval * self.healthy_threshold
    }
}

/// AWS's quotas on what a stack holds (docs: `application/load-balancer-limits.html`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackQuotas {
    /// Rules per ALB, default rules not counted (`TooManyRules`; 100, adjustable).
    pub rules_per_alb: usize,
    /// Distinct target groups an ALB's actions name (`TooManyUniqueTargetGroupsPerLoadBalancer`; 100).
    pub target_groups_per_alb: usize,
    /// Listeners per load balancer (`TooManyListeners`; 50).
    pub listeners_per_lb: usize,
    /// Condition values per rule (`TooManyConditionValues`; 5).
    pub condition_values_per_rule: usize,
    /// Target groups per region (`TooManyTargetGroups`; 3,000).
    pub target_groups_per_region: usize,
}

impl Default for StackQuotas {
    fn default() -> Self {
        StackQuotas {
            rules_per_alb: 100,
            target_groups_per_alb: 100,
            listeners_per_lb: 50,
            condition_values_per_rule: 5,
            target_groups_per_region: 3000,
        }
    }
}

/// A target group deleted out from under the controllers at a virtual time after the model starts.
#[derive(Clone, Debug, PartialEq)]
pub struct TgDeletion {
    /// The target group.
    pub tg: TargetGroupKey,
    /// When, from the model's creation.
    pub at: Duration,
}

/// Everything the model's behaviour depends on. `Default` is AWS's published numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelConfig {
    /// RegisterTargets + DeregisterTargets bucket (AWS: 20 / 4).
    pub register_bucket: BucketConfig,
    /// Describe* bucket (AWS: 40 / 10).
    pub describe_bucket: BucketConfig,
    /// Listener, rule, target-group and tag changes (AWS: 20 / 3).
    pub mutating_bucket: BucketConfig,
    /// CreateLoadBalancer and the like (AWS: 10 / 0.2).
    pub load_balancer_bucket: BucketConfig,
    /// Load balancer, listener, rule and target group quotas.
    pub quotas: StackQuotas,
    /// Shortest call latency.
    pub latency_min: Duration,
    /// Longest call latency.
    pub latency_max: Duration,
    /// Targets per target group (AWS: 1,000).
    pub max_targets_per_tg: usize,
    /// Targets per Register/DeregisterTargets call. AWS's API reference states no maximum, but ELB rejects
    /// large calls now and then; 200 is what the ELB team gave the AWS Load Balancer Controller (its chunk
    /// size), so the model refuses larger calls and the lower bound assumes calls of at most this many.
    pub max_targets_per_call: usize,
    /// Health check timing.
    pub health: HealthCheck,
    /// How long a deregistered target stays `draining` (AWS default 300 s).
    pub deregistration_delay: Duration,
    /// Fraction of calls answered `Throttling` regardless of the buckets.
    pub throttle_fraction: f64,
    /// Target groups deleted during the run.
    pub deletions: Vec<TgDeletion>,
    /// Seed of latency jitter and injected throttles.
    pub seed: u64,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            register_bucket: BucketConfig {
                capacity: 20,
                refill_per_s: 4.0,
            },
            describe_bucket: BucketConfig {
                capacity: 40,
                refill_per_s: 10.0,
            },
            mutating_bucket: BucketConfig {
                capacity: 20,
                refill_per_s: 3.0,
            },
            load_balancer_bucket: BucketConfig {
                capacity: 10,
                refill_per_s: 0.2,
            },
            quotas: StackQuotas::default(),
            latency_min: Duration::from_millis(50),
            latency_max: Duration::from_millis(150),
            max_targets_per_tg: 1000,
            max_targets_per_call: 200,
            health: HealthCheck::SCENARIO_DEFAULT,
            deregistration_delay: Duration::from_secs(300),
            throttle_fraction: 0.0,
            deletions: Vec::new(),
            seed: 0,
        }
    }
}
