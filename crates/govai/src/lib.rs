//! govai: safe, audited use of large AI models in government IT systems.
//!
//! This facade re-exports the core types and builds a [`Deployment`] from a TOML
//! configuration (see `govai.example.toml`):
//!
//! ```no_run
//! let deployment = govai::load("govai.toml")?;
//! let response = deployment.handle(govai::Request::new("intelligent_qa", "社保卡丢了怎么补办？"))?;
//! println!("{}", response.labelled_output);
//! # Ok::<(), govai::Error>(())
//! ```

pub mod answer_review;
pub mod config;
pub mod embedding;
pub mod model_reviewers;
pub mod rag;
pub mod table;

use std::path::Path;
use std::sync::Arc;

/// The rule-based data classifier (`GuardClassifier`, recognizers, level rules, operators).
pub use govai_classify as recognize;
pub use govai_core::{
    AiLabel, AuditLog, AuditOptions, AuditReceipt, Category, Classification, DataClassifier, DataLevel, Deployment,
    DeploymentBuilder, Error, ErrorKind, Filing, Finding, FsyncPolicy, GateAction, GateDecision, GateRule,
    InferenceInput, InferenceOutput, InferenceSink, LabelConfig, LabelFormat, Location, Model, ModelInfo, ModelKind,
    NoticePosition, Outcome, OverClearance, Policy, Pseudonymize, Request, Response, Result, Review, ReviewContext,
    ReviewFinding, ReviewStage, Reviewer, Scenario, ScenarioSpec, Source, SpecScenario, StageTimings, StreamCheck,
    TaskKind, Verdict, VerifyReport, async_trait, audit, error, label, new_content_id, scenario,
};
pub use govai_ort as ort;
pub use govai_retrieval as retrieval;
/// The rule-based reviewers (`builtin_reviewers`, `reviewers_from_config`, the input screen).
pub use govai_review as reviewers;

use config::{Backend, Config, ModelEntry};
use govai_classify::GuardClassifier;
use govai_retrieval::{FaqModel, KnnRouter};

/// The configuration the demo and `Deployment::default` use, embedded in the binary.
pub const DEFAULT_CONFIG: &str = include_str!("../data/default.toml");

/// The demo batch of citizen messages (JSON Lines of [`Request`]s).
pub const DEMO_MESSAGES: &str = include_str!("../data/demo_messages.jsonl");

/// Load a deployment from a config file. Relative paths in it are relative to its directory.
pub fn load(path: impl AsRef<Path>) -> Result<Deployment> {
    let path = path.as_ref();
    let config = Config::from_file(path)?;
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    build(&config, base, &path.display().to_string())
}

/// Build a deployment from TOML text; relative paths resolve against `base_dir`.
pub fn from_toml_str(text: &str, base_dir: impl AsRef<Path>) -> Result<Deployment> {
    let config = Config::parse(text, "<config>")?;
    build(&config, base_dir.as_ref(), "<config>")
}

/// The embedded default deployment (all built-in models), auditing to `audit_path`.
pub fn default_deployment(audit_path: impl AsRef<Path>) -> Result<Deployment> {
    let mut config = Config::parse(DEFAULT_CONFIG, "<default config>")?;
    config.audit.path = audit_path.as_ref().to_owned();
    build(&config, Path::new("."), "<default config>")
}

/// The built-in classifier with default rules: what `govai scan` uses.
pub fn default_classifier() -> Arc<GuardClassifier> {
    Arc::new(GuardClassifier::default())
}

/// Build a deployment from a parsed config.
pub fn build(config: &Config, base_dir: &Path, file: &str) -> Result<Deployment> {
    let classifier: Arc<GuardClassifier> =
        Arc::new(GuardClassifier::new(config.classifier.clone()).map_err(|e| with_file(e, file))?);
    let mut builder = Deployment::builder()
        .name(config.deployment.name.clone())
        .policy(config.policy.clone())
        .labels(config.labels.clone())
        .classifier(classifier.clone());
    if let Some(ner) = &config.ner {
        let tagger = govai_ort::LacTagger::load(config::resolve(base_dir, &ner.path), &config.runtime)
            .map_err(|e| with_file(e, file))?;
        builder = builder.classifier(Arc::new(tagger));
    }
    let reviewers = govai_review::reviewers_from_config(&config.reviewers, classifier, Some(base_dir))
        .map_err(|e| with_file(e, file))?;
    for reviewer in model_reviewers::with_models(reviewers, &config.reviewers, &config.runtime, base_dir, file)? {
        builder = builder.reviewer(reviewer);
    }
    let mut seen = std::collections::BTreeSet::new();
    // Model entries naming the same embedding directory share one loaded model.
    let mut embedders = EmbedderCache::new();
    for (i, m) in config.models.iter().enumerate() {
        if !seen.insert(m.id.as_str()) {
            return Err(Error::config(file, format!("models[{i}].id"), format!("duplicate model id `{}`", m.id)));
        }
        builder = builder.model(build_model(m, &config.runtime, base_dir, file, i, &mut embedders)?);
    }
    for (i, s) in config.scenarios.iter().enumerate() {
        let spec = s.to_spec(file, i)?;
        builder = builder.scenario(Arc::new(SpecScenario(spec)), s.model.clone());
    }
    if config.audit.path.as_os_str().is_empty() {
        return Err(Error::config(file, "audit.path", "missing: where to write the audit log"));
    }
    let audit_path = config::resolve(base_dir, &config.audit.path);
    let mut options = config.audit.options.clone();
    options.anchor = options.anchor.map(|a| config::resolve(base_dir, &a));
    let (audit, _report) = AuditLog::open(&audit_path, options)?;
    builder.audit(Arc::new(audit)).build().map_err(|e| with_file(e, file))
}

