//! Writes to Kubernetes that must land: retried with capped exponential backoff until they do, or until the
//! object they write to is gone.

use std::future::Future;
use std::time::Duration;

use tracing::warn;

/// A Kubernetes call that failed, timed out or found nothing to write to.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The API server answered with an error (or the connection failed).
    #[error(transparent)]
    Kube(#[from] kube::Error),
    /// No answer within the deadline: treated like a failure, the write is tried again.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

impl OpError {
    /// The object is gone (404): nothing left to write.
    pub fn is_gone(&self) -> bool {
        matches!(self, OpError::Kube(kube::Error::Api(s)) if s.code == 404)
    }
}

/// Runs `fut`, giving up after `deadline`.
pub async fn within<T>(
    deadline: Duration,
    fut: impl Future<Output = Result<T, kube::Error>>,
) -> Result<T, OpError> {
    match tokio::time::timeout(deadline, fut).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(OpError::Timeout(deadline)),
    }
}

/// First and longest pause between two tries.
const FIRST: Duration = Duration::from_millis(200);
const LONGEST: Duration = Duration::from_secs(30);

/// Tries `op` until it succeeds (`Some`) or reports the object gone (`None`), logging each failure as
/// `what` with the object's `name`.
pub async fn until_landed<T, F, Fut>(what: &str, name: &str, mut op: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, OpError>>,
{
    let mut pause = FIRST;
    let mut attempt: u32 = 1;
    loop {
        match op().await {
            Ok(v) => return Some(v),
            Err(e) if e.is_gone() => return None,
            Err(e) => {
                warn!(object = name, attempt, retry_in_ms = pause.as_millis() as u64, error = %e, "{what} failed; trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(LONGEST);
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn gone() -> OpError {
        OpError::Kube(kube::Error::Api(
            kube::core::Status::failure("not found", "NotFound")
                .with_code(404)
                .boxed(),
        ))
    }

    #[tokio::test(start_paused = true)]
    async fn failures_and_timeouts_are_tried_again_until_the_write_lands() {
        let tries = Cell::new(0);
        let started = tokio::time::Instant::now();
        let got = until_landed("status write", "ns/b", || {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move {
                match n {
                    1..=8 => Err(OpError::Timeout(Duration::from_secs(10))),
                    _ => Ok(n),
                }
            }
        })
        .await;
        assert_eq!(got, Some(9));
        // 0.2 + 0.4 + … doubling, capped at 30 s: the pauses grew rather than hammering the API server.
        let waited = started.elapsed();
        assert!(waited >= Duration::from_secs(50), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_gone_object_ends_the_retries() {
        let tries = Cell::new(0);
        let got: Option<()> = until_landed("finalizer removal", "ns/b", || {
            tries.set(tries.get() + 1);
            async { Err(gone()) }
        })
        .await;
        assert_eq!((got, tries.get()), (None, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_that_never_answers_times_out() {
        let never = std::future::pending::<Result<(), kube::Error>>();
        let r = within(Duration::from_secs(5), never).await;
        assert!(matches!(r, Err(OpError::Timeout(d)) if d == Duration::from_secs(5)));
    }
}
