//! Decode speed at two generation lengths on one model directory.
//!
//!     cargo run --release -p govai-ort --example bench_generate -- models/smollm2-135m-instruct 64 1024
//!
//! Prints time to first token and decode tokens/s for each length (EOS ignored so the full
//! length is generated; greedy).

use govai_ort::{ChatMessage, GenerateOptions, LlmModel, RuntimeConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "models/smollm2-135m-instruct".into());
    let lengths: Vec<usize> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    let lengths = if lengths.is_empty() { vec![64, 1024] } else { lengths };
    let threads = std::env::var("GOVAI_THREADS").ok().and_then(|t| t.parse().ok());
    let rt = RuntimeConfig { intra_op_threads: threads, ..Default::default() };
    let model = LlmModel::load(&dir, &rt)?;
    let prompt =
        model.apply_chat_template(&[ChatMessage::user("Write a long story about a lighthouse keeper.")], true)?;
    // Warm-up.
    model.generate(&prompt, &GenerateOptions { max_new_tokens: 4, ignore_eos: true, ..Default::default() })?;
    for n in lengths {
        let g =
            model.generate(&prompt, &GenerateOptions { max_new_tokens: n, ignore_eos: true, ..Default::default() })?;
        println!(
            "{dir}: prompt {} tokens, generated {} tokens: ttft {:.1} ms, decode {:.1} tokens/s, total {:.2} s, outside onnxruntime {:.1} ms ({:.3} ms/token)",
            g.prompt_tokens,
            g.token_ids.len(),
            g.time_to_first_token.as_secs_f64() * 1000.0,
            g.decode_tokens_per_second(),
            g.elapsed.as_secs_f64(),
            (g.elapsed - g.runtime_time).as_secs_f64() * 1000.0,
            (g.elapsed - g.runtime_time).as_secs_f64() * 1000.0 / g.token_ids.len().max(1) as f64
        );
    }
    Ok(())
}
