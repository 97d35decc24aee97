//! Generic sequence classifiers: a text encoder whose graph ends in one score per label
//! (`[b, labels]`, or `[b]` for a single sigmoid label), e.g. the prompt-injection head on the
//! stripped multilingual USE (`models/injection-use`, built by
//! `crates/govai-ort/scripts/prepare-injection.sh`).
//!
//! A model directory holds `model.onnx`, `tokenizer.json` and `config.json`:
//!
//! ```json
//! {"architecture": "use-multilingual+logreg", "inputs": "use", "output": "logits",
//!  "labels": ["benign", "injection"], "activation": "softmax", "max_length": 256}
//! ```
//!
//! `inputs` is `bert` or `ragged` / `use` ([`InputLayout`]); `activation` is `softmax` (one
//! label per text, at least two labels), `sigmoid` (independent labels) or `none` (the graph
//! already outputs probabilities). The label count is checked against the graph at load time by
//! classifying one probe text.

use std::path::{Path, PathBuf};

use govai_core::{Error, InferenceInput, InferenceOutput, Model, ModelInfo, ModelKind, Result};
use serde::{Deserialize, Serialize};

use crate::encode::{InputLayout, TextEncoder, TextModelParts, load_text_model};
use crate::generate::read_json;
use crate::runtime::{RuntimeConfig, SessionPool};

/// What turns the graph's scores into probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// Softmax over the labels: exactly one label per text.
    Softmax,
    /// A sigmoid per label: independent labels (multi-label, or one binary label).
    Sigmoid,
    /// The graph's output is already a probability per label.
    None,
}

/// `config.json` of a classifier directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifierConfig {
    /// Free-form model family (e.g. `use-multilingual+logreg`); used in error messages only.
    #[serde(default)]
    pub architecture: String,
    /// How the graph takes its tokens.
    pub inputs: InputLayout,
    /// Name of the output holding one score per label: `[b, labels]` (or `[b]` for one label).
    pub output: String,
    /// Label names, in the order of the output's last axis.
    pub labels: Vec<String>,
    /// How the output's scores become probabilities.
    pub activation: Activation,
    /// Tokens per text after truncation (special tokens included).
    #[serde(default = "default_max_length")]
    pub max_length: usize,
    /// Texts per forward pass.
    #[serde(default = "default_batch")]
    pub batch_size: usize,
}

fn default_max_length() -> usize {
    256
}
fn default_batch() -> usize {
    32
}

/// The probabilities of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// `(label, probability)` in the config's label order.
    pub scores: Vec<(String, f32)>,
}

impl Classification {
    /// The most probable label and its probability (the first on ties).
    pub(crate) fn top(&self) -> (&str, f32) {
        let mut best = (0usize, f32::NEG_INFINITY);
        for (i, (_, p)) in self.scores.iter().enumerate() {
            if *p > best.1 {
                best = (i, *p);
            }
        }
        self.scores.get(best.0).map(|(l, p)| (l.as_str(), *p)).unwrap_or(("", 0.0))
    }

    /// The probability of `label`, if the model has it.
    pub fn prob(&self, label: &str) -> Option<f32> {
        self.scores.iter().find(|(l, _)| l == label).map(|(_, p)| *p)
    }
}

/// A loaded sequence classifier (`Send + Sync`, used through `&self`; concurrent calls share the
/// runtime's session pool).
#[derive(Debug)]
pub struct SequenceClassifier {
    info: ModelInfo,
    dir: PathBuf,
    config: ClassifierConfig,
    encoder: TextEncoder,
    pool: SessionPool,
}

