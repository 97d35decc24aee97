//! Failure modes against a scripted upstream on loopback: retries (429 with Retry-After, 5xx),
//! what is never retried (4xx, text already streamed), connection refused, cut streams,
//! timeouts, oversize answers, the circuit breaker and the fallbacks.

mod support;

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use govai_core::{
    DataLevel, Filing, InferenceInput, InferenceOutput, InferenceSink, Location, Model, ModelInfo, ModelKind, Source,
    TokenUsage,
};
use govai_openai::{Circuit, CircuitState, OpenAiModel, OpenAiOptions, Retries, Timeouts};
use support::fake::{FakeUpstream, Reply, refused_url};

fn info(id: &str) -> ModelInfo {
    ModelInfo {
        id: id.into(),
        version: "1".into(),
        kind: ModelKind::Generate,
        clearance: DataLevel::Internal,
        location: Location::GovernmentCloud,
        filing: Filing::default(),
    }
}

/// Fast retries and timeouts for tests.
fn options(base_url: &str) -> OpenAiOptions {
    OpenAiOptions {
        timeouts: Timeouts { connect_ms: 1_000, first_token_ms: 2_000, total_ms: 10_000 },
        retries: Retries { max: 2, initial_backoff_ms: 20, max_backoff_ms: 100, max_retry_after_ms: 2_000 },
        circuit: Circuit { failures: 100, cool_down_ms: 200 },
        ..OpenAiOptions::new(base_url, "qwen")
    }
}

fn model(o: OpenAiOptions) -> OpenAiModel {
    OpenAiModel::new(info("remote"), o).expect("valid options")
}

fn input() -> InferenceInput {
    InferenceInput {
        prompt: "社保卡怎么补办？".into(), query: "社保卡怎么补办？".into(), ..InferenceInput::default()
    }
}

fn infer(m: &OpenAiModel) -> govai_core::Result<InferenceOutput> {
    pollster::block_on(m.infer(&input()))
}

#[derive(Default)]
struct Collect {
    pieces: Vec<String>,
    stop_after: Option<usize>,
}

