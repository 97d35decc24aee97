//! Scenarios (应用场景) and the built-in catalog of the guideline's 13 scenarios in 4 categories.
//!
//! Source: 《政务领域人工智能大模型部署应用指引》 (CAC + NDRC, 2025-10), see
//! `shared/reference/scenarios.md`. Ids are stable snake_case and part of the public contract.
//! Data ceilings, reviewers and sign-off flags are govai's defaults (the guideline sets no
//! per-scenario numbers); every one can be overridden in the deployment config.

use serde::{Deserialize, Serialize};

use crate::level::DataLevel;

/// The guideline's four categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 政务服务
    PublicService,
    /// 社会治理
    SocialGovernance,
    /// 机关办公
    OfficeWork,
    /// 辅助决策
    DecisionSupport,
}

impl Category {
    /// Stable snake_case name (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PublicService => "public_service",
            Self::SocialGovernance => "social_governance",
            Self::OfficeWork => "office_work",
            Self::DecisionSupport => "decision_support",
        }
    }
    /// Chinese name, as in the scenario catalog (e.g. 政务服务).
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::PublicService => "政务服务",
            Self::SocialGovernance => "社会治理",
            Self::OfficeWork => "机关办公",
            Self::DecisionSupport => "辅助决策",
        }
    }
}

/// What the model is asked to do in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Answer a question from a knowledge base, with citations.
    Answer,
    /// Guide a citizen or clerk through a procedure (导办, pre-fill, pre-review).
    Assist,
    /// Match policies to people or enterprises (政策找人).
    Match,
    /// Analyse signals, reports or data and flag issues.
    Analyse,
    /// Draft a document.
    Draft,
    /// Retrieve documents.
    Retrieve,
    /// Route a ticket or document to a department (分办).
    Route,
    /// Forecast a risk or an event.
    Forecast,
    /// Evaluate or appraise a policy, project or application.
    Evaluate,
}

impl TaskKind {
    /// Stable snake_case name (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answer => "answer",
            Self::Assist => "assist",
            Self::Match => "match",
            Self::Analyse => "analyse",
            Self::Draft => "draft",
            Self::Retrieve => "retrieve",
            Self::Route => "route",
            Self::Forecast => "forecast",
            Self::Evaluate => "evaluate",
        }
    }
}

/// Everything govai needs to know about a scenario. Custom scenarios are deserialised into this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Stable snake_case id.
    pub id: String,
    /// Chinese display name (e.g. 智能问答).
    pub name_zh: String,
    /// English display name.
    pub name_en: String,
    /// Which of the four application areas the scenario belongs to.
    pub category: Category,
    /// Answers reach citizens or enterprises directly (strict review applies).
    pub public_facing: bool,
    /// What the model is asked to do.
    pub task: TaskKind,
    /// Highest data level the scenario is designed to process; above it the gate acts.
    pub ceiling: DataLevel,
    /// Reviewer ids that must pass before output is released.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// A human must sign off before the output is acted on (辅助型定位).
    pub human_signoff: bool,
    /// General-purpose (通用) scenarios must use a model filed with the CAC (备案).
    #[serde(default)]
    pub requires_filed_model: bool,
    /// Prompt template; `{query}` and `{documents}` are substituted.
    #[serde(default = "default_prompt_template")]
    pub prompt_template: String,
    /// What the department should measure to judge the scenario.
    #[serde(default)]
    pub metrics: Vec<String>,
}

/// The default [`ScenarioSpec::prompt_template`]: `{query}`, the user's text alone.
pub fn default_prompt_template() -> String {
    "{query}".to_owned()
}

/// A scenario: its spec plus how a request becomes a prompt.
pub trait Scenario: Send + Sync {
    /// The scenario's spec: id, ceiling, reviewers, template...
    fn spec(&self) -> &ScenarioSpec;

    /// The prompt for `query`: `prompt_template` with `{documents}` replaced by the numbered
    /// documents (`[1] ...`, one per line) and then `{query}` by the query.
    fn render_prompt(&self, query: &str, documents: &[String]) -> String {
        let docs = documents.iter().enumerate().map(|(i, d)| format!("[{}] {d}", i + 1)).collect::<Vec<_>>().join("\n");
        // Substitute documents first so a `{query}` typed by a citizen is never expanded.
        self.spec().prompt_template.replace("{documents}", &docs).replace("{query}", query)
    }
}

impl std::fmt::Debug for dyn Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("id", &self.spec().id).finish()
    }
}

/// A scenario defined entirely by its spec (all built-ins and config-defined ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecScenario(pub ScenarioSpec);

impl Scenario for SpecScenario {
    fn spec(&self) -> &ScenarioSpec {
        &self.0
    }
}

