//! Why applying a plan stopped, classified so the supervisor knows whether to wait, retry or report.

use aws_sdk_elasticloadbalancingv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// What kind of failure stopped a plan.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplyErrorKind {
    /// AWS throttled the call: the budget was too generous; back off and plan again.
    #[error("throttled by AWS")]
    Throttled,
    /// A resource vanished under the plan: read again and plan again.
    #[error("not found: {0}")]
    NotFound(String),
    /// A quota refused the call (`TooManyRules`, `TooManyTargetGroups`, ...): report it on the members.
    #[error("quota: {0}")]
    Quota(String),
    /// A resource is still in use (`ResourceInUse`, a target group still behind a listener): retry later.
    #[error("in use: {0}")]
    InUse(String),
    /// AWS refused the request as invalid: report it; retrying the same plan will not help.
    #[error("refused: {0}")]
    Invalid(String),
    /// The plan named a resource no earlier call created.
    #[error("the plan names {0} before creating it")]
    Unresolved(String),
    /// Anything else (network, credentials, 5xx, the budget stopped).
    #[error("{0}")]
    Other(String),
}

/// A plan stopped at call `index` (`call` names it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("call {index} ({call}) failed: {kind}")]
pub struct ApplyError {
    /// The call's position in the plan.
    pub index: usize,
    /// The call's name, e.g. `CreateRule`.
    pub call: &'static str,
    /// Why.
    pub kind: ApplyErrorKind,
}

impl ApplyErrorKind {
    /// Classifies an AWS error code of ELBv2 or EC2.
    pub fn from_code(code: Option<&str>, message: String) -> Self {
        let Some(code) = code else {
            return ApplyErrorKind::Other(message);
        };
        let message = format!("{code}: {message}");
        match code {
            "Throttling" | "RequestLimitExceeded" => ApplyErrorKind::Throttled,
            "ResourceInUse" | "DependencyViolation" => ApplyErrorKind::InUse(message),
            c if c.starts_with("TooMany") => ApplyErrorKind::Quota(message),
            c if c.ends_with("NotFound") => ApplyErrorKind::NotFound(message),
            c if c.starts_with("Invalid")
                || c.starts_with("Duplicate")
                || c == "ValidationError"
                || c == "PriorityInUse"
                || c == "UnsupportedProtocol" =>
            {
                ApplyErrorKind::Invalid(message)
            }
            _ => ApplyErrorKind::Other(message),
        }
    }
}

/// Classifies an SDK error of ELBv2 or EC2 (they share smithy's error type).
pub(super) fn sdk_kind<E, R>(e: SdkError<E, R>) -> ApplyErrorKind
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.code() {
        Some(code) => {
            let message = e.message().unwrap_or_default().to_owned();
            ApplyErrorKind::from_code(Some(code), message)
        }
        None => ApplyErrorKind::Other(DisplayErrorContext(&e).to_string()),
    }
}

/// Whether AWS refused a `SetRulePriorities` because a target priority is held (moto does for any shift).
pub(super) fn is_priority_in_use(kind: &ApplyErrorKind) -> bool {
    matches!(kind, ApplyErrorKind::Invalid(m) if m.starts_with("PriorityInUse"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_by_what_the_caller_must_do() {
        let k = |c: &str| ApplyErrorKind::from_code(Some(c), "m".into());
        assert_eq!(k("Throttling"), ApplyErrorKind::Throttled);
        assert_eq!(k("RequestLimitExceeded"), ApplyErrorKind::Throttled);
        assert!(matches!(k("TooManyRules"), ApplyErrorKind::Quota(_)));
        assert!(matches!(k("TooManyTargetGroups"), ApplyErrorKind::Quota(_)));
        assert!(matches!(k("ListenerNotFound"), ApplyErrorKind::NotFound(_)));
        assert!(matches!(
            k("InvalidGroup.NotFound"),
            ApplyErrorKind::NotFound(_)
        ));
        assert!(matches!(k("ResourceInUse"), ApplyErrorKind::InUse(_)));
        assert!(matches!(k("ValidationError"), ApplyErrorKind::Invalid(_)));
        assert!(is_priority_in_use(&k("PriorityInUse")));
        assert!(!is_priority_in_use(&k("ValidationError")));
        assert!(matches!(k("InternalFailure"), ApplyErrorKind::Other(_)));
        assert_eq!(
            ApplyErrorKind::from_code(None, "timeout".into()),
            ApplyErrorKind::Other("timeout".into())
        );
    }
}
