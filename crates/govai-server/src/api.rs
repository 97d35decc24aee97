//! The routes, authentication, and reading request bodies within their limit.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::gateway::Gateway;
use crate::{audit_api, chat, console, health, kb_api, native, openapi, queue, references, rollout};

/// Every route: `(method, path)`, as served and as documented in `/openapi.json`.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/chat/completions"),
    ("get", "/v1/models"),
    ("post", "/v1/govai/scan"),
    ("post", "/v1/govai/mask"),
    ("post", "/v1/govai/review"),
    ("get", "/v1/govai/scenarios"),
    ("post", "/v1/govai/audit/verify"),
    ("get", "/v1/govai/audit/records"),
    ("get", "/v1/govai/audit/export"),
    ("get", "/v1/govai/stats"),
    ("get", "/v1/govai/reviews"),
    ("get", "/v1/govai/reviews/{id}"),
    ("post", "/v1/govai/reviews/{id}/claim"),
    ("post", "/v1/govai/reviews/{id}/decide"),
    ("post", "/v1/govai/feedback"),
    ("get", "/v1/govai/feedback"),
    ("get", "/v1/govai/kb"),
    ("get", "/v1/govai/kb/versions"),
    ("get", "/v1/govai/kb/versions/{version}"),
    ("get", "/v1/govai/kb/diff"),
    ("post", "/v1/govai/kb/changes"),
    ("get", "/v1/govai/kb/changes"),
    ("get", "/v1/govai/kb/changes/{id}"),
    ("post", "/v1/govai/kb/changes/{id}/decide"),
    ("get", "/v1/govai/references"),
    ("post", "/v1/govai/references"),
    ("post", "/v1/govai/references/{id}/retire"),
    ("post", "/v1/govai/admin/reload"),
    ("get", "/v1/govai/registry"),
    ("get", "/v1/govai/rollouts/{scenario}"),
    ("post", "/v1/govai/rollouts/{scenario}"),
    ("post", "/v1/govai/rollouts/{scenario}/rollback"),
    ("get", "/v1/govai/evaluations/{id}"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
];

/// The gateway's router.
pub fn router(gateway: Arc<Gateway>) -> Router {
    let authenticated = Router::new()
        .route("/v1/chat/completions", post(chat::completions))
        .route("/v1/models", get(native::models))
        .route("/v1/govai/scan", post(native::scan))
        .route("/v1/govai/mask", post(native::mask))
        .route("/v1/govai/review", post(native::review))
        .route("/v1/govai/scenarios", get(native::scenarios))
        .route("/v1/govai/audit/verify", post(native::verify_audit))
        .route("/v1/govai/audit/records", get(audit_api::records))
        .route("/v1/govai/audit/export", get(audit_api::export))
        .route("/v1/govai/stats", get(audit_api::stats))
        .route("/v1/govai/reviews", get(queue::list))
        .route("/v1/govai/reviews/{id}", get(queue::get))
        .route("/v1/govai/reviews/{id}/claim", post(queue::claim))
        .route("/v1/govai/reviews/{id}/decide", post(queue::decide))
        .route("/v1/govai/feedback", post(queue::feedback).get(queue::list_feedback))
        .route("/v1/govai/kb", get(kb_api::summary))
        .route("/v1/govai/kb/versions", get(kb_api::versions))
        .route("/v1/govai/kb/versions/{version}", get(kb_api::version))
        .route("/v1/govai/kb/diff", get(kb_api::diff))
        .route("/v1/govai/kb/changes", post(kb_api::propose).get(kb_api::changes))
        .route("/v1/govai/kb/changes/{id}", get(kb_api::change))
        .route("/v1/govai/kb/changes/{id}/decide", post(kb_api::decide))
        .route("/v1/govai/references", get(references::list).post(references::add))
        .route("/v1/govai/references/{id}/retire", post(references::retire))
        .route("/v1/govai/admin/reload", post(reload))
        .route("/v1/govai/registry", get(rollout::registry))
        .route("/v1/govai/rollouts/{scenario}", get(rollout::history).post(rollout::set_canary))
        .route("/v1/govai/rollouts/{scenario}/rollback", post(rollout::rollback))
        .route("/v1/govai/evaluations/{id}", get(rollout::evaluation))
        .route_layer(middleware::from_fn_with_state(gateway.clone(), authenticate));
    Router::new()
        .merge(authenticated)
        .merge(console::routes())
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(gateway)
}

