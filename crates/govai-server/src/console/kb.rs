//! The knowledge-base page: the versions (who published what, when), a version's passages with
//! their provenance, the diff between two versions, and the proposed changes, which someone
//! other than the proposer approves or rejects here (through `/v1/govai/kb/*`).

use std::fmt::Write;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::call::{api, query};
use super::page::{self, Lang, Nav, csrf_field, esc};
use super::session::{Visitor, urlencode};
use crate::error::{Error, Result};
use crate::gateway::Gateway;

#[derive(Debug, Default, Deserialize)]
pub struct KbQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/kb?from=&to=`.
pub async fn page(State(g): State<Arc<Gateway>>, v: Visitor, Query(q): Query<KbQuery>) -> Response {
    let l = v.lang;
    let body = match overview(&g, &v, &q).await {
        Ok(html) => format!("{}{html}", page::notice(l, q.done.as_deref())),
        Err(e) => page::error_box(l, &e),
    };
    page::render(&v, Nav::Kb, Nav::Kb.label(l), &body)
}

async fn overview(g: &Arc<Gateway>, v: &Visitor, q: &KbQuery) -> Result<String> {
    let l = v.lang;
    let versions = api(g, &v.caller, Method::GET, "/v1/govai/kb/versions?limit=50", None).await?;
    let changes = api(g, &v.caller, Method::GET, "/v1/govai/kb/changes?state=pending&limit=100", None).await?;
    let mut html = changes_table(v, &changes);
    html.push_str(&versions_table(l, &versions));
    html.push_str(&diff_form(l, q));
    if !q.from.is_empty() && !q.to.is_empty() {
        let uri = format!("/v1/govai/kb/diff{}", query(&[("from", &q.from), ("to", &q.to)]));
        html.push_str(&match api(g, &v.caller, Method::GET, &uri, None).await {
            Ok(d) => diff_view(l, &d),
            Err(e) => page::error_box(l, &e),
        });
    }
    Ok(html)
}

fn changes_table(v: &Visitor, changes: &Value) -> String {
    let l = v.lang;
    let list = changes["changes"].as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return format!(
            r#"<h2>{}</h2><p class="muted">{}</p>"#,
            l.t("待批准的变更", "Changes waiting for approval"),
            l.t("没有待批准的变更。", "None.")
        );
    }
    let mut html = format!(r#"<h2>{}</h2>"#, l.t("待批准的变更", "Changes waiting for approval"));
    for c in list {
        let id = c["id"].as_str().unwrap_or_default();
        let upserts: Vec<String> = c["upserts"].as_array().into_iter().flatten().map(passage_line).collect();
        let deletes: Vec<String> = c["deletes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str())
            .map(|d| format!("<li>− <code>{}</code></li>", esc(d)))
            .collect();
        let _ = write!(
            html,
            r#"<article class="change" data-testid="kb-change"><p><strong>{note}</strong> · {by} {proposer} · {at} · {base} {bv}</p><ul>{ups}{dels}</ul>
<form method="post" action="/console/kb/changes/{id}/decide" class="inline">{csrf}<input type="hidden" name="action" value="approve"><button type="submit">{approve}</button></form>
<form method="post" action="/console/kb/changes/{id}/decide" class="inline">{csrf}<input type="hidden" name="action" value="reject"><label for="r-{id}">{rl}</label><input id="r-{id}" name="reason" required><button type="submit">{reject}</button></form></article>"#,
            note = esc(c["note"].as_str().unwrap_or_default()),
            by = l.t("提出人", "by"),
            proposer = esc(c["proposer"].as_str().unwrap_or_default()),
            at = esc(c["created_at"].as_str().unwrap_or_default()),
            base = l.t("基于版本", "on version"),
            bv = c["base_version"],
            ups = upserts.join(""),
            dels = deletes.join(""),
            id = esc(id),
            csrf = csrf_field(v),
            approve = l.t("批准并发布", "Approve and publish"),
            rl = l.t("驳回原因", "Reason"),
            reject = l.t("驳回", "Reject"),
        );
    }
    html
}

fn passage_line(p: &Value) -> String {
    format!(
        "<li>+ <code>{}</code> {}</li>",
        esc(p["id"].as_str().unwrap_or_default()),
        esc(p["body"]["title"].as_str().or(p["title"].as_str()).unwrap_or_default())
    )
}

fn versions_table(l: Lang, versions: &Value) -> String {
    let mut rows = String::new();
    for x in versions["versions"].as_array().into_iter().flatten() {
        let _ = write!(
            rows,
            r#"<tr><td><a href="/console/kb/versions/{n}">{n}</a></td><td class="l">{at}</td><td class="l">{author}</td><td class="l">{note}</td><td>{p}</td><td>+{a} −{r} ~{c}</td></tr>"#,
            n = x["version"],
            at = esc(x["created_at"].as_str().unwrap_or_default()),
            author = esc(x["author"].as_str().unwrap_or_default()),
            note = esc(x["note"].as_str().unwrap_or_default()),
            p = x["passages"],
            a = x["added"],
            r = x["removed"],
            c = x["changed"],
        );
    }
    format!(
        r#"<table class="list" data-testid="kb-versions"><caption>{cap}</caption><thead><tr><th scope="col">{v}</th><th scope="col">{t}</th><th scope="col">{a}</th><th scope="col">{n}</th><th scope="col">{p}</th><th scope="col">{d}</th></tr></thead><tbody>{rows}</tbody></table>"#,
        cap = l.t("版本（最新在前）", "Versions, newest first"),
        v = l.t("版本", "Version"),
        t = l.t("时间", "Time"),
        a = l.t("发布人", "Author"),
        n = l.t("说明", "Note"),
        p = l.t("资料数", "Passages"),
        d = l.t("变化", "Changes"),
    )
}

fn diff_form(l: Lang, q: &KbQuery) -> String {
    format!(
        r#"<form class="filters" method="get" action="/console/kb"><label for="k-from">{fl}</label><input id="k-from" name="from" inputmode="numeric" size="5" value="{from}"><label for="k-to">{tl}</label><input id="k-to" name="to" inputmode="numeric" size="5" value="{to}"><button type="submit">{go}</button></form>"#,
        fl = l.t("比较版本", "Compare version"),
        tl = l.t("与", "with"),
        from = esc(&q.from),
        to = esc(&q.to),
        go = l.t("比较", "Compare"),
    )
}

fn diff_view(l: Lang, d: &Value) -> String {
    let mut html =
        format!(r#"<section data-testid="kb-diff"><h2>{} {} → {}</h2><ul>"#, l.t("差异", "Diff"), d["from"], d["to"]);
    for p in d["added"].as_array().into_iter().flatten() {
        let _ = write!(
            html,
            r#"<li class="added">+ <code>{}</code> {}</li>"#,
            esc(p["id"].as_str().unwrap_or_default()),
            esc(p["body"]["text"].as_str().unwrap_or_default())
        );
    }
    for p in d["removed"].as_array().into_iter().flatten() {
        let _ = write!(
            html,
            r#"<li class="removed">− <code>{}</code> {}</li>"#,
            esc(p["id"].as_str().unwrap_or_default()),
            esc(p["body"]["text"].as_str().unwrap_or_default())
        );
    }
    for c in d["changed"].as_array().into_iter().flatten() {
        let _ = write!(
            html,
            r#"<li class="changed">~ <code>{}</code><div class="side"><del>{}</del><ins>{}</ins></div></li>"#,
            esc(c["id"].as_str().unwrap_or_default()),
            esc(c["before"]["text"].as_str().unwrap_or_default()),
            esc(c["after"]["text"].as_str().unwrap_or_default()),
        );
    }
    html.push_str("</ul></section>");
    html
}

/// `GET /console/kb/versions/{version}`: the passages with their provenance.
pub async fn version(State(g): State<Arc<Gateway>>, v: Visitor, Path(version): Path<String>) -> Response {
    let l = v.lang;
    let uri = format!("/v1/govai/kb/versions/{}", urlencode(&version));
    let body = match api(&g, &v.caller, Method::GET, &uri, None).await {
        Ok(x) => passages_table(l, &x),
        Err(e) => page::error_box(l, &e),
    };
    page::render(&v, Nav::Kb, &format!("{} {}", l.t("知识库版本", "Knowledge-base version"), version), &body)
}

fn passages_table(l: Lang, x: &Value) -> String {
    let mut rows = String::new();
    for p in x["passages"].as_array().into_iter().flatten() {
        let source = &p["source"];
        let provenance = [
            source["document"].as_str(),
            source["section"].as_str(),
            source["sha256"].as_str().and_then(|s| s.get(..12)),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        let _ = write!(
            rows,
            r#"<tr><td class="l"><code>{id}</code></td><td class="l">{title}</td><td class="l">{text}</td><td class="l">{prov}</td><td class="l">{valid}</td></tr>"#,
            id = esc(p["id"].as_str().unwrap_or_default()),
            title = esc(p["title"].as_str().unwrap_or_default()),
            text = esc(p["text"].as_str().unwrap_or_default()),
            prov = esc(if provenance.is_empty() { p["url"].as_str().unwrap_or("-") } else { &provenance }),
            valid = esc(&format!(
                "{} – {}",
                p["valid_from"].as_str().unwrap_or(""),
                p["valid_until"].as_str().unwrap_or("")
            )),
        );
    }
    format!(
        r#"<p>{by} {author} · {at} · {note}</p><table class="list" data-testid="kb-passages"><thead><tr><th scope="col">ID</th><th scope="col">{t}</th><th scope="col">{x}</th><th scope="col">{p}</th><th scope="col">{v}</th></tr></thead><tbody>{rows}</tbody></table>"#,
        by = l.t("发布人", "Published by"),
        author = esc(x["version"]["author"].as_str().unwrap_or_default()),
        at = esc(x["version"]["created_at"].as_str().unwrap_or_default()),
        note = esc(x["version"]["note"].as_str().unwrap_or_default()),
        t = l.t("标题", "Title"),
        x = l.t("内容", "Text"),
        p = l.t("来源", "Provenance"),
        v = l.t("有效期", "Valid"),
    )
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /console/kb/changes/{id}/decide`.
pub async fn decide(
    State(g): State<Arc<Gateway>>,
    v: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    let result = async {
        v.check_post(&f.csrf, &headers)?;
        let (body, done) = match f.action.as_str() {
            "approve" => (json!({"action": "approve"}), "kb_approved"),
            "reject" => (json!({"action": "reject", "reason": f.reason.unwrap_or_default()}), "kb_rejected"),
            other => return Err(Error::invalid(format!("action `{other}`: approve or reject"), Some("action"))),
        };
        let uri = format!("/v1/govai/kb/changes/{}/decide", urlencode(&id));
        api(&g, &v.caller, Method::POST, &uri, Some(body)).await?;
        Ok(done)
    };
    match result.await {
        Ok(done) => Redirect::to(&format!("/console/kb?done={done}")).into_response(),
        Err(e) => page::failed(&v, Nav::Kb, Nav::Kb.label(v.lang), &e, ""),
    }
}