impl SequenceClassifier {
    /// Load a classifier directory (`model.onnx`, `tokenizer.json`, `config.json`) on the process
    /// runtime, checking the config against the graph and running one probe text.
    pub fn load(dir: impl AsRef<Path>, runtime: &RuntimeConfig) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "classifier".into());
        let config: ClassifierConfig = read_json(&id, &dir.join("config.json"))?;
        let bad = |reason: String| Error::model(&id, format!("{}: {reason}", dir.join("config.json").display()));
        if config.batch_size == 0 || config.max_length < 2 {
            return Err(bad("batch_size must be >= 1 and max_length >= 2".into()));
        }
        if config.labels.is_empty() {
            return Err(bad("`labels` is empty".into()));
        }
        if config.activation == Activation::Softmax && config.labels.len() < 2 {
            return Err(bad(format!(
                "softmax needs at least two labels, got {:?}; use `sigmoid` for one binary label",
                config.labels
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = config.labels.iter().find(|l| !seen.insert(l.as_str())) {
            return Err(bad(format!("duplicate label `{dup}`")));
        }
        let TextModelParts { pool, encoder, info } =
            load_text_model(&id, &dir, config.max_length, config.inputs, &config.output, ModelKind::Classify, runtime)?;
        let model = Self { info, dir, config, encoder, pool };
        // The probe checks that the output has one score per configured label.
        model.classify_batch(&["probe"])?;
        Ok(model)
    }

    /// The directory the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// The directory's `config.json`.
    pub fn config(&self) -> &ClassifierConfig {
        &self.config
    }
    /// Label names, in output order (`config.labels`).
    pub fn labels(&self) -> &[String] {
        &self.config.labels
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        Error::model(&self.info.id, reason)
    }

    /// The probabilities of each text, in order (batched by `config.batch_size`).
    pub fn classify(&self, texts: &[&str]) -> Result<Vec<Classification>> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(self.config.batch_size) {
            out.extend(self.classify_batch(chunk)?);
        }
        Ok(out)
    }

    /// One text.
    pub fn classify_one(&self, text: &str) -> Result<Classification> {
        self.classify_batch(&[text])?.pop().ok_or_else(|| self.err("no result for one text"))
    }

    /// The probability of `label` for each text; an unknown label is an error.
    pub fn probability(&self, texts: &[&str], label: &str) -> Result<Vec<f32>> {
        let i = self
            .config
            .labels
            .iter()
            .position(|l| l == label)
            .ok_or_else(|| self.err(format!("no label `{label}` (labels: {:?})", self.config.labels)))?;
        Ok(self.classify(texts)?.into_iter().map(|c| c.scores[i].1).collect())
    }

    fn classify_batch(&self, texts: &[&str]) -> Result<Vec<Classification>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let oerr = |e: ort::Error| self.err(e.to_string());
        let b = texts.len();
        let n = self.config.labels.len();
        let (inputs, _) = self.encoder.feed(texts)?;
        let mut session = self.pool.get();
        let outputs = session.run(inputs).map_err(oerr)?;
        let (shape, data) = outputs[self.config.output.as_str()].try_extract_tensor::<f32>().map_err(oerr)?;
        let dims: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
        let fits = match dims.as_slice() {
            [bb, k] => *bb == b && *k == n,
            [bb] => *bb == b && n == 1,
            _ => false,
        };
        if !fits {
            return Err(self.err(format!(
                "output `{}` has shape {dims:?} for {b} text(s), expected [{b}, {n}] for the {n} configured label(s) {:?}",
                self.config.output, self.config.labels
            )));
        }
        Ok(data
            .chunks(n)
            .map(|row| {
                let probs = activate(self.config.activation, row);
                Classification { scores: self.config.labels.iter().cloned().zip(probs).collect() }
            })
            .collect())
    }
}

/// Scores -> probabilities.
pub(crate) fn activate(activation: Activation, scores: &[f32]) -> Vec<f32> {
    match activation {
        Activation::None => scores.to_vec(),
        Activation::Sigmoid => scores.iter().map(|&x| 1.0 / (1.0 + (-x).exp())).collect(),
        Activation::Softmax => {
            let m = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f32> = scores.iter().map(|&x| (x - m).exp()).collect();
            let s: f32 = e.iter().sum();
            e.iter().map(|x| x / s).collect()
        }
    }
}

#[async_trait::async_trait]
impl Model for SequenceClassifier {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Classifies `input.query` (or `input.prompt` when the query is empty): `label` and
    /// `confidence` are the top label and its probability; `text` is the full distribution as a
    /// JSON object `{label: probability}`.
    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        let text = if input.query.is_empty() { &input.prompt } else { &input.query };
        let c = self.classify_one(text)?;
        let (label, confidence) = c.top();
        let map: serde_json::Map<String, serde_json::Value> =
            c.scores.iter().map(|(l, p)| (l.clone(), serde_json::Value::from(f64::from(*p)))).collect();
        Ok(InferenceOutput {
            text: serde_json::Value::Object(map).to_string(),
            sources: Vec::new(),
            label: Some(label.to_owned()),
            confidence: Some(confidence),
            ..InferenceOutput::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activations() {
        let s = activate(Activation::Softmax, &[1.0, 1.0]);
        assert_eq!(s, vec![0.5, 0.5]);
        let s = activate(Activation::Softmax, &[1000.0, 0.0]);
        assert!((s[0] - 1.0).abs() < 1e-6 && s[1] < 1e-6);
        assert_eq!(activate(Activation::Sigmoid, &[0.0]), vec![0.5]);
        assert_eq!(activate(Activation::None, &[0.2, 0.9]), vec![0.2, 0.9]);
    }

    #[test]
    fn top_and_prob() {
        let c = Classification { scores: vec![("a".into(), 0.2), ("b".into(), 0.7), ("c".into(), 0.1)] };
        assert_eq!(c.top(), ("b", 0.7));
        assert_eq!(c.prob("c"), Some(0.1));
        assert_eq!(c.prob("z"), None);
    }

    #[test]
    fn config_layout_aliases() {
        let c: ClassifierConfig = serde_json::from_str(
            r#"{"inputs": "use", "output": "logits", "labels": ["x", "y"], "activation": "softmax"}"#,
        )
        .expect("parses");
        assert_eq!(c.inputs, InputLayout::Ragged);
        assert_eq!((c.max_length, c.batch_size), (256, 32));
        assert!(
            serde_json::from_str::<ClassifierConfig>(
                r#"{"inputs": "bert", "output": "o", "labels": ["x"], "activation": "relu"}"#
            )
            .is_err()
        );
    }
}
