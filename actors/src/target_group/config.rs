use std::sync::Arc;
use std::time::Duration;

/// How one target group actor batches.
#[derive(Clone, Debug, PartialEq)]
pub struct TgConfig {
    /// How long a batch stays open after its first change. 250 ms by default: the shared
    /// Register/Deregister bucket refills one token every 250 ms, so under sustained churn a shorter window
    /// buys no earlier call, and in light churn a pod waits at most a quarter second longer.
    pub window: Duration,
    /// The widest the window grows when the budget is short.
    pub max_window: Duration,
    /// Most targets in one call; a batch this full goes at once. 200, the chunk size the AWS Load Balancer
    /// Controller has used in production for years.
    pub max_per_call: usize,
    /// The Service port name whose target port is registered (`None`: the Service's only, unnamed port).
    pub port_name: Option<Arc<str>>,
    /// First retry delay after a throttled or failed call; doubles per failure up to `max_backoff`.
    pub backoff: Duration,
    /// The longest retry delay.
    pub max_backoff: Duration,
    /// Most targets this actor keeps registered: AWS's 1,000 per target group by default. Past it, wanted
    /// targets already registered stay and the lowest of the rest (in `Target` order) fill what is left.
    pub max_targets: usize,
    /// How often the actor reads its target group back (DescribeTargetHealth, a Background permit) and
    /// repairs what drifted; each group at its own offset inside the period. `None`: never.
    pub sync_period: Option<Duration>,
}

impl Default for TgConfig {
    fn default() -> Self {
        TgConfig {
            window: Duration::from_millis(250),
            max_window: Duration::from_secs(5),
            max_per_call: 200,
            port_name: None,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_targets: 1000,
            sync_period: None,
        }
    }
}
