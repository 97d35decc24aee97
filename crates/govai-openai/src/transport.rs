//! One call to the upstream: attempts with retries, backoff and the circuit breaker, each
//! attempt sending the chat request and reading the answer, whole or streamed, within its
//! timeouts and size limit. Runs on the model's own tokio runtime.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::StreamExt;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout_at};

use crate::backoff::{backoff, retry_after};
use crate::breaker::Breaker;
use crate::error::{Error, Result};
use crate::options::OpenAiOptions;
use crate::wire::{self, Answer};

/// Longest error body read to find the OpenAI error codes.
const MAX_ERROR_BODY: usize = 64 << 10;

/// What every call of one model shares.
#[derive(Debug)]
pub(crate) struct Upstream {
    pub(crate) options: OpenAiOptions,
    pub(crate) endpoint: reqwest::Url,
    pub(crate) client: reqwest::Client,
    pub(crate) breaker: Breaker,
    pub(crate) counters: Counters,
}

/// Running totals since the model was built (for metrics).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) attempts: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) failed_attempts: AtomicU64,
    pub(crate) circuit_rejections: AtomicU64,
    pub(crate) fallback_answers: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// A failed call, and whether text had already reached the caller (then nothing is retried
/// and no fallback is tried: the caller has seen part of this answer).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) delivered: bool,
}

/// Where a streamed call sends its text, and whether any has gone.
#[derive(Debug)]
pub(crate) struct StreamTo {
    pub(crate) tx: mpsc::Sender<String>,
    pub(crate) delivered: AtomicBool,
}

/// Reports an attempt to the breaker when dropped unsettled (an aborted call): a probe then
/// gives its place to the next caller.
struct Attempt<'a> {
    breaker: &'a Breaker,
    settled: bool,
}

impl Attempt<'_> {
    fn settle(mut self, result: &Result<Answer>) {
        self.settled = true;
        match result {
            Ok(_) => self.breaker.success(),
            Err(e) if e.is_upstream_failure() => self.breaker.failure(),
            Err(_) => self.breaker.neutral(),
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker.neutral();
        }
    }
}

