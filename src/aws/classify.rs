use tgsync_actors::elb::ElbError;

/// Classifies an ELBv2 error by its code: `Throttling` → throttled, `TargetGroupNotFound`, `InvalidTarget`,
/// the per-target-group quotas (`TooManyTargets`, `TooManyRegistrationsForTargetId`) → quota exceeded,
/// anything else (network, auth, 5xx, no code at all) → other.
pub fn classify(code: Option<&str>, message: impl Into<String>) -> ElbError {
    let message = message.into();
    match code {
        Some("Throttling") => ElbError::Throttled,
        Some("TargetGroupNotFound") => ElbError::TargetGroupNotFound(message),
        Some("InvalidTarget") => ElbError::InvalidTarget(message),
        Some(code @ ("TooManyTargets" | "TooManyRegistrationsForTargetId")) => {
            ElbError::QuotaExceeded(format!("{code}: {message}"))
        }
        Some(code) => ElbError::Other(format!("{code}: {message}")),
        None => ElbError::Other(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_error_code() {
        assert_eq!(
            classify(Some("Throttling"), "Rate exceeded"),
            ElbError::Throttled
        );
        assert_eq!(
            classify(Some("TargetGroupNotFound"), "no such tg"),
            ElbError::TargetGroupNotFound("no such tg".into())
        );
        assert_eq!(
            classify(Some("InvalidTarget"), "bad ip"),
            ElbError::InvalidTarget("bad ip".into())
        );
    }

    #[test]
    fn target_quotas_are_quota_errors_not_transient_ones() {
        assert_eq!(
            classify(Some("TooManyTargets"), "limit reached"),
            ElbError::QuotaExceeded("TooManyTargets: limit reached".into())
        );
        assert_eq!(
            classify(Some("TooManyRegistrationsForTargetId"), "too many"),
            ElbError::QuotaExceeded("TooManyRegistrationsForTargetId: too many".into())
        );
        // Other `TooMany*` quotas are not about targets; they stay "other" until something handles them.
        assert_eq!(
            classify(Some("TooManyTargetGroups"), "x"),
            ElbError::Other("TooManyTargetGroups: x".into())
        );
    }

    #[test]
    fn everything_else_is_other() {
        // Only the exact code `Throttling` is ELBv2's throttle; lookalikes are not guessed at.
        assert_eq!(
            classify(Some("ThrottlingException"), "x"),
            ElbError::Other("ThrottlingException: x".into())
        );
        assert_eq!(
            classify(Some("AccessDenied"), "nope"),
            ElbError::Other("AccessDenied: nope".into())
        );
        assert_eq!(classify(None, "timeout"), ElbError::Other("timeout".into()));
    }
}
