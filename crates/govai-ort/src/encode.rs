//! Text -> model inputs, shared by the encoders that read whole texts ([`crate::EmbeddingModel`],
//! [`crate::SequenceClassifier`]): the tokenizer with truncation, the input layout check against
//! the graph, and the feed of one batch.
//!
//! Two layouts:
//! - [`InputLayout::Bert`]: `input_ids`, `attention_mask` (+ `token_type_ids` when the graph has
//!   it), int64 `[b, len]`, right-padded with id 0;
//! - [`InputLayout::Ragged`] (config name `ragged` or `use`): `token_ids` int32 `[total tokens]`
//!   (the batch concatenated) and `row_splits` int64 `[b+1]` — the stripped multilingual USE.

use std::borrow::Cow;
use std::path::Path;

use govai_core::{DataLevel, Error, Filing, Location, ModelInfo, ModelKind, Result};
use ort::session::SessionInputValue;
use ort::value::Tensor;
use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use crate::runtime::{Runtime, RuntimeConfig, SessionPool};

/// What a text model (`model.onnx` + `tokenizer.json` in `dir`) needs to run: its session pool,
/// its encoder, and default model info (internal clearance, on premises; deployments override).
pub(crate) struct TextModelParts {
    pub pool: SessionPool,
    pub encoder: TextEncoder,
    pub info: ModelInfo,
}

/// Load a text model's parts; `output` must be one of the model's outputs.
pub(crate) fn load_text_model(
    id: &str,
    dir: &Path,
    max_length: usize,
    inputs: InputLayout,
    output: &str,
    kind: ModelKind,
    runtime: &RuntimeConfig,
) -> Result<TextModelParts> {
    let rt = Runtime::get(runtime)?;
    let pool = rt.pool(id, &dir.join("model.onnx"), runtime)?;
    let encoder = TextEncoder::load(id, dir, max_length, inputs, &pool)?;
    if !pool.outputs().iter().any(|o| o == output) {
        return Err(Error::model(id, format!("model has no output `{output}` (has {:?})", pool.outputs())));
    }
    let info = ModelInfo {
        id: id.to_owned(),
        version: "1".into(),
        kind,
        clearance: DataLevel::Internal,
        location: Location::OnPremises,
        filing: Filing::default(),
    };
    Ok(TextModelParts { pool, encoder, info })
}

/// How a model takes its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputLayout {
    /// `input_ids`, `attention_mask` (+ `token_type_ids` if the graph has it), int64 [b, len],
    /// right-padded.
    Bert,
    /// `token_ids` int32 [total tokens] and `row_splits` int64 [b+1].
    #[serde(alias = "use")]
    Ragged,
}

impl InputLayout {
    /// The graph inputs this layout feeds (besides the optional `token_type_ids`).
    pub fn required_inputs(self) -> &'static [&'static str] {
        match self {
            Self::Bert => &["input_ids", "attention_mask"],
            Self::Ragged => &["token_ids", "row_splits"],
        }
    }
}

/// Session inputs of one batch, ready for `Session::run`.
pub(crate) type Feed = Vec<(Cow<'static, str>, SessionInputValue<'static>)>;

/// A tokenizer bound to a model's input layout.
#[derive(Debug, Clone)]
pub(crate) struct TextEncoder {
    model_id: String,
    tokenizer: Tokenizer,
    layout: InputLayout,
    token_type_ids: bool,
}

impl TextEncoder {
    /// Load `tokenizer.json` from `dir` (no padding, truncation to `max_length` tokens with the
    /// special tokens) and check that `pool`'s graph has the layout's inputs.
    pub(crate) fn load(
        model_id: &str,
        dir: &Path,
        max_length: usize,
        layout: InputLayout,
        pool: &SessionPool,
    ) -> Result<Self> {
        let path = dir.join("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&path).map_err(|e| Error::model(model_id, format!("{}: {e}", path.display())))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams { max_length, ..Default::default() }))
            .map_err(|e| Error::model(model_id, format!("tokenizer truncation: {e}")))?;
        for n in layout.required_inputs() {
            if !pool.has_input(n) {
                let names: Vec<&str> = pool.inputs().iter().map(|i| i.0.as_str()).collect();
                return Err(Error::model(
                    model_id,
                    format!("model has no input `{n}` (config inputs = {layout:?}; the graph has {names:?})"),
                ));
            }
        }
        let token_type_ids = layout == InputLayout::Bert && pool.has_input("token_type_ids");
        Ok(Self { model_id: model_id.to_owned(), tokenizer, layout, token_type_ids })
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        Error::model(&self.model_id, reason)
    }

    /// Tokenise a non-empty batch and build its feed. Also returns, per text, the attention mask
    /// over the padded length (all ones for the ragged layout), for pooling.
    pub(crate) fn feed(&self, texts: &[&str]) -> Result<(Feed, Vec<Vec<i64>>)> {
        let encs =
            self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| self.err(format!("tokenizer: {e}")))?;
        let oerr = |e: ort::Error| self.err(e.to_string());
        let b = texts.len();
        let mut inputs: Feed = Vec::new();
        let mut mask_rows: Vec<Vec<i64>> = Vec::with_capacity(b);
        match self.layout {
            InputLayout::Bert => {
                let len = encs.iter().map(|e| e.get_ids().len()).max().unwrap_or(0).max(1);
                let mut ids = vec![0i64; b * len];
                let mut mask = vec![0i64; b * len];
                let mut types = vec![0i64; b * len];
                for (r, e) in encs.iter().enumerate() {
                    for (c, (&id, &ty)) in e.get_ids().iter().zip(e.get_type_ids()).enumerate() {
                        ids[r * len + c] = i64::from(id);
                        mask[r * len + c] = 1;
                        types[r * len + c] = i64::from(ty);
                    }
                    mask_rows.push(mask[r * len..(r + 1) * len].to_vec());
                }
                inputs.push(("input_ids".into(), Tensor::from_array(([b, len], ids)).map_err(oerr)?.into_dyn().into()));
                inputs.push((
                    "attention_mask".into(),
                    Tensor::from_array(([b, len], mask)).map_err(oerr)?.into_dyn().into(),
                ));
                if self.token_type_ids {
                    inputs.push((
                        "token_type_ids".into(),
                        Tensor::from_array(([b, len], types)).map_err(oerr)?.into_dyn().into(),
                    ));
                }
            }
            InputLayout::Ragged => {
                let mut flat: Vec<i32> = Vec::new();
                let mut splits: Vec<i64> = vec![0];
                for e in &encs {
                    for &id in e.get_ids() {
                        flat.push(i32::try_from(id).map_err(|_| self.err(format!("token id {id} exceeds int32")))?);
                    }
                    splits.push(flat.len() as i64);
                    mask_rows.push(vec![1; e.get_ids().len()]);
                }
                let n = flat.len();
                inputs.push(("token_ids".into(), Tensor::from_array(([n], flat)).map_err(oerr)?.into_dyn().into()));
                inputs.push((
                    "row_splits".into(),
                    Tensor::from_array(([b + 1], splits)).map_err(oerr)?.into_dyn().into(),
                ));
            }
        }
        Ok((inputs, mask_rows))
    }
}
