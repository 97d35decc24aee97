//! The one error type of govai-ocr, with a stable [`ErrorKind`].

use std::path::PathBuf;

/// Stable classification of [`Error`]s; variants are never renumbered or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The image could not be decoded, or is empty.
    InvalidInput,
    /// The image exceeds a configured limit ([`crate::OcrOptions::max_image_bytes`] or
    /// [`crate::OcrOptions::max_image_pixels`]).
    TooLarge,
    /// A model file is missing or malformed, or a model failed to run.
    Model,
    /// An operating-system I/O error.
    Io,
}

impl ErrorKind {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::TooLarge => "too_large",
            Self::Model => "model",
            Self::Io => "io",
        }
    }
}

/// Errors of govai-ocr. [`Error::kind`] gives the stable [`ErrorKind`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The image could not be decoded or has no pixels.
    #[error("invalid image: {0}")]
    InvalidImage(String),
    /// The image exceeds a limit; `limit` names the option.
    #[error("image too large: {actual} {unit} exceeds {limit} = {max}")]
    TooLarge {
        /// The option that was exceeded (`max_image_bytes` or `max_image_pixels`).
        limit: &'static str,
        /// `bytes` or `pixels`.
        unit: &'static str,
        /// The image's size in that unit (for bytes: at least this many).
        actual: u64,
        /// The limit.
        max: u64,
    },
    /// A model failed to load or to run.
    #[error("OCR model `{model}`: {reason}")]
    Model {
        /// `det`, `cls`, `rec` or the model directory.
        model: String,
        /// What went wrong.
        reason: String,
    },
    /// An I/O error on a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file being read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidImage(_) => ErrorKind::InvalidInput,
            Self::TooLarge { .. } => ErrorKind::TooLarge,
            Self::Model { .. } => ErrorKind::Model,
            Self::Io { .. } => ErrorKind::Io,
        }
    }

    pub(crate) fn model(model: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Model { model: model.into(), reason: reason.into() }
    }
}

impl From<govai_core::Error> for Error {
    /// govai-ort reports runtime and session failures as govai-core errors.
    fn from(e: govai_core::Error) -> Self {
        match e {
            govai_core::Error::Model { model, reason } => Self::Model { model, reason },
            govai_core::Error::Io { path, source } => Self::Io { path, source },
            other => Self::Model { model: "onnxruntime".into(), reason: other.to_string() },
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
