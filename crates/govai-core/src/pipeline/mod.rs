//! The pipeline, as named stages shared by the blocking and streaming paths:
//! turns -> classify -> gate -> screen -> mask -> infer -> restore -> review -> release ->
//! label -> record.
//!
//! - [`input`]: the conversation's turns, classification, gate, input screening, masking;
//! - [`output`]: inference, restoring placeholders, answer review, release, labels;
//! - [`finish`]: the audit record, the response, the conversation store;
//! - `stream_sink`: the model's streamed text through restore and review to the caller.

mod builder;
mod finish;
mod input;
mod output;
mod rollout;
mod stream_sink;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

pub use builder::DeploymentBuilder;
pub use rollout::Canary;

use crate::audit::AuditLog;
use crate::cancel::Cancel;
use crate::classify::{Classification, DataClassifier};
use crate::conversation::Conversations;
use crate::error::{Error, Result};
use crate::label::LabelConfig;
use crate::model::{Model, ModelInfo};
use crate::policy::{GateAction, Policy};
use crate::request::Request;
use crate::response::{Outcome, Response};
use crate::review::{Reviewer, Verdict};
use crate::scenario::Scenario;

use finish::Ending;
use input::{Admitted, Masked};

/// The caller's side of a stream: receives text to show, returns `Break` to cancel.
pub type TextCallback<'a> = dyn FnMut(&str) -> ControlFlow<()> + Send + 'a;

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// A scenario with the model and reviewers that serve it.
#[derive(Clone)]
struct Bound {
    scenario: Arc<dyn Scenario>,
    model: Arc<dyn Model>,
    reviewers: Vec<Arc<dyn Reviewer>>,
}

/// A configured deployment: scenarios bound to models, classifiers, reviewers, policy, labels,
/// an audit log and the conversation store. `Send + Sync`: share one across threads.
pub struct Deployment {
    name: String,
    scenarios: BTreeMap<String, Bound>,
    classifiers: Vec<Arc<dyn DataClassifier>>,
    policy: Policy,
    labels: LabelConfig,
    audit: Arc<AuditLog>,
    conversations: Conversations,
    rollouts: rollout::Rollouts,
    /// Where reference answers are looked up (none until a server sets one).
    references: std::sync::RwLock<Option<Arc<dyn crate::reference::ReferenceAnswers>>>,
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

impl Deployment {
    /// Start building a deployment.
    pub fn builder() -> DeploymentBuilder {
        DeploymentBuilder::default()
    }

    /// The deployment's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Ids of the enabled scenarios.
    pub fn scenario_ids(&self) -> impl Iterator<Item = &str> {
        self.scenarios.keys().map(String::as_str)
    }

    /// An enabled scenario.
    pub fn scenario(&self, id: &str) -> Option<&dyn Scenario> {
        self.scenarios.get(id).map(|b| b.scenario.as_ref())
    }

    /// The model serving a scenario.
    pub fn model_for(&self, scenario_id: &str) -> Option<&ModelInfo> {
        self.scenarios.get(scenario_id).map(|b| b.model.info())
    }

    /// The deployment-wide policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The audit log.
    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }

    /// The audit log, shared: a deployment rebuilt from a changed config keeps writing the same
    /// chain ([`DeploymentBuilder::audit`]).
    pub fn audit_handle(&self) -> Arc<AuditLog> {
        self.audit.clone()
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
        self.run(request, None, None).await
    }

    /// Handle a request, streaming the answer to `on_text` as it is generated, blocking the
    /// calling thread. Text reaches `on_text` only after it has passed review (see
    /// [`crate::stream`]); the chunks, concatenated, are exactly what the user should see: for
    /// an answered request, `labelled_output` (the explicit notice comes with the first and the
    /// last chunk as its position says); when a review stops the answer, the part released
    /// before, then a line break and the refusal or hand-over message. `on_text` returning
    /// `Break` cancels generation (outcome `cancelled`); review may hold text back for a while,
    /// so to stop at the model's next token instead, use
    /// [`handle_stream_with_cancel`](Self::handle_stream_with_cancel). The response is as for
    /// [`handle`](Self::handle), with [`Response::stream`] set.
    pub fn handle_stream(&self, request: Request, on_text: &mut TextCallback<'_>) -> Result<Response> {
        pollster::block_on(self.handle_stream_async(request, on_text))
    }

    /// Async variant of [`handle_stream`](Self::handle_stream).
    pub async fn handle_stream_async(&self, request: Request, on_text: &mut TextCallback<'_>) -> Result<Response> {
        self.run(request, Some(on_text), None).await
    }

