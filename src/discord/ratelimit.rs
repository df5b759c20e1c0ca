//! Per-user rate limit on questions, so one person (or a script) cannot flood a channel.
//!
//! A sliding window: at most `max` questions in any `window`. Autocomplete does not count (it
//! fires on every keystroke); questions, button clicks, mentions and DMs do. A refused mention
//! or DM is told so at most once per window ([`RateLimiter::tell_refusal`]): a flood of mentions
//! must not become a flood of refusals in the channel.

use std::collections::{HashMap, VecDeque};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// "5 questions per 30 seconds".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            max: 5,
            window: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("expected a rate limit as QUESTIONS/SECONDS, e.g. 5/30, both above zero: {0:?}")]
pub struct RateLimitParseError(String);

impl FromStr for RateLimit {
    type Err = RateLimitParseError;

    /// "5/30" = 5 questions per 30 seconds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || RateLimitParseError(s.to_string());
        let (n, secs) = s.trim().split_once('/').ok_or_else(err)?;
        let max: u32 = n.trim().parse().map_err(|_| err())?;
        let secs: u64 = secs.trim().parse().map_err(|_| err())?;
        if max == 0 || secs == 0 {
            return Err(err());
        }
        Ok(RateLimit {
            max,
            window: Duration::from_secs(secs),
        })
    }
}

/// Users tracked before idle ones are swept out (bounds memory).
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    seen: Mutex<HashMap<u64, VecDeque<Instant>>>,
    /// When each user was last told of a refusal in a channel.
    told: Mutex<HashMap<u64, Instant>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            seen: Mutex::new(HashMap::new()),
            told: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Records a question by `user` now; `Err(wait)` if it is over the limit (the refused
    /// question is not counted).
    pub fn check(&self, user: u64) -> Result<(), Duration> {
        self.check_at(user, Instant::now())
    }

    pub fn check_at(&self, user: u64, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another thread panicked mid-update; the data is still usable.
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.limit.window;
        if seen.len() >= SWEEP_AT {
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < window)
            });
        }
        let times = seen.entry(user).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= self.limit.max as usize {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.saturating_duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }

    /// Whether a refused `user` should be told in the channel now: once per window, so later
    /// refusals in the same window are quiet (a reaction, not a message).
    pub fn tell_refusal(&self, user: u64) -> bool {
        self.tell_refusal_at(user, Instant::now())
    }

    pub fn tell_refusal_at(&self, user: u64, now: Instant) -> bool {
        let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.limit.window;
        if told.len() >= SWEEP_AT {
            told.retain(|_, t| now.saturating_duration_since(*t) < window);
        }
        match told.get(&user) {
            Some(t) if now.saturating_duration_since(*t) < window => false,
            _ => {
                told.insert(user, now);
                true
            }
        }
    }
}

/// What a refused user is told.
pub fn refusal(limit: RateLimit, wait: Duration) -> String {
    let secs = wait.as_secs() + u64::from(wait.subsec_millis() > 0);
    format!(
        "You're asking faster than I answer: at most {} questions every {} seconds. \
         Try again in {} second{}.",
        limit.max,
        limit.window.as_secs(),
        secs.max(1),
        if secs == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(
            "5/30".parse::<RateLimit>(),
            Ok(RateLimit {
                max: 5,
                window: Duration::from_secs(30)
            })
        );
        assert!("5".parse::<RateLimit>().is_err());
        assert!("0/30".parse::<RateLimit>().is_err());
        assert!("a/b".parse::<RateLimit>().is_err());
    }

    #[test]
    fn sixth_in_window_is_refused_then_allowed_later() {
        let l = RateLimiter::new(RateLimit::default());
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(l.check_at(1, t0 + Duration::from_secs(i)).is_ok());
        }
        let wait = l.check_at(1, t0 + Duration::from_secs(5));
        assert_eq!(wait, Err(Duration::from_secs(25)));
        // Another user is not affected.
        assert!(l.check_at(2, t0 + Duration::from_secs(5)).is_ok());
        // Once the first question leaves the window, one more is allowed.
        assert!(l.check_at(1, t0 + Duration::from_secs(30)).is_ok());
        assert!(l.check_at(1, t0 + Duration::from_secs(30)).is_err());
    }

    #[test]
    fn a_refusal_is_told_once_per_window() {
        let l = RateLimiter::new(RateLimit::default());
        let t0 = Instant::now();
        assert!(l.tell_refusal_at(1, t0));
        assert!(!l.tell_refusal_at(1, t0 + Duration::from_secs(10)));
        assert!(l.tell_refusal_at(2, t0 + Duration::from_secs(10)));
        assert!(l.tell_refusal_at(1, t0 + Duration::from_secs(30)));
    }

    #[test]
    fn refusal_text() {
        let t = refusal(RateLimit::default(), Duration::from_millis(24_100));
        assert!(t.contains("at most 5 questions every 30 seconds"));
        assert!(t.contains("25 seconds"));
    }
}
