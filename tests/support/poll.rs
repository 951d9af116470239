//! Waiting for the bed and tgsync to converge: poll a probe until it says yes, or fail saying what was seen.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long tgsync and the bed may take to converge (the bed usually reflects a change in a few seconds).
pub const CONVERGE: Duration = Duration::from_secs(90);

/// Polls `probe` until it returns `Ok`, or panics after `limit` with the last `Err` and `context()`.
pub async fn poll_until<T, F, Fut>(
    what: &str,
    limit: Duration,
    context: impl Fn() -> String,
    mut probe: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match probe().await {
            Ok(v) => return v,
            Err(last) if start.elapsed() >= limit => {
                panic!(
                    "{what}: not reached within {limit:?}; last seen: {last}\n{}",
                    context()
                )
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}
