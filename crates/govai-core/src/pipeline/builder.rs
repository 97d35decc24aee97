//! Builds a [`Deployment`] from models, reviewers, classifiers and scenarios.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Bound, Deployment};
use crate::audit::AuditLog;
use crate::classify::DataClassifier;
use crate::conversation::{ConversationLimits, Conversations};
use crate::error::{Error, Result};
use crate::label::LabelConfig;
use crate::model::{Model, ModelKind};
use crate::policy::Policy;
use crate::review::Reviewer;
use crate::scenario::Scenario;

/// Builds a [`Deployment`], checking that every scenario's model and reviewers exist.
#[derive(Default)]
pub struct DeploymentBuilder {
    name: String,
    models: BTreeMap<String, Arc<dyn Model>>,
    reviewers: BTreeMap<String, Arc<dyn Reviewer>>,
    classifiers: Vec<Arc<dyn DataClassifier>>,
    scenarios: Vec<(Arc<dyn Scenario>, String)>,
    policy: Policy,
    labels: LabelConfig,
    audit: Option<Arc<AuditLog>>,
    conversations: ConversationLimits,
    rollout_seed: Option<u64>,
}

impl std::fmt::Debug for DeploymentBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeploymentBuilder").field("name", &self.name).finish_non_exhaustive()
    }
}

impl DeploymentBuilder {
    /// The deployment's name, recorded in every audit record.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// Add a model; scenarios refer to it by its id.
    pub fn model(mut self, model: Arc<dyn Model>) -> Self {
        self.models.insert(model.info().id.clone(), model);
        self
    }
    /// Add a reviewer; scenarios refer to it by its id.
    pub fn reviewer(mut self, reviewer: Arc<dyn Reviewer>) -> Self {
        self.reviewers.insert(reviewer.id().to_owned(), reviewer);
        self
    }
    /// Add a data classifier; every classifier runs on every turn and document.
    pub fn classifier(mut self, classifier: Arc<dyn DataClassifier>) -> Self {
        self.classifiers.push(classifier);
        self
    }
    /// Enable a scenario served by the model with id `model_id`.
    pub fn scenario(mut self, scenario: Arc<dyn Scenario>, model_id: impl Into<String>) -> Self {
        self.scenarios.push((scenario, model_id.into()));
        self
    }
    /// The deployment-wide policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
    /// How answers are labelled as AI content.
    pub fn labels(mut self, labels: LabelConfig) -> Self {
        self.labels = labels;
        self
    }
    /// The audit log (required).
    pub fn audit(mut self, audit: Arc<AuditLog>) -> Self {
        self.audit = Some(audit);
        self
    }
    /// Bounds of the in-memory conversation store (defaults: [`ConversationLimits::default`]).
    pub fn conversations(mut self, limits: ConversationLimits) -> Self {
        self.conversations = limits;
        self
    }

    /// Seed of the generator that routes canary shares (default: random); fix it to make a
    /// rollout's routing repeatable.
    pub fn rollout_seed(mut self, seed: u64) -> Self {
        self.rollout_seed = Some(seed);
        self
    }

    /// Check and build: every scenario's model and reviewers must exist; general-purpose
    /// scenarios need a filed generation model.
    pub fn build(self) -> Result<Deployment> {
        let audit = self.audit.ok_or_else(|| Error::config("", "audit", "a deployment needs an audit log"))?;
        if self.classifiers.is_empty() {
            return Err(Error::config("", "classifiers", "a deployment needs at least one data classifier"));
        }
        let mut scenarios = BTreeMap::new();
        for (scenario, model_id) in self.scenarios {
            let spec = scenario.spec();
            let key = |k: &str| format!("scenarios.{}.{k}", spec.id);
            let model = self.models.get(&model_id).cloned().ok_or_else(|| {
                Error::config(
                    "",
                    key("model"),
                    format!("no model with id `{model_id}` (models: {})", join_keys(&self.models)),
                )
            })?;
            if spec.requires_filed_model
                && model.info().kind == ModelKind::Generate
                && model.info().filing.number.trim().is_empty()
            {
                return Err(Error::config(
                    "",
                    key("model"),
                    format!(
                        "scenario `{}` is general-purpose (通用) and needs a model filed with the CAC; model `{model_id}` has no filing number",
                        spec.id
                    ),
                ));
            }
            let mut reviewers = Vec::new();
            for r in &spec.reviewers {
                let rv = self.reviewers.get(r).cloned().ok_or_else(|| {
                    Error::config(
                        "",
                        key("reviewers"),
                        format!("no reviewer `{r}` (reviewers: {})", join_keys(&self.reviewers)),
                    )
                })?;
                reviewers.push(rv);
            }
            if scenarios.contains_key(&spec.id) {
                return Err(Error::config("", key("id"), "scenario enabled twice"));
            }
            scenarios.insert(spec.id.clone(), Bound { scenario: scenario.clone(), model, reviewers });
        }
        if scenarios.is_empty() {
            return Err(Error::config("", "scenarios", "no scenario is enabled"));
        }
        Ok(Deployment {
            name: self.name,
            scenarios,
            classifiers: self.classifiers,
            policy: self.policy,
            labels: self.labels,
            audit,
            conversations: Conversations::new(self.conversations),
            rollouts: super::rollout::Rollouts::new(self.models, self.rollout_seed.unwrap_or_else(random_seed)),
            references: std::sync::RwLock::new(None),
        })
    }
}

/// A seed from the operating system (a fixed one if it has none to give).
fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => 0x5EED,
    }
}

fn join_keys<V>(m: &BTreeMap<String, V>) -> String {
    if m.is_empty() { "none".to_owned() } else { m.keys().cloned().collect::<Vec<_>>().join(", ") }
}
