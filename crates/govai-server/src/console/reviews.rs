//! The review queue: a list with filters (scenario, state, reason, age) and SLA ages; an item
//! with the question and the draft (personal data as the reviewer's role allows), the
//! reviewers' findings marked in the draft, the cited passages beside it, and approve (as
//! drafted or edited) or reject, with keyboard shortcuts (console.js). The actions go through
//! `/v1/govai/reviews/{id}/claim|decide`, which check the role and write the audit record.

use std::fmt::Write;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::call::{api, query};
use super::page::{self, Lang, Nav, age, csrf_field, esc};
use super::session::{CsrfForm, Visitor};
use crate::error::{Error, Result};
use crate::gateway::Gateway;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    scenario: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    reason: String,
    /// Only items older than this many minutes.
    #[serde(default)]
    min_age: String,
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/reviews`.
pub async fn list(State(g): State<Arc<Gateway>>, v: Visitor, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let state = if q.state.is_empty() { "open" } else { q.state.as_str() };
    let api_state = if state == "open" || state == "all" { "" } else { state };
    let uri =
        format!("/v1/govai/reviews{}", query(&[("state", api_state), ("scenario", &q.scenario), ("limit", "1000")]));
    let body = match api(&g, &v.caller, Method::GET, &uri, None).await {
        Ok(value) => {
            let min_age: i64 = q.min_age.trim().parse().unwrap_or(0);
            let items: Vec<&Value> = value["reviews"]
                .as_array()
                .map(|a| a.iter().collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .filter(|i| state != "open" || matches!(i["state"].as_str(), Some("pending" | "claimed")))
                .filter(|i| q.reason.is_empty() || reasons(i).iter().any(|r| r.contains(q.reason.as_str())))
                .filter(|i| age_secs(i) >= min_age * 60)
                .collect();
            format!("{}{}{}", page::notice(l, q.done.as_deref()), filters(l, &q, state), table(l, &items))
        }
        Err(e) => page::error_box(l, &e),
    };
    page::render(&v, Nav::Reviews, Nav::Reviews.label(l), &body)
}

fn reasons(item: &Value) -> Vec<&str> {
    item["reasons"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

fn age_secs(item: &Value) -> i64 {
    item["created_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(0, |t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds())
}

fn filters(l: Lang, q: &ListQuery, state: &str) -> String {
    let option = |value: &str, label: &str| {
        let sel = if value == state { " selected" } else { "" };
        format!(r#"<option value="{value}"{sel}>{}</option>"#, esc(label))
    };
    format!(
        r#"<form class="filters" method="get" action="/console/reviews" role="search">
<label for="f-scenario">{sl}</label><input id="f-scenario" name="scenario" value="{scenario}">
<label for="f-state">{stl}</label><select id="f-state" name="state">{o1}{o2}{o3}{o4}{o5}</select>
<label for="f-reason">{rl}</label><input id="f-reason" name="reason" value="{reason}" placeholder="grounding">
<label for="f-age">{al}</label><input id="f-age" name="min_age" inputmode="numeric" value="{min_age}" size="5">
<button type="submit">{go}</button></form>"#,
        sl = l.t("场景", "Scenario"),
        scenario = esc(&q.scenario),
        stl = l.t("状态", "State"),
        o1 = option("open", l.t("待处理", "Open")),
        o2 = option("pending", l.t("未认领", "Pending")),
        o3 = option("claimed", l.t("已认领", "Claimed")),
        o4 = option("approved", l.t("已批准", "Approved")),
        o5 = option("rejected", l.t("已驳回", "Rejected")),
        rl = l.t("原因包含", "Reason contains"),
        reason = esc(&q.reason),
        al = l.t("最短等待（分钟）", "Waiting at least (min)"),
        min_age = esc(&q.min_age),
        go = l.t("筛选", "Filter"),
    )
}

fn table(l: Lang, items: &[&Value]) -> String {
    if items.is_empty() {
        return format!(
            r#"<p class="empty" data-testid="queue-empty">{}</p>"#,
            l.t("队列中没有符合条件的条目。", "Nothing in the queue matches.")
        );
    }
    let mut rows = String::new();
    for i in items {
        let id = i["id"].as_str().unwrap_or_default();
        let overdue = i["overdue"] == true;
        let _ = write!(
            rows,
            r#"<tr{class}><td class="l"><a href="/console/reviews/{id}" data-testid="review-link">{short}</a></td><td class="l">{scenario}</td><td class="l">{question}</td><td class="l">{reasons}</td><td>{age}</td><td>{sla}</td><td class="l">{state}</td><td class="l">{reviewer}</td></tr>"#,
            class = if overdue { r#" class="overdue""# } else { "" },
            id = esc(id),
            short = esc(id.get(..8).unwrap_or(id)),
            scenario = esc(i["scenario"].as_str().unwrap_or_default()),
            question = esc(&excerpt(i["question"].as_str().unwrap_or_default(), 40)),
            reasons = esc(&reasons(i).iter().map(|r| r.split(':').next().unwrap_or(r)).collect::<Vec<_>>().join(", ")),
            age = esc(&age(l, age_secs(i))),
            sla = if overdue { esc(l.t("已超时", "overdue")) } else { esc(&due_in(l, i)) },
            state = esc(&state_label(l, i["state"].as_str().unwrap_or_default())),
            reviewer = esc(i["reviewer"].as_str().unwrap_or("-")),
        );
    }
    format!(
        r#"<table class="list" data-testid="queue"><caption>{cap} ({n})</caption><thead><tr><th scope="col">ID</th><th scope="col">{s}</th><th scope="col">{q}</th><th scope="col">{r}</th><th scope="col">{a}</th><th scope="col">SLA</th><th scope="col">{st}</th><th scope="col">{rv}</th></tr></thead><tbody>{rows}</tbody></table>"#,
        cap = l.t("待审核回答，最早的在前", "Answers waiting for a person, oldest first"),
        n = items.len(),
        s = l.t("场景", "Scenario"),
        q = l.t("问题", "Question"),
        r = l.t("原因", "Reasons"),
        a = l.t("等待", "Waiting"),
        st = l.t("状态", "State"),
        rv = l.t("审核人", "Reviewer"),
    )
}

fn due_in(l: Lang, item: &Value) -> String {
    item["due_at"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map_or_else(String::new, |t| {
        let left = (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
        format!("{}{}", l.t("剩 ", ""), age(l, left)) + l.t("", " left")
    })
}

fn state_label(l: Lang, state: &str) -> String {
    match state {
        "pending" => l.t("未认领", "pending"),
        "claimed" => l.t("已认领", "claimed"),
        "approved" => l.t("已批准", "approved"),
        "rejected" => l.t("已驳回", "rejected"),
        other => return other.to_owned(),
    }
    .to_owned()
}

fn excerpt(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().nth(chars).is_some() {
        out.push('…');
    }
    out
}

#[derive(Debug, Default, Deserialize)]
pub struct ItemQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/reviews/{id}`.
pub async fn item(
    State(g): State<Arc<Gateway>>,
    v: Visitor,
    Path(id): Path<String>,
    Query(q): Query<ItemQuery>,
) -> Response {
    let l = v.lang;
    let uri = format!("/v1/govai/reviews/{}", super::session::urlencode(&id));
    let body = match api(&g, &v.caller, Method::GET, &uri, None).await {
        Ok(item) if item.get("draft").is_some() => {
            let g2 = g.clone();
            let item2 = item.clone();
            let context = crate::api::blocking(move || context(&g2, &item2)).await;
            let context = context.unwrap_or_else(|e| Context {
                findings: Vec::new(),
                sources: Vec::new(),
                note: Some(e.to_string()),
            });
            format!("{}{}", page::notice(l, q.done.as_deref()), detail(&v, &item, &context))
        }
        Ok(_) => page::error_box(
            l,
            &Error::Forbidden(l.t("此角色不能审核该条目。", "This role may not review the item.").into()),
        ),
        Err(e) => page::error_box(l, &e),
    };
    page::render(&v, Nav::Reviews, l.t("审核回答", "Review an answer"), &body)
}

