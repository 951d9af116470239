//! The two retry layers under a reconcile: the AWS SDK's standard retryer around each call, and
//! controller-runtime's per-key exponential requeue around each reconcile.

use std::time::Duration;

use tgsync_actors::elb::ElbError;

use crate::rng::Rng;

/// aws-sdk-go-v2's `ExponentialJitterBackoff`: uniform in [0, 2^attempt) seconds, capped at `max`.
pub fn sdk_delay(attempt: u32, max: Duration, rng: &mut Rng) -> Duration {
    let ceiling = 2f64.powi(attempt.min(30) as i32);
    Duration::from_secs_f64(rng.unit() * ceiling).min(max)
}

/// Whether the SDK retries this error: throttles and transient failures, not client errors.
pub fn sdk_retryable(e: &ElbError) -> bool {
    match e {
        ElbError::Throttled => true,
        ElbError::Other(_) => true,
        ElbError::TargetGroupNotFound(_)
        | ElbError::InvalidTarget(_)
        | ElbError::QuotaExceeded(_) => false,
    }
}

/// controller-runtime's `ItemExponentialFailureRateLimiter`: `base × 2^failures`, capped at `max`.
pub fn requeue_delay(failures: u32, base: Duration, max: Duration) -> Duration {
    let f = 2f64.powi(failures.min(40) as i32);
    Duration::from_secs_f64((base.as_secs_f64() * f).min(max.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requeue_doubles_from_5ms_to_1000s() {
        let (b, m) = (Duration::from_millis(5), Duration::from_secs(1000));
        assert_eq!(requeue_delay(0, b, m), Duration::from_millis(5));
        assert_eq!(requeue_delay(3, b, m), Duration::from_millis(40));
        assert_eq!(requeue_delay(30, b, m), m);
    }

    #[test]
    fn sdk_delay_stays_under_its_ceiling() {
        let mut rng = Rng::new(3);
        for attempt in 1..10 {
            let d = sdk_delay(attempt, Duration::from_secs(20), &mut rng);
            assert!(d < Duration::from_secs(2u64.pow(attempt)).min(Duration::from_secs(21)));
        }
    }
}
