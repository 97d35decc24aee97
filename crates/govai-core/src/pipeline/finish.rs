//! Closing stages: release (what may be shown), label, record (the audit record), the
//! response, and the conversation store.

use std::time::Instant;

use super::input::Admitted;
use super::stream_sink::Streamed;
use super::{Deployment, micros};
use crate::audit::{AuditReceipt, AuditRecord, ConversationDigest, RecordKind, RequestFacts, TurnDigest};
use crate::error::{Error, Result};
use crate::label::AiLabel;
use crate::model::InferenceOutput;
use crate::request::Message;
use crate::response::{Escalation, InputDecision, ModelRef, Outcome, Response, StreamReport};
use crate::review::{Review, Verdict};

/// How the stages ended.
pub(super) enum Ending<'c> {
    /// The gate (or masking) refused: no model saw the request.
    Refused,
    /// An input reviewer blocked or escalated: no model saw the request.
    InputRejected(Review),
    /// A reference answer a person approved matched the question: no model was called.
    Reference(crate::reference::ReferenceHit),
    /// The caller cancelled before the model was called (`review`: the input screen's).
    Cancelled(Review),
    /// The model answered; `review` is the combined verdict.
    Answer { out: Box<InferenceOutput>, review: Review, streamed: Option<Streamed<'c>> },
}

/// What the caller is shown, and what the record says of it.
struct Released {
    outcome: Outcome,
    review: Review,
    shown: String,
    labelled: String,
    draft: Option<String>,
    escalation: Option<Escalation>,
    label: Option<AiLabel>,
    /// The model's answer, when a model answered.
    answer: Option<InferenceOutput>,
    stream: Option<StreamReport>,
    /// The input layer that stopped the request (input rejections only).
    input_decision: Option<InputDecision>,
}

impl Deployment {
    /// Release, label, record, remember: the one way every request ends.
    pub(super) fn finish(&self, mut admitted: Admitted<'_>, ending: Ending<'_>) -> Result<Response> {
        let t = Instant::now();
        let released = self.release(&admitted, ending);
        admitted.timings.label = micros(t);
        admitted.timings.total = micros(admitted.started);
        let t = Instant::now();
        let receipt = self.record(&admitted, &released)?;
        admitted.timings.audit = micros(t);
        admitted.timings.total = micros(admitted.started);
        self.remember(&admitted, &released)?;
        Ok(response(admitted, released, receipt))
    }

    /// Record a request that failed after the gate.
    pub(super) fn record_error(&self, admitted: &Admitted<'_>, error: &Error) -> Result<()> {
        let mut timings = admitted.timings;
        timings.total = micros(admitted.started);
        let record = AuditRecord::new(RecordKind::Error, self.facts(admitted), timings).with_error(error);
        self.audit.append_record(&record).map(|_| ())
    }

    /// Decide what may be shown, and label model content.
    fn release(&self, admitted: &Admitted<'_>, ending: Ending<'_>) -> Released {
        match ending {
            Ending::Refused => self.release_without_model(Outcome::Refused, Review::with_verdict(Verdict::Block)),
            Ending::InputRejected(review) => self.release_input_rejection(admitted, review),
            Ending::Answer { out, review, streamed } => self.release_answer(admitted, *out, review, streamed),
            Ending::Reference(hit) => self.release_reference(hit),
            Ending::Cancelled(review) => release_cancelled(review),
        }
    }

    /// A reference answer: released as approved, labelled, named in `served_by`.
    fn release_reference(&self, hit: crate::reference::ReferenceHit) -> Released {
        let label = self.labels.label(&hit.text, &crate::label::new_content_id());
        let labelled = label.apply(&hit.text);
        let answer = InferenceOutput { text: hit.text.clone(), served_by: Some(hit.served_by()), ..Default::default() };
        Released {
            outcome: Outcome::Answered,
            review: Review::pass(),
            shown: hit.text,
            labelled,
            draft: None,
            escalation: None,
            label: Some(label),
            answer: Some(answer),
            stream: None,
            input_decision: None,
        }
    }

    /// An input layer stopped the request: escalated, redirected (outside the scenario's scope)
    /// or blocked, with the deciding layer and kind.
    fn release_input_rejection(&self, admitted: &Admitted<'_>, review: Review) -> Released {
        let decision = InputDecision::from_review(&review);
        let outcome = Outcome::of_input_rejection(&review);
        let mut released = self.release_without_model(outcome, review);
        if outcome == Outcome::Redirected {
            let name = &admitted.bound.scenario.spec().name_zh;
            released.shown = self.policy.redirect_message.replace("{scenario}", name);
            released.labelled = released.shown.clone();
        }
        released.input_decision = decision;
        released
    }

    /// A request the model never saw: the refusal or hand-over message, no label.
    fn release_without_model(&self, outcome: Outcome, review: Review) -> Released {
        let shown = if outcome == Outcome::Escalated {
            self.policy.escalation_message.clone()
        } else {
            self.policy.refusal_message.clone()
        };
        let escalation = (outcome == Outcome::Escalated).then(|| Escalation::from(&review));
        Released {
            outcome,
            labelled: shown.clone(),
            shown,
            review,
            draft: None,
            escalation,
            label: None,
            answer: None,
            stream: None,
            input_decision: None,
        }
    }

