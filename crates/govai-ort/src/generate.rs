//! Decoder-only generation with a KV cache in the optimum layout.

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use govai_core::{
    DataLevel, Error, Filing, InferenceInput, InferenceOutput, InferenceSink, Location, Model, ModelInfo, ModelKind,
    Result,
};
use ort::session::SessionInputValue;
use ort::value::TensorElementType;
use ort::value::{DynValue, Tensor};
use tokenizers::Tokenizer;

use crate::batch::{Block, Rows};
use crate::chat::{ChatMessage, ChatTemplate};
use crate::kv::{KvCache, KvShape};
use crate::options::{FinishReason, GenerateOptions, Generation, LlmConfig};
use crate::runtime::{Runtime, RuntimeConfig, SessionPool};
use crate::sampling::{Rng, sample};
use crate::stream::{IncrementalDecoder, StopBuffer};

/// Streaming callback for batch row `usize`.
type RowCallback<'a> = dyn FnMut(usize, &str) + 'a;

/// A loaded decoder-only model: `model.onnx`, `tokenizer.json`, `config.json`,
/// `chat_template.jinja` (optional).
#[derive(Debug)]
pub struct LlmModel {
    info: ModelInfo,
    config: LlmConfig,
    tokenizer: Tokenizer,
    template: Option<ChatTemplate>,
    pool: SessionPool,
    defaults: GenerateOptions,
    io: IoNames,
    /// Only the CPU provider: the shared KV buffers live in host memory, which device providers
    /// would copy to and from on every step.
    cpu_only: bool,
}

#[derive(Debug)]
struct IoNames {
    ids_type: TensorElementType,
    has_position_ids: bool,
    kv_type: TensorElementType,
    /// (past input name, present output name) per cache tensor.
    kv: Vec<(String, String)>,
}

