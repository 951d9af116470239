use std::fmt;
use std::sync::Arc;

/// Names one target group: its ARN, shared cheaply between actors, messages and the ledger.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct TargetGroupKey(pub Arc<str>);

impl TargetGroupKey {
    /// A key from an ARN (or, in the simulator, any unique name).
    pub fn new(arn: impl Into<Arc<str>>) -> Self {
        TargetGroupKey(arn.into())
    }

    /// The ARN as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TargetGroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
