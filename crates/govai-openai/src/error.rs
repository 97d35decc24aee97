//! The one error type of govai-openai, with a stable [`ErrorKind`].
//!
//! Messages never carry the API key, the prompt or the upstream's free-text error message (it
//! may echo the prompt): errors end up in the audit log, which holds hashes, not text.

use std::time::Duration;

/// Stable classification of [`Error`]s; variants are never renumbered or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The backend's options are wrong (bad URL, missing API key variable...).
    Config,
    /// The upstream could not be reached (connection refused, reset, DNS, TLS).
    Connect,
    /// A timeout (connect, first token or total) expired.
    Timeout,
    /// The upstream answered with an HTTP error status.
    Status,
    /// The upstream's answer is not a valid chat completion (bad JSON, bad SSE, cut stream).
    Protocol,
    /// The upstream's answer exceeds `max_response_bytes`.
    TooLarge,
    /// The circuit breaker is open: the upstream failed too often; no request was sent.
    CircuitOpen,
    /// Every fallback failed too (the message lists each failure).
    AllFailed,
}

impl ErrorKind {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Status => "status",
            Self::Protocol => "protocol",
            Self::TooLarge => "too_large",
            Self::CircuitOpen => "circuit_open",
            Self::AllFailed => "all_failed",
        }
    }
}

/// Errors of govai-openai. [`Error::kind`] gives the stable [`ErrorKind`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An option is wrong; `key` names it.
    #[error("{key}: {reason}")]
    Config {
        /// The option, e.g. `base_url` or `api_key_env`.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The upstream could not be reached, or the connection broke before an answer.
    #[error("cannot reach {url}: {reason}")]
    Connect {
        /// The endpoint (no credentials in it: `base_url` may not carry any).
        url: String,
        /// What went wrong (the client's error chain).
        reason: String,
    },
    /// A timeout expired.
    #[error("{which} timeout of {ms} ms expired")]
    Timeout {
        /// `connect`, `first_token` or `total`.
        which: &'static str,
        /// The configured timeout.
        ms: u64,
    },
    /// The upstream answered with an error status.
    #[error("upstream answered HTTP {status}{}", detail(code))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The OpenAI error `type`/`code`, when the body had one (never its free-text message).
        code: Option<String>,
        /// The upstream's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    /// The answer is malformed or was cut off.
    #[error("malformed answer: {0}")]
    Protocol(String),
    /// The answer exceeds the size limit.
    #[error("answer exceeds max_response_bytes = {max}")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The circuit breaker is open.
    #[error("circuit open after {failures} consecutive failures; next attempt in {retry_in_ms} ms")]
    CircuitOpen {
        /// Consecutive failures that opened it.
        failures: u32,
        /// Time until a probe request is let through.
        retry_in_ms: u64,
    },
    /// The upstream and every fallback failed.
    #[error("{0}")]
    AllFailed(String),
}

fn detail(code: &Option<String>) -> String {
    code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
}

impl Error {
    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Config { .. } => ErrorKind::Config,
            Self::Connect { .. } => ErrorKind::Connect,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Status { .. } => ErrorKind::Status,
            Self::Protocol(_) => ErrorKind::Protocol,
            Self::TooLarge { .. } => ErrorKind::TooLarge,
            Self::CircuitOpen { .. } => ErrorKind::CircuitOpen,
            Self::AllFailed(_) => ErrorKind::AllFailed,
        }
    }

    /// Worth another attempt (before any token was streamed): connection failures, timeouts
    /// of connect or first token, 408, 429, 5xx and a malformed or cut answer. Not: other 4xx (the request
    /// itself is wrong, e.g. a bad key or too long a prompt), oversize answers, an open circuit.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Protocol(_) => true,
            Self::Timeout { which, .. } => *which != "total",
            Self::Status { status, .. } => matches!(*status, 408 | 429) || *status >= 500,
            Self::Config { .. } | Self::TooLarge { .. } | Self::CircuitOpen { .. } | Self::AllFailed(_) => false,
        }
    }

    /// Counts as a failure of the upstream for the circuit breaker: what is retryable, any
    /// timeout and an oversize answer; not a 4xx other than 408 and 429, which says nothing
    /// about the upstream's health.
    pub fn is_upstream_failure(&self) -> bool {
        self.is_retryable() || matches!(self, Self::Timeout { .. } | Self::TooLarge { .. })
    }

    /// The govai-core error of model `model` (kind `model`, or `config` for a config error).
    pub fn into_core(self, model: &str) -> govai_core::Error {
        match self {
            Self::Config { key, reason } => govai_core::Error::config("", key, reason),
            e => govai_core::Error::model(model, e.to_string()),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_classes() {
        let status = |s| Error::Status { status: s, code: None, retry_after: None };
        assert!(status(429).is_retryable() && status(503).is_retryable() && status(500).is_retryable());
        assert!(!status(400).is_retryable() && !status(401).is_retryable());
        assert!(!status(401).is_upstream_failure());
        assert!(Error::Timeout { which: "first_token", ms: 1 }.is_retryable());
        assert!(!Error::Timeout { which: "total", ms: 1 }.is_retryable());
        assert!(Error::Timeout { which: "total", ms: 1 }.is_upstream_failure());
        assert!(!Error::CircuitOpen { failures: 3, retry_in_ms: 5 }.is_retryable());
        let e = Error::Status { status: 429, code: Some("rate_limit".into()), retry_after: None };
        assert_eq!(e.to_string(), "upstream answered HTTP 429 (rate_limit)");
        let core = e.into_core("m");
        assert_eq!(core.kind(), govai_core::ErrorKind::Model);
        assert!(core.to_string().starts_with("model `m`:"), "{core}");
        assert_eq!(ErrorKind::CircuitOpen.as_str(), "circuit_open");
    }
}