impl LlmModel {
    /// Load a model directory on the process runtime.
    pub fn load(dir: impl AsRef<Path>, runtime: &RuntimeConfig) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "llm".into());
        let config: LlmConfig = read_json(&id, &dir.join("config.json"))?;
        let defaults = config.generation.clone().unwrap_or_default();
        defaults.sampling.validate().map_err(|e| Error::model(&id, format!("config.json generation.sampling: {e}")))?;
        let tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| Error::model(&id, format!("{}: {e}", dir.join("tokenizer.json").display())))?;
        let tpath = dir.join("chat_template.jinja");
        let template = if tpath.is_file() {
            let src = std::fs::read_to_string(&tpath).map_err(|e| Error::io(&tpath, e))?;
            let tok_str = |id: Option<u32>| id.and_then(|i| tokenizer.id_to_token(i)).unwrap_or_default();
            Some(ChatTemplate::new(
                &src,
                &tok_str(config.bos_token_id),
                &tok_str(config.eos_token_ids.first().copied()),
            )?)
        } else {
            None
        };
        let rt = Runtime::get(runtime)?;
        let pool = rt.pool(&id, &dir.join("model.onnx"), runtime)?;
        let io = IoNames::check(&id, &pool, &config)?;
        let info = ModelInfo {
            id: id.clone(),
            version: "1".into(),
            kind: ModelKind::Generate,
            clearance: DataLevel::Internal,
            location: Location::OnPremises,
            filing: Filing::default(),
        };
        let cpu_only = runtime.execution_providers.iter().all(|p| p.eq_ignore_ascii_case("cpu"));
        Ok(Self { info, config, tokenizer, template, pool, defaults, io, cpu_only })
    }

    /// Replace the identity the pipeline sees (id, clearance, filing...). `kind` stays Generate.
    pub fn with_info(mut self, info: ModelInfo) -> Self {
        self.info = ModelInfo { kind: ModelKind::Generate, ..info };
        self
    }

    /// Options used by [`Model::infer`].
    pub fn with_defaults(mut self, defaults: GenerateOptions) -> Self {
        self.defaults = defaults;
        self
    }

    /// The directory's `config.json`.
    pub fn config(&self) -> &LlmConfig {
        &self.config
    }
    /// The options [`Model::infer`] uses (set with [`with_defaults`](Self::with_defaults)).
    pub fn defaults(&self) -> &GenerateOptions {
        &self.defaults
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        Error::model(&self.info.id, reason)
    }

    /// Render messages through the model's chat template.
    pub fn apply_chat_template(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> Result<String> {
        match &self.template {
            Some(t) => t.render(messages, add_generation_prompt),
            None => Err(self.err("model directory has no chat_template.jinja")),
        }
    }

    /// Tokenise a prompt (special-token text such as `<|im_start|>` is recognised); prepends BOS
    /// when the config says so and the text does not already start with it.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let enc = self.tokenizer.encode(text, false).map_err(|e| self.err(format!("tokenizer: {e}")))?;
        let mut ids = enc.get_ids().to_vec();
        if self.config.add_bos_token
            && let Some(bos) = self.config.bos_token_id
            && ids.first() != Some(&bos)
        {
            ids.insert(0, bos);
        }
        Ok(ids)
    }

    /// Detokenise ids, skipping special tokens.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.tokenizer.decode(ids, true).map_err(|e| self.err(format!("tokenizer: {e}")))
    }

    /// Generate a continuation of `prompt` (raw text, no template applied).
    pub fn generate(&self, prompt: &str, opts: &GenerateOptions) -> Result<Generation> {
        let ids = self.encode(prompt)?;
        let mut out = self.run(vec![ids], opts, None)?;
        Ok(out.remove(0))
    }

    /// Like [`generate`](Self::generate), calling `on_text` with each new piece of text as soon
    /// as it is complete: never half a UTF-8 character, never part of a stop string. The
    /// concatenated pieces equal the returned `text`.
    pub fn generate_stream(
        &self,
        prompt: &str,
        opts: &GenerateOptions,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation> {
        let ids = self.encode(prompt)?;
        let mut cb = |_: usize, s: &str| on_text(s);
        let mut out = self.run(vec![ids], opts, Some(&mut cb))?;
        Ok(out.remove(0))
    }

    /// Generate for several prompts in one batch (left padding).
    pub fn generate_batch(&self, prompts: &[&str], opts: &GenerateOptions) -> Result<Vec<Generation>> {
        let ids = prompts.iter().map(|p| self.encode(p)).collect::<Result<Vec<_>>>()?;
        self.run(ids, opts, None)
    }

    /// Render `messages` with the chat template (generation prompt added) and generate.
    pub fn chat(&self, messages: &[ChatMessage], opts: &GenerateOptions) -> Result<Generation> {
        let prompt = self.apply_chat_template(messages, true)?;
        self.generate(&prompt, opts)
    }

    /// Streaming variant of [`chat`](Self::chat).
    pub fn chat_stream(
        &self,
        messages: &[ChatMessage],
        opts: &GenerateOptions,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation> {
        let prompt = self.apply_chat_template(messages, true)?;
        self.generate_stream(&prompt, opts, on_text)
    }

    /// Like [`generate_stream`](Self::generate_stream), but `on_text` may stop generation by
    /// returning `Break` (the text so far is returned, finish reason `cancelled`). A
    /// cancellation flag in `opts` still works.
    pub(crate) fn generate_until(
        &self,
        prompt: &str,
        opts: &GenerateOptions,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation> {
        let stop = Arc::new(AtomicBool::new(false));
        let outer = opts.cancel.clone();
        let opts = GenerateOptions { cancel: Some(Arc::clone(&stop)), ..opts.clone() };
        let mut cb = |s: &str| {
            if on_text(s).is_break() || outer.as_ref().is_some_and(|o| o.load(Ordering::Relaxed)) {
                stop.store(true, Ordering::Relaxed);
            }
        };
        self.generate_stream(prompt, &opts, &mut cb)
    }

    /// [`chat_stream`](Self::chat_stream) that the callback can stop: generation ends after the
    /// piece for which `on_text` returns `Break` (the text so far is returned, finish reason
    /// `cancelled`). A cancellation flag in `opts` still works.
    pub fn chat_until(
        &self,
        messages: &[ChatMessage],
        opts: &GenerateOptions,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Generation> {
        let prompt = self.apply_chat_template(messages, true)?;
        self.generate_until(&prompt, opts, on_text)
    }

    /// Logits after every position of `ids` (`ids.len()` rows of `vocab` floats). With
    /// `use_cache` the first token is fed alone and each following token one at a time through
    /// the cache; without, the whole sequence is one forward pass. The two must agree.
    pub fn prefix_logits(&self, ids: &[u32], use_cache: bool) -> Result<Vec<Vec<f32>>> {
        if ids.is_empty() {
            return Err(Error::InvalidInput("empty token sequence".into()));
        }
        self.check_length(ids.len())?;
        let mut session = self.pool.get();
        let mut ignored = Duration::ZERO;
        let mut rows = Rows::new(vec![ids[..1].to_vec()], self.config.padding_side, 0);
        if !use_cache {
            rows.tokens[0] = ids.to_vec();
            let mut cache = self.new_cache(&session, 1, 0, false)?;
            return self.forward(&mut session, &rows.full(), &mut cache, true, &mut ignored);
        }
        // A shared cache starts at one position here and doubles as it goes, so this reference
        // path also checks that growing the buffers keeps their contents.
        let mut cache = self.new_cache(&session, 1, 1, true)?;
        let mut out = self.forward(&mut session, &rows.full(), &mut cache, false, &mut ignored)?;
        for &t in &ids[1..] {
            rows.tokens[0].push(t);
            out.extend(self.forward(&mut session, &rows.last(), &mut cache, false, &mut ignored)?);
        }
        Ok(out)
    }

    /// A sequence longer than the model's positions is an input error, not a runtime failure.
    fn check_length(&self, len: usize) -> Result<()> {
        match self.config.max_position_embeddings {
            Some(max) if len > max => Err(Error::InvalidInput(format!(
                "sequence of {len} tokens exceeds the model's {max} positions (max_position_embeddings)"
            ))),
            _ => Ok(()),
        }
    }

    /// The cache for a run: shared in-place buffers when the model allows and `shared` asks for
    /// them, otherwise outputs passed back as inputs. `expected` sizes the shared buffers.
    fn new_cache(
        &self,
        session: &ort::session::Session,
        batch: usize,
        expected: usize,
        shared: bool,
    ) -> Result<KvCache> {
        let shape = KvShape { batch, kv_heads: self.config.num_kv_heads, head_dim: self.config.head_dim };
        if self.io.kv_type != TensorElementType::Float32 {
            return Err(self.err(format!("unsupported KV cache type {:?} (only float32)", self.io.kv_type)));
        }
        let cache = if shared && self.config.kv_cache_shareable && self.cpu_only {
            KvCache::shared(session, &self.io.kv, shape, expected.min(self.position_limit()).max(1))
        } else {
            KvCache::growing(self.io.kv.len(), shape)
        };
        cache.map_err(|e| self.err(e.to_string()))
    }

    fn position_limit(&self) -> usize {
        self.config.max_position_embeddings.unwrap_or(usize::MAX)
    }

    /// One forward pass over `block`. Returns the logits at each row's `pick` position, or at
    /// every position when `all_positions` (batch 1). The cache is updated in place.
    fn forward(
        &self,
        session: &mut ort::session::Session,
        block: &Block,
        cache: &mut KvCache,
        all_positions: bool,
        run_time: &mut Duration,
    ) -> Result<Vec<Vec<f32>>> {
        let err = |e: ort::Error| self.err(e.to_string());
        let batch = block.pick.len();
        let ids: DynValue = match self.io.ids_type {
            TensorElementType::Int32 => {
                Tensor::from_array(([batch, block.seq], block.ids.iter().map(|&i| i as i32).collect::<Vec<_>>()))
                    .map_err(err)?
                    .into_dyn()
            }
            _ => Tensor::from_array(([batch, block.seq], block.ids.iter().map(|&i| i64::from(i)).collect::<Vec<_>>()))
                .map_err(err)?
                .into_dyn(),
        };
        let mask = Tensor::from_array(([batch, block.width], block.mask.clone())).map_err(err)?.into_dyn();
        let pos = if self.io.has_position_ids {
            Some(Tensor::from_array(([batch, block.seq], block.pos.clone())).map_err(err)?.into_dyn())
        } else {
            None
        };
        let t0 = Instant::now();
        let logits = match cache {
            KvCache::Growing(past) => {
                let mut inputs: Vec<(Cow<'_, str>, SessionInputValue<'_>)> = Vec::with_capacity(3 + past.len());
                inputs.push(("input_ids".into(), ids.into()));
                inputs.push(("attention_mask".into(), mask.into()));
                if let Some(pos) = pos {
                    inputs.push(("position_ids".into(), pos.into()));
                }
                for ((name, _), v) in self.io.kv.iter().zip(std::mem::take(past)) {
                    inputs.push((Cow::Borrowed(name.as_str()), v.into()));
                }
                let mut outputs = session.run(inputs).map_err(err)?;
                *run_time += t0.elapsed();
                for (_, out) in &self.io.kv {
                    past.push(outputs.remove(out.as_str()).ok_or_else(|| self.err(format!("output `{out}` missing")))?);
                }
                self.pick_logits(&outputs["logits"], block, all_positions)?
            }
            KvCache::Shared(kv) => {
                kv.reserve(session, block.width, self.position_limit()).map_err(err)?;
                let mut inputs = vec![("input_ids", &ids), ("attention_mask", &mask)];
                if let Some(pos) = &pos {
                    inputs.push(("position_ids", pos));
                }
                kv.bind_step(session, &inputs).map_err(err)?;
                let outputs = session.run_binding(&kv.binding).map_err(err)?;
                *run_time += t0.elapsed();
                self.pick_logits(&outputs["logits"], block, all_positions)?
            }
        };
        Ok(logits)
    }

    fn pick_logits(&self, logits: &DynValue, block: &Block, all_positions: bool) -> Result<Vec<Vec<f32>>> {
        let (shape, data) = logits.try_extract_tensor::<f32>().map_err(|e| self.err(e.to_string()))?;
        let batch = block.pick.len();
        let vocab = *shape.last().unwrap_or(&0) as usize;
        let s = shape.get(1).copied().unwrap_or(1) as usize;
        if vocab == 0 || s != block.seq || data.len() != batch * s * vocab {
            return Err(self.err(format!("unexpected logits shape {shape:?}")));
        }
        let row = |r: usize| data[r * vocab..(r + 1) * vocab].to_vec();
        Ok(if all_positions {
            (0..batch * s).map(row).collect()
        } else {
            block.pick.iter().enumerate().map(|(b, &p)| row(b * s + p)).collect()
        })
    }

    /// The generation loop for a batch of tokenised prompts.
    fn run(
        &self,
        prompts: Vec<Vec<u32>>,
        opts: &GenerateOptions,
        mut on_text: Option<&mut RowCallback<'_>>,
    ) -> Result<Vec<Generation>> {
        let start = Instant::now();
        opts.sampling.validate().map_err(Error::InvalidInput)?;
        if let Some(l) = &opts.prompt_lookup {
            l.validate().map_err(Error::InvalidInput)?;
        }
        if prompts.is_empty() {
            return Ok(Vec::new());
        }
        if prompts.iter().any(Vec::is_empty) {
            return Err(Error::InvalidInput("empty prompt (no tokens)".into()));
        }
        let batch = prompts.len();
        let pad = self.config.pad_token_id.or(self.config.eos_token_ids.first().copied()).unwrap_or(0);
        let mut stop_ids: Vec<u32> = opts.stop_token_ids.clone();
        if !opts.ignore_eos {
            stop_ids.extend(&self.config.eos_token_ids);
        }
        let cancelled = || opts.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed));
        let longest = prompts.iter().map(Vec::len).max().unwrap_or(0);
        self.check_length(longest)?;
        // Every row's tokens (prompt + generated): the sampling history while the row runs;
        // finished rows are padded so that all rows advance together.
        let mut seqs = Rows::new(prompts.clone(), self.config.padding_side, pad);

        let mut rows: Vec<GenRow> = (0..batch)
            .map(|i| GenRow {
                generated: Vec::new(),
                decoder: IncrementalDecoder::new(),
                stop: StopBuffer::new(&opts.stop_strings),
                finish: None,
                rng: Rng::new(opts.sampling.seed.wrapping_add(i as u64)),
            })
            .collect();

        let mut session = self.pool.get();
        // Shared buffers sized for the whole run up front, but no more than 512 new positions
        // at first: short answers to long max_new_tokens should not reserve the maximum.
        let expected = longest + opts.max_new_tokens.min(512);
        let mut cache = self.new_cache(&session, batch, expected, opts.shared_kv_cache && opts.use_cache)?;
        // Prompt-lookup drafts need a cache that forgets rejected guesses by itself (the shared
        // buffers: positions past each row's length are ignored and overwritten) and a
        // deterministic choice per position (greedy); one row, as GroupQueryAttention takes
        // several new positions per pass only for batch 1.
        let lookup = opts
            .prompt_lookup
            .filter(|_| batch == 1 && opts.sampling.is_greedy() && matches!(cache, KvCache::Shared(_)));
        let mut ttft = None;
        let mut run_time = Duration::ZERO;
        let mut drafted_total = 0usize;
        let mut accepted_total = 0usize;
        let mut step = 0usize;
        while step < opts.max_new_tokens {
            if cancelled() {
                for r in rows.iter_mut().filter(|r| r.finish.is_none()) {
                    r.finish = Some(FinishReason::Cancelled);
                }
                break;
            }
            let first = step == 0 || !opts.use_cache;
            let draft: Vec<u32> = match lookup {
                Some(l) if !first => {
                    let room = (opts.max_new_tokens - step - 1)
                        .min(self.position_limit().saturating_sub(seqs.tokens[0].len()));
                    l.draft(&seqs.tokens[0]).iter().take(room).copied().collect()
                }
                _ => Vec::new(),
            };
            let block = if first {
                if !opts.use_cache {
                    cache = self.new_cache(&session, batch, 0, false)?;
                }
                seqs.full()
            } else if draft.is_empty() {
                seqs.last()
            } else {
                let len = seqs.tokens[0].len();
                seqs.tokens[0].extend(&draft);
                let block = seqs.tail(draft.len() + 1);
                seqs.tokens[0].truncate(len);
                block
            };
            if block.width > self.position_limit() {
                for r in rows.iter_mut().filter(|r| r.finish.is_none()) {
                    r.finish = Some(FinishReason::Length);
                }
                break;
            }
            let mut logits = self.forward(&mut session, &block, &mut cache, !draft.is_empty(), &mut run_time)?;
            if ttft.is_none() {
                ttft = Some(start.elapsed());
            }
            if draft.is_empty() {
                for (b, row) in rows.iter_mut().enumerate() {
                    let tok = if row.finish.is_some() {
                        pad
                    } else {
                        // An unfinished row's tokens are its history (prompt + generated).
                        let t = sample(&mut logits[b], &seqs.tokens[b], &row.generated, &opts.sampling, &mut row.rng);
                        row.accept(self, b, t, &stop_ids, &mut on_text)?;
                        t
                    };
                    seqs.tokens[b].push(tok);
                }
                step += 1;
            } else {
                // logits[i] follows draft[..i]: keep the model's choices while they confirm the draft.
                drafted_total += draft.len();
                let row = &mut rows[0];
                for (i, l) in logits.iter_mut().enumerate() {
                    let t = sample(l, &seqs.tokens[0], &row.generated, &opts.sampling, &mut row.rng);
                    row.accept(self, 0, t, &stop_ids, &mut on_text)?;
                    seqs.tokens[0].push(t);
                    step += 1;
                    let confirmed = draft.get(i) == Some(&t);
                    accepted_total += usize::from(confirmed);
                    if !confirmed || row.finish.is_some() || step >= opts.max_new_tokens {
                        break;
                    }
                }
            }
            if rows.iter().all(|r| r.finish.is_some()) {
                break;
            }
        }
        drop(session);
        let elapsed = start.elapsed();
        let mut out = Vec::with_capacity(batch);
        for (b, mut row) in rows.into_iter().enumerate() {
            if row.finish.is_none()
                || row.finish == Some(FinishReason::Cancelled)
                || row.finish == Some(FinishReason::Stop)
            {
                // Release anything held back (a stop-string prefix, an unfinished character).
                let tail = row.decoder.finish(&self.tokenizer).map_err(|e| self.err(format!("tokenizer: {e}")))?;
                let (mut emit, hit) = row.stop.push(&tail);
                if !hit {
                    emit.push_str(&row.stop.flush());
                } else {
                    row.finish = Some(FinishReason::StopString);
                }
                if !emit.is_empty()
                    && let Some(cb) = on_text.as_deref_mut()
                {
                    cb(b, &emit);
                }
            }
            out.push(Generation {
                text: row.stop.into_text(),
                token_ids: row.generated,
                prompt_tokens: prompts[b].len(),
                finish_reason: row.finish.unwrap_or(FinishReason::Length),
                time_to_first_token: ttft.unwrap_or(elapsed),
                elapsed,
                runtime_time: run_time,
                draft_tokens: drafted_total,
                accepted_draft_tokens: accepted_total,
            });
        }
        Ok(out)
    }
}

/// One row of a generation run.
struct GenRow {
    generated: Vec<u32>,
    decoder: IncrementalDecoder,
    stop: StopBuffer,
    finish: Option<FinishReason>,
    rng: Rng,
}

impl GenRow {
    /// Take the chosen token `t`: record it, end the row on a stop token or stop string, and
    /// pass newly complete text to the callback.
    fn accept(
        &mut self,
        model: &LlmModel,
        b: usize,
        t: u32,
        stop_ids: &[u32],
        on_text: &mut Option<&mut RowCallback<'_>>,
    ) -> Result<()> {
        self.generated.push(t);
        if stop_ids.contains(&t) {
            self.finish = Some(FinishReason::Stop);
            return Ok(());
        }
        let piece = self.decoder.push(&model.tokenizer, t).map_err(|e| model.err(format!("tokenizer: {e}")))?;
        let (emit, hit) = self.stop.push(&piece);
        if !emit.is_empty()
            && let Some(cb) = on_text.as_deref_mut()
        {
            cb(b, &emit);
        }
        if hit {
            self.finish = Some(FinishReason::StopString);
        }
        Ok(())
    }
}

impl IoNames {
    fn check(id: &str, pool: &SessionPool, cfg: &LlmConfig) -> Result<Self> {
        let e = |r: String| Error::model(id, r);
        let mut ids_type = TensorElementType::Int64;
        let mut kv_type = TensorElementType::Float32;
        let mut has_position_ids = false;
        let mut kv = Vec::new();
        for (name, ty, _) in pool.inputs() {
            match name.as_str() {
                "input_ids" => ids_type = ty.unwrap_or(TensorElementType::Int64),
                "attention_mask" => {}
                "position_ids" => has_position_ids = true,
                n if n.starts_with("past_key_values.") => {
                    let present = n.replacen("past_key_values.", "present.", 1);
                    if !pool.outputs().contains(&present) {
                        return Err(e(format!("input `{n}` has no matching output `{present}`")));
                    }
                    kv_type = ty.unwrap_or(TensorElementType::Float32);
                    kv.push((n.to_string(), present));
                }
                other => {
                    return Err(e(format!("unexpected model input `{other}` (expected the optimum KV-cache layout)")));
                }
            }
        }
        if !pool.has_input("input_ids") || !pool.has_input("attention_mask") {
            return Err(e("model lacks `input_ids` or `attention_mask`".into()));
        }
        if !pool.outputs().iter().any(|o| o == "logits") {
            return Err(e("model has no `logits` output".into()));
        }
        if kv.len() != 2 * cfg.num_layers {
            return Err(e(format!(
                "config says {} layers but the model has {} cache inputs",
                cfg.num_layers,
                kv.len()
            )));
        }
        Ok(Self { ids_type, has_position_ids, kv_type, kv })
    }
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(id: &str, path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::model(id, format!("{}: {e}", path.display())))
}

#[async_trait::async_trait]
impl Model for LlmModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Renders the history and `input.prompt` through the chat template (raw prompt if the
    /// model has no template) and generates with the configured defaults.
    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        let g = self.generate(&self.model_prompt(input)?, &self.defaults)?;
        if g.finish_reason == FinishReason::Cancelled {
            return Err(Error::Cancelled);
        }
        Ok(InferenceOutput { text: g.text.trim().to_string(), ..Default::default() })
    }

    /// Streams the generation; the sink stopping it ends generation (not an error: the
    /// pipeline knows why it stopped).
    async fn infer_stream(&self, input: &InferenceInput, sink: &mut dyn InferenceSink) -> Result<InferenceOutput> {
        sink.sources(&[]);
        let mut trim = TrimStart::default();
        let g =
            self.generate_until(&self.model_prompt(input)?, &self.defaults, &mut |s| trim.feed(s, |t| sink.text(t)))?;
        Ok(InferenceOutput { text: g.text.trim().to_string(), ..Default::default() })
    }
}

impl LlmModel {
    /// The conversation history, then `input.prompt` as the user turn, through the chat
    /// template; without a template, the raw prompt (history needs a template to be told apart).
    fn model_prompt(&self, input: &InferenceInput) -> Result<String> {
        match &self.template {
            Some(t) => t.render(&ChatMessage::conversation(&input.history, input.prompt.clone()), true),
            None => Ok(input.prompt.clone()),
        }
    }
}

/// Drops the whitespace a model emits before its answer, as the non-streaming path's `trim`
/// does, so the streamed text and the returned text agree.
#[derive(Debug, Default)]
pub struct TrimStart {
    started: bool,
}

impl TrimStart {
    /// Pass `piece` to `f` with leading whitespace dropped until the first non-blank piece;
    /// blank pieces before it are swallowed (`Continue`).
    pub fn feed(&mut self, piece: &str, mut f: impl FnMut(&str) -> ControlFlow<()>) -> ControlFlow<()> {
        let piece = if self.started { piece } else { piece.trim_start() };
        if piece.is_empty() {
            return ControlFlow::Continue(());
        }
        self.started = true;
        f(piece)
    }
}
