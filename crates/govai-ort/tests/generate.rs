//! Generation on the checked-in tiny random-weight Llama (tests/data/tiny-llama, made by
//! make_tiny_llama.py), plus the importer's fixture and SmolLM2 when those exist.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use govai_core::{ErrorKind, InferenceInput, Model};
use govai_ort::{ChatMessage, FinishReason, GenerateOptions, LlmModel, RuntimeConfig, SamplingConfig};

fn tiny(test: &str) -> Option<LlmModel> {
    let rt = common::runtime(test)?;
    Some(LlmModel::load(common::data("tiny-llama"), &rt).expect("fixture loads"))
}

fn greedy(n: usize) -> GenerateOptions {
    GenerateOptions { max_new_tokens: n, ignore_eos: true, ..Default::default() }
}

const PROMPT: &str = "Hello world. How do I renew";

#[test]
fn cached_and_uncached_decoding_agree() {
    let Some(m) = tiny("cached_and_uncached_decoding_agree") else { return };
    // Logits at every position: one pass over the whole sequence vs token-by-token through the cache.
    let ids = m.encode("你好，世界。The quick brown fox").expect("encodes");
    assert!(ids.len() > 10);
    let full = m.prefix_logits(&ids, false).expect("full pass");
    let cached = m.prefix_logits(&ids, true).expect("cached pass");
    assert_eq!(full[0].len(), m.config().vocab_size);
    let d = common::max_abs_diff(&full, &cached);
    assert!(d < 1e-4, "cached vs full logits differ by {d}");
    // And whole generations: cache on vs recompute-everything.
    let a = m.generate(PROMPT, &greedy(40)).expect("cached");
    let b = m.generate(PROMPT, &GenerateOptions { use_cache: false, ..greedy(40) }).expect("uncached");
    assert_eq!(a.token_ids.len(), 40);
    assert_eq!(a.token_ids, b.token_ids);
    assert_eq!(a.text, b.text);
    assert_eq!(a.finish_reason, FinishReason::Length);
}

#[test]
fn cached_logits_match_a_recomputed_prefix_after_generation() {
    let Some(m) = tiny("cached_logits_match_a_recomputed_prefix_after_generation") else { return };
    // Greedy generation must pick the argmax of a full recompute at every step.
    let g = m.generate(PROMPT, &greedy(16)).expect("generates");
    let mut seq = m.encode(PROMPT).expect("encodes");
    for &t in &g.token_ids {
        let logits = m.prefix_logits(&seq, false).expect("full");
        assert_eq!(argmax(logits.last().expect("rows")), t);
        seq.push(t);
    }
}

#[test]
fn batched_left_padded_prompts_match_single_runs() {
    let Some(m) = tiny("batched_left_padded_prompts_match_single_runs") else { return };
    let prompts = ["Hi", "The quick brown fox jumps over the lazy dog", "如何续签护照？"];
    let lens: Vec<usize> = prompts.iter().map(|p| m.encode(p).expect("enc").len()).collect();
    assert!(lens[0] != lens[1] && lens[1] != lens[2], "prompts need different lengths: {lens:?}");
    let batch = m.generate_batch(&prompts, &greedy(12)).expect("batch");
    for (p, b) in prompts.iter().zip(&batch) {
        let single = m.generate(p, &greedy(12)).expect("single");
        assert_eq!(single.token_ids, b.token_ids, "prompt {p:?}");
        assert_eq!(single.text, b.text);
    }
}

#[test]
fn same_seed_same_output_different_seed_differs() {
    let Some(m) = tiny("same_seed_same_output_different_seed_differs") else { return };
    let opts = |seed| GenerateOptions {
        sampling: SamplingConfig { temperature: 1.0, top_k: 50, top_p: 0.95, seed, ..Default::default() },
        ..greedy(30)
    };
    let a = m.generate(PROMPT, &opts(42)).expect("a");
    let b = m.generate(PROMPT, &opts(42)).expect("b");
    let c = m.generate(PROMPT, &opts(43)).expect("c");
    assert_eq!(a.token_ids, b.token_ids);
    assert_ne!(a.token_ids, c.token_ids);
    let g = m.generate(PROMPT, &greedy(30)).expect("greedy");
    assert_ne!(a.token_ids, g.token_ids, "sampling at temperature 1 should differ from greedy");
}

