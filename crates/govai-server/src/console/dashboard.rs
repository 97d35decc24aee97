//! The dashboard: per scenario and day, volume by outcome, refusal and escalation rates,
//! latency p50/p99, feedback score and the review queue now, from `/v1/govai/stats` (the
//! audit log read now, so a request made a moment ago is in it). Charts are inline SVG drawn
//! on the server ([`govai_report::svg`]) with the same figures in tables.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use govai_report::figures::{Report, Row};
use govai_report::svg::{Series, bars, lines};
use serde::Deserialize;

use super::call::{api, query};
use super::page::{self, Lang, Nav, esc};
use super::session::Visitor;
use crate::error::Error;
use crate::gateway::Gateway;

#[derive(Debug, Default, Deserialize)]
pub struct DashQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /console/dashboard?from=&to=` (days `YYYY-MM-DD`; default: the last 14 days).
pub async fn page(State(g): State<Arc<Gateway>>, v: Visitor, Query(q): Query<DashQuery>) -> Response {
    let l = v.lang;
    let today = chrono::Utc::now().date_naive();
    let from = if q.from.is_empty() { (today - chrono::Days::new(13)).to_string() } else { q.from.clone() };
    let to = if q.to.is_empty() { today.to_string() } else { q.to.clone() };
    let uri = format!("/v1/govai/stats{}", query(&[("from", &from), ("to", &to)]));
    let figures = api(&g, &v.caller, Method::GET, &uri, None).await.and_then(|value| {
        serde_json::from_value::<Report>(value).map_err(|e| Error::Internal(format!("figures: {e}")))
    });
    let body = match figures {
        Ok(r) => format!("{}{}", range_form(l, &from, &to), dashboard(l, &r)),
        Err(e) => format!("{}{}", range_form(l, &from, &to), page::error_box(l, &e)),
    };
    page::render(&v, Nav::Dashboard, Nav::Dashboard.label(l), &body)
}

fn range_form(l: Lang, from: &str, to: &str) -> String {
    format!(
        r#"<form class="filters" method="get" action="/console/dashboard"><label for="d-from">{fl}</label><input id="d-from" name="from" type="date" value="{from}"><label for="d-to">{tl}</label><input id="d-to" name="to" type="date" value="{to}"><button type="submit">{go}</button></form>"#,
        fl = l.t("自", "From"),
        tl = l.t("至", "To"),
        from = esc(from),
        to = esc(to),
        go = l.t("刷新", "Show"),
    )
}

fn dashboard(l: Lang, r: &Report) -> String {
    let mut html = String::new();
    let (intact, class) =
        if r.audit.intact { (l.t("完整", "intact"), "ok") } else { (l.t("已损坏", "NOT intact"), "bad") };
    let _ = write!(
        html,
        r#"<p class="cards"><span class="card"><b data-testid="total-requests">{total}</b> {rq}</span><span class="card"><b>{refusal}</b> {rr}</span><span class="card"><b>{esc_rate}</b> {er}</span><span class="card"><b class="{class}">{intact}</b> {al} ({records})</span>{queue}</p>"#,
        total = r.rows.iter().map(|x| x.requests).sum::<u64>(),
        rq = l.t("请求", "requests"),
        refusal = rate(r.rows.iter().map(|x| x.refused).sum(), r.rows.iter().map(|x| x.requests).sum()),
        rr = l.t("拒答率", "refused"),
        esc_rate = rate(r.rows.iter().map(|x| x.escalated).sum(), r.rows.iter().map(|x| x.requests).sum()),
        er = l.t("转人工率", "escalated"),
        al = l.t("审计日志", "audit log"),
        records = r.audit.records,
        queue = r.queue.as_ref().map_or_else(String::new, |q| format!(
            r#"<span class="card"><b>{}</b> {} · {} {} · {} {}</span>"#,
            q.open,
            l.t("待审核", "in the queue"),
            q.overdue,
            l.t("超时", "overdue"),
            esc(&page::age(l, q.oldest_age_secs as i64)),
            l.t("最久", "oldest")
        )),
    );
    let days = by_day(&r.rows);
    let labels: Vec<String> = days.keys().map(|d| d.get(5..).unwrap_or(d).to_owned()).collect();
    let sum =
        |f: fn(&Row) -> u64| days.values().map(|rows| rows.iter().map(|x| f(x) as f64).sum()).collect::<Vec<f64>>();
    let volume = bars(
        l.t("每日请求量（按结果）", "Requests per day by outcome"),
        &labels,
        &[
            Series { name: l.t("已回答", "answered"), values: sum(|x| x.answered) },
            Series { name: l.t("拒答", "refused"), values: sum(|x| x.refused) },
            Series { name: l.t("转人工", "escalated"), values: sum(|x| x.escalated) },
            Series { name: l.t("引导", "redirected"), values: sum(|x| x.redirected) },
            Series { name: l.t("其他", "other"), values: sum(|x| x.other) },
        ],
        true,
        &[],
    );
    let worst = |f: fn(&Row) -> Option<f64>| {
        days.values().map(|rows| rows.iter().filter_map(|x| f(x)).fold(f64::NAN, f64::max)).collect::<Vec<f64>>()
    };
    let latency = lines(
        l.t("延迟（毫秒，各场景中最高）", "Latency (ms, highest of the scenarios)"),
        &labels,
        &[
            Series { name: "p50", values: worst(|x| x.latency_ms_p50) },
            Series { name: "p99", values: worst(|x| x.latency_ms_p99) },
        ],
        None,
    );
    let _ = write!(
        html,
        r#"<figure data-testid="chart-volume">{volume}</figure><figure data-testid="chart-latency">{latency}</figure>"#
    );
    html.push_str(&scenario_table(l, &r.rows));
    html
}

fn by_day(rows: &[Row]) -> BTreeMap<String, Vec<&Row>> {
    let mut days: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        days.entry(row.day.clone()).or_default().push(row);
    }
    days
}

fn rate(part: u64, all: u64) -> String {
    if all == 0 { "-".into() } else { format!("{:.1}%", 100.0 * part as f64 / all as f64) }
}

fn scenario_table(l: Lang, rows: &[Row]) -> String {
    let mut per: BTreeMap<&str, (u64, u64, u64, u64, f64, u64)> = BTreeMap::new();
    for x in rows {
        let e = per.entry(&x.scenario).or_default();
        e.0 += x.requests;
        e.1 += x.refused;
        e.2 += x.escalated;
        e.3 += x.feedback;
        e.4 += x.feedback_mean.unwrap_or(0.0) * x.feedback as f64;
        e.5 += x.decisions;
    }
    let mut body = String::new();
    for (scenario, (n, refused, escalated, feedback, rating_sum, decisions)) in per {
        let rating = if feedback == 0 { "-".into() } else { format!("{:.2}", rating_sum / feedback as f64) };
        let _ = write!(
            body,
            r#"<tr><th scope="row">{}</th><td>{n}</td><td>{}</td><td>{}</td><td>{decisions}</td><td>{rating} ({feedback})</td></tr>"#,
            esc(scenario),
            rate(refused, n),
            rate(escalated, n),
        );
    }
    format!(
        r#"<table class="list" data-testid="per-scenario"><caption>{cap}</caption><thead><tr><th scope="col">{s}</th><th scope="col">{rq}</th><th scope="col">{rr}</th><th scope="col">{er}</th><th scope="col">{d}</th><th scope="col">{f}</th></tr></thead><tbody>{body}</tbody></table>"#,
        cap = l.t("各场景", "Per scenario"),
        s = l.t("场景", "Scenario"),
        rq = l.t("请求", "Requests"),
        rr = l.t("拒答率", "Refused"),
        er = l.t("转人工率", "Escalated"),
        d = l.t("人工决定", "Human decisions"),
        f = l.t("评分（条数）", "Rating (count)"),
    )
}
