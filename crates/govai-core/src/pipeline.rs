//! The pipeline: classify -> gate -> mask -> infer -> restore -> review -> label -> audit.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::AuditLog;
use crate::classify::{Classification, DataClassifier, Finding};
use crate::error::{Error, Result};
use crate::label::{AiLabel, LabelConfig};
use crate::level::DataLevel;
use crate::mask::{Vault, pseudonymize};
use crate::model::{InferenceInput, InferenceSink, Model, ModelInfo, Source};
use crate::policy::{self, GateAction, GateDecision, Policy, Pseudonymize};
use crate::review::{Review, ReviewContext, ReviewFinding, ReviewStage, Reviewer, Verdict};
use crate::scenario::{Scenario, ScenarioSpec};
use crate::stream::{StreamReview, StreamReviewConfig, StreamStep};

/// Largest request text accepted (bytes), so one request cannot exhaust memory.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// A request to a deployment. JSON form is part of the public contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Scenario id, e.g. `intelligent_qa`.
    pub scenario: String,
    pub text: String,
    /// Documents the caller attaches as authorised sources (classified and gated too).
    #[serde(default)]
    pub documents: Vec<String>,
    /// Who is asking (staff id or channel); recorded in the audit log.
    #[serde(default)]
    pub user: Option<String>,
    /// Caller's correlation id; a UUID is generated when absent.
    #[serde(default)]
    pub request_id: Option<String>,
}

impl Request {
    pub fn new(scenario: impl Into<String>, text: impl Into<String>) -> Self {
        Self { scenario: scenario.into(), text: text.into(), documents: Vec::new(), user: None, request_id: None }
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The model's answer is released (as a reference answer).
    Answered,
    /// Released to staff with findings to fix (non-public scenarios only).
    NeedsRevision,
    /// The gate refused the input; no model saw it.
    Refused,
    /// Review blocked the answer; the refusal message is shown.
    Blocked,
    /// A human must take over; the hand-over message is shown.
    Escalated,
    /// Streaming only: the caller stopped the stream. What was released had passed review.
    Cancelled,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::NeedsRevision => "needs_revision",
            Self::Refused => "refused",
            Self::Blocked => "blocked",
            Self::Escalated => "escalated",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Microseconds spent per stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StageTimings {
    pub classify: u64,
    pub gate: u64,
    pub mask: u64,
    pub infer: u64,
    pub restore: u64,
    pub review: u64,
    pub label: u64,
    pub audit: u64,
    pub total: u64,
}

/// The model that answered, as shown to users (name and filing number must be displayed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRef {
    pub id: String,
    pub version: String,
    pub filing_number: String,
    pub provider: String,
}

impl From<&ModelInfo> for ModelRef {
    fn from(m: &ModelInfo) -> Self {
        Self {
            id: m.id.clone(),
            version: m.version.clone(),
            filing_number: m.filing.number.clone(),
            provider: m.filing.provider.clone(),
        }
    }
}

/// Why a human must take over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub reasons: Vec<String>,
}

impl From<&Review> for Escalation {
    /// The reasons a human takes over: every finding above Pass, as "code: message".
    fn from(review: &Review) -> Self {
        let reasons = review
            .findings
            .iter()
            .filter(|f| f.verdict > Verdict::Pass)
            .map(|f| format!("{}: {}", f.code, f.message))
            .collect();
        Self { reasons }
    }
}

