//! Model-backed parts of three reviewers, configured under `[reviewers]`:
//!
//! - `[reviewers.input_screen] model = "models/injection-use"`: a govai-ort
//!   [`SequenceClassifier`] with an `injection` label scores every request
//!   ([`ClassifierInjectionScorer`]); at or above `model_threshold` the input screen adds
//!   `prompt_injection_model` beside its rules.
//! - `[reviewers.grounding] embedding = "models/use-multilingual"`: the cosine of sentence
//!   embeddings ([`EmbeddingScorer`], govai-ort [`EmbeddingModel`]) compared with
//!   `embedding_threshold`; with `embedding_mode = "either"` (default) a sentence is also
//!   supported when its n-gram score reaches the n-gram `threshold`.
//! - `[reviewers.relevance] embedding = "models/use-multilingual"`: the cosine of the question
//!   with the cited passages ([`EmbeddingScorer`]) compared with `embedding_threshold`, beside
//!   (`embedding_mode = "either"`) or instead of (`replace`) the lexical score.
//!
//! Relative paths resolve against the config file's directory.

use std::path::Path;
use std::sync::Arc;

use govai_core::{Error, Result, Reviewer};
use govai_ort::{EmbeddingModel, RuntimeConfig, SequenceClassifier, cosine};
use govai_review::{
    EmbeddingMode, GROUNDING_ID, GroundingConfig, GroundingReviewer, NgramScorer, ReviewersConfig, SimilarityScorer,
    best_of,
};
use govai_review::{INPUT_SCREEN_ID, InjectionScorer, InputScreenReviewer, ScreenConfig};
use govai_review::{RELEVANCE_ID, RelevanceConfig, RelevanceReviewer};

use crate::config;

/// The label whose probability the input screen reads.
pub const INJECTION_LABEL: &str = "injection";

/// A sequence classifier as the input screen's model.
#[derive(Debug)]
pub struct ClassifierInjectionScorer {
    id: String,
    model: SequenceClassifier,
}

impl ClassifierInjectionScorer {
    /// The classifier must have an `injection` label.
    pub fn new(model: SequenceClassifier) -> Result<Self> {
        if !model.labels().iter().any(|l| l == INJECTION_LABEL) {
            return Err(Error::model(
                model.config().architecture.clone(),
                format!("{}: no `{INJECTION_LABEL}` label (labels: {:?})", model.dir().display(), model.labels()),
            ));
        }
        let id = model.dir().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Self { id, model })
    }

    pub fn load(dir: &Path, runtime: &RuntimeConfig) -> Result<Self> {
        Self::new(SequenceClassifier::load(dir, runtime)?)
    }
}

impl InjectionScorer for ClassifierInjectionScorer {
    fn id(&self) -> &str {
        &self.id
    }

    fn probability(&self, text: &str) -> Result<f32> {
        let c = self.model.classify_one(text)?;
        c.prob(INJECTION_LABEL).ok_or_else(|| Error::Internal("injection label vanished".into()))
    }
}

/// Cosine similarity of sentence embeddings as a grounding scorer. Each text is embedded alone
/// (the int8 USE graph's results depend slightly on batch composition; one text per call keeps
/// verdicts reproducible). Negative cosines count as 0.
///
/// With an n-gram fallback ([`EmbeddingScorer::or_ngram`]) a candidate's score is
/// `max(cosine, ngram · embedding_threshold / ngram_threshold)` (capped at 1): on the cosine
/// scale, a candidate passes when either measure reaches its own threshold.
#[derive(Debug)]
pub struct EmbeddingScorer {
    id: String,
    model: EmbeddingModel,
    ngram: Option<(NgramScorer, f32)>,
}

impl EmbeddingScorer {
    pub fn new(model: EmbeddingModel) -> Self {
        let name = model.dir().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Self { id: format!("embedding:{name}"), model, ngram: None }
    }

    /// Also accept an n-gram score reaching `ngram_threshold`, rescaled onto the cosine scale
    /// where `embedding_threshold` is the pass mark.
    pub fn or_ngram(mut self, ngram: NgramScorer, ngram_threshold: f32, embedding_threshold: f32) -> Self {
        let scale = if ngram_threshold > 0.0 { embedding_threshold / ngram_threshold } else { f32::INFINITY };
        self.id = format!("{}+ngram", self.id);
        self.ngram = Some((ngram, scale));
        self
    }