    /// A model's answer: released, withheld for a human, or replaced by the refusal.
    fn release_answer(
        &self,
        admitted: &Admitted<'_>,
        out: InferenceOutput,
        review: Review,
        streamed: Option<Streamed<'_>>,
    ) -> Released {
        let public_facing = admitted.bound.scenario.spec().public_facing;
        let (outcome, shown, draft, escalation) = match &streamed {
            Some(s) if s.report.cancelled => (Outcome::Cancelled, s.released.clone(), None, None),
            _ => self.withhold(public_facing, &review, &out.text),
        };
        let label = matches!(outcome, Outcome::Answered | Outcome::NeedsRevision | Outcome::Cancelled)
            .then(|| self.labels.label(&shown, &crate::label::new_content_id()));
        let labelled = label.as_ref().map_or_else(|| shown.clone(), |l| l.apply(&shown));
        let stream = streamed.map(|mut s| {
            s.conclude(outcome, &shown, &self.labels);
            s.report
        });
        Released {
            outcome,
            review,
            shown,
            labelled,
            draft,
            escalation,
            label,
            answer: Some(out),
            stream,
            input_decision: None,
        }
    }

    /// Map a review to what the caller may show. Block and Escalate never release the answer;
    /// in public-facing scenarios neither does Revise (a human fixes it first).
    fn withhold(
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

    /// Write the request's audit record.
    fn record(&self, admitted: &Admitted<'_>, released: &Released) -> Result<AuditReceipt> {
        let mut record = AuditRecord::new(RecordKind::Request, self.facts(admitted), admitted.timings).with_outcome(
            released.outcome,
            &released.review,
            &released.labelled,
        );
        record.input_decision = released.input_decision.clone();
        if let Some(answer) = &released.answer {
            let sources = answer.sources.iter().map(|s| s.id.clone()).collect();
            let content_id = released.label.as_ref().map(|l| l.implicit.aigc.produce_id.as_str());
            record = record.with_model_output(sources, &answer.text, content_id).with_model_report(
                answer.usage,
                answer.served_by.clone(),
                answer.kb_version,
            );
        }
        // Only a model's stream, or one cancelled before the model, has a report.
        record = record.with_stream(released.stream);
        self.audit.append_record(&record)
    }

    /// The facts every record of this request carries.
    fn facts<'a>(&'a self, admitted: &'a Admitted<'_>) -> RequestFacts<'a> {
        let spec = admitted.bound.scenario.spec();
        let turns = &admitted.turns;
        RequestFacts {
            deployment: &self.name,
            request_id: &admitted.request_id,
            user: admitted.request.user.as_deref(),
            user_role: admitted.request.user_role.as_deref(),
            scenario: &spec.id,
            human_signoff_required: spec.human_signoff,
            model: ModelRef::from(admitted.bound.model.info()),
            data_level: admitted.classes.level,
            findings: admitted.classes.turn_findings(),
            gate: &admitted.gate,
            question: turns.question(),
            conversation: turns.conversation.as_ref().map(|id| ConversationDigest {
                id: id.clone(),
                turns: turns.turns.iter().map(TurnDigest::of).collect(),
                dropped_system_messages: turns.dropped_system,
            }),
        }
    }

    /// Keep a conversation for its next request: its history, and this turn with the answer
    /// when one was shown.
    fn remember(&self, admitted: &Admitted<'_>, released: &Released) -> Result<()> {
        let Some(id) = &admitted.turns.conversation else { return Ok(()) };
        let turns = &admitted.turns.turns;
        let shown = matches!(released.outcome, Outcome::Answered | Outcome::NeedsRevision);
        let mut kept: Vec<Message> = if shown { turns.clone() } else { turns[..admitted.turns.stored].to_vec() };
        if shown {
            kept.push(Message::assistant(released.shown.clone()));
        }
        let request = &admitted.request;
        self.conversations.save(id, &request.scenario, request.user.as_deref(), kept)
    }
}

/// Cancelled before the model: nothing shown, nothing labelled, a stream report saying so.
fn release_cancelled(review: Review) -> Released {
    Released {
        outcome: Outcome::Cancelled,
        review,
        shown: String::new(),
        labelled: String::new(),
        draft: None,
        escalation: None,
        label: None,
        answer: None,
        stream: Some(StreamReport { cancelled: true, ..StreamReport::default() }),
        input_decision: None,
    }
}

/// The response: one constructor for every outcome.
fn response(admitted: Admitted<'_>, released: Released, receipt: AuditReceipt) -> Response {
    let spec = admitted.bound.scenario.spec();
    let data_level = admitted.classes.level;
    let question = admitted.classes.into_question();
    let answer = released.answer.unwrap_or_default();
    Response {
        request_id: admitted.request_id,
        scenario: spec.id.clone(),
        outcome: released.outcome,
        output: released.shown,
        labelled_output: released.labelled,
        reference_answer: true,
        human_signoff_required: spec.human_signoff,
        verdict: released.review.verdict,
        findings: released.review.findings,
        draft: released.draft,
        escalation: released.escalation,
        data_level,
        input_findings: question.findings,
        gate: admitted.gate,
        sources: answer.sources,
        model: ModelRef::from(admitted.bound.model.info()),
        label: released.label,
        audit_id: receipt.seq,
        audit_hash: receipt.hash,
        timings_us: admitted.timings,
        stream: released.stream,
        conversation_id: admitted.turns.conversation,
        dropped_system_messages: admitted.turns.dropped_system,
        input_decision: released.input_decision,
        usage: answer.usage,
        served_by: answer.served_by,
        kb_version: answer.kb_version,
    }
}