#[test]
fn repetition_penalty_avoids_seen_tokens() {
    let Some(m) = tiny("repetition_penalty_avoids_seen_tokens") else { return };
    let plain = m.generate(PROMPT, &greedy(30)).expect("plain");
    let prompt_ids = m.encode(PROMPT).expect("enc");
    let has_repeat = |ids: &[u32]| {
        let mut seen: std::collections::HashSet<u32> = prompt_ids.iter().copied().collect();
        ids.iter().any(|t| !seen.insert(*t))
    };
    assert!(has_repeat(&plain.token_ids), "the random model is expected to repeat under greedy decoding");
    let opts =
        GenerateOptions { sampling: SamplingConfig { repetition_penalty: 1e6, ..Default::default() }, ..greedy(30) };
    let pen = m.generate(PROMPT, &opts).expect("penalised");
    assert!(!has_repeat(&pen.token_ids), "{:?}", pen.token_ids);
}

#[test]
fn no_repeat_ngram_size_removes_repeated_ngrams() {
    let Some(m) = tiny("no_repeat_ngram_size_removes_repeated_ngrams") else { return };
    let ngrams = |ids: &[u32], n: usize| {
        let mut seen = std::collections::HashSet::new();
        ids.windows(n).any(|w| !seen.insert(w.to_vec()))
    };
    let plain = m.generate(PROMPT, &greedy(60)).expect("plain");
    assert!(ngrams(&plain.token_ids, 3), "the random model is expected to loop under greedy decoding");
    let opts =
        GenerateOptions { sampling: SamplingConfig { no_repeat_ngram_size: 3, ..Default::default() }, ..greedy(60) };
    let blocked = m.generate(PROMPT, &opts).expect("blocked");
    assert_eq!(blocked.token_ids.len(), 60);
    assert!(!ngrams(&blocked.token_ids, 3), "{:?}", blocked.token_ids);
}