/// Name the config file in a config error raised without one.
fn with_file(e: Error, file: &str) -> Error {
    match e {
        Error::Config { file: f, key, reason } if f.is_empty() => Error::config(file, key, reason),
        other => other,
    }
}

type EmbedderCache = std::collections::HashMap<std::path::PathBuf, Arc<dyn govai_retrieval::Embedder>>;

fn build_model(
    m: &ModelEntry,
    runtime: &govai_ort::RuntimeConfig,
    base_dir: &Path,
    file: &str,
    i: usize,
    embedders: &mut EmbedderCache,
) -> Result<Arc<dyn Model>> {
    let kind = match m.backend {
        Backend::Faq => ModelKind::Retrieve,
        Backend::Router => ModelKind::Classify,
        Backend::Llm | Backend::Rag => ModelKind::Generate,
    };
    let info = ModelInfo {
        id: m.id.clone(),
        version: m.version.clone(),
        kind,
        clearance: m.clearance,
        location: m.location,
        filing: m.filing.clone(),
    };
    let unexpected =
        |k: &str, b: &str| Error::config(file, format!("models[{i}].{k}"), format!("only valid for backend `{b}`"));
    let generative = matches!(m.backend, Backend::Llm | Backend::Rag);
    if !generative && (m.path.is_some() || m.generation.is_some()) {
        return Err(unexpected(if m.path.is_some() { "path" } else { "generation" }, "llm` or `rag"));
    }
    let embedder: Option<Arc<dyn govai_retrieval::Embedder>> = match &m.embedding {
        None => None,
        Some(_) if m.backend == Backend::Llm => return Err(unexpected("embedding", "faq`, `rag` or `router")),
        Some(p) => {
            let dir = config::resolve(base_dir, p);
            if !dir.is_dir() {
                return Err(Error::config(
                    file,
                    format!("models[{i}].embedding"),
                    format!(
                        "embedding model directory {} not found (prepare it with crates/govai-ort/scripts/prepare-embeddings.sh)",
                        dir.display()
                    ),
                ));
            }
            match embedders.get(&dir) {
                Some(e) => Some(e.clone()),
                None => {
                    let e: Arc<dyn govai_retrieval::Embedder> = Arc::new(embedding::OrtEmbedder::load(&dir, runtime)?);
                    embedders.insert(dir, e.clone());
                    Some(e)
                }
            }
        }
    };
    let with_embedder = |faq: FaqModel| -> Result<FaqModel> {
        match &embedder {
            Some(e) => faq.with_embedder(e.clone()),
            None => Ok(faq),
        }
    };
    let load_llm = || -> Result<govai_ort::LlmModel> {
        let dir = m.path.as_ref().ok_or_else(|| {
            Error::config(file, format!("models[{i}].path"), "missing: the converted model directory")
        })?;
        let llm = govai_ort::LlmModel::load(config::resolve(base_dir, dir), runtime)?.with_info(info.clone());
        Ok(match &m.generation {
            Some(g) => llm.with_defaults(g.clone()),
            None => llm,
        })
    };
    Ok(match m.backend {
        Backend::Llm => Arc::new(load_llm()?),
        Backend::Rag => {
            let retriever = with_embedder(match &m.knowledge_base {
                Some(p) => FaqModel::from_jsonl(config::resolve(base_dir, p), info.clone())?,
                None => FaqModel::builtin(info.clone()),
            })?;
            let llm = load_llm()?;
            let options = m.generation.clone().unwrap_or_else(|| llm.defaults().clone());
            Arc::new(rag::RagModel::new(info, retriever, llm, options))
        }
        Backend::Faq => {
            if m.examples.is_some() || m.k.is_some() {
                return Err(unexpected(if m.k.is_some() { "k" } else { "examples" }, "router"));
            }
            Arc::new(with_embedder(match &m.knowledge_base {
                Some(p) => FaqModel::from_jsonl(config::resolve(base_dir, p), info)?,
                None => FaqModel::builtin(info),
            })?)
        }
        Backend::Router => {
            if m.knowledge_base.is_some() {
                return Err(unexpected("knowledge_base", "faq"));
            }
            let k = m.k.unwrap_or(5);
            if k == 0 {
                return Err(Error::config(file, format!("models[{i}].k"), "must be at least 1"));
            }
            let router = match &m.examples {
                Some(p) => KnnRouter::from_jsonl(config::resolve(base_dir, p), k, info)?,
                None => KnnRouter::builtin(k, info),
            };
            Arc::new(match embedder {
                Some(e) => router.with_embedder(e)?,
                None => router,
            })
        }
    })
}
