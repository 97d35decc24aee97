//! govai-store: the operations store of a deployment: the human review queue (answers that
//! review escalated, waiting for a reviewer to approve, edit or reject them), citizen
//! feedback, the versioned knowledge base ([`knowledge`]), reference answers ([`reference`]),
//! canary rollout changes ([`rollout`]) and pre-launch evaluations ([`evaluation`]). Embedded
//! SQLite by default, so that a single department needs nothing installed; PostgreSQL when
//! several gateway replicas share one store. The hash-chained audit log stays the record of
//! truth: the store indexes it by audit id, and every action on the store is also an audit
//! record (written by the gateway).
//!
//! The rules of the queue (who may claim, approve or reject what, and when) are in [`Store`],
//! once for both databases; a [`backend::Backend`] only reads and writes rows.

pub mod backend;
pub mod error;
pub mod evaluation;
pub mod knowledge;
pub mod model;
mod postgres;
pub mod reference;
pub mod rollout;
mod sqlite;

use chrono::{DateTime, Duration, Utc};

pub use error::{Error, ErrorKind, Result};
pub use evaluation::{Evaluation, NewEvaluation};
pub use knowledge::{KbChange, KbChangeState, KbChangedPassage, KbDecision, KbDiff, KbPassage, KbVersion, NewKbChange};
pub use model::{Decision, Feedback, MAX_TEXT_BYTES, NewFeedback, NewReview, ReviewFilter, ReviewItem, ReviewState};
pub use postgres::PostgresBackend;
pub use reference::{NewReference, Reference};
pub use rollout::{NewRollout, Rollout};
pub use sqlite::SqliteBackend;

use backend::{Backend, QueueStats};

/// The store: the queue's rules over a database.
pub struct Store {
    backend: Box<dyn Backend>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend.name()).finish()
    }
}

impl Store {
    /// A store over `backend` (its schema migrated when it was opened).
    pub fn new(backend: impl Backend + 'static) -> Self {
        Self { backend: Box::new(backend) }
    }

    /// Open an SQLite store at `path` (created when missing).
    pub fn sqlite(path: &std::path::Path) -> Result<Self> {
        Ok(Self::new(SqliteBackend::open(path)?))
    }

