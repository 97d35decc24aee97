//! Against a real llama.cpp server (xllamacpp from the workspace venv, Qwen2.5 0.5B instruct
//! GGUF), started on loopback by the test and killed after it: whole and streamed answers, the
//! API key from the environment, token usage. Skipped with a notice when the venv or the model
//! is missing, unless GOVAI_REQUIRE_MODELS=1.

mod support;

use std::ops::ControlFlow;
use std::time::Instant;

use govai_core::{
    DataLevel, Filing, InferenceInput, InferenceSink, Location, Message, Model, ModelInfo, ModelKind, Source,
};
use govai_openai::{OpenAiModel, OpenAiOptions, Timeouts};
use support::llama::LlamaServer;

const KEY_VAR: &str = "GOVAI_OPENAI_TEST_LLAMA_KEY";
const KEY: &str = "llama-test-key-5c1e";

struct Pieces(Vec<String>);

impl InferenceSink for Pieces {
    fn sources(&mut self, _: &[Source]) {}
    fn text(&mut self, piece: &str) -> ControlFlow<()> {
        self.0.push(piece.to_owned());
        ControlFlow::Continue(())
    }
}

#[test]
fn llama_cpp_answers_whole_and_streamed() {
    let Some(server) = LlamaServer::start("llama_cpp_answers_whole_and_streamed", Some(KEY)) else { return };
    // SAFETY: set before any model of this test binary reads it; no other test reads it.
    unsafe { std::env::set_var(KEY_VAR, KEY) };
    let info = ModelInfo {
        id: "qwen-remote".into(),
        version: "2.5-0.5b".into(),
        kind: ModelKind::Generate,
        clearance: DataLevel::Internal,
        location: Location::OnPremises,
        filing: Filing::default(),
    };
    let options = OpenAiOptions {
        api_key_env: Some(KEY_VAR.into()),
        max_tokens: Some(24),
        temperature: Some(0.0),
        timeouts: Timeouts { connect_ms: 2_000, first_token_ms: 120_000, total_ms: 240_000 },
        ..OpenAiOptions::new(&server.base_url, "qwen2.5-0.5b-instruct")
    };
    let model = OpenAiModel::new(info, options).expect("model");
    let input = InferenceInput {
        prompt: "用一句话回答：补办社保卡需要带什么证件？".into(),
        history: vec![Message::system("你是政务服务助手，回答简洁。")],
        ..InferenceInput::default()
    };

    let t = Instant::now();
    let whole = pollster::block_on(model.infer(&input)).expect("whole answer");
    eprintln!("whole ({:?}): {:?} usage {:?}", t.elapsed(), whole.text, whole.usage);
    assert!(!whole.text.trim().is_empty());
    let usage = whole.usage.expect("llama.cpp reports usage");
    assert!(usage.prompt_tokens > 10 && usage.completion_tokens > 0 && usage.completion_tokens <= 24, "{usage:?}");

    let t = Instant::now();
    let mut pieces = Pieces(Vec::new());
    let streamed = pollster::block_on(model.infer_stream(&input, &mut pieces)).expect("streamed answer");
    eprintln!("streamed ({:?}) in {} pieces: {:?}", t.elapsed(), pieces.0.len(), streamed.text);
    assert!(pieces.0.len() > 1, "token by token: {:?}", pieces.0);
    assert_eq!(pieces.0.concat(), streamed.text);
    assert!(streamed.usage.is_some_and(|u| u.completion_tokens > 0), "usage in the stream: {:?}", streamed.usage);
    // Greedy decoding: the same answer both ways.
    assert_eq!(streamed.text, whole.text);

    // A wrong key: llama.cpp answers 401, which is reported and not retried.
    unsafe { std::env::set_var(KEY_VAR, "wrong-key") };
    let e = pollster::block_on(model.infer(&input)).expect_err("unauthorised");
    assert!(e.to_string().contains("HTTP 401"), "{e}");
    drop(server);
}