/// The response. Its JSON form is part of the public contract (CLI, C and Python bindings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub request_id: String,
    pub scenario: String,
    pub outcome: Outcome,
    /// What may be shown: the answer, or the refusal / hand-over message.
    pub output: String,
    /// `output` with the explicit AI-content notice, when `output` is model content.
    pub labelled_output: String,
    /// Model output is always a reference answer (参考回答), never a decision.
    pub reference_answer: bool,
    pub human_signoff_required: bool,
    pub verdict: Verdict,
    /// Review findings.
    pub findings: Vec<ReviewFinding>,
    /// The model's draft when it is withheld from the public but a human agent needs it
    /// (escalation, or revision in a public-facing scenario). Never set when blocked.
    pub draft: Option<String>,
    pub escalation: Option<Escalation>,
    /// Level of the input as classified.
    pub data_level: DataLevel,
    /// What the classifiers found in the input.
    pub input_findings: Vec<Finding>,
    pub gate: GateDecision,
    pub sources: Vec<Source>,
    pub model: ModelRef,
    /// AI-content label; absent when no model content is shown.
    pub label: Option<AiLabel>,
    /// Sequence number of this request's audit record.
    pub audit_id: u64,
    pub audit_hash: String,
    pub timings_us: StageTimings,
    /// Set when the request was streamed ([`Deployment::handle_stream`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<StreamReport>,
}

/// How a streamed answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StreamReport {
    /// Characters of the answer released to the caller after review.
    pub released_chars: usize,
    /// Characters the model produced (after placeholders were restored), released or not: with
    /// `released_chars` it tells how much a review stop or a cancel held back. Absent (0) in
    /// records written before this field existed.
    #[serde(default)]
    pub received_chars: usize,
    /// A review stopped the stream before the model finished.
    pub stopped_by_review: bool,
    /// The caller stopped the stream.
    pub cancelled: bool,
    /// Time spent reviewing streamed text, in microseconds (the latency streaming review adds,
    /// spread over the chunks).
    pub review_us: u64,
}

/// The caller's side of a stream: receives text to show, returns `Break` to cancel.
pub type TextCallback<'a> = dyn FnMut(&str) -> ControlFlow<()> + Send + 'a;

struct Bound {
    scenario: Arc<dyn Scenario>,
    model: Arc<dyn Model>,
    reviewers: Vec<Arc<dyn Reviewer>>,
}

/// A configured deployment: scenarios bound to models, classifiers, reviewers, policy, labels
/// and an audit log. `Send + Sync`: share one across threads.
pub struct Deployment {
    name: String,
    scenarios: BTreeMap<String, Bound>,
    classifiers: Vec<Arc<dyn DataClassifier>>,
    policy: Policy,
    labels: LabelConfig,
    audit: Arc<AuditLog>,
}

