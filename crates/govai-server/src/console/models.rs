//! The models page: the registry (version, filing, clearance, location), each scenario's model
//! and canary share with requests per version, setting a canary's share and rolling back, the
//! rollout history and the kept pre-launch evaluations (through `/v1/govai/registry` and
//! `/v1/govai/rollouts/*`, which check the role, apply the change and audit it).

use std::fmt::Write;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::call::api;
use super::page::{self, Lang, Nav, csrf_field, esc};
use super::session::{CsrfForm, Visitor, urlencode};
use crate::error::{Error, Result};
use crate::gateway::Gateway;

#[derive(Debug, Default, Deserialize)]
pub struct ModelsQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/models`.
pub async fn page(State(g): State<Arc<Gateway>>, v: Visitor, Query(q): Query<ModelsQuery>) -> Response {
    let l = v.lang;
    let body = match overview(&g, &v).await {
        Ok(html) => format!("{}{html}", page::notice(l, q.done.as_deref())),
        Err(e) => page::error_box(l, &e),
    };
    page::render(&v, Nav::Models, Nav::Models.label(l), &body)
}

async fn overview(g: &Arc<Gateway>, v: &Visitor) -> Result<String> {
    let l = v.lang;
    let registry = api(g, &v.caller, Method::GET, "/v1/govai/registry", None).await?;
    let mut html = models_table(l, &registry);
    html.push_str(&format!("<h2>{}</h2>", l.t("各场景的模型与灰度", "Scenarios: model and canary")));
    for s in registry["scenarios"].as_array().into_iter().flatten() {
        let scenario = s["scenario"].as_str().unwrap_or_default();
        let uri = format!("/v1/govai/rollouts/{}", urlencode(scenario));
        let history = api(g, &v.caller, Method::GET, &uri, None).await.unwrap_or(Value::Null);
        html.push_str(&scenario_block(v, s, &registry, &history));
    }
    Ok(html)
}

fn models_table(l: Lang, registry: &Value) -> String {
    let mut rows = String::new();
    for m in registry["models"].as_array().into_iter().flatten() {
        let filing = &m["filing"];
        let _ = write!(
            rows,
            r#"<tr><th scope="row">{id}</th><td class="l">{ver}</td><td class="l">{kind}</td><td class="l">{clear}</td><td class="l">{loc}</td><td class="l">{filing}</td></tr>"#,
            id = esc(m["id"].as_str().unwrap_or_default()),
            ver = esc(m["version"].as_str().unwrap_or_default()),
            kind = esc(&json_text(&m["kind"])),
            clear = esc(&json_text(&m["clearance"])),
            loc = esc(&json_text(&m["location"])),
            filing = esc(filing["number"].as_str().or(filing["filing_number"].as_str()).unwrap_or("-")),
        );
    }
    format!(
        r#"<table class="list" data-testid="registry"><caption>{cap}</caption><thead><tr><th scope="col">{id}</th><th scope="col">{v}</th><th scope="col">{k}</th><th scope="col">{c}</th><th scope="col">{lo}</th><th scope="col">{f}</th></tr></thead><tbody>{rows}</tbody></table>"#,
        cap = l.t("已登记的模型", "Registered models"),
        id = l.t("模型", "Model"),
        v = l.t("版本", "Version"),
        k = l.t("类型", "Kind"),
        c = l.t("可处理的最高数据级别", "Clearance"),
        lo = l.t("部署位置", "Location"),
        f = l.t("备案号", "Filing"),
    )
}

fn json_text(v: &Value) -> String {
    v.as_str().map_or_else(|| if v.is_null() { "-".into() } else { v.to_string() }, str::to_owned)
}

fn scenario_block(v: &Visitor, s: &Value, registry: &Value, history: &Value) -> String {
    let l = v.lang;
    let scenario = s["scenario"].as_str().unwrap_or_default();
    let canary = &s["canary"];
    let share = if canary.is_null() {
        l.t("无灰度", "no canary").to_owned()
    } else {
        format!("{} {}%", esc(canary["model"].as_str().unwrap_or_default()), canary["percent"])
    };
    let served: Vec<String> = registry["by_version"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["scenario"] == scenario)
        .map(|r| {
            format!(
                "{} {}: {}",
                esc(r["model"].as_str().unwrap_or_default()),
                esc(r["version"].as_str().unwrap_or_default()),
                r["requests"]
            )
        })
        .collect();
    let options: String = registry["models"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["id"].as_str())
        .map(|id| format!(r#"<option value="{0}">{0}</option>"#, esc(id)))
        .collect();
    let mut html = format!(
        r#"<section class="scenario" data-testid="scenario-{sid}"><h3>{sid}</h3><p>{ml}: <strong>{model}</strong> · {cl}: <span data-testid="canary-{sid}">{share}</span></p><p class="muted">{sl}: {served}</p>
<form method="post" action="/console/models/{sid}/canary" class="inline">{csrf}<label for="m-{sid}">{cm}</label><select id="m-{sid}" name="model">{options}</select><label for="p-{sid}">{pl}</label><input id="p-{sid}" name="percent" inputmode="decimal" size="5" required><button type="submit">{set}</button></form>
<form method="post" action="/console/models/{sid}/rollback" class="inline">{csrf}<button type="submit" data-testid="rollback-{sid}">{rb}</button></form>"#,
        sid = esc(scenario),
        ml = l.t("稳定模型", "Stable model"),
        model = esc(s["model"].as_str().unwrap_or("-")),
        cl = l.t("灰度", "Canary"),
        sl = l.t("各版本处理的请求", "Requests per version"),
        served = if served.is_empty() { "-".into() } else { served.join(" · ") },
        csrf = csrf_field(v),
        cm = l.t("灰度模型", "Canary model"),
        pl = l.t("比例 %", "Share %"),
        set = l.t("设置灰度", "Set canary"),
        rb = l.t("回滚", "Roll back"),
    );
    let changes: Vec<String> = history["history"]
        .as_array()
        .into_iter()
        .flatten()
        .take(5)
        .map(|h| {
            format!(
                "<li>{} · {} · {} {}%</li>",
                esc(h["at"].as_str().or(h["created_at"].as_str()).unwrap_or_default()),
                esc(h["actor"].as_str().unwrap_or_default()),
                esc(h["model"].as_str().unwrap_or("-")),
                h["percent"]
            )
        })
        .collect();
    if !changes.is_empty() {
        let _ = write!(
            html,
            "<details><summary>{}</summary><ul>{}</ul></details>",
            l.t("最近的变更", "Recent changes"),
            changes.join("")
        );
    }
    let evaluations: Vec<String> = history["evaluations"]
        .as_array()
        .into_iter()
        .flatten()
        .take(5)
        .map(|e| {
            format!(
                r#"<li><a href="/console/models/evaluations/{}"><span class="{}">{}</span></a> {} → {} · {}</li>"#,
                esc(&urlencode(e["id"].as_str().unwrap_or_default())),
                if e["verdict"] == "go" { "ok" } else { "bad" },
                esc(&e["verdict"].as_str().unwrap_or_default().to_uppercase()),
                esc(e["baseline_model"].as_str().unwrap_or_default()),
                esc(e["candidate_model"].as_str().unwrap_or_default()),
                esc(e["created_at"].as_str().unwrap_or_default()),
            )
        })
        .collect();
    if !evaluations.is_empty() {
        let _ = write!(
            html,
            "<details open><summary>{}</summary><ul>{}</ul></details>",
            l.t("上线前评估", "Pre-launch evaluations"),
            evaluations.join("")
        );
    }
    html.push_str("</section>");
    html
}

#[derive(Debug, Deserialize)]
pub struct CanaryForm {
    csrf: String,
    model: String,
    percent: String,
}

/// `POST /console/models/{scenario}/canary`.
pub async fn canary(
    State(g): State<Arc<Gateway>>,
    v: Visitor,
    headers: HeaderMap,
    Path(scenario): Path<String>,
    Form(f): Form<CanaryForm>,
) -> Response {
    let result = async {
        v.check_post(&f.csrf, &headers)?;
        let percent: f64 =
            f.percent.trim().parse().map_err(|_| {
                Error::invalid(format!("percent `{}`: a number from 0 to 100", f.percent), Some("percent"))
            })?;
        let uri = format!("/v1/govai/rollouts/{}", urlencode(&scenario));
        api(&g, &v.caller, Method::POST, &uri, Some(json!({"model": f.model, "percent": percent}))).await?;
        Ok("canary")
    };
    after(&v, result.await)
}

/// `POST /console/models/{scenario}/rollback`.
pub async fn rollback(
    State(g): State<Arc<Gateway>>,
    v: Visitor,
    headers: HeaderMap,
    Path(scenario): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let result = async {
        v.check_post(&f.csrf, &headers)?;
        let uri = format!("/v1/govai/rollouts/{}/rollback", urlencode(&scenario));
        api(&g, &v.caller, Method::POST, &uri, None).await?;
        Ok("rollback")
    };
    after(&v, result.await)
}

fn after(v: &Visitor, result: Result<&str>) -> Response {
    match result {
        Ok(done) => Redirect::to(&format!("/console/models?done={done}")).into_response(),
        Err(e) => page::failed(v, Nav::Models, Nav::Models.label(v.lang), &e, ""),
    }
}

/// `GET /console/models/evaluations/{id}`: a kept evaluation's verdict and report.
pub async fn evaluation(State(g): State<Arc<Gateway>>, v: Visitor, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let uri = format!("/v1/govai/evaluations/{}", urlencode(&id));
    let body = match api(&g, &v.caller, Method::GET, &uri, None).await {
        Ok(x) => {
            let r = &x["report"];
            let go = r["verdict"] == "go";
            format!(
                r#"<p class="verdict {class}" role="status">{verdict}</p><p>{s}: {scenario} · {b}: {base} → {c}: {cand}</p><pre class="record" data-testid="evaluation">{json}</pre>"#,
                class = if go { "ok" } else { "bad" },
                verdict = if go { l.t("可以上线 GO", "GO") } else { l.t("不可上线 NO-GO", "NO-GO") },
                s = l.t("场景", "Scenario"),
                scenario = esc(r["scenario"].as_str().unwrap_or_default()),
                b = l.t("基线", "baseline"),
                base = esc(r["baseline"]["model"]["id"].as_str().unwrap_or_default()),
                c = l.t("候选", "candidate"),
                cand = esc(r["candidate"]["model"]["id"].as_str().unwrap_or_default()),
                json = esc(&serde_json::to_string_pretty(r).unwrap_or_default()),
            )
        }
        Err(e) => page::error_box(l, &e),
    };
    page::render(&v, Nav::Models, l.t("上线前评估", "Pre-launch evaluation"), &body)
}