async fn not_found(State(g): State<Arc<Gateway>>, request: Request) -> Response {
    g.reply_error(Error::NotFound(format!(
        "no route {} {} (see /openapi.json)",
        request.method(),
        request.uri().path()
    )))
}

async fn method_not_allowed(State(g): State<Arc<Gateway>>, request: Request) -> Response {
    g.reply_error(Error::invalid(
        format!("method {} is not allowed on {} (see /openapi.json)", request.method(), request.uri().path()),
        None,
    ))
}

/// Resolve the caller from `Authorization: Bearer` and put it in the request's extensions;
/// refuse new work while draining. A request the console makes in process already carries its
/// signed-in caller (extensions cannot come from the network).
async fn authenticate(State(g): State<Arc<Gateway>>, mut request: Request, next: Next) -> Response {
    if g.is_draining() {
        return g.reply_error(Error::Unavailable("the server is shutting down; retry on another replica".into()));
    }
    if request.extensions().get::<crate::gateway::Caller>().is_some() {
        return next.run(request).await;
    }
    match g.authenticate(bearer(request.headers())) {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(e) => g.reply_error(e),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl Gateway {
    /// An error answer, counted.
    pub(crate) fn reply_error(&self, e: Error) -> Response {
        self.metrics.error(e.kind());
        e.into_response()
    }

    /// Read a JSON body of type `T` within `max_body_bytes`: an oversize body is 413, bad
    /// UTF-8 or JSON is 400 naming the line, column and field.
    pub(crate) async fn read_json<T: DeserializeOwned>(&self, headers: &HeaderMap, body: Body) -> Result<T> {
        let limit = self.settings.max_body_bytes;
        let too_large = || Error::TooLarge { what: "request body".into(), limit: format!("{limit} bytes") };
        let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let bytes = to_bytes(body, limit).await.map_err(|_| too_large())?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            Error::invalid(format!("request body is not valid UTF-8 (at byte {})", e.valid_up_to()), None)
        })?;
        if text.trim().is_empty() {
            return Err(Error::invalid("request body is empty: send a JSON object", None));
        }
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." { String::new() } else { format!(" at `{path}`") };
            let param = (path != ".").then_some(path);
            Error::InvalidRequest { message: format!("invalid JSON body{at}: {}", e.inner()), param }
        })
    }
}

/// Run blocking work (the pipeline, classification, the store) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(format!("task: {e}")))?
}

/// Shorthand for handlers: a result into a response, errors counted.
pub(crate) fn reply<T: IntoResponse>(g: &Gateway, result: Result<T>) -> Response {
    match result {
        Ok(r) => r.into_response(),
        Err(e) => g.reply_error(e),
    }
}

/// `POST /v1/govai/admin/reload`: read the config file again (permission `admin`); the new
/// configuration serves from the next request on, or nothing changes and the error says why.
async fn reload(
    State(g): State<Arc<Gateway>>,
    axum::Extension(caller): axum::Extension<crate::gateway::Caller>,
) -> Response {
    let result = async {
        caller.require(govai::server_config::Permission::Admin, "reload the configuration")?;
        let live = g.live.get().and_then(std::sync::Weak::upgrade).ok_or_else(|| {
            Error::Unavailable("this gateway is not being served (reload applies to `govai serve`)".into())
        })?;
        let who = caller.id.clone();
        let report = blocking(move || live.reload(&who)).await?;
        Ok(axum::Json(serde_json::json!({"reloaded": true, "report": report})))
    };
    reply(&g, result.await)
}
