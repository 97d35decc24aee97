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
pub mod attribution;
pub mod config;
pub mod deidentify;
pub mod documents;
pub mod embedding;
pub mod grounding_eval;
pub mod model_reviewers;
pub mod rag;
mod remote;
pub mod safety_model;
pub mod server_config;

use std::path::Path;
use std::sync::Arc;

pub use deidentify::{HASH_KEY_ENV, HashKey, mask_text, operator_from_spec};
/// The rule-based data classifier (`GuardClassifier`, recognizers, level rules, operators).
pub use govai_classify as recognize;
pub use govai_core::{
    AiLabel, AuditLog, AuditOptions, AuditReceipt, AuditRecord, Canary, Cancel, Category, Classification,
    ConversationLimits, DataClassifier, DataLevel, Deployment, DeploymentBuilder, Error, ErrorKind, Escalation,
    Feedback, Filing, Finding, FsyncPolicy, GateAction, GateDecision, GateRule, InferenceInput, InferenceOutput,
    InferenceSink, InputCheck, InputDecision, LabelConfig, LabelFormat, LayerReview, Location, MAX_FILE_BYTES,
    MAX_FINDINGS, MAX_LINE_BYTES, MAX_REQUEST_BYTES, MAX_TURNS, Message, Model, ModelInfo, ModelKind, ModelRef,
    NoticePosition, Outcome, OverClearance, Policy, Pseudonymize, ReferenceAnswers, ReferenceHit, Request, Response,
    Result, Review, ReviewContext, ReviewFinding, ReviewStage, Reviewer, Role, Scenario, ScenarioSpec, Source,
    SpecScenario, StageTimings, StreamCheck, StreamReport, TaskKind, TextCallback, TokenUsage, Verdict, VerifyReport,
    async_trait, audit, error, io, label, new_content_id, scenario,
};
/// The remote model backend (`backend = "openai"`).
pub use govai_openai as openai;
pub use govai_ort as ort;
pub use govai_retrieval as retrieval;
/// The rule-based reviewers (`builtin_reviewers`, `reviewers_from_config`, the input screen).
pub use govai_review as reviewers;

use config::{Config, ModelEntry};
use govai_classify::GuardClassifier;
use govai_retrieval::{FaqModel, KnnRouter};

/// The configuration the demo and `Deployment::default` use, embedded in the binary.
pub const DEFAULT_CONFIG: &str = include_str!("../data/default.toml");

/// The demo batch of citizen messages (JSON Lines of [`Request`]s).
pub const DEMO_MESSAGES: &str = include_str!("../data/demo_messages.jsonl");

/// The demo conversation (a JSON array of [`Message`]s): an ID number in turn 1, a follow-up
/// question in turn 3 that names its topic only through turn 1.
pub const DEMO_CONVERSATION: &str = include_str!("../data/demo_conversation.json");

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

/// The reviewers a config's `[reviewers.*]` tables describe, models loaded where they ask for
/// them: what a deployment registers, and what `govai review --config` runs.
pub fn build_reviewers(
    config: &Config,
    classifier: Arc<GuardClassifier>,
    base_dir: &Path,
    file: &str,
) -> Result<Vec<Arc<dyn Reviewer>>> {
    let reviewers = govai_review::reviewers_from_config(&config.reviewers, classifier, Some(base_dir))
        .map_err(|e| with_file(e, file))?;
    let reviewers = model_reviewers::with_models(reviewers, &config.reviewers, &config.runtime, base_dir, file)?;
    safety_model::attach(reviewers, &config.reviewers.safety_classifier, &config.runtime, base_dir, file)
}

/// Build a deployment from a parsed config.
pub fn build(config: &Config, base_dir: &Path, file: &str) -> Result<Deployment> {
    build_parts(config, base_dir, file).map(|parts| parts.deployment)
}

/// A deployment and the models a server keeps a hand on.
#[derive(Debug)]
pub struct Parts {
    /// The deployment.
    pub deployment: Deployment,
    /// The remote models (`backend = "openai"`), whose upstream statistics and circuit state a
    /// server reports.
    pub remotes: Vec<Arc<govai_openai::OpenAiModel>>,
    /// The retrievers of the `faq` and `rag` models, by model id: replacing the knowledge base
    /// of one ([`FaqModel::replace_knowledge_base`]) changes what that model answers from.
    pub retrievers: Vec<(String, FaqModel)>,
}

/// As [`build`], also returning the models a server keeps a hand on ([`Parts`]).
pub fn build_parts(config: &Config, base_dir: &Path, file: &str) -> Result<Parts> {
    build_parts_with_audit(config, base_dir, file, None)
}

