//! Input stages: the conversation's turns, classify, gate, screen, mask.

use std::time::Instant;

use super::{Bound, Deployment, micros};
use crate::classify::{Classification, Finding};
use crate::error::Result;
use crate::level::DataLevel;
use crate::mask::{Vault, pseudonymize};
use crate::policy::{self, GateAction, GateDecision, Pseudonymize};
use crate::request::{self, MAX_TURNS, Message, Request, Role};
use crate::response::StageTimings;
use crate::review::{Review, ReviewContext};

/// The turns a request is judged on.
pub(super) struct Turns {
    /// History (stored and sent) then the new turns; the last is the question. Dropped system
    /// turns are not here.
    pub(super) turns: Vec<Message>,
    /// How many of `turns` came from the conversation store.
    pub(super) stored: usize,
    /// The conversation id, for conversation requests.
    pub(super) conversation: Option<String>,
    /// Client-supplied system turns dropped by policy.
    pub(super) dropped_system: usize,
}

impl Turns {
    /// The question: the last user turn.
    pub(super) fn question(&self) -> &str {
        self.turns.last().map_or("", |m| m.content.as_str())
    }
}

/// The classification of every turn and document.
pub(super) struct InputClasses {
    pub(super) turns: Vec<Classification>,
    pub(super) documents: Vec<Classification>,
    /// The highest level of any turn, document, or of all of them together.
    pub(super) level: DataLevel,
}

impl InputClasses {
    /// What was found in the question (offsets into it), taken out of the classes.
    pub(super) fn into_question(mut self) -> Classification {
        self.turns.pop().unwrap_or_else(Classification::public)
    }

    /// Findings of every turn (for the audit record's finding types).
    pub(super) fn turn_findings(&self) -> Vec<&Finding> {
        self.turns.iter().flat_map(|c| &c.findings).collect()
    }
}

/// A request past validation, classification and the gate: what every later stage reads.
pub(super) struct Admitted<'d> {
    pub(super) bound: &'d Bound,
    pub(super) request: Request,
    pub(super) request_id: String,
    pub(super) turns: Turns,
    pub(super) classes: InputClasses,
    pub(super) gate: GateDecision,
    pub(super) timings: StageTimings,
    pub(super) started: Instant,
}

/// What masking leaves for the model.
pub(super) enum Masked {
    /// Within the gate's limit: the masked turns and documents, and the vault to restore with.
    Sendable(MaskedInput),
    /// Re-classifying the masked text still exceeds the limit: refuse.
    Insufficient,
}

/// The turns and documents as the model may see them.
pub(super) struct MaskedInput {
    pub(super) turns: Vec<Message>,
    pub(super) documents: Vec<String>,
    pub(super) vault: Vault,
}

