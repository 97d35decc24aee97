//! Rule-based reviewers: checks of model output before it reaches anyone.
//!
//! | id | reviewer | finding codes |
//! |---|---|---|
//! | `lexicon` | [`LexiconReviewer`]: Aho-Corasick term lists by the 31 risk categories of GB/T 45654-2025 | the category code, e.g. `a3_business_ethics` |
//! | `pii_leak` | [`PiiLeakReviewer`]: personal data in the answer that the request and sources do not contain | `pii_leak`, `secret_in_output` |
//! | `citation` | [`CitationReviewer`]: citation markers resolve, public answers have sources, numbers/dates/fees/phones/URLs/titles are grounded | `unresolved_citation`, `no_sources`, `ungrounded_number`, `ungrounded_url`, `ungrounded_title` |
//!
//! A deployment file configures them under `[reviewers]` ([`ReviewersConfig`]); all three have
//! working defaults ([`builtin_reviewers`]).

pub mod citation;
pub mod lexicon;
pub mod normalize;
pub mod numbers;
pub mod pii_leak;
pub mod t2s;
pub mod taxonomy;

use std::path::Path;
use std::sync::Arc;

use govai_core::{DataClassifier, Result, Reviewer};
use serde::{Deserialize, Serialize};

pub use citation::{CITATION_ID, CitationConfig, CitationReviewer};
pub use lexicon::{LEXICON_ID, LexiconConfig, LexiconReviewer, Term, TermAction, builtin_terms, parse_tsv};
pub use pii_leak::{PII_LEAK_ID, PiiLeakConfig, PiiLeakReviewer};
pub use taxonomy::{RiskCategory, RiskGroup};

/// The `[reviewers]` table of a deployment file: `[reviewers.lexicon]`, `[reviewers.pii_leak]`,
/// `[reviewers.citation]`, each optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewersConfig {
    pub lexicon: LexiconConfig,
    pub pii_leak: PiiLeakConfig,
    pub citation: CitationConfig,
}

/// The three rule-based reviewers with their defaults: `lexicon` (built-in terms), `pii_leak`
/// (using `classifier`) and `citation`.
pub fn builtin_reviewers(classifier: Arc<dyn DataClassifier>) -> Vec<Arc<dyn Reviewer>> {
    vec![
        Arc::new(LexiconReviewer::builtin()),
        Arc::new(PiiLeakReviewer::new(classifier)),
        Arc::new(CitationReviewer::default()),
    ]
}

/// The three rule-based reviewers built from a deployment's `[reviewers]` table. A relative
/// `terms_file` is resolved against `base_dir` (the config file's directory) when given.
pub fn reviewers_from_config(
    config: &ReviewersConfig,
    classifier: Arc<dyn DataClassifier>,
    base_dir: Option<&Path>,
) -> Result<Vec<Arc<dyn Reviewer>>> {
    Ok(vec![
        Arc::new(LexiconReviewer::from_config_in(&config.lexicon, base_dir)?),
        Arc::new(PiiLeakReviewer::with_config(classifier, config.pii_leak.clone())),
        Arc::new(CitationReviewer::from_config(&config.citation)),
    ])
}