    fn combine(&self, claim: &str, candidates: &[&str], cos: Vec<f32>) -> Result<Vec<f32>> {
        let Some((ngram, scale)) = &self.ngram else { return Ok(cos) };
        let lex = ngram.scores(claim, candidates)?;
        Ok(cos.iter().zip(lex).map(|(&c, l)| c.max((l * scale).min(1.0))).collect())
    }

    pub fn load(dir: &Path, runtime: &RuntimeConfig) -> Result<Self> {
        Ok(Self::new(EmbeddingModel::load(dir, runtime)?))
    }

    fn embed_each(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        texts.iter().map(|t| self.model.embed_one(t)).collect()
    }
}

impl SimilarityScorer for EmbeddingScorer {
    fn id(&self) -> &str {
        &self.id
    }

    fn scores(&self, claim: &str, candidates: &[&str]) -> Result<Vec<f32>> {
        let c = self.model.embed_one(claim)?;
        let cos = self.embed_each(candidates)?.iter().map(|e| cosine(&c, e).max(0.0)).collect();
        self.combine(claim, candidates, cos)
    }

    fn best_scores(&self, claims: &[&str], candidates: &[&str]) -> Result<Vec<(f32, Option<usize>)>> {
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let evidence = self.embed_each(candidates)?;
        claims
            .iter()
            .map(|claim| {
                let c = self.model.embed_one(claim)?;
                let cos: Vec<f32> = evidence.iter().map(|e| cosine(&c, e).max(0.0)).collect();
                Ok(best_of(&self.combine(claim, candidates, cos)?))
            })
            .collect()
    }
}

fn load_error(file: &str, key: &str, dir: &Path, e: Error) -> Error {
    Error::config(file, key, format!("cannot load {}: {e}", dir.display()))
}

/// The input screen with its model, when `[reviewers.input_screen] model` is set.
pub fn input_screen(
    config: &ScreenConfig,
    runtime: &RuntimeConfig,
    base_dir: &Path,
    file: &str,
) -> Result<Option<InputScreenReviewer>> {
    let Some(dir) = &config.model else { return Ok(None) };
    if !(0.0..=1.0).contains(&config.model_threshold) {
        return Err(Error::config(file, "reviewers.input_screen.model_threshold", "must be within [0, 1]"));
    }
    let dir = config::resolve(base_dir, dir);
    let scorer = ClassifierInjectionScorer::load(&dir, runtime)
        .map_err(|e| load_error(file, "reviewers.input_screen.model", &dir, e))?;
    Ok(Some(InputScreenReviewer::with_model(config.clone(), Arc::new(scorer))))
}

/// The grounding reviewer with the embedding scorer, when `[reviewers.grounding] embedding` is
/// set (findings then report scores on the cosine scale against `embedding_threshold`).
pub fn grounding(
    config: &GroundingConfig,
    runtime: &RuntimeConfig,
    base_dir: &Path,
    file: &str,
) -> Result<Option<GroundingReviewer>> {
    let Some(dir) = &config.embedding else { return Ok(None) };
    if !(0.0..=1.0).contains(&config.embedding_threshold) {
        return Err(Error::config(file, "reviewers.grounding.embedding_threshold", "must be within [0, 1]"));
    }
    let dir = config::resolve(base_dir, dir);
    let mut scorer =
        EmbeddingScorer::load(&dir, runtime).map_err(|e| load_error(file, "reviewers.grounding.embedding", &dir, e))?;
    if config.embedding_mode == EmbeddingMode::Either {
        scorer = scorer.or_ngram(GroundingReviewer::ngram_scorer(config), config.threshold, config.embedding_threshold);
    }
    let cfg = GroundingConfig { threshold: config.embedding_threshold, ..config.clone() };
    Ok(Some(GroundingReviewer::with_scorer(cfg, Arc::new(scorer))))
}

/// The relevance reviewer with the embedding scorer (cosine of question and passage), when
/// `[reviewers.relevance] embedding` is set.
pub fn relevance(
    config: &RelevanceConfig,
    runtime: &RuntimeConfig,
    base_dir: &Path,
    file: &str,
) -> Result<Option<RelevanceReviewer>> {
    let Some(dir) = &config.embedding else { return Ok(None) };
    config.validate().map_err(|e| Error::config(file, "reviewers.relevance", e.to_string()))?;
    let dir = config::resolve(base_dir, dir);
    let scorer =
        EmbeddingScorer::load(&dir, runtime).map_err(|e| load_error(file, "reviewers.relevance.embedding", &dir, e))?;
    Ok(Some(RelevanceReviewer::with_scorer(config.clone(), Arc::new(scorer))))
}

