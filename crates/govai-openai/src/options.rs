//! The backend's options, as the `[[models]]` entry of `backend = "openai"` gives them.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};

/// `timeouts = { connect_ms, first_token_ms, total_ms }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    /// Establishing the TCP (and TLS) connection, per attempt.
    pub connect_ms: u64,
    /// From sending a streamed request to its first token, per attempt. (A non-streamed
    /// answer arrives whole: only `total_ms` bounds it.)
    pub first_token_ms: u64,
    /// The whole call to this upstream: every attempt, the waits between them and the answer.
    /// Fallbacks have their own.
    pub total_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect_ms: 5_000, first_token_ms: 60_000, total_ms: 300_000 }
    }
}

/// `retries = { max, initial_backoff_ms, max_backoff_ms, max_retry_after_ms }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retries {
    /// Attempts after the first (0: no retries).
    pub max: u32,
    /// Wait before the first retry; doubled each time, with full jitter (a random wait between
    /// half and all of it).
    pub initial_backoff_ms: u64,
    /// Longest wait between attempts.
    pub max_backoff_ms: u64,
    /// Longest `Retry-After` honoured; an upstream asking for longer is not retried (the
    /// fallbacks are tried at once).
    pub max_retry_after_ms: u64,
}

impl Default for Retries {
    fn default() -> Self {
        Self { max: 2, initial_backoff_ms: 250, max_backoff_ms: 8_000, max_retry_after_ms: 30_000 }
    }
}

/// `circuit = { failures, cool_down_ms }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Circuit {
    /// Consecutive failed attempts that open the circuit (0: never opens).
    pub failures: u32,
    /// How long it stays open before one probe request is let through (half-open).
    pub cool_down_ms: u64,
}

impl Default for Circuit {
    fn default() -> Self {
        Self { failures: 5, cool_down_ms: 30_000 }
    }
}

/// Everything an [`crate::OpenAiModel`] needs besides its [`govai_core::ModelInfo`] and fallbacks.
#[derive(Clone, PartialEq)]
pub struct OpenAiOptions {
    /// The API root, e.g. `https://llm.example.gov.cn/v1`; `/chat/completions` is appended.
    pub base_url: String,
    /// The `model` sent upstream.
    pub upstream_model: String,
    /// The environment variable holding the API key (sent as `Authorization: Bearer`); None
    /// for an upstream without authentication.
    pub api_key_env: Option<String>,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Retries.
    pub retries: Retries,
    /// Circuit breaker.
    pub circuit: Circuit,
    /// `max_tokens` sent upstream, if set.
    pub max_tokens: Option<u32>,
    /// `temperature` sent upstream, if set.
    pub temperature: Option<f32>,
    /// Largest answer read (bytes of the HTTP body, streamed or not).
    pub max_response_bytes: usize,
}

/// Default [`OpenAiOptions::max_response_bytes`]: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 << 20;

