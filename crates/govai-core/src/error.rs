//! The one error type of govai-core, with a stable [`ErrorKind`] that bindings map from.

use std::path::PathBuf;

/// Stable classification of errors. Bindings (C codes, Python exceptions) map from this only,
/// so variants are never renumbered or removed; new ones are appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller passed something malformed (bad JSON, empty text, unknown field value).
    InvalidInput,
    /// A configuration file or value is wrong.
    Config,
    /// A named scenario, model or reviewer does not exist.
    NotFound,
    /// A model failed to load or to run.
    Model,
    /// A data classifier failed.
    Classification,
    /// A reviewer failed (not: a reviewer rejected the output, which is a verdict).
    Review,
    /// The audit log could not be written or read, or is corrupt.
    Audit,
    /// An operating-system I/O error.
    Io,
    /// The request was cancelled by the caller.
    Cancelled,
    /// A bug in govai.
    Internal,
}

impl ErrorKind {
    /// Stable snake_case name, used in JSON error objects.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::Config => "config",
            Self::NotFound => "not_found",
            Self::Model => "model",
            Self::Classification => "classification",
            Self::Review => "review",
            Self::Audit => "audit",
            Self::Io => "io",
            Self::Cancelled => "cancelled",
            Self::Internal => "internal",
        }
    }
}

/// Errors of govai-core. Each variant corresponds to the [`ErrorKind`] of the same name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller passed something malformed; the string says what.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A configuration value is wrong. `file` may be empty for configuration given as a string.
    #[error("{}{key}: {reason}", display_file(file))]
    Config {
        /// The configuration file, or empty.
        file: String,
        /// Dotted path of the offending key, e.g. `models[0].path`.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A named scenario, conversation or other item does not exist.
    #[error("unknown {what} `{id}`")]
    NotFound {
        /// What was looked up, e.g. `scenario` or `conversation`.
        what: &'static str,
        /// The id that was not found.
        id: String,
    },
    /// A model failed to load or to run.
    #[error("model `{model}`: {reason}")]
    Model {
        /// The model's id (or its directory name while loading).
        model: String,
        /// What went wrong.
        reason: String,
    },
    /// A data classifier failed.
    #[error("classifier `{classifier}`: {reason}")]
    Classification {
        /// The classifier's id.
        classifier: String,
        /// What went wrong.
        reason: String,
    },
    /// A reviewer failed (a rejected output is a verdict, not this error).
    #[error("reviewer `{reviewer}`: {reason}")]
    Review {
        /// The reviewer's id.
        reviewer: String,
        /// What went wrong.
        reason: String,
    },
    /// The audit log could not be written or read, or is corrupt.
    #[error("audit log {}: {reason}", path.display())]
    Audit {
        /// The log (or anchor) file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// An operating-system I/O error on a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory being accessed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The caller cancelled the request.
    #[error("cancelled")]
    Cancelled,
    /// A bug in govai; the string describes it.
    #[error("internal error: {0}")]
    Internal(String),
}

fn display_file(file: &str) -> String {
    if file.is_empty() { String::new() } else { format!("{file}: ") }
}

impl Error {
    /// The stable kind bindings map this error to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidInput(_) => ErrorKind::InvalidInput,
            Self::Config { .. } => ErrorKind::Config,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Model { .. } => ErrorKind::Model,
            Self::Classification { .. } => ErrorKind::Classification,
            Self::Review { .. } => ErrorKind::Review,
            Self::Audit { .. } => ErrorKind::Audit,
            Self::Io { .. } => ErrorKind::Io,
            Self::Cancelled => ErrorKind::Cancelled,
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    /// A [`Error::Config`] error.
    pub fn config(file: impl Into<String>, key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Config { file: file.into(), key: key.into(), reason: reason.into() }
    }

    /// An [`Error::Io`] error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }

    /// A [`Error::Model`] error.
    pub fn model(model: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Model { model: model.into(), reason: reason.into() }
    }
}

/// An error's message followed by those of its sources that it does not already include: the
/// one-line form the bindings hand to C, Java and Python callers.
pub fn message_with_sources(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
