//! What generation is configured by and what it returns: the converted model directory's
//! `config.json` ([`LlmConfig`]), per-call [`GenerateOptions`], and the [`Generation`] result.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::batch::PaddingSide;
use crate::lookup::PromptLookup;
use crate::sampling::SamplingConfig;

/// `config.json` of a converted model directory (written by the importer in `tools/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmConfig {
    /// Model family written by the importer (e.g. `llama`); informational.
    #[serde(default)]
    pub architecture: String,
    /// Decoder layers; the graph must have a key and a value cache input/output pair for each.
    pub num_layers: usize,
    /// Attention (query) heads; informational.
    pub num_heads: usize,
    /// Key/value heads (fewer than `num_heads` with grouped-query attention); sizes the KV cache.
    pub num_kv_heads: usize,
    /// Size of one attention head; sizes the KV cache.
    pub head_dim: usize,
    /// Width of the residual stream; informational (0 when absent).
    #[serde(default)]
    pub hidden_size: usize,
    /// Tokens in the vocabulary: the length of each logits row.
    pub vocab_size: usize,
    /// Beginning-of-sequence token, if the model has one.
    #[serde(default)]
    pub bos_token_id: Option<u32>,
    /// Tokens that end generation (unless [`GenerateOptions::ignore_eos`]).
    #[serde(default)]
    pub eos_token_ids: Vec<u32>,
    /// Padding token for batches; absent means the first EOS token (else 0).
    #[serde(default)]
    pub pad_token_id: Option<u32>,
    /// Prepend `bos_token_id` when encoding a prompt that does not start with it.
    #[serde(default)]
    pub add_bos_token: bool,
    /// Whether the exported graph takes `position_ids` (default true); informational, the
    /// graph's actual inputs decide.
    #[serde(default = "yes")]
    pub has_position_ids: bool,
    /// RoPE base frequency; informational (the graph carries its own tables).
    #[serde(default)]
    pub rope_theta: f64,
    /// Longest sequence the model supports (GroupQueryAttention graphs carry RoPE tables of
    /// exactly this many positions); longer sequences are an input error.
    #[serde(default)]
    pub max_position_embeddings: Option<usize>,
    /// `right` for GroupQueryAttention graphs (they read each row's length from the mask).
    #[serde(default)]
    pub padding_side: PaddingSide,
    /// The graph accepts one buffer bound as both past and present (GroupQueryAttention):
    /// decoding then writes the cache in place (see [`GenerateOptions::shared_kv_cache`]).
    #[serde(default)]
    pub kv_cache_shareable: bool,
    /// Generation defaults recommended for this model (the same keys as a deployment's
    /// `generation` table, e.g. `{"sampling": {"repetition_penalty": 1.05,
    /// "no_repeat_ngram_size": 6}}`); absent = [`GenerateOptions::default`]. They become
    /// [`LlmModel::defaults`](crate::LlmModel::defaults); a deployment's own `generation`
    /// table replaces them as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<GenerateOptions>,
}

fn yes() -> bool {
    true
}

/// Per-call generation settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenerateOptions {
    /// Most tokens generated per prompt (the stop token, if any, included).
    pub max_new_tokens: usize,
    /// Greedy or sampled decoding, the repetition penalty and n-gram blocking.
    pub sampling: SamplingConfig,
    /// Generation ends before the first occurrence of any of these (not included in the text).
    pub stop_strings: Vec<String>,
    /// Token ids that end generation, in addition to the model's `eos_token_ids`.
    pub stop_token_ids: Vec<u32>,
    /// Keep going past end-of-sequence tokens (benchmarks); stop strings still apply.
    pub ignore_eos: bool,
    /// `false` recomputes the whole sequence every step (reference mode for tests).
    pub use_cache: bool,
    /// Keep the KV cache in place in shared buffers when the model allows it
    /// (`kv_cache_shareable`) and the runtime uses only the CPU provider; `false` passes the
    /// cache from step to step as outputs -> inputs.
    /// Same tokens either way; the shared cache saves a copy of the whole cache per step.
    pub shared_kv_cache: bool,
    /// Speculative greedy decoding with drafts looked up in the sequence so far
    /// ([`PromptLookup`]). Used for single prompts with greedy sampling on models with a
    /// shared KV cache; ignored otherwise.
    pub prompt_lookup: Option<PromptLookup>,
    /// Checked before every step; when set, generation ends with [`FinishReason::Cancelled`].
    #[serde(skip)]
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_new_tokens: 256,
            sampling: SamplingConfig::default(),
            stop_strings: Vec::new(),
            stop_token_ids: Vec::new(),
            ignore_eos: false,
            use_cache: true,
            shared_kv_cache: true,
            prompt_lookup: None,
            cancel: None,
        }
    }
}

/// Equal settings; two cancellation flags are equal when they are the same flag.
impl PartialEq for GenerateOptions {
    fn eq(&self, o: &Self) -> bool {
        let cancel_eq = match (&self.cancel, &o.cancel) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.max_new_tokens == o.max_new_tokens
            && self.sampling == o.sampling
            && self.stop_strings == o.stop_strings
            && self.stop_token_ids == o.stop_token_ids
            && self.ignore_eos == o.ignore_eos
            && self.use_cache == o.use_cache
            && self.shared_kv_cache == o.shared_kv_cache
            && self.prompt_lookup == o.prompt_lookup
            && cancel_eq
    }
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// An end-of-sequence or stop token.
    Stop,
    /// A stop string.
    StopString,
    /// `max_new_tokens` reached.
    Length,
    /// The cancellation flag was set.
    Cancelled,
}

/// The result of generating for one prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// The generated text: decoded, stop string cut off.
    pub text: String,
    /// Generated ids (excluding the prompt; including a final stop token if one was produced).
    pub token_ids: Vec<u32>,
    /// Tokens in the encoded prompt.
    pub prompt_tokens: usize,
    /// Why generation ended.
    pub finish_reason: FinishReason,
    /// Time from the call to the first generated token (prefill).
    pub time_to_first_token: Duration,
    /// Total time of the call.
    pub elapsed: Duration,
    /// Part of `elapsed` spent inside ONNX Runtime (`session.run`); the rest is govai's own
    /// per-step work (feeds, sampling, detokenisation).
    pub runtime_time: Duration,
    /// Tokens guessed by prompt lookup ([`GenerateOptions::prompt_lookup`]) and how many of
    /// them the model confirmed; 0 when lookup is off.
    #[serde(default)]
    pub draft_tokens: usize,
    /// Of `draft_tokens`, how many the model confirmed.
    #[serde(default)]
    pub accepted_draft_tokens: usize,
}

impl Generation {
    /// Decode speed in tokens per second after the first token.
    pub fn decode_tokens_per_second(&self) -> f64 {
        let n = self.token_ids.len().saturating_sub(1) as f64;
        let t = self.elapsed.saturating_sub(self.time_to_first_token).as_secs_f64();
        if t > 0.0 { n / t } else { 0.0 }
    }
}
