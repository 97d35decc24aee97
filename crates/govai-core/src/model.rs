//! The `Model` trait: anything that turns a (masked) prompt into an output.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::level::{DataLevel, Location};

/// What a model does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Text generation (a large model).
    Generate,
    /// Extractive answering over a knowledge base (retrieval + passage selection).
    Retrieve,
    /// Sentence embeddings.
    Embed,
    /// Sequence classification (labels).
    Classify,
    /// Token tagging (NER).
    Tag,
}

/// The filing record that the labelling and filing rules require a service to display
/// (算法备案 / 登记: "注明模型名称及备案号").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    /// 备案号 or 登记号; empty for a model that needs none (a project-internal extractive model).
    #[serde(default)]
    pub number: String,
    /// The provider named in the filing.
    #[serde(default)]
    pub provider: String,
}

/// Identity and placement of a model. The gate uses `clearance` and `location`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Unique model id in the deployment; scenarios name their model by it.
    pub id: String,
    /// Model version, recorded with every answer.
    pub version: String,
    /// What the model does.
    pub kind: ModelKind,
    /// The highest data level this model may receive. Never `Secret` in effect: the gate
    /// refuses secret data whatever the clearance says.
    pub clearance: DataLevel,
    /// Where the model runs; the policy caps the level each location may receive.
    pub location: Location,
    /// The model's filing (备案) record, shown with its answers.
    pub filing: Filing,
}

/// A passage the model used, cited in the answer as `[n]` where n = `index`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// 1-based citation index as it appears in the answer text.
    pub index: usize,
    /// Stable id of the document in its knowledge base.
    pub id: String,
    /// Title of the document the passage comes from.
    pub title: String,
    /// The passage text that supports the answer.
    pub text: String,
    /// Link to the document, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Retrieval score (model-specific scale).
    pub score: f32,
}

/// What the pipeline hands a model after classification, gating and masking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InferenceInput {
    /// The scenario being served.
    pub scenario_id: String,
    /// The rendered prompt (already masked where the policy said so).
    pub prompt: String,
    /// The user's text alone (masked), for models that retrieve on the question.
    pub query: String,
    /// Sentences or passages the caller attached as authorised sources (masked).
    pub documents: Vec<String>,
    /// The conversation before the question, oldest first (masked; system turns only when the
    /// caller may send them). Chat models render it through their template before the prompt.
    #[serde(default)]
    pub history: Vec<crate::request::Message>,
}

/// A model's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InferenceOutput {
    /// The answer text, with the input's placeholders as received (the pipeline restores them).
    pub text: String,
    /// Sources cited in `text`.
    pub sources: Vec<Source>,
    /// Class label for classification/routing models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Model confidence in `[0, 1]` where the model has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Tokens read and written, where the model reports them (remote services do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<TokenUsage>,
    /// The model that actually answered, when it is not the one the scenario names (a remote
    /// model's fallback answered instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by: Option<crate::response::ModelRef>,
    /// The knowledge-base version the sources were taken from, when the knowledge base is
    /// versioned (a deployment whose store manages it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb_version: Option<u64>,
}

/// Tokens a model read (the prompt) and wrote (the answer), as it reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Tokens of the prompt (every turn sent).
    pub prompt_tokens: u64,
    /// Tokens of the answer.
    pub completion_tokens: u64,
}

/// A model: a local ONNX model, the built-in extractive answerer, or a remote shared model
/// service. Async because a remote service is I/O; local models do their work synchronously
/// (the pipeline's blocking facade drives the future).
#[async_trait]
pub trait Model: Send + Sync {
    /// Identity, clearance and location: what the gate checks before sending anything.
    fn info(&self) -> &ModelInfo;
    /// Answer one input.
    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput>;

    /// Like [`infer`](Self::infer), reporting the sources and then the text piece by piece as
    /// it is produced; stops early when the sink says so (the returned output then holds what
    /// was produced). The default runs `infer` and reports the whole answer at once: models
    /// that generate token by token override it.
    async fn infer_stream(&self, input: &InferenceInput, sink: &mut dyn InferenceSink) -> Result<InferenceOutput> {
        let out = self.infer(input).await?;
        sink.sources(&out.sources);
        let _ = sink.text(&out.text);
        Ok(out)
    }
}

/// Receives a model's streamed answer.
pub trait InferenceSink: Send {
    /// The sources the answer will cite; called before any text when the model knows them
    /// first (retrieval), so the text can be reviewed against them as it arrives.
    fn sources(&mut self, sources: &[Source]);
    /// A piece of the answer: whole UTF-8 characters. `Break` asks the model to stop.
    fn text(&mut self, piece: &str) -> std::ops::ControlFlow<()>;
}

impl std::fmt::Debug for dyn Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("info", self.info()).finish()
    }
}
