//! The HTML of `govai report`: one self-contained page (no script, no external asset), zh-CN
//! first with English in brackets, charts as inline SVG ([`crate::svg`]) with the same figures
//! in tables.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::figures::{Report, Row};
use crate::svg::{Series, Target, bars, escape, lines};

/// The rules every govai report page shares: the page, its tables, captions.
pub const STYLE: &str = "body{font-family:sans-serif;color:#111;background:#fff;margin:0} \
main{max-width:980px;margin:0 auto;padding:16px}
table{border-collapse:collapse;margin:12px 0;font-size:13px} \
th,td{border:1px solid #888;padding:4px 8px;text-align:right}
th[scope=row],td.l{text-align:left} caption{text-align:left;font-weight:bold;padding:4px 0}";

/// The page.
pub fn render(r: &Report) -> String {
    let days = days(&r.rows);
    let labels: Vec<String> = days.keys().map(|d| d.get(5..).unwrap_or(d).to_owned()).collect();
    let mut html = head(r);
    html.push_str(&charts(&days, &labels));
    html.push_str(&rows_table(&r.rows));
    html.push_str(&models_table(r));
    html.push_str("</main></body></html>\n");
    html
}

fn head(r: &Report) -> String {
    let (verdict, class) = if r.audit.intact { ("完整 (intact)", "ok") } else { ("已损坏 (NOT intact)", "bad") };
    let mut html = format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>运行报告 (Operations report) · {name}</title>
<style>
{style}
.ok{{color:#1b5e20;font-weight:bold}} .bad{{color:#b71c1c;font-weight:bold}} figure{{margin:16px 0}}
</style></head><body><main>
<h1>运行报告 <span lang="en">(Operations report)</span></h1>
<p>{name} · {from} — {to} · 生成于 (generated) {at}</p>
<p>审计日志 (audit log) <code>{file}</code>：<span class="{class}">{verdict}</span>，{records} 条记录 (records)</p>
"#,
        style = STYLE,
        name = escape(&r.deployment),
        from = escape(&r.from),
        to = escape(&r.to),
        at = escape(&r.generated_at),
        file = escape(&r.audit.file),
        records = r.audit.records,
    );
    if let Some(detail) = &r.audit.detail {
        let _ = writeln!(html, "<p class=\"bad\">{}</p>", escape(detail));
    }
    if let Some(q) = &r.queue {
        let _ = writeln!(
            html,
            "<p>人工审核队列 (review queue) 当前：{} 条待处理 (open)，{} 条超时 (overdue)，最久 {} 秒 (oldest, s)</p>",
            q.open, q.overdue, q.oldest_age_secs
        );
    }
    if !r.unreadable.is_empty() {
        let _ = writeln!(html, "<p class=\"bad\">{} 行无法读取 (unreadable lines)</p>", r.unreadable.len());
    }
    html
}

/// Every scenario summed per day.
fn days(rows: &[Row]) -> BTreeMap<String, Vec<&Row>> {
    let mut days: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        days.entry(row.day.clone()).or_default().push(row);
    }
    days
}

fn charts(days: &BTreeMap<String, Vec<&Row>>, labels: &[String]) -> String {
    let sum =
        |f: fn(&Row) -> u64| days.values().map(|rows| rows.iter().map(|r| f(r) as f64).sum()).collect::<Vec<f64>>();
    let volume = bars(
        "每日请求与结果 (Requests per day by outcome)",
        labels,
        &[
            Series { name: "answered", values: sum(|r| r.answered) },
            Series { name: "escalated", values: sum(|r| r.escalated) },
            Series { name: "refused", values: sum(|r| r.refused) },
            Series { name: "redirected", values: sum(|r| r.redirected) },
            Series { name: "other", values: sum(|r| r.other) },
        ],
        true,
        &[],
    );
    // The busiest scenario's latency stands for the day (a mean of percentiles is not one).
    let busiest = |f: fn(&Row) -> Option<f64>| {
        days.values()
            .map(|rows| rows.iter().max_by_key(|r| r.requests).and_then(|r| f(r)).unwrap_or(f64::NAN))
            .collect::<Vec<f64>>()
    };
    let latency = lines(
        "延迟，请求最多的场景 (Latency of the busiest scenario, ms)",
        labels,
        &[
            Series { name: "p50", values: busiest(|r| r.latency_ms_p50) },
            Series { name: "p99", values: busiest(|r| r.latency_ms_p99) },
        ],
        None,
    );
    let rate = |num: fn(&Row) -> f64, den: fn(&Row) -> u64| {
        days.values()
            .map(|rows| {
                let d: u64 = rows.iter().map(|r| den(r)).sum();
                if d == 0 { f64::NAN } else { rows.iter().map(|r| num(r)).sum::<f64>() / d as f64 }
            })
            .collect::<Vec<f64>>()
    };
    let human = lines(
        "人工改写率与满意度 (Human override rate, feedback score / 5)",
        labels,
        &[
            Series {
                name: "override rate",
                values: rate(|r| r.override_rate.unwrap_or(0.0) * r.decisions as f64, |r| r.decisions),
            },
            Series {
                name: "feedback / 5",
                values: rate(|r| r.feedback_mean.unwrap_or(0.0) * r.feedback as f64 / 5.0, |r| r.feedback),
            },
        ],
        Some(1.0),
    );
    let escalation = bars(
        "转人工率 (Escalation rate)",
        labels,
        &[Series { name: "escalated / requests", values: rate(|r| r.escalated as f64, |r| r.requests) }],
        false,
        &[Target { label: "20%", value: 0.2, category: None }],
    );
    format!("<figure>{volume}</figure><figure>{latency}</figure><figure>{human}</figure><figure>{escalation}</figure>")
}

fn rows_table(rows: &[Row]) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    let mut html = String::from(
        "<table><caption>按场景和日期 (By scenario and day)</caption><thead><tr>\
         <th scope=\"col\">日期 (day)</th><th scope=\"col\">场景 (scenario)</th><th scope=\"col\">请求 (requests)</th>\
         <th scope=\"col\">回答 (answered)</th><th scope=\"col\">拒答 (refused)</th><th scope=\"col\">转人工 (escalated)</th>\
         <th scope=\"col\">引导 (redirected)</th><th scope=\"col\">p50 ms</th><th scope=\"col\">p99 ms</th>\
         <th scope=\"col\">人工决定 (decisions)</th><th scope=\"col\">改写率 (override)</th><th scope=\"col\">评价 (feedback)</th>\
         <th scope=\"col\">平均分 (mean)</th><th scope=\"col\">等待中位 min</th><th scope=\"col\">等待最长 min</th></tr></thead><tbody>",
    );
    for r in rows {
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{}</th><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.day),
            escape(&r.scenario),
            r.requests,
            r.answered,
            r.refused,
            r.escalated,
            r.redirected,
            show(r.latency_ms_p50),
            show(r.latency_ms_p99),
            r.decisions,
            r.override_rate.map_or_else(|| "–".to_owned(), |v| format!("{:.0}%", 100.0 * v)),
            r.feedback,
            show(r.feedback_mean),
            show(r.queue_wait_min_p50),
            show(r.queue_wait_min_max),
        );
    }
    html.push_str("</tbody></table>");
    html
}

fn models_table(r: &Report) -> String {
    let mut html = String::from(
        "<table><caption>模型版本 (Model versions that answered)</caption><thead><tr><th scope=\"col\">场景 (scenario)</th>\
         <th scope=\"col\">模型 (model)</th><th scope=\"col\">版本 (version)</th><th scope=\"col\">实际回答 (served by)</th>\
         <th scope=\"col\">请求 (requests)</th></tr></thead><tbody>",
    );
    for m in &r.models {
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{}</th><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td></tr>",
            escape(&m.scenario),
            escape(&m.model),
            escape(&m.version),
            escape(m.served_by.as_deref().unwrap_or("–")),
            m.requests
        );
    }
    html.push_str("</tbody></table>");
    html
}
