use std::time::Duration;

use super::ApiClass;

/// One AWS token bucket: how many calls may burst, and how many tokens come back per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucketConfig {
    /// Bucket capacity.
    pub burst: u32,
    /// Refill rate, tokens per second.
    pub per_second: f64,
}

/// The budget's buckets (AWS's per-account, per-region ELBv2 throttles by default) and its policy knobs.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetConfig {
    /// RegisterTargets + DeregisterTargets share this bucket.
    pub targets: BucketConfig,
    /// Describe* calls.
    pub describe: BucketConfig,
    /// Mutating listener and rule calls (CreateRule, ModifyRule, SetRulePriorities, DeleteRule…).
    pub mutating: BucketConfig,
    /// CreateLoadBalancer and similar.
    pub load_balancers: BucketConfig,
    /// Fraction of every bucket left for other clients in the account (console, Terraform, other controllers).
    pub headroom: f64,
    /// Tokens of every bucket's burst never spent (2 by default), apart from the headroom. AWS's bucket is
    /// timed apart from ours: a call reaches it after a latency that varies, and its refill need not be in
    /// phase with ours, so spending AWS's exact numbers lands on it short of a token now and then. Two tokens
    /// cover one token of refill phase plus latency spread up to one refill interval (250 ms at 4/s).
    pub burst_margin: u32,
    /// Fraction of every bucket's rate never spent (0.02 by default): it rebuilds the reserve the burst margin
    /// keeps after a delay longer than that spread (a stalled call, a clock running fast), 2 tokens in 25 s at
    /// 4/s. Small, because each percent is a percent longer to work through churn the bucket holds back.
    pub rate_margin: f64,
    /// Most of a bucket's refill (and burst) Background requests may use, so resync describes never starve
    /// the readiness-gate describes beside them. 0.5 by default.
    pub background_share: f64,
    /// A request that has waited this long goes ahead of every other, so no target group starves.
    pub starvation_limit: Duration,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            targets: BucketConfig {
                burst: 20,
                per_second: 4.0,
            },
            describe: BucketConfig {
                burst: 40,
                per_second: 10.0,
            },
            mutating: BucketConfig {
                burst: 20,
                per_second: 3.0,
            },
            load_balancers: BucketConfig {
                burst: 10,
                per_second: 0.2,
            },
            headroom: 0.0,
            burst_margin: 2,
            rate_margin: 0.02,
            background_share: 0.5,
            starvation_limit: Duration::from_secs(120),
        }
    }
}

impl BudgetConfig {
    /// A budget so large it never makes anyone wait: for benches that measure everything but the budget.
    pub fn unlimited() -> Self {
        let huge = BucketConfig {
            burst: u32::MAX / 2,
            per_second: 1e9,
        };
        BudgetConfig {
            targets: huge,
            describe: huge,
            mutating: huge,
            load_balancers: huge,
            ..Self::default()
        }
    }

    /// The bucket for a class of call, before headroom.
    pub fn bucket(&self, class: ApiClass) -> BucketConfig {
        match class {
            ApiClass::Targets => self.targets,
            ApiClass::Describe => self.describe,
            ApiClass::Mutating => self.mutating,
            ApiClass::LoadBalancers => self.load_balancers,
        }
    }

    /// The bucket for a class after setting aside the headroom, then the margin (never below one call of
    /// burst).
    pub fn effective(&self, class: ApiClass) -> BucketConfig {
        let keep = (1.0 - self.headroom).clamp(0.0, 1.0);
        let rate_keep = (1.0 - self.rate_margin).clamp(0.0, 1.0);
        let b = self.bucket(class);
        BucketConfig {
            burst: ((b.burst as f64 * keep).floor() as u32)
                .saturating_sub(self.burst_margin)
                .max(1),
            per_second: b.per_second * keep * rate_keep,
        }
    }

    /// What Background requests of a class may use at most: `background_share` of the effective bucket.
    pub fn background(&self, class: ApiClass) -> BucketConfig {
        let share = self.background_share.clamp(0.0, 1.0);
        let b = self.effective(class);
        BucketConfig {
            burst: ((b.burst as f64 * share).floor() as u32).max(1),
            per_second: b.per_second * share,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headroom_shrinks_burst_and_rate() {
        let cfg = BudgetConfig {
            headroom: 0.25,
            burst_margin: 0,
            rate_margin: 0.0,
            ..BudgetConfig::default()
        };
        let b = cfg.effective(ApiClass::Targets);
        assert_eq!(b.burst, 15);
        assert!((b.per_second - 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_default_margin_stays_below_aws_buckets_and_adds_to_the_headroom() {
        let b = BudgetConfig::default().effective(ApiClass::Targets);
        assert_eq!(b.burst, 18);
        assert!((b.per_second - 3.92).abs() < 1e-9);
        let shared = BudgetConfig {
            headroom: 0.25,
            ..BudgetConfig::default()
        }
        .effective(ApiClass::Targets);
        assert_eq!(shared.burst, 13);
        assert!((shared.per_second - 2.94).abs() < 1e-9);
        // Never below one call.
        let lb = BudgetConfig::default().effective(ApiClass::LoadBalancers);
        assert_eq!(lb.burst, 8);
        let tiny = BudgetConfig {
            burst_margin: 50,
            ..BudgetConfig::default()
        };
        assert_eq!(tiny.effective(ApiClass::Describe).burst, 1);
    }
}
