//! The audit page: search records by audit id, caller, scenario, kind and day; verify the
//! chain; export the matching records as JSON Lines. All through the API (`audit`).

use std::fmt::Write;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::call::{api, query};
use super::page::{self, Lang, Nav, csrf_field, esc};
use super::session::{CsrfForm, Visitor};
use crate::error::Error;
use crate::gateway::Gateway;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    seq: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    scenario: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl AuditQuery {
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("seq", self.seq.trim()),
            ("user", self.user.trim()),
            ("scenario", self.scenario.trim()),
            ("kind", self.kind.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
        ]
    }
}

/// `GET /console/audit`.
pub async fn page(State(g): State<Arc<Gateway>>, v: Visitor, Query(q): Query<AuditQuery>) -> Response {
    let body = search_page(&g, &v, &q, None).await;
    page::render(&v, Nav::Audit, Nav::Audit.label(v.lang), &body)
}

async fn search_page(g: &Arc<Gateway>, v: &Visitor, q: &AuditQuery, verified: Option<String>) -> String {
    let l = v.lang;
    let mut pairs = q.pairs();
    pairs.push(("limit", "200"));
    let uri = format!("/v1/govai/audit/records{}", query(&pairs));
    let results = match api(g, &v.caller, Method::GET, &uri, None).await {
        Ok(found) => records_table(l, &found),
        Err(e) => page::error_box(l, &e),
    };
    format!("{}{}{}{}", verified.unwrap_or_default(), verify_form(v), search_form(l, q), results)
}

fn search_form(l: Lang, q: &AuditQuery) -> String {
    let field = |id: &str, name: &str, label: &str, value: &str, kind: &str| {
        format!(
            r#"<label for="{id}">{}</label><input id="{id}" name="{name}" type="{kind}" value="{}">"#,
            esc(label),
            esc(value)
        )
    };
    let export = format!("/console/audit/export{}", query(&q.pairs()));
    format!(
        r#"<form class="filters" method="get" action="/console/audit" role="search">{}{}{}{}{}{}<button type="submit">{}</button> <a class="button" href="{}" data-testid="export">{}</a></form>"#,
        field("a-seq", "seq", l.t("审计编号", "Audit id"), &q.seq, "text"),
        field("a-user", "user", l.t("调用方", "Caller"), &q.user, "text"),
        field("a-scenario", "scenario", l.t("场景", "Scenario"), &q.scenario, "text"),
        field("a-kind", "kind", l.t("类型", "Kind"), &q.kind, "text"),
        field("a-from", "from", l.t("自", "From"), &q.from, "date"),
        field("a-to", "to", l.t("至", "To"), &q.to, "date"),
        l.t("查询", "Search"),
        esc(&export),
        l.t("导出 JSONL", "Export JSONL"),
    )
}

fn verify_form(v: &Visitor) -> String {
    format!(
        r#"<form method="post" action="/console/audit/verify" class="inline">{}<button type="submit" data-testid="verify">{}</button></form>"#,
        csrf_field(v),
        v.lang.t("校验哈希链", "Verify the chain")
    )
}

