//! The two retry layers under a reconcile: the AWS SDK's standard retryer around each call, and
//! controller-runtime's per-key exponential requeue around each reconcile.

use std::time::Duration;

use tgsync_actors::elb::ElbError;

use crate::rng::Rng;

/// aws-sdk-go-v2's jittered exponential backoff before retry `attempt` (1, 2, …): uniform in
/// [0, 2^attempt) seconds while 2^attempt is within `max`, then exactly `max` (20 s from the fifth on).
pub fn sdk_delay(attempt: u32, max: Duration, rng: &mut Rng) -> Duration {
    let ceiling = 2f64.powi(attempt.min(30) as i32);
    if ceiling > max.as_secs_f64() {
        return max;
    }
    Duration::from_secs_f64(rng.unit() * ceiling)
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
    fn sdk_delay_is_jittered_up_to_16s_then_exactly_20s() {
        let max = Duration::from_secs(20);
        let mut rng = Rng::new(3);
        for attempt in 1..=4 {
            let d = sdk_delay(attempt, max, &mut rng);
            assert!(
                d < Duration::from_secs(2u64.pow(attempt)),
                "{attempt}: {d:?}"
            );
        }
        for attempt in 5..10 {
            assert_eq!(sdk_delay(attempt, max, &mut rng), max);
        }
    }
}
