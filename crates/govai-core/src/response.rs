//! What a deployment answers: the [`Response`] and its parts. The JSON form is part of the
//! public contract (CLI, C, Java and Python bindings).

use serde::{Deserialize, Serialize};

use crate::classify::Finding;
use crate::label::AiLabel;
use crate::level::DataLevel;
use crate::model::{ModelInfo, Source};
use crate::policy::GateDecision;
use crate::review::{Review, ReviewFinding, Verdict};

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
    /// The request is outside what the scenario serves (input finding
    /// [`OUT_OF_SCOPE`](crate::review::OUT_OF_SCOPE)): a polite redirect was shown and no model
    /// saw the request. Not a harm refusal.
    Redirected,
}

impl Outcome {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::NeedsRevision => "needs_revision",
            Self::Refused => "refused",
            Self::Blocked => "blocked",
            Self::Escalated => "escalated",
            Self::Cancelled => "cancelled",
            Self::Redirected => "redirected",
        }
    }
}

/// Microseconds spent per stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StageTimings {
    /// Classifying every turn and document.
    pub classify: u64,
    /// The policy gate.
    pub gate: u64,
    /// Pseudonymising what the model receives.
    pub mask: u64,
    /// The model.
    pub infer: u64,
    /// Putting the originals back into the answer.
    pub restore: u64,
    /// Input screening and answer review.
    pub review: u64,
    /// Deciding what is shown, and labelling it.
    pub label: u64,
    /// Writing the audit record (in the response; an audit record cannot time its own write,
    /// so there it is 0).
    pub audit: u64,
    /// The whole request (in the response); in the audit record, everything up to writing it.
    pub total: u64,
}

/// The model that answered, as shown to users (name and filing number must be displayed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRef {
    /// Model id in the deployment.
    pub id: String,
    /// Model version.
    pub version: String,
    /// 备案号 / 登记号 (empty for a model that needs none).
    pub filing_number: String,
    /// The provider named in the filing.
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
    /// Each finding above Pass, as "code: message".
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

/// Which input layer stopped a request before any model saw it, and under which risk kind: the
/// first input finding at or above Block, in the order the scenario's reviewers run (cheapest
/// first). Set in the response and the audit record for outcomes `blocked`, `escalated` and
/// `redirected` decided at the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDecision {
    /// The deciding layer: the id of the reviewer that raised the finding (`input_screen`,
    /// `refusal`, `safety_classifier`, `safety_judge`, `scope`...).
    pub layer: String,
    /// The risk kind: the finding code (a GB/T 45654 category code such as `a4_personal_information`,
    /// `prompt_injection`, or `out_of_scope`).
    pub kind: String,
    /// The finding's verdict.
    pub verdict: Verdict,
}

impl InputDecision {
    /// The deciding finding of an input review: the first at or above Block.
    pub fn from_review(review: &Review) -> Option<Self> {
        review.findings.iter().find(|f| f.verdict >= Verdict::Block).map(|f| Self {
            layer: f.reviewer.clone(),
            kind: f.code.clone(),
            verdict: f.verdict,
        })
    }

    /// Whether the decision is a scope redirect rather than a refusal.
    pub fn is_redirect(&self) -> bool {
        self.kind == crate::review::OUT_OF_SCOPE
    }
}

/// One input layer's review in [`InputCheck`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerReview {
    /// Reviewer id.
    pub layer: String,
    /// Its review of every user turn.
    pub review: Review,
    /// Microseconds it took.
    pub micros: u64,
}

/// What the gate and the input layers decide about a request, from
/// [`Deployment::check_input`](crate::Deployment::check_input): a dry run that calls no model
/// and writes no audit record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputCheck {
    /// How the request would end before any model (`refused` by the gate, `blocked`,
    /// `escalated`, `redirected`), or `None` when it would reach the model.
    pub outcome: Option<Outcome>,
    /// The deciding layer and kind, as the response would carry it.
    pub decision: Option<InputDecision>,
    /// Every input layer's own review, in the scenario's order (each layer run alone).
    pub layers: Vec<LayerReview>,
    /// The gate's decision.
    pub gate: crate::policy::GateDecision,
}

impl Outcome {
    /// How an input review that reached Block ends: escalated, redirected (the deciding
    /// finding is [`OUT_OF_SCOPE`](crate::review::OUT_OF_SCOPE)) or blocked.
    pub fn of_input_rejection(review: &Review) -> Self {
        if review.verdict == Verdict::Escalate {
            Self::Escalated
        } else if InputDecision::from_review(review).is_some_and(|d| d.is_redirect()) {
            Self::Redirected
        } else {
            Self::Blocked
        }
    }
}

/// The response. Its JSON form is part of the public contract (CLI, C and Python bindings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The caller's correlation id, or the generated UUID.
    pub request_id: String,
    /// Scenario id.
    pub scenario: String,
    /// How the request ended.
    pub outcome: Outcome,
    /// What may be shown: the answer, or the refusal / hand-over message.
    pub output: String,
    /// `output` with the explicit AI-content notice, when `output` is model content.
    pub labelled_output: String,
    /// Model output is always a reference answer (参考回答), never a decision.
    pub reference_answer: bool,
    /// The scenario requires a human to sign off before the answer is acted on.
    pub human_signoff_required: bool,
    /// The combined review verdict.
    pub verdict: Verdict,
    /// Review findings.
    pub findings: Vec<ReviewFinding>,
    /// The model's draft when it is withheld from the public but a human agent needs it
    /// (escalation, or revision in a public-facing scenario). Never set when blocked.
    pub draft: Option<String>,
    /// Why a human must take over (outcome `escalated`).
    pub escalation: Option<Escalation>,
    /// Level of the input as classified.
    pub data_level: DataLevel,
    /// What the classifiers found in the question (the last user turn; offsets into it).
    pub input_findings: Vec<Finding>,
    /// The gate's decision.
    pub gate: GateDecision,
    /// Passages the answer cites.
    pub sources: Vec<Source>,
    /// The model that served the scenario.
    pub model: ModelRef,
    /// AI-content label; absent when no model content is shown.
    pub label: Option<AiLabel>,
    /// Sequence number of this request's audit record.
    pub audit_id: u64,
    /// Hash of this request's audit record.
    pub audit_hash: String,
    /// Microseconds per stage.
    pub timings_us: StageTimings,
    /// Set when the request was streamed ([`crate::Deployment::handle_stream`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<StreamReport>,
    /// The conversation this request belongs to (conversation requests only): pass it back as
    /// [`crate::Request::conversation_id`] to continue without resending history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The input layer and risk kind that stopped the request before any model (input
    /// refusals, escalations and redirects only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_decision: Option<InputDecision>,
    /// Client-supplied system turns dropped because the caller's role may not send them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped_system_messages: usize,
    /// Tokens the model reported (remote models), as in the audit record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::TokenUsage>,
    /// The upstream that answered when a remote model fell back to another (as in the audit
    /// record); absent when the configured model answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by: Option<ModelRef>,
    /// The knowledge-base version `sources` were taken from (versioned knowledge bases only),
    /// as in the audit record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb_version: Option<u64>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
