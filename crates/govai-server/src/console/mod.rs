//! The web console under `/console`: the pages the people who run a deployment use — the
//! review queue (reviewers), the dashboard, the audit log (auditors), the knowledge base and
//! the models (their owners) — zh-CN first with an English toggle.
//!
//! Sign-in takes an API key (the role it maps to decides which sections show and what each may
//! do); the session lives on the server behind an HttpOnly, SameSite=Strict, Secure cookie,
//! every form carries a CSRF token, and every response carries a strict content security
//! policy. Pages are rendered on the server (charts as inline SVG); the stylesheet and a small
//! keyboard script are compiled in. Every action goes through the gateway's JSON API in
//! process ([`call`]), so the checks and audit records are the API's own; signing in and out
//! are audited too (`kind: console`).

mod assets;
mod audit;
mod call;
mod dashboard;
mod kb;
mod models;
mod page;
mod reviews;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub use session::Sessions;

use crate::gateway::Gateway;

/// The console's routes (`GET` pages, `POST` actions), for [`crate::api::ROUTES`].
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/console/"),
    ("get", "/console/login"),
    ("post", "/console/login"),
    ("post", "/console/logout"),
    ("get", "/console/lang"),
    ("get", "/console/assets/{name}"),
    ("get", "/console/reviews"),
    ("get", "/console/reviews/{id}"),
    ("post", "/console/reviews/{id}/claim"),
    ("post", "/console/reviews/{id}/decide"),
    ("get", "/console/dashboard"),
    ("get", "/console/audit"),
    ("post", "/console/audit/verify"),
    ("get", "/console/audit/export"),
    ("get", "/console/kb"),
    ("get", "/console/kb/versions/{version}"),
    ("post", "/console/kb/changes/{id}/decide"),
    ("get", "/console/models"),
    ("post", "/console/models/{scenario}/canary"),
    ("post", "/console/models/{scenario}/rollback"),
    ("get", "/console/models/evaluations/{id}"),
];

/// The console's router.
pub fn routes() -> Router<Arc<Gateway>> {
    Router::new()
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/console/login", get(session::login_form).post(session::login))
        .route("/console/logout", post(session::logout))
        .route("/console/lang", get(session::set_lang))
        .route("/console/assets/{name}", get(assets::serve))
        .route("/console/reviews", get(reviews::list))
        .route("/console/reviews/{id}", get(reviews::item))
        .route("/console/reviews/{id}/claim", post(reviews::claim))
        .route("/console/reviews/{id}/decide", post(reviews::decide))
        .route("/console/dashboard", get(dashboard::page))
        .route("/console/audit", get(audit::page))
        .route("/console/audit/verify", post(audit::verify))
        .route("/console/audit/export", get(audit::export))
        .route("/console/kb", get(kb::page))
        .route("/console/kb/versions/{version}", get(kb::version))
        .route("/console/kb/changes/{id}/decide", post(kb::decide))
        .route("/console/models", get(models::page))
        .route("/console/models/{scenario}/canary", post(models::canary))
        .route("/console/models/{scenario}/rollback", post(models::rollback))
        .route("/console/models/evaluations/{id}", get(models::evaluation))
        .layer(middleware::map_response(page::security_headers))
}

/// `GET /console/`: the first section the visitor's role may open.
async fn home(v: session::Visitor) -> Response {
    match page::Nav::home(&v) {
        Some(nav) => Redirect::to(nav.href()).into_response(),
        None => page::render(
            &v,
            page::Nav::Reviews,
            v.lang.t("无可用页面", "Nothing to show"),
            &format!(
                r#"<p class="error" role="alert">{}</p>"#,
                page::esc(v.lang.t(
                    "此角色没有控制台权限（需要 review_queue、audit、knowledge_base 或 models）。",
                    "This role has no console permission (review_queue, audit, knowledge_base or models).",
                ))
            ),
        ),
    }
}
