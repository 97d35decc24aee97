//! govai-review: the rule-based reviewers, checks of a request or of model output before it
//! reaches anyone, and the input screen.
//!
//! | id | reviewer | finding codes |
//! |---|---|---|
//! | `input_screen` | [`screen::InputScreenReviewer`]: prompt injection and jailbreak patterns in the request | the rule family |
//! | `refusal` | [`RefusalReviewer`]: requests the service must refuse | the risk category |
//! | `lexicon` | [`LexiconReviewer`]: Aho-Corasick term lists by the 31 risk categories of GB/T 45654-2025 | the category code, e.g. `a3_business_ethics` |
//! | `pii_leak` | [`PiiLeakReviewer`]: personal data in the answer that the request and sources do not contain | `pii_leak`, `secret_in_output` |
//! | `citation` | [`CitationReviewer`]: the answer is not empty, citation markers resolve, public answers have sources, numbers/dates/fees/phones/URLs/titles are grounded | `unresolved_citation`, `no_sources`, `empty_answer`, `ungrounded_number`, `ungrounded_url`, `ungrounded_title` |
//! | `grounding` | [`GroundingReviewer`]: each claim of the answer is supported by a source, and what a paraphrase must not change (values, documents, names, negation, modality) is unchanged | `unsupported_sentence`, `mostly_unsupported`, `ungrounded_entity`, `conflated_source`, `changed_fact`, `changed_modality` |
//! | `relevance` | [`RelevanceReviewer`]: the answer and its cited passages address the question | `off_topic` |
//!
//! A deployment file configures them under `[reviewers]` ([`ReviewersConfig`]); all six have
//! working defaults ([`builtin_reviewers`]).

#![warn(missing_docs)]

mod citation;
mod composed;
mod grounding;
pub mod guard;
mod lexicon;
mod numbers;
mod pii_leak;
mod refusal;
mod relevance;
mod scope;
mod screen;
mod stream;
mod taxonomy;

use std::path::Path;
use std::sync::Arc;

use govai_core::{DataClassifier, Result, Reviewer};
use serde::{Deserialize, Serialize};

pub use citation::{CITATION_ID, CitationConfig, CitationReviewer};
pub use grounding::{
    EmbeddingMode, GROUNDING_ID, GroundingConfig, GroundingReviewer, NgramMeasure, NgramScorer, SimilarityScorer,
    best_of, key_terms,
};
pub use guard::{
    ANSWER_SAFETY_ID, AnswerSafetyConfig, AnswerSafetyReviewer, SAFETY_CLASSIFIER_ID, SAFETY_JUDGE_ID,
    SafetyClassifierConfig, SafetyClassifierReviewer, SafetyJudge, SafetyScorer,
};
pub use lexicon::{LEXICON_ID, LexiconConfig, LexiconReviewer, Term, TermAction, builtin_terms};
pub use pii_leak::{PII_LEAK_ID, PiiLeakConfig, PiiLeakReviewer};
pub use refusal::{REFUSAL_ID, RefusalConfig, RefusalReviewer, RefusalRule, legitimate_context};
pub use relevance::{OFF_TOPIC, RELEVANCE_ID, RelevanceConfig, RelevanceMode, RelevanceReviewer};
pub use scope::{SCOPE_ID, ScopeConfig, ScopeReviewer};
pub use screen::{
    INPUT_SCREEN_ID, InjectionScorer, InputScreenReviewer, ScreenConfig, ScreenMatch, ScreenResult, screen,
};
pub use stream::{ReviewStream, StreamConfig, StreamEvent, StreamStop, StreamingReviewer};
pub use taxonomy::{RiskCategory, RiskGroup};

/// The `[reviewers]` table of a deployment file: `[reviewers.input_screen]`,
/// `[reviewers.refusal]`, `[reviewers.lexicon]`, `[reviewers.pii_leak]`, `[reviewers.citation]`,
/// `[reviewers.grounding]`, each optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewersConfig {
    /// `[reviewers.input_screen]`.
    pub input_screen: ScreenConfig,
    /// `[reviewers.refusal]`.
    pub refusal: RefusalConfig,
    /// `[reviewers.lexicon]`.
    pub lexicon: LexiconConfig,
    /// `[reviewers.pii_leak]`.
    pub pii_leak: PiiLeakConfig,
    /// `[reviewers.citation]`.
    pub citation: CitationConfig,
    /// `[reviewers.grounding]`.
    pub grounding: GroundingConfig,
    /// `[reviewers.safety_classifier]`.
    pub safety_classifier: SafetyClassifierConfig,
    /// `[reviewers.scope]`.
    pub scope: ScopeConfig,
    /// `[reviewers.answer_safety]`.
    pub answer_safety: AnswerSafetyConfig,
    /// `[reviewers.relevance]`.
    pub relevance: RelevanceConfig,
}

/// The built-in reviewers with their defaults, in the order the catalog lists them for
/// `intelligent_qa`: `input_screen`, `refusal`, `scope`, `safety_classifier`, `lexicon`,
/// `answer_safety`, `pii_leak` (using `classifier`), `citation`, `grounding`, `relevance`.
pub fn builtin_reviewers(classifier: Arc<dyn DataClassifier>) -> Vec<Arc<dyn Reviewer>> {
    vec![
        Arc::new(InputScreenReviewer::default()),
        Arc::new(RefusalReviewer::default()),
        Arc::new(ScopeReviewer::default()),
        Arc::new(SafetyClassifierReviewer::default()),
        Arc::new(LexiconReviewer::builtin()),
        Arc::new(AnswerSafetyReviewer::default()),
        Arc::new(PiiLeakReviewer::new(classifier)),
        Arc::new(CitationReviewer::default()),
        Arc::new(GroundingReviewer::default()),
        Arc::new(RelevanceReviewer::default()),
    ]
}

/// The built-in reviewers, in catalog order, built from a deployment's `[reviewers]` table. A relative
/// `terms_file` is resolved against `base_dir` (the config file's directory) when given.
pub fn reviewers_from_config(
    config: &ReviewersConfig,
    classifier: Arc<dyn DataClassifier>,
    base_dir: Option<&Path>,
) -> Result<Vec<Arc<dyn Reviewer>>> {
    Ok(vec![
        Arc::new(InputScreenReviewer::new(config.input_screen.clone())),
        Arc::new(RefusalReviewer::new(config.refusal.clone())?),
        Arc::new(ScopeReviewer::new(&config.scope)?),
        Arc::new(SafetyClassifierReviewer::new(config.safety_classifier.clone())),
        Arc::new(LexiconReviewer::from_config_in(&config.lexicon, base_dir)?),
        Arc::new(AnswerSafetyReviewer::new(config.answer_safety.clone())),
        Arc::new(PiiLeakReviewer::with_config(classifier, config.pii_leak.clone())),
        Arc::new(CitationReviewer::from_config(&config.citation)),
        Arc::new(GroundingReviewer::from_config(&config.grounding)),
        Arc::new({
            config.relevance.validate()?;
            RelevanceReviewer::new(config.relevance.clone())
        }),
    ])
}
