//! The learned input guard (reviewer id `safety_classifier`): after the rules of `input_screen`
//! and `refusal`, a classifier over all risk kinds decides whether a request must be stopped
//! before any model; a model judge, when configured, settles the requests the classifier is
//! unsure about.
//!
//! - Without any model file it runs [`GuardModel`]: a logistic regression over character
//!   n-grams trained in-process on the dev split of the safety bank
//!   (`crates/govai-review/data/safety-bank/`, written by hand apart from the rules). Microseconds per
//!   request.
//! - [`SafetyClassifierReviewer::with_scorer`] adds a second learned score, e.g. the facade's
//!   logistic-regression head on the multilingual sentence embeddings (`[reviewers.safety_classifier]
//!   embedding`); the two probabilities are averaged.
//! - [`SafetyClassifierReviewer::with_judge`] adds a [`SafetyJudge`] (the facade asks a
//!   configured generative model to classify the request against the risk kinds). It is
//!   consulted only when the probability falls inside the unsure band
//!   `[judge_low, judge_high)`, and its answer decides there; the finding then names the layer
//!   `safety_judge`.
//!
//! A stopped request gets one Block finding whose code is the GB/T 45654 category of the most
//! similar should-refuse dev item ([`report_code`]), whose reviewer is the deciding layer, and
//! whose message names the bank kind and the probability.

pub mod bank;
mod features;
mod model;
mod output;

use std::sync::Arc;

use govai_core::{Result, Review, ReviewContext, ReviewFinding, ReviewStage, Reviewer, Verdict};
use serde::{Deserialize, Serialize};

pub use bank::{BankItem, Expected, OutputBankItem, OutputLabel, dev_items, load_output_bank, load_split, parse_bank};
pub use model::{GuardModel, GuardScore, TrainOptions};
pub use output::{ANSWER_SAFETY_ID, AnswerHarm, AnswerSafetyConfig, AnswerSafetyReviewer};

/// The logistic-regression head over the multilingual USE embedding trained on the dev split
/// (`tools/train_safety_head.py`): JSON `{"w": [512 floats], "b": float, ...}`. Used when
/// `[reviewers.safety_classifier] embedding` is set and `head` is not.
pub const BUILTIN_EMBEDDING_HEAD: &str = include_str!("../../data/safety-head.json");

/// Reviewer id of the classifier layer.
pub const SAFETY_CLASSIFIER_ID: &str = "safety_classifier";
/// Layer name of findings decided by the judge.
pub const SAFETY_JUDGE_ID: &str = "safety_judge";
/// Finding code of a request the judge was asked about and let through (verdict pass).
pub const JUDGE_PASSED: &str = "judge_passed";

/// `[reviewers.safety_classifier]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SafetyClassifierConfig {
    /// Stop a request whose probability reaches this.
    pub threshold: f32,
    /// Lower end of the band in which the judge (when configured) decides.
    pub judge_low: f32,
    /// Upper end (exclusive) of the judge's band.
    pub judge_high: f32,
    /// Embedding model directory for the second score (facade; relative to the config file).
    pub embedding: Option<std::path::PathBuf>,
    /// Logistic-regression head over that embedding (JSON `{"w": [...], "b": ...}`).
    pub head: Option<std::path::PathBuf>,
    /// Local generative model directory asked to judge unsure requests (facade; relative to
    /// the config file), e.g. `models/qwen2.5-coder-0.5b-instruct`.
    pub judge_model: Option<String>,
    /// Factor on the probability of a request that reports, verifies or asks about the law
    /// ([`crate::legitimate_context`]): look-alikes such as 伪造公章会受到什么处罚 are answered.
    pub legitimate_damping: f32,
}

impl Default for SafetyClassifierConfig {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            judge_low: 0.3,
            judge_high: 0.7,
            embedding: None,
            head: None,
            judge_model: None,
            legitimate_damping: 0.6,
        }
    }
}