/// Replace the rule-only `input_screen`, `grounding` and `relevance` reviewers of `reviewers`
/// by their model-backed forms where the config asks for models.
pub fn with_models(
    reviewers: Vec<Arc<dyn Reviewer>>,
    config: &ReviewersConfig,
    runtime: &RuntimeConfig,
    base_dir: &Path,
    file: &str,
) -> Result<Vec<Arc<dyn Reviewer>>> {
    let screen = input_screen(&config.input_screen, runtime, base_dir, file)?;
    let grounding = grounding(&config.grounding, runtime, base_dir, file)?;
    let relevance = relevance(&config.relevance, runtime, base_dir, file)?;
    let (mut screen, mut grounding) = (screen.map(Arc::new), grounding.map(Arc::new));
    let mut relevance = relevance.map(Arc::new);
    Ok(reviewers
        .into_iter()
        .map(|r| match r.id() {
            INPUT_SCREEN_ID => screen.take().map_or(r, |s| s as Arc<dyn Reviewer>),
            GROUNDING_ID => grounding.take().map_or(r, |g| g as Arc<dyn Reviewer>),
            RELEVANCE_ID => relevance.take().map_or(r, |g| g as Arc<dyn Reviewer>),
            _ => r,
        })
        .collect())
}

/// The two reviewers `govai review-eval --config FILE` evaluates: model-backed where the
/// config's `[reviewers]` asks for models, rule-based otherwise.
pub fn eval_reviewers(
    config: &ReviewersConfig,
    runtime: &RuntimeConfig,
    base_dir: &Path,
    file: &str,
) -> Result<(InputScreenReviewer, GroundingReviewer)> {
    let screen = input_screen(&config.input_screen, runtime, base_dir, file)?
        .unwrap_or_else(|| InputScreenReviewer::new(config.input_screen.clone()));
    let grounding = grounding(&config.grounding, runtime, base_dir, file)?
        .unwrap_or_else(|| GroundingReviewer::from_config(&config.grounding));
    Ok((screen, grounding))
}

