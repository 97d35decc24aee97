//! What the store holds: review items (answers waiting for a human) and feedback. Field names
//! are the JSON of the gateway's `/v1/govai/reviews` and `/v1/govai/feedback` endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest free text kept (a question, draft, edited answer, reason or comment), in bytes.
pub const MAX_TEXT_BYTES: usize = 64 << 10;

/// Where a review item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Waiting for a reviewer.
    Pending,
    /// A reviewer is working on it.
    Claimed,
    /// Approved (as drafted or edited): the caller receives it.
    Approved,
    /// Rejected with a reason: the caller receives the hand-over message.
    Rejected,
}

impl ReviewState {
    /// Stable name (also the database value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Claimed => "claimed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Parse a stored or requested name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "pending" => Ok(Self::Pending),
            "claimed" => Ok(Self::Claimed),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            other => Err(Error::InvalidInput(format!("state `{other}`: one of pending, claimed, approved, rejected"))),
        }
    }

    /// Decided: approved or rejected.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Approved | Self::Rejected)
    }
}

/// An answer to put in the queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewReview {
    /// The audit record of the escalated request.
    pub audit_id: u64,
    /// Its request id.
    pub request_id: String,
    /// Scenario id.
    pub scenario: String,
    /// The caller that asked (key's caller id), who may poll for the result.
    pub caller: String,
    /// The question (last user turn) as the citizen wrote it.
    pub question: String,
    /// The model's draft the reviewer starts from.
    pub draft: String,
    /// Why it needs a human ("code: message" per finding; "sign-off required" for scenarios
    /// whose every answer is signed off).
    pub reasons: Vec<String>,
    /// Minutes until the item is overdue.
    pub sla_minutes: u32,
}

/// One item of the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// Item id (UUID).
    pub id: String,
    /// The audit record of the escalated request.
    pub audit_id: u64,
    /// Its request id.
    pub request_id: String,
    /// Scenario id.
    pub scenario: String,
    /// Who asked.
    pub caller: String,
    /// The question.
    pub question: String,
    /// The model's draft.
    pub draft: String,
    /// Why it needs a human.
    pub reasons: Vec<String>,
    /// Where it is.
    pub state: ReviewState,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it is overdue.
    pub due_at: DateTime<Utc>,
    /// The reviewer who claimed or decided it.
    pub reviewer: Option<String>,
    /// When it was claimed.
    pub claimed_at: Option<DateTime<Utc>>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The approved text (the draft, or the reviewer's edit).
    pub final_text: Option<String>,
    /// The reviewer changed the draft.
    pub edited: bool,
    /// Why it was rejected.
    pub reject_reason: Option<String>,
}

/// What a reviewer decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// Release the draft, or `text` in its place.
    Approve {
        /// The edited answer; absent: the draft as it is.
        #[serde(default)]
        text: Option<String>,
    },
    /// Do not release; the caller gets the hand-over message.
    Reject {
        /// Why (required).
        reason: String,
    },
}

/// Which items to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReviewFilter {
    /// Only in this state.
    #[serde(default)]
    pub state: Option<ReviewState>,
    /// Only of this scenario.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Only overdue (not decided and past `due_at`).
    #[serde(default)]
    pub overdue: bool,
    /// Most items returned (oldest first); 0: 100.
    #[serde(default)]
    pub limit: usize,
}

/// Citizen feedback on an answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewFeedback {
    /// The audit record of the answer.
    pub audit_id: u64,
    /// Who sends it (caller id of the channel).
    pub caller: String,
    /// 1 (bad) to 5 (good).
    pub rating: u8,
    /// Free text.
    #[serde(default)]
    pub comment: String,
}

/// Recorded feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Feedback id (UUID).
    pub id: String,
    /// The answer's audit record.
    pub audit_id: u64,
    /// Who sent it.
    pub caller: String,
    /// 1 to 5.
    pub rating: u8,
    /// Free text.
    pub comment: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Negative (rating 1 or 2): on the triage list.
    pub triage: bool,
}

/// Check a free-text field.
pub(crate) fn check_text(field: &str, text: &str) -> Result<()> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Error::InvalidInput(format!("{field}: {} bytes, over the limit of {MAX_TEXT_BYTES}", text.len())));
    }
    Ok(())
}

impl NewReview {
    pub(crate) fn check(&self) -> Result<()> {
        check_text("question", &self.question)?;
        check_text("draft", &self.draft)?;
        check_text("reasons", &self.reasons.join("\n"))
    }
}

impl NewFeedback {
    pub(crate) fn check(&self) -> Result<()> {
        if !(1..=5).contains(&self.rating) {
            return Err(Error::InvalidInput(format!("rating: {} is not between 1 and 5", self.rating)));
        }
        check_text("comment", &self.comment)
    }
}

impl Decision {
    pub(crate) fn check(&self) -> Result<()> {
        match self {
            Self::Approve { text: Some(t) } if t.trim().is_empty() => {
                Err(Error::InvalidInput("text: an edited answer may not be empty".into()))
            }
            Self::Approve { text } => check_text("text", text.as_deref().unwrap_or_default()),
            Self::Reject { reason } if reason.trim().is_empty() => {
                Err(Error::InvalidInput("reason: a rejection needs a reason".into()))
            }
            Self::Reject { reason } => check_text("reason", reason),
        }
    }
}