/// What the reviewers found in the draft (with spans) and the passages the request cited.
struct Context {
    findings: Vec<govai::ReviewFinding>,
    sources: Vec<govai::answer_review::SourceInput>,
    note: Option<String>,
}

/// The request's cited passages (from its audit record and the knowledge base), and the
/// output reviewers run again on the draft as shown to the reviewer, for their spans.
fn context(g: &Gateway, item: &Value) -> Result<Context> {
    let seq = item["audit_id"].as_u64().unwrap_or_default();
    let record = crate::audit_api::record(g, seq)?;
    let ids: Vec<String> = record
        .as_ref()
        .and_then(|r| r["sources"].as_array())
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let sources = g.passages(&ids)?;
    let draft = item["draft"].as_str().unwrap_or_default().to_owned();
    let findings = if draft.trim().is_empty() {
        Vec::new()
    } else {
        let scenario = item["scenario"].as_str().unwrap_or_default();
        let spec = g
            .deployment
            .scenario(scenario)
            .map(|s| s.spec().clone())
            .ok_or_else(|| Error::NotFound(format!("scenario `{scenario}` is no longer served")))?;
        let request = govai::answer_review::ReviewRequest {
            scenario: scenario.to_owned(),
            request: item["question"].as_str().unwrap_or_default().to_owned(),
            answer: draft,
            sources: sources.clone(),
            documents: vec![],
        };
        govai::answer_review::review_for(&spec, request, &g.reviewers()?)?.findings
    };
    Ok(Context { findings, sources, note: None })
}