/// Reviewer ids used by the built-in catalog.
pub(crate) mod reviewer_ids {
    pub(crate) const LEXICON: &str = "lexicon";
    pub(crate) const PII_LEAK: &str = "pii_leak";
    pub(crate) const CITATION: &str = "citation";
    pub(crate) const GROUNDING: &str = "grounding";
    pub(crate) const INPUT_SCREEN: &str = "input_screen";
    pub(crate) const REFUSAL: &str = "refusal";
    pub(crate) const SAFETY_CLASSIFIER: &str = "safety_classifier";
    pub(crate) const SCOPE: &str = "scope";
    pub(crate) const ANSWER_SAFETY: &str = "answer_safety";
    pub(crate) const RELEVANCE: &str = "relevance";
}

struct Row {
    id: &'static str,
    zh: &'static str,
    en: &'static str,
    category: Category,
    public_facing: bool,
    task: TaskKind,
    ceiling: DataLevel,
    human_signoff: bool,
    requires_filed_model: bool,
    metrics: &'static [&'static str],
}

use Category::{DecisionSupport, OfficeWork, PublicService, SocialGovernance};
use DataLevel::{Important, Sensitive};
use reviewer_ids::{
    ANSWER_SAFETY, CITATION, GROUNDING, INPUT_SCREEN, LEXICON, PII_LEAK, REFUSAL, RELEVANCE, SAFETY_CLASSIFIER, SCOPE,
};

const CATALOG: [Row; 13] = [
    Row {
        id: "intelligent_qa",
        zh: "智能问答",
        en: "Intelligent Q&A",
        category: PublicService,
        public_facing: true,
        task: TaskKind::Answer,
        ceiling: Sensitive,
        human_signoff: false,
        requires_filed_model: true,
        metrics: &["answer_rate", "escalation_rate", "citation_accuracy"],
    },
    Row {
        id: "assisted_handling",
        zh: "辅助办理",
        en: "Assisted handling",
        category: PublicService,
        public_facing: true,
        task: TaskKind::Assist,
        ceiling: Sensitive,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["review_time", "prefill_accuracy"],
    },
    Row {
        id: "policy_direct_access",
        zh: "政策服务直达快享",
        en: "Direct, fast access to policy services",
        category: PublicService,
        public_facing: true,
        task: TaskKind::Match,
        ceiling: Sensitive,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["match_precision", "uptake_rate"],
    },
    Row {
        id: "intelligent_monitoring",
        zh: "智能监测巡检",
        en: "Intelligent monitoring and inspection",
        category: SocialGovernance,
        public_facing: false,
        task: TaskKind::Analyse,
        ceiling: Important,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["detection_rate", "false_alarm_rate"],
    },
    Row {
        id: "enforcement_assistance",
        zh: "辅助执法监管",
        en: "Assisted law enforcement and supervision",
        category: SocialGovernance,
        public_facing: false,
        task: TaskKind::Analyse,
        ceiling: Important,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["lead_precision", "case_handling_time"],
    },
    Row {
        id: "market_risk_prediction",
        zh: "市场风险预测",
        en: "Market risk prediction",
        category: SocialGovernance,
        public_facing: false,
        task: TaskKind::Forecast,
        ceiling: Important,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["warning_precision", "lead_time"],
    },
    Row {
        id: "document_drafting",
        zh: "辅助文书起草",
        en: "Assisted document drafting",
        category: OfficeWork,
        public_facing: false,
        task: TaskKind::Draft,
        ceiling: Sensitive,
        human_signoff: true,
        requires_filed_model: true,
        metrics: &["edit_distance_to_final", "drafting_time"],
    },
    Row {
        id: "information_retrieval",
        zh: "资料检索",
        en: "Information retrieval",
        category: OfficeWork,
        public_facing: false,
        task: TaskKind::Retrieve,
        ceiling: Sensitive,
        human_signoff: false,
        requires_filed_model: false,
        metrics: &["recall_at_5", "search_time"],
    },
    Row {
        id: "intelligent_routing",
        zh: "智能分办",
        en: "Intelligent routing",
        category: OfficeWork,
        public_facing: false,
        task: TaskKind::Route,
        ceiling: Sensitive,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["routing_accuracy", "reassignment_rate"],
    },
    Row {
        id: "disaster_warning",
        zh: "灾害预警",
        en: "Disaster early warning",
        category: DecisionSupport,
        public_facing: false,
        task: TaskKind::Forecast,
        ceiling: Important,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["warning_lead_time", "miss_rate"],
    },
    Row {
        id: "emergency_response",
        zh: "应急处置",
        en: "Emergency response",
        category: DecisionSupport,
        public_facing: false,
        task: TaskKind::Analyse,
        ceiling: Important,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["plan_completeness", "response_time"],
    },
    Row {
        id: "policy_evaluation",
        zh: "政策评估",
        en: "Policy evaluation",
        category: DecisionSupport,
        public_facing: false,
        task: TaskKind::Evaluate,
        ceiling: Important,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["evaluation_coverage"],
    },
    Row {
        id: "assisted_appraisal",
        zh: "智能辅助评审",
        en: "Intelligent assisted review",
        category: DecisionSupport,
        public_facing: false,
        task: TaskKind::Evaluate,
        ceiling: Sensitive,
        human_signoff: true,
        requires_filed_model: false,
        metrics: &["agreement_with_experts"],
    },
];

