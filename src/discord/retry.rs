//! Retrying a REST call that Discord answered with HTTP 429 or a 5xx.
//!
//! With a proxy, serenity's own ratelimiter must be off, and then serenity does not retry a 429:
//! the caller gets the error and the `retry_after` in the body is lost (serenity fails to decode
//! Discord's 429 body). So the bot retries such a call itself, a bounded number of times after a
//! short, growing wait. A 5xx (Discord's own hiccup) is retried once, after the shortest wait,
//! so that an answer still arrives within the 3 seconds Discord gives a first response. Other
//! errors are returned at once.

use std::future::Future;
use std::time::Duration;

use poise::serenity_prelude as serenity;

/// How often and how long to retry a rate-limited call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first try.
    pub retries: u32,
    /// Wait before retry n is `n * step`, capped at `max_wait`.
    pub step: Duration,
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    /// 0.5 s, 1 s, 1.5 s: within Discord's 3-second window for a first interaction response.
    fn default() -> Self {
        RetryPolicy {
            retries: 3,
            step: Duration::from_millis(500),
            max_wait: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    pub fn wait(&self, retry: u32) -> Duration {
        self.step.saturating_mul(retry).min(self.max_wait)
    }
}

/// True if Discord answered the call with 429 Too Many Requests.
pub fn is_rate_limited(e: &serenity::Error) -> bool {
    matches!(
        e,
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r))
            if r.status_code.as_u16() == 429
    )
}

/// The HTTP status of a failed REST call, if it got that far.
pub fn http_status(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) => {
            Some(r.status_code.as_u16())
        }
        _ => None,
    }
}

/// True if Discord answered the call with a server error (5xx).
pub fn is_server_error(e: &serenity::Error) -> bool {
    http_status(e).is_some_and(|s| (500..600).contains(&s))
}

/// Runs `call` until it succeeds, fails other than with a 429 or a first 5xx, or the retries
/// are used up.
pub async fn with_retry<T, F, Fut>(
    policy: RetryPolicy,
    what: &str,
    mut call: F,
) -> Result<T, serenity::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut retry = 0;
    let mut server_error_retried = false;
    loop {
        match call().await {
            Err(e) if is_server_error(&e) && !server_error_retried && policy.retries > 0 => {
                server_error_retried = true;
                let wait = policy.wait(1);
                tracing::warn!(
                    "{what}: Discord answered {}; retrying once in {} ms",
                    http_status(&e).unwrap_or(500),
                    wait.as_millis()
                );
                tokio::time::sleep(wait).await;
            }
            Err(e) if is_rate_limited(&e) && retry < policy.retries => {
                retry += 1;
                let wait = policy.wait(retry);
                tracing::warn!(
                    "{what}: Discord answered 429; retry {retry}/{} in {} ms",
                    policy.retries,
                    wait.as_millis()
                );
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_are_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.wait(1), Duration::from_millis(500));
        assert_eq!(p.wait(3), Duration::from_millis(1500));
        assert_eq!(p.wait(10), Duration::from_secs(2));
    }

    #[tokio::test]
    async fn other_errors_are_not_retried() {
        let mut calls = 0;
        let r: Result<(), _> = with_retry(RetryPolicy::default(), "test", || {
            calls += 1;
            async { Err(serenity::Error::Other("boom")) }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls, 1);
    }
}