/// As [`build_parts`]; with `audit`, the deployment appends to that already open log instead
/// of opening `[audit]` (a server reloading its config keeps one chain).
pub fn build_parts_with_audit(
    config: &Config,
    base_dir: &Path,
    file: &str,
    audit: Option<Arc<AuditLog>>,
) -> Result<Parts> {
    let classifier: Arc<GuardClassifier> =
        Arc::new(GuardClassifier::new(config.classifier.clone()).map_err(|e| with_file(e, file))?);
    let mut builder = Deployment::builder()
        .name(config.deployment.name.clone())
        .policy(config.policy.clone())
        .labels(config.labels.clone())
        .conversations(config.conversations.limits())
        .classifier(classifier.clone());
    if let Some(ner) = &config.ner {
        let tagger = govai_ort::LacTagger::load(config::resolve(base_dir, &ner.path), &config.runtime)
            .map_err(|e| with_file(e, file))?;
        builder = builder.classifier(Arc::new(tagger));
    }
    for reviewer in build_reviewers(config, classifier, base_dir, file)? {
        builder = builder.reviewer(reviewer);
    }
    let mut seen = std::collections::BTreeSet::new();
    // Model entries naming the same embedding directory share one loaded model.
    let mut embedders = EmbedderCache::new();
    // The models built so far: a remote model's fallbacks are among them.
    let mut built: Vec<Arc<dyn Model>> = Vec::new();
    let mut remotes = Vec::new();
    let mut retrievers = Vec::new();
    for (index, m) in config.models.iter().enumerate() {
        if !seen.insert(m.id()) {
            return Err(Error::config(file, format!("models[{index}].id"), format!("duplicate model id `{}`", m.id())));
        }
        let cx = ModelContext { runtime: &config.runtime, policy: &config.policy, base_dir, file, index };
        let model = match m {
            ModelEntry::OpenAi(e) => {
                let remote = remote::build(e, m.info(), &built, cx.policy, cx.file, cx.index)?;
                remotes.push(remote.clone());
                remote as Arc<dyn Model>
            }
            _ => build_model(m, &cx, &mut embedders, &mut retrievers)?,
        };
        built.push(model.clone());
        builder = builder.model(model);
    }
    for (i, s) in config.scenarios.iter().enumerate() {
        let spec = s.to_spec(file, i)?;
        builder = builder.scenario(Arc::new(SpecScenario(spec)), s.model.clone());
    }
    // Checklists are checked here so that a bad one fails loading, not the first submission.
    documents::Checklists::from_config(config, file)?;
    let audit = match audit {
        Some(open) => open,
        None => Arc::new(open_audit(config, base_dir, file)?),
    };
    if let Some(seed) = config.deployment.rollout_seed {
        builder = builder.rollout_seed(seed);
    }
    let deployment = builder.audit(audit).build().map_err(|e| with_file(e, file))?;
    for (i, s) in config.scenarios.iter().enumerate() {
        if let Some(c) = &s.canary {
            deployment
                .set_canary(&s.id, &c.model, c.percent)
                .map_err(|e| Error::config(file, format!("scenarios[{i}].canary"), e.to_string()))?;
        }
    }
    Ok(Parts { deployment, remotes, retrievers })
}

/// The audit log a config's `[audit]` describes, its paths resolved against `base_dir`. What
/// opening found (a created directory, a repaired tail) is kept in the log's `open_report()`.
pub fn open_audit(config: &Config, base_dir: &Path, file: &str) -> Result<AuditLog> {
    if config.audit.path.as_os_str().is_empty() {
        return Err(Error::config(file, "audit.path", "missing: where to write the audit log"));
    }
    let audit_path = config::resolve(base_dir, &config.audit.path);
    let mut options = config.audit.options.clone();
    options.anchor = options.anchor.map(|a| config::resolve(base_dir, &a));
    options.signing_key = options.signing_key.map(|k| config::resolve(base_dir, &k));
    options.checkpoint_witness = options.checkpoint_witness.map(|w| config::resolve(base_dir, &w));
    Ok(AuditLog::open(&audit_path, options)?.0)
}

/// How `[audit]` is checked: its anchor, the public key of its signing key, its checkpoint
/// witness, paths resolved against `base_dir` (what `govai audit verify` would be given).
pub fn audit_verify_options(config: &Config, base_dir: &Path) -> audit::VerifyOptions {
    let o = &config.audit.options;
    let resolve = |p: &std::path::PathBuf| config::resolve(base_dir, p);
    audit::VerifyOptions {
        anchor: o.anchor.as_ref().map(resolve),
        pubkey: o.signing_key.as_ref().map(|k| audit::public_key_path(&resolve(k))),
        witness: o.checkpoint_witness.as_ref().map(resolve),
    }
}