/// Every scenario screens its input for injections and checks answers for leaked personal
/// data; public-facing ones also apply the refusal rules, the learned safety classifier and the
/// scope check before any model; public-facing and drafting ones the
/// lexicon; answers built on sources must cite and be grounded in them.
fn reviewers_for(row: &Row) -> Vec<String> {
    let mut r = vec![INPUT_SCREEN];
    if row.public_facing {
        // Input layers, cheapest first: the pipeline stops at the first that blocks. Scope
        // comes before the classifier so that a harmless off-topic request is redirected, not
        // refused (a harmful one is stopped either way).
        r.extend([REFUSAL, SCOPE, SAFETY_CLASSIFIER]);
    }
    if row.public_facing || row.task == TaskKind::Draft {
        r.push(LEXICON);
    }
    if row.public_facing {
        r.push(ANSWER_SAFETY);
    }
    r.push(PII_LEAK);
    if matches!(row.task, TaskKind::Answer | TaskKind::Assist | TaskKind::Match | TaskKind::Retrieve) {
        r.extend([CITATION, GROUNDING]);
    }
    // Public Q&A answers must also address the question asked (not a neighbouring matter).
    if row.public_facing && row.task == TaskKind::Answer {
        r.push(RELEVANCE);
    }
    r.into_iter().map(str::to_owned).collect()
}

fn prompt_for(task: TaskKind) -> &'static str {
    match task {
        TaskKind::Answer | TaskKind::Assist | TaskKind::Match | TaskKind::Retrieve => {
            "你是政务服务助手，只依据给出的资料作答，并用[编号]注明出处；资料中没有的内容不要编造。\n资料：\n{documents}\n问题：{query}"
        }
        TaskKind::Draft => "请根据以下要点起草公文初稿，供工作人员修改：\n{query}\n参考材料：\n{documents}",
        TaskKind::Route => "请判断以下工单应由哪个部门办理：\n{query}",
        TaskKind::Analyse | TaskKind::Forecast | TaskKind::Evaluate => {
            "请分析以下材料并给出要点与依据，结论由工作人员决定：\n{query}\n材料：\n{documents}"
        }
    }
}

/// The 13 guideline scenarios, in the guideline's order.
pub fn builtin_catalog() -> Vec<ScenarioSpec> {
    CATALOG
        .iter()
        .map(|row| ScenarioSpec {
            id: row.id.to_owned(),
            name_zh: row.zh.to_owned(),
            name_en: row.en.to_owned(),
            category: row.category,
            public_facing: row.public_facing,
            task: row.task,
            ceiling: row.ceiling,
            reviewers: reviewers_for(row),
            human_signoff: row.human_signoff,
            requires_filed_model: row.requires_filed_model,
            prompt_template: prompt_for(row.task).to_owned(),
            metrics: row.metrics.iter().map(|m| (*m).to_owned()).collect(),
        })
        .collect()
}

/// Look up a built-in scenario by id.
pub fn builtin(id: &str) -> Option<ScenarioSpec> {
    builtin_catalog().into_iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn thirteen_scenarios_in_four_categories_3_3_3_4() {
        let cat = builtin_catalog();
        assert_eq!(cat.len(), 13);
        let mut per: BTreeMap<Category, usize> = BTreeMap::new();
        for s in &cat {
            *per.entry(s.category).or_default() += 1;
        }
        assert_eq!(per[&Category::PublicService], 3);
        assert_eq!(per[&Category::SocialGovernance], 3);
        assert_eq!(per[&Category::OfficeWork], 3);
        assert_eq!(per[&Category::DecisionSupport], 4);
        let ids: BTreeSet<_> = cat.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), 13, "ids are unique");
        for s in &cat {
            assert!(s.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", s.id);
            assert!(s.ceiling < DataLevel::Secret);
        }
    }

    #[test]
    fn guideline_names_and_flags() {
        let qa = builtin("intelligent_qa").unwrap();
        assert_eq!(qa.name_zh, "智能问答");
        assert!(qa.public_facing && qa.requires_filed_model);
        assert!(qa.reviewers.contains(&"citation".to_owned()));
        assert!(qa.reviewers.contains(&"relevance".to_owned()));
        assert!(!builtin("information_retrieval").unwrap().reviewers.contains(&"relevance".to_owned()));
        assert!(builtin("document_drafting").unwrap().requires_filed_model);
        assert!(builtin("enforcement_assistance").unwrap().human_signoff);
        assert_eq!(builtin("assisted_appraisal").unwrap().name_zh, "智能辅助评审");
        assert!(builtin("nope").is_none());
    }

    #[test]
    fn prompt_does_not_expand_placeholders_in_user_text() {
        let s = SpecScenario(builtin("intelligent_qa").unwrap());
        let p = s.render_prompt("what is {documents}?", &["doc A".to_owned()]);
        assert!(p.contains("[1] doc A"));
        assert!(p.contains("what is {documents}?"));
    }
}
