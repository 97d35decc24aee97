//! `GET /healthz` (the process answers), `GET /readyz` (the deployment is loaded, the audit log
//! is writable, every remote model's upstream answers), `GET /metrics` (Prometheus text).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::gateway::Gateway;

/// Alive.
pub async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// Ready to serve: 200 with every check, or 503 naming the failing ones.
pub async fn readyz(State(g): State<Arc<Gateway>>) -> Response {
    let mut checks = vec![("models_loaded", Ok(format!("{} scenarios", g.deployment.scenario_ids().count())))];
    checks.push(("audit_writable", audit_writable(&g)));
    for url in &g.upstreams {
        checks.push(("upstream", upstream_reachable(&g, url).await));
    }
    if g.is_draining() {
        checks.push(("not_draining", Err("the server is shutting down".into())));
    }
    let ready = checks.iter().all(|(_, r)| r.is_ok());
    let list: Vec<Value> = checks
        .into_iter()
        .map(|(name, r)| match r {
            Ok(detail) => json!({"check": name, "ok": true, "detail": detail}),
            Err(detail) => json!({"check": name, "ok": false, "detail": detail}),
        })
        .collect();
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(json!({"ready": ready, "checks": list}))).into_response()
}

/// The log file can be synced and is not read-only.
fn audit_writable(g: &Gateway) -> Result<String, String> {
    let log = g.deployment.audit_log();
    let path = log.path();
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.permissions().readonly() {
        return Err(format!("{} is read-only", path.display()));
    }
    log.sync().map_err(|e| e.to_string())?;
    Ok(path.display().to_string())
}

/// Any HTTP answer from `GET {base_url}/models` counts: the service is up (a 401 means the key
/// is checked per request, which the model call reports).
async fn upstream_reachable(g: &Gateway, base_url: &str) -> Result<String, String> {
    let url = format!("{}/models", base_url.trim_end_matches('/'));
    match g.http.get(&url).send().await {
        Ok(r) => Ok(format!("{url}: HTTP {}", r.status().as_u16())),
        Err(e) => Err(format!("{url}: {}", if e.is_timeout() { "timed out".to_owned() } else { e.to_string() })),
    }
}

/// The Prometheus text exposition.
pub async fn metrics(State(g): State<Arc<Gateway>>) -> Response {
    if let Some(store) = g.store.clone() {
        let stats = tokio::task::spawn_blocking(move || store.queue_stats()).await;
        if let Ok(Ok(stats)) = stats {
            g.metrics.set_queue(stats);
        }
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], g.metrics.render())
        .into_response()
}