    /// Connect to a PostgreSQL store (`postgres://user@host:port/db`).
    pub fn postgres(url: &str) -> Result<Self> {
        Ok(Self::new(PostgresBackend::connect(url)?))
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// Put an answer in the queue.
    pub fn enqueue(&self, new: NewReview) -> Result<ReviewItem> {
        new.check()?;
        let now = now();
        let item = ReviewItem {
            id: uuid::Uuid::new_v4().to_string(),
            audit_id: new.audit_id,
            request_id: new.request_id,
            scenario: new.scenario,
            caller: new.caller,
            question: new.question,
            draft: new.draft,
            reasons: new.reasons,
            state: ReviewState::Pending,
            created_at: now,
            due_at: now + Duration::minutes(i64::from(new.sla_minutes)),
            reviewer: None,
            claimed_at: None,
            decided_at: None,
            final_text: None,
            edited: false,
            reject_reason: None,
        };
        self.backend.insert_review(&item)?;
        Ok(item)
    }

    /// One item.
    pub fn review(&self, id: &str) -> Result<ReviewItem> {
        self.backend.get_review(id)?.ok_or_else(|| Error::NotFound { what: "review", id: id.to_owned() })
    }

    /// Items matching `filter`, oldest first.
    pub fn reviews(&self, filter: &ReviewFilter) -> Result<Vec<ReviewItem>> {
        let limit = if filter.limit == 0 { 100 } else { filter.limit.min(1000) };
        self.backend.list_reviews(&ReviewFilter { limit, ..filter.clone() }, now())
    }

    /// `reviewer` takes the item: pending, or already theirs.
    pub fn claim(&self, id: &str, reviewer: &str) -> Result<ReviewItem> {
        let before = self.review(id)?;
        check_reviewer(reviewer)?;
        self.open_for(&before, reviewer, "claim")?;
        let after = ReviewItem {
            state: ReviewState::Claimed,
            reviewer: Some(reviewer.to_owned()),
            claimed_at: Some(now()),
            ..before.clone()
        };
        self.replace(&after, &before)
    }

    /// `reviewer` approves (as drafted or edited) or rejects the item: pending, or claimed by
    /// them.
    pub fn decide(&self, id: &str, reviewer: &str, decision: &Decision) -> Result<ReviewItem> {
        decision.check()?;
        check_reviewer(reviewer)?;
        let before = self.review(id)?;
        self.open_for(&before, reviewer, "decide")?;
        let mut after = ReviewItem { reviewer: Some(reviewer.to_owned()), decided_at: Some(now()), ..before.clone() };
        match decision {
            Decision::Approve { text: None } if before.draft.trim().is_empty() => {
                return Err(Error::InvalidInput(
                    "text: this item has no draft (the request was stopped before any model); write the answer".into(),
                ));
            }
            Decision::Approve { text } => {
                after.state = ReviewState::Approved;
                after.edited = text.as_ref().is_some_and(|t| *t != before.draft);
                after.final_text = Some(text.clone().unwrap_or_else(|| before.draft.clone()));
            }
            Decision::Reject { reason } => {
                after.state = ReviewState::Rejected;
                after.reject_reason = Some(reason.clone());
            }
        }
        self.replace(&after, &before)
    }

    /// Record feedback; ratings 1 and 2 go on the triage list.
    pub fn add_feedback(&self, new: NewFeedback) -> Result<Feedback> {
        new.check()?;
        let f = Feedback {
            id: uuid::Uuid::new_v4().to_string(),
            audit_id: new.audit_id,
            caller: new.caller,
            rating: new.rating,
            comment: new.comment,
            created_at: now(),
            triage: new.rating <= 2,
        };
        self.backend.insert_feedback(&f)?;
        Ok(f)
    }

    /// Feedback, newest first; `triage_only`: the negative ones.
    pub fn feedback(&self, triage_only: bool, limit: usize) -> Result<Vec<Feedback>> {
        let limit = if limit == 0 { 100 } else { limit.min(1000) };
        self.backend.list_feedback(triage_only, limit)
    }

    /// Queue size, oldest waiting item's age and overdue count (for metrics).
    pub fn queue_stats(&self) -> Result<QueueStats> {
        self.backend.queue_stats(now())
    }

    /// May `reviewer` act on `item`? Not when it is decided, or claimed by someone else.
    fn open_for(&self, item: &ReviewItem, reviewer: &str, action: &str) -> Result<()> {
        if item.state.is_final() {
            return Err(Error::Conflict(format!(
                "cannot {action} review {}: already {}",
                item.id,
                item.state.as_str()
            )));
        }
        match &item.reviewer {
            Some(other) if item.state == ReviewState::Claimed && other != reviewer => {
                Err(Error::Conflict(format!("cannot {action} review {}: claimed by `{other}`", item.id)))
            }
            _ => Ok(()),
        }
    }

    /// Write `after` if nobody changed the item since `before` was read.
    fn replace(&self, after: &ReviewItem, before: &ReviewItem) -> Result<ReviewItem> {
        if self.backend.update_review(after, before)? {
            Ok(after.clone())
        } else {
            Err(Error::Conflict(format!("review {} changed meanwhile; read it again", before.id)))
        }
    }
}

fn check_reviewer(reviewer: &str) -> Result<()> {
    if reviewer.trim().is_empty() || reviewer.len() > 256 {
        return Err(Error::InvalidInput("reviewer: a non-empty id of at most 256 bytes".into()));
    }
    Ok(())
}

/// Now, to the millisecond (what the databases keep).
pub(crate) fn now() -> DateTime<Utc> {
    backend::from_millis(Utc::now().timestamp_millis())
}
