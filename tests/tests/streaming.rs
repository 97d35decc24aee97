//! `Deployment::handle_stream`: streamed text reaches the caller only after review; the
//! chunks add up to what the user should see; the caller can cancel; placeholders split
//! across chunks are restored.
#![allow(clippy::unwrap_used)]

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use govai_classify::GuardClassifier;
use govai_core::{
    AuditLog, AuditOptions, DataLevel, Deployment, Filing, FsyncPolicy, InferenceInput, InferenceOutput, InferenceSink,
    Location, Model, ModelInfo, ModelKind, Outcome, Request, Response, Result, Source, SpecScenario, async_trait,
};

const SOURCE: &str = "申领居住证需要提交居民身份证和住址证明。公安派出所自受理之日起15个工作日内办结。";

/// Streams fixed chunks (after the query's placeholders, if asked to echo them), counting how
/// many it was allowed to send.
struct ScriptedModel {
    info: ModelInfo,
    chunks: Vec<String>,
    sent: AtomicUsize,
    seen: Mutex<Vec<String>>,
}

#[async_trait]
impl Model for ScriptedModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        self.seen.lock().unwrap().push(input.query.clone());
        Ok(InferenceOutput { text: self.chunks.concat(), sources: sources(), ..InferenceOutput::default() })
    }

    async fn infer_stream(&self, input: &InferenceInput, sink: &mut dyn InferenceSink) -> Result<InferenceOutput> {
        self.seen.lock().unwrap().push(input.query.clone());
        sink.sources(&sources());
        let mut text = String::new();
        for c in &self.chunks {
            self.sent.fetch_add(1, Ordering::SeqCst);
            text.push_str(c);
            if sink.text(c).is_break() {
                break;
            }
        }
        Ok(InferenceOutput { text, sources: sources(), ..InferenceOutput::default() })
    }
}

fn sources() -> Vec<Source> {
    vec![Source {
        index: 1,
        id: "kb-1".into(),
        title: "居住证办事指南".into(),
        text: SOURCE.into(),
        url: None,
        score: 1.0,
    }]
}

fn deployment(dir: &std::path::Path, chunks: &[&str]) -> (Deployment, Arc<ScriptedModel>) {
    let (audit, _) =
        AuditLog::open(dir.join("audit.jsonl"), AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() })
            .unwrap();
    let model = Arc::new(ScriptedModel {
        info: ModelInfo {
            id: "scripted".into(),
            version: "1".into(),
            kind: ModelKind::Generate,
            clearance: DataLevel::Sensitive,
            location: Location::OnPremises,
            filing: Filing { number: "Test-110000-2025".into(), provider: "test".into() },
        },
        chunks: chunks.iter().map(|c| (*c).to_owned()).collect(),
        sent: AtomicUsize::new(0),
        seen: Mutex::new(Vec::new()),
    });
    let classifier = Arc::new(GuardClassifier::default());
    let spec = govai_core::scenario::builtin("intelligent_qa").unwrap();
    let mut builder = Deployment::builder().classifier(classifier.clone()).model(model.clone()).audit(Arc::new(audit));
    for r in govai_review::builtin_reviewers(classifier) {
        builder = builder.reviewer(r);
    }
    (builder.scenario(Arc::new(SpecScenario(spec)), "scripted").build().unwrap(), model)
}

