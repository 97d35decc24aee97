//! govai-openai: a remote model as a govai [`Model`](govai_core::Model), over the OpenAI chat
//! completions API that vLLM, MindIE, Ollama, llama.cpp servers and provincial shared model
//! platforms speak.
//!
//! [`OpenAiModel`] sends the (already gated and masked) conversation upstream, whole or
//! streamed (SSE), with connect / first-token / total timeouts, retries with exponential
//! backoff and jitter (honouring `Retry-After`; never once text has been streamed), a circuit
//! breaker, bounded answers, token usage reported, and an ordered list of fallback models.
//! The API key comes from an environment variable named in the options, never from the
//! options themselves, and appears in no message, log or `Debug` output.
//!
//! Which data may reach the model is not decided here: the deployment's gate checks the
//! model's declared clearance and location (a public-internet model receives Public data only).

mod backoff;
mod breaker;
pub mod error;
mod model;
mod options;
mod transport;
mod wire;

pub use breaker::CircuitState;
pub use error::{Error, ErrorKind, Result};
pub use model::{OpenAiModel, UpstreamStats};
pub use options::{Circuit, DEFAULT_MAX_RESPONSE_BYTES, OpenAiOptions, Retries, Timeouts};
