//! Decode speed at two generation lengths on one model directory.
//!
//!     cargo run --release -p govai-ort --example bench_generate -- models/smollm2-135m-instruct 64 1024
//!
//! Prints time to first token and decode tokens/s for each length (EOS ignored so the full
//! length is generated; greedy). Env: GOVAI_THREADS (intra-op threads), GOVAI_SHARED_KV=0 to pass
//! the cache step to step instead of sharing it in place (models with `kv_cache_shareable`),
//! GOVAI_LOOKUP=1 for prompt-lookup drafts, BENCH_USER for the user message.

use govai_ort::{ChatMessage, GenerateOptions, LlmModel, PromptLookup, RuntimeConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "models/smollm2-135m-instruct".into());
    let lengths: Vec<usize> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    let lengths = if lengths.is_empty() { vec![64, 1024] } else { lengths };
    let threads = std::env::var("GOVAI_THREADS").ok().and_then(|t| t.parse().ok());
    let rt = RuntimeConfig { intra_op_threads: threads, ..Default::default() };
    let model = LlmModel::load(&dir, &rt)?;
    let shared_kv_cache = std::env::var("GOVAI_SHARED_KV").map_or(true, |v| v != "0");
    let prompt_lookup = (std::env::var("GOVAI_LOOKUP").as_deref() == Ok("1")).then(PromptLookup::default);
    let opts = |n: usize| GenerateOptions {
        max_new_tokens: n,
        ignore_eos: true,
        shared_kv_cache,
        prompt_lookup,
        ..Default::default()
    };
    let user = std::env::var("BENCH_USER").unwrap_or_else(|_| "Write a long story about a lighthouse keeper.".into());
    let prompt = model.apply_chat_template(&[ChatMessage::user(&user)], true)?;
    // Warm-up.
    model.generate(&prompt, &opts(4))?;
    for n in lengths {
        let g = model.generate(&prompt, &opts(n))?;
        println!(
            "{dir}: prompt {} tokens, generated {} tokens: ttft {:.1} ms, decode {:.1} tokens/s, total {:.2} s, outside onnxruntime {:.1} ms ({:.3} ms/token), kv {}, drafts {}/{}, text {:?}",
            g.prompt_tokens,
            g.token_ids.len(),
            g.time_to_first_token.as_secs_f64() * 1000.0,
            g.decode_tokens_per_second(),
            g.elapsed.as_secs_f64(),
            (g.elapsed - g.runtime_time).as_secs_f64() * 1000.0,
            (g.elapsed - g.runtime_time).as_secs_f64() * 1000.0 / g.token_ids.len().max(1) as f64,
            if shared_kv_cache && model.config().kv_cache_shareable { "shared" } else { "growing" },
            g.accepted_draft_tokens,
            g.draft_tokens,
            g.text.chars().take(60).collect::<String>()
        );
    }
    Ok(())
}
