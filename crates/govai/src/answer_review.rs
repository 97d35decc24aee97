//! Review an answer outside a deployment, with the built-in rule-based reviewers that a
//! scenario requires: what `govai review`, `govai_review_json` (C) and `govai.review` (Python)
//! do. A deployment's `handle` runs its configured reviewers itself.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use govai_core::{Error, Result, Review, ReviewContext, Reviewer, Source};
use serde::Deserialize;

/// Built once per process and shared by all threads (reviewers are `Send + Sync`).
static REVIEWERS: LazyLock<Vec<Arc<dyn Reviewer>>> =
    LazyLock::new(|| govai_review::builtin_reviewers(crate::default_classifier()));

/// A review request; its JSON form is the one the C and Python bindings accept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// A built-in scenario id: its catalog entry says which reviewers run.
    pub scenario: String,
    /// The citizen's request the answer replies to.
    #[serde(default)]
    pub request: String,
    pub answer: String,
    /// Sources the answer may cite as `[1]`, `[2]`, ... in this order.
    #[serde(default)]
    pub sources: Vec<SourceInput>,
    #[serde(default)]
    pub documents: Vec<String>,
}

/// A source as callers give it; `index` comes from its position.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// Number sources 1, 2, ... as they will be cited.
pub fn number_sources(sources: Vec<SourceInput>) -> Vec<Source> {
    sources
        .into_iter()
        .enumerate()
        .map(|(i, s)| Source {
            index: i + 1,
            id: s.id.unwrap_or_else(|| format!("source-{}", i + 1)),
            title: s.title,
            text: s.text,
            url: s.url,
            score: 1.0,
        })
        .collect()
}

/// The reviewers a deployment file's `[reviewers.*]` tables describe (models included, relative
/// paths against the file's directory): what `govai review --config FILE` runs.
pub fn reviewers_from_file(path: &Path) -> Result<Vec<Arc<dyn Reviewer>>> {
    let config = crate::config::Config::from_file(path)?;
    let file = path.display().to_string();
    let classifier = Arc::new(
        govai_classify::GuardClassifier::new(config.classifier.clone()).map_err(|e| crate::with_file(e, &file))?,
    );
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    crate::build_reviewers(&config, classifier, base, &file)
}

/// Run the reviewers the scenario's catalog entry requires (input and answer stages).
pub fn review(request: ReviewRequest) -> Result<Review> {
    review_with(request, &REVIEWERS)
}

/// [`review`] with other reviewers (e.g. [`reviewers_from_file`]): those of `reviewers` whose id
/// the scenario's catalog entry lists run.
pub fn review_with(request: ReviewRequest, reviewers: &[Arc<dyn Reviewer>]) -> Result<Review> {
    let spec = govai_core::scenario::builtin(&request.scenario)
        .ok_or_else(|| Error::NotFound { what: "scenario", id: request.scenario.clone() })?;
    review_for(&spec, request, reviewers)
}

/// [`review_with`] for a scenario given by its spec (a deployment's own scenario, not only a
/// built-in one); `request.scenario` is not looked up.
pub fn review_for(
    spec: &govai_core::ScenarioSpec,
    request: ReviewRequest,
    reviewers: &[Arc<dyn Reviewer>],
) -> Result<Review> {
    let sources = number_sources(request.sources);
    let ctx = ReviewContext {
        scenario: spec,
        request: &request.request,
        output: &request.answer,
        sources: &sources,
        documents: &request.documents,
    };
    let mut result = Review::pass();
    for reviewer in reviewers.iter().filter(|r| spec.reviewers.iter().any(|id| id == r.id())) {
        result = result.combine(reviewer.review(&ctx)?);
    }
    Ok(result)
}
