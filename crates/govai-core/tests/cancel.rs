//! A [`Cancel`] handle stops the model at its next token, even while review holds the answer
//! back (nothing released yet), and a request cancelled before its model call never reaches
//! the model; both end with outcome `cancelled` and their audit record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use govai_core::scenario::builtin;
use govai_core::{
    AuditLog, AuditOptions, Cancel, Classification, DataClassifier, DataLevel, Deployment, Error, Filing, FsyncPolicy,
    InferenceInput, InferenceOutput, InferenceSink, Location, Model, ModelInfo, ModelKind, Outcome, Request, Result,
    Review, ReviewContext, ReviewStage, Reviewer, SpecScenario, async_trait,
};
use serde_json::Value;

/// Tokens the model writes if nothing stops it: ten seconds of them.
const TOKENS: usize = 2_000;
/// Time between two tokens: ten seconds for the whole answer.
const TOKEN_DELAY: Duration = Duration::from_millis(5);

/// Writes `0，1，2，…` a token at a time (no sentence ends, so the sentence reviewer releases
/// nothing), `tokens` of them, counting the tokens written and the calls; stops when the sink
/// says so.
struct Counting {
    info: ModelInfo,
    tokens: usize,
    produced: AtomicUsize,
    calls: AtomicUsize,
}

#[async_trait]
impl Model for Counting {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, _input: &InferenceInput) -> Result<InferenceOutput> {
        Err(Error::model("counting", "only streams here"))
    }

    async fn infer_stream(&self, _input: &InferenceInput, sink: &mut dyn InferenceSink) -> Result<InferenceOutput> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        sink.sources(&[]);
        let mut text = String::new();
        for i in 0..self.tokens {
            std::thread::sleep(TOKEN_DELAY);
            let piece = format!("{i}，");
            self.produced.fetch_add(1, Ordering::SeqCst);
            text.push_str(&piece);
            if sink.text(&piece).is_break() {
                break;
            }
        }
        Ok(InferenceOutput { text, ..InferenceOutput::default() })
    }
}

/// Finds nothing: every request is public.
struct Public;

impl DataClassifier for Public {
    fn id(&self) -> &str {
        "public"
    }
    fn classify(&self, _text: &str) -> Result<Classification> {
        Ok(Classification::public())
    }
}

/// An output reviewer judging complete sentences (the default), passing everything: the
/// stream releases a sentence only once it has ended.
struct Sentences;

impl Reviewer for Sentences {
    fn id(&self) -> &str {
        "sentences"
    }
    fn stage(&self) -> ReviewStage {
        ReviewStage::Output
    }
    fn review(&self, _ctx: &ReviewContext<'_>) -> Result<Review> {
        Ok(Review::pass())
    }
}

fn deployment(dir: &Path, tokens: usize) -> (Deployment, Arc<Counting>) {
    let options = AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() };
    let (audit, _) = AuditLog::open(dir.join("audit.jsonl"), options).unwrap();
    let info = ModelInfo {
        id: "counting".into(),
        version: "1".into(),
        kind: ModelKind::Generate,
        clearance: DataLevel::Important,
        location: Location::OnPremises,
        filing: Filing { number: "Beijing-Counting-1".into(), provider: "test".into() },
    };
    let model = Arc::new(Counting { info, tokens, produced: AtomicUsize::new(0), calls: AtomicUsize::new(0) });
    let mut qa = builtin("intelligent_qa").unwrap();
    qa.reviewers = vec!["sentences".into()];
    let dep = Deployment::builder()
        .name("cancel")
        .model(model.clone())
        .classifier(Arc::new(Public))
        .reviewer(Arc::new(Sentences))
        .scenario(Arc::new(SpecScenario(qa)), "counting")
        .audit(Arc::new(audit))
        .build()
        .unwrap();
    (dep, model)
}

fn request(id: &str) -> Request {
    let mut r = Request::new("intelligent_qa", "请把数字依次写出来");
    r.request_id = Some(id.into());
    r
}

