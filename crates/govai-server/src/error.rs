//! The one error type of govai-server, with a stable [`ErrorKind`], and its HTTP form: the
//! OpenAI error object `{"error": {"message", "type", "param", "code"}}`, which the official
//! clients turn into their own exceptions (`openai.AuthenticationError`, `RateLimitError`...).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Stable classification of [`Error`]s (the `code` of the error JSON); never renumbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request is malformed: bad JSON, wrong types, an unknown field, bad UTF-8.
    InvalidRequest,
    /// No API key, or one that is unknown or revoked.
    Unauthorized,
    /// The caller's role does not allow this scenario, endpoint or data level.
    Forbidden,
    /// An unknown scenario, route or item.
    NotFound,
    /// The item's state does not allow the action (claimed by someone else, already decided).
    Conflict,
    /// A body, message or list over its limit.
    TooLarge,
    /// Over the caller's rate or concurrency limit.
    RateLimited,
    /// The request took longer than the server's timeout.
    Timeout,
    /// The model (remote upstream or local) failed.
    Model,
    /// The server is shutting down or not ready.
    Unavailable,
    /// The server's configuration or key file is wrong.
    Config,
    /// A file could not be read or written.
    Io,
    /// Anything else: a bug, or the audit log failing.
    Internal,
}

impl ErrorKind {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::Timeout => "timeout",
            Self::Model => "model_error",
            Self::Unavailable => "unavailable",
            Self::Config => "config",
            Self::Io => "io",
            Self::Internal => "internal",
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Model => StatusCode::BAD_GATEWAY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Config | Self::Io | Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The OpenAI error `type` clients dispatch on.
    fn openai_type(self) -> &'static str {
        match self {
            Self::InvalidRequest | Self::TooLarge | Self::NotFound | Self::Conflict => "invalid_request_error",
            Self::Unauthorized => "authentication_error",
            Self::Forbidden => "permission_error",
            Self::RateLimited => "rate_limit_error",
            Self::Timeout => "timeout_error",
            _ => "server_error",
        }
    }
}

/// Errors of govai-server. [`Error::kind`] gives the stable [`ErrorKind`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A malformed request; `param` names the field when one is at fault.
    #[error("{message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
        /// The JSON path of the field at fault, e.g. `messages[2].content`.
        param: Option<String>,
    },
    /// Missing, unknown or revoked API key.
    #[error("{0}")]
    Unauthorized(String),
    /// The role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// Unknown scenario or route.
    #[error("{0}")]
    NotFound(String),
    /// The state of an item does not allow the action.
    #[error("{0}")]
    Conflict(String),
    /// Over a size limit; the message names the limit.
    #[error("{what} is over the limit of {limit}")]
    TooLarge {
        /// What was too large, e.g. `request body` or `messages[3].content`.
        what: String,
        /// The limit with its unit.
        limit: String,
    },
    /// Over the caller's rate or concurrency limit.
    #[error("{reason}; retry after {retry_after_secs} s")]
    RateLimited {
        /// Which limit.
        reason: String,
        /// Seconds until a retry can succeed (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// Over the request timeout.
    #[error("the request took longer than {0} s and was cancelled")]
    Timeout(u64),
    /// The server is draining or not ready.
    #[error("{0}")]
    Unavailable(String),
    /// A configuration or key-file problem; `key` names it.
    #[error("{file}: {key}: {reason}")]
    Config {
        /// The file.
        file: String,
        /// The key or entry.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The deployment failed (model, audit, classifier...).
    #[error(transparent)]
    Govai(#[from] govai::Error),
    /// A bug.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidRequest { .. } => ErrorKind::InvalidRequest,
            Self::Unauthorized(_) => ErrorKind::Unauthorized,
            Self::Forbidden(_) => ErrorKind::Forbidden,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::TooLarge { .. } => ErrorKind::TooLarge,
            Self::RateLimited { .. } => ErrorKind::RateLimited,
            Self::Timeout(_) => ErrorKind::Timeout,
            Self::Unavailable(_) => ErrorKind::Unavailable,
            Self::Config { .. } => ErrorKind::Config,
            Self::Io { .. } => ErrorKind::Io,
            Self::Govai(e) => govai_kind(e.kind()),
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    /// A malformed request.
    pub fn invalid(message: impl Into<String>, param: Option<&str>) -> Self {
        Self::InvalidRequest { message: message.into(), param: param.map(str::to_owned) }
    }

    /// A file operation failed on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io { path: path.display().to_string(), source }
    }

    fn param(&self) -> Option<&str> {
        match self {
            Self::InvalidRequest { param, .. } => param.as_deref(),
            _ => None,
        }
    }

    /// The OpenAI-style error object.
    pub fn to_json(&self) -> serde_json::Value {
        let kind = self.kind();
        json!({"error": {
            "message": self.to_string(),
            "type": kind.openai_type(),
            "param": self.param(),
            "code": kind.as_str(),
        }})
    }
}

fn govai_kind(kind: govai::ErrorKind) -> ErrorKind {
    use govai::ErrorKind as G;
    match kind {
        G::InvalidInput => ErrorKind::InvalidRequest,
        G::NotFound => ErrorKind::NotFound,
        G::Model => ErrorKind::Model,
        G::Config => ErrorKind::Config,
        G::Io => ErrorKind::Io,
        G::Cancelled => ErrorKind::Timeout,
        _ => ErrorKind::Internal,
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let kind = self.kind();
        let mut response = (kind.status(), axum::Json(self.to_json())).into_response();
        if let Self::RateLimited { retry_after_secs, .. } = &self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if kind == ErrorKind::Unauthorized {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Results of govai-server.
pub type Result<T, E = Error> = std::result::Result<T, E>;
