//! Citizen feedback on an answer, recorded in the deployment's audit log: the rating and a
//! hash of the comment, against the audit id of the answer's record. What the C, Java and
//! Python bindings call; a gateway with a store also keeps the comment for triage (same
//! record kind, `feedback`).

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::AuditReceipt;
use crate::error::{Error, Result};
use crate::pipeline::Deployment;

/// Longest comment, in bytes.
pub const MAX_COMMENT_BYTES: usize = 64 << 10;

/// A citizen's rating of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// The audit id (`seq`) of the answer's record.
    pub audit_id: u64,
    /// 1 (bad) to 5 (good); 1 and 2 call for triage.
    pub rating: u8,
    /// What the citizen wrote (only its SHA-256 goes in the audit log).
    #[serde(default)]
    pub comment: String,
    /// Who reports it (a channel, desk or caller id).
    #[serde(default)]
    pub user: Option<String>,
}

impl Feedback {
    /// Check the fields; the error names the field and the limit.
    pub fn check(&self) -> Result<()> {
        if !(1..=5).contains(&self.rating) {
            return Err(Error::InvalidInput(format!("rating {}: from 1 to 5", self.rating)));
        }
        if self.comment.len() > MAX_COMMENT_BYTES {
            return Err(Error::InvalidInput(format!("comment: more than {MAX_COMMENT_BYTES} bytes")));
        }
        if self.user.as_ref().is_some_and(|u| u.len() > 256) {
            return Err(Error::InvalidInput("user: at most 256 bytes".into()));
        }
        if self.audit_id == 0 {
            return Err(Error::InvalidInput("audit_id: the answer's audit id (its record's seq, from 1)".into()));
        }
        Ok(())
    }
}

impl Deployment {
    /// Record `feedback` in the audit log (kind `feedback`: `audit_ref`, `rating`,
    /// `comment_sha256`, `triage`). The audit id must be one this log has written.
    pub fn record_feedback(&self, feedback: &Feedback) -> Result<AuditReceipt> {
        feedback.check()?;
        let last = self.audit_log().last_seq()?;
        if feedback.audit_id > last {
            return Err(Error::NotFound { what: "audit record", id: feedback.audit_id.to_string() });
        }
        self.audit_log().append(json!({
            "kind": "feedback",
            "user": feedback.user,
            "audit_ref": feedback.audit_id,
            "rating": feedback.rating,
            "comment_sha256": hex::encode(Sha256::digest(feedback.comment.as_bytes())),
            "triage": feedback.rating <= 2,
        }))
    }
}
