//! The error codes the model's stack calls answer, as ELBv2 (and EC2) name them.

/// A refused stack call: AWS's error code and message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct StackError {
    /// The AWS error code, e.g. `Throttling`, `TooManyRules`, `PriorityInUse`.
    pub code: &'static str,
    /// What AWS says about it.
    pub message: String,
}

impl StackError {
    /// An error with `code`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        StackError {
            code,
            message: message.into(),
        }
    }

    /// `Throttling`: the call's bucket was empty (or a throttle was injected).
    pub fn throttling() -> Self {
        StackError::new("Throttling", "Rate exceeded")
    }

    /// Whether this is `Throttling`.
    pub fn is_throttling(&self) -> bool {
        self.code == "Throttling"
    }
}
