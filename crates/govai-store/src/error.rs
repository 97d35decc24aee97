//! The one error type of govai-store, with a stable [`ErrorKind`].

/// Stable classification of [`Error`]s; never renumbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input (an empty reason, a rating out of range...).
    InvalidInput,
    /// No such review item or feedback.
    NotFound,
    /// The item is not in a state that allows the action (claimed by someone else, decided).
    Conflict,
    /// The database failed or could not be opened.
    Backend,
}

impl ErrorKind {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::Backend => "backend",
        }
    }
}

/// Errors of govai-store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input; the message names the field and the limit.
    #[error("{0}")]
    InvalidInput(String),
    /// Nothing with that id.
    #[error("no {what} with id `{id}`")]
    NotFound {
        /// `review`, `feedback`, `kb version`, `kb change`, `reference answer` or `evaluation`.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The action does not fit the item's state.
    #[error("{0}")]
    Conflict(String),
    /// The database failed.
    #[error("store ({backend}): {reason}")]
    Backend {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// What failed.
        reason: String,
    },
}

impl Error {
    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidInput(_) => ErrorKind::InvalidInput,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::Backend { .. } => ErrorKind::Backend,
        }
    }

    pub(crate) fn sqlite(e: impl std::fmt::Display) -> Self {
        Self::Backend { backend: "sqlite", reason: e.to_string() }
    }

    pub(crate) fn postgres(e: impl std::fmt::Display) -> Self {
        Self::Backend { backend: "postgres", reason: e.to_string() }
    }
}

/// Results of govai-store.
pub type Result<T, E = Error> = std::result::Result<T, E>;