/// A second learned probability that a request must be stopped.
pub trait SafetyScorer: Send + Sync + std::fmt::Debug {
    /// Identifies the scorer in messages.
    fn id(&self) -> &str;
    /// Probability in `[0, 1]`.
    fn probability(&self, text: &str) -> Result<f32>;
}

/// A model asked whether a request must be refused.
pub trait SafetyJudge: Send + Sync + std::fmt::Debug {
    /// Identifies the judge in messages.
    fn id(&self) -> &str;
    /// `true` when the request must be refused.
    fn must_refuse(&self, text: &str) -> Result<bool>;
}

/// Reviewer id `safety_classifier`.
#[derive(Debug, Clone)]
pub struct SafetyClassifierReviewer {
    config: SafetyClassifierConfig,
    model: Arc<GuardModel>,
    scorer: Option<Arc<dyn SafetyScorer>>,
    judge: Option<Arc<dyn SafetyJudge>>,
}

impl Default for SafetyClassifierReviewer {
    fn default() -> Self {
        Self::new(SafetyClassifierConfig::default())
    }
}

/// How a request was judged.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardVerdict {
    /// The combined probability.
    pub probability: f32,
    /// The deciding layer when stopped (`safety_classifier` or `safety_judge`).
    pub stopped_by: Option<&'static str>,
    /// The bank kind of the most similar should-refuse item.
    pub kind: Option<String>,
    /// The judge was asked.
    pub judged: bool,
}

impl SafetyClassifierReviewer {
    /// The built-in n-gram model with `config`.
    pub fn new(config: SafetyClassifierConfig) -> Self {
        Self { config, model: GuardModel::builtin(), scorer: None, judge: None }
    }

    /// Use another trained model (evaluation: a model trained on a subset).
    pub fn with_model(mut self, model: Arc<GuardModel>) -> Self {
        self.model = model;
        self
    }

    /// Average in a second learned probability.
    pub fn with_scorer(mut self, scorer: Arc<dyn SafetyScorer>) -> Self {
        self.scorer = Some(scorer);
        self
    }

    /// Let a judge decide inside the unsure band.
    pub fn with_judge(mut self, judge: Arc<dyn SafetyJudge>) -> Self {
        self.judge = Some(judge);
        self
    }

    /// The combined probability of the n-gram model and the second scorer.
    pub fn probability(&self, text: &str) -> Result<(f32, GuardScore)> {
        let s = self.model.score(text);
        let p = match &self.scorer {
            Some(sc) => (s.probability + sc.probability(text)?) / 2.0,
            None => s.probability,
        };
        let damping = if crate::legitimate_context(text) { self.config.legitimate_damping } else { 1.0 };
        Ok((p * damping, s))
    }

    /// Classify, and ask the judge inside the unsure band.
    pub fn judge(&self, text: &str) -> Result<GuardVerdict> {
        let (p, s) = self.probability(text)?;
        let kind = s.kind.map(|k| k.0);
        let c = &self.config;
        let in_band = p >= c.judge_low && p < c.judge_high;
        let (stopped_by, judged) = match &self.judge {
            Some(j) if in_band => (j.must_refuse(text)?.then_some(SAFETY_JUDGE_ID), true),
            _ => ((p >= c.threshold).then_some(SAFETY_CLASSIFIER_ID), false),
        };
        Ok(GuardVerdict { probability: p, stopped_by, kind, judged })
    }
}

/// The GB/T 45654 category code a bank kind is reported under (finding codes are category
/// codes, as for the `refusal` reviewer); TC260 kinds are their own code.
pub fn report_code(kind: &str) -> &str {
    match kind {
        "gov_decide" => "a5_unreliable",
        "gov_third_party" => "a4_personal_information",
        "gov_secret" => "a1_national_security",
        "gov_dangerous" => "a1_violence_obscenity",
        "gov_harassment" => "a4_privacy",
        "gov_injection" => "prompt_injection",
        k if k.starts_with("gov_") => "a1_other_prohibited",
        k => k,
    }
}

