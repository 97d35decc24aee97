//! Commands on a local model directory without a deployment: `generate`, `embed`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use crate::{out, outln, print_json};

/// The flags of `govai generate`.
pub(crate) struct GenerateArgs {
    pub stream: bool,
    pub max_new_tokens: usize,
    pub temperature: f32,
    pub seed: u64,
    pub prompt_lookup: bool,
    /// Overrides the model's default when given.
    pub repetition_penalty: Option<f32>,
    /// Overrides the model's default when given.
    pub no_repeat_ngram_size: Option<usize>,
    pub ignore_eos: bool,
    /// ONNX Runtime intra-op threads; `None` leaves onnxruntime's default.
    pub threads: Option<usize>,
    pub json: bool,
}

/// `govai generate`: the prompt as one user message through the model's chat template.
pub(crate) fn generate(model: &Path, args: &GenerateArgs, prompt: String) -> govai::Result<ExitCode> {
    let runtime = govai::ort::RuntimeConfig { intra_op_threads: args.threads, ..Default::default() };
    let llm = govai::ort::LlmModel::load(model, &runtime)?;
    let mut options = llm.defaults().clone();
    options.max_new_tokens = args.max_new_tokens;
    options.sampling.temperature = args.temperature;
    options.sampling.seed = args.seed;
    if let Some(p) = args.repetition_penalty {
        options.sampling.repetition_penalty = p;
    }
    if let Some(n) = args.no_repeat_ngram_size {
        options.sampling.no_repeat_ngram_size = n;
    }
    options.ignore_eos = args.ignore_eos;
    if args.prompt_lookup {
        options.prompt_lookup = Some(govai::ort::PromptLookup::default());
    }
    let messages = [govai::ort::ChatMessage::user(prompt)];
    let mut out = std::io::stdout();
    let g = if args.stream && !args.json {
        llm.chat_stream(&messages, &options, &mut |piece| {
            // A closed stdout is remembered (quiet exit at the end), not a panic.
            if let Err(e) = out.write_all(piece.as_bytes()).and_then(|()| out.flush()) {
                crate::stdout_error(e);
            }
        })?
    } else {
        llm.chat(&messages, &options)?
    };
    if args.json {
        print_json(&json!({
            "text": g.text,
            "prompt_tokens": g.prompt_tokens,
            "generated_tokens": g.token_ids.len(),
            "finish_reason": format!("{:?}", g.finish_reason).to_lowercase(),
            "time_to_first_token_ms": g.time_to_first_token.as_secs_f64() * 1e3,
            "elapsed_ms": g.elapsed.as_secs_f64() * 1e3,
            "draft_tokens": g.draft_tokens,
            "accepted_draft_tokens": g.accepted_draft_tokens,
        }))?;
    } else {
        if !args.stream {
            out!("{}", g.text)?;
        }
        outln!()?;
        let secs = g.elapsed.as_secs_f64();
        eprintln!(
            "[{} prompt tokens, {} generated, {:.1} tokens/s, first token {:.0} ms]",
            g.prompt_tokens,
            g.token_ids.len(),
            if secs > 0.0 { g.token_ids.len() as f64 / secs } else { 0.0 },
            g.time_to_first_token.as_secs_f64() * 1e3
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `govai embed`: one JSON array per text.
pub(crate) fn embed(model: &Path, texts: &[String]) -> govai::Result<ExitCode> {
    let m = govai::ort::EmbeddingModel::load(model, &govai::ort::RuntimeConfig::default())?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for v in m.embed(&refs)? {
        print_json(&v)?;
    }
    Ok(ExitCode::SUCCESS)
}
