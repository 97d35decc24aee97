//! Per-caller limits: a token bucket for the request rate and a count of requests in flight.
//! Both answer at once (429 with `Retry-After`), never queue: a caller over its share must not
//! hold server resources while it waits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use govai::server_config::RoleSection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};

/// Most callers tracked at once; past it, idle buckets are forgotten (a full bucket is the
/// same as a new one, so forgetting them changes nothing).
const MAX_TRACKED: usize = 100_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The limits of every caller.
#[derive(Debug, Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<String, Bucket>>,
    in_flight: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// A request's place in its caller's concurrency limit, released when dropped.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

impl Limiter {
    /// Take one request from `caller`'s bucket and a slot of its concurrency, or say when to retry.
    pub fn admit(&self, caller: &str, role: &RoleSection) -> Result<Slot> {
        self.take_token(caller, role)?;
        self.take_slot(caller, role)
    }

    fn take_token(&self, caller: &str, role: &RoleSection) -> Result<()> {
        if role.rate_per_minute == 0 {
            return Ok(());
        }
        let per_sec = f64::from(role.rate_per_minute) / 60.0;
        let capacity = f64::from(role.burst.max(1));
        let mut buckets = self.buckets.lock().map_err(|_| Error::Internal("rate limiter poisoned".into()))?;
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(caller) {
            let now = Instant::now();
            buckets.retain(|_, b| (b.tokens + now.duration_since(b.last).as_secs_f64() * per_sec) < capacity);
        }
        let now = Instant::now();
        let bucket = buckets.entry(caller.to_owned()).or_insert(Bucket { tokens: capacity, last: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * per_sec).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - bucket.tokens) / per_sec).ceil().max(1.0);
        Err(Error::RateLimited {
            reason: format!(
                "rate limit of {} requests per minute (burst {}) reached",
                role.rate_per_minute, role.burst
            ),
            retry_after_secs: wait as u64,
        })
    }

    fn take_slot(&self, caller: &str, role: &RoleSection) -> Result<Slot> {
        if role.concurrency == 0 {
            return Ok(Slot(None));
        }
        let semaphore = {
            let mut map = self.in_flight.lock().map_err(|_| Error::Internal("concurrency limiter poisoned".into()))?;
            if map.len() >= MAX_TRACKED {
                map.retain(|_, s| Arc::strong_count(s) > 1);
            }
            map.entry(caller.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(role.concurrency as usize))).clone()
        };
        semaphore.try_acquire_owned().map(|p| Slot(Some(p))).map_err(|_| Error::RateLimited {
            reason: format!("concurrency limit of {} requests in flight reached", role.concurrency),
            retry_after_secs: 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(rate: u32, burst: u32, concurrency: u32) -> RoleSection {
        RoleSection { rate_per_minute: rate, burst, concurrency, ..RoleSection::default() }
    }

    #[test]
    fn bucket_allows_burst_then_says_when() {
        let limiter = Limiter::default();
        let r = role(60, 3, 0);
        for _ in 0..3 {
            limiter.admit("a", &r).expect("within burst");
        }
        let Err(Error::RateLimited { retry_after_secs, .. }) = limiter.admit("a", &r) else { panic!("over") };
        assert_eq!(retry_after_secs, 1);
        // Another caller has its own bucket.
        limiter.admit("b", &r).expect("own bucket");
    }

    #[test]
    fn concurrency_slot_is_released_on_drop() {
        let limiter = Limiter::default();
        let r = role(0, 0, 2);
        let one = limiter.admit("a", &r).expect("1");
        let _two = limiter.admit("a", &r).expect("2");
        assert!(limiter.admit("a", &r).is_err());
        drop(one);
        limiter.admit("a", &r).expect("freed");
    }
}