/// Name the config file in a config error raised without one.
fn with_file(e: Error, file: &str) -> Error {
    match e {
        Error::Config { file: f, key, reason } if f.is_empty() => Error::config(file, key, reason),
        other => other,
    }
}

type EmbedderCache = std::collections::HashMap<std::path::PathBuf, Arc<dyn govai_retrieval::Embedder>>;

/// What building one model needs besides its entry: where paths resolve and errors point.
struct ModelContext<'a> {
    runtime: &'a govai_ort::RuntimeConfig,
    policy: &'a Policy,
    base_dir: &'a Path,
    file: &'a str,
    index: usize,
}

impl ModelContext<'_> {
    fn key(&self, k: &str) -> String {
        format!("models[{}].{k}", self.index)
    }

    /// The shared embedder of `dir` (loaded once per directory), or None without one.
    fn embedder(
        &self,
        dir: Option<&Path>,
        embedders: &mut EmbedderCache,
    ) -> Result<Option<Arc<dyn govai_retrieval::Embedder>>> {
        let Some(p) = dir else { return Ok(None) };
        let dir = config::resolve(self.base_dir, p);
        if !dir.is_dir() {
            return Err(Error::config(
                self.file,
                self.key("embedding"),
                format!(
                    "embedding model directory {} not found (prepare it with crates/govai-ort/scripts/prepare-embeddings.sh)",
                    dir.display()
                ),
            ));
        }
        if let Some(e) = embedders.get(&dir) {
            return Ok(Some(e.clone()));
        }
        let e: Arc<dyn govai_retrieval::Embedder> = Arc::new(embedding::OrtEmbedder::load(&dir, self.runtime)?);
        embedders.insert(dir, e.clone());
        Ok(Some(e))
    }

    /// The FAQ retriever over `knowledge_base` (default: the shipped one), hybrid with `embedder`.
    fn faq(
        &self,
        knowledge_base: Option<&Path>,
        info: ModelInfo,
        embedder: Option<Arc<dyn govai_retrieval::Embedder>>,
    ) -> Result<FaqModel> {
        let faq = match knowledge_base {
            Some(p) => FaqModel::from_jsonl(config::resolve(self.base_dir, p), info)?,
            None => FaqModel::builtin(info),
        };
        match embedder {
            Some(e) => faq.with_embedder(e),
            None => Ok(faq),
        }
    }

    fn llm(
        &self,
        dir: &Path,
        generation: Option<&govai_ort::GenerateOptions>,
        info: ModelInfo,
    ) -> Result<govai_ort::LlmModel> {
        let llm = govai_ort::LlmModel::load(config::resolve(self.base_dir, dir), self.runtime)?.with_info(info);
        Ok(match generation {
            Some(g) => llm.with_defaults(g.clone()),
            None => llm,
        })
    }
}

/// A local model (remote ones are built by [`remote::build`]).
/// The retrievers of `faq` and `rag` models are added to `retrievers`.
fn build_model(
    m: &ModelEntry,
    cx: &ModelContext<'_>,
    embedders: &mut EmbedderCache,
    retrievers: &mut Vec<(String, FaqModel)>,
) -> Result<Arc<dyn Model>> {
    let info = m.info();
    Ok(match m {
        ModelEntry::OpenAi(_) => return Err(Error::Internal("remote models are built with their fallbacks".into())),
        ModelEntry::Llm(e) => Arc::new(cx.llm(&e.path, e.generation.as_ref(), info)?),
        ModelEntry::Rag(e) => {
            let embedder = cx.embedder(e.embedding.as_deref(), embedders)?;
            let retriever = cx.faq(e.knowledge_base.as_deref(), info.clone(), embedder)?;
            retrievers.push((info.id.clone(), retriever.clone()));
            let llm = cx.llm(&e.path, e.generation.as_ref(), info.clone())?;
            let options = e.generation.clone().unwrap_or_else(|| llm.defaults().clone());
            Arc::new(rag::RagModel::new(info, retriever, llm, options))
        }
        ModelEntry::Faq(e) => {
            let embedder = cx.embedder(e.embedding.as_deref(), embedders)?;
            let faq = cx.faq(e.knowledge_base.as_deref(), info.clone(), embedder)?;
            retrievers.push((info.id, faq.clone()));
            Arc::new(faq)
        }
        ModelEntry::Router(e) => {
            if e.k == 0 {
                return Err(Error::config(cx.file, cx.key("k"), "must be at least 1"));
            }
            let router = match &e.examples {
                Some(p) => KnnRouter::from_jsonl(config::resolve(cx.base_dir, p), e.k, info)?,
                None => KnnRouter::builtin(e.k, info),
            };
            Arc::new(match cx.embedder(e.embedding.as_deref(), embedders)? {
                Some(e) => router.with_embedder(e)?,
                None => router,
            })
        }
    })
}