#[test]
fn config_json_generation_table_sets_the_defaults() {
    let Some(rt) = common::runtime("config_json_generation_table_sets_the_defaults") else { return };
    let plain = LlmModel::load(common::data("tiny-llama"), &rt).expect("fixture loads");
    assert_eq!(plain.defaults(), &GenerateOptions::default());
    let dir = std::env::temp_dir().join(format!("govai-gen-defaults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    for f in ["model.onnx", "tokenizer.json", "chat_template.jinja"] {
        std::fs::copy(common::data("tiny-llama").join(f), dir.join(f)).expect("copy");
    }
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::data("tiny-llama").join("config.json")).expect("read"))
            .expect("json");
    cfg["generation"] = serde_json::json!({"max_new_tokens": 40,
        "sampling": {"repetition_penalty": 1.1, "no_repeat_ngram_size": 5}});
    std::fs::write(dir.join("config.json"), cfg.to_string()).expect("write");
    let m = LlmModel::load(&dir, &rt).expect("loads with a generation table");
    let d = m.defaults();
    assert_eq!((d.max_new_tokens, d.sampling.repetition_penalty, d.sampling.no_repeat_ngram_size), (40, 1.1, 5));
    // Invalid values and unknown keys are load errors, not silently ignored.
    cfg["generation"] = serde_json::json!({"sampling": {"repetition_penalty": 0.0}});
    std::fs::write(dir.join("config.json"), cfg.to_string()).expect("write");
    let e = LlmModel::load(&dir, &rt).expect_err("penalty 0");
    assert!(e.to_string().contains("repetition_penalty"), "{e}");
    cfg["generation"] = serde_json::json!({"sampling": {"no_repeat": 3}});
    std::fs::write(dir.join("config.json"), cfg.to_string()).expect("write");
    assert!(LlmModel::load(&dir, &rt).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn stop_token_ids_end_generation_at_that_token() {
    let Some(m) = tiny("stop_token_ids_end_generation_at_that_token") else { return };
    let g = m.generate(PROMPT, &greedy(20)).expect("reference");
    let stop = g.token_ids[6];
    let first = g.token_ids.iter().position(|&t| t == stop).expect("present");
    let s = m.generate(PROMPT, &GenerateOptions { stop_token_ids: vec![stop], ..greedy(20) }).expect("stopped");
    assert_eq!(s.finish_reason, FinishReason::Stop);
    assert_eq!(s.token_ids, g.token_ids[..=first].to_vec());
    // The stop token itself is not part of the text.
    assert_eq!(s.text, m.decode(&g.token_ids[..first]).expect("decode"));
}

#[test]
fn eos_stops_unless_ignored() {
    let Some(m) = tiny("eos_stops_unless_ignored") else { return };
    // Find a generated token, declare it EOS via stop ids vs ignore_eos: ignore_eos only ignores
    // the model's eos_token_ids, not explicit stop ids.
    let g = m.generate(PROMPT, &greedy(10)).expect("ref");
    let opts = GenerateOptions { stop_token_ids: vec![g.token_ids[3]], ..greedy(10) };
    assert_eq!(m.generate(PROMPT, &opts).expect("s").finish_reason, FinishReason::Stop);
    let d = m.generate(PROMPT, &GenerateOptions { max_new_tokens: 10, ..Default::default() }).expect("default");
    // Without ignore_eos, generation ends at an eos id (2 or 0) if one is produced.
    if let Some(p) = d.token_ids.iter().position(|t| m.config().eos_token_ids.contains(t)) {
        assert_eq!(p + 1, d.token_ids.len());
        assert_eq!(d.finish_reason, FinishReason::Stop);
    } else {
        assert_eq!(d.finish_reason, FinishReason::Length);
    }
}

#[test]
fn stop_strings_cut_text_and_streaming_never_leaks_them() {
    let Some(m) = tiny("stop_strings_cut_text_and_streaming_never_leaks_them") else { return };
    let g = m.generate(PROMPT, &greedy(40)).expect("reference");
    let chars: Vec<char> = g.text.chars().collect();
    assert!(chars.len() > 12, "{:?}", g.text);
    // A stop string taken from the middle of the reference output.
    let start = chars.len() / 2;
    let stop: String = chars[start..start + 3].iter().collect();
    let expected_end = g.text.find(&stop).expect("present");
    let mut pieces = Vec::new();
    let opts = GenerateOptions { stop_strings: vec![stop.clone()], ..greedy(40) };
    let s = m.generate_stream(PROMPT, &opts, &mut |p| pieces.push(p.to_string())).expect("stream");
    assert_eq!(s.finish_reason, FinishReason::StopString);
    assert_eq!(s.text, g.text[..expected_end]);
    assert_eq!(pieces.concat(), s.text);
    assert!(!pieces.concat().contains(&stop));
}

#[test]
fn streaming_pieces_concatenate_to_the_text() {
    let Some(m) = tiny("streaming_pieces_concatenate_to_the_text") else { return };
    let opts =
        GenerateOptions { sampling: SamplingConfig { temperature: 1.5, seed: 9, ..Default::default() }, ..greedy(120) };
    let mut pieces = Vec::new();
    let g = m.generate_stream("如何续签护照？", &opts, &mut |p| pieces.push(p.to_string())).expect("stream");
    assert_eq!(pieces.concat(), g.text);
    assert_eq!(g.text, m.decode(&g.token_ids).expect("decode"));
    assert!(pieces.iter().all(|p| !p.is_empty()));
}

#[test]
fn cancellation_stops_generation() {
    let Some(m) = tiny("cancellation_stops_generation") else { return };
    let flag = Arc::new(AtomicBool::new(true));
    let g = m.generate(PROMPT, &GenerateOptions { cancel: Some(flag.clone()), ..greedy(50) }).expect("runs");
    assert_eq!(g.finish_reason, FinishReason::Cancelled);
    assert!(g.token_ids.is_empty());
    // Cancel from the streaming callback after the third piece.
    flag.store(false, Ordering::SeqCst);
    let mut n = 0;
    let f2 = flag.clone();
    let g = m
        .generate_stream(PROMPT, &GenerateOptions { cancel: Some(flag.clone()), ..greedy(200) }, &mut |_| {
            n += 1;
            if n == 3 {
                f2.store(true, Ordering::SeqCst);
            }
        })
        .expect("runs");
    assert_eq!(g.finish_reason, FinishReason::Cancelled);
    assert!(g.token_ids.len() < 200 && !g.token_ids.is_empty(), "{}", g.token_ids.len());
}

#[test]
fn max_new_tokens_and_invalid_sampling() {
    let Some(m) = tiny("max_new_tokens_and_invalid_sampling") else { return };
    let g = m.generate(PROMPT, &greedy(5)).expect("runs");
    assert_eq!((g.token_ids.len(), g.finish_reason), (5, FinishReason::Length));
    assert_eq!(g.prompt_tokens, m.encode(PROMPT).expect("enc").len());
    let bad = GenerateOptions { sampling: SamplingConfig { top_p: 0.0, ..Default::default() }, ..greedy(5) };
    assert_eq!(m.generate(PROMPT, &bad).expect_err("invalid").kind(), ErrorKind::InvalidInput);
    assert_eq!(m.generate("", &greedy(5)).expect_err("empty").kind(), ErrorKind::InvalidInput);
}

#[test]
fn chat_template_and_model_trait() {
    let Some(m) = tiny("chat_template_and_model_trait") else { return };
    let rendered = m.apply_chat_template(&[ChatMessage::user("你好")], true).expect("renders");
    assert_eq!(rendered, "<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n");
    // Special tokens in the rendered text map to their ids.
    let ids = m.encode(&rendered).expect("enc");
    assert_eq!(ids[0], 1);
    assert!(ids.contains(&2));
    let err = m.apply_chat_template(&[ChatMessage::new("robot", "x")], true).expect_err("raise_exception");
    assert!(err.to_string().contains("unknown role robot"), "{err}");

    let m = m.with_defaults(greedy(8));
    assert_eq!(m.info().kind, govai_core::ModelKind::Generate);
    let input = InferenceInput {
        scenario_id: "s".into(),
        prompt: "你好".into(),
        query: "你好".into(),
        documents: vec![],
        history: vec![],
    };
    let out = pollster::block_on(m.infer(&input)).expect("infers");
    let direct = m.chat(&[ChatMessage::user("你好")], &greedy(8)).expect("chat");
    assert_eq!(out.text, direct.text.trim());
}

#[test]
fn concurrent_requests_share_a_session_pool() {
    let Some(rt) = common::runtime("concurrent_requests_share_a_session_pool") else { return };
    let rt = RuntimeConfig { sessions: Some(2), ..rt };
    let m = Arc::new(LlmModel::load(common::data("tiny-llama"), &rt).expect("loads"));
    let want = m.generate(PROMPT, &greedy(10)).expect("ref").token_ids;
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let m = Arc::clone(&m);
            std::thread::spawn(move || m.generate(PROMPT, &greedy(10)).expect("gen").token_ids)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), want);
    }
}

