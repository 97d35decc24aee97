//! The review webhook: when a queued answer is approved or rejected, the gateway POSTs
//! `{"event": "review.decided", "review_id", "state", "audit_id", "request_id", "caller",
//! "poll"}` to `[store] webhook_url`, signed with HMAC-SHA256 when a key is configured
//! (`X-Govai-Signature: sha256=<hex>` of the body). No answer text is sent: the caller fetches
//! it from `poll` with its own key, so its role decides what it sees. Delivery is tried up to
//! four times (1, 2, 4 s apart), 5 s each, off the request path; failures are counted in
//! `/metrics` (`govai_webhook_failures_total`) and reported on stderr.

use std::time::Duration;

use govai_store::ReviewItem;
use hmac::{KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;

/// Attempts per event.
const ATTEMPTS: u32 = 4;

/// Where and how to deliver.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: String,
    key: Option<Vec<u8>>,
    client: reqwest::Client,
}

impl Webhook {
    /// A webhook to `url`, signing with the key in environment variable `secret_env`.
    pub fn new(url: &str, secret_env: Option<&str>) -> Result<Self, String> {
        let key = match secret_env {
            Some(var) => {
                Some(std::env::var(var).map_err(|_| format!("environment variable {var} is not set"))?.into_bytes())
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        reqwest::Url::parse(url).map_err(|e| format!("webhook_url `{url}`: {e}"))?;
        Ok(Self { url: url.to_owned(), key, client })
    }

    /// The event body of a decided item.
    pub fn body(item: &ReviewItem) -> Vec<u8> {
        json!({
            "event": "review.decided",
            "review_id": item.id,
            "state": item.state,
            "audit_id": item.audit_id,
            "request_id": item.request_id,
            "caller": item.caller,
            "poll": format!("/v1/govai/reviews/{}", item.id),
        })
        .to_string()
        .into_bytes()
    }

    /// `sha256=<hex>` of `body` under `key`.
    pub fn signature(key: &[u8], body: &[u8]) -> String {
        // HMAC takes a key of any length; the error case cannot occur.
        let Ok(mut mac) = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key) else { return String::new() };
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    /// Deliver `item`'s event; true when the receiver answered 2xx.
    pub async fn deliver(&self, item: &ReviewItem) -> bool {
        let body = Self::body(item);
        let mut wait = Duration::from_secs(1);
        for attempt in 1..=ATTEMPTS {
            let mut req = self.client.post(&self.url).header("content-type", "application/json").body(body.clone());
            if let Some(key) = &self.key {
                req = req.header("x-govai-signature", Self::signature(key, &body));
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => return true,
                Ok(r) => eprintln!("govai serve: webhook {} attempt {attempt}: HTTP {}", self.url, r.status()),
                Err(e) => eprintln!("govai serve: webhook {} attempt {attempt}: {e}", self.url),
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
        false
    }
}
