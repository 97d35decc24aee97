//! `govai model-card --config FILE --model ID [--out FILE.md] [--json]`: the model card and
//! filing record of one model of a deployment, from its config (version, kind, filing number
//! and provider, clearance, location, the backend's settings that matter to an auditor) and
//! its store (the kept pre-launch evaluations of that model, the knowledge-base version): what
//! a department files and shows an auditor, written from what actually runs.

use std::path::Path;
use std::process::ExitCode;

use govai::config::{Config, ModelEntry};
use govai::{Error, Result};
use serde::Serialize;

use crate::{out, print_json};

/// The card.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ModelCard {
    pub(crate) deployment: String,
    pub(crate) model: govai::ModelInfo,
    /// `faq`, `rag`, `llm`, `router` or `openai`.
    pub(crate) backend: &'static str,
    /// Where it runs from: the model directory, or the upstream service and model name.
    pub(crate) source: Option<String>,
    /// Scenarios it serves, and those where it is a canary (with the share).
    pub(crate) serves: Vec<String>,
    pub(crate) canary_in: Vec<(String, f64)>,
    /// The knowledge-base version the store holds (versioned knowledge bases only).
    pub(crate) kb_version: Option<u64>,
    /// Kept evaluations with this model as the candidate, newest first.
    pub(crate) evaluations: Vec<govai_store::Evaluation>,
    pub(crate) generated_at: String,
}

/// The command.
pub(crate) fn run(config_path: &Path, model: &str, out_file: Option<&Path>, json: bool) -> Result<ExitCode> {
    let card = build(config_path, model)?;
    if json {
        print_json(&card)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = markdown(&card);
    match out_file {
        Some(path) => std::fs::write(path, &text).map_err(|e| Error::io(path, e))?,
        None => out!("{text}")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn build(config_path: &Path, model: &str) -> Result<ModelCard> {
    let config = Config::from_file(config_path)?;
    let Some(entry) = config.models.iter().find(|m| m.id() == model) else {
        let known: Vec<&str> = config.models.iter().map(|m| m.id()).collect();
        return Err(Error::InvalidInput(format!("--model: no model `{model}` (models: {})", known.join(", "))));
    };
    let (backend, source) = match entry {
        ModelEntry::Faq(_) => ("faq", None),
        ModelEntry::Router(_) => ("router", None),
        ModelEntry::Llm(e) => ("llm", Some(e.path.display().to_string())),
        ModelEntry::Rag(e) => ("rag", Some(e.path.display().to_string())),
        ModelEntry::OpenAi(e) => ("openai", Some(format!("{} (model `{}`)", e.base_url, e.upstream_model))),
    };
    let serves = config.scenarios.iter().filter(|s| s.model == model).map(|s| s.id.clone()).collect();
    let canary_in = config
        .scenarios
        .iter()
        .filter_map(|s| s.canary.as_ref().filter(|c| c.model == model).map(|c| (s.id.clone(), c.percent)))
        .collect();
    let (kb_version, evaluations) = match govai_server::ops::Ops::open(config_path) {
        Ok(ops) if config.store.is_some() => (
            ops.kb_versions().ok().and_then(|v| v.first().map(|v| v.version)),
            config.scenarios.iter().flat_map(|s| ops.evaluations(&s.id, Some(model)).unwrap_or_default()).collect(),
        ),
        _ => (None, Vec::new()),
    };
    Ok(ModelCard {
        deployment: config.deployment.name.clone(),
        model: entry.info(),
        backend,
        source,
        serves,
        canary_in,
        kb_version,
        evaluations,
        generated_at: chrono::Utc::now().to_rfc3339(),
    })
}

/// The JSON name of a value (`on_premises`, `retrieve`).
fn name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Text safe in a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The card as Markdown (Chinese headings, English in brackets).
fn markdown(c: &ModelCard) -> String {
    let m = &c.model;
    let or_dash = |s: &str| if s.trim().is_empty() { "–".to_owned() } else { cell(s) };
    let mut text = format!(
        "# 模型说明与备案信息 (Model card and filing record): {id}\n\n\
         | 项目 (item) | 内容 (value) |\n|---|---|\n\
         | 部署 (deployment) | {dep} |\n| 模型 (model) | {id} |\n| 版本 (version) | {ver} |\n\
         | 类型 (kind) | {kind} |\n| 后端 (backend) | {backend} |\n| 来源 (source) | {source} |\n\
         | 备案号 (filing number) | {filing} |\n| 服务提供者 (provider) | {provider} |\n\
         | 最高数据级别 (clearance) | {clearance} ({clearance_zh}) |\n| 部署位置 (location) | {location} |\n\
         | 服务场景 (serves) | {serves} |\n| 灰度 (canary in) | {canary} |\n| 知识库版本 (knowledge base) | {kb} |\n\n",
        id = cell(&m.id),
        dep = cell(&c.deployment),
        ver = cell(&m.version),
        kind = name(&m.kind),
        backend = c.backend,
        source = c.source.as_deref().map_or_else(|| "built in".into(), cell),
        filing = or_dash(&m.filing.number),
        provider = or_dash(&m.filing.provider),
        clearance = m.clearance,
        clearance_zh = m.clearance.name_zh(),
        location = name(&m.location),
        serves = if c.serves.is_empty() { "–".into() } else { c.serves.join(", ") },
        canary = if c.canary_in.is_empty() {
            "–".into()
        } else {
            c.canary_in.iter().map(|(s, p)| format!("{s} {p}%")).collect::<Vec<_>>().join(", ")
        },
        kb = c.kb_version.map_or_else(|| "–".into(), |v| v.to_string()),
    );
    text.push_str("## 上线前评估 (Pre-launch evaluations)\n\n");
    if c.evaluations.is_empty() {
        text.push_str("None kept (`govai eval compare --record`).\n");
    } else {
        text.push_str("| 时间 (when) | 场景 (scenario) | 基线 (baseline) | 候选版本 (candidate) | 结论 (verdict) | 报告 SHA-256 | 评估人 (by) |\n|---|---|---|---|---|---|---|\n");
        for e in &c.evaluations {
            text.push_str(&format!(
                "| {} | {} | {} {} | {} | {} | `{}` | {} |\n",
                e.created_at.to_rfc3339(),
                e.scenario,
                e.baseline_model,
                e.baseline_version,
                e.candidate_version,
                if e.verdict == "go" { "GO" } else { "NO-GO" },
                e.report_sha256,
                e.created_by
            ));
        }
    }
    text.push_str(&format!(
        "\nGenerated {} by govai {} from the deployment's config and store.\n",
        c.generated_at,
        env!("CARGO_PKG_VERSION")
    ));
    text
}