impl Gateway {
    /// The passages with these ids, from the knowledge base being served (store versions).
    fn passages(&self, ids: &[String]) -> Result<Vec<govai::answer_review::SourceInput>> {
        let (Some(k), false) = (&self.knowledge, ids.is_empty()) else { return Ok(Vec::new()) };
        let Some(version) = k.loaded() else { return Ok(Vec::new()) };
        let all = k.store().kb_passages(version).map_err(crate::queue::store_error)?;
        Ok(ids
            .iter()
            .filter_map(|id| all.iter().find(|p| &p.id == id))
            .map(|p| govai::answer_review::SourceInput {
                id: Some(p.id.clone()),
                title: p.body["title"].as_str().unwrap_or_default().to_owned(),
                text: p.body["text"].as_str().unwrap_or_default().to_owned(),
                url: p.body["url"].as_str().map(str::to_owned),
            })
            .collect())
    }
}

fn detail(v: &Visitor, item: &Value, c: &Context) -> String {
    let l = v.lang;
    let id = item["id"].as_str().unwrap_or_default();
    let state = item["state"].as_str().unwrap_or_default();
    let draft = item["draft"].as_str().unwrap_or_default();
    let open = matches!(state, "pending" | "claimed");
    let mut html = format!(
        r#"<dl class="meta"><dt>ID</dt><dd data-testid="review-id">{id}</dd><dt>{s}</dt><dd>{scenario}</dd><dt>{cl}</dt><dd>{caller}</dd><dt>{st}</dt><dd data-testid="review-state">{state}</dd><dt>{w}</dt><dd>{age}</dd><dt>{au}</dt><dd>{audit}</dd></dl>
<section aria-labelledby="h-q"><h2 id="h-q">{qh}</h2><p class="question">{question}</p></section>
<section aria-labelledby="h-r"><h2 id="h-r">{rh}</h2><ul class="reasons">{reasons}</ul></section>
<div class="side"><section aria-labelledby="h-d"><h2 id="h-d">{dh}</h2><div class="draft" data-testid="draft">{marked}</div>{findings}</section>
<section aria-labelledby="h-s"><h2 id="h-s">{sh}</h2>{sources}</section></div>"#,
        id = esc(id),
        s = l.t("场景", "Scenario"),
        scenario = esc(item["scenario"].as_str().unwrap_or_default()),
        cl = l.t("提问方", "Caller"),
        caller = esc(item["caller"].as_str().unwrap_or_default()),
        st = l.t("状态", "State"),
        state = esc(&state_label(l, state)),
        w = l.t("已等待", "Waiting"),
        age = esc(&age(l, age_secs(item))),
        au = l.t("审计编号", "Audit id"),
        audit = item["audit_id"],
        qh = l.t("问题", "Question"),
        question = esc(item["question"].as_str().unwrap_or_default()),
        rh = l.t("转人工原因", "Why a person must decide"),
        reasons = reasons(item).iter().map(|r| format!("<li>{}</li>", esc(r))).collect::<String>(),
        dh = l.t("模型草稿（审核发现已标出）", "The model's draft (findings marked)"),
        marked = mark(draft, &c.findings),
        findings = findings_list(l, &c.findings, c.note.as_deref()),
        sh = l.t("引用的资料", "Cited passages"),
        sources = sources_list(l, &c.sources),
    );
    if open {
        html.push_str(&actions(v, id, draft, state));
    } else if let Some(text) = item["final_text"].as_str() {
        let _ = write!(
            html,
            r#"<section><h2>{}</h2><div class="draft">{}</div></section>"#,
            l.t("最终回答", "Final answer"),
            esc(text)
        );
    }
    html
}

