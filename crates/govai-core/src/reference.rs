//! Reference answers: an answer a person approved, returned for matching questions without
//! calling the model (Dify's "annotation reply", but versioned and audited). The deployment
//! asks a [`ReferenceAnswers`] source after the gate and the input screening passed, for a
//! single question with no attached documents (a follow-up depends on its conversation). A
//! hit ends the request like a model answer: labelled, recorded, with `served_by` =
//! `reference:<id>` at the reference's version. Output review does not run on it: the exact
//! text was approved by a named reviewer (an audit record of its own).

use crate::response::ModelRef;

/// The provider named in `served_by` for a reference answer.
pub const REFERENCE_PROVIDER: &str = "human review";

/// A reference answer that matches a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceHit {
    /// The reference answer's id.
    pub id: String,
    /// Its version (a revised reference answer is the next version).
    pub version: u64,
    /// The approved text.
    pub text: String,
}

impl ReferenceHit {
    /// What the response and audit record name as having answered.
    pub fn served_by(&self) -> ModelRef {
        ModelRef {
            id: format!("reference:{}", self.id),
            version: self.version.to_string(),
            filing_number: String::new(),
            provider: REFERENCE_PROVIDER.to_owned(),
        }
    }
}

/// Where a deployment looks up reference answers (a server backs it with its store).
pub trait ReferenceAnswers: Send + Sync {
    /// The reference answer for `question` in `scenario`, if one matches.
    fn find(&self, scenario: &str, question: &str) -> Option<ReferenceHit>;
}