/// The audit record of request `id`.
fn record(dir: &Path, id: &str) -> Value {
    let log = std::fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    log.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["request_id"] == id)
        .unwrap_or_else(|| panic!("no record of {id} in {log}"))
}

/// Wait (bounded) until the model has written its first token.
fn wait_for_first_token(model: &Counting) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while model.produced.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the model wrote no token within 30 s");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn cancel_stops_the_model_at_its_next_token_while_review_holds_text_back() {
    let dir = tempfile::tempdir().unwrap();
    let (dep, model) = deployment(dir.path(), TOKENS);
    let cancel = Cancel::new();
    let shown = AtomicUsize::new(0);
    let mut on_text = |_: &str| {
        shown.fetch_add(1, Ordering::SeqCst);
        ControlFlow::Continue(())
    };
    let (response, at_cancel) = std::thread::scope(|s| {
        let run = s.spawn(|| dep.handle_stream_with_cancel(request("walks-away"), &cancel, &mut on_text));
        wait_for_first_token(&model);
        cancel.cancel();
        let at_cancel = model.produced.load(Ordering::SeqCst);
        (run.join().unwrap().unwrap(), at_cancel)
    });
    let produced = model.produced.load(Ordering::SeqCst);
    assert!(produced < TOKENS, "the model wrote all {TOKENS} tokens");
    assert!(produced - at_cancel <= 2, "{} tokens after the cancel ({at_cancel} before)", produced - at_cancel);
    assert_eq!(shown.load(Ordering::SeqCst), 0, "review released nothing, and nothing after the cancel");
    assert_eq!(response.outcome, Outcome::Cancelled);
    let stream = response.stream.unwrap();
    assert!(stream.cancelled && stream.released_chars == 0, "{stream:?}");
    assert!(stream.received_chars > 0, "{stream:?}");

    let rec = record(dir.path(), "walks-away");
    assert_eq!(rec["kind"], "request");
    assert_eq!(rec["outcome"], "cancelled");
    assert_eq!(rec["stream"]["cancelled"], true);
    assert_eq!(rec["stream"]["released_chars"], 0);
    assert!(rec["output_sha256"].is_string(), "the partial answer is recorded: {rec}");
}

#[test]
fn a_request_cancelled_before_its_model_call_never_reaches_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let (dep, model) = deployment(dir.path(), TOKENS);
    let cancel = Cancel::new();
    cancel.cancel();
    let shown = AtomicUsize::new(0);
    let mut on_text = |_: &str| {
        shown.fetch_add(1, Ordering::SeqCst);
        ControlFlow::Continue(())
    };
    let response = dep.handle_stream_with_cancel(request("queued"), &cancel, &mut on_text).unwrap();
    assert_eq!(model.calls.load(Ordering::SeqCst), 0);
    assert_eq!(shown.load(Ordering::SeqCst), 0);
    assert_eq!(response.outcome, Outcome::Cancelled);
    assert!(response.output.is_empty() && response.label.is_none(), "{response:?}");
    assert!(response.stream.is_some_and(|s| s.cancelled && s.received_chars == 0));

    let rec = record(dir.path(), "queued");
    assert_eq!(rec["kind"], "request");
    assert_eq!(rec["outcome"], "cancelled");
    assert_eq!(rec["stream"]["cancelled"], true);
    assert!(rec.get("output_sha256").is_none(), "no model output: {rec}");
    assert!(govai_core::audit::verify(dir.path().join("audit.jsonl"), None).unwrap().intact);
}

#[test]
fn a_handle_never_cancelled_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (dep, model) = deployment(dir.path(), 50);
    let mut shown = String::new();
    let mut on_text = |t: &str| {
        shown.push_str(t);
        ControlFlow::Continue(())
    };
    let response = dep.handle_stream_with_cancel(request("answered"), &Cancel::new(), &mut on_text).unwrap();
    assert_eq!(model.produced.load(Ordering::SeqCst), 50);
    assert_eq!(response.outcome, Outcome::Answered);
    assert_eq!(shown, response.labelled_output);
    assert!(response.stream.is_some_and(|s| !s.cancelled));
}
