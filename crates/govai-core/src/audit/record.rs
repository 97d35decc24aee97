//! The audit record of one request: a public contract, built by one constructor and written as
//! canonical JSON by [`super::AuditLog::append_record`]. Hashes only, never raw text.
//!
//! Fields present in every record come first; the rest appear only for the requests they
//! describe (a model's output only when a model answered, an error only for `kind: error`, the
//! conversation only for conversation requests), so records of one-text requests are exactly
//! those written before conversations existed.

use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::classify::Finding;
use crate::error::{Error, ErrorKind};
use crate::level::DataLevel;
use crate::model::TokenUsage;
use crate::policy::GateDecision;
use crate::request::{Message, Role};
use crate::response::{InputDecision, ModelRef, Outcome, StageTimings, StreamReport};
use crate::review::{Review, Verdict};

/// What a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A request that ended with a response.
    Request,
    /// A request that failed after the gate (model, reviewer or stream error).
    Error,
}

/// One turn of a conversation, as the audit log keeps it: its role and the SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnDigest {
    /// Who wrote the turn.
    pub role: Role,
    /// Lower-case hex SHA-256 of the turn's text as sent.
    pub sha256: String,
}

/// The conversation a request belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDigest {
    /// The conversation id returned to the caller.
    pub id: String,
    /// Every turn the request was judged on (history included), oldest first.
    pub turns: Vec<TurnDigest>,
    /// Client-supplied system turns dropped by policy (not in `turns`).
    #[serde(default)]
    pub dropped_system_messages: usize,
}

/// The facts every record of a request carries, known once the gate has decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RequestFacts<'a> {
    /// Deployment name.
    pub(crate) deployment: &'a str,
    /// The request id.
    pub(crate) request_id: &'a str,
    /// The caller.
    pub(crate) user: Option<&'a str>,
    /// The caller's role.
    pub(crate) user_role: Option<&'a str>,
    /// Scenario id.
    pub(crate) scenario: &'a str,
    /// The scenario requires human sign-off.
    pub(crate) human_signoff_required: bool,
    /// The model serving the scenario.
    pub(crate) model: ModelRef,
    /// The input's level.
    pub(crate) data_level: DataLevel,
    /// What the classifiers found, in every turn.
    pub(crate) findings: Vec<&'a Finding>,
    /// The gate's decision.
    pub(crate) gate: &'a GateDecision,
    /// The question (the last user turn).
    pub(crate) question: &'a str,
    /// The conversation, for conversation requests.
    pub(crate) conversation: Option<ConversationDigest>,
}

/// One line of the audit log (without the chain fields `seq`, `ts`, `prev`, `hash`, which the
/// log adds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// What the record is about.
    pub kind: RecordKind,
    /// Deployment name.
    pub deployment: String,
    /// The request id.
    pub request_id: String,
    /// Who asked.
    pub user: Option<String>,
    /// The caller's role, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_role: Option<String>,
    /// Scenario id.
    pub scenario: String,
    /// The model serving the scenario.
    pub model: ModelRef,
    /// The input's level.
    pub data_level: DataLevel,
    /// Entity types found in the input, sorted, each once.
    pub input_finding_types: Vec<String>,
    /// The gate's decision.
    pub gate: GateDecision,
    /// The scenario requires human sign-off.
    pub human_signoff_required: bool,
    /// SHA-256 of the question (the last user turn).
    pub input_sha256: String,
    /// Microseconds per stage up to the record.
    pub timings_us: StageTimings,
    /// The conversation, for conversation requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationDigest>,
    /// How the request ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The combined review verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Codes of the review findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_codes: Option<Vec<String>>,
    /// Ids of the sources the answer cites (model answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<String>>,
    /// SHA-256 of the model's restored answer (model answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_sha256: Option<String>,
    /// SHA-256 of what the caller was shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_sha256: Option<String>,
    /// The AI-content id of a labelled answer; `null` when a model answered but nothing was
    /// labelled (model answers only).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub content_id: Option<Option<String>>,
    /// How a streamed answer went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<StreamReport>,
    /// Tokens the model reported reading and writing (models that report them only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<TokenUsage>,
    /// The model that answered when it is not `model` (a fallback of a remote model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by: Option<ModelRef>,
    /// The knowledge-base version the cited `sources` belong to (versioned knowledge bases only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb_version: Option<u64>,
    /// The input layer and risk kind that stopped the request before any model (input
    /// refusals, escalations and redirects only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_decision: Option<InputDecision>,
    /// The error's stable kind (`kind: error` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<ErrorKind>,
    /// The error's message (`kind: error` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A present `content_id` key is `Some`, even when its value is `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Lower-case hex SHA-256 of a text.
pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

impl TurnDigest {
    /// The digest of one turn.
    pub(crate) fn of(message: &Message) -> Self {
        Self { role: message.role, sha256: sha256_hex(&message.content) }
    }
}

impl AuditRecord {
    /// The record of a request, with the fields every record carries.
    pub(crate) fn new(kind: RecordKind, facts: RequestFacts<'_>, timings: StageTimings) -> Self {
        Self {
            kind,
            deployment: facts.deployment.to_owned(),
            request_id: facts.request_id.to_owned(),
            user: facts.user.map(str::to_owned),
            user_role: facts.user_role.map(str::to_owned),
            scenario: facts.scenario.to_owned(),
            model: facts.model,
            data_level: facts.data_level,
            input_finding_types: finding_types(facts.findings),
            gate: facts.gate.clone(),
            human_signoff_required: facts.human_signoff_required,
            input_sha256: sha256_hex(facts.question),
            timings_us: timings,
            conversation: facts.conversation,
            outcome: None,
            verdict: None,
            review_codes: None,
            sources: None,
            output_sha256: None,
            shown_sha256: None,
            content_id: None,
            stream: None,
            usage: None,
            served_by: None,
            kb_version: None,
            input_decision: None,
            error_kind: None,
            error: None,
        }
    }

    /// How the request ended and what the caller was shown.
    pub(crate) fn with_outcome(mut self, outcome: Outcome, review: &Review, shown: &str) -> Self {
        self.outcome = Some(outcome);
        self.verdict = Some(review.verdict);
        self.review_codes = Some(review.findings.iter().map(|f| f.code.clone()).collect());
        self.shown_sha256 = Some(sha256_hex(shown));
        self
    }

    /// What the model answered (a request the model saw).
    pub(crate) fn with_model_output(mut self, sources: Vec<String>, output: &str, content_id: Option<&str>) -> Self {
        self.sources = Some(sources);
        self.output_sha256 = Some(sha256_hex(output));
        self.content_id = Some(content_id.map(str::to_owned));
        self
    }

    /// What the model reported about itself: token usage, and who answered if a fallback did.
    pub(crate) fn with_model_report(
        mut self,
        usage: Option<TokenUsage>,
        served_by: Option<ModelRef>,
        kb_version: Option<u64>,
    ) -> Self {
        self.usage = usage;
        self.served_by = served_by;
        self.kb_version = kb_version;
        self
    }

    /// How a streamed answer went.
    pub(crate) fn with_stream(mut self, report: Option<StreamReport>) -> Self {
        self.stream = report;
        self
    }

    /// The error that ended the request.
    pub(crate) fn with_error(mut self, error: &Error) -> Self {
        self.error_kind = Some(error.kind());
        self.error = Some(error.to_string());
        self
    }
}

fn finding_types(findings: Vec<&Finding>) -> Vec<String> {
    let mut v: Vec<String> = findings.iter().map(|f| f.entity_type.clone()).collect();
    v.sort_unstable();
    v.dedup();
    v
}