impl Upstream {
    pub(crate) fn new(options: OpenAiOptions) -> Result<Self> {
        options.validate()?;
        let endpoint = options.endpoint()?;
        let mut client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout())
            // Never follow a redirect: a 307/308 would resend the prompt to a host whose
            // location the gate never checked. A 3xx is reported as an error status.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("govai/", env!("CARGO_PKG_VERSION")));
        // No proxy for a loopback upstream (a llama.cpp server beside the application).
        let host = endpoint.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
        if host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
            client = client.no_proxy();
        }
        let client = client.build().map_err(|e| Error::Config { key: "base_url", reason: chain(&e) })?;
        let breaker = Breaker::new(options.circuit);
        Ok(Self { options, endpoint, client, breaker, counters: Counters::default() })
    }

    /// The whole call: attempts until one succeeds, a failure is not worth retrying, the
    /// retries are used up or the total timeout expires.
    pub(crate) async fn call(&self, body: Vec<u8>, stream: Option<&StreamTo>) -> Result<Answer, Failure> {
        let deadline = Instant::now() + Duration::from_millis(self.options.timeouts.total_ms);
        let delivered = || stream.is_some_and(|s| s.delivered.load(Ordering::SeqCst));
        let mut retry = 0;
        loop {
            if let Err(error) = self.breaker.admit() {
                bump(&self.counters.circuit_rejections);
                return Err(Failure { error, delivered: false });
            }
            bump(&self.counters.attempts);
            let guard = Attempt { breaker: &self.breaker, settled: false };
            let total = Error::Timeout { which: "total", ms: self.options.timeouts.total_ms };
            let result = timeout_at(deadline, self.attempt(&body, stream)).await.unwrap_or(Err(total));
            guard.settle(&result);
            let error = match result {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            bump(&self.counters.failed_attempts);
            let failure = |error| Failure { error, delivered: delivered() };
            if delivered() || !error.is_retryable() || retry >= self.options.retries.max {
                return Err(failure(error));
            }
            retry += 1;
            bump(&self.counters.retries);
            let wait = match &error {
                Error::Status { retry_after: Some(ra), .. } => {
                    if ra.as_millis() > u128::from(self.options.retries.max_retry_after_ms) {
                        return Err(failure(error));
                    }
                    *ra
                }
                _ => backoff(&self.options.retries, retry),
            };
            if Instant::now() + wait >= deadline {
                return Err(failure(error));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt.
    async fn attempt(&self, body: &[u8], stream: Option<&StreamTo>) -> Result<Answer> {
        let first_token = Instant::now() + Duration::from_millis(self.options.timeouts.first_token_ms);
        let mut request =
            self.client.post(self.endpoint.clone()).header(CONTENT_TYPE, "application/json").body(body.to_vec());
        if let Some(key) = self.options.api_key()? {
            request = request.bearer_auth(&key.0);
        }
        let sent = request.send();
        let response = match stream {
            Some(_) => timeout_at(first_token, sent).await.map_err(|_| self.first_token_timeout())?,
            None => sent.await,
        }
        .map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after(response.headers().get(RETRY_AFTER));
            let body = read_bounded(response, MAX_ERROR_BODY, true).await.unwrap_or_default();
            return Err(Error::Status { status: status.as_u16(), code: wire::error_codes(&body), retry_after });
        }
        let is_sse = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
        match stream {
            Some(to) if is_sse => self.read_stream(response, to, first_token).await,
            // An upstream that ignores `stream: true` answers whole: pass it on in one piece.
            Some(to) => {
                let answer = self.read_whole(response).await?;
                if !answer.text.is_empty() {
                    to.delivered.store(true, Ordering::SeqCst);
                    let _ = to.tx.send(answer.text.clone()).await;
                }
                Ok(answer)
            }
            None => self.read_whole(response).await,
        }
    }

    async fn read_whole(&self, response: reqwest::Response) -> Result<Answer> {
        let body =
            read_bounded(response, self.options.max_response_bytes, false).await.map_err(|e| self.body_error(e))?;
        wire::parse_answer(&body)
    }

    /// Read SSE events, sending each piece of text on; the first must come before
    /// `first_token`. Leading whitespace is dropped (as the non-streamed answer is trimmed).
    async fn read_stream(&self, response: reqwest::Response, to: &StreamTo, first_token: Instant) -> Result<Answer> {
        let max = self.options.max_response_bytes;
        let mut read = 0usize;
        let bytes = response.bytes_stream().map(move |chunk| {
            let chunk = chunk.map_err(BodyError::Transport)?;
            read = read.saturating_add(chunk.len());
            if read > max { Err(BodyError::TooLarge) } else { Ok(chunk) }
        });
        let mut events = Box::pin(bytes.eventsource());
        let mut answer = Answer { text: String::new(), usage: None };
        let mut finished = false;
        loop {
            let next = if answer.text.is_empty() {
                timeout_at(first_token, events.next()).await.map_err(|_| self.first_token_timeout())?
            } else {
                events.next().await
            };
            let event = match next {
                None => break,
                Some(Ok(event)) => event,
                Some(Err(EventStreamError::Transport(e))) => return Err(self.body_error(e)),
                Some(Err(e)) => return Err(Error::Protocol(format!("bad event stream: {e}"))),
            };
            if event.data.is_empty() {
                continue;
            }
            let chunk = wire::parse_chunk(&event.data)?;
            finished |= chunk.finished;
            answer.usage = chunk.usage.or(answer.usage);
            if chunk.done {
                break;
            }
            let piece = if answer.text.is_empty() { chunk.text.trim_start() } else { chunk.text.as_str() };
            if piece.is_empty() {
                continue;
            }
            answer.text.push_str(piece);
            to.delivered.store(true, Ordering::SeqCst);
            if to.tx.send(piece.to_owned()).await.is_err() {
                // The caller stopped listening (its sink said Break): stop reading.
                return Ok(answer);
            }
        }
        if !finished {
            return Err(Error::Protocol("the stream ended before the answer was complete".into()));
        }
        Ok(answer)
    }

    fn first_token_timeout(&self) -> Error {
        Error::Timeout { which: "first_token", ms: self.options.timeouts.first_token_ms }
    }

    fn transport_error(&self, e: &reqwest::Error) -> Error {
        if e.is_connect() && e.is_timeout() {
            return Error::Timeout { which: "connect", ms: self.options.timeouts.connect_ms };
        }
        Error::Connect { url: self.endpoint.to_string(), reason: chain(e) }
    }

    fn body_error(&self, e: BodyError) -> Error {
        match e {
            BodyError::TooLarge => Error::TooLarge { max: self.options.max_response_bytes },
            BodyError::Transport(e) => Error::Protocol(format!("the answer was cut off: {}", chain(&e))),
        }
    }
}

/// A body that could not be read whole.
#[derive(Debug)]
enum BodyError {
    TooLarge,
    Transport(reqwest::Error),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge => f.write_str("too large"),
            Self::Transport(e) => write!(f, "{}", chain(e)),
        }
    }
}

/// At most `max` bytes of the body; with `truncate`, what fits instead of an error.
async fn read_bounded(mut response: reqwest::Response, max: usize, truncate: bool) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > max {
            if truncate {
                body.extend_from_slice(&chunk[..max - body.len()]);
                return Ok(body);
            }
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error's message with its sources (reqwest's own message is terse).
fn chain(e: &dyn std::error::Error) -> String {
    govai_core::error::message_with_sources(e)
}
