//! Waits between attempts: exponential backoff with jitter, or the upstream's `Retry-After`.

use std::time::{Duration, SystemTime};

use crate::options::Retries;

/// The wait before retry number `retry` (1 for the first retry): `initial * 2^(retry-1)`,
/// capped at `max_backoff_ms`, then a random point between half of it and all of it.
pub(crate) fn backoff(r: &Retries, retry: u32) -> Duration {
    let exp = r.initial_backoff_ms.saturating_mul(1u64 << (retry.saturating_sub(1)).min(32));
    let ceiling = exp.min(r.max_backoff_ms);
    let floor = ceiling / 2;
    Duration::from_millis(if ceiling > floor { fastrand::u64(floor..=ceiling) } else { ceiling })
}

/// `Retry-After`: delay-seconds or an HTTP date. None when absent or unreadable.
pub(crate) fn retry_after(value: Option<&reqwest::header::HeaderValue>) -> Option<Duration> {
    let text = value?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = text.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let date = httpdate(text)?;
    Some(date.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires senders to use.
fn httpdate(s: &str) -> Option<SystemTime> {
    let rest = s.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = months.iter().position(|m| m == month)? as i64 + 1;
    let (day, year): (i64, i64) = (day.parse().ok()?, year.parse().ok()?);
    let hms: Vec<i64> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [h, m, sec] = hms.as_slice() else { return None };
    if !(1..=31).contains(&day) || !(1970..=9999).contains(&year) || *h > 23 || *m > 59 || *sec > 60 {
        return None;
    }
    // Days since 1970-01-01 (civil-from-days inverse, Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + m * 60 + sec;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let r = Retries { max: 5, initial_backoff_ms: 100, max_backoff_ms: 350, max_retry_after_ms: 1000 };
        for _ in 0..50 {
            let b1 = backoff(&r, 1).as_millis();
            let b2 = backoff(&r, 2).as_millis();
            let b9 = backoff(&r, 9).as_millis();
            assert!((50..=100).contains(&b1), "{b1}");
            assert!((100..=200).contains(&b2), "{b2}");
            assert!((175..=350).contains(&b9), "{b9}");
        }
        assert!(backoff(&r, 200).as_millis() <= 350, "no overflow");
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(retry_after(Some(&HeaderValue::from_static("2"))), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some(&HeaderValue::from_static("0.5"))), Some(Duration::from_millis(500)));
        assert_eq!(retry_after(Some(&HeaderValue::from_static("soon"))), None);
        assert_eq!(retry_after(None), None);
        assert_eq!(retry_after(Some(&HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"))), Some(Duration::ZERO));
        let t = httpdate("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(), 784_111_777);
        assert!(httpdate("Sun, 32 Nov 1994 08:49:37 GMT").is_none());
    }
}
