//! The console acts through the gateway's own JSON API, in process: every permission check,
//! store change and audit record of an action stays in one place (the API handler), and the
//! console is only its HTML face. The signed-in caller rides in the request's extensions
//! (which no network client can set), so the API's bearer check accepts it as authenticated.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, header};
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::gateway::{Caller, Gateway};

/// Largest API answer the console reads (an export streams instead).
const MAX_ANSWER_BYTES: usize = 64 << 20;

/// `method uri` with `body` as JSON, as `caller`; the JSON answer, or the API's error.
pub(crate) async fn api(
    g: &Arc<Gateway>,
    caller: &Caller,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> Result<Value> {
    let bytes = match &body {
        Some(v) => serde_json::to_vec(v).map_err(|e| Error::Internal(format!("console request: {e}")))?,
        None => Vec::new(),
    };
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, bytes.len())
        .body(Body::from(bytes))
        .map_err(|e| Error::Internal(format!("console request `{uri}`: {e}")))?;
    request.extensions_mut().insert(caller.clone());
    let Ok(response) = tower::ServiceExt::oneshot(crate::api::router(g.clone()), request).await;
    let status = response.status();
    let bytes = to_bytes(response.into_body(), MAX_ANSWER_BYTES)
        .await
        .map_err(|e| Error::Internal(format!("console: reading the answer of `{uri}`: {e}")))?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(value);
    }
    let message = value["error"]["message"].as_str().unwrap_or("request failed").to_owned();
    Err(match value["error"]["code"].as_str().and_then(kind_of) {
        Some(ErrorKind::Forbidden) => Error::Forbidden(message),
        Some(ErrorKind::NotFound) => Error::NotFound(message),
        Some(ErrorKind::Conflict) => Error::Conflict(message),
        Some(ErrorKind::Unauthorized) => Error::Unauthorized(message),
        Some(ErrorKind::InvalidRequest | ErrorKind::TooLarge) => Error::invalid(message, None),
        Some(ErrorKind::Unavailable) => Error::Unavailable(message),
        _ => Error::Internal(message),
    })
}

fn kind_of(code: &str) -> Option<ErrorKind> {
    [
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Unauthorized,
        ErrorKind::InvalidRequest,
        ErrorKind::TooLarge,
        ErrorKind::Unavailable,
    ]
    .into_iter()
    .find(|k| k.as_str() == code)
}

/// A query string from pairs, empty values left out.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", super::session::urlencode(v)))
        .collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}