impl OpenAiOptions {
    /// Options with the default timeouts, retries and circuit.
    pub fn new(base_url: impl Into<String>, upstream_model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            upstream_model: upstream_model.into(),
            api_key_env: None,
            timeouts: Timeouts::default(),
            retries: Retries::default(),
            circuit: Circuit::default(),
            max_tokens: None,
            temperature: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The chat completions endpoint, after checking the options.
    pub(crate) fn endpoint(&self) -> Result<reqwest::Url> {
        let bad = |reason: String| Error::Config { key: "base_url", reason };
        let url = reqwest::Url::parse(self.base_url.trim_end_matches('/'))
            .map_err(|e| bad(format!("`{}` is not a URL: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad(format!("scheme `{}` is not http or https", url.scheme())));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not carry credentials: name the key's variable in `api_key_env`".into()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a query or fragment".into()));
        }
        let endpoint = format!("{}/chat/completions", url.as_str().trim_end_matches('/'));
        reqwest::Url::parse(&endpoint).map_err(|e| bad(e.to_string()))
    }

    /// Check every option (what loading a deployment does before any request).
    pub fn validate(&self) -> Result<()> {
        self.endpoint()?;
        if self.upstream_model.trim().is_empty() {
            return Err(Error::Config { key: "upstream_model", reason: "must not be empty".into() });
        }
        if let Some(var) = &self.api_key_env {
            let valid = !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(Error::Config {
                    key: "api_key_env",
                    reason: format!(
                        "`{var}` is not an environment variable name (the key itself never goes in the config)"
                    ),
                });
            }
        }
        let t = &self.timeouts;
        for (key, ms) in [("timeouts.connect_ms", t.connect_ms), ("timeouts.first_token_ms", t.first_token_ms)] {
            if ms == 0 {
                return Err(Error::Config { key, reason: "must be at least 1".into() });
            }
        }
        if t.total_ms < t.connect_ms {
            return Err(Error::Config { key: "timeouts.total_ms", reason: "must be at least connect_ms".into() });
        }
        if self.retries.initial_backoff_ms > self.retries.max_backoff_ms {
            return Err(Error::Config {
                key: "retries.initial_backoff_ms",
                reason: "must not exceed max_backoff_ms".into(),
            });
        }
        if self.max_response_bytes < 1024 {
            return Err(Error::Config { key: "max_response_bytes", reason: "must be at least 1024".into() });
        }
        if let Some(temp) = self.temperature
            && !(0.0..=2.0).contains(&temp)
        {
            return Err(Error::Config { key: "temperature", reason: "must be within 0 to 2".into() });
        }
        Ok(())
    }

    /// The API key from the environment, read at each request (so a rotated key is picked up).
    pub(crate) fn api_key(&self) -> Result<Option<ApiKey>> {
        let Some(var) = &self.api_key_env else { return Ok(None) };
        match std::env::var(var) {
            Ok(k) if !k.trim().is_empty() => Ok(Some(ApiKey(k.trim().to_owned()))),
            _ => Err(Error::Config {
                key: "api_key_env",
                reason: format!("environment variable `{var}` is not set or empty"),
            }),
        }
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.timeouts.connect_ms)
    }
}

impl std::fmt::Debug for OpenAiOptions {
    /// No secret here (only the variable's name), but spelled out so that stays true.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiOptions")
            .field("base_url", &self.base_url)
            .field("upstream_model", &self.upstream_model)
            .field("api_key_env", &self.api_key_env)
            .field("timeouts", &self.timeouts)
            .field("retries", &self.retries)
            .field("circuit", &self.circuit)
            .field("max_tokens", &self.max_tokens)
            .field("temperature", &self.temperature)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// An API key; its `Debug` shows nothing of it.
pub(crate) struct ApiKey(pub(crate) String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_and_validation() {
        let o = OpenAiOptions::new("http://127.0.0.1:8080/v1/", "qwen");
        assert_eq!(o.endpoint().unwrap().as_str(), "http://127.0.0.1:8080/v1/chat/completions");
        o.validate().unwrap();
        let bad = |o: OpenAiOptions| o.validate().expect_err("refused").to_string();
        assert!(bad(OpenAiOptions::new("https://u:secret@h/v1", "m")).contains("credentials"));
        assert!(!bad(OpenAiOptions::new("https://u:secret@h/v1", "m")).contains("secret"));
        assert!(bad(OpenAiOptions::new("ftp://h/v1", "m")).contains("scheme"));
        assert!(bad(OpenAiOptions::new("not a url", "m")).starts_with("base_url"));
        assert!(bad(OpenAiOptions::new("http://h/v1", " ")).starts_with("upstream_model"));
        let mut o = OpenAiOptions::new("http://h/v1", "m");
        o.api_key_env = Some("sk-abc def".into());
        assert!(bad(o).starts_with("api_key_env"));
        let mut o = OpenAiOptions::new("http://h/v1", "m");
        o.timeouts.first_token_ms = 0;
        assert!(bad(o).starts_with("timeouts.first_token_ms"));
    }

    #[test]
    fn missing_key_variable_is_named_not_guessed() {
        let mut o = OpenAiOptions::new("http://h/v1", "m");
        o.api_key_env = Some("GOVAI_OPENAI_TEST_UNSET_VARIABLE".into());
        let e = o.api_key().expect_err("unset");
        assert!(e.to_string().contains("GOVAI_OPENAI_TEST_UNSET_VARIABLE"), "{e}");
        assert_eq!(format!("{:?}", ApiKey("sk-secret".into())), "ApiKey(<redacted>)");
    }
}
