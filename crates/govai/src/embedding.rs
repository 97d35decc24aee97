//! The adapter that lets govai-retrieval's hybrid retrieval use a sentence-embedding model run
//! on ONNX Runtime: [`OrtEmbedder`] implements [`govai_retrieval::Embedder`] over
//! [`govai_ort::EmbeddingModel`] (govai-retrieval itself does not depend on `ort`).
//!
//! ```no_run
//! use std::sync::Arc;
//! use govai::embedding::OrtEmbedder;
//! use govai::retrieval::FaqModel;
//! # fn main() -> govai::Result<()> {
//! let embedder = OrtEmbedder::load("models/use-multilingual", &govai::ort::RuntimeConfig::default())?;
//! let faq = FaqModel::builtin(FaqModel::default_info()).with_embedder(Arc::new(embedder))?;
//! println!("{}", faq.answer("开车的本子丢了怎么补？", &[]).text);
//! # Ok(()) }
//! ```

use std::path::Path;

use govai_core::{Error, Result};
use govai_ort::{EmbeddingModel, RuntimeConfig};
use govai_retrieval::Embedder;

/// A [`govai_ort::EmbeddingModel`] as an [`Embedder`].
///
/// Texts are embedded in the model's configured batches. The multilingual USE quantises its
/// activations per batch (models.md §3), so a text's vector can differ by about ±0.005 cosine
/// with the batch it is in; a given list of texts always gives the same vectors, and a query
/// (embedded alone) always gives the same vector.
#[derive(Debug)]
pub struct OrtEmbedder {
    model: EmbeddingModel,
}

impl OrtEmbedder {
    pub fn new(model: EmbeddingModel) -> Self {
        Self { model }
    }

    /// Load a prepared embedding model directory (model.onnx, tokenizer.json, config.json, as
    /// written by crates/govai-ort/scripts/prepare-embeddings.sh). A missing directory is an
    /// `io` error naming it.
    pub fn load(dir: impl AsRef<Path>, runtime: &RuntimeConfig) -> Result<Self> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "embedding model directory not found (prepare it with crates/govai-ort/scripts/prepare-embeddings.sh)",
                ),
            ));
        }
        Ok(Self::new(EmbeddingModel::load(dir, runtime)?))
    }

    pub fn model(&self) -> &EmbeddingModel {
        &self.model
    }
}

impl Embedder for OrtEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.model.embed(texts)
    }
}