impl Deployment {
    /// Validate the request, gather its turns, classify them and apply the gate.
    pub(super) fn admit<'d>(&self, bound: &'d Bound, request: Request, started: Instant) -> Result<Admitted<'d>> {
        request.validate()?;
        let request_id = request.request_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let turns = self.turns(&request)?;
        let mut timings = StageTimings::default();
        let t = Instant::now();
        let classes = self.classify_input(&turns.turns, &request.documents)?;
        timings.classify = micros(t);
        let t = Instant::now();
        let gate = policy::decide(&self.policy, bound.scenario.spec(), bound.model.info(), classes.level);
        timings.gate = micros(t);
        Ok(Admitted { bound, request, request_id, turns, classes, gate, timings, started })
    }

    /// The conversation's turns: stored history, then the request's own turns, without the
    /// system turns this caller may not send.
    fn turns(&self, request: &Request) -> Result<Turns> {
        let history = match &request.conversation_id {
            Some(id) => self.conversations.history(id, &request.scenario, request.user.as_deref())?,
            None => Vec::new(),
        };
        let allowed = request.user_role.as_ref().is_some_and(|r| self.policy.system_message_roles.contains(r));
        let new = request.new_turns();
        let dropped_system = if allowed { 0 } else { new.iter().filter(|m| m.role == Role::System).count() };
        let stored = history.len();
        let mut turns = history;
        turns.extend(new.into_iter().filter(|m| allowed || m.role != Role::System));
        if turns.len() > MAX_TURNS {
            return Err(crate::Error::InvalidInput(format!(
                "conversation has {} turns; the limit is {MAX_TURNS}",
                turns.len()
            )));
        }
        request::check_size(turns.iter().map(|m| m.content.len()).sum(), &request.documents)?;
        let conversation = request
            .is_conversation()
            .then(|| request.conversation_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string()));
        Ok(Turns { turns, stored, conversation, dropped_system })
    }

    /// Classify every turn and document; all of them together too when there are several
    /// turns or documents, so records that are harmless alone but aggregate into important data
    /// are caught.
    fn classify_input(&self, turns: &[Message], documents: &[String]) -> Result<InputClasses> {
        let texts = || turns.iter().map(|m| m.content.as_str()).chain(documents.iter().map(String::as_str));
        let mut level = DataLevel::Public;
        if turns.len() > 1 || documents.len() > 1 {
            level = self.classify(&texts().collect::<Vec<_>>().join("\n"))?.level;
        }
        let turns = turns.iter().map(|m| self.classify(&m.content)).collect::<Result<Vec<_>>>()?;
        let documents = documents.iter().map(|d| self.classify(d)).collect::<Result<Vec<_>>>()?;
        level = turns.iter().chain(&documents).map(|c| c.level).fold(level, DataLevel::max);
        Ok(InputClasses { turns, documents, level })
    }

    /// Input review (injection screening, refusal policy) of every user turn: a request that
    /// must not be answered never reaches the model.
    pub(super) fn screen(&self, admitted: &mut Admitted<'_>) -> Result<Review> {
        let t = Instant::now();
        let spec = admitted.bound.scenario.spec();
        let mut review = Review::pass();
        for turn in admitted.turns.turns.iter().filter(|m| m.role == Role::User) {
            let ctx = ReviewContext {
                scenario: spec,
                request: &turn.content,
                output: "",
                sources: &[],
                documents: &admitted.request.documents,
            };
            review = review.combine(self.run_input_reviewers(admitted.bound, &ctx)?);
            if review.verdict >= crate::review::Verdict::Block {
                break;
            }
        }
        admitted.timings.review = micros(t);
        Ok(review)
    }

    /// Every input layer alone over every user turn (for [`Deployment::check_input`]).
    pub(super) fn check_layers(&self, admitted: &Admitted<'_>) -> Result<crate::InputCheck> {
        let gate = admitted.gate.clone();
        if gate.action == GateAction::Refuse {
            let outcome = Some(crate::Outcome::Refused);
            return Ok(crate::InputCheck { outcome, decision: None, layers: Vec::new(), gate });
        }
        let spec = admitted.bound.scenario.spec();
        let mut layers = Vec::new();
        for r in admitted.bound.reviewers.iter().filter(|r| r.stage() == crate::review::ReviewStage::Input) {
            let t = Instant::now();
            let mut review = Review::pass();
            for turn in admitted.turns.turns.iter().filter(|m| m.role == Role::User) {
                let ctx = ReviewContext {
                    scenario: spec,
                    request: &turn.content,
                    output: "",
                    sources: &[],
                    documents: &admitted.request.documents,
                };
                review = review.combine(r.review(&ctx)?);
            }
            layers.push(crate::LayerReview { layer: r.id().to_owned(), review, micros: micros(t) });
        }
        let first = layers.iter().find(|l| l.review.verdict >= crate::review::Verdict::Block);
        let outcome = first.map(|l| crate::Outcome::of_input_rejection(&l.review));
        let decision = first.and_then(|l| crate::InputDecision::from_review(&l.review));
        Ok(crate::InputCheck { outcome, decision, layers, gate })
    }

    /// Pseudonymise every turn and document with one vault, so a value keeps its placeholder
    /// across turns; then re-classify what would be sent (masking is never trusted blindly).
    pub(super) fn mask(&self, admitted: &mut Admitted<'_>) -> Result<Masked> {
        let t = Instant::now();
        let masked = self.pseudonymize_input(admitted);
        if admitted.gate.action == GateAction::Mask {
            let mut after = DataLevel::Public;
            for text in masked.turns.iter().map(|m| &m.content).chain(&masked.documents) {
                after = after.max(self.classify(text)?.level);
            }
            if after > admitted.gate.limit {
                admitted.gate = policy::mask_insufficient(&admitted.gate, after);
                admitted.timings.mask = micros(t);
                return Ok(Masked::Insufficient);
            }
        }
        admitted.timings.mask = micros(t);
        Ok(Masked::Sendable(masked))
    }

    fn pseudonymize_input(&self, admitted: &Admitted<'_>) -> MaskedInput {
        let mut vault = Vault::default();
        let must_mask = admitted.gate.action == GateAction::Mask || self.policy.pseudonymize == Pseudonymize::Always;
        if !must_mask {
            let turns = admitted.turns.turns.clone();
            return MaskedInput { turns, documents: admitted.request.documents.clone(), vault };
        }
        let maskable = |c: &Classification| -> Vec<Finding> {
            c.findings.iter().filter(|f| !self.policy.unmasked_types.contains(&f.entity_type)).cloned().collect()
        };
        let turns = (admitted.turns.turns.iter().zip(&admitted.classes.turns))
            .map(|(m, c)| Message { role: m.role, content: pseudonymize(&m.content, &maskable(c), &mut vault) })
            .collect();
        let documents = (admitted.request.documents.iter().zip(&admitted.classes.documents))
            .map(|(d, c)| pseudonymize(d, &maskable(c), &mut vault))
            .collect();
        MaskedInput { turns, documents, vault }
    }
}