impl std::fmt::Debug for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployment")
            .field("name", &self.name)
            .field("scenarios", &self.scenarios.keys().collect::<Vec<_>>())
            .field("audit", &self.audit.path())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Deployment`], checking that every scenario's model and reviewers exist.
#[derive(Default)]
pub struct DeploymentBuilder {
    name: String,
    models: BTreeMap<String, Arc<dyn Model>>,
    reviewers: BTreeMap<String, Arc<dyn Reviewer>>,
    classifiers: Vec<Arc<dyn DataClassifier>>,
    scenarios: Vec<(Arc<dyn Scenario>, String)>,
    policy: Policy,
    labels: LabelConfig,
    audit: Option<Arc<AuditLog>>,
}

impl std::fmt::Debug for DeploymentBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeploymentBuilder").field("name", &self.name).finish_non_exhaustive()
    }
}

impl DeploymentBuilder {
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    pub fn model(mut self, model: Arc<dyn Model>) -> Self {
        self.models.insert(model.info().id.clone(), model);
        self
    }
    pub fn reviewer(mut self, reviewer: Arc<dyn Reviewer>) -> Self {
        self.reviewers.insert(reviewer.id().to_owned(), reviewer);
        self
    }
    pub fn classifier(mut self, classifier: Arc<dyn DataClassifier>) -> Self {
        self.classifiers.push(classifier);
        self
    }
    /// Enable a scenario served by the model with id `model_id`.
    pub fn scenario(mut self, scenario: Arc<dyn Scenario>, model_id: impl Into<String>) -> Self {
        self.scenarios.push((scenario, model_id.into()));
        self
    }
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
    pub fn labels(mut self, labels: LabelConfig) -> Self {
        self.labels = labels;
        self
    }
    pub fn audit(mut self, audit: Arc<AuditLog>) -> Self {
        self.audit = Some(audit);
        self
    }

    pub fn build(self) -> Result<Deployment> {
        let audit = self.audit.ok_or_else(|| Error::config("", "audit", "a deployment needs an audit log"))?;
        if self.classifiers.is_empty() {
            return Err(Error::config("", "classifiers", "a deployment needs at least one data classifier"));
        }
        let mut scenarios = BTreeMap::new();
        for (scenario, model_id) in self.scenarios {
            let spec = scenario.spec();
            let key = |k: &str| format!("scenarios.{}.{k}", spec.id);
            let model = self.models.get(&model_id).cloned().ok_or_else(|| {
                Error::config(
                    "",
                    key("model"),
                    format!("no model with id `{model_id}` (models: {})", join_keys(&self.models)),
                )
            })?;
            if spec.requires_filed_model
                && model.info().kind == crate::model::ModelKind::Generate
                && model.info().filing.number.trim().is_empty()
            {
                return Err(Error::config(
                    "",
                    key("model"),
                    format!(
                        "scenario `{}` is general-purpose (通用) and needs a model filed with the CAC; model `{model_id}` has no filing number",
                        spec.id
                    ),
                ));
            }
            let mut reviewers = Vec::new();
            for r in &spec.reviewers {
                let rv = self.reviewers.get(r).cloned().ok_or_else(|| {
                    Error::config(
                        "",
                        key("reviewers"),
                        format!("no reviewer `{r}` (reviewers: {})", join_keys(&self.reviewers)),
                    )
                })?;
                reviewers.push(rv);
            }
            if scenarios.contains_key(&spec.id) {
                return Err(Error::config("", key("id"), "scenario enabled twice"));
            }
            scenarios.insert(spec.id.clone(), Bound { scenario: scenario.clone(), model, reviewers });
        }
        if scenarios.is_empty() {
            return Err(Error::config("", "scenarios", "no scenario is enabled"));
        }
        Ok(Deployment {
            name: self.name,
            scenarios,
            classifiers: self.classifiers,
            policy: self.policy,
            labels: self.labels,
            audit,
        })
    }
}

fn join_keys<V>(m: &BTreeMap<String, V>) -> String {
    if m.is_empty() { "none".to_owned() } else { m.keys().cloned().collect::<Vec<_>>().join(", ") }
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// State carried from the input stages to the end of the request.
struct Trace {
    request_id: String,
    classification: Classification,
    gate: GateDecision,
    timings: StageTimings,
    started: Instant,
}

impl Deployment {
    pub fn builder() -> DeploymentBuilder {
        DeploymentBuilder::default()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn scenario_ids(&self) -> impl Iterator<Item = &str> {
        self.scenarios.keys().map(String::as_str)
    }

    pub fn scenario(&self, id: &str) -> Option<&dyn Scenario> {
        self.scenarios.get(id).map(|b| b.scenario.as_ref())
    }

    pub fn model_for(&self, scenario_id: &str) -> Option<&ModelInfo> {
        self.scenarios.get(scenario_id).map(|b| b.model.info())
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }

    /// Run every classifier over `text` and merge (the highest level wins).
    pub fn classify(&self, text: &str) -> Result<Classification> {
        let mut acc = Classification::public();
        for c in &self.classifiers {
            acc = acc.merge(c.classify(text)?);
        }
        Ok(acc)
    }

    /// Handle a request, blocking the calling thread.
    pub fn handle(&self, request: Request) -> Result<Response> {
        pollster::block_on(self.handle_async(request))
    }

    /// Handle a request.
    pub async fn handle_async(&self, request: Request) -> Result<Response> {
        self.run(request, None).await
    }

    /// Handle a request, streaming the answer to `on_text` as it is generated, blocking the
    /// calling thread. Text reaches `on_text` only after it has passed review (see
    /// [`crate::stream`]); the chunks, concatenated, are exactly what the user should see: for
    /// an answered request, `labelled_output` (the explicit notice comes with the first and the
    /// last chunk as its position says); when a review stops the answer, the part released
    /// before, then a line break and the refusal or hand-over message. `on_text` returning
    /// `Break` cancels generation (outcome `cancelled`). The response is as for
    /// [`handle`](Self::handle), with [`Response::stream`] set.
    pub fn handle_stream(&self, request: Request, on_text: &mut TextCallback<'_>) -> Result<Response> {
        pollster::block_on(self.handle_stream_async(request, on_text))
    }

    /// Async variant of [`handle_stream`](Self::handle_stream).
    pub async fn handle_stream_async(&self, request: Request, on_text: &mut TextCallback<'_>) -> Result<Response> {
        self.run(request, Some(on_text)).await
    }

    async fn run(&self, request: Request, mut on_text: Option<&mut TextCallback<'_>>) -> Result<Response> {
        let started = Instant::now();
        let bound = self
            .scenarios
            .get(&request.scenario)
            .ok_or_else(|| Error::NotFound { what: "scenario", id: request.scenario.clone() })?;
        validate(&request)?;
        let request_id = request.request_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let spec = bound.scenario.spec();
        let model = bound.model.as_ref();
        let mut timings = StageTimings::default();

        // 1. classify the text and each attached document; the documents together too, so
        //    records that are harmless alone but aggregate into important data are caught.
        let t = Instant::now();
        let text_class = self.classify(&request.text)?;
        let mut doc_classes = Vec::with_capacity(request.documents.len());
        for d in &request.documents {
            doc_classes.push(self.classify(d)?);
        }
        let mut level = doc_classes.iter().map(|c| c.level).fold(text_class.level, DataLevel::max);
        if request.documents.len() > 1 {
            let all = std::iter::once(request.text.as_str())
                .chain(request.documents.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("\n");
            level = level.max(self.classify(&all)?.level);
        }
        let mut classification = text_class.clone();
        classification.level = level;
        timings.classify = micros(t);

        // 2. gate
        let t = Instant::now();
        let gate = policy::decide(&self.policy, spec, model.info(), level);
        timings.gate = micros(t);
        let mut trace = Trace { request_id, classification, gate, timings, started };
        if trace.gate.action == GateAction::Refuse {
            return self.finish_refused(&request, bound, trace).map(|r| show_whole(r, on_text));
        }

        // Input review (injection screening, refusal policy): a request that must not be
        // answered never reaches the model.
        let t = Instant::now();
        let ctx = ReviewContext {
            scenario: spec,
            request: &request.text,
            output: "",
            sources: &[],
            documents: &request.documents,
        };
        let input_review = match self.run_reviewers(bound, ReviewStage::Input, &ctx) {
            Ok(r) => r,
            Err(e) => {
                self.audit_error(&request, bound, &trace, &e)?;
                return Err(e);
            }
        };
        trace.timings.review = micros(t);
        if input_review.verdict >= Verdict::Block {
            return self.finish_input_rejected(&request, bound, trace, input_review).map(|r| show_whole(r, on_text));
        }

        // 3. mask
        let t = Instant::now();
        let mut vault = Vault::default();
        let must_mask = trace.gate.action == GateAction::Mask || self.policy.pseudonymize == Pseudonymize::Always;
        let maskable = |c: &Classification| -> Vec<Finding> {
            c.findings.iter().filter(|f| !self.policy.unmasked_types.contains(&f.entity_type)).cloned().collect()
        };
        let (query, documents) = if must_mask {
            let q = pseudonymize(&request.text, &maskable(&text_class), &mut vault);
            let ds: Vec<String> = request
                .documents
                .iter()
                .zip(&doc_classes)
                .map(|(d, c)| pseudonymize(d, &maskable(c), &mut vault))
                .collect();
            (q, ds)
        } else {
            (request.text.clone(), request.documents.clone())
        };
        if trace.gate.action == GateAction::Mask {
            // Never trust masking blindly: re-classify what would be sent.
            let mut after = self.classify(&query)?.level;
            for d in &documents {
                after = after.max(self.classify(d)?.level);
            }
            if after > trace.gate.limit {
                trace.gate = policy::mask_insufficient(&trace.gate, after);
                trace.timings.mask = micros(t);
                return self.finish_refused(&request, bound, trace).map(|r| show_whole(r, on_text));
            }
        }
        trace.timings.mask = micros(t);

        // 4. infer
        let t = Instant::now();
        let input = InferenceInput {
            scenario_id: spec.id.clone(),
            prompt: bound.scenario.render_prompt(&query, &documents),
            query,
            documents,
        };
        let mut sink = on_text.take().map(|on_text| StreamSink {
            vault: &vault,
            review: StreamReview::new(
                &bound.reviewers,
                self.stream_config(spec),
                spec,
                &request.text,
                &request.documents,
            ),
            on_text,
            pending: String::new(),
            notice_before: self.labels.notice_parts().0,
            emitted: false,
            released: String::new(),
            stop: None,
            cancelled: false,
            error: None,
        });
        let inferred = match sink.as_mut() {
            None => model.infer(&input).await,
            Some(sink) => model.infer_stream(&input, sink).await,
        };
        trace.timings.infer = micros(t);
        let streamed_error = sink.as_mut().and_then(|s| s.error.take());
        let mut out = match inferred.and_then(|o| streamed_error.map_or(Ok(o), Err)) {
            Ok(o) => o,
            Err(e) => {
                self.audit_error(&request, bound, &trace, &e)?;
                return Err(e);
            }
        };

        // 5. restore (a stream was restored as it went)
        let t = Instant::now();
        out.text = vault.restore(&out.text);
        for s in &mut out.sources {
            s.text = vault.restore(&s.text);
        }
        let streamed = match sink {
            None => None,
            Some(mut sink) => {
                if let Err(e) = sink.finish() {
                    self.audit_error(&request, bound, &trace, &e)?;
                    return Err(e);
                }
                out.text = sink.review.received();
                Some(Streamed::from(sink))
            }
        };
        drop(vault);
        trace.timings.restore = micros(t);

        // 6. review
        let t = Instant::now();
        let ctx = ReviewContext {
            scenario: spec,
            request: &request.text,
            output: &out.text,
            sources: &out.sources,
            documents: &request.documents,
        };
        let mut review = match self.run_reviewers(bound, ReviewStage::Output, &ctx) {
            Ok(r) => input_review.combine(r),
            Err(e) => {
                self.audit_error(&request, bound, &trace, &e)?;
                return Err(e);
            }
        };
        if let Some(Streamed { stop: Some(stop), .. }) = &streamed {
            // The stopping review saw the same text; keep its findings (spans in answer offsets).
            for f in &stop.findings {
                if !review.findings.contains(f) {
                    review.findings.push(f.clone());
                }
            }
            review.verdict = review.verdict.max(stop.verdict);
        }
        trace.timings.review += micros(t);

        // 7. label, and decide what may be shown
        let t = Instant::now();
        let (outcome, shown, draft, escalation) = match &streamed {
            Some(s) if s.report.cancelled => (Outcome::Cancelled, s.released.clone(), None, None),
            _ => self.release(spec.public_facing, &review, &out.text),
        };
        let content_id = crate::label::new_content_id();
        let label = matches!(outcome, Outcome::Answered | Outcome::NeedsRevision | Outcome::Cancelled)
            .then(|| self.labels.label(&shown, &content_id));
        let labelled = label.as_ref().map_or_else(|| shown.clone(), |l| l.apply(&shown));
        let stream_report = streamed.map(|mut s| {
            s.conclude(outcome, &shown, &self.labels);
            s.report
        });
        trace.timings.label = micros(t);

        // 8. audit
        let t = Instant::now();
        let mut event = self.audit_event("request", &request, bound, &trace);
        event.extend([
            ("outcome".to_owned(), json!(outcome)),
            ("verdict".to_owned(), json!(review.verdict)),
            ("review_codes".to_owned(), json!(review.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>())),
            ("sources".to_owned(), json!(out.sources.iter().map(|s| s.id.as_str()).collect::<Vec<_>>())),
            ("output_sha256".to_owned(), json!(sha256_hex(&out.text))),
            ("shown_sha256".to_owned(), json!(sha256_hex(&labelled))),
            ("content_id".to_owned(), json!(label.as_ref().map(|_| content_id.as_str()))),
        ]);
        if let Some(report) = &stream_report {
            event.insert("stream".to_owned(), json!(report));
        }
        let receipt = self.audit.append(serde_json::Value::Object(event))?;
        trace.timings.audit = micros(t);
        trace.timings.total = micros(trace.started);

        Ok(Response {
            request_id: trace.request_id,
            scenario: spec.id.clone(),
            outcome,
            output: shown,
            labelled_output: labelled,
            reference_answer: true,
            human_signoff_required: spec.human_signoff,
            verdict: review.verdict,
            findings: review.findings,
            draft,
            escalation,
            data_level: trace.classification.level,
            input_findings: trace.classification.findings,
            gate: trace.gate,
            sources: out.sources,
            model: ModelRef::from(model.info()),
            label,
            audit_id: receipt.seq,
            audit_hash: receipt.hash,
            timings_us: trace.timings,
            stream: stream_report,
        })
    }

    /// Streams stop where the release rules would withhold the answer: at Revise in
    /// public-facing scenarios (a human fixes it first), at Block elsewhere.
    fn stream_config(&self, spec: &ScenarioSpec) -> StreamReviewConfig {
        StreamReviewConfig {
            holdback_chars: self.policy.stream_holdback_chars,
            stop_at: if spec.public_facing { Verdict::Revise } else { Verdict::Block },
        }
    }

    /// Map a review to what the caller may show. Block and Escalate never release the answer;
    /// in public-facing scenarios neither does Revise (a human fixes it first).
    fn release(
        &self,
        public_facing: bool,
        review: &Review,
        text: &str,
    ) -> (Outcome, String, Option<String>, Option<Escalation>) {
        match review.verdict {
            Verdict::Pass => (Outcome::Answered, text.to_owned(), None, None),
            Verdict::Revise if !public_facing => (Outcome::NeedsRevision, text.to_owned(), None, None),
            Verdict::Revise | Verdict::Escalate => (
                Outcome::Escalated,
                self.policy.escalation_message.clone(),
                Some(text.to_owned()),
                Some(Escalation::from(review)),
            ),
            Verdict::Block => (Outcome::Blocked, self.policy.refusal_message.clone(), None, None),
        }
    }

    fn run_reviewers(&self, bound: &Bound, stage: ReviewStage, ctx: &ReviewContext<'_>) -> Result<Review> {
        let mut review = Review::pass();
        for r in bound.reviewers.iter().filter(|r| r.stage() == stage) {
            review = review.combine(r.review(ctx)?);
        }
        Ok(review)
    }

    fn finish_refused(&self, request: &Request, bound: &Bound, trace: Trace) -> Result<Response> {
        let shown = self.policy.refusal_message.clone();
        self.finish_without_model(
            request,
            bound,
            trace,
            Outcome::Refused,
            Review::from_findings(Vec::new()),
            shown,
            Verdict::Block,
        )
    }

    /// An input reviewer blocked or escalated the request before inference.
    fn finish_input_rejected(
        &self,
        request: &Request,
        bound: &Bound,
        trace: Trace,
        review: Review,
    ) -> Result<Response> {
        let (outcome, shown) = if review.verdict == Verdict::Escalate {
            (Outcome::Escalated, self.policy.escalation_message.clone())
        } else {
            (Outcome::Blocked, self.policy.refusal_message.clone())
        };
        let verdict = review.verdict;
        self.finish_without_model(request, bound, trace, outcome, review, shown, verdict)
    }

    /// Finish a request the model never saw: the refusal or hand-over message, no label.
    #[allow(clippy::too_many_arguments, reason = "private helper; the arguments are the request's state")]
    fn finish_without_model(
        &self,
        request: &Request,
        bound: &Bound,
        mut trace: Trace,
        outcome: Outcome,
        review: Review,
        shown: String,
        verdict: Verdict,
    ) -> Result<Response> {
        let spec = bound.scenario.spec();
        let t = Instant::now();
        let escalation = (outcome == Outcome::Escalated).then(|| Escalation::from(&review));
        let mut event = self.audit_event("request", request, bound, &trace);
        event.extend([
            ("outcome".to_owned(), json!(outcome)),
            ("verdict".to_owned(), json!(verdict)),
            ("review_codes".to_owned(), json!(review.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>())),
            ("shown_sha256".to_owned(), json!(sha256_hex(&shown))),
        ]);
        let receipt = self.audit.append(serde_json::Value::Object(event))?;
        trace.timings.audit = micros(t);
        trace.timings.total = micros(trace.started);
        Ok(Response {
            request_id: trace.request_id,
            scenario: spec.id.clone(),
            outcome,
            labelled_output: shown.clone(),
            output: shown,
            reference_answer: true,
            human_signoff_required: spec.human_signoff,
            verdict,
            findings: review.findings,
            draft: None,
            escalation,
            data_level: trace.classification.level,
            input_findings: trace.classification.findings,
            gate: trace.gate,
            sources: Vec::new(),
            model: ModelRef::from(bound.model.info()),
            label: None,
            audit_id: receipt.seq,
            audit_hash: receipt.hash,
            timings_us: trace.timings,
            stream: None,
        })
    }

    fn audit_error(&self, request: &Request, bound: &Bound, trace: &Trace, error: &Error) -> Result<()> {
        let mut event = self.audit_event("error", request, bound, trace);
        event.extend([("error_kind".to_owned(), json!(error.kind())), ("error".to_owned(), json!(error.to_string()))]);
        self.audit.append(serde_json::Value::Object(event))?;
        Ok(())
    }
}

impl Deployment {
    /// The fields every audit record of a request carries. Hashes only: never raw text.
    fn audit_event(
        &self,
        kind: &str,
        request: &Request,
        bound: &Bound,
        trace: &Trace,
    ) -> serde_json::Map<String, serde_json::Value> {
        let spec = bound.scenario.spec();
        [
            ("kind", json!(kind)),
            ("deployment", json!(self.name)),
            ("request_id", json!(trace.request_id)),
            ("user", json!(request.user)),
            ("scenario", json!(spec.id)),
            ("model", json!(ModelRef::from(bound.model.info()))),
            ("data_level", json!(trace.classification.level)),
            ("input_finding_types", json!(finding_types(&trace.classification.findings))),
            ("gate", json!(trace.gate)),
            ("human_signoff_required", json!(spec.human_signoff)),
            ("input_sha256", json!(sha256_hex(&request.text))),
            ("timings_us", json!(trace.timings)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

fn finding_types(findings: &[Finding]) -> Vec<&str> {
    let mut v: Vec<&str> = findings.iter().map(|f| f.entity_type.as_str()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn validate(request: &Request) -> Result<()> {
    if request.text.trim().is_empty() {
        return Err(Error::InvalidInput("request text is empty".into()));
    }
    let total = request.text.len() + request.documents.iter().map(String::len).sum::<usize>();
    if total > MAX_REQUEST_BYTES {
        return Err(Error::InvalidInput(format!("request is {total} bytes; the limit is {MAX_REQUEST_BYTES}")));
    }
    Ok(())
}

/// A request the model never saw, streamed: its whole message is the one chunk.
fn show_whole(mut response: Response, on_text: Option<&mut TextCallback<'_>>) -> Response {
    if let Some(on_text) = on_text {
        let _ = on_text(&response.output);
        response.stream = Some(StreamReport::default());
    }
    response
}

/// The pipeline's side of a model stream: restores placeholders, reviews, releases.
struct StreamSink<'a, 'b> {
    vault: &'a Vault,
    review: StreamReview<'a>,
    on_text: &'b mut TextCallback<'b>,
    /// Model text not yet restored: it may end inside a placeholder such as `〔身份证号1〕`.
    pending: String,
    /// The explicit notice's leading part, shown with the first chunk.
    notice_before: String,
    emitted: bool,
    released: String,
    stop: Option<Review>,
    cancelled: bool,
    error: Option<Error>,
}

/// What a finished stream leaves for the rest of the pipeline.
struct Streamed<'b> {
    on_text: &'b mut TextCallback<'b>,
    emitted: bool,
    released: String,
    stop: Option<Review>,
    report: StreamReport,
}

/// Placeholders are short; a `〔` not closed within this many bytes is ordinary text.
const MAX_PLACEHOLDER_BYTES: usize = 64;

impl StreamSink<'_, '_> {
    fn push(&mut self, restored: &str) -> ControlFlow<()> {
        match self.review.push(restored) {
            Ok(step) => self.step(step),
            Err(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    fn step(&mut self, step: StreamStep) -> ControlFlow<()> {
        match step {
            StreamStep::Release(text) if text.is_empty() => ControlFlow::Continue(()),
            StreamStep::Release(text) => {
                let shown = if self.emitted { text.clone() } else { format!("{}{text}", self.notice_before) };
                self.emitted = true;
                self.released.push_str(&text);
                if (self.on_text)(&shown).is_break() {
                    self.cancelled = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
            StreamStep::Stop(review) => {
                self.stop = Some(review);
                ControlFlow::Break(())
            }
            StreamStep::Closed => ControlFlow::Break(()),
        }
    }

    /// The model is done: release what is left, unless the stream already ended.
    fn finish(&mut self) -> Result<()> {
        if self.stop.is_none() && !self.cancelled {
            let rest = self.vault.restore(&std::mem::take(&mut self.pending));
            if self.push(&rest).is_continue() {
                let step = self.review.finish()?;
                let _ = self.step(step);
            }
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl<'b> From<StreamSink<'_, 'b>> for Streamed<'b> {
    fn from(s: StreamSink<'_, 'b>) -> Self {
        let report = StreamReport {
            released_chars: s.review.released_chars(),
            received_chars: s.review.received_chars(),
            stopped_by_review: s.stop.is_some(),
            cancelled: s.cancelled,
            review_us: s.review.review_micros().iter().sum(),
        };
        Streamed { on_text: s.on_text, emitted: s.emitted, released: s.released, stop: s.stop, report }
    }
}

impl Streamed<'_> {
    /// Tell the caller how the answer ends: the notice's trailing part for an answer shown in
    /// full, or the refusal / hand-over message that replaces the rest.
    fn conclude(&mut self, outcome: Outcome, shown: &str, labels: &LabelConfig) {
        let tail = match outcome {
            Outcome::Cancelled => return,
            Outcome::Answered | Outcome::NeedsRevision => labels.notice_parts().1,
            _ if self.emitted => format!("\n{shown}"),
            _ => shown.to_owned(),
        };
        if !tail.is_empty() {
            let _ = (self.on_text)(&tail);
        }
    }
}

impl InferenceSink for StreamSink<'_, '_> {
    fn sources(&mut self, sources: &[Source]) {
        let restored = sources.iter().map(|s| Source { text: self.vault.restore(&s.text), ..s.clone() }).collect();
        self.review.set_sources(restored);
    }

    fn text(&mut self, piece: &str) -> ControlFlow<()> {
        if self.stop.is_some() || self.cancelled || self.error.is_some() {
            return ControlFlow::Break(());
        }
        self.pending.push_str(piece);
        let cut = match self.pending.rfind('〔') {
            Some(i) if !self.pending[i..].contains('〕') && self.pending.len() - i < MAX_PLACEHOLDER_BYTES => i,
            _ => self.pending.len(),
        };
        let ready: String = self.pending.drain(..cut).collect();
        if ready.is_empty() {
            return ControlFlow::Continue(());
        }
        let restored = self.vault.restore(&ready);
        self.push(&restored)
    }
}