    /// [`handle_stream`](Self::handle_stream) that `cancel` can stop from another thread: the
    /// pipeline looks at it before calling the model (a request cancelled before then never
    /// reaches a model) and at every token the model produces, even while review holds text
    /// back, so generation stops within a token. A cancelled request ends with outcome
    /// `cancelled` (nothing more reaches `on_text`) and is audited like one `on_text` cancelled
    /// (one cancelled before its model call has no model output in its record, and
    /// [`Response::output`] is empty). For a whole answer that can be cancelled, pass an
    /// `on_text` that ignores the text and read [`Response::output`].
    pub fn handle_stream_with_cancel(
        &self,
        request: Request,
        cancel: &Cancel,
        on_text: &mut TextCallback<'_>,
    ) -> Result<Response> {
        pollster::block_on(self.handle_stream_with_cancel_async(request, cancel, on_text))
    }

    /// Async variant of [`handle_stream_with_cancel`](Self::handle_stream_with_cancel).
    pub async fn handle_stream_with_cancel_async(
        &self,
        request: Request,
        cancel: &Cancel,
        on_text: &mut TextCallback<'_>,
    ) -> Result<Response> {
        self.run(request, Some(on_text), Some(cancel)).await
    }

    /// What the gate and the input layers would decide about `request`, without calling any
    /// model and without writing an audit record (a dry run for evaluation and rails-only
    /// checks). Every input layer runs, each on its own, so their figures can be compared;
    /// the outcome and decision are what [`handle`](Self::handle) would produce before the
    /// model (the first layer at or above Block, in the scenario's order, decides).
    pub fn check_input(&self, request: Request) -> Result<crate::InputCheck> {
        let bound = self
            .scenarios
            .get(&request.scenario)
            .ok_or_else(|| Error::NotFound { what: "scenario", id: request.scenario.clone() })?;
        let admitted = self.admit(bound, request, Instant::now())?;
        self.check_layers(&admitted)
    }

    /// Every request goes through here: admit (turns, classify, gate), then the stages up to
    /// an ending, then the record. Errors after the gate are recorded in the audit log.
    async fn run<'c>(
        &self,
        request: Request,
        mut on_text: Option<&'c mut TextCallback<'c>>,
        cancel: Option<&Cancel>,
    ) -> Result<Response> {
        let started = Instant::now();
        let bound = self.bound(&request.scenario)?;
        // A canary's share of requests is served (gated, audited) by the candidate model.
        let routed = self.route(bound);
        let mut admitted = self.admit(routed.as_ref().unwrap_or(bound), request, started)?;
        let ending = match self.process(&mut admitted, &mut on_text, cancel).await {
            Ok(ending) => ending,
            Err(e) => {
                self.record_error(&admitted, &e)?;
                return Err(e);
            }
        };
        let mut response = self.finish(admitted, ending)?;
        if let Some(on_text) = on_text
            && response.outcome != Outcome::Cancelled
        {
            // The model never saw the request: its whole message is the one chunk (none when
            // the caller cancelled before the model call).
            let _ = on_text(&response.output);
            response.stream = Some(Default::default());
        }
        Ok(response)
    }

    /// Look reference answers up with `source` from the next request on (None: stop).
    pub fn set_reference_answers(&self, source: Option<Arc<dyn crate::reference::ReferenceAnswers>>) {
        *self.references.write().unwrap_or_else(std::sync::PoisonError::into_inner) = source;
    }

    /// A reference answer for a single question without documents, if the source has one.
    fn reference_for(&self, admitted: &Admitted<'_>) -> Option<crate::reference::ReferenceHit> {
        let source = self.references.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()?;
        let user_turns = admitted.turns.turns.iter().filter(|m| m.role == crate::request::Role::User).count();
        if user_turns != 1 || !admitted.request.documents.is_empty() {
            return None;
        }
        source.find(&admitted.bound.scenario.spec().id, admitted.turns.question())
    }

    /// The stages between the gate and the ending: screen, mask, infer, restore, review.
    async fn process<'c>(
        &self,
        admitted: &mut Admitted<'_>,
        on_text: &mut Option<&'c mut TextCallback<'c>>,
        cancel: Option<&Cancel>,
    ) -> Result<Ending<'c>> {
        if admitted.gate.action == GateAction::Refuse {
            return Ok(Ending::Refused);
        }
        let screen = self.screen(admitted)?;
        if screen.verdict >= Verdict::Block {
            return Ok(Ending::InputRejected(screen));
        }
        if let Some(hit) = self.reference_for(admitted) {
            return Ok(Ending::Reference(hit));
        }
        let Masked::Sendable(masked) = self.mask(admitted)? else {
            return Ok(Ending::Refused);
        };
        if cancel.is_some_and(Cancel::is_cancelled) {
            // Cancelled while it waited (in a queue, or behind the input layers): no model call.
            return Ok(Ending::Cancelled(screen));
        }
        let answer = self.infer(admitted, masked, on_text.take(), cancel).await?;
        self.review_answer(admitted, screen, answer)
    }
}
