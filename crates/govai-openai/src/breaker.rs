//! A circuit breaker: open after N consecutive failed attempts, half-open (one probe let
//! through) after a cool-down, closed again by a success.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::options::Circuit;

/// The breaker's state, as reported (e.g. for metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    /// Requests go through.
    Closed,
    /// Requests are refused until the cool-down ends.
    Open,
    /// One probe request is in flight; others are refused until it ends.
    HalfOpen,
}

#[derive(Debug)]
struct Inner {
    consecutive: u32,
    open_until: Option<Instant>,
    probing: bool,
}

/// Shared by every call of one model.
#[derive(Debug)]
pub(crate) struct Breaker {
    config: Circuit,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub(crate) fn new(config: Circuit) -> Self {
        Self { config, inner: Mutex::new(Inner { consecutive: 0, open_until: None, probing: false }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves consistent counters; keep going.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn state(&self) -> CircuitState {
        let inner = self.lock();
        match inner.open_until {
            None => CircuitState::Closed,
            Some(_) if inner.probing => CircuitState::HalfOpen,
            Some(t) if Instant::now() < t => CircuitState::Open,
            Some(_) => CircuitState::HalfOpen,
        }
    }

    /// May an attempt be made now? When the cool-down is over, the first caller becomes the
    /// probe; the others are refused until the probe reports.
    pub(crate) fn admit(&self) -> Result<(), Error> {
        let mut inner = self.lock();
        let Some(until) = inner.open_until else { return Ok(()) };
        let now = Instant::now();
        if now >= until && !inner.probing {
            inner.probing = true;
            return Ok(());
        }
        let wait = if inner.probing { Duration::ZERO } else { until - now };
        Err(Error::CircuitOpen { failures: inner.consecutive, retry_in_ms: wait.as_millis() as u64 })
    }

    pub(crate) fn success(&self) {
        let mut inner = self.lock();
        *inner = Inner { consecutive: 0, open_until: None, probing: false };
    }

    /// A failed attempt (only failures that say something about the upstream's health).
    pub(crate) fn failure(&self) {
        let mut inner = self.lock();
        inner.consecutive = inner.consecutive.saturating_add(1);
        let trips = self.config.failures > 0 && inner.consecutive >= self.config.failures;
        if trips || inner.probing {
            inner.open_until = Some(Instant::now() + Duration::from_millis(self.config.cool_down_ms));
            inner.probing = false;
        }
    }

    /// An attempt that ended without saying anything about the upstream (a 4xx, a cancelled
    /// call): a probe gives its place to the next caller.
    pub(crate) fn neutral(&self) {
        let mut inner = self.lock();
        if inner.probing {
            inner.probing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_half_opens_and_closes() {
        let b = Breaker::new(Circuit { failures: 2, cool_down_ms: 40 });
        assert!(b.admit().is_ok());
        b.failure();
        assert_eq!(b.state(), CircuitState::Closed);
        b.failure();
        assert_eq!(b.state(), CircuitState::Open);
        assert!(matches!(b.admit(), Err(Error::CircuitOpen { failures: 2, .. })));
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.admit().is_ok(), "probe after the cool-down");
        assert_eq!(b.state(), CircuitState::HalfOpen);
        assert!(b.admit().is_err(), "only one probe at a time");
        b.failure();
        assert_eq!(b.state(), CircuitState::Open, "a failed probe opens it again");
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.admit().is_ok());
        b.success();
        assert_eq!(b.state(), CircuitState::Closed);
        assert!(b.admit().is_ok());
    }

    #[test]
    fn zero_failures_never_opens() {
        let b = Breaker::new(Circuit { failures: 0, cool_down_ms: 40 });
        for _ in 0..10 {
            b.failure();
        }
        assert!(b.admit().is_ok());
    }
}
