//! Why a read of a stack failed, classified so the caller knows whether to wait, retry or report.

use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_sdk_elasticloadbalancingv2::error::{DisplayErrorContext, ProvideErrorMetadata};

/// A failed read of what a stack holds in AWS.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// AWS throttled the call (`Throttling` from ELBv2, `RequestLimitExceeded` from EC2): wait and read again.
    #[error("throttled by AWS")]
    Throttled,
    /// Something vanished between two calls (a load balancer deleted while its tags were read): read again.
    #[error("not found: {0}")]
    NotFound(String),
    /// AWS answered something the model cannot hold (an owned resource without its `resource` tag, a field
    /// missing): reading again will not help until someone fixes the resource.
    #[error("unexpected answer from AWS: {0}")]
    Malformed(String),
    /// Anything else: network, credentials, 5xx, the budget stopped.
    #[error("{0}")]
    Other(String),
}

impl ReadError {
    /// Classifies an AWS error code: throttles and `*NotFound` codes (`LoadBalancerNotFound`,
    /// `InvalidGroup.NotFound`, ...) by name, the rest is other.
    pub fn from_code(code: Option<&str>, message: impl Into<String>) -> Self {
        let message = message.into();
        match code {
            Some("Throttling" | "RequestLimitExceeded") => ReadError::Throttled,
            Some(code) if code.ends_with("NotFound") => {
                ReadError::NotFound(format!("{code}: {message}"))
            }
            Some(code) => ReadError::Other(format!("{code}: {message}")),
            None => ReadError::Other(message),
        }
    }

    /// Whether the call was throttled.
    pub fn is_throttled(&self) -> bool {
        matches!(self, ReadError::Throttled)
    }
}

/// Classifies an SDK error of ELBv2 or EC2 (they share the smithy error type), naming the call.
pub(crate) fn sdk_error<E, R>(call: &str, e: SdkError<E, R>) -> ReadError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.code() {
        Some(code) => ReadError::from_code(
            Some(code),
            format!("{call}: {}", e.message().unwrap_or_default()),
        ),
        None => ReadError::from_code(None, format!("{call}: {}", DisplayErrorContext(&e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_of_both_services_are_throttles() {
        assert_eq!(
            ReadError::from_code(Some("Throttling"), "x"),
            ReadError::Throttled
        );
        assert_eq!(
            ReadError::from_code(Some("RequestLimitExceeded"), "x"),
            ReadError::Throttled
        );
        // Only the codes AWS uses; lookalikes are not guessed at.
        assert!(!ReadError::from_code(Some("ThrottlingException"), "x").is_throttled());
    }

    #[test]
    fn not_found_codes_of_both_services_are_not_found() {
        for code in [
            "LoadBalancerNotFound",
            "TargetGroupNotFound",
            "ListenerNotFound",
            "InvalidGroup.NotFound",
        ] {
            assert!(
                matches!(ReadError::from_code(Some(code), "gone"), ReadError::NotFound(m) if m == format!("{code}: gone")),
                "{code}"
            );
        }
    }

    #[test]
    fn the_rest_is_other() {
        assert_eq!(
            ReadError::from_code(Some("AccessDenied"), "no"),
            ReadError::Other("AccessDenied: no".into())
        );
        assert_eq!(
            ReadError::from_code(None, "timeout"),
            ReadError::Other("timeout".into())
        );
    }
}