impl InferenceSink for Collect {
    fn sources(&mut self, _: &[Source]) {}
    fn text(&mut self, piece: &str) -> ControlFlow<()> {
        self.pieces.push(piece.to_owned());
        if self.stop_after.is_some_and(|n| self.pieces.len() >= n) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

fn stream(m: &OpenAiModel, sink: &mut Collect) -> govai_core::Result<InferenceOutput> {
    pollster::block_on(m.infer_stream(&input(), sink))
}

/// A local model standing in for a fallback.
struct Local(ModelInfo, &'static str);

#[govai_core::async_trait]
impl Model for Local {
    fn info(&self) -> &ModelInfo {
        &self.0
    }
    async fn infer(&self, _: &InferenceInput) -> govai_core::Result<InferenceOutput> {
        if self.1.is_empty() {
            return Err(govai_core::Error::model(&self.0.id, "local model down"));
        }
        Ok(InferenceOutput { text: self.1.into(), ..InferenceOutput::default() })
    }
}

#[test]
fn whole_and_streamed_answers_with_usage() {
    let up = FakeUpstream::start(vec![
        Reply::Whole("  携带身份证到社保中心补办。"),
        Reply::Stream { pieces: vec!["  ", "携带", "身份证", "补办。"], cut: false },
    ]);
    let m = model(options(&up.base_url));
    let out = infer(&m).expect("answer");
    assert_eq!(out.text, "携带身份证到社保中心补办。");
    assert_eq!(out.usage, Some(TokenUsage { prompt_tokens: 11, completion_tokens: 7 }));
    assert_eq!(out.served_by, None);
    let mut sink = Collect::default();
    let out = stream(&m, &mut sink).expect("streamed answer");
    assert_eq!(sink.pieces, ["携带", "身份证", "补办。"], "leading whitespace dropped, pieces as they came");
    assert_eq!(out.text, "携带身份证补办。");
    assert_eq!(out.usage, Some(TokenUsage { prompt_tokens: 5, completion_tokens: 3 }));
    let r = up.received();
    assert_eq!(r[0].body["stream"], false);
    assert_eq!(r[1].body["stream"], true);
    assert_eq!(r[1].body["model"], "qwen");
    assert_eq!(r[1].body["messages"][0]["content"], "社保卡怎么补办？");
}

#[test]
fn honours_retry_after_on_429() {
    let up = FakeUpstream::start(vec![Reply::Status(429, Some("1")), Reply::Whole("好的")]);
    let m = model(options(&up.base_url));
    let t = Instant::now();
    assert_eq!(infer(&m).expect("answer after the wait").text, "好的");
    assert!(t.elapsed() >= Duration::from_millis(950), "waited {:?}, not the 1 s asked", t.elapsed());
    assert_eq!(up.requests(), 2);
}

#[test]
fn retries_5xx_then_succeeds_and_gives_up_after_max() {
    let up = FakeUpstream::start(vec![Reply::Status(502, None), Reply::Status(503, None), Reply::Whole("好的")]);
    let m = model(options(&up.base_url));
    assert_eq!(infer(&m).expect("third attempt").text, "好的");
    assert_eq!(up.requests(), 3);
    // Three more 500s (the script is empty): 1 + max 2 retries, then the error.
    let e = infer(&m).expect_err("retries used up");
    assert_eq!(up.requests(), 6);
    let stats = m.stats();
    assert_eq!((stats.attempts, stats.retries, stats.failed_attempts), (6, 4, 5), "{stats:?}");
    let msg = e.to_string();
    assert!(msg.contains("HTTP 500") && msg.contains("server_error"), "{msg}");
    assert!(!msg.contains("secret words"), "the upstream's free text is not kept: {msg}");
}

#[test]
fn a_retry_after_beyond_the_limit_is_not_waited_for() {
    let up = FakeUpstream::start(vec![Reply::Status(429, Some("3600"))]);
    let m = model(options(&up.base_url));
    let t = Instant::now();
    let e = infer(&m).expect_err("not retried");
    assert!(t.elapsed() < Duration::from_secs(2) && e.to_string().contains("429"), "{e}");
    assert_eq!(up.requests(), 1);
}

#[test]
fn client_errors_are_not_retried() {
    let up = FakeUpstream::start(vec![Reply::Status(400, None), Reply::Whole("unused")]);
    let m = model(options(&up.base_url));
    assert!(infer(&m).expect_err("bad request").to_string().contains("HTTP 400"));
    assert_eq!(up.requests(), 1);
}

#[test]
fn redirects_are_never_followed() {
    let elsewhere = FakeUpstream::start(vec![Reply::Whole("不应到达")]);
    let target = format!("{}/chat/completions", elsewhere.base_url);
    let up = FakeUpstream::start(vec![Reply::Redirect(target)]);
    let e = infer(&model(options(&up.base_url))).expect_err("redirect refused");
    assert!(e.to_string().contains("HTTP 307"), "{e}");
    assert_eq!((up.requests(), elsewhere.requests()), (1, 0), "the prompt went nowhere else");
}

#[test]
fn connection_refused_is_retried_then_reported() {
    let url = refused_url();
    let m = model(options(&url));
    let t = Instant::now();
    let e = infer(&m).expect_err("nothing listens");
    assert_eq!(e.kind(), govai_core::ErrorKind::Model);
    assert!(e.to_string().contains("cannot reach") && e.to_string().contains(&url), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "bounded: {:?}", t.elapsed());
}

#[test]
fn a_stream_cut_after_text_is_an_error_and_never_retried() {
    let up = FakeUpstream::start(vec![
        Reply::Stream { pieces: vec!["您好，", "请携带"], cut: true },
        Reply::Stream { pieces: vec!["不应出现"], cut: false },
    ]);
    let local: Arc<dyn Model> = Arc::new(Local(info("local"), "本地答复"));
    let m = model(options(&up.base_url)).with_fallbacks(vec![local]);
    let mut sink = Collect::default();
    let e = stream(&m, &mut sink).expect_err("cut");
    assert!(e.to_string().contains("cut off") || e.to_string().contains("complete"), "{e}");
    assert_eq!(sink.pieces, ["您好，", "请携带"], "no fallback text after streamed text");
    assert_eq!(up.requests(), 1, "never retried once text was streamed");
}

#[test]
fn a_stream_cut_before_any_text_is_retried() {
    let up = FakeUpstream::start(vec![
        Reply::Stream { pieces: vec![], cut: true },
        Reply::Stream { pieces: vec!["好的"], cut: false },
    ]);
    let m = model(options(&up.base_url));
    let mut sink = Collect::default();
    assert_eq!(stream(&m, &mut sink).expect("second attempt").text, "好的");
    assert_eq!(up.requests(), 2);
}

#[test]
fn malformed_answers_are_retried_then_reported() {
    let bad_sse = Reply::Raw("text/event-stream", "data: {\"choices\": [{\"delta\": \n\n");
    let up = FakeUpstream::start(vec![bad_sse, Reply::Stream { pieces: vec!["好的"], cut: false }]);
    let m = model(options(&up.base_url));
    assert_eq!(stream(&m, &mut Collect::default()).expect("second attempt").text, "好的");
    assert_eq!(up.requests(), 2);

    let html = Reply::Raw("text/html", "<html>502 Bad Gateway</html>");
    let up = FakeUpstream::start(vec![html.clone(), html.clone(), html]);
    let e = infer(&model(options(&up.base_url))).expect_err("never valid");
    assert!(e.to_string().contains("malformed answer: not a chat completion"), "{e}");
    assert_eq!(up.requests(), 3);

    // An SSE stream that ends without finishing and without text: retried, then reported.
    let empty = Reply::Raw("text/event-stream", ": keep-alive\n\n");
    let up = FakeUpstream::start(vec![empty.clone(), empty.clone(), empty]);
    let e = stream(&model(options(&up.base_url)), &mut Collect::default()).expect_err("incomplete");
    assert!(e.to_string().contains("ended before the answer was complete"), "{e}");
}

#[test]
fn first_token_and_total_timeouts() {
    let slow = Reply::Delay(Duration::from_secs(3), Box::new(Reply::Stream { pieces: vec!["迟"], cut: false }));
    let up = FakeUpstream::start(vec![slow.clone(), slow]);
    let mut o = options(&up.base_url);
    o.timeouts.first_token_ms = 300;
    o.retries.max = 1;
    let m = model(o);
    let t = Instant::now();
    let e = stream(&m, &mut Collect::default()).expect_err("too slow");
    assert!(e.to_string().contains("first_token timeout of 300 ms"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(up.requests(), 2, "a first-token timeout is retried");

    let up = FakeUpstream::start(vec![Reply::Delay(Duration::from_secs(3), Box::new(Reply::Whole("迟")))]);
    let mut o = options(&up.base_url);
    o.timeouts.total_ms = 1_000;
    let t = Instant::now();
    let e = infer(&model(o)).expect_err("too slow");
    assert!(e.to_string().contains("total timeout of 1000 ms"), "{e}");
    assert!(t.elapsed() < Duration::from_millis(2_500), "{:?}", t.elapsed());
    assert_eq!(up.requests(), 1);
}

#[test]
fn oversize_answers_are_refused() {
    let up = FakeUpstream::start(vec![Reply::Huge(64 << 10)]);
    let mut o = options(&up.base_url);
    o.max_response_bytes = 4096;
    let e = infer(&model(o)).expect_err("too large");
    assert!(e.to_string().contains("max_response_bytes = 4096"), "{e}");
    assert_eq!(up.requests(), 1, "not retried");
}

#[test]
fn the_circuit_opens_then_lets_a_probe_through() {
    let up = FakeUpstream::start(vec![Reply::Status(500, None), Reply::Status(500, None)]);
    let mut o = options(&up.base_url);
    o.retries.max = 0;
    o.circuit = Circuit { failures: 2, cool_down_ms: 300 };
    let m = model(o);
    infer(&m).expect_err("500");
    assert_eq!(m.circuit_state(), CircuitState::Closed);
    infer(&m).expect_err("500");
    assert_eq!(m.circuit_state(), CircuitState::Open);
    let e = infer(&m).expect_err("open");
    assert!(e.to_string().contains("circuit open"), "{e}");
    assert_eq!(up.requests(), 2, "nothing sent while open");
    std::thread::sleep(Duration::from_millis(350));
    up.push(Reply::Whole("恢复"));
    assert_eq!(infer(&m).expect("probe succeeds").text, "恢复");
    assert_eq!(m.circuit_state(), CircuitState::Closed);
    let stats = m.stats();
    assert_eq!((stats.attempts, stats.failed_attempts, stats.circuit_rejections), (3, 2, 1), "{stats:?}");
}

#[test]
fn fallbacks_answer_in_order_when_the_upstream_fails() {
    let mut o = options(&refused_url());
    o.retries.max = 0;
    let down: Arc<dyn Model> = Arc::new(Local(info("provincial"), ""));
    let local: Arc<dyn Model> = Arc::new(Local(info("local"), "本地模型的答复"));
    let m = model(o).with_fallbacks(vec![down, local]);
    let out = infer(&m).expect("fallback answers");
    assert_eq!(out.text, "本地模型的答复");
    assert_eq!(out.served_by.as_ref().map(|r| r.id.as_str()), Some("local"));
    assert_eq!(m.stats().fallback_answers, 1);
    let mut sink = Collect::default();
    let out = stream(&m, &mut sink).expect("fallback streams");
    assert_eq!(
        (sink.pieces.concat(), out.served_by.map(|r| r.id)),
        ("本地模型的答复".to_owned(), Some("local".into()))
    );

    // Every one failing: each failure named.
    let mut o = options(&refused_url());
    o.retries.max = 0;
    let down: Arc<dyn Model> = Arc::new(Local(info("provincial"), ""));
    let e = infer(&model(o).with_fallbacks(vec![down])).expect_err("all down");
    let msg = e.to_string();
    assert!(msg.contains("upstream: cannot reach") && msg.contains("fallback `provincial`: "), "{msg}");
}

#[test]
fn a_breaking_sink_stops_the_stream() {
    let up =
        FakeUpstream::start(vec![Reply::Stream { pieces: vec!["一", "二", "三", "四", "五", "六"], cut: false }]);
    let m = model(options(&up.base_url));
    let mut sink = Collect { stop_after: Some(2), ..Collect::default() };
    let out = stream(&m, &mut sink).expect("stopped early");
    assert_eq!(sink.pieces, ["一", "二"]);
    assert_eq!(out.text, "一二");
}

#[test]
fn a_whole_answer_to_a_streamed_request_is_passed_on() {
    let up = FakeUpstream::start(vec![Reply::Json("整段答复")]);
    let m = model(options(&up.base_url));
    let mut sink = Collect::default();
    assert_eq!(stream(&m, &mut sink).expect("answer").text, "整段答复");
    assert_eq!(sink.pieces, ["整段答复"]);
}

#[test]
fn the_api_key_comes_from_the_environment_and_is_never_shown() {
    const VAR: &str = "GOVAI_OPENAI_TEST_KEY_FAULTS";
    const KEY: &str = "sk-test-0123456789abcdef";
    let up = FakeUpstream::start(vec![Reply::Whole("好的"), Reply::Status(401, None)]);
    let mut o = options(&up.base_url);
    o.api_key_env = Some(VAR.into());
    let m = model(o);
    let e = infer(&m).expect_err("variable unset");
    assert!(e.to_string().contains(VAR), "names the variable: {e}");
    assert_eq!(up.requests(), 0, "nothing sent without the key");
    // SAFETY: this test alone reads or writes this variable.
    unsafe { std::env::set_var(VAR, KEY) };
    infer(&m).expect("authorised");
    assert_eq!(up.received()[0].authorization.as_deref(), Some(format!("Bearer {KEY}").as_str()));
    let e = infer(&m).expect_err("401");
    for shown in [format!("{m:?}"), e.to_string(), format!("{e:?}"), format!("{:?}", m.options())] {
        assert!(!shown.contains(KEY), "the key leaked: {shown}");
    }
    assert_eq!(up.requests(), 2, "401 not retried");
}

#[test]
fn works_inside_a_tokio_runtime_and_drops_there() {
    let up = FakeUpstream::start(vec![Reply::Whole("好的")]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let m = model(options(&up.base_url));
        assert_eq!(m.infer(&input()).await.expect("answer").text, "好的");
        drop(m);
    });
}