/// The grounding and relevance reviewers `govai eval grounding --config FILE` evaluates:
/// model-backed where the config's `[reviewers]` asks for embeddings, lexical otherwise.
pub fn grounding_eval_reviewers(
    config: &ReviewersConfig,
    runtime: &RuntimeConfig,
    base_dir: &Path,
    file: &str,
) -> Result<(GroundingReviewer, RelevanceReviewer)> {
    let g = grounding(&config.grounding, runtime, base_dir, file)?
        .unwrap_or_else(|| GroundingReviewer::from_config(&config.grounding));
    config.relevance.validate().map_err(|e| Error::config(file, "reviewers.relevance", e.to_string()))?;
    let r = relevance(&config.relevance, runtime, base_dir, file)?
        .unwrap_or_else(|| RelevanceReviewer::new(config.relevance.clone()));
    Ok((g, r))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::path::PathBuf;

    use govai_core::{ReviewContext, Verdict};

    use super::*;

    fn ort_data(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../govai-ort/tests/data").join(rel)
    }

    /// The runtime, or None (skip) when libonnxruntime is missing and GOVAI_REQUIRE_ORT is unset.
    fn runtime(test: &str) -> Option<RuntimeConfig> {
        match govai_ort::find_library(None) {
            Ok(_) => Some(RuntimeConfig { intra_op_threads: Some(1), ..Default::default() }),
            Err(e) if std::env::var("GOVAI_REQUIRE_ORT").is_ok_and(|v| v == "1") => panic!("{e}"),
            Err(e) => {
                eprintln!("SKIP {test}: {e}");
                None
            }
        }
    }

    #[test]
    fn missing_model_names_the_key() {
        let cfg = ScreenConfig { model: Some("no/such/dir".into()), ..ScreenConfig::default() };
        let e = input_screen(&cfg, &RuntimeConfig::default(), Path::new("/tmp"), "d.toml").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("d.toml") && msg.contains("reviewers.input_screen.model"), "{msg}");
        let cfg = ScreenConfig { model: Some("x".into()), model_threshold: 1.5, ..ScreenConfig::default() };
        let e = input_screen(&cfg, &RuntimeConfig::default(), Path::new("."), "d.toml").unwrap_err();
        assert!(e.to_string().contains("model_threshold"), "{e}");
        let g = GroundingConfig { embedding: Some("no/such/dir".into()), ..GroundingConfig::default() };
        let e = grounding(&g, &RuntimeConfig::default(), Path::new("."), "d.toml").unwrap_err();
        assert!(e.to_string().contains("reviewers.grounding.embedding"), "{e}");
        let r = RelevanceConfig { embedding: Some("no/such/dir".into()), ..RelevanceConfig::default() };
        let e = relevance(&r, &RuntimeConfig::default(), Path::new("."), "d.toml").unwrap_err();
        assert!(e.to_string().contains("reviewers.relevance.embedding"), "{e}");
        let r = RelevanceConfig { verdict: Verdict::Block, ..r };
        let e = relevance(&r, &RuntimeConfig::default(), Path::new("."), "d.toml").unwrap_err();
        assert!(e.to_string().contains("reviewers.relevance"), "{e}");
        assert!(
            relevance(&RelevanceConfig::default(), &RuntimeConfig::default(), Path::new("."), "d").unwrap().is_none()
        );
        // Without models nothing is loaded.
        assert!(
            input_screen(&ScreenConfig::default(), &RuntimeConfig::default(), Path::new("."), "d").unwrap().is_none()
        );
    }

    #[test]
    fn classifier_drives_the_input_screen() {
        let Some(rt) = runtime("classifier_drives_the_input_screen") else { return };
        // The tiny ragged fixture has one sigmoid label `injection`; numpy gives "Hello world" 0.887.
        let base = ort_data("tiny-classifier");
        let cfg = ScreenConfig { model: Some("use".into()), model_threshold: 0.8, ..ScreenConfig::default() };
        let screen = input_screen(&cfg, &rt, &base, "d.toml").unwrap().expect("model configured");
        let spec = govai_core::scenario::builtin("intelligent_qa").unwrap();
        let ctx = ReviewContext { scenario: &spec, request: "Hello world", output: "", sources: &[], documents: &[] };
        let rv = screen.review(&ctx).unwrap();
        assert_eq!(rv.verdict, Verdict::Block);
        assert!(rv.findings[0].message.contains("0.887"), "{}", rv.findings[0].message);
        let strict = ScreenConfig { model_threshold: 0.9, ..cfg };
        let screen = input_screen(&strict, &rt, &base, "d.toml").unwrap().unwrap();
        assert_eq!(screen.review(&ctx).unwrap().verdict, Verdict::Pass);
        // A classifier without an `injection` label is refused.
        let bad = ScreenConfig { model: Some("bert".into()), ..ScreenConfig::default() };
        let e = input_screen(&bad, &rt, &base, "d.toml").unwrap_err();
        assert!(e.to_string().contains("no `injection` label"), "{e}");
    }

    #[test]
    fn embedding_scorer_with_and_without_ngrams() {
        let Some(rt) = runtime("embedding_scorer_with_and_without_ngrams") else { return };
        let dir = ort_data("tiny-embed");
        let plain = EmbeddingScorer::load(&dir, &rt).unwrap();
        let s = plain.scores("政务服务", &["政务服务", "Hello world"]).unwrap();
        assert!((s[0] - 1.0).abs() < 1e-5 && (0.0..=1.0).contains(&s[1]), "{s:?}");
        let best = plain.best_scores(&["Hello world", "政务服务"], &["政务服务", "Hello world"]).unwrap();
        assert_eq!((best[0].1, best[1].1), (Some(1), Some(0)));
        // Either mode: a literal quote passes through the n-gram side even where the cosine is low.
        let either = EmbeddingScorer::load(&dir, &rt).unwrap().or_ngram(NgramScorer::default(), 0.5, 0.75);
        let claim = "办理居住证需要身份证";
        let cand = "申请人办理居住证需要身份证和照片";
        let cos = plain.scores(claim, &[cand]).unwrap()[0];
        let comb = either.scores(claim, &[cand]).unwrap()[0];
        assert!(comb >= cos && comb >= 0.75, "cos {cos} combined {comb}");
        assert!(either.id().ends_with("+ngram"));
    }
}
