//! The HTML of `govai eval compare`: one self-contained page (no script, no external asset),
//! zh-CN first with English in brackets; the verdict at the top, charts as inline SVG
//! ([`govai_report::svg`]) with the target drawn, and the same figures in a table.

use std::fmt::Write;

use crate::compare::{Better, Comparison, Figure};
use govai_report::svg::{Series, Target, bars, escape};

/// The page.
pub(crate) fn render(c: &Comparison) -> String {
    let go = c.verdict == "go";
    let mut html = format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>上线前评估 (Pre-launch evaluation) · {scenario}</title>
<style>
{style}
.verdict{{font-size:28px;font-weight:bold;padding:8px 12px;display:inline-block;border:3px solid}}
.go{{color:#1b5e20}} .nogo{{color:#b71c1c}} figure{{margin:16px 0}}
</style></head><body><main>
<h1>上线前评估 <span lang="en">(Pre-launch evaluation)</span>：{scenario}</h1>
<p class="verdict {class}" role="status">{verdict}</p>
<p>基线 (baseline)：<strong>{bid}</strong> {bver} · 备案号 (filing) {bfile} · {bprov}<br>
候选 (candidate)：<strong>{cid}</strong> {cver} · 备案号 (filing) {cfile} · {cprov}<br>
知识库版本 (knowledge base)：{kb} · 生成于 (generated) {at} · govai {gv}</p>
"#,
        style = govai_report::html::STYLE,
        scenario = escape(&c.scenario),
        class = if go { "go" } else { "nogo" },
        verdict = if go { "可以上线 GO" } else { "不可上线 NO-GO" },
        bid = escape(&c.baseline.model.id),
        bver = escape(&c.baseline.model.version),
        bfile = escape(or_dash(&c.baseline.model.filing_number)),
        bprov = escape(or_dash(&c.baseline.model.provider)),
        cid = escape(&c.candidate.model.id),
        cver = escape(&c.candidate.model.version),
        cfile = escape(or_dash(&c.candidate.model.filing_number)),
        cprov = escape(or_dash(&c.candidate.model.provider)),
        kb = c.candidate.kb_version.or(c.baseline.kb_version).map_or_else(|| "–".to_owned(), |v| v.to_string()),
        at = escape(&c.generated_at),
        gv = c.govai_version,
    );
    if !c.reasons.is_empty() {
        html.push_str("<ul>");
        for r in &c.reasons {
            let _ = write!(html, "<li>{}</li>", escape(r));
        }
        html.push_str("</ul>");
    }
    let shares: Vec<&Figure> = c.figures.iter().filter(|f| !f.name.starts_with("latency")).collect();
    html.push_str(&share_chart(c, &shares));
    let latency: Vec<&Figure> = c.figures.iter().filter(|f| f.name.starts_with("latency")).collect();
    let names: Vec<String> = latency.iter().map(|f| f.name.to_owned()).collect();
    let svg = bars(
        "延迟 (Latency, ms)",
        &names,
        &[
            Series { name: &c.baseline.model.id, values: latency.iter().map(|f| f.baseline).collect() },
            Series { name: &c.candidate.model.id, values: latency.iter().map(|f| f.candidate).collect() },
        ],
        false,
        &[],
    );
    let _ = write!(html, "<figure>{svg}</figure>");
    html.push_str(&table(c));
    html.push_str(&differences("基线答对、候选答错 (Lost)", &c.lost));
    html.push_str(&differences("候选新答对 (Gained)", &c.gained));
    html.push_str(&banks(c));
    html.push_str("</main></body></html>\n");
    html
}

fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() { "–" } else { s }
}

/// Every share figure: both versions side by side, each target over its figure.
fn share_chart(c: &Comparison, shares: &[&Figure]) -> String {
    let names: Vec<String> = shares.iter().map(|f| f.name.to_owned()).collect();
    let labels: Vec<String> = shares
        .iter()
        .map(|f| {
            f.target
                .map(|t| format!("{} {t:.2}", if f.better == Better::Higher { "≥" } else { "≤" }))
                .unwrap_or_default()
        })
        .collect();
    let targets: Vec<Target<'_>> = shares
        .iter()
        .zip(&labels)
        .enumerate()
        .filter_map(|(i, (f, label))| f.target.map(|value| Target { label, value, category: Some(i) }))
        .collect();
    let svg = bars(
        "指标与目标 (Figures and targets; shares 0-1)",
        &names,
        &[
            Series { name: &c.baseline.model.id, values: shares.iter().map(|f| f.baseline).collect() },
            Series { name: &c.candidate.model.id, values: shares.iter().map(|f| f.candidate).collect() },
        ],
        false,
        &targets,
    );
    format!("<figure>{svg}</figure>")
}

fn table(c: &Comparison) -> String {
    let mut html = String::from(
        "<table><caption>指标 (Figures)</caption><thead><tr><th scope=\"col\">指标 (figure)</th><th scope=\"col\">基线 (baseline)</th>\
         <th scope=\"col\">候选 (candidate)</th><th scope=\"col\">差 (delta)</th><th scope=\"col\">目标 (target)</th>\
         <th scope=\"col\">结论 (verdict)</th></tr></thead><tbody>",
    );
    for f in &c.figures {
        let verdict = if f.regressed {
            "退步 (regressed)"
        } else if !f.candidate_meets_target {
            "未达标 (misses target)"
        } else {
            "通过 (ok)"
        };
        let target = f.target.map_or_else(
            || "–".to_owned(),
            |t| format!("{}{t:.2}", if f.better == Better::Higher { "≥" } else { "≤" }),
        );
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{}</th><td>{:.3}</td><td>{:.3}</td><td>{:+.3}</td><td>{}</td><td class=\"l\">{}</td></tr>",
            f.name, f.baseline, f.candidate, f.delta, target, verdict
        );
    }
    html.push_str("</tbody></table>");
    html
}

fn differences(title: &str, queries: &[String]) -> String {
    if queries.is_empty() {
        return String::new();
    }
    let mut html = format!("<h2>{}</h2><ul>", escape(title));
    for q in queries {
        let _ = write!(html, "<li>{}</li>", escape(q));
    }
    html.push_str("</ul>");
    html
}

fn banks(c: &Comparison) -> String {
    let mut html = String::from(
        "<table><caption>评测集 (Banks)</caption><thead><tr><th scope=\"col\">文件 (path)</th><th scope=\"col\">条数 (items)</th>\
         <th scope=\"col\">SHA-256</th></tr></thead><tbody>",
    );
    for b in &c.banks {
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"l\"><code>{}</code></td></tr>",
            escape(&b.path),
            b.items,
            escape(&b.sha256)
        );
    }
    html.push_str("</tbody></table>");
    html
}