#[test]
fn unknown_and_unavailable_execution_providers_are_clear_errors() {
    let Some(rt) = common::runtime("unknown_and_unavailable_execution_providers_are_clear_errors") else { return };
    let bad = RuntimeConfig { execution_providers: vec!["warp-drive".into()], ..rt.clone() };
    let e = LlmModel::load(common::data("tiny-llama"), &bad).expect_err("unknown");
    assert_eq!(e.kind(), ErrorKind::Config);
    let cuda = RuntimeConfig { execution_providers: vec!["cuda".into()], ..rt.clone() };
    let e = LlmModel::load(common::data("tiny-llama"), &cuda).expect_err("the CPU wheel has no CUDA");
    assert_eq!(e.kind(), ErrorKind::Model);
    assert!(e.to_string().contains("CUDAExecutionProvider") && e.to_string().contains("CPUExecutionProvider"), "{e}");
    let cpu = RuntimeConfig { execution_providers: vec!["cpu".into()], ..rt };
    LlmModel::load(common::data("tiny-llama"), &cpu).expect("cpu is always there");
}

#[test]
fn missing_model_files_are_model_errors() {
    let Some(rt) = common::runtime("missing_model_files_are_model_errors") else { return };
    let e = LlmModel::load(common::data("no-such-model"), &rt).expect_err("missing");
    assert!(matches!(e.kind(), ErrorKind::Io | ErrorKind::Model), "{e}");
}

