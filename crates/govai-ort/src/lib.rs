//! govai's ONNX Runtime backend: local LLM generation with a KV cache, sentence embeddings,
//! sequence classifiers and the LAC named-entity tagger, all as `Send + Sync` models used through `&self`.
//!
//! The runtime library is loaded dynamically (see [`find_library`]): from
//! [`RuntimeConfig::library_path`], else `ORT_DYLIB_PATH`, else `VIRTUAL_ENV`, else a `.venv`
//! (`lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*`) in the current directory,
//! `CARGO_MANIFEST_DIR` or any of their parents. One ONNX Runtime environment per process.
//! govai-core stays free of `ort`.
//!
//! ```no_run
//! use govai_ort::{ChatMessage, GenerateOptions, LlmModel, RuntimeConfig};
//! # fn main() -> govai_core::Result<()> {
//! let model = LlmModel::load("models/smollm2-135m-instruct", &RuntimeConfig::default())?;
//! let mut out = String::new();
//! let g = model.chat_stream(&[ChatMessage::user("What is the capital of France?")],
//!     &GenerateOptions { max_new_tokens: 32, ..Default::default() }, &mut |piece| out.push_str(piece))?;
//! assert_eq!(out, g.text);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]
#![warn(unreachable_pub)]

mod batch;
mod chat;
mod classify;
mod embed;
mod encode;
mod generate;
mod kv;
mod lac;
mod lookup;
mod options;
mod runtime;
mod sampling;
mod stream;

pub use batch::PaddingSide;
pub use chat::ChatMessage;
pub use classify::{Activation, Classification, ClassifierConfig, SequenceClassifier};
pub use embed::{EmbeddingConfig, EmbeddingModel, Pooling, cosine};
pub use encode::InputLayout;
pub use generate::{LlmModel, TrimStart};
pub use lac::{LacTagger, TaggedSpan};
pub use lookup::PromptLookup;
pub use options::{FinishReason, GenerateOptions, Generation, LlmConfig};
/// The `ort` crate this backend is built on, for callers of [`session_pool`] (same version).
pub use ort;
pub use runtime::{PooledSession, RuntimeConfig, SessionPool, find_library, session_pool};
pub use sampling::SamplingConfig;