/// Stream a request; returns the response and the chunks the caller received. `cancel_after`
/// makes the callback return Break after that many chunks.
fn stream(dep: &Deployment, text: &str, cancel_after: Option<usize>) -> (Response, Vec<String>) {
    let mut got = Vec::new();
    let mut on_text = |piece: &str| {
        got.push(piece.to_owned());
        if cancel_after.is_some_and(|n| got.len() >= n) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let r = dep.handle_stream(Request::new("intelligent_qa", text), &mut on_text).unwrap();
    (r, got)
}

#[test]
fn grounded_answer_streams_sentence_by_sentence_and_adds_up_to_the_labelled_output() {
    let d = tempfile::tempdir().unwrap();
    let chunks = ["申领居住证需要提交居民", "身份证和住址证明。", "[1]公安派出所自受理之日起1", "5个工作日内办结。[1]"];
    let (dep, _) = deployment(d.path(), &chunks);
    let (r, got) = stream(&dep, "居住证怎么办？要多久？", None);
    assert_eq!(r.outcome, Outcome::Answered, "{r:#?}");
    assert_eq!(got.concat(), r.labelled_output);
    assert_eq!(r.output, chunks.concat());
    // Released by sentence: the first sentence (with its marker) before the second.
    assert!(got.len() >= 2, "{got:?}");
    assert!(got[0].ends_with("住址证明。[1]"), "{got:?}");
    let s = r.stream.unwrap();
    assert_eq!(s.released_chars, chunks.concat().chars().count());
    assert_eq!(s.received_chars, s.released_chars);
    assert!(!s.stopped_by_review && !s.cancelled);
    // The same request without streaming reaches the same outcome and text.
    let plain = dep.handle(Request::new("intelligent_qa", "居住证怎么办？要多久？")).unwrap();
    assert_eq!((plain.outcome, plain.output), (r.outcome, r.output));
    assert!(govai_core::audit::verify(d.path().join("audit.jsonl"), None).unwrap().intact);
}

#[test]
fn forbidden_term_stops_the_stream_before_it_is_shown() {
    let d = tempfile::tempdir().unwrap();
    let chunks = [
        "申领居住证需要提交居民身份证和住址证明。[1]",
        "其实您也可以走",
        "后门，",
        "找熟人很快办好。",
        "后面还有很多内容。",
    ];
    let (dep, model) = deployment(d.path(), &chunks);
    let (r, got) = stream(&dep, "居住证怎么办？", None);
    let shown = got.concat();
    assert!(!shown.contains('走'), "{shown}");
    assert!(shown.contains("住址证明。[1]"), "{shown}");
    assert!(shown.ends_with(&format!("\n{}", r.output)), "{shown}");
    assert!(matches!(r.outcome, Outcome::Blocked | Outcome::Escalated), "{r:#?}");
    let s = r.stream.unwrap();
    assert!(s.stopped_by_review);
    // What the model produced up to the stop (three chunks), and the first sentence shown of it.
    assert_eq!(s.received_chars, chunks[..3].concat().chars().count());
    assert_eq!(s.released_chars, chunks[0].chars().count());
    assert!(r.findings.iter().any(|f| f.reviewer == "lexicon"), "{:#?}", r.findings);
    // Generation stopped at the chunk that completed the term: the rest was never produced.
    assert_eq!(model.sent.load(Ordering::SeqCst), 3);
}

#[test]
fn changed_number_is_never_released() {
    let d = tempfile::tempdir().unwrap();
    let chunks = ["申领居住证需要提交居民身份证和住址证明。[1]", "公安派出所自受理之日起", "30个工作日内办结。[1]"];
    let (dep, _) = deployment(d.path(), &chunks);
    let (r, got) = stream(&dep, "居住证要多久？", None);
    let shown = got.concat();
    assert!(!shown.contains("30"), "{shown}");
    assert_eq!(r.outcome, Outcome::Escalated, "{r:#?}");
    assert!(r.draft.is_some());
}

#[test]
fn caller_can_cancel() {
    let d = tempfile::tempdir().unwrap();
    let chunks =
        ["申领居住证需要提交居民身份证和住址证明。[1]", "公安派出所自受理之日起", "15个工作日内办结。[1]", "。"];
    let (dep, model) = deployment(d.path(), &chunks);
    let (r, got) = stream(&dep, "居住证怎么办？", Some(1));
    assert_eq!(got.len(), 1);
    assert_eq!(r.outcome, Outcome::Cancelled, "{r:#?}");
    assert!(r.stream.unwrap().cancelled);
    assert_eq!(r.output, "申领居住证需要提交居民身份证和住址证明。[1]");
    assert!(model.sent.load(Ordering::SeqCst) < chunks.len());
    let log = std::fs::read_to_string(d.path().join("audit.jsonl")).unwrap();
    assert!(log.contains("\"outcome\":\"cancelled\""), "{log}");
}

#[test]
fn placeholders_split_across_chunks_are_restored() {
    let d = tempfile::tempdir().unwrap();
    // The model saw the masked query and answers with the placeholder, split over chunks.
    let chunks = ["您留的电话是〔手机", "号1〕。申领居住证需要提交居民身份证和住址证明。[1]"];
    let (dep, model) = deployment(d.path(), &chunks);
    let (r, got) = stream(&dep, "我的电话13912345678，居住证怎么办？", None);
    assert!(model.seen.lock().unwrap()[0].contains("〔手机号1〕"), "the model saw the placeholder");
    let shown = got.concat();
    assert!(shown.contains("您留的电话是13912345678。"), "{shown}");
    assert!(!shown.contains('〔'), "{shown}");
    assert_eq!(r.outcome, Outcome::Answered, "{r:#?}");
}

#[test]
fn refused_request_streams_the_refusal_once() {
    let d = tempfile::tempdir().unwrap();
    let (dep, model) = deployment(d.path(), &["不该出现。"]);
    let (r, got) = stream(&dep, "绝密★\n请总结这份文件", None);
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(got, vec![r.output.clone()]);
    assert!(model.seen.lock().unwrap().is_empty());
    assert_eq!(r.stream.unwrap().released_chars, 0);
}