/// The draft with each finding's span wrapped in `<mark>` (numbered like the list).
fn mark(text: &str, findings: &[govai::ReviewFinding]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize, usize)> = findings
        .iter()
        .enumerate()
        .filter_map(|(n, f)| f.span.map(|(s, e)| (s.min(chars.len()), e.min(chars.len()), n + 1)))
        .filter(|(s, e, _)| s < e)
        .collect();
    spans.sort_unstable();
    let mut out = String::new();
    let mut at = 0;
    for (s, e, n) in spans {
        if s < at {
            continue; // overlapping: the first one is marked
        }
        out.push_str(&esc(&chars[at..s].iter().collect::<String>()));
        let _ = write!(
            out,
            r#"<mark data-finding="{n}">{}<sup>{n}</sup></mark>"#,
            esc(&chars[s..e].iter().collect::<String>())
        );
        at = e;
    }
    out.push_str(&esc(&chars[at..].iter().collect::<String>()));
    out
}

fn findings_list(l: Lang, findings: &[govai::ReviewFinding], note: Option<&str>) -> String {
    let mut html = String::from(r#"<ol class="findings" data-testid="findings">"#);
    for f in findings {
        let _ = write!(
            html,
            r#"<li class="v-{v}"><code>{code}</code> {msg} <span class="muted">({who}, {v})</span></li>"#,
            v = esc(&format!("{:?}", f.verdict).to_lowercase()),
            code = esc(&f.code),
            msg = esc(&f.message),
            who = esc(&f.reviewer),
        );
    }
    html.push_str("</ol>");
    if findings.is_empty() {
        html = format!(
            r#"<p class="muted">{}</p>"#,
            l.t("审核器未在草稿中标出具体位置。", "The reviewers marked no span in the draft.")
        );
    }
    if let Some(n) = note {
        let _ = write!(html, r#"<p class="muted">{}</p>"#, esc(n));
    }
    html
}

fn sources_list(l: Lang, sources: &[govai::answer_review::SourceInput]) -> String {
    if sources.is_empty() {
        return format!(
            r#"<p class="muted">{}</p>"#,
            l.t("该请求没有引用知识库资料。", "The request cited no knowledge-base passage.")
        );
    }
    let mut html = String::from(r#"<ol class="sources">"#);
    for s in sources {
        let _ = write!(
            html,
            r#"<li><strong>{title}</strong> <code>{id}</code><p>{text}</p></li>"#,
            title = esc(&s.title),
            id = esc(s.id.as_deref().unwrap_or_default()),
            text = esc(&s.text),
        );
    }
    html.push_str("</ol>");
    html
}

fn actions(v: &Visitor, id: &str, draft: &str, state: &str) -> String {
    let l = v.lang;
    let claim = if state == "pending" {
        format!(
            r#"<form method="post" action="/console/reviews/{id}/claim" class="inline">{csrf}<button type="submit" data-key="c">{label} <kbd>c</kbd></button></form>"#,
            id = esc(id),
            csrf = csrf_field(v),
            label = l.t("认领", "Claim"),
        )
    } else {
        String::new()
    };
    format!(
        r#"<section aria-labelledby="h-a" class="actions"><h2 id="h-a">{h}</h2>{claim}
<form method="post" action="/console/reviews/{id}/decide" id="approve-form">{csrf}<input type="hidden" name="action" value="approve"><input type="hidden" name="shown" value="{draft}">
<label for="text">{el}</label><textarea id="text" name="text" rows="8" data-key="e">{draft}</textarea>
<button type="submit" data-key="a" data-testid="approve">{al} <kbd>a</kbd></button></form>
<form method="post" action="/console/reviews/{id}/decide" id="reject-form">{csrf}<input type="hidden" name="action" value="reject">
<label for="reason">{rl}</label><input id="reason" name="reason" required data-key="r">
<button type="submit" data-testid="reject">{rb}</button></form>
<p class="muted">{keys}</p></section>"#,
        h = l.t("决定", "Decide"),
        id = esc(id),
        csrf = csrf_field(v),
        el = l.t("回答（可修改后批准）", "Answer (edit before approving if needed)"),
        draft = esc(draft),
        al = l.t("批准", "Approve"),
        rl = l.t("驳回原因", "Reason to reject"),
        rb = l.t("驳回", "Reject"),
        keys = l.t(
            "快捷键：a 批准，e 编辑回答，r 填写驳回原因，c 认领，Esc 离开输入框。",
            "Keys: a approve, e edit the answer, r reason to reject, c claim, Esc leaves a field.",
        ),
    )
}

/// `POST /console/reviews/{id}/claim`.
pub async fn claim(
    State(g): State<Arc<Gateway>>,
    v: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let result = async {
        v.check_post(&f.csrf, &headers)?;
        let uri = format!("/v1/govai/reviews/{}/claim", super::session::urlencode(&id));
        api(&g, &v.caller, Method::POST, &uri, None).await
    };
    after(&v, &id, result.await.map(|_| "claimed"))
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    csrf: String,
    action: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    /// The draft as the page showed it.
    #[serde(default)]
    shown: Option<String>,
}

/// `POST /console/reviews/{id}/decide`: approve (the text as shown, edited or not) or reject.
pub async fn decide(
    State(g): State<Arc<Gateway>>,
    v: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    let result = async {
        v.check_post(&f.csrf, &headers)?;
        let uri = format!("/v1/govai/reviews/{}/decide", super::session::urlencode(&id));
        let (body, done) = match f.action.as_str() {
            "approve" => (approve_body(f.text, f.shown), "approved"),
            "reject" => (json!({"action": "reject", "reason": f.reason.unwrap_or_default()}), "rejected"),
            other => return Err(Error::invalid(format!("action `{other}`: approve or reject"), Some("action"))),
        };
        api(&g, &v.caller, Method::POST, &uri, Some(body)).await?;
        Ok(done)
    };
    after(&v, &id, result.await)
}

/// The approval: as drafted when the text was not changed (so that a masked view does not
/// replace the real draft with its masks), the edit otherwise.
fn approve_body(text: Option<String>, shown: Option<String>) -> Value {
    let norm = |t: String| t.replace("\r\n", "\n").trim().to_owned();
    match (text.map(norm), shown.map(norm)) {
        (Some(t), Some(s)) if t != s => json!({"action": "approve", "text": t}),
        (Some(t), None) => json!({"action": "approve", "text": t}),
        _ => json!({"action": "approve"}),
    }
}

fn after(v: &Visitor, id: &str, result: Result<&str>) -> Response {
    match result {
        Ok("claimed") => {
            Redirect::to(&format!("/console/reviews/{}?done=claimed", super::session::urlencode(id))).into_response()
        }
        Ok(done) => Redirect::to(&format!("/console/reviews?done={done}")).into_response(),
        Err(e) => {
            let back = format!(
                r#"<p><a href="/console/reviews/{}">{}</a></p>"#,
                esc(&super::session::urlencode(id)),
                v.lang.t("返回该条目", "Back to the item")
            );
            page::failed(v, Nav::Reviews, v.lang.t("审核回答", "Review an answer"), &e, &back)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_marked_in_the_escaped_draft() {
        let f = |s, e| govai::ReviewFinding {
            reviewer: "grounding".into(),
            code: "unsupported".into(),
            message: "m".into(),
            verdict: govai::Verdict::Revise,
            span: Some((s, e)),
        };
        let html = mark("办理<b>需要10天。", &[f(7, 10), f(8, 9), f(2, 5)]);
        assert_eq!(
            html,
            r#"办理<mark data-finding="3">&lt;b&gt;<sup>3</sup></mark>需要<mark data-finding="1">10天<sup>1</sup></mark>。"#
        );
        assert_eq!(mark("短", &[f(0, 99)]), r#"<mark data-finding="1">短<sup>1</sup></mark>"#);
        assert_eq!(excerpt("一二三四", 2), "一二…");
        let shown = Some("身份证[已屏蔽]的答复".to_owned());
        assert_eq!(approve_body(Some("身份证[已屏蔽]的答复\r\n".into()), shown.clone()), json!({"action": "approve"}));
        assert_eq!(approve_body(Some("改过的".into()), shown), json!({"action": "approve", "text": "改过的"}));
    }
}