/// SmolLM2-135M-Instruct converted by scripts/convert-smollm2.sh (`make models`), or `None`
/// with a skip notice (a failure under GOVAI_REQUIRE_MODELS=1).
fn smollm2(test: &str) -> Option<LlmModel> {
    let dir = common::workspace("models/smollm2-135m-instruct");
    if !dir.join("model.onnx").is_file() {
        common::missing_model(test, &dir);
        return None;
    }
    let rt = common::runtime(test)?;
    Some(LlmModel::load(&dir, &rt).expect("loads"))
}

#[test]
fn smollm2_answers_a_chat_prompt() {
    let Some(m) = smollm2("smollm2_answers_a_chat_prompt") else { return };
    let g = m
        .chat(
            &[ChatMessage::user("What is the capital of France?")],
            &GenerateOptions { max_new_tokens: 30, ..Default::default() },
        )
        .expect("generates");
    assert!(g.text.contains("Paris"), "{:?}", g.text);
}

/// The real model's GroupQueryAttention graph: the shared in-place cache and the growing one
/// give the same tokens, and a right-padded batch gives each prompt's own tokens.
#[test]
fn smollm2_shared_cache_and_batches_match() {
    let Some(m) = smollm2("smollm2_shared_cache_and_batches_match") else { return };
    assert!(m.config().kv_cache_shareable, "convert-smollm2.sh writes a GroupQueryAttention graph");
    let prompts = [
        m.apply_chat_template(&[ChatMessage::user("What is the capital of France?")], true).expect("tmpl"),
        m.apply_chat_template(&[ChatMessage::user("Name three colours of the rainbow, please.")], true).expect("tmpl"),
    ];
    // Up to the end of the answer only: past EOS the model's continuation has near-tied
    // logits, where the two caches' attention kernels round differently and, on some CPUs,
    // pick different tokens (seen at the 19th token on one machine, not on another).
    let opts = |shared| GenerateOptions { shared_kv_cache: shared, ignore_eos: false, ..greedy(24) };
    let shared = m.generate(&prompts[0], &opts(true)).expect("shared");
    let growing = m.generate(&prompts[0], &opts(false)).expect("growing");
    assert!(shared.token_ids.len() >= 5, "an answer, not an immediate stop: {:?}", shared.token_ids);
    assert_eq!(shared.token_ids, growing.token_ids);
    let refs: Vec<&str> = prompts.iter().map(String::as_str).collect();
    let batch = m.generate_batch(&refs, &opts(true)).expect("batch");
    // A padding, mask or position error shows from the first token on; later, a near-tie
    // between two tokens of this 4-bit 135M model can tip either way with the batch's
    // different matrix shapes (seen at the 8th token of the longer answer on one machine).
    same_start(&batch[0].token_ids, &shared.token_ids, 6);
    let single = m.generate(&prompts[1], &opts(true)).expect("single");
    same_start(&batch[1].token_ids, &single.token_ids, 6);
}

/// The first `n` tokens are equal (both have at least `n`).
fn same_start(a: &[u32], b: &[u32], n: usize) {
    assert!(a.len() >= n && b.len() >= n, "{a:?} vs {b:?}");
    assert_eq!(a[..n], b[..n], "{a:?} vs {b:?}");
}

#[test]
fn a_file_that_is_not_onnxruntime_is_a_clear_error() {
    let Some(rt) = common::runtime("a_file_that_is_not_onnxruntime_is_a_clear_error") else { return };
    let bogus = common::data("tiny-llama/config.json");
    let cfg = RuntimeConfig { library_path: Some(bogus.clone()), ..rt };
    // Either the dlopen fails (runtime not yet loaded in this process) or the process already
    // has a runtime from another library: both name the file and are model errors.
    let e = LlmModel::load(common::data("tiny-llama"), &cfg).expect_err("not a library");
    assert_eq!(e.kind(), ErrorKind::Model);
    assert!(e.to_string().contains("config.json"), "{e}");
}

/// Index of the largest logit (the first on ties): what greedy decoding must pick.
fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] {
            best = i;
        }
    }
    best as u32
}
