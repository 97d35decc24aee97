//! The same risk kinds on the way out (reviewer id `answer_safety`, answer stage): an answer in
//! which the model went along with a disguised request (forgery steps, how to dodge an
//! inspection, where to buy drugs, a bribe drafted) is blocked, not only answers that contain
//! lexicon terms. Two checks:
//!
//! - the refusal rules (composed intent × object × cue rules included) on the answer itself,
//!   with their exemption for answers that explain the law or how to report;
//! - the learned guard on the request and the answer together: a probability at or above
//!   [`AnswerSafetyConfig::threshold`] means the exchange as a whole serves a should-refuse
//!   purpose.
//!
//! Figures on the hand-written output bank (`data/output-safety-bank.jsonl`, dev/test):
//! `benches/README.md`.

use std::sync::Arc;

use govai_core::{Result, Review, ReviewContext, ReviewFinding, Reviewer, Verdict};
use serde::{Deserialize, Serialize};

use super::{GuardModel, report_code};
use crate::RefusalReviewer;

/// Reviewer id.
pub const ANSWER_SAFETY_ID: &str = "answer_safety";

/// `[reviewers.answer_safety]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnswerSafetyConfig {
    /// Block when the learned guard's probability for request + answer reaches this.
    pub threshold: f32,
}

impl Default for AnswerSafetyConfig {
    fn default() -> Self {
        Self { threshold: 0.7 }
    }
}

/// Reviewer id `answer_safety`.
#[derive(Debug, Clone)]
pub struct AnswerSafetyReviewer {
    config: AnswerSafetyConfig,
    rules: RefusalReviewer,
    model: Arc<GuardModel>,
}

impl Default for AnswerSafetyReviewer {
    fn default() -> Self {
        Self::new(AnswerSafetyConfig::default())
    }
}

/// Why an answer is unsafe.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerHarm {
    /// `rules` or `classifier`.
    pub check: &'static str,
    /// Risk category code.
    pub code: String,
    /// What matched, or the probability.
    pub detail: String,
}

impl AnswerSafetyReviewer {
    /// The reviewer with the built-in rules and model.
    pub fn new(config: AnswerSafetyConfig) -> Self {
        Self { config, rules: RefusalReviewer::default(), model: GuardModel::builtin() }
    }

    /// Whether the answer serves a should-refuse purpose.
    pub fn harm(&self, request: &str, answer: &str) -> Option<AnswerHarm> {
        if let Some(d) = self.rules.decide(answer).filter(|d| d.verdict == Verdict::Block) {
            let detail = format!("{}: 「{}」", d.rule, d.matched);
            return Some(AnswerHarm { check: "rules", code: d.category.code().to_owned(), detail });
        }
        let s = self.model.score(&format!("{request}\n{answer}"));
        (s.probability >= self.config.threshold).then(|| AnswerHarm {
            check: "classifier",
            code: s.kind.map_or_else(|| "a1_other_prohibited".to_owned(), |k| report_code(&k.0).to_owned()),
            detail: format!("p = {:.2}", s.probability),
        })
    }
}

impl Reviewer for AnswerSafetyReviewer {
    fn id(&self) -> &str {
        ANSWER_SAFETY_ID
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        let Some(h) = self.harm(ctx.request, ctx.output) else { return Ok(Review::pass()) };
        Ok(Review::from_findings(vec![ReviewFinding {
            reviewer: ANSWER_SAFETY_ID.to_owned(),
            code: h.code,
            message: format!("答复顺从了应拒答的请求（{}，{}）", h.check, h.detail),
            verdict: Verdict::Block,
            span: None,
        }]))
    }
}
