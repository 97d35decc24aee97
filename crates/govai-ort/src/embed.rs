//! Sentence embeddings: BERT-style encoders (all-MiniLM-L6-v2: `input_ids`, `attention_mask`,
//! `token_type_ids` -> `last_hidden_state`, mean pooling) and ragged-input encoders (the
//! stripped multilingual USE: `token_ids` int32 [n], `row_splits` int64 [b+1] -> `outputs`).

use std::path::{Path, PathBuf};

use govai_core::{Error, InferenceInput, InferenceOutput, Model, ModelInfo, ModelKind, Result};
use serde::{Deserialize, Serialize};

use crate::encode::{InputLayout, TextEncoder, TextModelParts, load_text_model};
use crate::generate::read_json;
use crate::runtime::{RuntimeConfig, SessionPool};

/// How the model takes its tokens (the shared [`InputLayout`]; kept under this name).
pub(crate) type EmbeddingInputs = InputLayout;

/// Pooling of token vectors into one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// Masked mean over tokens ([b, len, d] output).
    Mean,
    /// The first token's vector.
    Cls,
    /// The model already outputs [b, d].
    None,
}

/// `config.json` of an embedding model directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingConfig {
    /// Free-form model family (e.g. `bert`); informational.
    #[serde(default)]
    pub architecture: String,
    /// How the graph takes its tokens.
    pub inputs: EmbeddingInputs,
    /// Name of the output to read.
    pub output: String,
    /// How token vectors become one sentence vector.
    pub pooling: Pooling,
    /// L2-normalise the result.
    #[serde(default = "yes")]
    pub normalize: bool,
    /// Length of every sentence vector; a model output of another length is an error.
    pub dimension: usize,
    /// Tokens per text after truncation (special tokens included).
    #[serde(default = "default_max_length")]
    pub max_length: usize,
    /// Texts per forward pass.
    #[serde(default = "default_batch")]
    pub batch_size: usize,
}

fn yes() -> bool {
    true
}
fn default_max_length() -> usize {
    256
}
fn default_batch() -> usize {
    32
}

/// A loaded sentence-embedding model: `model.onnx`, `tokenizer.json`, `config.json`.
#[derive(Debug)]
pub struct EmbeddingModel {
    info: ModelInfo,
    dir: PathBuf,
    config: EmbeddingConfig,
    encoder: TextEncoder,
    pool: SessionPool,
}

impl EmbeddingModel {
    /// Load an embedding model directory on the process runtime, checking the config against the
    /// graph.
    pub fn load(dir: impl AsRef<Path>, runtime: &RuntimeConfig) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "embedding".into());
        let config: EmbeddingConfig = read_json(&id, &dir.join("config.json"))?;
        if config.batch_size == 0 || config.max_length < 2 {
            return Err(Error::model(&id, "config.json: batch_size must be >= 1 and max_length >= 2"));
        }
        let TextModelParts { pool, encoder, info } =
            load_text_model(&id, &dir, config.max_length, config.inputs, &config.output, ModelKind::Embed, runtime)?;
        Ok(Self { info, dir, config, encoder, pool })
    }

    /// The directory the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// The directory's `config.json`.
    pub fn config(&self) -> &EmbeddingConfig {
        &self.config
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        Error::model(&self.info.id, reason)
    }

    /// One vector per text, in order (batched by `config.batch_size`).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(self.config.batch_size) {
            out.extend(self.embed_batch(chunk)?);
        }
        Ok(out)
    }

    /// One text.
    pub fn embed_one(&self, text: &str) -> Result<Vec<f32>> {
        Ok(self.embed_batch(&[text])?.remove(0))
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let oerr = |e: ort::Error| self.err(e.to_string());
        let b = texts.len();
        let (inputs, mask_rows) = self.encoder.feed(texts)?;
        let mut session = self.pool.get();
        let outputs = session.run(inputs).map_err(oerr)?;
        let (shape, data) = outputs[self.config.output.as_str()].try_extract_tensor::<f32>().map_err(oerr)?;
        let dims: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
        let mut vecs = match (self.config.pooling, dims.as_slice()) {
            (Pooling::None, [bb, d]) if *bb == b => {
                (0..b).map(|r| data[r * d..(r + 1) * d].to_vec()).collect::<Vec<_>>()
            }
            (Pooling::Mean, [bb, len, d]) if *bb == b => mean_pool(data, &mask_rows, *len, *d),
            (Pooling::Cls, [bb, len, d]) if *bb == b => {
                (0..b).map(|r| data[r * len * d..r * len * d + d].to_vec()).collect()
            }
            (p, _) => return Err(self.err(format!("output shape {dims:?} does not fit pooling {p:?}"))),
        };
        if vecs.first().is_some_and(|v| v.len() != self.config.dimension) {
            return Err(self.err(format!(
                "vectors have {} dimensions, config says {}",
                vecs[0].len(),
                self.config.dimension
            )));
        }
        if self.config.normalize {
            vecs.iter_mut().for_each(|v| l2_normalize(v));
        }
        Ok(vecs)
    }
}

/// Masked mean over `[b, len, d]` token vectors.
pub(crate) fn mean_pool(data: &[f32], mask: &[Vec<i64>], len: usize, d: usize) -> Vec<Vec<f32>> {
    mask.iter()
        .enumerate()
        .map(|(r, m)| {
            let mut acc = vec![0f32; d];
            let mut n = 0f32;
            for (t, &on) in m.iter().enumerate().take(len) {
                if on != 0 {
                    let row = &data[(r * len + t) * d..(r * len + t + 1) * d];
                    acc.iter_mut().zip(row).for_each(|(a, x)| *a += x);
                    n += 1.0;
                }
            }
            let n = n.max(1e-9);
            acc.iter_mut().for_each(|a| *a /= n);
            acc
        })
        .collect()
}

pub(crate) fn l2_normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 1e-12 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na * nb) }
}

#[async_trait::async_trait]
impl Model for EmbeddingModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Embeds `input.query` (or `input.prompt` when the query is empty); the vector is returned
    /// as a JSON array in `text`.
    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        let text = if input.query.is_empty() { &input.prompt } else { &input.query };
        let v = self.embed_one(text)?;
        let json = serde_json::to_string(&v).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(InferenceOutput { text: json, ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_pool_ignores_padding() {
        // b=2, len=3, d=2; second row has one pad token.
        let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 10.0, 10.0, 20.0, 20.0, 99.0, 99.0];
        let out = mean_pool(&data, &[vec![1, 1, 1], vec![1, 1, 0]], 3, 2);
        assert_eq!(out, vec![vec![3.0, 4.0], vec![15.0, 15.0]]);
    }

    #[test]
    fn normalize_and_cosine() {
        let mut v = vec![3.0, 4.0];
        l2_normalize(&mut v);
        assert_eq!(v, vec![0.6, 0.8]);
        assert!((cosine(&[1.0, 0.0], &[1.0, 1.0]) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    }
}