fn records_table(l: Lang, found: &Value) -> String {
    let mut rows = String::new();
    for r in found["records"].as_array().into_iter().flatten() {
        let what = match r["kind"].as_str() {
            Some("request") => {
                format!("{} / {}", r["outcome"].as_str().unwrap_or("-"), r["verdict"].as_str().unwrap_or("-"))
            }
            _ => r["action"].as_str().unwrap_or("").to_owned(),
        };
        let _ = write!(
            rows,
            r#"<tr><td><a href="/console/audit?seq={seq}">{seq}</a></td><td class="l">{ts}</td><td class="l">{kind}</td><td class="l">{user}</td><td class="l">{role}</td><td class="l">{scenario}</td><td class="l">{what}</td><td class="l">{level}</td></tr>"#,
            seq = r["seq"],
            ts = esc(r["ts"].as_str().unwrap_or_default()),
            kind = esc(r["kind"].as_str().unwrap_or_default()),
            user = esc(r["user"].as_str().unwrap_or("-")),
            role = esc(r["user_role"].as_str().unwrap_or("-")),
            scenario = esc(r["scenario"].as_str().unwrap_or("-")),
            what = esc(&what),
            level = esc(r["data_level"].as_str().unwrap_or("")),
        );
    }
    let detail = match found["records"].as_array().map(Vec::as_slice) {
        Some([one]) => format!(
            r#"<pre class="record" data-testid="record">{}</pre>"#,
            esc(&serde_json::to_string_pretty(one).unwrap_or_default())
        ),
        _ => String::new(),
    };
    format!(
        r#"<table class="list" data-testid="records"><caption>{cap}: {matched} ({scanned} {read})</caption><thead><tr><th scope="col">{id}</th><th scope="col">{t}</th><th scope="col">{k}</th><th scope="col">{u}</th><th scope="col">{r}</th><th scope="col">{s}</th><th scope="col">{w}</th><th scope="col">{lv}</th></tr></thead><tbody>{rows}</tbody></table>{detail}"#,
        cap = l.t("符合条件的记录（最新在前）", "Matching records, newest first"),
        matched = found["matched"],
        scanned = found["scanned"],
        read = l.t("条已读", "read"),
        id = l.t("编号", "Id"),
        t = l.t("时间", "Time"),
        k = l.t("类型", "Kind"),
        u = l.t("调用方", "Caller"),
        r = l.t("角色", "Role"),
        s = l.t("场景", "Scenario"),
        w = l.t("结果/动作", "Outcome / action"),
        lv = l.t("数据级别", "Data level"),
    )
}

/// `POST /console/audit/verify`: check the chain now and show the verdict above the search.
pub async fn verify(
    State(g): State<Arc<Gateway>>,
    v: Visitor,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let l = v.lang;
    let verdict = match v.check_post(&f.csrf, &headers) {
        Ok(()) => match api(&g, &v.caller, Method::POST, "/v1/govai/audit/verify", None).await {
            Ok(report) => verdict(l, &report),
            Err(e) => page::error_box(l, &e),
        },
        Err(e) => page::error_box(l, &e),
    };
    let body = search_page(&g, &v, &AuditQuery::default(), Some(verdict)).await;
    page::render(&v, Nav::Audit, Nav::Audit.label(l), &body)
}

fn verdict(l: Lang, report: &Value) -> String {
    let intact = report["intact"] == true;
    let (class, text) = if intact {
        ("ok", l.t("哈希链完整", "The chain is intact"))
    } else {
        ("bad", l.t("哈希链已损坏", "The chain is NOT intact"))
    };
    let detail = if intact { String::new() } else { esc(&report["first_bad"].to_string()) };
    format!(
        r#"<p class="verdict {class}" role="status" data-testid="verdict">{text}：{} {} · {} {} {detail}</p>"#,
        report["records"],
        l.t("条记录", "records"),
        l.t("最后编号", "last id"),
        report["last_seq"],
    )
}

/// `GET /console/audit/export?...`: the matching records as a JSON Lines download (audited by
/// the API as `audit_export`).
pub async fn export(State(g): State<Arc<Gateway>>, v: Visitor, Query(q): Query<AuditQuery>) -> Response {
    let uri = format!("/v1/govai/audit/export{}", query(&q.pairs()));
    let mut request = match axum::http::Request::builder().uri(&uri).body(axum::body::Body::empty()) {
        Ok(r) => r,
        Err(e) => return page::failure_page(v.lang, &Error::Internal(e.to_string())),
    };
    request.extensions_mut().insert(v.caller.clone());
    let Ok(response) = tower::ServiceExt::oneshot(crate::api::router(g.clone()), request).await;
    response.into_response()
}