impl Reviewer for SafetyClassifierReviewer {
    fn id(&self) -> &str {
        SAFETY_CLASSIFIER_ID
    }

    fn stage(&self) -> ReviewStage {
        ReviewStage::Input
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        let v = self.judge(ctx.request)?;
        let Some(layer) = v.stopped_by else { return Ok(judge_note(&v)) };
        let kind = v.kind.unwrap_or_else(|| "a1_other_prohibited".to_owned());
        Ok(Review::from_findings(vec![ReviewFinding {
            reviewer: layer.to_owned(),
            code: report_code(&kind).to_owned(),
            message: format!("请求被判定为应拒答（{layer}，概率 {:.2}，最相近的类别 {kind}）", v.probability),
            verdict: Verdict::Block,
            span: None,
        }]))
    }
}

/// A request the judge let through carries a note (verdict pass, code `judge_passed`), so the
/// audit record and `govai eval safety` show that it was consulted.
fn judge_note(v: &GuardVerdict) -> Review {
    if !v.judged {
        return Review::pass();
    }
    Review::from_findings(vec![ReviewFinding {
        reviewer: SAFETY_JUDGE_ID.to_owned(),
        code: JUDGE_PASSED.to_owned(),
        message: format!("分类器不确定（概率 {:.2}），判定模型认为可以答复", v.probability),
        verdict: Verdict::Pass,
        span: None,
    }])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug)]
    struct Always(bool);
    impl SafetyJudge for Always {
        fn id(&self) -> &str {
            "always"
        }
        fn must_refuse(&self, _: &str) -> Result<bool> {
            Ok(self.0)
        }
    }

    #[test]
    fn report_codes_are_category_codes() {
        assert_eq!(report_code("gov_forgery"), "a1_other_prohibited");
        assert_eq!(report_code("a2_gender"), "a2_gender");
    }

    #[test]
    fn a_request_the_judge_lets_through_carries_a_note() {
        let band = SafetyClassifierConfig { judge_low: 0.0, judge_high: 1.01, ..Default::default() };
        let r = SafetyClassifierReviewer::new(band).with_judge(Arc::new(Always(false)));
        let spec = govai_core::scenario::builtin("intelligent_qa").unwrap();
        let ctx = ReviewContext {
            scenario: &spec,
            request: "社保卡丢了怎么补办？",
            output: "",
            sources: &[],
            documents: &[],
        };
        let review = r.review(&ctx).unwrap();
        assert_eq!(review.verdict, Verdict::Pass);
        assert_eq!(
            (review.findings[0].reviewer.as_str(), review.findings[0].code.as_str()),
            (SAFETY_JUDGE_ID, JUDGE_PASSED)
        );
        let unjudged = SafetyClassifierReviewer::default().review(&ctx).unwrap();
        assert!(unjudged.findings.is_empty(), "{unjudged:?}");
    }

    #[test]
    fn the_judge_decides_only_inside_the_band() {
        let r = SafetyClassifierReviewer::default();
        let (p, _) = r.probability("社保卡丢了怎么补办？").unwrap();
        let band = SafetyClassifierConfig { judge_low: 0.0, judge_high: 1.01, ..Default::default() };
        let judged = SafetyClassifierReviewer::new(band).with_judge(Arc::new(Always(true)));
        let v = judged.judge("社保卡丢了怎么补办？").unwrap();
        assert!(v.judged && v.stopped_by == Some(SAFETY_JUDGE_ID), "{p} {v:?}");
        let none = SafetyClassifierConfig { judge_low: 2.0, judge_high: 2.0, ..Default::default() };
        let v = SafetyClassifierReviewer::new(none)
            .with_judge(Arc::new(Always(true)))
            .judge("社保卡丢了怎么补办？")
            .unwrap();
        assert!(!v.judged);
    }
}
